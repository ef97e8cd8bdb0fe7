//! Full-text search as each person may see it, and the feed that keeps the index current.
//!
//! The index (the `SearchIndex` port) ranks and cuts snippets; it knows nothing of rights.
//! A query is first narrowed to the records the asker could reach at all ([`reach`]), then
//! every hit is checked by the rule of its own page (`readable_problem`, `rect_role`,
//! `require_clue_access`, …) before it is shown, so a snippet never shows what its record's
//! page would refuse. What was shown of papers, reports and clues is recorded as their pages
//! record it, once per request.
//!
//! The index follows the audit trail: every committed change has its record there, in
//! sequence order, in the change's own transaction, so the trail is the outbox — each
//! instance reads it from its own index's watermark and no change is missed or applied out of
//! order ([`Services::search_changes`]).

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};

use serde_json::json;

use super::Services;
use super::clues::readable_clue;
use super::disclosure::readable as readable_document;
use super::feedback::readable_feedback;
use super::fieldwork::readable_doc_request;
use super::fieldwork_files::team_record;
use super::letters::team_letter;
use super::papers::{readable_problem, require_paper_reader};
use super::planning::load_inspection;
use super::rectify::rect_role;
use super::reports::readable_report;
use super::units::narrowed_unit;
use crate::audit::{Action, AuditEntry};
use crate::disclosure::DocCollection;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::permission::{Actor, Permission};
use crate::role::{Role, Scope};
use crate::search::{
    DocKind, IndexHit, IndexQuery, Marked, Reach, SearchDoc, SearchFilter, Watermark,
};
use crate::store::{PaperRead, PlaceKind, PlanningRead, ReadTx, SearchRead, Store};

/// The most hits a page shows.
pub const SEARCH_LIMIT_MAX: usize = 50;
/// The most ranked hits one request checks: a page of someone who may open few of them ends
/// early with a cursor rather than walking the whole ranking.
const CHECKED_MAX: usize = 200;
/// The longest query taken, in characters.
pub const SEARCH_TEXT_MAX: usize = 200;

/// A search as asked: the words, the filters, where in the ranking to go on, how many.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchRequest {
    pub text: String,
    pub filter: SearchFilter,
    /// A unit named by its exact name (or its id), as those who see every unit name one
    /// rather than pick it from thousands; it narrows the hits as `filter.unit_id` does.
    pub unit_name: Option<String>,
    /// A cursor of an earlier page: how far into the ranking it went.
    pub cursor: Option<String>,
    pub limit: usize,
}

/// One hit as the asker sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchItem {
    pub kind: DocKind,
    pub id: Id,
    pub title: Marked,
    pub snippet: Marked,
    pub link: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SearchPage {
    pub items: Vec<SearchItem>,
    pub next_cursor: Option<String>,
}

/// The changes of a run of audit records, as documents to put in the index.
#[derive(Debug, Clone, Default)]
pub struct SearchBatch {
    pub docs: Vec<SearchDoc>,
    /// Records named by the trail that are no longer there to index.
    pub gone: Vec<(DocKind, Id)>,
    /// The sequence number of the last record read: the index's watermark once applied.
    pub watermark: i64,
    /// How many audit records were read.
    pub records: usize,
}

/// The records an actor could reach at all, as the index narrows by: `None` for those who read
/// across every inspection (the office, the leadership). Everyone else reaches the
/// inspections whose team they sit on and the records of their own units; the discipline and
/// organization supervisors also every task and clue (their rules open rectification and
/// transferred clues across units). Every hit is still checked by its page's rule.
pub fn reach(actor: &Actor) -> Option<Reach> {
    if actor.is_system() || actor.has_role(Role::Office) || actor.has_role(Role::Leadership) {
        return None;
    }
    let mut r = Reach {
        units: crate::own_unit::units(actor),
        open_kinds: vec![DocKind::Unit],
        ..Default::default()
    };
    for g in actor.grants() {
        match (g.role, g.scope) {
            (Role::TeamLeader | Role::TeamDeputy | Role::TeamMember, Scope::Inspection(i)) => {
                r.inspections.push(i)
            }
            (Role::Discipline | Role::Organization, _) => {
                r.open_kinds
                    .extend([DocKind::Task, DocKind::Progress, DocKind::Clue]);
            }
            _ => {}
        }
    }
    r.inspections.sort();
    r.inspections.dedup();
    r.open_kinds.sort();
    r.open_kinds.dedup();
    Some(r)
}

/// [`reach`] with what a committee's own office reaches besides: every record of the
/// inspections its committees send (`OfficeReach::runs`), whose hits the pages' rules then
/// open as they open them for the office of the whole system.
async fn reach_in<T: PlanningRead>(tx: &mut T, actor: &Actor) -> Result<Option<Reach>> {
    let Some(mut r) = reach(actor) else {
        return Ok(None);
    };
    let committees = actor.office_committees();
    if !committees.is_empty() {
        r.inspections
            .extend(tx.inspection_ids_sent_by(&committees).await?);
        r.inspections.sort();
        r.inspections.dedup();
    }
    Ok(Some(r))
}

/// Whether a refusal means "not for this person" (the hit is left out) rather than a fault.
fn allowed<T>(r: Result<T>) -> Result<bool> {
    match r {
        Ok(_) => Ok(true),
        Err(CoreError::NotFound(_) | CoreError::Forbidden(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Checks hits for one request. Papers and tasks (with their progress reports), most of what
/// is found, are held to their pages' rules (`require_paper_reader`, `rect_role`) over their
/// places and inspections read once per page of hits ([`Checker::prefetch`]); the other kinds
/// through their pages' own loaders.
#[derive(Default)]
struct Checker {
    inspections: HashMap<Id, Inspection>,
    /// A task's inspection and unit.
    tasks: HashMap<Id, (Id, Id)>,
    /// A problem's inspection.
    problems: HashMap<Id, Id>,
}

impl Checker {
    async fn inspection<T: ReadTx>(&mut self, tx: &mut T, id: Id) -> Result<&Inspection> {
        Ok(match self.inspections.entry(id) {
            Entry::Occupied(held) => held.into_mut(),
            Entry::Vacant(slot) => slot.insert(load_inspection(tx, id).await?),
        })
    }

    /// Reads the places of the page's tasks and problems, and their inspections, in three
    /// statements rather than two per hit.
    async fn prefetch<T: ReadTx>(&mut self, tx: &mut T, hits: &[IndexHit]) -> Result<()> {
        let mut tasks = BTreeSet::new();
        let mut problems = BTreeSet::new();
        for hit in hits {
            match (hit.kind, task_of(hit)) {
                (DocKind::Task | DocKind::Progress, Some(t)) if !self.tasks.contains_key(&t) => {
                    tasks.insert(t);
                }
                (DocKind::Problem, _) if !self.problems.contains_key(&hit.id) => {
                    problems.insert(hit.id);
                }
                _ => {}
            }
        }
        let tasks: Vec<Id> = tasks.into_iter().collect();
        let problems: Vec<Id> = problems.into_iter().collect();
        let mut wanted = BTreeSet::new();
        for (task, insp, unit) in tx.places(PlaceKind::Task, &tasks).await? {
            self.tasks.insert(task, (insp, unit));
            wanted.insert(insp);
        }
        for (problem, insp, _) in tx.places(PlaceKind::Problem, &problems).await? {
            self.problems.insert(problem, insp);
            wanted.insert(insp);
        }
        let missing: Vec<Id> = wanted
            .into_iter()
            .filter(|i| !self.inspections.contains_key(i))
            .collect();
        for insp in tx.get_inspections(&missing).await? {
            self.inspections.insert(insp.id, insp);
        }
        Ok(())
    }

    /// Whether `actor` may open the record of `hit`, by the rule of its page.
    async fn may_open<T: ReadTx>(
        &mut self,
        tx: &mut T,
        actor: &Actor,
        hit: &IndexHit,
    ) -> Result<bool> {
        match hit.kind {
            DocKind::Problem => {
                let Some(&insp) = self.problems.get(&hit.id) else {
                    return Ok(false);
                };
                let insp = self.inspection(tx, insp).await?;
                allowed(require_paper_reader(actor, insp))
            }
            DocKind::Task | DocKind::Progress => {
                let Some(&(insp, unit)) = task_of(hit).and_then(|t| self.tasks.get(&t)) else {
                    return Ok(false);
                };
                let insp = self.inspection(tx, insp).await?;
                Ok(rect_role(actor, insp, unit).read)
            }
            DocKind::Report => allowed(readable_report(tx, actor, hit.id).await),
            DocKind::Feedback => Ok(readable_feedback(tx, actor, hit.id)
                .await
                .map_or_else(|e| allowed::<()>(Err(e)), |f| Ok(f.is_some()))?),
            DocKind::Clue => allowed(readable_clue(tx, actor, hit.id).await),
            DocKind::Letter => allowed(team_letter(tx, actor, hit.id).await),
            DocKind::DocRequest => allowed(readable_doc_request(tx, actor, hit.id).await),
            DocKind::FieldRecord => allowed(team_record(tx, actor, hit.id).await),
            DocKind::RectReport => {
                allowed(readable_document(tx, actor, hit.id, Some(DocCollection::Reports)).await)
            }
            DocKind::Notice => {
                allowed(readable_document(tx, actor, hit.id, Some(DocCollection::Notices)).await)
            }
            DocKind::Unit => allowed(actor.require(Permission::ViewUnits)),
        }
    }
}

/// The task a hit of a task or a progress report is of.
fn task_of(hit: &IndexHit) -> Option<Id> {
    match hit.kind {
        DocKind::Task => Some(hit.id),
        DocKind::Progress => hit.parent_id,
        _ => None,
    }
}

fn parse_cursor(cursor: Option<&str>) -> Result<usize> {
    // The limit is checked by the search itself, against the hits it may check.
    let page = crate::page::OffsetRequest::parse(cursor, Some(1), 1, 1)?;
    Ok(page.offset as usize)
}

async fn trail_of<T: ReadTx>(tx: &mut T) -> Result<String> {
    Ok(tx
        .audit_in_order(0, 1)
        .await?
        .first()
        .map(|r| r.id.to_string())
        .unwrap_or_default())
}

/// The kinds of record each object type of the audit trail stands for.
fn kinds_of(object_type: &str) -> &'static [DocKind] {
    match object_type {
        "problem" => &[DocKind::Problem],
        "report" => &[DocKind::Report],
        "inspection" => &[DocKind::Feedback],
        "task" | "rect_plan" => &[DocKind::Task, DocKind::Progress],
        "clue" | "clue_transfer" => &[DocKind::Clue],
        "letter" => &[DocKind::Letter],
        "doc_request" => &[DocKind::DocRequest],
        "field_record" => &[DocKind::FieldRecord],
        "rect_document" => &[DocKind::RectReport, DocKind::Notice],
        "unit" => &[DocKind::Unit],
        _ => &[],
    }
}

/// The one progress report a task's audit record added, when that is all the index needs of
/// it: a report that left the task's status as it was changes no other report's document (each
/// carries its task's status as a filter), so the task's earlier reports are not read again.
/// A long-term task gathers reports for years; reading them all again at each report would
/// make every report cost more than the last.
fn report_alone(summary: &str) -> Option<Id> {
    let v = serde_json::from_str::<serde_json::Value>(summary).ok()?;
    let status = |side: &str| v.get(side)?.get("status").cloned();
    if status("before")? != status("after")? {
        return None;
    }
    v.get("report_id")?.as_str()?.parse().ok()
}

/// The searchable records a carried-out disposal removed, as its audit record lists them.
fn disposed_docs(summary: &str) -> Vec<(DocKind, Id)> {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(summary) else {
        return Vec::new();
    };
    let Some(gone) = v.get("gone").and_then(|g| g.as_array()) else {
        return Vec::new();
    };
    gone.iter()
        .filter_map(|g| {
            let kind = match g.get("table")?.as_str()? {
                "letters" => DocKind::Letter,
                "doc_requests" => DocKind::DocRequest,
                "field_records" => DocKind::FieldRecord,
                _ => return None,
            };
            Some((kind, g.get("key")?.as_str()?.parse().ok()?))
        })
        .collect()
}

impl<S: Store> Services<S> {
    pub(crate) fn search_index(&self) -> Result<&std::sync::Arc<dyn crate::search::SearchIndex>> {
        self.search
            .as_ref()
            .ok_or_else(|| CoreError::Unavailable("全文检索未启用".into()))
    }

    /// The hits of a search that the asker may open, best first, a page at a time.
    pub async fn search(&self, actor: &Actor, req: &SearchRequest) -> Result<SearchPage> {
        actor.require_user()?;
        let text = req.text.trim();
        if text.is_empty() {
            return Err(CoreError::bad_input("q", "请输入要检索的内容"));
        }
        if text.chars().count() > SEARCH_TEXT_MAX {
            return Err(CoreError::bad_input(
                "q",
                format!("检索内容不能超过{SEARCH_TEXT_MAX}个字"),
            ));
        }
        let limit = req.limit.clamp(1, SEARCH_LIMIT_MAX);
        let start = parse_cursor(req.cursor.as_deref())?;
        let index = self.search_index()?;
        let mut tx = self.store.read().await?;
        let mut filter = req.filter.clone();
        let Some(unit_id) =
            narrowed_unit(&mut tx, filter.unit_id, req.unit_name.as_deref()).await?
        else {
            // Two different units asked for at once: nothing is of both.
            return Ok(SearchPage {
                items: Vec::new(),
                next_cursor: None,
            });
        };
        filter.unit_id = unit_id;
        let mut q = IndexQuery {
            text: text.to_owned(),
            filter,
            reach: reach_in(&mut tx, actor).await?,
            offset: start,
            limit: limit + 1,
        };
        let mut items = Vec::new();
        let mut at = start;
        let mut exhausted = false;
        let mut checker = Checker::default();
        'pages: while items.len() < limit && at - start < CHECKED_MAX {
            q.offset = at;
            q.limit = (limit - items.len() + 1).max(10);
            let hits = index.search(&q)?;
            if hits.is_empty() {
                exhausted = true;
                break;
            }
            let n = hits.len();
            checker.prefetch(&mut tx, &hits).await?;
            for hit in hits {
                if items.len() == limit {
                    break 'pages;
                }
                at += 1;
                if checker.may_open(&mut tx, actor, &hit).await? {
                    items.push(SearchItem {
                        link: hit.kind.link(hit.id, hit.parent_id),
                        kind: hit.kind,
                        id: hit.id,
                        title: hit.title,
                        snippet: hit.snippet,
                    });
                }
            }
            if n < q.limit {
                exhausted = true;
                break;
            }
        }
        drop(tx);
        self.record_search_shown(actor, text, &items).await?;
        Ok(SearchPage {
            items,
            next_cursor: (!exhausted).then(|| at.to_string()),
        })
    }

    /// Records what a search showed of papers, reports and clues, as their own pages record a
    /// read: one record per kind for the request, in one transaction.
    async fn record_search_shown(
        &self,
        actor: &Actor,
        text: &str,
        items: &[SearchItem],
    ) -> Result<()> {
        let entries = [
            (DocKind::Problem, Action::ProblemViewed, "problem"),
            (DocKind::Report, Action::ReportViewed, "report"),
            (DocKind::Clue, Action::ClueRead, "clue"),
        ]
        .into_iter()
        .filter_map(|(kind, action, object_type)| {
            let ids: Vec<Id> = items
                .iter()
                .filter(|i| i.kind == kind)
                .map(|i| i.id)
                .collect();
            (!ids.is_empty()).then(|| {
                AuditEntry::shown(
                    action,
                    object_type,
                    &ids,
                    json!({ "via": "search", "q": text }),
                )
            })
        })
        .collect();
        self.record_all_shown(actor, self.now(), entries).await
    }

    /// The newest audit record's place, with the trail's name: where a full reindex leaves the
    /// index. For the indexer, not for people.
    pub async fn search_head(&self) -> Result<Watermark> {
        let mut tx = self.store.read().await?;
        let seq = tx.audit_head().await?.seq;
        let trail = trail_of(&mut tx).await?;
        Ok(Watermark { seq, trail })
    }

    /// The name of this database's audit trail (its first record's id; empty before any), which
    /// an index's watermark must carry to be current here. For the indexer, not for people.
    pub async fn search_trail(&self) -> Result<String> {
        let mut tx = self.store.read().await?;
        trail_of(&mut tx).await
    }

    /// The documents of the records changed by the audit records after `after`, at most
    /// `limit` records read. For the indexer, not for people.
    pub async fn search_changes(&self, after: i64, limit: u32) -> Result<SearchBatch> {
        let mut tx = self.store.read().await?;
        let records = tx.audit_in_order(after, limit).await?;
        let mut wanted: BTreeSet<(DocKind, Id)> = BTreeSet::new();
        let (mut plans, mut transfers, mut reports) = (Vec::new(), Vec::new(), Vec::new());
        for r in &records {
            if Action::parse(&r.action).is_some_and(Action::is_read) {
                continue;
            }
            if r.action == Action::DisposalCarriedOut.as_str() {
                wanted.extend(disposed_docs(&r.summary));
                continue;
            }
            if r.action == Action::NodeImported.as_str()
                || r.action == Action::NodeConflictDecided.as_str()
            {
                wanted.extend(super::node::written_docs(&r.summary));
                continue;
            }
            let Some(id) = r.object_id.as_deref().and_then(|i| i.parse::<Id>().ok()) else {
                continue;
            };
            match r.object_type.as_str() {
                "rect_plan" => plans.push(id),
                "task" if let Some(report) = report_alone(&r.summary) => {
                    wanted.insert((DocKind::Task, id));
                    reports.push((id, report));
                }
                "clue_transfer" => transfers.push(id),
                t => wanted.extend(kinds_of(t).iter().map(|k| (*k, id))),
            }
        }
        for t in tx.tasks_of_plans(&plans).await? {
            wanted.extend(kinds_of("task").iter().map(|k| (*k, t)));
        }
        for c in tx.clues_of_transfers(&transfers).await? {
            wanted.insert((DocKind::Clue, c));
        }
        let mut batch = SearchBatch {
            watermark: records.last().map_or(after, |r| r.seq),
            records: records.len(),
            ..Default::default()
        };
        for kind in DocKind::ALL {
            let ids: Vec<Id> = wanted
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, i)| *i)
                .collect();
            if ids.is_empty() {
                continue;
            }
            let docs = tx.search_docs(kind, &ids).await?;
            if kind != DocKind::Progress {
                batch.gone.extend(
                    ids.iter()
                        .filter(|i| !docs.iter().any(|d| d.id == **i))
                        .map(|i| (kind, *i)),
                );
            }
            batch.docs.extend(docs);
        }
        // The reports of a task read whole above are in the batch already.
        let alone: Vec<Id> = reports
            .into_iter()
            .filter(|(task, _)| !wanted.contains(&(DocKind::Progress, *task)))
            .map(|(_, report)| report)
            .collect();
        batch.docs.extend(tx.progress_docs(&alone).await?);
        Ok(batch)
    }

    /// How many documents of `kind` a full reindex writes. For the indexer, not for people.
    pub async fn count_search_docs(&self, kind: DocKind) -> Result<i64> {
        let mut tx = self.store.read().await?;
        tx.count_search_docs(kind).await
    }

    /// A page of the documents of `kind` after `after`, for a full reindex. For the indexer,
    /// not for people.
    pub async fn search_docs_after(
        &self,
        kind: DocKind,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<SearchDoc>> {
        let mut tx = self.store.read().await?;
        tx.search_docs_after(kind, after, limit).await
    }
}

/// How many similar problems a paper or a task shows.
pub const SIMILAR_MAX: usize = 10;

/// A problem like another: of another unit, or of the same unit in another inspection (a
/// problem found again, 举一反三).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct SimilarProblem {
    pub id: Id,
    pub title: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub inspection_id: Id,
    pub team_name: String,
    /// The year of the inspection's round.
    pub year: i32,
    #[schema(value_type = String)]
    pub status: crate::paper::ProblemStatus,
    /// How alike the two are, in per cent: the text similarity of their titles and facts
    /// against the problem's own (100 would be the same words).
    pub similarity: u8,
    /// Of the same unit as the problem asked about (found again in another inspection).
    pub same_unit: bool,
}

impl<S: Store> Services<S> {
    /// The problems most like a paper's (its title and facts), in other units and in other
    /// inspections of its unit, as far as the asker may open them. A list of papers, as the
    /// papers' list is, and like it not recorded as a read. Asked of a paper the asker may
    /// not open, the answer is the paper's own refusal.
    pub async fn similar_problems(&self, actor: &Actor, id: Id) -> Result<Vec<SimilarProblem>> {
        let mut tx = self.store.read().await?;
        let (own, own_insp) = readable_problem(&mut tx, actor, id).await?;
        let index = self.search_index()?;
        let reach = reach_in(&mut tx, actor).await?;
        let candidates = index.similar(DocKind::Problem, id, reach.as_ref(), 3 * SIMILAR_MAX)?;
        // The candidates share few inspections, units and rounds: each is read once.
        let mut inspections = HashMap::from([(own_insp.id, own_insp)]);
        let mut units: HashMap<Id, String> = HashMap::new();
        let mut years: HashMap<Id, i32> = HashMap::new();
        let mut out = Vec::new();
        for (cand, score) in candidates {
            if out.len() == SIMILAR_MAX {
                break;
            }
            let Some(p) = tx.get_problem(cand).await? else {
                continue;
            };
            // The same inspection's papers on the same unit are one finding, not a recurrence.
            if p.inspection_id == own.inspection_id && p.target_unit_id == own.target_unit_id {
                continue;
            }
            let insp = match inspections.get(&p.inspection_id) {
                Some(i) => i.clone(),
                None => {
                    let i = load_inspection(&mut tx, p.inspection_id).await?;
                    inspections.insert(i.id, i.clone());
                    i
                }
            };
            if require_paper_reader(actor, &insp).is_err() {
                continue;
            }
            let unit_name = match units.get(&p.target_unit_id) {
                Some(n) => n.clone(),
                None => {
                    let n = tx
                        .get_unit(p.target_unit_id)
                        .await?
                        .map(|u| u.name)
                        .unwrap_or_default();
                    units.insert(p.target_unit_id, n.clone());
                    n
                }
            };
            let year = match years.get(&insp.round_id) {
                Some(y) => *y,
                None => {
                    let y = tx
                        .get_round(insp.round_id)
                        .await?
                        .map_or(0, |r| i32::from(r.year));
                    years.insert(insp.round_id, y);
                    y
                }
            };
            out.push(SimilarProblem {
                id: p.id,
                same_unit: p.target_unit_id == own.target_unit_id,
                title: p.title,
                unit_id: p.target_unit_id,
                unit_name,
                inspection_id: p.inspection_id,
                team_name: insp.team_name,
                year,
                status: p.status,
                similarity: (score * 100.0).round().clamp(0.0, 100.0) as u8,
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disposal_takes_its_searchable_records_out_of_the_index() {
        let (letter, request) = (Id::new(), Id::new());
        let summary = serde_json::json!({
            "kind": "letter",
            "gone": [
                { "table": "letters", "key": letter.to_string(), "digest": "ab" },
                { "table": "letter_notes", "key": Id::new().to_string(), "digest": "cd" },
                { "table": "file", "key": "ef01", "digest": "ef01" },
                { "table": "doc_requests", "key": request.to_string(), "digest": "12" },
            ]
        })
        .to_string();
        assert_eq!(
            disposed_docs(&summary),
            vec![(DocKind::Letter, letter), (DocKind::DocRequest, request)]
        );
        assert!(disposed_docs("not json").is_empty());
    }
}
