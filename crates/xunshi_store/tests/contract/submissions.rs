//! Idempotent submissions (migration 0015): the key of a request is recorded with the record it
//! created, in the same transaction; a repeat of the key never makes a second record; keys are
//! forgotten after a day. And the own-unit rule's parent walk, read with the actor.

use jiff::SignedDuration;
use xunshi_core::CoreError;
use xunshi_core::permission::{Actor, SubmissionTag};
use xunshi_core::store::{Store, SubmissionAnswer, SubmissionRead, UnitFilter};

use crate::harness::{
    Svc, TestClock, all_at_once, expect_err, new_unit, new_user, session_actor, unit_input,
    user_with_role,
};

fn tagged(actor: &Actor, key: &str, route: &str) -> Actor {
    actor.clone().with_submission(SubmissionTag {
        key: key.to_owned(),
        route: route.to_owned(),
        nonce: xunshi_core::Id::new().to_string(),
    })
}

async fn unit_count(s: &Svc) -> usize {
    s.list_units(
        &Actor::system(),
        &UnitFilter::default(),
        xunshi_core::page::PageRequest::first(500),
    )
    .await
    .expect("list units")
    .items
    .len()
}

pub async fn a_repeated_key_makes_one_record_and_keeps_the_first_answer(s: Svc) {
    let office = user_with_role(&s, "office.idem", None, "office").await;
    let route = "POST /units";
    let first = tagged(&office, "k-1", route);
    let unit = s
        .create_unit(&first, &unit_input("自治区审计厅", None))
        .await
        .expect("the first request creates");
    let found = s.submission(&first).await.expect("read").expect("key kept");
    assert_eq!(found.nonce, first.submission().unwrap().nonce);
    assert_eq!(found.object_type, "unit");
    assert_eq!(found.object_id, Some(unit.id));
    assert_eq!(found.answer, None, "not answered yet");
    let answer = SubmissionAnswer {
        status: 303,
        location: Some(format!("/units/{}", unit.id)),
        content_type: None,
        body: String::new(),
    };
    assert!(s.answer_submission(&first, &answer).await.expect("note"));

    // A repeat (another request of the same key) is refused before it writes anything, even
    // with other content, and finds the first answer.
    let before = unit_count(&s).await;
    let repeat = tagged(&office, "k-1", route);
    expect_err!(
        s.create_unit(&repeat, &unit_input("自治区统计局", None))
            .await,
        CoreError::Conflict(_)
    );
    assert_eq!(unit_count(&s).await, before);
    let seen = s.submission(&repeat).await.expect("read").expect("kept");
    assert_eq!(seen.answer, Some(answer.clone()));
    assert!(
        !s.answer_submission(&repeat, &answer).await.expect("note"),
        "only the request that made the record notes the answer"
    );

    // The same key to another address, or from another account, is another submission.
    let elsewhere = tagged(&office, "k-1", "POST /units/other");
    s.create_unit(&elsewhere, &unit_input("自治区统计局", None))
        .await
        .expect("another route");
    let other = user_with_role(&s, "office.other", None, "office").await;
    s.create_unit(
        &tagged(&other, "k-1", route),
        &unit_input("自治区民政厅", None),
    )
    .await
    .expect("another account");

    // A request refused for its input created nothing and claimed nothing.
    let bad = tagged(&office, "k-2", route);
    expect_err!(
        s.create_unit(&bad, &unit_input(" ", None)).await,
        CoreError::BadInput(_)
    );
    assert!(s.submission(&bad).await.expect("read").is_none());
    s.create_unit(
        &tagged(&office, "k-2", route),
        &unit_input("自治区林业局", None),
    )
    .await
    .expect("the corrected form goes through");
}

pub async fn a_double_click_at_once_makes_one_record(s: Svc) {
    let office = user_with_role(&s, "office.click", None, "office").await;
    let before = unit_count(&s).await;
    let results = all_at_once(6, |_| {
        let s = s.clone();
        let actor = tagged(&office, "double-click", "POST /units");
        async move {
            s.create_unit(&actor, &unit_input("自治区体育局", None))
                .await
        }
    })
    .await;
    let made = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(made, 1, "{results:?}");
    for r in &results {
        if let Err(e) = r {
            assert!(
                matches!(e, CoreError::Conflict(_)),
                "a repeat is refused as a repeat, not as anything else: {e}"
            );
        }
    }
    assert_eq!(unit_count(&s).await, before + 1);
}

pub async fn keys_are_forgotten_after_a_day(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let office = user_with_role(&s, "office.purge", None, "office").await;
    let old = tagged(&office, "old", "POST /units");
    s.create_unit(&old, &unit_input("自治区水利厅", None))
        .await
        .expect("create");
    clock.advance(SignedDuration::from_hours(23));
    let fresh = tagged(&office, "fresh", "POST /units");
    s.create_unit(&fresh, &unit_input("自治区商务厅", None))
        .await
        .expect("create");
    clock.advance(SignedDuration::from_hours(2));
    assert!(
        s.submission(&old).await.expect("read").is_none(),
        "older than a day: not given again even before the purge"
    );
    s.maintenance().await.expect("upkeep");
    let uid = office.user_id().unwrap();
    let mut tx = s.store.read().await.expect("read");
    assert!(
        tx.get_submission(uid, "old", "POST /units")
            .await
            .expect("read")
            .is_none()
    );
    assert!(
        tx.get_submission(uid, "fresh", "POST /units")
            .await
            .expect("read")
            .is_some()
    );
    drop(tx);
    // A forgotten key may be used again.
    s.create_unit(
        &tagged(&office, "old", "POST /units"),
        &unit_input("自治区文化厅", None),
    )
    .await
    .expect("a purged key is new again");
}

pub async fn an_actor_belongs_to_the_units_above_its_own(s: Svc) {
    let root = new_unit(&s, "自治区党委", None).await;
    let dept = new_unit(&s, "自治区党委宣传部", Some(root.id)).await;
    let sub = new_unit(&s, "宣传部机关纪委", Some(dept.id)).await;
    let office = new_unit(&s, "巡视办", Some(root.id)).await;
    new_user(
        &s,
        "jiwei.sub",
        Some(&sub.id.to_string()),
        Some("discipline"),
    )
    .await;
    let actor = session_actor(&s, "jiwei.sub").await;
    for u in [sub.id, dept.id, root.id] {
        assert!(xunshi_core::own_unit::belongs_to(&actor, u), "{u}");
    }
    assert!(!xunshi_core::own_unit::belongs_to(&actor, office.id));
}
