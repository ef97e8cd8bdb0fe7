//! Follow-up notices (督办): reminders, warnings, formal follow-up notices and accountability
//! referrals that the office or a daily supervisor issues to an inspected unit, on its
//! rectification as a whole or on one task; the unit's principal or liaison answers each.

use serde::Serialize;
use serde_json::json;

use super::planning::{load_inspection, today};
use super::supervision::{
    TaskRef, belongs_to, is_supervisor, reads_unit, require_rectifying, require_supervises,
    require_target, signer, speaks_for, supervision_scope, task_ref,
};
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::message::MessageKind;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::Actor;
use crate::rectify::{FollowUp, NoticeKind, Task};
use crate::service::TodoKind;
use crate::service::messages::{Audience, Note, notify};
use crate::store::MessageRead;
use crate::store::{
    FollowUpFilter, FollowUpSort, ReadTx, Store, SuperviseRead, SuperviseWrite, WriteTx,
};
use crate::supervision::{FollowUpAnswer, FollowUpInput};

/// What a list of notices asks for; the reader's scope is added by the service.
#[derive(Debug, Clone, Default)]
pub struct FollowUpQuery {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    pub kind: Option<NoticeKind>,
    pub answered: Option<bool>,
    /// Part of the document number or the text.
    pub q: Option<String>,
}

/// A notice as a reader sees it, with what the reader may do with it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpEntry {
    #[serde(flatten)]
    pub notice: FollowUp,
    pub unit_name: String,
    pub team_name: String,
    /// The task the notice is about, if one.
    pub task: Option<TaskRef>,
    /// The reader answers for the unit and it is not answered yet.
    pub may_answer: bool,
}

async fn load_followup<T: ReadTx>(tx: &mut T, id: Id) -> Result<FollowUp> {
    tx.get_followup(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("督办通知".into()))
}

/// Checks that a task named by a supervision record belongs to that unit's rectification in
/// that inspection, and still counts (not withdrawn from the plan).
pub(crate) async fn check_task<T: ReadTx>(
    tx: &mut T,
    inspection_id: Id,
    unit_id: Id,
    task_id: Id,
) -> Result<Task> {
    tx.get_task(task_id)
        .await?
        .filter(|t| t.inspection_id == inspection_id && t.unit_id == unit_id && !t.is_withdrawn())
        .ok_or_else(|| CoreError::bad_input("task_id", "该任务不是本单位本次巡视整改台账中的任务"))
}

impl<S: Store> Services<S> {
    /// Issues a notice to an inspected unit, after feedback: the office, the discipline
    /// commission or the organization department.
    pub async fn issue_followup(&self, actor: &Actor, input: &FollowUpInput) -> Result<FollowUp> {
        if !is_supervisor(actor) {
            return Err(CoreError::Forbidden(
                "只有巡视办、纪委监委和组织部可以下发督办通知".into(),
            ));
        }
        let f = input.validate()?;
        let now = self.now();
        let issued_on = today(now);
        if f.answer_due.is_some_and(|d| d < issued_on) {
            return Err(CoreError::unfit("answer_due", "答复期限不能早于下发日期"));
        }
        if belongs_to(actor, f.unit_id) {
            return Err(CoreError::Forbidden("不能督办本单位的整改工作".into()));
        }
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, f.inspection_id).await?;
        require_supervises(actor, &insp, f.unit_id)?;
        require_target(&insp, f.unit_id)?;
        require_rectifying(&insp)?;
        if let Some(t) = f.task_id {
            check_task(&mut tx, insp.id, f.unit_id, t).await?;
        }
        let n = FollowUp {
            id: Id::new(),
            inspection_id: insp.id,
            unit_id: f.unit_id,
            task_id: f.task_id,
            kind: f.kind,
            doc_no: f.doc_no,
            content: f.content,
            issued_on,
            answer_due: f.answer_due,
            issued_by: signer(actor),
            answer: None,
            answered_by: None,
            answered_on: None,
            version: 1,
        };
        tx.insert_followup(&n, actor.user_id()).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FollowUpIssued,
                "followup",
                Some(n.id),
                json!({
                    "inspection_id": n.inspection_id, "unit_id": n.unit_id, "task_id": n.task_id,
                    "kind": n.kind, "doc_no": n.doc_no, "answer_due": n.answer_due,
                }),
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Acts(TodoKind::FollowupAnswer, &insp, Some(n.unit_id)),
            &Note::new(
                format!("followup_issued:{}", n.id),
                MessageKind::Handover,
                "督办通知待答复",
                match n.answer_due {
                    Some(d) => format!("收到{}{}，请于{d}前答复。", n.kind.label(), n.doc_no),
                    None => format!("收到{}{}，请答复。", n.kind.label(), n.doc_no),
                },
                (TodoKind::FollowupAnswer, n.id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The unit's answer: by its principal or liaison, once.
    pub async fn answer_followup(
        &self,
        actor: &Actor,
        id: Id,
        a: &FollowUpAnswer,
    ) -> Result<FollowUp> {
        let answer = a.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_followup(&mut tx, id).await?;
        let insp = load_inspection(&mut tx, before.inspection_id).await?;
        if !speaks_for(actor, before.unit_id) {
            return Err(if reads_unit(actor, &insp, before.unit_id) {
                CoreError::Forbidden("督办通知由被督办单位的主要负责人或联络员答复".into())
            } else {
                CoreError::NotFound("督办通知".into())
            });
        }
        if before.version != a.version {
            return Err(CoreError::StaleVersion(format!(
                "{}{}",
                before.kind.label(),
                before.doc_no
            )));
        }
        if before.answer.is_some() {
            return Err(CoreError::RuleRefused("该督办通知已答复".into()));
        }
        require_rectifying(&insp)?;
        let after = FollowUp {
            answer: Some(answer),
            answered_by: Some(signer(actor)),
            answered_on: Some(today(now)),
            version: before.version + 1,
            ..before
        };
        tx.update_followup(&after, actor.user_id()).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FollowUpAnswered,
                "followup",
                Some(id),
                json!({ "inspection_id": after.inspection_id, "unit_id": after.unit_id, "doc_no": after.doc_no }),
            ),
        )
        .await?;
        if let Some(issuer) = tx.followup_issuer(id).await? {
            notify(
                &mut tx,
                actor,
                Audience::Person(issuer),
                &Note::new(
                    format!("followup_answered:{id}"),
                    MessageKind::Decision,
                    "督办通知已答复",
                    format!("{}{}已答复。", after.kind.label(), after.doc_no),
                    (TodoKind::FollowupAnswer, id, insp.id),
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// One notice, for those who read its unit's records.
    pub async fn get_followup(&self, actor: &Actor, id: Id) -> Result<FollowUpEntry> {
        let mut tx = self.store.read().await?;
        let n = load_followup(&mut tx, id).await?;
        let insp = load_inspection(&mut tx, n.inspection_id).await?;
        if !reads_unit(actor, &insp, n.unit_id) {
            return Err(CoreError::NotFound("督办通知".into()));
        }
        entry(&mut tx, actor, n).await
    }

    /// The notices the actor may read, filtered: supervisors and the leadership all, a team its
    /// inspection's, a unit its own.
    pub async fn list_followups(
        &self,
        actor: &Actor,
        q: &FollowUpQuery,
        page: PageRequest,
    ) -> Result<Page<FollowUpEntry>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .followup_page(actor, q, FollowUpSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the notices the actor may read, narrowed by `q` and sorted by `sort`, from the
    /// cursor `at` (none: the first page; back without a row: the last page), `limit` of them,
    /// with the cursors of the pages next to it and the total, counted by the database under
    /// the same filter and scope as the rows.
    pub async fn followup_page(
        &self,
        actor: &Actor,
        q: &FollowUpQuery,
        sort: FollowUpSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<FollowUpEntry>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let f = FollowUpFilter {
            scope: supervision_scope(actor),
            inspection_id: q.inspection_id,
            unit_id: q.unit_id,
            task_id: q.task_id,
            kind: q.kind,
            answered: q.answered,
            q: q.q.clone(),
        };
        let mut tx = self.store.read().await?;
        let total = tx.count_followups(&f).await?;
        let want = SortedPage::<FollowUp>::want(at, total, limit)?;
        let rows = tx.followups_sorted(&f, sort, at, want).await?;
        let page = SortedPage::from_walk(rows, sort, at, want, total, |n: &FollowUp| {
            (sort.key_of(n), n.id)
        });
        let mut items = Vec::with_capacity(page.items.len());
        for n in page.items {
            items.push(entry(&mut tx, actor, n).await?);
        }
        Ok(SortedPage {
            items,
            next_cursor: page.next_cursor,
            prev_cursor: page.prev_cursor,
            total,
        })
    }

    /// Whether the actor may issue notices (for pages that offer the form).
    pub fn may_supervise(&self, actor: &Actor) -> bool {
        is_supervisor(actor)
    }
}

async fn entry<T: ReadTx>(tx: &mut T, actor: &Actor, n: FollowUp) -> Result<FollowUpEntry> {
    let unit_name = tx
        .get_unit(n.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let team_name = tx
        .get_inspection(n.inspection_id)
        .await?
        .map(|i| i.team_name)
        .unwrap_or_default();
    let task = match n.task_id {
        Some(t) => task_ref(tx, t).await?,
        None => None,
    };
    Ok(FollowUpEntry {
        task,
        may_answer: n.answer.is_none() && speaks_for(actor, n.unit_id),
        notice: n,
        unit_name,
        team_name,
    })
}
