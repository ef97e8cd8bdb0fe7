//! 报备 between the levels: a committee's own office files its plans, rounds and approved
//! reports with the office of the committee above, which acknowledges them or comments.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::filing::{FilingInput, FilingReply};
use xunshi_core::service::FilingEntry;

use super::{ApiJson, ApiQuery, Page, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::FilingParams;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_filings, file))
        .routes(routes!(get_filing))
        .routes(routes!(answer_filing))
}

/// The filings the caller reads, newest first, with the total: a committee's own office those
/// of its committee (filed by it or with it), the office of the top committee and the
/// leadership all.
#[utoipa::path(get, path = "/filings", tag = "filings", security(("bearer" = [])),
    params(FilingParams),
    responses((status = 200, body = Page<FilingEntry>),
        (status = 400, description = "a filter, `cursor` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn list_filings(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<FilingParams>,
) -> ApiResult<Json<Page<FilingEntry>>> {
    let query = q.filter()?;
    let page = q.page()?;
    Ok(Json(
        app.services
            .list_filings(&actor, &query, page)
            .await?
            .into(),
    ))
}

/// Files an annual plan, a round or an approved report of the caller's committee with the
/// committee above: its own office only. The text is kept as filed; the same text twice is
/// refused (422).
#[utoipa::path(post, path = "/filings", tag = "filings", security(("bearer" = [])),
    request_body = FilingInput,
    responses((status = 201, body = FilingEntry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn file(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<FilingInput>,
) -> ApiResult<(StatusCode, Json<FilingEntry>)> {
    let f = app.services.file(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// One filing with its text, for those who read it; opening a filed report is recorded.
#[utoipa::path(get, path = "/filings/{id}", tag = "filings", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FilingEntry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_filing(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<FilingEntry>> {
    let id = path_id(&id, "报备")?;
    Ok(Json(app.services.get_filing(&actor, id).await?))
}

/// The upper office's answer: `acknowledge` (阅知) or `comment` (提出意见, with its text),
/// once, on the version read.
#[utoipa::path(post, path = "/filings/{id}/answer", tag = "filings", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = FilingReply,
    responses((status = 200, body = FilingEntry), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn answer_filing(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FilingReply>,
) -> ApiResult<Json<FilingEntry>> {
    let id = path_id(&id, "报备")?;
    Ok(Json(app.services.answer_filing(&actor, id, &input).await?))
}
