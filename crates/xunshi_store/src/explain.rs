//! Query plans of the statements the services actually run, for the test that holds the hot
//! paths to their indexes. A [`crate::Db`] opened with [`crate::Db::explaining`] asks the
//! backend for the plan of every statement before running it (SQLite `EXPLAIN QUERY PLAN`,
//! PostgreSQL `EXPLAIN`), with the same arguments, and keeps the pair. Nothing else uses it.

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
            for t in large {
                let sqlite = line.trim_start().starts_with(&format!("SCAN {t}"))
                    && !line.contains("USING")
                    || line.trim() == format!("SCAN {t}");
                let postgres = line.contains(&format!("Seq Scan on {t} "))
                    || line.trim_end().ends_with(&format!("Seq Scan on {t}"));
                if sqlite || postgres {
                    out.push((*t).to_owned());
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
    Ok(sqlx::query_with(AssertSqlSafe(sql), args.unwrap_or_default()))
}
