//! The leadership view's figures: each one statement over an index (migration 0023), held to
//! the lists they stand for by the contract cases.

use sqlx::AssertSqlSafe;
use xunshi_core::access::Visible;
use xunshi_core::inspection::Stage;
use xunshi_core::org::UnitLevel;
use xunshi_core::store::{
    ClosedInMonth, ClueColourCount, CommitteeStageCount, CommitteeTaskCount, CoverageCount,
    InspectionFilter, LeadershipRead, StageCount,
};
use xunshi_core::{Id, Result};

use super::planning::inspection_where;
use super::{DbTx, Mode, Where};
use crate::rows::{i, id, opt_id, opt_s, s};

fn day(d: jiff::civil::Date) -> String {
    d.to_string()
}

impl<M: Mode> LeadershipRead for DbTx<M> {
    async fn inspection_stage_counts(
        &mut self,
        term_id: Id,
        visible: &Visible,
    ) -> Result<Vec<StageCount>> {
        // The list's own filter, so that a number and its list cannot disagree.
        let f = InspectionFilter {
            term_id: Some(term_id),
            ..Default::default()
        };
        let Some(w) = inspection_where(&f, visible) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT round_id, stage, CAST(COUNT(*) AS BIGINT) AS n FROM inspections {}
             GROUP BY round_id, stage",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(StageCount {
                    round_id: id(r, "round_id")?,
                    stage: Stage::parse(&s(r, "stage")?)?,
                    n: i(r, "n")?,
                })
            })
            .collect()
    }

    async fn coverage_count(&mut self, term_id: Id, dispatcher_id: Id) -> Result<CoverageCount> {
        // The subtree is walked down the parent index, not below a lower committee
        // (`UnitKind::coverage_reaches_below`), and each of its units looked up among
        // the targets by the unit index (never the targets of every term read); a withdrawn
        // unit is not counted but its children are, as the coverage page walks the tree.
        // `CROSS JOIN` keeps SQLite from reading every unit to find the subtree's.
        let row = self
            .fetch_optional(
                sqlx::query(
                    "WITH RECURSIVE sub (id, kind) AS (
                         SELECT id, kind FROM units WHERE parent_id = $1
                         UNION ALL
                         SELECT u.id, u.kind FROM units u JOIN sub ON u.parent_id = sub.id
                         WHERE sub.kind <> 'lower_committee'
                     )
                     SELECT CAST(COUNT(*) AS BIGINT) AS total,
                            CAST(COALESCE(SUM(x.hit), 0) AS BIGINT) AS covered
                     FROM (
                         SELECT CASE WHEN EXISTS (
                                    SELECT 1 FROM inspection_targets t
                                    JOIN inspections i ON i.id = t.inspection_id
                                    JOIN rounds r ON r.id = i.round_id
                                    WHERE t.unit_id = u.id AND t.withdrawn_at IS NULL
                                      AND r.term_id = $2
                                ) THEN 1 ELSE 0 END AS hit
                         FROM sub CROSS JOIN units u
                         WHERE u.id = sub.id AND u.withdrawn = 0
                     ) x",
                )
                .bind(dispatcher_id.to_string())
                .bind(term_id.to_string()),
            )
            .await?;
        Ok(match row {
            Some(r) => CoverageCount {
                total: i(&r, "total")?,
                covered: i(&r, "covered")?,
            },
            None => CoverageCount::default(),
        })
    }

    async fn clue_colour_counts(
        &mut self,
        today: jiff::civil::Date,
        warn_days: i64,
        dispatchers: Option<&[Id]>,
    ) -> Result<ClueColourCount> {
        let until = today
            .checked_add(jiff::Span::new().days(warn_days))
            .unwrap_or(today);
        // The states are literals so that the partial indexes (0019, 0023) apply.
        let mut w = Where::default();
        w.fixed("c.status = 'transferred'");
        // The bounds, bound first, are placeholders of the selected sums, not of a clause.
        let (red, end) = (w.next(), w.next() + 1);
        w.also(day(today));
        w.also(day(until));
        let sent = |w: &mut Where| {
            if let Some(d) = dispatchers {
                let c = super::rectify::sent_by(w, d, "c.inspection_id");
                w.fixed(&c);
            }
        };
        sent(&mut w);
        let sql = format!(
            "SELECT
               CAST(COALESCE(SUM(CASE WHEN t.due_on < ${red} THEN 1 ELSE 0 END), 0) AS BIGINT) AS red,
               CAST(COALESCE(SUM(CASE WHEN t.due_on >= ${red} AND t.due_on <= ${end} THEN 1 ELSE 0 END), 0) AS BIGINT) AS yellow,
               CAST(COALESCE(SUM(CASE WHEN t.due_on > ${end} THEN 1 ELSE 0 END), 0) AS BIGINT) AS green
             FROM clues c JOIN clue_transfers t ON t.id = c.transfer_id {}",
            w.sql()
        );
        let open = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        let mut w = Where::default();
        w.fixed("c.status = 'disposed'");
        sent(&mut w);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM clues c {}",
            w.sql()
        );
        let done = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        let mut out = ClueColourCount::default();
        if let Some(r) = open {
            out.red = i(&r, "red")?;
            out.yellow = i(&r, "yellow")?;
            out.green = i(&r, "green")?;
        }
        if let Some(r) = done {
            out.done = i(&r, "n")?;
        }
        Ok(out)
    }

    async fn round_task_totals(&mut self, round_ids: &[Id]) -> Result<Vec<(Id, i64)>> {
        if round_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(round_ids.iter().map(|r| r.to_string()));
        w.fixed(&format!("i.round_id IN ({list})"));
        let sql = format!(
            "SELECT i.round_id, CAST(SUM(t.n) AS BIGINT) AS n
             FROM inspections i JOIN task_tally t ON t.inspection_id = i.id
             {} GROUP BY i.round_id",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| Ok((id(r, "round_id")?, i(r, "n")?)))
            .collect()
    }

    async fn committee_stage_counts(
        &mut self,
        root: Option<Id>,
    ) -> Result<Vec<CommitteeStageCount>> {
        // The committees of the subtree are walked down the parent index; each one's
        // inspections are counted from the dispatcher index (0041). `CROSS JOIN` keeps SQLite
        // from reading every unit to find the subtree's.
        // The committees, and any other unit an inspection names as its dispatcher.
        let committees = "(u.kind IN ('committee', 'lower_committee')
                           OR EXISTS (SELECT 1 FROM inspections d WHERE d.dispatcher_id = u.id))";
        let grouped = "GROUP BY u.id, u.name, u.level, u.parent_id, i.stage
                       ORDER BY u.id, i.stage";
        let q = match root {
            Some(root) => sqlx::query(AssertSqlSafe(format!(
                "WITH RECURSIVE sub (id) AS (
                     SELECT id FROM units WHERE id = $1
                     UNION ALL
                     SELECT u.id FROM units u JOIN sub ON u.parent_id = sub.id
                 )
                 SELECT u.id, u.name, u.level, u.parent_id, i.stage,
                        CAST(COUNT(i.id) AS BIGINT) AS n
                 FROM sub CROSS JOIN units u
                 LEFT JOIN inspections i ON i.dispatcher_id = u.id
                 WHERE u.id = sub.id AND {committees}
                 {grouped}"
            )))
            .bind(root.to_string()),
            None => sqlx::query(AssertSqlSafe(format!(
                "SELECT u.id, u.name, u.level, u.parent_id, i.stage,
                        CAST(COUNT(i.id) AS BIGINT) AS n
                 FROM units u LEFT JOIN inspections i ON i.dispatcher_id = u.id
                 WHERE {committees}
                 {grouped}"
            ))),
        };
        self.fetch_all(q)
            .await?
            .iter()
            .map(|r| {
                Ok(CommitteeStageCount {
                    committee_id: id(r, "id")?,
                    name: s(r, "name")?,
                    level: UnitLevel::parse(&s(r, "level")?)?,
                    parent_id: opt_id(r, "parent_id")?,
                    stage: opt_s(r, "stage")?.map(|v| Stage::parse(&v)).transpose()?,
                    n: i(r, "n")?,
                })
            })
            .collect()
    }

    async fn committee_task_counts(
        &mut self,
        committees: &[Id],
    ) -> Result<Vec<CommitteeTaskCount>> {
        if committees.is_empty() {
            return Ok(Vec::new());
        }
        // One row per committee, kept by the tallies (migration 0043).
        let mut w = Where::default();
        let list = w.list(committees.iter().map(Id::to_string));
        w.fixed(&format!("dispatcher_id IN ({list})"));
        let sql = format!(
            "SELECT dispatcher_id, total, closed, red FROM task_tally_dispatcher {}",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(CommitteeTaskCount {
                    committee_id: id(r, "dispatcher_id")?,
                    total: i(r, "total")?,
                    closed: i(r, "closed")?,
                    red: i(r, "red")?,
                })
            })
            .collect()
    }

    async fn round_closed_by_month(&mut self, round_ids: &[Id]) -> Result<Vec<ClosedInMonth>> {
        if round_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(round_ids.iter().map(|r| r.to_string()));
        w.fixed(&format!("i.round_id IN ({list})"));
        // Literal states, so that the partial index of closed tasks (0023) applies.
        w.fixed("t.status = 'closed' AND t.withdrawn_reason IS NULL AND t.closed_on IS NOT NULL");
        let sql = format!(
            "SELECT i.round_id, substr(t.closed_on, 1, 7) AS month, CAST(COUNT(*) AS BIGINT) AS n
             FROM inspections i JOIN rectification_tasks t ON t.inspection_id = i.id
             {} GROUP BY i.round_id, substr(t.closed_on, 1, 7)",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(ClosedInMonth {
                    round_id: id(r, "round_id")?,
                    month: s(r, "month")?,
                    n: i(r, "n")?,
                })
            })
            .collect()
    }
}
