//! Problem clues: the register, transfers in batches, who sees which clue, the recipients'
//! disposal, the handling clock and its settings, and the audit of every read.

use std::collections::HashSet;

use jiff::SignedDuration;
use jiff::civil::date;
use xunshi_core::clue::{
    ClockColour, ClueInput, ClueSettingsInput, ClueStatus, DisposalInput, Recipient, RecipientKind,
    TransferInput,
};
use xunshi_core::inspection::{Inspection, InspectionInput, Stage};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::{ClueListFilter, PlanInput, RoundInput, TermInput};
use xunshi_core::store::{PlanningRead, PlanningWrite, Store, TransferFilter, WriteTx};
use xunshi_core::{CoreError, Id};

use crate::harness::{
    Svc, TestClock, actor_of, audit_len, audit_of_action, audit_of_object, bad_fields, expect_err,
    new_unit, new_user, user_with_role,
};

/// The people and the inspection every case starts from: the provincial committee inspects
/// its propaganda department; the discipline commission, the organization department and the
/// culture and tourism department receive clues.
pub(crate) struct World {
    pub(crate) insp: Inspection,
    pub(crate) other_insp: Inspection,
    pub(crate) culture: Id,
    pub(crate) office: Actor,
    pub(crate) leadership: Actor,
    pub(crate) leader: Actor,
    pub(crate) member: Actor,
    pub(crate) other_team: Actor,
    pub(crate) discipline: Actor,
    pub(crate) organization: Actor,
    pub(crate) culture_staff: Actor,
    pub(crate) unit_principal: Actor,
    pub(crate) unit_staff: Actor,
}

async fn inspection(s: &Svc, round: &str, team: &str, target: &str) -> Inspection {
    s.create_inspection(
        &Actor::system(),
        &InspectionInput {
            round_id: round.to_owned(),
            team_name: team.to_owned(),
            targets: vec![target.to_owned()],
            kind: "routine".into(),
            ..Default::default()
        },
    )
    .await
    .expect("create an inspection")
}

/// A user on the team of `insp`. Team roles are granted when a team is formed (another
/// area's service); here the grant is stored directly.
pub async fn team_user(s: &Svc, username: &str, role: Role, insp: Id) -> Actor {
    let u = new_user(s, username, None, None).await;
    let mut tx = s.store.write().await.expect("a write transaction");
    tx.insert_grant(&Grant {
        id: Id::new(),
        user_id: u.id,
        role,
        scope: Scope::Inspection(insp),
        granted_by: None,
        created_at: jiff::Timestamp::now(),
    })
    .await
    .expect("store the team grant");
    tx.commit().await.expect("commit");
    actor_of(s, u.id).await
}

async fn world(s: &Svc) -> World {
    let sys = Actor::system();
    let committee = s
        .create_unit(
            &sys,
            &xunshi_core::org::UnitInput {
                name: "自治区党委".into(),
                kind: "committee".into(),
                level: "provincial".into(),
                parent_id: None,
            },
        )
        .await
        .expect("the committee");
    new_unit(s, "自治区党委宣传部", Some(committee.id)).await;
    new_unit(s, "自治区党委统战部", Some(committee.id)).await;
    new_unit(s, "自治区纪委监委", Some(committee.id)).await;
    new_unit(s, "自治区党委组织部", Some(committee.id)).await;
    let culture = new_unit(s, "区文化和旅游厅", Some(committee.id)).await;
    let term = s
        .create_term(
            &sys,
            &TermInput {
                name: "十一届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2017-01-01".into(),
                ends_on: None,
            },
        )
        .await
        .expect("a term");
    let plan = s
        .create_plan(
            &sys,
            &PlanInput {
                term_id: term.id.to_string(),
                year: 2025,
                title: "2025年巡视工作计划".into(),
                notes: String::new(),
            },
        )
        .await
        .expect("a plan");
    let round = s
        .create_round(
            &sys,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 5,
                name: String::new(),
            },
        )
        .await
        .expect("a round");
    let rid = round.id.to_string();
    let insp = inspection(s, &rid, "第三巡视组", "自治区党委宣传部").await;
    let other_insp = inspection(s, &rid, "第四巡视组", "自治区党委统战部").await;
    World {
        office: user_with_role(s, "office1", None, "office").await,
        leadership: user_with_role(s, "leader1", None, "leadership").await,
        leader: team_user(s, "zuzhang", Role::TeamLeader, insp.id).await,
        member: team_user(s, "zuyuan", Role::TeamMember, insp.id).await,
        other_team: team_user(s, "zuyuan4", Role::TeamMember, other_insp.id).await,
        discipline: user_with_role(s, "jiwei", Some("自治区纪委监委"), "discipline").await,
        organization: user_with_role(s, "zuzhibu", Some("自治区党委组织部"), "organization").await,
        culture_staff: user_with_role(s, "wenlv", Some("区文化和旅游厅"), "unit_staff").await,
        unit_principal: user_with_role(s, "xcb-head", Some("自治区党委宣传部"), "unit_principal")
            .await,
        unit_staff: user_with_role(s, "xcb-staff", Some("自治区党委宣传部"), "unit_staff").await,
        culture: culture.id,
        insp,
        other_insp,
    }
}

fn clue_input(about: &str, kind: &str) -> ClueInput {
    ClueInput {
        about_name: about.to_owned(),
        about_post: "副部长".into(),
        about_unit: Some("自治区党委宣传部".into()),
        summary: format!("反映{about}违规收受管理服务对象礼金"),
        source: "来信".into(),
        confidentiality: "秘密".into(),
        kind: kind.to_owned(),
    }
}

fn transfer_input(recipient: &str, letter_no: &str, on: &str, ids: &[Id]) -> TransferInput {
    TransferInput {
        recipient: recipient.to_owned(),
        department: None,
        letter_no: letter_no.to_owned(),
        letter_text: "根据巡视工作有关规定，现将巡视中发现的问题线索移交你单位，请按规定处理，并在三个月内将办理情况反馈巡视办。".into(),
        transferred_on: on.to_owned(),
        clue_ids: ids.iter().map(Id::to_string).collect(),
    }
}

async fn list(s: &Svc, actor: &Actor, f: ClueListFilter) -> Vec<xunshi_core::service::ClueEntry> {
    let p = s
        .list_clues(actor, &f, PageRequest::first(100))
        .await
        .expect("list clues");
    assert!(p.next_cursor.is_none(), "one page holds every clue here");
    // The total is counted under the same scope as the rows: whoever reads, it is what shows.
    assert_eq!(
        p.total,
        Some(p.items.len() as i64),
        "the total of what is shown"
    );
    p.items
}

fn about(items: &[xunshi_core::service::ClueEntry]) -> Vec<&str> {
    let mut v: Vec<_> = items.iter().map(|e| e.clue.about_name.as_str()).collect();
    v.sort_unstable();
    v
}

/// Moves the inspection to feedback the way the feedback service will: through the store.
async fn give_feedback(s: &Svc, id: Id) {
    let mut tx = s.store.write().await.expect("a write transaction");
    let mut insp = tx
        .get_inspection(id)
        .await
        .expect("read")
        .expect("the inspection");
    insp.stage = Stage::FeedbackGiven;
    insp.version += 1;
    tx.update_inspection(&insp).await.expect("update");
    tx.commit().await.expect("commit");
}

/// The world with three clues transferred: two to the discipline commission, one to the
/// organization department, one to the culture department; one clue stays registered.
pub(crate) struct Transferred {
    pub(crate) w: World,
    to_discipline: Vec<Id>,
    to_organization: Id,
    to_culture: Id,
    registered: Id,
}

pub(crate) async fn transferred(s: &Svc) -> Transferred {
    let w = world(s).await;
    let reg = |about: &'static str, kind: &'static str| {
        let s = s.clone();
        let member = w.member.clone();
        let insp = w.insp.id;
        async move {
            s.register_clue(&member, insp, &clue_input(about, kind))
                .await
                .unwrap_or_else(|e| panic!("register {about}: {e}"))
                .id
        }
    };
    let a = reg("张某某", "领导干部问题").await;
    let b = reg("李某某", "leading_cadre").await;
    let c = reg("王某某", "选人用人问题").await;
    let d = reg("赵某某", "其他问题").await;
    let e = reg("钱某某", "领导干部问题").await;
    s.create_transfer(
        &w.leader,
        w.insp.id,
        &transfer_input("discipline", "桂巡移〔2025〕1号", "2025-12-10", &[a, b]),
    )
    .await
    .expect("transfer to the discipline commission");
    s.create_transfer(
        &w.office,
        w.insp.id,
        &transfer_input("组织部", "桂巡移〔2025〕2号", "2025-12-10", &[c]),
    )
    .await
    .expect("transfer to the organization department");
    s.create_transfer(
        &w.leader,
        w.insp.id,
        &TransferInput {
            department: Some("区文化和旅游厅".into()),
            ..transfer_input("department", "桂巡移〔2025〕3号", "2025-12-10", &[d])
        },
    )
    .await
    .expect("transfer to a department");
    Transferred {
        w,
        to_discipline: vec![a, b],
        to_organization: c,
        to_culture: d,
        registered: e,
    }
}

pub async fn clues_are_registered_and_transferred_in_a_batch(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let w = world(&s).await;
    let a = s
        .register_clue(&w.member, w.insp.id, &clue_input("张某某", "领导干部问题"))
        .await
        .expect("a team member registers a clue");
    assert_eq!(a.status, ClueStatus::Registered);
    assert_eq!(a.version, 1);
    assert!(a.transfer.is_none() && a.disposal.is_none());
    assert!(a.about_unit_id.is_some(), "the unit is resolved by name");
    assert_eq!(a.kind.proposed_recipient(), RecipientKind::Discipline);
    let b = s
        .register_clue(&w.office, w.insp.id, &clue_input("李某某", "领导干部问题"))
        .await
        .expect("the office registers a clue");
    let bad = expect_err!(
        s.register_clue(
            &w.member,
            w.insp.id,
            &ClueInput {
                about_name: " ".into(),
                summary: String::new(),
                source: "传真".into(),
                ..clue_input("x", "领导干部问题")
            },
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&bad), ["about_name", "summary", "source"]);

    // A member prepares, but only the leader or the office transfers.
    let input = transfer_input(
        "discipline",
        "桂巡移〔2026〕3号",
        "2026-03-01",
        &[a.id, b.id],
    );
    expect_err!(
        s.create_transfer(&w.member, w.insp.id, &input).await,
        CoreError::Forbidden(_)
    );
    let t = s
        .create_transfer(&w.leader, w.insp.id, &input)
        .await
        .expect("the leader transfers the batch");
    assert_eq!(t.recipient, Recipient::Discipline);
    assert_eq!(t.recipient_name, "纪委监委");
    assert_eq!(t.transferred_on, date(2026, 3, 1));
    assert_eq!(t.due_on, date(2026, 6, 1), "three calendar months");
    let mut ids = vec![a.id, b.id];
    ids.sort();
    assert_eq!(t.clue_ids, ids);
    for id in [a.id, b.id] {
        let e = s.get_clue(&w.office, id).await.expect("read back");
        assert_eq!(e.clue.status, ClueStatus::Transferred);
        assert_eq!(e.clue.version, 2);
        let tr = e.clue.transfer.expect("its transfer");
        assert_eq!(tr.id, t.id);
        assert_eq!(tr.letter_no, "桂巡移〔2026〕3号");
        assert_eq!(e.clock, Some(ClockColour::Green));
    }
    let letter = s.get_transfer(&w.office, t.id).await.expect("the letter");
    assert_eq!(letter.clues.len(), 2);
    assert_eq!(letter.inspection.team_name, "第三巡视组");
    assert_eq!(letter.inspection.targets, ["自治区党委宣传部"]);
    assert_eq!(letter.inspection.dispatcher, "自治区党委");
    assert_eq!(audit_of_object(&s, "clue_transfer", t.id).await.len(), 1);
    assert_eq!(audit_of_action(&s, "clue_registered").await.len(), 2);
}

pub async fn a_refused_transfer_writes_nothing(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let w = world(&s).await;
    let reg = |insp: Id, who: &'static str| {
        let s = s.clone();
        let a = w.office.clone();
        async move {
            s.register_clue(&a, insp, &clue_input(who, "领导干部问题"))
                .await
                .expect("register")
                .id
        }
    };
    let a = reg(w.insp.id, "张某某").await;
    let b = reg(w.insp.id, "李某某").await;
    let elsewhere = reg(w.other_insp.id, "孙某某").await;
    s.create_transfer(
        &w.office,
        w.insp.id,
        &transfer_input("discipline", "桂巡移〔2026〕1号", "2026-03-01", &[a]),
    )
    .await
    .expect("the first transfer");
    let before = audit_len(&s).await;

    // A clue already sent, one of another inspection, a clue id that names nothing.
    let e = expect_err!(
        s.create_transfer(
            &w.office,
            w.insp.id,
            &transfer_input("discipline", "桂巡移〔2026〕2号", "2026-03-01", &[b, a]),
        )
        .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("张某某"), "{e}");
    let e = expect_err!(
        s.create_transfer(
            &w.office,
            w.insp.id,
            &transfer_input(
                "discipline",
                "桂巡移〔2026〕2号",
                "2026-03-01",
                &[b, elsewhere]
            ),
        )
        .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["clue_ids"]);
    expect_err!(
        s.create_transfer(
            &w.office,
            w.insp.id,
            &transfer_input(
                "discipline",
                "桂巡移〔2026〕2号",
                "2026-03-01",
                &[b, Id::new()]
            ),
        )
        .await,
        CoreError::Unfit(_)
    );
    // The letter number is taken; a date after today; no clue at all.
    let e = expect_err!(
        s.create_transfer(
            &w.office,
            w.insp.id,
            &transfer_input("discipline", "桂巡移〔2026〕1号", "2026-03-01", &[b]),
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["letter_no"]);
    let e = expect_err!(
        s.create_transfer(
            &w.office,
            w.insp.id,
            &transfer_input("discipline", "桂巡移〔2026〕2号", "2026-03-03", &[]),
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["transferred_on", "clue_ids"]);
    // The inspected unit is never a recipient of its own inspection's clues.
    let e = expect_err!(
        s.create_transfer(
            &w.office,
            w.insp.id,
            &TransferInput {
                department: Some("自治区党委宣传部".into()),
                ..transfer_input("department", "桂巡移〔2026〕2号", "2026-03-01", &[b])
            },
        )
        .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("被巡视单位"), "{e}");

    assert_eq!(
        audit_len(&s).await,
        before,
        "no refused transfer left a trace"
    );
    let b_now = s.get_clue(&w.office, b).await.expect("b");
    assert_eq!(b_now.clue.status, ClueStatus::Registered);
    assert_eq!(b_now.clue.version, 1);
    let all = s
        .list_transfers(
            &w.office,
            &TransferFilter::default(),
            PageRequest::first(10),
        )
        .await
        .expect("transfers");
    assert_eq!(all.items.len(), 1);
}

pub async fn each_recipient_sees_only_what_was_transferred_to_it(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    let all = ClueListFilter::default;

    assert_eq!(
        about(&list(&s, &w.discipline, all()).await),
        ["张某某", "李某某"]
    );
    assert_eq!(about(&list(&s, &w.organization, all()).await), ["王某某"]);
    assert_eq!(about(&list(&s, &w.culture_staff, all()).await), ["赵某某"]);
    assert_eq!(
        about(&list(&s, &w.office, all()).await),
        ["张某某", "李某某", "王某某", "赵某某", "钱某某"]
    );
    assert_eq!(list(&s, &w.leadership, all()).await.len(), 5);
    assert_eq!(list(&s, &w.member, all()).await.len(), 5);
    assert!(list(&s, &w.other_team, all()).await.is_empty());

    let theirs = list(&s, &w.discipline, all()).await;
    assert!(theirs.iter().all(|e| e.may_dispose));
    assert_eq!(theirs[0].inspection.targets, ["自治区党委宣传部"]);

    // Reading another recipient's clue by id: as if it did not exist.
    expect_err!(
        s.get_clue(&w.organization, t.to_discipline[0]).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.get_clue(&w.discipline, t.to_organization).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.get_clue(&w.culture_staff, t.to_discipline[0]).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.get_clue(&w.discipline, t.registered).await,
        CoreError::NotFound(_)
    );
    let theirs = s
        .get_clue(&w.culture_staff, t.to_culture)
        .await
        .expect("the department reads its clue");
    let sent = theirs.clue.transfer.expect("sent");
    assert_eq!(sent.recipient, Recipient::Department { unit_id: w.culture });
    assert_eq!(sent.recipient_name, "区文化和旅游厅");

    let transfers = |a: Actor| {
        let s = s.clone();
        async move {
            s.list_transfers(&a, &TransferFilter::default(), PageRequest::first(10))
                .await
                .expect("transfers")
                .items
                .into_iter()
                .map(|t| t.letter_no)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(transfers(w.discipline.clone()).await, ["桂巡移〔2025〕1号"]);
    assert_eq!(
        transfers(w.organization.clone()).await,
        ["桂巡移〔2025〕2号"]
    );
    assert_eq!(
        transfers(w.culture_staff.clone()).await,
        ["桂巡移〔2025〕3号"]
    );
    assert_eq!(transfers(w.office.clone()).await.len(), 3);

    // A recipient reads its clues but not the inspection's register.
    expect_err!(
        s.clue_register(&w.discipline, w.insp.id).await,
        CoreError::NotFound(_)
    );
    let by_recipient = list(
        &s,
        &w.office,
        ClueListFilter {
            recipient: Some(RecipientKind::Organization),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(about(&by_recipient), ["王某某"]);
}

pub async fn the_inspected_unit_sees_no_clue_before_or_after_feedback(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    let letters = s
        .list_transfers(
            &w.office,
            &TransferFilter::default(),
            PageRequest::first(10),
        )
        .await
        .expect("transfers")
        .items;
    for stage in ["before feedback", "after feedback"] {
        if stage == "after feedback" {
            give_feedback(&s, w.insp.id).await;
        }
        for unit_user in [&w.unit_principal, &w.unit_staff] {
            assert!(
                list(&s, unit_user, ClueListFilter::default())
                    .await
                    .is_empty(),
                "{stage}"
            );
            let tl = s
                .list_transfers(
                    unit_user,
                    &TransferFilter::default(),
                    PageRequest::first(10),
                )
                .await
                .expect("transfers");
            assert!(tl.items.is_empty(), "{stage}");
            for id in t.to_discipline.iter().chain([&t.registered, &t.to_culture]) {
                assert!(
                    s.get_clue(unit_user, *id).await.is_err(),
                    "{stage}: clue {id} was shown"
                );
            }
            for l in &letters {
                assert!(s.get_transfer(unit_user, l.id).await.is_err(), "{stage}");
            }
        }
        let refused = s.clue_register(&w.unit_principal, w.insp.id).await;
        match stage {
            "before feedback" => expect_err!(refused, CoreError::NotFound(_)),
            _ => expect_err!(refused, CoreError::Forbidden(_)),
        };
        expect_err!(
            s.register_clue(
                &w.unit_principal,
                w.insp.id,
                &clue_input("某某", "其他问题")
            )
            .await,
            CoreError::NotFound(_) | CoreError::Forbidden(_)
        );
    }
    assert!(
        audit_of_action(&s, "clue_read")
            .await
            .iter()
            .all(|r| r.actor_name != "xcb-head" && r.actor_name != "xcb-staff"),
        "no read by the inspected unit was ever served"
    );
}

pub async fn leadership_reads_everything_and_changes_nothing(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    assert_eq!(
        list(&s, &w.leadership, ClueListFilter::default())
            .await
            .len(),
        5
    );
    let e = s
        .get_clue(&w.leadership, t.to_discipline[0])
        .await
        .expect("leadership reads a clue");
    assert!(!e.may_dispose);
    s.clue_register(&w.leadership, w.insp.id)
        .await
        .expect("leadership reads the register");
    let before = audit_len(&s).await;
    expect_err!(
        s.register_clue(&w.leadership, w.insp.id, &clue_input("某某", "其他问题"))
            .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.update_clue(
            &w.leadership,
            t.registered,
            1,
            &clue_input("某某", "其他问题")
        )
        .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.create_transfer(
            &w.leadership,
            w.insp.id,
            &transfer_input(
                "discipline",
                "桂巡移〔2026〕9号",
                "2026-03-01",
                &[t.registered]
            ),
        )
        .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.record_disposal(
            &w.leadership,
            t.to_discipline[0],
            2,
            &DisposalInput {
                method: "初步核实".into(),
                result: "x".into(),
                decided_on: "2026-01-10".into(),
            },
        )
        .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.update_clue_settings(
            &w.leadership,
            &ClueSettingsInput {
                version: 1,
                handling_months: 2,
                warn_days: 5,
            },
        )
        .await,
        CoreError::Forbidden(_)
    );
    assert_eq!(
        audit_len(&s).await,
        before,
        "nothing was changed or recorded"
    );
}

pub async fn only_the_recipient_records_the_disposal(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    let id = t.to_discipline[0];
    let input = DisposalInput {
        method: "初步核实".into(),
        result: "经初步核实，反映问题部分属实，已立案审查".into(),
        decided_on: "2026-02-20".into(),
    };
    expect_err!(
        s.record_disposal(&w.organization, id, 2, &input).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.record_disposal(&w.culture_staff, id, 2, &input).await,
        CoreError::NotFound(_)
    );
    for refused in [&w.office, &w.leader, &w.member] {
        expect_err!(
            s.record_disposal(refused, id, 2, &input).await,
            CoreError::Forbidden(_)
        );
    }
    expect_err!(
        s.record_disposal(&w.discipline, id, 1, &input).await,
        CoreError::StaleVersion(_)
    );
    let early = expect_err!(
        s.record_disposal(
            &w.discipline,
            id,
            2,
            &DisposalInput {
                decided_on: "2025-12-09".into(),
                method: "立案".into(),
                ..input.clone()
            },
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&early), ["method", "decided_on"]);

    let done = s
        .record_disposal(&w.discipline, id, 2, &input)
        .await
        .expect("the discipline commission records its disposal");
    assert_eq!(done.status, ClueStatus::Disposed);
    assert_eq!(done.version, 3);
    let d = done.disposal.expect("the disposal");
    assert_eq!(d.decided_on, date(2026, 2, 20));
    assert_eq!(d.result, "经初步核实，反映问题部分属实，已立案审查");
    assert_eq!(d.recorded_by, w.discipline.user_id());
    let e = s.get_clue(&w.office, id).await.expect("read back");
    assert_eq!(e.clock, Some(ClockColour::Done));
    assert_eq!(e.clue.disposal.expect("stored").method.label(), "初步核实");

    // A later report replaces the earlier one.
    let again = s
        .record_disposal(
            &w.discipline,
            id,
            3,
            &DisposalInput {
                method: "予以了结".into(),
                ..input.clone()
            },
        )
        .await
        .expect("a later report");
    assert_eq!(again.version, 4);

    // The department records its own; a clue still in the register has nothing to dispose.
    s.record_disposal(&w.culture_staff, t.to_culture, 2, &input)
        .await
        .expect("the department records its disposal");
    expect_err!(
        s.record_disposal(&w.leader, t.registered, 1, &input).await,
        CoreError::RuleRefused(_)
    );
    expect_err!(
        s.record_disposal(&w.discipline, t.registered, 1, &input)
            .await,
        CoreError::NotFound(_)
    );
    assert_eq!(audit_of_action(&s, "clue_disposed").await.len(), 3);
}

pub async fn every_read_of_a_clue_is_audited_without_its_content(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    let id = t.to_discipline[0];
    let reads_of = |s: Svc, id: Id| async move {
        audit_of_object(&s, "clue", id)
            .await
            .into_iter()
            .filter(|r| r.action == "clue_read")
            .collect::<Vec<_>>()
    };
    assert!(reads_of(s.clone(), id).await.is_empty());

    s.get_clue(&w.discipline, id).await.expect("read");
    let reads = reads_of(s.clone(), id).await;
    assert_eq!(reads.len(), 1);
    assert_eq!(reads[0].actor_name, "jiwei");
    assert!(reads[0].summary.contains("detail"));

    list(&s, &w.office, ClueListFilter::default()).await;
    for c in t
        .to_discipline
        .iter()
        .chain([&t.to_organization, &t.registered])
    {
        assert!(
            reads_of(s.clone(), *c)
                .await
                .iter()
                .any(|r| r.actor_name == "office1" && r.summary.contains("list")),
            "the office's list read of {c} is recorded"
        );
    }
    let letter = s
        .list_transfers(
            &w.discipline,
            &TransferFilter::default(),
            PageRequest::first(5),
        )
        .await
        .expect("transfers")
        .items
        .remove(0);
    s.get_transfer(&w.discipline, letter.id)
        .await
        .expect("the letter");
    assert!(
        reads_of(s.clone(), t.to_discipline[1])
            .await
            .iter()
            .any(|r| r.actor_name == "jiwei" && r.summary.contains("transfer"))
    );
    // A refused read serves nothing and records no read.
    let n = reads_of(s.clone(), t.to_organization).await.len();
    let _ = s.get_clue(&w.discipline, t.to_organization).await;
    assert_eq!(reads_of(s.clone(), t.to_organization).await.len(), n);

    // The trail never holds whom a clue is about or what it says: the administrator reads the
    // trail but may not read clues.
    for r in crate::harness::audit_where(&s, &Default::default()).await {
        assert!(
            !r.summary.contains("某某") && !r.summary.contains("礼金"),
            "{} holds clue content: {}",
            r.action,
            r.summary
        );
    }
}

pub async fn the_handling_clock_follows_the_calendar_and_the_settings(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    // Transferred 2025-12-10: due 2026-03-10. Today is 2026-03-02, eight days before.
    let colour = |s: Svc, a: Actor| async move {
        let e = s.get_clue(&a, t.to_organization).await.expect("read");
        (e.clue.transfer.expect("sent").due_on, e.clock)
    };
    let by_colour = |s: Svc, a: Actor, c: ClockColour| async move {
        s.list_clues(
            &a,
            &ClueListFilter {
                colour: Some(c),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .expect("list")
        .items
        .len()
    };
    let org = w.organization.clone();
    assert_eq!(
        colour(s.clone(), org.clone()).await,
        (date(2026, 3, 10), Some(ClockColour::Green))
    );
    assert_eq!(
        by_colour(s.clone(), w.office.clone(), ClockColour::Green).await,
        4
    );
    clock.advance(SignedDuration::from_hours(24));
    assert_eq!(
        colour(s.clone(), org.clone()).await.1,
        Some(ClockColour::Yellow)
    );
    assert_eq!(
        by_colour(s.clone(), w.office.clone(), ClockColour::Yellow).await,
        4
    );
    assert_eq!(
        by_colour(s.clone(), w.office.clone(), ClockColour::Green).await,
        0
    );
    assert_eq!(
        by_colour(s.clone(), org.clone(), ClockColour::Yellow).await,
        1
    );
    clock.advance(SignedDuration::from_hours(24 * 8));
    assert_eq!(
        colour(s.clone(), org.clone()).await.1,
        Some(ClockColour::Red)
    );
    assert_eq!(
        by_colour(s.clone(), w.office.clone(), ClockColour::Red).await,
        4
    );
    // Disposed late: done, not red.
    s.record_disposal(
        &org,
        t.to_organization,
        2,
        &DisposalInput {
            method: "谈话函询".into(),
            result: "已函询，本人作出说明".into(),
            decided_on: "2026-03-11".into(),
        },
    )
    .await
    .expect("dispose");
    assert_eq!(
        colour(s.clone(), org.clone()).await.1,
        Some(ClockColour::Done)
    );
    assert_eq!(
        by_colour(s.clone(), w.office.clone(), ClockColour::Red).await,
        3
    );
    assert_eq!(
        by_colour(s.clone(), w.office.clone(), ClockColour::Done).await,
        1
    );

    // The office changes the rules: the new period applies to new transfers, the warning days
    // to every clock.
    let settings = s.clue_settings(&w.member).await.expect("anyone reads them");
    assert_eq!((settings.handling_months, settings.warn_days), (3, 7));
    let input = ClueSettingsInput {
        version: settings.version,
        handling_months: 2,
        warn_days: 30,
    };
    let changed = s
        .update_clue_settings(&w.office, &input)
        .await
        .expect("the office changes the rules");
    assert_eq!(changed.version, 2);
    expect_err!(
        s.update_clue_settings(&w.office, &input).await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.update_clue_settings(
            &w.office,
            &ClueSettingsInput {
                version: 2,
                handling_months: 0,
                warn_days: 5,
            },
        )
        .await,
        CoreError::BadInput(_)
    );
    let newer = s
        .create_transfer(
            &w.leader,
            w.insp.id,
            &transfer_input(
                "discipline",
                "桂巡移〔2026〕4号",
                "2026-01-20",
                &[t.registered],
            ),
        )
        .await
        .expect("a later transfer");
    assert_eq!(newer.due_on, date(2026, 3, 20), "two months now");
    let e = s.get_clue(&w.office, t.registered).await.expect("read");
    assert_eq!(
        e.clock,
        Some(ClockColour::Yellow),
        "within the 30 warning days"
    );
    let old = s
        .get_clue(&w.office, t.to_discipline[0])
        .await
        .expect("read");
    assert_eq!(
        old.clue.transfer.expect("sent").due_on,
        date(2026, 3, 10),
        "an earlier letter keeps its due date"
    );
    assert_eq!(audit_of_action(&s, "clue_settings_updated").await.len(), 1);
}

pub async fn a_team_sees_only_its_own_inspections_clues(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    assert!(
        list(&s, &w.other_team, ClueListFilter::default())
            .await
            .is_empty()
    );
    expect_err!(
        s.get_clue(&w.other_team, t.registered).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.register_clue(&w.other_team, w.insp.id, &clue_input("某某", "其他问题"))
            .await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.clue_register(&w.other_team, w.insp.id).await,
        CoreError::NotFound(_)
    );
    let own = s
        .register_clue(
            &w.other_team,
            w.other_insp.id,
            &clue_input("孙某某", "其他问题"),
        )
        .await
        .expect("its own inspection");
    let mine = list(&s, &w.other_team, ClueListFilter::default()).await;
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].clue.id, own.id);
    let only = list(
        &s,
        &w.office,
        ClueListFilter {
            inspection_id: Some(w.other_insp.id),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(about(&only), ["孙某某"]);
}

pub async fn registered_clues_are_edited_until_transferred(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    let changed = s
        .update_clue(
            &w.member,
            t.registered,
            1,
            &ClueInput {
                summary: "反映其违规兼职取酬".into(),
                confidentiality: "机密".into(),
                ..clue_input("钱某某", "领导干部问题")
            },
        )
        .await
        .expect("a member edits a registered clue");
    assert_eq!(changed.version, 2);
    assert_eq!(changed.summary, "反映其违规兼职取酬");
    expect_err!(
        s.update_clue(
            &w.member,
            t.registered,
            1,
            &clue_input("钱某某", "领导干部问题")
        )
        .await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.update_clue(
            &w.member,
            t.to_discipline[0],
            2,
            &clue_input("张某某", "领导干部问题")
        )
        .await,
        CoreError::RuleRefused(_)
    );
    let audit = audit_of_object(&s, "clue", t.registered).await;
    let upd = audit
        .iter()
        .find(|r| r.action == "clue_updated")
        .expect("recorded");
    assert!(upd.summary.contains("summary") && upd.summary.contains("confidentiality"));
    assert!(!upd.summary.contains("兼职"), "names fields, not content");
}

pub async fn clue_lists_page_by_cursor_without_gaps_or_repeats(mut s: Svc) {
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    for actor in [&w.office, &w.discipline] {
        let mut seen = Vec::new();
        let mut page = PageRequest::first(2);
        loop {
            let p = s
                .list_clues(actor, &ClueListFilter::default(), page)
                .await
                .expect("a page");
            assert!(p.items.len() <= 2);
            seen.extend(p.items.iter().map(|e| e.clue.id));
            match p.next_cursor {
                Some(c) => page.after = Some(c.parse().expect("an id")),
                None => break,
            }
        }
        let unique: HashSet<_> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "no repeats");
        let expected = list(&s, actor, ClueListFilter::default()).await.len();
        assert_eq!(seen.len(), expected, "no gaps");
    }
}

/// Generated sequences of edits, transfers and disposals by everyone concerned (proptest):
/// a clue goes registered → transferred → disposed and never back; it is edited only while
/// registered, transferred only by the leader or the office, disposed only by the body it was
/// sent to; every refused action is an error and leaves the clue as it was.
pub async fn clue_states_move_only_forward_and_refusals_change_nothing(mut s: Svc) {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};

    let _clock = TestClock::install(&mut s);
    let w = world(&s).await;
    // member, leader, office, discipline (the recipient), organization, the inspected unit.
    let actors = [
        w.member.clone(),
        w.leader.clone(),
        w.office.clone(),
        w.discipline.clone(),
        w.organization.clone(),
        w.unit_staff.clone(),
    ];
    let letters = AtomicUsize::new(0);
    // How often each action was accepted, so that the run shows it reached every state.
    let accepted = [
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ];
    let handle = tokio::runtime::Handle::current();
    let config = Config {
        cases: 24,
        failure_persistence: None,
        ..Config::default()
    };
    // The same sequences every run: a case that fails once fails again.
    let rng = proptest::test_runner::TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let steps = proptest::collection::vec((0u8..3, 0..actors.len()), 1..10);
    let outcome = runner.run(&steps, |steps| {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                let clue = s
                    .register_clue(&w.member, w.insp.id, &clue_input("孙某某", "领导干部问题"))
                    .await
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                for (action, who) in steps {
                    let before = s.get_clue(&w.office, clue.id).await.expect("read").clue;
                    let actor = &actors[who];
                    let result = match action {
                        0 => s
                            .update_clue(
                                actor,
                                clue.id,
                                before.version,
                                &ClueInput {
                                    summary: format!("补充材料第{}次", before.version),
                                    ..clue_input("孙某某", "领导干部问题")
                                },
                            )
                            .await
                            .map(|_| ()),
                        1 => {
                            let n = letters.fetch_add(1, Ordering::SeqCst);
                            s.create_transfer(
                                actor,
                                w.insp.id,
                                &transfer_input(
                                    "discipline",
                                    &format!("桂巡移〔2026〕{}号", 100 + n),
                                    "2026-03-01",
                                    &[clue.id],
                                ),
                            )
                            .await
                            .map(|_| ())
                        }
                        _ => s
                            .record_disposal(
                                actor,
                                clue.id,
                                before.version,
                                &DisposalInput {
                                    method: "closed".into(),
                                    result: "经核实，反映问题不属实，予以了结".into(),
                                    decided_on: "2026-03-02".into(),
                                },
                            )
                            .await
                            .map(|_| ()),
                    };
                    let after = s.get_clue(&w.office, clue.id).await.expect("read").clue;
                    match result {
                        Ok(()) => {
                            let expected = match (action, before.status) {
                                (0, ClueStatus::Registered) => ClueStatus::Registered,
                                (1, ClueStatus::Registered) => ClueStatus::Transferred,
                                (2, ClueStatus::Transferred) => ClueStatus::Disposed,
                                (a, st) => {
                                    return Err(TestCaseError::fail(format!(
                                        "action {a} by actor {who} was accepted on a clue {st:?}"
                                    )));
                                }
                            };
                            prop_assert_eq!(after.status, expected);
                            prop_assert_eq!(after.version, before.version + 1);
                            accepted[usize::from(action)].fetch_add(1, Ordering::SeqCst);
                            if action == 1 {
                                prop_assert!(who == 1 || who == 2, "actor {} transferred", who);
                            }
                            if action == 2 {
                                prop_assert_eq!(who, 3, "only the recipient disposes");
                            }
                        }
                        Err(e) => {
                            prop_assert!(
                                !matches!(e, CoreError::Internal(_)),
                                "action {} by actor {}: {:?}",
                                action,
                                who,
                                e
                            );
                            prop_assert_eq!(
                                after.status,
                                before.status,
                                "a refusal moved the clue"
                            );
                            prop_assert_eq!(
                                after.version,
                                before.version,
                                "a refusal changed the clue"
                            );
                            prop_assert_eq!(&after.summary, &before.summary);
                        }
                    }
                }
                Ok(())
            })
        })
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
    let accepted = accepted.map(|n| n.into_inner());
    assert!(
        accepted.iter().all(|n| *n > 0),
        "edits, transfers and disposals accepted: {accepted:?}; the sequences never reached a state"
    );
}

/// The kinds waiting for `who` in the to-do, with their totals.
async fn todo_kinds(s: &Svc, who: &Actor) -> Vec<(xunshi_core::service::TodoKind, i64)> {
    let todo = s.todo(who).await.expect("the to-do");
    todo.groups.iter().map(|g| (g.kind, g.total)).collect()
}

pub async fn the_todo_lists_clues_to_dispose_for_their_recipient_only(mut s: Svc) {
    use xunshi_core::service::TodoKind::ClueDispose;
    let _clock = TestClock::install(&mut s);
    let t = transferred(&s).await;
    let w = &t.w;
    let before = audit_len(&s).await;
    assert_eq!(todo_kinds(&s, &w.discipline).await, vec![(ClueDispose, 2)]);
    assert_eq!(
        todo_kinds(&s, &w.organization).await,
        vec![(ClueDispose, 1)]
    );
    assert_eq!(
        todo_kinds(&s, &w.culture_staff).await,
        vec![(ClueDispose, 1)]
    );
    // Nobody else disposes of them: not the office, the leadership, the team, nor the unit.
    for who in [
        &w.office,
        &w.leadership,
        &w.leader,
        &w.member,
        &w.other_team,
        &w.unit_principal,
        &w.unit_staff,
    ] {
        assert_eq!(todo_kinds(&s, who).await, vec![]);
    }
    let todo = s.todo(&w.discipline).await.unwrap();
    let item = &todo.groups[0].items[0];
    assert_eq!(item.title, "移交纪委监委的 2 条问题线索待处置");
    assert_eq!(item.since, Some(date(2025, 12, 10)));
    assert!(item.due.is_some() && item.colour.is_some());
    // The to-do shows nothing of a clue, so it records no read of one.
    assert_eq!(audit_len(&s).await, before);

    let input = DisposalInput {
        method: "初步核实".into(),
        result: "经初步核实，反映问题部分属实".into(),
        decided_on: "2026-02-20".into(),
    };
    s.record_disposal(&w.discipline, t.to_discipline[0], 2, &input)
        .await
        .unwrap();
    assert_eq!(todo_kinds(&s, &w.discipline).await, vec![(ClueDispose, 1)]);
    s.record_disposal(&w.discipline, t.to_discipline[1], 2, &input)
        .await
        .unwrap();
    assert_eq!(
        todo_kinds(&s, &w.discipline).await,
        vec![],
        "disposed, gone"
    );
    assert_eq!(
        todo_kinds(&s, &w.organization).await,
        vec![(ClueDispose, 1)]
    );
}
