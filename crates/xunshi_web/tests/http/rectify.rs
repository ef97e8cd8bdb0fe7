//! Rectification over HTTP: the unit drafts and submits its plan on the pages, the office
//! approves it, the unit's department reports and uploads evidence, a supervisor closes the
//! task — and the unit's own people are refused (403) approving their plan or closing their
//! task, on the pages and in the API. The ledger filters by deadline colour.

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use xunshi_core::Id;
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::org::UnitInput;
use xunshi_core::paper::{ProblemInput, sha256_hex};
use xunshi_core::permission::Actor;
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::service::{
    PaperDecision, PlanInput, RoundInput, Services, StageChange, TermInput,
};
use xunshi_store::{Db, LocalBlobs};

use crate::helpers::{
    PASSWORD, TestApp, TestResponse, assert_api_error, detail_fields, input_value, link_with,
};

const POLITICAL: &str = "00000000-0000-7000-8001-000000201701";
const ORGANIZATIONAL: &str = "00000000-0000-7000-8001-000000201703";

/// The application with its clock on 2020-06-01 (Beijing time), an inspection of the
/// propaganda department given feedback on 2020-03-25 with three problems, and the people.
pub(crate) struct World {
    pub(crate) app: TestApp,
    pub(crate) insp: Id,
    pub(crate) unit: Id,
    problems: Vec<Id>,
    _blobs: tempfile::TempDir,
}

async fn unit(svc: &Services<Db>, name: &str, kind: &str, parent: Option<Id>) -> Id {
    svc.create_unit(
        &Actor::system(),
        &UnitInput {
            name: name.into(),
            kind: kind.into(),
            level: "provincial".into(),
            parent_id: parent.map(|p| p.to_string()),
        },
    )
    .await
    .expect("a unit")
    .id
}

async fn move_to(svc: &Services<Db>, insp: Id, to: Stage, date: Option<&str>) {
    let sys = Actor::system();
    let current = svc.get_inspection(&sys, insp).await.unwrap().0;
    svc.change_stage(
        &sys,
        insp,
        &StageChange {
            version: current.version,
            to,
            date: date.map(str::to_owned),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("move to {to:?}: {e}"));
}

/// Papers, report and feedback, done by the operator (who acts as the team and the office).
async fn to_feedback(svc: &Services<Db>, insp: Id) -> Vec<Id> {
    let sys = Actor::system();
    move_to(svc, insp, Stage::Preparation, None).await;
    move_to(svc, insp, Stage::OnSite, Some("2019-09-18")).await;
    let mut problems = Vec::new();
    for (category, title) in [
        (POLITICAL, "落实党管宣传思想文化职责存在薄弱点"),
        (POLITICAL, "协调督察全区意识形态工作力度不够"),
        (ORGANIZATIONAL, "执行干部选拔任用有关规定不够到位"),
    ] {
        let p = svc
            .create_problem(
                &sys,
                insp,
                &ProblemInput {
                    category_id: category.into(),
                    target_unit_id: None,
                    title: title.into(),
                    facts: "事实。".into(),
                    rule_broken: "违反有关规定。".into(),
                    responsibility: "领导班子负主体责任。".into(),
                    responsibility_types: vec!["principal".into()],
                    severity: None,
                },
            )
            .await
            .expect("paper");
        let d = |version| PaperDecision {
            version,
            comment: String::new(),
        };
        let p = svc
            .approve_problem(&sys, p.id, &d(p.version))
            .await
            .unwrap();
        let p = svc.sign_problem(&sys, p.id, &d(p.version)).await.unwrap();
        problems.push(p.id);
    }
    move_to(svc, insp, Stage::Reporting, Some("2019-12-18")).await;
    let r = svc
        .create_report(
            &sys,
            insp,
            &ReportInput {
                kind: "main".into(),
                title: "巡视情况报告".into(),
            },
        )
        .await
        .unwrap();
    svc.add_report_version(
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
    let mut r = svc.report_detail(&sys, r.id).await.unwrap().report;
    for (decision, day) in [
        ("submit", None),
        ("approve", Some("2019-12-20")),
        ("approve", None),
        ("approve", Some("2020-01-06")),
        ("approve", Some("2020-01-16")),
    ] {
        r = svc
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
            .unwrap_or_else(|e| panic!("report {decision}: {e}"));
    }
    let input = FeedbackInput {
        deadline: Some("2020-05-25".into()),
        meeting_date: Some("2020-03-25".into()),
        delivered_by: "于洁".into(),
        delivered_to: "范晓莉".into(),
        presided_by: "范晓莉".into(),
        ..svc.feedback_defaults(&sys, insp).await.unwrap()
    };
    let fb = svc.save_feedback(&sys, insp, &input).await.unwrap();
    svc.give_feedback(&sys, insp, fb.version).await.unwrap();
    problems
}

pub(crate) async fn world() -> World {
    let blobs = tempfile::tempdir().expect("a folder for evidence");
    let store = blobs.path().join("blobs");
    let now: jiff::Timestamp = "2020-06-01T02:00:00Z".parse().unwrap();
    let app = TestApp::spawn_with(move |s| {
        s.clock = Arc::new(move || now);
        s.blobs = Some(Arc::new(LocalBlobs::new(store)));
    })
    .await;
    let svc = &app.services;
    let sys = Actor::system();
    let committee = unit(svc, "自治区党委", "committee", None).await;
    let unit_id = unit(svc, "自治区党委宣传部", "department", Some(committee)).await;
    let term = svc
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
        .unwrap();
    let plan = svc
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
    let round = svc
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
    let insp = svc
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
        .unwrap()
        .id;
    let problems = to_feedback(svc, insp).await;
    app.add_user(
        "xcb_head",
        "范晓莉",
        "unit_principal",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user(
        "xcb_liaison",
        "联络员",
        "unit_liaison",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user(
        "xcb_office",
        "办公室",
        "unit_staff",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user("office1", "巡视办", "office", None).await;
    app.add_user("jiwei1", "纪委监委", "discipline", None).await;
    // A discipline officer whose account belongs to the inspected unit itself.
    app.add_user(
        "jiwei_xcb",
        "派驻纪检组",
        "discipline",
        Some("自治区党委宣传部"),
    )
    .await;
    World {
        app,
        insp,
        unit: unit_id,
        problems,
        _blobs: blobs,
    }
}

fn task_fields<'a>(
    problem: &'a str,
    measure: &'a str,
    kind: &'a str,
    date: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("problem_id", problem),
        ("measure", measure),
        ("target", "问题整改到位"),
        ("standard", "制度印发并执行"),
        ("responsible_leader", "李明"),
        ("lead_department", "办公室"),
        ("co_departments", "机关党委"),
        ("responsible_person", "王五"),
        ("due_kind", kind),
        ("due_date", date),
    ]
}

fn task_json(problem: Id, measure: &str, kind: &str, date: Option<&str>) -> Value {
    json!({
        "problem_id": problem.to_string(),
        "measure": measure,
        "target": "问题整改到位",
        "standard": "制度印发并执行",
        "responsible_leader": "李明",
        "lead_department": "办公室",
        "due_kind": kind,
        "due_date": date,
    })
}

fn plan_id_of(resp: &TestResponse) -> String {
    let loc = resp.location().expect("a redirect");
    loc.trim_start_matches("/rectification/plans/")
        .split('?')
        .next()
        .unwrap()
        .to_owned()
}

/// A plan through the API with a task for each problem (dates as given), approved by the
/// office. Returns the plan's id and the tasks' ids in the order of the problems.
pub(crate) async fn approved_plan(
    w: &World,
    dues: &[(&str, Option<&str>)],
) -> (String, Vec<String>) {
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let office = w.app.api_token("office1", PASSWORD).await;
    let (status, plan) = w
        .app
        .api_post(
            "/api/v1/rectification-plans",
            Some(&liaison),
            json!({
                "inspection_id": w.insp.to_string(),
                "unit_id": w.unit.to_string(),
                "organisation": "成立整改工作领导小组。",
                "leading_group": [{"name": "范晓莉", "post": "部长", "role": "组长"}],
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{plan}");
    let id = plan["id"].as_str().unwrap().to_owned();
    let mut tasks = Vec::new();
    for (n, (kind, date)) in dues.iter().enumerate() {
        let p = w.problems[n.min(w.problems.len() - 1)];
        let (status, t) = w
            .app
            .api_post(
                &format!("/api/v1/rectification-plans/{id}/tasks"),
                Some(&liaison),
                task_json(p, &format!("措施{n}"), kind, *date),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{t}");
        tasks.push(t["id"].as_str().unwrap().to_owned());
    }
    let (status, plan) = w
        .app
        .api_post(
            &format!("/api/v1/rectification-plans/{id}/submit"),
            Some(&liaison),
            json!({ "version": plan["version"] }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    let (status, plan) = w
        .app
        .api_post(
            &format!("/api/v1/rectification-plans/{id}/review"),
            Some(&office),
            json!({ "version": plan["version"], "approve": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{plan}");
    (id, tasks)
}

pub(crate) async fn task_version(w: &World, token: &str, id: &str) -> i64 {
    let (status, t) = w.app.api_get(&format!("/api/v1/tasks/{id}"), token).await;
    assert_eq!(status, StatusCode::OK, "{t}");
    t["entry"]["task"]["version"].as_i64().unwrap()
}

#[tokio::test]
async fn the_unit_drafts_on_the_pages_and_cannot_approve_or_close_its_own_work() {
    let w = world().await;
    let mut liaison = w.app.login_form("xcb_liaison", PASSWORD).await;
    let board = liaison.get("/rectification").await;
    assert_eq!(board.status, StatusCode::OK);
    assert!(board.body.contains("起草整改方案"), "{}", board.body);
    assert!(board.body.contains("整改台账"), "the nav offers the ledger");
    let csrf = liaison.csrf_token("/rectification").await;
    let resp = liaison
        .post_form_with_token(
            "/rectification/plans",
            Some(&csrf),
            &[
                ("inspection_id", &w.insp.to_string()),
                ("unit_id", &w.unit.to_string()),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let plan = plan_id_of(&resp);
    let plan_path = format!("/rectification/plans/{plan}");
    let page = liaison.get(&plan_path).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("一、政治建设") && page.body.contains("二、组织建设"));
    assert!(page.body.contains("1.2") && page.body.contains("协调督察全区意识形态工作力度不够"));

    // The leading group as rows, blank rows dropped.
    let version = input_value(&page.body, "version").unwrap();
    let resp = liaison
        .post_form_with_token(
            &plan_path,
            Some(&csrf),
            &[
                ("version", &version),
                ("title", ""),
                ("organisation", "召开部务会专题研究部署。"),
                ("member_name", "范晓莉"),
                ("member_post", "部长"),
                ("member_role", "组长"),
                ("member_name", ""),
                ("member_post", ""),
                ("member_role", "成员"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);

    // A task without its measure comes back with the message next to the field.
    let p: Vec<String> = w.problems.iter().map(Id::to_string).collect();
    let tasks_path = format!("{plan_path}/tasks");
    let resp = liaison
        .post_form_with_token(
            &tasks_path,
            Some(&csrf),
            &task_fields(&p[0], "", "by", "2020-06-30"),
        )
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.body.contains("请填写整改措施"), "{}", resp.body);
    for (i, problem) in p.iter().enumerate() {
        let measure = format!("整改措施{i}");
        let resp = liaison
            .post_form_with_token(
                &tasks_path,
                Some(&csrf),
                &task_fields(problem, &measure, "by", "2020-06-30"),
            )
            .await;
        assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    }
    let page = liaison.get(&plan_path).await;
    for seq in ["1.1.1", "1.2.1", "2.1.1"] {
        assert!(page.body.contains(seq), "{seq} on the plan page");
    }
    let version = input_value(&page.body, "version").unwrap();
    let resp = liaison
        .post_form_with_token(
            &format!("{plan_path}/submit"),
            Some(&csrf),
            &[("version", &version)],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let version = (version.parse::<i64>().unwrap() + 1).to_string();

    // The unit's own people may not approve their plan: not on the page, not in the API.
    let review_path = format!("{plan_path}/review");
    let resp = liaison
        .post_form_with_token(
            &review_path,
            Some(&csrf),
            &[("version", &version), ("decision", "approve")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    let api_review = format!("/api/v1/rectification-plans/{plan}/review");
    for who in ["xcb_liaison", "xcb_head", "jiwei_xcb"] {
        let token = w.app.api_token(who, PASSWORD).await;
        let (status, body) = w
            .app
            .api_post(
                &api_review,
                Some(&token),
                json!({ "version": version.parse::<i64>().unwrap(), "approve": true }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
        assert_api_error(&body, "forbidden");
    }
    let mut office = w.app.login_form("office1", PASSWORD).await;
    let office_csrf = office.csrf_token("/rectification").await;
    let page = office.get(&plan_path).await;
    assert!(page.body.contains("审核通过") && page.body.contains("退回修改"));
    let resp = office
        .post_form_with_token(
            &review_path,
            Some(&office_csrf),
            &[
                ("version", &version),
                ("decision", "approve"),
                ("comment", "同意"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert!(office.get(&plan_path).await.body.contains("已审核通过"));

    // The department claims a task done; the unit may not close it.
    let staff = w.app.api_token("xcb_office", PASSWORD).await;
    let (status, list) = w
        .app
        .api_get(&format!("/api/v1/tasks?plan_id={plan}"), &staff)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
    let task = list["items"][0]["task"]["id"].as_str().unwrap().to_owned();
    let v = task_version(&w, &staff, &task).await;
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/tasks/{task}/progress"),
            Some(&staff),
            json!({ "version": v, "text": "制度已印发", "progress": 100, "claims_done": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "claimed");
    let v = body["version"].as_i64().unwrap();
    let verify = format!("/api/v1/tasks/{task}/verify");
    for who in ["xcb_office", "xcb_liaison", "jiwei_xcb"] {
        let token = w.app.api_token(who, PASSWORD).await;
        let (status, body) = w
            .app
            .api_post(
                &verify,
                Some(&token),
                json!({ "version": v, "close": true, "reason": "同意销号" }),
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}: {body}");
    }
    let task_path = format!("/rectification/tasks/{task}");
    let resp = liaison
        .post_form_with_token(
            &format!("{task_path}/verify"),
            Some(&csrf),
            &[
                ("version", &v.to_string()),
                ("decision", "close"),
                ("reason", "同意销号"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(
        !liaison
            .get(&task_path)
            .await
            .body
            .contains("同意销号</button>")
    );

    // A supervisor rejects with a defect and a reason, kept on the page; then it is redone
    // and closed.
    let jiwei = w.app.api_token("jiwei1", PASSWORD).await;
    let (status, body) = w
        .app
        .api_post(
            &verify,
            Some(&jiwei),
            json!({ "version": v, "close": false, "progress": 40, "reason": "只有文件" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(detail_fields(&body), ["defect"]);
    // A rejection records the share done the verifier found: without it (the decision wants
    // it: 422), or at 100 (out of its range: 400), it is refused — in the API and on the page
    // alike.
    for (progress, expected) in [
        (json!(null), StatusCode::UNPROCESSABLE_ENTITY),
        (json!(100), StatusCode::BAD_REQUEST),
    ] {
        let (status, body) = w
            .app
            .api_post(&verify, Some(&jiwei), json!({ "version": v, "close": false, "defect": "纸面整改", "progress": progress, "reason": "只有文件，未见落实" }))
            .await;
        assert_eq!(status, expected, "{body}");
        assert_eq!(detail_fields(&body), ["progress"]);
    }
    let resp = office
        .post_form_with_token(
            &format!("{task_path}/verify"),
            Some(&office_csrf),
            &[
                ("version", &v.to_string()),
                ("decision", "reject"),
                ("defect", "on_paper"),
                ("progress", ""),
                ("reason", "只有文件"),
            ],
        )
        .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    assert!(resp.body.contains("核定的实际完成进度"), "{}", resp.body);
    let (status, body) = w
        .app
        .api_post(&verify, Some(&jiwei), json!({ "version": v, "close": false, "defect": "纸面整改", "progress": 40, "reason": "只有文件，未见落实" }))
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "in_progress");
    assert_eq!(body["progress"], 40, "back to what the verifier found");
    let page = office.get(&task_path).await;
    assert!(page.body.contains("纸面整改") && page.body.contains("只有文件，未见落实"));
    assert!(page.body.contains("40%"));
    let v = task_version(&w, &staff, &task).await;
    let (status, _) = w
        .app
        .api_post(
            &format!("/api/v1/tasks/{task}/progress"),
            Some(&staff),
            json!({ "version": v, "text": "已落实", "progress": 100, "claims_done": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let v = task_version(&w, &staff, &task).await;
    let resp = office
        .post_form_with_token(
            &format!("{task_path}/verify"),
            Some(&office_csrf),
            &[
                ("version", &v.to_string()),
                ("decision", "close"),
                ("defect", ""),
                ("reason", "整改到位"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let (_, t) = w
        .app
        .api_get(&format!("/api/v1/tasks/{task}"), &staff)
        .await;
    assert_eq!(t["entry"]["task"]["status"], "closed");
    assert_eq!(t["verifications"].as_array().unwrap().len(), 2);
    // Due 2020-06-30 and closed on 2020-06-01 (this world's day): closed in time, green, with
    // its closing day kept; nothing is listed as closed late (逾期完成).
    assert_eq!(t["entry"]["colour"], "green");
    assert_eq!(t["entry"]["task"]["closed_on"], "2020-06-01");
    let (status, late) = w
        .app
        .api_get("/api/v1/tasks?colour=closed_late", &staff)
        .await;
    assert_eq!(status, StatusCode::OK, "{late}");
    assert!(late["items"].as_array().unwrap().is_empty(), "{late}");
    let page = office.get("/rectification/tasks?colour=closed_late").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains(&task));
    assert!(
        office
            .get("/rectification/tasks?colour=green")
            .await
            .body
            .contains(&task)
    );
}

#[tokio::test]
async fn stale_updates_are_refused_through_the_api_and_the_page() {
    let w = world().await;
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let (_, plan) = w
        .app
        .api_post(
            "/api/v1/rectification-plans",
            Some(&liaison),
            json!({ "inspection_id": w.insp.to_string(), "unit_id": w.unit.to_string() }),
        )
        .await;
    let plan = plan["id"].as_str().unwrap().to_owned();
    let (status, t) = w
        .app
        .api_post(
            &format!("/api/v1/rectification-plans/{plan}/tasks"),
            Some(&liaison),
            task_json(w.problems[0], "原措施", "by", Some("2020-06-30")),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{t}");
    let task = t["id"].as_str().unwrap().to_owned();
    let mut update = task_json(w.problems[0], "新措施", "by", Some("2020-06-30"));
    update["version"] = json!(1);
    let (status, body) = w
        .app
        .api_put(&format!("/api/v1/tasks/{task}"), &liaison, update.clone())
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = w
        .app
        .api_put(&format!("/api/v1/tasks/{task}"), &liaison, update)
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_api_error(&body, "stale_version");

    // The page's form, sent with the version it was opened at.
    let mut b = w.app.login_form("xcb_head", PASSWORD).await;
    let edit = format!("/rectification/tasks/{task}/edit");
    let page = b.get(&edit).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let csrf = b.csrf_token(&edit).await;
    let p = w.problems[0].to_string();
    let mut fields = task_fields(&p, "页面修改", "by", "2020-06-30");
    fields.push(("version", "1"));
    let resp = b.post_form_with_token(&edit, Some(&csrf), &fields).await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.body);
    assert!(resp.body.contains("已被他人修改"), "{}", resp.body);
    let (_, t) = w
        .app
        .api_get(&format!("/api/v1/tasks/{task}"), &liaison)
        .await;
    assert_eq!(t["entry"]["task"]["measure"], "新措施");
    // A plan's stale version too.
    let (status, body) = w
        .app
        .api_put(
            &format!("/api/v1/rectification-plans/{plan}"),
            &liaison,
            json!({ "version": 7, "organisation": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
}

#[tokio::test]
async fn the_ledger_filters_by_deadline_colour() {
    let w = world().await;
    // Today is 2020-06-01; yellow within 7 days.
    let (_, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-05-31")),
            ("immediate", Some("2020-06-05")),
            ("by", Some("2020-07-31")),
            ("long_term", None),
        ],
    )
    .await;
    let office = w.app.api_token("office1", PASSWORD).await;
    let ids = |body: &Value| -> Vec<String> {
        let mut v: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["task"]["id"].as_str().unwrap().to_owned())
            .collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let (status, red) = w.app.api_get("/api/v1/tasks?colour=red", &office).await;
    assert_eq!(status, StatusCode::OK, "{red}");
    assert_eq!(ids(&red), [tasks[0].clone()]);
    assert_eq!(red["items"][0]["colour"], "red");
    let (_, yellow) = w.app.api_get("/api/v1/tasks?colour=yellow", &office).await;
    assert_eq!(ids(&yellow), [tasks[1].clone()]);
    let (_, green) = w.app.api_get("/api/v1/tasks?colour=green", &office).await;
    assert_eq!(
        ids(&green),
        sorted(vec![tasks[2].clone(), tasks[3].clone()])
    );
    let (_, all) = w
        .app
        .api_get(
            &format!(
                "/api/v1/tasks?unit_id={}&inspection_id={}&status=not_started",
                w.unit, w.insp
            ),
            &office,
        )
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 4);
    let (status, body) = w.app.api_get("/api/v1/tasks?colour=purple", &office).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(detail_fields(&body), ["colour"]);
    // Cursor paging, one at a time, meets every task once.
    let mut seen = Vec::new();
    let mut path = "/api/v1/tasks?limit=1".to_owned();
    loop {
        let (_, page) = w.app.api_get(&path, &office).await;
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/tasks?limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, sorted(tasks.clone()));

    // The page shows the same rows with their tags.
    let mut b = w.app.login_form("office1", PASSWORD).await;
    let page = b.get("/rectification/tasks?colour=red").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("措施0") && !page.body.contains("措施2"),
        "{}",
        page.body
    );
    assert!(page.body.contains("tag red\">逾期"));
    let page = b.get("/rectification/tasks").await;
    assert!(page.body.contains("长期坚持") && page.body.contains("临期"));
}

/// Logs in by hand and returns the session cookie and its CSRF token, for requests the
/// browser helper does not make (multipart uploads).
async fn session(app: &TestApp, username: &str) -> (String, String) {
    let login = app.get("/login").await;
    let login_cookie = login
        .set_cookie("xunshi_login_csrf")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let token = input_value(&login.body, "_csrf").unwrap();
    let body = serde_urlencoded::to_string([
        ("username", username),
        ("password", PASSWORD),
        ("_csrf", token.as_str()),
    ])
    .unwrap();
    let resp = app
        .send(
            Request::post("/login")
                .header(header::COOKIE, &login_cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    let cookie = resp
        .set_cookie("xunshi_session")
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let page = app
        .send(
            Request::get("/rectification")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    (cookie, input_value(&page.body, "_csrf").unwrap())
}

fn multipart(filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "xunshi-test-boundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[tokio::test]
async fn evidence_is_uploaded_on_the_page_and_in_the_api_and_never_replaced() {
    let w = world().await;
    let due = ("by", Some("2020-06-30"));
    let (_, tasks) = approved_plan(&w, &[due, due, due]).await;
    let task = &tasks[0];
    let (cookie, csrf) = session(&w.app, "xcb_office").await;
    let page = w
        .app
        .send(
            Request::get(format!("/rectification/tasks/{task}"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        page.body.contains(&format!(
            "<form method=\"post\" action=\"/rectification/tasks/{task}/evidence\" enctype=\"multipart/form-data\""
        )),
        "the upload form: {}",
        page.body
    );
    assert_eq!(
        crate::helpers::actions_with_secrets(&page.body),
        Vec::<String>::new(),
        "no token in a form's address"
    );
    let pdf = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF".to_vec();
    // No idempotency key: each upload below is a new one.
    let upload = |csrf: Option<&str>, name: &str, bytes: &[u8]| {
        let fields: Vec<(&str, &str)> = match csrf {
            Some(t) => vec![("_csrf", t)],
            None => vec![("note", "无令牌")],
        };
        let (ct, body) = crate::helpers::multipart_form(&fields, name, bytes);
        Request::post(format!("/rectification/tasks/{task}/evidence"))
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    // The token in the query is not read any more: the forms never put it there.
    let (ct, body) = crate::helpers::multipart_form(&[], "纪要.pdf", &pdf);
    let resp = w
        .app
        .send(
            Request::post(format!("/rectification/tasks/{task}/evidence?_csrf={csrf}"))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "a token in the address");
    // A token that comes after the file is not waited for: the file is not read unchecked.
    let (ct, mut body) = crate::helpers::multipart_form(&[], "纪要.pdf", &pdf);
    body.truncate(body.len() - "--\r\n".len());
    body.extend_from_slice(
        format!("\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n------xunshi-test-boundary--\r\n").as_bytes(),
    );
    let resp = w
        .app
        .send(
            Request::post(format!("/rectification/tasks/{task}/evidence"))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, ct)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "a token after the file");
    let resp = w.app.send(upload(Some("wrong"), "纪要.pdf", &pdf)).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "a wrong token");
    let resp = w.app.send(upload(None, "纪要.pdf", &pdf)).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "no token, no upload");
    let resp = w.app.send(upload(Some(&csrf), "会议纪要.pdf", &pdf)).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let resp = w
        .app
        .send(upload(Some(&csrf), "tool.pdf", b"MZ\x90\x00"))
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.body.contains("内容与扩展名不符"), "{}", resp.body);

    let staff = w.app.api_token("xcb_office", PASSWORD).await;
    let (_, t) = w
        .app
        .api_get(&format!("/api/v1/tasks/{task}"), &staff)
        .await;
    let files = t["evidence"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["sha256"], sha256_hex(&pdf));
    assert_eq!(files[0]["filename"], "会议纪要.pdf");
    let page = w
        .app
        .send(
            Request::get(format!("/rectification/tasks/{task}"))
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        page.body.contains(&sha256_hex(&pdf)),
        "the page lists the hash"
    );

    // The API: the same content again is refused; another file is taken.
    let api_upload = |token: &str, name: &str, bytes: &[u8]| {
        let (ct, body) = multipart(name, bytes);
        Request::post(format!("/api/v1/tasks/{task}/evidence"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, ct)
            .body(Body::from(body))
            .unwrap()
    };
    let resp = w.app.send(api_upload(&staff, "副本.pdf", &pdf)).await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.body);
    let office = w.app.api_token("office1", PASSWORD).await;
    let resp = w
        .app
        .send(api_upload(&office, "x.txt", "说明".as_bytes()))
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    let resp = w
        .app
        .send(api_upload(&staff, "说明.txt", "整改说明".as_bytes()))
        .await;
    assert_eq!(resp.status, StatusCode::CREATED, "{}", resp.body);
    let e: Value = serde_json::from_str(&resp.body).unwrap();
    let id = e["id"].as_str().unwrap();

    // Withdrawn with a reason, it stays listed; downloads give the bytes back with the name.
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/task-evidence/{id}/withdraw"),
            Some(&staff),
            json!({ "reason": "传错了" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, t) = w
        .app
        .api_get(&format!("/api/v1/tasks/{task}"), &staff)
        .await;
    assert_eq!(t["evidence"].as_array().unwrap().len(), 2);
    assert_eq!(t["evidence"][1]["withdrawn_reason"], "传错了");
    let resp = w
        .app
        .send(
            Request::get(format!("/api/v1/task-evidence/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {office}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.body, "整改说明");
    let disposition = resp
        .headers
        .get(header::CONTENT_DISPOSITION)
        .unwrap()
        .to_str()
        .unwrap();
    assert!(
        disposition.contains("filename*=UTF-8''%E8%AF%B4%E6%98%8E.txt"),
        "{disposition}"
    );
}

/// The to-do of `username` through the API: the kinds with their totals, and the items, but
/// the unit's reports to submit: their clock runs through this whole case, checked on its own.
async fn todo_of(w: &World, username: &str) -> (Vec<(String, i64)>, Vec<Value>) {
    let (counts, items) = todo_all(w, username).await;
    (
        counts
            .into_iter()
            .filter(|(k, _)| k != "report_submit")
            .collect(),
        items
            .into_iter()
            .filter(|i| i["kind"] != "report_submit")
            .collect(),
    )
}

async fn todo_all(w: &World, username: &str) -> (Vec<(String, i64)>, Vec<Value>) {
    let token = w.app.api_token(username, PASSWORD).await;
    let (status, body) = w.app.api_get("/api/v1/todo", &token).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let counts = body["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_owned(),
                c["total"].as_i64().unwrap(),
            )
        })
        .collect();
    (counts, body["items"].as_array().unwrap().clone())
}

#[tokio::test]
async fn the_home_page_lists_what_waits_for_each_role_until_it_is_done() {
    let w = world().await;
    // Today is 2020-06-01: the first task is due within the warning period.
    let (_, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-06-05")),
            ("by", Some("2020-12-31")),
            ("long_term", None),
        ],
    )
    .await;
    for who in [
        "office1",
        "jiwei1",
        "jiwei_xcb",
        "xcb_head",
        "xcb_liaison",
        "xcb_office",
    ] {
        assert_eq!(todo_of(&w, who).await.0, vec![], "{who}: nothing waits");
    }
    // But the unit's two reports, due on 2020-05-25 and not yet with the office, wait for
    // whoever submits them: the principal and the liaison, not the unit's staff.
    for who in ["xcb_head", "xcb_liaison"] {
        let (counts, items) = todo_all(&w, who).await;
        assert_eq!(counts, vec![("report_submit".to_owned(), 1)], "{who}");
        assert_eq!(items[0]["link"], "/rectification/reports");
        assert_eq!(items[0]["due_date"], "2020-05-25");
        assert_eq!(items[0]["colour"], "red");
    }
    assert_eq!(todo_all(&w, "xcb_office").await.0, vec![]);
    let mut head = w.app.login_form("xcb_head", PASSWORD).await;
    let home = head.get("/").await;
    assert!(home.body.contains("待报送整改情况报告"), "{}", home.body);
    assert!(
        home.body.contains("href=\"/rectification/reports\""),
        "{}",
        home.body
    );
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let task = &tasks[0];
    let v = task_version(&w, &liaison, task).await;
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/tasks/{task}/progress"),
            Some(&liaison),
            json!({ "version": v, "text": "制度已印发", "progress": 100, "claims_done": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // The claim waits for the office and the discipline commission, never for the unit nor
    // for the commission's officer who belongs to the unit.
    for who in ["office1", "jiwei1"] {
        let (counts, items) = todo_of(&w, who).await;
        assert_eq!(counts, vec![("task_verify".to_owned(), 1)], "{who}");
        assert_eq!(items[0]["link"], format!("/rectification/tasks/{task}"));
        assert_eq!(items[0]["due_date"], "2020-06-05");
        assert_eq!(items[0]["colour"], "yellow");
        assert_eq!(items[0]["unit_name"], "自治区党委宣传部");
    }
    for who in ["jiwei_xcb", "xcb_head", "xcb_liaison", "xcb_office"] {
        assert_eq!(todo_of(&w, who).await.0, vec![], "{who}");
    }
    let mut office = w.app.login_form("office1", PASSWORD).await;
    let home = office.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("待核查销号"), "{}", home.body);
    assert!(
        home.body
            .contains(&format!("href=\"/rectification/tasks/{task}\"")),
        "{}",
        home.body
    );
    assert!(
        home.body.contains("<span class=\"tag yellow\">临期</span>"),
        "{}",
        home.body
    );
    assert!(
        home.body
            .contains("<span class=\"nav-count\" title=\"待办事项\">1</span>"),
        "{}",
        home.body
    );
    let mut own = w.app.login_form("jiwei_xcb", PASSWORD).await;
    let home = own.get("/").await;
    assert!(
        home.body.contains("目前没有等待您办理的事项"),
        "{}",
        home.body
    );
    assert!(!home.body.contains("nav-count"), "{}", home.body);

    // Verified, the task leaves every list.
    let office_token = w.app.api_token("office1", PASSWORD).await;
    let v = task_version(&w, &office_token, task).await;
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/tasks/{task}/verify"),
            Some(&office_token),
            json!({ "version": v, "close": true, "reason": "同意销号" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for who in ["office1", "jiwei1"] {
        assert_eq!(todo_of(&w, who).await.0, vec![], "{who}");
    }
    let home = office.get("/").await;
    assert!(
        home.body.contains("目前没有等待您办理的事项"),
        "{}",
        home.body
    );

    // A follow-up notice waits for the unit's principal and liaison to answer.
    let (status, notice) = w
        .app
        .api_post(
            "/api/v1/followups",
            Some(&office_token),
            json!({
                "inspection_id": w.insp.to_string(),
                "unit_id": w.unit.to_string(),
                "kind": "reminder",
                "doc_no": "巡整督〔2020〕1号",
                "content": "请加快整改进度。",
                "answer_due": "2020-06-03",
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{notice}");
    for who in ["xcb_head", "xcb_liaison"] {
        let (counts, items) = todo_of(&w, who).await;
        assert_eq!(counts, vec![("followup_answer".to_owned(), 1)], "{who}");
        assert_eq!(items[0]["title"], "督办通知 巡整督〔2020〕1号");
        assert_eq!(
            items[0]["link"],
            format!("/supervision/followups/{}", notice["id"].as_str().unwrap())
        );
    }
    for who in ["xcb_office", "office1", "jiwei1"] {
        assert_eq!(todo_of(&w, who).await.0, vec![], "{who}");
    }
    let mut head = w.app.login_form("xcb_head", PASSWORD).await;
    let home = head.get("/").await;
    assert!(home.body.contains("待答复督办通知"), "{}", home.body);
    let (status, body) = w
        .app
        .api_post(
            &format!(
                "/api/v1/followups/{}/answer",
                notice["id"].as_str().unwrap()
            ),
            Some(&liaison),
            json!({ "version": notice["version"], "answer": "已专题研究部署。" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(todo_of(&w, "xcb_head").await.0, vec![]);
}

#[tokio::test]
async fn the_ledger_sorts_by_its_columns_and_pages_with_a_total() {
    let w = world().await;
    let (_, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-07-31")),
            ("long_term", None),
            ("by", Some("2020-05-31")),
            ("immediate", Some("2020-06-05")),
        ],
    )
    .await;
    let office = w.app.api_token("office1", PASSWORD).await;
    let ids = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["task"]["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // By deadline, the long-term task last; one a page, every page continues where the
    // cursor says, and the total is the whole ledger's.
    let by_due = vec![
        tasks[2].clone(),
        tasks[3].clone(),
        tasks[0].clone(),
        tasks[1].clone(),
    ];
    let mut seen = Vec::new();
    let mut path = "/api/v1/tasks?sort=due&limit=1".to_owned();
    loop {
        let (status, page) = w.app.api_get(&path, &office).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 4);
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/tasks?sort=due&limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, by_due);
    // Descending, three a page: the second page holds the earliest; back from it is the first.
    let (_, first) = w
        .app
        .api_get("/api/v1/tasks?sort=-due&limit=3", &office)
        .await;
    let mut rev = by_due.clone();
    rev.reverse();
    assert_eq!(ids(&first), rev[..3]);
    assert!(first["prev_cursor"].is_null());
    let c = first["next_cursor"].as_str().unwrap();
    let (_, second) = w
        .app
        .api_get(
            &format!("/api/v1/tasks?sort=-due&limit=3&cursor={c}"),
            &office,
        )
        .await;
    assert_eq!(ids(&second), rev[3..]);
    assert!(second["next_cursor"].is_null());
    let p = second["prev_cursor"].as_str().unwrap();
    let (_, back) = w
        .app
        .api_get(
            &format!("/api/v1/tasks?sort=-due&limit=3&cursor={p}"),
            &office,
        )
        .await;
    assert_eq!(ids(&back), rev[..3]);
    assert!(back["prev_cursor"].is_null());
    // A cursor of one order is refused under another, and an unknown order is named.
    let (status, body) = w
        .app
        .api_get(&format!("/api/v1/tasks?sort=progress&cursor={c}"), &office)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(detail_fields(&body), ["cursor"]);
    let (status, body) = w.app.api_get("/api/v1/tasks?sort=name", &office).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(detail_fields(&body), ["sort"]);

    // The page: the headings are links that sort, the total and the page count are shown, and
    // the page links carry the order and the page size.
    let mut b = w.app.login_form("office1", PASSWORD).await;
    let page = b.get("/rectification/tasks?sort=due&limit=20").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 4 项，第 1 / 1 页"), "{}", page.body);
    let due_heading = link_with(&page.body, "按整改时限排序").unwrap();
    assert!(due_heading.contains("sort=-due"), "{due_heading}");
    assert!(page.body.contains("升序"));
    let order = |body: &str| -> Vec<usize> {
        let mut at: Vec<(usize, usize)> = (0..4)
            .map(|n| (body.find(&format!(">措施{n}<")).unwrap(), n))
            .collect();
        at.sort();
        at.into_iter().map(|(_, n)| n).collect()
    };
    assert_eq!(order(&page.body), [2, 3, 0, 1]);
    let page = b.get(&due_heading).await;
    assert_eq!(order(&page.body), [1, 0, 3, 2]);
    assert!(page.body.contains("降序"));
    // Filtering again keeps the order and the page size.
    assert_eq!(input_value(&page.body, "sort").as_deref(), Some("-due"));
    assert_eq!(input_value(&page.body, "limit").as_deref(), Some("20"));

    let page = b.get("/rectification/tasks?sort=due&limit=3").await;
    assert!(page.body.contains("共 4 项，第 1 / 2 页"), "{}", page.body);
    assert!(!page.body.contains("上一页"));
    let next = link_with(&page.body, "rel=\"next\"").unwrap();
    assert!(
        next.contains("sort=due") && next.contains("limit=3"),
        "{next}"
    );
    let last = link_with(&page.body, "末页").unwrap();
    let second = b.get(&next).await;
    assert_eq!(second.status, StatusCode::OK);
    assert!(second.body.contains("第 2 / 2 页"), "{}", second.body);
    assert!(second.body.contains(">措施1<") && !second.body.contains(">措施2<"));
    assert!(!second.body.contains("rel=\"next\""));
    let prev = link_with(&second.body, "rel=\"prev\"").unwrap();
    let again = b.get(&prev).await;
    assert!(again.body.contains("第 1 / 2 页"), "{}", again.body);
    assert_eq!(order_of_three(&again.body), [2, 3, 0]);
    let last = b.get(&last).await;
    assert!(last.body.contains("第 2 / 2 页") && last.body.contains(">措施1<"));
    // Page sizes are offered; a size beyond the cap is refused on the page with the message.
    assert!(page.body.contains("limit=50") && page.body.contains("limit=100"));
    let refused = b.get("/rectification/tasks?limit=501").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("每页条数应在 1 到 500 之间"));
    let refused = b.get("/rectification/tasks?sort=name").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("不是可用的排序"));
}

#[tokio::test]
async fn the_ledger_finds_tasks_by_text_on_the_page_the_api_and_the_workbook() {
    let w = world().await;
    let (_, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-07-31")),
            ("long_term", None),
            ("by", Some("2020-05-31")),
        ],
    )
    .await;
    let office = w.app.api_token("office1", PASSWORD).await;
    // 措施2, typed as the form sends it.
    let (status, page) = w
        .app
        .api_get("/api/v1/tasks?q=%E6%8E%AA%E6%96%BD2&sort=due", &office)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 1);
    assert_eq!(page["items"][0]["task"]["id"], tasks[2].as_str());
    // 李明, the responsible leader of every task; blank is no filter at all.
    for q in ["%E6%9D%8E%E6%98%8E", "+", ""] {
        let (_, page) = w
            .app
            .api_get(&format!("/api/v1/tasks?q={q}"), &office)
            .await;
        assert_eq!(page["total"], 3, "{q}");
    }
    let (_, none) = w.app.api_get("/api/v1/tasks?q=%25", &office).await;
    assert_eq!(none["total"], 0, "a % is a character, not a wildcard");
    let long = "a".repeat(101);
    let (status, body) = w
        .app
        .api_get(&format!("/api/v1/tasks?q={long}"), &office)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(detail_fields(&body), ["q"]);

    // The page keeps the text in its box and in the links of the workbook, the print view and
    // the other pages.
    let mut b = w.app.login_form("office1", PASSWORD).await;
    let page = b.get("/rectification/tasks?q=%E6%8E%AA%E6%96%BD2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(input_value(&page.body, "q").as_deref(), Some("措施2"));
    assert!(page.body.contains("共 1 项"), "{}", page.body);
    assert!(page.body.contains(">措施2<") && !page.body.contains(">措施0<"));
    let export = link_with(&page.body, "导出Excel").unwrap();
    assert!(export.contains("q=%E6%8E%AA%E6%96%BD2"), "{export}");
    let print = b.get(&link_with(&page.body, ">打印<").unwrap()).await;
    assert_eq!(print.status, StatusCode::OK);
    assert!(print.body.contains("措施2") && !print.body.contains("措施0"));
    let refused = b.get(&format!("/rectification/tasks?q={long}")).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(
        refused.body.contains("检索内容不能超过100个字"),
        "{}",
        refused.body
    );
}

/// The order of the measures 0–3 present on a page.
fn order_of_three(body: &str) -> Vec<usize> {
    let mut at: Vec<(usize, usize)> = (0..4)
        .filter_map(|n| body.find(&format!(">措施{n}<")).map(|i| (i, n)))
        .collect();
    at.sort();
    at.into_iter().map(|(_, n)| n).collect()
}

/// The values of the ledger's ticking boxes on a page.
fn ticks(html: &str) -> Vec<String> {
    html.split("name=\"tasks\" value=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

async fn claim(w: &World, token: &str, task: &str) -> i64 {
    let v = task_version(w, token, task).await;
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/tasks/{task}/progress"),
            Some(token),
            json!({ "version": v, "text": "已整改到位", "progress": 100, "claims_done": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body["version"].as_i64().unwrap()
}

#[tokio::test]
async fn a_supervisor_closes_ticked_tasks_at_once_and_a_stale_one_is_reported() {
    let w = world().await;
    let (_, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-05-31")),
            ("by", Some("2020-07-31")),
            ("by", Some("2020-08-31")),
        ],
    )
    .await;
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    claim(&w, &liaison, &tasks[1]).await;
    claim(&w, &liaison, &tasks[2]).await;
    // The unit ticks nothing: it has no boxes, and a batch it sends anyway is refused whole.
    let mut unit = w.app.login_form("xcb_liaison", PASSWORD).await;
    let page = unit.get("/rectification/tasks").await;
    assert!(ticks(&page.body).is_empty());
    let v1 = task_version(&w, &liaison, &tasks[1]).await;
    let pick = format!("{}:{v1}", tasks[1]);
    let refused = unit
        .post_form(
            "/rectification/tasks/batch",
            &[
                ("tasks", &pick),
                ("reason", "自己销号"),
                ("action", "verify"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    assert_eq!(task_version(&w, &liaison, &tasks[1]).await, v1);

    // The office sees boxes on the claimed rows and on the overdue one.
    let mut office = w.app.login_form("office1", PASSWORD).await;
    let page = office.get("/rectification/tasks").await;
    let picked = ticks(&page.body);
    assert_eq!(picked.len(), 3, "{}", page.body);
    let claimed: Vec<String> = picked
        .iter()
        .filter(|p| !p.starts_with(&tasks[0]))
        .cloned()
        .collect();
    // Meanwhile the discipline commission sends one back, and the unit claims it again: the
    // version the office saw is stale.
    let jiwei = w.app.api_token("jiwei1", PASSWORD).await;
    let v2 = task_version(&w, &jiwei, &tasks[2]).await;
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/tasks/{}/verify", tasks[2]),
            Some(&jiwei),
            json!({ "version": v2, "close": false, "defect": "superficial", "progress": 60, "reason": "只有文件" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    claim(&w, &liaison, &tasks[2]).await;
    let mut fields: Vec<(&str, &str)> = claimed.iter().map(|p| ("tasks", p.as_str())).collect();
    fields.extend([("reason", "经核查，整改到位"), ("action", "verify")]);
    let done = office
        .post_form("/rectification/tasks/batch", &fields)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("已销号 1 项，未能销号 1 项"),
        "{}",
        done.body
    );
    assert!(done.body.contains("已被他人修改"), "{}", done.body);
    let (_, t1) = w
        .app
        .api_get(&format!("/api/v1/tasks/{}", tasks[1]), &jiwei)
        .await;
    assert_eq!(t1["entry"]["task"]["status"], "closed");
    assert_eq!(t1["verifications"][0]["reason"], "经核查，整改到位");
    let (_, t2) = w
        .app
        .api_get(&format!("/api/v1/tasks/{}", tasks[2]), &jiwei)
        .await;
    assert_eq!(t2["entry"]["task"]["status"], "claimed");
    // Each closing is its own audit record.
    w.app
        .add_user("sysadmin", "系统管理员", "admin", None)
        .await;
    let admin = w.app.api_token("sysadmin", PASSWORD).await;
    let (_, audit) = w
        .app
        .api_get(&format!("/api/v1/audit?object_id={}", tasks[1]), &admin)
        .await;
    assert!(
        audit["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["action"] == "task_closed"),
        "{audit}"
    );

    // The API: the same check, each task answered.
    let v2 = task_version(&w, &jiwei, &tasks[2]).await;
    let (status, body) = w
        .app
        .api_post(
            "/api/v1/tasks/batch-verify",
            Some(&jiwei),
            json!({ "tasks": [
                { "id": tasks[2], "version": v2 },
                { "id": tasks[0], "version": 1 },
            ], "reason": "核查属实" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["items"][0]["done"], true);
    assert_eq!(body["items"][1]["done"], false);
    assert!(body["items"][1]["error"]["code"].is_string(), "{body}");
    let (status, body) = w
        .app
        .api_post(
            "/api/v1/tasks/batch-verify",
            Some(&jiwei),
            json!({ "tasks": [], "reason": "核查属实" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

#[tokio::test]
async fn overdue_tasks_ticked_are_reminded_with_one_notice_per_unit() {
    let w = world().await;
    let (_, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-05-20")),
            ("by", Some("2020-05-31")),
            ("by", Some("2020-08-31")),
        ],
    )
    .await;
    let mut office = w.app.login_form("office1", PASSWORD).await;
    let page = office.get("/rectification/tasks?colour=red").await;
    let picked = ticks(&page.body);
    assert_eq!(picked.len(), 2, "{}", page.body);
    let not_due = format!("{}:1", tasks[2]);
    let mut fields: Vec<(&str, &str)> = picked.iter().map(|p| ("tasks", p.as_str())).collect();
    fields.extend([("tasks", not_due.as_str()), ("action", "remind")]);
    let done = office
        .post_form("/rectification/tasks/batch", &fields)
        .await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(
        done.body.contains("已催办 2 项，未能催办 1 项"),
        "{}",
        done.body
    );
    assert!(done.body.contains("该任务未逾期"));
    assert!(done.body.contains("已下发催办提醒 1 份"));
    // One reminder to the unit, naming both overdue tasks and not the other.
    let office_token = w.app.api_token("office1", PASSWORD).await;
    let (_, list) = w
        .app
        .api_get(
            &format!("/api/v1/followups?unit_id={}", w.unit),
            &office_token,
        )
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    let n = &items[0];
    let n = if n.get("notice").is_some() {
        &n["notice"]
    } else {
        n
    };
    assert_eq!(n["kind"], "reminder", "{n}");
    let content = n["content"].as_str().unwrap();
    assert!(
        content.contains("措施0") && content.contains("措施1") && !content.contains("措施2"),
        "{content}"
    );
    // Who may not issue notices is refused whole, and nothing is issued.
    let mut unit = w.app.login_form("xcb_liaison", PASSWORD).await;
    let refused = unit
        .post_form(
            "/rectification/tasks/batch",
            &[("tasks", picked[0].as_str()), ("action", "remind")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let (status, _) = w
        .app
        .api_post(
            "/api/v1/tasks/batch-remind",
            Some(&liaison),
            json!({ "task_ids": [tasks[0]] }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, list) = w
        .app
        .api_get(
            &format!("/api/v1/followups?unit_id={}", w.unit),
            &office_token,
        )
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}
