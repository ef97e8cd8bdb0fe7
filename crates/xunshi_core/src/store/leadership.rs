//! Storage of the leadership view's figures (领导视图): each one aggregate over an index, read
//! for one term, never rows loaded and counted.

use std::future::Future;

use crate::access::Visible;
use crate::error::Result;
use crate::id::Id;
use crate::inspection::Stage;

/// How many inspections of one round stand at one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageCount {
    pub round_id: Id,
    pub stage: Stage,
    pub n: i64,
}

/// Units under a term's dispatcher, and how many of them an inspection of the term targets.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CoverageCount {
    pub total: i64,
    pub covered: i64,
}

/// Transferred clues by the colour of their handling clock as of a day, and the clues whose
/// handling is done.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClueColourCount {
    pub green: i64,
    pub yellow: i64,
    pub red: i64,
    pub done: i64,
}

/// How many inspections one committee sends stand at one stage (`stage` none: the committee
/// sends none, and is listed all the same).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitteeStageCount {
    pub committee_id: Id,
    pub name: String,
    pub level: crate::org::UnitLevel,
    pub parent_id: Option<Id>,
    pub stage: Option<Stage>,
    pub n: i64,
}

/// The live tasks of the inspections one committee sends, from the ledger's tallies: all of
/// them, those closed (销号), and those red (past their day, not closed) as of the tallies' day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitteeTaskCount {
    pub committee_id: Id,
    pub total: i64,
    pub closed: i64,
    pub red: i64,
}

/// How many of a round's live tasks were closed in one month (`YYYY-MM` of `closed_on`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClosedInMonth {
    pub round_id: Id,
    pub month: String,
    pub n: i64,
}

pub trait LeadershipRead: Send {
    /// The inspections of the term's rounds that [`crate::store::PlanningRead::list_inspections`]
    /// would list for `visible`, counted by round and stage (the same filter, so each number is
    /// the length of the list filtered by term, round and stage).
    fn inspection_stage_counts(
        &mut self,
        term_id: Id,
        visible: &Visible,
    ) -> impl Future<Output = Result<Vec<StageCount>>> + Send;
    /// The units in force below `dispatcher_id` that it is to cover (not those below a lower
    /// committee, `UnitKind::coverage_reaches_below`, as `Services::coverage` walks the tree),
    /// and how many of them an inspection of the term targets.
    fn coverage_count(
        &mut self,
        term_id: Id,
        dispatcher_id: Id,
    ) -> impl Future<Output = Result<CoverageCount>> + Send;
    /// Every clue — or, with `dispatchers`, those of the inspections these committees send —
    /// counted by handling colour as of `today`, with the bounds the clue list's colour filter
    /// uses (red: due before today; yellow: due from today to `today + warn_days`; green: due
    /// later; done: disposed).
    fn clue_colour_counts(
        &mut self,
        today: jiff::civil::Date,
        warn_days: i64,
        dispatchers: Option<&[Id]>,
    ) -> impl Future<Output = Result<ClueColourCount>> + Send;
    /// The live tasks of each round, from the ledger's tallies.
    fn round_task_totals(
        &mut self,
        round_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<(Id, i64)>>> + Send;
    /// The committees at and below `root` in the tree (every committee when `None`; any unit
    /// that sends an inspection counts as one), each with
    /// the inspections it sends counted by stage; a committee sending none has one row without
    /// a stage.
    fn committee_stage_counts(
        &mut self,
        root: Option<Id>,
    ) -> impl Future<Output = Result<Vec<CommitteeStageCount>>> + Send;
    /// The live tasks of the inspections each of `committees` sends, from the tallies (built
    /// by the caller). A committee without tasks has no row.
    fn committee_task_counts(
        &mut self,
        committees: &[Id],
    ) -> impl Future<Output = Result<Vec<CommitteeTaskCount>>> + Send;
    /// The live closed tasks of each round counted by month of closing.
    fn round_closed_by_month(
        &mut self,
        round_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<ClosedInMonth>>> + Send;
}
