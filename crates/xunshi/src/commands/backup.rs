//! `xunshi backup`, `restore` and `migrate-to`: the copies are `xunshi_store::backup`'s; here
//! they are run, reported, and checked after — every table's rows counted against the source,
//! and the audit trail of the copy verified.

use std::path::Path;
use std::process::ExitCode;

use xunshi_core::permission::Actor;
use xunshi_core::service::{Services, VerifyOutcome};
use xunshi_store::Db;
use xunshi_store::backup::TableCount;

use super::{blob_store, open, services};
use crate::config::{Config, redact_url};

pub async fn backup(config: &Config, out: &Path) -> Result<ExitCode, String> {
    let db = open(config).await?;
    let blobs = blob_store(config);
    let done = xunshi_store::backup::backup(&db, blobs.as_ref(), out, |t, n| {
        eprintln!("  {t}: {n}");
    })
    .await;
    db.close().await;
    let m = done.map_err(|e| e.to_string())?;
    let rows: u64 = m.tables.iter().map(|t| t.rows).sum();
    let bytes: u64 = m.blobs.iter().map(|b| b.bytes).sum();
    println!(
        "backup written to {}: {} tables, {rows} rows, {} evidence files ({bytes} bytes), schema version {}",
        out.display(),
        m.tables.len(),
        m.blobs.len(),
        m.schema_version
    );
    println!(
        "the key file of the sealed fields ({}) is not in the backup: keep a copy of it apart",
        config.key_file.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn restore(config: &Config, file: &Path) -> Result<ExitCode, String> {
    // A changed or damaged backup is refused before the target is created.
    xunshi_store::backup::check_backup(file).map_err(|e| e.to_string())?;
    let blobs = blob_store(config);
    let db = open(config).await?;
    let counts = xunshi_store::backup::restore(&db, file, blobs.as_ref()).await;
    let code = match counts {
        Ok(c) => checked(&services(db.clone(), config), &c).await,
        Err(e) => Err(e.to_string()),
    };
    db.close().await;
    if code.is_ok() {
        println!(
            "restored into {}; copy the key file of the sealed fields to {} before serving",
            redact_url(&config.database_url),
            config.key_file.display()
        );
    }
    code
}

pub async fn migrate_to(config: &Config, url: &str) -> Result<ExitCode, String> {
    if url == config.database_url {
        return Err("the new database is the one this installation uses already".into());
    }
    let from = open(config).await?;
    let to = Db::open(url, config.max_connections)
        .await
        .map_err(|e| format!("{e} ({})", redact_url(url)));
    let to = match to {
        Ok(db) => db,
        Err(e) => {
            from.close().await;
            return Err(e);
        }
    };
    let counts = xunshi_store::backup::copy_database(&from, &to, |t, n| {
        eprintln!("  {t}: {n}");
    })
    .await;
    from.close().await;
    let code = match counts {
        Ok(c) => checked(&services(to.clone(), config), &c).await,
        Err(e) => Err(e.to_string()),
    };
    to.close().await;
    if code.is_ok() {
        println!(
            "moved to {}: serve with --database-url (or database_url in xunshi.toml) set to it; \
             the evidence files and the key file stay in {}",
            redact_url(url),
            config.data_dir.display()
        );
    }
    code
}

/// Compares every table's rows with the source's and verifies the copy's audit trail; exits 2
/// on any difference.
async fn checked(target: &Services<Db>, counts: &[TableCount]) -> Result<ExitCode, String> {
    let differ: Vec<&TableCount> = counts.iter().filter(|c| c.source != c.target).collect();
    let rows: u64 = counts.iter().map(|c| c.target).sum();
    for c in &differ {
        println!(
            "table {}: {} rows in the source, {} in the copy",
            c.name, c.source, c.target
        );
    }
    let trail = target
        .verify_audit(&Actor::system())
        .await
        .map_err(|e| e.to_string())?;
    match (&trail, differ.is_empty()) {
        (VerifyOutcome::Whole { records }, true) => {
            println!(
                "checked: {} tables, {rows} rows, each as many as in the source; audit trail intact ({records} records, hash chain whole)",
                counts.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        (VerifyOutcome::Broken(fault), _) => {
            println!("the copy's audit trail is BROKEN: {fault}");
            Ok(ExitCode::from(2))
        }
        (_, false) => Ok(ExitCode::from(2)),
    }
}
