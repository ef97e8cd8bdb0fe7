//! The team node (离线节点): its keys made, its bundle downloaded, its work taken in (and, on
//! a node, handed out), the steps the page 离线节点 takes (`http::node`); and the records the
//! node and the office both changed, with their decision.

use axum::Json;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::response::Response;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::service::{NodeDecision, NodeImport};
use xunshi_core::store::NodeConflict;

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::files::{UPLOAD_LIMIT, attachment, file_attachment, read_upload_with};
use crate::http::filters::NodeConflictQuery;
use crate::http::{Path, node};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(decide))
        .routes(routes!(node_key))
        .routes(routes!(node_bundle))
        .routes(routes!(import_work))
        .routes(routes!(export_work))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT))
}

/// Makes the keys of an inspection's node, once: the office's half is kept by the server, the
/// node's half is the answer (a JSON key file, for the team's machine; it is not given again).
/// For the office that runs the inspection, from preparation to the report (422 otherwise).
#[utoipa::path(post, path = "/inspections/{id}/node-key", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the node's half of the keys", content_type = "application/json"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "the inspection's node has its keys already", body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn node_key(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "巡视任务")?;
    let (text, name) = node::pair_key(&app, &actor, id).await?;
    Ok(attachment(text, "application/json", &name, "key"))
}

/// The bundle of an inspection for its node (`XUNSHI-NODE/1`: sealed and signed with the
/// office's half of its keys), for `xunshi serve --node` on the team's machine. The export is
/// recorded in the trail. 422 before the keys are made, or outside preparation to the report.
#[utoipa::path(post, path = "/inspections/{id}/node-bundle", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, description = "the bundle", content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn node_bundle(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let id = path_id(&id, "巡视任务")?;
    let (file, name) = node::bundle_file(&app, &actor, id).await?;
    Ok(file_attachment(
        file,
        "application/octet-stream",
        &name,
        "xsn",
    )?)
}

/// The form that carries a node's work back.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct NodeWorkUpload {
    /// The work a node exported (`xunshi node export` or the node's page), at most 20 MB here;
    /// a larger one is imported with `xunshi node import`.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}

/// Takes a node's work in, as `multipart/form-data` with `file`: signature, pair and the
/// node's trail checked first, then in one transaction each record made, updated, alike or
/// kept as a conflict, and the node's records appended to the trail. A bundle that does not
/// verify, or is not this office's node's, is refused (422) with nothing taken.
#[utoipa::path(post, path = "/node-work", tag = "archive", security(("bearer" = [])),
    request_body(content = NodeWorkUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = NodeImport), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_work(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    mp: Result<Multipart, MultipartRejection>,
) -> ApiResult<Json<NodeImport>> {
    let mut mp = super::multipart(mp)?;
    let (_, bytes, _) = read_upload_with(&mut mp, &[]).await?;
    Ok(Json(node::import_work(&app, &actor, &bytes).await?))
}

/// On a team's node: the team's work for the office (what the node made or changed since the
/// office's bundle, its evidence files and the node's whole trail, sealed and signed with the
/// node's half). Anywhere else 422.
#[utoipa::path(post, path = "/node-work/export", tag = "archive", security(("bearer" = [])),
    responses((status = 200, description = "the node's work", content_type = "application/octet-stream"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_work(State(app): State<AppState>, ApiUser(actor): ApiUser) -> ApiResult<Response> {
    let (file, name) = node::work_file(&app, &actor).await?;
    Ok(file_attachment(
        file,
        "application/octet-stream",
        &name,
        "xsn",
    )?)
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
