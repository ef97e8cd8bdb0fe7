//! The rectification dashboard as JSON: the same numbers the `/dashboard` page draws.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::dashboard::Dashboard;

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::DashboardQuery as DashboardParams;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_dashboard))
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
