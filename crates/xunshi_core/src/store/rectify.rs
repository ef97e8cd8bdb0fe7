//! Storage of rectification: the units' plans and their reviews, the ledger's tasks, progress
//! reports, evidence files, verifications and change requests.

use std::future::Future;

use jiff::civil::Date;

use crate::deadline::Colour;
use crate::error::Result;
use crate::id::Id;
use crate::page::PageRequest;
use crate::rectify::{
    ChangeRequest, Plan, PlanReview, PlanStatus, ProgressReport, Task, TaskEvidence, TaskStatus,
    Verification,
};

/// Whose rectification a list may show: rows of these units, or of these inspections. A list
/// without a scope shows everything (the office, the leadership, the supervisors).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RectifyScope {
    pub units: Vec<Id>,
    pub inspections: Vec<Id>,
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
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub plan_id: Option<Id>,
    pub status: Option<TaskStatus>,
    pub problem_id: Option<Id>,
    /// The category of the task's problem.
    pub category_id: Option<Id>,
    pub colour: Option<ColourAt>,
    pub scope: Option<RectifyScope>,
    /// Withdrawn tasks are left out unless asked for.
    pub include_withdrawn: bool,
}

#[derive(Debug, Clone, Default)]
pub struct ChangeFilter {
    pub task_id: Option<Id>,
    pub plan_id: Option<Id>,
    /// Only requests not yet decided.
    pub pending: bool,
}

pub trait RectifyTx: Send {
    fn insert_rect_plan(&mut self, p: &Plan) -> impl Future<Output = Result<()>> + Send;
    /// Stores `p` if the stored version is still `p.version - 1`; otherwise `StaleVersion`.
    fn update_rect_plan(&mut self, p: &Plan) -> impl Future<Output = Result<()>> + Send;
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

    fn insert_plan_review(&mut self, r: &PlanReview) -> impl Future<Output = Result<()>> + Send;
    /// The reviews of a plan, oldest first.
    fn list_plan_reviews(
        &mut self,
        plan_id: Id,
    ) -> impl Future<Output = Result<Vec<PlanReview>>> + Send;

    fn insert_task(&mut self, t: &Task) -> impl Future<Output = Result<()>> + Send;
    /// Stores `t` if the stored version is still `t.version - 1`; otherwise `StaleVersion`.
    fn update_task(&mut self, t: &Task) -> impl Future<Output = Result<()>> + Send;
    fn get_task(&mut self, id: Id) -> impl Future<Output = Result<Option<Task>>> + Send;
    /// Tasks by id (creation order), `page.limit + 1` rows at most.
    fn list_tasks(
        &mut self,
        f: &TaskFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Task>>> + Send;
    /// Every task matching `f`, by id: for a plan's ledger and for counting.
    fn all_tasks(&mut self, f: &TaskFilter) -> impl Future<Output = Result<Vec<Task>>> + Send;

    fn insert_progress(&mut self, r: &ProgressReport) -> impl Future<Output = Result<()>> + Send;
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

    fn insert_task_evidence(&mut self, e: &TaskEvidence)
    -> impl Future<Output = Result<()>> + Send;
    /// Records the withdrawal of a file not yet withdrawn; false if it already was.
    fn withdraw_task_evidence(
        &mut self,
        e: &TaskEvidence,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn get_task_evidence(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<TaskEvidence>>> + Send;
    /// The files of a task, withdrawn ones included, in upload order.
    fn list_task_evidence(
        &mut self,
        task_id: Id,
    ) -> impl Future<Output = Result<Vec<TaskEvidence>>> + Send;

    fn insert_verification(&mut self, v: &Verification) -> impl Future<Output = Result<()>> + Send;
    /// The verifications of a task, oldest first.
    fn list_verifications(
        &mut self,
        task_id: Id,
    ) -> impl Future<Output = Result<Vec<Verification>>> + Send;

    fn insert_change_request(
        &mut self,
        c: &ChangeRequest,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Records the decision on a request still pending; false if it was decided already.
    fn decide_change_request(
        &mut self,
        c: &ChangeRequest,
    ) -> impl Future<Output = Result<bool>> + Send;
    fn get_change_request(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<ChangeRequest>>> + Send;
    /// Change requests, oldest first.
    fn list_change_requests(
        &mut self,
        f: &ChangeFilter,
    ) -> impl Future<Output = Result<Vec<ChangeRequest>>> + Send;
}
