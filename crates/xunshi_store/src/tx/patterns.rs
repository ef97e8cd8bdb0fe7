//! Recurring problems: the job's reads and its replacing writes, and the report's reads.

use std::collections::HashMap;

use sqlx::AssertSqlSafe;
use xunshi_core::patterns::{Recurrence, UnitProblem};
use xunshi_core::store::patterns::{
    ClusterMember, ClusterRow, ClusterScope, NamedCount, NewCluster, ProblemText, RecurrenceRow,
    RoundCategoryCount, RoundProblem, UnitPatternCount,
};
use xunshi_core::store::{
    PatternRead, PatternWrite, RecurrenceFilter, TrendRead, UnitPatternOrder,
};
use xunshi_core::{Id, Result};

use super::rectify::scope_clause;
use super::{DbTx, Mode, Where, Writing, ts};
use crate::rows::{date, i, id, opt_date, opt_id, s};

/// The problems that count as found: approved by the team meeting or signed.
const FOUND: &str = "status IN ('approved', 'signed')";

/// How many rows one `INSERT` carries.
const ROWS_PER_INSERT: usize = 200;

const CLUSTER_COLS: &str = "c.id, c.round_id, c.term_id, c.seq, c.lead_problem_id, c.title, \
     c.category_id, k.name AS category_name, c.problems, c.units, c.rounds, c.computed_at";

fn cluster(r: &sqlx::any::AnyRow) -> Result<ClusterRow> {
    Ok(ClusterRow {
        id: id(r, "id")?,
        round_id: opt_id(r, "round_id")?,
        term_id: opt_id(r, "term_id")?,
        seq: i(r, "seq")?,
        lead_problem_id: id(r, "lead_problem_id")?,
        title: s(r, "title")?,
        category_id: id(r, "category_id")?,
        category_name: s(r, "category_name")?,
        problems: i(r, "problems")?,
        units: i(r, "units")?,
        rounds: i(r, "rounds")?,
        computed_at: s(r, "computed_at")?,
    })
}

fn named(r: &sqlx::any::AnyRow) -> Result<NamedCount> {
    Ok(NamedCount {
        id: id(r, "id")?,
        name: s(r, "name")?,
        count: i(r, "n")?,
    })
}

fn recurrence_where(f: &RecurrenceFilter) -> Option<Where> {
    let mut w = Where::default();
    if let Some(scope) = &f.scope
        && !scope_clause(&mut w, scope, "r.")
    {
        return None;
    }
    if let Some(v) = f.inspection_id {
        w.eq("r.inspection_id", v.to_string());
    }
    if let Some(v) = f.unit_id {
        w.eq("r.unit_id", v.to_string());
    }
    if let Some(v) = f.problem_id {
        w.eq("r.problem_id", v.to_string());
    }
    Some(w)
}

impl<M: Mode> PatternRead for DbTx<M> {
    async fn round_inspections(&mut self, round_id: Id) -> Result<Vec<Id>> {
        self.fetch_all(
            sqlx::query("SELECT id FROM inspections WHERE round_id = $1 ORDER BY id")
                .bind(round_id.to_string()),
        )
        .await?
        .iter()
        .map(|r| id(r, "id"))
        .collect()
    }

    async fn inspection_problems(&mut self, inspection_id: Id) -> Result<Vec<ProblemText>> {
        let sql = format!(
            "SELECT id, target_unit_id, category_id, title, facts FROM problems
             WHERE inspection_id = $1 AND {FOUND} ORDER BY id"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(inspection_id.to_string()))
            .await?
            .iter()
            .map(|r| {
                let title = s(r, "title")?;
                Ok(ProblemText {
                    id: id(r, "id")?,
                    unit_id: id(r, "target_unit_id")?,
                    category_id: id(r, "category_id")?,
                    text: format!("{title}\n{}", s(r, "facts")?),
                    title,
                })
            })
            .collect()
    }

    async fn units_inspected_again_after(
        &mut self,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Id>> {
        let mut w = Where::default();
        w.fixed(FOUND);
        if let Some(a) = after {
            let n = w.next();
            w.raw(format!("target_unit_id > ${n}"), a.to_string());
        }
        let sql = format!(
            "SELECT target_unit_id FROM problems {} GROUP BY target_unit_id
             HAVING COUNT(DISTINCT inspection_id) > 1 ORDER BY target_unit_id LIMIT {limit}",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| id(r, "target_unit_id"))
            .collect()
    }

    async fn unit_problems(&mut self, unit_id: Id) -> Result<Vec<UnitProblem>> {
        // One row per problem and task still in force; a problem counts as rectified once
        // every such task is closed, on the day the last one was.
        let sql = format!(
            "SELECT p.id, p.inspection_id, COALESCE(i.entry_on, i.planned_entry, i.feedback_on) AS inspected_on,
                    p.title, p.facts, t.id AS task_id, t.status AS task_status, t.closed_on
             FROM problems p
             JOIN inspections i ON i.id = p.inspection_id
             LEFT JOIN rectification_tasks t
                    ON t.problem_id = p.id AND t.withdrawn_reason IS NULL
             WHERE p.target_unit_id = $1 AND p.{FOUND}
             ORDER BY p.id, t.closed_on, t.id"
        );
        let rows = self
            .fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(unit_id.to_string()))
            .await?;
        let mut out: Vec<UnitProblem> = Vec::new();
        // Whether each problem's tasks so far were all closed.
        let mut all_closed: HashMap<Id, bool> = HashMap::new();
        for r in &rows {
            let pid = id(r, "id")?;
            if out.last().is_none_or(|p| p.id != pid) {
                out.push(UnitProblem {
                    id: pid,
                    inspection_id: id(r, "inspection_id")?,
                    inspected_on: opt_date(r, "inspected_on")?,
                    text: format!("{}\n{}", s(r, "title")?, s(r, "facts")?),
                    closed: None,
                });
            }
            let Some(task) = opt_id(r, "task_id")? else {
                continue;
            };
            let closed = s(r, "task_status")? == "closed";
            let so_far = all_closed.entry(pid).or_insert(true);
            *so_far &= closed;
            if let Some(p) = out.last_mut() {
                p.closed = match (*so_far, opt_date(r, "closed_on")?) {
                    (true, Some(on)) => Some((task, on)),
                    _ => None,
                };
            }
        }
        Ok(out)
    }

    async fn clusters(
        &mut self,
        scope: ClusterScope,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ClusterRow>> {
        let sql = format!(
            "SELECT {CLUSTER_COLS} FROM problem_clusters c
             JOIN problem_categories k ON k.id = c.category_id
             WHERE c.{} = $1 ORDER BY c.seq LIMIT {limit} OFFSET {offset}",
            scope.column()
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(scope.id().to_string()))
            .await?
            .iter()
            .map(cluster)
            .collect()
    }

    async fn count_clusters(&mut self, scope: ClusterScope) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM problem_clusters WHERE {} = $1",
            scope.column()
        );
        let row = self
            .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(scope.id().to_string()))
            .await?;
        row.map_or(Ok(0), |r| i(&r, "n"))
    }

    async fn get_cluster(&mut self, cluster_id: Id) -> Result<Option<ClusterRow>> {
        let sql = format!(
            "SELECT {CLUSTER_COLS} FROM problem_clusters c
             JOIN problem_categories k ON k.id = c.category_id WHERE c.id = $1"
        );
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(cluster_id.to_string()))
            .await?
            .as_ref()
            .map(cluster)
            .transpose()
    }

    async fn cluster_members(
        &mut self,
        cluster_id: Id,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<ClusterMember>> {
        let sql = format!(
            "SELECT m.problem_id, p.title, p.target_unit_id, u.name AS unit_name,
                    k.name AS category_name, p.inspection_id, i.team_name, m.similarity
             FROM problem_cluster_members m
             JOIN problems p ON p.id = m.problem_id
             JOIN units u ON u.id = p.target_unit_id
             JOIN problem_categories k ON k.id = p.category_id
             JOIN inspections i ON i.id = p.inspection_id
             WHERE m.cluster_id = $1
             ORDER BY m.similarity DESC, u.name, m.problem_id LIMIT {limit} OFFSET {offset}"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(cluster_id.to_string()))
            .await?
            .iter()
            .map(|r| {
                Ok(ClusterMember {
                    problem_id: id(r, "problem_id")?,
                    title: s(r, "title")?,
                    unit_id: id(r, "target_unit_id")?,
                    unit_name: s(r, "unit_name")?,
                    category_name: s(r, "category_name")?,
                    inspection_id: id(r, "inspection_id")?,
                    team_name: s(r, "team_name")?,
                    similarity: i16::try_from(i(r, "similarity")?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn cluster_units(
        &mut self,
        scope: ClusterScope,
        max_seq: i64,
    ) -> Result<Vec<(Id, String, i64)>> {
        let sql = format!(
            "SELECT c.id, u.name, CAST(COUNT(*) AS BIGINT) AS n
             FROM problem_clusters c
             JOIN problem_cluster_members m ON m.cluster_id = c.id
             JOIN problems p ON p.id = m.problem_id
             JOIN units u ON u.id = p.target_unit_id
             WHERE c.{} = $1 AND c.seq <= $2
             GROUP BY c.id, u.name ORDER BY c.id, n DESC, u.name",
            scope.column()
        );
        self.fetch_all(
            sqlx::query(AssertSqlSafe(sql))
                .bind(scope.id().to_string())
                .bind(max_seq),
        )
        .await?
        .iter()
        .map(|r| Ok((id(r, "id")?, s(r, "name")?, i(r, "n")?)))
        .collect()
    }

    async fn cluster_counts(
        &mut self,
        cluster_id: Id,
    ) -> Result<(Vec<NamedCount>, Vec<NamedCount>)> {
        let by = |col: &str, table: &str| {
            format!(
                "SELECT g.id, g.name, CAST(COUNT(*) AS BIGINT) AS n
                 FROM problem_cluster_members m
                 JOIN problems p ON p.id = m.problem_id
                 JOIN {table} g ON g.id = p.{col}
                 WHERE m.cluster_id = $1
                 GROUP BY g.id, g.name ORDER BY n DESC, g.name"
            )
        };
        let mut out = Vec::new();
        for sql in [
            by("target_unit_id", "units"),
            by("category_id", "problem_categories"),
        ] {
            out.push(
                self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(cluster_id.to_string()))
                    .await?
                    .iter()
                    .map(named)
                    .collect::<Result<Vec<_>>>()?,
            );
        }
        let categories = out.pop().unwrap_or_default();
        let units = out.pop().unwrap_or_default();
        Ok((units, categories))
    }

    // The page is cut from the pairs alone, by their key's index, before anything is joined:
    // joined first, the planner walks the units and sorts every pair.
    async fn recurrences(
        &mut self,
        f: &RecurrenceFilter,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<RecurrenceRow>> {
        let Some(w) = recurrence_where(f) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT r.problem_id, p.title, r.unit_id, u.name AS unit_name, r.inspection_id,
                    i.team_name, CAST(rd.year AS BIGINT) AS year, r.earlier_problem_id,
                    e.title AS earlier_title, e.inspection_id AS earlier_inspection_id,
                    ei.team_name AS earlier_team_name, CAST(erd.year AS BIGINT) AS earlier_year,
                    r.earlier_task_id, t.seq AS earlier_task_seq, r.closed_on, r.similarity
             FROM (SELECT * FROM problem_recurrences r {}
                   ORDER BY r.problem_id DESC, r.earlier_problem_id
                   LIMIT {limit} OFFSET {offset}) r
             JOIN problems p ON p.id = r.problem_id
             JOIN units u ON u.id = r.unit_id
             JOIN inspections i ON i.id = r.inspection_id
             JOIN rounds rd ON rd.id = i.round_id
             JOIN problems e ON e.id = r.earlier_problem_id
             JOIN inspections ei ON ei.id = e.inspection_id
             JOIN rounds erd ON erd.id = ei.round_id
             JOIN rectification_tasks t ON t.id = r.earlier_task_id
             ORDER BY r.problem_id DESC, r.earlier_problem_id",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(RecurrenceRow {
                    problem_id: id(r, "problem_id")?,
                    title: s(r, "title")?,
                    unit_id: id(r, "unit_id")?,
                    unit_name: s(r, "unit_name")?,
                    inspection_id: id(r, "inspection_id")?,
                    team_name: s(r, "team_name")?,
                    year: i32::try_from(i(r, "year")?).unwrap_or(0),
                    earlier_problem_id: id(r, "earlier_problem_id")?,
                    earlier_title: s(r, "earlier_title")?,
                    earlier_inspection_id: id(r, "earlier_inspection_id")?,
                    earlier_team_name: s(r, "earlier_team_name")?,
                    earlier_year: i32::try_from(i(r, "earlier_year")?).unwrap_or(0),
                    earlier_task_id: id(r, "earlier_task_id")?,
                    earlier_task_seq: s(r, "earlier_task_seq")?,
                    closed_on: date(r, "closed_on")?,
                    similarity: i16::try_from(i(r, "similarity")?).unwrap_or(0),
                })
            })
            .collect()
    }

    async fn count_recurring_problems(&mut self, f: &RecurrenceFilter) -> Result<i64> {
        let counts = RecurrenceFilter {
            problem_id: None,
            ..f.clone()
        };
        let Some(w) = recurrence_where(&counts) else {
            return Ok(0);
        };
        // Nothing narrows it: the total kept beside the rows, one row to read.
        if w.is_empty() {
            let row = self
                .fetch_optional(sqlx::query(
                    "SELECT CAST(problems AS BIGINT) AS n FROM recurrence_total WHERE id = 1",
                ))
                .await?;
            return row.map_or(Ok(0), |r| i(&r, "n"));
        }
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(r.problems), 0) AS BIGINT) AS n
             FROM recurrence_counts r {}",
            w.sql()
        );
        let row = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        row.map_or(Ok(0), |r| i(&r, "n"))
    }
}

impl PatternWrite for DbTx<Writing> {
    async fn refresh_recurrence_counts(&mut self) -> Result<u64> {
        self.execute(sqlx::query("DELETE FROM recurrence_counts"))
            .await?;
        let rows = self
            .execute(sqlx::query(
                "INSERT INTO recurrence_counts (inspection_id, unit_id, problems)
                 SELECT inspection_id, unit_id, COUNT(DISTINCT problem_id)
                 FROM problem_recurrences GROUP BY inspection_id, unit_id",
            ))
            .await?;
        self.execute(sqlx::query(
            "UPDATE recurrence_total SET problems =
                 (SELECT COALESCE(SUM(problems), 0) FROM recurrence_counts) WHERE id = 1",
        ))
        .await?;
        Ok(rows)
    }

    async fn replace_round_category_counts(
        &mut self,
        round_id: Id,
        counts: &[(Id, i64)],
    ) -> Result<()> {
        self.execute(
            sqlx::query("DELETE FROM round_category_counts WHERE round_id = $1")
                .bind(round_id.to_string()),
        )
        .await?;
        for (category, n) in counts {
            self.execute(
                sqlx::query(
                    "INSERT INTO round_category_counts (round_id, category_id, problems)
                     VALUES ($1, $2, $3)",
                )
                .bind(round_id.to_string())
                .bind(category.to_string())
                .bind(*n),
            )
            .await?;
        }
        Ok(())
    }

    async fn refresh_unit_pattern_counts(&mut self, at: jiff::Timestamp) -> Result<u64> {
        self.execute(sqlx::query("DELETE FROM unit_pattern_counts"))
            .await?;
        let sql = format!(
            "INSERT INTO unit_pattern_counts (unit_id, problems, recurring, reopened, computed_at)
             SELECT x.unit_id, x.problems, x.recurring, x.reopened, $1 FROM (
               SELECT u.id AS unit_id,
                 (SELECT COUNT(*) FROM problems p
                   WHERE p.target_unit_id = u.id AND p.{FOUND}) AS problems,
                 (SELECT COUNT(DISTINCT r.problem_id) FROM problem_recurrences r
                   WHERE r.unit_id = u.id) AS recurring,
                 (SELECT COUNT(*) FROM rectification_tasks t
                   WHERE t.unit_id = u.id AND t.rejections > 0
                     AND t.withdrawn_reason IS NULL) AS reopened
               FROM units u) x
             WHERE x.problems > 0 OR x.reopened > 0"
        );
        self.execute(sqlx::query(AssertSqlSafe(sql)).bind(ts(at)))
            .await
    }

    async fn replace_clusters(
        &mut self,
        scope: ClusterScope,
        clusters: &[NewCluster],
        at: jiff::Timestamp,
    ) -> Result<()> {
        let col = scope.column();
        let owner = scope.id().to_string();
        self.execute(
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM problem_cluster_members WHERE cluster_id IN
                   (SELECT id FROM problem_clusters WHERE {col} = $1)"
            )))
            .bind(owner.clone()),
        )
        .await?;
        self.execute(
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM problem_clusters WHERE {col} = $1"
            )))
            .bind(owner.clone()),
        )
        .await?;
        let at = ts(at);
        let insert = format!(
            "INSERT INTO problem_clusters (id, {col}, seq, lead_problem_id, title,
                category_id, problems, units, rounds, computed_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        for c in clusters {
            self.execute(
                sqlx::query(AssertSqlSafe(insert.clone()))
                    .bind(c.id.to_string())
                    .bind(owner.clone())
                    .bind(c.seq)
                    .bind(c.lead.to_string())
                    .bind(c.title.clone())
                    .bind(c.category_id.to_string())
                    .bind(i64::try_from(c.members.len()).unwrap_or(i64::MAX))
                    .bind(c.units)
                    .bind(c.rounds)
                    .bind(at.clone()),
            )
            .await?;
            for chunk in c.members.chunks(ROWS_PER_INSERT) {
                let values: Vec<String> = (0..chunk.len())
                    .map(|k| format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3))
                    .collect();
                let sql = format!(
                    "INSERT INTO problem_cluster_members (cluster_id, problem_id, similarity)
                     VALUES {}",
                    values.join(", ")
                );
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for (problem, similarity) in chunk {
                    q = q
                        .bind(c.id.to_string())
                        .bind(problem.to_string())
                        .bind(i64::from(*similarity));
                }
                self.execute(q).await?;
            }
        }
        Ok(())
    }

    async fn replace_unit_recurrences(
        &mut self,
        unit_id: Id,
        found: &[Recurrence],
        at: jiff::Timestamp,
    ) -> Result<()> {
        let unit = unit_id.to_string();
        self.execute(
            sqlx::query("DELETE FROM problem_recurrences WHERE unit_id = $1").bind(unit.clone()),
        )
        .await?;
        let at = ts(at);
        for r in found {
            self.execute(
                sqlx::query(
                    "INSERT INTO problem_recurrences (problem_id, earlier_problem_id,
                        earlier_task_id, closed_on, unit_id, inspection_id, similarity, computed_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(r.problem.to_string())
                .bind(r.earlier.to_string())
                .bind(r.earlier_task.to_string())
                .bind(r.closed_on.to_string())
                .bind(unit.clone())
                .bind(r.inspection_id.to_string())
                .bind(i64::from(xunshi_core::patterns::per_cent(r.similarity)))
                .bind(at.clone()),
            )
            .await?;
        }
        Ok(())
    }
}

impl<M: Mode> TrendRead for DbTx<M> {
    async fn round_category_counts(&mut self, rounds: &[Id]) -> Result<Vec<RoundCategoryCount>> {
        if rounds.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(rounds.iter().map(Id::to_string));
        let sql = format!(
            "SELECT c.round_id, c.category_id, k.name, c.problems AS n
             FROM round_category_counts c
             JOIN problem_categories k ON k.id = c.category_id
             WHERE c.round_id IN ({list})"
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(RoundCategoryCount {
                    round_id: id(r, "round_id")?,
                    category_id: id(r, "category_id")?,
                    category_name: s(r, "name")?,
                    problems: i(r, "n")?,
                })
            })
            .collect()
    }

    async fn count_round_problems(&mut self, round_id: Id, category_id: Id) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n
             FROM inspections i
             JOIN problems p ON p.inspection_id = i.id
             WHERE i.round_id = $1 AND p.category_id = $2 AND p.{FOUND}"
        );
        let row = self
            .fetch_optional(
                sqlx::query(AssertSqlSafe(sql))
                    .bind(round_id.to_string())
                    .bind(category_id.to_string()),
            )
            .await?;
        row.map_or(Ok(0), |r| i(&r, "n"))
    }

    async fn round_problems(
        &mut self,
        round_id: Id,
        category_id: Id,
        offset: u32,
        limit: u32,
    ) -> Result<Vec<RoundProblem>> {
        let sql = format!(
            "SELECT p.id, p.title, p.target_unit_id, u.name AS unit_name, p.inspection_id,
                    i.team_name
             FROM inspections i
             JOIN problems p ON p.inspection_id = i.id
             JOIN units u ON u.id = p.target_unit_id
             WHERE i.round_id = $1 AND p.category_id = $2 AND p.{FOUND}
             ORDER BY p.id LIMIT {limit} OFFSET {offset}"
        );
        self.fetch_all(
            sqlx::query(AssertSqlSafe(sql))
                .bind(round_id.to_string())
                .bind(category_id.to_string()),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(RoundProblem {
                problem_id: id(r, "id")?,
                title: s(r, "title")?,
                unit_id: id(r, "target_unit_id")?,
                unit_name: s(r, "unit_name")?,
                inspection_id: id(r, "inspection_id")?,
                team_name: s(r, "team_name")?,
            })
        })
        .collect()
    }

    async fn unit_pattern_counts(
        &mut self,
        order: UnitPatternOrder,
        limit: u32,
    ) -> Result<Vec<UnitPatternCount>> {
        let (filter, by) = match order {
            UnitPatternOrder::Recurring => (
                "c.recurring > 0",
                "CAST(c.recurring AS REAL) / c.problems DESC, c.recurring DESC",
            ),
            UnitPatternOrder::Reopened => ("c.reopened > 0", "c.reopened DESC"),
        };
        let sql = format!(
            "SELECT c.unit_id, u.name, c.problems, c.recurring, c.reopened, c.computed_at
             FROM unit_pattern_counts c JOIN units u ON u.id = c.unit_id
             WHERE {filter} ORDER BY {by}, u.name LIMIT {limit}"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)))
            .await?
            .iter()
            .map(|r| {
                Ok(UnitPatternCount {
                    unit_id: id(r, "unit_id")?,
                    unit_name: s(r, "name")?,
                    problems: i(r, "problems")?,
                    recurring: i(r, "recurring")?,
                    reopened: i(r, "reopened")?,
                    computed_at: s(r, "computed_at")?,
                })
            })
            .collect()
    }
}
