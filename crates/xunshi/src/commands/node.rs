//! `xunshi node pair`, `xunshi node export` and `xunshi serve --node`: the team node
//! (离线节点) as the operators of the office and of the team's machine run it. The keys and
//! the bundle are `xunshi_store::node`'s; who may send which inspection is the core's
//! (`Services::node_inspection`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use xunshi_core::Id;
use xunshi_core::crypto::HashAlg;
use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_core::text::for_terminal;
use xunshi_store::Db;
use xunshi_store::node::{self, NodeKey, Side};

use super::blob_store;
use crate::config::Config;

fn inspection_id(text: &str) -> Result<Id, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("“{}”不是有效的巡视任务编号", for_terminal(text)))
}

/// Where the office keeps its half of the keys of an inspection's node.
fn office_key_path(config: &Config, inspection: Id) -> PathBuf {
    config
        .data_dir
        .join("nodes")
        .join(format!("{inspection}.key"))
}

fn shown(path: &Path) -> String {
    for_terminal(&path.display().to_string()).into_owned()
}

pub async fn pair(
    services: &Services<Db>,
    config: &Config,
    inspection: &str,
    out: &Path,
) -> Result<ExitCode, String> {
    let id = inspection_id(inspection)?;
    let insp = services
        .node_inspection(&Actor::system(), id)
        .await
        .map_err(|e| e.to_string())?;
    let kept = office_key_path(config, id);
    if kept.exists() {
        return Err(format!(
            "{}的巡视任务已配有离线节点密钥（{}）：一个任务只配一个节点",
            insp.team_name,
            shown(&kept)
        ));
    }
    if out.exists() {
        return Err(format!("{} 已存在，不会覆盖", shown(out)));
    }
    let (office, node_half) = node::pair(id).map_err(|e| e.to_string())?;
    node::write_key(out, &node_half).map_err(|e| e.to_string())?;
    if let Err(e) = node::write_key(&kept, &office) {
        // Without the office's half the node's is of no use: take it back.
        let _ = std::fs::remove_file(out);
        return Err(e.to_string());
    }
    println!(
        "已为{}配好离线节点密钥（配对 {}）：节点一方写入 {}，须经审批的介质交给巡视组；办公室一方留存于 {}",
        insp.team_name,
        office.pair,
        shown(out),
        shown(&kept)
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn export(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    inspection: &str,
    out: &Path,
) -> Result<ExitCode, String> {
    let id = inspection_id(inspection)?;
    let kept = office_key_path(config, id);
    if !kept.exists() {
        return Err(format!(
            "巡视任务 {id} 还没有离线节点密钥：先运行 xunshi node pair --inspection {id} --out <节点密钥文件>"
        ));
    }
    let key = node::read_key(&kept).map_err(|e| e.to_string())?;
    if out.exists() {
        return Err(format!("{} 已存在，不会覆盖", shown(out)));
    }
    let insp = services
        .node_export_scope(&Actor::system(), id, &key.pair)
        .await
        .map_err(|e| e.to_string())?;
    let blobs = blob_store(config);
    let done = node::export(db, blobs.as_ref(), &key, &config.key_file, out)
        .await
        .map_err(|e| e.to_string())?;
    let rows: u64 = done.tables.iter().map(|(_, n)| n).sum();
    println!(
        "{}的离线节点数据包已写入 {}：{} 行记录，{} 个证据文件，{} 字节（配对 {}）",
        insp.team_name,
        shown(out),
        rows,
        done.files,
        done.bytes,
        done.pair
    );
    Ok(ExitCode::SUCCESS)
}

/// What a node's data folder says of the bundle it was made from (`node.json`).
#[derive(Debug, Serialize, Deserialize)]
struct NodeState {
    pair: String,
    inspection_id: Id,
    /// The bundle's SHA-256, hex: a later start with another bundle is refused.
    bundle: String,
    loaded_at: String,
}

fn state_path(config: &Config) -> PathBuf {
    config.data_dir.join("node.json")
}

/// Before a node serves: on the first start, the office's bundle loaded into the empty data
/// folder with the node's half of the keys (a copy of which is kept as `node.key` there); on
/// every start after, the same bundle and pair, or a refusal — loading another over the
/// team's work would lose it. Returns the inspection.
pub async fn prepare(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    bundle: &Path,
    key_path: Option<PathBuf>,
) -> Result<Id, String> {
    let key_path = key_path.unwrap_or_else(|| config.data_dir.join("node.key"));
    let key: NodeKey = node::read_key(&key_path).map_err(|e| e.to_string())?;
    if key.side != Side::Node {
        return Err(format!(
            "{} 是办公室一方的密钥：离线节点须用 xunshi node pair --out 写出的节点一方密钥",
            shown(&key_path)
        ));
    }
    let bytes = std::fs::read(bundle).map_err(|e| format!("{}: {e}", shown(bundle)))?;
    let digest = HashAlg::Sha256.hex(&bytes);
    let state_file = state_path(config);
    if state_file.exists() {
        let text =
            std::fs::read(&state_file).map_err(|e| format!("{}: {e}", shown(&state_file)))?;
        let state: NodeState = serde_json::from_slice(&text)
            .map_err(|e| format!("{} 无法读取：{e}", shown(&state_file)))?;
        if state.pair != key.pair {
            return Err(format!(
                "此数据目录是配对 {} 的离线节点，而密钥属于配对 {}",
                state.pair, key.pair
            ));
        }
        if state.bundle != digest {
            return Err(format!(
                "此离线节点已于 {} 载入办公室的数据包并在其上工作；另一个数据包不能载入覆盖节点上的工作",
                state.loaded_at
            ));
        }
        return Ok(state.inspection_id);
    }
    if !crate::demo::is_empty(services)
        .await
        .map_err(|e| e.to_string())?
    {
        return Err("数据目录中已有数据：离线节点须使用新的空数据目录（--data-dir）".into());
    }
    let blobs = blob_store(config);
    let (header, counts) = node::load(db, blobs.as_ref(), &key, bundle, &config.key_file)
        .await
        .map_err(|e| e.to_string())?;
    let short: Vec<String> = counts
        .iter()
        .filter(|c| c.source != c.target)
        .map(|c| format!("{}: {} → {}", c.name, c.source, c.target))
        .collect();
    if !short.is_empty() {
        return Err(format!("数据包载入后行数不符：{}", short.join("; ")));
    }
    let kept_key = config.data_dir.join("node.key");
    if kept_key != key_path && !kept_key.exists() {
        node::write_key(&kept_key, &key).map_err(|e| e.to_string())?;
    }
    let state = NodeState {
        pair: key.pair.clone(),
        inspection_id: header.inspection_id,
        bundle: digest,
        loaded_at: xunshi_core::audit::format_at(jiff::Timestamp::now()),
    };
    let text = serde_json::to_vec_pretty(&state).map_err(|e| e.to_string())?;
    std::fs::write(&state_file, text).map_err(|e| format!("{}: {e}", shown(&state_file)))?;
    let rows: u64 = counts.iter().map(|c| c.target).sum();
    println!(
        "离线节点：已载入办公室 {} 导出的数据包（{} 行记录）",
        header.created_at, rows
    );
    Ok(header.inspection_id)
}
