//! The running clocks (migration 0017): an inspected unit after feedback whose plan, or whose
//! two reports, have not reached the office yet. The dashboard counts and lists them on every
//! home page; found from the inspections each time, that walked every inspection in
//! rectification. The rows are derived: every write that can start or stop a clock (an
//! inspection's stage, feedback date or targets; a plan; a report) recomputes its inspection's
//! rows in the same transaction, with the one statement below, which also rebuilds them all.

use sqlx::AssertSqlSafe;
use xunshi_core::deadline::Clock;
use xunshi_core::disclosure::DocKind;
use xunshi_core::{Id, Result};

use super::{DbTx, Writing};

/// The running clocks of the inspections `scope` selects (`i` is the inspection, `t` the
/// target), one row per clock, with the level of the dispatcher and, where it keeps its own
/// rule of the clock, the dispatcher, which decide the due date: a plan-due clock runs until
/// the unit's plan is submitted, a report-due clock until both its reports are.
fn running_rows(scope: &str) -> String {
    let report = |kind: DocKind| {
        format!(
            "EXISTS (SELECT 1 FROM rect_documents d
                      WHERE d.inspection_id = i.id AND d.unit_id = t.unit_id
                        AND d.kind = '{}' AND d.submitted_on IS NOT NULL)",
            kind.as_str()
        )
    };
    let reports: Vec<String> = DocKind::REPORTS.iter().map(|k| report(*k)).collect();
    let base = format!(
        "FROM inspections i
           JOIN inspection_targets t ON t.inspection_id = i.id AND t.withdrawn_at IS NULL
           JOIN units dispatcher ON dispatcher.id = i.dispatcher_id
          WHERE i.stage IN ('feedback_given', 'rectification') AND i.feedback_on IS NOT NULL
            {scope}"
    );
    // The dispatcher, where its own rule of the clock reckons it.
    let owner = |clock: Clock| {
        format!(
            "COALESCE((SELECT r.committee_id FROM committee_deadline_rules r
                        WHERE r.committee_id = i.dispatcher_id AND r.clock = '{}'), '')",
            clock.as_str()
        )
    };
    format!(
        "SELECT i.id, t.unit_id, '{plan}', i.feedback_on, dispatcher.level, {plan_owner} {base}
            AND NOT EXISTS (SELECT 1 FROM rectification_plans p
                             WHERE p.inspection_id = i.id AND p.unit_id = t.unit_id
                               AND p.submitted_at IS NOT NULL)
         UNION ALL
         SELECT i.id, t.unit_id, '{report}', i.feedback_on, dispatcher.level, {report_owner} {base}
            AND NOT ({reports})",
        plan_owner = owner(Clock::PlanDue),
        report_owner = owner(Clock::ReportDue),
        plan = Clock::PlanDue.as_str(),
        report = Clock::ReportDue.as_str(),
        reports = reports.join(" AND "),
    )
}

impl DbTx<Writing> {
    /// Keeps the level the clocks of a unit's inspections carry (see migration 0018) when the
    /// unit's level is changed.
    pub(crate) async fn relevel_clocks(&mut self, dispatcher: Id, level: &str) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE running_clocks SET dispatcher_level = $1
                  WHERE dispatcher_level <> $1
                    AND inspection_id IN (SELECT id FROM inspections WHERE dispatcher_id = $2)",
            )
            .bind(level.to_owned())
            .bind(dispatcher.to_string()),
        )
        .await?;
        Ok(())
    }

    /// Has the running clocks of `clock` of the inspections `committee` sends reckoned by the
    /// committee's own rule (`owner` its id) or by its level's again (`owner` empty), when the
    /// committee's own rule is made or removed.
    pub(crate) async fn own_clocks(
        &mut self,
        committee: Id,
        clock: Clock,
        owner: &str,
    ) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE running_clocks SET rule_owner = $1
                  WHERE clock = $2 AND rule_owner <> $1
                    AND inspection_id IN (SELECT id FROM inspections WHERE dispatcher_id = $3)",
            )
            .bind(owner.to_owned())
            .bind(clock.as_str())
            .bind(committee.to_string()),
        )
        .await?;
        Ok(())
    }

    /// Recomputes the running clocks of one inspection, or of every inspection when `None`.
    pub async fn refresh_clocks(&mut self, inspection: Option<Id>) -> Result<()> {
        let insert = |scope: &str| {
            format!(
                "INSERT INTO running_clocks (inspection_id, unit_id, clock, feedback_on,
                        dispatcher_level, rule_owner) {}",
                running_rows(scope)
            )
        };
        match inspection {
            Some(id) => {
                self.execute(
                    sqlx::query("DELETE FROM running_clocks WHERE inspection_id = $1")
                        .bind(id.to_string()),
                )
                .await?;
                self.execute(
                    sqlx::query(AssertSqlSafe(insert("AND i.id = $1"))).bind(id.to_string()),
                )
                .await?;
            }
            None => {
                self.execute(sqlx::query("DELETE FROM running_clocks"))
                    .await?;
                self.execute(sqlx::query(AssertSqlSafe(insert("")))).await?;
            }
        }
        Ok(())
    }
}
