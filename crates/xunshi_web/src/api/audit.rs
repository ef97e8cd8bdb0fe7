//! The audit trail.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::anchor::SignedCheckpoint;
use xunshi_core::audit::AuditRecord;
use xunshi_core::page::SortedPage;
use xunshi_core::service::{AnchorStatus, VerifyOutcome};

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::AuditQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_audit))
        .routes(routes!(verify_audit))
        .routes(routes!(anchor_status))
        .routes(routes!(write_checkpoint))
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

/// The newest signed checkpoint of the trail kept outside the database, and whether the trail
/// still holds the record it pinned.
#[utoipa::path(get, path = "/audit/checkpoint", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = AnchorStatus),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 404, description = "no checkpoints are configured", body = ErrorBody),
        (status = 409, description = "the newest checkpoint does not verify: forged, of another key or damaged", body = ErrorBody)))]
async fn anchor_status(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<AnchorStatus>> {
    match app.services.audit_anchor_status(&actor).await? {
        Some(s) => Ok(Json(s)),
        None => Err(xunshi_core::CoreError::NotFound("审计锚定配置".into()).into()),
    }
}

/// What pinning the newest record did.
#[derive(Serialize, ToSchema)]
pub struct CheckpointWritten {
    /// The checkpoint written; none when the newest checkpoint pins the newest record already.
    pub checkpoint: Option<SignedCheckpoint>,
}

/// Pins the trail's newest record now in a signed checkpoint (the server also does it
/// periodically).
#[utoipa::path(post, path = "/audit/checkpoints", tag = "audit", security(("bearer" = [])),
    responses((status = 200, body = CheckpointWritten),
        (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 409, description = "the trail ends before the newest checkpoint, or a checkpoint does not verify", body = ErrorBody),
        (status = 422, description = "no checkpoints are configured", body = ErrorBody)))]
async fn write_checkpoint(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<CheckpointWritten>> {
    Ok(Json(CheckpointWritten {
        checkpoint: app.services.write_audit_checkpoint(&actor).await?,
    }))
}
