//! Storage for Xunshi: one implementation of the core's storage traits that runs on SQLite (the
//! embedded default) and on PostgreSQL, through sqlx's `Any` driver with SQL written once.
//! Where the backends differ, [`Dialect`] decides, in as few places as possible.

pub mod anchor;
pub mod backup;
mod blobs;
mod cipher;
mod explain;
pub mod generate;
pub mod jobs;
mod lane;
mod migrate;
pub mod node;
mod node_folder;
mod rows;
mod s3;
mod secrets;
mod staging;
mod text_index;
mod tx;

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};
use xunshi_core::{CoreError, Result};

pub use anchor::FolderAnchor;
pub use blobs::LocalBlobs;
pub use cipher::FieldCipher;
pub use explain::{ExplainLog, Explained};
pub use node_folder::NodeFolder;
pub use s3::{S3Blobs, S3Settings};
pub use secrets::Argon2Secrets;
pub use staging::Stager;
pub use tx::{DbTx, Mode, Reading, Writing};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    /// The number of connections a pool keeps where none is configured. A SQLite connection
    /// is a thread of this process with a page cache of its own: past twice the cores, more of
    /// them only add hand-offs between threads and spread the reads over colder caches (at a
    /// million tasks on 2 cores, the ledger page cost 1.9 ms of CPU with 10 connections and
    /// 1.4 ms with 4; bench/RESULTS.md). A PostgreSQL connection is a server process of its
    /// own, doing the work there.
    pub fn default_pool_size(self) -> u32 {
        match self {
            Dialect::Sqlite => std::thread::available_parallelism()
                .map_or(2, |n| u32::try_from(n.get()).unwrap_or(u32::MAX))
                .saturating_mul(2)
                .clamp(4, 16),
            Dialect::Postgres => 10,
        }
    }

    pub fn of_url(url: &str) -> Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Dialect::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Dialect::Postgres)
        } else {
            Err(CoreError::bad_input(
                "database_url",
                "数据库地址须以 sqlite: 或 postgres:// 开头",
            ))
        }
    }

    /// The backend a connection of the `Any` driver runs on.
    pub(crate) fn of(conn: &sqlx::AnyConnection) -> Self {
        if conn.backend_name() == "PostgreSQL" {
            Dialect::Postgres
        } else {
            Dialect::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// The database: a pool, the dialect it speaks, and the process's write lane.
#[derive(Clone)]
pub struct Db {
    pub pool: AnyPool,
    pub dialect: Dialect,
    lane: lane::Lane,
    /// Set on the copy [`Db::explaining`] makes for the query-plan test.
    explain: Option<ExplainLog>,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("dialect", &self.dialect)
            .field("pool", &self.pool)
            .finish_non_exhaustive()
    }
}

/// The SQLite URL of the database file in a data folder.
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("xunshi.db").display())
}

pub(crate) fn db_err(e: sqlx::Error) -> CoreError {
    if let sqlx::Error::Database(d) = &e
        && d.is_unique_violation()
    {
        return CoreError::Conflict("该记录与已有记录重复".into());
    }
    CoreError::internal(e)
}

impl Db {
    /// Connects and applies pending migrations.
    pub async fn open(url: &str, max_connections: u32) -> Result<Db> {
        sqlx::any::install_default_drivers();
        let dialect = Dialect::of_url(url)?;
        let opts = AnyConnectOptions::from_str(url)
            .map_err(|e| CoreError::bad_input("database_url", format!("数据库地址无效：{e}")))?;
        if dialect == Dialect::Sqlite {
            // WAL lets readers run beside the one writer. It is a property of the file, set once
            // here on a single connection because changing it needs an exclusive lock.
            let mut c = opts.connect().await.map_err(connect_err)?;
            c.execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(db_err)?;
            c.close().await.map_err(db_err)?;
        }
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(10))
            // A SQLite connection is a file handle in this process: there is nothing to ping,
            // and the ping is a round trip to the connection's thread before every transaction.
            // A PostgreSQL connection may have been closed by the server, so it is tested.
            .test_before_acquire(dialect == Dialect::Postgres)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if dialect == Dialect::Sqlite {
                        // FULL: a commit is on the disk before it is acknowledged, so an
                        // acknowledged write survives a power cut, not only a crash (NORMAL
                        // would lose the last commits). The write lane shares one flush among
                        // the writers queued together, which is where the write rate comes
                        // from. busy_timeout makes other processes' writers queue, not fail.
                        // The page cache is each connection's own (2 MiB by default): at a
                        // province's volume a ledger page or the red tasks' range reads more
                        // pages than that, and each miss is a read from the file. 8 MiB a
                        // connection halved the CPU of the red ledger page at a million tasks;
                        // 16 MiB took the server past its memory budget (bench/RESULTS.md).
                        conn.execute(
                            "PRAGMA synchronous = FULL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;
                             PRAGMA cache_size = -8192",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(opts)
            .await
            .map_err(connect_err)?;
        let db = Db {
            lane: lane::Lane::new(pool.clone(), dialect),
            pool,
            dialect,
            explain: None,
        };
        migrate::run(&db).await?;
        Ok(db)
    }

    /// The same database, keeping the plan of every statement its transactions run, for the
    /// test that holds the hot queries to their indexes. It runs each statement twice (the plan,
    /// then the statement): never for serving.
    pub fn explaining(&self) -> (Db, ExplainLog) {
        let log = ExplainLog::default();
        let mut db = self.clone();
        db.explain = Some(log.clone());
        (db, log)
    }

    fn explain_for_tx(&self) -> Option<(Dialect, ExplainLog)> {
        self.explain.clone().map(|l| (self.dialect, l))
    }

    pub async fn migrate(&self) -> Result<usize> {
        migrate::run(self).await
    }

    /// Gathers the planner's statistics of every table: after a bulk load (the generator, a
    /// restore), so that plans are those of a database in use. On PostgreSQL this is also a
    /// vacuum, as autovacuum would make some time after the load: until the visibility map is
    /// set, the planner prices index-only scans as heap reads and walks the primary key for the
    /// red ledger instead of the open tasks' partial index (927 ms against 3 ms a page at
    /// 1,000,000 tasks).
    pub async fn analyse(&self) -> Result<()> {
        let sql = match self.dialect {
            Dialect::Sqlite => "ANALYZE",
            Dialect::Postgres => "VACUUM (ANALYZE)",
        };
        sqlx::raw_sql(sql)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    /// Keeps SQLite's planner statistics current as the data grows, cheaply (SQLite's own
    /// `PRAGMA optimize`, with its sampling limit); PostgreSQL's autovacuum does this by itself.
    pub async fn optimise(&self) -> Result<()> {
        if self.dialect == Dialect::Sqlite {
            sqlx::raw_sql("PRAGMA analysis_limit = 1000; PRAGMA optimize")
                .execute(&self.pool)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// Whether the database answers, for the readiness probe.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1")
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(db_err)
    }

    pub fn pool_size(&self) -> u32 {
        self.pool.size()
    }

    pub fn pool_idle(&self) -> usize {
        self.pool.num_idle()
    }

    pub async fn close(&self) {
        self.lane.close().await;
        self.pool.close().await;
    }
}

fn connect_err(e: sqlx::Error) -> CoreError {
    CoreError::internal(format!("无法连接数据库：{e}"))
}

impl xunshi_core::store::Store for Db {
    type Read = DbTx<Reading>;
    type Write = DbTx<Writing>;

    async fn read(&self) -> Result<DbTx<Reading>> {
        let tx = match self.dialect {
            Dialect::Sqlite => self.pool.begin().await,
            // The server refuses any write in it, whatever the code above tries.
            Dialect::Postgres => self.pool.begin_with("BEGIN READ ONLY").await,
        }
        .map_err(db_err)?;
        Ok(DbTx::reading(tx, self.explain_for_tx()))
    }

    /// Writers are serialised on both backends: a service reads, checks its rules, then
    /// writes, and those checks (the failed log-in count, "no such grant yet", "no account
    /// yet") hold only if no other writer slips in between. Every write appends to the audit
    /// trail and so needs the head anyway. Within the process the write lane queues them and
    /// lets those queued together share one commit; across processes the backend's lock
    /// (SQLite's write lock, the audit head's row on PostgreSQL) is taken when a batch opens.
    async fn write(&self) -> Result<DbTx<Writing>> {
        Ok(DbTx::writing(
            self.lane.begin().await?,
            self.explain_for_tx(),
        ))
    }
}
