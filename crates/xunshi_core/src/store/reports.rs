//! Storage of inspection reports, their versions and approvals, and the feedback.

use std::future::Future;

use crate::error::Result;
use crate::feedback::Feedback;
use crate::id::Id;
use crate::report::{ApprovalStep, Report, ReportVersion};

pub trait ReportRead: Send {
    fn get_report(&mut self, id: Id) -> impl Future<Output = Result<Option<Report>>> + Send;
    fn list_reports(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<Report>>> + Send;
    fn get_report_version(
        &mut self,
        report_id: Id,
        number: i32,
    ) -> impl Future<Output = Result<Option<ReportVersion>>> + Send;
    /// Every version of a report, oldest first.
    fn list_report_versions(
        &mut self,
        report_id: Id,
    ) -> impl Future<Output = Result<Vec<ReportVersion>>> + Send;
    /// The steps of a report in the order they were taken.
    fn list_approval_steps(
        &mut self,
        report_id: Id,
    ) -> impl Future<Output = Result<Vec<ApprovalStep>>> + Send;

    fn get_feedback(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Option<Feedback>>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait ReportWrite: ReportRead {
    fn insert_report(&mut self, r: &Report) -> impl Future<Output = Result<()>> + Send;
    /// Stores `r` if the stored version is still `r.version - 1`; otherwise `StaleVersion`.
    fn update_report(&mut self, r: &Report) -> impl Future<Output = Result<()>> + Send;

    fn insert_report_version(
        &mut self,
        v: &ReportVersion,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_approval_step(&mut self, s: &ApprovalStep)
    -> impl Future<Output = Result<()>> + Send;
    fn insert_feedback(&mut self, f: &Feedback) -> impl Future<Output = Result<()>> + Send;
    /// Stores `f` if the stored version is still `f.version - 1`; otherwise `StaleVersion`.
    fn update_feedback(&mut self, f: &Feedback) -> impl Future<Output = Result<()>> + Send;
}
