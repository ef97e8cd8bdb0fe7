//! Rectification: the units' plans (`/rectification-plans`, apart from the annual plans at
//! `/plans`), the ledger's tasks with their progress, evidence, verification and change
//! requests. Every handler calls the one service that decides; a unit's own people are refused
//! (403) when they try to approve their plan or close their task.

use crate::http::Path;
use crate::http::docx;
use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::rectify::{ChangeRequest, Defect, Plan, Task, TaskEvidence, TaskInput};
use xunshi_core::service::{
    BatchItem, CarryInput, ChangeInput, LedgerImportReport, LedgerPage, PlanDetail, RectPlanInput,
    TaskDetail, TaskEntry,
};
use xunshi_core::{CoreError, Id};

use super::{ApiJson, ApiQuery, Page, paging, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiError, ApiResult, ErrorBody, ErrorDetail};
use crate::http::files::{UPLOAD_LIMIT, task_file_response};
use crate::http::filters::{LedgerQuery as TaskQuery, PlanQuery};

pub fn routes() -> OpenApiRouter<AppState> {
    let uploads = OpenApiRouter::new()
        .routes(routes!(upload_evidence))
        .routes(routes!(import_ledger))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT));
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(plan_docx))
        .routes(routes!(add_task))
        .routes(routes!(submit_plan))
        .routes(routes!(review_plan))
        .routes(routes!(carryable_tasks))
        .routes(routes!(carry_task))
        .routes(routes!(uncarry_task))
        .routes(routes!(list_tasks))
        .routes(routes!(get_task, update_task))
        .routes(routes!(withdraw_task))
        .routes(routes!(report_progress))
        .routes(routes!(verify_task))
        .routes(routes!(batch_verify))
        .routes(routes!(batch_remind))
        .routes(routes!(request_change))
        .routes(routes!(decide_change))
        .routes(routes!(download_evidence))
        .routes(routes!(withdraw_evidence))
        .merge(uploads)
}

fn opt_id(raw: Option<&str>, field: &str) -> ApiResult<Option<Id>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(s.parse().map_err(|_| {
            ApiError::from(CoreError::bad_input(field, format!("“{s}”不是有效的编号")))
        })?)),
    }
}

fn opt_parse<T>(
    raw: Option<&str>,
    parse: impl Fn(&str) -> xunshi_core::Result<T>,
) -> ApiResult<Option<T>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Ok(Some(parse(s)?)),
    }
}

// ---------------------------------------------------------------------------------------------
// Files in and out: the papers' upload reader and download header, shared with the pages

// ---------------------------------------------------------------------------------------------
// Plans

/// Lists the rectification plans the caller may see: every unit's for the office, the
/// leadership and the supervisors; the caller's own unit's; those of the caller's team.
#[utoipa::path(get, path = "/rectification-plans", tag = "rectification", security(("bearer" = [])),
    params(PlanQuery),
    responses((status = 200, body = Page<Plan>), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody)))]
async fn list_plans(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<PlanQuery>,
) -> ApiResult<Json<Page<Plan>>> {
    let page = paging(q.cursor.as_deref(), q.limit)?;
    let f = q.filter()?;
    Ok(Json(
        app.services.list_rect_plans(&actor, &f, page).await?.into(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPlan {
    pub inspection_id: String,
    /// The inspected unit whose plan this is.
    pub unit_id: String,
    #[serde(flatten)]
    pub fields: RectPlanInput,
}

/// Starts the plan of an inspected unit after feedback (its principal or liaison). One plan
/// per inspection and unit (409 for a second).
#[utoipa::path(post, path = "/rectification-plans", tag = "rectification", security(("bearer" = [])),
    request_body = NewPlan,
    responses((status = 201, body = Plan), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_plan(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<NewPlan>,
) -> ApiResult<(StatusCode, Json<Plan>)> {
    let insp = opt_id(Some(&req.inspection_id), "inspection_id")?
        .ok_or_else(|| ApiError::from(CoreError::bad_input("inspection_id", "请指定巡视任务")))?;
    let unit = opt_id(Some(&req.unit_id), "unit_id")?
        .ok_or_else(|| ApiError::from(CoreError::bad_input("unit_id", "请指定被巡视单位")))?;
    let plan = app
        .services
        .create_rect_plan(&actor, insp, unit, &req.fields)
        .await?;
    Ok((StatusCode::CREATED, Json(plan)))
}

/// One plan with its ledger (grouped by heading and problem, numbered `1.2.1`), the problems
/// still without a task, its reviews and change requests, and what the caller may do.
#[utoipa::path(get, path = "/rectification-plans/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = PlanDetail), (status = 404, body = ErrorBody)))]
async fn get_plan(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<PlanDetail>> {
    let id = path_id(&id, "整改方案")?;
    Ok(Json(app.services.rect_plan_detail(&actor, id).await?))
}

/// The plan as a `.docx`: its leading group, how the work is organised, and the three lists —
/// problems, tasks and measures, who is responsible — as a table under each heading. Read
/// under the same rule as `GET /rectification-plans/{id}`.
#[utoipa::path(get, path = "/rectification-plans/{id}/plan.docx", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "整改方案", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = ErrorBody)))]
async fn plan_docx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "整改方案")?;
    let d = app.services.rect_plan_detail(&actor, id).await?;
    Ok(docx::docx_response(&docx::plan_doc(&d))?)
}

#[derive(Deserialize, ToSchema)]
pub struct PlanUpdate {
    /// The version the change is based on; if the plan changed since, 409.
    pub version: i64,
    #[serde(flatten)]
    pub fields: RectPlanInput,
}

/// Changes a draft or returned plan: its title, organisation and leading group.
#[utoipa::path(put, path = "/rectification-plans/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PlanUpdate,
    responses((status = 200, body = Plan), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_plan(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PlanUpdate>,
) -> ApiResult<Json<Plan>> {
    let id = path_id(&id, "整改方案")?;
    Ok(Json(
        app.services
            .update_rect_plan(&actor, id, req.version, &req.fields)
            .await?,
    ))
}

/// Adds a task to a draft or returned plan, against one of the unit's fed-back problems.
#[utoipa::path(post, path = "/rectification-plans/{id}/tasks", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = TaskInput,
    responses((status = 201, body = Task), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_task(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<TaskInput>,
) -> ApiResult<(StatusCode, Json<Task>)> {
    let id = path_id(&id, "整改方案")?;
    let task = app.services.add_task(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionOnly {
    pub version: i64,
}

/// Submits the plan for review; refused (422), naming them, while a fed-back problem has no
/// task.
#[utoipa::path(post, path = "/rectification-plans/{id}/submit", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VersionOnly,
    responses((status = 200, body = Plan), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn submit_plan(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VersionOnly>,
) -> ApiResult<Json<Plan>> {
    let id = path_id(&id, "整改方案")?;
    Ok(Json(
        app.services.submit_plan(&actor, id, req.version).await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PlanReviewRequest {
    pub version: i64,
    /// `true` approves; `false` returns the plan for revision (a comment is then required).
    pub approve: bool,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub comment: String,
}

/// Approves or returns a submitted plan: the office, the discipline commission or the
/// organization department; never someone of the unit itself (403).
#[utoipa::path(post, path = "/rectification-plans/{id}/review", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PlanReviewRequest,
    responses((status = 200, body = Plan), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn review_plan(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PlanReviewRequest>,
) -> ApiResult<Json<Plan>> {
    let id = path_id(&id, "整改方案")?;
    Ok(Json(
        app.services
            .review_plan(&actor, id, req.version, req.approve, &req.comment)
            .await?,
    ))
}

/// The unit's open tasks of its other inspections that the plan may carry over (回头看,
/// 一并落实), for the unit's drafters.
#[utoipa::path(get, path = "/rectification-plans/{id}/carryable", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<TaskEntry>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn carryable_tasks(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<TaskEntry>>> {
    let id = path_id(&id, "整改方案")?;
    Ok(Json(app.services.carryable_tasks(&actor, id).await?))
}

/// Carries an open task of an earlier inspection of the same unit into the plan: linked, not
/// copied; the task is reported on and closed in its own plan, and counted there once. While
/// the plan can be edited, by the unit's drafters.
#[utoipa::path(post, path = "/rectification-plans/{id}/carried", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = CarryInput,
    responses((status = 200, body = Plan), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn carry_task(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CarryInput>,
) -> ApiResult<Json<Plan>> {
    let id = path_id(&id, "整改方案")?;
    Ok(Json(app.services.carry_task(&actor, id, &req).await?))
}

/// Takes a carried task out of the plan again; the task itself is untouched.
#[utoipa::path(post, path = "/rectification-plans/{id}/carried/remove", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = CarryInput,
    responses((status = 200, body = Plan), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn uncarry_task(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<CarryInput>,
) -> ApiResult<Json<Plan>> {
    let id = path_id(&id, "整改方案")?;
    Ok(Json(app.services.uncarry_task(&actor, id, &req).await?))
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// The ledger: the tasks the caller may see, each with its colour, problem and latest
/// progress, in the order `sort` asks (by creation unless told), a page at a time, with the
/// total the filter matches and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/tasks", tag = "rectification", security(("bearer" = [])),
    params(TaskQuery),
    responses((status = 200, body = LedgerPage), (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 422, description = "no unit has the name given as `unit`, or a `cursor` this list did not issue under this `sort`", body = ErrorBody)))]
async fn list_tasks(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<TaskQuery>,
) -> ApiResult<Json<LedgerPage>> {
    let (sort, at, limit) = q.sorted()?;
    let f = q.filter()?;
    Ok(Json(
        app.services
            .ledger_page(&actor, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// One task with its progress reports, evidence files (with their hashes), verifications and
/// change requests.
#[utoipa::path(get, path = "/tasks/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = TaskDetail), (status = 404, body = ErrorBody)))]
async fn get_task(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<TaskDetail>> {
    let id = path_id(&id, "整改任务")?;
    Ok(Json(app.services.get_task(&actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TaskUpdate {
    pub version: i64,
    #[serde(flatten)]
    pub fields: TaskInput,
}

/// Changes a task while its plan is a draft or returned; after approval only a change request
/// can (422).
#[utoipa::path(put, path = "/tasks/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = TaskUpdate,
    responses((status = 200, body = Task), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_task(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TaskUpdate>,
) -> ApiResult<Json<Task>> {
    let id = path_id(&id, "整改任务")?;
    Ok(Json(
        app.services
            .update_task(&actor, id, req.version, &req.fields)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct TaskWithdrawal {
    pub version: i64,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// Withdraws a task from a draft or returned plan, with the reason; it stays on record.
#[utoipa::path(post, path = "/tasks/{id}/withdraw", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = TaskWithdrawal,
    responses((status = 200, body = Task), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_task(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<TaskWithdrawal>,
) -> ApiResult<Json<Task>> {
    let id = path_id(&id, "整改任务")?;
    Ok(Json(
        app.services
            .withdraw_task(&actor, id, req.version, &req.reason)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ProgressRequest {
    pub version: i64,
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub text: String,
    /// The share done, 0–100; 100 when claiming completion.
    #[schema(minimum = 0, maximum = 100)]
    pub progress: i16,
    /// Reports the task done, for verification and closing.
    #[serde(default)]
    pub claims_done: bool,
}

/// Reports progress on a task of an approved plan, or claims it done (the unit's people).
#[utoipa::path(post, path = "/tasks/{id}/progress", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ProgressRequest,
    responses((status = 200, body = Task), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report_progress(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ProgressRequest>,
) -> ApiResult<Json<Task>> {
    let id = path_id(&id, "整改任务")?;
    Ok(Json(
        app.services
            .report_progress(
                &actor,
                id,
                req.version,
                &req.text,
                req.progress,
                req.claims_done,
            )
            .await?,
    ))
}

/// The form of an evidence upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct EvidenceUpload {
    /// The file: pdf, docx, xlsx, doc, xls, jpg, png, txt or zip, at most 20 MB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Uploads an evidence file (佐证材料) to a task, as `multipart/form-data` with a `file`
/// field. Checked by type and size, stored by its SHA-256; the same content twice on one task
/// is refused (409), and files are never replaced — withdraw one with a reason instead.
#[utoipa::path(post, path = "/tasks/{id}/evidence", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = TaskEvidence), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn upload_evidence(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<(StatusCode, Json<TaskEvidence>)> {
    let id = path_id(&id, "整改任务")?;
    let (name, bytes) = super::upload(&app, mp).await?;
    let e = app
        .services
        .upload_task_evidence(&actor, id, &name, bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(e)))
}

/// The form of a ledger import.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct LedgerUpload {
    /// The unit's ledger: .xlsx, .xls or .csv (UTF-8 or GB18030).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// `true` (the default) previews and writes nothing; `false` imports.
    #[schema(value_type = String, required = false, pattern = "^(true|false)$")]
    pub dry_run: Option<String>,
}

/// Imports a unit's existing ledger (整改台账) into its draft or returned plan, as
/// `multipart/form-data` with `file` and `dry_run`. Every row is reported as `create`,
/// `update`, `unchanged` or `error` (with the reason and the cell), matched to one of the
/// unit's fed-back problems by its title or, failing that, by similarity (with the score).
/// A preview writes nothing; an import writes the rows not in error in one transaction, and
/// the same file imported again changes nothing.
#[utoipa::path(post, path = "/rectification-plans/{id}/import", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = LedgerUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = LedgerImportReport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_ledger(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<LedgerImportReport>> {
    let id = path_id(&id, "整改方案")?;
    let mut mp = super::multipart(mp)?;
    let (name, bytes, fields) = crate::http::files::read_upload_with(&mut mp, &["dry_run"]).await?;
    let dry_run =
        crate::http::ledger_import::parse_dry_run(fields.first().map(|(_, v)| v.as_str()))?;
    let file = crate::http::ledger_import::read_ledger_file(&name, &bytes)?;
    Ok(Json(
        app.services
            .import_ledger(&actor, id, &file, dry_run)
            .await?,
    ))
}

/// The content of an evidence file.
#[utoipa::path(get, path = "/task-evidence/{id}", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the file", content_type = "application/octet-stream"),
        (status = 404, body = ErrorBody)))]
async fn download_evidence(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "佐证材料")?;
    let (e, bytes) = app.services.download_task_evidence(&actor, id).await?;
    // A program asking the API always gets the file to save.
    Ok(task_file_response(&e, bytes, true).into_response())
}

#[derive(Deserialize, ToSchema)]
pub struct EvidenceWithdrawal {
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// Withdraws an evidence file uploaded by mistake; it stays listed with the reason.
#[utoipa::path(post, path = "/task-evidence/{id}/withdraw", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = EvidenceWithdrawal,
    responses((status = 200, body = TaskEvidence), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_evidence(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<EvidenceWithdrawal>,
) -> ApiResult<Json<TaskEvidence>> {
    let id = path_id(&id, "佐证材料")?;
    Ok(Json(
        app.services
            .withdraw_task_evidence(&actor, id, &req.reason)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct VerifyRequest {
    pub version: i64,
    /// `true` closes the task (销号); `false` rejects the claim and sends it back.
    pub close: bool,
    /// On rejection, what was wrong: false, superficial, perfunctory, selective, on_paper,
    /// ineffective, recurring or old_debts (or the Chinese label); required on rejection,
    /// refused on closing (422).
    #[serde(default)]
    #[schema(value_type = Option<xunshi_core::rectify::Defect>)]
    pub defect: Option<String>,
    /// On rejection, the share done the verifier found (0–99): the task goes back to it.
    /// Required to reject; not given to close.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 99)]
    pub progress: Option<i16>,
    /// The verifier's opinion on closing, the reason on rejection.
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub reason: String,
}

/// Verifies a task claimed done: closes it (the closing day is kept: closed after the deadline,
/// it stays counted as closed late), or rejects it with a defect, a reason and the share done
/// the verifier found (back to in progress at that share, the verification kept). The office or
/// a supervisor; never the unit (403).
#[utoipa::path(post, path = "/tasks/{id}/verify", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = VerifyRequest,
    responses((status = 200, body = Task), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn verify_task(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<VerifyRequest>,
) -> ApiResult<Json<Task>> {
    let id = path_id(&id, "整改任务")?;
    let defect = opt_parse(req.defect.as_deref(), Defect::parse)?;
    Ok(Json(
        app.services
            .verify_task(
                &actor,
                id,
                req.version,
                req.close,
                defect,
                req.progress,
                &req.reason,
            )
            .await?,
    ))
}

/// A task ticked for a batch, with the version the caller saw.
#[derive(Deserialize, ToSchema)]
pub struct BatchPick {
    #[schema(value_type = String, format = "uuid")]
    pub id: Id,
    pub version: i64,
}

#[derive(Deserialize, ToSchema)]
pub struct BatchVerifyRequest {
    /// 1 to 100 claimed tasks, each with its version.
    #[schema(min_items = 1, max_items = 100)]
    pub tasks: Vec<BatchPick>,
    /// The opinion recorded with each closing.
    #[schema(min_length = 1, max_length = 5000, pattern = r"\S")]
    pub reason: String,
}

#[derive(Deserialize, ToSchema)]
pub struct BatchRemindRequest {
    /// 1 to 100 overdue tasks.
    #[schema(min_items = 1, max_items = 100, value_type = Vec<String>)]
    pub task_ids: Vec<Id>,
}

/// What became of one task of a batch.
#[derive(Serialize, ToSchema)]
pub struct BatchOutcome {
    #[schema(value_type = String, format = "uuid")]
    pub task_id: Id,
    /// The task's number in its plan; null for a task the caller may not know.
    pub seq: Option<String>,
    pub done: bool,
    /// Why not, when not done (a stale version, a task not claimed or not overdue …).
    pub error: Option<ErrorDetail>,
}

#[derive(Serialize, ToSchema)]
pub struct BatchAnswer {
    /// Each task, in the order given.
    pub items: Vec<BatchOutcome>,
    /// The reminders issued, one per unit (batch reminders only).
    #[schema(value_type = Vec<String>)]
    pub notices: Vec<Id>,
}

fn batch_answer(items: &[BatchItem], notices: Vec<Id>) -> BatchAnswer {
    BatchAnswer {
        items: items
            .iter()
            .map(|i| BatchOutcome {
                task_id: i.task_id,
                seq: i.seq.clone(),
                done: i.outcome.is_ok(),
                error: i.outcome.as_ref().err().map(ErrorDetail::of),
            })
            .collect(),
        notices,
    }
}

/// Closes (销号) several claimed tasks with one opinion: each through the same check as
/// `POST /tasks/{id}/verify`, in its own transaction with its audit record. A task refused (a
/// stale version, not claimed) is answered in `items` with its error while the others are
/// closed; refused as a whole (403) when the caller may close none of them.
#[utoipa::path(post, path = "/tasks/batch-verify", tag = "rectification", security(("bearer" = [])),
    request_body = BatchVerifyRequest,
    responses((status = 200, body = BatchAnswer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn batch_verify(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<BatchVerifyRequest>,
) -> ApiResult<Json<BatchAnswer>> {
    let picks: Vec<(Id, i64)> = req.tasks.iter().map(|p| (p.id, p.version)).collect();
    let items = app
        .services
        .verify_tasks(&actor, &picks, &req.reason)
        .await?;
    Ok(Json(batch_answer(&items, Vec::new())))
}

/// Reminds the units of several overdue tasks: one reminder (催办, kind `reminder`) per unit
/// and inspection, listing its tasks, through the same service as `POST /followups`. A task
/// not overdue is answered in `items` as refused. The office, the discipline commission and
/// the organization department (403 otherwise).
#[utoipa::path(post, path = "/tasks/batch-remind", tag = "rectification", security(("bearer" = [])),
    request_body = BatchRemindRequest,
    responses((status = 200, body = BatchAnswer), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn batch_remind(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<BatchRemindRequest>,
) -> ApiResult<Json<BatchAnswer>> {
    let r = app.services.remind_overdue(&actor, &req.task_ids).await?;
    let notices = r.notices.iter().map(|n| n.id).collect();
    Ok(Json(batch_answer(&r.items, notices)))
}

/// Asks the office to change the measure or deadline of a task of an approved plan.
#[utoipa::path(post, path = "/tasks/{id}/change-requests", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ChangeInput,
    responses((status = 201, body = ChangeRequest), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request_change(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ChangeInput>,
) -> ApiResult<(StatusCode, Json<ChangeRequest>)> {
    let id = path_id(&id, "整改任务")?;
    let c = app.services.request_change(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

#[derive(Deserialize, ToSchema)]
pub struct ChangeDecision {
    /// `true` applies the change to the task; `false` refuses it (a comment is then required).
    pub approve: bool,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub comment: String,
}

/// The office decides a change request; the request keeps the before and the after.
#[utoipa::path(post, path = "/change-requests/{id}/decide", tag = "rectification", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ChangeDecision,
    responses((status = 200, body = ChangeRequest), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide_change(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<ChangeDecision>,
) -> ApiResult<Json<ChangeRequest>> {
    let id = path_id(&id, "变更申请")?;
    Ok(Json(
        app.services
            .decide_change(&actor, id, req.approve, &req.comment)
            .await?,
    ))
}
