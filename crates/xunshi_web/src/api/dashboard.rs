//! The rectification dashboard and the leadership view as JSON: the same numbers the
//! `/dashboard` and `/leadership` pages draw.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::dashboard::Dashboard;
use xunshi_core::leadership::LeadershipView;
use xunshi_core::service::Levels;

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::DashboardQuery as DashboardParams;
use crate::http::filters::TermQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_dashboard))
        .routes(routes!(get_overview))
        .routes(routes!(get_levels))
}

/// Tasks by unit, category, status and deadline colour, the completion rate (closed / all),
/// the overdue, near-due and rejected tasks, accountability by form, follow-up notices, the
/// count of mechanisms, and the clocks. The office, the supervisors and the leadership see
/// every unit; a team its inspections; an inspected unit its own.
#[utoipa::path(get, path = "/dashboard", tag = "dashboard", security(("bearer" = [])),
    params(DashboardParams),
    responses((status = 200, body = Dashboard), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_dashboard(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<DashboardParams>,
) -> ApiResult<Json<Dashboard>> {
    let filter = q.filter()?;
    Ok(Json(app.services.dashboard(&actor, &filter).await?))
}

/// The inspection work by level (分级汇总): each committee that sends inspections, in the
/// tree's order (province, cities, counties), with its inspections by stage (under way,
/// rectifying, archived) and the live tasks of their ledgers (all, closed, past their day).
/// The leadership and the office of the top committee read every committee; a committee's own
/// office its committee and those below it, in aggregate: `opens` says whether the reader may
/// open a committee's list, `/inspections?dispatcher_id`. Others 403.
#[utoipa::path(get, path = "/levels", tag = "dashboard", security(("bearer" = [])),
    responses((status = 200, body = Levels), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn get_levels(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Levels>> {
    Ok(Json(app.services.levels(&actor).await?))
}

/// The leadership view (领导视图) of a term (`term_id`, or the latest term begun): inspections
/// by round and stage, the coverage of the term (units under the dispatcher, and how many an
/// inspection of the term targets), clues by the colour of their handling clock, and each
/// round's completion rate (closed / all of its tasks) at the end of every month of the term.
/// Each number is the length of the list it stands for: `/inspections?term_id&round_id&stage`,
/// `/terms/{id}/coverage`, `/clues?colour`. For the leadership and the top committee's office
/// (every term), and a committee's own office (its committee's terms and clues); others 403.
#[utoipa::path(get, path = "/overview", tag = "dashboard", security(("bearer" = [])),
    params(TermQuery),
    responses((status = 200, body = LeadershipView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_overview(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<TermQuery>,
) -> ApiResult<Json<LeadershipView>> {
    let term_id = q.term_id()?;
    Ok(Json(app.services.leadership_view(&actor, term_id).await?))
}
