//! Query plans of the statements the services actually run, for the test that holds the hot
//! paths to their indexes. A [`crate::Db`] opened with [`crate::Db::explaining`] asks the
//! backend for the plan of every statement before running it (SQLite `EXPLAIN QUERY PLAN`,
//! PostgreSQL `EXPLAIN` with sequential scans priced out, so that a plan reads a table whole
//! only where no index can serve), with the same arguments, and keeps the pair. Nothing else
//! uses it.

use std::sync::{Arc, Mutex};

use sqlx::any::AnyArguments;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Execute, Row};
use xunshi_core::{CoreError, Result};

use crate::{Dialect, db_err};

/// A statement and its plan, one line per plan node.
#[derive(Debug, Clone)]
pub struct Explained {
    pub sql: String,
    pub plan: Vec<String>,
}

impl Explained {
    /// The tables of `large` the plan reads whole: SQLite's `SCAN t` without an index, or
    /// PostgreSQL's `Seq Scan on t`.
    pub fn full_scans(&self, large: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        for line in &self.plan {
            let words: Vec<&str> = line.split_whitespace().collect();
            // SQLite: `SCAN t`, or `SCAN t USING [COVERING] INDEX i` when an index serves.
            let sqlite = match words.as_slice() {
                ["SCAN", name] => Some(*name),
                ["SCAN", name, next, ..] if *next != "USING" => Some(*name),
                _ => None,
            };
            // PostgreSQL: `->  Seq Scan on t alias  (cost=…)`.
            let postgres = words
                .windows(4)
                .find(|w| w[0] == "Seq" && w[1] == "Scan" && w[2] == "on")
                .map(|w| w[3]);
            for name in [sqlite, postgres].into_iter().flatten() {
                if large.contains(&name) {
                    out.push(name.to_owned());
                }
            }
        }
        out
    }
}

/// Where explained statements are kept, shared by every transaction of an explaining `Db`.
pub type ExplainLog = Arc<Mutex<Vec<Explained>>>;

/// A copy of the arguments, for running the statement after its plan.
fn copy_args(a: &AnyArguments) -> AnyArguments {
    let mut copy = AnyArguments::default();
    copy.values.0 = a.values.0.clone();
    copy
}

/// Explains `q` on `conn` into `log`, and gives back a query with the same text and arguments
/// to run.
pub(crate) async fn explain<'q>(
    conn: &mut AnyConnection,
    dialect: Dialect,
    log: &ExplainLog,
    mut q: sqlx::query::Query<'q, Any, AnyArguments>,
) -> Result<sqlx::query::Query<'q, Any, AnyArguments>> {
    let args = q.take_arguments().map_err(CoreError::internal)?;
    let sql = q.sql().as_str().to_owned();
    let prefix = match dialect {
        Dialect::Sqlite => "EXPLAIN QUERY PLAN ",
        Dialect::Postgres => "EXPLAIN ",
    };
    let plain = sql.trim_start();
    // Savepoints, transaction control and schema statements have no plan worth keeping.
    let planned = ["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
        .iter()
        .any(|k| plain.len() >= k.len() && plain[..k.len()].eq_ignore_ascii_case(k));
    if planned {
        if dialect == Dialect::Postgres {
            // At a test's size PostgreSQL rightly reads small tables whole; with sequential
            // scans priced out, a plan still reads a table whole only where no index serves.
            sqlx::raw_sql("SET LOCAL enable_seqscan = off")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
        let explain_sql = format!("{prefix}{sql}");
        let rows = match &args {
            Some(a) => {
                sqlx::query_with(AssertSqlSafe(explain_sql), copy_args(a))
                    .fetch_all(&mut *conn)
                    .await
            }
            None => {
                sqlx::query(AssertSqlSafe(explain_sql))
                    .fetch_all(&mut *conn)
                    .await
            }
        }
        .map_err(db_err)?;
        let plan = rows
            .iter()
            .map(|r| match dialect {
                // id, parent, notused, detail
                Dialect::Sqlite => r.try_get::<String, _>(3).unwrap_or_default(),
                Dialect::Postgres => r.try_get::<String, _>(0).unwrap_or_default(),
            })
            .collect();
        log.lock()
            .map_err(|_| CoreError::internal("the explain log is poisoned"))?
            .push(Explained {
                sql: sql.clone(),
                plan,
            });
    }
    Ok(sqlx::query_with(
        AssertSqlSafe(sql),
        args.unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(lines: &[&str]) -> Explained {
        Explained {
            sql: String::new(),
            plan: lines.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    #[test]
    fn a_scan_without_an_index_is_a_full_scan_on_either_backend() {
        let large = ["rectification_tasks", "t"];
        assert_eq!(
            plan(&["SCAN rectification_tasks"]).full_scans(&large),
            ["rectification_tasks"]
        );
        assert_eq!(plan(&["SCAN t"]).full_scans(&large), ["t"]);
        assert!(
            plan(&["SCAN t USING INDEX rectification_tasks_unit"])
                .full_scans(&large)
                .is_empty()
        );
        assert!(
            plan(&["SEARCH t USING INDEX rectification_tasks_unit (unit_id=?)"])
                .full_scans(&large)
                .is_empty()
        );
        assert_eq!(
            plan(&["  ->  Seq Scan on rectification_tasks t  (cost=0.00..1.00 rows=1 width=8)"])
                .full_scans(&large),
            ["rectification_tasks"]
        );
        assert!(
            plan(&["  ->  Index Scan using rectification_tasks_pkey on rectification_tasks t"])
                .full_scans(&large)
                .is_empty()
        );
        assert!(
            plan(&["SCAN task_tally_all"])
                .full_scans(&["task_tally"])
                .is_empty(),
            "a name that only starts like a large one is another table"
        );
    }
}
