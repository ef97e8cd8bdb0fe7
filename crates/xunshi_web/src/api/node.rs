//! 离线节点冲突: the records a team's node and the office both changed, and their decision.

use axum::Json;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::service::NodeDecision;
use xunshi_core::store::NodeConflict;

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::Path;
use crate::http::filters::NodeConflictQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(decide))
}

/// The conflicts the import of a node's work kept, oldest first (at most 1000): undecided, or
/// all. For the office that runs the inspection; every inspection's for the top office.
#[utoipa::path(get, path = "/node-conflicts", tag = "archive", security(("bearer" = [])),
    params(NodeConflictQuery),
    responses((status = 200, body = Vec<NodeConflict>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<NodeConflictQuery>,
) -> ApiResult<Json<Vec<NodeConflict>>> {
    let (inspection, undecided_only) = q.request()?;
    Ok(Json(
        app.services
            .node_conflicts(&actor, inspection, undecided_only)
            .await?,
    ))
}

/// Decides whose row of a conflict stands, once: `office` keeps the office's, `node` writes
/// the node's over it (only while the office's is as it was at the import).
#[utoipa::path(post, path = "/node-conflicts/{id}/decision", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = NodeDecision,
    responses((status = 200, body = NodeConflict), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "decided already, or the office's row changed since the import", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn decide(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(d): ApiJson<NodeDecision>,
) -> ApiResult<Json<NodeConflict>> {
    let id = path_id(&id, "离线节点冲突")?;
    let keep = d.keep()?;
    Ok(Json(
        app.services.resolve_node_conflict(&actor, id, keep).await?,
    ))
}
