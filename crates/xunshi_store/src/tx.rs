//! The storage operations, each run inside the caller's transaction. The operations of the
//! organisation, accounts and audit trail are here; each later area has its own file below.

mod archive;
mod calendar;
mod clocks;
mod clues;
mod crypto;
mod disclose;
mod fieldwork;
mod filings;
mod leadership;
mod look_back;
mod messages;
mod node;
mod papers;
mod patterns;
mod planning;
mod rectify;
mod reports;
mod retention;
mod search;
mod submissions;
mod supervise;
mod tally;
mod teams;
mod todo;

use std::sync::LazyLock;

use sqlx::any::AnyRow;
use sqlx::{Any, AnyConnection, AssertSqlSafe, Transaction};
use xunshi_core::audit::{AuditRecord, format_at};
use xunshi_core::crypto::HashAlg;
use xunshi_core::org::Unit;
use xunshi_core::page::Keyset;
use xunshi_core::role::Grant;
use xunshi_core::store::{
    ApiToken, AuditFilter, AuditHead, AuditSort, AuditSortKey, Holder, LoginLock, ReadTx, Session,
    TwoFactor, UnitFilter, UnitSort, UnitSortKey, UserFilter, UserSort, UserSortKey, WriteTx,
};
use xunshi_core::user::User;
use xunshi_core::{CoreError, Id, Result};

use crate::explain::ExplainLog;
use crate::lane::Writer;
use crate::{db_err, rows};

pub(crate) use calendar::day_kind_code;
pub(crate) use supervise::load_default_rules;

/// The head of the audit trail from its row (`seq`, `hash`, `algorithm`).
fn audit_head_of(r: Option<AnyRow>) -> Result<AuditHead> {
    let r = r.ok_or_else(|| CoreError::internal("the audit head row is missing"))?;
    let alg = rows::s(&r, "algorithm")?;
    Ok(AuditHead {
        seq: rows::i(&r, "seq")?,
        hash: rows::s(&r, "hash")?,
        alg: HashAlg::parse(&alg).ok_or_else(|| {
            CoreError::internal(format!("the audit chain names an unknown hash “{alg}”"))
        })?,
    })
}

/// A transaction of the store, reading or writing. The two are different types, so that
/// only a writing one has the operations that change data (and append to the audit trail):
/// the core's `ReadTx` is implemented for both, its `WriteTx` only for `DbTx<Writing>`.
pub struct DbTx<M: Mode> {
    conn: M::Conn,
    /// The tallies' state as read in this transaction (see tally.rs), read once.
    tally_state_cache: Option<Option<(jiff::civil::Date, i32)>>,
    /// The columns of the tables a node's rows went to in this transaction (tx/node.rs), each
    /// read once: an import puts many rows into few tables.
    node_columns: std::collections::HashMap<String, Vec<(String, bool)>>,
    /// Set only on a `Db` opened for explaining (see explain.rs).
    explain: Option<(crate::Dialect, ExplainLog)>,
}

/// Whether a [`DbTx`] reads or writes, and what it holds to do so.
pub trait Mode: Send + 'static {
    type Conn: Held;
}

/// A transaction of its own on a pooled connection; it sees one consistent state.
pub struct Reading;

/// A writer's place in the process's write lane (see `lane.rs`).
pub struct Writing;

impl Mode for Reading {
    type Conn = Transaction<'static, Any>;
}

impl Mode for Writing {
    type Conn = Writer;
}

/// The connection a transaction runs its statements on.
pub trait Held: Send {
    fn conn(&mut self) -> &mut AnyConnection;
}

impl Held for Transaction<'static, Any> {
    fn conn(&mut self) -> &mut AnyConnection {
        self
    }
}

impl Held for Writer {
    fn conn(&mut self) -> &mut AnyConnection {
        Writer::conn(self)
    }
}

impl DbTx<Reading> {
    pub(crate) fn reading(
        tx: Transaction<'static, Any>,
        explain: Option<(crate::Dialect, ExplainLog)>,
    ) -> Self {
        DbTx {
            conn: tx,
            tally_state_cache: None,
            node_columns: Default::default(),
            explain,
        }
    }
}

impl DbTx<Writing> {
    pub(crate) fn writing(w: Writer, explain: Option<(crate::Dialect, ExplainLog)>) -> Self {
        DbTx {
            conn: w,
            tally_state_cache: None,
            node_columns: Default::default(),
            explain,
        }
    }
}

impl<M: Mode> DbTx<M> {
    /// The backend this transaction runs on.
    pub(crate) fn dialect(&mut self) -> crate::Dialect {
        crate::Dialect::of(self.conn.conn())
    }

    /// Writes the text index of the tasks `ids` from their rows as they are now.
    pub(crate) async fn refresh_task_text(&mut self, ids: &[String]) -> Result<()> {
        crate::text_index::refresh(self.conn.conn(), ids).await
    }

    /// Builds the text index of every task anew; how many tasks it holds.
    pub(crate) async fn rebuild_task_text(&mut self) -> Result<u64> {
        crate::text_index::rebuild(self.conn.conn()).await
    }

    /// The query as given, after its plan was kept when explaining.
    async fn explained<'q>(
        &mut self,
        q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    ) -> Result<sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>> {
        match &self.explain {
            None => Ok(q),
            Some((dialect, log)) => {
                let (dialect, log) = (*dialect, log.clone());
                crate::explain::explain(self.conn.conn(), dialect, &log, q).await
            }
        }
    }

    pub(crate) async fn fetch_all(
        &mut self,
        q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> Result<Vec<AnyRow>> {
        let q = self.explained(q).await?;
        q.fetch_all(self.conn.conn()).await.map_err(db_err)
    }

    pub(crate) async fn fetch_optional(
        &mut self,
        q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> Result<Option<AnyRow>> {
        let q = self.explained(q).await?;
        q.fetch_optional(self.conn.conn()).await.map_err(db_err)
    }

    pub(crate) async fn execute(
        &mut self,
        q: sqlx::query::Query<'_, Any, sqlx::any::AnyArguments>,
    ) -> Result<u64> {
        let q = self.explained(q).await?;
        q.execute(self.conn.conn())
            .await
            .map(|r| r.rows_affected())
            .map_err(db_err)
    }
}

pub(crate) fn ts(t: jiff::Timestamp) -> String {
    format_at(t)
}

fn opt_ts(t: Option<jiff::Timestamp>) -> Option<String> {
    t.map(format_at)
}

pub(crate) fn flag(b: bool) -> i16 {
    i16::from(b)
}

/// How a sorted list's key compares.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyKind {
    /// A text column: a row value `(key, id) > (…)`, one index range on both backends.
    Column,
    /// An integer column: the same, with the cursor's text key cast.
    Integer,
    /// An expression (such as a `COALESCE` of days): SQLite does not take a row value as a
    /// range of an index on an expression and would read that index from its start, so the
    /// key bounds the range and the id breaks the ties.
    Expression,
}

/// Narrows `w` to the rows after the cursor `at` (going back, before it) under the order by
/// `key` (`None`: the id alone) and then `id_col`, each written as its index is, and returns
/// the `ORDER BY` of the walk: going back walks the other way, and the caller turns the rows
/// round. Every sorted list pages through this one rule.
pub(crate) fn keyset(
    w: &mut Where,
    key: Option<(&str, KeyKind)>,
    id_col: &str,
    desc: bool,
    at: Option<&Keyset>,
) -> Result<String> {
    keyset_tied(w, key, id_col, None, desc, at)
}

/// [`keyset`], with the ties broken by `tie_col`: the id itself (`tie: None`), or an integer
/// column whose value at the cursor's row the caller read (`Some`) — the audit trail keeps its
/// records in sequence order, not by id. Bound as an integer, neither read by a subquery nor
/// cast, so that SQLite walks the index over (key, tie) from the cursor, not from the key's
/// first row.
pub(crate) fn keyset_tied(
    w: &mut Where,
    key: Option<(&str, KeyKind)>,
    tie_col: &str,
    tie: Option<i64>,
    desc: bool,
    at: Option<&Keyset>,
) -> Result<String> {
    let back = at.is_some_and(|k| k.back);
    let (dir, cmp) = if desc != back {
        ("DESC", "<")
    } else {
        ("ASC", ">")
    };
    if let Some((k, id)) = at.and_then(|k| k.row.as_ref()) {
        let n = w.next();
        match key {
            None => {
                let clause = format!("{tie_col} {cmp} ${n}");
                match tie {
                    None => w.raw(clause, id.to_string()),
                    Some(t) => w.raw_integer(clause, t),
                }
            }
            Some((key, kind)) => {
                let bound = if kind == KeyKind::Integer {
                    k.parse::<i64>()
                        .map_err(|_| CoreError::unfit("cursor", "分页游标无效"))?;
                    format!("CAST(${n} AS INTEGER)")
                } else {
                    format!("${n}")
                };
                let tie_at = format!("${}", n + 1);
                let clause = if kind == KeyKind::Expression {
                    format!(
                        "{key} {cmp}= {bound} AND ({key} {cmp} {bound} OR {tie_col} {cmp} {tie_at})"
                    )
                } else {
                    format!("({key}, {tie_col}) {cmp} ({bound}, {tie_at})")
                };
                w.raw(clause, k.clone());
                match tie {
                    None => w.also(id.to_string()),
                    Some(t) => w.also_integer(t),
                }
            }
        }
    }
    Ok(match key {
        None => format!("{tie_col} {dir}"),
        Some((key, _)) => format!("{key} {dir}, {tie_col} {dir}"),
    })
}

pub(crate) fn like_pattern(q: &str) -> String {
    let escaped = q
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// `LIKE` is case-sensitive on PostgreSQL and not on SQLite for ASCII; lower-casing both sides
/// in the database gives one behaviour (SQLite's `lower` folds only ASCII, so the pattern must
/// be folded by the same function, not by Rust). Every column is matched against the one
/// placeholder `$n`, bound to [`like_pattern`] of `text`.
///
/// A text without a letter that has case (Chinese, digits, punctuation) matches the same with
/// or without folding, since folding never turns a letter into one without case; it is then
/// matched as it is, which spares a `lower` per column and row (half the time of a scan of the
/// ledger on SQLite, see bench/RESULTS.md).
pub(crate) fn contains_clause(cols: &[&str], n: usize, text: &str) -> String {
    let folds = text.chars().any(|c| c.is_lowercase() || c.is_uppercase());
    let parts: Vec<_> = cols
        .iter()
        .map(|c| {
            if folds {
                format!("lower({c}) LIKE lower(${n}) ESCAPE '\\'")
            } else {
                format!("{c} LIKE ${n} ESCAPE '\\'")
            }
        })
        .collect();
    format!("({})", parts.join(" OR "))
}

/// The `WHERE` of the audit trail's list: the filter, the same for its rows and its count.
fn audit_where(f: &AuditFilter) -> Where {
    let mut w = Where::default();
    if let Some(v) = f
        .actor_name
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
    {
        // The person by log-in name, or by any part of the name people know them by; the
        // records are still found through the index of the log-in name they carry.
        let n = w.next();
        let contains = contains_clause(&["display_name"], n + 1, v);
        w.raw(
            format!(
                "actor_name IN (SELECT CAST(${n} AS TEXT) \
                     UNION SELECT username FROM users WHERE {contains})"
            ),
            v.to_ascii_lowercase(),
        );
        w.also(like_pattern(v));
    }
    if let Some(v) = f.action.as_deref().filter(|v| !v.is_empty()) {
        w.eq("action", v);
    }
    if let Some(v) = f.object_type.as_deref().filter(|v| !v.is_empty()) {
        w.eq("object_type", v);
    }
    if let Some(v) = f.object_id.as_deref().filter(|v| !v.is_empty()) {
        // The object of the record, or one of the others it names (a list read).
        let n = w.next();
        w.raw(
                format!(
                    "(object_id = ${n} OR seq IN (SELECT o.seq FROM audit_objects o WHERE o.object_id = ${n}))"
                ),
                v.trim(),
            );
    }
    if let Some(v) = f.from.as_deref().filter(|v| !v.is_empty()) {
        let n = w.next();
        w.raw(format!("at >= ${n}"), v);
    }
    if let Some(v) = f.to.as_deref().filter(|v| !v.is_empty()) {
        let n = w.next();
        w.raw(format!("at < ${n}"), v);
    }
    w
}

/// The `WHERE` of the unit list: the filter, the same for its rows and its count.
fn unit_where(f: &UnitFilter) -> Where {
    let mut w = Where::default();
    if let Some(p) = f.parent_id {
        w.eq("parent_id", p.to_string());
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let c = contains_clause(&["name"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    if !f.include_withdrawn {
        w.fixed("withdrawn = 0");
    }
    w
}

/// The `WHERE` of the account list: the filter, the same for its rows and its count.
fn user_where(f: &UserFilter) -> Where {
    let mut w = Where::default();
    if let Some(u) = f.unit_id {
        w.eq("unit_id", u.to_string());
    }
    if let Some(q) = f.q.as_deref().filter(|q| !q.trim().is_empty()) {
        let c = contains_clause(&["username", "display_name"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    w
}

/// Builds `WHERE` clauses with numbered placeholders and keeps the values to bind, in order.
#[derive(Default, Clone)]
pub(crate) struct Where {
    clauses: Vec<String>,
    binds: Vec<Bind>,
    /// Values bound before this one's in the statement, by another `Where` ([`Where::after`]).
    offset: usize,
}

/// A value a [`Where`] binds: text, as almost every value is, or an integer where a cast would
/// keep SQLite from taking the comparison as a range of an index (a row value's later part).
#[derive(Clone)]
enum Bind {
    Text(Option<String>),
    Integer(i64),
}

impl Where {
    /// A `Where` for a part of a statement that follows parts binding `before` values: its
    /// placeholders are numbered after theirs, and its values are taken by [`Where::absorb`].
    pub(crate) fn after(before: usize) -> Where {
        Where {
            offset: before,
            ..Where::default()
        }
    }

    pub(crate) fn next(&self) -> usize {
        self.offset + self.binds.len() + 1
    }

    /// How many values the statement binds up to and including this `Where`'s.
    pub(crate) fn bound(&self) -> usize {
        self.offset + self.binds.len()
    }

    /// Takes the values of `part`, made [`Where::after`] this one's, to bind after them.
    pub(crate) fn absorb(&mut self, part: Where) {
        debug_assert_eq!(part.offset, self.bound());
        self.binds.extend(part.binds);
    }

    pub(crate) fn eq(&mut self, col: &str, v: impl Into<String>) {
        let n = self.next();
        self.clauses.push(format!("{col} = ${n}"));
        self.binds.push(Bind::Text(Some(v.into())));
    }

    pub(crate) fn raw(&mut self, clause: String, v: impl Into<String>) {
        self.clauses.push(clause);
        self.binds.push(Bind::Text(Some(v.into())));
    }

    /// A further value for the clause added last, bound to the placeholder after its own.
    pub(crate) fn also(&mut self, v: impl Into<String>) {
        self.binds.push(Bind::Text(Some(v.into())));
    }

    /// A clause with one integer value.
    pub(crate) fn raw_integer(&mut self, clause: String, v: i64) {
        self.clauses.push(clause);
        self.binds.push(Bind::Integer(v));
    }

    /// A further integer value for the clause added last.
    pub(crate) fn also_integer(&mut self, v: i64) {
        self.binds.push(Bind::Integer(v));
    }

    pub(crate) fn fixed(&mut self, clause: &str) {
        self.clauses.push(clause.to_owned());
    }

    /// A comma-separated list of new placeholders for `values`, for `IN (…)`.
    pub(crate) fn list(&mut self, values: impl Iterator<Item = String>) -> String {
        let mut out = Vec::new();
        for v in values {
            out.push(format!("${}", self.next()));
            self.binds.push(Bind::Text(Some(v)));
        }
        out.join(", ")
    }

    /// Binds the collected values to `q`, in order.
    pub(crate) fn bind_all<'q>(
        self,
        mut q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    ) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments> {
        for b in self.binds {
            q = match b {
                Bind::Text(v) => q.bind(v),
                Bind::Integer(v) => q.bind(v),
            };
        }
        q
    }

    /// Whether nothing narrows the rows.
    pub(crate) fn is_empty(&self) -> bool {
        self.clauses.is_empty()
    }

    pub(crate) fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", self.clauses.join(" AND "))
        }
    }
}

const UNIT_COLS: &str =
    "id, name, kind, level, parent_id, withdrawn, version, created_at, updated_at";
pub(crate) const USER_COLS: &str = "id, username, display_name, unit_id, disabled, must_change_password, \
     failed_logins, locked_until, version, created_at, updated_at";
pub(crate) const GRANT_COLS: &str =
    "id, user_id, role, scope_kind, scope_id, granted_by, created_at";
const TOKEN_COLS: &str =
    "id, user_id, name, token_hash, created_at, expires_at, last_used_at, revoked_at";
const SESSION_COLS: &str =
    "token_hash, user_id, csrf_token, created_at, expires_at, two_factor_pending";
pub(crate) const AUDIT_COLS: &str = "id, seq, at, actor_id, actor_name, action, object_type, object_id, ip, \
     summary, prev_hash, hash";

/// `cols` of the table aliased `alias`, each named `prefix` and its own name.
pub(crate) fn prefixed(alias: &str, prefix: &str, cols: &str) -> String {
    cols.split(',')
        .map(|c| format!("{alias}.{c} AS {prefix}{c}", c = c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The statement of [`DbTx::holder`] for the credentials of `table` (columns `cols`, found by
/// its `token_hash`), built once per table: every signed-in request runs it.
fn holder_sql(table: &str, cols: &str) -> String {
    format!(
        "SELECT {}, {}, {} FROM {table} c JOIN users u ON u.id = c.user_id \
         LEFT JOIN grants g ON g.user_id = c.user_id AND g.revoked_at IS NULL \
         WHERE c.token_hash = $1 ORDER BY g.id",
        prefixed("c", "", cols),
        prefixed("u", "u_", USER_COLS),
        prefixed("g", "g_", GRANT_COLS),
    )
}

static SESSION_HOLDER: LazyLock<String> = LazyLock::new(|| holder_sql("sessions", SESSION_COLS));
static TOKEN_HOLDER: LazyLock<String> = LazyLock::new(|| holder_sql("api_tokens", TOKEN_COLS));

impl<M: Mode> DbTx<M> {
    /// A credential found by its `token_hash` with `sql` ([`holder_sql`]), with its user and
    /// the user's active grants: one row per grant (one with no grant if there is none), so a
    /// signed-in request costs one statement, not three.
    async fn holder<C>(
        &mut self,
        sql: &'static str,
        token_hash: &str,
        credential: fn(&AnyRow) -> Result<C>,
    ) -> Result<Option<Holder<C>>> {
        let found = self
            .fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(token_hash.to_owned()))
            .await?;
        let Some(first) = found.first() else {
            return Ok(None);
        };
        let mut grants = Vec::new();
        for r in &found {
            if rows::opt_s(r, "g_id")?.is_some() {
                grants.push(rows::grant_at(r, "g_")?);
            }
        }
        Ok(Some(Holder {
            credential: credential(first)?,
            user: rows::user_at(first, "u_")?,
            grants,
        }))
    }
}

impl<M: Mode> ReadTx for DbTx<M> {
    async fn get_login_lock(&mut self, user_id: Id, address: &str) -> Result<Option<LoginLock>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT user_id, address, failures, locked_until, last_failure_at
                 FROM login_locks WHERE user_id = $1 AND address = $2",
            )
            .bind(user_id.to_string())
            .bind(address.to_owned()),
        )
        .await?
        .map(|r| rows::login_lock(&r))
        .transpose()
    }

    async fn get_two_factor(&mut self, user_id: Id) -> Result<Option<TwoFactor>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT user_id, secret, confirmed_at, last_step, recovery, created_at
                 FROM two_factor WHERE user_id = $1",
            )
            .bind(user_id.to_string()),
        )
        .await?
        .map(|r| rows::two_factor(&r))
        .transpose()
    }

    async fn two_factor_required(&mut self) -> Result<bool> {
        let r = self
            .fetch_optional(sqlx::query(
                "SELECT two_factor_required FROM security_settings WHERE id = 1",
            ))
            .await?;
        Ok(r.map(|r| rows::flag(&r, "two_factor_required"))
            .transpose()?
            .unwrap_or(false))
    }

    async fn login_locks_of(&mut self, user_id: Id) -> Result<Vec<LoginLock>> {
        self.fetch_all(
            sqlx::query(
                "SELECT user_id, address, failures, locked_until, last_failure_at
                 FROM login_locks WHERE user_id = $1
                 ORDER BY last_failure_at DESC, address",
            )
            .bind(user_id.to_string()),
        )
        .await?
        .iter()
        .map(rows::login_lock)
        .collect()
    }

    async fn count_units(&mut self) -> Result<i64> {
        let r = self
            .fetch_optional(sqlx::query(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM units WHERE withdrawn = 0",
            ))
            .await?;
        Ok(r.map(|r| rows::i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn get_unit(&mut self, id: Id) -> Result<Option<Unit>> {
        let sql = format!("SELECT {UNIT_COLS} FROM units WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(id.to_string()))
            .await?
            .map(|r| rows::unit(&r))
            .transpose()
    }

    async fn find_unit_by_name(&mut self, name: &str) -> Result<Option<Unit>> {
        let sql = format!("SELECT {UNIT_COLS} FROM units WHERE name = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(name.trim().to_owned()))
            .await?
            .map(|r| rows::unit(&r))
            .transpose()
    }

    async fn units_sorted(
        &mut self,
        f: &UnitFilter,
        sort: UnitSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Unit>> {
        let mut w = unit_where(f);
        // Each key is written exactly as its index (migration 0026) is.
        let key = match sort.key {
            UnitSortKey::Seq => None,
            UnitSortKey::Name => Some(("name", KeyKind::Column)),
            UnitSortKey::Kind => Some(("kind", KeyKind::Column)),
            UnitSortKey::Level => Some(("level", KeyKind::Column)),
            UnitSortKey::Status => Some(("withdrawn", KeyKind::Integer)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {UNIT_COLS} FROM units {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(rows::unit)
            .collect()
    }

    async fn count_listed_units(&mut self, f: &UnitFilter) -> Result<i64> {
        let w = unit_where(f);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM units {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| rows::i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn all_units(&mut self) -> Result<Vec<Unit>> {
        let sql = format!("SELECT {UNIT_COLS} FROM units ORDER BY id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)))
            .await?
            .iter()
            .map(rows::unit)
            .collect()
    }

    async fn unit_names(&mut self, ids: &[Id]) -> Result<Vec<(Id, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(ids.iter().map(|i| i.to_string()));
        let sql = format!("SELECT id, name FROM units WHERE id IN ({list})");
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| Ok((rows::id(r, "id")?, rows::s(r, "name")?)))
            .collect()
    }

    async fn user_names(&mut self, ids: &[Id]) -> Result<Vec<(Id, String)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(ids.iter().map(|i| i.to_string()));
        let sql = format!("SELECT id, display_name FROM users WHERE id IN ({list})");
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| Ok((rows::id(r, "id")?, rows::s(r, "display_name")?)))
            .collect()
    }

    async fn units_up(&mut self, ids: &[Id]) -> Result<Vec<(Id, Option<Id>)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(ids.iter().map(|i| i.to_string()));
        // UNION, not UNION ALL: a unit met twice is walked once, so even a cycle ends.
        let sql = format!(
            "WITH RECURSIVE up(id, parent_id) AS (
                 SELECT id, parent_id FROM units WHERE id IN ({list})
                 UNION
                 SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent_id)
             SELECT id, parent_id FROM up"
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| Ok((rows::id(r, "id")?, rows::opt_id(r, "parent_id")?)))
            .collect()
    }

    async fn get_user(&mut self, id: Id) -> Result<Option<User>> {
        let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(id.to_string()))
            .await?
            .map(|r| rows::user(&r))
            .transpose()
    }

    async fn get_user_for_login(&mut self, username: &str) -> Result<Option<(User, String)>> {
        let sql = format!("SELECT {USER_COLS}, password_hash FROM users WHERE username = $1");
        match self
            .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(username.to_owned()))
            .await?
        {
            Some(r) => Ok(Some((rows::user(&r)?, rows::s(&r, "password_hash")?))),
            None => Ok(None),
        }
    }

    async fn users_sorted(
        &mut self,
        f: &UserFilter,
        sort: UserSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<User>> {
        let mut w = user_where(f);
        // Each key is written exactly as its index (migration 0026) is; an account of no unit
        // sorts before every unit on both backends alike.
        let key = match sort.key {
            UserSortKey::Seq => None,
            UserSortKey::Username => Some(("username", KeyKind::Column)),
            UserSortKey::Name => Some(("display_name", KeyKind::Column)),
            UserSortKey::Unit => Some(("COALESCE(unit_id, '')", KeyKind::Expression)),
            UserSortKey::Status => Some(("disabled", KeyKind::Integer)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {USER_COLS} FROM users {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(rows::user)
            .collect()
    }

    async fn count_listed_users(&mut self, f: &UserFilter) -> Result<i64> {
        let w = user_where(f);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM users {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| rows::i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn count_users(&mut self) -> Result<i64> {
        let r = self
            .fetch_optional(sqlx::query(
                "SELECT CAST(count(*) AS BIGINT) AS n FROM users",
            ))
            .await?
            .ok_or_else(|| CoreError::internal("count returned no row"))?;
        rows::i(&r, "n")
    }

    async fn active_grants(&mut self, user_id: Id) -> Result<Vec<Grant>> {
        let sql = format!(
            "SELECT {GRANT_COLS} FROM grants WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(user_id.to_string()))
            .await?
            .iter()
            .map(rows::grant)
            .collect()
    }

    async fn session_holder(&mut self, token_hash: &str) -> Result<Option<Holder<Session>>> {
        self.holder(&SESSION_HOLDER, token_hash, rows::session)
            .await
    }

    async fn token_holder(&mut self, token_hash: &str) -> Result<Option<Holder<ApiToken>>> {
        self.holder(&TOKEN_HOLDER, token_hash, rows::token).await
    }

    async fn get_token(&mut self, id: Id) -> Result<Option<ApiToken>> {
        let sql = format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(id.to_string()))
            .await?
            .map(|r| rows::token(&r))
            .transpose()
    }

    async fn list_tokens(&mut self, user_id: Id) -> Result<Vec<ApiToken>> {
        let sql =
            format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(user_id.to_string()))
            .await?
            .iter()
            .map(rows::token)
            .collect()
    }

    async fn audit_head(&mut self) -> Result<AuditHead> {
        let r = self
            .fetch_optional(sqlx::query(
                "SELECT seq, hash, algorithm FROM audit_head WHERE id = 1",
            ))
            .await?;
        audit_head_of(r)
    }

    async fn audit_in_order(&mut self, after_seq: i64, limit: u32) -> Result<Vec<AuditRecord>> {
        let sql =
            format!("SELECT {AUDIT_COLS} FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT {limit}");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(after_seq))
            .await?
            .iter()
            .map(rows::audit)
            .collect()
    }

    async fn audit_sorted(
        &mut self,
        f: &AuditFilter,
        sort: AuditSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<AuditRecord>> {
        let mut w = audit_where(f);
        // Each key walks its index over (key, seq) (migrations 0001 and 0026); a cursor names
        // its record by id, whose sequence number, read first, breaks the ties.
        let key = match sort.key {
            AuditSortKey::Seq => None,
            AuditSortKey::Actor => Some(("actor_name", KeyKind::Column)),
            AuditSortKey::Action => Some(("action", KeyKind::Column)),
            AuditSortKey::ObjectType => Some(("object_type", KeyKind::Column)),
        };
        let tie = match at.and_then(|k| k.row.as_ref()) {
            None => None,
            Some((_, id)) => {
                let r = self
                    .fetch_optional(
                        sqlx::query("SELECT seq FROM audit_log WHERE id = $1").bind(id.to_string()),
                    )
                    .await?
                    .ok_or_else(|| CoreError::unfit("cursor", "分页游标无效"))?;
                Some(rows::i(&r, "seq")?)
            }
        };
        let order_by = keyset_tied(&mut w, key, "seq", tie, sort.desc, at)?;
        let sql = format!(
            "SELECT {AUDIT_COLS} FROM audit_log {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(rows::audit)
            .collect()
    }

    async fn count_audit(&mut self, f: &AuditFilter) -> Result<i64> {
        let w = audit_where(f);
        if w.is_empty() {
            // The whole trail: the head counts its records (a record deleted behind the
            // trail's back shows in its check, `verify_audit`, not here).
            return Ok(self.audit_head().await?.seq);
        }
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM audit_log {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| rows::i(&r, "n")).transpose()?.unwrap_or(0))
    }
}

impl WriteTx for DbTx<Writing> {
    async fn put_login_lock(&mut self, l: &LoginLock) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO login_locks (user_id, address, failures, locked_until, last_failure_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (user_id, address) DO UPDATE SET failures = excluded.failures,
                    locked_until = excluded.locked_until, last_failure_at = excluded.last_failure_at",
            )
            .bind(l.user_id.to_string())
            .bind(l.address.clone())
            .bind(l.failures)
            .bind(opt_ts(l.locked_until))
            .bind(ts(l.last_failure_at)),
        )
        .await?;
        Ok(())
    }

    async fn put_two_factor(&mut self, t: &TwoFactor) -> Result<()> {
        let recovery = serde_json::to_string(&t.recovery).map_err(CoreError::internal)?;
        self.execute(
            sqlx::query(
                "INSERT INTO two_factor (user_id, secret, confirmed_at, last_step, recovery, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret,
                    confirmed_at = excluded.confirmed_at, last_step = excluded.last_step,
                    recovery = excluded.recovery, created_at = excluded.created_at",
            )
            .bind(t.user_id.to_string())
            .bind(t.secret.clone())
            .bind(opt_ts(t.confirmed_at))
            .bind(t.last_step)
            .bind(recovery)
            .bind(ts(t.created_at)),
        )
        .await?;
        Ok(())
    }

    async fn delete_two_factor(&mut self, user_id: Id) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query("DELETE FROM two_factor WHERE user_id = $1").bind(user_id.to_string()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn set_two_factor_required(&mut self, required: bool) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE security_settings SET two_factor_required = $1 WHERE id = 1")
                .bind(i64::from(required)),
        )
        .await?;
        Ok(())
    }

    async fn delete_login_lock(&mut self, user_id: Id, address: &str) -> Result<()> {
        self.execute(
            sqlx::query("DELETE FROM login_locks WHERE user_id = $1 AND address = $2")
                .bind(user_id.to_string())
                .bind(address.to_owned()),
        )
        .await?;
        Ok(())
    }

    async fn clear_login_locks(&mut self, user_id: Id) -> Result<()> {
        self.execute(
            sqlx::query("DELETE FROM login_locks WHERE user_id = $1").bind(user_id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn purge_login_locks(
        &mut self,
        before: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> Result<u64> {
        self.execute(
            sqlx::query(
                "DELETE FROM login_locks
                 WHERE last_failure_at < $1 AND (locked_until IS NULL OR locked_until <= $2)",
            )
            .bind(ts(before))
            .bind(ts(now)),
        )
        .await
    }

    async fn count_login_attempt(&mut self, address: &str, window: jiff::Timestamp) -> Result<i64> {
        let row = self
            .fetch_optional(
                sqlx::query(
                    "INSERT INTO login_attempts (address, window_start, attempts) VALUES ($1, $2, 1)
                     ON CONFLICT (address, window_start)
                        DO UPDATE SET attempts = login_attempts.attempts + 1
                     RETURNING attempts",
                )
                .bind(address.to_owned())
                .bind(ts(window)),
            )
            .await?
            .ok_or_else(|| CoreError::internal("counting a log-in attempt returned no row"))?;
        rows::i(&row, "attempts")
    }

    async fn purge_login_attempts(&mut self, before: jiff::Timestamp) -> Result<u64> {
        self.execute(
            sqlx::query("DELETE FROM login_attempts WHERE window_start < $1").bind(ts(before)),
        )
        .await
    }

    async fn put_sign_on(&mut self, s: &xunshi_core::sign_on::SignOn) -> Result<()> {
        let vouched = s
            .vouched
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(CoreError::internal)?;
        self.execute(
            sqlx::query(
                "INSERT INTO sign_ons (state_hash, nonce, verifier, next, vouched, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (state_hash) DO UPDATE SET nonce = excluded.nonce,
                    verifier = excluded.verifier, next = excluded.next,
                    vouched = excluded.vouched, expires_at = excluded.expires_at",
            )
            .bind(s.state_hash.clone())
            .bind(s.nonce.clone())
            .bind(s.verifier.clone())
            .bind(s.next.clone())
            .bind(vouched)
            .bind(ts(s.expires_at)),
        )
        .await?;
        Ok(())
    }

    async fn take_sign_on(
        &mut self,
        state_hash: &str,
        now: jiff::Timestamp,
    ) -> Result<Option<xunshi_core::sign_on::SignOn>> {
        // Deleted as it is read: two requests with the same state cannot both finish it.
        self.fetch_optional(
            sqlx::query(
                "DELETE FROM sign_ons WHERE state_hash = $1 AND expires_at > $2
                 RETURNING state_hash, nonce, verifier, next, vouched, expires_at",
            )
            .bind(state_hash.to_owned())
            .bind(ts(now)),
        )
        .await?
        .map(|r| rows::sign_on(&r))
        .transpose()
    }

    async fn purge_sign_ons(&mut self, now: jiff::Timestamp) -> Result<u64> {
        self.execute(sqlx::query("DELETE FROM sign_ons WHERE expires_at <= $1").bind(ts(now)))
            .await
    }

    async fn commit(self) -> Result<()> {
        self.conn.commit().await
    }

    async fn insert_unit(&mut self, u: &Unit) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO units (id, name, kind, level, parent_id, withdrawn, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(u.id.to_string())
            .bind(u.name.clone())
            .bind(u.kind.as_str())
            .bind(u.level.as_str())
            .bind(u.parent_id.map(|p| p.to_string()))
            .bind(flag(u.withdrawn))
            .bind(u.version)
            .bind(ts(u.created_at))
            .bind(ts(u.updated_at)),
        )
        .await?;
        Ok(())
    }

    async fn update_unit(&mut self, u: &Unit) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE units SET name = $1, kind = $2, level = $3, parent_id = $4, withdrawn = $5,
                        version = $6, updated_at = $7
                     WHERE id = $8 AND version = $9",
                )
                .bind(u.name.clone())
                .bind(u.kind.as_str())
                .bind(u.level.as_str())
                .bind(u.parent_id.map(|p| p.to_string()))
                .bind(flag(u.withdrawn))
                .bind(u.version)
                .bind(ts(u.updated_at))
                .bind(u.id.to_string())
                .bind(u.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("单位“{}”", u.name)));
        }
        self.relevel_clocks(u.id, u.level.as_str()).await
    }

    async fn insert_user(&mut self, u: &User, password_hash: &str) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO users (id, username, display_name, unit_id, password_hash, password_changed_at,
                    disabled, must_change_password, failed_logins, locked_until, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(u.id.to_string())
            .bind(u.username.clone())
            .bind(u.display_name.clone())
            .bind(u.unit_id.map(|i| i.to_string()))
            .bind(password_hash.to_owned())
            .bind(ts(u.created_at))
            .bind(flag(u.disabled))
            .bind(flag(u.must_change_password))
            .bind(u.failed_logins)
            .bind(opt_ts(u.locked_until))
            .bind(u.version)
            .bind(ts(u.created_at))
            .bind(ts(u.updated_at)),
        )
        .await
        .map_err(|e| match e {
            CoreError::Conflict(_) => CoreError::Conflict(format!("用户名“{}”已被使用", u.username)),
            e => e,
        })?;
        Ok(())
    }

    async fn update_user(&mut self, u: &User) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE users SET display_name = $1, unit_id = $2, disabled = $3,
                        must_change_password = $4, failed_logins = $5, locked_until = $6,
                        version = $7, updated_at = $8
                     WHERE id = $9 AND version = $10",
                )
                .bind(u.display_name.clone())
                .bind(u.unit_id.map(|i| i.to_string()))
                .bind(flag(u.disabled))
                .bind(flag(u.must_change_password))
                .bind(u.failed_logins)
                .bind(opt_ts(u.locked_until))
                .bind(u.version)
                .bind(ts(u.updated_at))
                .bind(u.id.to_string())
                .bind(u.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("用户“{}”", u.username)));
        }
        Ok(())
    }

    async fn set_password(
        &mut self,
        id: Id,
        password_hash: &str,
        must_change: bool,
        at: jiff::Timestamp,
    ) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE users SET password_hash = $1, must_change_password = $2,
                    password_changed_at = $3, version = version + 1, updated_at = $3
                 WHERE id = $4",
            )
            .bind(password_hash.to_owned())
            .bind(flag(must_change))
            .bind(ts(at))
            .bind(id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn insert_grant(&mut self, g: &Grant) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO grants (id, user_id, role, scope_kind, scope_id, granted_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(g.id.to_string())
            .bind(g.user_id.to_string())
            .bind(g.role.as_str())
            .bind(g.scope.kind_str())
            .bind(g.scope.id().map(|i| i.to_string()))
            .bind(g.granted_by.map(|i| i.to_string()))
            .bind(ts(g.created_at)),
        )
        .await?;
        Ok(())
    }

    async fn revoke_grant(&mut self, id: Id, at: jiff::Timestamp) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE grants SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(ts(at))
                .bind(id.to_string()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn insert_session(&mut self, s: &Session) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at,
                    two_factor_pending)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(s.token_hash.clone())
            .bind(s.user_id.to_string())
            .bind(s.csrf_token.clone())
            .bind(ts(s.created_at))
            .bind(ts(s.expires_at))
            .bind(i64::from(s.two_factor_pending)),
        )
        .await?;
        Ok(())
    }

    async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        self.execute(
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash.to_owned()),
        )
        .await?;
        Ok(())
    }

    async fn clear_two_factor_pending(&mut self, user_id: Id) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE sessions SET two_factor_pending = 0 WHERE user_id = $1")
                .bind(user_id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn delete_sessions_of(&mut self, user_id: Id) -> Result<()> {
        self.execute(
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn delete_expired_sessions(&mut self, now: jiff::Timestamp) -> Result<u64> {
        self.execute(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(ts(now)))
            .await
    }

    async fn insert_token(&mut self, t: &ApiToken) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(t.id.to_string())
            .bind(t.user_id.to_string())
            .bind(t.name.clone())
            .bind(t.token_hash.clone())
            .bind(ts(t.created_at))
            .bind(ts(t.expires_at)),
        )
        .await?;
        Ok(())
    }

    async fn revoke_token(&mut self, id: Id, at: jiff::Timestamp) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
                )
                .bind(ts(at))
                .bind(id.to_string()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn revoke_tokens_of(&mut self, user_id: Id, at: jiff::Timestamp) -> Result<u64> {
        self.execute(
            sqlx::query(
                "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
            )
            .bind(ts(at))
            .bind(user_id.to_string()),
        )
        .await
    }

    async fn touch_token(&mut self, id: Id, at: jiff::Timestamp) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                .bind(ts(at))
                .bind(id.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn lock_audit_head(&mut self) -> Result<AuditHead> {
        // Write transactions take the head lock when they begin (see `Db::begin_write`).
        self.audit_head().await
    }

    async fn lock_audit_head_for(
        &mut self,
        object_type: &str,
        id: Id,
    ) -> Result<(AuditHead, Option<String>)> {
        let Some(owner) = archive::archived_owner_sql(object_type) else {
            return Ok((self.lock_audit_head().await?, None));
        };
        // One statement, not two: this is on the path of every write, inside the write lane.
        let r = self
            .fetch_optional(
                sqlx::query(AssertSqlSafe(owner.with_head.as_str())).bind(id.to_string()),
            )
            .await?;
        let archived = r
            .as_ref()
            .map(|r| rows::opt_s(r, "archived_team"))
            .transpose()?;
        Ok((audit_head_of(r)?, archived.flatten()))
    }

    async fn insert_audit(&mut self, r: &AuditRecord) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO audit_log (id, seq, at, actor_id, actor_name, action, object_type,
                    object_id, ip, summary, prev_hash, hash)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .bind(r.id.to_string())
            .bind(r.seq)
            .bind(r.at.clone())
            .bind(r.actor_id.map(|i| i.to_string()))
            .bind(r.actor_name.clone())
            .bind(r.action.clone())
            .bind(r.object_type.clone())
            .bind(r.object_id.clone())
            .bind(r.ip.clone())
            .bind(r.summary.clone())
            .bind(r.prev_hash.clone())
            .bind(r.hash.clone()),
        )
        .await?;
        Ok(())
    }

    async fn insert_audit_objects(&mut self, seq: i64, ids: &[Id]) -> Result<()> {
        // In chunks: every backend limits the placeholders of one statement.
        for chunk in ids.chunks(400) {
            let mut w = Where::default();
            let values: Vec<String> = chunk
                .iter()
                .map(|oid| {
                    let n = w.next();
                    let _ = w.list([oid.to_string()].into_iter());
                    format!("(${n}, {seq})")
                })
                .collect();
            let sql = format!(
                "INSERT INTO audit_objects (object_id, seq) VALUES {}",
                values.join(", ")
            );
            self.execute(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
                .await?;
        }
        Ok(())
    }

    async fn set_audit_head(&mut self, seq: i64, hash: &str) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
                .bind(seq)
                .bind(hash.to_owned()),
        )
        .await?;
        Ok(())
    }
}
