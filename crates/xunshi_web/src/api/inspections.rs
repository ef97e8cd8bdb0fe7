//! Inspections: the list with filters, one inspection, planning it, moving its stage.

use crate::http::Path;
use crate::http::archive;
use crate::http::files::file_attachment;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::inspection::InspectionInput;
use xunshi_core::page::SortedPage;
use xunshi_core::service::{InspectionView, LookBackView, StageChange};

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::InspectionQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_inspections, create_inspection))
        .routes(routes!(get_inspection, update_inspection))
        .routes(routes!(look_back))
        .routes(routes!(change_stage))
        .routes(routes!(archive_package))
}

/// The inspections the caller may see: all for the office and leadership, their own team's
/// for team members, and for an inspected unit only those that have reached feedback; in the
/// order `sort` asks (as entered unless told), a page at a time, with the total the filter
/// matches and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/inspections", tag = "inspections", security(("bearer" = [])),
    params(InspectionQuery),
    responses((status = 200, body = SortedPage<InspectionView>),
        (status = 400, description = "a filter, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_inspections(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<InspectionQuery>,
) -> ApiResult<Json<SortedPage<InspectionView>>> {
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .inspection_page(&actor, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Plans an inspection: the round, the team's name, one to three target units, the type.
#[utoipa::path(post, path = "/inspections", tag = "inspections", security(("bearer" = [])),
    request_body = InspectionInput,
    responses((status = 201, body = InspectionView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_inspection(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<InspectionInput>,
) -> ApiResult<(StatusCode, Json<InspectionView>)> {
    let insp = app.services.create_inspection(&actor, &input).await?;
    let (view, _) = app.services.inspection_view(&actor, insp.id).await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[utoipa::path(get, path = "/inspections/{id}", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = InspectionView), (status = 404, body = ErrorBody)))]
async fn get_inspection(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<InspectionView>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.inspection_view(&actor, id).await?.0))
}

/// For a 回头看 inspection: the inspection it looks back at, its problems beside their tasks'
/// present state; `null` for an inspection that looks back at none. For those who read the
/// 回头看's working papers (its team, the office, the leadership).
#[utoipa::path(get, path = "/inspections/{id}/look-back", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Option<LookBackView>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn look_back(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Option<LookBackView>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.look_back(&actor, id).await?))
}

/// The archive package (归档包) of an archived inspection, as a `.zip`: one folder per kind of
/// record (the inspection, working papers and their files, reports, the feedback, clues and
/// transfer letters, plans, the ledger, the rectification files, reports and notices,
/// follow-ups, accountability and mechanisms), the audit extract of its records, the catalogue
/// `目录.xlsx` and `manifest-sha256.txt` (checked by `sha256sum -c`). For the office; refused
/// (422) while the inspection is not archived.
#[utoipa::path(get, path = "/inspections/{id}/archive-package", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "归档包", content_type = "application/zip"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn archive_package(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let id = path_id(&id, "巡视任务")?;
    let (file, name) = archive::archive_package_file(&app, &actor, id).await?;
    Ok(file_attachment(
        file,
        xunshi_office::ZIP_CONTENT_TYPE,
        &name,
        "zip",
    )?)
}

#[derive(Deserialize, ToSchema)]
pub struct InspectionUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: InspectionInput,
}

/// Changes the plan of an inspection, before the team enters.
#[utoipa::path(put, path = "/inspections/{id}", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = InspectionUpdate,
    responses((status = 200, body = InspectionView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_inspection(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<InspectionUpdate>,
) -> ApiResult<Json<InspectionView>> {
    let id = path_id(&id, "巡视任务")?;
    app.services
        .update_inspection(&actor, id, req.version, &req.fields)
        .await?;
    Ok(Json(app.services.inspection_view(&actor, id).await?.0))
}

/// Moves the inspection to another stage, where that move exists and the caller may make it.
#[utoipa::path(post, path = "/inspections/{id}/stage", tag = "inspections", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = StageChange,
    responses((status = 200, body = InspectionView), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, description = "no such move", body = ErrorBody)))]
async fn change_stage(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<StageChange>,
) -> ApiResult<Json<InspectionView>> {
    let id = path_id(&id, "巡视任务")?;
    app.services.change_stage(&actor, id, &req).await?;
    Ok(Json(app.services.inspection_view(&actor, id).await?.0))
}
