//! Reports and disclosure: the rectification report and the principal leader's report
//! (`/rectification-reports`), the public progress notice (`/public-notices`), and the
//! published notices anyone may read (`/public/notices`, no token).
//!
//! A report's id under `/public-notices` (and a notice's under `/rectification-reports`)
//! answers 404: each collection holds its own kind only.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::disclosure::{DocKind, DocumentInput, RectDocument};
use xunshi_core::page::SortedPage;
use xunshi_core::permission::Actor;
use xunshi_core::service::{DocumentDetail, DocumentEntry, PublicNotice};
use xunshi_core::{CoreError, Id};

use super::{ApiJson, ApiQuery, Page, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::docx;
use crate::http::filters::{DocQuery, LedgerQuery, PublicNoticeQuery};
use crate::http::ledger::xlsx_response;
use xunshi_core::disclosure::DocCollection;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reports, draft_report))
        .routes(routes!(get_report, revise_report))
        .routes(routes!(report_docx))
        .routes(routes!(submit_report))
        .routes(routes!(reassemble_report))
        .routes(routes!(list_notices, draft_notice))
        .routes(routes!(get_notice, revise_notice))
        .routes(routes!(notice_docx))
        .routes(routes!(submit_notice))
        .routes(routes!(reassemble_notice))
        .routes(routes!(approve_notice))
        .routes(routes!(return_notice))
        .routes(routes!(withdraw_notice))
        .routes(routes!(republish_notice))
        .routes(routes!(public_notices))
        .routes(routes!(public_notice))
        .routes(routes!(ledger_xlsx))
}

const NOTICE: &str = "整改进展通报";

fn opt_id(raw: Option<&str>, field: &str) -> ApiResult<Option<Id>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(s.parse().map_err(|_| {
            CoreError::bad_input(field, format!("“{s}”不是有效的编号"))
        })?)),
    }
}

async fn list(
    app: &AppState,
    actor: &Actor,
    q: DocQuery,
    kinds: &[DocKind],
) -> ApiResult<Json<SortedPage<DocumentEntry>>> {
    let f = q.filter(kinds)?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .rect_document_page(actor, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Reads a document of the collection's kind; any other is not there.
async fn of_kind(
    app: &AppState,
    actor: &Actor,
    raw: &str,
    reports: bool,
) -> ApiResult<DocumentDetail> {
    let collection = if reports {
        DocCollection::Reports
    } else {
        DocCollection::Notices
    };
    let id = path_id(raw, collection.what())?;
    Ok(app
        .services
        .rect_document(actor, id, Some(collection))
        .await?)
}

#[derive(Deserialize, ToSchema)]
pub struct DraftRequest {
    pub inspection_id: String,
    pub unit_id: String,
}

/// A report to assemble: which of the two kinds of report.
#[derive(Deserialize, ToSchema)]
pub struct ReportDraftRequest {
    pub inspection_id: String,
    pub unit_id: String,
    /// rectification (整改情况报告) or principal_report (主要负责人组织落实整改情况的报告).
    #[schema(pattern = "^(rectification|principal_report)$")]
    pub kind: String,
}

fn ids(inspection_id: &str, unit_id: &str) -> ApiResult<(Id, Id)> {
    let insp = opt_id(Some(inspection_id), "inspection_id")?
        .ok_or_else(|| CoreError::bad_input("inspection_id", "请指定巡视任务"))?;
    let unit = opt_id(Some(unit_id), "unit_id")?
        .ok_or_else(|| CoreError::bad_input("unit_id", "请指定被巡视单位"))?;
    Ok((insp, unit))
}

#[derive(Deserialize, ToSchema)]
pub struct RevisionRequest {
    /// The version the edit is based on; if the document changed since, 409.
    pub version: i64,
    #[serde(flatten)]
    pub fields: DocumentInput,
}

#[derive(Deserialize, ToSchema)]
pub struct VersionRequest {
    pub version: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct ReturnRequest {
    pub version: i64,
    /// Why the office returns or withdraws the notice.
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub comment: String,
}

// ----- reports -----

/// The rectification reports and principal leader's reports the caller may read, in the order
/// `sort` asks (as drafted unless told), a page at a time, with the total the filter matches
/// under the caller's scope and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/rectification-reports", tag = "disclosure", security(("bearer" = [])),
    params(DocQuery),
    responses((status = 200, body = SortedPage<DocumentEntry>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_reports(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<DocQuery>,
) -> ApiResult<Json<SortedPage<DocumentEntry>>> {
    list(&app, &actor, q, DocKind::REPORTS).await
}

/// Assembles a report from the unit's ledger (the unit's principal leader or liaison).
#[utoipa::path(post, path = "/rectification-reports", tag = "disclosure", security(("bearer" = [])),
    request_body = ReportDraftRequest,
    responses((status = 201, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draft_report(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<ReportDraftRequest>,
) -> ApiResult<(StatusCode, Json<RectDocument>)> {
    let (insp, unit) = ids(&req.inspection_id, &req.unit_id)?;
    let kind = DocKind::parse(&req.kind)?;
    let d = app
        .services
        .draft_rectification_report(&actor, insp, unit, kind)
        .await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// One report with its revisions and what the caller may do with it.
#[utoipa::path(get, path = "/rectification-reports/{id}", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentDetail), (status = 404, body = ErrorBody)))]
async fn get_report(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentDetail>> {
    Ok(Json(of_kind(&app, &actor, &id, true).await?))
}

/// The report as the `.docx` the unit sends, read through the same rule as
/// `GET /rectification-reports/{id}`.
#[utoipa::path(get, path = "/rectification-reports/{id}/document.docx", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "整改情况报告", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = ErrorBody)))]
async fn report_docx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d = of_kind(&app, &actor, &id, true).await?;
    Ok(docx::docx_response(&docx::rect_doc(&d.entry.document))?)
}

/// Saves the unit's edit as a new revision.
#[utoipa::path(put, path = "/rectification-reports/{id}", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = RevisionRequest,
    responses((status = 200, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revise_report(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RevisionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Reports.what())?;
    Ok(Json(
        app.services
            .revise_rect_document(&actor, id, DocCollection::Reports, req.version, &req.fields)
            .await?,
    ))
}

/// Sends the report to the inspection office; its date is the report's date of submission.
#[utoipa::path(post, path = "/rectification-reports/{id}/submit", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_report(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Reports.what())?;
    Ok(Json(
        app.services
            .submit_rect_document(&actor, id, DocCollection::Reports, req.version)
            .await?,
    ))
}

/// Assembles the report's text again from the ledger as it stands, as a new revision.
#[utoipa::path(post, path = "/rectification-reports/{id}/reassemble", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = RectDocument), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reassemble_report(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Reports.what())?;
    Ok(Json(
        app.services
            .reassemble_rect_document(&actor, id, DocCollection::Reports, req.version)
            .await?,
    ))
}

// ----- notices -----

/// The progress notices the caller may read, drafts included (the unit's and the office's
/// view), in the order `sort` asks (as drafted unless told), a page at a time, with the total
/// the filter matches under the caller's scope and the cursors of the next and the previous
/// page; the public reads `/public/notices`.
#[utoipa::path(get, path = "/public-notices", tag = "disclosure", security(("bearer" = [])),
    params(DocQuery),
    responses((status = 200, body = SortedPage<DocumentEntry>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_notices(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<DocQuery>,
) -> ApiResult<Json<SortedPage<DocumentEntry>>> {
    list(&app, &actor, q, &[DocKind::PublicNotice]).await
}

/// Assembles the public progress notice from the unit's ledger, leaving out every task marked
/// not for disclosure.
#[utoipa::path(post, path = "/public-notices", tag = "disclosure", security(("bearer" = [])),
    request_body = DraftRequest,
    responses((status = 201, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn draft_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<DraftRequest>,
) -> ApiResult<(StatusCode, Json<RectDocument>)> {
    let (insp, unit) = ids(&req.inspection_id, &req.unit_id)?;
    let d = app.services.draft_public_notice(&actor, insp, unit).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

#[utoipa::path(get, path = "/public-notices/{id}", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DocumentDetail), (status = 404, body = ErrorBody)))]
async fn get_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DocumentDetail>> {
    Ok(Json(of_kind(&app, &actor, &id, false).await?))
}

/// The notice as the `.docx` the unit publishes, read through the same rule as
/// `GET /public-notices/{id}`.
#[utoipa::path(get, path = "/public-notices/{id}/document.docx", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "整改进展情况通报", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = ErrorBody)))]
async fn notice_docx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let d = of_kind(&app, &actor, &id, false).await?;
    Ok(docx::docx_response(&docx::rect_doc(&d.entry.document))?)
}

/// Saves the unit's edit of the notice, with its contact details, as a new revision.
#[utoipa::path(put, path = "/public-notices/{id}", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = RevisionRequest,
    responses((status = 200, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revise_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RevisionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Notices.what())?;
    Ok(Json(
        app.services
            .revise_rect_document(&actor, id, DocCollection::Notices, req.version, &req.fields)
            .await?,
    ))
}

/// Sends the notice to the office for approval; refused (422) if it names a withheld item.
#[utoipa::path(post, path = "/public-notices/{id}/submit", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Notices.what())?;
    Ok(Json(
        app.services
            .submit_rect_document(&actor, id, DocCollection::Notices, req.version)
            .await?,
    ))
}

#[utoipa::path(post, path = "/public-notices/{id}/reassemble", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = RectDocument), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reassemble_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Notices.what())?;
    Ok(Json(
        app.services
            .reassemble_rect_document(&actor, id, DocCollection::Notices, req.version)
            .await?,
    ))
}

/// The office approves a submitted notice; it is published with today's date. No one of the
/// unit may approve its own notice (403).
#[utoipa::path(post, path = "/public-notices/{id}/approve", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = RectDocument), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn approve_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Notices.what())?;
    Ok(Json(
        app.services
            .approve_public_notice(&actor, id, req.version)
            .await?,
    ))
}

/// The office returns a submitted notice to the unit with its reason.
#[utoipa::path(post, path = "/public-notices/{id}/return", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ReturnRequest,
    responses((status = 200, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReturnRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Notices.what())?;
    Ok(Json(
        app.services
            .return_public_notice(&actor, id, req.version, &req.comment)
            .await?,
    ))
}

/// The office withdraws a notice that is published or awaiting review, with its reason: it
/// leaves the public page and stays on record.
#[utoipa::path(post, path = "/public-notices/{id}/withdraw", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ReturnRequest,
    responses((status = 200, body = RectDocument), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ReturnRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Notices.what())?;
    Ok(Json(
        app.services
            .withdraw_public_notice(&actor, id, req.version, &req.comment)
            .await?,
    ))
}

/// The office publishes again a notice sent back for review (a task it covers was marked not
/// for disclosure); refused (409) while the notice names anything now withheld.
#[utoipa::path(post, path = "/public-notices/{id}/republish", tag = "disclosure", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionRequest,
    responses((status = 200, body = RectDocument), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn republish_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionRequest>,
) -> ApiResult<Json<RectDocument>> {
    let id = path_id(&id, DocCollection::Notices.what())?;
    Ok(Json(
        app.services
            .republish_public_notice(&actor, id, req.version)
            .await?,
    ))
}

// ----- the public -----

/// A page of the published notices, the most recently published first. No token needed.
#[utoipa::path(get, path = "/public/notices", tag = "disclosure",
    params(PublicNoticeQuery),
    responses((status = 200, body = Page<PublicNotice>), (status = 400, body = ErrorBody)))]
async fn public_notices(
    State(app): State<AppState>,
    ApiQuery(q): ApiQuery<PublicNoticeQuery>,
) -> ApiResult<Json<Page<PublicNotice>>> {
    Ok(Json(app.services.public_notices(q.page()?).await?.into()))
}

/// One published notice. Drafts, notices awaiting the office and reports answer 404. No
/// token needed.
#[utoipa::path(get, path = "/public/notices/{id}", tag = "disclosure",
    params(("id" = String, Path)),
    responses((status = 200, body = PublicNotice), (status = 404, body = ErrorBody)))]
async fn public_notice(
    State(app): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<PublicNotice>> {
    let id = path_id(&id, NOTICE)?;
    Ok(Json(app.services.public_notice(id).await?))
}

// ----- the ledger as a file -----

/// The ledger (整改台账) as an `.xlsx` workbook: the tasks `GET /tasks` would list under the
/// same filters, every page of them, in the columns units keep in Excel.
#[utoipa::path(get, path = "/tasks.xlsx", tag = "disclosure", security(("bearer" = [])),
    params(LedgerQuery),
    responses(
        (status = 200, description = "整改台账", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, description = "no unit has the name given as `unit`", body = ErrorBody)))]
async fn ledger_xlsx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<Response> {
    let f = q.filter()?;
    let x = app.services.ledger_export(&actor, &f).await?;
    Ok(xlsx_response(&x)?)
}
