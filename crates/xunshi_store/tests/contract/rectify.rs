//! Rectification: the unit's plan and its review, the ledger's tasks, progress with evidence,
//! verification and closing, change requests — and who may do each, on both backends.

use jiff::civil::{Date, date};
use xunshi_core::deadline::Colour;
use xunshi_core::inspection::Stage;
use xunshi_core::page::PageRequest;
use xunshi_core::paper::{Problem, Signature};
use xunshi_core::rectify::{
    ChangeRequest, Defect, Due, GroupMember, Plan, PlanReview, PlanStatus, ProgressReport, Task,
    TaskEvidence, TaskStatus, Verification,
};
use xunshi_core::report::{ReportInput, ReportStatus, ReportVersionInput, StepInput};
use xunshi_core::store::{
    ChangeFilter, ColourAt, PlanFilter, RectifyScope, RectifyTx, Store, TaskFilter, Tx,
};
use xunshi_core::{CoreError, Id};

use crate::harness::{Svc, expect_err};
use crate::papers::{World, move_to, signed_paper, world};

/// The feedback date of the cases: the seed article's.
#[allow(dead_code)] // used by the service cases that follow
pub const FEEDBACK_DAY: &str = "2020-03-25";

/// Takes the world's inspection from fieldwork to feedback through the papers services: the
/// papers signed, the report approved along its chain, the feedback drafted and given on
/// [`FEEDBACK_DAY`]. Returns the fed-back problems in the order given.
#[allow(dead_code)] // used by the service cases that follow
pub async fn fed_back(s: &Svc, w: &World, papers: &[(&str, &str)]) -> Vec<Problem> {
    let mut problems = Vec::new();
    for (category, title) in papers {
        problems.push(signed_paper(s, w, category, title).await);
    }
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
    let mut r = s.report_detail(&w.lead, r.id).await.unwrap().report;
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
    assert_eq!(all.len(), 6, "withdrawn tasks are left out");
    for c in [Colour::Red, Colour::Yellow, Colour::Green] {
        let got = ids(&tx.all_tasks(&colour(c)).await.unwrap());
        let want: Vec<Task> = all
            .iter()
            .filter(|t| xunshi_core::rectify::task_colour(t.due, t.status, today, 7) == c)
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
    let with_withdrawn = TaskFilter {
        include_withdrawn: true,
        ..Default::default()
    };
    assert_eq!(tx.all_tasks(&with_withdrawn).await.unwrap().len(), 7);

    // Category (through the problem), status, problem and scope.
    let by_cat = TaskFilter {
        category_id: Some(p2.category_id),
        ..Default::default()
    };
    assert_eq!(
        ids(&tx.all_tasks(&by_cat).await.unwrap()),
        ["2.1.1", "2.1.2"]
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
            inspections: vec![],
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
        }),
        ..Default::default()
    };
    assert_eq!(tx.all_tasks(&via_inspection).await.unwrap().len(), 6);

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
}
