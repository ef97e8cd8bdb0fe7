//! The to-do (工作台): each kind of waiting work counted and listed from the state, for whom
//! may act on it and nobody else, and gone once done.

use jiff::civil::date;
use xunshi_core::Id;
use xunshi_core::deadline::Colour;
use xunshi_core::permission::Actor;
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::{ChangeInput, Todo, TodoKind};
use xunshi_core::store::{
    FrameAsk, FrameCount, RectifyRead, Store, TodoRead, Waiting, WaitingScope, WriteTx,
};
use xunshi_core::supervision::{FollowUpAnswer, FollowUpInput};

use xunshi_core::paper::{NoticeAnswer, NoticeInput, NoticeReview};
use xunshi_core::report::StepInput;

use crate::harness::{Svc, actor_of, new_user, user_with_role};
use crate::papers::{POLITICAL, decision, paper, world};
use crate::rectify::{approved_plan, drafted_report, plan_input, rect_world, task_input};
use crate::supervision::clock_at;

/// A user seated as the own office of `committee` (a city's or county's 巡察办), the grant
/// stored as granting it does, so that messages find it.
async fn committee_office(s: &Svc, username: &str, committee: Id) -> Actor {
    let u = new_user(s, username, None, None).await;
    let grant = Grant {
        id: Id::new(),
        user_id: u.id,
        role: Role::Office,
        scope: Scope::Unit(committee),
        granted_by: None,
        created_at: jiff::Timestamp::now(),
    };
    let mut tx = s.store.write().await.unwrap();
    tx.insert_grant(&grant).await.unwrap();
    tx.commit().await.unwrap();
    actor_of(s, u.id).await
}

/// The kinds of to-do `who`'s messages are about, in order.
async fn heard(s: &Svc, who: &Actor) -> Vec<Option<TodoKind>> {
    s.inbox(who, false, xunshi_core::page::PageRequest::first(50))
        .await
        .expect("the inbox")
        .messages
        .items
        .into_iter()
        .map(|m| m.about)
        .collect()
}

/// How many items of `kind` wait for `who`.
pub async fn waiting_for(s: &Svc, who: &Actor, kind: TodoKind) -> i64 {
    let todo = s.todo(who).await.expect("the to-do");
    todo.groups
        .iter()
        .filter(|g| g.kind == kind)
        .map(|g| g.total)
        .sum()
}

/// The titles of `who`'s messages about immediate-fix notices, newest first.
async fn fix_notice_messages(s: &Svc, who: &Actor) -> Vec<String> {
    s.inbox(who, false, xunshi_core::page::PageRequest::first(50))
        .await
        .expect("the inbox")
        .messages
        .items
        .into_iter()
        .filter(|m| m.title.starts_with("立行立改"))
        .map(|m| m.title)
        .collect()
}

/// The kinds waiting for `who`, with their totals, but the plan and reports to submit: those
/// wait from the feedback on, while the clocks run, and have a case of their own
/// ([`the_todo_asks_the_unit_for_its_plan_and_reports_while_their_clocks_run`]).
async fn kinds(s: &Svc, who: &Actor) -> Vec<(TodoKind, i64)> {
    all_kinds(s, who)
        .await
        .into_iter()
        .filter(|(k, _)| !matches!(k, TodoKind::PlanSubmit | TodoKind::ReportSubmit))
        .collect()
}

async fn all_kinds(s: &Svc, who: &Actor) -> Vec<(TodoKind, i64)> {
    let todo: Todo = s.todo(who).await.expect("the to-do");
    let counted = s.frame_counts(who).await.expect("the count").waiting;
    assert_eq!(
        counted,
        todo.total(),
        "the navigation counts what the list holds"
    );
    todo.groups.iter().map(|g| (g.kind, g.total)).collect()
}

pub async fn the_todo_lists_what_waits_for_whom_may_act(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let r = rect_world(&s).await;
    let w = &r.w;
    // A discipline officer of the inspected unit: never its overseer.
    let resident = user_with_role(&s, "jw_resident", Some("自治区党委宣传部"), "discipline").await;
    // The own office of the committee that sends the inspection, and another committee's.
    let own_office = committee_office(&s, "ban_own", w.insp.dispatcher_id).await;
    let other_office = committee_office(&s, "ban_other", Id::new()).await;
    let everyone = [
        &own_office,
        &other_office,
        &w.office,
        &r.organization,
        &w.discipline,
        &resident,
        &w.leadership,
        &w.lead,
        &w.member,
        &w.stranger,
        &w.principal,
        &w.liaison,
        &w.staff,
    ];
    for who in everyone {
        assert_eq!(kinds(&s, who).await, vec![], "nothing waits yet");
    }

    // A submitted plan waits for the office and the supervisors, not for the unit itself, its
    // own discipline officer, the leadership or the team.
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let task = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(&r.problems[0], "制定实施细则", "by", Some("2020-04-15")),
        )
        .await
        .unwrap();
    let later = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(&r.problems[1], "健全工作机制", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    s.add_task(
        &w.liaison,
        plan.id,
        &task_input(&r.problems[2], "完善选人用人制度", "long_term", None),
    )
    .await
    .unwrap();
    let plan = s
        .submit_plan(&w.principal, plan.id, plan.version)
        .await
        .unwrap();
    for who in [&w.office, &r.organization, &w.discipline, &own_office] {
        assert_eq!(kinds(&s, who).await, vec![(TodoKind::PlanReview, 1)]);
    }
    // The committee's own office hears of it, as the office does; another committee's not.
    assert_eq!(
        heard(&s, &own_office).await,
        vec![Some(TodoKind::PlanReview)]
    );
    assert_eq!(heard(&s, &other_office).await, vec![]);
    for who in [
        &other_office,
        &resident,
        &w.leadership,
        &w.lead,
        &w.member,
        &w.liaison,
        &w.staff,
    ] {
        assert_eq!(kinds(&s, who).await, vec![]);
    }
    let todo = s.todo(&w.office).await.unwrap();
    let item = &todo.groups[0].items[0];
    assert_eq!(item.object_id, Some(plan.id));
    assert_eq!(item.title, plan.title);
    assert_eq!(item.unit_name.as_deref(), Some("自治区党委宣传部"));
    assert_eq!(item.since, Some(date(2020, 4, 10)));
    // Reviewed, it leaves every list.
    s.review_plan(&w.office, plan.id, plan.version, true, "同意")
        .await
        .unwrap();
    assert_eq!(kinds(&s, &r.organization).await, vec![]);

    // A claimed task waits for verification, coloured by its deadline (five days away, within
    // the warning period); closed, it is gone.
    let task = s
        .report_progress(&w.liaison, task.id, task.version, "细则已印发", 100, true)
        .await
        .unwrap();
    for who in [&w.office, &r.organization, &own_office] {
        assert_eq!(kinds(&s, who).await, vec![(TodoKind::TaskVerify, 1)]);
    }
    assert_eq!(kinds(&s, &resident).await, vec![]);
    assert_eq!(kinds(&s, &other_office).await, vec![]);
    assert_eq!(kinds(&s, &w.liaison).await, vec![]);
    let todo = s.todo(&r.organization).await.unwrap();
    let item = &todo.groups[0].items[0];
    assert_eq!(item.object_id, Some(task.id));
    assert_eq!(item.due, Some(date(2020, 4, 15)));
    assert_eq!(item.colour, Some(Colour::Yellow));
    s.verify_task(
        &r.organization,
        task.id,
        task.version,
        true,
        None,
        None,
        "同意销号",
    )
    .await
    .unwrap();
    assert_eq!(kinds(&s, &w.office).await, vec![]);

    // A change request waits for the office alone; decided, it is gone.
    let cr = s
        .request_change(
            &w.liaison,
            later.id,
            &ChangeInput {
                measure: "调整后的措施".into(),
                due_kind: "by".into(),
                due_date: Some("2020-12-31".into()),
                reason: "涉及机构改革，需延期".into(),
            },
        )
        .await
        .expect("a change asked");
    for who in [&w.office, &own_office] {
        assert_eq!(kinds(&s, who).await, vec![(TodoKind::ChangeDecide, 1)]);
    }
    for who in [
        &r.organization,
        &w.discipline,
        &w.liaison,
        &w.lead,
        &other_office,
    ] {
        assert_eq!(kinds(&s, who).await, vec![]);
    }
    let todo = s.todo(&w.office).await.unwrap();
    assert_eq!(todo.groups[0].items[0].object_id, Some(later.id));
    s.decide_change(&w.office, cr.id, true, "同意")
        .await
        .unwrap();
    assert_eq!(kinds(&s, &w.office).await, vec![]);

    // A follow-up notice waits for the unit's principal and liaison, not its staff nor the
    // office that issued it; answered, it is gone.
    let notice = s
        .issue_followup(
            &w.office,
            &FollowUpInput {
                inspection_id: w.insp.id.to_string(),
                unit_id: w.unit.to_string(),
                task_id: None,
                kind: "reminder".into(),
                doc_no: "巡整督〔2020〕1号".into(),
                content: "请加快整改进度。".into(),
                answer_due: Some("2020-04-30".into()),
            },
        )
        .await
        .unwrap();
    for who in [&w.principal, &w.liaison] {
        assert_eq!(kinds(&s, who).await, vec![(TodoKind::FollowupAnswer, 1)]);
    }
    for who in [&w.staff, &w.office, &w.discipline, &w.lead, &w.stranger] {
        assert_eq!(kinds(&s, who).await, vec![]);
    }
    let todo = s.todo(&w.liaison).await.unwrap();
    let item = &todo.groups[0].items[0];
    assert_eq!(item.object_id, Some(notice.id));
    assert_eq!(item.title, "督办通知 巡整督〔2020〕1号");
    assert_eq!(item.colour, Some(Colour::Green));
    s.answer_followup(
        &w.liaison,
        notice.id,
        &FollowUpAnswer {
            version: notice.version,
            answer: "已专题研究，正在推进。".into(),
        },
    )
    .await
    .unwrap();
    for who in everyone {
        assert_eq!(kinds(&s, who).await, vec![], "everything is done");
    }
}

/// The store counts within the scope and lists the oldest first, `limit` at most.
pub async fn the_todo_store_counts_and_lists_within_a_scope(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let r = rect_world(&s).await;
    let w = &r.w;
    let (_, tasks) = approved_plan(&s, &r, "2020-06-30").await;
    for t in &tasks {
        s.report_progress(&w.liaison, t.id, t.version, "已完成", 100, true)
            .await
            .unwrap();
    }
    let mut tx = s.store.read().await.unwrap();
    let all = WaitingScope::default();
    let (n, rows) = tx.waiting(Waiting::TaskClaimed, &all, 2).await.unwrap();
    assert_eq!(n, tasks.len() as i64);
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].object_id, tasks[0].id, "the oldest claim first");
    assert_eq!(rows[0].label, format!("{} 整改措施0", tasks[0].seq));
    assert_eq!(rows[0].due, Some(date(2020, 6, 30)));
    let (n, rows) = tx.waiting(Waiting::TaskClaimed, &all, 0).await.unwrap();
    assert_eq!((n, rows.len()), (tasks.len() as i64, 0));
    let except = WaitingScope {
        except: vec![w.unit],
        ..Default::default()
    };
    assert_eq!(
        tx.waiting(Waiting::TaskClaimed, &except, 20)
            .await
            .unwrap()
            .0,
        0
    );
    let only = WaitingScope {
        only: Some(vec![w.unit]),
        ..Default::default()
    };
    assert_eq!(
        tx.waiting(Waiting::TaskClaimed, &only, 20).await.unwrap().0,
        tasks.len() as i64
    );
    let this = WaitingScope {
        inspections: Some(vec![w.insp.id]),
        ..Default::default()
    };
    assert_eq!(
        tx.waiting(Waiting::TaskClaimed, &this, 0).await.unwrap().0,
        tasks.len() as i64
    );
    let another = WaitingScope {
        inspections: Some(vec![xunshi_core::Id::new()]),
        ..Default::default()
    };
    assert_eq!(
        tx.waiting(Waiting::TaskClaimed, &another, 0)
            .await
            .unwrap()
            .0,
        0
    );
    // A committee's office: the claims of the inspections its committee sends.
    let sent = WaitingScope {
        dispatchers: Some(vec![w.insp.dispatcher_id]),
        ..Default::default()
    };
    let elsewhere = WaitingScope {
        dispatchers: Some(vec![xunshi_core::Id::new()]),
        ..Default::default()
    };
    let sent_but = WaitingScope {
        except: vec![w.unit],
        ..sent.clone()
    };
    for (scope, expected) in [(&sent, tasks.len() as i64), (&elsewhere, 0), (&sent_but, 0)] {
        let (n, rows) = tx.waiting(Waiting::TaskClaimed, scope, 20).await.unwrap();
        assert_eq!(
            (n, rows.len() as i64),
            (expected, expected.min(20)),
            "{scope:?}"
        );
    }
    // The number of claims comes from the ledger's tallies once they are built (a reader of
    // the day builds them), and agrees with the rows in every shape of scope.
    drop(tx);
    s.dashboard(&w.office, &Default::default()).await.unwrap();
    let built: i64 = {
        use sqlx::Row;
        sqlx::query(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM task_tally_state WHERE as_of IS NOT NULL",
        )
        .fetch_one(&s.store.pool)
        .await
        .unwrap()
        .get(0)
    };
    assert_eq!(built, 1, "the tallies are built");
    let mut tx = s.store.read().await.unwrap();
    let mut both = WaitingScope {
        only: Some(vec![w.unit, xunshi_core::Id::new()]),
        except: vec![w.unit],
        ..Default::default()
    };
    for (scope, expected) in [
        (&all, tasks.len() as i64),
        (&except, 0),
        (&only, tasks.len() as i64),
        (&this, tasks.len() as i64),
        (&another, 0),
        (&both, 0),
        (&sent, tasks.len() as i64),
        (&elsewhere, 0),
        (&sent_but, 0),
    ] {
        let (n, rows) = tx.waiting(Waiting::TaskClaimed, scope, 20).await.unwrap();
        assert_eq!(n, expected, "{scope:?}");
        assert_eq!(rows.len() as i64, expected.min(20), "{scope:?}");
    }
    both.inspections = Some(vec![w.insp.id]);
    both.except = vec![];
    assert_eq!(
        tx.waiting(Waiting::TaskClaimed, &both, 0).await.unwrap().0,
        tasks.len() as i64
    );
    let nowhere = WaitingScope {
        only: Some(vec![]),
        ..Default::default()
    };
    assert_eq!(
        tx.waiting(Waiting::TaskClaimed, &nowhere, 20)
            .await
            .unwrap(),
        (0, vec![])
    );
    for kind in [
        Waiting::PlanSubmitted,
        Waiting::ChangePending,
        Waiting::FollowUpOpen,
        Waiting::NoticeSubmitted,
        Waiting::NoticeNeedsReview,
        Waiting::ReportAtTeamMeeting,
        Waiting::ReportWithOffice,
        Waiting::PaperApproved,
        Waiting::FixNoticeIssued,
        Waiting::FixNoticeAnswered,
    ] {
        assert_eq!(tx.waiting(kind, &all, 20).await.unwrap(), (0, vec![]));
    }
    // Counted together in one statement, each kind within its scope counts as it does alone:
    // the scopes' lists are numbered one after another.
    let asked = vec![
        (Waiting::PlanSubmitted, only.clone()),
        (Waiting::TaskClaimed, this.clone()),
        (Waiting::ChangePending, except.clone()),
        (Waiting::TaskClaimed, all.clone()),
        (Waiting::FixNoticeIssued, both.clone()),
        (Waiting::ReportWithOffice, nowhere.clone()),
        (Waiting::FollowUpOpen, another.clone()),
    ];
    let mut alone = Vec::new();
    for (kind, scope) in &asked {
        alone.push(tx.waiting(*kind, scope, 0).await.unwrap().0);
    }
    let none = FrameAsk::default();
    let counted = tx.frame_counts(&asked, &none).await.unwrap();
    assert_eq!(counted.waiting, alone);
    assert_eq!(alone[1], tasks.len() as i64);
    assert_eq!(
        tx.frame_counts(&[], &none).await.unwrap(),
        FrameCount::default()
    );
    // The claims were counted from the tallies, built by the writes above, within the
    // statement of the other kinds.
    assert!(tx.tally_state().await.unwrap().is_some());
}

fn step(version: i64, decision: &str, day: Option<&str>) -> StepInput {
    StepInput {
        version,
        decision: decision.into(),
        comment: String::new(),
        meeting_date: day.map(str::to_owned),
    }
}

/// Papers wait for the team's leader to sign them; an immediate-fix notice for the unit's
/// answer, then for the leader's review; a report for the leader's team meeting, then for the
/// office — and for nobody else.
pub async fn the_todo_asks_the_leader_to_sign_and_the_office_to_decide(mut s: Svc) {
    // Before November: next year's holidays are not yet due.
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let w = world(&s).await;
    let resident = user_with_role(&s, "bgs_resident", Some("自治区党委宣传部"), "office").await;
    let others = [
        &w.member,
        &w.stranger,
        &w.leadership,
        &w.discipline,
        &w.liaison,
        &resident,
    ];
    let p = s
        .create_problem(
            &w.member,
            w.insp.id,
            &paper(POLITICAL, "意识形态工作责任制落实不到位"),
        )
        .await
        .unwrap();
    assert_eq!(
        kinds(&s, &w.lead).await,
        vec![],
        "a draft waits for the team meeting"
    );
    let p = s
        .approve_problem(&w.lead, p.id, &decision(p.version, "组务会审议通过"))
        .await
        .unwrap();
    assert_eq!(kinds(&s, &w.lead).await, vec![(TodoKind::PaperSign, 1)]);
    let todo = s.todo(&w.lead).await.unwrap();
    let item = &todo.groups[0].items[0];
    assert_eq!(item.object_id, Some(p.id));
    assert_eq!(item.title, "意识形态工作责任制落实不到位");
    assert_eq!(item.unit_name.as_deref(), Some("自治区党委宣传部"));
    for who in others.iter().chain([&&w.office]) {
        assert_eq!(kinds(&s, who).await, vec![]);
    }
    s.sign_problem(&w.lead, p.id, &decision(p.version, ""))
        .await
        .unwrap();
    assert_eq!(kinds(&s, &w.lead).await, vec![]);

    // An immediate-fix notice waits for the unit's principal and liaison to answer, then for
    // the leader to review the answer.
    let draft = s
        .create_problem(&w.member, w.insp.id, &paper(POLITICAL, "违规发放津贴补贴"))
        .await
        .unwrap();
    let n = s
        .issue_notice(
            &w.lead,
            w.insp.id,
            &NoticeInput {
                unit_id: None,
                problem_id: Some(draft.id.to_string()),
                content: "立即清理违规发放的津贴补贴。".into(),
                issued_on: Some("2020-04-01".into()),
                due_on: Some("2020-04-30".into()),
            },
        )
        .await
        .unwrap();
    for who in [&w.principal, &w.liaison] {
        assert_eq!(kinds(&s, who).await, vec![(TodoKind::FixNoticeAnswer, 1)]);
    }
    for who in [&w.staff, &w.lead, &w.member, &w.office] {
        assert_eq!(kinds(&s, who).await, vec![]);
    }
    // The hand-over is also a message to them, and to nobody else of the unit.
    for (who, told) in [(&w.principal, true), (&w.liaison, true), (&w.staff, false)] {
        assert_eq!(
            fix_notice_messages(&s, who).await,
            if told {
                vec!["立行立改通知待答复".to_owned()]
            } else {
                vec![]
            }
        );
    }
    let todo = s.todo(&w.liaison).await.unwrap();
    let item = &todo.groups[0].items[0];
    assert_eq!(item.title, "立行立改通知第1号");
    assert_eq!(item.due, Some(date(2020, 4, 30)));
    let n = s
        .answer_notice(
            &w.liaison,
            n.id,
            &NoticeAnswer {
                version: n.version,
                answer: "已全部清退。".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(kinds(&s, &w.liaison).await, vec![]);
    assert_eq!(
        kinds(&s, &w.lead).await,
        vec![(TodoKind::FixNoticeReview, 1)]
    );
    let todo = s.todo(&w.lead).await.unwrap();
    assert_eq!(todo.groups[0].items[0].inspection_id, Some(w.insp.id));
    for who in [&w.member, &w.office, &w.stranger, &w.principal] {
        assert_eq!(kinds(&s, who).await, vec![]);
    }
    s.review_notice(
        &w.lead,
        n.id,
        &NoticeReview {
            version: n.version,
            accept: true,
            comment: String::new(),
        },
    )
    .await
    .unwrap();
    assert_eq!(kinds(&s, &w.lead).await, vec![], "closed, gone");
    assert_eq!(
        fix_notice_messages(&s, &w.principal).await,
        vec![
            "立行立改答复已通过".to_owned(),
            "立行立改通知待答复".to_owned()
        ]
    );

    let r = drafted_report(&s, &w).await;
    let r = s
        .decide_report(&w.lead, r.id, &step(r.version, "submit", None))
        .await
        .unwrap();
    assert_eq!(
        kinds(&s, &w.lead).await,
        vec![(TodoKind::ReportTeamMeeting, 1)]
    );
    for who in others.iter().chain([&&w.office]) {
        assert_eq!(kinds(&s, who).await, vec![]);
    }
    let mut r = s
        .decide_report(
            &w.lead,
            r.id,
            &step(r.version, "approve", Some("2019-12-20")),
        )
        .await
        .unwrap();
    assert_eq!(kinds(&s, &w.lead).await, vec![]);
    for day in [None, Some("2020-01-06"), Some("2020-01-16")] {
        assert_eq!(
            kinds(&s, &w.office).await,
            vec![(TodoKind::ReportDecide, 1)]
        );
        let todo = s.todo(&w.office).await.unwrap();
        assert_eq!(todo.groups[0].items[0].object_id, Some(r.id));
        assert_eq!(
            todo.groups[0].items[0].unit_name.as_deref(),
            Some(w.insp.team_name.as_str())
        );
        for who in others.iter().chain([&&w.lead]) {
            assert_eq!(kinds(&s, who).await, vec![]);
        }
        r = s
            .decide_report(&w.office, r.id, &step(r.version, "approve", day))
            .await
            .unwrap();
    }
    assert_eq!(kinds(&s, &w.office).await, vec![], "approved, it is gone");
}

/// From 1 November (in Asia/Shanghai) next year's holiday arrangement waits for the office
/// until it is entered.
pub async fn the_todo_asks_the_office_for_next_years_holidays_from_november(mut s: Svc) {
    let clock = clock_at(&mut s, "2026-10-31T15:00:00Z");
    let office = user_with_role(&s, "bgs", None, "office").await;
    let discipline = user_with_role(&s, "jiwei", None, "discipline").await;
    assert_eq!(kinds(&s, &office).await, vec![], "31 October in Beijing");
    *clock.lock().unwrap() = "2026-10-31T16:00:00Z".parse().unwrap();
    assert_eq!(
        kinds(&s, &office).await,
        vec![(TodoKind::CalendarMissing, 1)]
    );
    assert_eq!(kinds(&s, &discipline).await, vec![]);
    let todo = s.todo(&office).await.unwrap();
    let item = &todo.groups[0].items[0];
    assert_eq!(item.title, "2027年节假日安排尚未录入");
    assert_eq!(item.due, Some(date(2026, 12, 31)));
    assert_eq!(item.colour, Some(Colour::Green));
    s.import_calendar_year(&office, 2027, "2027-01-01,holiday,元旦", "国务院办公厅通知")
        .await
        .unwrap();
    assert_eq!(kinds(&s, &office).await, vec![], "entered, it is gone");
}

/// From the feedback, the unit's plan and its reports wait for whoever submits them for the
/// unit, with the deadlines the rules give; the plan leaves the list once it reaches the office.
pub async fn the_todo_asks_the_unit_for_its_plan_and_reports_while_their_clocks_run(mut s: Svc) {
    clock_at(&mut s, "2020-04-10T02:00:00Z");
    let r = rect_world(&s).await;
    let w = &r.w;
    let both = vec![(TodoKind::PlanSubmit, 1), (TodoKind::ReportSubmit, 1)];
    for who in [&w.principal, &w.liaison] {
        assert_eq!(all_kinds(&s, who).await, both);
    }
    // Neither the unit's staff nor anyone outside the unit submits for it.
    for who in [
        &w.staff,
        &w.office,
        &r.organization,
        &w.discipline,
        &w.leadership,
        &w.lead,
        &w.stranger,
    ] {
        assert_eq!(all_kinds(&s, who).await, vec![]);
    }
    let todo = s.todo(&w.liaison).await.unwrap();
    let plan_item = &todo.groups[0].items[0];
    assert_eq!(
        plan_item.object_id,
        Some(w.unit),
        "the unit's slot opens it"
    );
    assert_eq!(plan_item.inspection_id, Some(w.insp.id));
    assert!(
        plan_item.title.ends_with("反馈意见的整改方案"),
        "{}",
        plan_item.title
    );
    assert_eq!(plan_item.unit_name.as_deref(), Some("自治区党委宣传部"));
    assert_eq!(plan_item.since, Some(date(2020, 3, 25)), "the feedback");
    // The shipped rules: 15 working days for the plan, two months for the reports.
    assert_eq!(plan_item.due, Some(date(2020, 4, 16)));
    assert_eq!(plan_item.colour, Some(Colour::Yellow));
    let report_item = &todo.groups[1].items[0];
    assert!(report_item.title.ends_with("反馈意见的整改情况报告"));
    assert_eq!(report_item.due, Some(date(2020, 5, 25)));
    assert_eq!(report_item.colour, Some(Colour::Green));

    // A draft does not stop the clock; the plan submitted does.
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    assert_eq!(all_kinds(&s, &w.liaison).await, both, "a draft is not sent");
    for (i, p) in r.problems.iter().enumerate() {
        s.add_task(
            &w.liaison,
            plan.id,
            &task_input(p, &format!("措施{i}"), "long_term", None),
        )
        .await
        .unwrap();
    }
    s.submit_plan(&w.principal, plan.id, plan.version)
        .await
        .unwrap();
    for who in [&w.principal, &w.liaison] {
        assert_eq!(
            all_kinds(&s, who).await,
            vec![(TodoKind::ReportSubmit, 1)],
            "the plan is with the office"
        );
    }
}
