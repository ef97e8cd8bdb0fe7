//! Periodic upkeep of derived data, run by every serving instance in the background. Each step
//! is idempotent and decides inside its own transaction whether there is anything to do, so
//! several instances running it at once do the work once and the rest find nothing to do.

use super::Services;
use super::planning::today;
use crate::error::Result;
use crate::store::{Store, WriteTx};

impl<S: Store> Services<S> {
    /// Brings the ledger's tallies to today's colours (the first run of a day shifts the tasks
    /// whose deadlines the day passed), so that no reader of the morning waits for it; forgets
    /// the idempotency keys older than a day; and purges the sessions that have expired
    /// (credentials, not records: they are deleted, as on log-out) and what log-in left behind; and writes the reminders
    /// of the deadlines near or reached, once a day, each once per event whichever instance
    /// gets there first.
    pub async fn maintenance(&self) -> Result<()> {
        let now = self.now();
        let _ = self.fresh_tally(today(now)).await?;
        let _ = self.purge_submissions().await?;
        self.purge_expired_sessions().await?;
        let _ = self.daily_reminders().await?;
        Ok(())
    }

    /// Deletes every session past its expiry, with the sign-ons left unfinished and the
    /// log-in attempts' counts of minutes past; returns how many sessions.
    pub async fn purge_expired_sessions(&self) -> Result<u64> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let n = tx.delete_expired_sessions(now).await?;
        tx.purge_sign_ons(now).await?;
        tx.purge_login_attempts(now - jiff::SignedDuration::from_mins(5))
            .await?;
        tx.commit().await?;
        Ok(n)
    }
}
