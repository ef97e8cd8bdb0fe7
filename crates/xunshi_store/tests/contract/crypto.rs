//! The national cryptography option: an installation switched from the standard suite to SM3
//! and SM4-GCM, everything it protects moved, and checkpoints signed before still holding the
//! trail — on every backend.

use std::sync::Arc;

use xunshi_core::CoreError;
use xunshi_core::audit::{ChainFault, GENESIS_HASH};
use xunshi_core::crypto::{HashAlg, Suite};
use xunshi_core::fieldwork::{Letter, SourceKind};
use xunshi_core::permission::Actor;
use xunshi_core::service::VerifyOutcome;
use xunshi_core::store::{ReadTx, Store};
use xunshi_store::{FieldCipher, FolderAnchor};

use crate::fieldwork::{WRITER, letter, on_site, stored_row};
use crate::harness::{Svc, audit_of_action, expect_err};

async fn verify(s: &Svc) -> VerifyOutcome {
    s.verify_audit(&Actor::system()).await.unwrap()
}

pub async fn a_switch_to_the_sm_suite_moves_everything_it_protects_and_earlier_checkpoints_still_hold(
    mut s: Svc,
) {
    let dir = tempfile::tempdir().unwrap();
    let (w, _) = on_site(&mut s, dir.path()).await;
    let l = s
        .register_letter(
            &w.member,
            w.insp.id,
            &letter("letter", Some(WRITER), "钱某", "反映违规收受礼金"),
        )
        .await
        .unwrap();
    let file = s
        .add_fieldwork_file(
            &w.member,
            SourceKind::Letter,
            l.id,
            "材料.txt",
            "举报材料".as_bytes().to_vec(),
        )
        .await
        .unwrap();
    assert!(stored_row(&s, l.id).await.starts_with("a256:"));
    assert_eq!(
        file.sha256,
        HashAlg::Sha256.content_name("举报材料".as_bytes())
    );

    let key = dir.path().join("checkpoint.key");
    xunshi_store::anchor::generate_key(&key).unwrap();
    s.anchor = Some(Arc::new(
        FolderAnchor::signing(dir.path().join("checkpoints"), &key).unwrap(),
    ));
    let first = s
        .write_audit_checkpoint(&Actor::system())
        .await
        .unwrap()
        .expect("the trail has records");
    assert_eq!(first.checkpoint.alg, HashAlg::Sha256);

    // The configuration now names the SM suite; its cipher gets an SM4 data key beside the
    // AES one.
    s.suite = Suite::Sm;
    s.cipher = Some(Arc::new(
        FieldCipher::load(&s.store, &dir.path().join("xunshi.key"), Suite::Sm)
            .await
            .unwrap(),
    ));
    expect_err!(s.switch_crypto(&w.member).await, CoreError::Forbidden(_));
    let r = s.switch_crypto(&Actor::system()).await.unwrap();
    assert_eq!((r.from, r.to), (Suite::Standard, Suite::Sm));
    assert!(r.records >= first.checkpoint.seq, "{r:?}");
    assert_eq!((r.sealed, r.files), (1, 1), "{r:?}");
    let after = r.checkpoint.clone().expect("a checkpoint pins the switch");

    let head = s.store.read().await.unwrap().audit_head().await.unwrap();
    assert_eq!(head.alg, HashAlg::Sm3);
    assert!(matches!(verify(&s).await, VerifyOutcome::Whole { .. }));
    let latest = s
        .audit_anchor_status(&Actor::system())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(latest.latest.as_ref().map(|c| c.name.clone()), Some(after));
    assert_eq!(latest.latest.unwrap().checkpoint.alg, HashAlg::Sm3);

    // The writer is sealed under SM4 and still opens; the file is named by SM3 and reads.
    let raw = stored_row(&s, l.id).await;
    let sealed = raw.split('|').next().unwrap();
    assert!(sealed.starts_with("sm4:"), "{sealed}");
    let cipher = s.cipher.clone().unwrap();
    let plain = cipher.open(&Letter::writer_context(l.id), sealed).unwrap();
    assert!(String::from_utf8(plain).unwrap().contains(WRITER));
    let (f, bytes) = s.fieldwork_file(&w.member, file.id).await.unwrap();
    assert_eq!(f.sha256, HashAlg::Sm3.content_name("举报材料".as_bytes()));
    assert_eq!(bytes, "举报材料".as_bytes());
    // New files are named by SM3 too, and new records chain under it.
    let second = s
        .add_fieldwork_file(
            &w.member,
            SourceKind::Letter,
            l.id,
            "补充.txt",
            b"more".to_vec(),
        )
        .await
        .unwrap();
    assert!(second.sha256.starts_with("sm3-"));
    assert!(matches!(verify(&s).await, VerifyOutcome::Whole { .. }));

    // A backup carries the SM3-named files, each checked by the hash its name says.
    let out = dir.path().join("backup.zip");
    let m = xunshi_store::backup::backup(
        &s.store,
        &xunshi_store::LocalBlobs::new(dir.path().join("blobs")),
        &out,
        |_, _| {},
    )
    .await
    .unwrap();
    assert!(m.blobs.iter().any(|b| b.name == f.sha256), "{:?}", m.blobs);
    // Its manifest's digests are SM3 too, and checked as such.
    assert_eq!(m.hash, "sm3");
    xunshi_store::backup::check_backup(&out).unwrap();

    // Run again, it finds nothing left to move.
    let again = s.switch_crypto(&Actor::system()).await.unwrap();
    assert_eq!((again.records, again.sealed, again.files), (0, 0, 0));

    // Someone with the database edits a record the SHA-256 checkpoint pinned history of, and
    // chains the whole trail again under SM3: whole on its own, caught by that checkpoint.
    let records = {
        let mut tx = s.store.read().await.unwrap();
        tx.audit_in_order(0, 100_000).await.unwrap()
    };
    let mut prev = GENESIS_HASH.to_owned();
    for mut r in records {
        if r.seq == 2 {
            r.summary = "{\"forged\":true}".into();
        }
        let hash = r.compute_hash_with(HashAlg::Sm3, &prev);
        sqlx::query("UPDATE audit_log SET summary = $1, prev_hash = $2, hash = $3 WHERE seq = $4")
            .bind(r.summary.clone())
            .bind(prev.clone())
            .bind(hash.clone())
            .bind(r.seq)
            .execute(&s.store.pool)
            .await
            .unwrap();
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
        .bind(prev)
        .execute(&s.store.pool)
        .await
        .unwrap();
    let anchor = s.anchor.take();
    assert!(matches!(verify(&s).await, VerifyOutcome::Whole { .. }));
    s.anchor = anchor;
    match verify(&s).await {
        VerifyOutcome::Broken(ChainFault::Rewritten { seq, .. }) => {
            assert_eq!(seq, first.checkpoint.seq)
        }
        other => panic!("expected the SHA-256 checkpoint to catch it, got {other:?}"),
    }
    // And a switch refuses a trail that does not verify.
    s.suite = Suite::Standard;
    let e = expect_err!(
        s.switch_crypto(&Actor::system()).await,
        CoreError::Conflict(_)
    );
    assert!(e.to_string().contains("不切换"), "{e}");
}

pub async fn a_new_chain_takes_the_configured_suite_and_a_chained_one_refuses_another(s: Svc) {
    let alg = |s: &Svc| {
        let db = s.store.clone();
        async move { db.read().await.unwrap().audit_head().await.unwrap().alg }
    };
    // A database with no record yet takes the suite it is opened with.
    assert_eq!(alg(&s).await, HashAlg::Sha256);
    s.store.adopt_suite(Suite::Sm).await.unwrap();
    assert_eq!(alg(&s).await, HashAlg::Sm3);
    // Its first record is chained under SM3, and the trail verifies.
    s.bootstrap_admin()
        .await
        .unwrap()
        .expect("the first administrator");
    let first = audit_of_action(&s, "admin_bootstrapped").await;
    assert_eq!(first.len(), 1);
    assert_eq!(
        first[0].hash,
        first[0].compute_hash_with(HashAlg::Sm3, GENESIS_HASH)
    );
    assert!(matches!(
        verify(&s).await,
        VerifyOutcome::Whole { records: 1 }
    ));
    // Once chained, another suite is refused until the trail is switched.
    s.store.adopt_suite(Suite::Sm).await.unwrap();
    let e = expect_err!(
        s.store.adopt_suite(Suite::Standard).await,
        CoreError::Conflict(_)
    );
    assert!(e.to_string().contains("xunshi crypto switch"), "{e}");
    assert_eq!(alg(&s).await, HashAlg::Sm3);
}
