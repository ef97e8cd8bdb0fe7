//! Storage of the to-do (工作台): for each kind of waiting work, how many rows wait and the
//! oldest of them. Every kind is one state of one table (a plan submitted, a task claimed, a
//! change request undecided, a follow-up notice unanswered, a notice submitted or sent back
//! for review, a report at a step of its chain, a paper approved and not signed), so a done
//! item leaves the list by its state alone.

use std::future::Future;

use jiff::civil::Date;

use crate::clue::{ClueScope, Recipient};
use crate::error::Result;
use crate::id::Id;

/// The states that wait for someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waiting {
    /// A rectification plan submitted, awaiting review.
    PlanSubmitted,
    /// A task claimed done (已完成待销号), awaiting verification.
    TaskClaimed,
    /// A change request not yet decided.
    ChangePending,
    /// A follow-up notice the unit has not answered, of an inspection still under
    /// rectification (an archived one takes no answers).
    FollowUpOpen,
    /// A public progress notice submitted to the office, of an inspection not archived.
    NoticeSubmitted,
    /// A published notice sent back for review (待复核), of an inspection not archived.
    NoticeNeedsReview,
    /// An inspection report before the team meeting, while the inspection is reporting.
    ReportAtTeamMeeting,
    /// An inspection report before the office, the leading group or the committee (the office
    /// records all three), while the inspection is reporting.
    ReportWithOffice,
    /// A working paper the team meeting approved, awaiting the leader's signature, while the
    /// team is at work (on site or reporting).
    PaperApproved,
    /// An immediate-fix notice (立行立改通知) the unit has not answered.
    FixNoticeIssued,
    /// An immediate-fix notice answered, awaiting the team's review.
    FixNoticeAnswered,
    /// A deadline that moved when a year's holiday arrangement was entered, not yet taken note
    /// of by its unit.
    DeadlineChanged,
}

/// Whose rows: of only these units (`None`: of every unit), only these inspections (`None`: of
/// every inspection) and only the inspections these committees send (`None`: whoever sends
/// them; a committee's own office), never of the units in `except` — for a report, never of an
/// inspection one of whose inspected units is in `except`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WaitingScope {
    pub only: Option<Vec<Id>>,
    pub except: Vec<Id>,
    pub inspections: Option<Vec<Id>>,
    pub dispatchers: Option<Vec<Id>>,
}

/// What the frame of every page reads besides the kinds of work waiting, each only when asked:
/// every page shows them, and each would otherwise be a statement of its own.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameAsk {
    /// The person's own unit, whose name the frame shows.
    pub unit_of: Option<Id>,
    /// The person whose unread messages are counted.
    pub unread_of: Option<Id>,
    /// The office user for whom disposals wait: those proposed by anyone else (the two-person
    /// rule).
    pub disposals_not_by: Option<Id>,
    /// The year whose holiday arrangement is looked for among those entered.
    pub calendar_year: Option<i16>,
    /// The reader who answers filings (报备): those waiting for it are counted.
    pub filings_for: Option<crate::store::Answerer>,
}

/// The answer to [`TodoRead::frame_counts`]; what was not asked is empty, zero or false.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FrameCount {
    /// Each kind's count, in the order asked.
    pub waiting: Vec<i64>,
    pub unit_name: Option<String>,
    pub unread: i64,
    pub disposals: i64,
    pub calendar_entered: bool,
    pub filings: i64,
}

/// One waiting row, with what the to-do shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingRow {
    /// What is opened to act on it: the plan, the task (for a claim and a change request),
    /// the notice, the report, the paper.
    pub object_id: Id,
    pub inspection_id: Id,
    /// None for a report, which is the whole inspection's.
    pub unit_id: Option<Id>,
    /// The unit's name; for a report, the team's.
    pub unit_name: String,
    /// The plan's, notice's, report's or paper's title, the task's number and measure, the
    /// follow-up notice's number, the immediate-fix notice's sequence number.
    pub label: String,
    /// The task's deadline, the day the answer to a follow-up is due.
    pub due: Option<Date>,
    /// Since when it waits: an RFC 3339 time, or a date for follow-up notices.
    pub since: String,
}

/// The clues of one transfer the recipient has not disposed of yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WaitingTransfer {
    pub transfer_id: Id,
    pub inspection_id: Id,
    pub recipient: Recipient,
    /// 纪委监委, 组织部, or the department's name.
    pub recipient_name: String,
    pub transferred_on: Date,
    pub due_on: Date,
    /// How many of its clues wait.
    pub clues: i64,
}

pub trait TodoRead: Send {
    /// How many rows of `kind` wait within `scope`, counted by the database, and the `limit`
    /// that have waited longest.
    fn waiting(
        &mut self,
        kind: Waiting,
        scope: &WaitingScope,
        limit: u32,
    ) -> impl Future<Output = Result<(i64, Vec<WaitingRow>)>> + Send;

    /// What the frame of every page shows, in one statement: how many rows of each kind wait
    /// within its scope, as [`Self::waiting`] counts them (`FrameCount::waiting`, in the order
    /// asked), and what `also` asks besides.
    fn frame_counts(
        &mut self,
        asked: &[(Waiting, WaitingScope)],
        also: &FrameAsk,
    ) -> impl Future<Output = Result<FrameCount>> + Send;

    /// How many clues transferred within `scope` (its recipients' part) wait for their
    /// disposal, and the `limit` transfers holding them, the earliest due first.
    fn waiting_clues(
        &mut self,
        scope: &ClueScope,
        limit: u32,
    ) -> impl Future<Output = Result<(i64, Vec<WaitingTransfer>)>> + Send;
}
