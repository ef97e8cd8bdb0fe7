//! Reports with their versions, differences and approval chain; the feedback.

use crate::http::Path;
use crate::http::docx;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::CoreError;
use xunshi_core::feedback::{Feedback, FeedbackInput};
use xunshi_core::inspection::Inspection;
use xunshi_core::report::{
    DiffLine, Report, ReportInput, ReportVersion, ReportVersionInput, StepInput,
};
use xunshi_core::service::ReportDetail;

use super::{ApiJson, ApiQuery, Page, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_reports, create_report))
        .routes(routes!(get_report))
        .routes(routes!(add_version))
        .routes(routes!(decide))
        .routes(routes!(diff))
        .routes(routes!(get_feedback, save_feedback))
        .routes(routes!(feedback_docx))
        .routes(routes!(give_feedback))
}

/// The reports of an inspection: the inspection report and any special reports.
#[utoipa::path(get, path = "/inspections/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Page<Report>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_reports(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<Report>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(Page {
        items: app.services.list_reports(&actor, id).await?,
        next_cursor: None,
        total: None,
    }))
}

/// Opens a report (`kind`: `main`, one per inspection, or `special`).
#[utoipa::path(post, path = "/inspections/{id}/reports", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ReportInput,
    responses((status = 201, body = Report), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "the inspection already has its main report", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn create_report(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReportInput>,
) -> ApiResult<(StatusCode, Json<Report>)> {
    let id = path_id(&id, "巡视任务")?;
    let r = app.services.create_report(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A report with every version and the approval steps taken. Each read is audited.
#[utoipa::path(get, path = "/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = ReportDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_report(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<ReportDetail>> {
    let id = path_id(&id, "巡视报告")?;
    Ok(Json(app.services.report_detail(&actor, id).await?))
}

/// Writes a new version of a draft report from signed working papers.
#[utoipa::path(post, path = "/reports/{id}/versions", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = ReportVersionInput,
    responses((status = 201, body = ReportVersion), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_version(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<ReportVersionInput>,
) -> ApiResult<(StatusCode, Json<ReportVersion>)> {
    let id = path_id(&id, "巡视报告")?;
    let v = app.services.add_report_version(&actor, id, &input).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// One decision of the approval chain: `submit` (the team's leader), then `approve` or `return`
/// at the team meeting (the leader), the office, the leading group and the committee (recorded
/// by the office, with the meeting's date).
#[utoipa::path(post, path = "/reports/{id}/steps", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = StepInput,
    responses((status = 200, body = Report), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn decide(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<StepInput>,
) -> ApiResult<Json<Report>> {
    let id = path_id(&id, "巡视报告")?;
    Ok(Json(app.services.decide_report(&actor, id, &input).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiffQuery {
    /// The earlier version's number.
    pub from: i32,
    /// The later version's number.
    pub to: i32,
}

#[derive(Serialize, ToSchema)]
pub struct DiffBody {
    pub from: i32,
    pub to: i32,
    pub lines: Vec<DiffLine>,
}

/// The line differences between two versions of a report.
#[utoipa::path(get, path = "/reports/{id}/diff", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path), DiffQuery),
    responses((status = 200, body = DiffBody), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn diff(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<DiffQuery>,
) -> ApiResult<Json<DiffBody>> {
    let id = path_id(&id, "巡视报告")?;
    let lines = app.services.report_diff(&actor, id, q.from, q.to).await?;
    Ok(Json(DiffBody {
        from: q.from,
        to: q.to,
        lines,
    }))
}

/// The feedback of an inspection. The inspected unit reads it once given (and is answered 404
/// before); the team, the office and the leadership also read the draft.
#[utoipa::path(get, path = "/inspections/{id}/feedback", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Feedback), (status = 404, description = "no such inspection, or no feedback yet", body = ErrorBody)))]
async fn get_feedback(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Feedback>> {
    let id = path_id(&id, "巡视任务")?;
    match app.services.get_feedback(&actor, id).await? {
        Some(f) => Ok(Json(f)),
        None => Err(CoreError::NotFound("反馈意见".into()).into()),
    }
}

/// The feedback as a `.docx` in the layout of the paper document (GB/T 9704): the overall
/// assessment, the problems in groups by category, the recommendations and the demands. Read
/// under the same rule as `GET /inspections/{id}/feedback`.
#[utoipa::path(get, path = "/inspections/{id}/feedback.docx", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "反馈意见", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, description = "no such inspection, or no feedback yet", body = ErrorBody)))]
async fn feedback_docx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "巡视任务")?;
    let doc = docx::feedback_doc(&app, &actor, id).await?;
    Ok(docx::docx_response(&doc)?)
}

/// Saves the draft feedback (the team's leader or deputy, or the office). `version` is 0 for
/// the first save, then the version last read.
#[utoipa::path(put, path = "/inspections/{id}/feedback", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = FeedbackInput,
    responses((status = 200, body = Feedback), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_feedback(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FeedbackInput>,
) -> ApiResult<Json<Feedback>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.save_feedback(&actor, id, &input).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct GiveFeedback {
    /// The version of the draft being given.
    pub version: i64,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackGiven {
    pub feedback: Feedback,
    /// The inspection, now at `feedback_given`, with its feedback date.
    pub inspection: Inspection,
}

/// Gives the feedback: sets the inspection's feedback date (the meeting's) and moves it to
/// `feedback_given`; from then on the inspected unit reads the feedback.
#[utoipa::path(post, path = "/inspections/{id}/feedback/give", tag = "reports", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = GiveFeedback,
    responses((status = 200, body = FeedbackGiven), (status = 400, description = "the draft is incomplete", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, description = "not reporting, or the report is not approved", body = ErrorBody)))]
async fn give_feedback(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<GiveFeedback>,
) -> ApiResult<Json<FeedbackGiven>> {
    let id = path_id(&id, "巡视任务")?;
    let (feedback, inspection) = app.services.give_feedback(&actor, id, req.version).await?;
    Ok(Json(FeedbackGiven {
        feedback,
        inspection,
    }))
}
