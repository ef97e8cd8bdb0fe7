//! Rectification (整改): after feedback each inspected unit drafts its plan — the leading group,
//! how the work is organised, and the three lists as tasks, one or more per fed-back problem —
//! and submits it; the office or a supervisor approves or returns it. Afterwards the unit's
//! departments report progress with evidence and claim completion; a supervisor closes the task
//! (销号) or rejects the claim with a defect and a reason; the measure or deadline of an
//! approved task changes only through a change request the office approves.
//!
//! - `access`: who may do what for one unit's rectification.
//! - `plans`: the plan, its review, and the overview of plans.
//! - `tasks`: the tasks of a draft plan, and change requests after approval.
//! - `work`: progress reports, evidence files, verification.
//! - `ledger`: the ledger across plans and one task with its records.
//! - `import`: a unit's existing ledger file previewed and imported as the plan's tasks.
//! - `past`: an inspection fed back before Xunshi, created with its plan from the unit's ledger.

pub(crate) mod access;
mod batch;
mod import;
mod ledger;
mod look_back;
mod past;
mod plans;
mod tasks;
mod work;

pub(crate) use access::rect_role;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::Services;
use super::planning::load_inspection;
use crate::deadline::Colour;
use crate::error::{CoreError, Result};
use crate::feedback::FeedbackStatus;
use crate::id::Id;
use crate::inspection::Inspection;
use crate::page::PageRequest;
use crate::rectify::{
    ChangeRequest, GroupMember, Plan, PlanReview, ProgressReport, Task, TaskEvidence, Verification,
};
use crate::store::{
    LedgerRow, ReadTx, RectifyRead, RectifyWrite, Store, TaskFilter, TaskOrder, WriteTx,
};

pub(crate) use access::visible_scope as visible_scope_of;
pub use batch::{BATCH_MAX, BatchItem, Reminded};
pub use import::{
    IMPORT_MAX_ROWS, ImportRowReport, LedgerCell, LedgerImport, LedgerImportReport,
    LedgerImportRow, MATCH_THRESHOLD, ProblemMatch, RowOutcome, SkippedLine, similarity,
};
pub use ledger::{LedgerFilter, LedgerPage};
pub use look_back::{
    CARRYABLE_MAX, CarriedTask, CarryInput, CarryingPlan, LookBackProblem, LookBackView,
};
pub use past::{PastInspectionInput, PastInspectionReport, PastProblem};

/// The days before a deadline at which a task turns yellow: the office's setting, kept with
/// the deadline rules by the supervision services.
pub(crate) async fn warn_days<T: ReadTx>(tx: &mut T) -> Result<i32> {
    super::deadlines::rectification_warn_days(tx).await
}

impl<S: Store> Services<S> {
    /// A read transaction in which the tallies of the ledger are as of `today` under the
    /// warning period in force, and that period. The first reader of a day (or after the
    /// office changed the period) brings them up to date first, in a write of its own: the
    /// tallies are derived counts, not records, so the write carries no audit record.
    pub(crate) async fn fresh_tally(&self, today: Date) -> Result<(S::Read, i32)> {
        let mut tx = self.store.read().await?;
        let warn = warn_days(&mut tx).await?;
        if tx.tally_state().await? == Some((today, warn)) {
            return Ok((tx, warn));
        }
        drop(tx);
        let mut w = self.store.write().await?;
        let warn = warn_days(&mut w).await?;
        w.refresh_tally(today, warn).await?;
        w.commit().await?;
        let mut tx = self.store.read().await?;
        let warn = warn_days(&mut tx).await?;
        Ok((tx, warn))
    }
}

/// The editable parts of a plan.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct RectPlanInput {
    /// Left blank, the plan is named after the unit and the team.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub title: String,
    /// How the unit organises the work: meetings, the democratic-life meeting, division of
    /// labour.
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub organisation: String,
    /// The rectification leading group; its head (组长) is the unit's principal leader.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub leading_group: Vec<GroupMember>,
}

/// A change asked for an approved task: its measure, its deadline, or both.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ChangeInput {
    /// The new measure; blank keeps it.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub measure: String,
    /// immediate, by or long_term; blank keeps the deadline.
    #[serde(default)]
    #[schema(pattern = "^(immediate|by|long_term)?$")]
    pub due_kind: String,
    /// `YYYY-MM-DD`, for `immediate` and `by`.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<String>,
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub reason: String,
}

/// A fed-back problem of one unit, numbered as the ledger numbers it (`1.2`: the second
/// problem under the first heading).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FedBackProblem {
    pub problem_id: Id,
    pub number: String,
    pub category_id: Id,
    pub category_name: String,
    pub title: String,
}

/// A task as lists show it: with its colour, its problem and whose it is.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskEntry {
    pub task: Task,
    pub colour: Colour,
    /// 未启动 / 整改中 / 已完成待销号 / 已销号 / 长期坚持.
    pub status_label: String,
    pub problem_title: String,
    pub category_name: String,
    pub unit_name: String,
    pub team_name: String,
    /// The newest progress report: the ledger's 整改进展.
    pub latest: Option<ProgressReport>,
    /// Whether a later plan carries it over (一并落实): it stays in this ledger, where it is
    /// counted, and its page names the plan.
    pub carried: bool,
}

/// The problems under one heading of a plan's ledger.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerCategory {
    pub number: u32,
    pub category_id: Id,
    pub name: String,
    pub problems: Vec<LedgerProblem>,
}

/// One fed-back problem with its measures.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LedgerProblem {
    pub number: String,
    pub problem_id: Id,
    pub title: String,
    pub tasks: Vec<TaskEntry>,
}

/// What the actor may do with a plan now.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct PlanRights {
    /// Edit the plan and its tasks (a draft or a returned plan, by the unit).
    pub edit: bool,
    pub submit: bool,
    /// Approve or return a submitted plan.
    pub review: bool,
    /// Decide pending change requests.
    pub decide_changes: bool,
}

/// A plan with its ledger, reviews and change requests.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanDetail {
    pub plan: Plan,
    pub team_name: String,
    pub unit_name: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub feedback_date: Option<Date>,
    /// The unit's fed-back problems, in ledger order.
    pub problems: Vec<FedBackProblem>,
    /// Those without a task yet: the plan cannot be submitted while any is left.
    pub uncovered: Vec<FedBackProblem>,
    pub ledger: Vec<LedgerCategory>,
    /// Tasks withdrawn from the draft, kept on record.
    pub withdrawn: Vec<Task>,
    /// Open tasks of earlier inspections of the unit the plan carries over (回头看, 一并落实):
    /// linked, in their present state, counted in their own plans.
    pub carried: Vec<CarriedTask>,
    pub reviews: Vec<PlanReview>,
    pub change_requests: Vec<ChangeRequest>,
    pub rights: PlanRights,
}

/// One inspected unit of an inspection after feedback, with its plan if there is one.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanSlot {
    pub inspection_id: Id,
    pub team_name: String,
    pub unit_id: Id,
    pub unit_name: String,
    #[schema(value_type = Option<String>, format = Date)]
    pub feedback_date: Option<Date>,
    pub plan: Option<Plan>,
    pub tasks: usize,
    pub closed: usize,
    pub overdue: usize,
    /// The actor may start the plan (the unit's principal or liaison, while there is none).
    pub can_create: bool,
}

/// What the actor may do with a task now.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct TaskRights {
    /// Change the task (while its plan is a draft or returned).
    pub edit: bool,
    /// Report progress.
    pub report: bool,
    /// Report it done.
    pub claim: bool,
    pub upload: bool,
    /// Close it or reject the claim.
    pub verify: bool,
    pub request_change: bool,
    pub decide_change: bool,
    /// Open the working paper of the task's problem (and the problems like it): the team, the
    /// office and the leadership, never the unit.
    pub read_paper: bool,
}

/// One task with everything recorded about it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskDetail {
    pub entry: TaskEntry,
    pub plan: Plan,
    pub progress: Vec<ProgressReport>,
    pub evidence: Vec<TaskEvidence>,
    pub verifications: Vec<Verification>,
    pub change_requests: Vec<ChangeRequest>,
    /// The later plans that carry this task over (一并落实).
    pub carried_into: Vec<CarryingPlan>,
    pub rights: TaskRights,
}

pub(crate) async fn load_plan<T: ReadTx>(tx: &mut T, id: Id) -> Result<Plan> {
    tx.get_rect_plan(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("整改方案".into()))
}

/// The ledger's row of one task, withdrawn or not: the task with the names and the newest
/// report the ledger shows beside it.
pub(crate) async fn ledger_row<T: ReadTx>(tx: &mut T, id: Id) -> Result<Option<LedgerRow>> {
    let f = TaskFilter {
        task_id: Some(id),
        include_withdrawn: true,
        ..Default::default()
    };
    Ok(tx
        .ledger_rows(&f, TaskOrder::Created, PageRequest::first(1))
        .await?
        .pop())
}

/// A plan with its inspection.
pub(crate) async fn plan_and_inspection<T: ReadTx>(
    tx: &mut T,
    id: Id,
) -> Result<(Plan, Inspection)> {
    let plan = load_plan(tx, id).await?;
    let insp = load_inspection(tx, plan.inspection_id).await?;
    Ok((plan, insp))
}

/// A task with its plan and inspection.
pub(crate) async fn task_context<T: ReadTx>(
    tx: &mut T,
    id: Id,
) -> Result<(Task, Plan, Inspection)> {
    tx.get_task_context(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("整改任务".into()))
}

/// The problems fed back to `unit`, grouped and numbered as the feedback document orders
/// them; headings without a problem of this unit are skipped, so numbering has no gaps. The
/// feedback cannot change once given, so neither can these numbers.
pub(crate) async fn unit_problems<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    unit: Id,
) -> Result<Vec<FedBackProblem>> {
    let Some(fb) = tx.get_feedback(insp.id).await? else {
        return Ok(Vec::new());
    };
    if fb.status != FeedbackStatus::Given {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let mut heading = 0;
    for g in &fb.groups {
        let mut n = 0;
        for item in &g.items {
            let Some(p) = tx.get_problem(item.problem_id).await? else {
                continue;
            };
            if p.target_unit_id != unit {
                continue;
            }
            if n == 0 {
                heading += 1;
            }
            n += 1;
            out.push(FedBackProblem {
                problem_id: p.id,
                number: format!("{heading}.{n}"),
                category_id: g.category_id,
                category_name: g.category_name.clone(),
                title: item.title.clone(),
            });
        }
    }
    Ok(out)
}

/// Trims a text field and checks its length; `required` also refuses it blank.
pub(crate) fn text(
    v: &mut crate::error::Validation,
    field: &str,
    raw: &str,
    max: usize,
    required: Option<&str>,
) -> String {
    let t = raw.trim();
    if t.is_empty() {
        if let Some(msg) = required {
            v.add(field, msg);
        }
    } else if t.chars().count() > max {
        v.add(field, format!("不能超过 {max} 个字"));
    }
    t.to_owned()
}
