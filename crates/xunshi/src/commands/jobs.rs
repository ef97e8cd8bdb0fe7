//! The background jobs of a serving instance: the upkeep, the planner's statistics, the audit
//! checkpoints and the e-mail outbox. Every instance on a database looks for due jobs each
//! second and runs those it takes (`xunshi_store::jobs`), so each job runs once at its time
//! across all of them, and a job whose instance died is taken over when its lease runs out.

use std::time::Duration;

use jiff::SignedDuration;
use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;
use xunshi_store::jobs::{Claim, Outcome, next_due};

use crate::config::Config;
use crate::mail::SmtpMailer;

/// How long a finished run is kept in `job_runs`.
const RUNS_KEPT: SignedDuration = SignedDuration::from_hours(24 * 30);

/// The jobs that read every problem: first run at night, not on the first start of a server
/// over a large database, while people are at work.
const NIGHTLY: &[&str] = &["patterns"];

/// The next 02:00 Beijing time (18:00 UTC; China keeps no summer time) after `now`.
fn next_night(now: jiff::Timestamp) -> jiff::Timestamp {
    const DAY: i64 = 86_400;
    let secs = now.as_second();
    let mut night = secs.div_euclid(DAY) * DAY + 18 * 3_600;
    if night <= secs {
        night += DAY;
    }
    jiff::Timestamp::from_second(night).unwrap_or(now)
}

/// What this instance runs, and how often.
struct Jobs {
    services: Services<Db>,
    db: Db,
    upkeep: SignedDuration,
    checkpoint: Option<SignedDuration>,
    mailer: Option<SmtpMailer>,
    lease: SignedDuration,
    /// This instance's name in the jobs' rows: the process and a fresh id.
    holder: String,
}

impl Jobs {
    fn schedule(&self) -> Vec<(&'static str, SignedDuration)> {
        let mut jobs = vec![
            ("upkeep", self.upkeep),
            ("statistics", SignedDuration::from_hours(1)),
            ("patterns", SignedDuration::from_hours(24)),
        ];
        if let Some(every) = self.checkpoint {
            jobs.push(("checkpoint", every));
        }
        if self.mailer.is_some() {
            jobs.push(("mail", SignedDuration::from_mins(1)));
        }
        jobs
    }

    async fn run(&self, job: &str) -> Outcome {
        let err = |e: CoreError| e.to_string();
        match job {
            "upkeep" => {
                self.services.maintenance().await.map_err(err)?;
                let purged = self
                    .db
                    .purge_job_runs(self.services.now() - RUNS_KEPT)
                    .await
                    .map_err(err)?;
                Ok(format!("{purged} old runs forgotten"))
            }
            "statistics" => self.db.optimise().await.map(|_| String::new()).map_err(err),
            "patterns" => {
                let run = self
                    .services
                    .compute_patterns(&Actor::system())
                    .await
                    .map_err(err)?;
                Ok(format!(
                    "{} clusters of {} problems, {} across terms; {} found again after closing",
                    run.clusters, run.problems, run.term_clusters, run.recurring
                ))
            }
            "checkpoint" => match self.services.write_audit_checkpoint(&Actor::system()).await {
                Ok(Some(c)) => Ok(format!("{} pins #{}", c.name, c.checkpoint.seq)),
                Ok(None) => Ok("nothing new to pin".into()),
                Err(CoreError::Conflict(e)) => {
                    tracing::error!(error = %e, "the audit trail disagrees with its checkpoints");
                    Err(e)
                }
                Err(e) => Err(e.to_string()),
            },
            "mail" => match &self.mailer {
                Some(m) => {
                    let run = self.services.send_mails(m, self.lease).await.map_err(err)?;
                    Ok(format!("{} sent, {} failed", run.sent, run.failed))
                }
                None => Err("no mail server is configured here".into()),
            },
            other => Err(format!("no such job “{other}”")),
        }
    }

    /// Runs `c` while renewing its lease, so that a long run is not taken over while alive.
    async fn run_held(&self, c: &Claim) -> Outcome {
        let job = self.run(&c.job);
        tokio::pin!(job);
        let third = Duration::try_from(self.lease / 3).unwrap_or(Duration::from_secs(1));
        let mut renew = tokio::time::interval(third);
        renew.tick().await;
        loop {
            tokio::select! {
                out = &mut job => return out,
                _ = renew.tick() => {
                    let until = self.services.now() + self.lease;
                    match self.db.renew_job(c, &self.holder, until).await {
                        Ok(true) => {}
                        Ok(false) => tracing::warn!(job = %c.job, "the job was taken over by another instance while running"),
                        Err(e) => tracing::warn!(job = %c.job, error = %e, "renewing a job's lease failed"),
                    }
                }
            }
        }
    }

    /// Takes and runs every job due now, one after another.
    async fn turn(&self, schedule: &[(&'static str, SignedDuration)]) -> Result<(), CoreError> {
        let names: Vec<&str> = schedule.iter().map(|(n, _)| *n).collect();
        while let Some(c) = self
            .db
            .claim_job(&names, &self.holder, self.services.now(), self.lease)
            .await?
        {
            let outcome = self.run_held(&c).await;
            if let Err(e) = &outcome {
                tracing::warn!(job = %c.job, error = %e, "a background job failed; it runs again at its next time");
            }
            let every = schedule
                .iter()
                .find(|(n, _)| *n == c.job)
                .map_or(self.upkeep, |(_, e)| *e);
            let now = self.services.now();
            let next = next_due(&c.due_at, every, now)?;
            self.db
                .finish_job(&c, &self.holder, now, next, outcome)
                .await?;
        }
        Ok(())
    }
}

/// Starts this instance's share of the background jobs.
pub fn spawn(services: Services<Db>, db: Db, config: &Config, mailer: Option<SmtpMailer>) {
    let jobs = Jobs {
        services,
        db,
        upkeep: config.jobs.upkeep,
        checkpoint: config
            .anchor
            .as_ref()
            .and_then(|(a, _)| SignedDuration::try_from(a.every).ok()),
        mailer,
        lease: config.jobs.lease,
        holder: format!("{}:{}", std::process::id(), Id::new()),
    };
    tokio::spawn(async move {
        let schedule = jobs.schedule();
        let names: Vec<&str> = schedule.iter().map(|(n, _)| *n).collect();
        tracing::info!(holder = %jobs.holder, jobs = ?names, "background jobs started");
        let now = jobs.services.now();
        let (nightly, at_once): (Vec<&str>, Vec<&str>) =
            names.iter().partition(|n| NIGHTLY.contains(n));
        for (names, due) in [(at_once, now), (nightly, next_night(now))] {
            if let Err(e) = jobs.db.schedule_jobs(&names, due).await {
                tracing::error!(error = %e, "the background jobs cannot be scheduled");
            }
        }
        let mut tick = tokio::time::interval(Duration::from_secs(1));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = jobs.turn(&schedule).await {
                tracing::warn!(error = %e, "looking for due background jobs failed");
            }
        }
    });
}
