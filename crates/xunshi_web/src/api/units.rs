//! The organisation tree.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::org::{Unit, UnitInput};
use xunshi_core::page::SortedPage;

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::UnitQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit))
        .routes(routes!(withdraw_unit))
}

/// Lists units, in the order `sort` asks (as created unless told), a page at a time, with the
/// total the filter matches and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/units", tag = "units", security(("bearer" = [])),
    params(UnitQuery),
    responses((status = 200, body = SortedPage<Unit>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_units(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<Json<SortedPage<Unit>>> {
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .unit_page(&actor, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Creates a unit.
#[utoipa::path(post, path = "/units", tag = "units", security(("bearer" = [])),
    request_body = UnitInput,
    responses((status = 201, body = Unit), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_unit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<UnitInput>,
) -> ApiResult<(StatusCode, Json<Unit>)> {
    let unit = app.services.create_unit(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(unit)))
}

#[utoipa::path(get, path = "/units/{id}", tag = "units", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Unit), (status = 404, body = ErrorBody)))]
async fn get_unit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Unit>> {
    let id = path_id(&id, "单位")?;
    Ok(Json(app.services.get_unit(&actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct UnitUpdate {
    /// The version the change is based on; if the unit changed since, the update is refused with 409.
    pub version: i64,
    #[serde(flatten)]
    pub fields: UnitInput,
}

/// Changes a unit's name, kind, level or parent.
#[utoipa::path(put, path = "/units/{id}", tag = "units", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = UnitUpdate,
    responses((status = 200, body = Unit), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "stale version or duplicate name", body = ErrorBody)))]
async fn update_unit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UnitUpdate>,
) -> ApiResult<Json<Unit>> {
    let id = path_id(&id, "单位")?;
    Ok(Json(
        app.services
            .update_unit(&actor, id, req.version, &req.fields)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Withdrawal {
    pub version: i64,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// Withdraws a unit (撤销). It stays on record; refused while units remain below it.
#[utoipa::path(post, path = "/units/{id}/withdraw", tag = "units", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = Withdrawal,
    responses((status = 200, body = Unit), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_unit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<Withdrawal>,
) -> ApiResult<Json<Unit>> {
    let id = path_id(&id, "单位")?;
    Ok(Json(
        app.services
            .withdraw_unit(&actor, id, req.version, &req.reason)
            .await?,
    ))
}
