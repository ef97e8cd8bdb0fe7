//! The audit trail.

use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::audit::AuditRecord;
use xunshi_core::service::VerifyOutcome;
use xunshi_core::store::AuditFilter;

use super::{ApiQuery, Page, paging};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The acting user's username.
    pub actor: Option<String>,
    /// The action code, such as `unit_created`.
    pub action: Option<String>,
    /// The kind of object, such as `unit` or `user`.
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// From this time on (RFC 3339, or a date `YYYY-MM-DD` read in China time).
    pub from: Option<String>,
    /// Before this time (RFC 3339, or a date, meaning the end of that day).
    pub to: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl AuditQuery {
    pub fn filter(&self) -> Result<AuditFilter, xunshi_core::CoreError> {
        Ok(AuditFilter {
            actor_name: self.actor.clone(),
            action: self.action.clone(),
            object_type: self.object_type.clone(),
            object_id: self.object_id.clone(),
            from: time_bound(self.from.as_deref(), "from", false)?,
            to: time_bound(self.to.as_deref(), "to", true)?,
        })
    }
}

/// Reads a bound as a timestamp or as a calendar day in Asia/Shanghai; an upper bound given as
/// a day means the end of that day.
fn time_bound(
    v: Option<&str>,
    field: &str,
    end_of_day: bool,
) -> Result<Option<String>, xunshi_core::CoreError> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if let Ok(t) = v.parse::<jiff::Timestamp>() {
        return Ok(Some(xunshi_core::audit::format_at(t)));
    }
    let day: jiff::civil::Date = v.parse().map_err(|_| {
        xunshi_core::CoreError::bad_input(field, "时间格式应为 2020-03-25 或 RFC 3339")
    })?;
    let day = if end_of_day {
        day.tomorrow().map_err(xunshi_core::CoreError::internal)?
    } else {
        day
    };
    let t = day
        .in_tz("Asia/Shanghai")
        .map_err(xunshi_core::CoreError::internal)?
        .timestamp();
    Ok(Some(xunshi_core::audit::format_at(t)))
}

/// The trail, newest first, filtered.
#[utoipa::path(get, path = "/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = Page<AuditRecord>), (status = 403, body = ErrorBody)))]
async fn list_audit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Page<AuditRecord>>> {
    let page = paging(q.cursor.as_deref(), q.limit)?;
    let f = q.filter()?;
    Ok(Json(
        app.services.list_audit(&actor, &f, page).await?.into(),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct Verification {
    /// Whether every record is as written and in its place.
    pub whole: bool,
    /// How many records the chain holds (when whole).
    pub records: Option<i64>,
    /// What is wrong, naming the first bad record (when not whole).
    pub fault: Option<String>,
}

/// Walks the hash chain of the whole trail.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = Verification), (status = 403, body = ErrorBody)))]
async fn verify_audit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Verification>> {
    Ok(Json(match app.services.verify_audit(&actor).await? {
        VerifyOutcome::Whole { records } => Verification {
            whole: true,
            records: Some(records),
            fault: None,
        },
        VerifyOutcome::Broken(f) => Verification {
            whole: false,
            records: None,
            fault: Some(f.to_string()),
        },
    }))
}
