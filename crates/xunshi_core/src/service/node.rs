//! The team node (离线节点): an inspection's on-site work carried to the team's standalone
//! machine. The bundle itself is the store's (`xunshi_store::node`); here is who may send
//! which inspection there, and the record that it went.

use serde::Serialize;
use serde_json::{Value, json};

use super::planning::{load_inspection, require_planner};
use super::{Services, record};
use crate::access::{Access, require_access};
use crate::audit::{Action, AuditEntry, AuditRecord, ChainCheck};
use crate::crypto::HashAlg;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::page::PageRequest;
use crate::permission::{Actor, Permission};
use crate::store::node::{numbered, same_but_number};
use crate::store::{
    InspectionFilter, NodeBaseline, NodeConflict, NodeRead, NodeRow, NodeWrite, Placed, Store,
    WriteTx, row_digest,
};

/// Whether an inspection at `stage` has on-site work a team could do away from the network:
/// from the team's preparation to the report. Before, there is no team; after feedback the
/// work is the inspected unit's rectification, which runs on the network.
pub fn may_go_to_node(insp: &Inspection) -> Result<()> {
    match insp.stage {
        Stage::Preparation | Stage::OnSite | Stage::Reporting => Ok(()),
        other => Err(CoreError::RuleRefused(format!(
            "{}的巡视任务处于“{}”阶段：只有准备、进驻了解和报告阶段的工作能带到离线节点",
            insp.team_name,
            other.label()
        ))),
    }
}

impl<S: Store> Services<S> {
    /// The inspection, where the actor is the office that runs it and its work may go to a
    /// node ([`may_go_to_node`]): the one check before keys are made for a node and before
    /// each export.
    pub async fn node_inspection(&self, actor: &Actor, id: Id) -> Result<Inspection> {
        require_planner(actor)?;
        let inspection = {
            let mut tx = self.store.read().await?;
            load_inspection(&mut tx, id).await?
        };
        require_running_office(actor, &inspection)?;
        may_go_to_node(&inspection)?;
        Ok(inspection)
    }

    /// Records that the keys of an inspection's node were made (`pair` names them), once the
    /// office's half is kept; the caller takes the keys back where this fails, so that no
    /// pair exists that the trail does not name.
    pub async fn record_node_paired(&self, actor: &Actor, id: Id, pair: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let entry = AuditEntry::new(
            Action::NodePaired,
            "inspection",
            Some(id),
            json!({ "pair": pair }),
        );
        record(&mut tx, actor, now, entry).await?;
        tx.commit().await
    }

    /// [`Services::node_inspection`], the export recorded as a read of everything the bundle
    /// holds (`pair` names the keys it is sealed with).
    pub async fn node_export_scope(&self, actor: &Actor, id: Id, pair: &str) -> Result<Inspection> {
        let now = self.now();
        let inspection = self.node_inspection(actor, id).await?;
        let entry = AuditEntry::new(
            Action::NodeExported,
            "inspection",
            Some(id),
            json!({ "pair": pair }),
        );
        self.record_shown(actor, now, entry).await?;
        Ok(inspection)
    }
}

impl<S: Store> Services<S> {
    /// The inspections whose work the actor's office may send to a node now ([`may_go_to_node`]
    /// and [`Services::node_inspection`]'s office), at most [`NODE_CANDIDATES_MAX`] of each
    /// stage, for the page that pairs and exports.
    pub async fn node_candidates(&self, actor: &Actor) -> Result<Vec<Inspection>> {
        require_planner(actor)?;
        let mut out = Vec::new();
        for stage in [Stage::Preparation, Stage::OnSite, Stage::Reporting] {
            let f = InspectionFilter {
                stage: Some(stage),
                ..Default::default()
            };
            let page = self
                .list_inspections(actor, &f, PageRequest::first(NODE_CANDIDATES_MAX))
                .await?;
            out.extend(
                page.items
                    .into_iter()
                    .filter(|i| require_running_office(actor, i).is_ok()),
            );
        }
        Ok(out)
    }

    /// The inspection, where the actor is the office that runs it and it takes a node's work
    /// in (not archived): the check before a node's work is opened, and again in the import.
    pub async fn node_office(&self, actor: &Actor, id: Id) -> Result<Inspection> {
        let insp = {
            let mut tx = self.store.read().await?;
            load_inspection(&mut tx, id).await?
        };
        require_running_office(actor, &insp)?;
        crate::archive::refuse_if_archived(&insp)?;
        Ok(insp)
    }

    /// On a node: the inspection whose work the actor carries back to the office, a member of
    /// its team; the export recorded as a read, in the trail that goes with it.
    pub async fn node_work_scope(&self, actor: &Actor, id: Id, pair: &str) -> Result<Inspection> {
        let now = self.now();
        let inspection = {
            let mut tx = self.store.read().await?;
            load_inspection(&mut tx, id).await?
        };
        require_access(actor, &inspection, Access::TeamMember)?;
        let entry = AuditEntry::new(
            Action::NodeExported,
            "inspection",
            Some(id),
            json!({ "pair": pair, "work": true }),
        );
        self.record_shown(actor, now, entry).await?;
        Ok(inspection)
    }
}

/// Whether the actor is an office that runs inspections, whose menu offers the node's pages.
pub fn may_run_nodes(actor: &Actor) -> bool {
    !matches!(
        actor.office_reach(),
        crate::permission::OfficeReach::Nowhere
    )
}

/// At most this many inspections of each stage are offered for a node at once.
const NODE_CANDIDATES_MAX: u32 = 200;

/// A node's work as it comes back, its bundle already checked by the store (signature, pair,
/// inspection); the core checks its trail and decides row by row.
#[derive(Debug, Clone)]
pub struct NodeWork {
    pub pair: String,
    pub inspection_id: Id,
    pub rows: Vec<NodeRow>,
    /// The node's whole trail, from its first record.
    pub trail: Vec<AuditRecord>,
    pub trail_alg: HashAlg,
    pub head_seq: i64,
    pub head_hash: String,
}

/// What an import did.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct NodeImport {
    /// Records the node made.
    pub inserted: usize,
    /// Records the node changed and the office had not.
    pub updated: usize,
    /// Records both sides hold alike.
    pub unchanged: usize,
    /// Records both sides changed: kept for a decision, the office's row standing meanwhile.
    pub conflicts: Vec<Id>,
    /// Numbered records stored under another number, as `表 列 原号→新号`.
    pub renumbered: Vec<String>,
    /// The node's records appended to the office's trail by this import.
    pub trail_records: usize,
}

/// Whose row stands of a record both sides changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    Office,
    Node,
}

impl Keep {
    pub fn parse(s: &str) -> Result<Keep> {
        match s {
            "office" => Ok(Keep::Office),
            "node" => Ok(Keep::Node),
            other => Err(CoreError::bad_input(
                "keep",
                format!("“{other}”不是可选的裁定：office（保留办公室一方）或 node（采用节点一方）"),
            )),
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Keep::Office => "office",
            Keep::Node => "node",
        }
    }
}

/// A decision of a conflict as the page's form and the API send it.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NodeDecision {
    /// `office` keeps the office's row as it is; `node` writes the node's over it.
    #[schema(pattern = "^(office|node)$")]
    pub keep: String,
}

impl NodeDecision {
    pub fn keep(&self) -> Result<Keep> {
        Keep::parse(self.keep.trim())
    }
}

/// The office that runs `insp`, or the top office.
fn require_running_office(actor: &Actor, insp: &Inspection) -> Result<()> {
    require_planner(actor)?;
    require_access(actor, insp, Access::Read)?;
    if actor.can(Permission::ManagePlanning) || actor.office_reach().runs(insp.dispatcher_id) {
        return Ok(());
    }
    Err(CoreError::Forbidden(
        "离线节点由组织该次巡视巡察的巡视巡察办配对、导出、导入和裁定".into(),
    ))
}

impl<S: Store> Services<S> {
    /// Takes a node's work in, in one transaction: its trail must run whole from its first
    /// record and continue what earlier imports of the pair took; each row the node made goes
    /// in (a number the office gave meanwhile moved to the next free one), each row only the
    /// node changed replaces the office's, and a row both changed is kept as a conflict for a
    /// decision, the office's row standing meanwhile. Every row must belong to the inspection.
    /// The node's new records are appended to the office's trail, each with its origin.
    pub async fn import_node_work(&self, actor: &Actor, work: &NodeWork) -> Result<NodeImport> {
        let now = self.now();
        let insp = self.node_office(actor, work.inspection_id).await?;
        let mut check = ChainCheck::new(work.trail_alg);
        for r in &work.trail {
            check
                .push(r)
                .map_err(|f| CoreError::RuleRefused(format!("离线节点的审计日志不完整：{f}")))?;
        }
        check
            .finish(work.head_seq, &work.head_hash)
            .map_err(|f| CoreError::RuleRefused(format!("离线节点的审计日志不完整：{f}")))?;
        let mut tx = self.store.write().await?;
        let from = match tx.node_trail_taken(&work.pair).await? {
            None | Some((0, _)) => 0,
            Some((seq, hash)) => {
                let continues = usize::try_from(seq - 1)
                    .ok()
                    .and_then(|i| work.trail.get(i))
                    .is_some_and(|r| r.hash == hash);
                if !continues {
                    return Err(CoreError::RuleRefused(format!(
                        "离线节点的审计日志与上次导入的第 {seq} 条不衔接：数据包不是该节点此后导出的"
                    )));
                }
                seq
            }
        };
        let mut out = NodeImport::default();
        // The rows written, for the search index to read again (`written_docs`).
        let mut written = Vec::new();
        let outside = |row: &NodeRow| {
            CoreError::unfit(
                "bundle",
                format!(
                    "离线节点交回的 {} 记录不属于{}的巡视任务",
                    row.table, insp.team_name
                ),
            )
        };
        for row in &work.rows {
            let office = tx.node_row(row).await?;
            if office.is_some() && !tx.node_row_belongs(row, insp.id).await? {
                return Err(outside(row));
            }
            let baseline = tx.node_baseline(&work.pair, row).await?;
            let taken = |office: Option<String>, conflict: Option<Id>| NodeBaseline {
                node: row_digest(&row.values),
                office,
                conflict,
            };
            let how = settle(row, office.as_deref(), baseline.as_ref());
            let settled = match (office, how) {
                (_, Settle::Insert) => {
                    // The row as stored: the node's, under the next free number if moved.
                    let mut stored = row.clone();
                    if let Placed::Renumbered { column, was, now } =
                        tx.put_node_row(row, false, insp.id).await?
                    {
                        if let Some(v) = stored
                            .columns
                            .iter()
                            .position(|c| *c == column)
                            .and_then(|at| stored.values.get_mut(at))
                        {
                            *v = Value::from(now);
                        }
                        out.renumbered
                            .push(format!("{} {column} {was}→{now}", row.table));
                    }
                    out.inserted += 1;
                    written.push(row_ref(row));
                    Some(taken(Some(row_digest(&stored.values)), None))
                }
                (_, Settle::Unchanged) => {
                    out.unchanged += 1;
                    None
                }
                (Some(o), Settle::Alike) => {
                    out.unchanged += 1;
                    Some(taken(Some(row_digest(&o)), None))
                }
                (Some(o), Settle::Update) => {
                    let numbered_as_office = keep_number(row, &o);
                    tx.put_node_row(&numbered_as_office, true, insp.id).await?;
                    out.updated += 1;
                    written.push(row_ref(row));
                    Some(taken(Some(row_digest(&numbered_as_office.values)), None))
                }
                (Some(o), Settle::Conflict) => {
                    let mut c = NodeConflict {
                        id: Id::new(),
                        pair: work.pair.clone(),
                        inspection_id: insp.id,
                        table: row.table.clone(),
                        columns: row.columns.clone(),
                        office_row: o,
                        node_row: row.values.clone(),
                        imported_at: now,
                        decision: None,
                        decided_by: None,
                        decided_at: None,
                    };
                    // The record's conflict still undecided is brought up to date rather than
                    // joined by a second one.
                    match baseline.as_ref().and_then(|b| b.conflict) {
                        Some(pending) => {
                            c.id = pending;
                            tx.renew_node_conflict(&c).await?;
                        }
                        None => tx.insert_node_conflict(&c).await?,
                    }
                    out.conflicts.push(c.id);
                    Some(taken(None, Some(c.id)))
                }
                (None, _) => {
                    return Err(CoreError::internal("a row the office lacks is inserted"));
                }
            };
            if let Some(b) = settled {
                tx.set_node_baseline(&work.pair, row, &b, now).await?;
            }
            if !tx.node_row_belongs(row, insp.id).await? {
                return Err(outside(row));
            }
        }
        for r in work.trail.iter().filter(|r| r.seq > from) {
            let entry = AuditEntry::new(
                Action::NodeRecord,
                "inspection",
                Some(insp.id),
                json!({
                    "pair": work.pair,
                    "node_seq": r.seq,
                    "node_hash": r.hash,
                    "at": r.at,
                    "actor_id": r.actor_id,
                    "actor_name": r.actor_name,
                    "action": r.action,
                    "object_type": r.object_type,
                    "object_id": r.object_id,
                    "summary": r.summary,
                }),
            );
            record(&mut tx, actor, now, entry).await?;
            out.trail_records += 1;
        }
        tx.set_node_trail_taken(&work.pair, work.head_seq, &work.head_hash, now)
            .await?;
        let entry = AuditEntry::new(
            Action::NodeImported,
            "inspection",
            Some(insp.id),
            json!({
                "pair": work.pair,
                "inserted": out.inserted,
                "updated": out.updated,
                "unchanged": out.unchanged,
                "conflicts": out.conflicts,
                "renumbered": out.renumbered,
                "written": written,
                "node_trail": { "records": out.trail_records, "head_seq": work.head_seq, "head_hash": work.head_hash },
            }),
        );
        record(&mut tx, actor, now, entry).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The conflicts of the inspections the actor's office runs: of one inspection, or of all
    /// (the top office), undecided only or all.
    pub async fn node_conflicts(
        &self,
        actor: &Actor,
        inspection: Option<Id>,
        undecided_only: bool,
    ) -> Result<Vec<NodeConflict>> {
        require_planner(actor)?;
        let mut tx = self.store.read().await?;
        match inspection {
            Some(id) => {
                let insp = load_inspection(&mut tx, id).await?;
                require_running_office(actor, &insp)?;
            }
            None => actor.require(Permission::ManagePlanning)?,
        }
        tx.node_conflicts(inspection, undecided_only, NODE_CONFLICTS_MAX)
            .await
    }

    /// Decides whose row stands of a record both sides changed. Keeping the node's writes it
    /// over the office's, provided the office's is still as it was at the import (otherwise
    /// `StaleVersion`: decide on what the office holds now).
    pub async fn resolve_node_conflict(
        &self,
        actor: &Actor,
        id: Id,
        keep: Keep,
    ) -> Result<NodeConflict> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let mut c = tx
            .get_node_conflict(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("离线节点冲突".into()))?;
        let insp = load_inspection(&mut tx, c.inspection_id).await?;
        require_running_office(actor, &insp)?;
        if c.decision.is_some() {
            return Err(CoreError::Conflict("该冲突已裁定".into()));
        }
        let node_row = NodeRow {
            table: c.table.clone(),
            columns: c.columns.clone(),
            values: c.node_row.clone(),
            base: None,
        };
        // The node's record under the office's number, where the office gave it another.
        let row = keep_number(&node_row, &c.office_row);
        let mut taken = NodeBaseline {
            node: row_digest(&node_row.values),
            office: None,
            conflict: None,
        };
        if keep == Keep::Node {
            if tx.node_row(&row).await?.as_ref() != Some(&c.office_row) {
                return Err(CoreError::StaleVersion(format!(
                    "{} 的这条记录在导入后已在办公室一方改动",
                    c.table
                )));
            }
            tx.put_node_row(&row, true, insp.id).await?;
            taken.office = Some(row_digest(&row.values));
            if !tx.node_row_belongs(&row, insp.id).await? {
                return Err(CoreError::unfit(
                    "bundle",
                    format!(
                        "离线节点的 {} 记录不属于{}的巡视任务",
                        c.table, insp.team_name
                    ),
                ));
            }
        }
        c.decision = Some(keep.as_str().to_owned());
        c.decided_by = actor.user_id();
        c.decided_at = Some(now);
        tx.decide_node_conflict(&c).await?;
        tx.set_node_baseline(&c.pair, &node_row, &taken, now)
            .await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::NodeConflictDecided,
                "inspection",
                Some(insp.id),
                json!({
                    "conflict": c.id,
                    "table": c.table,
                    "keep": keep.as_str(),
                    "office_row": c.office_row,
                    "node_row": c.node_row,
                    "written": if keep == Keep::Node { vec![row_ref(&row)] } else { Vec::new() },
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }
}

/// How one of a node's rows goes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Settle {
    /// The office has no such record.
    Insert,
    /// The node has not changed the record since the office last took it.
    Unchanged,
    /// Both sides hold the record alike.
    Alike,
    /// Only the node changed the record since the office last took it (or since the bundle
    /// went out, the first time): the node's replaces the office's.
    Update,
    /// Both changed it.
    Conflict,
}

/// The one rule of an import: the node's `row` against the office's row of the same key
/// (`office`) and what the office last took of it from this node (`baseline`); without a
/// baseline, against the row as the office's bundle carried it (`row.base`).
fn settle(row: &NodeRow, office: Option<&[Value]>, baseline: Option<&NodeBaseline>) -> Settle {
    let Some(office) = office else {
        return Settle::Insert;
    };
    let here = row_digest(office);
    if baseline.is_some_and(|b| b.node == row_digest(&row.values)) {
        return Settle::Unchanged;
    }
    // A record the node made, taken in before under another number, is alike but for it.
    if office == row.values.as_slice() || (row.base.is_none() && same_but_number(row, office)) {
        return Settle::Alike;
    }
    let ground = match baseline {
        Some(b) => b.office.as_deref(),
        None => row.base.as_deref(),
    };
    if ground == Some(here.as_str()) {
        Settle::Update
    } else {
        Settle::Conflict
    }
}

/// The node's row with the office's number, where the office holds the record under another
/// ([`numbered`]): what is written over the office's row, whose number stands.
fn keep_number(row: &NodeRow, office: &[Value]) -> NodeRow {
    let mut kept = row.clone();
    if let Some(at) = numbered(&row.table).and_then(|n| row.columns.iter().position(|c| c == n))
        && let (Some(v), Some(o)) = (kept.values.get_mut(at), office.get(at))
    {
        *v = o.clone();
    }
    kept
}

/// A written row as the trail names it: its table and, where it has one, its id.
fn row_ref(row: &NodeRow) -> serde_json::Value {
    let id = row
        .columns
        .iter()
        .position(|c| c == "id")
        .map(|i| row.values[i].clone());
    json!({ "table": row.table, "id": id })
}

/// The search documents of the rows a node's import or a decision wrote, by their record's
/// `written` list.
pub(crate) fn written_docs(summary: &str) -> Vec<(crate::search::DocKind, Id)> {
    use crate::search::DocKind;
    let Ok(v) = serde_json::from_str::<serde_json::Value>(summary) else {
        return Vec::new();
    };
    let Some(rows) = v.get("written").and_then(|w| w.as_array()) else {
        return Vec::new();
    };
    rows.iter()
        .filter_map(|r| {
            let kind = match r.get("table")?.as_str()? {
                "problems" => DocKind::Problem,
                "reports" => DocKind::Report,
                "clues" => DocKind::Clue,
                "letters" => DocKind::Letter,
                "doc_requests" => DocKind::DocRequest,
                "field_records" => DocKind::FieldRecord,
                _ => return None,
            };
            Some((kind, r.get("id")?.as_str()?.parse().ok()?))
        })
        .collect()
}

/// At most this many conflicts are listed at once; a node's import holds far fewer.
const NODE_CONFLICTS_MAX: u32 = 1000;

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(number: i64, content: &str, base: Option<&[Value]>) -> NodeRow {
        NodeRow {
            table: "letters".into(),
            columns: vec!["id".into(), "number".into(), "content".into()],
            values: vec![Value::from("a"), Value::from(number), Value::from(content)],
            base: base.map(row_digest),
        }
    }

    fn taken(node: &NodeRow, office: Option<&NodeRow>) -> NodeBaseline {
        NodeBaseline {
            node: row_digest(&node.values),
            office: office.map(|o| row_digest(&o.values)),
            conflict: None,
        }
    }

    #[test]
    fn the_first_import_compares_with_the_bundle_that_went_out() {
        let out = letter(1, "来信", None).values;
        let node = letter(1, "来信，已答复", Some(&out));
        assert_eq!(settle(&node, None, None), Settle::Insert);
        assert_eq!(settle(&node, Some(&out), None), Settle::Update);
        assert_eq!(settle(&node, Some(&node.values), None), Settle::Alike);
        let office = letter(1, "来信，已转办", None).values;
        assert_eq!(settle(&node, Some(&office), None), Settle::Conflict);
    }

    #[test]
    fn a_record_changed_again_on_the_node_after_an_import_is_an_update() {
        // Made on the node, taken in under number 4 (the office had given 3 meanwhile).
        let first = letter(3, "来访", None);
        let office = letter(4, "来访", None);
        assert_eq!(settle(&first, Some(&office.values), None), Settle::Alike);
        let b = taken(&first, Some(&office));
        assert_eq!(
            settle(&first, Some(&office.values), Some(&b)),
            Settle::Unchanged
        );
        let again = letter(3, "来访，已约谈", None);
        assert_eq!(
            settle(&again, Some(&office.values), Some(&b)),
            Settle::Update
        );
        let written = keep_number(&again, &office.values);
        assert_eq!(written.values[1], Value::from(4));
        assert_eq!(written.values[2], Value::from("来访，已约谈"));
        // Had the office changed it too, the two would be a conflict.
        let changed = letter(4, "来访，已转办", None);
        assert_eq!(
            settle(&again, Some(&changed.values), Some(&b)),
            Settle::Conflict
        );
        // The node's unchanged record leaves the office's change standing.
        assert_eq!(
            settle(&first, Some(&changed.values), Some(&b)),
            Settle::Unchanged
        );
    }

    #[test]
    fn after_the_office_kept_its_own_a_further_change_of_the_node_is_a_conflict() {
        let node = letter(1, "节点稿", None);
        let office = letter(1, "办公室稿", None);
        let b = taken(&node, None);
        assert_eq!(
            settle(&node, Some(&office.values), Some(&b)),
            Settle::Unchanged
        );
        let again = letter(1, "节点二稿", None);
        assert_eq!(
            settle(&again, Some(&office.values), Some(&b)),
            Settle::Conflict
        );
    }
}
