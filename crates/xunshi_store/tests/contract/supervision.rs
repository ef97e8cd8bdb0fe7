//! Supervision of rectification: the deadline rules and the clocks they set, follow-up notices,
//! accountability and long-term mechanisms, with who may see and do what.

use std::sync::{Arc, Mutex};

use jiff::civil::date;
use xunshi_core::dashboard::DashboardFilter;
use xunshi_core::deadline::{Clock, Colour, InspectionLevel, default_rules};
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::inspection::Stage;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{
    Defect, Due, Form, NoticeKind, Plan, PlanStatus, Task, TaskStatus, Verification,
};
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::service::{AccountabilityQuery, FollowUpQuery, LedgerFilter, MechanismQuery};
use xunshi_core::store::{ReadTx, RectifyWrite, Store, WriteTx};
use xunshi_core::supervision::{
    AccountabilityInput, DeadlineRuleInput, FollowUpAnswer, FollowUpInput, MechanismInput,
    WarnDaysInput,
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
    fed_back_on(s, "2020-03-25", "2020-05-25").await
}

/// The seed's inspection fed back on `day` (the reports approved as in the seed), with the
/// rectification deadline the feedback names.
pub async fn fed_back_on(s: &Svc, day: &str, deadline: &str) -> Fed {
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
                deadline: Some(deadline.into()),
                meeting_date: Some(day.into()),
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
        CoreError::Unfit(_)
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

    // A supervisor who belongs to the unit does not supervise it.
    let resident = user_with_role(&s, "jw_resident", Some("自治区党委宣传部"), "discipline").await;
    expect_err!(
        s.issue_followup(&resident, &input).await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.record_accountability(
            &resident,
            &held_to_account(&f, "张某", "first", "批评教育", "诫勉谈话")
        )
        .await,
        CoreError::Forbidden(_)
    );

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
        CoreError::Unfit(_)
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
        CoreError::Unfit(_)
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

// ---------------------------------------------------------------------------------------------
// With the ledger: tasks named by notices, accountability and mechanisms, and the dashboard.

/// A plan of the unit, submitted on 2020-04-14, with tasks stored as the ledger stores them
/// (the ledger's services are its own area; the store is what supervision reads).
pub struct Ledger {
    pub tasks: Vec<Task>,
}

fn task_of(plan: &Plan, problem: Id, seq: &str, due: Due, status: TaskStatus) -> Task {
    Task {
        id: Id::new(),
        plan_id: plan.id,
        inspection_id: plan.inspection_id,
        unit_id: plan.unit_id,
        problem_id: problem,
        seq: seq.into(),
        measure: format!("整改措施{seq}"),
        target: "目标".into(),
        standard: "销号标准".into(),
        responsible_leader: "分管副部长".into(),
        lead_department: "办公室".into(),
        co_departments: String::new(),
        responsible_person: "张三".into(),
        due,
        status,
        progress: 0,
        closed_on: if status == TaskStatus::Closed {
            due.date()
        } else {
            None
        },
        not_for_disclosure: false,
        withdrawn_reason: None,
        version: 1,
        updated_at: jiff::Timestamp::now(),
    }
}

pub async fn ledger(s: &Svc, f: &Fed) -> Ledger {
    let plan = Plan {
        id: Id::new(),
        inspection_id: f.w.insp.id,
        unit_id: f.w.unit,
        title: "关于落实巡视反馈意见的整改方案".into(),
        organisation: "成立整改工作领导小组。".into(),
        leading_group: Vec::new(),
        status: PlanStatus::Submitted,
        submitted_at: Some("2020-04-14T02:00:00Z".parse().unwrap()),
        approved_at: None,
        version: 1,
    };
    let by = |y, m, d| Due::By {
        date: date(y, m, d),
    };
    let (p1, p2) = (f.problems[0], f.problems[1]);
    let mut withdrawn = task_of(&plan, p1, "1.1.9", by(2020, 4, 1), TaskStatus::NotStarted);
    withdrawn.withdrawn_reason = Some("与1.1.1重复".into());
    let tasks = vec![
        task_of(&plan, p1, "1.1.1", by(2020, 4, 8), TaskStatus::InProgress),
        task_of(&plan, p1, "1.1.2", by(2020, 4, 15), TaskStatus::NotStarted),
        task_of(&plan, p1, "1.1.3", Due::LongTerm, TaskStatus::InProgress),
        task_of(&plan, p2, "2.1.1", by(2020, 4, 9), TaskStatus::Closed),
        task_of(&plan, p2, "2.1.2", by(2020, 6, 30), TaskStatus::InProgress),
        task_of(&plan, p2, "2.1.3", by(2020, 4, 12), TaskStatus::Claimed),
        withdrawn,
    ];
    let mut tx = s.store.write().await.unwrap();
    tx.insert_rect_plan(&plan).await.unwrap();
    for t in &tasks {
        tx.insert_task(t).await.unwrap();
    }
    // 2.1.2 was claimed once and rejected as superficial.
    tx.insert_verification(&Verification {
        id: Id::new(),
        task_id: tasks[4].id,
        closed: false,
        defect: Some(Defect::Superficial),
        progress: Some(50),
        reason: "仅印发文件，未见落实".into(),
        by_name: "巡视办".into(),
        at: "2020-04-09T02:00:00Z".parse().unwrap(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    Ledger { tasks }
}

pub async fn notices_accountability_and_mechanisms_name_the_units_own_tasks(mut s: Svc) {
    clock_at(&mut s, "2020-04-20T02:00:00Z");
    let f = fed_back(&s).await;
    let l = ledger(&s, &f).await;
    let w = &f.w;
    let foreign = Id::new().to_string();

    // A notice on one task; a task that is not the unit's, or withdrawn, is refused.
    let on_task = FollowUpInput {
        task_id: Some(l.tasks[0].id.to_string()),
        answer_due: Some("2020-04-30".into()),
        ..notice(&f, "warning", "1.1.1 已逾期，请说明原因。")
    };
    for bad in [foreign.clone(), l.tasks[6].id.to_string()] {
        let e = expect_err!(
            s.issue_followup(
                &w.office,
                &FollowUpInput {
                    task_id: Some(bad),
                    ..on_task.clone()
                }
            )
            .await,
            CoreError::BadInput(_)
        );
        assert_eq!(bad_fields(&e), ["task_id"]);
    }
    let n = s.issue_followup(&w.office, &on_task).await.unwrap();
    assert_eq!(n.task_id, Some(l.tasks[0].id));
    let per_task = s
        .list_followups(
            &w.staff,
            &FollowUpQuery {
                task_id: Some(l.tasks[0].id),
                ..Default::default()
            },
            all(),
        )
        .await
        .unwrap();
    assert_eq!(per_task.items.len(), 1);

    // Accountability on a task concerns the task's problem.
    let a = s
        .record_accountability(
            &w.discipline,
            &AccountabilityInput {
                task_id: Some(l.tasks[0].id.to_string()),
                problem_id: None,
                ..held_to_account(&f, "赵某", "first", "批评教育", "谈话提醒")
            },
        )
        .await
        .unwrap();
    assert_eq!(a.problem_id, Some(f.problems[0]));
    let e = expect_err!(
        s.record_accountability(
            &w.discipline,
            &AccountabilityInput {
                task_id: Some(l.tasks[0].id.to_string()),
                problem_id: Some(f.problems[1].to_string()),
                ..held_to_account(&f, "赵某", "first", "批评教育", "谈话提醒")
            },
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["problem_id"]);

    // Mechanisms: the unit's principal or liaison, or the office; linked to the unit's tasks.
    let mech = MechanismInput {
        inspection_id: w.insp.id.to_string(),
        unit_id: w.unit.to_string(),
        title: "《意识形态工作责任制实施细则》".into(),
        is_new: true,
        doc_no: "宣发〔2020〕8号".into(),
        issued_on: "2020-04-18".into(),
        task_ids: vec![l.tasks[0].id.to_string(), l.tasks[1].id.to_string()],
    };
    for who in [&w.staff, &w.discipline, &w.leadership, &w.lead] {
        expect_err!(
            s.record_mechanism(who, &mech).await,
            CoreError::Forbidden(_)
        );
    }
    expect_err!(
        s.record_mechanism(&f.other_unit, &mech).await,
        CoreError::NotFound(_)
    );
    let e = expect_err!(
        s.record_mechanism(
            &w.liaison,
            &MechanismInput {
                task_ids: vec![foreign],
                ..mech.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["task_ids"]);
    let e = expect_err!(
        s.record_mechanism(
            &w.liaison,
            &MechanismInput {
                task_ids: vec![],
                ..mech.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["task_ids"]);
    let m = s.record_mechanism(&w.liaison, &mech).await.unwrap();
    assert_eq!(m.task_ids, [l.tasks[0].id, l.tasks[1].id]);
    s.record_mechanism(
        &w.office,
        &MechanismInput {
            title: "《直属单位资金项目监管办法》".into(),
            is_new: false,
            task_ids: vec![l.tasks[4].id.to_string()],
            ..mech.clone()
        },
    )
    .await
    .unwrap();
    let list = |who: &Actor, task: Option<Id>| {
        let (s, who) = (&s, who.clone());
        async move {
            s.list_mechanisms(
                &who,
                &MechanismQuery {
                    task_id: task,
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap()
            .items
        }
    };
    assert_eq!(list(&w.staff, None).await.len(), 2);
    assert_eq!(list(&w.discipline, None).await.len(), 2);
    assert!(list(&f.other_unit, None).await.is_empty());
    let from_first = list(&w.office, Some(l.tasks[1].id)).await;
    assert_eq!(from_first.len(), 1);
    assert_eq!(
        from_first[0].mechanism.title,
        "《意识形态工作责任制实施细则》"
    );
    assert_eq!(audit_of_action(&s, "mechanism_recorded").await.len(), 2);

    // The exported ledger carries them beside their tasks: 建立制度 and 追责问责情况.
    let export = s
        .ledger_export(&w.staff, &Default::default())
        .await
        .unwrap();
    let row = |id: Id| {
        export
            .rows
            .iter()
            .find(|r| r.entry.task.id == id)
            .expect("the task is in the export")
    };
    let first = row(l.tasks[0].id);
    assert_eq!(
        first.mechanisms,
        ["制定《意识形态工作责任制实施细则》（宣发〔2020〕8号）"]
    );
    assert_eq!(first.accountability.len(), 1, "{:?}", first.accountability);
    assert!(
        first.accountability[0].starts_with("赵某"),
        "{:?}",
        first.accountability
    );
    assert!(row(l.tasks[4].id).mechanisms[0].starts_with("修订《直属单位资金项目监管办法》"));
    assert!(row(l.tasks[2].id).mechanisms.is_empty());

    // The plan clock stops once the plan is submitted; the report clock runs on.
    let clocks = s.inspection_clocks(&w.principal, w.insp.id).await.unwrap();
    let plan = clocks.iter().find(|c| c.clock == Clock::PlanDue).unwrap();
    assert!(plan.done);
    assert_eq!(plan.colour, Some(Colour::Green));
    let report = clocks.iter().find(|c| c.clock == Clock::ReportDue).unwrap();
    assert!(!report.done);
}

pub async fn the_dashboard_counts_what_its_lists_show(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let f = fed_back(&s).await;
    let l = ledger(&s, &f).await;
    let w = &f.w;
    s.issue_followup(&w.office, &notice(&f, "reminder", "请抓紧报送整改方案。"))
        .await
        .unwrap();
    let formal = s
        .issue_followup(&w.discipline, &notice(&f, "formal", "督办1.1.1。"))
        .await
        .unwrap();
    s.answer_followup(
        &w.principal,
        formal.id,
        &FollowUpAnswer {
            version: formal.version,
            answer: "已落实。".into(),
        },
    )
    .await
    .unwrap();
    for (who, form, list, measure) in [
        ("甲", "first", "批评教育", "诫勉谈话"),
        ("乙", "first", "对干部问责", "通报"),
        ("丙", "second", "党纪处分", "警告"),
    ] {
        s.record_accountability(&w.office, &held_to_account(&f, who, form, list, measure))
            .await
            .unwrap();
    }

    let d = s
        .dashboard(&w.office, &Default::default())
        .await
        .expect("the office's dashboard");
    assert!(d.all_units);
    assert_eq!(d.today, date(2020, 4, 10));
    // Friday 10 April, warning 7 days: 1.1.1 (8 April) red; 1.1.2 (15 April) yellow; 2.1.3
    // (12 April, claimed) yellow; 2.1.1 closed; 2.1.2 (30 June) and 1.1.3 (long-term) green.
    let t = &d.tasks;
    assert_eq!(t.total, 6, "the withdrawn task counts for nothing");
    assert_eq!(t.closed, 1);
    assert!((t.completion_rate - 1.0 / 6.0).abs() < 1e-9);
    assert_eq!(
        t.overdue.iter().map(|l| l.seq.as_str()).collect::<Vec<_>>(),
        ["1.1.1"]
    );
    assert_eq!(
        t.near_due
            .iter()
            .map(|l| l.seq.as_str())
            .collect::<Vec<_>>(),
        ["2.1.3", "1.1.2"]
    );
    assert_eq!(t.rejected.len(), 1);
    assert_eq!(t.rejected[0].id, l.tasks[4].id);
    assert_eq!(t.rejected[0].defect, Some(Defect::Superficial));

    // Every task number is the length of the ledger's list with the same filter, as the
    // dashboard's links open it …
    let listed = |who: Actor, f: LedgerFilter| {
        let s = &s;
        async move {
            s.list_tasks(&who, &f, PageRequest::first(500))
                .await
                .unwrap()
                .items
                .len()
        }
    };
    let base = LedgerFilter {
        inspection_id: Some(w.insp.id),
        ..Default::default()
    };
    assert_eq!(listed(w.office.clone(), base.clone()).await, t.total);
    for bar in &t.by_status {
        let f = LedgerFilter {
            status: Some(TaskStatus::parse(&bar.key).unwrap()),
            ..base.clone()
        };
        assert_eq!(
            bar.count,
            listed(w.office.clone(), f).await,
            "status {}",
            bar.key
        );
    }
    for bar in &t.by_colour {
        let f = LedgerFilter {
            colour: Some(Colour::parse(&bar.key).unwrap()),
            ..base.clone()
        };
        assert_eq!(
            bar.count,
            listed(w.office.clone(), f).await,
            "colour {}",
            bar.key
        );
    }
    assert_eq!(t.by_category.len(), 2);
    for g in &t.by_category {
        let f = LedgerFilter {
            category_id: Some(g.id),
            ..base.clone()
        };
        assert_eq!(
            g.total,
            listed(w.office.clone(), f).await,
            "category {}",
            g.name
        );
    }
    for g in &t.by_unit {
        let f = LedgerFilter {
            unit_id: Some(g.id),
            ..base.clone()
        };
        assert_eq!(
            g.total,
            listed(w.office.clone(), f).await,
            "unit {}",
            g.name
        );
        // The unit's own people count the same list.
        let f = LedgerFilter {
            unit_id: Some(g.id),
            ..Default::default()
        };
        assert_eq!(
            g.total,
            listed(w.principal.clone(), f).await,
            "unit {}",
            g.name
        );
    }
    // A changed warning period moves the ledger's colours and the dashboard's alike.
    let settings = s.rectify_settings(&w.office).await.unwrap();
    s.set_warn_days(
        &w.office,
        &WarnDaysInput {
            version: settings.version,
            warn_days: 1,
        },
    )
    .await
    .unwrap();
    let narrower = s.dashboard(&w.office, &Default::default()).await.unwrap();
    let yellow = |d: &xunshi_core::dashboard::Dashboard| {
        d.tasks
            .by_colour
            .iter()
            .find(|b| b.key == "yellow")
            .unwrap()
            .count
    };
    assert_eq!(
        yellow(&narrower),
        0,
        "12 and 15 April are more than a day away"
    );
    let yellow_list = LedgerFilter {
        colour: Some(Colour::Yellow),
        ..base.clone()
    };
    assert_eq!(listed(w.office.clone(), yellow_list).await, 0);
    assert_eq!(yellow(&d), 2);
    // … and every notice and accountability number the length of its list.
    let notices = |q: FollowUpQuery| {
        let s = &s;
        let who = w.office.clone();
        async move { s.list_followups(&who, &q, all()).await.unwrap().items.len() }
    };
    assert_eq!(d.followups.total, notices(Default::default()).await);
    assert_eq!(d.followups.total, 2);
    assert_eq!(
        d.followups.open,
        notices(FollowUpQuery {
            answered: Some(false),
            ..Default::default()
        })
        .await
    );
    assert_eq!(d.followups.answered, 1);
    for bar in &d.followups.by_kind {
        let n = notices(FollowUpQuery {
            kind: Some(NoticeKind::parse(&bar.key).unwrap()),
            ..Default::default()
        })
        .await;
        assert_eq!(bar.count, n, "kind {}", bar.key);
    }
    assert_eq!(d.accountability.total, 3);
    for bar in &d.accountability.by_form {
        let n = s
            .list_accountability(
                &w.office,
                &AccountabilityQuery {
                    form: Some(Form::parse(&bar.key).unwrap()),
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap()
            .items
            .len();
        assert_eq!(bar.count, n, "form {}", bar.key);
    }
    let first = d
        .accountability
        .by_form
        .iter()
        .find(|b| b.key == "first")
        .unwrap();
    assert_eq!(first.count, 2);
    // The clocks still running: the plan was submitted, so only the report's runs, due
    // 25 May; the inspection's own page shows both.
    assert_eq!(d.clocks.len(), 1);
    assert_eq!((d.clocks_running, d.clocks_overdue), (1, 0));
    assert_eq!(d.clocks[0].clock.clock, Clock::ReportDue);
    assert!(!d.clocks[0].clock.done);
    // The clock rows the store kept write by write are those a rebuild finds.
    let kept = clock_rows(&s).await;
    assert_eq!(kept.len(), 1);
    let mut tx = s.store.write().await.unwrap();
    tx.refresh_clocks(None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(clock_rows(&s).await, kept);
    // The rows carry the dispatcher's level, which decides the due date; a change of the
    // level reaches them as a rebuild would.
    assert_eq!(kept[0].4, "provincial");
    let mut tx = s.store.write().await.unwrap();
    let mut dispatcher = tx.get_unit(w.insp.dispatcher_id).await.unwrap().unwrap();
    dispatcher.level = xunshi_core::org::UnitLevel::City;
    dispatcher.version += 1;
    tx.update_unit(&dispatcher).await.unwrap();
    tx.commit().await.unwrap();
    let relevelled = clock_rows(&s).await;
    assert_eq!(relevelled[0].4, "city");
    let mut tx = s.store.write().await.unwrap();
    tx.refresh_clocks(None).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(clock_rows(&s).await, relevelled);
    let mut tx = s.store.write().await.unwrap();
    dispatcher.level = xunshi_core::org::UnitLevel::Provincial;
    dispatcher.version += 1;
    tx.update_unit(&dispatcher).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(clock_rows(&s).await, kept);
    // Both reports in, the clock stops at once: the submission recomputes it.
    for (who, kind) in [
        (&w.liaison, xunshi_core::disclosure::DocKind::Rectification),
        (
            &w.principal,
            xunshi_core::disclosure::DocKind::PrincipalReport,
        ),
    ] {
        let r = s
            .draft_rectification_report(who, w.insp.id, w.unit, kind)
            .await
            .unwrap();
        s.submit_rect_document(
            who,
            r.id,
            xunshi_core::disclosure::DocCollection::Reports,
            r.version,
        )
        .await
        .unwrap();
    }
    let after = s.dashboard(&w.office, &Default::default()).await.unwrap();
    assert_eq!((after.clocks_running, after.clocks.len()), (0, 0));
    assert!(clock_rows(&s).await.is_empty());

    // The unit sees its own numbers, the same as the office filtered to it; another unit
    // sees none of them and may not ask for them.
    let mine = s
        .dashboard(&w.principal, &Default::default())
        .await
        .unwrap();
    assert!(!mine.all_units);
    assert_eq!(mine.tasks.total, 6);
    assert_eq!(mine.followups.total, 2);
    assert_eq!(mine.accountability.total, 3);
    let theirs = s
        .dashboard(&f.other_unit, &Default::default())
        .await
        .unwrap();
    assert_eq!(theirs.tasks.total, 0);
    assert_eq!(theirs.followups.total, 0);
    assert_eq!(theirs.accountability.total, 0);
    assert!(theirs.clocks.is_empty());
    expect_err!(
        s.dashboard(
            &f.other_unit,
            &DashboardFilter {
                unit_id: Some(w.unit),
                inspection_id: None
            }
        )
        .await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.dashboard(
            &f.other_unit,
            &DashboardFilter {
                unit_id: None,
                inspection_id: Some(w.insp.id)
            }
        )
        .await,
        CoreError::NotFound(_)
    );
    let admin = user_with_role(&s, "sysadmin", None, "admin").await;
    expect_err!(
        s.dashboard(&admin, &Default::default()).await,
        CoreError::Forbidden(_)
    );
    // A filter to a unit the office names narrows it.
    let other = s
        .dashboard(
            &w.office,
            &DashboardFilter {
                unit_id: Some(Id::new()),
                inspection_id: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(other.tasks.total, 0);
}

/// The running clocks as the store keeps them (migrations 0017, 0018), in a fixed order.
async fn clock_rows(s: &Svc) -> Vec<(String, String, String, String, String)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT inspection_id, unit_id, clock, feedback_on, dispatcher_level FROM running_clocks
          ORDER BY inspection_id, unit_id, clock",
    )
    .fetch_all(&s.store.pool)
    .await
    .expect("read the clocks")
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
    .collect()
}

/// The notices sort by every column of their list, both ways, keyset-paged from the first page
/// and from the last, with the total under the reader's scope; the unit's own people see its
/// notices sorted the same, another unit none of them.
pub async fn followups_sort_by_every_column_both_ways(mut s: Svc) {
    use xunshi_core::store::{FollowUpSort, FollowUpSortKey};
    let _now = clock_at(&mut s, "2020-04-10T02:00:00Z");
    let f = fed_back(&s).await;
    let w = &f.w;
    let kinds = ["reminder", "warning", "formal", "referral"];
    let mut notices = Vec::new();
    for i in 0..11usize {
        let input = FollowUpInput {
            kind: kinds[i % kinds.len()].into(),
            doc_no: format!("巡整督〔2020〕{}号", (i * 7) % 11),
            answer_due: (i % 3 != 0).then(|| format!("2020-04-{:02}", 11 + (i * 5) % 17)),
            ..notice(&f, "reminder", &format!("第{i}件"))
        };
        notices.push(
            s.issue_followup(&w.office, &input)
                .await
                .unwrap_or_else(|e| panic!("notice {i}: {e:?}")),
        );
    }
    for who in [&w.office, &w.principal] {
        crate::harness::every_sort_meets_every_row(
            &notices,
            11,
            4,
            |n| n.id,
            |sort: FollowUpSort, n| sort.key_of(n),
            async |sort, at| {
                s.followup_page(who, &FollowUpQuery::default(), sort, at, 4)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
            },
            |e| e.notice.id,
        )
        .await;
    }
    let none = s
        .followup_page(
            &f.other_unit,
            &FollowUpQuery::default(),
            FollowUpSort {
                key: FollowUpSortKey::Due,
                desc: true,
            },
            None,
            4,
        )
        .await
        .expect("another unit's list");
    assert_eq!((none.total, none.items.len()), (0, 0));
    let found = s
        .followup_page(
            &w.office,
            &FollowUpQuery {
                q: Some("〕1号".into()),
                ..Default::default()
            },
            FollowUpSort::default(),
            None,
            4,
        )
        .await
        .expect("by number");
    assert_eq!(found.total, 1);
}

/// The accountability records sort by every column of their list, both ways, keyset-paged from
/// the first page and from the last, with the total under the reader's scope; another unit's
/// people see none of them.
pub async fn accountability_sorts_by_every_column_both_ways(mut s: Svc) {
    use xunshi_core::store::AccountabilitySort;
    let _now = clock_at(&mut s, "2020-04-10T02:00:00Z");
    let f = fed_back(&s).await;
    let w = &f.w;
    let measures = [
        ("first", "批评教育", "诫勉谈话"),
        ("second", "党纪处分", "警告"),
        ("first", "对干部问责", "通报"),
    ];
    let mut records = Vec::new();
    for i in 0..10usize {
        let (form, list, measure) = measures[i % measures.len()];
        let input = AccountabilityInput {
            decided_on: format!("2020-04-{:02}", 1 + (i * 3) % 9),
            ..held_to_account(&f, &format!("某人{}", (i * 7) % 10), form, list, measure)
        };
        records.push(
            s.record_accountability(&w.office, &input)
                .await
                .unwrap_or_else(|e| panic!("record {i}: {e:?}")),
        );
    }
    for who in [&w.office, &w.principal] {
        crate::harness::every_sort_meets_every_row(
            &records,
            10,
            3,
            |a| a.id,
            |sort: AccountabilitySort, a| sort.key_of(a),
            async |sort, at| {
                s.accountability_page(who, &AccountabilityQuery::default(), sort, at, 3)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
            },
            |e| e.record.id,
        )
        .await;
    }
    let none = s
        .accountability_page(
            &f.other_unit,
            &AccountabilityQuery::default(),
            AccountabilitySort::default(),
            None,
            3,
        )
        .await
        .expect("another unit's list");
    assert_eq!((none.total, none.items.len()), (0, 0));
    let found = s
        .accountability_page(
            &w.office,
            &AccountabilityQuery {
                q: Some("某人3".into()),
                ..Default::default()
            },
            AccountabilitySort::default(),
            None,
            3,
        )
        .await
        .expect("by name");
    assert_eq!(found.total, 1);
}

/// The long-term mechanisms sort by every column of their list, both ways, keyset-paged from
/// the first page and from the last, with the total under the reader's scope; another unit's
/// people see none of them.
pub async fn mechanisms_sort_by_every_column_both_ways(mut s: Svc) {
    use xunshi_core::store::MechanismSort;
    let _now = clock_at(&mut s, "2020-04-20T02:00:00Z");
    let f = fed_back(&s).await;
    let l = ledger(&s, &f).await;
    let w = &f.w;
    let mut records = Vec::new();
    for i in 0..10usize {
        let input = MechanismInput {
            inspection_id: w.insp.id.to_string(),
            unit_id: w.unit.to_string(),
            title: format!("《制度{}》", (i * 7) % 10),
            is_new: i % 3 != 0,
            doc_no: format!("办发〔2020〕{}号", (i * 3) % 10),
            issued_on: format!("2020-04-{:02}", 1 + (i * 5) % 9),
            task_ids: vec![l.tasks[i % 3].id.to_string()],
        };
        records.push(
            s.record_mechanism(&w.office, &input)
                .await
                .unwrap_or_else(|e| panic!("record {i}: {e:?}")),
        );
    }
    for who in [&w.office, &w.principal] {
        crate::harness::every_sort_meets_every_row(
            &records,
            10,
            3,
            |m| m.id,
            |sort: MechanismSort, m| sort.key_of(m),
            async |sort, at| {
                s.mechanisms_page(who, &MechanismQuery::default(), sort, at, 3)
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()))
            },
            |e| e.mechanism.id,
        )
        .await;
    }
    let none = s
        .mechanisms_page(
            &f.other_unit,
            &MechanismQuery::default(),
            MechanismSort::default(),
            None,
            3,
        )
        .await
        .expect("another unit's list");
    assert_eq!((none.total, none.items.len()), (0, 0));
    for (q, n) in [("制度3", 1), ("〔2020〕6号", 1), ("办发", 10)] {
        let found = s
            .mechanisms_page(
                &w.office,
                &MechanismQuery {
                    q: Some(q.into()),
                    ..Default::default()
                },
                MechanismSort::default(),
                None,
                3,
            )
            .await
            .expect("by title or number");
        assert_eq!(found.total, n, "{q}");
    }
}
