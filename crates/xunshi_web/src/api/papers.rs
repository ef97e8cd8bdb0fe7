//! Working papers, their evidence files, immediate-fix notices, and the problem taxonomy.

use crate::http::Path;
use axum::Json;
use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::page::SortedPage;
use xunshi_core::paper::{
    Evidence, ImmediateFixNotice, NoticeAnswer, NoticeInput, NoticeReview, Problem, ProblemInput,
    ProblemSummary,
};
use xunshi_core::service::{NoticeBoard, PaperDecision, ProblemDetail, SimilarProblem, Withdrawal};
use xunshi_core::taxonomy::{
    Category, CategoryInput, Taxonomy, TaxonomyVersion, TaxonomyVersionInput,
};

use super::{ApiJson, ApiQuery, Page, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::files::{UPLOAD_LIMIT, file_response};
use crate::http::filters::ProblemQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload_evidence, list_evidence))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(list_taxonomies, create_taxonomy_version))
        .routes(routes!(add_category))
        .routes(routes!(list_problems, create_problem))
        .routes(routes!(get_problem, update_problem))
        .routes(routes!(similar_problems))
        .routes(routes!(approve_problem))
        .routes(routes!(sign_problem))
        .routes(routes!(return_problem))
        .routes(routes!(withdraw_problem))
        .merge(uploads)
        .routes(routes!(download_evidence))
        .routes(routes!(withdraw_evidence))
        .routes(routes!(notice_board, issue_notice))
        .routes(routes!(my_notices))
        .routes(routes!(answer_notice))
        .routes(routes!(review_notice))
}

// ---------------------------------------------------------------------------------------------
// Taxonomy

/// Every version of the problem taxonomy with its categories in order.
#[utoipa::path(get, path = "/taxonomies", tag = "papers", security(("bearer" = [])),
    responses((status = 200, body = Vec<Taxonomy>), (status = 401, body = ErrorBody)))]
async fn list_taxonomies(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<Taxonomy>>> {
    Ok(Json(app.services.taxonomies(&actor).await?))
}

/// Adds a version of the taxonomy (the inspection office).
#[utoipa::path(post, path = "/taxonomies", tag = "papers", security(("bearer" = [])),
    request_body = TaxonomyVersionInput,
    responses((status = 201, body = TaxonomyVersion), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "a version with this code or name exists", body = ErrorBody)))]
async fn create_taxonomy_version(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<TaxonomyVersionInput>,
) -> ApiResult<(StatusCode, Json<TaxonomyVersion>)> {
    let v = app.services.create_taxonomy_version(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Adds a category at the end of a taxonomy version (the inspection office).
#[utoipa::path(post, path = "/taxonomies/{id}/categories", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = CategoryInput,
    responses((status = 201, body = Category), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the version has a heading with this code or name", body = ErrorBody)))]
async fn add_category(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<CategoryInput>,
) -> ApiResult<(StatusCode, Json<Category>)> {
    let id = path_id(&id, "问题分类版本")?;
    let c = app.services.add_category(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

// ---------------------------------------------------------------------------------------------
// Working papers

/// The working papers of an inspection, without their three parts, in the order `sort` asks
/// (by number unless told), a page at a time, with the total the filter matches and the
/// cursors of the next and the previous page. For the team, the office and the leadership;
/// the inspected unit is refused, before and after feedback.
#[utoipa::path(get, path = "/inspections/{id}/problems", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path), ProblemQuery),
    responses((status = 200, body = SortedPage<ProblemSummary>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_problems(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> ApiResult<Json<SortedPage<ProblemSummary>>> {
    let id = path_id(&id, "巡视任务")?;
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .problem_page(&actor, id, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Drafts a working paper (a member of the inspection's team).
#[utoipa::path(post, path = "/inspections/{id}/problems", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ProblemInput,
    responses((status = 201, body = Problem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ProblemInput>,
) -> ApiResult<(StatusCode, Json<Problem>)> {
    let id = path_id(&id, "巡视任务")?;
    let p = app.services.create_problem(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(p)))
}

/// One working paper in full, with its evidence list and what the caller may do. Each read is
/// recorded in the audit trail.
#[utoipa::path(get, path = "/problems/{id}", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ProblemDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ProblemDetail>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(app.services.get_problem(&actor, id).await?))
}

/// The problems most like this one (同类问题): in other units, and in other inspections of
/// its unit (a problem found again), by the text similarity of their titles and facts, as far
/// as the caller may open them, most alike first (a list of papers, like the papers' list).
#[utoipa::path(get, path = "/problems/{id}/similar", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<SimilarProblem>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "search is not enabled on this server", body = ErrorBody)))]
async fn similar_problems(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<SimilarProblem>>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(app.services.similar_problems(&actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ProblemUpdate {
    /// The version the edit is based on; 409 if the paper changed since.
    pub version: i64,
    #[serde(flatten)]
    pub fields: ProblemInput,
}

/// Changes a draft working paper.
#[utoipa::path(put, path = "/problems/{id}", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ProblemUpdate,
    responses((status = 200, body = Problem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ProblemUpdate>,
) -> ApiResult<Json<Problem>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(
        app.services
            .update_problem(&actor, id, req.version, &req.fields)
            .await?,
    ))
}

/// Records the team meeting's approval of a draft (the team's leader or deputy).
#[utoipa::path(post, path = "/problems/{id}/approve", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PaperDecision,
    responses((status = 200, body = Problem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn approve_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<PaperDecision>,
) -> ApiResult<Json<Problem>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(app.services.approve_problem(&actor, id, &d).await?))
}

/// The leader's signature on an approved paper; final.
#[utoipa::path(post, path = "/problems/{id}/sign", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PaperDecision,
    responses((status = 200, body = Problem), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<PaperDecision>,
) -> ApiResult<Json<Problem>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(app.services.sign_problem(&actor, id, &d).await?))
}

/// Returns an approved, unsigned paper to draft; `comment` gives the reason.
#[utoipa::path(post, path = "/problems/{id}/return", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PaperDecision,
    responses((status = 200, body = Problem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<PaperDecision>,
) -> ApiResult<Json<Problem>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(app.services.return_problem(&actor, id, &d).await?))
}

/// Withdraws a draft paper; `comment` gives the reason. It stays on record.
#[utoipa::path(post, path = "/problems/{id}/withdraw", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PaperDecision,
    responses((status = 200, body = Problem), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_problem(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<PaperDecision>,
) -> ApiResult<Json<Problem>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(app.services.withdraw_problem(&actor, id, &d).await?))
}

// ---------------------------------------------------------------------------------------------
// Evidence

/// The multipart form of an upload: one part named `file`.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// pdf, docx, xlsx, doc, xls, jpg, png, txt or zip; at most 20 MB.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Attaches an evidence file to a draft paper (multipart form, part `file`). The file is stored
/// under its SHA-256, once however often attached; the same file twice on one paper is refused.
#[utoipa::path(post, path = "/problems/{id}/evidence", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Evidence), (status = 400, description = "type not allowed, content not matching, empty", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, description = "already attached", body = ErrorBody),
        (status = 413, description = "larger than 20 MB", body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn upload_evidence(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> ApiResult<(StatusCode, Json<Evidence>)> {
    let id = path_id(&id, "问题底稿")?;
    let (name, bytes) = super::upload(&app, mp).await?;
    let e = app
        .services
        .upload_evidence(&actor, id, &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// The evidence files of a paper, withdrawn ones included, with name, size, type, SHA-256,
/// uploader and time.
#[utoipa::path(get, path = "/problems/{id}/evidence", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Page<Evidence>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_evidence(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<Evidence>>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(Page {
        items: app.services.list_evidence(&actor, id).await?,
        next_cursor: None,
        total: None,
    }))
}

/// Downloads an evidence file. Every download is recorded in the audit trail.
#[utoipa::path(get, path = "/evidence/{id}/download", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream", body = Vec<u8>),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn download_evidence(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "佐证材料")?;
    let (e, bytes) = app.services.download_evidence(&actor, id).await?;
    // A program asking the API always gets the file to save.
    Ok(file_response(&e, bytes, true))
}

/// Withdraws an evidence file attached by mistake; it stays listed with the reason.
#[utoipa::path(post, path = "/evidence/{id}/withdraw", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = Withdrawal,
    responses((status = 200, body = Evidence), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_evidence(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(w): ApiJson<Withdrawal>,
) -> ApiResult<Json<Evidence>> {
    let id = path_id(&id, "佐证材料")?;
    Ok(Json(app.services.withdraw_evidence(&actor, id, &w).await?))
}

// ---------------------------------------------------------------------------------------------
// Immediate-fix notices

/// The immediate-fix notices of an inspection: all of them for the team, the office and the
/// leadership; those addressed to their unit for its principal and liaison.
#[utoipa::path(get, path = "/inspections/{id}/notices", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = NoticeBoard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn notice_board(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<NoticeBoard>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.notice_board(&actor, id).await?))
}

/// Issues an immediate-fix notice to an inspected unit (the team's leader or deputy).
#[utoipa::path(post, path = "/inspections/{id}/notices", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = NoticeInput,
    responses((status = 201, body = ImmediateFixNotice), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<NoticeInput>,
) -> ApiResult<(StatusCode, Json<ImmediateFixNotice>)> {
    let id = path_id(&id, "巡视任务")?;
    let n = app.services.issue_notice(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(n)))
}

#[derive(Serialize, ToSchema)]
pub struct MyNotice {
    #[serde(flatten)]
    pub notice: ImmediateFixNotice,
    /// The team that sent it.
    pub team_name: String,
}

/// The notices addressed to the units the caller answers for (principal or liaison).
#[utoipa::path(get, path = "/notices", tag = "papers", security(("bearer" = [])),
    responses((status = 200, body = Page<MyNotice>), (status = 401, body = ErrorBody)))]
async fn my_notices(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Page<MyNotice>>> {
    let items = app
        .services
        .my_notices(&actor)
        .await?
        .into_iter()
        .map(|(notice, team_name)| MyNotice { notice, team_name })
        .collect();
    Ok(Json(Page {
        items,
        next_cursor: None,
        total: None,
    }))
}

/// The unit's answer to a notice (its principal or liaison).
#[utoipa::path(post, path = "/notices/{id}/answer", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = NoticeAnswer,
    responses((status = 200, body = ImmediateFixNotice), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(a): ApiJson<NoticeAnswer>,
) -> ApiResult<Json<ImmediateFixNotice>> {
    let id = path_id(&id, "立行立改通知")?;
    Ok(Json(app.services.answer_notice(&actor, id, &a).await?))
}

/// The team's decision on the unit's answer: close the notice, or send it back with a comment.
#[utoipa::path(post, path = "/notices/{id}/review", tag = "papers", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = NoticeReview,
    responses((status = 200, body = ImmediateFixNotice), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review_notice(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(r): ApiJson<NoticeReview>,
) -> ApiResult<Json<ImmediateFixNotice>> {
    let id = path_id(&id, "立行立改通知")?;
    Ok(Json(app.services.review_notice(&actor, id, &r).await?))
}
