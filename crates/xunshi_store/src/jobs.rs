//! Background jobs shared by every instance on one database (migration 0034): each due job is
//! taken by one instance at a time, held under a lease it renews while it works, and handed on
//! for its next run when done. On PostgreSQL the claim reads under `FOR UPDATE SKIP LOCKED`,
//! so instances looking at the same moment take different jobs instead of queueing; on SQLite
//! the one process's scheduler takes them in turn. An instance that dies mid-job leaves its
//! run unfinished; once the lease has run out another instance takes the job over, marks the
//! dead run abandoned and runs the same due time again. The jobs themselves commit their work
//! in their own transactions and are idempotent, so a run taken over repeats nothing done.

use jiff::{SignedDuration, Timestamp};
use sqlx::Row;
use xunshi_core::{CoreError, Id, Result};

use crate::tx::ts;
use crate::{Db, Dialect, db_err};

/// A job taken by this instance: which, for what due time, and its run's row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub job: String,
    pub due_at: String,
    pub run_id: String,
}

/// What a finished run tells its row.
pub type Outcome = std::result::Result<String, String>;

impl Db {
    /// A transaction over the jobs' rows. On SQLite it takes the write lock at once, so that
    /// its read and its write see one state (a deferred one could not write after a writer of
    /// the lane committed between them).
    async fn begin_jobs(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        match self.dialect {
            Dialect::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => self.pool.begin().await,
        }
        .map_err(db_err)
    }

    /// Makes sure every job named exists, due now if new; jobs already there keep their
    /// schedule, so instances starting one after another do not reset it.
    pub async fn schedule_jobs(&self, names: &[&str], now: Timestamp) -> Result<()> {
        for name in names {
            sqlx::query(
                "INSERT INTO jobs (name, due_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            )
            .bind(name.to_string())
            .bind(ts(now))
            .execute(&self.pool)
            .await
            .map_err(db_err)?;
        }
        Ok(())
    }

    /// Takes the job that has waited longest among `names` (the jobs this instance runs) due
    /// by `now` and free (never held, or its holder's lease over), for `holder` until
    /// `now + lease`. `None` when none is.
    pub async fn claim_job(
        &self,
        names: &[&str],
        holder: &str,
        now: Timestamp,
        lease: SignedDuration,
    ) -> Result<Option<Claim>> {
        if names.is_empty() {
            return Ok(None);
        }
        // Most seconds nothing is due: asked first outside any transaction, so that the
        // scheduler takes SQLite's write lock only when it has a job to take.
        if due_query(names, now, "")
            .fetch_optional(&self.pool)
            .await
            .map_err(db_err)?
            .is_none()
        {
            return Ok(None);
        }
        let mut tx = self.begin_jobs().await?;
        let lock = match self.dialect {
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
            Dialect::Sqlite => "",
        };
        let Some(row) = due_query(names, now, lock)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_err)?
        else {
            return Ok(None);
        };
        let job: String = row.try_get("name").map_err(db_err)?;
        let due_at: String = row.try_get("due_at").map_err(db_err)?;
        // A run still open here was its holder's, who is gone (its lease ran out).
        sqlx::query(
            "UPDATE job_runs SET outcome = 'abandoned', finished_at = $1
             WHERE job = $2 AND outcome = 'running'",
        )
        .bind(ts(now))
        .bind(job.clone())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        // On SQLite the condition is checked again as the row is written, in case another
        // connection of this process took the job between the read and the write.
        let taken = sqlx::query(
            "UPDATE jobs SET holder = $1, lease_until = $2
             WHERE name = $3 AND (lease_until IS NULL OR lease_until < $4)",
        )
        .bind(holder.to_owned())
        .bind(ts(now + lease))
        .bind(job.clone())
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected();
        if taken == 0 {
            return Ok(None);
        }
        let run_id = Id::new().to_string();
        sqlx::query(
            "INSERT INTO job_runs (id, job, due_at, holder, started_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(run_id.clone())
        .bind(job.clone())
        .bind(due_at.clone())
        .bind(holder.to_owned())
        .bind(ts(now))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(Some(Claim {
            job,
            due_at,
            run_id,
        }))
    }

    /// Extends `holder`'s lease on a job it is still running; `false` if it no longer holds
    /// it (the lease ran out and another instance took the job over).
    pub async fn renew_job(&self, c: &Claim, holder: &str, until: Timestamp) -> Result<bool> {
        let n = sqlx::query("UPDATE jobs SET lease_until = $1 WHERE name = $2 AND holder = $3")
            .bind(ts(until))
            .bind(c.job.clone())
            .bind(holder.to_owned())
            .execute(&self.pool)
            .await
            .map_err(db_err)?
            .rows_affected();
        Ok(n == 1)
    }

    /// Ends `holder`'s run of a job: records the outcome, frees the job and makes it due next
    /// at `next`. `false` if another instance had taken the job over meanwhile; the run is
    /// then recorded as finished late and the schedule left to the new holder.
    pub async fn finish_job(
        &self,
        c: &Claim,
        holder: &str,
        now: Timestamp,
        next: Timestamp,
        outcome: Outcome,
    ) -> Result<bool> {
        let mut tx = self.begin_jobs().await?;
        let freed = sqlx::query(
            "UPDATE jobs SET holder = NULL, lease_until = NULL, due_at = $1, runs = runs + 1
             WHERE name = $2 AND holder = $3",
        )
        .bind(ts(next))
        .bind(c.job.clone())
        .bind(holder.to_owned())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?
        .rows_affected()
            == 1;
        let (state, detail) = match (&outcome, freed) {
            (Ok(d), true) => ("ok", d.clone()),
            (Err(e), true) => ("failed", e.clone()),
            (Ok(d), false) => ("late", d.clone()),
            (Err(e), false) => ("late", e.clone()),
        };
        sqlx::query(
            "UPDATE job_runs SET outcome = $1, detail = $2, finished_at = $3
             WHERE id = $4 AND outcome = 'running'",
        )
        .bind(state)
        .bind(detail)
        .bind(ts(now))
        .bind(c.run_id.clone())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        Ok(freed)
    }

    /// The newest run begun since `since`, as `(job, holder, started_at)`: a sign that a server
    /// is running (each runs the upkeep every `upkeep_seconds`).
    pub async fn run_begun_since(
        &self,
        since: Timestamp,
    ) -> Result<Option<(String, String, String)>> {
        sqlx::query_as(
            "SELECT job, holder, started_at FROM job_runs WHERE started_at >= $1
             ORDER BY started_at DESC LIMIT 1",
        )
        .bind(ts(since))
        .fetch_optional(&self.pool)
        .await
        .map_err(db_err)
    }

    /// Forgets the runs finished before `before`; returns how many.
    pub async fn purge_job_runs(&self, before: Timestamp) -> Result<u64> {
        sqlx::query("DELETE FROM job_runs WHERE finished_at IS NOT NULL AND finished_at < $1")
            .bind(ts(before))
            .execute(&self.pool)
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
    }
}

/// The job among `names` that has waited longest of those due by `now` and free, read with
/// `lock` appended (a row lock, or nothing).
fn due_query(
    names: &[&str],
    now: Timestamp,
    lock: &str,
) -> sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments> {
    let named: Vec<String> = (0..names.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT name, due_at FROM jobs
         WHERE due_at <= $1 AND (lease_until IS NULL OR lease_until < $1)
           AND name IN ({})
         ORDER BY due_at, name LIMIT 1{lock}",
        named.join(", ")
    );
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(ts(now));
    for n in names {
        q = q.bind(n.to_string());
    }
    q
}

/// The next due time of a job run every `every` that was due at `due_at` and finished at
/// `now`: the next slot after `now`, so that a job that fell behind (its instances all down)
/// runs once on return rather than once for every slot it missed.
pub fn next_due(due_at: &str, every: SignedDuration, now: Timestamp) -> Result<Timestamp> {
    let due: Timestamp = due_at
        .parse()
        .map_err(|e| CoreError::internal(format!("a job's due time “{due_at}”: {e}")))?;
    let mut next = due + every;
    if next <= now {
        let behind = (now - next).as_secs_f64() / every.as_secs_f64().max(1e-3);
        next += every * (behind.floor() as i32 + 1);
    }
    Ok(next)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_next_run_is_the_first_slot_after_now() {
        let every = SignedDuration::from_secs(60);
        let due = "2026-12-05T01:00:00.000000Z";
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        assert_eq!(
            next_due(due, every, t("2026-12-05T01:00:05Z")).unwrap(),
            t("2026-12-05T01:01:00Z")
        );
        // Down for ten minutes: once on return, then on the minute.
        assert_eq!(
            next_due(due, every, t("2026-12-05T01:10:30Z")).unwrap(),
            t("2026-12-05T01:11:00Z")
        );
    }
}
