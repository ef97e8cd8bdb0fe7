//! Reports and disclosure. The unit's principal leader or liaison assembles a document from the
//! ledger, edits it in revisions and submits it to the inspection office: the rectification
//! report and the principal leader's report stop there (the office reads them, and their date
//! is what the report-due clock marks done); the public progress notice goes on to the office,
//! which approves it for the public page or returns it with a reason.
//!
//! The public reads published notices without logging in. A task marked not for disclosure
//! never enters a draft, and a notice naming one is refused at submission and at approval.
//! Publication then changes only by decision, never as a side effect of a read or of progress:
//! the office withdraws a notice; a newer notice of the unit supersedes it (the old one is
//! kept, marked superseded); and marking a task not for disclosure after publication sends the
//! unit's published notices to the office for review, off the public page at once, until the
//! office publishes them again (refused while they name what is withheld) or withdraws them.

use jiff::civil::Date;
use serde::Serialize;
use serde_json::json;

use super::messages::{Audience, Note, notify};
use super::papers::signature;
use super::planning::{load_inspection, today};
use super::{Services, TodoKind, record};
use crate::access::{Visible, visible_inspections};
use crate::audit::{Action, AuditEntry};
use crate::deadline::{Colour, DEFAULT_WARN_DAYS};
use crate::disclosure::{
    DocAccess, DocCollection, DocKind, DocStatus, DocumentInput, Facts, ProblemFacts, RectDocument,
    Revision, TaskFacts, assemble, check_ready, doc_access, leaks, withheld,
};
use crate::error::{CoreError, Result};
use crate::feedback::FeedbackStatus;
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::message::MessageKind;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::Actor;
use crate::rectify::seq_key;
use crate::role::{Role, Scope};
use crate::store::{
    DiscloseRead, DiscloseWrite, DocFilter, DocSort, InspectionFilter, PlanningRead, ReadTx,
    RectifyScope, Store, TaskFilter, WriteTx,
};

/// What the actor may do with a document now.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct DocRights {
    /// Edit the text, or assemble it again from the ledger.
    pub edit: bool,
    pub submit: bool,
    /// Approve or return a submitted notice.
    pub decide: bool,
    /// Withdraw a notice that is published or awaiting review.
    pub withdraw: bool,
    /// Publish again a notice sent back for review.
    pub republish: bool,
}

/// A document with the names a reader needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentEntry {
    #[serde(flatten)]
    pub document: RectDocument,
    pub unit_name: String,
    /// 自治区党委第三巡视组.
    pub team: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentDetail {
    #[serde(flatten)]
    pub entry: DocumentEntry,
    /// Oldest first.
    pub revisions: Vec<Revision>,
    pub rights: DocRights,
    /// For a notice in force (published or awaiting review): the phrases it names that the
    /// ledger now withholds. Not empty means it cannot be published again as it stands.
    pub withheld_now: Vec<String>,
}

/// A published notice as the public reads it: the text, who issued it, when.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicNotice {
    pub id: Id,
    pub title: String,
    pub unit_name: String,
    pub issuer: String,
    /// One paragraph a line, the contact details last.
    pub text: String,
    #[schema(value_type = String, format = Date)]
    pub published_on: Date,
}

/// An inspected unit after feedback whose documents the actor may open.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DisclosureTarget {
    pub inspection_id: Id,
    pub team: String,
    pub unit_id: Id,
    pub unit_name: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub feedback_on: Option<Date>,
    /// May draft and submit (the unit's principal leader and liaison).
    pub may_draft: bool,
    /// When the unit's first rectification report reached the office, if it did.
    #[schema(value_type = Option<String>, format = Date)]
    pub rectification_submitted_on: Option<Date>,
    /// When the unit's first principal leader's report reached the office, if it did.
    #[schema(value_type = Option<String>, format = Date)]
    pub principal_submitted_on: Option<Date>,
}

/// The day the unit's two reports are both with the office — the rectification report and the
/// principal leader's report, each counted from its first submission — or `None` while either
/// is missing. This is what the report-due clock marks done (the rule asks for both within two
/// months of feedback).
pub async fn report_submitted_on<T: ReadTx>(
    tx: &mut T,
    inspection_id: Id,
    unit_id: Id,
) -> Result<Option<Date>> {
    let mut last: Option<Date> = None;
    for kind in DocKind::REPORTS {
        match tx.first_submitted_on(inspection_id, unit_id, *kind).await? {
            Some(d) => last = Some(last.map_or(d, |l| l.max(d))),
            None => return Ok(None),
        }
    }
    Ok(last)
}

async fn unit_name<T: ReadTx>(tx: &mut T, id: Id) -> Result<String> {
    Ok(tx
        .get_unit(id)
        .await?
        .map(|u| u.name)
        .unwrap_or_else(|| id.to_string()))
}

/// 自治区党委第三巡视组.
async fn team_name<T: ReadTx>(tx: &mut T, insp: &Inspection) -> Result<String> {
    let dispatcher = unit_name(tx, insp.dispatcher_id).await?;
    Ok(if insp.team_name.starts_with(&dispatcher) {
        insp.team_name.clone()
    } else {
        format!("{dispatcher}{}", insp.team_name)
    })
}

/// What the documents of one unit are assembled from: the inspection, the feedback given to
/// the unit, and its ledger — the plan's leading group and organisation, each problem's tasks
/// (withdrawn ones left out) in ledger order with their latest progress.
async fn gather_facts<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    unit_id: Id,
    today: Date,
) -> Result<Facts> {
    let fb = tx
        .get_feedback(insp.id)
        .await?
        .filter(|f| f.status == FeedbackStatus::Given)
        .ok_or_else(|| CoreError::RuleRefused("巡视意见尚未反馈，不能起草整改报告或通报".into()))?;
    let plan = tx.find_rect_plan(insp.id, unit_id).await?;
    let mut tasks = tx
        .all_tasks(&TaskFilter {
            inspection_id: Some(insp.id),
            unit_id: Some(unit_id),
            ..Default::default()
        })
        .await?;
    tasks.sort_by_key(|t| seq_key(&t.seq));
    let ids: Vec<Id> = tasks.iter().map(|t| t.id).collect();
    let latest = tx.latest_progress(&ids).await?;
    let mut problems = Vec::new();
    for g in &fb.groups {
        for item in &g.items {
            // An inspection of two or three units feeds back each its own problems.
            if insp.target_ids.len() > 1 {
                let p = tx.get_problem(item.problem_id).await?;
                if p.is_none_or(|p| p.target_unit_id != unit_id) {
                    continue;
                }
            }
            let tasks = tasks
                .iter()
                .filter(|t| t.problem_id == item.problem_id)
                .map(|t| TaskFacts {
                    seq: t.seq.clone(),
                    measure: t.measure.clone(),
                    status: t.status,
                    due: t.due,
                    progress: t.progress,
                    latest: latest
                        .iter()
                        .find(|r| r.task_id == t.id)
                        .map(|r| r.text.clone()),
                    not_for_disclosure: t.not_for_disclosure,
                    overdue: t.colour(today, DEFAULT_WARN_DAYS) == Colour::Red,
                })
                .collect();
            problems.push(ProblemFacts {
                problem_id: item.problem_id,
                category: g.category_name.clone(),
                title: item.title.clone(),
                tasks,
            });
        }
    }
    let (leading_group, organisation) = plan
        .map(|p| (p.leading_group, p.organisation))
        .unwrap_or_default();
    Ok(Facts {
        dispatcher: unit_name(tx, insp.dispatcher_id).await?,
        team_name: insp.team_name.clone(),
        unit_name: unit_name(tx, unit_id).await?,
        entry: insp.dates.entry,
        exit: insp.dates.exit,
        feedback: insp.dates.feedback,
        today,
        leading_group,
        organisation,
        problems,
    })
}

/// Whether the actor decides on the public notices of `unit_id` for `insp` (approves, returns,
/// withdraws, publishes again): the office, for a unit not its own, until the inspection is
/// archived. The to-do asks the same.
pub(crate) fn decides_notices(actor: &Actor, insp: &Inspection, unit_id: Id) -> bool {
    doc_access(actor, insp, unit_id) == DocAccess::Office
        && insp.stage != Stage::Archived
        && !crate::own_unit::belongs_to(actor, unit_id)
}

fn rights(access: DocAccess, insp: &Inspection, d: &RectDocument, actor: &Actor) -> DocRights {
    let open = insp.stage != Stage::Archived;
    let unit = access == DocAccess::Unit && open && d.status.editable();
    let office = d.kind == DocKind::PublicNotice && decides_notices(actor, insp, d.unit_id);
    DocRights {
        edit: unit,
        submit: unit,
        decide: office && d.status == DocStatus::Submitted,
        withdraw: office && d.status.in_force(),
        republish: office && d.status == DocStatus::NeedsReview,
    }
}

/// The office's written reason for returning or withdrawing a notice.
fn decision_reason(comment: &str, what: &str) -> Result<String> {
    let comment = comment.trim();
    if comment.is_empty() {
        return Err(CoreError::unfit("comment", format!("{what}须写明意见")));
    }
    if comment.chars().count() > 2000 {
        return Err(CoreError::bad_input("comment", "意见不能超过 2000 个字"));
    }
    Ok(comment.to_owned())
}

/// The unit's notices for the inspection that are in force (published or awaiting review).
/// The rules keep at most one in force, as approving a notice supersedes the others, but
/// every page is read so that none is left behind.
async fn notices_in_force<T: ReadTx>(
    tx: &mut T,
    inspection_id: Id,
    unit_id: Id,
) -> Result<Vec<RectDocument>> {
    let mut out = Vec::new();
    for status in [DocStatus::Published, DocStatus::NeedsReview] {
        let filter = DocFilter {
            inspection_id: Some(inspection_id),
            unit_id: Some(unit_id),
            kinds: vec![DocKind::PublicNotice],
            status: Some(status),
            ..Default::default()
        };
        let mut page = PageRequest::first(crate::page::MAX_LIMIT);
        loop {
            let rows = tx.list_rect_documents(&filter, page).await?;
            let more = rows.len() > page.limit as usize;
            out.extend(rows.into_iter().take(page.limit as usize));
            match out.last() {
                Some(last) if more => page.after = Some(last.id),
                _ => break,
            }
        }
    }
    Ok(out)
}

/// Moves a notice to `status` and writes it with its audit record, in `tx`. `decision` is the
/// office's comment when the office decides (the move is then signed by the actor); `None`
/// when the move follows from another change, whose cause the audit record names.
#[allow(clippy::too_many_arguments)]
async fn move_notice<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    now: jiff::Timestamp,
    before: &RectDocument,
    status: DocStatus,
    decision: Option<String>,
    action: Action,
    summary: serde_json::Value,
) -> Result<RectDocument> {
    let mut after = RectDocument {
        status,
        version: before.version + 1,
        updated_at: now,
        ..before.clone()
    };
    if let Some(comment) = decision {
        after.decided = Some(signature(actor, now));
        after.decision_comment = comment;
    }
    tx.update_rect_document(&after).await?;
    let entry = AuditEntry::new(action, "rect_document", Some(after.id), summary);
    record(tx, actor, now, entry).await?;
    Ok(after)
}

/// Tells whoever speaks for the unit the office's decision on its notice (published, or
/// returned with the reason), in the decision's transaction.
async fn tell_unit<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    now: jiff::Timestamp,
    insp: &Inspection,
    after: &RectDocument,
) -> Result<()> {
    let (title, body) = if after.status == DocStatus::Published {
        (
            "整改进展通报已审核通过",
            format!("整改进展通报“{}”已审核通过并公开。", after.title),
        )
    } else {
        (
            "整改进展通报被退回修改",
            format!(
                "整改进展通报“{}”被退回修改，审核意见：{}",
                after.title, after.decision_comment
            ),
        )
    };
    let note = Note::new(
        format!("notice_decided:{}:{}", after.id, after.version),
        MessageKind::Decision,
        title,
        body,
        (TodoKind::NoticeDecide, after.id, insp.id),
    );
    notify(tx, actor, Audience::Unit(after.unit_id), &note, now).await?;
    Ok(())
}

/// Sends the unit's published notices for the inspection back to the office for review, in
/// the transaction that marked `task` not for disclosure: they leave the public page at once
/// and wait for the office's decision.
pub(crate) async fn review_after_marking<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    now: jiff::Timestamp,
    task: &crate::rectify::Task,
) -> Result<()> {
    let published = notices_in_force(tx, task.inspection_id, task.unit_id).await?;
    for before in published
        .iter()
        .filter(|d| d.status == DocStatus::Published)
    {
        let summary =
            json!({ "task_id": task.id, "task_seq": task.seq, "revision": before.revision });
        let (status, action) = (DocStatus::NeedsReview, Action::PublicNoticeNeedsReview);
        let after = move_notice(tx, actor, now, before, status, None, action, summary).await?;
        let insp = load_inspection(tx, after.inspection_id).await?;
        notify(
            tx,
            actor,
            Audience::Acts(TodoKind::NoticeReview, &insp, Some(after.unit_id)),
            &Note::new(
                format!("notice_needs_review:{}:{}", after.id, after.version),
                MessageKind::Handover,
                "整改进展通报待复核",
                format!(
                    "已公开的整改进展通报“{}”因整改任务 {} 标记为不予公开，已撤下，请复核。",
                    after.title, task.seq
                ),
                (TodoKind::NoticeReview, after.id, insp.id),
            ),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Loads a document for someone who may at least read it; others are told it does not exist.
pub(crate) async fn readable<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    id: Id,
    collection: Option<DocCollection>,
) -> Result<(RectDocument, Inspection, DocAccess)> {
    let what = collection.map_or("整改报告或通报", DocCollection::what);
    let d = tx
        .get_rect_document(id)
        .await?
        .filter(|d| collection.is_none_or(|c| c.holds(d.kind)))
        .ok_or_else(|| CoreError::NotFound(what.into()))?;
    let insp = load_inspection(tx, d.inspection_id).await?;
    let access = doc_access(actor, &insp, d.unit_id);
    if access == DocAccess::None {
        return Err(CoreError::NotFound(what.into()));
    }
    Ok((d, insp, access))
}

/// Requires the unit's own principal leader or liaison, and an inspection not yet archived.
fn require_unit(access: DocAccess, insp: &Inspection, what: &str) -> Result<()> {
    if access != DocAccess::Unit {
        return Err(CoreError::Forbidden(format!(
            "只有被巡视单位的主要负责人或联络员可以{what}"
        )));
    }
    crate::archive::refuse_if_archived(insp)
}

fn require_editable(d: &RectDocument) -> Result<()> {
    if !d.status.editable() {
        return Err(CoreError::RuleRefused(format!(
            "“{}”{}，不能修改",
            d.title,
            d.status.label()
        )));
    }
    Ok(())
}

fn refuse_leaks(text: &str, withheld: &[String]) -> Result<()> {
    let found = leaks(text, withheld);
    if found.is_empty() {
        return Ok(());
    }
    Err(CoreError::RuleRefused(format!(
        "通报中含有已标记为不予公开的内容，请删除后再报送：{}",
        found.join("；")
    )))
}

const NOT_SUBMITTED: &str = "没有待审核的报送";
const NOT_IN_FORCE: &str = "不在公开状态，无需撤回";
const NOT_IN_REVIEW: &str = "没有待复核的事项";

fn is_submitted(s: DocStatus) -> bool {
    s == DocStatus::Submitted
}

fn is_in_review(s: DocStatus) -> bool {
    s == DocStatus::NeedsReview
}

/// The public's view of a published notice: its text as approved. Nothing is checked here:
/// what is public changes only by the decisions above.
fn public_view(d: RectDocument, unit_name: String) -> PublicNotice {
    PublicNotice {
        id: d.id,
        unit_name,
        text: d.full_text(),
        issuer: d.issuer,
        published_on: d.published_on.unwrap_or_else(|| today(d.updated_at)),
        title: d.title,
    }
}

/// Whose documents a list may show the actor; `None` for everything.
fn scope_of(actor: &Actor) -> Option<RectifyScope> {
    let all = [
        Role::Office,
        Role::Leadership,
        Role::Discipline,
        Role::Organization,
    ];
    if actor.is_system() || all.iter().any(|r| actor.has_role(*r)) {
        return None;
    }
    let mut scope = RectifyScope::default();
    for g in actor.grants() {
        match (g.role, g.scope) {
            (Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff, Scope::Unit(u)) => {
                scope.units.push(u)
            }
            (Role::TeamLeader | Role::TeamDeputy | Role::TeamMember, Scope::Inspection(i)) => {
                scope.inspections.push(i)
            }
            _ => {}
        }
    }
    scope.dispatchers = actor.office_committees();
    Some(scope)
}

/// The units whose documents the actor reads in no role (`DocFilter::not_overseen`): those
/// it belongs to (`own_unit`) but holds no role of the unit itself in, where [`doc_access`]
/// counts only such roles.
fn not_overseen(actor: &Actor) -> Vec<Id> {
    let as_unit: Vec<Id> = actor
        .grants()
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff, Scope::Unit(u)) => Some(u),
            _ => None,
        })
        .collect();
    crate::own_unit::units(actor)
        .into_iter()
        .filter(|u| !as_unit.contains(u))
        .collect()
}

async fn entry<T: ReadTx>(tx: &mut T, d: RectDocument, insp: &Inspection) -> Result<DocumentEntry> {
    Ok(DocumentEntry {
        unit_name: unit_name(tx, d.unit_id).await?,
        team: team_name(tx, insp).await?,
        document: d,
    })
}

impl<S: Store> Services<S> {
    /// The inspected units after feedback whose reports and notices the actor may open.
    pub async fn disclosure_targets(&self, actor: &Actor) -> Result<Vec<DisclosureTarget>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let visible = match scope_of(actor) {
            None => Visible::All,
            Some(_) => visible_inspections(actor),
        };
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        // Those who see every unit are offered the most recent inspections after feedback;
        // the others all of theirs.
        let cap = (visible == Visible::All).then_some(super::supervision::PICKER_MAX);
        let f = InspectionFilter {
            fed_back: true,
            newest_first: true,
            ..Default::default()
        };
        let mut page = PageRequest::first(cap.unwrap_or(500));
        loop {
            let rows = tx.list_inspections(&f, &visible, page).await?;
            let more = rows.len() > page.limit as usize;
            let rows: Vec<Inspection> = rows.into_iter().take(page.limit as usize).collect();
            let ids: Vec<Id> = rows
                .iter()
                .flat_map(|i| i.target_ids.iter().copied())
                .collect();
            let names: std::collections::HashMap<Id, String> =
                tx.unit_names(&ids).await?.into_iter().collect();
            let insp_ids: Vec<Id> = rows.iter().map(|i| i.id).collect();
            let submitted = tx.first_submitted_dates(&insp_ids).await?;
            for insp in &rows {
                let team = team_name(&mut tx, insp).await?;
                for unit in &insp.target_ids {
                    let access = doc_access(actor, insp, *unit);
                    if access == DocAccess::None {
                        continue;
                    }
                    let first_of = |kind: DocKind| {
                        submitted
                            .iter()
                            .find(|s| {
                                s.inspection_id == insp.id && s.unit_id == *unit && s.kind == kind
                            })
                            .map(|s| s.on)
                    };
                    out.push(DisclosureTarget {
                        inspection_id: insp.id,
                        team: team.clone(),
                        unit_id: *unit,
                        unit_name: names.get(unit).cloned().unwrap_or_else(|| unit.to_string()),
                        feedback_on: insp.dates.feedback,
                        may_draft: access == DocAccess::Unit && insp.stage != Stage::Archived,
                        rectification_submitted_on: first_of(DocKind::Rectification),
                        principal_submitted_on: first_of(DocKind::PrincipalReport),
                    });
                }
            }
            match rows.last() {
                Some(last) if more && cap.is_none() => page.after = Some(last.id),
                _ => break,
            }
        }
        Ok(out)
    }

    /// Assembles a new document of `kind` for the unit from its ledger, as revision 1. A unit
    /// edits one draft of each kind at a time; a notice awaiting the office counts as one.
    pub async fn draft_rect_document(
        &self,
        actor: &Actor,
        inspection_id: Id,
        unit_id: Id,
        kind: DocKind,
    ) -> Result<RectDocument> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let access = doc_access(actor, &insp, unit_id);
        if access == DocAccess::None {
            return Err(CoreError::NotFound("巡视任务".into()));
        }
        require_unit(access, &insp, &format!("起草{}", kind.label()))?;
        // One draft of a kind at a time, a notice awaiting the office counting as one: each
        // state asked for by itself, so no number of earlier documents hides one.
        let mut open = None;
        for status in [DocStatus::Draft, DocStatus::Returned, DocStatus::Submitted] {
            if status == DocStatus::Submitted && kind != DocKind::PublicNotice {
                continue;
            }
            let filter = DocFilter {
                inspection_id: Some(insp.id),
                unit_id: Some(unit_id),
                kinds: vec![kind],
                status: Some(status),
                ..Default::default()
            };
            open = tx
                .list_rect_documents(&filter, PageRequest::first(1))
                .await?
                .into_iter()
                .next();
            if open.is_some() {
                break;
            }
        }
        if let Some(d) = open {
            return Err(CoreError::Conflict(format!(
                "已有{}的“{}”，请在其基础上修改",
                d.status.label(),
                d.title
            )));
        }
        let facts = gather_facts(&mut tx, &insp, unit_id, today(now)).await?;
        let draft = assemble(kind, &facts);
        let sig = signature(actor, now);
        let d = RectDocument {
            id: Id::new(),
            kind,
            inspection_id: insp.id,
            unit_id,
            title: draft.title,
            body: draft.body,
            addressee: draft.addressee,
            issuer: draft.issuer,
            contact: Default::default(),
            status: DocStatus::Draft,
            revision: 1,
            created: sig.clone(),
            submitted: None,
            submitted_on: None,
            decided: None,
            decision_comment: String::new(),
            published_on: None,
            version: 1,
            updated_at: now,
        };
        tx.insert_rect_document(&d).await?;
        tx.insert_revision(&Revision {
            document_id: d.id,
            number: 1,
            title: d.title.clone(),
            body: d.body.clone(),
            contact: d.contact.clone(),
            note: "根据整改台账生成".into(),
            created: sig,
        })
        .await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RectDocumentDrafted,
                "rect_document",
                Some(d.id),
                json!({
                    "kind": kind, "inspection_id": insp.id, "unit_id": unit_id,
                    "problems": facts.problems.len(),
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Assembles the rectification report or the principal leader's report.
    pub async fn draft_rectification_report(
        &self,
        actor: &Actor,
        inspection_id: Id,
        unit_id: Id,
        kind: DocKind,
    ) -> Result<RectDocument> {
        if !kind.is_report() {
            return Err(CoreError::bad_input(
                "kind",
                "报告类型应为 rectification（整改情况报告）或 principal_report（主要负责人组织落实整改情况的报告）",
            ));
        }
        self.draft_rect_document(actor, inspection_id, unit_id, kind)
            .await
    }

    /// Assembles the public progress notice.
    pub async fn draft_public_notice(
        &self,
        actor: &Actor,
        inspection_id: Id,
        unit_id: Id,
    ) -> Result<RectDocument> {
        self.draft_rect_document(actor, inspection_id, unit_id, DocKind::PublicNotice)
            .await
    }

    /// Documents the actor may read, filtered; `f.scope` is set from the actor.
    pub async fn list_rect_documents(
        &self,
        actor: &Actor,
        f: &DocFilter,
        page: PageRequest,
    ) -> Result<Page<DocumentEntry>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .rect_document_page(actor, f, DocSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the documents the actor may read, narrowed by `f` and sorted by `sort`, from
    /// the cursor `at` (none: the first page; back without a row: the last page), `limit` of
    /// them, with the cursors of the pages next to it and the total, counted by the database
    /// under the same filter and scope as the rows: the reader's scope (`f.scope`, set from
    /// the actor) and the own-unit rule (no document of a unit the reader belongs to unless
    /// through a role of that unit), as [`doc_access`] decides each.
    pub async fn rect_document_page(
        &self,
        actor: &Actor,
        f: &DocFilter,
        sort: DocSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<DocumentEntry>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let f = DocFilter {
            scope: scope_of(actor),
            not_overseen: not_overseen(actor),
            ..f.clone()
        };
        let mut tx = self.store.read().await?;
        let total = tx.count_rect_documents(&f).await?;
        let want = SortedPage::<RectDocument>::want(at, total, limit)?;
        let rows = tx.rect_documents_sorted(&f, sort, at, want).await?;
        let page = SortedPage::from_walk(rows, sort, at, want, total, |d: &RectDocument| {
            (sort.key_of(d), d.id)
        });
        let mut items = Vec::with_capacity(page.items.len());
        for d in page.items {
            let insp = load_inspection(&mut tx, d.inspection_id).await?;
            // The store narrows by the same rule; the one rule of who sees what stays in
            // doc_access, which therefore drops nothing the count counted.
            if doc_access(actor, &insp, d.unit_id) == DocAccess::None {
                continue;
            }
            items.push(entry(&mut tx, d, &insp).await?);
        }
        Ok(SortedPage {
            items,
            next_cursor: page.next_cursor,
            prev_cursor: page.prev_cursor,
            total,
        })
    }

    /// One document with its revisions and what the actor may do with it; with a collection,
    /// a document of the other collection is not there.
    pub async fn rect_document(
        &self,
        actor: &Actor,
        id: Id,
        collection: Option<DocCollection>,
    ) -> Result<DocumentDetail> {
        let mut tx = self.store.read().await?;
        let (d, insp, access) = readable(&mut tx, actor, id, collection).await?;
        let withheld_now = if d.status.in_force() {
            let facts = gather_facts(&mut tx, &insp, d.unit_id, today(self.now())).await?;
            leaks(&d.full_text(), &withheld(&facts))
                .into_iter()
                .map(str::to_owned)
                .collect()
        } else {
            Vec::new()
        };
        let revisions = tx.list_revisions(d.id).await?;
        let rights = rights(access, &insp, &d, actor);
        Ok(DocumentDetail {
            entry: entry(&mut tx, d, &insp).await?,
            revisions,
            rights,
            withheld_now,
        })
    }

    /// Saves the unit's edit of a draft as a new revision.
    pub async fn revise_rect_document(
        &self,
        actor: &Actor,
        id: Id,
        collection: DocCollection,
        version: i64,
        input: &DocumentInput,
    ) -> Result<RectDocument> {
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp, access) = readable(&mut tx, actor, id, Some(collection)).await?;
        require_unit(access, &insp, "修改整改报告和通报")?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!("“{}”", before.title)));
        }
        require_editable(&before)?;
        let after = RectDocument {
            title: f.title,
            body: f.body,
            addressee: f.addressee,
            issuer: f.issuer,
            contact: if before.kind == DocKind::PublicNotice {
                f.contact
            } else {
                Default::default()
            },
            revision: before.revision + 1,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        self.save_revision(&mut tx, actor, &before, &after, &f.note)
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Assembles the text again from the ledger as it stands now, keeping the addressee, the
    /// signature and the contact details; the earlier text stays among the revisions.
    pub async fn reassemble_rect_document(
        &self,
        actor: &Actor,
        id: Id,
        collection: DocCollection,
        version: i64,
    ) -> Result<RectDocument> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp, access) = readable(&mut tx, actor, id, Some(collection)).await?;
        require_unit(access, &insp, "重新生成整改报告和通报")?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!("“{}”", before.title)));
        }
        require_editable(&before)?;
        let facts = gather_facts(&mut tx, &insp, before.unit_id, today(now)).await?;
        let draft = assemble(before.kind, &facts);
        let after = RectDocument {
            title: draft.title,
            body: draft.body,
            revision: before.revision + 1,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        self.save_revision(&mut tx, actor, &before, &after, "根据整改台账重新生成")
            .await?;
        tx.commit().await?;
        Ok(after)
    }

    async fn save_revision(
        &self,
        tx: &mut S::Write,
        actor: &Actor,
        before: &RectDocument,
        after: &RectDocument,
        note: &str,
    ) -> Result<()> {
        tx.update_rect_document(after).await?;
        tx.insert_revision(&Revision {
            document_id: after.id,
            number: after.revision,
            title: after.title.clone(),
            body: after.body.clone(),
            contact: after.contact.clone(),
            note: note.to_owned(),
            created: signature(actor, after.updated_at),
        })
        .await?;
        record(
            tx,
            actor,
            after.updated_at,
            AuditEntry::new(
                Action::RectDocumentRevised,
                "rect_document",
                Some(after.id),
                json!({
                    "revision": after.revision,
                    "title": { "before": before.title, "after": after.title },
                    "body_chars": { "before": before.body.chars().count(), "after": after.body.chars().count() },
                    "note": note,
                }),
            ),
        )
        .await?;
        Ok(())
    }

    /// Sends a complete draft to the inspection office. A notice that names anything the
    /// ledger withholds from the public is refused.
    pub async fn submit_rect_document(
        &self,
        actor: &Actor,
        id: Id,
        collection: DocCollection,
        version: i64,
    ) -> Result<RectDocument> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp, access) = readable(&mut tx, actor, id, Some(collection)).await?;
        require_unit(access, &insp, "报送整改报告和通报")?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!("“{}”", before.title)));
        }
        if !before.status.editable() {
            return Err(CoreError::RuleRefused(format!(
                "“{}”{}，不能再次报送",
                before.title,
                before.status.label()
            )));
        }
        check_ready(&before)?;
        if before.kind == DocKind::PublicNotice {
            let facts = gather_facts(&mut tx, &insp, before.unit_id, today(now)).await?;
            refuse_leaks(&before.full_text(), &withheld(&facts))?;
        }
        let after = RectDocument {
            status: DocStatus::Submitted,
            submitted: Some(signature(actor, now)),
            submitted_on: Some(today(now)),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_rect_document(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RectDocumentSubmitted,
                "rect_document",
                Some(after.id),
                json!({
                    "kind": after.kind, "revision": after.revision,
                    "submitted_on": today(now).to_string(), "from": before.status,
                }),
            ),
        )
        .await?;
        // A progress notice waits for the office's approval; the reports stop with the office.
        if after.kind == DocKind::PublicNotice {
            notify(
                &mut tx,
                actor,
                Audience::Acts(TodoKind::NoticeDecide, &insp, Some(after.unit_id)),
                &Note::new(
                    format!("notice_submitted:{id}:{}", after.version),
                    MessageKind::Handover,
                    "整改进展通报待审核",
                    format!("整改进展通报“{}”已报送，请审核。", after.title),
                    (TodoKind::NoticeDecide, id, insp.id),
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Loads a notice for a decision of the office, which no one of the unit takes, if it
    /// stands where `wanted` allows; otherwise `refusal` says what is missing.
    async fn notice_to_decide(
        &self,
        tx: &mut S::Write,
        actor: &Actor,
        id: Id,
        version: i64,
        wanted: fn(DocStatus) -> bool,
        refusal: &str,
    ) -> Result<(RectDocument, Inspection)> {
        let (d, insp, access) = readable(tx, actor, id, Some(DocCollection::Notices)).await?;
        if access != DocAccess::Office || crate::own_unit::belongs_to(actor, d.unit_id) {
            return Err(CoreError::Forbidden(
                "整改进展通报由巡视办审核，被巡视单位不能审核本单位的通报".into(),
            ));
        }
        crate::archive::refuse_if_archived(&insp)?;
        if d.version != version {
            return Err(CoreError::StaleVersion(format!("“{}”", d.title)));
        }
        if !wanted(d.status) {
            return Err(CoreError::RuleRefused(format!(
                "“{}”{}，{refusal}",
                d.title,
                d.status.label()
            )));
        }
        Ok((d, insp))
    }

    /// Approves a submitted notice: it is published with today's date.
    pub async fn approve_public_notice(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
    ) -> Result<RectDocument> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = self
            .notice_to_decide(&mut tx, actor, id, version, is_submitted, NOT_SUBMITTED)
            .await?;
        // The ledger may have changed since the unit submitted it.
        let facts = gather_facts(&mut tx, &insp, before.unit_id, today(now)).await?;
        refuse_leaks(&before.full_text(), &withheld(&facts))?;
        // The unit's notice in force until now gives way to this one, and is kept.
        let earlier = notices_in_force(&mut tx, before.inspection_id, before.unit_id).await?;
        let before = RectDocument {
            published_on: Some(today(now)),
            ..before
        };
        let summary =
            json!({ "revision": before.revision, "published_on": today(now).to_string() });
        let (status, action) = (DocStatus::Published, Action::PublicNoticeApproved);
        let decision = Some(String::new());
        let after = move_notice(
            &mut tx, actor, now, &before, status, decision, action, summary,
        )
        .await?;
        for old in &earlier {
            let summary = json!({ "by": after.id, "from": old.status });
            let (status, action) = (DocStatus::Superseded, Action::PublicNoticeSuperseded);
            move_notice(&mut tx, actor, now, old, status, None, action, summary).await?;
        }
        tell_unit(&mut tx, actor, now, &insp, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Returns a submitted notice to the unit, with the reason.
    pub async fn return_public_notice(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        comment: &str,
    ) -> Result<RectDocument> {
        let comment = decision_reason(comment, "退回修改")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = self
            .notice_to_decide(&mut tx, actor, id, version, is_submitted, NOT_SUBMITTED)
            .await?;
        let summary = json!({ "revision": before.revision, "comment": comment });
        let (status, action) = (DocStatus::Returned, Action::PublicNoticeReturned);
        let after = move_notice(
            &mut tx,
            actor,
            now,
            &before,
            status,
            Some(comment),
            action,
            summary,
        )
        .await?;
        tell_unit(&mut tx, actor, now, &insp, &after).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Withdraws a notice in force, with the reason: it leaves the public page and stays on
    /// record. The unit may draft a new one.
    pub async fn withdraw_public_notice(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        comment: &str,
    ) -> Result<RectDocument> {
        let comment = decision_reason(comment, "撤回通报")?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, _) = self
            .notice_to_decide(
                &mut tx,
                actor,
                id,
                version,
                DocStatus::in_force,
                NOT_IN_FORCE,
            )
            .await?;
        let summary = json!({ "from": before.status, "comment": comment });
        let (status, action) = (DocStatus::Withdrawn, Action::PublicNoticeWithdrawn);
        let after = move_notice(
            &mut tx,
            actor,
            now,
            &before,
            status,
            Some(comment),
            action,
            summary,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Publishes again a notice sent back for review, as it stands and with its first date;
    /// refused while it names anything the ledger withholds (the office withdraws it instead,
    /// and the unit drafts a new one).
    pub async fn republish_public_notice(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
    ) -> Result<RectDocument> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = self
            .notice_to_decide(&mut tx, actor, id, version, is_in_review, NOT_IN_REVIEW)
            .await?;
        let facts = gather_facts(&mut tx, &insp, before.unit_id, today(now)).await?;
        refuse_leaks(&before.full_text(), &withheld(&facts))?;
        let summary = json!({ "revision": before.revision });
        let (status, action) = (DocStatus::Published, Action::PublicNoticeRepublished);
        let decision = Some(String::new());
        let after = move_notice(
            &mut tx, actor, now, &before, status, decision, action, summary,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A page of the published notices anyone may read, the most recently published first.
    /// Needs no actor.
    pub async fn public_notices(&self, page: PageRequest) -> Result<Page<PublicNotice>> {
        let mut tx = self.store.read().await?;
        let rows = tx.published_notices(page).await?;
        let page = Page::from_rows(rows, page.limit, |d| d.id);
        // The units' names for the whole page in one query.
        let ids: Vec<Id> = page.items.iter().map(|d| d.unit_id).collect();
        let names: std::collections::HashMap<Id, String> =
            tx.unit_names(&ids).await?.into_iter().collect();
        let items = page
            .items
            .into_iter()
            .map(|d| {
                let name = names.get(&d.unit_id).cloned();
                let name = name.unwrap_or_else(|| d.unit_id.to_string());
                public_view(d, name)
            })
            .collect();
        Ok(Page {
            items,
            next_cursor: page.next_cursor,
            total: None,
        })
    }

    /// One published notice. Anything else — a draft, a notice awaiting the office, a report —
    /// does not exist for the public.
    pub async fn public_notice(&self, id: Id) -> Result<PublicNotice> {
        let mut tx = self.store.read().await?;
        let d = tx
            .get_rect_document(id)
            .await?
            .filter(|d| d.kind == DocKind::PublicNotice && d.status == DocStatus::Published)
            .ok_or_else(|| CoreError::NotFound("整改进展通报".into()))?;
        let name = unit_name(&mut tx, d.unit_id).await?;
        Ok(public_view(d, name))
    }

    /// See [`report_submitted_on`].
    pub async fn reports_submitted_on(
        &self,
        actor: &Actor,
        inspection_id: Id,
        unit_id: Id,
    ) -> Result<Option<Date>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        if doc_access(actor, &insp, unit_id) == DocAccess::None {
            return Err(CoreError::NotFound("巡视任务".into()));
        }
        report_submitted_on(&mut tx, inspection_id, unit_id).await
    }
}
