//! Storage of the holiday arrangements.

use std::future::Future;

use crate::calendar::CalendarDay;
use crate::error::Result;

/// A year whose arrangement is known, and where it came from.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarYear {
    pub year: i16,
    pub source: String,
    pub added_at: String,
}

pub trait CalendarRead: Send {
    /// The current entry of every known year.
    fn calendar_years(&mut self) -> impl Future<Output = Result<Vec<CalendarYear>>> + Send;
    /// Every listed day of every known year, as its current entry lists it.
    fn calendar_days(&mut self) -> impl Future<Output = Result<Vec<CalendarDay>>> + Send;
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
}
