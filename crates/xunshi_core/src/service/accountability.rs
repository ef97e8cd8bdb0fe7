//! Accountability (追责问责): the people and organisations held to account over the
//! rectification, recorded by the office or a daily supervisor with the form (四种形态), the
//! measure from the sanction and handling lists, the deciding body and the date.

use serde::Serialize;
use serde_json::json;

use super::followups::check_task;
use super::planning::{load_inspection, today};
use super::supervision::{
    TaskRef, belongs_to, is_supervisor, require_rectifying, require_supervises, require_target,
    supervision_scope, task_ref,
};
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::feedback::FeedbackStatus;
use crate::id::Id;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::Actor;
use crate::rectify::{Accountability, Form};
use crate::store::{
    AccountabilityFilter, AccountabilitySort, ReadTx, Store, SuperviseRead, SuperviseWrite, WriteTx,
};
use crate::supervision::AccountabilityInput;

#[derive(Debug, Clone, Default)]
pub struct AccountabilityQuery {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    pub form: Option<Form>,
    /// Part of the person's name or post.
    pub q: Option<String>,
}

/// A record with the names its reader needs.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountabilityEntry {
    #[serde(flatten)]
    pub record: Accountability,
    pub unit_name: String,
    pub team_name: String,
    /// The fed-back problem's title.
    pub problem_title: Option<String>,
    pub task: Option<TaskRef>,
}

impl<S: Store> Services<S> {
    /// Records someone held to account over one unit's rectification: the office, the
    /// discipline commission or the organization department.
    pub async fn record_accountability(
        &self,
        actor: &Actor,
        input: &AccountabilityInput,
    ) -> Result<Accountability> {
        if !is_supervisor(actor) {
            return Err(CoreError::Forbidden(
                "只有巡视办、纪委监委和组织部可以登记追责问责情况".into(),
            ));
        }
        let f = input.validate()?;
        let now = self.now();
        if belongs_to(actor, f.unit_id) {
            return Err(CoreError::Forbidden(
                "不能登记本单位人员的追责问责情况".into(),
            ));
        }
        if f.decided_on > today(now) {
            return Err(CoreError::unfit("decided_on", "决定日期不能晚于今天"));
        }
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, f.inspection_id).await?;
        require_supervises(actor, &insp, f.unit_id)?;
        require_target(&insp, f.unit_id)?;
        require_rectifying(&insp)?;
        // A task answers one problem: the record concerns that problem too.
        let mut problem_id = f.problem_id;
        if let Some(t) = f.task_id {
            let task = check_task(&mut tx, insp.id, f.unit_id, t).await?;
            if problem_id.is_some_and(|p| p != task.problem_id) {
                return Err(CoreError::bad_input(
                    "problem_id",
                    "所选问题与所选整改任务对应的问题不一致",
                ));
            }
            problem_id = Some(task.problem_id);
        }
        if let Some(p) = problem_id {
            require_fed_back(&mut tx, insp.id, f.unit_id, p).await?;
        }
        let a = Accountability {
            id: Id::new(),
            inspection_id: insp.id,
            unit_id: f.unit_id,
            task_id: f.task_id,
            problem_id,
            person: f.person,
            post: f.post,
            form: f.form,
            measure: f.measure,
            deciding_body: f.deciding_body,
            decided_on: f.decided_on,
            version: 1,
        };
        tx.insert_accountability(&a, actor.user_id(), now).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::AccountabilityRecorded,
                "accountability",
                Some(a.id),
                json!({ "after": a }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(a)
    }

    /// The records the actor may read: supervisors and the leadership all, a team its
    /// inspection's, a unit its own.
    pub async fn list_accountability(
        &self,
        actor: &Actor,
        q: &AccountabilityQuery,
        page: PageRequest,
    ) -> Result<Page<AccountabilityEntry>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .accountability_page(
                actor,
                q,
                AccountabilitySort::default(),
                at.as_ref(),
                page.limit,
            )
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the records the actor may read, narrowed by `q` and sorted by `sort`, from
    /// the cursor `at` (none: the first page; back without a row: the last page), `limit` of
    /// them, with the cursors of the pages next to it and the total, counted by the database
    /// under the same filter and scope as the rows.
    pub async fn accountability_page(
        &self,
        actor: &Actor,
        q: &AccountabilityQuery,
        sort: AccountabilitySort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<AccountabilityEntry>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let f = AccountabilityFilter {
            scope: supervision_scope(actor),
            inspection_id: q.inspection_id,
            unit_id: q.unit_id,
            task_id: q.task_id,
            form: q.form,
            q: q.q.clone(),
        };
        let mut tx = self.store.read().await?;
        let total = tx.count_accountability(&f).await?;
        let want = SortedPage::<Accountability>::want(at, total, limit)?;
        let rows = tx.accountability_sorted(&f, sort, at, want).await?;
        let page = SortedPage::from_walk(rows, sort, at, want, total, |a: &Accountability| {
            (sort.key_of(a), a.id)
        });
        let mut items = Vec::with_capacity(page.items.len());
        for a in page.items {
            items.push(accountability_entry(&mut tx, a).await?);
        }
        Ok(SortedPage {
            items,
            next_cursor: page.next_cursor,
            prev_cursor: page.prev_cursor,
            total,
        })
    }
}

/// Checks that `problem` was fed back to `unit` by the inspection: only those are the unit's to
/// rectify, and only their titles are the unit's to read.
async fn require_fed_back<T: ReadTx>(
    tx: &mut T,
    inspection: Id,
    unit: Id,
    problem: Id,
) -> Result<()> {
    let fed_back = tx
        .get_feedback(inspection)
        .await?
        .filter(|f| f.status == FeedbackStatus::Given)
        .is_some_and(|f| {
            f.groups
                .iter()
                .flat_map(|g| g.items.iter())
                .any(|i| i.problem_id == problem)
        });
    let of_unit = tx
        .get_problem(problem)
        .await?
        .is_some_and(|p| p.inspection_id == inspection && p.target_unit_id == unit);
    if fed_back && of_unit {
        Ok(())
    } else {
        Err(CoreError::bad_input(
            "problem_id",
            "该问题不是本次巡视向该单位反馈的问题",
        ))
    }
}

async fn accountability_entry<T: ReadTx>(
    tx: &mut T,
    a: Accountability,
) -> Result<AccountabilityEntry> {
    let unit_name = tx
        .get_unit(a.unit_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    let team_name = tx
        .get_inspection(a.inspection_id)
        .await?
        .map(|i| i.team_name)
        .unwrap_or_default();
    let problem_title = match a.problem_id {
        Some(p) => tx.get_problem(p).await?.map(|p| p.title),
        None => None,
    };
    let task = match a.task_id {
        Some(t) => task_ref(tx, t).await?,
        None => None,
    };
    Ok(AccountabilityEntry {
        task,
        record: a,
        unit_name,
        team_name,
        problem_title,
    })
}
