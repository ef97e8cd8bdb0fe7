//! 报备 between the levels (`crate::filing`): a committee's own office files its annual plans,
//! its rounds and its approved reports with the office of the committee above; that office
//! reads them and acknowledges them or answers with comments. Each side hears of the other's
//! step by message.
//!
//! Who reads a filing: the offices of the two committees (the filer's and the upper one's), the
//! office of the top committee and the leadership. Who answers it: the upper committee's own
//! office — for the top committee, its office. Everyone else is told it does not exist.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::json;

use super::messages::{Audience, Note, notify};
use super::papers::signature;
use super::planning::load_inspection;
use super::supervision::active;
use super::units::unit_ancestors;
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::filing::{
    Filing, FilingInput, FilingKind, FilingReply, FilingStatus, Names, plan_text, report_text,
    round_text, upper_committee,
};
use crate::id::Id;
use crate::inspection::{Inspection, Round};
use crate::message::MessageKind;
use crate::org::{Unit, is_committee};
use crate::page::{MAX_LIMIT, Page, PageRequest};
use crate::permission::{Actor, OfficeReach, Permission};
use crate::report::ReportStatus;
use crate::role::Role;
use crate::service::{TodoGroup, TodoItem, TodoKind};
use crate::store::{
    Answerer, FilingFilter, FilingRead, FilingWrite, InspectionFilter, ReadTx, Store, WriteTx,
};

/// What a list of filings asks for; the reader's scope is added by the service.
#[derive(Debug, Clone, Default)]
pub struct FilingQuery {
    /// Filed by this committee.
    pub committee_id: Option<Id>,
    /// Filed with this committee.
    pub upper_id: Option<Id>,
    pub kind: Option<FilingKind>,
    pub status: Option<FilingStatus>,
    pub subject_id: Option<Id>,
}

/// A filing with the names of its two committees and what the reader may do with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FilingEntry {
    #[serde(flatten)]
    pub filing: Filing,
    pub committee_name: String,
    pub upper_name: String,
    /// Whether the reader answers it (the upper office, while it waits).
    pub may_answer: bool,
    /// How its plan, round or report stands now against the text filed; given with one
    /// filing, not in lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub since_filed: Option<SinceFiled>,
}

/// How the subject of a filing stands against what was filed: both offices learn from the
/// filing's page that a plan changed after it was filed and was not filed again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SinceFiled {
    /// It still reads as filed.
    Unchanged,
    /// It changed since (or no longer stands to be filed, as a report sent back for revision
    /// or a plan removed), and no later filing holds the change.
    Changed,
    /// A later filing of the same plan, round or report replaces this one.
    Superseded,
}

impl SinceFiled {
    pub fn label(self) -> &'static str {
        match self {
            SinceFiled::Unchanged => "与报备时一致",
            SinceFiled::Changed => "报备后已有变动，尚未重新报备",
            SinceFiled::Superseded => "已有更新的报备",
        }
    }
}

/// Whether the actor reads filings at all: the leadership and every inspection office.
pub fn may_view(actor: &Actor) -> bool {
    active(actor)
        && (actor.has_role(Role::Leadership) || actor.office_reach() != OfficeReach::Nowhere)
}

/// Whether the actor files for some committee (a committee's own office), so that pages offer
/// the filing forms.
pub fn may_file_any(actor: &Actor) -> bool {
    active(actor) && !actor.office_committees().is_empty()
}

/// Whether the actor files for `committee`: its own office (the office of the top committee
/// files for none: the top committee has no upper one here).
pub(crate) fn may_file_for(actor: &Actor, committee: Id) -> bool {
    active(actor) && actor.office_committees().contains(&committee)
}

/// The committees whose filings the actor reads (by them or with them); `None` for all.
fn scope(actor: &Actor) -> Option<Vec<Id>> {
    if actor.has_role(Role::Leadership) {
        return None;
    }
    match actor.office_reach() {
        OfficeReach::Everywhere => None,
        OfficeReach::Committees(c) => Some(c),
        OfficeReach::Nowhere => Some(Vec::new()),
    }
}

fn reads(actor: &Actor, f: &Filing) -> bool {
    may_view(actor)
        && scope(actor).is_none_or(|c| c.contains(&f.committee_id) || c.contains(&f.upper_id))
}

/// Whether the actor answers filings made with `upper` (`top`: it is the top committee): its
/// own office, and for the top committee the office of the top committee. The same office
/// hears of the filings made by or with its committee.
pub(crate) fn answers(actor: &Actor, upper: Id, top: bool) -> bool {
    active(actor)
        && (actor.office_committees().contains(&upper)
            || (top && actor.has_role(Role::Office) && actor.can(Permission::ManagePlanning)))
}

/// Whether `upper` is the top committee, whose office is the office of the top committee: it
/// has no parent in the tree (as the to-do's count has it).
fn is_top(upper: &Unit) -> bool {
    upper.parent_id.is_none()
}

/// Whose filings the actor answers, for its to-do; `None` for whoever answers none.
pub(crate) fn answerer(actor: &Actor) -> Option<Answerer> {
    if !active(actor) {
        return None;
    }
    let a = Answerer {
        committees: actor.office_committees(),
        top: actor.has_role(Role::Office) && actor.can(Permission::ManagePlanning),
    };
    (a.top || !a.committees.is_empty()).then_some(a)
}

async fn load_unit<T: ReadTx>(tx: &mut T, id: Id) -> Result<Unit> {
    tx.get_unit(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("单位".into()))
}

async fn names_of<'a, T: ReadTx>(
    tx: &mut T,
    inspections: impl Iterator<Item = &'a Inspection>,
) -> Result<Names> {
    let mut ids: Vec<Id> = inspections
        .flat_map(|i| i.target_ids.iter().copied())
        .collect();
    ids.sort();
    ids.dedup();
    Ok(tx.unit_names(&ids).await?.into_iter().collect())
}

/// The inspections of a round, in the order entered. A round holds a committee's teams of
/// one round, far fewer than a page of the largest size; more are refused, never cut short.
async fn round_inspections<T: ReadTx>(tx: &mut T, round: &Round) -> Result<Vec<Inspection>> {
    let f = InspectionFilter {
        round_id: Some(round.id),
        ..Default::default()
    };
    let rows = tx
        .list_inspections(
            &f,
            &crate::access::Visible::All,
            PageRequest::first(MAX_LIMIT),
        )
        .await?;
    if rows.len() > MAX_LIMIT as usize {
        return Err(CoreError::unfit(
            "subject_id",
            format!(
                "轮次“{}”的巡视巡察组超过 {MAX_LIMIT} 个，无法整体报备",
                round.name
            ),
        ));
    }
    Ok(rows)
}

/// What a filing of `kind` and `subject` holds: the committee that sends it, its title and
/// its text. Refuses what cannot be filed (a report not yet approved), and what `reach` does
/// not run.
async fn compose<T: ReadTx>(
    tx: &mut T,
    reach: &OfficeReach,
    kind: FilingKind,
    subject: Id,
) -> Result<(Id, String, String)> {
    let missing = |what: &str| CoreError::unfit("subject_id", format!("要报备的{what}不存在"));
    // Another committee's plans and reports are not shown to exist.
    let own = |committee: Id| {
        if reach.runs(committee) {
            Ok(())
        } else {
            Err(missing(kind.label()))
        }
    };
    match kind {
        FilingKind::Plan => {
            let plan = tx
                .get_plan(subject)
                .await?
                .ok_or_else(|| missing("年度计划"))?;
            let term = tx
                .get_term(plan.term_id)
                .await?
                .ok_or_else(|| missing("届次"))?;
            own(term.dispatcher_id)?;
            let committee = load_unit(tx, term.dispatcher_id).await?;
            let mut rounds = Vec::new();
            for r in tx.list_rounds(Some(term.id)).await? {
                if r.plan_id == plan.id {
                    let list = round_inspections(tx, &r).await?;
                    rounds.push((r, list));
                }
            }
            let names = names_of(tx, rounds.iter().flat_map(|(_, i)| i)).await?;
            let title = format!("{}{}年度巡察工作计划", committee.name, plan.year);
            let text = plan_text(&committee.name, &term, &plan, &rounds, &names);
            Ok((committee.id, title, text))
        }
        FilingKind::Round => {
            let round = tx
                .get_round(subject)
                .await?
                .ok_or_else(|| missing("轮次"))?;
            let term = tx
                .get_term(round.term_id)
                .await?
                .ok_or_else(|| missing("届次"))?;
            own(term.dispatcher_id)?;
            let committee = load_unit(tx, term.dispatcher_id).await?;
            let list = round_inspections(tx, &round).await?;
            let names = names_of(tx, list.iter()).await?;
            let title = format!(
                "{}{}第{}轮巡察工作安排",
                committee.name, round.year, round.number
            );
            let text = format!(
                "{}巡察工作安排（{}）\n\n{}",
                committee.name,
                term.name,
                round_text(&round, &list, &names)
            );
            Ok((committee.id, title, text))
        }
        FilingKind::Report => {
            let report = tx
                .get_report(subject)
                .await?
                .ok_or_else(|| missing("报告"))?;
            let insp = load_inspection(tx, report.inspection_id).await?;
            own(insp.dispatcher_id)?;
            if report.status != ReportStatus::Approved {
                return Err(CoreError::unfit(
                    "subject_id",
                    format!(
                        "报告“{}”尚未审定（{}），审定后才能报备",
                        report.title,
                        report.status.label()
                    ),
                ));
            }
            let version = tx
                .get_report_version(report.id, report.current_version)
                .await?
                .ok_or_else(|| missing("报告稿"))?;
            let names = names_of(tx, std::iter::once(&insp)).await?;
            let targets: Vec<&str> = insp
                .target_ids
                .iter()
                .filter_map(|t| names.get(t).map(String::as_str))
                .collect();
            let text = report_text(&report, &version, &insp.team_name, &targets.join("、"));
            Ok((insp.dispatcher_id, report.title.clone(), text))
        }
    }
}

/// The filings with their committees' names and whether the actor answers each: the names
/// in one read, and whether a committee is the top one once per committee.
async fn entries<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    list: Vec<Filing>,
) -> Result<Vec<FilingEntry>> {
    let mut ids: Vec<Id> = list
        .iter()
        .flat_map(|f| [f.committee_id, f.upper_id])
        .collect();
    ids.sort();
    ids.dedup();
    let names: HashMap<Id, String> = tx.unit_names(&ids).await?.into_iter().collect();
    let mut top: HashMap<Id, bool> = HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for f in list {
        let may_answer = if f.status == FilingStatus::Filed {
            let is = match top.get(&f.upper_id) {
                Some(t) => *t,
                None => {
                    let t = is_top(&load_unit(tx, f.upper_id).await?);
                    top.insert(f.upper_id, t);
                    t
                }
            };
            answers(actor, f.upper_id, is)
        } else {
            false
        };
        out.push(FilingEntry {
            committee_name: names.get(&f.committee_id).cloned().unwrap_or_default(),
            upper_name: names.get(&f.upper_id).cloned().unwrap_or_default(),
            may_answer,
            since_filed: None,
            filing: f,
        });
    }
    Ok(out)
}

async fn entry<T: ReadTx>(tx: &mut T, actor: &Actor, f: Filing) -> Result<FilingEntry> {
    entries(tx, actor, vec![f])
        .await?
        .pop()
        .ok_or_else(|| CoreError::internal("a filing without its entry"))
}

/// The filings waiting for the actor's answer, the newest first, with their count; `None` when
/// none wait or the actor answers none. The store's filter follows [`answers`]; a row the rule
/// refuses would be a disagreement between them, and is neither shown nor counted.
pub(crate) async fn waiting_items<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    limit: u32,
) -> Result<Option<TodoGroup>> {
    let Some(answerer) = answerer(actor) else {
        return Ok(None);
    };
    let f = FilingFilter {
        status: Some(FilingStatus::Filed),
        answered_by: Some(answerer),
        ..Default::default()
    };
    let mut total = tx.count_filings(&f).await?;
    if total == 0 {
        return Ok(None);
    }
    let mut rows = tx.list_filings(&f, PageRequest::first(limit)).await?;
    rows.truncate(limit as usize);
    let mut list = entries(tx, actor, rows).await?;
    let before = list.len();
    list.retain(|e| e.may_answer);
    total -= (before - list.len()) as i64;
    let items = list
        .into_iter()
        .map(|e| TodoItem {
            kind: TodoKind::FilingAnswer,
            object_id: Some(e.filing.id),
            inspection_id: None,
            title: format!("{}：{}", e.filing.kind.label(), e.filing.title),
            unit_name: Some(e.committee_name),
            since: Some(super::planning::today(e.filing.filed.at)),
            due: None,
            colour: None,
        })
        .collect();
    Ok((total > 0).then_some(TodoGroup {
        kind: TodoKind::FilingAnswer,
        total,
        items,
    }))
}

fn require_viewer(actor: &Actor) -> Result<()> {
    if actor.as_user().is_none() && !actor.is_system() {
        return Err(CoreError::Unauthenticated("请先登录".into()));
    }
    if !may_view(actor) {
        return Err(CoreError::Forbidden(
            "报备事项供各级巡视巡察办和领导小组查看".into(),
        ));
    }
    Ok(())
}

impl<S: Store> Services<S> {
    /// Files a plan, a round or an approved report of the actor's committee with the committee
    /// above. Filing the same text again, before or after the answer, is refused: only a
    /// changed plan is filed anew.
    pub async fn file(&self, actor: &Actor, input: &FilingInput) -> Result<FilingEntry> {
        require_viewer(actor)?;
        let (kind, subject) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (committee_id, title, content) =
            compose(&mut tx, &actor.office_reach(), kind, subject).await?;
        if !may_file_for(actor, committee_id) {
            return Err(CoreError::Forbidden(
                "报备由本级党委的巡察办向上级报送；上级巡视办无需向自身报备".into(),
            ));
        }
        let committee = load_unit(&mut tx, committee_id).await?;
        let above = unit_ancestors(&mut tx, &committee).await?;
        let Some(upper) = upper_committee(&above).cloned() else {
            return Err(CoreError::unfit(
                "subject_id",
                format!("“{}”之上没有党委，无处报备", committee.name),
            ));
        };
        let digest = self.suite.hash().content_name(content.as_bytes());
        let earlier = tx
            .list_filings(
                &FilingFilter {
                    subject_id: Some(subject),
                    ..Default::default()
                },
                PageRequest::first(1),
            )
            .await?;
        if earlier.first().is_some_and(|e| e.digest == digest) {
            return Err(CoreError::unfit(
                "subject_id",
                format!("“{title}”已报备，内容没有变化，无需重复报备"),
            ));
        }
        let f = Filing {
            id: Id::new(),
            committee_id,
            upper_id: upper.id,
            kind,
            subject_id: subject,
            title,
            content,
            digest,
            filed: signature(actor, now),
            status: FilingStatus::Filed,
            reply: String::new(),
            replied: None,
            version: 1,
        };
        tx.insert_filing(&f).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FilingSubmitted,
                "filing",
                Some(f.id),
                json!({ "kind": kind.as_str(), "subject_id": subject, "committee_id": committee_id,
                        "upper_id": upper.id, "digest": f.digest }),
            ),
        )
        .await?;
        let top = is_top(&upper);
        notify(
            &mut tx,
            actor,
            Audience::CommitteeOffice(upper.id, top),
            &Note {
                event_key: format!("filing:{}", f.id),
                kind: MessageKind::Decision,
                title: "收到下级报备".into(),
                body: format!(
                    "{}报备了{}“{}”，请在“上下级报备”中阅知或提出意见。",
                    committee.name,
                    kind.label(),
                    f.title
                ),
                about: Some(TodoKind::FilingAnswer),
                object_id: Some(f.id),
                inspection_id: None,
            },
            now,
        )
        .await?;
        let out = entry(&mut tx, actor, f).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The upper office's answer: acknowledged, or its comments, once, on the version read.
    pub async fn answer_filing(
        &self,
        actor: &Actor,
        id: Id,
        input: &FilingReply,
    ) -> Result<FilingEntry> {
        require_viewer(actor)?;
        let (status, reply) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_filing(id)
            .await?
            .filter(|f| reads(actor, f))
            .ok_or_else(|| CoreError::NotFound("报备".into()))?;
        let upper = load_unit(&mut tx, before.upper_id).await?;
        if !answers(actor, upper.id, is_top(&upper)) {
            return Err(CoreError::Forbidden(format!(
                "报备由受理报备的“{}”巡视巡察办答复",
                upper.name
            )));
        }
        if before.version != input.version {
            return Err(CoreError::StaleVersion(format!("报备“{}”", before.title)));
        }
        if before.status != FilingStatus::Filed {
            return Err(CoreError::RuleRefused(format!(
                "该报备已答复（{}）",
                before.status.label()
            )));
        }
        let after = Filing {
            status,
            reply,
            replied: Some(signature(actor, now)),
            version: before.version + 1,
            ..before
        };
        tx.update_filing(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FilingAnswered,
                "filing",
                Some(id),
                json!({ "status": status.as_str(), "reply": after.reply }),
            ),
        )
        .await?;
        let committee = load_unit(&mut tx, after.committee_id).await?;
        let top = is_top(&committee);
        notify(
            &mut tx,
            actor,
            Audience::CommitteeOffice(committee.id, top),
            &Note {
                event_key: format!("filing_answered:{id}"),
                kind: MessageKind::Decision,
                title: "上级已答复报备".into(),
                body: format!("{}对“{}”：{}。", upper.name, after.title, status.label()),
                about: Some(TodoKind::FilingAnswer),
                object_id: Some(id),
                inspection_id: None,
            },
            now,
        )
        .await?;
        let out = entry(&mut tx, actor, after).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// One filing, for those who read it. Opening a filed report is recorded, as reading the
    /// report itself is.
    pub async fn get_filing(&self, actor: &Actor, id: Id) -> Result<FilingEntry> {
        require_viewer(actor)?;
        let mut tx = self.store.read().await?;
        let f = tx
            .get_filing(id)
            .await?
            .filter(|f| reads(actor, f))
            .ok_or_else(|| CoreError::NotFound("报备".into()))?;
        let kind = f.kind;
        let since = self.since_filed(&mut tx, &f).await?;
        let mut out = entry(&mut tx, actor, f).await?;
        out.since_filed = Some(since);
        drop(tx);
        if kind == FilingKind::Report {
            self.record_shown(
                actor,
                self.now(),
                AuditEntry::new(Action::FilingViewed, "filing", Some(id), json!({})),
            )
            .await?;
        }
        Ok(out)
    }

    /// The filings the actor reads, newest first, a page at a time with the total.
    pub async fn list_filings(
        &self,
        actor: &Actor,
        q: &FilingQuery,
        page: PageRequest,
    ) -> Result<Page<FilingEntry>> {
        require_viewer(actor)?;
        let f = FilingFilter {
            among: scope(actor),
            committee_id: q.committee_id,
            upper_id: q.upper_id,
            kind: q.kind,
            status: q.status,
            subject_id: q.subject_id,
            answered_by: None,
        };
        let mut tx = self.store.read().await?;
        let total = tx.count_filings(&f).await?;
        let rows = tx.list_filings(&f, page).await?;
        let page = Page::from_rows(rows, page.limit, |f| f.id).with_total(total);
        let items = entries(&mut tx, actor, page.items).await?;
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
            total: page.total,
        })
    }

    /// How `f`'s subject stands now: a later filing of it replaces `f`; otherwise its text is
    /// composed again from the stored records, as at filing, and its digest compared. A
    /// subject that can no longer be filed as it stands has changed.
    async fn since_filed<T: ReadTx>(&self, tx: &mut T, f: &Filing) -> Result<SinceFiled> {
        let newest = tx
            .list_filings(
                &FilingFilter {
                    subject_id: Some(f.subject_id),
                    ..Default::default()
                },
                PageRequest::first(1),
            )
            .await?;
        if newest.first().is_some_and(|n| n.id != f.id) {
            return Ok(SinceFiled::Superseded);
        }
        match compose(tx, &OfficeReach::Everywhere, f.kind, f.subject_id).await {
            Ok((_, _, text)) => {
                let digest = self.suite.hash().content_name(text.as_bytes());
                Ok(if digest == f.digest {
                    SinceFiled::Unchanged
                } else {
                    SinceFiled::Changed
                })
            }
            Err(CoreError::Unfit(_) | CoreError::NotFound(_)) => Ok(SinceFiled::Changed),
            Err(e) => Err(e),
        }
    }

    /// The committees the actor files for, with the committee each files with: the choices of
    /// the filing forms. Empty for whoever files for none.
    pub async fn filing_committees(&self, actor: &Actor) -> Result<Vec<(Unit, Unit)>> {
        if !may_file_any(actor) {
            return Ok(Vec::new());
        }
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for c in actor.office_committees() {
            let Some(unit) = tx.get_unit(c).await?.filter(is_committee) else {
                continue;
            };
            if let Some(upper) = upper_committee(&unit_ancestors(&mut tx, &unit).await?).cloned() {
                out.push((unit, upper));
            }
        }
        Ok(out)
    }
}
