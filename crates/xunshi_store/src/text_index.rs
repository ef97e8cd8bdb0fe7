//! The index behind the ledger's text filter (`q`): the character pairs (bigrams) of each
//! task's words, so that a search for a few words reads the tasks that hold all their pairs
//! instead of every task of the province.
//!
//! The filter itself stays a `LIKE` on the task's columns and its problem's title (see
//! `tx::contains_clause`); the index only narrows the tasks it is tried on. Chinese has no
//! spaces between words and officials search for two or three characters (食堂, 公车, 谈话提醒),
//! so the index keeps pairs of characters, as full-text engines do for CJK text: a text that
//! contains the query contains each of its pairs. A query without a pair (one character, or
//! only punctuation) is matched by the `LIKE` alone, over every task it may see.
//!
//! Each backend keeps the pairs in its own kind of inverted index:
//! - SQLite: an FTS5 table without content (`task_text_grams`, one row a task, its rowid the
//!   `n` of `task_text`, which maps it to the task), each pair a token;
//! - PostgreSQL: `task_text.grams`, the pairs separated by spaces, under a GIN index of
//!   `string_to_array(grams, ' ')`.
//!
//! The tables are derived: a backup leaves them out, and a restore, the migration that made
//! them and `xunshi generate` build them from the tasks ([`rebuild`]).

use std::collections::BTreeSet;

use sqlx::{AnyConnection, AssertSqlSafe, Row};
use xunshi_core::Result;

use crate::{Dialect, db_err};

/// The tables of the index, left out of backups and moves (with SQLite's FTS5 tables of
/// `task_text_grams`, whose names start with it).
pub(crate) const DERIVED_TABLE: &str = "task_text";

/// Whether a table of the database is the index's.
pub(crate) fn is_derived(table: &str) -> bool {
    table == DERIVED_TABLE
        || table
            .strip_prefix(DERIVED_TABLE)
            .is_some_and(|rest| rest.starts_with('_'))
}

/// How many tasks one statement of [`rebuild`] reads.
const REBUILD_BATCH: i64 = 2_000;

/// The columns of a task that the ledger's text filter searches (`tx::rectify`'s `LIKE`), with
/// its problem's title: what the index holds the pairs of.
pub(crate) const TASK_COLS: [&str; 6] = [
    "measure",
    "target",
    "responsible_leader",
    "responsible_person",
    "lead_department",
    "seq",
];

/// A task's id, its searched columns and its problem's title, for one task (`$1`) or for a
/// batch after an id (`$1`, then the order and the limit).
fn source_sql(tail: &str) -> String {
    let cols: Vec<String> = TASK_COLS.iter().map(|c| format!("t.{c}")).collect();
    format!(
        "SELECT t.id, {}, p.title FROM rectification_tasks t \
         JOIN problems p ON p.id = t.problem_id {tail}",
        cols.join(", ")
    )
}

/// The runs of letters and digits of `text`, each folded to lower case character by
/// character (a superset of the folding `lower` does in either database, which is ASCII's).
fn runs(text: &str) -> impl Iterator<Item = Vec<char>> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|run| !run.is_empty())
        .map(|run| run.chars().flat_map(char::to_lowercase).collect())
}

/// The pairs of adjacent characters of each run of `text`, into `out`.
fn pairs_into(text: &str, out: &mut BTreeSet<String>) {
    for run in runs(text) {
        for pair in run.windows(2) {
            out.insert(pair.iter().collect());
        }
    }
}

/// The pairs of a task's searched texts, once each, space separated: what the index holds.
/// A pair never spans two columns, as a `LIKE` never matches across them.
pub(crate) fn document(texts: &[&str]) -> String {
    let mut out = BTreeSet::new();
    for t in texts {
        pairs_into(t, &mut out);
    }
    out.into_iter().collect::<Vec<_>>().join(" ")
}

/// The pairs a task must hold to contain `query`; empty when it has none.
pub(crate) fn query_pairs(query: &str) -> Vec<String> {
    let mut out = BTreeSet::new();
    pairs_into(query.trim(), &mut out);
    out.into_iter().collect()
}

/// The value the [`candidates`] clause is bound to: an FTS5 query of every pair, or the pairs
/// separated by spaces.
pub(crate) fn match_value(dialect: Dialect, pairs: &[String]) -> String {
    match dialect {
        // A pair is letters and digits only: quoted, it is one token and no syntax.
        Dialect::Sqlite => pairs
            .iter()
            .map(|p| format!("\"{p}\""))
            .collect::<Vec<_>>()
            .join(" AND "),
        Dialect::Postgres => pairs.join(" "),
    }
}

/// The condition that a task (`{p}id`) holds every pair bound to `$n` ([`match_value`]).
pub(crate) fn candidates(dialect: Dialect, p: &str, n: usize) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "{p}id IN (SELECT s.task_id FROM task_text s WHERE s.n IN \
             (SELECT g.rowid FROM task_text_grams g WHERE task_text_grams MATCH ${n}))"
        ),
        Dialect::Postgres => format!(
            "{p}id IN (SELECT s.task_id FROM task_text s \
             WHERE string_to_array(s.grams, ' ') @> string_to_array(${n}, ' '))"
        ),
    }
}

/// Writes the index of the tasks `ids` from their rows as they are now.
pub(crate) async fn refresh(conn: &mut AnyConnection, ids: &[String]) -> Result<()> {
    let sql = source_sql("WHERE t.id = $1");
    for id in ids {
        let row = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(id.clone())
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_err)?;
        if let Some(row) = row {
            let (id, doc) = document_of(&row)?;
            write(conn, &id, &doc, false).await?;
        }
    }
    Ok(())
}

/// A task's id and its [`document`], from a row of [`source_sql`].
fn document_of(row: &sqlx::any::AnyRow) -> Result<(String, String)> {
    let id: String = row.try_get("id").map_err(db_err)?;
    let mut texts = Vec::with_capacity(TASK_COLS.len() + 1);
    for col in TASK_COLS.iter().chain(&["title"]) {
        let v: Option<String> = row.try_get(*col).map_err(db_err)?;
        texts.push(v.unwrap_or_default());
    }
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    Ok((id, document(&refs)))
}

/// Puts one task's document into the index, in place of the one it had (`fresh`: it has
/// none, as in a rebuild).
async fn write(conn: &mut AnyConnection, task_id: &str, doc: &str, fresh: bool) -> Result<()> {
    match Dialect::of(conn) {
        Dialect::Sqlite => {
            let known = if fresh {
                None
            } else {
                sqlx::query("SELECT n FROM task_text WHERE task_id = $1")
                    .bind(task_id.to_owned())
                    .fetch_optional(&mut *conn)
                    .await
                    .map_err(db_err)?
                    .map(|r| r.try_get::<i64, _>("n"))
                    .transpose()
                    .map_err(db_err)?
            };
            let n = match known {
                Some(n) => {
                    // A table without content forgets a row's tokens only when told it goes.
                    sqlx::query("DELETE FROM task_text_grams WHERE rowid = $1")
                        .bind(n)
                        .execute(&mut *conn)
                        .await
                        .map_err(db_err)?;
                    n
                }
                None => sqlx::query("INSERT INTO task_text (task_id) VALUES ($1) RETURNING n")
                    .bind(task_id.to_owned())
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(db_err)?
                    .try_get("n")
                    .map_err(db_err)?,
            };
            sqlx::query("INSERT INTO task_text_grams (rowid, grams) VALUES ($1, $2)")
                .bind(n)
                .bind(doc.to_owned())
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
        Dialect::Postgres => {
            sqlx::query(
                "INSERT INTO task_text (task_id, grams) VALUES ($1, $2)
                 ON CONFLICT (task_id) DO UPDATE SET grams = excluded.grams",
            )
            .bind(task_id.to_owned())
            .bind(doc.to_owned())
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
    }
    Ok(())
}

/// Empties the index.
pub(crate) async fn clear(conn: &mut AnyConnection) -> Result<()> {
    match Dialect::of(conn) {
        Dialect::Sqlite => {
            // FTS5's own command for emptying a table without content.
            sqlx::raw_sql(
                "INSERT INTO task_text_grams (task_text_grams) VALUES ('delete-all');
                 DELETE FROM task_text;",
            )
            .execute(&mut *conn)
            .await
            .map_err(db_err)?;
        }
        Dialect::Postgres => {
            sqlx::query("DELETE FROM task_text")
                .execute(&mut *conn)
                .await
                .map_err(db_err)?;
        }
    }
    Ok(())
}

/// Builds the index of every task anew. Returns how many tasks it holds.
pub(crate) async fn rebuild(conn: &mut AnyConnection) -> Result<u64> {
    clear(conn).await?;
    fill(conn).await
}

/// Writes the index of every task into an empty one, in batches of tasks by id. Returns how
/// many tasks it holds.
pub(crate) async fn fill(conn: &mut AnyConnection) -> Result<u64> {
    let sql = source_sql(&format!(
        "WHERE t.id > $1 ORDER BY t.id LIMIT {REBUILD_BATCH}"
    ));
    let mut after = String::new();
    let mut done = 0u64;
    loop {
        let rows = sqlx::query(AssertSqlSafe(sql.as_str()))
            .bind(after.clone())
            .fetch_all(&mut *conn)
            .await
            .map_err(db_err)?;
        let Some(last) = rows.last() else {
            break;
        };
        after = last.try_get("id").map_err(db_err)?;
        for row in &rows {
            let (id, doc) = document_of(row)?;
            write(conn, &id, &doc, true).await?;
            done += 1;
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_holds_each_pair_of_each_column_once() {
        assert_eq!(
            document(&["谈话提醒，谈话", "AB-1"]),
            ["ab", "提醒", "话提", "谈话"].join(" ")
        );
    }

    #[test]
    fn a_pair_never_spans_two_columns_or_a_punctuation_mark() {
        let doc = document(&["食堂", "管理", "公、车"]);
        assert_eq!(doc, "管理 食堂");
    }

    #[test]
    fn a_query_needs_the_pairs_of_its_words_and_a_single_character_has_none() {
        assert_eq!(query_pairs(" 谈话提醒 "), ["提醒", "话提", "谈话"]);
        assert_eq!(query_pairs("食堂 公车"), ["公车", "食堂"]);
        assert!(query_pairs("党").is_empty());
        assert!(query_pairs("、—").is_empty());
    }

    #[test]
    fn every_text_that_contains_a_query_holds_its_pairs() {
        let texts = ["对相关责任人进行谈话提醒，督促立行立改", "Office 3-1 整改"];
        for text in texts {
            let doc: BTreeSet<String> = document(&[text]).split(' ').map(str::to_owned).collect();
            let chars: Vec<char> = text.chars().collect();
            for start in 0..chars.len() {
                for end in start + 1..=chars.len() {
                    let q: String = chars[start..end].iter().collect();
                    for pair in query_pairs(&q.to_uppercase()) {
                        assert!(doc.contains(&pair), "{q}: {pair}");
                    }
                }
            }
        }
    }

    #[test]
    fn the_match_value_quotes_each_pair_for_fts5_and_lists_them_for_postgresql() {
        let pairs = query_pairs("谈话提醒");
        assert_eq!(
            match_value(Dialect::Sqlite, &pairs),
            "\"提醒\" AND \"话提\" AND \"谈话\""
        );
        assert_eq!(match_value(Dialect::Postgres, &pairs), "提醒 话提 谈话");
    }

    #[test]
    fn the_index_tables_are_told_apart_from_the_others() {
        assert!(is_derived("task_text"));
        assert!(is_derived("task_text_grams_data"));
        assert!(!is_derived("task_textbook"));
        assert!(!is_derived("rectification_tasks"));
    }
}
