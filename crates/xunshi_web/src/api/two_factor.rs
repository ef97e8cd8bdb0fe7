//! The second factor of log-in: one's own setting up and turning off, an administrator's
//! reset, and the office's requirement. The same services as the pages (`pages/two_factor.rs`).

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::service::{TwoFactorSetup, TwoFactorStatus};

use super::{ApiJson, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(status, begin))
        .routes(routes!(confirm))
        .routes(routes!(disable))
        .routes(routes!(reset))
        .routes(routes!(get_security, set_security))
}

/// Where the caller stands: on, waiting for its first code (with the secret), or off, and
/// whether the office requires it of them.
#[utoipa::path(get, path = "/auth/two-factor", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = TwoFactorStatus), (status = 401, body = ErrorBody)))]
async fn status(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<TwoFactorStatus>> {
    Ok(Json(app.services.two_factor_status(&actor).await?))
}

/// Makes a new secret for the caller's authenticator app, to be confirmed with its first code.
#[utoipa::path(post, path = "/auth/two-factor", tag = "auth", security(("bearer" = [])),
    responses((status = 201, body = TwoFactorSetup), (status = 401, body = ErrorBody),
        (status = 409, description = "the second factor is on already", body = ErrorBody)))]
async fn begin(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<(StatusCode, Json<TwoFactorSetup>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.services.begin_two_factor(&actor).await?),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct SecondFactorCode {
    /// The app's six-digit code (or, to turn it off, a recovery code).
    #[schema(max_length = 32)]
    pub code: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecoveryCodes {
    /// Each stands in once for a code of the app; shown only this once.
    pub recovery_codes: Vec<String>,
}

/// Confirms the secret with a first code of the app and turns the second factor on.
#[utoipa::path(post, path = "/auth/two-factor/confirm", tag = "auth", security(("bearer" = [])),
    request_body = SecondFactorCode,
    responses((status = 200, body = RecoveryCodes), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "the code is not the app's, or nothing waits to be confirmed", body = ErrorBody)))]
async fn confirm(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<SecondFactorCode>,
) -> ApiResult<Json<RecoveryCodes>> {
    Ok(Json(RecoveryCodes {
        recovery_codes: app.services.confirm_two_factor(&actor, &req.code).await?,
    }))
}

/// Turns the caller's second factor off, with a code of the app or a recovery code.
#[utoipa::path(post, path = "/auth/two-factor/disable", tag = "auth", security(("bearer" = [])),
    request_body = SecondFactorCode,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, description = "a wrong code, not on, or required of the caller", body = ErrorBody)))]
async fn disable(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<SecondFactorCode>,
) -> ApiResult<StatusCode> {
    app.services.disable_two_factor(&actor, &req.code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An administrator removes someone's second factor (a lost phone) and ends their sessions.
#[utoipa::path(post, path = "/users/{id}/two-factor/reset", tag = "users", security(("bearer" = [])),
    params(("id" = String, Path, description = "the account's id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "the account has no second factor", body = ErrorBody)))]
async fn reset(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "用户")?;
    app.services.reset_two_factor(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct SecuritySettings {
    /// Whether administrators and office accounts must log in with the second factor.
    pub two_factor_required: bool,
}

/// The security rules of log-in.
#[utoipa::path(get, path = "/security", tag = "auth", security(("bearer" = [])),
    responses((status = 200, body = SecuritySettings), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn get_security(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<SecuritySettings>> {
    Ok(Json(SecuritySettings {
        two_factor_required: app.services.two_factor_required(&actor).await?,
    }))
}

/// Requires (or not) the second factor of every administrator and office account, from each
/// one's next log-in; the caller must have it on to require it.
#[utoipa::path(put, path = "/security", tag = "auth", security(("bearer" = [])),
    request_body = SecuritySettings,
    responses((status = 200, body = SecuritySettings), (status = 400, body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, description = "the caller has no second factor on", body = ErrorBody)))]
async fn set_security(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<SecuritySettings>,
) -> ApiResult<Json<SecuritySettings>> {
    app.services
        .set_two_factor_required(&actor, req.two_factor_required)
        .await?;
    Ok(Json(req))
}
