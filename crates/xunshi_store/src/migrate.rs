//! Embedded migrations, one folder per backend with the same version numbers.
//!
//! A small runner rather than `sqlx::migrate!`: the macro needs sqlx's macro crates, a heavy
//! build for two lists of files, and the runner is the same few lines on both backends.

use sqlx::{AssertSqlSafe, Row};

use crate::{Db, Dialect, db_err};
use xunshi_core::Result;

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
    /// Data the product ships, or data derived from the rows there are, loaded in the
    /// migration's transaction.
    data: Option<ShippedData>,
}

#[derive(Clone, Copy)]
enum ShippedData {
    Calendar,
    DeadlineRules,
    /// The index of the ledger's text filter, built from the tasks (src/text_index.rs).
    TaskText,
}

macro_rules! migration {
    ($version:literal, $name:literal) => {
        Migration {
            version: $version,
            name: $name,
            sqlite: include_str!(concat!("../migrations/sqlite/", $name, ".sql")),
            postgres: include_str!(concat!("../migrations/postgres/", $name, ".sql")),
            data: None,
        }
    };
    ($version:literal, $name:literal, $data:expr) => {
        Migration {
            data: Some($data),
            ..migration!($version, $name)
        }
    };
}

const MIGRATIONS: &[Migration] = &[
    migration!(1, "0001_foundation"),
    migration!(2, "0002_planning"),
    migration!(3, "0003_teams"),
    migration!(4, "0004_papers"),
    migration!(5, "0005_reports"),
    migration!(6, "0006_clues"),
    migration!(7, "0007_calendar", ShippedData::Calendar),
    migration!(8, "0008_rectification"),
    migration!(9, "0009_supervision", ShippedData::DeadlineRules),
    migration!(10, "0010_disclosure"),
    migration!(11, "0011_scale"),
    migration!(12, "0012_login_locks"),
    migration!(13, "0013_open_tasks"),
    migration!(14, "0014_rules"),
    migration!(15, "0015_submissions"),
    migration!(16, "0016_history"),
    migration!(17, "0017_clocks"),
    migration!(18, "0018_dashboard"),
    migration!(19, "0019_todo"),
    migration!(20, "0020_provisional_deadlines"),
    migration!(21, "0021_messages"),
    migration!(22, "0022_ledger_sorts"),
    migration!(23, "0023_leadership"),
    migration!(24, "0024_reminders"),
    migration!(25, "0025_list_sorts"),
    migration!(26, "0026_more_list_sorts"),
    migration!(27, "0027_remaining_list_sorts"),
    migration!(28, "0028_clue_due_sort"),
    migration!(29, "0029_fieldwork"),
    migration!(30, "0030_fieldwork_files"),
    migration!(31, "0031_deferrable_keys"),
    migration!(32, "0032_two_factor"),
    migration!(33, "0033_crypto_suite"),
    migration!(34, "0034_jobs"),
    migration!(35, "0035_sign_on"),
    migration!(36, "0036_patterns"),
    migration!(37, "0037_retention"),
    migration!(38, "0038_term_clusters"),
    migration!(39, "0039_recurrence_total"),
    migration!(40, "0040_task_text", ShippedData::TaskText),
    migration!(41, "0041_levels"),
    migration!(42, "0042_filings"),
    migration!(43, "0043_dispatcher_tally"),
    migration!(44, "0044_task_dispatcher"),
    migration!(45, "0045_node_work"),
    migration!(46, "0046_node_rows"),
    migration!(47, "0047_committee_rules"),
    migration!(48, "0048_single_disposal"),
];

/// Applies every migration not applied yet, each in its own transaction. Returns how many ran.
pub async fn run(db: &Db) -> Result<usize> {
    sqlx::query(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&db.pool)
    .await
    .map_err(db_err)?;
    // A database a newer version has migrated is not this version's to run: its writes might
    // miss what the newer schema expects. (Instances already running keep running; a rolling
    // upgrade replaces them.)
    let newest: Option<i64> = sqlx::query_scalar("SELECT MAX(version) FROM schema_migrations")
        .fetch_one(&db.pool)
        .await
        .map_err(db_err)?;
    let known = MIGRATIONS.last().map_or(0, |m| m.version);
    if let Some(newest) = newest.filter(|n| *n > known) {
        return Err(xunshi_core::CoreError::internal(format!(
            "the database is at schema version {newest}, made by a newer version of xunshi; \
             this one knows versions up to {known}: run the newer version"
        )));
    }
    let mut ran = 0;
    for m in MIGRATIONS {
        // Serialise concurrent starts of several instances: SQLite's write lock, or an advisory
        // lock on PostgreSQL (the tables the writers' lock uses may not exist yet). The check
        // inside the lock then sees what an earlier instance applied.
        let mut tx = match db.dialect {
            Dialect::Sqlite => db.pool.begin_with("BEGIN IMMEDIATE").await,
            Dialect::Postgres => db.pool.begin().await,
        }
        .map_err(db_err)?;
        if db.dialect == Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(7276300)")
                .execute(&mut *tx)
                .await
                .map_err(db_err)?;
        }
        let applied = sqlx::query("SELECT count(*) AS n FROM schema_migrations WHERE version = $1")
            .bind(m.version)
            .fetch_one(&mut *tx)
            .await
            .map_err(db_err)?
            .try_get::<i64, _>("n")
            .map_err(db_err)?;
        if applied > 0 {
            continue;
        }
        let sql = match db.dialect {
            Dialect::Sqlite => m.sqlite,
            Dialect::Postgres => m.postgres,
        };
        sqlx::raw_sql(AssertSqlSafe(sql))
            .execute(&mut *tx)
            .await
            .map_err(|e| xunshi_core::CoreError::internal(format!("migration {}: {e}", m.name)))?;
        if let Some(data) = m.data {
            load_shipped(&mut tx, data).await?;
        }
        sqlx::query(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        )
        .bind(m.version)
        .bind(m.name)
        .bind(xunshi_core::audit::format_at(jiff::Timestamp::now()))
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
        tx.commit().await.map_err(db_err)?;
        tracing::info!(version = m.version, name = m.name, "applied migration");
        ran += 1;
    }
    Ok(ran)
}

async fn load_shipped(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    data: ShippedData,
) -> Result<()> {
    match data {
        ShippedData::TaskText => {
            let n = crate::text_index::fill(tx).await?;
            tracing::info!(tasks = n, "built the index of the ledger's text filter");
        }
        ShippedData::Calendar => {
            let days = xunshi_core::calendar::parse_csv(xunshi_core::calendar::SHIPPED_CSV)?;
            let now = xunshi_core::audit::format_at(jiff::Timestamp::now());
            let years: std::collections::BTreeSet<i16> =
                days.iter().map(|d| d.date.year()).collect();
            for y in years {
                sqlx::query(
                    "INSERT INTO calendar_years (year, source, added_at) VALUES ($1, $2, $3)",
                )
                .bind(y)
                .bind("随系统发布（国务院办公厅节假日安排）")
                .bind(now.clone())
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            }
            for d in days {
                sqlx::query(
                    "INSERT INTO calendar_days (day, year, kind, festival) VALUES ($1, $2, $3, $4)",
                )
                .bind(d.date.to_string())
                .bind(d.date.year())
                .bind(crate::tx::day_kind_code(d.kind))
                .bind(d.festival)
                .execute(&mut **tx)
                .await
                .map_err(db_err)?;
            }
        }
        ShippedData::DeadlineRules => crate::tx::load_default_rules(tx).await?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn migrations_are_listed_in_version_order_once() {
        let versions: Vec<i64> = super::MIGRATIONS.iter().map(|m| m.version).collect();
        let mut sorted = versions.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(versions, sorted);
        for m in super::MIGRATIONS {
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{}",
                m.name
            );
        }
    }
}
