//! Long-term mechanisms (当下改、长久立): rules a unit establishes or revises as a result of its
//! rectification, each linked to the tasks of its plan that produced it. Recorded by the unit's
//! principal or liaison for their own unit, or by the office.

use serde::Serialize;
use serde_json::json;

use super::followups::check_task;
use super::planning::{load_inspection, today};
use super::supervision::{
    TaskRef, is_office, reads_unit, require_rectifying, require_target, speaks_for,
    supervision_scope, task_ref,
};
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::Actor;
use crate::rectify::Mechanism;
use crate::store::{
    MechanismFilter, MechanismSort, ReadTx, Store, SuperviseRead, SuperviseWrite, WriteTx,
};
use crate::supervision::MechanismInput;

#[derive(Debug, Clone, Default)]
pub struct MechanismQuery {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    /// Part of the rule's title or document number.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MechanismEntry {
    #[serde(flatten)]
    pub mechanism: Mechanism,
    pub unit_name: String,
    pub team_name: String,
    /// The tasks it came from, as the ledger numbers them.
    pub tasks: Vec<TaskRef>,
}

impl<S: Store> Services<S> {
    /// Records a rule established or revised: the unit's principal or liaison for their unit,
    /// or the office.
    pub async fn record_mechanism(
        &self,
        actor: &Actor,
        input: &MechanismInput,
    ) -> Result<Mechanism> {
        let f = input.validate()?;
        let now = self.now();
        if f.issued_on > today(now) {
            return Err(CoreError::unfit("issued_on", "印发日期不能晚于今天"));
        }
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, f.inspection_id).await?;
        if !(is_office(actor) || speaks_for(actor, f.unit_id)) {
            return Err(if reads_unit(actor, &insp, f.unit_id) {
                CoreError::Forbidden("长效机制由本单位主要负责人、联络员或巡视办登记".into())
            } else {
                CoreError::NotFound("巡视任务".into())
            });
        }
        require_target(&insp, f.unit_id)?;
        require_rectifying(&insp)?;
        for t in &f.task_ids {
            check_task(&mut tx, insp.id, f.unit_id, *t)
                .await
                .map_err(|e| match e {
                    CoreError::BadInput(_) => CoreError::bad_input(
                        "task_ids",
                        "所选任务须为本单位本次巡视整改台账中的任务",
                    ),
                    e => e,
                })?;
        }
        let m = Mechanism {
            id: Id::new(),
            inspection_id: insp.id,
            unit_id: f.unit_id,
            title: f.title,
            is_new: f.is_new,
            doc_no: f.doc_no,
            issued_on: f.issued_on,
            task_ids: f.task_ids,
            version: 1,
        };
        tx.insert_mechanism(&m, actor.user_id(), now).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::MechanismRecorded,
                "mechanism",
                Some(m.id),
                json!({ "after": m }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(m)
    }

    /// The mechanisms the actor may read.
    pub async fn list_mechanisms(
        &self,
        actor: &Actor,
        q: &MechanismQuery,
        page: PageRequest,
    ) -> Result<Page<MechanismEntry>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .mechanisms_page(actor, q, MechanismSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the mechanisms the actor may read, narrowed by `q` and sorted by `sort`, from
    /// the cursor `at` (none: the first page; back without a row: the last page), `limit` of
    /// them, with the cursors of the pages next to it and the total, counted by the database
    /// under the same filter and scope as the rows.
    pub async fn mechanisms_page(
        &self,
        actor: &Actor,
        q: &MechanismQuery,
        sort: MechanismSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<MechanismEntry>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let f = MechanismFilter {
            scope: supervision_scope(actor),
            inspection_id: q.inspection_id,
            unit_id: q.unit_id,
            task_id: q.task_id,
            q: q.q.clone(),
        };
        let mut tx = self.store.read().await?;
        let total = tx.count_mechanisms(&f).await?;
        let want = SortedPage::<Mechanism>::want(at, total, limit)?;
        let rows = tx.mechanisms_sorted(&f, sort, at, want).await?;
        let page = SortedPage::from_walk(rows, sort, at, want, total, |m: &Mechanism| {
            (sort.key_of(m), m.id)
        });
        let mut items = Vec::with_capacity(page.items.len());
        for m in page.items {
            items.push(mechanism_entry(&mut tx, m).await?);
        }
        Ok(SortedPage {
            items,
            next_cursor: page.next_cursor,
            prev_cursor: page.prev_cursor,
            total,
        })
    }

    /// Whether the actor may record mechanisms for `unit` (for pages that offer the form).
    pub fn may_record_mechanism(&self, actor: &Actor, unit: Id) -> bool {
        is_office(actor) || speaks_for(actor, unit)
    }
}

async fn mechanism_entry<T: ReadTx>(tx: &mut T, m: Mechanism) -> Result<MechanismEntry> {
    let unit_name = tx
        .get_unit(m.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let team_name = tx
        .get_inspection(m.inspection_id)
        .await?
        .map(|i| i.team_name)
        .unwrap_or_default();
    let mut tasks = Vec::with_capacity(m.task_ids.len());
    for t in &m.task_ids {
        if let Some(r) = task_ref(tx, *t).await? {
            tasks.push(r);
        }
    }
    Ok(MechanismEntry {
        tasks,
        mechanism: m,
        unit_name,
        team_name,
    })
}
