//! Backup, restore and the move between databases keep every row: a generated province backed
//! up and restored into a new database of the same backend, and copied into another, has as
//! many rows in every table, its audit trail verifies, and the copy answers the ledger as the
//! original does; a target that holds data is refused.

use xunshi_core::CoreError;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{LedgerFilter, Services, VerifyOutcome};
use xunshi_store::Argon2Secrets;
use xunshi_store::backup::{TableCount, backup, copy_database, restore};
use xunshi_store::generate::Counts;

use crate::harness::{Svc, another_database, generated};

fn all_equal(counts: &[TableCount]) {
    assert!(counts.len() > 60, "every table is copied: {counts:?}");
    for c in counts {
        assert_eq!(c.source, c.target, "{c:?}");
    }
    let tasks = counts
        .iter()
        .find(|c| c.name == "rectification_tasks")
        .expect("the tasks' table");
    assert!(tasks.target > 0, "{tasks:?}");
}

async fn same_answers(original: &Svc, copy: xunshi_store::Db) {
    // On the original's clock: a task's colour is of the day.
    let mut copy = Services::new(copy, std::sync::Arc::new(Argon2Secrets::for_tests()));
    copy.clock = original.clock.clone();
    assert!(matches!(
        copy.verify_audit(&Actor::system()).await.expect("verify"),
        VerifyOutcome::Whole { .. }
    ));
    // The whole ledger, and a text filter, which reads the text index the copy built from
    // the tasks (it is not in the backup).
    let searched = LedgerFilter {
        q: Some("谈话提醒".into()),
        ..Default::default()
    };
    for f in [LedgerFilter::default(), searched] {
        let page = PageRequest::first(100);
        let a = original
            .list_tasks(&Actor::system(), &f, page)
            .await
            .unwrap();
        let b = copy.list_tasks(&Actor::system(), &f, page).await.unwrap();
        assert!(a.total.unwrap_or(0) > 0, "{f:?}");
        assert_eq!(
            serde_json::to_value(&a.items).unwrap(),
            serde_json::to_value(&b.items).unwrap()
        );
        assert_eq!(a.total, b.total);
    }
}

pub async fn a_backup_restores_every_row_and_a_move_copies_them(mut s: Svc) {
    generated(&mut s, 11, Counts::for_tasks(500)).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.zip");
    let manifest = backup(
        &s.store,
        &xunshi_store::LocalBlobs::new(dir.path().join("no-blobs")),
        &file,
        |_, _| {},
    )
    .await
    .expect("backup");
    assert_eq!(manifest.format, xunshi_store::backup::BACKUP_FORMAT);
    assert!(
        manifest
            .tables
            .iter()
            .all(|t| t.name != "schema_migrations" && !t.name.starts_with("task_text"))
    );

    if s.store.dialect == xunshi_store::Dialect::Postgres {
        // A restore loads the tables in any order: every key must wait for the commit when
        // asked to (migration 0031 made them so; a new key must say DEFERRABLE itself).
        let stiff: Vec<String> = sqlx::query_scalar(
            "SELECT conname::text FROM pg_constraint WHERE contype = 'f' AND NOT condeferrable \
             AND connamespace = current_schema()::regnamespace",
        )
        .fetch_all(&s.store.pool)
        .await
        .unwrap();
        assert!(stiff.is_empty(), "foreign keys not deferrable: {stiff:?}");
    }
    let (target, _keep) = another_database(&s.store).await;
    let counts = restore(
        &target,
        &file,
        &xunshi_store::LocalBlobs::new(dir.path().join("blobs")),
    )
    .await
    .expect("restore");
    all_equal(&counts);
    same_answers(&s, target.clone()).await;
    let again = restore(
        &target,
        &file,
        &xunshi_store::LocalBlobs::new(dir.path().join("blobs")),
    )
    .await;
    assert!(matches!(again, Err(CoreError::Conflict(_))), "{again:?}");
    target.close().await;

    let (moved, _keep) = another_database(&s.store).await;
    let counts = copy_database(&s.store, &moved, |_, _| {})
        .await
        .expect("copy");
    all_equal(&counts);
    same_answers(&s, moved.clone()).await;
    moved.close().await;
}
