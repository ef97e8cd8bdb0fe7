//! The ledger (整改台账) across plans, and one task with all that is recorded about it.
//!
//! Who sees which rows: the office, the leadership and the supervisors every unit's; a unit's
//! people their own unit's; a team the rows of its inspection. The store narrows the list by
//! that scope, so a page is full and the cursor exact.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::access::{rect_role, require, visible_scope};
use super::{TaskDetail, TaskEntry, TaskRights, ledger_row, plan_and_inspection, warn_days};
use crate::deadline::Colour;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::Actor;
use crate::rectify::{Due, PlanStatus, TaskStatus};
use crate::service::Services;
use crate::service::planning::today;
use crate::service::units::narrowed_unit;
use crate::store::{
    ChangeFilter, ColourAt, LedgerRow, ReadTx, RectifyRead, Store, TaskFilter, TaskOrder, TaskSort,
};

/// What the ledger may be narrowed to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LedgerFilter {
    pub inspection_id: Option<Id>,
    /// The tasks of the inspections one committee sends, as 分级汇总 counts them.
    #[serde(default)]
    pub dispatcher_id: Option<Id>,
    pub unit_id: Option<Id>,
    /// A unit named by its exact name (or its id), as those who see every unit name one
    /// rather than pick it from thousands; it narrows the list as `unit_id` does.
    #[serde(default)]
    pub unit_name: Option<String>,
    pub plan_id: Option<Id>,
    pub status: Option<TaskStatus>,
    pub colour: Option<Colour>,
    /// The heading of the taxonomy the task's problem is under.
    pub category_id: Option<Id>,
    /// Only tasks whose claim was rejected at least once.
    #[serde(default)]
    pub rejected: bool,
    /// Text the task's measure, target, responsible people, lead department, 序号 or its
    /// problem's title contains.
    #[serde(default)]
    pub q: Option<String>,
}

/// The longest text the ledger is searched for; a longer one is refused, not cut.
pub const LEDGER_TEXT_MAX: usize = 100;

impl LedgerFilter {
    /// The text to search for, trimmed; `None` when blank.
    fn text(&self) -> Result<Option<String>> {
        let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) else {
            return Ok(None);
        };
        if q.chars().count() > LEDGER_TEXT_MAX {
            return Err(CoreError::bad_input(
                "q",
                format!("检索内容不能超过{LEDGER_TEXT_MAX}个字"),
            ));
        }
        Ok(Some(q.to_owned()))
    }
}

/// The most tasks one plan holds: a plan's ledger is shown whole, so it is bounded here.
pub(crate) const PLAN_TASKS_MAX: u32 = 2000;

/// A ledger row as lists show it: with its colour as of `today`.
pub(crate) fn entry(row: LedgerRow, today: Date, warn: i32) -> TaskEntry {
    let t = row.task;
    TaskEntry {
        colour: t.colour(today, warn),
        status_label: t.status_label().to_owned(),
        problem_title: row.problem_title,
        category_name: row.category_name,
        unit_name: row.unit_name,
        team_name: row.team_name,
        latest: row.latest,
        carried: row.carried,
        task: t,
    }
}

/// The ledger of one plan, withdrawn tasks included, by creation.
pub(crate) async fn plan_entries<T: ReadTx>(
    tx: &mut T,
    plan_id: Id,
    today: Date,
    warn: i32,
) -> Result<Vec<TaskEntry>> {
    let rows = tx
        .ledger_rows(
            &TaskFilter {
                plan_id: Some(plan_id),
                include_withdrawn: true,
                ..Default::default()
            },
            TaskOrder::Created,
            PageRequest::first(PLAN_TASKS_MAX),
        )
        .await?;
    if rows.len() > PLAN_TASKS_MAX as usize {
        return Err(CoreError::internal(format!(
            "plan {plan_id} holds more than {PLAN_TASKS_MAX} tasks"
        )));
    }
    Ok(rows.into_iter().map(|r| entry(r, today, warn)).collect())
}

/// One sorted page of the ledger, with the cursors of its neighbours and the total.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct LedgerPage {
    pub items: Vec<TaskEntry>,
    /// Pass as `cursor` (with the same `sort`) for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` (with the same `sort`) for the page before; null on the first page.
    pub prev_cursor: Option<String>,
    /// How many tasks the filter matches.
    pub total: i64,
}

/// The store's filter for what `actor` may see of the ledger narrowed by `f`; `None` when the
/// filter cannot match (a unit named both by id and by another name).
async fn ledger_task_filter<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    f: &LedgerFilter,
    now: Date,
    warn: i32,
) -> Result<Option<TaskFilter>> {
    let Some(unit_id) = narrowed_unit(tx, f.unit_id, f.unit_name.as_deref()).await? else {
        return Ok(None);
    };
    Ok(Some(TaskFilter {
        task_id: None,
        inspection_id: f.inspection_id,
        dispatcher_id: f.dispatcher_id,
        unit_id,
        plan_id: f.plan_id,
        status: f.status,
        problem_id: None,
        category_id: f.category_id,
        colour: f.colour.map(|colour| ColourAt {
            colour,
            today: now,
            warn_days: warn,
        }),
        rejected: f.rejected,
        text: f.text()?,
        scope: visible_scope(actor),
        include_withdrawn: false,
    }))
}

impl<S: Store> Services<S> {
    /// A page of the ledger across plans: the tasks the actor may see, narrowed by `f`, by
    /// creation. Withdrawn tasks are not on the ledger.
    pub async fn list_tasks(
        &self,
        actor: &Actor,
        f: &LedgerFilter,
        page: PageRequest,
    ) -> Result<Page<TaskEntry>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .ledger_page(actor, f, TaskSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the ledger sorted by `sort`, from the cursor `at` (none: the first page;
    /// back without a row: the last page), `limit` rows, with the cursors of the pages next
    /// to it and the total. The total is the tallies' count (or an indexed COUNT where they
    /// cannot answer the filter), never a count of loaded rows.
    pub async fn ledger_page(
        &self,
        actor: &Actor,
        f: &LedgerFilter,
        sort: TaskSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<LedgerPage> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let now = today(self.now());
        let (mut tx, warn) = self.fresh_tally(now).await?;
        let Some(filter) = ledger_task_filter(&mut tx, actor, f, now, warn).await? else {
            return Ok(LedgerPage::default());
        };
        let total = tx.count_tasks(&filter).await?;
        let want = SortedPage::<LedgerRow>::want(at, total, limit)?;
        // The scope is by unit and inspection: the unit's people see their own unit's rows,
        // a team its inspection's; there are no tasks before feedback, so nothing is shown
        // that `rect_role` would refuse.
        let rows = tx.ledger_sorted(&filter, sort, at, want).await?;
        let p = SortedPage::from_walk(rows, sort, at, want, total, |r: &LedgerRow| {
            (sort.key_of(&r.task), r.task.id)
        });
        Ok(LedgerPage {
            items: p.items.into_iter().map(|r| entry(r, now, warn)).collect(),
            next_cursor: p.next_cursor,
            prev_cursor: p.prev_cursor,
            total,
        })
    }

    /// One task with its progress reports, evidence files, verifications and change requests,
    /// and what the actor may do with it.
    pub async fn get_task(&self, actor: &Actor, id: Id) -> Result<TaskDetail> {
        let mut tx = self.store.read().await?;
        // The task's row of the ledger holds the task: one statement reads both.
        let row = ledger_row(&mut tx, id)
            .await?
            .ok_or_else(|| CoreError::NotFound("整改任务".into()))?;
        let task = row.task.clone();
        let (plan, insp) = plan_and_inspection(&mut tx, task.plan_id).await?;
        let role = rect_role(actor, &insp, task.unit_id);
        require(role, |r| r.read, "整改任务", "")?;
        let now = today(self.now());
        let warn = warn_days(&mut tx).await?;
        let progress = tx.list_progress(id).await?;
        let evidence = tx.list_task_evidence(id).await?;
        let verifications = tx.list_verifications(id).await?;
        let change_requests = tx
            .list_change_requests(&ChangeFilter {
                task_id: Some(id),
                ..Default::default()
            })
            .await?;
        let pending = change_requests.iter().any(|c| c.approved.is_none());
        let approved = plan.status == PlanStatus::Approved;
        let live = !task.is_withdrawn();
        let open = matches!(task.status, TaskStatus::NotStarted | TaskStatus::InProgress);
        let rights = TaskRights {
            edit: role.draft
                && live
                && matches!(plan.status, PlanStatus::Draft | PlanStatus::Returned),
            report: role.report && approved && live && open,
            claim: role.report && approved && live && open && task.due != Due::LongTerm,
            upload: role.report && approved && live && task.status != TaskStatus::Closed,
            verify: role.supervise && live && task.status == TaskStatus::Claimed,
            request_change: role.draft
                && approved
                && live
                && task.status != TaskStatus::Closed
                && !pending,
            decide_change: role.office && pending,
            read_paper: crate::service::papers::require_paper_reader(actor, &insp).is_ok(),
        };
        let entry = entry(row, now, warn);
        let carried_into = super::look_back::carrying_plans(&mut tx, id).await?;
        Ok(TaskDetail {
            entry,
            plan,
            progress,
            evidence,
            verifications,
            change_requests,
            carried_into,
            rights,
        })
    }
}
