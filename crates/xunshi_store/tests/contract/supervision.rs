//! Supervision of rectification: the deadline rules and the clocks they set, follow-up notices,
//! accountability and long-term mechanisms, with who may see and do what.

use std::sync::{Arc, Mutex};

use jiff::civil::date;
use xunshi_core::deadline::{Clock, Colour, InspectionLevel, default_rules};
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::inspection::Stage;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Form, NoticeKind};
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::service::{AccountabilityQuery, FollowUpQuery};
use xunshi_core::supervision::{
    AccountabilityInput, DeadlineRuleInput, FollowUpAnswer, FollowUpInput, WarnDaysInput,
};
use xunshi_core::{CoreError, Id};

use crate::harness::{Svc, audit_of_action, bad_fields, expect_err, user_with_role};
use crate::papers::{INTEGRITY, POLITICAL, World, move_to, signed_paper, world};

/// Services whose clock reads `at` (UTC) until moved with the returned handle.
pub fn clock_at(s: &mut Svc, at: &str) -> Arc<Mutex<jiff::Timestamp>> {
    let now = Arc::new(Mutex::new(
        at.parse::<jiff::Timestamp>().expect("an instant"),
    ));
    let reader = now.clone();
    s.clock = Arc::new(move || *reader.lock().expect("clock lock"));
    now
}

/// The seed's inspection after its feedback of 2020-03-25, with the problems fed back.
pub struct Fed {
    pub w: World,
    pub problems: Vec<Id>,
    /// The principal of another inspected unit (自治区党委组织部).
    pub other_unit: Actor,
}

pub async fn fed_back(s: &Svc) -> Fed {
    let w = world(s).await;
    let mut problems = Vec::new();
    for (cat, title) in [
        (POLITICAL, "协调督察全区意识形态工作力度不够"),
        (INTEGRITY, "对个别直属单位资金项目监管不够严格"),
    ] {
        problems.push(signed_paper(s, &w, cat, title).await.id);
    }
    move_to(s, &w.insp, Stage::Reporting, Some("2019-12-18")).await;
    let r = s
        .create_report(
            &w.lead,
            w.insp.id,
            &ReportInput {
                kind: "main".into(),
                title: "关于巡视自治区党委宣传部的情况报告".into(),
            },
        )
        .await
        .expect("report");
    s.add_report_version(
        &w.lead,
        r.id,
        &ReportVersionInput {
            version: r.version,
            assessment: "总体评价。".into(),
            problem_ids: None,
            recommendations: vec!["牢固树立大局意识".into()],
            note: String::new(),
        },
    )
    .await
    .expect("draft");
    let mut r = s.report_detail(&w.lead, r.id).await.unwrap().report;
    for (who, decision, day) in [
        (&w.lead, "submit", None),
        (&w.lead, "approve", Some("2019-12-20")),
        (&w.office, "approve", None),
        (&w.office, "approve", Some("2020-01-06")),
        (&w.office, "approve", Some("2020-01-16")),
    ] {
        let step = StepInput {
            version: r.version,
            decision: decision.into(),
            comment: String::new(),
            meeting_date: day.map(str::to_owned),
        };
        r = s
            .decide_report(who, r.id, &step)
            .await
            .unwrap_or_else(|e| panic!("{decision}: {e}"));
    }
    let fb = s
        .save_feedback(
            &w.lead,
            w.insp.id,
            &FeedbackInput {
                version: 0,
                assessment: "总体评价。".into(),
                problem_ids: None,
                recommendations: vec!["牢固树立大局意识".into()],
                demands: "严肃对待、扎实整改。".into(),
                deadline: Some("2020-05-25".into()),
                meeting_date: Some("2020-03-25".into()),
                delivered_by: "于洁".into(),
                delivered_to: "范晓莉".into(),
                presided_by: "范晓莉".into(),
            },
        )
        .await
        .expect("feedback drafted");
    s.give_feedback(&w.lead, w.insp.id, fb.version)
        .await
        .expect("feedback given");
    let other_unit = user_with_role(
        s,
        "zzb_principal",
        Some("自治区党委组织部"),
        "unit_principal",
    )
    .await;
    Fed {
        w,
        problems,
        other_unit,
    }
}

pub fn notice(f: &Fed, kind: &str, content: &str) -> FollowUpInput {
    FollowUpInput {
        inspection_id: f.w.insp.id.to_string(),
        unit_id: f.w.unit.to_string(),
        task_id: None,
        kind: kind.into(),
        doc_no: "巡整督〔2020〕1号".into(),
        content: content.into(),
        answer_due: Some("2020-04-20".into()),
    }
}

pub fn held_to_account(
    f: &Fed,
    person: &str,
    form: &str,
    list: &str,
    measure: &str,
) -> AccountabilityInput {
    AccountabilityInput {
        inspection_id: f.w.insp.id.to_string(),
        unit_id: f.w.unit.to_string(),
        task_id: None,
        problem_id: Some(f.problems[1].to_string()),
        person: person.into(),
        post: "某直属单位负责人".into(),
        form: form.into(),
        measure_list: list.into(),
        measure: measure.into(),
        deciding_body: "自治区纪委监委".into(),
        decided_on: "2020-04-08".into(),
    }
}

fn all() -> PageRequest {
    PageRequest::first(500)
}

pub async fn the_rules_are_shipped_and_an_edit_moves_the_clock(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let f = fed_back(&s).await;
    let w = &f.w;
    let rules = s.deadline_rules(&w.office).await.expect("read the rules");
    assert_eq!(rules.len(), default_rules().len());
    let plan_rule = rules
        .iter()
        .find(|r| r.rule.level == InspectionLevel::Xunshi && r.rule.clock == Clock::PlanDue)
        .expect("the shipped plan rule")
        .clone();
    assert_eq!(plan_rule.rule.amount, 15);

    // The seed: feedback 2020-03-25, a provincial committee's inspection (巡视).
    let clocks = s.inspection_clocks(&w.office, w.insp.id).await.unwrap();
    let due = |cs: &[xunshi_core::supervision::ClockView], c: Clock| {
        cs.iter().find(|v| v.clock == c).and_then(|v| v.due)
    };
    assert_eq!(clocks.len(), 2, "巡视: the plan and the report");
    assert_eq!(due(&clocks, Clock::PlanDue), Some(date(2020, 4, 16)));
    assert_eq!(due(&clocks, Clock::ReportDue), Some(date(2020, 5, 25)));

    let edit = DeadlineRuleInput {
        version: plan_rule.version,
        amount: 20,
        counting: "working_days".into(),
        basis: "本省规定：20个工作日内报送整改方案".into(),
    };
    for who in [&w.leadership, &w.principal, &w.discipline] {
        expect_err!(
            s.update_deadline_rule(who, plan_rule.id, &edit).await,
            CoreError::Forbidden(_)
        );
    }
    let bad = DeadlineRuleInput {
        amount: 0,
        basis: String::new(),
        ..edit.clone()
    };
    let e = expect_err!(
        s.update_deadline_rule(&w.office, plan_rule.id, &bad).await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["amount", "basis"]);
    let edited = s
        .update_deadline_rule(&w.office, plan_rule.id, &edit)
        .await
        .expect("the office edits");
    assert_eq!(edited.version, plan_rule.version + 1);
    expect_err!(
        s.update_deadline_rule(&w.office, plan_rule.id, &edit).await,
        CoreError::StaleVersion(_)
    );
    // 20 working days: the 15th is Thu 16 April, then 17, 20, 21, 22, 23 April.
    let clocks = s.inspection_clocks(&w.office, w.insp.id).await.unwrap();
    assert_eq!(due(&clocks, Clock::PlanDue), Some(date(2020, 4, 23)));
    // Months now: the same clock counts calendar months.
    let months = s
        .update_deadline_rule(
            &w.office,
            plan_rule.id,
            &DeadlineRuleInput {
                version: edited.version,
                amount: 1,
                counting: "months".into(),
                ..edit
            },
        )
        .await
        .unwrap();
    assert_eq!(months.rule.amount, 1);
    let clocks = s.inspection_clocks(&w.office, w.insp.id).await.unwrap();
    assert_eq!(due(&clocks, Clock::PlanDue), Some(date(2020, 4, 25)));
    let records = audit_of_action(&s, "deadline_rule_updated").await;
    assert_eq!(records.len(), 2);
    assert!(
        records[1].summary.contains("\"amount\":15"),
        "the before is kept"
    );
}

pub async fn clocks_turn_with_the_warning_period_and_show_each_unit_its_own(mut s: Svc) {
    let now = clock_at(&mut s, "2020-04-10T02:00:00Z");
    let f = fed_back(&s).await;
    let w = &f.w;
    let settings = s.rectify_settings(&w.office).await.unwrap();
    assert_eq!(settings.warn_days, 7);
    let plan = |cs: Vec<xunshi_core::supervision::ClockView>| {
        cs.into_iter().find(|v| v.clock == Clock::PlanDue).unwrap()
    };
    // Friday 10 April: six days before the plan is due.
    let c = plan(s.inspection_clocks(&w.office, w.insp.id).await.unwrap());
    assert_eq!(c.colour, Some(Colour::Yellow));
    assert!(!c.done);

    expect_err!(
        s.set_warn_days(
            &w.liaison,
            &WarnDaysInput {
                version: settings.version,
                warn_days: 5
            }
        )
        .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.set_warn_days(
            &w.office,
            &WarnDaysInput {
                version: settings.version,
                warn_days: 90
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    let set = s
        .set_warn_days(
            &w.office,
            &WarnDaysInput {
                version: settings.version,
                warn_days: 5,
            },
        )
        .await
        .unwrap();
    assert_eq!(set.warn_days, 5);
    assert_eq!(s.warn_days().await.unwrap(), 5);
    let c = plan(s.inspection_clocks(&w.office, w.insp.id).await.unwrap());
    assert_eq!(c.colour, Some(Colour::Green), "six days out, five to warn");
    expect_err!(
        s.set_warn_days(
            &w.office,
            &WarnDaysInput {
                version: settings.version,
                warn_days: 3
            }
        )
        .await,
        CoreError::StaleVersion(_)
    );
    assert_eq!(audit_of_action(&s, "warn_days_updated").await.len(), 1);

    // A week later the plan is overdue.
    *now.lock().unwrap() = "2020-04-17T02:00:00Z".parse().unwrap();
    let c = plan(s.inspection_clocks(&w.principal, w.insp.id).await.unwrap());
    assert_eq!(c.colour, Some(Colour::Red));
    assert_eq!(c.unit_id, w.unit);

    // The unit sees its own clocks; others of other inspections and units see nothing.
    for who in [
        &w.principal,
        &w.liaison,
        &w.staff,
        &w.leadership,
        &w.discipline,
        &w.lead,
    ] {
        assert_eq!(s.inspection_clocks(who, w.insp.id).await.unwrap().len(), 2);
    }
    for who in [&f.other_unit, &w.stranger] {
        expect_err!(
            s.inspection_clocks(who, w.insp.id).await,
            CoreError::NotFound(_)
        );
    }
}

pub async fn followups_are_issued_answered_and_seen_only_by_their_unit(mut s: Svc) {
    let now = clock_at(&mut s, "2020-04-10T02:00:00Z");
    let f = fed_back(&s).await;
    let w = &f.w;
    let input = notice(&f, "reminder", "整改方案报送临近期限，请抓紧报送。");
    for who in [&w.principal, &w.liaison, &w.staff, &w.leadership, &w.lead] {
        expect_err!(s.issue_followup(who, &input).await, CoreError::Forbidden(_));
    }
    let e = expect_err!(
        s.issue_followup(
            &w.office,
            &FollowUpInput {
                kind: "nagging".into(),
                content: String::new(),
                answer_due: Some("2020-04-01".into()),
                ..input.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["kind", "content"]);
    expect_err!(
        s.issue_followup(
            &w.office,
            &FollowUpInput {
                answer_due: Some("2020-04-01".into()),
                ..input.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    let stranger_unit = FollowUpInput {
        unit_id: Id::new().to_string(),
        ..input.clone()
    };
    let e = expect_err!(
        s.issue_followup(&w.office, &stranger_unit).await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["unit_id"]);

    let first = s
        .issue_followup(&w.office, &input)
        .await
        .expect("the office reminds");
    assert_eq!(first.kind, NoticeKind::Reminder);
    assert_eq!(first.issued_on, date(2020, 4, 10));
    let formal = s
        .issue_followup(
            &w.discipline,
            &FollowUpInput {
                doc_no: "纪督〔2020〕2号".into(),
                ..notice(&f, "formal", "对落实“两个责任”不到位问题进行督办。")
            },
        )
        .await
        .expect("the discipline commission follows up");

    // The unit's people see both; other units and other teams none.
    for who in [
        &w.principal,
        &w.liaison,
        &w.staff,
        &w.office,
        &w.leadership,
        &w.lead,
    ] {
        let list = s
            .list_followups(who, &FollowUpQuery::default(), all())
            .await
            .unwrap();
        assert_eq!(list.items.len(), 2);
    }
    for who in [&f.other_unit, &w.stranger] {
        let list = s
            .list_followups(who, &FollowUpQuery::default(), all())
            .await
            .unwrap();
        assert!(list.items.is_empty());
        expect_err!(s.get_followup(who, first.id).await, CoreError::NotFound(_));
    }
    let open = s
        .list_followups(
            &w.principal,
            &FollowUpQuery {
                answered: Some(false),
                kind: Some(NoticeKind::Formal),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(open.items.len(), 1);
    assert!(open.items[0].may_answer);
    assert_eq!(open.items[0].unit_name, "自治区党委宣传部");

    // Answered by the principal or liaison only, once, on the version seen.
    let answer = FollowUpAnswer {
        version: first.version,
        answer: "已于4月14日报送整改方案。".into(),
    };
    for who in [&w.staff, &w.office, &w.discipline] {
        expect_err!(
            s.answer_followup(who, first.id, &answer).await,
            CoreError::Forbidden(_)
        );
    }
    expect_err!(
        s.answer_followup(&f.other_unit, first.id, &answer).await,
        CoreError::NotFound(_)
    );
    expect_err!(
        s.answer_followup(
            &w.liaison,
            first.id,
            &FollowUpAnswer {
                version: first.version,
                answer: " ".into()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    *now.lock().unwrap() = "2020-04-14T02:00:00Z".parse().unwrap();
    let answered = s
        .answer_followup(&w.liaison, first.id, &answer)
        .await
        .expect("the liaison answers");
    assert_eq!(answered.answered_on, Some(date(2020, 4, 14)));
    assert_eq!(answered.answered_by.as_deref(), Some("liaison1"));
    expect_err!(
        s.answer_followup(&w.principal, first.id, &answer).await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.answer_followup(
            &w.principal,
            first.id,
            &FollowUpAnswer {
                version: answered.version,
                ..answer.clone()
            }
        )
        .await,
        CoreError::RuleRefused(_)
    );
    let seen = s.get_followup(&w.staff, first.id).await.unwrap();
    assert_eq!(
        seen.notice.answer.as_deref(),
        Some("已于4月14日报送整改方案。")
    );
    assert!(!seen.may_answer);
    let answered_list = s
        .list_followups(
            &w.office,
            &FollowUpQuery {
                answered: Some(true),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(
        answered_list
            .items
            .iter()
            .map(|e| e.notice.id)
            .collect::<Vec<_>>(),
        [first.id]
    );
    assert_eq!(audit_of_action(&s, "followup_issued").await.len(), 2);
    assert_eq!(audit_of_action(&s, "followup_answered").await.len(), 1);

    // Lists page by cursor, in order of issue, without gaps or repeats.
    let third = s
        .issue_followup(&w.office, &notice(&f, "warning", "再次提醒。"))
        .await
        .unwrap();
    let page1 = s
        .list_followups(
            &w.principal,
            &FollowUpQuery::default(),
            PageRequest::first(2),
        )
        .await
        .unwrap();
    let cursor = page1.next_cursor.clone().expect("a second page");
    let page2 = s
        .list_followups(
            &w.principal,
            &FollowUpQuery::default(),
            PageRequest::parse(Some(&cursor), Some(2)).unwrap(),
        )
        .await
        .unwrap();
    assert!(page2.next_cursor.is_none());
    let ids: Vec<Id> = page1
        .items
        .iter()
        .chain(page2.items.iter())
        .map(|e| e.notice.id)
        .collect();
    assert_eq!(ids, [first.id, formal.id, third.id]);
}

pub async fn no_followup_before_feedback(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let w = world(&s).await;
    let early = FollowUpInput {
        inspection_id: w.insp.id.to_string(),
        unit_id: w.unit.to_string(),
        task_id: None,
        kind: "reminder".into(),
        doc_no: String::new(),
        content: "请做好整改准备。".into(),
        answer_due: None,
    };
    expect_err!(
        s.issue_followup(&w.office, &early).await,
        CoreError::RuleRefused(_)
    );
    assert!(audit_of_action(&s, "followup_issued").await.is_empty());
}

pub async fn accountability_is_recorded_by_supervisors_from_the_lists(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let f = fed_back(&s).await;
    let w = &f.w;
    let input = held_to_account(&f, "张某", "second", "党纪处分", "警告");
    for who in [&w.principal, &w.liaison, &w.staff, &w.leadership, &w.lead] {
        expect_err!(
            s.record_accountability(who, &input).await,
            CoreError::Forbidden(_)
        );
    }
    // A measure outside the lists, a measure from another list, a problem not fed back.
    let e = expect_err!(
        s.record_accountability(
            &w.discipline,
            &AccountabilityInput {
                measure_list: "罚款".into(),
                ..input.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["measure_list"]);
    let e = expect_err!(
        s.record_accountability(
            &w.discipline,
            &AccountabilityInput {
                measure: "记过".into(),
                ..input.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["measure"]);
    let e = expect_err!(
        s.record_accountability(
            &w.discipline,
            &AccountabilityInput {
                problem_id: Some(Id::new().to_string()),
                ..input.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["problem_id"]);
    expect_err!(
        s.record_accountability(
            &w.discipline,
            &AccountabilityInput {
                decided_on: "2020-05-01".into(),
                ..input.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert!(
        audit_of_action(&s, "accountability_recorded")
            .await
            .is_empty()
    );

    let a = s
        .record_accountability(&w.discipline, &input)
        .await
        .expect("the discipline commission records");
    assert_eq!(a.measure, "党纪处分：警告");
    assert_eq!(a.form, Form::Second);
    let organization = user_with_role(&s, "zzb_supervisor", None, "organization").await;
    s.record_accountability(
        &organization,
        &held_to_account(&f, "李某", "first", "批评教育", "诫勉谈话"),
    )
    .await
    .expect("the organization department records");
    s.record_accountability(
        &w.office,
        &held_to_account(&f, "王某", "first", "对干部问责", "通报"),
    )
    .await
    .expect("the office records");

    let list = |who: Actor, q: AccountabilityQuery| {
        let s = &s;
        async move { s.list_accountability(&who, &q, all()).await.unwrap().items }
    };
    assert_eq!(list(w.principal.clone(), Default::default()).await.len(), 3);
    assert_eq!(list(w.staff.clone(), Default::default()).await.len(), 3);
    assert!(
        list(f.other_unit.clone(), Default::default())
            .await
            .is_empty()
    );
    assert!(
        list(w.stranger.clone(), Default::default())
            .await
            .is_empty()
    );
    let first = list(
        w.leadership.clone(),
        AccountabilityQuery {
            form: Some(Form::First),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(first.len(), 2);
    assert_eq!(
        first[0].problem_title.as_deref(),
        Some("对个别直属单位资金项目监管不够严格")
    );
    let by_unit = list(
        w.office.clone(),
        AccountabilityQuery {
            inspection_id: Some(w.insp.id),
            unit_id: Some(w.unit),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(by_unit.len(), 3);
    assert_eq!(
        audit_of_action(&s, "accountability_recorded").await.len(),
        3
    );
}
