//! Periodic upkeep of derived data, run by every serving instance in the background. Each step
//! is idempotent and decides inside its own transaction whether there is anything to do, so
//! several instances running it at once do the work once and the rest find nothing to do.

use super::Services;
use super::planning::today;
use crate::error::Result;
use crate::store::Store;

impl<S: Store> Services<S> {
    /// Brings the ledger's tallies to today's colours (the first run of a day shifts the tasks
    /// whose deadlines the day passed), so that no reader of the morning waits for it; forgets
    /// the idempotency keys older than a day.
    pub async fn maintenance(&self) -> Result<()> {
        let day = today(self.now());
        let _ = self.fresh_tally(day).await?;
        let _ = self.purge_submissions().await?;
        Ok(())
    }
}
