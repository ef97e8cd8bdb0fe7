//! Problem clues, their transfers and disposal, and the handling deadline rules.
//!
//! `GET /clues` answers every logged-in caller with the clues that caller may see; for a user
//! of an inspected unit that is an empty list, never an error, because the same person may
//! also receive clues of other inspections as a functional department. Reading one clue the
//! caller may not see answers 404 (403 for the inspected unit after feedback, which knows the
//! inspection exists).

use crate::http::Path;
use crate::http::docx;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::clue::{
    Clue, ClueInput, ClueSettings, ClueSettingsInput, DisposalInput, Transfer, TransferInput,
};
use xunshi_core::service::{ClueEntry, TransferLetter};

use super::{ApiJson, ApiQuery, Page, paging, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::{ClueQuery, TransferQuery};
use xunshi_core::page::SortedPage;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_clues))
        .routes(routes!(register_clue))
        .routes(routes!(get_clue, update_clue))
        .routes(routes!(record_disposal))
        .routes(routes!(create_transfer))
        .routes(routes!(list_transfers))
        .routes(routes!(get_transfer))
        .routes(routes!(transfer_docx))
        .routes(routes!(get_settings, update_settings))
}

/// Lists the clues the caller may see: the office and the leadership all, a team its
/// inspection's, a recipient those transferred to it, the inspected unit none (an empty list).
/// Every clue returned is recorded in the audit trail as read. In the order `sort` asks (as
/// registered unless told), a page at a time, with the total the filter matches under the
/// caller's scope and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/clues", tag = "clues", security(("bearer" = [])),
    params(ClueQuery),
    responses((status = 200, body = SortedPage<ClueEntry>),
        (status = 400, description = "a filter, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_clues(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<ClueQuery>,
) -> ApiResult<Json<SortedPage<ClueEntry>>> {
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .clue_page(&actor, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Registers a clue of an inspection (its team or the office).
#[utoipa::path(post, path = "/inspections/{id}/clues", tag = "clues", security(("bearer" = [])),
    params(("id" = String, Path, description = "the inspection")),
    request_body = ClueInput,
    responses((status = 201, body = Clue), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_clue(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ClueInput>,
) -> ApiResult<(StatusCode, Json<Clue>)> {
    let id = path_id(&id, "巡视任务")?;
    let clue = app.services.register_clue(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(clue)))
}

/// One clue with its transfer, disposal and handling clock. The read is recorded.
#[utoipa::path(get, path = "/clues/{id}", tag = "clues", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ClueEntry), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_clue(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ClueEntry>> {
    let id = path_id(&id, "问题线索")?;
    Ok(Json(app.services.get_clue(&actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ClueUpdate {
    /// The version the change is based on; if the clue changed since, 409.
    pub version: i64,
    #[serde(flatten)]
    pub fields: ClueInput,
}

/// Changes a clue still in the register; a transferred clue stays as it was sent (422).
#[utoipa::path(put, path = "/clues/{id}", tag = "clues", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ClueUpdate,
    responses((status = 200, body = Clue), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_clue(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ClueUpdate>,
) -> ApiResult<Json<Clue>> {
    let id = path_id(&id, "问题线索")?;
    Ok(Json(
        app.services
            .update_clue(&actor, id, req.version, &req.fields)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct DisposalRequest {
    pub version: i64,
    #[serde(flatten)]
    pub disposal: DisposalInput,
}

/// The recipient records how it disposed of a clue (谈话函询 / 初步核实 / 暂存待查 / 予以了结).
#[utoipa::path(post, path = "/clues/{id}/disposal", tag = "clues", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = DisposalRequest,
    responses((status = 200, body = Clue), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_disposal(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<DisposalRequest>,
) -> ApiResult<Json<Clue>> {
    let id = path_id(&id, "问题线索")?;
    Ok(Json(
        app.services
            .record_disposal(&actor, id, req.version, &req.disposal)
            .await?,
    ))
}

/// Transfers registered clues of an inspection in one batch with a letter (the team leader
/// or the office). Refused as a whole if any clue is not of the inspection or already sent.
#[utoipa::path(post, path = "/inspections/{id}/transfers", tag = "clues", security(("bearer" = [])),
    params(("id" = String, Path, description = "the inspection")),
    request_body = TransferInput,
    responses((status = 201, body = Transfer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_transfer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TransferInput>,
) -> ApiResult<(StatusCode, Json<Transfer>)> {
    let id = path_id(&id, "巡视任务")?;
    let t = app.services.create_transfer(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(t)))
}

/// Lists the transfers the caller may see, oldest first.
#[utoipa::path(get, path = "/transfers", tag = "clues", security(("bearer" = [])),
    params(TransferQuery),
    responses((status = 200, body = Page<Transfer>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_transfers(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<TransferQuery>,
) -> ApiResult<Json<Page<Transfer>>> {
    let page = paging(q.cursor.as_deref(), q.limit)?;
    let f = q.filter()?;
    Ok(Json(
        app.services.list_transfers(&actor, &f, page).await?.into(),
    ))
}

/// A transfer letter with its list of clues; each clue listed is recorded as read.
#[utoipa::path(get, path = "/transfers/{id}", tag = "clues", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TransferLetter), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_transfer(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TransferLetter>> {
    let id = path_id(&id, "移交函")?;
    Ok(Json(app.services.get_transfer(&actor, id).await?))
}

/// The transfer letter as a `.docx`, with the list of clues annexed; read through the same
/// rule as `GET /transfers/{id}`, and each clue listed is recorded as read.
#[utoipa::path(get, path = "/transfers/{id}/letter.docx", tag = "clues", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "移交函", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn transfer_docx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "移交函")?;
    let l = app.services.get_transfer(&actor, id).await?;
    Ok(docx::docx_response(&docx::transfer_doc(&l))?)
}

/// The handling deadline rules: months from transfer to the handling report, and the days
/// before the due date at which the clock turns yellow.
#[utoipa::path(get, path = "/clue-settings", tag = "clues", security(("bearer" = [])),
    responses((status = 200, body = ClueSettings), (status = 401, body = ErrorBody)))]
async fn get_settings(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<ClueSettings>> {
    Ok(Json(app.services.clue_settings(&actor).await?))
}

/// Changes the handling deadline rules (the office). Existing letters keep their due dates.
#[utoipa::path(put, path = "/clue-settings", tag = "clues", security(("bearer" = [])),
    request_body = ClueSettingsInput,
    responses((status = 200, body = ClueSettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn update_settings(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<ClueSettingsInput>,
) -> ApiResult<Json<ClueSettings>> {
    Ok(Json(
        app.services.update_clue_settings(&actor, &input).await?,
    ))
}
