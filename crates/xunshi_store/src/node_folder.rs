//! The team node's files in a data folder, as the command line and the pages both find them:
//! at the office, its half of each inspection's keys (`nodes/<inspection>.key`); on a node,
//! the node's half (`node.key`), the office's bundle it was loaded from (`node-origin.xsn`)
//! and what it says of that bundle (`node.json`). Who may pair, export or import is the core's
//! (`Services::node_inspection`, `node_export_scope`, `import_node_work`); this is where.

use std::path::{Path, PathBuf};

use xunshi_core::service::NodeWork;
use xunshi_core::{CoreError, Id, Result};

use xunshi_core::store::Blobs;

use crate::Db;
use crate::node::{self, Exported, NodeKey, WorkExported};

/// One installation's data folder, with the key file its sealed fields' data keys are wrapped
/// under.
#[derive(Debug, Clone)]
pub struct NodeFolder {
    data_dir: PathBuf,
    key_file: PathBuf,
}

impl NodeFolder {
    pub fn new(data_dir: &Path, key_file: &Path) -> NodeFolder {
        NodeFolder {
            data_dir: data_dir.to_owned(),
            key_file: key_file.to_owned(),
        }
    }

    /// Where the office keeps its half of the keys of an inspection's node.
    pub fn office_key(&self, inspection: Id) -> PathBuf {
        self.data_dir
            .join("nodes")
            .join(format!("{inspection}.key"))
    }

    /// Whether the office has made the keys of an inspection's node.
    pub fn is_paired(&self, inspection: Id) -> bool {
        self.office_key(inspection).exists()
    }

    /// On a node: what it says of the bundle it was loaded from.
    pub fn state(&self) -> PathBuf {
        self.data_dir.join("node.json")
    }

    /// Whether this data folder is a node's.
    pub fn is_node(&self) -> bool {
        self.state().exists()
    }

    /// On a node: its half of the keys, as kept on its first start.
    pub fn node_key(&self) -> PathBuf {
        self.data_dir.join("node.key")
    }

    /// On a node: the office's bundle as the node loaded it, what the node's changes are
    /// measured against.
    pub fn origin(&self) -> PathBuf {
        self.data_dir.join("node-origin.xsn")
    }

    pub fn key_file(&self) -> &Path {
        &self.key_file
    }

    /// Makes the keys of an inspection's node: the office's half kept in the data folder, the
    /// node's returned for the team's machine. One pair per inspection: a second is refused,
    /// whoever asks at the same moment.
    pub fn pair(&self, inspection: Id) -> Result<NodeKey> {
        let kept = self.office_key(inspection);
        if kept.exists() {
            return Err(already_paired());
        }
        let (office, node_half) = node::pair(inspection)?;
        node::write_key(&kept, &office)
            .map_err(|e| if kept.exists() { already_paired() } else { e })?;
        Ok(node_half)
    }

    /// Takes back the office's half of a pair just made, when what follows its making fails
    /// (the node's half cannot be handed over, the trail cannot record it): the pair can then
    /// be made again.
    pub fn unpair(&self, inspection: Id) {
        let _ = std::fs::remove_file(self.office_key(inspection));
    }

    /// The office's half of an inspection's keys; refused, saying what to do, before any.
    pub fn office_half(&self, inspection: Id) -> Result<NodeKey> {
        let kept = self.office_key(inspection);
        if !kept.exists() {
            return Err(CoreError::RuleRefused(format!(
                "巡视任务 {inspection} 还没有离线节点密钥：先为它配对离线节点（xunshi node pair --inspection {inspection}，或“离线节点”页）"
            )));
        }
        node::read_key(&kept)
    }

    /// At the office: writes the bundle of an inspection for its node to `out`.
    pub async fn export(
        &self,
        db: &Db,
        blobs: &dyn Blobs,
        inspection: Id,
        out: &Path,
    ) -> Result<Exported> {
        let key = self.office_half(inspection)?;
        node::export(db, blobs, &key, &self.key_file, out).await
    }

    /// On a node: writes the team's work to `out` for the office.
    pub async fn export_work(
        &self,
        db: &Db,
        blobs: &dyn Blobs,
        out: &Path,
    ) -> Result<WorkExported> {
        let key = node::read_key(&self.node_key())?;
        node::export_work(db, blobs, &key, &self.origin(), out).await
    }

    /// At the office: opens a node's work with the office's half of its inspection's keys
    /// (signature, pair and inspection checked before anything is read).
    pub async fn open_work(&self, db: &Db, blobs: &dyn Blobs, bundle: &[u8]) -> Result<NodeWork> {
        let inspection = node::bundle_inspection(bundle)?;
        if !self.is_paired(inspection) {
            return Err(CoreError::unfit(
                "bundle",
                format!(
                    "本办公室没有巡视任务 {inspection} 的离线节点密钥：数据包不是本办公室配对的节点导出的"
                ),
            ));
        }
        let key = self.office_half(inspection)?;
        node::open_work(db, blobs, &key, bundle).await
    }
}

fn already_paired() -> CoreError {
    CoreError::Conflict("该巡视任务已配有离线节点密钥：一个任务只配一个节点".into())
}
