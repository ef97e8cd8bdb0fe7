//! The team node (离线节点): one inspection's on-site work carried to the team's standalone
//! machine, which never touches the network, on approved media.
//!
//! **Keys.** For each node the office makes a pair of key files (`pair`): its own half stays
//! with the office, the node's half goes to the team's machine with the first bundle. Each
//! half holds its side's Ed25519 signing key (ring), the other side's public key, and the
//! AES-256-GCM key that both sides seal bundles with. A bundle is opened only with the half of
//! the other side: whoever holds one half cannot pass a bundle off as the other side's.
//!
//! **Bundle.** `XUNSHI-NODE/1\n`, the header's length (4 bytes, big-endian), the header (JSON:
//! the pair, the side that sent it, the inspection, the schema version, the nonce), the
//! payload sealed with AES-256-GCM (the header as associated data), and the sender's
//! Ed25519 signature of everything before it. The signature is checked before anything is
//! decrypted; a bundle changed by one byte is refused.
//!
//! **Payload.** A backup (`backup.rs`) of the part of the database the team works with: the
//! organisation's reference data, the inspection and its plan, team, working papers, reports,
//! clues and fieldwork, and their evidence files; the accounts of people not on the team can
//! not log in there. The data keys of the sealed fields travel in the clear inside it, so the
//! node wraps them under its own key file. The node's audit trail starts anew.

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::Row;
use xunshi_core::audit::AuditRecord;
use xunshi_core::crypto::HashAlg;
use xunshi_core::service::NodeWork;
use xunshi_core::store::{Blobs, NodeRow, row_digest};
use xunshi_core::{CoreError, Id, Result};

use crate::backup::{self, Pick, Selection, TableCount};
use crate::cipher::{DataKey, adopt_data_keys, create_private, data_keys, random};
use crate::{Db, db_err};

/// The first bytes of every bundle.
const MAGIC: &[u8] = b"XUNSHI-NODE/1\n";
/// The format tag of a key file.
pub const KEY_FORMAT: &str = "xunshi-node-key/1";
const SIGNATURE_BYTES: usize = 64;
const NONCE_BYTES: usize = 12;
/// A header is a few hundred bytes; anything much longer is not one.
const MAX_HEADER: usize = 64 * 1024;
/// Where the payload keeps the data keys of the sealed fields.
const DATA_KEYS_ENTRY: &str = "node/data-keys.json";

/// The office, or the team's node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Office,
    Node,
}

impl Side {
    fn other(self) -> Side {
        match self {
            Side::Office => Side::Node,
            Side::Node => Side::Office,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Side::Office => "巡视巡察办",
            Side::Node => "离线节点",
        }
    }
}

/// One side's half of a pair of node keys, as its file holds it.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeKey {
    pub format: String,
    /// Names the pair; every bundle says which pair sealed it.
    pub pair: String,
    pub side: Side,
    /// The one inspection this pair carries.
    pub inspection_id: Id,
    pub created_at: String,
    /// This side's Ed25519 key, PKCS#8, hex.
    signing_key: String,
    /// The other side's Ed25519 public key, hex.
    peer_public_key: String,
    /// The AES-256-GCM key both sides seal with, hex.
    bundle_key: String,
}

impl std::fmt::Debug for NodeKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NodeKey")
            .field("pair", &self.pair)
            .field("side", &self.side)
            .field("inspection_id", &self.inspection_id)
            .finish_non_exhaustive()
    }
}

fn internal(e: impl std::fmt::Display) -> CoreError {
    CoreError::internal(e.to_string())
}

pub(crate) fn refused(why: impl Into<String>) -> CoreError {
    CoreError::unfit("bundle", why.into())
}

/// Makes a new pair of key files' contents for `inspection`: the office's half and the node's.
pub fn pair(inspection: Id) -> Result<(NodeKey, NodeKey)> {
    let rng = SystemRandom::new();
    let new_key = || {
        Ed25519KeyPair::generate_pkcs8(&rng)
            .map_err(|_| internal("the system's random source failed"))
    };
    let (office_doc, node_doc) = (new_key()?, new_key()?);
    let public = |doc: &[u8]| -> Result<String> {
        let pair = Ed25519KeyPair::from_pkcs8(doc).map_err(internal)?;
        Ok(hex::encode(pair.public_key().as_ref()))
    };
    let bundle_key = hex::encode(random::<32>()?);
    let name = Id::new().to_string();
    let created_at = xunshi_core::audit::format_at(jiff::Timestamp::now());
    let half = |side, own: &[u8], peer: &[u8]| -> Result<NodeKey> {
        Ok(NodeKey {
            format: KEY_FORMAT.into(),
            pair: name.clone(),
            side,
            inspection_id: inspection,
            created_at: created_at.clone(),
            signing_key: hex::encode(own),
            peer_public_key: public(peer)?,
            bundle_key: bundle_key.clone(),
        })
    };
    Ok((
        half(Side::Office, office_doc.as_ref(), node_doc.as_ref())?,
        half(Side::Node, node_doc.as_ref(), office_doc.as_ref())?,
    ))
}

/// A key file's contents, written here ([`write_key`]) or handed over as a download.
pub fn key_text(key: &NodeKey) -> Result<Vec<u8>> {
    serde_json::to_vec_pretty(key).map_err(internal)
}

/// Writes a key file readable by its owner alone; an existing file is never replaced.
pub fn write_key(path: &Path, key: &NodeKey) -> Result<()> {
    use std::io::Write;
    let mut f = create_private(path).map_err(|e| internal(format!("{}: {e}", path.display())))?;
    let text = key_text(key)?;
    f.write_all(&text)
        .and_then(|_| f.sync_all())
        .map_err(|e| internal(format!("{}: {e}", path.display())))
}

/// Reads a key file.
pub fn read_key(path: &Path) -> Result<NodeKey> {
    let bytes = std::fs::read(path).map_err(|e| {
        CoreError::bad_input(
            "key",
            format!("节点密钥文件 {} 无法读取：{e}", path.display()),
        )
    })?;
    let key: NodeKey = serde_json::from_slice(&bytes).map_err(|e| {
        CoreError::bad_input("key", format!("{} 不是节点密钥文件：{e}", path.display()))
    })?;
    if key.format != KEY_FORMAT {
        return Err(CoreError::bad_input(
            "key",
            format!("{}：未知的密钥文件格式“{}”", path.display(), key.format),
        ));
    }
    Ok(key)
}

impl NodeKey {
    fn cipher(&self) -> Result<Aes256Gcm> {
        let raw = hex::decode(&self.bundle_key).map_err(internal)?;
        Aes256Gcm::new_from_slice(&raw).map_err(|_| internal("the bundle key has the wrong length"))
    }

    fn signer(&self) -> Result<Ed25519KeyPair> {
        let doc = hex::decode(&self.signing_key).map_err(internal)?;
        Ed25519KeyPair::from_pkcs8(&doc).map_err(internal)
    }
}

/// The folder a file goes in.
fn folder_of(out: &Path) -> &Path {
    out.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Writes a bundle to `out`, which must not exist, through a file beside it renamed at the
/// end: a half-written bundle never carries the name.
fn write_new(out: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut part = tempfile::NamedTempFile::new_in(folder_of(out)).map_err(internal)?;
    part.write_all(bytes).map_err(internal)?;
    part.as_file().sync_all().map_err(internal)?;
    part.persist_noclobber(out).map_err(|e| internal(e.error))?;
    Ok(())
}

/// What a bundle says of itself, in the clear (but signed).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BundleHeader {
    pub pair: String,
    /// The side that made it.
    pub from: Side,
    pub inspection_id: Id,
    pub created_at: String,
    /// The schema of the payload's tables; the side that loads it must run the same.
    pub schema_version: i64,
    nonce: String,
}

/// Seals `payload` as a bundle from `key`'s side.
fn seal(key: &NodeKey, schema_version: i64, payload: &[u8]) -> Result<Vec<u8>> {
    let nonce = random::<NONCE_BYTES>()?;
    let header = BundleHeader {
        pair: key.pair.clone(),
        from: key.side,
        inspection_id: key.inspection_id,
        created_at: xunshi_core::audit::format_at(jiff::Timestamp::now()),
        schema_version,
        nonce: hex::encode(nonce),
    };
    let header = serde_json::to_vec(&header).map_err(internal)?;
    let sealed = key
        .cipher()?
        .encrypt(
            &Nonce::from(nonce),
            Payload {
                msg: payload,
                aad: &header,
            },
        )
        .map_err(|_| internal("the bundle could not be sealed"))?;
    let mut out = Vec::with_capacity(MAGIC.len() + 4 + header.len() + sealed.len() + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(header.len() as u32).to_be_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&sealed);
    let signature = key.signer()?.sign(&out);
    out.extend_from_slice(signature.as_ref());
    Ok(out)
}

/// Where the header of a bundle's `body` (the bundle without its signature) lies: its start
/// and its end, checked to be within the body.
fn header_span(body: &[u8]) -> Result<(usize, usize)> {
    let start = MAGIC.len() + 4;
    if body.len() < start || !body.starts_with(MAGIC) {
        return Err(refused("不是离线节点数据包：文件头不符"));
    }
    let mut len = [0u8; 4];
    len.copy_from_slice(&body[MAGIC.len()..start]);
    let len = u32::from_be_bytes(len) as usize;
    if len > MAX_HEADER || start + len > body.len() {
        return Err(refused("数据包的头部长度不符"));
    }
    Ok((start, start + len))
}

/// Opens a bundle made by the other side of `key`'s pair: the signature first, then the
/// header, then the payload. Anything else is refused with the reason.
pub fn open(key: &NodeKey, bundle: &[u8]) -> Result<(BundleHeader, Vec<u8>)> {
    let body_end = bundle
        .len()
        .checked_sub(SIGNATURE_BYTES)
        .filter(|n| *n > MAGIC.len() + 4)
        .ok_or_else(|| refused("不是离线节点数据包：文件过短"))?;
    if !bundle.starts_with(MAGIC) {
        return Err(refused("不是离线节点数据包：文件头不符"));
    }
    let (body, signature) = bundle.split_at(body_end);
    let peer = hex::decode(&key.peer_public_key).map_err(internal)?;
    UnparsedPublicKey::new(&ED25519, &peer)
        .verify(body, signature)
        .map_err(|_| {
            refused(format!(
                "数据包的签名不是本配对（{}）{}的签名：数据包被改动过，或不是对方导出的",
                key.pair,
                key.side.other().label()
            ))
        })?;
    let (start, end) = header_span(body)?;
    let header_bytes = &body[start..end];
    let header: BundleHeader = serde_json::from_slice(header_bytes)
        .map_err(|e| refused(format!("数据包的头部无法读取：{e}")))?;
    if header.pair != key.pair || header.from != key.side.other() {
        return Err(refused(format!(
            "数据包属于配对 {}（{}导出），而此密钥是配对 {} 的{}一方",
            header.pair,
            header.from.label(),
            key.pair,
            key.side.label()
        )));
    }
    if header.inspection_id != key.inspection_id {
        return Err(refused("数据包所载的巡视任务不是此密钥所配的任务"));
    }
    let nonce: [u8; NONCE_BYTES] = hex::decode(&header.nonce)
        .ok()
        .and_then(|n| n.try_into().ok())
        .ok_or_else(|| refused("数据包的头部无法读取：nonce"))?;
    let payload = key
        .cipher()?
        .decrypt(
            &Nonce::from(nonce),
            Payload {
                msg: &body[end..],
                aad: header_bytes,
            },
        )
        .map_err(|_| refused("数据包无法解密：密钥不符或内容被改动"))?;
    Ok((header, payload))
}

// ---------------------------------------------------------------------------------------------
// What a node takes

/// The rows of the team's accounts: those on the inspection's team, now or before.
const TEAM_USERS: &str = "SELECT DISTINCT i.user_id AS id FROM inspectors i \
     JOIN team_members m ON m.inspector_id = i.id \
     WHERE m.inspection_id = $1 AND i.user_id IS NOT NULL";

/// Where each table's rows go to a node. Every table of the schema is named: a table added
/// later and not decided on is refused by the export (and by the test of this list), never
/// carried whole by default.
fn pick(table: &str) -> Option<Pick> {
    use Pick::*;
    Some(match table {
        // The organisation's reference data, which the team's work names.
        "units"
        | "unit_localities"
        | "recusal_rules"
        | "taxonomy_versions"
        | "problem_categories"
        | "calendar_years"
        | "calendar_days"
        | "deadline_rules"
        | "committee_deadline_rules"
        | "rectify_settings"
        | "clue_settings"
        | "security_settings"
        | "retention_rules"
        | "task_tally_state"
        | "recurrence_total" => All,
        // Every account, as the records name their authors; only the team's can log in
        // (`adjust`). The trail's head starts anew (`adjust`).
        "users" | "audit_head" => All,
        "grants" => Where("scope_kind = 'inspection' AND scope_id = $1"),
        "terms" => Where(
            "id = (SELECT r.term_id FROM rounds r JOIN inspections i ON i.round_id = r.id \
             WHERE i.id = $1)",
        ),
        "annual_plans" => Where(
            "id = (SELECT r.plan_id FROM rounds r JOIN inspections i ON i.round_id = r.id \
             WHERE i.id = $1)",
        ),
        "rounds" => Where("id = (SELECT round_id FROM inspections WHERE id = $1)"),
        "inspections" => Where("id = $1"),
        "inspectors" => {
            Where("id IN (SELECT inspector_id FROM team_members WHERE inspection_id = $1)")
        }
        "inspection_targets" | "team_members" | "problems" | "evidence" | "fix_notices"
        | "reports" | "clue_transfers" | "clues" | "announcements" | "letters"
        | "letter_handlers" | "talk_plan" | "talks" | "doc_requests" | "field_records" => {
            Where("inspection_id = $1")
        }
        "report_versions" | "report_steps" => {
            Where("report_id IN (SELECT id FROM reports WHERE inspection_id = $1)")
        }
        "letter_notes" => Where("letter_id IN (SELECT id FROM letters WHERE inspection_id = $1)"),
        "citations" => Where(
            "citing_id IN (SELECT id FROM problems WHERE inspection_id = $1 \
             UNION SELECT id FROM clues WHERE inspection_id = $1)",
        ),
        "fieldwork_files" => Where(
            "owner_id IN (SELECT id FROM letters WHERE inspection_id = $1 \
             UNION SELECT id FROM talks WHERE inspection_id = $1 \
             UNION SELECT id FROM doc_requests WHERE inspection_id = $1 \
             UNION SELECT id FROM field_records WHERE inspection_id = $1)",
        ),
        "two_factor" => Where(
            "user_id IN (SELECT i.user_id FROM inspectors i \
             JOIN team_members m ON m.inspector_id = i.id WHERE m.inspection_id = $1)",
        ),
        // Other people's secrets and sessions, other inspections' work, what comes after
        // feedback (none yet, as only inspections before feedback go), and what is worked
        // out from those. The data keys travel apart, in the clear inside the sealed payload.
        "sessions"
        | "api_tokens"
        | "login_attempts"
        | "login_locks"
        | "sign_ons"
        | "submissions"
        | "audit_log"
        | "audit_objects"
        | "cipher_keys"
        | "inspector_posts"
        | "inspector_relatives"
        | "feedbacks"
        | "rectification_plans"
        | "plan_reviews"
        | "rectification_tasks"
        | "task_progress"
        | "task_evidence"
        | "task_verifications"
        | "task_change_requests"
        | "followups"
        | "accountability"
        | "mechanisms"
        | "mechanism_tasks"
        | "rect_documents"
        | "rect_document_revisions"
        | "running_clocks"
        | "deadline_changes"
        | "messages"
        | "mail_outbox"
        | "reminder_days"
        | "jobs"
        | "job_runs"
        | "archived_inspections"
        | "disposals"
        | "filings"
        | "carried_tasks"
        | "problem_clusters"
        | "problem_cluster_members"
        | "problem_recurrences"
        | "unit_pattern_counts"
        | "recurrence_counts"
        | "round_category_counts"
        | "task_text"
        | "task_tally"
        | "task_tally_all"
        | "task_tally_unit"
        | "task_tally_unit_figures"
        | "task_tally_dispatcher"
        | "task_tally_committee"
        | "node_conflicts"
        | "node_trails"
        | "node_rows" => Nothing,
        _ => return None,
    })
}

/// The condition by which a node takes rows of `table`, on the inspection as `$1`.
pub(crate) fn pick_condition(table: &str) -> Option<&'static str> {
    match pick(table)? {
        Pick::Where(condition) => Some(condition),
        Pick::All | Pick::Nothing => None,
    }
}

/// The kinds of record a team works on at its node, which come back to the office, each with
/// its key columns, in the order they go in (a row before those that name it).
pub(crate) const RETURNING: &[(&str, &[&str])] = &[
    ("problems", &["id"]),
    ("evidence", &["id"]),
    ("fix_notices", &["id"]),
    ("reports", &["id"]),
    ("report_versions", &["report_id", "number"]),
    ("report_steps", &["id"]),
    ("clues", &["id"]),
    ("announcements", &["inspection_id"]),
    ("letters", &["id"]),
    ("letter_notes", &["id"]),
    ("letter_handlers", &["inspection_id", "inspector_id"]),
    ("talk_plan", &["id"]),
    ("talks", &["id"]),
    ("doc_requests", &["id"]),
    ("field_records", &["id"]),
    (
        "citations",
        &["citing_kind", "citing_id", "source_kind", "source_id"],
    ),
    ("fieldwork_files", &["id"]),
];

/// The evidence files of the rows a node takes.
const NODE_FILES: &str = "SELECT sha256 AS name FROM evidence WHERE inspection_id = $1 \
     UNION SELECT sha256 FROM fieldwork_files WHERE owner_id IN (\
       SELECT id FROM letters WHERE inspection_id = $1 \
       UNION SELECT id FROM talks WHERE inspection_id = $1 \
       UNION SELECT id FROM doc_requests WHERE inspection_id = $1 \
       UNION SELECT id FROM field_records WHERE inspection_id = $1) \
     ORDER BY name";

fn set(cols: &[(String, bool)], row: &mut [Value], column: &str, value: Value) -> Result<()> {
    let i = cols
        .iter()
        .position(|(c, _)| c == column)
        .ok_or_else(|| internal(format!("no column {column}")))?;
    row[i] = value;
    Ok(())
}

fn get<'r>(cols: &[(String, bool)], row: &'r [Value], column: &str) -> Option<&'r Value> {
    cols.iter().position(|(c, _)| c == column).map(|i| &row[i])
}

/// The rows as a node holds them: an account not on the team cannot log in; the trail starts
/// from its beginning; the inspection does not name another inspection the node lacks.
fn adjust(
    team: &HashSet<String>,
) -> impl Fn(&str, &[(String, bool)], &mut [Value]) -> Result<()> + Sync + '_ {
    move |table, cols, row| match table {
        "users" => {
            let on_team = get(cols, row, "id")
                .and_then(Value::as_str)
                .is_some_and(|id| team.contains(id));
            if !on_team {
                // Not a hash of anything: no password opens it.
                set(cols, row, "password_hash", Value::from("!"))?;
                set(cols, row, "disabled", Value::from(1))?;
            }
            Ok(())
        }
        "audit_head" => {
            set(cols, row, "seq", Value::from(0))?;
            set(cols, row, "hash", Value::from("0".repeat(64)))
        }
        "recurrence_total" => set(cols, row, "problems", Value::from(0)),
        "inspections" => set(cols, row, "look_back_of", Value::Null),
        _ => Ok(()),
    }
}

/// What an export wrote.
#[derive(Debug, Clone)]
pub struct Exported {
    pub pair: String,
    pub tables: Vec<(String, u64)>,
    pub files: usize,
    pub bytes: u64,
}

/// Writes the bundle of `key`'s inspection for its node to `out` (which must not exist): the
/// part of the database the team works with, its evidence files from `blobs`, and the data
/// keys opened with the office's key file at `key_file`, sealed and signed with the office's
/// half. The caller has checked that the inspection may go (`Services::node_export_scope`).
pub async fn export(
    db: &Db,
    blobs: &dyn Blobs,
    key: &NodeKey,
    key_file: &Path,
    out: &Path,
) -> Result<Exported> {
    if key.side != Side::Office {
        return Err(CoreError::RuleRefused(
            "这是离线节点一方的密钥：办公室导出数据包须用办公室一方的密钥".into(),
        ));
    }
    if out.exists() {
        return Err(CoreError::Conflict(format!(
            "{} 已存在：数据包从不覆盖已有文件",
            out.display()
        )));
    }
    let param = key.inspection_id.to_string();
    let team: HashSet<String> = sqlx::query(TEAM_USERS)
        .bind(param.clone())
        .fetch_all(&db.pool)
        .await
        .map_err(db_err)?
        .iter()
        .map(|r| r.try_get::<String, _>("id").map_err(db_err))
        .collect::<Result<_>>()?;
    let keys = data_keys(db, key_file).await?;
    let adjust = adjust(&team);
    let selection = Selection {
        pick: &pick,
        param,
        adjust: &adjust,
        files: NODE_FILES,
        extra: vec![(
            DATA_KEYS_ENTRY.to_owned(),
            serde_json::to_vec(&keys).map_err(internal)?,
        )],
    };
    let scratch = tempfile::tempdir_in(folder_of(out)).map_err(internal)?;
    let payload_path = scratch.path().join("payload.zip");
    let manifest = backup::write_zip(db, blobs, &payload_path, |_, _| {}, Some(&selection)).await?;
    let payload = std::fs::read(&payload_path).map_err(internal)?;
    let bundle = seal(key, manifest.schema_version, &payload)?;
    write_new(out, &bundle)?;
    Ok(Exported {
        pair: key.pair.clone(),
        tables: manifest
            .tables
            .iter()
            .map(|t| (t.name.clone(), t.rows))
            .collect(),
        files: manifest.blobs.len(),
        bytes: bundle.len() as u64,
    })
}

/// Loads the office's bundle at `bundle` into `db` (new: only its migrations applied) with the
/// node's half of the keys: verified, opened, its tables restored and counted, its evidence
/// files put into `blobs`, its data keys wrapped under the node's key file at `key_file` (made
/// here). Returns the header and the counts.
pub async fn load(
    db: &Db,
    blobs: &dyn Blobs,
    key: &NodeKey,
    bundle: &Path,
    key_file: &Path,
) -> Result<(BundleHeader, Vec<TableCount>)> {
    if key.side != Side::Node {
        return Err(CoreError::RuleRefused(
            "这是办公室一方的密钥：离线节点载入数据包须用节点一方的密钥".into(),
        ));
    }
    let bytes = std::fs::read(bundle)
        .map_err(|e| refused(format!("{} 无法读取：{e}", bundle.display())))?;
    let (header, payload) = open(key, &bytes)?;
    let scratch = tempfile::tempdir().map_err(internal)?;
    let payload_path = scratch.path().join("payload.zip");
    std::fs::write(&payload_path, &payload).map_err(internal)?;
    let keys: Vec<DataKey> = {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&payload))
            .map_err(|e| refused(format!("数据包内容无法读取：{e}")))?;
        let mut entry = zip
            .by_name(DATA_KEYS_ENTRY)
            .map_err(|_| refused("数据包缺少密封字段的数据密钥"))?;
        let mut text = Vec::new();
        entry.read_to_end(&mut text).map_err(internal)?;
        serde_json::from_slice(&text).map_err(|e| refused(format!("数据密钥无法读取：{e}")))?
    };
    let counts = backup::restore(db, &payload_path, blobs).await?;
    adopt_data_keys(db, key_file, &keys).await?;
    Ok((header, counts))
}

// ---------------------------------------------------------------------------------------------
// The way back

/// Where a returned payload keeps the node's rows and trail.
const WORK_ENTRY: &str = "work.json";

/// The node's work as its payload carries it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkFile {
    rows: Vec<NodeRow>,
    trail: Vec<AuditRecord>,
    alg: HashAlg,
    head_seq: i64,
    head_hash: String,
}

/// The JSON text of a row's key, to find it again.
fn key_of(cols: &[String], key: &[&str], values: &[Value]) -> Result<String> {
    let parts = key
        .iter()
        .map(|k| {
            cols.iter()
                .position(|c| c == k)
                .and_then(|i| values.get(i).cloned())
                .ok_or_else(|| internal(format!("no key column {k}")))
        })
        .collect::<Result<Vec<_>>>()?;
    serde_json::to_string(&parts).map_err(internal)
}

/// The digests of the rows the office's bundle carried of the tables that come back, by table
/// and key.
fn origin_digests(payload: &[u8]) -> Result<std::collections::HashMap<(String, String), String>> {
    use std::io::BufRead;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(payload))
        .map_err(|e| refused(format!("数据包内容无法读取：{e}")))?;
    let mut out = std::collections::HashMap::new();
    for (table, key) in RETURNING {
        let Ok(entry) = zip.by_name(&format!("tables/{table}.jsonl")) else {
            continue;
        };
        let mut lines = std::io::BufReader::new(entry).lines();
        let Some(header) = lines.next() else { continue };
        let cols: Vec<String> =
            serde_json::from_str(&header.map_err(internal)?).map_err(internal)?;
        for line in lines {
            let values: Vec<Value> =
                serde_json::from_str(&line.map_err(internal)?).map_err(internal)?;
            out.insert(
                ((*table).to_owned(), key_of(&cols, key, &values)?),
                row_digest(&values),
            );
        }
    }
    Ok(out)
}

/// What a node's export of its work wrote.
#[derive(Debug, Clone)]
pub struct WorkExported {
    /// Rows made or changed on the node.
    pub rows: usize,
    pub files: usize,
    pub trail_records: i64,
    pub bytes: u64,
}

/// On the node: writes the team's work to `out` (which must not exist) for the office — each
/// row of the kinds that come back ([`RETURNING`]) that the node made or changed since the
/// office's bundle at `origin` (with the digest of the row as it went out), their evidence
/// files from `blobs`, and the node's whole audit trail — sealed and signed with the node's
/// half of the keys.
pub async fn export_work(
    db: &Db,
    blobs: &dyn Blobs,
    key: &NodeKey,
    origin: &Path,
    out: &Path,
) -> Result<WorkExported> {
    use std::io::Write;
    if key.side != Side::Node {
        return Err(CoreError::RuleRefused(
            "这是办公室一方的密钥：节点交回工作须用节点一方的密钥".into(),
        ));
    }
    if out.exists() {
        return Err(CoreError::Conflict(format!(
            "{} 已存在：数据包从不覆盖已有文件",
            out.display()
        )));
    }
    let origin_bytes =
        std::fs::read(origin).map_err(|e| internal(format!("{}: {e}", origin.display())))?;
    let (origin_header, origin_payload) = open(key, &origin_bytes)?;
    let base = origin_digests(&origin_payload)?;
    let mut tx = db.pool.begin().await.map_err(db_err)?;
    let mut rows = Vec::new();
    let mut files = std::collections::BTreeSet::new();
    for (table, key_cols) in RETURNING {
        let cols = backup::columns(&mut tx, db.dialect, table).await?;
        let names: Vec<String> = cols.iter().map(|(c, _)| c.clone()).collect();
        let list = names
            .iter()
            .map(|c| backup::quoted(c))
            .collect::<Vec<_>>()
            .join(", ");
        let found = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {list} FROM \"{table}\" ORDER BY {}",
            key_cols.join(", ")
        )))
        .fetch_all(&mut *tx)
        .await
        .map_err(db_err)?;
        for r in &found {
            let values = backup::json_row(r)?;
            let was = base.get(&((*table).to_owned(), key_of(&names, key_cols, &values)?));
            if was.is_some_and(|d| *d == row_digest(&values)) {
                continue;
            }
            if let Some(i) = names.iter().position(|c| c == "sha256")
                && let Some(name) = values[i].as_str()
            {
                files.insert(name.to_owned());
            }
            rows.push(NodeRow {
                table: (*table).to_owned(),
                columns: names.clone(),
                values,
                base: was.cloned(),
            });
        }
    }
    let trail = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT {} FROM audit_log ORDER BY seq",
        crate::tx::AUDIT_COLS
    )))
    .fetch_all(&mut *tx)
    .await
    .map_err(db_err)?
    .iter()
    .map(crate::rows::audit)
    .collect::<Result<Vec<_>>>()?;
    let head = sqlx::query("SELECT seq, hash, algorithm FROM audit_head WHERE id = 1")
        .fetch_one(&mut *tx)
        .await
        .map_err(db_err)?;
    let alg_name: String = head.try_get("algorithm").map_err(db_err)?;
    let work = WorkFile {
        rows,
        trail,
        alg: HashAlg::parse(&alg_name)
            .ok_or_else(|| internal(format!("unknown hash {alg_name}")))?,
        head_seq: head.try_get("seq").map_err(db_err)?,
        head_hash: head.try_get("hash").map_err(db_err)?,
    };
    tx.rollback().await.map_err(db_err)?;
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file(WORK_ENTRY, options).map_err(internal)?;
    zip.write_all(&serde_json::to_vec(&work).map_err(internal)?)
        .map_err(internal)?;
    for name in &files {
        let bytes = blobs.get(name).await?;
        zip.start_file(format!("blobs/{name}"), options)
            .map_err(internal)?;
        zip.write_all(&bytes).map_err(internal)?;
    }
    let payload = zip.finish().map_err(internal)?.into_inner();
    let bundle = seal(key, origin_header.schema_version, &payload)?;
    write_new(out, &bundle)?;
    Ok(WorkExported {
        rows: work.rows.len(),
        files: files.len(),
        trail_records: work.head_seq,
        bytes: bundle.len() as u64,
    })
}

/// The inspection a bundle says it carries, read before its signature is checked: only to
/// find the key that checks it.
pub fn bundle_inspection(bundle: &[u8]) -> Result<Id> {
    let (start, end) = header_span(bundle)?;
    let header: BundleHeader = serde_json::from_slice(&bundle[start..end])
        .map_err(|e| refused(format!("数据包的头部无法读取：{e}")))?;
    Ok(header.inspection_id)
}

/// At the office: opens the node's work with the office's half of the keys — signature,
/// pair and inspection checked before anything is read — and puts its evidence files into
/// `blobs` (each checked against its name). The rows and trail are for the core to decide on
/// (`Services::import_node_work`).
pub async fn open_work(
    db: &Db,
    blobs: &dyn Blobs,
    key: &NodeKey,
    bundle: &[u8],
) -> Result<NodeWork> {
    if key.side != Side::Office {
        return Err(CoreError::RuleRefused(
            "这是离线节点一方的密钥：办公室导入节点的工作须用办公室一方的密钥".into(),
        ));
    }
    let (header, payload) = open(key, bundle)?;
    let ours = {
        let mut tx = db.pool.begin().await.map_err(db_err)?;
        let v = backup::schema_version(&mut tx).await?;
        tx.rollback().await.map_err(db_err)?;
        v
    };
    if header.schema_version != ours {
        return Err(refused(format!(
            "数据包的数据结构版本为 {}，本系统为 {ours}：节点与办公室须使用同一版本的程序",
            header.schema_version
        )));
    }
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&payload))
        .map_err(|e| refused(format!("数据包内容无法读取：{e}")))?;
    let work: WorkFile = {
        let entry = zip
            .by_name(WORK_ENTRY)
            .map_err(|_| refused("数据包中没有节点的工作记录"))?;
        serde_json::from_reader(entry)
            .map_err(|e| refused(format!("节点的工作记录无法读取：{e}")))?
    };
    let names: Vec<String> = zip
        .file_names()
        .filter_map(|n| n.strip_prefix("blobs/").map(str::to_owned))
        .collect();
    for name in names {
        let mut bytes = Vec::new();
        zip.by_name(&format!("blobs/{name}"))
            .map_err(internal)?
            .read_to_end(&mut bytes)
            .map_err(internal)?;
        let (alg, _) = xunshi_core::crypto::parse_content_name(&name)
            .ok_or_else(|| refused(format!("“{name}”不是证据文件的名称")))?;
        let stored = blobs.put(bytes, "application/octet-stream", alg).await?;
        if stored != name {
            return Err(refused(format!("证据文件 {name} 的内容与名称不符")));
        }
    }
    Ok(NodeWork {
        pair: header.pair,
        inspection_id: header.inspection_id,
        rows: work.rows,
        trail: work.trail,
        trail_alg: work.alg,
        head_seq: work.head_seq,
        head_hash: work.head_hash,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_opens_on_the_other_side_only_and_not_once_changed() {
        let inspection = Id::new();
        let (office, node) = pair(inspection).unwrap();
        let bundle = seal(&office, 44, b"the team's work").unwrap();
        let (header, payload) = open(&node, &bundle).unwrap();
        assert_eq!(payload, b"the team's work");
        assert_eq!(header.from, Side::Office);
        assert_eq!(header.inspection_id, inspection);
        // The sender cannot open its own bundle as if the other side had sent it.
        assert!(open(&office, &bundle).is_err());
        // One byte changed anywhere: refused.
        for at in [
            0,
            MAGIC.len() + 2,
            MAGIC.len() + 10,
            bundle.len() / 2,
            bundle.len() - 1,
        ] {
            let mut changed = bundle.clone();
            changed[at] ^= 0x01;
            let e = open(&node, &changed).unwrap_err().to_string();
            assert!(!e.is_empty(), "byte {at}");
        }
        // Another pair's half refuses it.
        let (_, stranger) = pair(inspection).unwrap();
        let e = open(&stranger, &bundle).unwrap_err().to_string();
        assert!(e.contains("签名"), "{e}");
        // Cut short: refused.
        assert!(open(&node, &bundle[..bundle.len() - 1]).is_err());
        assert!(open(&node, b"XUNSHI").is_err());
    }

    #[test]
    fn a_key_file_reads_back_and_is_never_written_over() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nodes").join("a.key");
        let (office, _) = pair(Id::new()).unwrap();
        write_key(&path, &office).unwrap();
        let back = read_key(&path).unwrap();
        assert_eq!(back.pair, office.pair);
        assert_eq!(back.side, Side::Office);
        assert!(write_key(&path, &office).is_err());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(dir.path().join("bad.key"), b"{}").unwrap();
        assert!(read_key(&dir.path().join("bad.key")).is_err());
    }

    #[test]
    fn every_table_of_the_schema_has_its_place_on_a_node() {
        // The tables of both backends' migrations, by their CREATE TABLE and DROP TABLE
        // statements in order.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let name_at = |text: &str| -> String {
            text.trim_start_matches("IF NOT EXISTS ")
                .trim_start_matches("IF EXISTS ")
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect()
        };
        let mut missing = Vec::new();
        for backend in ["sqlite", "postgres"] {
            let mut files: Vec<_> = std::fs::read_dir(dir.join(backend))
                .unwrap()
                .map(|e| e.unwrap().path())
                .collect();
            files.sort();
            let mut tables = std::collections::BTreeSet::new();
            for file in files {
                let text = std::fs::read_to_string(file).unwrap();
                let mut statements: Vec<(usize, bool)> = text
                    .match_indices("CREATE TABLE ")
                    .map(|(i, m)| (i + m.len(), true))
                    .chain(
                        text.match_indices("DROP TABLE ")
                            .map(|(i, m)| (i + m.len(), false)),
                    )
                    .collect();
                statements.sort();
                for (at, made) in statements {
                    let name = name_at(&text[at..]);
                    if made {
                        tables.insert(name);
                    } else {
                        tables.remove(&name);
                    }
                }
            }
            for name in tables {
                // Tables made under a temporary name and renamed in the same migration.
                if name.ends_with("_new") || crate::text_index::is_derived(&name) {
                    continue;
                }
                if pick(&name).is_none() {
                    missing.push(format!("{backend}: {name}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "tables with no place on a node: {missing:?}"
        );
    }
}
