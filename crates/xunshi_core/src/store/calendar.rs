//! Storage of the holiday arrangements.

use std::future::Future;

use jiff::civil::Date;

use crate::calendar::CalendarDay;
use crate::deadline::{Clock, DeadlineChange};
use crate::error::Result;
use crate::id::Id;
use crate::org::UnitLevel;

/// A year whose arrangement is known, and where it came from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarYear {
    pub year: i16,
    pub source: String,
    pub added_at: String,
}

/// The running clocks of one clock fed back on one date whose deadline one rule reckons: of
/// one dispatcher's level, and of one committee where its own rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockGroup {
    pub clock: Clock,
    pub feedback: Date,
    pub level: UnitLevel,
    pub owner: Option<Id>,
    /// How many clocks the group holds.
    pub count: i64,
}

pub trait CalendarRead: Send {
    /// The current entry of every known year.
    fn calendar_years(&mut self) -> impl Future<Output = Result<Vec<CalendarYear>>> + Send;
    /// Every listed day of every known year, as its current entry lists it.
    fn calendar_days(&mut self) -> impl Future<Output = Result<Vec<CalendarDay>>> + Send;

    /// How many running clocks of each clock started on each feedback date from `from` to
    /// `to` (both included), by the dispatcher's level and the committee whose own rule
    /// reckons them: the deadlines an entered year may move are found by these dates, a few
    /// hundred groups at most, not by reading every clock.
    fn running_clock_groups(
        &mut self,
        from: Date,
        to: Date,
    ) -> impl Future<Output = Result<Vec<ClockGroup>>> + Send;

    /// The running clocks of one group, as (inspection, unit), after the pair `after`, at most
    /// `limit`: one page of them.
    fn running_clocks_in_group(
        &mut self,
        group: &ClockGroup,
        after: Option<(Id, Id)>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(Id, Id)>>> + Send;

    fn get_deadline_change(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<DeadlineChange>>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait CalendarWrite: CalendarRead {
    /// Replaces the arrangement of `year` with `days`, and records where it came from. An
    /// earlier entry of the year is kept, marked replaced at `at`, and no longer read as current.
    fn replace_calendar_year(
        &mut self,
        year: i16,
        source: &str,
        at: jiff::Timestamp,
        days: &[CalendarDay],
    ) -> impl Future<Output = Result<()>> + Send;

    /// Keeps a deadline that moved, for the unit to take note of.
    fn insert_deadline_change(
        &mut self,
        change: &DeadlineChange,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Records that the unit took note of the change.
    fn acknowledge_deadline_change(
        &mut self,
        id: Id,
        by: Option<Id>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
}
