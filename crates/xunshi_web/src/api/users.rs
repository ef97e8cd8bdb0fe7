//! Accounts and their roles.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::page::SortedPage;
use xunshi_core::role::Grant;
use xunshi_core::service::NewGrant;
use xunshi_core::user::{NewUserInput, User};

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::UserQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(reset_password))
        .routes(routes!(add_grant))
        .routes(routes!(revoke_grant))
        .routes(routes!(get_email, set_email))
}

/// Lists the accounts, in the order `sort` asks (as created unless told), a page at a time,
/// with the total the filter matches and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/users", tag = "users", security(("bearer" = [])),
    params(UserQuery),
    responses((status = 200, body = SortedPage<User>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_users(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<UserQuery>,
) -> ApiResult<Json<SortedPage<User>>> {
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .user_page(&actor, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct CreateUser {
    #[serde(flatten)]
    pub user: NewUserInput,
    /// A role to grant at once.
    #[serde(default)]
    pub role: Option<String>,
    /// The role's scope, for unit roles a unit other than the user's own.
    #[serde(default)]
    pub scope: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct UserWithGrants {
    #[serde(flatten)]
    pub user: User,
    pub grants: Vec<Grant>,
}

/// Creates an account, optionally with a role.
#[utoipa::path(post, path = "/users", tag = "users", security(("bearer" = [])),
    request_body = CreateUser,
    responses((status = 201, body = UserWithGrants), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_user(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserWithGrants>)> {
    let grant = req.role.map(|role| NewGrant {
        role,
        scope: req.scope,
    });
    let (user, grants) = app
        .services
        .create_user(&actor, &req.user, grant.as_ref())
        .await?;
    Ok((StatusCode::CREATED, Json(UserWithGrants { user, grants })))
}

#[utoipa::path(get, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = UserWithGrants), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_user(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<UserWithGrants>> {
    let id = path_id(&id, "用户")?;
    let (user, grants) = app.services.get_user(&actor, id).await?;
    Ok(Json(UserWithGrants { user, grants }))
}

#[derive(Deserialize, ToSchema)]
pub struct UserUpdate {
    /// The version the change is based on; a stale one is refused with 409.
    pub version: i64,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub display_name: String,
    /// The unit's id or exact name; empty for none.
    #[serde(default)]
    pub unit: Option<String>,
}

#[utoipa::path(put, path = "/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = UserUpdate,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_user(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UserUpdate>,
) -> ApiResult<Json<User>> {
    let id = path_id(&id, "用户")?;
    Ok(Json(
        app.services
            .update_user(
                &actor,
                id,
                req.version,
                &req.display_name,
                req.unit.as_deref(),
            )
            .await?,
    ))
}

/// Disables an account, ends its sessions and revokes its API tokens for good (enabling it again
/// does not bring them back).
#[utoipa::path(post, path = "/users/{id}/disable", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn disable_user(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<User>> {
    let id = path_id(&id, "用户")?;
    Ok(Json(
        app.services
            .set_user_disabled(&actor, id, req.version, true)
            .await?,
    ))
}

/// Enables an account again, lifting any lock-out.
#[utoipa::path(post, path = "/users/{id}/enable", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = User), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn enable_user(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<User>> {
    let id = path_id(&id, "用户")?;
    Ok(Json(
        app.services
            .set_user_disabled(&actor, id, req.version, false)
            .await?,
    ))
}

// The same shape as the disclosure's `VersionRequest`, so the document has one schema of it.
#[derive(Deserialize, ToSchema)]
pub struct VersionRequest {
    pub version: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordReset {
    /// The version of the account the reset is based on; a stale one is refused (409).
    pub version: i64,
    pub password: String,
    /// Make the person choose their own password at next log-in (default true).
    #[serde(default = "yes")]
    pub must_change: bool,
}

fn yes() -> bool {
    true
}

/// Sets another person's password.
#[utoipa::path(post, path = "/users/{id}/password", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PasswordReset,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reset_password(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PasswordReset>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "用户")?;
    app.services
        .reset_password(&actor, id, req.version, &req.password, req.must_change)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Grants a role, scoped as the role requires.
#[utoipa::path(post, path = "/users/{id}/grants", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = NewGrant,
    responses((status = 201, body = Grant), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_grant(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<NewGrant>,
) -> ApiResult<(StatusCode, Json<Grant>)> {
    let id = path_id(&id, "用户")?;
    let g = app.services.grant_role(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(g)))
}

#[utoipa::path(delete, path = "/users/{id}/grants/{grant_id}", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path), ("grant_id" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn revoke_grant(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, grant_id)): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "用户")?;
    let grant_id = path_id(&grant_id, "该角色授权")?;
    app.services.revoke_grant(&actor, id, grant_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An account's e-mail address for messages; null when it has none.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Email {
    /// An address such as `zhangsan@example.cn`; null (or an empty string) clears it.
    #[schema(max_length = 254, format = Email)]
    pub email: Option<String>,
}

/// The account's e-mail address: the caller's own, or any account's for the administrator.
#[utoipa::path(get, path = "/users/{id}/email", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Email), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_email(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Email>> {
    let id = path_id(&id, "用户")?;
    Ok(Json(Email {
        email: app.services.user_email(&actor, id).await?,
    }))
}

/// Sets or clears the account's e-mail address, to which messages are also sent when a mail
/// server is configured: the caller's own, or any account's for the administrator. Audited.
#[utoipa::path(put, path = "/users/{id}/email", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Email,
    responses((status = 200, body = Email), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn set_email(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<Email>,
) -> ApiResult<Json<Email>> {
    let id = path_id(&id, "用户")?;
    let email = app
        .services
        .set_user_email(&actor, id, req.email.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(Email { email }))
}
