//! The audit trail anchored outside the database: `audit keygen`, `audit checkpoint` and
//! `audit verify --checkpoints`, against the two rewrites the hash chain alone cannot show —
//! the newest records deleted and the head wound back, and a record edited with every later
//! hash recomputed — and against a checkpoint file changed by one byte.

use std::path::Path;

use xunshi_core::Id;
use xunshi_core::audit::AuditRecord;
use xunshi_store::Db;

use super::{Instance, assert_success, block_on, stdout};

type Row = (
    String,
    i64,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

/// The whole trail, in order, as stored.
async fn trail(db: &Db) -> Vec<AuditRecord> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, seq, at, actor_id, actor_name, action, object_type, object_id, ip, summary, \
         prev_hash, hash FROM audit_log ORDER BY seq",
    )
    .fetch_all(&db.pool)
    .await
    .expect("read the trail");
    rows.into_iter()
        .map(|r| AuditRecord {
            id: r.0.parse::<Id>().expect("a record's id"),
            seq: r.1,
            at: r.2,
            actor_id: r.3.map(|a| a.parse::<Id>().expect("an actor's id")),
            actor_name: r.4,
            action: r.5,
            object_type: r.6,
            object_id: r.7,
            ip: r.8,
            summary: r.9,
            prev_hash: r.10,
            hash: r.11,
        })
        .collect()
}

/// Deletes the newest record and sets the head to the one before it: the chain is whole.
fn wind_back_one(x: &Instance) {
    let url = x.url();
    block_on(async move {
        let db = Db::open(&url, 1).await.expect("open the database");
        let t = trail(&db).await;
        let [.., before, newest] = t.as_slice() else {
            panic!("a trail of at least two records")
        };
        sqlx::query("DELETE FROM audit_log WHERE seq = $1")
            .bind(newest.seq)
            .execute(&db.pool)
            .await
            .expect("delete the newest");
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2")
            .bind(before.seq)
            .bind(before.hash.clone())
            .execute(&db.pool)
            .await
            .expect("wind the head back");
        db.close().await;
    });
}

/// Edits record `seq`'s summary and recomputes its hash and every later one, and the head:
/// the chain is whole again.
fn rewrite_from(x: &Instance, seq: i64) {
    let url = x.url();
    block_on(async move {
        let db = Db::open(&url, 1).await.expect("open the database");
        let mut t = trail(&db).await;
        let from = t.iter().position(|r| r.seq == seq).expect("the record");
        t[from].summary = r#"{"after":{"username":"someone-else"}}"#.into();
        for i in from..t.len() {
            if i > 0 {
                t[i].prev_hash = t[i - 1].hash.clone();
            }
            t[i].hash = t[i].compute_hash();
            sqlx::query(
                "UPDATE audit_log SET summary = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
            )
            .bind(t[i].summary.clone())
            .bind(t[i].prev_hash.clone())
            .bind(t[i].hash.clone())
            .bind(t[i].seq)
            .execute(&db.pool)
            .await
            .expect("rewrite a record");
        }
        let last = t.last().expect("a record");
        sqlx::query("UPDATE audit_head SET hash = $1")
            .bind(last.hash.clone())
            .execute(&db.pool)
            .await
            .expect("rewrite the head");
        db.close().await;
    });
}

fn verify_with(x: &Instance, dir: &Path, key: &str) -> std::process::Output {
    x.run(
        &[
            "audit",
            "verify",
            "--checkpoints",
            dir.to_str().expect("a UTF-8 path"),
            "--public-key",
            key,
        ],
        None,
    )
}

fn assert_broken(out: &std::process::Output, says: &str) {
    let text = stdout(out);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("BROKEN") && text.contains(says), "{text}");
}

/// The whole story on one backend.
pub(super) fn checkpoints_catch_what_the_chain_cannot(x: &Instance) {
    let outside = tempfile::tempdir().expect("a folder outside the data folder");
    let key = outside.path().join("checkpoint.key");
    let dir = outside.path().join("checkpoints");

    let out = x.run(&["audit", "keygen", "--out", key.to_str().unwrap()], None);
    assert_success(&out, "audit keygen");
    let public = stdout(&out)
        .lines()
        .find_map(|l| l.strip_prefix("public key (give it to whoever verifies): "))
        .expect("the public key is printed")
        .to_owned();
    let again = x.run(&["audit", "keygen", "--out", key.to_str().unwrap()], None);
    assert!(!again.status.success(), "a key file is never replaced");

    let config = x.data_dir.path().join("xunshi.toml");
    std::fs::write(
        &config,
        format!(
            "audit_key_file = {:?}\naudit_checkpoint_dir = {:?}\n",
            key.to_str().unwrap(),
            dir.to_str().unwrap()
        ),
    )
    .unwrap();

    x.add_user("anchor1", "office");
    let out = x.run(&["audit", "checkpoint"], None);
    assert_success(&out, "audit checkpoint");
    assert!(stdout(&out).contains("written"), "{}", stdout(&out));
    let out = x.run(&["audit", "checkpoint"], None);
    assert_success(&out, "audit checkpoint again");
    assert!(stdout(&out).contains("nothing new"), "{}", stdout(&out));
    x.add_user("anchor2", "office");
    assert_success(
        &x.run(&["audit", "checkpoint"], None),
        "a second checkpoint",
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);

    let out = x.run(&["audit", "verify"], None);
    assert_success(&out, "audit verify with the configured checkpoints");
    assert!(
        stdout(&out).contains("every signed checkpoint held"),
        "{}",
        stdout(&out)
    );
    assert_success(&verify_with(x, &dir, &public), "audit verify --checkpoints");

    // The newest record deleted and the head wound back: the chain alone is whole.
    wind_back_one(x);
    std::fs::rename(&config, x.data_dir.path().join("xunshi.toml.off")).unwrap();
    let out = x.run(&["audit", "verify"], None);
    assert_success(&out, "the chain alone, wound back");
    std::fs::rename(x.data_dir.path().join("xunshi.toml.off"), &config).unwrap();
    assert_broken(&verify_with(x, &dir, &public), "wound back");
    // And the server's checkpoints refuse to pin the shorter trail.
    let out = x.run(&["audit", "checkpoint"], None);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);

    // A record edited and every later hash recomputed: the first checkpoint after it shows.
    rewrite_from(x, 2);
    assert_broken(&verify_with(x, &dir, &public), "rewritten");

    // Under another key the checkpoints are not trusted at all.
    let other = format!(
        "{}{}",
        &public[..63],
        if public.ends_with('0') { '1' } else { '0' }
    );
    assert_broken(&verify_with(x, &dir, &other), "cannot be trusted");
    // Nor is a checkpoint changed by one byte.
    let first = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .min()
        .unwrap();
    let text = std::fs::read_to_string(&first).unwrap();
    let at = text.find("\"at\": \"").expect("the time field") + 7;
    let mut bytes = text.into_bytes();
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    std::fs::remove_file(&first).unwrap();
    std::fs::write(&first, bytes).unwrap();
    assert_broken(&verify_with(x, &dir, &public), "signature does not match");
}
