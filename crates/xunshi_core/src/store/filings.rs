//! Storage of filings (报备) between the levels.

use std::future::Future;

use crate::error::Result;
use crate::filing::{Filing, FilingKind, FilingStatus};
use crate::id::Id;
use crate::page::PageRequest;

/// Which filings a list holds. `among` is the reader's scope: `None` reads every filing (the
/// office of the top committee, the leadership), `Some(c)` those filed by or with one of the
/// committees `c`.
#[derive(Debug, Clone, Default)]
pub struct FilingFilter {
    pub among: Option<Vec<Id>>,
    /// Filed by this committee.
    pub committee_id: Option<Id>,
    /// Filed with this committee.
    pub upper_id: Option<Id>,
    pub kind: Option<FilingKind>,
    pub status: Option<FilingStatus>,
    /// Filings of this plan, round or report.
    pub subject_id: Option<Id>,
    /// The filings one reader answers (its to-do's).
    pub answered_by: Option<Answerer>,
}

/// Whose filings a reader answers: those filed with its own committees, and (`top`, the office
/// of the top committee) with a committee that has no committee above it in the tree (no
/// parent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answerer {
    pub committees: Vec<Id>,
    pub top: bool,
}

pub trait FilingRead: Send {
    fn get_filing(&mut self, id: Id) -> impl Future<Output = Result<Option<Filing>>> + Send;
    /// A page of the filings, newest first: `page.after` continues with older ones.
    fn list_filings(
        &mut self,
        f: &FilingFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Filing>>> + Send;
    /// How many filings [`FilingRead::list_filings`] would list over all its pages.
    fn count_filings(&mut self, f: &FilingFilter) -> impl Future<Output = Result<i64>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait FilingWrite: FilingRead {
    fn insert_filing(&mut self, f: &Filing) -> impl Future<Output = Result<()>> + Send;
    /// Stores the answer of `f` if the stored version is still `f.version - 1`; otherwise
    /// `StaleVersion`.
    fn update_filing(&mut self, f: &Filing) -> impl Future<Output = Result<()>> + Send;
}
