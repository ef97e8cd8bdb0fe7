//! Storage of rectification: the units' plans and their reviews, the ledger's tasks, progress
//! reports, evidence files, verifications and change requests.

use std::future::Future;

use jiff::civil::Date;

use crate::deadline::Colour;
use crate::error::Result;
use crate::id::Id;
use crate::page::{Keyset, PageRequest, Sort, SortKey};
use crate::rectify::{
    ChangeRequest, Plan, PlanReview, PlanStatus, ProgressReport, Task, TaskEvidence, TaskStatus,
    Verification,
};

/// Whose rectification a list may show: rows of these units, of these inspections, or of the
/// inspections these committees send (a committee's own office). A list without a scope shows
/// everything (the office of the top committee, the leadership, the supervisors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RectifyScope {
    pub units: Vec<Id>,
    pub inspections: Vec<Id>,
    pub dispatchers: Vec<Id>,
}

/// The deadline colour a list is narrowed to, as of `today`, by the rule of
/// [`crate::rectify::task_colour`]: red once a dated task not closed is past its day; yellow
/// when it is due within `warn_days`; green otherwise (closed, long-term, or not yet close).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColourAt {
    pub colour: Colour,
    pub today: Date,
    pub warn_days: i32,
}

#[derive(Debug, Clone, Default)]
pub struct PlanFilter {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub status: Option<PlanStatus>,
    pub scope: Option<RectifyScope>,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    /// One task, for its ledger row.
    pub task_id: Option<Id>,
    pub inspection_id: Option<Id>,
    /// The tasks of the inspections this committee sends (分级汇总's numbers open these).
    pub dispatcher_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub plan_id: Option<Id>,
    pub status: Option<TaskStatus>,
    pub problem_id: Option<Id>,
    /// The category of the task's problem.
    pub category_id: Option<Id>,
    pub colour: Option<ColourAt>,
    pub scope: Option<RectifyScope>,
    /// Tasks whose claim was rejected at least once.
    pub rejected: bool,
    /// Text the task's measure, target, responsible people, lead department, 序号 or its
    /// problem's title contains (a substring, case folded for ASCII).
    pub text: Option<String>,
    /// Withdrawn tasks are left out unless asked for.
    pub include_withdrawn: bool,
}

/// The order of a ledger list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaskOrder {
    /// By id, that is by creation; pages continue after the cursor.
    #[default]
    Created,
    /// The earliest deadline first (the overdue and near-due lists); first page only.
    Deadline,
}

/// A column the ledger sorts by. Each has an index over (its key, id) (migration 0022), so
/// every sort is a walk of an index, ties broken by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TaskSortKey {
    /// The ledger's order: by id, that is as the tasks were entered (序号 within a plan).
    #[default]
    Seq,
    /// Unit by unit, in the order the units were registered (by the unit's id): the rows of a
    /// unit together, not the units by name, which no index of the tasks holds.
    Unit,
    /// By deadline; long-term tasks (长期坚持, without a date) after every dated one.
    Due,
    /// By state code, which keeps each state's tasks together (claimed, closed, in_progress,
    /// not_started).
    Status,
    Progress,
    Updated,
}

impl TaskSortKey {
    pub const ALL: [TaskSortKey; 6] = [
        TaskSortKey::Seq,
        TaskSortKey::Unit,
        TaskSortKey::Due,
        TaskSortKey::Status,
        TaskSortKey::Progress,
        TaskSortKey::Updated,
    ];
}

impl SortKey for TaskSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            TaskSortKey::Seq => "seq",
            TaskSortKey::Unit => "unit",
            TaskSortKey::Due => "due",
            TaskSortKey::Status => "status",
            TaskSortKey::Progress => "progress",
            TaskSortKey::Updated => "updated",
        }
    }

    fn label(self) -> &'static str {
        match self {
            TaskSortKey::Seq => "序号",
            TaskSortKey::Unit => "单位",
            TaskSortKey::Due => "整改时限",
            TaskSortKey::Status => "状态",
            TaskSortKey::Progress => "进度",
            TaskSortKey::Updated => "更新时间",
        }
    }
}

/// The order of a sorted ledger page: a column and its direction (`due`, `-due`).
pub type TaskSort = Sort<TaskSortKey>;

impl TaskSort {
    /// The sort key of a task, as the cursor carries it and the store compares it.
    pub fn key_of(self, t: &Task) -> String {
        match self.key {
            TaskSortKey::Seq => String::new(),
            TaskSortKey::Unit => t.unit_id.to_string(),
            TaskSortKey::Due => t
                .due
                .date()
                .map(|d| d.to_string())
                .unwrap_or_else(|| NO_DUE_KEY.to_owned()),
            TaskSortKey::Status => t.status.as_str().to_owned(),
            TaskSortKey::Progress => t.progress.to_string(),
            TaskSortKey::Updated => crate::audit::format_at(t.updated_at),
        }
    }
}

/// Where a task without a date (长期坚持) sorts among the deadlines: after every date.
pub const NO_DUE_KEY: &str = "9999-12-31";

/// A row of the ledger as lists show it: the task with the names that go with it and its
/// newest progress report, read in one query.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub task: Task,
    pub problem_title: String,
    pub category_id: Id,
    pub category_name: String,
    pub unit_name: String,
    pub team_name: String,
    pub latest: Option<ProgressReport>,
    /// The latest rejection's defect and reason, for tasks rejected at least once.
    pub rejection: Option<(Option<crate::rectify::Defect>, String)>,
    /// Whether a later plan carries it over (一并落实, 回头看).
    pub carried: bool,
}

/// A task as the dashboard's lists show it: with its unit's name and its latest rejection,
/// not the ledger's other names and newest report, which those lists do not show.
#[derive(Debug, Clone)]
pub struct TaskLineRow {
    pub task: Task,
    pub unit_name: String,
    /// As [`LedgerRow::rejection`].
    pub rejection: Option<(Option<crate::rectify::Defect>, String)>,
}

/// Which tasks the tallies are added up over: everything, or some inspections and units.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TallyFilter {
    pub inspection_id: Option<Id>,
    /// The tasks of the inspections this committee sends.
    pub dispatcher_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub scope: Option<RectifyScope>,
}

/// How many live tasks have one combination of heading, status, colour and rejection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskCount {
    pub category_id: Id,
    pub status: TaskStatus,
    pub colour: Colour,
    pub rejected: bool,
    pub n: i64,
}

/// The live tasks of one inspected unit for one inspection, added up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SlotCount {
    pub inspection_id: Id,
    pub unit_id: Id,
    pub total: i64,
    pub closed: i64,
    pub overdue: i64,
}

/// One unit's live tasks added up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitCount {
    pub unit_id: Id,
    pub total: i64,
    pub closed: i64,
    pub overdue: i64,
    pub near_due: i64,
    /// Closed after the deadline.
    pub closed_late: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub task_id: Option<Id>,
    pub plan_id: Option<Id>,
    /// Only requests not yet decided.
    pub pending: bool,
}

pub trait RectifyRead: Send {
    fn get_rect_plan(&mut self, id: Id) -> impl Future<Output = Result<Option<Plan>>> + Send;
    /// The plan of one inspected unit for one inspection (there is at most one).
    fn find_rect_plan(
        &mut self,
        inspection_id: Id,
        unit_id: Id,
    ) -> impl Future<Output = Result<Option<Plan>>> + Send;
    /// Plans by id (creation order), `page.limit + 1` rows at most.
    fn list_rect_plans(
        &mut self,
        f: &PlanFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Plan>>> + Send;
    /// The reviews of a plan, oldest first.
    fn list_plan_reviews(
        &mut self,
        plan_id: Id,
    ) -> impl Future<Output = Result<Vec<PlanReview>>> + Send;
    fn get_task(&mut self, id: Id) -> impl Future<Output = Result<Option<Task>>> + Send;
    /// A task with its plan and its inspection (with the inspection's targets), in one read:
    /// what every change of a task is checked against.
    fn get_task_context(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<(Task, Plan, crate::inspection::Inspection)>>> + Send;
    /// Tasks by id (creation order), `page.limit + 1` rows at most.
    fn list_tasks(
        &mut self,
        f: &TaskFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Task>>> + Send;
    /// Every task matching `f`, by id: for a plan's ledger and for counting.
    fn all_tasks(&mut self, f: &TaskFilter) -> impl Future<Output = Result<Vec<Task>>> + Send;
    /// The progress reports of a task, oldest first.
    fn list_progress(
        &mut self,
        task_id: Id,
    ) -> impl Future<Output = Result<Vec<ProgressReport>>> + Send;
    /// The newest report of each of the tasks that has one.
    fn latest_progress(
        &mut self,
        task_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<ProgressReport>>> + Send;
    fn get_task_evidence(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<TaskEvidence>>> + Send;
    /// The files of a task, withdrawn ones included, in upload order.
    fn list_task_evidence(
        &mut self,
        task_id: Id,
    ) -> impl Future<Output = Result<Vec<TaskEvidence>>> + Send;
    /// The files of each of the tasks, withdrawn ones included, by task then upload order: one
    /// query for a page of an export, not one per task.
    fn list_evidence_of_tasks(
        &mut self,
        task_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<TaskEvidence>>> + Send;
    /// The verifications of a task, oldest first.
    fn list_verifications(
        &mut self,
        task_id: Id,
    ) -> impl Future<Output = Result<Vec<Verification>>> + Send;
    fn get_change_request(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<ChangeRequest>>> + Send;
    /// Change requests, oldest first.
    fn list_change_requests(
        &mut self,
        f: &ChangeFilter,
    ) -> impl Future<Output = Result<Vec<ChangeRequest>>> + Send;
    /// Ledger rows, `page.limit + 1` at most, in `order`.
    fn ledger_rows(
        &mut self,
        f: &TaskFilter,
        order: TaskOrder,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<LedgerRow>>> + Send;
    /// The first `limit` tasks in `order`, as the dashboard lists them.
    fn task_lines(
        &mut self,
        f: &TaskFilter,
        order: TaskOrder,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<TaskLineRow>>> + Send;
    /// A page of the ledger sorted by `sort`, starting at `at` (`None`: the first page),
    /// `limit + 1` rows at most, in the order walked: going back, the rows before the cursor,
    /// nearest first.
    fn ledger_sorted(
        &mut self,
        f: &TaskFilter,
        sort: TaskSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<LedgerRow>>> + Send;
    /// How many tasks `f` matches: from the tallies where they can answer (their colours must be
    /// as of the filter's day and warning period), otherwise by counting rows.
    fn count_tasks(&mut self, f: &TaskFilter) -> impl Future<Output = Result<i64>> + Send;
    /// The day and warning period the tallies' colours are as of; `None` before they are built.
    fn tally_state(&mut self) -> impl Future<Output = Result<Option<(Date, i32)>>> + Send;
    /// The tallies added up by heading, status, colour and rejection.
    fn task_counts(
        &mut self,
        f: &TallyFilter,
    ) -> impl Future<Output = Result<Vec<TaskCount>>> + Send;
    /// The plans of these inspections (each unit's, where there is one).
    fn rect_plans_of(
        &mut self,
        inspection_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<Plan>>> + Send;
    /// The tallies of these inspections, by inspection and unit.
    fn slot_counts(
        &mut self,
        inspection_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<SlotCount>>> + Send;
    /// The units with tasks, most overdue first, `limit` at most, and how many units have tasks.
    fn unit_counts(
        &mut self,
        f: &TallyFilter,
        limit: u32,
    ) -> impl Future<Output = Result<(Vec<UnitCount>, i64)>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait RectifyWrite: RectifyRead {
    fn insert_rect_plan(&mut self, p: &Plan) -> impl Future<Output = Result<()>> + Send;
    /// Stores `p` if the stored version is still `p.version - 1`; otherwise `StaleVersion`.
    fn update_rect_plan(&mut self, p: &Plan) -> impl Future<Output = Result<()>> + Send;

    fn insert_plan_review(&mut self, r: &PlanReview) -> impl Future<Output = Result<()>> + Send;

    fn insert_task(&mut self, t: &Task) -> impl Future<Output = Result<()>> + Send;
    /// Stores `t` if the stored version is still `t.version - 1`; otherwise `StaleVersion`.
    fn update_task(&mut self, t: &Task) -> impl Future<Output = Result<()>> + Send;

    fn insert_progress(&mut self, r: &ProgressReport) -> impl Future<Output = Result<()>> + Send;

    fn insert_task_evidence(&mut self, e: &TaskEvidence)
    -> impl Future<Output = Result<()>> + Send;
    /// Records the withdrawal of a file not yet withdrawn; false if it already was.
    fn withdraw_task_evidence(
        &mut self,
        e: &TaskEvidence,
    ) -> impl Future<Output = Result<bool>> + Send;

    fn insert_verification(&mut self, v: &Verification) -> impl Future<Output = Result<()>> + Send;

    fn insert_change_request(
        &mut self,
        c: &ChangeRequest,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records the decision on a request still pending; false if it was decided already.
    fn decide_change_request(
        &mut self,
        c: &ChangeRequest,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Brings the tallies' colours to `today` under `warn_days`: shifts the tasks whose colour
    /// changed since the day they were as of, or counts everything again when the warning
    /// period changed, the day went back, or they were never built.
    fn refresh_tally(
        &mut self,
        today: Date,
        warn_days: i32,
    ) -> impl Future<Output = Result<()>> + Send;
}
