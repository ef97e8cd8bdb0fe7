//! 离线节点: at the office, the inspections whose work may go to a team's node, each paired
//! once (the node's half of the keys downloaded) and its bundle downloaded as often as needed,
//! and the upload of a node's work with what its import did; on a node, the download of the
//! team's work for the office. The steps are `http::node`'s, shared with the API.

use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::service::NodeImport;
use xunshi_core::{CoreError, Id};

use super::{Frame, OrPage, PageResult, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::files::{
    UPLOAD_LIMIT, UploadError, attachment, file_attachment, read_upload_with,
};
use crate::http::{Path, Query, node};

const PATH: &str = "/nodes";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/nodes/{id}/pair", post(pair))
        .route("/nodes/{id}/bundle", post(bundle))
        .route(
            "/nodes/import",
            post(import).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/nodes/work", post(work))
}

/// An inspection the office may send to a node.
struct Candidate {
    id: Id,
    team_name: String,
    stage: &'static str,
    paired: bool,
}

#[derive(Template)]
#[template(path = "nodes.html")]
struct NodesPage {
    frame: Frame,
    on_node: bool,
    candidates: Vec<Candidate>,
    imported: Option<NodeImport>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    notice: Option<String>,
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    page(&app, &user, q.notice.as_deref(), None, None).await
}

async fn page(
    app: &AppState,
    user: &PageUser,
    notice: Option<&str>,
    imported: Option<NodeImport>,
    error: Option<CoreError>,
) -> PageResult {
    let actor = &user.actor;
    let on_node = app.config.node.is_some();
    let candidates = if on_node {
        Vec::new()
    } else {
        app.services
            .node_candidates(actor)
            .await
            .or_page(actor)?
            .into_iter()
            .map(|i| Candidate {
                id: i.id,
                paired: app
                    .config
                    .node_folder
                    .as_ref()
                    .is_some_and(|f| f.is_paired(i.id)),
                stage: i.stage.label(),
                team_name: i.team_name,
            })
            .collect()
    };
    let status = error
        .as_ref()
        .map_or(StatusCode::OK, crate::error::status_of);
    let page = NodesPage {
        frame: Frame::new(app, user, "离线节点", PATH)
            .await
            .with_notice(notice)
            .with_error(error.as_ref()),
        on_node,
        candidates,
        imported,
    };
    Ok(render(status, &page))
}

/// A refusal the page shows again with its lists; one that hides the inspection is the error
/// page.
async fn refused(app: &AppState, user: &PageUser, e: CoreError) -> PageResult {
    match e {
        e @ (CoreError::Forbidden(_) | CoreError::NotFound(_) | CoreError::Unauthenticated(_)) => {
            Err(e).or_page(&user.actor)
        }
        e => page(app, user, None, None, Some(e)).await,
    }
}

async fn pair(State(app): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    match node::pair_key(&app, actor, id).await {
        Ok((text, name)) => Ok(attachment(text, "application/json", &name, "key")),
        Err(e) => refused(&app, &user, e).await,
    }
}

async fn bundle(State(app): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    match node::bundle_file(&app, actor, id).await {
        Ok((file, name)) => download(file, &name).or_page(actor),
        Err(e) => refused(&app, &user, e).await,
    }
}

async fn work(State(app): State<AppState>, user: PageUser) -> PageResult {
    let actor = &user.actor;
    match node::work_file(&app, actor).await {
        Ok((file, name)) => download(file, &name).or_page(actor),
        Err(e) => refused(&app, &user, e).await,
    }
}

async fn import(
    State(app): State<AppState>,
    user: PageUser,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let read = match mp {
        Ok(mut mp) => read_upload_with(&mut mp, &[]).await,
        Err(_) => Err(UploadError::Bad("请通过页面上的表单上传文件".into())),
    };
    let bytes = match read {
        Ok((_, bytes, _)) => bytes,
        Err(UploadError::TooLarge) => {
            let e = CoreError::unfit(
                "file",
                format!(
                    "数据包超过 {} MB，请用命令行 xunshi node import 导入",
                    xunshi_core::paper::MAX_EVIDENCE_BYTES / 1024 / 1024
                ),
            );
            return page(&app, &user, None, None, Some(e)).await;
        }
        Err(UploadError::Bad(m)) => {
            return page(
                &app,
                &user,
                None,
                None,
                Some(CoreError::bad_input("file", m)),
            )
            .await;
        }
        Err(UploadError::Failed(e)) => return Err(e).or_page(&user.actor),
    };
    match node::import_work(&app, &user.actor, &bytes).await {
        Ok(done) => page(&app, &user, None, Some(done), None).await,
        Err(e) => refused(&app, &user, e).await,
    }
}

fn download(file: std::fs::File, name: &str) -> Result<Response, CoreError> {
    file_attachment(file, "application/octet-stream", name, "xsn")
}
