//! Supervision and the dashboard over HTTP, role by role: the office and the supervisors issue
//! notices and record accountability, the unit answers and records its mechanisms, the
//! dashboard shows the office every unit and a unit its own, with its charts as SVG.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use xunshi_core::Id;
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::org::UnitInput;
use xunshi_core::paper::ProblemInput;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Defect, Due, Plan, PlanStatus, Task, TaskStatus, Verification};
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::service::{PaperDecision, PlanInput, RoundInput, StageChange, TermInput};
use xunshi_core::store::{RectifyWrite, Store, WriteTx};
use xunshi_store::Db;

use crate::helpers::{PASSWORD, TestApp, assert_api_error, detail_fields, input_value};

const POLITICAL: &str = "00000000-0000-7000-8001-000000201701";
const INTEGRITY: &str = "00000000-0000-7000-8001-000000201706";

/// The seed's inspection fed back on 2020-03-25, the unit's plan with six tasks (one rejected
/// once), the people of every role, and the clock at Friday 10 April 2020.
struct World {
    app: TestApp,
    insp: Id,
    unit: Id,
    tasks: Vec<Task>,
}

async fn unit(app: &TestApp, name: &str, parent: Option<Id>) -> Id {
    app.services
        .create_unit(
            &Actor::system(),
            &UnitInput {
                name: name.into(),
                kind: if parent.is_none() {
                    "committee"
                } else {
                    "department"
                }
                .into(),
                level: "provincial".into(),
                parent_id: parent.map(|p| p.to_string()),
            },
        )
        .await
        .expect("unit")
        .id
}

async fn world() -> World {
    world_fed_on("2020-04-10T02:00:00Z", "2020-03-25", "2020-05-25", true).await
}

/// The seed's inspection fed back on `day` with the clock at `now`; with `ledger`, the unit's
/// plan submitted and its tasks, otherwise no plan yet (its clock runs).
async fn world_fed_on(now: &str, day: &str, deadline: &str, with_ledger: bool) -> World {
    let now: jiff::Timestamp = now.parse().unwrap();
    let app = TestApp::spawn_with(|s| s.clock = Arc::new(move || now)).await;
    let s = &app.services;
    let sys = Actor::system();
    let committee = unit(&app, "自治区党委", None).await;
    let xcb = unit(&app, "自治区党委宣传部", Some(committee)).await;
    unit(&app, "自治区党委组织部", Some(committee)).await;
    let term = s
        .create_term(
            &sys,
            &TermInput {
                name: "十一届".into(),
                dispatcher: "自治区党委".into(),
                starts_on: "2016-11-01".into(),
                ends_on: None,
            },
        )
        .await
        .unwrap();
    let plan = s
        .create_plan(
            &sys,
            &PlanInput {
                term_id: term.id.to_string(),
                year: 2019,
                title: "2019年巡视工作计划".into(),
                notes: String::new(),
            },
        )
        .await
        .unwrap();
    let round = s
        .create_round(
            &sys,
            &RoundInput {
                plan_id: plan.id.to_string(),
                number: 4,
                name: String::new(),
            },
        )
        .await
        .unwrap();
    let insp = s
        .create_inspection(
            &sys,
            &InspectionInput {
                round_id: round.id.to_string(),
                team_name: "第三巡视组".into(),
                targets: vec!["自治区党委宣传部".into()],
                kind: "routine".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for (to, date) in [
        (Stage::Preparation, None),
        (Stage::OnSite, Some("2019-09-18")),
    ] {
        let v = s.get_inspection(&sys, insp.id).await.unwrap().0.version;
        s.change_stage(
            &sys,
            insp.id,
            &StageChange {
                version: v,
                to,
                date: date.map(str::to_owned),
            },
        )
        .await
        .unwrap();
    }
    let mut problems = Vec::new();
    for (cat, title) in [
        (POLITICAL, "协调督察全区意识形态工作力度不够"),
        (INTEGRITY, "对个别直属单位资金项目监管不够严格"),
    ] {
        let p = s
            .create_problem(
                &sys,
                insp.id,
                &ProblemInput {
                    category_id: cat.into(),
                    target_unit_id: None,
                    title: title.into(),
                    facts: "事实。".into(),
                    rule_broken: "依据。".into(),
                    responsibility: "责任。".into(),
                    responsibility_types: vec!["principal".into()],
                    severity: Some("一般".into()),
                },
            )
            .await
            .unwrap();
        let d = |v| PaperDecision {
            version: v,
            comment: String::new(),
        };
        let p = s.approve_problem(&sys, p.id, &d(p.version)).await.unwrap();
        let p = s.sign_problem(&sys, p.id, &d(p.version)).await.unwrap();
        problems.push(p.id);
    }
    let v = s.get_inspection(&sys, insp.id).await.unwrap().0.version;
    s.change_stage(
        &sys,
        insp.id,
        &StageChange {
            version: v,
            to: Stage::Reporting,
            date: Some("2019-12-18".into()),
        },
    )
    .await
    .unwrap();
    let r = s
        .create_report(
            &sys,
            insp.id,
            &ReportInput {
                kind: "main".into(),
                title: "巡视情况报告".into(),
            },
        )
        .await
        .unwrap();
    s.add_report_version(
        &sys,
        r.id,
        &ReportVersionInput {
            version: r.version,
            assessment: "总体评价。".into(),
            problem_ids: None,
            recommendations: vec!["切实履行整改主体责任".into()],
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let mut r = s.report_detail(&sys, r.id).await.unwrap().report;
    for (decision, day) in [
        ("submit", None),
        ("approve", Some("2019-12-20")),
        ("approve", None),
        ("approve", Some("2020-01-06")),
        ("approve", Some("2020-01-16")),
    ] {
        r = s
            .decide_report(
                &sys,
                r.id,
                &StepInput {
                    version: r.version,
                    decision: decision.into(),
                    comment: String::new(),
                    meeting_date: day.map(str::to_owned),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{decision}: {e}"));
    }
    let fb = s
        .save_feedback(
            &sys,
            insp.id,
            &FeedbackInput {
                version: 0,
                assessment: "总体评价。".into(),
                problem_ids: None,
                recommendations: vec!["切实履行整改主体责任".into()],
                demands: "严肃对待、扎实整改。".into(),
                deadline: Some(deadline.into()),
                meeting_date: Some(day.into()),
                delivered_by: "于洁".into(),
                delivered_to: "范晓莉".into(),
                presided_by: "范晓莉".into(),
            },
        )
        .await
        .unwrap();
    s.give_feedback(&sys, insp.id, fb.version).await.unwrap();

    let tasks = if with_ledger {
        ledger(&app.services, insp.id, xcb, &problems).await
    } else {
        Vec::new()
    };
    app.add_user("office1", "巡视办干部", "office", None).await;
    app.add_user("leader1", "领导", "leadership", None).await;
    app.add_user("jiwei1", "纪委监委干部", "discipline", None)
        .await;
    app.add_user(
        "fanxiaoli",
        "范晓莉",
        "unit_principal",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user(
        "liaison1",
        "联络员",
        "unit_liaison",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user(
        "staff1",
        "办公室干部",
        "unit_staff",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user(
        "zzb1",
        "组织部负责人",
        "unit_principal",
        Some("自治区党委组织部"),
    )
    .await;
    World {
        app,
        insp: insp.id,
        unit: xcb,
        tasks,
    }
}

/// The unit's plan, submitted, and its tasks as the ledger stores them.
async fn ledger(
    s: &xunshi_core::service::Services<Db>,
    insp: Id,
    unit: Id,
    problems: &[Id],
) -> Vec<Task> {
    let plan = Plan {
        id: Id::new(),
        inspection_id: insp,
        unit_id: unit,
        title: "整改方案".into(),
        organisation: "成立整改工作领导小组。".into(),
        leading_group: Vec::new(),
        status: PlanStatus::Submitted,
        submitted_at: Some("2020-04-09T02:00:00Z".parse().unwrap()),
        approved_at: None,
        version: 1,
    };
    let by = |m, d| Due::By {
        date: jiff::civil::date(2020, m, d),
    };
    let task = |problem: Id, seq: &str, due: Due, status: TaskStatus| Task {
        id: Id::new(),
        plan_id: plan.id,
        inspection_id: insp,
        unit_id: unit,
        problem_id: problem,
        seq: seq.into(),
        measure: format!("整改措施{seq}"),
        target: String::new(),
        standard: String::new(),
        responsible_leader: String::new(),
        lead_department: "办公室".into(),
        co_departments: String::new(),
        responsible_person: String::new(),
        due,
        status,
        progress: 0,
        closed_on: (status == TaskStatus::Closed).then(|| due.date()).flatten(),
        not_for_disclosure: false,
        withdrawn_reason: None,
        version: 1,
        updated_at: jiff::Timestamp::UNIX_EPOCH,
    };
    let tasks = vec![
        task(problems[0], "1.1.1", by(4, 8), TaskStatus::InProgress),
        task(problems[0], "1.1.2", by(4, 15), TaskStatus::NotStarted),
        task(problems[0], "1.1.3", Due::LongTerm, TaskStatus::InProgress),
        // Closed eleven days after its deadline: closed late (逾期完成).
        Task {
            closed_on: Some(jiff::civil::date(2020, 4, 20)),
            ..task(problems[1], "2.1.1", by(4, 9), TaskStatus::Closed)
        },
        task(problems[1], "2.1.2", by(6, 30), TaskStatus::InProgress),
        task(problems[1], "2.1.3", by(4, 12), TaskStatus::Claimed),
    ];
    let mut tx = s.store.write().await.unwrap();
    tx.insert_rect_plan(&plan).await.unwrap();
    for t in &tasks {
        tx.insert_task(t).await.unwrap();
    }
    tx.insert_verification(&Verification {
        id: Id::new(),
        task_id: tasks[4].id,
        closed: false,
        defect: Some(Defect::OnPaper),
        progress: Some(50),
        reason: "只见文件不见落实".into(),
        by_name: "巡视办".into(),
        at: "2020-04-09T03:00:00Z".parse().unwrap(),
    })
    .await
    .unwrap();
    tx.commit().await.unwrap();
    tasks
}

fn count_of(bars: &Value, key: &str) -> u64 {
    bars.as_array()
        .unwrap()
        .iter()
        .find(|b| b["key"] == key)
        .unwrap_or_else(|| panic!("no bar {key} in {bars}"))["count"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn the_dashboard_page_shows_the_office_every_unit_and_a_unit_its_own() {
    let w = world().await;
    let mut office = w.app.login_form("office1", PASSWORD).await;
    let page = office.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("整改统计"));
    // The charts are SVG in the page, with no script of their own and no inline style: the
    // only script is the pages' file, which the charts do not need.
    assert!(page.body.contains("<svg class=\"bars\""), "a bar chart");
    assert!(
        page.body.contains("<svg class=\"ring\""),
        "the completion ring"
    );
    assert_eq!(
        page.body.matches("<script").count(),
        page.body
            .matches("<script src=\"/static/app.js\" defer></script>")
            .count(),
        "no inline script"
    );
    assert!(!page.body.contains("style="));
    // Every number links to its list: the ledger's, with the agreed parameter names.
    assert!(
        page.body.contains("/rectification/tasks?status=closed"),
        "closed tasks link"
    );
    assert!(page.body.contains("/rectification/tasks?colour=red"));
    assert!(page.body.contains("16.7%"), "one of six closed");
    assert!(
        page.body.contains("只见文件不见落实"),
        "the rejected task and its reason"
    );
    assert!(page.body.contains("自治区党委宣传部"));
    assert!(
        page.body.contains("整改情况报告报送"),
        "the clock still running"
    );
    let filtered = office
        .get(&format!(
            "/dashboard?inspection_id={}&unit_id={}",
            w.insp, w.unit
        ))
        .await;
    assert_eq!(filtered.status, StatusCode::OK);
    assert!(filtered.body.contains(&format!(
        "/rectification/tasks?inspection_id={}&#38;unit_id={}&#38;colour=red",
        w.insp, w.unit
    )));

    // The unit sees its own; the other unit sees none of it and may not ask for it.
    let mut principal = w.app.login_form("fanxiaoli", PASSWORD).await;
    let mine = principal.get("/dashboard").await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("整改措施1.1.1"), "its overdue task");
    let mut other = w.app.login_form("zzb1", PASSWORD).await;
    let theirs = other.get("/dashboard").await;
    assert_eq!(theirs.status, StatusCode::OK);
    assert!(!theirs.body.contains("整改措施1.1.1"));
    assert!(!theirs.body.contains("只见文件不见落实"));
    let refused = other.get(&format!("/dashboard?unit_id={}", w.unit)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    // The navigation offers it under 统计, and supervision under 督办.
    assert!(mine.body.contains("href=\"/dashboard\""));
    assert!(mine.body.contains("href=\"/supervision/followups\""));
}

#[tokio::test]
async fn the_dashboard_api_answers_the_same_numbers_as_json() {
    let w = world().await;
    let office = w.app.api_token("office1", PASSWORD).await;
    let (status, d) = w.app.api_get("/api/v1/dashboard", &office).await;
    assert_eq!(status, StatusCode::OK, "{d}");
    assert_eq!(d["all_units"], true);
    assert_eq!(d["today"], "2020-04-10");
    assert_eq!(d["warn_days"], 7);
    let t = &d["tasks"];
    assert_eq!(t["total"], 6);
    assert_eq!(t["closed"], 1);
    assert!((t["completion_rate"].as_f64().unwrap() - 1.0 / 6.0).abs() < 1e-9);
    assert_eq!(count_of(&t["by_status"], "in_progress"), 3);
    assert_eq!(count_of(&t["by_colour"], "red"), 1);
    assert_eq!(count_of(&t["by_colour"], "yellow"), 2);
    assert_eq!(t["overdue"].as_array().unwrap().len(), 1);
    assert_eq!(t["overdue"][0]["seq"], "1.1.1");
    assert_eq!(t["overdue"][0]["days_left"], -2);
    assert_eq!(t["rejected"][0]["defect"], "on_paper");
    assert_eq!(t["by_category"].as_array().unwrap().len(), 2);
    assert_eq!(t["by_unit"][0]["name"], "自治区党委宣传部");
    assert_eq!(d["accountability"]["by_form"].as_array().unwrap().len(), 4);
    assert_eq!(d["followups"]["by_kind"].as_array().unwrap().len(), 4);
    // The clocks still running: the plan has reached the office, the report has not.
    let clocks = d["clocks"].as_array().unwrap();
    assert_eq!(clocks.len(), 1);
    assert_eq!(
        (d["clocks_running"].as_u64(), d["clocks_overdue"].as_u64()),
        (Some(1), Some(0))
    );
    let report = clocks.iter().find(|c| c["clock"] == "report_due").unwrap();
    assert_eq!(report["due"], "2020-05-25");
    assert_eq!(report["colour"], "green");

    let principal = w.app.api_token("fanxiaoli", PASSWORD).await;
    let (status, mine) = w.app.api_get("/api/v1/dashboard", &principal).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(mine["all_units"], false);
    assert_eq!(mine["tasks"]["total"], 6);
    let other = w.app.api_token("zzb1", PASSWORD).await;
    let (_, theirs) = w.app.api_get("/api/v1/dashboard", &other).await;
    assert_eq!(theirs["tasks"]["total"], 0);
    let (status, body) = w
        .app
        .api_get(&format!("/api/v1/dashboard?unit_id={}", w.unit), &other)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_api_error(&body, "forbidden");
    let (status, body) = w
        .app
        .api_get("/api/v1/dashboard?inspection_id=nonsense", &office)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(detail_fields(&body), ["inspection_id"]);
}

#[tokio::test]
async fn notices_are_issued_by_supervisors_and_answered_by_the_unit() {
    let w = world().await;
    // A unit user may not issue one, through the API or the page.
    let staff = w.app.api_token("staff1", PASSWORD).await;
    let notice = json!({
        "inspection_id": w.insp.to_string(),
        "unit_id": w.unit.to_string(),
        "task_id": w.tasks[0].id.to_string(),
        "kind": "warning",
        "doc_no": "巡整督〔2020〕1号",
        "content": "1.1.1 已逾期，请说明原因并限期整改。",
        "answer_due": "2020-04-17",
    });
    let (status, body) = w
        .app
        .api_post("/api/v1/followups", Some(&staff), notice.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_api_error(&body, "forbidden");
    let mut principal = w.app.login_form("fanxiaoli", PASSWORD).await;
    let page = principal.get("/supervision/followups/new").await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);

    // The discipline commission issues one through the API, the office one through the page.
    let jiwei = w.app.api_token("jiwei1", PASSWORD).await;
    let (status, issued) = w
        .app
        .api_post("/api/v1/followups", Some(&jiwei), notice)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    let mut office = w.app.login_form("office1", PASSWORD).await;
    let form = format!("/supervision/followups/new?inspection_id={}", w.insp);
    let page = office.get(&form).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("1.1.2 整改措施1.1.2"),
        "the tasks to pick"
    );
    let token = input_value(&page.body, "_csrf").unwrap();
    let insp = w.insp.to_string();
    let unit = w.unit.to_string();
    let bad = office
        .post_form_with_token(
            "/supervision/followups",
            Some(&token),
            &[
                ("inspection_id", &insp),
                ("unit_id", &unit),
                ("kind", "reminder"),
                ("content", ""),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(
        bad.body.contains("请填写督办事项"),
        "the message by the field"
    );
    let made = office
        .post_form_with_token(
            "/supervision/followups",
            Some(&token),
            &[
                ("inspection_id", &insp),
                ("unit_id", &unit),
                ("kind", "reminder"),
                ("doc_no", "巡整督〔2020〕2号"),
                ("content", "请于4月16日前报送整改方案。"),
                ("answer_due", "2020-04-16"),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let at = made
        .location()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    // The notice goes out as a document: its number, the unit, the text, the task and the day
    // to answer by, signed by whoever issued it; the page and the API give the same file.
    let id = issued["id"].as_str().unwrap();
    let (status, _, docx) = crate::helpers::raw(
        &w.app,
        axum::http::Request::get(format!("/api/v1/followups/{id}/notice.docx"))
            .header(axum::http::header::AUTHORIZATION, format!("Bearer {jiwei}"))
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let xml = crate::helpers::document_xml(&docx);
    for text in [
        "巡视整改告诫书",
        "巡整督〔2020〕1号",
        "1.1.1 已逾期，请说明原因并限期整改。",
        "所涉整改任务：第1.1.1项",
        "请于2020年4月17日前将办理情况书面报送。",
    ] {
        assert!(xml.contains(text), "{text}: {xml}");
    }
    let (status, shown) = w
        .app
        .api_get(&format!("/api/v1/followups/{id}"), &jiwei)
        .await;
    assert_eq!(status, StatusCode::OK, "{shown}");
    assert_eq!(shown["kind"], "warning");
    let (cookie, _) = crate::helpers::session_cookie(&w.app, "fanxiaoli").await;
    let (status, _, from_page) = crate::helpers::raw(
        &w.app,
        axum::http::Request::get(format!("/supervision/followups/{id}/notice.docx"))
            .header(axum::http::header::COOKIE, cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(crate::helpers::document_xml(&from_page).contains("巡视整改告诫书"));
    let mut stranger = w.app.login_form("zzb1", PASSWORD).await;
    let refused = stranger
        .get(&format!("/supervision/followups/{id}/notice.docx"))
        .await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);

    // The unit sees both, answers one on its page; another unit sees none.
    let list = principal.get("/supervision/followups").await;
    assert!(list.body.contains("告诫书") && list.body.contains("提醒书"));
    let mut other = w.app.login_form("zzb1", PASSWORD).await;
    let theirs = other.get("/supervision/followups").await;
    assert!(theirs.body.contains("没有符合条件的督办通知"));
    assert_eq!(other.get(&at).await.status, StatusCode::NOT_FOUND);
    let shown = principal.get(&at).await;
    assert!(shown.body.contains("提交答复"));
    let version = input_value(&shown.body, "version").unwrap();
    let token = input_value(&shown.body, "_csrf").unwrap();
    let answered = principal
        .post_form_with_token(
            &format!("{at}/answer"),
            Some(&token),
            &[("answer", "已于4月14日报送。"), ("version", &version)],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
    let shown = principal.get(&at).await;
    assert!(shown.body.contains("已于4月14日报送。"));
    assert!(shown.body.contains("已答复"));

    // Through the API: a stale answer is refused; a fresh one is taken.
    let liaison = w.app.api_token("liaison1", PASSWORD).await;
    let id = issued["id"].as_str().unwrap();
    let path = format!("/api/v1/followups/{id}/answer");
    let (status, body) = w
        .app
        .api_post(
            &path,
            Some(&liaison),
            json!({ "version": 0, "answer": "说明。" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_api_error(&body, "stale_version");
    let (status, body) = w
        .app
        .api_post(
            &path,
            Some(&liaison),
            json!({ "version": 1, "answer": "已说明原因。" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["answered_by"], "联络员");
    let (_, listed) = w
        .app
        .api_get(
            &format!("/api/v1/followups?answered=false&unit_id={unit}"),
            &jiwei,
        )
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 0);
    assert_eq!(w.app.audit_with_action("followup_answered").await.len(), 2);
}

#[tokio::test]
async fn accountability_is_refused_to_the_unit_and_outside_the_lists() {
    let w = world().await;
    let mut principal = w.app.login_form("fanxiaoli", PASSWORD).await;
    assert_eq!(
        principal
            .get("/supervision/accountability/new")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let token = w.app.api_token("fanxiaoli", PASSWORD).await;
    let record = json!({
        "inspection_id": w.insp.to_string(),
        "unit_id": w.unit.to_string(),
        "task_id": w.tasks[4].id.to_string(),
        "person": "张某",
        "post": "某直属单位负责人",
        "form": "second",
        "measure_list": "党纪处分",
        "measure": "警告",
        "deciding_body": "自治区纪委监委",
        "decided_on": "2020-04-08",
    });
    let (status, _) = w
        .app
        .api_post("/api/v1/accountability", Some(&token), record.clone())
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let office = w.app.api_token("office1", PASSWORD).await;
    let mut outside = record.clone();
    outside["measure_list"] = json!("罚款");
    let (status, body) = w
        .app
        .api_post("/api/v1/accountability", Some(&office), outside)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(detail_fields(&body), ["measure_list"]);

    // The page offers the measures grouped by list; one that is not in its list is refused.
    let mut browser = w.app.login_form("office1", PASSWORD).await;
    let page = browser
        .get(&format!(
            "/supervision/accountability/new?inspection_id={}",
            w.insp
        ))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("<optgroup label=\"政务处分\">"));
    let csrf = input_value(&page.body, "_csrf").unwrap();
    let insp = w.insp.to_string();
    let unit = w.unit.to_string();
    let task = w.tasks[4].id.to_string();
    let fields = |measure: &'static str| {
        vec![
            ("inspection_id", insp.clone()),
            ("unit_id", unit.clone()),
            ("task_id", task.clone()),
            ("person", "张某".to_owned()),
            ("post", "某直属单位负责人".to_owned()),
            ("form", "second".to_owned()),
            ("measure", measure.to_owned()),
            ("deciding_body", "自治区纪委监委".to_owned()),
            ("decided_on", "2020-04-08".to_owned()),
        ]
    };
    let bad = fields("党纪处分：记过");
    let bad: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let refused = browser
        .post_form_with_token("/supervision/accountability", Some(&csrf), &bad)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("“党纪处分”下可选"),
        "{}",
        refused.body
    );
    let good = fields("党纪处分：警告");
    let good: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let made = browser
        .post_form_with_token("/supervision/accountability", Some(&csrf), &good)
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);

    // The unit reads its own record; another unit reads none.
    let list = principal.get("/supervision/accountability").await;
    assert!(list.body.contains("张某") && list.body.contains("警告"));
    assert!(
        list.body.contains("对个别直属单位资金项目监管不够严格"),
        "the task's problem"
    );
    let mut other = w.app.login_form("zzb1", PASSWORD).await;
    assert!(
        !other
            .get("/supervision/accountability")
            .await
            .body
            .contains("张某")
    );
    let (_, listed) = w
        .app
        .api_get("/api/v1/accountability?form=second", &token)
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1);
    assert_eq!(listed["items"][0]["measure"], "党纪处分：警告");
}

#[tokio::test]
async fn the_office_edits_the_rules_and_the_clocks_follow() {
    let w = world().await;
    let office = w.app.api_token("office1", PASSWORD).await;
    let (status, rules) = w.app.api_get("/api/v1/deadline-rules", &office).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rules["settings"]["warn_days"], 7);
    let plan = rules["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["level"] == "xunshi" && r["clock"] == "plan_due")
        .unwrap()
        .clone();
    assert_eq!(plan["amount"], 15);
    let path = format!("/api/v1/deadline-rules/{}", plan["id"].as_str().unwrap());
    let edit = json!({ "version": plan["version"], "amount": 20, "counting": "working_days", "basis": "本省规定" });
    let principal = w.app.api_token("fanxiaoli", PASSWORD).await;
    let (status, _) = w.app.api_put(&path, &principal, edit.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, body) = w.app.api_put(&path, &office, edit.clone()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _) = w.app.api_put(&path, &office, edit).await;
    assert_eq!(status, StatusCode::CONFLICT);
    let (status, clocks) = w
        .app
        .api_get(
            &format!("/api/v1/inspections/{}/clocks", w.insp),
            &principal,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let due = clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == "plan_due")
        .unwrap()["due"]
        .clone();
    assert_eq!(due, "2020-04-23");
    let other = w.app.api_token("zzb1", PASSWORD).await;
    let (status, _) = w
        .app
        .api_get(&format!("/api/v1/inspections/{}/clocks", w.insp), &other)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The page: forms for the office, none for the unit; the warning period is changed there.
    let mut browser = w.app.login_form("office1", PASSWORD).await;
    let page = browser.get("/supervision/deadlines?from=2020-03-25").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2020-05-25"), "the trial report date");
    assert!(page.body.contains("20个工作日"));
    let version = rules["settings"]["version"].to_string();
    let csrf = input_value(&page.body, "_csrf").unwrap();
    let bad = browser
        .post_form_with_token(
            "/supervision/deadlines/warn-days",
            Some(&csrf),
            &[("warn_days", "abc"), ("version", &version)],
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("请填写整数"));
    let saved = browser
        .post_form_with_token(
            "/supervision/deadlines/warn-days",
            Some(&csrf),
            &[("warn_days", "3"), ("version", &version)],
        )
        .await;
    saved.assert_redirect_to("/supervision/deadlines?notice=saved");
    let (_, d) = w.app.api_get("/api/v1/dashboard", &office).await;
    assert_eq!(d["warn_days"], 3);
    assert_eq!(
        count_of(&d["tasks"]["by_colour"], "yellow"),
        1,
        "only 2.1.3 now"
    );
    let mut unit_browser = w.app.login_form("fanxiaoli", PASSWORD).await;
    let page = unit_browser.get("/supervision/deadlines").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/supervision/deadlines/warn-days"));
}

#[tokio::test]
async fn the_unit_records_a_mechanism_with_the_tasks_behind_it() {
    let w = world().await;
    let mut liaison = w.app.login_form("liaison1", PASSWORD).await;
    let form = format!("/supervision/mechanisms/new?inspection_id={}", w.insp);
    let page = liaison.get(&form).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("type=\"checkbox\" name=\"task_ids\""));
    let csrf = input_value(&page.body, "_csrf").unwrap();
    let insp = w.insp.to_string();
    let unit = w.unit.to_string();
    let (t1, t2) = (w.tasks[0].id.to_string(), w.tasks[1].id.to_string());
    let none = liaison
        .post_form_with_token(
            "/supervision/mechanisms",
            Some(&csrf),
            &[
                ("inspection_id", &insp),
                ("unit_id", &unit),
                ("title", "《意识形态工作责任制实施细则》"),
                ("kind", "new"),
                ("issued_on", "2020-04-08"),
            ],
        )
        .await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
    assert!(none.body.contains("请至少关联一项"));
    let made = liaison
        .post_form_with_token(
            "/supervision/mechanisms",
            Some(&csrf),
            &[
                ("inspection_id", &insp),
                ("unit_id", &unit),
                ("title", "《意识形态工作责任制实施细则》"),
                ("kind", "new"),
                ("doc_no", "宣发〔2020〕8号"),
                ("issued_on", "2020-04-08"),
                ("task_ids", &t1),
                ("task_ids", &t2),
            ],
        )
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER, "{}", made.body);
    let list = liaison.get(made.location().unwrap()).await;
    assert!(list.body.contains("《意识形态工作责任制实施细则》"));
    assert!(list.body.contains("1.1.1 整改措施1.1.1") && list.body.contains("1.1.2 整改措施1.1.2"));
    // The unit's staff read it but do not record; the API says the same.
    let mut staff = w.app.login_form("staff1", PASSWORD).await;
    assert_eq!(staff.get(&form).await.status, StatusCode::FORBIDDEN);
    let token = w.app.api_token("staff1", PASSWORD).await;
    let (status, listed) = w.app.api_get("/api/v1/mechanisms", &token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(listed["items"][0]["tasks"].as_array().unwrap().len(), 2);
    let (status, _) = w
        .app
        .api_post(
            "/api/v1/mechanisms",
            Some(&token),
            json!({
                "inspection_id": insp, "unit_id": unit, "title": "《制度》",
                "issued_on": "2020-04-08", "task_ids": [t1],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// The dashboard's tiles: (label, number, link), the link unescaped as a browser reads it.
fn tiles(html: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for part in html.split("<a class=\"tile").skip(1) {
        let href = part
            .split("href=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let number = part
            .split("<span class=\"tile-number\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap();
        let label = part
            .split("<span class=\"tile-label\">")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap();
        out.push((
            label.to_owned(),
            number.parse().unwrap(),
            href.replace("&#38;", "&"),
        ));
    }
    out
}

/// How many rows a list page shows, counted by the links its rows carry to their records.
fn rows_linking(html: &str, prefix: &str) -> usize {
    html.match_indices(prefix)
        .filter(|(i, _)| {
            html[i + prefix.len()..]
                .chars()
                .take(36)
                .filter(|c| *c == '-')
                .count()
                == 4
        })
        .count()
}

#[tokio::test]
async fn every_number_on_the_dashboard_opens_a_list_of_that_length() {
    let w = world().await;
    let office = w.app.api_token("office1", PASSWORD).await;
    for (kind, due) in [("reminder", "2020-04-20"), ("formal", "2020-04-30")] {
        let (status, _) = w
            .app
            .api_post(
                "/api/v1/followups",
                Some(&office),
                json!({
                    "inspection_id": w.insp.to_string(), "unit_id": w.unit.to_string(),
                    "kind": kind, "content": "请抓紧整改。", "answer_due": due,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED);
    }
    for who in ["office1", "fanxiaoli"] {
        let mut b = w.app.login_form(who, PASSWORD).await;
        let page = b.get("/dashboard").await;
        let tiles = tiles(&page.body);
        // The office also counts the problems found again (整改不到位); the unit does not
        // read working papers.
        let expected = if who == "office1" { 11 } else { 10 };
        assert_eq!(tiles.len(), expected, "{who}: {tiles:?}");
        assert!(
            tiles
                .iter()
                .any(|(label, n, _)| label == "逾期完成" && *n == 1),
            "{who}: {tiles:?}"
        );
        let mut checked = 0;
        for (label, number, href) in &tiles {
            let prefix = if href.starts_with("/rectification/tasks") {
                "/rectification/tasks/"
            } else if href.starts_with("/supervision/followups") {
                "/supervision/followups/"
            } else {
                continue;
            };
            let list = b.get(href).await;
            assert_eq!(list.status, StatusCode::OK, "{href}");
            assert_eq!(
                rows_linking(&list.body, prefix),
                *number,
                "{who}: {label} links to {href}"
            );
            checked += 1;
        }
        assert_eq!(
            checked, 8,
            "six task numbers (rejected and closed late too) and two notice numbers"
        );
    }
}

/// A unit fed back in mid-December 2026: its plan clock runs into 2027, which has no holiday
/// arrangement yet, and is shown 暂定 with the reason. The office enters 2027; the clock is
/// counted again, and the unit's liaison finds the change on the to-do, opens it and takes
/// note, on the page; the API then shows it noted and refuses noting it twice.
#[tokio::test]
async fn a_provisional_clock_is_shown_and_the_unit_takes_note_when_the_year_is_entered() {
    let w = world_fed_on("2026-12-18T02:00:00Z", "2026-12-17", "2027-02-17", false).await;
    let app = &w.app;
    let office = app.api_token("office1", PASSWORD).await;
    let (s, clocks) = app
        .api_get(&format!("/api/v1/inspections/{}/clocks", w.insp), &office)
        .await;
    assert_eq!(s, StatusCode::OK, "{clocks}");
    let plan = |clocks: &Value| {
        clocks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["clock"] == "plan_due")
            .cloned()
            .unwrap_or_else(|| panic!("no plan clock in {clocks}"))
    };
    let before = plan(&clocks);
    assert_eq!(before["due"], "2027-01-07", "{before}");
    assert_eq!(
        before["provisional"],
        "2027年节假日安排尚未录入，按周末推算"
    );
    let mut desk = app.login_form("office1", PASSWORD).await;
    let page = desk.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2027-01-07"), "{}", page.body);
    assert!(page.body.contains("暂定"), "{}", page.body);
    assert!(!page.body.contains("无法计算"));
    // The deadlines page tries the rules on a feedback date, with the same answer.
    let trial = desk.get("/supervision/deadlines?from=2026-12-17").await;
    assert_eq!(trial.status, StatusCode::OK);
    assert!(trial.body.contains("2027-01-07") && trial.body.contains("暂定"));
    assert!(trial.body.contains("2027年节假日安排尚未录入，按周末推算"));

    let (s, body) = app
        .api_put(
            "/api/v1/calendar/2027",
            &office,
            json!({"source": "国务院办公厅关于2027年部分节假日安排的通知",
                   "csv": "date,kind,festival\n2027-01-01,holiday,元旦\n"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["recounted"], 1, "{body}");
    let (_, clocks) = app
        .api_get(&format!("/api/v1/inspections/{}/clocks", w.insp), &office)
        .await;
    let after = plan(&clocks);
    assert_eq!(after["due"], "2027-01-08", "{after}");
    assert!(after["provisional"].is_null(), "{after}");

    let liaison = app.api_token("liaison1", PASSWORD).await;
    let (s, todo) = app.api_get("/api/v1/todo", &liaison).await;
    assert_eq!(s, StatusCode::OK, "{todo}");
    let item = todo["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "deadline_changed")
        .cloned()
        .unwrap_or_else(|| panic!("nothing on the liaison's to-do: {todo}"));
    let title = item["title"].as_str().unwrap();
    assert!(
        title.contains("2027-01-07（暂定）") && title.contains("2027-01-08"),
        "{title}"
    );
    let id = item["object_id"].as_str().unwrap().to_owned();
    let link = format!("/deadline-changes/{id}");
    assert_eq!(item["link"], link.as_str());
    // Another unit's principal is told there is no such change.
    let other = app.api_token("zzb1", PASSWORD).await;
    let (s, _) = app
        .api_get(&format!("/api/v1/deadline-changes/{id}"), &other)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    let mut browser = app.login_form("liaison1", PASSWORD).await;
    let page = browser.get(&link).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("2027-01-08") && page.body.contains("确认知悉"));
    let token = input_value(&page.body, "_csrf").unwrap();
    let idem = input_value(&page.body, "_idem").unwrap();
    browser
        .post_form_with_token(
            &format!("{link}/acknowledge"),
            Some(&token),
            &[("_idem", &idem)],
        )
        .await
        .assert_redirect_to("/?notice=acknowledged");

    let (s, change) = app
        .api_get(&format!("/api/v1/deadline-changes/{id}"), &liaison)
        .await;
    assert_eq!(s, StatusCode::OK, "{change}");
    assert!(change["acknowledged_at"].is_string(), "{change}");
    assert_eq!(change["before"]["date"], "2027-01-07");
    assert_eq!(change["after"]["date"], "2027-01-08");
    let (s, body) = app
        .api_post(
            &format!("/api/v1/deadline-changes/{id}/acknowledge"),
            Some(&liaison),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (_, todo) = app.api_get("/api/v1/todo", &liaison).await;
    assert!(
        !todo["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["kind"] == "deadline_changed"),
        "{todo}"
    );
    assert_eq!(app.audit_with_action("deadline_recomputed").await.len(), 1);
    assert_eq!(
        app.audit_with_action("deadline_change_acknowledged")
            .await
            .len(),
        1
    );
}

#[tokio::test]
async fn the_notice_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let w = world().await;
    let jiwei = w.app.api_token("jiwei1", PASSWORD).await;
    for (kind, doc_no, due) in [
        ("warning", "巡整督〔2020〕3号", Some("2020-04-20")),
        ("reminder", "巡整督〔2020〕1号", None),
        ("formal", "巡整督〔2020〕2号", Some("2020-04-15")),
    ] {
        let mut notice = json!({
            "inspection_id": w.insp.to_string(),
            "unit_id": w.unit.to_string(),
            "kind": kind,
            "doc_no": doc_no,
            "content": format!("{doc_no}：请限期整改。"),
        });
        if let Some(d) = due {
            notice["answer_due"] = json!(d);
        }
        let (status, body) = w
            .app
            .api_post("/api/v1/followups", Some(&jiwei), notice)
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let office = w.app.api_token("office1", PASSWORD).await;
    let docs = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["doc_no"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = async |path: &str| w.app.api_get(path, &office).await;

    let (status, all) = get("/api/v1/followups").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 3);
    assert_eq!(
        docs(&all),
        [
            "巡整督〔2020〕3号",
            "巡整督〔2020〕1号",
            "巡整督〔2020〕2号"
        ]
    );
    let (_, by_no) = get("/api/v1/followups?sort=doc_no").await;
    assert_eq!(
        docs(&by_no),
        [
            "巡整督〔2020〕1号",
            "巡整督〔2020〕2号",
            "巡整督〔2020〕3号"
        ]
    );
    // By answer deadline, two a page; a notice without one comes last.
    let (_, first) = get("/api/v1/followups?sort=due&limit=2").await;
    assert_eq!(docs(&first), ["巡整督〔2020〕2号", "巡整督〔2020〕3号"]);
    let next = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(&format!("/api/v1/followups?sort=due&limit=2&cursor={next}")).await;
    assert_eq!(docs(&second), ["巡整督〔2020〕1号"]);
    assert_eq!(second["total"], 3);
    let back = second["prev_cursor"].as_str().expect("the page before");
    let (_, again) = get(&format!("/api/v1/followups?sort=due&limit=2&cursor={back}")).await;
    assert_eq!(docs(&again), docs(&first));
    let (_, down) = get("/api/v1/followups?sort=-due").await;
    assert_eq!(docs(&down)[0], "巡整督〔2020〕1号");
    // The text filter, counted.
    let (_, found) = get("/api/v1/followups?q=2%E5%8F%B7").await;
    assert_eq!(
        (docs(&found), found["total"].clone()),
        (vec!["巡整督〔2020〕2号".to_owned()], json!(1))
    );
    for (path, status, field) in [
        (
            "/api/v1/followups?sort=content".to_owned(),
            StatusCode::BAD_REQUEST,
            "sort",
        ),
        (
            format!("/api/v1/followups?q={}", "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            format!("/api/v1/followups?sort=kind&cursor={next}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{path}");
    }
    // The total is of what the reader may see: another unit's department sees none.
    let other = w.app.api_token("zzb1", PASSWORD).await;
    let (_, theirs) = w.app.api_get("/api/v1/followups?sort=due", &other).await;
    assert_eq!(theirs["total"], 0, "{theirs}");

    let mut browser = w.app.login_form("office1", PASSWORD).await;
    let page = browser.get("/supervision/followups?sort=due&limit=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 3 项，第 1 / 2 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按答复期限排序").unwrap();
    assert!(heading.contains("sort=-due"), "{heading}");
    let page = browser.get("/supervision/followups?q=2%E5%8F%B7").await;
    assert!(
        page.body.contains("共 1 项") && !page.body.contains("巡整督〔2020〕3号"),
        "{}",
        page.body
    );
    let page = browser.get("/supervision/followups?sort=content").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("不是可用的排序"), "{}", page.body);
}

#[tokio::test]
async fn the_accountability_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let w = world().await;
    let office = w.app.api_token("office1", PASSWORD).await;
    for (person, form, list, measure, day) in [
        ("王某", "first", "批评教育", "诫勉谈话", "2020-04-08"),
        ("张某", "second", "党纪处分", "警告", "2020-04-02"),
        ("李某", "first", "对干部问责", "通报", "2020-04-05"),
    ] {
        let (status, body) = w
            .app
            .api_post(
                "/api/v1/accountability",
                Some(&office),
                json!({
                    "inspection_id": w.insp.to_string(),
                    "unit_id": w.unit.to_string(),
                    "task_id": w.tasks[4].id.to_string(),
                    "person": person,
                    "post": "某直属单位负责人",
                    "form": form,
                    "measure_list": list,
                    "measure": measure,
                    "deciding_body": "自治区纪委监委",
                    "decided_on": day,
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let people = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["person"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = async |path: &str| w.app.api_get(path, &office).await;
    let (status, all) = get("/api/v1/accountability").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 3);
    assert_eq!(people(&all), ["王某", "张某", "李某"]);
    let (_, first) = get("/api/v1/accountability?sort=decided&limit=2").await;
    assert_eq!(people(&first), ["张某", "李某"]);
    let next = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(&format!(
        "/api/v1/accountability?sort=decided&limit=2&cursor={next}"
    ))
    .await;
    assert_eq!(people(&second), ["王某"]);
    let (_, down) = get("/api/v1/accountability?sort=-form").await;
    assert_eq!(people(&down)[0], "张某");
    let (_, found) = get("/api/v1/accountability?q=%E6%9D%8E").await;
    assert_eq!(
        (people(&found), found["total"].clone()),
        (vec!["李某".to_owned()], json!(1))
    );
    for (path, status, field) in [
        (
            "/api/v1/accountability?sort=measure".to_owned(),
            StatusCode::BAD_REQUEST,
            "sort",
        ),
        (
            format!("/api/v1/accountability?q={}", "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            format!("/api/v1/accountability?sort=person&cursor={next}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{path}");
    }

    let mut browser = w.app.login_form("office1", PASSWORD).await;
    let page = browser
        .get("/supervision/accountability?sort=decided&limit=2")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 3 项，第 1 / 2 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按决定日期排序").unwrap();
    assert!(heading.contains("sort=-decided"), "{heading}");
    let page = browser
        .get("/supervision/accountability?sort=measure")
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("不是可用的排序"), "{}", page.body);
}

#[tokio::test]
async fn the_mechanism_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let w = world().await;
    let office = w.app.api_token("office1", PASSWORD).await;
    for (title, is_new, doc_no, day) in [
        (
            "《资金项目监管办法》",
            true,
            "办发〔2020〕3号",
            "2020-04-08",
        ),
        (
            "《意识形态工作责任制实施细则》",
            false,
            "宣发〔2020〕8号",
            "2020-04-02",
        ),
        (
            "《选人用人工作规程》",
            true,
            "组发〔2020〕5号",
            "2020-04-05",
        ),
    ] {
        let (status, body) = w
            .app
            .api_post(
                "/api/v1/mechanisms",
                Some(&office),
                json!({
                    "inspection_id": w.insp.to_string(),
                    "unit_id": w.unit.to_string(),
                    "title": title,
                    "is_new": is_new,
                    "doc_no": doc_no,
                    "issued_on": day,
                    "task_ids": [w.tasks[4].id.to_string()],
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
    }
    let titles = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["doc_no"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = async |path: &str| w.app.api_get(path, &office).await;
    let (status, all) = get("/api/v1/mechanisms").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 3);
    assert_eq!(
        titles(&all),
        ["办发〔2020〕3号", "宣发〔2020〕8号", "组发〔2020〕5号"]
    );
    let (_, first) = get("/api/v1/mechanisms?sort=issued&limit=2").await;
    assert_eq!(titles(&first), ["宣发〔2020〕8号", "组发〔2020〕5号"]);
    let next = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(&format!(
        "/api/v1/mechanisms?sort=issued&limit=2&cursor={next}"
    ))
    .await;
    assert_eq!(titles(&second), ["办发〔2020〕3号"]);
    assert!(second["prev_cursor"].is_string(), "{second}");
    let (_, revised) = get("/api/v1/mechanisms?sort=kind").await;
    assert_eq!(titles(&revised)[0], "宣发〔2020〕8号");
    let (_, found) = get("/api/v1/mechanisms?q=%E7%BB%84%E5%8F%91").await;
    assert_eq!(
        (titles(&found), found["total"].clone()),
        (vec!["组发〔2020〕5号".to_owned()], json!(1))
    );
    for (path, status, field) in [
        (
            "/api/v1/mechanisms?sort=tasks".to_owned(),
            StatusCode::BAD_REQUEST,
            "sort",
        ),
        (
            format!("/api/v1/mechanisms?q={}", "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            format!("/api/v1/mechanisms?sort=title&cursor={next}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{path}");
    }

    let mut browser = w.app.login_form("office1", PASSWORD).await;
    let page = browser
        .get("/supervision/mechanisms?sort=issued&limit=2")
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 3 项，第 1 / 2 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按印发日期排序").unwrap();
    assert!(heading.contains("sort=-issued"), "{heading}");
    let page = browser
        .get("/supervision/mechanisms?q=%E7%BB%84%E5%8F%91")
        .await;
    assert!(page.body.contains("《选人用人工作规程》"), "{}", page.body);
    assert!(!page.body.contains("《资金项目监管办法》"), "{}", page.body);
    let page = browser.get("/supervision/mechanisms?sort=tasks").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("不是可用的排序"), "{}", page.body);
}
