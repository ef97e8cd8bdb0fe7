//! `xunshi node pair`, `xunshi node export` and `xunshi serve --node`: the team node
//! (离线节点) as the operators of the office and of the team's machine run it. The keys and
//! the bundle are `xunshi_store::node`'s; who may send which inspection is the core's
//! (`Services::node_inspection`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use xunshi_core::Id;
use xunshi_core::crypto::HashAlg;
use xunshi_core::inspection::Inspection;
use xunshi_core::permission::Actor;
use xunshi_core::service::{Keep, Services};
use xunshi_core::text::for_terminal;
use xunshi_store::node::{self, Exported, NodeKey, Side};
use xunshi_store::{Db, NodeFolder};

use super::blob_store;
use crate::config::Config;

fn inspection_id(text: &str) -> Result<Id, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("“{}”不是有效的巡视任务编号", for_terminal(text)))
}

/// The node's files in the configured data folder.
pub fn folder(config: &Config) -> NodeFolder {
    NodeFolder::new(&config.data_dir, &config.key_file)
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
    let (insp, node_half) = pair_to(services, config, &Actor::system(), id, out).await?;
    println!(
        "已为{}配好离线节点密钥（配对 {}）：节点一方写入 {}，须经审批的介质交给巡视组；办公室一方留存于 {}",
        insp.team_name,
        node_half.pair,
        shown(out),
        shown(&folder(config).office_key(id))
    );
    Ok(ExitCode::SUCCESS)
}

/// Makes the keys of inspection `id`'s node as `actor`: the office's half kept in the data
/// folder, the node's written to `out` (never over a file), the pairing in the trail. Where a
/// step fails the keys are taken back, so that no pair exists that the trail does not name.
async fn pair_to(
    services: &Services<Db>,
    config: &Config,
    actor: &Actor,
    id: Id,
    out: &Path,
) -> Result<(Inspection, NodeKey), String> {
    let insp = services
        .node_inspection(actor, id)
        .await
        .map_err(|e| e.to_string())?;
    if out.exists() {
        return Err(format!("{} 已存在，不会覆盖", shown(out)));
    }
    let folder = folder(config);
    let node_half = folder
        .pair(id)
        .map_err(|e| format!("{}：{e}", insp.team_name))?;
    if let Err(e) = node::write_key(out, &node_half) {
        // Without the node's half the office's is of no use: take it back.
        folder.unpair(id);
        return Err(e.to_string());
    }
    if let Err(e) = services
        .record_node_paired(actor, id, &node_half.pair)
        .await
    {
        folder.unpair(id);
        let _ = std::fs::remove_file(out);
        return Err(e.to_string());
    }
    Ok((insp, node_half))
}

pub async fn export(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    inspection: Option<&str>,
    out: &Path,
) -> Result<ExitCode, String> {
    if out.exists() {
        return Err(format!("{} 已存在，不会覆盖", shown(out)));
    }
    let folder = folder(config);
    if folder.is_node() {
        return export_work(db, config, inspection, out).await;
    }
    let Some(inspection) = inspection else {
        return Err(
            "请用 --inspection 指明导出哪个巡视任务（在离线节点上则不必：节点只有一个任务）".into(),
        );
    };
    let id = inspection_id(inspection)?;
    let (insp, done) = export_to(services, db, config, &Actor::system(), id, out).await?;
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

/// At the office: the bundle of inspection `id` for its paired node written to `out`, the
/// export in the trail as `actor`'s.
async fn export_to(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    actor: &Actor,
    id: Id,
    out: &Path,
) -> Result<(Inspection, Exported), String> {
    let folder = folder(config);
    let key = folder.office_half(id).map_err(|e| e.to_string())?;
    let insp = services
        .node_export_scope(actor, id, &key.pair)
        .await
        .map_err(|e| e.to_string())?;
    let blobs = blob_store(config);
    let done = folder
        .export(db, blobs.as_ref(), id, out)
        .await
        .map_err(|e| e.to_string())?;
    Ok((insp, done))
}

/// The folder in the office's data folder where the demo leaves its team on site's node.
const DEMO_NODE_DIR: &str = "demo-node";

/// The demo's team on site, ready to be carried to a standalone machine: its node paired and
/// its bundle exported by the demo's office account, as the office would before the team
/// leaves, into [`DEMO_NODE_DIR`]. Returns the node's key file and the bundle.
pub async fn ship_demo_node(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    inspection: Id,
) -> Result<(PathBuf, PathBuf), String> {
    let office = crate::demo::as_user(services, "office")
        .await
        .map_err(|e| e.to_string())?;
    let dir = config.data_dir.join(DEMO_NODE_DIR);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", shown(&dir)))?;
    let (key, bundle) = (dir.join("node.key"), dir.join("bundle.xsn"));
    pair_to(services, config, &office, inspection, &key).await?;
    export_to(services, db, config, &office, inspection, &bundle).await?;
    Ok((key, bundle))
}

/// On the node: the team's work for the office.
async fn export_work(
    db: &Db,
    config: &Config,
    inspection: Option<&str>,
    out: &Path,
) -> Result<ExitCode, String> {
    let state = read_state(config)?;
    if let Some(named) = inspection
        && inspection_id(named)? != state.inspection_id
    {
        return Err(format!("本离线节点只有巡视任务 {}", state.inspection_id));
    }
    let blobs = blob_store(config);
    let done = folder(config)
        .export_work(db, blobs.as_ref(), out)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "离线节点的工作已写入 {}：新增或改动的记录 {} 条，证据文件 {} 个，审计日志 {} 条，{} 字节；交巡视巡察办以 xunshi node import 导入",
        shown(out),
        done.rows,
        done.files,
        done.trail_records,
        done.bytes
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn import(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    file: &Path,
) -> Result<ExitCode, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", shown(file)))?;
    let blobs = blob_store(config);
    let work = folder(config)
        .open_work(db, blobs.as_ref(), &bytes)
        .await
        .map_err(|e| e.to_string())?;
    let done = services
        .import_node_work(&Actor::system(), &work)
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "已导入离线节点的工作：新增 {} 条，更新 {} 条，相同 {} 条，冲突 {} 条；节点审计日志追加 {} 条",
        done.inserted,
        done.updated,
        done.unchanged,
        done.conflicts.len(),
        done.trail_records
    );
    for r in &done.renumbered {
        println!("  编号已被办公室一方占用，改号：{r}");
    }
    for c in &done.conflicts {
        println!(
            "  冲突 {c}：双方都改动了同一条记录，以 xunshi node resolve {c} --keep office|node 裁定"
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn conflicts(
    services: &Services<Db>,
    inspection: Option<&str>,
    all: bool,
) -> Result<ExitCode, String> {
    let inspection = inspection.map(inspection_id).transpose()?;
    let list = services
        .node_conflicts(&Actor::system(), inspection, !all)
        .await
        .map_err(|e| e.to_string())?;
    if list.is_empty() {
        println!("没有待裁定的离线节点冲突");
    }
    for c in &list {
        let decided = match c.decision.as_deref() {
            None => "待裁定",
            Some("node") => "已裁定：采用节点一方",
            Some(_) => "已裁定：保留办公室一方",
        };
        println!("{}  {}  {}  {decided}", c.id, c.table, c.imported_at);
        for (i, col) in c.columns.iter().enumerate() {
            let (o, n) = (&c.office_row[i], &c.node_row[i]);
            if o != n {
                println!(
                    "    {col}: 办公室 {} | 节点 {}",
                    for_terminal(&o.to_string()),
                    for_terminal(&n.to_string())
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn resolve(services: &Services<Db>, id: &str, keep: &str) -> Result<ExitCode, String> {
    let cid: Id = id
        .trim()
        .parse()
        .map_err(|_| format!("“{}”不是有效的冲突编号", for_terminal(id)))?;
    let keep = Keep::parse(keep).map_err(|e| e.to_string())?;
    let c = services
        .resolve_node_conflict(&Actor::system(), cid, keep)
        .await
        .map_err(|e| e.to_string())?;
    let what = match keep {
        Keep::Node => "采用节点一方的记录",
        Keep::Office => "保留办公室一方的记录",
    };
    println!("冲突 {} 已裁定：{what}", c.id);
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

fn read_state(config: &Config) -> Result<NodeState, String> {
    let path = folder(config).state();
    let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", shown(&path)))?;
    serde_json::from_slice(&text).map_err(|e| format!("{} 无法读取：{e}", shown(&path)))
}

/// Before a node serves: on the first start, the office's bundle loaded into the empty data
/// folder with the node's half of the keys (a copy of which is kept as `node.key` there); on
/// every start after, the same bundle and pair, or a refusal — loading another over the
/// team's work would lose it. Returns what the node's pages say of it on top.
pub async fn prepare(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    bundle: &Path,
    key_path: Option<PathBuf>,
) -> Result<String, String> {
    let inspection = load_once(services, db, config, bundle, key_path).await?;
    let team = services
        .get_inspection(&Actor::system(), inspection)
        .await
        .map(|(i, _)| i.team_name)
        .map_err(|e| e.to_string())?;
    Ok(format!(
        "离线节点：本机只有{team}的巡视任务。在此所做的工作，须导出交回数据包（“离线节点”页或 xunshi node export）、交巡视巡察办导入后，才进入办公室的系统。"
    ))
}

/// The bundle loaded on the first start, or checked to be the one loaded; the inspection.
async fn load_once(
    services: &Services<Db>,
    db: &Db,
    config: &Config,
    bundle: &Path,
    key_path: Option<PathBuf>,
) -> Result<Id, String> {
    let folder = folder(config);
    let key_path = key_path.unwrap_or_else(|| folder.node_key());
    let key: NodeKey = node::read_key(&key_path).map_err(|e| e.to_string())?;
    if key.side != Side::Node {
        return Err(format!(
            "{} 是办公室一方的密钥：离线节点须用 xunshi node pair --out 写出的节点一方密钥",
            shown(&key_path)
        ));
    }
    let bytes = std::fs::read(bundle).map_err(|e| format!("{}: {e}", shown(bundle)))?;
    let digest = HashAlg::Sha256.hex(&bytes);
    let state_file = folder.state();
    if state_file.exists() {
        let state = read_state(config)?;
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
    std::fs::write(folder.origin(), &bytes)
        .map_err(|e| format!("{}: {e}", shown(&folder.origin())))?;
    let kept_key = folder.node_key();
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
