//! Tokens, passwords and the caller's own account.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::role::Grant;
use xunshi_core::store::ApiToken;
use xunshi_core::user::User;

use super::{ApiJson, path_id};
use crate::AppState;
use crate::auth::{ApiUser, LoginAttempt};
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(issue_token))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(change_password))
        .routes(routes!(me))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    pub username: String,
    pub password: String,
    /// The second factor, where the account has it: the app's six-digit code or a recovery
    /// code.
    #[serde(default)]
    #[schema(max_length = 32)]
    pub totp: Option<String>,
    /// A name to tell tokens apart, such as the machine that uses it.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TokenIssued {
    /// The bearer token. It is shown only this once; the server keeps only its hash.
    pub token: String,
    #[serde(flatten)]
    pub record: ApiToken,
}

/// Exchanges a username and password for a bearer token.
#[utoipa::path(post, path = "/auth/token", tag = "auth",
    request_body = TokenRequest,
    responses(
        (status = 201, body = TokenIssued),
        (status = 401, description = "wrong credentials or account locked", body = ErrorBody),
        (status = 422, description = "the initial password must be changed first, or the second factor the office requires set up on the pages", body = ErrorBody),
        (status = 429, description = "too many log-in attempts; see Retry-After", body = ErrorBody),
    ))]
async fn issue_token(
    State(app): State<AppState>,
    LoginAttempt(ip): LoginAttempt,
    ApiJson(req): ApiJson<TokenRequest>,
) -> ApiResult<(StatusCode, Json<TokenIssued>)> {
    let issued = app
        .services
        .login_token(
            &req.username,
            &req.password,
            req.totp.as_deref(),
            req.name.as_deref(),
            ip,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenIssued {
            token: issued.token,
            record: issued.record,
        }),
    ))
}

/// The caller's tokens, newest first, without their secrets.
#[utoipa::path(get, path = "/auth/tokens", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Vec<ApiToken>), (status = 401, body = ErrorBody)))]
async fn list_tokens(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(app.services.list_tokens(&actor).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenName {
    /// A name to tell tokens apart, such as the machine that uses it.
    #[serde(default)]
    #[schema(max_length = 64)]
    pub name: Option<String>,
}

/// Issues another token to the caller, as 我的账号 does on the pages.
#[utoipa::path(post, path = "/auth/tokens", tag = "auth", security(("bearer" = [])),
    request_body = TokenName,
    responses((status = 201, body = TokenIssued), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn create_token(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<TokenName>,
) -> ApiResult<(StatusCode, Json<TokenIssued>)> {
    let issued = app
        .services
        .create_token(&actor, req.name.as_deref())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TokenIssued {
            token: issued.token,
            record: issued.record,
        }),
    ))
}

/// Revokes a token at once.
#[utoipa::path(delete, path = "/auth/tokens/{id}", tag = "auth", security(("bearer" = [])),
    params(("id" = String, Path, description = "the token's id")),
    responses((status = 204), (status = 404, body = ErrorBody),
        (status = 422, description = "该令牌已吊销", body = ErrorBody)))]
async fn revoke_token(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "令牌")?;
    app.services.revoke_token(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub username: String,
    pub current_password: String,
    /// The second factor, where the account has it (as at log-in).
    #[serde(default)]
    #[schema(max_length = 32)]
    pub totp: Option<String>,
    pub new_password: String,
}

/// Changes one's own password; needs the current one, not a token, so that an account whose
/// initial password must be changed can do it. Ends the account's page sessions.
#[utoipa::path(post, path = "/auth/password", tag = "auth",
    request_body = PasswordChange,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 429, description = "too many log-in attempts; see Retry-After", body = ErrorBody)))]
async fn change_password(
    State(app): State<AppState>,
    LoginAttempt(ip): LoginAttempt,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    app.services
        .change_own_password(
            &req.username,
            &req.current_password,
            req.totp.as_deref(),
            &req.new_password,
            ip,
        )
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    #[serde(flatten)]
    pub user: User,
    pub grants: Vec<Grant>,
}

/// The caller's own account and roles.
#[utoipa::path(get, path = "/me", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(ApiUser(actor): ApiUser) -> ApiResult<Json<Me>> {
    let user = actor
        .as_user()
        .cloned()
        .expect("API callers are always users");
    Ok(Json(Me {
        user,
        grants: actor.grants().to_vec(),
    }))
}
