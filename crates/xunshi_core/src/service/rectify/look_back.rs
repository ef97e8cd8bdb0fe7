//! Look-back (回头看): a 回头看 or follow-up inspection's team sees the problems of the
//! inspection it looks back at beside their tasks' present state; and a unit's new plan
//! carries over tasks of an earlier inspection still open (涉及……“回头看”承担的整改任务，一并抓好落实). The task is linked,
//! not copied: it stays in its own plan and ledger, where it is reported on, closed and counted
//! once, and both plans show its one present state. The unit's drafters link and unlink while
//! the new plan can be edited; the link is part of the plan, so it takes the plan's version.

use serde::{Deserialize, Serialize};
use serde_json::json;

use super::access::{rect_role, require};
use super::ledger::entry;
use super::plans::require_editable;
use super::{TaskEntry, ledger_row, plan_and_inspection, task_context, warn_days};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::PageRequest;
use crate::permission::Actor;
use crate::rectify::{Plan, TaskStatus};
use crate::service::papers::{require_paper_reader, signature};
use crate::service::planning::{load_inspection, today};
use crate::service::{Services, record};
use crate::store::{
    CarriedLink, LookBackRead, LookBackWrite, PatternRead, PlanningRead, ReadTx, RectifyRead,
    RectifyWrite, Store, TaskFilter, TaskOrder, WriteTx,
};

/// How many open tasks of earlier inspections a plan is offered to carry over.
pub const CARRYABLE_MAX: u32 = 200;

/// An earlier task carried into a plan, in its present state.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarriedTask {
    pub entry: TaskEntry,
    /// The year of the earlier inspection's round.
    pub year: i32,
    pub carried_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub carried_at: jiff::Timestamp,
}

/// A plan that carries a task over, for the task's page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CarryingPlan {
    pub plan_id: Id,
    pub plan_title: String,
    pub inspection_id: Id,
    pub team_name: String,
}

/// What carrying a task over (or back) asks: the plan's version it was based on, and the task.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CarryInput {
    pub version: i64,
    pub task_id: Id,
}

/// The tasks `plan_id` carries over, each as the ledger shows it today.
pub(crate) async fn carried_tasks<T: ReadTx>(
    tx: &mut T,
    plan_id: Id,
    today: jiff::civil::Date,
    warn: i32,
) -> Result<Vec<CarriedTask>> {
    let mut out = Vec::new();
    for link in tx.carried_into(plan_id).await? {
        let Some(row) = ledger_row(tx, link.task_id).await? else {
            continue;
        };
        let e = entry(row, today, warn);
        let insp = load_inspection(tx, e.task.inspection_id).await?;
        let year = tx
            .get_round(insp.round_id)
            .await?
            .map_or(0, |r| i32::from(r.year));
        out.push(CarriedTask {
            entry: e,
            year,
            carried_by: link.by_name,
            carried_at: link.at,
        });
    }
    Ok(out)
}

/// The plans that carry `task_id` over.
pub(crate) async fn carrying_plans<T: ReadTx>(
    tx: &mut T,
    task_id: Id,
) -> Result<Vec<CarryingPlan>> {
    let mut out = Vec::new();
    for link in tx.carrying(task_id).await? {
        let (plan, insp) = plan_and_inspection(tx, link.plan_id).await?;
        out.push(CarryingPlan {
            plan_id: plan.id,
            plan_title: plan.title,
            inspection_id: insp.id,
            team_name: insp.team_name,
        });
    }
    Ok(out)
}

/// A problem of the inspection looked back at, with its tasks as they stand today.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LookBackProblem {
    pub problem_id: Id,
    pub title: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub tasks: Vec<TaskEntry>,
}

/// The inspection a 回头看 looks back at, side by side with the state of its rectification.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LookBackView {
    pub inspection_id: Id,
    pub team_name: String,
    pub year: i32,
    #[schema(value_type = Option<String>, format = Date)]
    pub feedback_date: Option<jiff::civil::Date>,
    pub problems: Vec<LookBackProblem>,
    /// Its tasks in force: how many, how many closed, how many overdue today.
    pub tasks: usize,
    pub closed: usize,
    pub overdue: usize,
}

/// The most tasks of one inspection the view reads (an inspection has a few hundred at most).
const LOOK_BACK_TASKS_MAX: u32 = 2_000;

const DRAFTERS_ONLY: &str = "只有被巡视单位主要负责人和联络员可以调整整改方案";

impl<S: Store> Services<S> {
    /// For a 回头看 inspection, the inspection it looks back at with its problems and their
    /// tasks' present state, for those who read the 回头看's papers (its team, the office, the
    /// leadership); `None` for an inspection that looks back at none.
    pub async fn look_back(&self, actor: &Actor, id: Id) -> Result<Option<LookBackView>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, id).await?;
        require_paper_reader(actor, &insp)?;
        let Some(of) = insp.look_back_of else {
            return Ok(None);
        };
        let earlier = load_inspection(&mut tx, of).await?;
        let year = tx
            .get_round(earlier.round_id)
            .await?
            .map_or(0, |r| i32::from(r.year));
        let now = today(self.now());
        let warn = warn_days(&mut tx).await?;
        let entries: Vec<TaskEntry> = tx
            .ledger_rows(
                &TaskFilter {
                    inspection_id: Some(of),
                    ..Default::default()
                },
                TaskOrder::Created,
                PageRequest::first(LOOK_BACK_TASKS_MAX),
            )
            .await?
            .into_iter()
            .map(|r| entry(r, now, warn))
            .collect();
        let found = tx.inspection_problems(of).await?;
        let unit_ids: Vec<Id> = found.iter().map(|p| p.unit_id).collect();
        let names = tx.unit_names(&unit_ids).await?;
        let problems = found
            .into_iter()
            .map(|p| LookBackProblem {
                tasks: entries
                    .iter()
                    .filter(|e| e.task.problem_id == p.id)
                    .cloned()
                    .collect(),
                unit_name: names
                    .iter()
                    .find(|(u, _)| *u == p.unit_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default(),
                problem_id: p.id,
                title: p.title,
                unit_id: p.unit_id,
            })
            .collect();
        Ok(Some(LookBackView {
            inspection_id: earlier.id,
            team_name: earlier.team_name,
            year,
            feedback_date: earlier.dates.feedback,
            problems,
            tasks: entries.len(),
            closed: entries
                .iter()
                .filter(|e| e.task.status == TaskStatus::Closed)
                .count(),
            overdue: entries
                .iter()
                .filter(|e| e.colour == crate::deadline::Colour::Red)
                .count(),
        }))
    }

    /// The unit's open tasks of other inspections the plan may carry over, for its drafters.
    pub async fn carryable_tasks(&self, actor: &Actor, plan_id: Id) -> Result<Vec<TaskEntry>> {
        let mut tx = self.store.read().await?;
        let (plan, insp) = plan_and_inspection(&mut tx, plan_id).await?;
        require(
            rect_role(actor, &insp, plan.unit_id),
            |r| r.draft,
            "整改方案",
            DRAFTERS_ONLY,
        )?;
        let now = today(self.now());
        let warn = warn_days(&mut tx).await?;
        let tasks = tx
            .carryable_tasks(plan.unit_id, plan.inspection_id, plan.id, CARRYABLE_MAX)
            .await?;
        let mut out = Vec::with_capacity(tasks.len());
        for t in tasks {
            if let Some(row) = tx
                .ledger_rows(
                    &TaskFilter {
                        task_id: Some(t.id),
                        ..Default::default()
                    },
                    TaskOrder::Created,
                    PageRequest::first(1),
                )
                .await?
                .pop()
            {
                out.push(entry(row, now, warn));
            }
        }
        Ok(out)
    }

    /// Carries an open task of an earlier inspection of the same unit into the plan (一并落实).
    pub async fn carry_task(&self, actor: &Actor, plan_id: Id, input: &CarryInput) -> Result<Plan> {
        self.change_carried(actor, plan_id, input, true).await
    }

    /// Takes a carried task out of the plan again; the task itself is untouched.
    pub async fn uncarry_task(
        &self,
        actor: &Actor,
        plan_id: Id,
        input: &CarryInput,
    ) -> Result<Plan> {
        self.change_carried(actor, plan_id, input, false).await
    }

    async fn change_carried(
        &self,
        actor: &Actor,
        plan_id: Id,
        input: &CarryInput,
        carry: bool,
    ) -> Result<Plan> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (plan, insp) = plan_and_inspection(&mut tx, plan_id).await?;
        require(
            rect_role(actor, &insp, plan.unit_id),
            |r| r.draft,
            "整改方案",
            DRAFTERS_ONLY,
        )?;
        if plan.version != input.version {
            return Err(CoreError::StaleVersion("整改方案".into()));
        }
        require_editable(&plan)?;
        let (task, _, task_insp) =
            task_context(&mut tx, input.task_id)
                .await
                .map_err(|e| match e {
                    CoreError::NotFound(_) => CoreError::unfit("task_id", "该整改任务不存在"),
                    e => e,
                })?;
        if carry {
            if task.unit_id != plan.unit_id {
                return Err(CoreError::unfit(
                    "task_id",
                    "只能纳入本单位此前巡视的整改任务",
                ));
            }
            if task.inspection_id == plan.inspection_id {
                return Err(CoreError::unfit(
                    "task_id",
                    "该任务属于本次整改方案，无需纳入",
                ));
            }
            if task.is_withdrawn() || task.status == TaskStatus::Closed {
                return Err(CoreError::unfit(
                    "task_id",
                    "该任务已销号或已撤回，无需一并落实",
                ));
            }
            let by = signature(actor, now);
            let link = CarriedLink {
                plan_id,
                task_id: task.id,
                by: by.by,
                by_name: by.name,
                at: now,
            };
            if !tx.insert_carried(&link).await? {
                return Err(CoreError::Conflict("该任务已纳入本整改方案".into()));
            }
        } else if !tx.delete_carried(plan_id, task.id).await? {
            return Err(CoreError::unfit("task_id", "该任务未纳入本整改方案"));
        }
        let after = Plan {
            version: plan.version + 1,
            ..plan
        };
        tx.update_rect_plan(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                if carry {
                    Action::TaskCarried
                } else {
                    Action::TaskUncarried
                },
                "rect_plan",
                Some(plan_id),
                json!({
                    "task_id": task.id,
                    "seq": task.seq,
                    "from_inspection": task_insp.id,
                    "from_team": task_insp.team_name,
                    "version": after.version,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
