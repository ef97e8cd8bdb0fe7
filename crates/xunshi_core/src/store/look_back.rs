//! Look-back (回头看) as the store keeps it: the tasks of earlier inspections a unit's new plan
//! carries over, linked by id.

use std::future::Future;

use crate::error::Result;
use crate::id::Id;
use crate::rectify::Task;

/// Who carried a task into a plan, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CarriedLink {
    pub plan_id: Id,
    pub task_id: Id,
    pub by: Option<Id>,
    pub by_name: String,
    pub at: jiff::Timestamp,
}

pub trait LookBackRead: Send {
    /// The tasks a plan carries over, in the order they were carried.
    fn carried_into(
        &mut self,
        plan_id: Id,
    ) -> impl Future<Output = Result<Vec<CarriedLink>>> + Send;
    /// The plans that carry a task over.
    fn carrying(&mut self, task_id: Id) -> impl Future<Output = Result<Vec<CarriedLink>>> + Send;
    /// A unit's tasks in force and not closed of inspections other than `except`, not yet
    /// carried into `plan_id`, in id order, at most `limit`.
    fn carryable_tasks(
        &mut self,
        unit_id: Id,
        except: Id,
        plan_id: Id,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Task>>> + Send;
}

pub trait LookBackWrite: Send {
    /// Links a task to a plan; false if it was linked already.
    fn insert_carried(&mut self, link: &CarriedLink) -> impl Future<Output = Result<bool>> + Send;
    /// Unlinks a task from a plan; false if it was not linked.
    fn delete_carried(
        &mut self,
        plan_id: Id,
        task_id: Id,
    ) -> impl Future<Output = Result<bool>> + Send;
}
