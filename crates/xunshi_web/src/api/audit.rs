//! The audit trail.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::audit::AuditRecord;
use xunshi_core::page::SortedPage;
use xunshi_core::service::VerifyOutcome;

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::AuditQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
}

/// The trail, filtered, newest first unless `sort` asks another order, a page at a time, with
/// the total the filter matches and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/audit", tag = "audit", security(("bearer" = [])),
    params(AuditQuery),
    responses((status = 200, body = SortedPage<AuditRecord>),
        (status = 400, description = "a filter, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_audit(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<SortedPage<AuditRecord>>> {
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .audit_page(&actor, &f, sort, at.as_ref(), limit)
            .await?,
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
