//! Planning: terms, plans, rounds, inspections, their stages, who sees them, and coverage.

use xunshi_core::CoreError;
use xunshi_core::access::Access;
use xunshi_core::inspection::{Inspection, InspectionInput, Stage};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::service::{PlanInput, RoundInput, StageChange, TermInput};
use xunshi_core::store::{
    InspectionFilter, LeadershipRead, PlanningRead, PlanningWrite, Store, WriteTx,
};

use crate::harness::{
    Svc, audit_of_object, bad_fields, every_sort_meets_every_row, expect_err, generated, new_unit,
    user_with_role,
};

/// A committee with departments, a term, a plan and a round; returns the round's id.
async fn planned_round(s: &Svc) -> xunshi_core::Id {
    let committee = new_unit(s, "自治区党委", None).await;
    for name in ["宣传部", "组织部", "教育厅", "文化和旅游厅"] {
        new_unit(s, name, Some(committee.id)).await;
    }
    let office = Actor::system();
    let term = s
        .create_term(
            &office,
            &TermInput {
                name: "十一届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2016-11-18".into(),
                ends_on: None,
            },
        )
        .await
        .expect("create the term");
    let plan = s
        .create_plan(
            &office,
            &PlanInput {
                term_id: term.id.to_string(),
                year: 2019,
                title: "2019年巡视工作计划".into(),
                notes: String::new(),
            },
        )
        .await
        .expect("create the plan");
    s.create_round(
        &office,
        &RoundInput {
            plan_id: plan.id.to_string(),
            number: 7,
            name: String::new(),
        },
    )
    .await
    .expect("create the round")
    .id
}

fn input(round: xunshi_core::Id, team: &str, targets: &[&str]) -> InspectionInput {
    InspectionInput {
        round_id: round.to_string(),
        team_name: team.into(),
        targets: targets.iter().map(|t| (*t).to_owned()).collect(),
        kind: "routine".into(),
        planned_entry: Some("2019-09-18".into()),
        planned_exit: Some("2019-12-18".into()),
        ..Default::default()
    }
}

async fn move_to(
    s: &Svc,
    actor: &Actor,
    insp: &Inspection,
    to: Stage,
    date: Option<&str>,
) -> Result<Inspection, CoreError> {
    let (current, _) = s.get_inspection(&Actor::system(), insp.id).await?;
    s.change_stage(
        actor,
        insp.id,
        &StageChange {
            version: current.version,
            to,
            date: date.map(str::to_owned),
        },
    )
    .await
}

/// Puts an inspection at `stage` directly in the store, as the feedback service will.
async fn force_stage(s: &Svc, id: xunshi_core::Id, stage: Stage) {
    let mut tx = s.store.write().await.expect("a write transaction");
    let mut insp = tx.get_inspection(id).await.expect("read").expect("exists");
    insp.stage = stage;
    insp.version += 1;
    tx.update_inspection(&insp).await.expect("update");
    tx.commit().await.expect("commit");
}

pub async fn rounds_and_inspections_are_planned_with_their_rules(s: Svc) {
    let round = planned_round(&s).await;
    let office = Actor::system();
    let insp = s
        .create_inspection(&office, &input(round, "第三巡视组", &["宣传部"]))
        .await
        .expect("plan the seed inspection");
    assert_eq!(insp.stage, Stage::Planning);
    assert_eq!(insp.target_ids.len(), 1);

    let (view, _) = s
        .inspection_view(&office, insp.id)
        .await
        .expect("read the view");
    assert_eq!(view.targets[0].name, "宣传部");
    assert_eq!(view.dispatcher.name, "自治区党委");
    assert_eq!(view.round_name, "2019年第7轮巡视");

    let two = s
        .create_inspection(
            &office,
            &input(round, "第一巡视组", &["教育厅", "文化和旅游厅"]),
        )
        .await
        .expect("one team, two units");
    assert_eq!(two.target_ids.len(), 2);

    let e = expect_err!(
        s.create_inspection(
            &office,
            &input(
                round,
                "第二巡视组",
                &["宣传部", "组织部", "教育厅", "文化和旅游厅"]
            )
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["targets"]);
    let e = expect_err!(
        s.create_inspection(&office, &input(round, "第二巡视组", &["自治区党委"]))
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["targets"]);

    let (_, plan_round) = (round, s.get_round(&office, round).await.expect("the round"));
    let again = s
        .create_round(
            &office,
            &RoundInput {
                plan_id: plan_round.plan_id.to_string(),
                number: 7,
                name: String::new(),
            },
        )
        .await;
    expect_err!(again, CoreError::Conflict(_));

    // A look-back needs an earlier inspection of the same unit that has given feedback.
    let mut lb = input(round, "第二巡视组", &["宣传部"]);
    lb.kind = "look_back".into();
    lb.look_back_of = Some(insp.id.to_string());
    let e = expect_err!(s.create_inspection(&office, &lb).await, CoreError::Unfit(_));
    assert_eq!(bad_fields(&e), ["look_back_of"]);
    force_stage(&s, insp.id, Stage::FeedbackGiven).await;
    // Only a look-back (回头看) names the inspection it looks back on.
    let mut routine_link = lb.clone();
    routine_link.kind = "routine".into();
    let e = expect_err!(
        s.create_inspection(&office, &routine_link).await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["look_back_of"]);
    assert!(e.to_string().contains("回头看"), "{e}");
    let looked = s
        .create_inspection(&office, &lb)
        .await
        .expect("look back after feedback");
    assert_eq!(looked.look_back_of, Some(insp.id));
}

pub async fn stages_move_only_along_the_allowed_edges_by_allowed_roles(s: Svc) {
    let round = planned_round(&s).await;
    let office = user_with_role(&s, "office1", None, "office").await;
    let leadership = user_with_role(&s, "leader1", None, "leadership").await;
    let insp = s
        .create_inspection(&office, &input(round, "第三巡视组", &["宣传部"]))
        .await
        .expect("the office plans");

    let e = expect_err!(
        move_to(&s, &office, &insp, Stage::OnSite, None).await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("计划"), "{e}");
    expect_err!(
        move_to(&s, &leadership, &insp, Stage::Preparation, None).await,
        CoreError::Forbidden(_)
    );

    move_to(&s, &office, &insp, Stage::Preparation, None)
        .await
        .expect("to preparation");
    let on_site = move_to(&s, &office, &insp, Stage::OnSite, Some("2019-09-18"))
        .await
        .expect("enter");
    assert_eq!(on_site.dates.entry, Some("2019-09-18".parse().unwrap()));
    let e = expect_err!(
        move_to(&s, &office, &insp, Stage::Reporting, Some("2019-09-01")).await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["date"]);
    let reporting = move_to(&s, &office, &insp, Stage::Reporting, Some("2019-12-18"))
        .await
        .expect("leave");
    assert_eq!(reporting.dates.exit, Some("2019-12-18".parse().unwrap()));
    // Feedback is given through the feedback service, never as a bare stage change.
    expect_err!(
        move_to(&s, &office, &insp, Stage::FeedbackGiven, None).await,
        CoreError::RuleRefused(_)
    );

    // A stale version is refused and changes nothing.
    let stale = s
        .change_stage(
            &office,
            insp.id,
            &StageChange {
                version: 1,
                to: Stage::Planning,
                date: None,
            },
        )
        .await;
    expect_err!(stale, CoreError::StaleVersion(_));
    let (now, _) = s.get_inspection(&office, insp.id).await.unwrap();
    assert_eq!(now.stage, Stage::Reporting);

    // After entry the plan is fixed.
    let edit = s
        .update_inspection(
            &office,
            insp.id,
            now.version,
            &input(round, "第三巡视组", &["组织部"]),
        )
        .await;
    expect_err!(edit, CoreError::RuleRefused(_));

    let moves: Vec<_> = audit_of_object(&s, "inspection", insp.id)
        .await
        .into_iter()
        .filter(|r| r.action == "inspection_stage_changed")
        .collect();
    assert_eq!(moves.len(), 3, "each stage change is audited once");
}

pub async fn inspections_are_shown_only_to_those_who_may_see_them(s: Svc) {
    let round = planned_round(&s).await;
    let office = user_with_role(&s, "office1", None, "office").await;
    let leadership = user_with_role(&s, "leader1", None, "leadership").await;
    let liaison = user_with_role(&s, "liaison1", Some("宣传部"), "unit_liaison").await;
    let other_unit = user_with_role(&s, "liaison2", Some("组织部"), "unit_liaison").await;
    let discipline = user_with_role(&s, "jiwei1", None, "discipline").await;
    let seed = s
        .create_inspection(&office, &input(round, "第三巡视组", &["宣传部"]))
        .await
        .unwrap();
    s.create_inspection(&office, &input(round, "第一巡视组", &["教育厅"]))
        .await
        .unwrap();

    let count = |a: Actor| {
        let s = s.clone();
        async move {
            s.list_inspections(&a, &InspectionFilter::default(), PageRequest::first(50))
                .await
                .expect("list")
                .items
                .len()
        }
    };
    assert_eq!(count(office.clone()).await, 2);
    assert_eq!(count(leadership.clone()).await, 2);
    assert_eq!(
        count(liaison.clone()).await,
        0,
        "the unit sees nothing before feedback"
    );
    assert_eq!(count(discipline.clone()).await, 0);
    // The sorted list counts in the database what it shows, under the own-unit rule too: an
    // office account of an inspected unit does not see, nor count, that unit's inspection.
    let office_of_unit = user_with_role(&s, "office2", Some("宣传部"), "office").await;
    for (who, n) in [
        (&office, 2),
        (&leadership, 2),
        (&liaison, 0),
        (&discipline, 0),
        (&office_of_unit, 1),
    ] {
        let p = s
            .inspection_page(
                who,
                &InspectionFilter::default(),
                Default::default(),
                None,
                50,
            )
            .await
            .expect("a sorted page");
        assert_eq!((p.items.len(), p.total), (n, n as i64));
        assert!(p.items.iter().all(|v| v.inspection.id != seed.id) || n == 2);
    }
    expect_err!(
        s.get_inspection(&liaison, seed.id).await,
        CoreError::NotFound(_)
    );
    // Leadership reads but changes nothing.
    let (_, access) = s.get_inspection(&leadership, seed.id).await.unwrap();
    assert_eq!(access, Access::Read);
    expect_err!(
        s.update_inspection(
            &leadership,
            seed.id,
            1,
            &input(round, "第三巡视组", &["组织部"])
        )
        .await,
        CoreError::Forbidden(_)
    );

    force_stage(&s, seed.id, Stage::FeedbackGiven).await;
    assert_eq!(
        count(liaison.clone()).await,
        1,
        "after feedback the unit sees its own inspection"
    );
    let (_, access) = s.get_inspection(&liaison, seed.id).await.unwrap();
    assert_eq!(access, Access::FeedbackOnly);
    assert_eq!(count(other_unit.clone()).await, 0);
    let by_unit = s
        .list_inspections(
            &office,
            &InspectionFilter {
                round_id: Some(round),
                unit_id: Some(seed.target_ids[0]),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(by_unit.items.len(), 1);
    let by_stage = s
        .list_inspections(
            &office,
            &InspectionFilter {
                stage: Some(Stage::Planning),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(by_stage.items.len(), 1);
}

pub async fn coverage_shows_which_units_the_term_has_reached(s: Svc) {
    let round = planned_round(&s).await;
    let office = Actor::system();
    // A lower committee is the dispatcher's to cover; the units below it are its own.
    let root = s
        .resolve_unit(&office, "自治区党委")
        .await
        .expect("the committee");
    let city = s
        .create_unit(
            &office,
            &xunshi_core::org::UnitInput {
                name: "南宁市委".into(),
                kind: "lower_committee".into(),
                level: "city".into(),
                parent_id: Some(root.id.to_string()),
            },
        )
        .await
        .expect("a lower committee");
    new_unit(&s, "南宁市委宣传部", Some(city.id)).await;
    s.create_inspection(&office, &input(round, "第三巡视组", &["宣传部"]))
        .await
        .unwrap();
    s.create_inspection(
        &office,
        &input(round, "第一巡视组", &["教育厅", "文化和旅游厅"]),
    )
    .await
    .unwrap();
    let terms = s.list_terms(&office).await.unwrap();
    let cov = s.coverage(&office, terms[0].id).await.expect("coverage");
    assert_eq!(
        cov.total, 5,
        "the four departments and the lower committee under the committee, not the committee \
         itself nor the lower committee's department"
    );
    assert_eq!(cov.covered, 3);
    let counted = s
        .store
        .read()
        .await
        .expect("a read")
        .coverage_count(terms[0].id, root.id)
        .await
        .expect("the count");
    assert_eq!(
        (counted.total, counted.covered),
        (5, 3),
        "the store's count agrees"
    );
    let mut missing: Vec<_> = cov
        .rows
        .iter()
        .filter(|r| r.inspections.is_empty())
        .map(|r| r.unit.name.as_str())
        .collect();
    missing.sort();
    let mut expected = ["组织部", "南宁市委"];
    expected.sort();
    assert_eq!(missing, expected);
    let liaison = user_with_role(&s, "liaison1", Some("宣传部"), "unit_liaison").await;
    expect_err!(
        s.coverage(&liaison, terms[0].id).await,
        CoreError::Forbidden(_)
    );
}

/// The targets of an inspection keep their history: a unit taken off is withdrawn (its row
/// kept, with the time), one named again is restored; lists by unit follow the live targets.
pub async fn inspection_targets_are_withdrawn_never_deleted(s: Svc) {
    let round = planned_round(&s).await;
    let office = Actor::system();
    let insp = s
        .create_inspection(&office, &input(round, "第四巡视组", &["宣传部", "组织部"]))
        .await
        .expect("planned");
    let (propaganda, organisation) = (insp.target_ids[0], insp.target_ids[1]);
    let by_unit = |u: xunshi_core::Id| InspectionFilter {
        unit_id: Some(u),
        ..Default::default()
    };
    let rows = |s: Svc, id: xunshi_core::Id| async move {
        use sqlx::Row;
        sqlx::query(
            "SELECT unit_id, withdrawn_at FROM inspection_targets
              WHERE inspection_id = $1 ORDER BY unit_id",
        )
        .bind(id.to_string())
        .fetch_all(&s.store.pool)
        .await
        .expect("read the targets")
        .iter()
        .map(|r| {
            (
                r.get::<String, _>("unit_id"),
                r.get::<Option<String>, _>("withdrawn_at").is_some(),
            )
        })
        .collect::<Vec<_>>()
    };
    // Take the organisation department off: its row stays, withdrawn.
    let mut tx = s.store.write().await.unwrap();
    let mut x = tx.get_inspection(insp.id).await.unwrap().unwrap();
    x.target_ids = vec![propaganda];
    x.version += 1;
    x.updated_at = jiff::Timestamp::now();
    tx.update_inspection(&x).await.unwrap();
    tx.commit().await.unwrap();
    let mut want = vec![
        (propaganda.to_string(), false),
        (organisation.to_string(), true),
    ];
    want.sort();
    assert_eq!(rows(s.clone(), insp.id).await, want);
    let mut tx = s.store.read().await.unwrap();
    assert_eq!(
        tx.get_inspection(insp.id)
            .await
            .unwrap()
            .unwrap()
            .target_ids,
        [propaganda]
    );
    let listed = tx
        .list_inspections(
            &by_unit(organisation),
            &xunshi_core::access::Visible::All,
            PageRequest::first(10),
        )
        .await
        .unwrap();
    assert!(listed.is_empty(), "a withdrawn target lists nothing");
    drop(tx);
    // Name it again: the same row is restored.
    let mut tx = s.store.write().await.unwrap();
    let mut x = tx.get_inspection(insp.id).await.unwrap().unwrap();
    x.target_ids = vec![organisation, propaganda];
    x.version += 1;
    tx.update_inspection(&x).await.unwrap();
    tx.commit().await.unwrap();
    let mut want = vec![
        (propaganda.to_string(), false),
        (organisation.to_string(), false),
    ];
    want.sort();
    assert_eq!(rows(s.clone(), insp.id).await, want);
    let mut tx = s.store.read().await.unwrap();
    assert_eq!(
        tx.get_inspection(insp.id)
            .await
            .unwrap()
            .unwrap()
            .target_ids,
        [organisation, propaganda],
        "in the order given"
    );
}

/// Every order of the inspection list and of the clue list, both ways, walked a page at a
/// time forward and then back from the last page: each meets every row once, in the order of
/// its key and then id, and the total is the list's. On a small generated province, whose
/// rows share many keys (the same stage, kind, round or letter), so ties are broken by id
/// across page boundaries. A text filter narrows rows and total alike.
pub async fn inspections_and_clues_page_by_every_sort_forward_and_back(mut s: Svc) {
    use xunshi_core::service::ClueListFilter;
    use xunshi_core::store::{ClueSort, InspectionSort};
    use xunshi_store::generate::Counts;

    generated(
        &mut s,
        7,
        Counts {
            inspections: 90,
            clues: 120,
            ..Counts::for_tasks(200)
        },
    )
    .await;
    let office = Actor::system();
    let all = InspectionFilter::default();
    let whole = s
        .inspection_page(&office, &all, InspectionSort::default(), None, 500)
        .await
        .expect("every inspection");
    assert!(whole.next_cursor.is_none() && whole.prev_cursor.is_none());
    assert_eq!(whole.total, whole.items.len() as i64);
    assert!(whole.total >= 90, "{}", whole.total);
    let inspections: Vec<Inspection> = whole.items.iter().map(|v| v.inspection.clone()).collect();
    every_sort_meets_every_row(
        &inspections,
        whole.total,
        13,
        |i| i.id,
        |sort: InspectionSort, i| sort.key_of(i),
        async |sort, at| {
            s.inspection_page(&office, &all, sort, at, 13)
                .await
                .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
        },
        |v| v.inspection.id,
    )
    .await;
    // The text filter: part of a team's name narrows the rows and the total alike.
    let team = &inspections[0].team_name;
    let part: String = team.chars().skip(1).take(3).collect();
    let narrowed = s
        .inspection_page(
            &office,
            &InspectionFilter {
                q: Some(part.clone()),
                ..Default::default()
            },
            InspectionSort::default(),
            None,
            500,
        )
        .await
        .expect("a filtered page");
    assert!(
        narrowed
            .items
            .iter()
            .any(|v| v.inspection.id == inspections[0].id)
    );
    assert_eq!(narrowed.total, narrowed.items.len() as i64);
    assert!(narrowed.total < whole.total, "{part}: {}", narrowed.total);

    // The clues, as the office reads them.
    let none = ClueListFilter::default();
    let whole = s
        .clue_page(&office, &none, ClueSort::default(), None, 500)
        .await
        .expect("every clue");
    assert_eq!(whole.total, whole.items.len() as i64);
    assert!(whole.total >= 120, "{}", whole.total);
    assert!(
        whole.items.iter().any(|e| e.clue.transfer.is_some())
            && whole.items.iter().any(|e| e.clue.transfer.is_none()),
        "sent and unsent clues"
    );
    let clues: Vec<_> = whole.items.iter().map(|e| e.clue.clone()).collect();
    every_sort_meets_every_row(
        &clues,
        whole.total,
        17,
        |c| c.id,
        |sort: ClueSort, c| sort.key_of(c),
        async |sort, at| {
            s.clue_page(&office, &none, sort, at, 17)
                .await
                .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
        },
        |e| e.clue.id,
    )
    .await;
    let about = &clues[0].about_name;
    let narrowed = s
        .clue_page(
            &office,
            &ClueListFilter {
                q: Some(about.clone()),
                ..Default::default()
            },
            ClueSort::default(),
            None,
            500,
        )
        .await
        .expect("a filtered page");
    assert!(narrowed.items.iter().all(|e| {
        e.clue.about_name.contains(about.as_str()) || e.clue.about_post.contains(about.as_str())
    }));
    assert_eq!(narrowed.total, narrowed.items.len() as i64);
    assert!(narrowed.total >= 1 && narrowed.total < whole.total);
}
