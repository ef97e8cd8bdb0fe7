//! Storage of supervision: the deadline rules and the warning period, follow-up notices,
//! accountability records and long-term mechanisms.

use std::future::Future;

use jiff::civil::Date;

use crate::access::Visible;
use crate::deadline::Clock;
use crate::error::Result;
use crate::id::Id;
use crate::org::UnitLevel;
use crate::page::PageRequest;
use crate::rectify::{Accountability, FollowUp, Form, Mechanism, NoticeKind, Verification};
use crate::supervision::{RectifySettings, StoredDeadlineRule};

/// Which follow-up notices a list shows. `scope` narrows to what the reader may see.
#[derive(Debug, Clone)]
pub struct FollowUpFilter {
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    pub kind: Option<NoticeKind>,
    /// Some(true): answered; Some(false): awaiting the unit's answer.
    pub answered: Option<bool>,
}

/// One group of [`SuperviseRead::followup_counts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpCount {
    pub kind: NoticeKind,
    pub answered: bool,
    pub n: i64,
}

#[derive(Debug, Clone)]
pub struct AccountabilityFilter {
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    pub form: Option<Form>,
}

#[derive(Debug, Clone)]
pub struct MechanismFilter {
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
}

/// Which running clocks a dashboard shows: those of one kind, within what the reader sees.
#[derive(Debug, Clone)]
pub struct ClockFilter {
    pub clock: Clock,
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
}

/// A clock still running: an inspected unit of an inspection under rectification whose event
/// (the plan, or both reports, reaching the office) has not been recorded.
#[derive(Debug, Clone)]
pub struct RunningClock {
    pub inspection_id: Id,
    pub team_name: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub feedback: Date,
    /// The level of the dispatching committee, which decides the rules that apply.
    pub level: UnitLevel,
}

pub trait SuperviseRead: Send {
    /// Running clocks of `f.clock`, the earliest feedback first, `limit` at most.
    fn running_clocks(
        &mut self,
        f: &ClockFilter,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RunningClock>>> + Send;
    /// How many clocks of `f.clock` run, by feedback date and level, for counting them by
    /// colour without reading each.
    fn running_clock_days(
        &mut self,
        f: &ClockFilter,
    ) -> impl Future<Output = Result<Vec<(Date, UnitLevel, i64)>>> + Send;
    /// Every stored deadline rule.
    fn deadline_rules(&mut self) -> impl Future<Output = Result<Vec<StoredDeadlineRule>>> + Send;
    fn get_deadline_rule(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<StoredDeadlineRule>>> + Send;

    fn rectify_settings(&mut self) -> impl Future<Output = Result<RectifySettings>> + Send;
    fn get_followup(&mut self, id: Id) -> impl Future<Output = Result<Option<FollowUp>>> + Send;
    /// In order of issue (by id); the cursor is the id of the last one seen.
    fn list_followups(
        &mut self,
        f: &FollowUpFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<FollowUp>>> + Send;
    /// How many notices [`SuperviseRead::list_followups`] would list over all its pages, by
    /// kind and by whether they are answered: one grouped count, so a dashboard's numbers of
    /// notices cost one statement.
    fn followup_counts(
        &mut self,
        f: &FollowUpFilter,
    ) -> impl Future<Output = Result<Vec<FollowUpCount>>> + Send;
    fn list_accountability(
        &mut self,
        f: &AccountabilityFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Accountability>>> + Send;
    /// How many records [`SuperviseRead::list_accountability`] would list, by form, in one
    /// grouped count.
    fn accountability_counts(
        &mut self,
        f: &AccountabilityFilter,
    ) -> impl Future<Output = Result<Vec<(Form, i64)>>> + Send;
    fn list_mechanisms(
        &mut self,
        f: &MechanismFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Mechanism>>> + Send;
    fn count_mechanisms(&mut self, f: &MechanismFilter)
    -> impl Future<Output = Result<i64>> + Send;

    /// The latest rejection of each of the tasks that has one (the ledger's verifications that
    /// did not close the task), for the dashboard's rejected items.
    fn latest_rejections(
        &mut self,
        task_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<Verification>>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait SuperviseWrite: SuperviseRead {
    /// Stores `r` if the stored version is still `r.version - 1`; otherwise `StaleVersion`.
    fn update_deadline_rule(
        &mut self,
        r: &StoredDeadlineRule,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores `s` if the stored version is still `s.version - 1`; otherwise `StaleVersion`.
    fn update_rectify_settings(
        &mut self,
        s: &RectifySettings,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_followup(
        &mut self,
        f: &FollowUp,
        issued_by_id: Option<Id>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores the answer of `f` if the stored version is still `f.version - 1`.
    fn update_followup(
        &mut self,
        f: &FollowUp,
        answered_by_id: Option<Id>,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_accountability(
        &mut self,
        a: &Accountability,
        recorded_by: Option<Id>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_mechanism(
        &mut self,
        m: &Mechanism,
        recorded_by: Option<Id>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
}
