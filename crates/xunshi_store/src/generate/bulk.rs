//! The bulk path: rows buffered per table and written as multi-row `INSERT`s in large
//! transactions. Tables are flushed in the order they were declared (parents before children),
//! so foreign keys hold at every statement on both backends.

use sqlx::{Any, AssertSqlSafe, Transaction};
use xunshi_core::Result;

use crate::{Db, db_err};

/// One value of a row, typed as the store's single-row inserts bind it (so PostgreSQL sees the
/// same parameter types).
#[derive(Debug, Clone)]
pub(crate) enum V {
    S(Option<String>),
    I16(Option<i16>),
    I32(Option<i32>),
    I64(Option<i64>),
}

impl From<String> for V {
    fn from(s: String) -> V {
        V::S(Some(s))
    }
}

impl From<&str> for V {
    fn from(s: &str) -> V {
        V::S(Some(s.to_owned()))
    }
}

impl From<Option<String>> for V {
    fn from(s: Option<String>) -> V {
        V::S(s)
    }
}

impl From<i16> for V {
    fn from(v: i16) -> V {
        V::I16(Some(v))
    }
}

impl From<i32> for V {
    fn from(v: i32) -> V {
        V::I32(Some(v))
    }
}

impl From<Option<i32>> for V {
    fn from(v: Option<i32>) -> V {
        V::I32(v)
    }
}

impl From<i64> for V {
    fn from(v: i64) -> V {
        V::I64(Some(v))
    }
}

struct Table {
    name: &'static str,
    cols: &'static str,
    ncols: usize,
    per_batch: usize,
    rows: Vec<V>,
}

/// Values per statement at most.
const MAX_PARAMS: usize = 30_000;
/// Rows per statement at most: past this, longer statements gain nothing.
const MAX_ROWS: usize = 1_000;
/// Rows buffered, all tables together, before everything is written. Writing all tables at
/// once, parents first, keeps foreign keys whole; writing seldom keeps the statements full
/// (prepared once and reused), with one shorter statement per table and flush.
const FLUSH_ROWS: usize = 60_000;
/// Rows per transaction, roughly: large enough that commits cost nothing, small enough that
/// SQLite's write-ahead log stays modest.
const ROWS_PER_COMMIT: u64 = 250_000;

fn literal(sql: &mut String, v: V) {
    use std::fmt::Write;
    match v {
        V::S(Some(s)) => {
            sql.push('\'');
            if s.contains('\'') {
                sql.push_str(&s.replace('\'', "''"));
            } else {
                sql.push_str(&s);
            }
            sql.push('\'');
        }
        V::I16(Some(n)) => {
            let _ = write!(sql, "{n}");
        }
        V::I32(Some(n)) => {
            let _ = write!(sql, "{n}");
        }
        V::I64(Some(n)) => {
            let _ = write!(sql, "{n}");
        }
        V::S(None) | V::I16(None) | V::I32(None) | V::I64(None) => sql.push_str("NULL"),
    }
}

/// The tables the generator writes, by handle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct T(usize);

pub(crate) struct Bulk {
    db: Db,
    tx: Option<Transaction<'static, Any>>,
    tables: Vec<Table>,
    buffered: usize,
    since_commit: u64,
    /// Rows written so far, all tables together.
    pub(crate) written: u64,
}

impl Bulk {
    pub(crate) fn new(db: &Db) -> Self {
        Bulk {
            db: db.clone(),
            tx: None,
            tables: Vec::new(),
            buffered: 0,
            since_commit: 0,
            written: 0,
        }
    }

    /// Declares a table; declare parents before the tables that refer to them.
    pub(crate) fn table(&mut self, name: &'static str, cols: &'static str) -> T {
        let ncols = cols.split(',').count();
        let per_batch = (MAX_PARAMS / ncols).clamp(1, MAX_ROWS);
        self.tables.push(Table {
            name,
            cols,
            ncols,
            per_batch,
            rows: Vec::new(),
        });
        T(self.tables.len() - 1)
    }

    /// Buffers one row; when enough rows wait, every table is written, parents first.
    pub(crate) async fn push<const N: usize>(&mut self, t: T, row: [V; N]) -> Result<()> {
        let table = &mut self.tables[t.0];
        assert_eq!(N, table.ncols, "row of {} has the wrong width", table.name);
        table.rows.extend(row);
        self.buffered += 1;
        if self.buffered >= FLUSH_ROWS {
            self.flush().await?;
        }
        Ok(())
    }

    async fn tx(&mut self) -> Result<&mut Transaction<'static, Any>> {
        if self.tx.is_none() {
            // The generator is the only writer of the empty database it fills: its transactions
            // go straight to the pool, not through the services' write lane.
            let tx = match self.db.dialect {
                crate::Dialect::Sqlite => self.db.pool.begin_with("BEGIN IMMEDIATE").await,
                crate::Dialect::Postgres => self.db.pool.begin().await,
            };
            self.tx = Some(tx.map_err(db_err)?);
        }
        Ok(self.tx.as_mut().expect("just begun"))
    }

    /// Writes every buffered row, parents first; commits when enough rows went into the
    /// current transaction.
    ///
    /// The values go into the statement as SQL literals rather than bound parameters: binding
    /// tens of thousands of parameters through the `Any` driver costs far more than the
    /// database takes to parse the text. The values are the generator's own; text is quoted
    /// the standard way (a quote doubled), which both backends read alike.
    pub(crate) async fn flush(&mut self) -> Result<()> {
        for i in 0..self.tables.len() {
            while !self.tables[i].rows.is_empty() {
                let table = &mut self.tables[i];
                let take = table.rows.len().min(table.per_batch * table.ncols);
                let nrows = take / table.ncols;
                let mut sql = String::with_capacity(take * 24 + 64);
                sql.push_str("INSERT INTO ");
                sql.push_str(table.name);
                sql.push_str(" (");
                sql.push_str(table.cols);
                sql.push_str(") VALUES ");
                for (k, v) in table.rows.drain(..take).enumerate() {
                    let col = k % table.ncols;
                    if col == 0 {
                        if k > 0 {
                            sql.push_str("), (");
                        } else {
                            sql.push('(');
                        }
                    } else {
                        sql.push_str(", ");
                    }
                    literal(&mut sql, v);
                }
                sql.push(')');
                let name = table.name;
                let tx = self.tx().await?;
                sqlx::raw_sql(AssertSqlSafe(sql))
                    .execute(&mut **tx)
                    .await
                    .map_err(|e| {
                        xunshi_core::CoreError::internal(format!("writing {name}: {e}"))
                    })?;
                self.written += nrows as u64;
                self.since_commit += nrows as u64;
            }
        }
        self.buffered = 0;
        if self.since_commit >= ROWS_PER_COMMIT {
            self.commit().await?;
        }
        Ok(())
    }

    pub(crate) async fn commit(&mut self) -> Result<()> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await.map_err(db_err)?;
        }
        self.since_commit = 0;
        Ok(())
    }

    /// Runs one statement inside the current transaction.
    pub(crate) async fn execute(
        &mut self,
        q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> Result<()> {
        let tx = self.tx().await?;
        q.execute(&mut **tx).await.map_err(db_err)?;
        Ok(())
    }

    /// Flushes and commits everything.
    pub(crate) async fn finish(&mut self) -> Result<()> {
        self.flush().await?;
        self.commit().await
    }
}
