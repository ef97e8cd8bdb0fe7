//! Reading pasted text into a proposed structure: a feedback document or a news report of one
//! into problem groups, recommendations and requirements. Nothing is stored; the person
//! corrects the proposal and saves the feedback through its own call.

use axum::Json;
use axum::extract::{DefaultBodyLimit, State};
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::feedback_text::ParsedFeedback;

use super::ApiJson;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};

/// The longest text the core takes (`feedback_text::MAX_CHARS`, 40,000 characters) is some
/// 120,000 bytes of UTF-8, 240,000 with every character escaped in JSON; this takes that and no
/// more.
pub const TEXT_LIMIT: usize = 256 * 1024;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(parse_feedback))
        .layer(DefaultBodyLimit::max(TEXT_LIMIT))
}

#[derive(Deserialize, ToSchema)]
pub struct FeedbackText {
    /// The pasted text: a feedback document or a news report of one.
    #[schema(min_length = 1, max_length = 40000, pattern = r"\S")]
    pub text: String,
}

/// Proposes the structure of a feedback text: the problems by group, the recommendations'
/// headings, the other speakers' requirements, the dates, the team, the unit and where the
/// clues went, with `warnings` where the reading doubts (a stated count that disagrees, a part
/// not found). Writes nothing. For the office and the teams' leaders and deputies.
#[utoipa::path(post, path = "/parse/feedback", tag = "reports", security(("bearer" = [])),
    request_body = FeedbackText,
    responses((status = 200, body = ParsedFeedback),
        (status = 400, description = "empty or over-long text", body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn parse_feedback(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(req): ApiJson<FeedbackText>,
) -> ApiResult<Json<ParsedFeedback>> {
    Ok(Json(app.services.parse_feedback_text(&actor, &req.text)?))
}
