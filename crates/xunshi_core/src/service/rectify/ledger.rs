//! The ledger (整改台账) across plans, and one task with all that is recorded about it.
//!
//! Who sees which rows: the office, the leadership and the supervisors every unit's; a unit's
//! people their own unit's; a team the rows of its inspection. The store narrows the list by
//! that scope, so a page is full and the cursor exact.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use jiff::civil::Date;
use serde::Deserialize;

use super::access::{rect_role, require, visible_scope};
use super::{TaskDetail, TaskEntry, TaskRights, task_context, warn_days};
use crate::deadline::Colour;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::{Page, PageRequest};
use crate::permission::Actor;
use crate::rectify::{Due, PlanStatus, Task, TaskStatus, task_colour};
use crate::service::Services;
use crate::service::planning::today;
use crate::store::{ChangeFilter, ColourAt, PlanningTx, RectifyTx, Store, TaskFilter, Tx};

/// What the ledger may be narrowed to.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LedgerFilter {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub plan_id: Option<Id>,
    pub status: Option<TaskStatus>,
    pub colour: Option<Colour>,
    /// The heading of the taxonomy the task's problem is under.
    pub category_id: Option<Id>,
}

/// Lists' rows with what goes with them: the colour as of `today`, the problem's title and
/// heading, the unit's and team's names, the newest progress report.
pub(crate) async fn entries<T: Tx>(
    tx: &mut T,
    tasks: Vec<Task>,
    today: Date,
    warn: i32,
) -> Result<Vec<TaskEntry>> {
    let ids: Vec<Id> = tasks.iter().map(|t| t.id).collect();
    let mut latest: HashMap<Id, _> = tx
        .latest_progress(&ids)
        .await?
        .into_iter()
        .map(|r| (r.task_id, r))
        .collect();
    let mut problems: HashMap<Id, (String, Id)> = HashMap::new();
    let mut categories: HashMap<Id, String> = HashMap::new();
    let mut units: HashMap<Id, String> = HashMap::new();
    let mut teams: HashMap<Id, String> = HashMap::new();
    let mut out = Vec::with_capacity(tasks.len());
    for t in tasks {
        if let Entry::Vacant(slot) = problems.entry(t.problem_id) {
            let p = tx.get_problem(t.problem_id).await?;
            let v = p
                .map(|p| (p.title, p.category_id))
                .ok_or_else(|| CoreError::internal("task without its problem"))?;
            slot.insert(v);
        }
        let (problem_title, category_id) = problems[&t.problem_id].clone();
        if let Entry::Vacant(slot) = categories.entry(category_id) {
            let name = tx
                .get_category(category_id)
                .await?
                .map(|c| c.name)
                .unwrap_or_default();
            slot.insert(name);
        }
        if let Entry::Vacant(slot) = units.entry(t.unit_id) {
            let name = tx
                .get_unit(t.unit_id)
                .await?
                .map(|u| u.name)
                .unwrap_or_default();
            slot.insert(name);
        }
        if let Entry::Vacant(slot) = teams.entry(t.inspection_id) {
            let name = tx
                .get_inspection(t.inspection_id)
                .await?
                .map(|i| i.team_name)
                .unwrap_or_default();
            slot.insert(name);
        }
        out.push(TaskEntry {
            colour: task_colour(t.due, t.status, today, warn),
            status_label: t.status_label().to_owned(),
            problem_title,
            category_name: categories[&category_id].clone(),
            unit_name: units[&t.unit_id].clone(),
            team_name: teams[&t.inspection_id].clone(),
            latest: latest.remove(&t.id),
            task: t,
        });
    }
    Ok(out)
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
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let mut tx = self.store.read().await?;
        let now = today(self.now());
        let warn = warn_days(&mut tx).await?;
        let filter = TaskFilter {
            inspection_id: f.inspection_id,
            unit_id: f.unit_id,
            plan_id: f.plan_id,
            status: f.status,
            problem_id: None,
            category_id: f.category_id,
            colour: f.colour.map(|colour| ColourAt {
                colour,
                today: now,
                warn_days: warn,
            }),
            scope: visible_scope(actor),
            include_withdrawn: false,
        };
        let rows = tx.list_tasks(&filter, page).await?;
        let more = rows.len() > page.limit as usize;
        let rows: Vec<Task> = rows.into_iter().take(page.limit as usize).collect();
        let last = rows.last().map(|t| t.id);
        // The scope is by unit and inspection; the unit's people see nothing before feedback,
        // which tasks cannot precede, but the rule is kept here too.
        let mut shown = Vec::new();
        let mut checked: HashMap<(Id, Id), bool> = HashMap::new();
        for t in rows {
            let key = (t.inspection_id, t.unit_id);
            let ok = match checked.get(&key) {
                Some(ok) => *ok,
                None => {
                    let insp = tx
                        .get_inspection(t.inspection_id)
                        .await?
                        .ok_or_else(|| CoreError::internal("task without its inspection"))?;
                    let ok = rect_role(actor, &insp, t.unit_id).read;
                    checked.insert(key, ok);
                    ok
                }
            };
            if ok {
                shown.push(t);
            }
        }
        let items = entries(&mut tx, shown, now, warn).await?;
        Ok(Page {
            items,
            next_cursor: if more {
                last.map(|l| l.to_string())
            } else {
                None
            },
        })
    }

    /// One task with its progress reports, evidence files, verifications and change requests,
    /// and what the actor may do with it.
    pub async fn get_task(&self, actor: &Actor, id: Id) -> Result<TaskDetail> {
        let mut tx = self.store.read().await?;
        let (task, plan, insp) = task_context(&mut tx, id).await?;
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
        };
        let entry = entries(&mut tx, vec![task], now, warn)
            .await?
            .pop()
            .ok_or_else(|| CoreError::internal("a task without its entry"))?;
        Ok(TaskDetail {
            entry,
            plan,
            progress,
            evidence,
            verifications,
            change_requests,
            rights,
        })
    }
}
