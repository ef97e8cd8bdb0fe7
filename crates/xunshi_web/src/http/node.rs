//! The team node (离线节点) through the web, the same for both faces: the node's half of an
//! inspection's keys and its bundle handed out as downloads, a node's work taken in from an
//! upload, and on a node the team's work handed out. The files are the store's `NodeFolder`,
//! who may is the core's; the command line (`xunshi node …`) calls the same two.

use std::sync::Arc;

use xunshi_core::permission::Actor;
use xunshi_core::service::NodeImport;
use xunshi_core::store::Blobs;
use xunshi_core::{CoreError, Id};
use xunshi_store::NodeFolder;

use super::files::safe_file_name;
use crate::AppState;

/// The data folder's node files, where this server was given them.
fn folder(app: &AppState) -> Result<&NodeFolder, CoreError> {
    app.config.node_folder.as_ref().ok_or_else(|| {
        CoreError::RuleRefused(
            "本服务没有配置数据目录，离线节点的密钥和数据包只能用命令行（xunshi node）处理".into(),
        )
    })
}

fn blobs(app: &AppState) -> Result<Arc<dyn Blobs>, CoreError> {
    app.services
        .blobs
        .clone()
        .ok_or_else(|| CoreError::internal("no evidence store configured"))
}

/// Refuses the office's steps on a node: a node neither pairs, nor sends, nor takes in.
fn refuse_on_node(app: &AppState) -> Result<(), CoreError> {
    if app.config.node.is_some() {
        return Err(CoreError::RuleRefused(
            "这是离线节点：配对、导出任务数据包和导入节点的工作都在巡视巡察办的系统中进行".into(),
        ));
    }
    Ok(())
}

/// A file written by the store into a fresh folder of the upload folder (on the data disk,
/// not in memory), opened, and its name gone: it is removed when the answer has been sent.
async fn written<F, Fut>(app: &AppState, write: F) -> Result<std::fs::File, CoreError>
where
    F: FnOnce(std::path::PathBuf) -> Fut,
    Fut: Future<Output = Result<(), CoreError>>,
{
    let dir = app.config.upload_dir.clone();
    let work = tokio::task::spawn_blocking(move || {
        std::fs::create_dir_all(&dir)?;
        tempfile::tempdir_in(&dir)
    })
    .await
    .map_err(CoreError::internal)?
    .map_err(|e| CoreError::internal(format!("the bundle cannot be written: {e}")))?;
    let path = work.path().join("bundle.xsn");
    write(path.clone()).await?;
    std::fs::File::open(&path)
        .map_err(|e| CoreError::internal(format!("the bundle cannot be read: {e}")))
}

/// Makes the keys of an inspection's node: the office's half kept, the node's returned with the
/// name to offer it under.
pub async fn pair_key(
    app: &AppState,
    actor: &Actor,
    id: Id,
) -> Result<(Vec<u8>, String), CoreError> {
    refuse_on_node(app)?;
    let folder = folder(app)?;
    let insp = app.services.node_inspection(actor, id).await?;
    let half = folder.pair(id)?;
    if let Err(e) = app.services.record_node_paired(actor, id, &half.pair).await {
        folder.unpair(id);
        return Err(e);
    }
    let text = xunshi_store::node::key_text(&half)?;
    Ok((
        text,
        format!("离线节点密钥-{}", safe_file_name(&insp.team_name)),
    ))
}

/// The bundle of an inspection for its node, with the name to offer it under.
pub async fn bundle_file(
    app: &AppState,
    actor: &Actor,
    id: Id,
) -> Result<(std::fs::File, String), CoreError> {
    refuse_on_node(app)?;
    let folder = folder(app)?;
    // The inspection checked before the keys are read, so that another office's inspection
    // answers as the core says (404 or 403), not by whether it has keys.
    app.services.node_inspection(actor, id).await?;
    let key = folder.office_half(id)?;
    let insp = app.services.node_export_scope(actor, id, &key.pair).await?;
    let blobs = blobs(app)?;
    let file = written(app, |path| async move {
        folder
            .export(&app.db, blobs.as_ref(), id, &path)
            .await
            .map(|_| ())
    })
    .await?;
    Ok((
        file,
        format!("离线节点数据包-{}", safe_file_name(&insp.team_name)),
    ))
}

/// Takes in the work a node returned (`bundle`, whole), after the office that runs its
/// inspection has been checked: nothing of another office's bundle is opened.
pub async fn import_work(
    app: &AppState,
    actor: &Actor,
    bundle: &[u8],
) -> Result<NodeImport, CoreError> {
    refuse_on_node(app)?;
    let folder = folder(app)?;
    if bundle.is_empty() {
        return Err(CoreError::unfit("file", "上传的文件是空的"));
    }
    let inspection = xunshi_store::node::bundle_inspection(bundle)?;
    app.services.node_office(actor, inspection).await?;
    let blobs = blobs(app)?;
    let work = folder.open_work(&app.db, blobs.as_ref(), bundle).await?;
    app.services.import_node_work(actor, &work).await
}

/// On a node: the team's work for the office, with the name to offer it under.
pub async fn work_file(
    app: &AppState,
    actor: &Actor,
) -> Result<(std::fs::File, String), CoreError> {
    let folder = folder(app)?;
    if app.config.node.is_none() || !folder.is_node() {
        return Err(CoreError::RuleRefused(
            "这不是离线节点：交回数据包只在巡视组的离线节点上导出".into(),
        ));
    }
    let key = xunshi_store::node::read_key(&folder.node_key())?;
    let insp = app
        .services
        .node_work_scope(actor, key.inspection_id, &key.pair)
        .await?;
    let blobs = blobs(app)?;
    let file = written(app, |path| async move {
        folder
            .export_work(&app.db, blobs.as_ref(), &path)
            .await
            .map(|_| ())
    })
    .await?;
    Ok((
        file,
        format!("离线节点交回-{}", safe_file_name(&insp.team_name)),
    ))
}
