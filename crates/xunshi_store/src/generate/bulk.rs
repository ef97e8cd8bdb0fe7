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
    full_sql: String,
}

/// Both backends accept at least this many parameters in one statement (SQLite 32,766,
/// PostgreSQL 65,535).
const MAX_PARAMS: usize = 30_000;
/// Rows per statement at most: past this, longer statements gain nothing.
const MAX_ROWS: usize = 1_000;
/// Rows per transaction, roughly: large enough that commits cost nothing, small enough that
/// SQLite's write-ahead log stays modest.
const ROWS_PER_COMMIT: u64 = 250_000;

fn insert_sql(name: &str, cols: &str, ncols: usize, nrows: usize) -> String {
    let mut sql = String::with_capacity(64 + nrows * ncols * 6);
    sql.push_str("INSERT INTO ");
    sql.push_str(name);
    sql.push_str(" (");
    sql.push_str(cols);
    sql.push_str(") VALUES ");
    let mut n = 1;
    for r in 0..nrows {
        if r > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..ncols {
            if c > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&n.to_string());
            n += 1;
        }
        sql.push(')');
    }
    sql
}

/// The tables the generator writes, by handle.
#[derive(Debug, Clone, Copy)]
pub(crate) struct T(usize);

pub(crate) struct Bulk {
    db: Db,
    tx: Option<Transaction<'static, Any>>,
    tables: Vec<Table>,
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
            rows: Vec::with_capacity(per_batch * ncols),
            full_sql: insert_sql(name, cols, ncols, per_batch),
        });
        T(self.tables.len() - 1)
    }

    /// Buffers one row; when its table's buffer is full, every table is flushed in order.
    pub(crate) async fn push<const N: usize>(&mut self, t: T, row: [V; N]) -> Result<()> {
        let table = &mut self.tables[t.0];
        assert_eq!(N, table.ncols, "row of {} has the wrong width", table.name);
        table.rows.extend(row);
        if table.rows.len() >= table.per_batch * table.ncols {
            self.flush().await?;
        }
        Ok(())
    }

    async fn tx(&mut self) -> Result<&mut Transaction<'static, Any>> {
        if self.tx.is_none() {
            self.tx = Some(self.db.begin_write().await?);
        }
        Ok(self.tx.as_mut().expect("just begun"))
    }

    /// Writes every buffered row, parents first; commits when enough rows went into the
    /// current transaction.
    pub(crate) async fn flush(&mut self) -> Result<()> {
        for i in 0..self.tables.len() {
            while !self.tables[i].rows.is_empty() {
                let table = &mut self.tables[i];
                let take = table.rows.len().min(table.per_batch * table.ncols);
                let nrows = take / table.ncols;
                let rows: Vec<V> = table.rows.drain(..take).collect();
                let sql = if nrows == table.per_batch {
                    table.full_sql.clone()
                } else {
                    insert_sql(table.name, table.cols, table.ncols, nrows)
                };
                let mut q = sqlx::query(AssertSqlSafe(sql));
                for v in rows {
                    q = match v {
                        V::S(s) => q.bind(s),
                        V::I16(v) => q.bind(v),
                        V::I32(v) => q.bind(v),
                        V::I64(v) => q.bind(v),
                    };
                }
                let name = self.tables[i].name;
                let tx = self.tx().await?;
                q.execute(&mut **tx).await.map_err(|e| {
                    xunshi_core::CoreError::internal(format!("writing {name}: {e}"))
                })?;
                self.written += nrows as u64;
                self.since_commit += nrows as u64;
            }
        }
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
