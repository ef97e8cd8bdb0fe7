//! Storage of idempotency keys: which request of a key made a record, and the answer it got.

use std::future::Future;

use crate::error::Result;
use crate::id::Id;

/// One key of one account for one address, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub user_id: Id,
    pub key: String,
    /// The method and path the key was sent to.
    pub route: String,
    /// Which request of the key made the record.
    pub nonce: String,
    /// The audit trail's object of the first record the request's transaction wrote.
    pub object_type: String,
    pub object_id: Option<Id>,
    pub created_at: jiff::Timestamp,
    /// The first answer, once noted.
    pub answer: Option<SubmissionAnswer>,
}

/// The answer the first request of a key got, given again to every repeat.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionAnswer {
    pub status: u16,
    pub location: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

pub trait SubmissionRead: Send {
    fn get_submission(
        &mut self,
        user_id: Id,
        key: &str,
        route: &str,
    ) -> impl Future<Output = Result<Option<Submission>>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait SubmissionWrite: SubmissionRead {
    /// Records the key for `s.nonce` unless the key is already recorded; returns the nonce the
    /// stored key belongs to (`s.nonce` if this transaction holds it).
    fn claim_submission(&mut self, s: &Submission) -> impl Future<Output = Result<String>> + Send;
    /// Notes the answer of the request `nonce`; false if the key is not that request's.
    fn answer_submission(
        &mut self,
        user_id: Id,
        key: &str,
        route: &str,
        nonce: &str,
        answer: &SubmissionAnswer,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Forgets the keys recorded before `before`; returns how many.
    fn purge_submissions(
        &mut self,
        before: jiff::Timestamp,
    ) -> impl Future<Output = Result<u64>> + Send;
}
