//! Rectification: the unit's plan and its review, the ledger's tasks, progress with evidence,
//! verification and closing, change requests — and who may do each, on both backends.

use std::sync::Arc;

use jiff::civil::{Date, date};
use xunshi_core::deadline::Colour;
use xunshi_core::inspection::Stage;
use xunshi_core::page::PageRequest;
use xunshi_core::paper::{Problem, Signature};
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{
    ChangeRequest, Defect, Due, GroupMember, Plan, PlanReview, PlanStatus, ProgressReport, Task,
    TaskEvidence, TaskInput, TaskStatus, Verification, task_colour,
};
use xunshi_core::report::{Report, ReportInput, ReportStatus, ReportVersionInput, StepInput};
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::{ChangeInput, LedgerFilter, RectPlanInput};
use xunshi_core::store::{
    ChangeFilter, ColourAt, LeadershipRead, PaperRead, PaperWrite, PlanFilter, PlanningRead,
    RectifyRead, RectifyScope, RectifyWrite, Store, TaskFilter, WriteTx,
};
use xunshi_core::{CoreError, Id};
use xunshi_store::LocalBlobs;

use crate::harness::{
    Svc, TestClock, audit_of_action, audit_of_object, bad_fields, every_sort_meets_every_row,
    expect_err, generated, new_user, user_with_role,
};
use crate::papers::{ORGANIZATIONAL, POLITICAL, World, move_to, signed_paper, world};

/// The feedback date of the cases: the seed article's.
pub const FEEDBACK_DAY: &str = "2020-03-25";

/// Moves the world's inspection to reporting and drafts its main report (one version, by the
/// team's leader); returns the report as read back.
pub async fn drafted_report(s: &Svc, w: &World) -> Report {
    move_to(s, &w.insp, Stage::Reporting, Some("2019-12-18")).await;
    let r = s
        .create_report(
            &w.lead,
            w.insp.id,
            &ReportInput {
                kind: "main".into(),
                title: "巡视情况报告".into(),
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
            recommendations: vec!["切实履行整改主体责任".into()],
            note: "初稿".into(),
        },
    )
    .await
    .expect("report version");
    s.report_detail(&w.lead, r.id).await.unwrap().report
}

/// Takes the world's inspection from fieldwork to feedback through the papers services: the
/// papers signed, the report approved along its chain, the feedback drafted and given on
/// [`FEEDBACK_DAY`]. Returns the fed-back problems in the order given.
pub async fn fed_back(s: &Svc, w: &World, papers: &[(&str, &str)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (category, title) in papers {
        problems.push(signed_paper(s, w, category, title).await);
    }
    let mut r = drafted_report(s, w).await;
    for (who, decision, day) in [
        (&w.lead, "submit", None),
        (&w.lead, "approve", Some("2019-12-20")),
        (&w.office, "approve", None),
        (&w.office, "approve", Some("2020-01-06")),
        (&w.office, "approve", Some("2020-01-16")),
    ] {
        r = s
            .decide_report(
                who,
                r.id,
                &StepInput {
                    version: r.version,
                    decision: decision.into(),
                    comment: String::new(),
                    meeting_date: day.map(str::to_owned),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("report {decision}: {e}"));
    }
    assert_eq!(r.status, ReportStatus::Approved);
    let mut input = s.feedback_defaults(&w.lead, w.insp.id).await.unwrap();
    input.deadline = Some("2020-05-25".into());
    input.meeting_date = Some(FEEDBACK_DAY.into());
    input.delivered_by = "于洁".into();
    input.delivered_to = "范晓莉".into();
    input.presided_by = "范晓莉".into();
    let fb = s.save_feedback(&w.lead, w.insp.id, &input).await.unwrap();
    s.give_feedback(&w.lead, w.insp.id, fb.version)
        .await
        .expect("feedback given");
    problems
}

fn sig(name: &str) -> Signature {
    Signature {
        by: None,
        name: name.into(),
        at: jiff::Timestamp::now(),
    }
}

fn stored_task(plan: &Plan, problem: &Problem, seq: &str, due: Due, status: TaskStatus) -> Task {
    Task {
        id: Id::new(),
        plan_id: plan.id,
        inspection_id: plan.inspection_id,
        unit_id: plan.unit_id,
        problem_id: problem.id,
        seq: seq.into(),
        measure: format!("措施{seq}"),
        target: "目标".into(),
        standard: "销号标准".into(),
        responsible_leader: "分管副部长".into(),
        lead_department: "办公室".into(),
        co_departments: String::new(),
        responsible_person: "张三".into(),
        due,
        status,
        progress: 0,
        // Closed tasks of these cases are closed on their deadline unless a case says otherwise.
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

fn ids(tasks: &[Task]) -> Vec<String> {
    let mut v: Vec<String> = tasks.iter().map(|t| t.seq.clone()).collect();
    v.sort();
    v
}

/// The tasks the text filter `q` finds are those numbered `want`, and their count agrees.
async fn found_by_text(tx: &mut impl RectifyRead, q: &str, want: &[&str]) {
    let text = TaskFilter {
        text: Some(q.into()),
        ..Default::default()
    };
    let got = tx.all_tasks(&text).await.unwrap();
    assert_eq!(ids(&got), want, "{q}");
    assert_eq!(
        tx.count_tasks(&text).await.unwrap(),
        i64::try_from(got.len()).unwrap(),
        "{q}"
    );
}

// ---------------------------------------------------------------------------------------------
// Storage alone: what the services build on, on both backends.

pub async fn the_store_keeps_plans_tasks_and_their_records(s: Svc) {
    let w = world(&s).await;
    let p1 = signed_paper(&s, &w, crate::papers::POLITICAL, "问题一").await;
    let p2 = signed_paper(&s, &w, crate::papers::ORGANIZATIONAL, "问题二").await;
    let now = jiff::Timestamp::now();
    let plan = Plan {
        id: Id::new(),
        inspection_id: w.insp.id,
        unit_id: w.unit,
        title: "整改方案".into(),
        organisation: "成立整改工作领导小组".into(),
        leading_group: vec![GroupMember {
            name: "范晓莉".into(),
            post: "部长".into(),
            role: "组长".into(),
        }],
        status: PlanStatus::Draft,
        submitted_at: None,
        approved_at: None,
        version: 1,
    };
    let today: Date = date(2020, 6, 1);
    let mut tx = s.store.write().await.unwrap();
    tx.insert_rect_plan(&plan).await.unwrap();
    tx.commit().await.unwrap();
    // One plan per inspection and unit. (A refused statement spoils its transaction on
    // PostgreSQL, so each refusal gets one of its own.)
    let mut tx = s.store.write().await.unwrap();
    let twin = Plan {
        id: Id::new(),
        ..plan.clone()
    };
    expect_err!(tx.insert_rect_plan(&twin).await, CoreError::Conflict(_));
    drop(tx);

    let mut tx = s.store.write().await.unwrap();
    let tasks = [
        stored_task(
            &plan,
            &p1,
            "1.1.1",
            Due::By {
                date: date(2020, 5, 31),
            },
            TaskStatus::InProgress,
        ),
        stored_task(
            &plan,
            &p1,
            "1.1.2",
            Due::By {
                date: date(2020, 6, 1),
            },
            TaskStatus::NotStarted,
        ),
        stored_task(
            &plan,
            &p1,
            "1.1.3",
            Due::Immediate {
                date: date(2020, 6, 8),
            },
            TaskStatus::Claimed,
        ),
        stored_task(
            &plan,
            &p1,
            "1.1.4",
            Due::By {
                date: date(2020, 6, 9),
            },
            TaskStatus::InProgress,
        ),
        stored_task(
            &plan,
            &p2,
            "2.1.1",
            Due::By {
                date: date(2020, 4, 30),
            },
            TaskStatus::Closed,
        ),
        stored_task(&plan, &p2, "2.1.2", Due::LongTerm, TaskStatus::InProgress),
        Task {
            closed_on: Some(date(2020, 5, 20)),
            ..stored_task(
                &plan,
                &p2,
                "2.1.4",
                Due::By {
                    date: date(2020, 5, 1),
                },
                TaskStatus::Closed,
            )
        },
    ];
    for t in &tasks {
        tx.insert_task(t).await.unwrap();
    }
    let mut withdrawn = stored_task(
        &plan,
        &p2,
        "2.1.3",
        Due::By {
            date: date(2020, 5, 1),
        },
        TaskStatus::NotStarted,
    );
    withdrawn.withdrawn_reason = Some("重复".into());
    tx.insert_task(&withdrawn).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.store.write().await.unwrap();
    expect_err!(
        tx.insert_task(&Task {
            id: Id::new(),
            ..tasks[0].clone()
        })
        .await,
        CoreError::Conflict(_)
    );
    drop(tx);

    let mut tx = s.store.read().await.unwrap();
    // Every stored field comes back.
    let back = tx.get_task(tasks[2].id).await.unwrap().unwrap();
    assert_eq!(
        back.due,
        Due::Immediate {
            date: date(2020, 6, 8)
        }
    );
    assert_eq!(back.status, TaskStatus::Claimed);
    assert_eq!(back.measure, "措施1.1.3");
    // The one read of a task with its plan and inspection gives what the three reads give,
    // the inspection's targets in their order.
    let (t, p, i) = tx.get_task_context(tasks[2].id).await.unwrap().unwrap();
    let insp = tx.get_inspection(w.insp.id).await.unwrap().unwrap();
    assert!(!insp.target_ids.is_empty());
    let stored_plan = tx.get_rect_plan(plan.id).await.unwrap().unwrap();
    for (joined, alone) in [
        (serde_json::to_value(&t), serde_json::to_value(&back)),
        (serde_json::to_value(&p), serde_json::to_value(&stored_plan)),
        (serde_json::to_value(&i), serde_json::to_value(&insp)),
    ] {
        assert_eq!(joined.unwrap(), alone.unwrap());
    }
    assert!(tx.get_task_context(Id::new()).await.unwrap().is_none());
    assert_eq!(
        tx.get_task(tasks[5].id).await.unwrap().unwrap().due,
        Due::LongTerm
    );
    let p = tx.get_rect_plan(plan.id).await.unwrap().unwrap();
    assert_eq!(p.leading_group, plan.leading_group);
    assert_eq!(
        tx.find_rect_plan(w.insp.id, w.unit)
            .await
            .unwrap()
            .unwrap()
            .id,
        plan.id
    );

    // The colour filter follows task_colour exactly, on either side of each boundary.
    let colour = |c| TaskFilter {
        colour: Some(ColourAt {
            colour: c,
            today,
            warn_days: 7,
        }),
        ..Default::default()
    };
    let all = tx.all_tasks(&TaskFilter::default()).await.unwrap();
    assert_eq!(all.len(), 7, "withdrawn tasks are left out");
    for c in Colour::ALL {
        let got = ids(&tx.all_tasks(&colour(c)).await.unwrap());
        let want: Vec<Task> = all
            .iter()
            .filter(|t| t.colour(today, 7) == c)
            .cloned()
            .collect();
        assert_eq!(got, ids(&want), "{c:?}");
    }
    assert_eq!(
        ids(&tx.all_tasks(&colour(Colour::Red)).await.unwrap()),
        ["1.1.1"]
    );
    assert_eq!(
        ids(&tx.all_tasks(&colour(Colour::Yellow)).await.unwrap()),
        ["1.1.2", "1.1.3"]
    );
    assert_eq!(
        ids(&tx.all_tasks(&colour(Colour::ClosedLate)).await.unwrap()),
        ["2.1.4"],
        "closed nineteen days late stays late"
    );
    assert_eq!(
        tx.get_task(tasks[6].id).await.unwrap().unwrap().closed_on,
        Some(date(2020, 5, 20))
    );
    let with_withdrawn = TaskFilter {
        include_withdrawn: true,
        ..Default::default()
    };
    assert_eq!(tx.all_tasks(&with_withdrawn).await.unwrap().len(), 8);

    // Category (through the problem), status, problem and scope.
    let by_cat = TaskFilter {
        category_id: Some(p2.category_id),
        ..Default::default()
    };
    assert_eq!(
        ids(&tx.all_tasks(&by_cat).await.unwrap()),
        ["2.1.1", "2.1.2", "2.1.4"]
    );
    let by_status = TaskFilter {
        status: Some(TaskStatus::InProgress),
        problem_id: Some(p1.id),
        ..Default::default()
    };
    assert_eq!(
        ids(&tx.all_tasks(&by_status).await.unwrap()),
        ["1.1.1", "1.1.4"]
    );
    let elsewhere = TaskFilter {
        scope: Some(RectifyScope {
            units: vec![Id::new()],
            ..Default::default()
        }),
        ..Default::default()
    };
    assert!(tx.all_tasks(&elsewhere).await.unwrap().is_empty());
    let nowhere = TaskFilter {
        scope: Some(RectifyScope::default()),
        ..Default::default()
    };
    assert!(tx.all_tasks(&nowhere).await.unwrap().is_empty());
    let via_inspection = TaskFilter {
        scope: Some(RectifyScope {
            units: vec![Id::new()],
            inspections: vec![w.insp.id],
            dispatchers: vec![],
        }),
        ..Default::default()
    };
    assert_eq!(tx.all_tasks(&via_inspection).await.unwrap().len(), 7);
    // A committee's own office: the tasks of the inspections its committee sends, and none of
    // another committee's.
    let sent_by = |dispatcher: Id| TaskFilter {
        scope: Some(RectifyScope {
            dispatchers: vec![dispatcher],
            ..Default::default()
        }),
        ..Default::default()
    };
    assert_eq!(
        tx.all_tasks(&sent_by(w.insp.dispatcher_id))
            .await
            .unwrap()
            .len(),
        7
    );
    assert_eq!(
        tx.count_tasks(&sent_by(w.insp.dispatcher_id))
            .await
            .unwrap(),
        7
    );
    assert!(tx.all_tasks(&sent_by(Id::new())).await.unwrap().is_empty());
    assert_eq!(tx.count_tasks(&sent_by(Id::new())).await.unwrap(), 0);
    // The ledger narrowed to one committee's inspections (分级汇总's numbers open it): the
    // same tasks, counted from the rows before the tallies are built and from the tallies
    // after (below).
    let of_committee = |d: Id| TaskFilter {
        dispatcher_id: Some(d),
        ..Default::default()
    };
    assert_eq!(
        tx.count_tasks(&of_committee(w.insp.dispatcher_id))
            .await
            .unwrap(),
        7
    );
    assert_eq!(tx.count_tasks(&of_committee(Id::new())).await.unwrap(), 0);
    // The figures by level count the same tasks from the tallies (built here, as a service
    // builds them before reading), and the inspection at its stage under its committee.
    drop(tx);
    let mut wtx = s.store.write().await.unwrap();
    wtx.refresh_tally(date(2020, 5, 1), 15).await.unwrap();
    wtx.commit().await.unwrap();
    let mut tx = s.store.read().await.unwrap();
    let dispatcher = w.insp.dispatcher_id;
    let closed = TaskFilter {
        status: Some(TaskStatus::Closed),
        ..sent_by(dispatcher)
    };
    let figures = tx.committee_task_counts(&[dispatcher]).await.unwrap();
    assert_eq!(
        figures
            .iter()
            .map(|f| (f.committee_id, f.total, f.closed))
            .collect::<Vec<_>>(),
        [(dispatcher, 7, tx.count_tasks(&closed).await.unwrap())]
    );
    assert_eq!(tx.count_tasks(&of_committee(dispatcher)).await.unwrap(), 7);
    let closed_of_committee = TaskFilter {
        status: Some(TaskStatus::Closed),
        ..of_committee(dispatcher)
    };
    assert_eq!(
        tx.count_tasks(&closed_of_committee).await.unwrap(),
        figures[0].closed
    );
    assert_eq!(tx.count_tasks(&of_committee(Id::new())).await.unwrap(), 0);
    assert!(
        tx.committee_task_counts(&[Id::new()])
            .await
            .unwrap()
            .is_empty()
    );
    let insp_now = tx.get_inspection(w.insp.id).await.unwrap().unwrap();
    let stages = tx.committee_stage_counts(Some(dispatcher)).await.unwrap();
    assert!(
        stages
            .iter()
            .any(|c| c.committee_id == dispatcher && c.stage == Some(insp_now.stage) && c.n == 1),
        "{stages:?}"
    );
    let of_dispatcher = |rows: Vec<xunshi_core::store::CommitteeStageCount>| {
        rows.into_iter()
            .filter(|c| c.committee_id == dispatcher)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        of_dispatcher(stages),
        of_dispatcher(tx.committee_stage_counts(None).await.unwrap())
    );

    // Text: the problem's title, the measure, the people and the 序号; the LIKE wildcards are
    // plain characters; the count agrees with the rows.
    for (q, want) in [
        ("问题二", vec!["2.1.1", "2.1.2", "2.1.4"]),
        ("措施1.1.3", vec!["1.1.3"]),
        ("1.1.4", vec!["1.1.4"]),
        (
            "张三",
            vec![
                "1.1.1", "1.1.2", "1.1.3", "1.1.4", "2.1.1", "2.1.2", "2.1.4",
            ],
        ),
        ("%", vec![]),
        ("_", vec![]),
        ("问题三", vec![]),
    ] {
        found_by_text(&mut tx, q, &want).await;
    }

    // Pages by cursor, without gaps or repeats.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(4);
    loop {
        let rows = tx.list_tasks(&TaskFilter::default(), page).await.unwrap();
        let more = rows.len() > 4;
        seen.extend(rows.iter().take(4).map(|t| t.id));
        if !more {
            break;
        }
        page.after = seen.last().copied();
    }
    let mut expected: Vec<Id> = all.iter().map(|t| t.id).collect();
    expected.sort();
    assert_eq!(seen, expected);
    let plans = tx
        .list_rect_plans(
            &PlanFilter {
                unit_id: Some(w.unit),
                ..Default::default()
            },
            PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(plans.len(), 1);
    drop(tx);

    // A stale update is refused; the records of a task are appended and read back in order.
    let mut tx = s.store.write().await.unwrap();
    let mut t = tasks[0].clone();
    t.version = 2;
    t.progress = 40;
    tx.update_task(&t).await.unwrap();
    expect_err!(tx.update_task(&t).await, CoreError::StaleVersion(_));
    let mut p2v = plan.clone();
    p2v.version = 2;
    p2v.status = PlanStatus::Submitted;
    p2v.submitted_at = Some(now);
    tx.update_rect_plan(&p2v).await.unwrap();
    expect_err!(tx.update_rect_plan(&p2v).await, CoreError::StaleVersion(_));
    tx.insert_plan_review(&PlanReview {
        id: Id::new(),
        plan_id: plan.id,
        approved: false,
        comment: "措施不具体".into(),
        by_name: "巡视办".into(),
        at: now,
    })
    .await
    .unwrap();
    for (n, text) in ["第一次报告", "第二次报告"].iter().enumerate() {
        tx.insert_progress(&ProgressReport {
            id: Id::new(),
            task_id: t.id,
            text: (*text).into(),
            progress: 20 * (n as i16 + 1),
            claims_done: false,
            by_name: "办公室".into(),
            at: now,
        })
        .await
        .unwrap();
    }
    tx.insert_progress(&ProgressReport {
        id: Id::new(),
        task_id: tasks[1].id,
        text: "另一任务".into(),
        progress: 10,
        claims_done: true,
        by_name: "办公室".into(),
        at: now,
    })
    .await
    .unwrap();
    let e = TaskEvidence {
        id: Id::new(),
        task_id: t.id,
        filename: "会议纪要.pdf".into(),
        size: 10,
        content_type: "application/pdf".into(),
        kind: xunshi_core::paper::FileKind::Pdf,
        sha256: "ab".repeat(32),
        uploaded: sig("办公室"),
        withdrawn: None,
        withdrawn_reason: None,
    };
    tx.insert_task_evidence(&e).await.unwrap();
    let gone = TaskEvidence {
        withdrawn: Some(sig("办公室")),
        withdrawn_reason: Some("传错了".into()),
        ..e.clone()
    };
    assert!(tx.withdraw_task_evidence(&gone).await.unwrap());
    assert!(!tx.withdraw_task_evidence(&gone).await.unwrap());
    tx.insert_verification(&Verification {
        id: Id::new(),
        task_id: t.id,
        closed: false,
        defect: Some(Defect::OnPaper),
        progress: Some(40),
        reason: "只有文件没有落实".into(),
        by_name: "纪委".into(),
        at: now,
    })
    .await
    .unwrap();
    let cr = ChangeRequest {
        id: Id::new(),
        task_id: t.id,
        before_measure: t.measure.clone(),
        after_measure: "新措施".into(),
        before_due: t.due,
        after_due: Due::LongTerm,
        reason: "情况变化".into(),
        approved: None,
        decision_comment: String::new(),
        requested_by: "联络员".into(),
        requested_at: now,
        decided_by: None,
        decided_at: None,
    };
    tx.insert_change_request(&cr).await.unwrap();
    tx.commit().await.unwrap();

    // The text filter follows edits: a task's new measure and its problem's new title are
    // found, the words they replaced are not, and letters match in either case.
    let mut tx = s.store.write().await.unwrap();
    let mut edited = tx.get_task(tasks[2].id).await.unwrap().unwrap();
    edited.measure = "建立公车使用台账 Log".into();
    edited.version += 1;
    tx.update_task(&edited).await.unwrap();
    let mut renamed = tx.get_problem(p2.id).await.unwrap().unwrap();
    renamed.title = "食堂管理不规范".into();
    renamed.version += 1;
    tx.update_problem(&renamed).await.unwrap();
    tx.commit().await.unwrap();
    let mut tx = s.store.read().await.unwrap();
    for (q, want) in [
        ("公车使用", vec!["1.1.3"]),
        ("台账 LOG", vec!["1.1.3"]),
        ("措施1.1.3", vec![]),
        ("食堂", vec!["2.1.1", "2.1.2", "2.1.4"]),
        ("问题二", vec![]),
        ("车", vec!["1.1.3"]),
    ] {
        found_by_text(&mut tx, q, &want).await;
    }
    drop(tx);

    let mut tx = s.store.write().await.unwrap();
    assert_eq!(
        tx.list_plan_reviews(plan.id).await.unwrap()[0].comment,
        "措施不具体"
    );
    let reports = tx.list_progress(t.id).await.unwrap();
    assert_eq!(
        reports.iter().map(|r| r.text.as_str()).collect::<Vec<_>>(),
        ["第一次报告", "第二次报告"]
    );
    let latest = tx
        .latest_progress(&[t.id, tasks[1].id, tasks[2].id])
        .await
        .unwrap();
    assert_eq!(latest.len(), 2);
    assert!(latest.iter().any(|r| r.text == "第二次报告"));
    assert!(latest.iter().any(|r| r.text == "另一任务" && r.claims_done));
    let files = tx.list_task_evidence(t.id).await.unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].withdrawn_reason.as_deref(), Some("传错了"));
    // The files of several tasks in one query, as an export reads a page.
    let batch = tx
        .list_evidence_of_tasks(&[tasks[1].id, t.id, tasks[2].id])
        .await
        .unwrap();
    assert_eq!(
        batch.iter().map(|e| (e.id, e.task_id)).collect::<Vec<_>>(),
        files.iter().map(|e| (e.id, e.task_id)).collect::<Vec<_>>()
    );
    assert!(tx.list_evidence_of_tasks(&[]).await.unwrap().is_empty());
    let v = tx.list_verifications(t.id).await.unwrap();
    assert_eq!((v[0].closed, v[0].defect), (false, Some(Defect::OnPaper)));
    let pending = ChangeFilter {
        plan_id: Some(plan.id),
        pending: true,
        ..Default::default()
    };
    assert_eq!(tx.list_change_requests(&pending).await.unwrap().len(), 1);
    let decided = ChangeRequest {
        approved: Some(true),
        decision_comment: "同意".into(),
        decided_by: Some("巡视办".into()),
        decided_at: Some(now),
        ..cr.clone()
    };
    assert!(tx.decide_change_request(&decided).await.unwrap());
    assert!(!tx.decide_change_request(&decided).await.unwrap());
    assert!(tx.list_change_requests(&pending).await.unwrap().is_empty());
    let back = tx.get_change_request(cr.id).await.unwrap().unwrap();
    assert_eq!(back.approved, Some(true));
    assert_eq!(back.before_due, t.due);
    assert_eq!(back.after_due, Due::LongTerm);
    tx.commit().await.unwrap();

    // Once built, the committee's figures follow every write, as the other tallies do: a task
    // withdrawn leaves them, a task closed counts as closed, and they equal a rebuild's.
    let figures = |f: Vec<xunshi_core::store::CommitteeTaskCount>| {
        f.iter()
            .map(|f| (f.total, f.closed, f.red))
            .collect::<Vec<_>>()
    };
    let mut tx = s.store.read().await.unwrap();
    let before = figures(tx.committee_task_counts(&[dispatcher]).await.unwrap());
    let live: Vec<_> = tx
        .all_tasks(&sent_by(dispatcher))
        .await
        .unwrap()
        .into_iter()
        .filter(|t| t.status != TaskStatus::Closed && t.withdrawn_reason.is_none())
        .collect();
    drop(tx);
    let mut wtx = s.store.write().await.unwrap();
    let mut gone = live[0].clone();
    gone.withdrawn_reason = Some("与其他任务重复".into());
    gone.version += 1;
    wtx.update_task(&gone).await.unwrap();
    let mut done = live[1].clone();
    done.status = TaskStatus::Closed;
    done.closed_on = Some(date(2020, 4, 30));
    done.version += 1;
    wtx.update_task(&done).await.unwrap();
    wtx.commit().await.unwrap();
    let mut tx = s.store.read().await.unwrap();
    let after = figures(tx.committee_task_counts(&[dispatcher]).await.unwrap());
    assert_eq!(after[0].0, before[0].0 - 1, "{before:?} {after:?}");
    assert_eq!(after[0].1, before[0].1 + 1, "{before:?} {after:?}");
    drop(tx);
    // Another warning period rebuilds every tally; totals, closed and overdue do not depend
    // on it.
    let mut wtx = s.store.write().await.unwrap();
    wtx.refresh_tally(date(2020, 5, 1), 16).await.unwrap();
    wtx.commit().await.unwrap();
    let mut tx = s.store.read().await.unwrap();
    assert_eq!(
        figures(tx.committee_task_counts(&[dispatcher]).await.unwrap()),
        after
    );
}

// ---------------------------------------------------------------------------------------------
// The services: the plan, the work, the verification, and who may do each.

/// The world of the papers cases taken to feedback with three problems (two under the first
/// heading, one under the second), and an organization-department supervisor besides.
pub struct Rect {
    pub w: World,
    pub problems: Vec<Problem>,
    pub organization: Actor,
}

pub const FED_BACK: &[(&str, &str)] = &[
    (POLITICAL, "落实党管宣传思想文化职责存在薄弱点"),
    (POLITICAL, "协调督察全区意识形态工作力度不够"),
    (ORGANIZATIONAL, "执行干部选拔任用有关规定不够到位"),
];

pub async fn rect_world(s: &Svc) -> Rect {
    let w = world(s).await;
    let problems = fed_back(s, &w, FED_BACK).await;
    Rect {
        organization: user_with_role(s, "zuzhi1", None, "organization").await,
        w,
        problems,
    }
}

pub fn group() -> Vec<GroupMember> {
    vec![
        GroupMember {
            name: "范晓莉".into(),
            post: "自治区党委常委、宣传部部长".into(),
            role: "组长".into(),
        },
        GroupMember {
            name: "李明".into(),
            post: "常务副部长".into(),
            role: "副组长".into(),
        },
    ]
}

pub fn plan_input() -> RectPlanInput {
    RectPlanInput {
        title: String::new(),
        organisation: "召开部务会专题研究，成立整改工作领导小组，制定整改方案和“三个清单”。".into(),
        leading_group: group(),
    }
}

pub fn task_input(
    problem: &Problem,
    measure: &str,
    due_kind: &str,
    due_date: Option<&str>,
) -> TaskInput {
    TaskInput {
        problem_id: problem.id.to_string(),
        measure: measure.into(),
        target: "问题整改到位".into(),
        standard: "制度出台并落实".into(),
        responsible_leader: "李明".into(),
        lead_department: "办公室".into(),
        co_departments: "机关党委".into(),
        responsible_person: "王五".into(),
        due_kind: due_kind.into(),
        due_date: due_date.map(str::to_owned),
        not_for_disclosure: false,
    }
}

/// A plan with one task per problem, submitted and approved by the office.
pub async fn approved_plan(s: &Svc, r: &Rect, due: &str) -> (Plan, Vec<Task>) {
    let plan = s
        .create_rect_plan(&r.w.liaison, r.w.insp.id, r.w.unit, &plan_input())
        .await
        .expect("the liaison starts the plan");
    let mut tasks = Vec::new();
    for (n, p) in r.problems.iter().enumerate() {
        let t = s
            .add_task(
                &r.w.liaison,
                plan.id,
                &task_input(p, &format!("整改措施{n}"), "by", Some(due)),
            )
            .await
            .expect("add a task");
        tasks.push(t);
    }
    let plan = s
        .submit_plan(&r.w.principal, plan.id, plan.version)
        .await
        .expect("submit");
    let plan = s
        .review_plan(&r.w.office, plan.id, plan.version, true, "同意")
        .await
        .expect("approve");
    (plan, tasks)
}

async fn task_now(s: &Svc, id: Id) -> Task {
    s.get_task(&Actor::system(), id)
        .await
        .expect("read the task")
        .entry
        .task
}

pub async fn the_plan_runs_from_draft_to_every_task_closed(s: Svc) {
    let dir = tempfile::tempdir().expect("a folder for blobs");
    let s = s.with_blobs(Arc::new(LocalBlobs::new(dir.path().join("blobs"))));
    let r = rect_world(&s).await;
    let w = &r.w;
    // Before feedback nobody may start a plan; after it, the unit's principal or liaison.
    for who in [&w.staff, &w.office, &w.member] {
        expect_err!(
            s.create_rect_plan(who, w.insp.id, w.unit, &plan_input())
                .await,
            CoreError::Forbidden(_)
        );
    }
    expect_err!(
        s.create_rect_plan(&w.stranger, w.insp.id, w.unit, &plan_input())
            .await,
        CoreError::NotFound(_)
    );
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &RectPlanInput::default())
        .await
        .expect("the liaison starts the plan");
    assert_eq!(plan.status, PlanStatus::Draft);
    assert_eq!(
        plan.title,
        "自治区党委宣传部关于落实自治区党委第三巡视组巡视反馈意见的整改方案"
    );
    expect_err!(
        s.create_rect_plan(&w.principal, w.insp.id, w.unit, &plan_input())
            .await,
        CoreError::Conflict(_)
    );
    assert_eq!(
        s.rectification_plan(&w.staff, w.insp.id, w.unit)
            .await
            .unwrap()
            .map(|p| p.id),
        Some(plan.id)
    );

    // The leading group: one head, known duties.
    let mut bad = plan_input();
    bad.leading_group.push(GroupMember {
        name: "张三".into(),
        post: "副部长".into(),
        role: "组长".into(),
    });
    bad.leading_group.push(GroupMember {
        name: "赵六".into(),
        post: "处长".into(),
        role: "秘书长".into(),
    });
    let e = expect_err!(
        s.update_rect_plan(&w.principal, plan.id, plan.version, &bad)
            .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["leading_group", "leading_group"]);
    let plan = s
        .update_rect_plan(&w.principal, plan.id, plan.version, &plan_input())
        .await
        .expect("the principal edits");
    assert_eq!(plan.leading_group, group());
    assert_eq!(plan.version, 2);

    // Tasks are numbered heading.problem.measure, in the feedback's order.
    let [p1, p2, p3] = [&r.problems[0], &r.problems[1], &r.problems[2]];
    let t1 = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(
                p1,
                "修订党委（党组）意识形态工作责任制实施细则",
                "by",
                Some("2020-06-30"),
            ),
        )
        .await
        .unwrap();
    let t2 = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p1, "每半年专题研究一次意识形态工作", "long_term", None),
        )
        .await
        .unwrap();
    let t3 = s
        .add_task(
            &w.principal,
            plan.id,
            &task_input(p3, "开展选人用人专项检查", "immediate", Some("2020-04-30")),
        )
        .await
        .unwrap();
    assert_eq!(
        [t1.seq.as_str(), t2.seq.as_str(), t3.seq.as_str()],
        ["1.1.1", "1.1.2", "2.1.1"]
    );
    assert_eq!(t2.due, Due::LongTerm);
    // Bad input is named field by field; only the unit's fed-back problems take tasks.
    let e = expect_err!(
        s.add_task(
            &w.liaison,
            plan.id,
            &TaskInput {
                due_kind: "someday".into(),
                ..Default::default()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    let fields = bad_fields(&e);
    for f in [
        "problem_id",
        "measure",
        "standard",
        "lead_department",
        "due_kind",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} in {fields:?}");
    }
    let e = expect_err!(
        s.add_task(
            &w.liaison,
            plan.id,
            &task_input(p1, "x", "by", Some("2020-01-01"))
        )
        .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["due_date"], "before the feedback date");
    let mut stray = task_input(p1, "x", "by", Some("2020-06-30"));
    stray.problem_id = Id::new().to_string();
    expect_err!(
        s.add_task(&w.liaison, plan.id, &stray).await,
        CoreError::Unfit(_)
    );
    expect_err!(
        s.add_task(
            &w.staff,
            plan.id,
            &task_input(p2, "x", "by", Some("2020-06-30"))
        )
        .await,
        CoreError::Forbidden(_)
    );

    // Submitting is refused while a fed-back problem has no task, naming it.
    let e = expect_err!(
        s.submit_plan(&w.liaison, plan.id, plan.version).await,
        CoreError::RuleRefused(_)
    );
    assert!(
        e.to_string()
            .contains("1.2 协调督察全区意识形态工作力度不够"),
        "{e}"
    );
    assert!(
        !e.to_string().contains("落实党管宣传思想文化职责存在薄弱点"),
        "{e}"
    );
    let detail = s.rect_plan_detail(&w.liaison, plan.id).await.unwrap();
    assert_eq!(detail.uncovered.len(), 1);
    assert_eq!(detail.uncovered[0].problem_id, p2.id);
    assert!(detail.rights.edit && detail.rights.submit && !detail.rights.review);
    let t4 = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p2, "建立意识形态工作督查机制", "by", Some("2020-09-30")),
        )
        .await
        .unwrap();
    assert_eq!(t4.seq, "1.2.1");
    // A withdrawn task keeps its number, which is not reused.
    let extra = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p2, "重复的措施", "by", Some("2020-09-30")),
        )
        .await
        .unwrap();
    let extra = s
        .withdraw_task(&w.liaison, extra.id, extra.version, "与1.2.1重复")
        .await
        .unwrap();
    assert_eq!(extra.withdrawn_reason.as_deref(), Some("与1.2.1重复"));
    let again = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p2, "开展督查", "by", Some("2020-09-30")),
        )
        .await
        .unwrap();
    assert_eq!(again.seq, "1.2.3");
    let again = s
        .withdraw_task(&w.liaison, again.id, again.version, "合并")
        .await
        .unwrap();
    let _ = again;

    let plan = s
        .submit_plan(&w.liaison, plan.id, plan.version)
        .await
        .expect("submit");
    assert_eq!(plan.status, PlanStatus::Submitted);
    assert!(plan.submitted_at.is_some());
    // Under review nothing changes.
    expect_err!(
        s.add_task(
            &w.liaison,
            plan.id,
            &task_input(p2, "x", "by", Some("2020-09-30"))
        )
        .await,
        CoreError::RuleRefused(_)
    );
    // The office returns it with a comment (a comment is required to return).
    let e = expect_err!(
        s.review_plan(&w.office, plan.id, plan.version, false, " ")
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["comment"]);
    let plan = s
        .review_plan(
            &w.office,
            plan.id,
            plan.version,
            false,
            "1.1.1 措施不够具体，请细化",
        )
        .await
        .expect("returned");
    assert_eq!(plan.status, PlanStatus::Returned);
    let t1 = s
        .update_task(
            &w.liaison,
            t1.id,
            t1.version,
            &task_input(
                p1,
                "修订意识形态工作责任制实施细则，明确责任清单",
                "by",
                Some("2020-06-30"),
            ),
        )
        .await
        .expect("edit after return");
    assert_eq!(t1.version, 2);
    let plan = s
        .submit_plan(&w.principal, plan.id, plan.version)
        .await
        .expect("resubmit");
    let detail = s.rect_plan_detail(&r.organization, plan.id).await.unwrap();
    assert!(detail.rights.review && !detail.rights.edit);
    let plan = s
        .review_plan(&r.organization, plan.id, plan.version, true, "")
        .await
        .expect("the organization department approves");
    assert_eq!(plan.status, PlanStatus::Approved);
    assert!(plan.approved_at.is_some());
    let detail = s.rect_plan_detail(&w.leadership, plan.id).await.unwrap();
    assert_eq!(
        detail
            .reviews
            .iter()
            .map(|r| (r.approved, r.comment.as_str()))
            .collect::<Vec<_>>(),
        [(false, "1.1.1 措施不够具体，请细化"), (true, "")]
    );
    // The ledger as lines: heading, problem, its measures.
    let mut lines = Vec::new();
    for c in &detail.ledger {
        for p in &c.problems {
            let seqs: Vec<&str> = p.tasks.iter().map(|t| t.task.seq.as_str()).collect();
            lines.push(format!("{} {} {}", c.number, p.number, seqs.join(",")));
        }
    }
    assert_eq!(lines, ["1 1.1 1.1.1,1.1.2", "1 1.2 1.2.1", "2 2.1 2.1.1"]);
    assert_eq!(detail.ledger[0].name, "政治建设");
    assert_eq!(detail.withdrawn.len(), 2);

    // The department reports progress with evidence, claims completion; a supervisor closes.
    expect_err!(
        s.report_progress(&w.staff, t1.id, t1.version, "进展", 150, false)
            .await,
        CoreError::BadInput(_)
    );
    expect_err!(
        s.report_progress(&w.office, t1.id, t1.version, "进展", 50, false)
            .await,
        CoreError::Forbidden(_)
    );
    let t1 = s
        .report_progress(
            &w.staff,
            t1.id,
            t1.version,
            "已起草实施细则征求意见稿",
            50,
            false,
        )
        .await
        .expect("progress");
    assert_eq!((t1.status, t1.progress), (TaskStatus::InProgress, 50));
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF".to_vec();
    let e = s
        .upload_task_evidence(&w.staff, t1.id, "实施细则.pdf", pdf.clone())
        .await
        .expect("evidence");
    assert_eq!(e.sha256, xunshi_core::paper::sha256_hex(&pdf));
    let e = expect_err!(
        s.report_progress(&w.staff, t1.id, t1.version, "已完成", 90, true)
            .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["progress"]);
    let t1 = s
        .report_progress(&w.liaison, t1.id, t1.version, "实施细则已印发", 100, true)
        .await
        .expect("claim");
    assert_eq!(t1.status, TaskStatus::Claimed);
    expect_err!(
        s.report_progress(&w.staff, t1.id, t1.version, "再报", 100, false)
            .await,
        CoreError::RuleRefused(_)
    );
    let t1 = s
        .verify_task(
            &r.organization,
            t1.id,
            t1.version,
            true,
            None,
            None,
            "经核查，实施细则已印发执行，同意销号",
        )
        .await
        .expect("closed");
    assert_eq!(t1.status, TaskStatus::Closed);
    expect_err!(
        s.upload_task_evidence(&w.staff, t1.id, "补充.txt", b"more".to_vec())
            .await,
        CoreError::RuleRefused(_)
    );
    let detail = s.get_task(&w.staff, t1.id).await.unwrap();
    assert_eq!(detail.progress.len(), 2);
    assert_eq!(
        detail.entry.latest.as_ref().map(|p| p.text.as_str()),
        Some("实施细则已印发")
    );
    assert_eq!(detail.entry.status_label, "已销号");
    // Due in 2020 and closed today: closed late (逾期完成), not green.
    assert_eq!(detail.entry.colour, Colour::ClosedLate);
    assert_eq!(detail.entry.problem_title, p1.title);
    assert_eq!(detail.evidence.len(), 1);
    assert!(detail.verifications[0].closed);
    assert!(!detail.rights.report && !detail.rights.upload && !detail.rights.verify);

    // The ledger lists every task's latest state.
    let page = s
        .list_tasks(
            &w.office,
            &LedgerFilter {
                plan_id: Some(plan.id),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 4, "withdrawn tasks are not on the ledger");
    let closed = LedgerFilter {
        status: Some(TaskStatus::Closed),
        ..Default::default()
    };
    let page = s
        .list_tasks(&w.leadership, &closed, PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(
        page.items.iter().map(|e| e.task.id).collect::<Vec<_>>(),
        [t1.id]
    );
    let by_category = LedgerFilter {
        category_id: Some(p3.category_id),
        ..Default::default()
    };
    let page = s
        .list_tasks(&w.member, &by_category, PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert_eq!(page.items[0].category_name, "组织建设");

    // Every change is on the trail with what it changed.
    let updated = audit_of_action(&s, "task_updated").await;
    assert_eq!(updated.len(), 1);
    assert!(
        updated[0].summary.contains("\"before\"") && updated[0].summary.contains("明确责任清单")
    );
    for action in [
        "rect_plan_created",
        "rect_plan_updated",
        "rect_plan_submitted",
        "rect_plan_returned",
        "rect_plan_approved",
        "task_added",
        "task_withdrawn",
        "task_progress_reported",
        "task_completion_claimed",
        "task_evidence_uploaded",
        "task_closed",
    ] {
        assert!(!audit_of_action(&s, action).await.is_empty(), "{action}");
    }
    assert_eq!(audit_of_object(&s, "task", t1.id).await.len(), 5);
}

/// A user whose account belongs to the unit and who also holds a supervising role.
async fn insider(s: &Svc, username: &str, role: &str) -> Actor {
    crate::harness::user_with_role(s, username, Some("自治区党委宣传部"), role).await
}

pub async fn nobody_approves_or_closes_their_own_units_work(s: Svc) {
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    for p in &r.problems {
        s.add_task(
            &w.liaison,
            plan.id,
            &task_input(p, "措施", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    }
    let plan = s
        .submit_plan(&w.liaison, plan.id, plan.version)
        .await
        .unwrap();
    let disc_inside = insider(&s, "jiwei_inside", "discipline").await;
    // The office user who is also the unit's liaison.
    let double = {
        let u = new_user(&s, "double", None, Some("office")).await;
        let (user, mut grants) = s.get_user(&Actor::system(), u.id).await.unwrap();
        grants.push(Grant {
            id: Id::new(),
            user_id: u.id,
            role: Role::UnitLiaison,
            scope: Scope::Unit(w.unit),
            granted_by: None,
            created_at: jiff::Timestamp::now(),
        });
        Actor::user(user, grants, None)
    };
    for who in [&w.principal, &w.liaison, &w.staff, &disc_inside, &double] {
        expect_err!(
            s.review_plan(who, plan.id, plan.version, true, "同意")
                .await,
            CoreError::Forbidden(_)
        );
    }
    for who in [&w.leadership, &w.member] {
        expect_err!(
            s.review_plan(who, plan.id, plan.version, true, "同意")
                .await,
            CoreError::Forbidden(_)
        );
    }
    expect_err!(
        s.review_plan(&w.stranger, plan.id, plan.version, true, "同意")
            .await,
        CoreError::NotFound(_)
    );
    let plan = s
        .review_plan(&w.discipline, plan.id, plan.version, true, "同意")
        .await
        .unwrap();
    assert_eq!(plan.status, PlanStatus::Approved);
    // Approved is final: no second review.
    expect_err!(
        s.review_plan(&w.office, plan.id, plan.version, false, "再议")
            .await,
        CoreError::RuleRefused(_)
    );

    let tasks = s
        .list_tasks(
            &w.staff,
            &LedgerFilter {
                plan_id: Some(plan.id),
                ..Default::default()
            },
            PageRequest::first(50),
        )
        .await
        .unwrap()
        .items;
    let t = tasks[0].task.clone();
    let t = s
        .report_progress(&w.staff, t.id, t.version, "已完成", 100, true)
        .await
        .unwrap();
    for who in [&w.principal, &w.liaison, &w.staff, &disc_inside, &double] {
        expect_err!(
            s.verify_task(who, t.id, t.version, true, None, None, "同意销号")
                .await,
            CoreError::Forbidden(_)
        );
    }
    let e = expect_err!(
        s.verify_task(&disc_inside, t.id, t.version, true, None, None, "同意销号")
            .await,
        CoreError::Forbidden(_)
    );
    assert!(e.to_string().contains("本单位"), "{e}");
    expect_err!(
        s.verify_task(&w.leadership, t.id, t.version, true, None, None, "同意销号")
            .await,
        CoreError::Forbidden(_)
    );
    let detail = s.get_task(&w.liaison, t.id).await.unwrap();
    assert!(!detail.rights.verify);
    let detail = s.get_task(&double, t.id).await.unwrap();
    assert!(
        !detail.rights.verify,
        "a supervisor of the unit itself gets no verify button"
    );
    assert_eq!(
        task_now(&s, t.id).await.status,
        TaskStatus::Claimed,
        "nothing changed"
    );
    let t = s
        .verify_task(&w.office, t.id, t.version, true, None, None, "同意销号")
        .await
        .unwrap();
    assert_eq!(t.status, TaskStatus::Closed);
    assert!(
        audit_of_action(&s, "task_closed")
            .await
            .iter()
            .all(|a| a.actor_name == "office1")
    );
}

pub async fn a_rejected_task_keeps_its_defect_and_reason_and_reopens(s: Svc) {
    let r = rect_world(&s).await;
    let w = &r.w;
    let (_, tasks) = approved_plan(&s, &r, "2020-06-30").await;
    let t = &tasks[0];
    // Nothing to verify before a claim.
    expect_err!(
        s.verify_task(&w.office, t.id, t.version, true, None, None, "销号")
            .await,
        CoreError::RuleRefused(_)
    );
    let t = s
        .report_progress(&w.staff, t.id, t.version, "已制定制度", 100, true)
        .await
        .unwrap();
    let e = expect_err!(
        s.verify_task(&w.discipline, t.id, t.version, false, None, Some(60), "")
            .await,
        CoreError::BadInput(_)
    );
    assert_eq!(bad_fields(&e), ["reason", "defect"]);
    let e = expect_err!(
        s.verify_task(
            &w.discipline,
            t.id,
            t.version,
            true,
            Some(Defect::False),
            None,
            "销号"
        )
        .await,
        CoreError::Unfit(_)
    );
    assert_eq!(bad_fields(&e), ["defect"]);
    // A rejection records the share done the verifier found, below 100: a
    // missing share is unfit for a rejection, 100 is out of range.
    for (bad, unfit) in [(None, true), (Some(100), false)] {
        let e = expect_err!(
            s.verify_task(
                &w.discipline,
                t.id,
                t.version,
                false,
                Some(Defect::OnPaper),
                bad,
                "只印发了文件，未见落实"
            )
            .await,
            CoreError::BadInput(_) | CoreError::Unfit(_)
        );
        assert_eq!(matches!(e, CoreError::Unfit(_)), unfit, "{e:?}");
        assert!(e.to_string().contains("进度"), "{e}");
    }
    let t = s
        .verify_task(
            &w.discipline,
            t.id,
            t.version,
            false,
            Some(Defect::OnPaper),
            Some(60),
            "只印发了文件，未见落实",
        )
        .await
        .expect("rejected");
    assert_eq!(t.status, TaskStatus::InProgress);
    assert_eq!(t.progress, 60, "back to what the verifier found, not 100");
    assert_eq!(t.closed_on, None);
    let d = s.get_task(&w.liaison, t.id).await.unwrap();
    assert_eq!(d.verifications.len(), 1);
    let v = &d.verifications[0];
    assert_eq!(
        (v.closed, v.defect, v.reason.as_str()),
        (false, Some(Defect::OnPaper), "只印发了文件，未见落实")
    );
    assert_eq!(v.by_name, "jiwei1");
    assert_eq!(v.progress, Some(60));
    assert_eq!(d.entry.task.progress, 60);
    assert!(d.rights.report && d.rights.claim);
    let rejected = audit_of_action(&s, "task_rejected").await;
    assert!(rejected[0].summary.contains("on_paper") && rejected[0].summary.contains("未见落实"));

    // Back to work, claimed again, closed; the rejection stays on record.
    let t = s
        .report_progress(&w.staff, t.id, t.version, "已组织落实并检查", 100, true)
        .await
        .unwrap();
    let t = s
        .verify_task(&w.discipline, t.id, t.version, true, None, None, "整改到位")
        .await
        .unwrap();
    assert_eq!(t.status, TaskStatus::Closed);
    assert!(t.closed_on.is_some(), "closing records the day");
    assert_eq!(
        s.get_task(&w.office, t.id)
            .await
            .unwrap()
            .entry
            .task
            .closed_on,
        t.closed_on
    );
    let d = s.get_task(&w.office, t.id).await.unwrap();
    assert_eq!(
        d.verifications
            .iter()
            .map(|v| (v.closed, v.defect))
            .collect::<Vec<_>>(),
        [(false, Some(Defect::OnPaper)), (true, None)]
    );
    expect_err!(
        s.verify_task(
            &w.office,
            t.id,
            t.version,
            false,
            Some(Defect::False),
            Some(60),
            "再退"
        )
        .await,
        CoreError::RuleRefused(_)
    );
}

pub async fn stale_versions_are_refused(s: Svc) {
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let p1 = &r.problems[0];
    let t = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p1, "措施", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    let t2 = s
        .update_task(
            &w.liaison,
            t.id,
            t.version,
            &task_input(p1, "措施甲", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    expect_err!(
        s.update_task(
            &w.principal,
            t.id,
            t.version,
            &task_input(p1, "措施乙", "by", Some("2020-06-30"))
        )
        .await,
        CoreError::StaleVersion(_)
    );
    assert_eq!(task_now(&s, t.id).await.measure, "措施甲");
    let plan2 = s
        .update_rect_plan(&w.liaison, plan.id, plan.version, &plan_input())
        .await
        .unwrap();
    expect_err!(
        s.update_rect_plan(&w.principal, plan.id, plan.version, &plan_input())
            .await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.submit_plan(&w.principal, plan.id, plan.version).await,
        CoreError::StaleVersion(_)
    );
    expect_err!(
        s.withdraw_task(&w.liaison, t.id, t.version, "重复").await,
        CoreError::StaleVersion(_)
    );
    for p in &r.problems[1..] {
        s.add_task(
            &w.liaison,
            plan.id,
            &task_input(p, "措施", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    }
    let plan3 = s
        .submit_plan(&w.principal, plan.id, plan2.version)
        .await
        .unwrap();
    expect_err!(
        s.review_plan(&w.office, plan.id, plan2.version, true, "")
            .await,
        CoreError::StaleVersion(_)
    );
    s.review_plan(&w.office, plan.id, plan3.version, true, "")
        .await
        .unwrap();
    let t3 = s
        .report_progress(&w.staff, t.id, t2.version, "进展", 30, false)
        .await
        .unwrap();
    expect_err!(
        s.report_progress(&w.liaison, t.id, t2.version, "另一进展", 40, false)
            .await,
        CoreError::StaleVersion(_)
    );
    let t4 = s
        .report_progress(&w.staff, t.id, t3.version, "完成", 100, true)
        .await
        .unwrap();
    expect_err!(
        s.verify_task(&w.office, t.id, t3.version, true, None, None, "销号")
            .await,
        CoreError::StaleVersion(_)
    );
    s.verify_task(&w.office, t.id, t4.version, true, None, None, "销号")
        .await
        .unwrap();
    assert_eq!(s.get_task(&w.office, t.id).await.unwrap().progress.len(), 2);
}

pub async fn a_change_request_keeps_the_before_and_after(s: Svc) {
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let p1 = &r.problems[0];
    let t = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p1, "原措施", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    let change = ChangeInput {
        measure: "调整后的措施".into(),
        due_kind: "by".into(),
        due_date: Some("2099-12-31".into()),
        reason: "涉及机构改革，需延期".into(),
    };
    // Before approval the task is simply edited.
    expect_err!(
        s.request_change(&w.liaison, t.id, &change).await,
        CoreError::RuleRefused(_)
    );
    for p in &r.problems[1..] {
        s.add_task(
            &w.liaison,
            plan.id,
            &task_input(p, "措施", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    }
    let plan = s
        .submit_plan(&w.liaison, plan.id, plan.version)
        .await
        .unwrap();
    s.review_plan(&w.office, plan.id, plan.version, true, "同意")
        .await
        .unwrap();
    // After approval: no direct edits, only a request.
    let e = expect_err!(
        s.update_task(
            &w.liaison,
            t.id,
            t.version,
            &task_input(p1, "偷改", "by", Some("2020-12-31"))
        )
        .await,
        CoreError::RuleRefused(_)
    );
    assert!(e.to_string().contains("变更申请"), "{e}");
    expect_err!(
        s.request_change(&w.staff, t.id, &change).await,
        CoreError::Forbidden(_)
    );
    let same = ChangeInput {
        measure: "原措施".into(),
        due_kind: String::new(),
        due_date: None,
        reason: "无".into(),
    };
    expect_err!(
        s.request_change(&w.liaison, t.id, &same).await,
        CoreError::BadInput(_)
    );
    // A changed deadline may not lie in the past.
    let e = expect_err!(
        s.request_change(
            &w.liaison,
            t.id,
            &ChangeInput {
                due_date: Some("2020-12-31".into()),
                ..change.clone()
            }
        )
        .await,
        CoreError::BadInput(_)
    );
    assert!(e.to_string().contains("不能早于今天"), "{e}");
    let cr = s
        .request_change(&w.liaison, t.id, &change)
        .await
        .expect("requested");
    assert_eq!(cr.before_measure, "原措施");
    assert_eq!(
        cr.before_due,
        Due::By {
            date: date(2020, 6, 30)
        }
    );
    assert_eq!(
        cr.after_due,
        Due::By {
            date: date(2099, 12, 31)
        }
    );
    assert_eq!(cr.approved, None);
    expect_err!(
        s.request_change(&w.principal, t.id, &change).await,
        CoreError::Conflict(_)
    );
    // Only the office decides, and not for its own unit.
    for who in [&w.discipline, &r.organization, &w.leadership] {
        expect_err!(
            s.decide_change(who, cr.id, true, "").await,
            CoreError::Forbidden(_)
        );
    }
    expect_err!(
        s.decide_change(&w.liaison, cr.id, true, "").await,
        CoreError::Forbidden(_)
    );
    expect_err!(
        s.decide_change(&w.office, cr.id, false, "").await,
        CoreError::Unfit(_)
    );
    let before = task_now(&s, t.id).await;
    let decided = s
        .decide_change(&w.office, cr.id, true, "同意延期")
        .await
        .expect("approved");
    assert_eq!(decided.approved, Some(true));
    assert_eq!(decided.decided_by.as_deref(), Some("office1"));
    let after = task_now(&s, t.id).await;
    assert_eq!(after.measure, "调整后的措施");
    assert_eq!(
        after.due,
        Due::By {
            date: date(2099, 12, 31)
        }
    );
    assert_eq!(after.version, before.version + 1);
    expect_err!(
        s.decide_change(&w.office, cr.id, true, "").await,
        CoreError::Conflict(_)
    );
    let d = s.get_task(&w.staff, t.id).await.unwrap();
    let kept = &d.change_requests[0];
    assert_eq!(
        (kept.before_measure.as_str(), kept.after_measure.as_str()),
        ("原措施", "调整后的措施")
    );
    let approved = audit_of_action(&s, "task_change_approved").await;
    assert!(approved[0].summary.contains("原措施") && approved[0].summary.contains("调整后的措施"));

    // A refused request changes nothing and says why.
    let cr2 = s
        .request_change(
            &w.principal,
            t.id,
            &ChangeInput {
                measure: String::new(),
                due_kind: "long_term".into(),
                due_date: None,
                reason: "改为长期坚持".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        cr2.after_measure, "调整后的措施",
        "a blank measure keeps it"
    );
    let refused = s
        .decide_change(&w.office, cr2.id, false, "应明确完成时限")
        .await
        .unwrap();
    assert_eq!(refused.approved, Some(false));
    assert_eq!(
        task_now(&s, t.id).await.due,
        Due::By {
            date: date(2099, 12, 31)
        }
    );
    assert_eq!(
        s.get_task(&w.office, t.id)
            .await
            .unwrap()
            .change_requests
            .len(),
        2
    );
}

pub async fn long_term_tasks_are_never_red_and_the_ledger_filters_by_colour(mut s: Svc) {
    // The clock of the cases stands at 2026-03-02.
    let clock = TestClock::install(&mut s);
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let [p1, p2, p3] = [&r.problems[0], &r.problems[1], &r.problems[2]];
    let late = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p1, "逾期", "by", Some("2026-03-01")),
        )
        .await
        .unwrap();
    let near = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p2, "临期", "immediate", Some("2026-03-09")),
        )
        .await
        .unwrap();
    let far = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p3, "正常", "by", Some("2026-03-10")),
        )
        .await
        .unwrap();
    let long = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p3, "长期坚持", "long_term", None),
        )
        .await
        .unwrap();
    let plan = s
        .submit_plan(&w.liaison, plan.id, plan.version)
        .await
        .unwrap();
    s.review_plan(&w.office, plan.id, plan.version, true, "")
        .await
        .unwrap();
    let colour_of = |c| LedgerFilter {
        colour: Some(c),
        ..Default::default()
    };
    let ids = |items: Vec<xunshi_core::service::TaskEntry>| {
        let mut v: Vec<Id> = items.iter().map(|e| e.task.id).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<Id>| {
        v.sort();
        v
    };
    let red = s
        .list_tasks(&w.office, &colour_of(Colour::Red), PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(ids(red.items), [late.id]);
    let yellow = s
        .list_tasks(
            &w.office,
            &colour_of(Colour::Yellow),
            PageRequest::first(50),
        )
        .await
        .unwrap();
    assert_eq!(ids(yellow.items), [near.id]);
    let green = s
        .list_tasks(&w.office, &colour_of(Colour::Green), PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(ids(green.items), sorted(vec![far.id, long.id]));

    // Years later the long-term task is still not red; it reports and is not claimed done.
    clock.advance(jiff::SignedDuration::from_hours(24 * 400));
    let red = s
        .list_tasks(&w.office, &colour_of(Colour::Red), PageRequest::first(50))
        .await
        .unwrap();
    assert_eq!(ids(red.items), sorted(vec![late.id, near.id, far.id]));
    let d = s.get_task(&w.staff, long.id).await.unwrap();
    assert_eq!(d.entry.colour, Colour::Green);
    assert!(d.rights.report && !d.rights.claim);
    let long = s
        .report_progress(
            &w.staff,
            long.id,
            long.version,
            "本季度召开专题会议一次",
            25,
            false,
        )
        .await
        .unwrap();
    assert_eq!(
        s.get_task(&w.staff, long.id)
            .await
            .unwrap()
            .entry
            .status_label,
        "长期坚持"
    );
    expect_err!(
        s.report_progress(&w.staff, long.id, long.version, "完成", 100, true)
            .await,
        CoreError::RuleRefused(_)
    );
    // A task closed after its deadline stays counted late (逾期完成), never green.
    let late = s
        .report_progress(&w.staff, late.id, late.version, "完成", 100, true)
        .await
        .unwrap();
    s.verify_task(
        &w.office,
        late.id,
        late.version,
        true,
        None,
        None,
        "整改到位",
    )
    .await
    .unwrap();
    assert_eq!(
        s.get_task(&w.office, late.id).await.unwrap().entry.colour,
        Colour::ClosedLate
    );
}

pub async fn evidence_is_stored_once_and_never_replaced(s: Svc) {
    let no_blobs = s.clone();
    let dir = tempfile::tempdir().expect("a folder for blobs");
    let s = s.with_blobs(Arc::new(LocalBlobs::new(dir.path().join("blobs"))));
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let p1 = &r.problems[0];
    let t = s
        .add_task(
            &w.liaison,
            plan.id,
            &task_input(p1, "措施", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF".to_vec();
    // Not before the plan is approved.
    expect_err!(
        s.upload_task_evidence(&w.staff, t.id, "纪要.pdf", pdf.clone())
            .await,
        CoreError::RuleRefused(_)
    );
    for p in &r.problems[1..] {
        s.add_task(
            &w.liaison,
            plan.id,
            &task_input(p, "措施", "by", Some("2020-06-30")),
        )
        .await
        .unwrap();
    }
    let plan = s
        .submit_plan(&w.liaison, plan.id, plan.version)
        .await
        .unwrap();
    s.review_plan(&w.office, plan.id, plan.version, true, "")
        .await
        .unwrap();
    let other = s
        .list_tasks(&w.staff, &LedgerFilter::default(), PageRequest::first(50))
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|e| e.task.id != t.id)
        .expect("another task")
        .task;

    expect_err!(
        no_blobs
            .upload_task_evidence(&w.staff, t.id, "纪要.pdf", pdf.clone())
            .await,
        CoreError::Internal(_)
    );
    for who in [&w.office, &w.leadership, &w.member] {
        expect_err!(
            s.upload_task_evidence(who, t.id, "纪要.pdf", pdf.clone())
                .await,
            CoreError::Forbidden(_)
        );
    }
    let e = s
        .upload_task_evidence(&w.staff, t.id, "D:\\材料\\会议纪要.pdf", pdf.clone())
        .await
        .unwrap();
    assert_eq!(
        (e.filename.as_str(), e.size),
        ("会议纪要.pdf", pdf.len() as i64)
    );
    assert_eq!(e.uploaded.name, "staff1");
    // The same content again on the same task: refused, naming the earlier file.
    let dup = expect_err!(
        s.upload_task_evidence(&w.liaison, t.id, "副本.pdf", pdf.clone())
            .await,
        CoreError::Conflict(_)
    );
    assert!(dup.to_string().contains("会议纪要.pdf"), "{dup}");
    // On another task it is attached without a second copy on disk.
    let e2 = s
        .upload_task_evidence(&w.staff, other.id, "会议纪要.pdf", pdf.clone())
        .await
        .unwrap();
    assert_eq!(e2.sha256, e.sha256);
    let stored = count_files(&dir.path().join("blobs"));
    assert_eq!(stored, 1);
    // The papers' checks: type by extension and content, emptiness.
    for (name, bytes) in [
        ("tool.exe", b"MZ\x90\x00".to_vec()),
        ("报告.pdf", b"MZ\x90\x00".to_vec()),
        ("空.txt", Vec::new()),
    ] {
        expect_err!(
            s.upload_task_evidence(&w.staff, t.id, name, bytes).await,
            CoreError::BadInput(_)
        );
    }
    // No replacing: a wrong file is withdrawn with its reason and stays listed.
    expect_err!(
        s.withdraw_task_evidence(&w.staff, e.id, " ").await,
        CoreError::BadInput(_)
    );
    expect_err!(
        s.withdraw_task_evidence(&w.office, e.id, "错了").await,
        CoreError::Forbidden(_)
    );
    let gone = s
        .withdraw_task_evidence(&w.staff, e.id, "上传错了版本")
        .await
        .unwrap();
    assert_eq!(gone.withdrawn_reason.as_deref(), Some("上传错了版本"));
    expect_err!(
        s.withdraw_task_evidence(&w.staff, e.id, "再撤").await,
        CoreError::Conflict(_)
    );
    let listed = s.get_task(&w.office, t.id).await.unwrap().evidence;
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].sha256, e.sha256);
    assert!(listed[0].withdrawn.is_some());
    let (file, bytes) = s.download_task_evidence(&w.discipline, e.id).await.unwrap();
    assert_eq!((file.id, bytes), (e.id, pdf.clone()));
    expect_err!(
        s.download_task_evidence(&w.stranger, e.id).await,
        CoreError::NotFound(_)
    );
    assert!(
        audit_of_action(&s, "task_evidence_withdrawn").await[0]
            .summary
            .contains("上传错了版本")
    );
}

fn count_files(p: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(p) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() { count_files(&path) } else { 1 }
        })
        .sum()
}

pub async fn each_sees_only_the_rectification_that_is_theirs(s: Svc) {
    let r = rect_world(&s).await;
    let w = &r.w;
    let (plan, tasks) = approved_plan(&s, &r, "2020-06-30").await;
    // Another unit's people and another team see nothing of it.
    let other_staff = user_with_role(&s, "zzb_staff", Some("自治区党委组织部"), "unit_staff").await;
    for who in [&other_staff, &w.stranger] {
        let page = s
            .list_tasks(who, &LedgerFilter::default(), PageRequest::first(50))
            .await
            .unwrap();
        assert!(page.items.is_empty());
        expect_err!(s.get_task(who, tasks[0].id).await, CoreError::NotFound(_));
        expect_err!(
            s.rect_plan_detail(who, plan.id).await,
            CoreError::NotFound(_)
        );
        let board = s
            .plan_board(who, PageRequest::first(20))
            .await
            .unwrap()
            .items;
        assert!(board.is_empty(), "{:?}: {board:?}", who.name());
    }
    // The unit, the team, the office, the leadership and the supervisors see it.
    for who in [
        &w.principal,
        &w.liaison,
        &w.staff,
        &w.member,
        &w.lead,
        &w.office,
        &w.leadership,
        &w.discipline,
        &r.organization,
    ] {
        let page = s
            .list_tasks(who, &LedgerFilter::default(), PageRequest::first(50))
            .await
            .unwrap();
        assert_eq!(page.items.len(), 3, "{:?}", who.name());
        let board = s
            .plan_board(who, PageRequest::first(20))
            .await
            .unwrap()
            .items;
        assert_eq!(board.len(), 1);
        assert_eq!(board[0].plan.as_ref().map(|p| p.id), Some(plan.id));
        assert_eq!(board[0].tasks, 3);
    }
    // Leadership and the team read but change nothing.
    for who in [&w.leadership, &w.member, &w.lead] {
        expect_err!(
            s.report_progress(who, tasks[0].id, tasks[0].version, "x", 10, false)
                .await,
            CoreError::Forbidden(_)
        );
        expect_err!(
            s.update_rect_plan(who, plan.id, plan.version, &plan_input())
                .await,
            CoreError::Forbidden(_)
        );
    }
    // The unit's own view of the board offers no second plan; the office's lists both states.
    let board = s
        .plan_board(&w.liaison, PageRequest::first(20))
        .await
        .unwrap()
        .items;
    assert!(!board[0].can_create);
    // Paging through the ledger one row at a time gives each task once.
    let mut seen = Vec::new();
    let mut page = PageRequest::first(1);
    loop {
        let p = s
            .list_tasks(&w.staff, &LedgerFilter::default(), page)
            .await
            .unwrap();
        seen.extend(p.items.iter().map(|e| e.task.id));
        match p.next_cursor {
            Some(c) => page.after = Some(c.parse().unwrap()),
            None => break,
        }
    }
    let mut want: Vec<Id> = tasks.iter().map(|t| t.id).collect();
    want.sort();
    assert_eq!(seen, want);
    let plans = s
        .list_rect_plans(&other_staff, &PlanFilter::default(), PageRequest::first(10))
        .await
        .unwrap();
    assert!(plans.items.is_empty());
    let plans = s
        .list_rect_plans(&w.liaison, &PlanFilter::default(), PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(plans.items.len(), 1);
}

/// Generated sequences of edits, submissions, approvals and returns by the unit, its staff,
/// the office, a supervisor and leadership (proptest), on one plan: it moves only draft or
/// returned → submitted → approved or returned; only the unit's principal or liaison submits,
/// only the office or a supervisor decides; it is edited only while draft or returned; every
/// refused action is an error and leaves the plan as it was. Approval is final.
pub async fn plan_states_follow_the_review_and_refusals_change_nothing(s: Svc) {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestCaseError, TestRng, TestRunner};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use xunshi_core::rectify::PlanStatus;

    let r = rect_world(&s).await;
    let plan = s
        .create_rect_plan(&r.w.liaison, r.w.insp.id, r.w.unit, &plan_input())
        .await
        .expect("the liaison starts the plan");
    for (n, p) in r.problems.iter().enumerate() {
        s.add_task(
            &r.w.liaison,
            plan.id,
            &task_input(p, &format!("整改措施{n}"), "by", Some("2026-06-30")),
        )
        .await
        .expect("add a task");
    }
    // liaison, principal, the unit's staff, office, organization supervisor, leadership.
    let actors = [
        r.w.liaison.clone(),
        r.w.principal.clone(),
        r.w.staff.clone(),
        r.w.office.clone(),
        r.organization.clone(),
        r.w.leadership.clone(),
    ];
    let accepted = [
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
        AtomicUsize::new(0),
    ];
    let handle = tokio::runtime::Handle::current();
    let config = Config {
        cases: 16,
        failure_persistence: None,
        ..Config::default()
    };
    let rng = TestRng::deterministic_rng(config.rng_algorithm);
    let mut runner = TestRunner::new_with_rng(config, rng);
    let steps = proptest::collection::vec((0u8..4, 0..actors.len()), 1..6);
    let outcome = runner.run(&steps, |steps| {
        tokio::task::block_in_place(|| {
            handle.block_on(async {
                for (action, who) in steps {
                    let read = |s: &Svc| {
                        let s = s.clone();
                        let office = r.w.office.clone();
                        async move {
                            s.rect_plan_detail(&office, plan.id)
                                .await
                                .expect("read the plan")
                                .plan
                        }
                    };
                    let before = read(&s).await;
                    let actor = &actors[who];
                    let result = match action {
                        0 => s
                            .update_rect_plan(actor, plan.id, before.version, &plan_input())
                            .await
                            .map(|_| ()),
                        1 => s
                            .submit_plan(actor, plan.id, before.version)
                            .await
                            .map(|_| ()),
                        2 => s
                            .review_plan(actor, plan.id, before.version, true, "同意")
                            .await
                            .map(|_| ()),
                        _ => s
                            .review_plan(actor, plan.id, before.version, false, "请细化整改措施")
                            .await
                            .map(|_| ()),
                    };
                    let after = read(&s).await;
                    let open = matches!(before.status, PlanStatus::Draft | PlanStatus::Returned);
                    match result {
                        Ok(()) => {
                            let expected = match action {
                                0 if open => before.status,
                                1 if open => PlanStatus::Submitted,
                                2 if before.status == PlanStatus::Submitted => PlanStatus::Approved,
                                3 if before.status == PlanStatus::Submitted => PlanStatus::Returned,
                                a => {
                                    return Err(TestCaseError::fail(format!(
                                        "action {a} by actor {who} was accepted on a plan {:?}",
                                        before.status
                                    )));
                                }
                            };
                            prop_assert_eq!(after.status, expected);
                            prop_assert_eq!(after.version, before.version + 1);
                            if action == 1 {
                                prop_assert!(who <= 1, "actor {} submitted", who);
                            }
                            if action >= 2 {
                                prop_assert!(who == 3 || who == 4, "actor {} decided", who);
                            }
                            accepted[usize::from(action)].fetch_add(1, Ordering::SeqCst);
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
                                "a refusal moved the plan"
                            );
                            prop_assert_eq!(
                                after.version,
                                before.version,
                                "a refusal changed the plan"
                            );
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
        accepted[1] > 0 && accepted[2] + accepted[3] > 0,
        "edits, submissions, approvals, returns accepted: {accepted:?}; no plan was decided"
    );
}

/// Every row of `f`, read page by page, as the list shows it; and the total the list gives.
async fn listed_and_total(s: &Svc, who: &Actor, f: &LedgerFilter) -> (Vec<Id>, i64) {
    let mut ids = Vec::new();
    let mut page = PageRequest::first(3);
    let mut total = None;
    loop {
        let p = s.list_tasks(who, f, page).await.expect("list the ledger");
        total = total.or(p.total);
        ids.extend(p.items.iter().map(|e| e.task.id));
        match p.next_cursor {
            Some(c) => page.after = Some(c.parse().expect("a cursor is an id")),
            None => break,
        }
    }
    (ids, total.expect("the ledger counts its rows"))
}

/// The ledger's totals and the dashboard's numbers come from tallies the store keeps as tasks
/// are written and as days pass; they must always equal what the rows say, on every filter,
/// for every reader, whatever the day and the warning period.
pub async fn the_tallies_count_what_the_rows_hold(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let [p1, p2, p3] = [&r.problems[0], &r.problems[1], &r.problems[2]];
    let mut tasks = Vec::new();
    for (p, kind, date) in [
        (p1, "by", Some("2026-03-01")),
        (p1, "immediate", Some("2026-03-05")),
        (p2, "by", Some("2026-03-09")),
        (p2, "by", Some("2026-03-10")),
        (p3, "by", Some("2026-04-30")),
        (p3, "long_term", None),
        (p3, "by", Some("2026-03-20")),
    ] {
        tasks.push(
            s.add_task(&w.liaison, plan.id, &task_input(p, "措施", kind, date))
                .await
                .unwrap(),
        );
    }
    // A task withdrawn from the draft counts for nothing.
    let gone = tasks.pop().unwrap();
    s.withdraw_task(&w.liaison, gone.id, gone.version, "与第一项重复")
        .await
        .unwrap();
    let plan = s
        .submit_plan(&w.liaison, plan.id, plan.version)
        .await
        .unwrap();
    s.review_plan(&w.office, plan.id, plan.version, true, "")
        .await
        .unwrap();
    // Work on them: progress, a claim closed a day late (due 03-01, closed 03-02), one closed in
    // time, a claim rejected.
    let t3 = s
        .report_progress(&w.staff, tasks[3].id, tasks[3].version, "完成", 100, true)
        .await
        .unwrap();
    let t3 = s
        .verify_task(&w.office, t3.id, t3.version, true, None, None, "整改到位")
        .await
        .unwrap();
    assert_eq!(
        t3.colour(xunshi_core::service::today(clock.now()), 7),
        Colour::Green,
        "closed in time"
    );
    let t0 = s
        .report_progress(&w.staff, tasks[0].id, tasks[0].version, "完成", 100, true)
        .await
        .unwrap();
    s.verify_task(&w.office, t0.id, t0.version, true, None, None, "整改到位")
        .await
        .unwrap();
    let t1 = s
        .report_progress(&w.staff, tasks[1].id, tasks[1].version, "完成", 100, true)
        .await
        .unwrap();
    s.verify_task(
        &w.office,
        t1.id,
        t1.version,
        false,
        Some(Defect::Superficial),
        Some(60),
        "只见文件不见落实",
    )
    .await
    .unwrap();
    s.report_progress(&w.staff, tasks[2].id, tasks[2].version, "推进中", 40, false)
        .await
        .unwrap();

    let categories = [p1.category_id, p3.category_id];
    let check = |s: Svc, day: &'static str| async move {
        for who in [&w.office, &w.liaison] {
            let mut filters = vec![LedgerFilter::default()];
            for c in Colour::ALL {
                filters.push(LedgerFilter {
                    colour: Some(c),
                    ..Default::default()
                });
                filters.push(LedgerFilter {
                    colour: Some(c),
                    unit_id: Some(w.unit),
                    ..Default::default()
                });
            }
            for st in TaskStatus::ALL {
                filters.push(LedgerFilter {
                    status: Some(*st),
                    inspection_id: Some(w.insp.id),
                    ..Default::default()
                });
            }
            for c in categories {
                filters.push(LedgerFilter {
                    category_id: Some(c),
                    colour: Some(Colour::Red),
                    ..Default::default()
                });
            }
            filters.push(LedgerFilter {
                rejected: true,
                ..Default::default()
            });
            // A committee's (the tally by committee, 0044), and one that sends nothing.
            for sender in [w.insp.dispatcher_id, w.unit] {
                for colour in [None, Some(Colour::Red), Some(Colour::Green)] {
                    filters.push(LedgerFilter {
                        dispatcher_id: Some(sender),
                        colour,
                        ..Default::default()
                    });
                }
                filters.push(LedgerFilter {
                    dispatcher_id: Some(sender),
                    category_id: Some(p1.category_id),
                    ..Default::default()
                });
                filters.push(LedgerFilter {
                    dispatcher_id: Some(sender),
                    unit_id: Some(w.unit),
                    ..Default::default()
                });
            }
            for f in &filters {
                let (ids, total) = listed_and_total(&s, who, f).await;
                assert_eq!(ids.len() as i64, total, "{day}: {f:?}");
            }
            // Each row's colour is the rule's, and the dashboard's numbers add up the rows.
            let (all, _) = listed_and_total(&s, who, &LedgerFilter::default()).await;
            let d = s.dashboard(who, &Default::default()).await.unwrap();
            assert_eq!(d.tasks.total, all.len(), "{day}");
            for bar in &d.tasks.by_colour {
                let (ids, _) = listed_and_total(
                    &s,
                    who,
                    &LedgerFilter {
                        colour: Some(Colour::parse(&bar.key).unwrap()),
                        ..Default::default()
                    },
                )
                .await;
                assert_eq!(bar.count, ids.len(), "{day}: {}", bar.key);
                for id in ids {
                    let t = s.get_task(who, id).await.unwrap();
                    let rule = task_colour(
                        t.entry.task.due,
                        t.entry.task.status,
                        t.entry.task.closed_on,
                        d.today,
                        d.warn_days,
                    );
                    assert_eq!(t.entry.colour, rule, "{day}");
                    assert_eq!(rule.as_str(), bar.key, "{day}");
                }
            }
            assert_eq!(d.tasks.rejected_total, 1, "{day}");
            // The units' figures (for the office, kept per unit) are the lengths of the
            // unit's lists.
            assert!(!d.tasks.by_unit.is_empty(), "{day}");
            for g in &d.tasks.by_unit {
                let of_unit = |colour: Option<Colour>, status: Option<TaskStatus>| LedgerFilter {
                    unit_id: Some(g.id),
                    colour,
                    status,
                    ..Default::default()
                };
                for (figure, f) in [
                    (g.total, of_unit(None, None)),
                    (g.closed, of_unit(None, Some(TaskStatus::Closed))),
                    (g.overdue, of_unit(Some(Colour::Red), None)),
                    (g.near_due, of_unit(Some(Colour::Yellow), None)),
                    (g.closed_late, of_unit(Some(Colour::ClosedLate), None)),
                ] {
                    let (ids, _) = listed_and_total(&s, who, &f).await;
                    assert_eq!(figure, ids.len(), "{day}: {f:?}");
                }
            }
            // Closed a day late stays late, whatever the day; it is counted among the closed.
            let late = d.tasks.by_colour.iter().find(|b| b.key == "closed_late");
            assert_eq!(late.map(|b| b.count), Some(1), "{day}");
            assert_eq!(d.tasks.closed, 2, "{day}");
        }
    };
    check(s.clone(), "2026-03-02").await;
    // Day by day across the deadlines, a jump of months, the warning period changed, and the
    // clock set back: the tallies follow each.
    for _ in 0..9 {
        clock.advance(jiff::SignedDuration::from_hours(24));
        check(s.clone(), "a day later").await;
    }
    clock.advance(jiff::SignedDuration::from_hours(24 * 60));
    check(s.clone(), "two months later").await;
    let settings = s.rectify_settings(&w.office).await.unwrap();
    s.set_warn_days(
        &w.office,
        &xunshi_core::supervision::WarnDaysInput {
            version: settings.version,
            warn_days: 30,
        },
    )
    .await
    .unwrap();
    clock.advance(jiff::SignedDuration::from_hours(-24 * 65));
    check(s.clone(), "back to the start, warned 30 days ahead").await;
}

/// A change request moving a deadline is refused when the new day is already past — when it
/// is asked, and when it is approved after that day has gone by.
pub async fn a_changed_deadline_is_never_in_the_past(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let r = rect_world(&s).await;
    let w = &r.w;
    let plan = s
        .create_rect_plan(&w.liaison, w.insp.id, w.unit, &plan_input())
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for p in &r.problems {
        tasks.push(
            s.add_task(
                &w.liaison,
                plan.id,
                &task_input(p, "措施", "by", Some("2026-03-20")),
            )
            .await
            .unwrap(),
        );
    }
    let plan = s
        .submit_plan(&w.liaison, plan.id, plan.version)
        .await
        .unwrap();
    s.review_plan(&w.office, plan.id, plan.version, true, "")
        .await
        .unwrap();
    let to = |day: &str| ChangeInput {
        measure: String::new(),
        due_kind: "by".into(),
        due_date: Some(day.into()),
        reason: "需延期".into(),
    };
    // Today is 2026-03-02: yesterday is refused, today is accepted.
    let e = expect_err!(
        s.request_change(&w.liaison, tasks[0].id, &to("2026-03-01"))
            .await,
        CoreError::BadInput(_)
    );
    assert!(e.to_string().contains("不能早于今天"), "{e}");
    let cr = s
        .request_change(&w.liaison, tasks[0].id, &to("2026-03-05"))
        .await
        .unwrap();
    // The office decides after the new day has passed: refused, the task unchanged.
    clock.advance(jiff::SignedDuration::from_hours(24 * 5));
    let e = expect_err!(
        s.decide_change(&w.office, cr.id, true, "同意").await,
        CoreError::BadInput(_)
    );
    assert!(e.to_string().contains("不能早于今天"), "{e}");
    assert_eq!(task_now(&s, tasks[0].id).await.due, tasks[0].due);
    // Refusing it stays possible, and a measure alone may change on an overdue task.
    s.decide_change(&w.office, cr.id, false, "新时限已过")
        .await
        .unwrap();
    clock.advance(jiff::SignedDuration::from_hours(24 * 30));
    let measure_only = ChangeInput {
        measure: "调整后的措施".into(),
        due_kind: String::new(),
        due_date: None,
        reason: "措施调整".into(),
    };
    let cr = s
        .request_change(&w.liaison, tasks[0].id, &measure_only)
        .await
        .unwrap();
    s.decide_change(&w.office, cr.id, true, "同意")
        .await
        .unwrap();
}

/// Every order of the ledger, both ways, walked a page at a time forward and then back from
/// the last page: each meets every task once, in the order of its key and then id, and the
/// total is the ledger's. On a small generated province, whose tasks share many keys (the
/// same deadline, state or share), so the ties are broken by id across page boundaries.
pub async fn every_sort_of_the_ledger_pages_by_keyset_forward_and_back(mut s: Svc) {
    use xunshi_core::page::SortedPage;
    use xunshi_core::store::{TaskSort, TaskSortKey};
    use xunshi_store::generate::Counts;

    generated(&mut s, 5, Counts::for_tasks(400)).await;
    let office = Actor::system();
    let all = LedgerFilter::default();
    let whole = s
        .ledger_page(&office, &all, TaskSort::default(), None, 500)
        .await
        .expect("the whole ledger");
    assert!(whole.next_cursor.is_none(), "the ledger fits one page");
    assert_eq!(whole.total, whole.items.len() as i64);
    assert!(whole.total > 300, "{}", whole.total);
    let tasks: Vec<Task> = whole.items.iter().map(|e| e.task.clone()).collect();
    every_sort_meets_every_row(
        &tasks,
        whole.total,
        37,
        |t| t.id,
        // The share is a number: its key compares as one.
        |sort: TaskSort, t| match sort.key {
            TaskSortKey::Progress => format!("{:05}", t.progress),
            _ => sort.key_of(t),
        },
        async |sort, at| {
            let p = s
                .ledger_page(&office, &all, sort, at, 37)
                .await
                .unwrap_or_else(|e| panic!("{}: {e:?}", sort.code()));
            SortedPage {
                items: p.items,
                next_cursor: p.next_cursor,
                prev_cursor: p.prev_cursor,
                total: p.total,
            }
        },
        |e| e.task.id,
    )
    .await;
}
