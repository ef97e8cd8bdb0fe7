//! Backup, restore and the move between backends: every table copied row by row, in one
//! consistent read of the source, into a target created empty by this program's migrations.
//!
//! A backup is a zip file: `tables/<table>.jsonl` (the column names, then one JSON array per
//! row), `blobs/<name>` (every evidence file the database names, read through the `Blobs` of
//! the installation, a folder or an object store), and `manifest.json` naming each table with
//! its rows and the SHA-256 of its entry, each evidence file with its size, and the schema
//! version.
//! A restore checks every hash before it writes anything, and counts every table after. The
//! schema has only text and integer columns (both backends' migrations), so a value is a JSON
//! string, number or null, and goes in as the target's column wants it.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Column, Row, Transaction, ValueRef};
use xunshi_core::crypto::{HashAlg, Hasher, parse_content_name};
use xunshi_core::store::Blobs;
use xunshi_core::store::blobs::is_blob_name;
use xunshi_core::{CoreError, Result};

use crate::{Db, Dialect, db_err};

/// The format tag of a backup's manifest.
pub const BACKUP_FORMAT: &str = "xunshi-backup/1";

/// The migrations' own bookkeeping: the target has it from its own migrations.
const MIGRATIONS_TABLE: &str = "schema_migrations";

/// What a backup holds, as its manifest says.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    /// `sqlite` or `postgres`: where it was taken from.
    pub source: String,
    /// The highest migration applied to the source; a restore needs the same.
    pub schema_version: i64,
    /// The hash of the tables' digests: the installation's own (`sha256`, or `sm3` under the
    /// national cryptography option). Backups from before it was named are SHA-256.
    #[serde(default = "sha256_name")]
    pub hash: String,
    pub tables: Vec<TableEntry>,
    pub blobs: Vec<BlobEntry>,
}

fn sha256_name() -> String {
    HashAlg::Sha256.as_str().to_owned()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TableEntry {
    pub name: String,
    pub rows: u64,
    /// The digest of the table's entry in the zip under the manifest's `hash`, hex.
    #[serde(alias = "sha256")]
    pub digest: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BlobEntry {
    /// The evidence file's content name, which says its hash (`crypto::parse_content_name`).
    #[serde(alias = "sha256")]
    pub name: String,
    pub bytes: u64,
}

/// How a copied table came out: the rows the source had and the rows the target has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCount {
    pub name: String,
    pub source: u64,
    pub target: u64,
}

fn internal(e: impl std::fmt::Display) -> CoreError {
    CoreError::internal(e.to_string())
}

pub(crate) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The tables of the database, in name order, without the migrations' own and without the
/// text index, which a restore builds from the tasks.
async fn tables(tx: &mut Transaction<'static, Any>, dialect: Dialect) -> Result<Vec<String>> {
    let sql = match dialect {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    let rows = sqlx::query(sql)
        .fetch_all(&mut **tx)
        .await
        .map_err(db_err)?;
    rows.iter()
        .map(|r| r.try_get::<String, _>("name").map_err(db_err))
        .filter(|n| {
            n.as_deref().map_or(true, |n| {
                n != MIGRATIONS_TABLE && !crate::text_index::is_derived(n)
            })
        })
        .collect()
}

/// A table's columns in their order, each with whether it holds integers.
pub(crate) async fn columns(
    conn: &mut sqlx::AnyConnection,
    dialect: Dialect,
    table: &str,
) -> Result<Vec<(String, bool)>> {
    let rows = match dialect {
        Dialect::Sqlite => {
            sqlx::query("SELECT name, type FROM pragma_table_info($1) ORDER BY cid")
                .bind(table.to_owned())
                .fetch_all(&mut *conn)
                .await
        }
        Dialect::Postgres => {
            sqlx::query(
                "SELECT column_name::text AS name, data_type::text AS type \
                 FROM information_schema.columns \
                 WHERE table_schema = current_schema() AND table_name = $1 \
                 ORDER BY ordinal_position",
            )
            .bind(table.to_owned())
            .fetch_all(&mut *conn)
            .await
        }
    }
    .map_err(db_err)?;
    rows.iter()
        .map(|r| {
            let name: String = r.try_get("name").map_err(db_err)?;
            let ty = r
                .try_get::<String, _>("type")
                .map_err(db_err)?
                .to_ascii_uppercase();
            if ty.contains("INT") {
                Ok((name, true))
            } else if ty.contains("TEXT") || ty.contains("CHAR") {
                Ok((name, false))
            } else {
                // A new kind of column needs its own place in the copy: refuse rather than
                // copy it wrongly.
                Err(CoreError::internal(format!(
                    "column {table}.{name} is of type {ty}, which backups do not carry yet"
                )))
            }
        })
        .collect()
}

pub(crate) async fn schema_version(tx: &mut Transaction<'static, Any>) -> Result<i64> {
    sqlx::query("SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations")
        .fetch_one(&mut **tx)
        .await
        .and_then(|r| r.try_get::<i64, _>("v"))
        .map_err(db_err)
}

/// A read of the whole database as of one moment: SQLite's snapshot of a read transaction,
/// PostgreSQL's repeatable read.
/// The hash the audit chain runs under, the installation's: the backup's digests follow it.
async fn chain_hash(tx: &mut Transaction<'static, Any>) -> Result<HashAlg> {
    let (name,): (String,) = sqlx::query_as("SELECT algorithm FROM audit_head")
        .fetch_one(&mut **tx)
        .await
        .map_err(db_err)?;
    HashAlg::parse(&name)
        .ok_or_else(|| internal(format!("the trail names an unknown hash “{name}”")))
}

async fn snapshot(db: &Db) -> Result<Transaction<'static, Any>> {
    let mut tx = db.pool.begin().await.map_err(db_err)?;
    if db.dialect == Dialect::Postgres {
        sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .execute(&mut *tx)
            .await
            .map_err(db_err)?;
    }
    Ok(tx)
}

/// One write transaction on the target, its foreign keys checked at commit so that tables go
/// in in any order (the PostgreSQL keys are deferrable since migration 0031).
async fn loading(db: &Db) -> Result<Transaction<'static, Any>> {
    let (begin, defer) = match db.dialect {
        Dialect::Sqlite => ("BEGIN IMMEDIATE", "PRAGMA defer_foreign_keys = ON"),
        Dialect::Postgres => ("BEGIN", "SET CONSTRAINTS ALL DEFERRED"),
    };
    let mut tx = db.pool.begin_with(begin).await.map_err(db_err)?;
    sqlx::query(defer).execute(&mut *tx).await.map_err(db_err)?;
    Ok(tx)
}

/// The rows of `table`, each as JSON values in the order of `cols`.
fn rows<'t>(
    tx: &'t mut Transaction<'static, Any>,
    table: &str,
    cols: &[(String, bool)],
) -> BoxStream<'t, std::result::Result<AnyRow, sqlx::Error>> {
    picked_rows(tx, table, cols, None)
}

/// The rows of `table` that `only` keeps (a condition on `$1`, bound to the given value), or
/// all of them.
fn picked_rows<'t>(
    tx: &'t mut Transaction<'static, Any>,
    table: &str,
    cols: &[(String, bool)],
    only: Option<(&str, &str)>,
) -> BoxStream<'t, std::result::Result<AnyRow, sqlx::Error>> {
    let list = cols
        .iter()
        .map(|(c, _)| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    match only {
        None => {
            let sql = format!("SELECT {list} FROM {}", quoted(table));
            sqlx::query(AssertSqlSafe(sql)).fetch(&mut **tx)
        }
        Some((condition, param)) => {
            let sql = format!("SELECT {list} FROM {} WHERE {condition}", quoted(table));
            sqlx::query(AssertSqlSafe(sql))
                .bind(param.to_owned())
                .fetch(&mut **tx)
        }
    }
}

pub(crate) fn json_row(row: &AnyRow) -> Result<Vec<Value>> {
    use sqlx::any::AnyTypeInfoKind as K;
    (0..row.columns().len())
        .map(|i| {
            let raw = row.try_get_raw(i).map_err(db_err)?;
            if raw.is_null() {
                return Ok(Value::Null);
            }
            let kind = raw.type_info().kind();
            Ok(match kind {
                K::SmallInt | K::Integer | K::BigInt => {
                    Value::from(row.try_get::<i64, _>(i).map_err(db_err)?)
                }
                K::Text => Value::from(row.try_get::<String, _>(i).map_err(db_err)?),
                K::Bool => Value::from(row.try_get::<bool, _>(i).map_err(db_err)?),
                other => {
                    return Err(CoreError::internal(format!(
                        "column {} holds a {} value, which a backup does not carry",
                        row.column(i).name(),
                        other_name(other)
                    )));
                }
            })
        })
        .collect()
}

fn other_name(k: sqlx::any::AnyTypeInfoKind) -> &'static str {
    use sqlx::any::AnyTypeInfoKind as K;
    match k {
        K::Real | K::Double => "floating-point",
        K::Blob => "binary",
        _ => "other",
    }
}

/// Rows for one table of the target, written in multi-row INSERTs.
struct TableWriter {
    table: String,
    cols: Vec<(String, bool)>,
    batch: Vec<Vec<Value>>,
    per_batch: usize,
    written: u64,
}

impl TableWriter {
    fn new(table: &str, cols: Vec<(String, bool)>) -> TableWriter {
        // Well under both backends' limits on the values of one statement.
        let per_batch = (30_000 / cols.len().max(1)).clamp(1, 500);
        TableWriter {
            table: table.to_owned(),
            cols,
            batch: Vec::new(),
            per_batch,
            written: 0,
        }
    }

    async fn push(&mut self, tx: &mut Transaction<'static, Any>, row: Vec<Value>) -> Result<()> {
        if row.len() != self.cols.len() {
            return Err(CoreError::internal(format!(
                "a row of {} has {} values for {} columns",
                self.table,
                row.len(),
                self.cols.len()
            )));
        }
        self.batch.push(row);
        if self.batch.len() >= self.per_batch {
            self.flush(tx).await?;
        }
        Ok(())
    }

    async fn flush(&mut self, tx: &mut Transaction<'static, Any>) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let n = self.cols.len();
        let list = self
            .cols
            .iter()
            .map(|(c, _)| quoted(c))
            .collect::<Vec<_>>()
            .join(", ");
        let values = (0..self.batch.len())
            .map(|r| {
                let ps = (1..=n)
                    .map(|c| format!("${}", r * n + c))
                    .collect::<Vec<_>>()
                    .join(", ");
                format!("({ps})")
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO {} ({list}) VALUES {values}",
            quoted(&self.table)
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for row in &self.batch {
            for ((name, integer), v) in self.cols.iter().zip(row) {
                q = bind_json(q, &self.table, name, *integer, v)?;
            }
        }
        q.execute(&mut **tx).await.map_err(db_err)?;
        self.written += self.batch.len() as u64;
        self.batch.clear();
        Ok(())
    }
}

/// Binds a value as read by [`json_row`] to a column of `table`, as the column wants it.
pub(crate) fn bind_json<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>,
    table: &str,
    name: &str,
    integer: bool,
    v: &Value,
) -> Result<sqlx::query::Query<'q, Any, sqlx::any::AnyArguments>> {
    Ok(match (v, integer) {
        (Value::Null, true) => q.bind(None::<i64>),
        (Value::Null, false) => q.bind(None::<String>),
        (Value::Number(x), true) => q.bind(x.as_i64().ok_or_else(|| {
            CoreError::internal(format!("{table}.{name}: {x} is not an integer"))
        })?),
        (Value::Bool(b), true) => q.bind(i64::from(*b)),
        (Value::String(s), true) => q.bind(s.parse::<i64>().map_err(|_| {
            CoreError::internal(format!("{table}.{name}: “{s}” is not an integer"))
        })?),
        (Value::String(s), false) => q.bind(s.clone()),
        (other, false) => q.bind(other.to_string()),
        (other, true) => {
            return Err(CoreError::internal(format!(
                "{table}.{name}: {other} is not an integer"
            )));
        }
    })
}

/// The target must hold nothing but what its migrations shipped: no account, unit or record of
/// the trail. Its tables are then emptied, inside the loading transaction.
async fn empty_target(tx: &mut Transaction<'static, Any>, tables: &[String]) -> Result<()> {
    for t in ["users", "units", "audit_log"] {
        if !tables.iter().any(|x| x == t) {
            continue;
        }
        let n: i64 = sqlx::query(AssertSqlSafe(format!("SELECT COUNT(*) AS n FROM {t}")))
            .fetch_one(&mut **tx)
            .await
            .and_then(|r| r.try_get("n"))
            .map_err(db_err)?;
        if n > 0 {
            return Err(CoreError::Conflict(format!(
                "the target database is not empty ({t} has {n} rows): restore and migrate-to write only into a new database"
            )));
        }
    }
    for t in tables {
        sqlx::query(AssertSqlSafe(format!("DELETE FROM {}", quoted(t))))
            .execute(&mut **tx)
            .await
            .map_err(db_err)?;
    }
    Ok(())
}

/// Counts every table of `names` in `db`, to compare with what was copied.
async fn count_tables(db: &Db, names: &[(String, u64)]) -> Result<Vec<TableCount>> {
    let mut tx = snapshot(db).await?;
    let mut out = Vec::new();
    for (name, source) in names {
        let n: i64 = sqlx::query(AssertSqlSafe(format!(
            "SELECT COUNT(*) AS n FROM {}",
            quoted(name)
        )))
        .fetch_one(&mut *tx)
        .await
        .and_then(|r| r.try_get("n"))
        .map_err(db_err)?;
        out.push(TableCount {
            name: name.clone(),
            source: *source,
            target: n as u64,
        });
    }
    tx.rollback().await.map_err(db_err)?;
    Ok(out)
}

/// Each source table's columns, in the source's order, with whether the target holds
/// integers in each: what a [`TableWriter`] needs.
type Plan = BTreeMap<String, Vec<(String, bool)>>;

/// Checks that the target's schema is the source's — the same version, every table with the
/// same columns — reading each of the target's tables once. Returns the target's tables and
/// the plan of the copy.
async fn same_schema(
    tx: &mut Transaction<'static, Any>,
    dialect: Dialect,
    version: i64,
    source: &BTreeMap<String, Vec<String>>,
) -> Result<(Vec<String>, Plan)> {
    let ours = schema_version(tx).await?;
    if ours != version {
        return Err(CoreError::RuleRefused(format!(
            "the backup is of schema version {version} but this program's is {ours}: restore it with the version of Xunshi that made it, then upgrade"
        )));
    }
    let tables = tables(tx, dialect).await?;
    let mut plan = Plan::new();
    for (name, cols) in source {
        if !tables.contains(name) {
            return Err(CoreError::RuleRefused(format!(
                "the target has no table {name}"
            )));
        }
        let kinds: BTreeMap<String, bool> = columns(tx, dialect, name).await?.into_iter().collect();
        let other =
            || CoreError::RuleRefused(format!("table {name} has other columns in the target"));
        if kinds.len() != cols.len() {
            return Err(other());
        }
        let ordered = cols
            .iter()
            .map(|c| kinds.get(c).map(|k| (c.clone(), *k)).ok_or_else(other))
            .collect::<Result<Vec<_>>>()?;
        plan.insert(name.clone(), ordered);
    }
    Ok((tables, plan))
}

/// The columns of `table` in the plan.
fn planned(plan: &mut Plan, table: &str) -> Result<Vec<(String, bool)>> {
    plan.remove(table)
        .ok_or_else(|| CoreError::internal(format!("table {table} is not in the plan of the copy")))
}

// ---------------------------------------------------------------------------------------------
// Backup

type Zip = zip::ZipWriter<File>;

fn zip_options() -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true)
}

/// A writer that hashes what goes through it.
struct Hashing<'a> {
    inner: &'a mut Zip,
    hash: Hasher,
}

impl Write for Hashing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Which rows of a table a partial copy takes.
pub(crate) enum Pick {
    All,
    Nothing,
    /// The rows this condition keeps; `$1` is the selection's parameter.
    Where(&'static str),
}

/// Changes a row on its way out, given the table and its columns.
pub(crate) type Adjust<'a> =
    dyn Fn(&str, &[(String, bool)], &mut [Value]) -> Result<()> + Sync + 'a;

/// A part of the database, as a team node takes it: which rows of each table, each row
/// adjusted on its way out, and the evidence files of those rows.
pub(crate) struct Selection<'a> {
    /// Every table must be named: a table no one decided on is refused, not copied whole.
    pub pick: &'a (dyn Fn(&str) -> Option<Pick> + Sync),
    pub param: String,
    pub adjust: &'a Adjust<'a>,
    /// The names of the evidence files of the rows taken, a query on `$1` returning `name`.
    pub files: &'static str,
    /// Further entries of the zip, outside the manifest's tables (each read by name).
    pub extra: Vec<(String, Vec<u8>)>,
}

/// Writes the whole database and the evidence files it names, read from `blobs`, to `out`,
/// which must not exist; a half-written backup never carries the name. `progress` is told
/// each table.
pub async fn backup(
    db: &Db,
    blobs: &dyn Blobs,
    out: &Path,
    progress: impl FnMut(&str, u64),
) -> Result<Manifest> {
    write_zip(db, blobs, out, progress, None).await
}

/// [`backup`] of the whole database, or of the part `selection` names, in the same format:
/// a part is loaded by [`restore`] like a whole.
pub(crate) async fn write_zip(
    db: &Db,
    blobs: &dyn Blobs,
    out: &Path,
    mut progress: impl FnMut(&str, u64),
    selection: Option<&Selection<'_>>,
) -> Result<Manifest> {
    if out.exists() {
        return Err(CoreError::Conflict(format!(
            "{} exists already: a backup is never written over another file",
            out.display()
        )));
    }
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = tempfile::NamedTempFile::new_in(dir).map_err(internal)?;
    let mut zip = zip::ZipWriter::new(tmp.reopen().map_err(internal)?);
    let mut tx = snapshot(db).await?;
    let version = schema_version(&mut tx).await?;
    let alg = chain_hash(&mut tx).await?;
    let names = tables(&mut tx, db.dialect).await?;
    let mut entries = Vec::new();
    for name in &names {
        let cols = columns(&mut tx, db.dialect, name).await?;
        zip.start_file(format!("tables/{name}.jsonl"), zip_options())
            .map_err(internal)?;
        let mut w = Hashing {
            inner: &mut zip,
            hash: alg.hasher(),
        };
        let header: Vec<&str> = cols.iter().map(|(c, _)| c.as_str()).collect();
        writeln!(w, "{}", serde_json::to_string(&header).map_err(internal)?).map_err(internal)?;
        let pick = match selection {
            None => Pick::All,
            Some(sel) => (sel.pick)(name)
                .ok_or_else(|| internal(format!("table {name} has no place in a partial copy")))?,
        };
        let only = match (&pick, selection) {
            (Pick::Where(condition), Some(sel)) => Some((*condition, sel.param.as_str())),
            _ => None,
        };
        let mut n = 0u64;
        if !matches!(pick, Pick::Nothing) {
            let mut stream = picked_rows(&mut tx, name, &cols, only);
            while let Some(row) = stream.next().await {
                let mut values = json_row(&row.map_err(db_err)?)?;
                if let Some(sel) = selection {
                    (sel.adjust)(name, &cols, &mut values)?;
                }
                let line = serde_json::to_string(&values).map_err(internal)?;
                writeln!(w, "{line}").map_err(internal)?;
                n += 1;
            }
        }
        entries.push(TableEntry {
            name: name.clone(),
            rows: n,
            digest: w.hash.finish_hex(),
        });
        progress(name, n);
    }
    let blobs = match selection {
        None => write_blobs(&mut zip, &mut tx, blobs, FILE_NAMES, None).await?,
        Some(sel) => write_blobs(&mut zip, &mut tx, blobs, sel.files, Some(&sel.param)).await?,
    };
    tx.rollback().await.map_err(db_err)?;
    for (name, bytes) in selection.map(|s| s.extra.as_slice()).unwrap_or_default() {
        zip.start_file(name.as_str(), zip_options())
            .map_err(internal)?;
        zip.write_all(bytes).map_err(internal)?;
    }
    let manifest = Manifest {
        format: BACKUP_FORMAT.into(),
        created_at: xunshi_core::audit::format_at(jiff::Timestamp::now()),
        source: match db.dialect {
            Dialect::Sqlite => "sqlite".into(),
            Dialect::Postgres => "postgres".into(),
        },
        schema_version: version,
        hash: alg.as_str().to_owned(),
        tables: entries,
        blobs,
    };
    zip.start_file("manifest.json", zip_options())
        .map_err(internal)?;
    zip.write_all(&serde_json::to_vec_pretty(&manifest).map_err(internal)?)
        .map_err(internal)?;
    zip.finish()
        .map_err(internal)?
        .sync_all()
        .map_err(internal)?;
    tmp.persist_noclobber(out).map_err(|e| internal(e.error))?;
    Ok(manifest)
}

/// The names of every evidence file the database refers to, each once, in order.
const FILE_NAMES: &str = "SELECT sha256 AS name FROM evidence
     UNION SELECT sha256 FROM task_evidence
     UNION SELECT sha256 FROM fieldwork_files
     ORDER BY name";

/// Every evidence file the snapshot `tx` names, read from `blobs` (which checks each against
/// its name) into the zip, one at a time.
async fn write_blobs(
    zip: &mut Zip,
    tx: &mut Transaction<'static, Any>,
    blobs: &dyn Blobs,
    names_sql: &'static str,
    param: Option<&str>,
) -> Result<Vec<BlobEntry>> {
    let mut out = Vec::new();
    let mut query = sqlx::query(names_sql);
    if let Some(p) = param {
        query = query.bind(p.to_owned());
    }
    let mut names = query.fetch(&mut **tx);
    while let Some(row) = names.next().await {
        let name: String = row.map_err(db_err)?.try_get("name").map_err(db_err)?;
        if !is_blob_name(&name) {
            return Err(CoreError::internal(format!(
                "the database names an evidence file “{name}” that cannot be one"
            )));
        }
        let bytes = blobs.get(&name).await?;
        zip.start_file(format!("blobs/{name}"), zip_options())
            .map_err(internal)?;
        zip.write_all(&bytes).map_err(internal)?;
        out.push(BlobEntry {
            name,
            bytes: bytes.len() as u64,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Restore

fn open_zip(path: &Path) -> Result<zip::ZipArchive<File>> {
    let f = File::open(path).map_err(|e| internal(format!("{}: {e}", path.display())))?;
    zip::ZipArchive::new(f).map_err(|e| {
        CoreError::bad_input(
            "backup",
            format!("{} is not a backup of Xunshi: {e}", path.display()),
        )
    })
}

/// The digest of what `r` reads, by `alg`, hex.
fn digest_of(alg: HashAlg, r: impl Read) -> Result<String> {
    let mut h = alg.hasher();
    let mut r = r;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r.read(&mut buf).map_err(internal)?;
        if n == 0 {
            return Ok(h.finish_hex());
        }
        h.update(&buf[..n]);
    }
}

/// Reads the manifest and checks every table and evidence file against it, before anything is
/// written anywhere: a backup changed by one byte is refused.
pub fn check_backup(path: &Path) -> Result<Manifest> {
    let mut zip = open_zip(path)?;
    let refused = |why: String| CoreError::bad_input("backup", why);
    let manifest: Manifest = {
        let entry = zip
            .by_name("manifest.json")
            .map_err(|_| refused("the backup has no manifest.json".into()))?;
        serde_json::from_reader(entry).map_err(|e| refused(format!("manifest.json: {e}")))?
    };
    if manifest.format != BACKUP_FORMAT {
        return Err(refused(format!(
            "unknown backup format “{}”",
            manifest.format
        )));
    }
    let alg = HashAlg::parse(&manifest.hash).ok_or_else(|| {
        refused(format!(
            "the manifest names an unknown hash “{}”",
            manifest.hash
        ))
    })?;
    for t in &manifest.tables {
        let entry = zip
            .by_name(&format!("tables/{}.jsonl", t.name))
            .map_err(|_| refused(format!("table {} is missing from the backup", t.name)))?;
        if digest_of(alg, entry)? != t.digest {
            return Err(refused(format!(
                "table {} does not match its hash in the manifest: the backup was changed or damaged",
                t.name
            )));
        }
    }
    for b in &manifest.blobs {
        let entry = zip.by_name(&format!("blobs/{}", b.name)).map_err(|_| {
            refused(format!(
                "evidence file {} is missing from the backup",
                b.name
            ))
        })?;
        let matches = match parse_content_name(&b.name) {
            Some((alg, digest)) => digest_of(alg, entry)? == digest,
            None => false,
        };
        if !matches {
            return Err(refused(format!(
                "evidence file {} does not match its name: the backup was changed or damaged",
                b.name
            )));
        }
    }
    Ok(manifest)
}

/// Restores the backup at `path` into `db` (new: only its migrations applied) and its
/// evidence files into `blobs`; returns each table's rows in the backup and in the target
/// after.
pub async fn restore(db: &Db, path: &Path, blobs: &dyn Blobs) -> Result<Vec<TableCount>> {
    let manifest = check_backup(path)?;
    let mut zip = open_zip(path)?;
    let mut source: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in &manifest.tables {
        let entry = zip
            .by_name(&format!("tables/{}.jsonl", t.name))
            .map_err(internal)?;
        let mut header = String::new();
        BufReader::new(entry)
            .read_line(&mut header)
            .map_err(internal)?;
        let cols: Vec<String> = serde_json::from_str(&header).map_err(internal)?;
        source.insert(t.name.clone(), cols);
    }
    let mut tx = loading(db).await?;
    let (target_tables, mut plan) =
        same_schema(&mut tx, db.dialect, manifest.schema_version, &source).await?;
    crate::text_index::clear(&mut tx).await?;
    empty_target(&mut tx, &target_tables).await?;
    for t in &manifest.tables {
        let mut w = TableWriter::new(&t.name, planned(&mut plan, &t.name)?);
        let entry = zip
            .by_name(&format!("tables/{}.jsonl", t.name))
            .map_err(internal)?;
        for line in BufReader::new(entry).lines().skip(1) {
            let line = line.map_err(internal)?;
            let row: Vec<Value> = serde_json::from_str(&line).map_err(internal)?;
            w.push(&mut tx, row).await?;
        }
        w.flush(&mut tx).await?;
    }
    crate::text_index::fill(&mut tx).await?;
    tx.commit().await.map_err(db_err)?;
    for b in &manifest.blobs {
        let mut bytes = Vec::new();
        zip.by_name(&format!("blobs/{}", b.name))
            .map_err(internal)?
            .read_to_end(&mut bytes)
            .map_err(internal)?;
        let (alg, _) = parse_content_name(&b.name)
            .ok_or_else(|| internal(format!("“{}” is not an evidence file's name", b.name)))?;
        let stored = blobs.put(bytes, "application/octet-stream", alg).await?;
        if stored != b.name {
            return Err(internal(format!(
                "evidence file {} was stored as {stored}: its content does not match its name",
                b.name
            )));
        }
    }
    let names: Vec<(String, u64)> = manifest
        .tables
        .iter()
        .map(|t| (t.name.clone(), t.rows))
        .collect();
    count_tables(db, &names).await
}

// ---------------------------------------------------------------------------------------------
// Moving between backends

/// Copies every table of `from` into `to` (new: only its migrations applied) in one consistent
/// read and one write; the evidence files stay where they are. Returns the counts.
pub async fn copy_database(
    from: &Db,
    to: &Db,
    mut progress: impl FnMut(&str, u64),
) -> Result<Vec<TableCount>> {
    let mut src = snapshot(from).await?;
    let version = schema_version(&mut src).await?;
    let names = tables(&mut src, from.dialect).await?;
    let mut source: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for n in &names {
        let cols = columns(&mut src, from.dialect, n).await?;
        source.insert(n.clone(), cols.into_iter().map(|(c, _)| c).collect());
    }
    let mut dst = loading(to).await?;
    let (target_tables, mut plan) = same_schema(&mut dst, to.dialect, version, &source).await?;
    crate::text_index::clear(&mut dst).await?;
    empty_target(&mut dst, &target_tables).await?;
    let mut counts = Vec::new();
    for n in &names {
        let cols = planned(&mut plan, n)?;
        // Read in the order written: the plan keeps the source's order of the columns.
        let mut stream = rows(&mut src, n, &cols);
        let mut w = TableWriter::new(n, cols.clone());
        while let Some(row) = stream.next().await {
            let row = row.map_err(db_err)?;
            w.push(&mut dst, json_row(&row)?).await?;
        }
        drop(stream);
        w.flush(&mut dst).await?;
        progress(n, w.written);
        counts.push((n.clone(), w.written));
    }
    src.rollback().await.map_err(db_err)?;
    crate::text_index::fill(&mut dst).await?;
    dst.commit().await.map_err(db_err)?;
    count_tables(to, &counts).await
}
