//! Filings (报备) between the levels, as the store keeps them: newest first within the reader's
//! committees, filtered and counted, answered once on the version read.

use xunshi_core::filing::{Filing, FilingKind, FilingStatus};
use xunshi_core::page::PageRequest;
use xunshi_core::paper::Signature;
use xunshi_core::store::{
    Answerer, FilingFilter, FilingRead, FilingWrite, FrameAsk, Store, TodoRead, WriteTx,
};
use xunshi_core::{CoreError, Id};

use crate::harness::{Svc, expect_err, new_unit};

fn filing(committee: Id, upper: Id, kind: FilingKind, title: &str, at: &str) -> Filing {
    Filing {
        id: Id::new(),
        committee_id: committee,
        upper_id: upper,
        kind,
        subject_id: Id::new(),
        title: title.into(),
        content: format!("{title}\n  第一巡察组：市财政局（常规巡视；计划 2026-12-02 进驻）\n"),
        digest: "sm3-00ff".into(),
        filed: Signature {
            by: None,
            name: "韦建华".into(),
            at: at.parse().unwrap(),
        },
        status: FilingStatus::Filed,
        reply: String::new(),
        replied: None,
        version: 1,
    }
}

fn titles(list: &[Filing]) -> Vec<&str> {
    list.iter().map(|f| f.title.as_str()).collect()
}

pub async fn filings_are_kept_as_filed_listed_within_the_committees_and_answered_once(s: Svc) {
    let province = new_unit(&s, "省委", None).await;
    let a = new_unit(&s, "甲市委", Some(province.id)).await;
    let b = new_unit(&s, "乙市委", Some(province.id)).await;
    let county = new_unit(&s, "甲县委", Some(a.id)).await;
    let plan = filing(
        a.id,
        province.id,
        FilingKind::Plan,
        "甲市计划",
        "2026-12-01T02:00:00Z",
    );
    let round = filing(
        a.id,
        province.id,
        FilingKind::Round,
        "甲市第一轮",
        "2026-12-02T02:00:00Z",
    );
    let below = filing(
        county.id,
        a.id,
        FilingKind::Plan,
        "甲县计划",
        "2026-12-02T03:00:00Z",
    );
    let other = filing(
        b.id,
        province.id,
        FilingKind::Report,
        "乙市报告",
        "2026-12-02T04:00:00Z",
    );
    let mut tx = s.store.write().await.unwrap();
    for f in [&plan, &round, &below, &other] {
        tx.insert_filing(f).await.unwrap();
    }
    tx.commit().await.unwrap();

    let mut tx = s.store.read().await.unwrap();
    let got = tx.get_filing(plan.id).await.unwrap().expect("stored");
    assert_eq!(
        (
            got.content.as_str(),
            got.digest.as_str(),
            got.filed.name.as_str()
        ),
        (plan.content.as_str(), "sm3-00ff", "韦建华")
    );
    assert_eq!(
        (got.kind, got.status, got.replied.is_none()),
        (FilingKind::Plan, FilingStatus::Filed, true)
    );
    assert_eq!(got.filed.at, plan.filed.at);
    // The city's office reads its own filings and those filed with it, newest first.
    let mine = FilingFilter {
        among: Some(vec![a.id]),
        ..Default::default()
    };
    let list = tx
        .list_filings(&mine, PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(titles(&list), ["甲县计划", "甲市第一轮", "甲市计划"]);
    assert_eq!(tx.count_filings(&mine).await.unwrap(), 3);
    // Pages by cursor, without gaps or repeats.
    let first = tx.list_filings(&mine, PageRequest::first(2)).await.unwrap();
    assert_eq!(
        first.len(),
        3,
        "a page of two reads one more to tell that more follow"
    );
    let next = PageRequest {
        after: Some(first[1].id),
        limit: 2,
    };
    let rest = tx.list_filings(&mine, next).await.unwrap();
    assert_eq!(titles(&rest), ["甲市计划"]);
    // Everyone's, and narrowed.
    let all = FilingFilter::default();
    assert_eq!(tx.count_filings(&all).await.unwrap(), 4);
    let with_province = FilingFilter {
        upper_id: Some(province.id),
        kind: Some(FilingKind::Plan),
        ..Default::default()
    };
    assert_eq!(
        titles(
            &tx.list_filings(&with_province, PageRequest::first(50))
                .await
                .unwrap()
        ),
        ["甲市计划"]
    );
    let of_subject = FilingFilter {
        subject_id: Some(other.subject_id),
        committee_id: Some(b.id),
        status: Some(FilingStatus::Filed),
        ..Default::default()
    };
    assert_eq!(tx.count_filings(&of_subject).await.unwrap(), 1);
    let none = FilingFilter {
        among: Some(Vec::new()),
        ..Default::default()
    };
    assert_eq!(tx.count_filings(&none).await.unwrap(), 0);
    assert!(
        tx.list_filings(&none, PageRequest::first(5))
            .await
            .unwrap()
            .is_empty()
    );
    drop(tx);

    // The answer is stored on the version read; a stale one is refused.
    let answered = Filing {
        status: FilingStatus::Commented,
        reply: "请补充回避安排".into(),
        replied: Some(Signature {
            by: None,
            name: "省委巡视办".into(),
            at: "2026-12-03T01:00:00Z".parse().unwrap(),
        }),
        version: 2,
        ..plan.clone()
    };
    let mut tx = s.store.write().await.unwrap();
    tx.update_filing(&answered).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.store.write().await.unwrap();
    expect_err!(
        tx.update_filing(&answered).await,
        CoreError::StaleVersion(_)
    );
    drop(tx);
    let mut tx = s.store.read().await.unwrap();
    let got = tx.get_filing(plan.id).await.unwrap().expect("stored");
    assert_eq!(
        (got.status, got.reply.as_str(), got.version),
        (FilingStatus::Commented, "请补充回避安排", 2)
    );
    assert_eq!(got.replied.map(|r| r.name), Some("省委巡视办".to_owned()));
    let waiting = FilingFilter {
        status: Some(FilingStatus::Filed),
        among: Some(vec![province.id]),
        ..Default::default()
    };
    assert_eq!(tx.count_filings(&waiting).await.unwrap(), 2);

    // The to-do: what waits for the city's own office (the county's plan), and for the office of
    // the top committee (those filed with a committee without a parent: the city's round and
    // the neighbour's report; the plan is answered).
    let frame = |committees: Vec<Id>, top: bool| FrameAsk {
        filings_for: Some(Answerer { committees, top }),
        ..Default::default()
    };
    let counted = tx
        .frame_counts(&[], &frame(vec![a.id], false))
        .await
        .unwrap();
    assert_eq!(counted.filings, 1);
    let counted = tx
        .frame_counts(&[], &frame(Vec::new(), true))
        .await
        .unwrap();
    assert_eq!(counted.filings, 2);
    let counted = tx
        .frame_counts(&[], &frame(vec![b.id], false))
        .await
        .unwrap();
    assert_eq!(counted.filings, 0);
    let to_answer = FilingFilter {
        status: Some(FilingStatus::Filed),
        answered_by: Some(Answerer {
            committees: vec![a.id],
            top: true,
        }),
        ..Default::default()
    };
    assert_eq!(
        titles(
            &tx.list_filings(&to_answer, PageRequest::first(50))
                .await
                .unwrap()
        ),
        ["乙市报告", "甲县计划", "甲市第一轮"]
    );
}
