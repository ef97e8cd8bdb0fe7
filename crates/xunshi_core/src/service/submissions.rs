//! Idempotent submissions. Every form that creates something carries a key made when the form
//! was shown (`_idem`), and an API call may send one (`Idempotency-Key`); the edge tags the
//! request's actor with it ([`crate::permission::SubmissionTag`]). The service's write
//! transaction claims the key with the first record it appends to the trail
//! (`service::record`), so the key and the record are committed together or not at all; a
//! repeat of the key is refused there, before it can create a second record. The edge notes
//! the first answer just after it ([`Services::answer_submission`]) and gives it to every
//! repeat within a day ([`Services::submission`]); the periodic upkeep forgets older keys.

use jiff::SignedDuration;

use super::Services;
use crate::error::{CoreError, Result};
use crate::permission::Actor;
use crate::store::{Store, Submission, SubmissionAnswer, SubmissionRead, SubmissionWrite, WriteTx};

/// The refusal of a repeat that reached a service while the first was still being answered.
pub const ALREADY_SUBMITTED: &str = "该表单已经提交过，请勿重复提交";

/// How long a key is remembered.
pub const KEPT_FOR: SignedDuration = SignedDuration::from_hours(24);

impl<S: Store> Services<S> {
    /// The key the actor's request carries, as recorded for the actor, if a request of it made
    /// a record within the last day.
    pub async fn submission(&self, actor: &Actor) -> Result<Option<Submission>> {
        let (Some(tag), Some(user_id)) = (actor.submission(), actor.user_id()) else {
            return Ok(None);
        };
        let mut tx = self.store.read().await?;
        let found = tx.get_submission(user_id, &tag.key, &tag.route).await?;
        let since = self.now() - KEPT_FOR;
        Ok(found.filter(|s| s.created_at >= since))
    }

    /// Notes the answer of the actor's request, if that request made the record of its key.
    /// Not an edit of anything: no audit record of its own (the record it answers has one).
    pub async fn answer_submission(
        &self,
        actor: &Actor,
        answer: &SubmissionAnswer,
    ) -> Result<bool> {
        let (Some(tag), Some(user_id)) = (actor.submission(), actor.user_id()) else {
            return Err(CoreError::internal("answer_submission without a key"));
        };
        let mut tx = self.store.write().await?;
        let done = tx
            .answer_submission(user_id, &tag.key, &tag.route, &tag.nonce, answer)
            .await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Forgets the keys older than a day; returns how many.
    pub(crate) async fn purge_submissions(&self) -> Result<u64> {
        let mut tx = self.store.write().await?;
        let n = tx.purge_submissions(self.now() - KEPT_FOR).await?;
        tx.commit().await?;
        Ok(n)
    }
}
