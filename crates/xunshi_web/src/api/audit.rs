//! The audit trail.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::audit::AuditRecord;
use xunshi_core::service::VerifyOutcome;

use super::{ApiQuery, Page, paging};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::AuditQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
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

/// The outcome of walking the audit trail's hash chain (not a task's verification).
#[derive(Serialize, ToSchema)]
pub struct ChainVerification {
    /// Whether every record is as written and in its place.
    pub whole: bool,
    /// How many records the chain holds (when whole).
    pub records: Option<i64>,
    /// What is wrong, naming the first bad record (when not whole).
    pub fault: Option<String>,
}

/// Walks the hash chain of the whole trail.
#[utoipa::path(get, path = "/audit/verify", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = ChainVerification), (status = 403, body = ErrorBody)))]
async fn verify_audit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<ChainVerification>> {
    Ok(Json(match app.services.verify_audit(&actor).await? {
        VerifyOutcome::Whole { records } => ChainVerification {
            whole: true,
            records: Some(records),
            fault: None,
        },
        VerifyOutcome::Broken(f) => ChainVerification {
            whole: false,
            records: None,
            fault: Some(f.to_string()),
        },
    }))
}
