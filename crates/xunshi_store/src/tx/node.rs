//! What comes back from a team's node: its rows put in place, the conflicts kept, and how far
//! each node's trail has been taken in. Only the kinds of record a team works on come back
//! ([`crate::node::RETURNING`]); a row of another table, or with other columns than the
//! table's, is refused before any statement names it.

use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use xunshi_core::store::node::numbered;
use xunshi_core::store::{NodeBaseline, NodeConflict, NodeRead, NodeRow, NodeWrite, Placed};
use xunshi_core::{CoreError, Id, Result};

use super::{DbTx, Held, Mode, Writing, ts};
use crate::backup::{bind_json, columns, json_row, quoted};
use crate::node::{RETURNING, pick_condition, refused};
use crate::rows::{id, opt_id, opt_s, opt_ts, s};

/// A returned row checked against its table: the table's key columns, and each column of the
/// row with whether it holds integers, in the row's order.
struct Checked {
    key: &'static [&'static str],
    cols: Vec<(String, bool)>,
}

impl Checked {
    /// The columns, quoted, for a statement's list.
    fn column_list(&self) -> String {
        self.cols
            .iter()
            .map(|(c, _)| quoted(c))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl<M: Mode> DbTx<M> {
    async fn checked(&mut self, row: &NodeRow) -> Result<Checked> {
        let Some((_, key)) = RETURNING.iter().find(|(t, _)| *t == row.table) else {
            return Err(refused(format!(
                "离线节点的工作中有表 {}，它不在节点交回的范围内",
                row.table
            )));
        };
        if !self.node_columns.contains_key(&row.table) {
            let dialect = self.dialect();
            let read = columns(self.conn.conn(), dialect, &row.table).await?;
            self.node_columns.insert(row.table.clone(), read);
        }
        let ours = self
            .node_columns
            .get(&row.table)
            .ok_or_else(|| CoreError::internal("the table's columns were just read"))?;
        if ours.len() != row.columns.len() || row.values.len() != row.columns.len() {
            return Err(refused(format!(
                "离线节点交回的 {} 的列与本库不符（版本不同？）",
                row.table
            )));
        }
        let cols = row
            .columns
            .iter()
            .map(|c| {
                ours.iter()
                    .find(|(o, _)| o == c)
                    .cloned()
                    .ok_or_else(|| refused(format!("表 {} 没有列 {c}", row.table)))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Checked { key, cols })
    }

    /// `col1 = $n AND col2 = $n+1 …` for the key, bound after `q`'s first `before` values.
    fn key_clause(checked: &Checked, before: usize) -> String {
        checked
            .key
            .iter()
            .enumerate()
            .map(|(i, k)| format!("{} = ${}", quoted(k), before + i + 1))
            .collect::<Vec<_>>()
            .join(" AND ")
    }

    fn bind_key<'q>(
        checked: &Checked,
        row: &NodeRow,
        mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>> {
        for k in checked.key {
            let at = checked
                .cols
                .iter()
                .position(|(c, _)| c == k)
                .ok_or_else(|| refused(format!("{} 的行缺少键列 {k}", row.table)))?;
            q = bind_json(q, &row.table, k, checked.cols[at].1, &row.values[at])?;
        }
        Ok(q)
    }
}

/// The record's key as `node_rows` keeps it: the JSON array of its key columns' values.
fn row_key(checked: &Checked, row: &NodeRow) -> Result<String> {
    let values = checked
        .key
        .iter()
        .map(|k| {
            checked
                .cols
                .iter()
                .position(|(c, _)| c == k)
                .map(|at| &row.values[at])
                .ok_or_else(|| refused(format!("{} 的行缺少键列 {k}", row.table)))
        })
        .collect::<Result<Vec<_>>>()?;
    json_text(&values)
}

fn conflict(r: &AnyRow) -> Result<NodeConflict> {
    let json = |col: &str| -> Result<Vec<Value>> {
        serde_json::from_str(&s(r, col)?).map_err(|e| CoreError::internal(format!("{col}: {e}")))
    };
    let columns: Vec<String> = serde_json::from_str(&s(r, "columns")?)
        .map_err(|e| CoreError::internal(format!("columns: {e}")))?;
    Ok(NodeConflict {
        id: id(r, "id")?,
        pair: s(r, "pair")?,
        inspection_id: id(r, "inspection_id")?,
        table: s(r, "table_name")?,
        columns,
        office_row: json("office_row")?,
        node_row: json("node_row")?,
        imported_at: crate::rows::ts(r, "imported_at")?,
        decision: opt_s(r, "decision")?,
        decided_by: opt_id(r, "decided_by")?,
        decided_at: opt_ts(r, "decided_at")?,
    })
}

const CONFLICT_COLS: &str = "id, pair, inspection_id, table_name, columns, office_row, node_row, \
     imported_at, decision, decided_by, decided_at";

impl<M: Mode> NodeRead for DbTx<M> {
    async fn node_row(&mut self, row: &NodeRow) -> Result<Option<Vec<Value>>> {
        let checked = self.checked(row).await?;
        let list = checked.column_list();
        let sql = format!(
            "SELECT {list} FROM {} WHERE {}",
            quoted(&row.table),
            Self::key_clause(&checked, 0)
        );
        let q = Self::bind_key(&checked, row, sqlx::query(AssertSqlSafe(sql)))?;
        self.fetch_optional(q)
            .await?
            .map(|r| json_row(&r))
            .transpose()
    }

    async fn node_row_belongs(&mut self, row: &NodeRow, inspection: Id) -> Result<bool> {
        let checked = self.checked(row).await?;
        let condition = pick_condition(&row.table)
            .ok_or_else(|| CoreError::internal(format!("{} has no condition", row.table)))?;
        let sql = format!(
            "SELECT 1 AS one FROM {} WHERE ({condition}) AND {}",
            quoted(&row.table),
            Self::key_clause(&checked, 1)
        );
        let q = sqlx::query(AssertSqlSafe(sql)).bind(inspection.to_string());
        let q = Self::bind_key(&checked, row, q)?;
        Ok(self.fetch_optional(q).await?.is_some())
    }

    async fn node_conflicts(
        &mut self,
        inspection: Option<Id>,
        undecided_only: bool,
        limit: u32,
    ) -> Result<Vec<NodeConflict>> {
        let mut clauses = Vec::new();
        if inspection.is_some() {
            clauses.push("inspection_id = $1");
        }
        if undecided_only {
            clauses.push("decision IS NULL");
        }
        let filter = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        let sql = format!(
            "SELECT {CONFLICT_COLS} FROM node_conflicts {filter} ORDER BY id LIMIT {limit}"
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        if let Some(i) = inspection {
            q = q.bind(i.to_string());
        }
        self.fetch_all(q).await?.iter().map(conflict).collect()
    }

    async fn get_node_conflict(&mut self, cid: Id) -> Result<Option<NodeConflict>> {
        let sql = format!("SELECT {CONFLICT_COLS} FROM node_conflicts WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(cid.to_string()))
            .await?
            .map(|r| conflict(&r))
            .transpose()
    }

    async fn node_baseline(&mut self, pair: &str, row: &NodeRow) -> Result<Option<NodeBaseline>> {
        let checked = self.checked(row).await?;
        let r = self
            .fetch_optional(
                sqlx::query(
                    "SELECT node_digest, office_digest, conflict_id FROM node_rows
                     WHERE pair = $1 AND table_name = $2 AND row_key = $3",
                )
                .bind(pair.to_owned())
                .bind(row.table.clone())
                .bind(row_key(&checked, row)?),
            )
            .await?;
        r.map(|r| {
            Ok(NodeBaseline {
                node: s(&r, "node_digest")?,
                office: opt_s(&r, "office_digest")?,
                conflict: opt_id(&r, "conflict_id")?,
            })
        })
        .transpose()
    }

    async fn node_trail_taken(&mut self, pair: &str) -> Result<Option<(i64, String)>> {
        let r = self
            .fetch_optional(
                sqlx::query("SELECT seq, hash FROM node_trails WHERE pair = $1")
                    .bind(pair.to_owned()),
            )
            .await?;
        r.map(|r| Ok((crate::rows::i(&r, "seq")?, s(&r, "hash")?)))
            .transpose()
    }
}

impl NodeWrite for DbTx<Writing> {
    async fn put_node_row(
        &mut self,
        row: &NodeRow,
        exists: bool,
        inspection: Id,
    ) -> Result<Placed> {
        let checked = self.checked(row).await?;
        let mut values = row.values.clone();
        let mut placed = Placed::Stored;
        if !exists && let Some(column) = numbered(&row.table) {
            let at = checked
                .cols
                .iter()
                .position(|(c, _)| c == column)
                .ok_or_else(|| refused(format!("{} 的行缺少列 {column}", row.table)))?;
            let was = values[at].as_i64().unwrap_or_default();
            let sql = format!(
                "SELECT CAST(COALESCE(MAX({c}), 0) AS BIGINT) AS top, \
                   CAST(SUM(CASE WHEN {c} = $2 THEN 1 ELSE 0 END) AS BIGINT) AS taken \
                 FROM {} WHERE inspection_id = $1",
                quoted(&row.table),
                c = quoted(column)
            );
            let r = self
                .fetch_optional(
                    sqlx::query(AssertSqlSafe(sql))
                        .bind(inspection.to_string())
                        .bind(was),
                )
                .await?;
            let (top, taken) = match r {
                Some(r) => (
                    crate::rows::i(&r, "top")?,
                    r.try_get::<Option<i64>, _>("taken")
                        .map_err(crate::db_err)?
                        .unwrap_or(0),
                ),
                None => (0, 0),
            };
            if taken > 0 {
                values[at] = Value::from(top + 1);
                placed = Placed::Renumbered {
                    column: column.to_owned(),
                    was,
                    now: top + 1,
                };
            }
        }
        let q = if exists {
            let sets = checked
                .cols
                .iter()
                .enumerate()
                .map(|(i, (c, _))| format!("{} = ${}", quoted(c), i + 1))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE {} SET {sets} WHERE {}",
                quoted(&row.table),
                Self::key_clause(&checked, checked.cols.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for ((c, integer), v) in checked.cols.iter().zip(&values) {
                q = bind_json(q, &row.table, c, *integer, v)?;
            }
            Self::bind_key(&checked, row, q)?
        } else {
            let list = checked.column_list();
            let params = (1..=checked.cols.len())
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "INSERT INTO {} ({list}) VALUES ({params})",
                quoted(&row.table)
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for ((c, integer), v) in checked.cols.iter().zip(&values) {
                q = bind_json(q, &row.table, c, *integer, v)?;
            }
            q
        };
        let n = self.execute(q).await?;
        if n != 1 {
            return Err(CoreError::internal(format!(
                "{} 的一行写入了 {n} 行",
                row.table
            )));
        }
        Ok(placed)
    }

    async fn insert_node_conflict(&mut self, c: &NodeConflict) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO node_conflicts (id, pair, inspection_id, table_name, columns,
                    office_row, node_row, imported_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(c.id.to_string())
            .bind(c.pair.clone())
            .bind(c.inspection_id.to_string())
            .bind(c.table.clone())
            .bind(json_text(&c.columns)?)
            .bind(json_text(&c.office_row)?)
            .bind(json_text(&c.node_row)?)
            .bind(ts(c.imported_at)),
        )
        .await?;
        Ok(())
    }

    async fn renew_node_conflict(&mut self, c: &NodeConflict) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE node_conflicts SET office_row = $1, node_row = $2, imported_at = $3
                     WHERE id = $4 AND decision IS NULL",
                )
                .bind(json_text(&c.office_row)?)
                .bind(json_text(&c.node_row)?)
                .bind(ts(c.imported_at))
                .bind(c.id.to_string()),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::Conflict("该冲突已由他人裁定".into()));
        }
        Ok(())
    }

    async fn set_node_baseline(
        &mut self,
        pair: &str,
        row: &NodeRow,
        baseline: &NodeBaseline,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let checked = self.checked(row).await?;
        self.execute(
            sqlx::query(
                "INSERT INTO node_rows (pair, table_name, row_key, node_digest, office_digest,
                    conflict_id, taken_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (pair, table_name, row_key) DO UPDATE SET
                    node_digest = excluded.node_digest, office_digest = excluded.office_digest,
                    conflict_id = excluded.conflict_id, taken_at = excluded.taken_at",
            )
            .bind(pair.to_owned())
            .bind(row.table.clone())
            .bind(row_key(&checked, row)?)
            .bind(baseline.node.clone())
            .bind(baseline.office.clone())
            .bind(baseline.conflict.map(|i| i.to_string()))
            .bind(ts(at)),
        )
        .await?;
        Ok(())
    }

    async fn decide_node_conflict(&mut self, c: &NodeConflict) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE node_conflicts SET decision = $1, decided_by = $2, decided_at = $3
                     WHERE id = $4 AND decision IS NULL",
                )
                .bind(c.decision.clone())
                .bind(c.decided_by.map(|i| i.to_string()))
                .bind(c.decided_at.map(ts))
                .bind(c.id.to_string()),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::Conflict("该冲突已由他人裁定".into()));
        }
        Ok(())
    }

    async fn set_node_trail_taken(
        &mut self,
        pair: &str,
        seq: i64,
        hash: &str,
        at: jiff::Timestamp,
    ) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE node_trails SET seq = $1, hash = $2, taken_at = $3 WHERE pair = $4",
                )
                .bind(seq)
                .bind(hash.to_owned())
                .bind(ts(at))
                .bind(pair.to_owned()),
            )
            .await?;
        if n == 0 {
            self.execute(
                sqlx::query(
                    "INSERT INTO node_trails (pair, seq, hash, taken_at) VALUES ($1, $2, $3, $4)",
                )
                .bind(pair.to_owned())
                .bind(seq)
                .bind(hash.to_owned())
                .bind(ts(at)),
            )
            .await?;
        }
        Ok(())
    }
}

/// JSON text of the lists a conflict keeps.
fn json_text<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| CoreError::internal(e.to_string()))
}
