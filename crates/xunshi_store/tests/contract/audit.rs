//! The audit trail: listing with filters, verifying the hash chain, detecting tampering, and
//! staying one chain under concurrent writers.

use std::collections::HashSet;

use jiff::SignedDuration;
use xunshi_core::CoreError;
use xunshi_core::audit::{AuditRecord, ChainFault, GENESIS_HASH, format_at};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::VerifyOutcome;
use xunshi_core::store::{AuditFilter, AuditSort, AuditSortKey, UnitFilter};

use crate::harness::{
    PASSWORD, Svc, TestClock, all_at_once, audit_len, audit_of_object, audit_where, expect_err,
    new_unit, unit_input, user_with_role, walk_both_ways,
};

async fn verify(s: &Svc) -> VerifyOutcome {
    s.verify_audit(&Actor::system())
        .await
        .expect("verify the trail")
}

async fn broken(s: &Svc) -> ChainFault {
    match verify(s).await {
        VerifyOutcome::Broken(fault) => fault,
        VerifyOutcome::Whole { records } => {
            panic!("tampering went unnoticed: the trail of {records} records verifies")
        }
    }
}

fn seqs(records: &[AuditRecord]) -> Vec<i64> {
    records.iter().map(|r| r.seq).collect()
}

/// The whole trail, oldest first.
async fn trail(s: &Svc) -> Vec<AuditRecord> {
    let mut all = audit_where(s, &AuditFilter::default()).await;
    all.reverse();
    all
}

async fn execute(s: &Svc, sql: &'static str, text: &str, seq: i64) {
    let done = sqlx::query(sql)
        .bind(text.to_owned())
        .bind(seq)
        .execute(&s.store.pool)
        .await
        .expect("tamper with the trail directly");
    assert_eq!(done.rows_affected(), 1, "{sql} touched one row");
}

pub async fn audit_trail_lists_newest_first_with_filters(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let admin = user_with_role(&s, "audit.admin", None, "admin").await; // 2 records
    let mut by_system = Vec::new();
    for name in ["自治区商务厅", "自治区文化和旅游厅", "自治区应急管理厅"] {
        by_system.push(new_unit(&s, name, None).await); // 3 records
    }
    for name in ["自治区统计局", "自治区医保局"] {
        s.create_unit(&admin, &unit_input(name, None))
            .await
            .expect("create as the admin"); // 2 records
    }
    let edited = &by_system[0];
    s.update_unit(
        &admin,
        edited.id,
        1,
        &unit_input("自治区商务厅（口岸办）", None),
    )
    .await
    .expect("update as the admin"); // 1 record
    clock.advance(SignedDuration::from_hours(1));
    let later = clock.now();
    s.create_unit(&admin, &unit_input("自治区地方金融管理局", None))
        .await
        .expect("create an hour later"); // 1 record
    assert_eq!(audit_len(&s).await, 9);

    let by_admin = audit_where(
        &s,
        &AuditFilter {
            actor_name: Some("Audit.Admin".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(seqs(&by_admin), [9, 8, 7, 6], "by actor, newest first");
    assert!(
        by_admin.iter().all(|r| r.actor_id == admin.user_id()),
        "records name the acting user's id"
    );

    let created = audit_where(
        &s,
        &AuditFilter {
            action: Some("unit_created".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(seqs(&created), [9, 7, 6, 5, 4, 3], "by action");
    let created_by_system = audit_where(
        &s,
        &AuditFilter {
            action: Some("unit_created".into()),
            actor_name: Some("system".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(seqs(&created_by_system), [5, 4, 3], "filters combine");
    assert!(created_by_system.iter().all(|r| r.actor_id.is_none()));

    let of_unit = audit_of_object(&s, "unit", edited.id).await;
    assert_eq!(
        of_unit
            .iter()
            .map(|r| (r.seq, r.action.as_str()))
            .collect::<Vec<_>>(),
        [(8, "unit_updated"), (3, "unit_created")],
        "by object"
    );

    let since = audit_where(
        &s,
        &AuditFilter {
            from: Some(format_at(later)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(seqs(&since), [9], "from is inclusive");
    let before = audit_where(
        &s,
        &AuditFilter {
            to: Some(format_at(later)),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(seqs(&before), [8, 7, 6, 5, 4, 3, 2, 1], "to is exclusive");

    assert!(
        audit_where(
            &s,
            &AuditFilter {
                action: Some("no_such_action".into()),
                ..Default::default()
            },
        )
        .await
        .is_empty()
    );

    let mut pages = Vec::new();
    let mut page = PageRequest::first(4);
    loop {
        let p = s
            .list_audit(&admin, &AuditFilter::default(), page)
            .await
            .expect("a page of the trail");
        pages.push(seqs(&p.items));
        match p.next_cursor {
            Some(c) => page.after = Some(c.parse().expect("cursor")),
            None => break,
        }
        assert!(pages.len() < 10, "paging does not end");
    }
    assert_eq!(
        pages,
        [vec![9, 8, 7, 6], vec![5, 4, 3, 2], vec![1]],
        "pages run newest first without gaps or repeats"
    );

    let filtered_pages = {
        let f = AuditFilter {
            action: Some("unit_created".into()),
            ..Default::default()
        };
        let first = s
            .list_audit(&admin, &f, PageRequest::first(4))
            .await
            .expect("page");
        let after = first.next_cursor.clone().expect("more follow");
        let second = s
            .list_audit(
                &admin,
                &f,
                PageRequest {
                    after: Some(after.parse().expect("cursor")),
                    limit: 4,
                },
            )
            .await
            .expect("page");
        assert_eq!(second.next_cursor, None);
        (seqs(&first.items), seqs(&second.items))
    };
    assert_eq!(
        filtered_pages,
        (vec![9, 7, 6, 5], vec![4, 3]),
        "a filtered list pages by the same cursor"
    );
}

pub async fn a_whole_trail_verifies_with_its_exact_count(s: Svc) {
    assert!(
        matches!(verify(&s).await, VerifyOutcome::Whole { records: 0 }),
        "an empty trail is whole"
    );
    let sys = Actor::system();
    let unit = new_unit(&s, "自治区住房城乡建设厅", None).await; // 1
    let user = user_with_role(&s, "chain.user", Some(&unit.name), "unit_liaison").await; // 2
    let session = s
        .login_session("chain.user", PASSWORD, None, None)
        .await
        .expect("log in"); // 1
    expect_err!(
        s.login_session("chain.user", "Wrong-Horse-0", None, None)
            .await,
        CoreError::Unauthenticated(_)
    ); // 1
    expect_err!(
        s.login_session("ghost.user", PASSWORD, None, None).await,
        CoreError::Unauthenticated(_)
    ); // 1
    s.update_unit(
        &sys,
        unit.id,
        1,
        &unit_input("自治区住房和城乡建设厅", None),
    )
    .await
    .expect("update"); // 1
    s.logout(&user, &session.token).await.expect("log out"); // 1
    // Refused changes record nothing.
    expect_err!(
        s.update_unit(&sys, unit.id, 1, &unit_input("过期的修改", None))
            .await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.create_unit(&user, &unit_input("越权", None)).await,
        CoreError::Forbidden(_)
    );

    match verify(&s).await {
        VerifyOutcome::Whole { records } => assert_eq!(records, 8, "one record per change"),
        VerifyOutcome::Broken(fault) => panic!("an untouched trail is broken: {fault}"),
    }
    let all = trail(&s).await;
    assert_eq!(seqs(&all), (1..=8).collect::<Vec<_>>());
    assert_eq!(all[0].prev_hash, GENESIS_HASH);
    for pair in all.windows(2) {
        assert_eq!(
            pair[1].prev_hash, pair[0].hash,
            "record #{} points at record #{}",
            pair[1].seq, pair[0].seq
        );
    }
    for r in &all {
        assert_eq!(
            r.hash,
            r.compute_hash(),
            "record #{} hashes as stored",
            r.seq
        );
    }
}

pub async fn an_edited_record_is_named_by_verify(s: Svc) {
    for i in 1..=5 {
        new_unit(&s, &format!("被巡视单位{i}"), None).await;
    }
    assert_eq!(audit_len(&s).await, 5);
    let all = trail(&s).await;

    execute(
        &s,
        "UPDATE audit_log SET summary = $1 WHERE seq = $2",
        r#"{"after":{"name":"篡改后的名称"}}"#,
        3,
    )
    .await;
    assert_eq!(
        broken(&s).await,
        ChainFault::Edited {
            seq: 3,
            id: all[2].id
        },
        "an edited summary names its record"
    );

    // Restoring the text restores the chain: verify looks at content, not at a flag.
    execute(
        &s,
        "UPDATE audit_log SET summary = $1 WHERE seq = $2",
        &all[2].summary,
        3,
    )
    .await;
    assert!(matches!(
        verify(&s).await,
        VerifyOutcome::Whole { records: 5 }
    ));

    // A forger who also recomputes the edited record's hash is caught by the next record.
    let mut forged = all[2].clone();
    forged.summary = r#"{"after":{"name":"伪造"}}"#.into();
    forged.hash = forged.compute_hash();
    execute(
        &s,
        "UPDATE audit_log SET summary = $1 WHERE seq = $2",
        &forged.summary,
        3,
    )
    .await;
    execute(
        &s,
        "UPDATE audit_log SET hash = $1 WHERE seq = $2",
        &forged.hash,
        3,
    )
    .await;
    assert_eq!(
        broken(&s).await,
        ChainFault::Broken {
            seq: 4,
            id: all[3].id
        }
    );
}

pub async fn deleted_records_are_detected(s: Svc) {
    for i in 1..=5 {
        new_unit(&s, &format!("巡察单位{i}"), None).await;
    }
    assert_eq!(audit_len(&s).await, 5);

    let done = sqlx::query("DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)")
        .execute(&s.store.pool)
        .await
        .expect("delete the newest record directly");
    assert_eq!(done.rows_affected(), 1);
    assert_eq!(
        broken(&s).await,
        ChainFault::HeadMismatch {
            head_seq: 5,
            last_seq: 4
        },
        "removing the newest record shows against the head"
    );

    let all = trail(&s).await;
    sqlx::query("DELETE FROM audit_log WHERE seq = 2")
        .execute(&s.store.pool)
        .await
        .expect("delete a record in the middle");
    assert_eq!(
        broken(&s).await,
        ChainFault::Gap {
            expected: 2,
            found: 3,
            id: all[2].id
        },
        "removing a record in the middle names where the gap is"
    );
}

pub async fn concurrent_writes_keep_one_unbroken_chain(s: Svc) {
    let outcomes = all_at_once(20, |i| {
        let s = s.clone();
        async move {
            s.create_unit(
                &Actor::system(),
                &unit_input(&format!("并发单位{i:02}"), None),
            )
            .await
        }
    })
    .await;
    let ids: HashSet<_> = outcomes
        .into_iter()
        .enumerate()
        .map(|(i, o)| {
            o.unwrap_or_else(|e| panic!("concurrent create #{i} failed: {e}"))
                .id
        })
        .collect();
    assert_eq!(ids.len(), 20);

    let listed = s
        .list_units(
            &Actor::system(),
            &UnitFilter::default(),
            PageRequest::first(50),
        )
        .await
        .expect("list");
    assert_eq!(
        listed.items.iter().map(|u| u.id).collect::<HashSet<_>>(),
        ids,
        "every unit was stored"
    );
    match verify(&s).await {
        VerifyOutcome::Whole { records } => assert_eq!(records, 20),
        VerifyOutcome::Broken(fault) => panic!("concurrent writers forked the chain: {fault}"),
    }
    let all = trail(&s).await;
    assert_eq!(seqs(&all), (1..=20).collect::<Vec<_>>());
    let recorded: HashSet<_> = all
        .iter()
        .map(|r| {
            r.object_id
                .clone()
                .expect("a unit id")
                .parse()
                .expect("an id")
        })
        .collect();
    assert_eq!(recorded, ids, "each unit has its own record");
}

/// The trail sorts by sequence (newest first unless told), actor, action and kind of object,
/// both ways, each key's records in sequence order; walked a page at a time from the first page
/// and back from the last, every record is met once, and the total is the head's count for the
/// whole trail and a count through the filter otherwise.
pub async fn audit_trail_sorts_by_every_column_both_ways(s: Svc) {
    let admin = user_with_role(&s, "audit.admin", None, "admin").await;
    for i in 0..7 {
        new_unit(&s, &format!("自治区第{i}厅"), None).await;
    }
    for i in 0..4 {
        s.create_unit(&admin, &unit_input(&format!("自治区第{i}局"), None))
            .await
            .expect("create as the admin");
    }
    let all = trail(&s).await;
    let total = all.len() as i64;
    assert_eq!(total, audit_len(&s).await);
    for &key in AuditSortKey::ALL.iter() {
        for desc in [false, true] {
            let sort = AuditSort { key, desc };
            let mut want: Vec<_> = all.iter().map(|r| (sort.key_of(r), r.seq)).collect();
            want.sort();
            if desc {
                want.reverse();
            }
            let want: Vec<i64> = want.into_iter().map(|(_, seq)| seq).collect();
            let by_id: std::collections::HashMap<_, _> =
                all.iter().map(|r| (r.id, r.seq)).collect();
            let (fwd, back, totals) = walk_both_ways(
                &sort.code(),
                sort == AuditSort::default(),
                4,
                async |at| {
                    s.audit_page(&admin, &AuditFilter::default(), sort, at, 4)
                        .await
                        .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
                },
                |r| r.id,
            )
            .await;
            let fwd: Vec<i64> = fwd.iter().map(|id| by_id[id]).collect();
            let back: Vec<i64> = back.iter().map(|id| by_id[id]).collect();
            assert_eq!(fwd, want, "forward under {}", sort.code());
            assert_eq!(back, want, "back under {}", sort.code());
            assert!(totals.iter().all(|t| *t == total), "{}", sort.code());
        }
    }
    // The list's own order is newest first, its cursor a bare id.
    let first = s
        .audit_page(
            &admin,
            &AuditFilter::default(),
            AuditSort::default(),
            None,
            3,
        )
        .await
        .expect("the newest");
    assert_eq!(AuditSort::default().code(), "-seq");
    assert_eq!(seqs(&first.items), [total, total - 1, total - 2]);
    let next = first.next_cursor.expect("more");
    assert!(next.parse::<xunshi_core::Id>().is_ok(), "{next}");
    // A filter is counted, not taken from the head.
    let created = s
        .audit_page(
            &admin,
            &AuditFilter {
                action: Some("unit_created".into()),
                ..Default::default()
            },
            AuditSort {
                key: AuditSortKey::Actor,
                desc: false,
            },
            None,
            5,
        )
        .await
        .expect("by action");
    assert_eq!(created.total, 11);
    assert_eq!(created.items[0].actor_name, "audit.admin");
}
