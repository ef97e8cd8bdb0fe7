//! The rectification dashboard as JSON: the same numbers the `/dashboard` page draws.

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::dashboard::{Dashboard, DashboardFilter};

use super::ApiQuery;
use super::supervision::opt_id;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_dashboard))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardParams {
    /// Only this inspection.
    pub inspection_id: Option<String>,
    /// Only this inspected unit (an inspected unit's users may name only their own).
    pub unit_id: Option<String>,
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
    let filter = DashboardFilter {
        inspection_id: opt_id(q.inspection_id.as_deref(), "inspection_id")?,
        unit_id: opt_id(q.unit_id.as_deref(), "unit_id")?,
    };
    Ok(Json(app.services.dashboard(&actor, &filter).await?))
}
