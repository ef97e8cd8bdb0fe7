//! Reports and disclosure over HTTP: the public notice pages answer without a session or a
//! token and show only what the office approved, never a task withheld from the public (page,
//! API and .docx alike); the unit drafts, edits and submits on the pages; the office approves;
//! the ledger downloads as a workbook under the ledger's filters.

use std::io::Cursor;

use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::{Value, json};
use xunshi_core::Id;
use xunshi_core::feedback::FeedbackInput;
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::org::UnitInput;
use xunshi_core::paper::ProblemInput;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Due, GroupMember, Plan, PlanStatus, ProgressReport, Task, TaskStatus};
use xunshi_core::report::{ReportInput, ReportVersionInput, StepInput};
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::service::{
    PaperDecision, PlanInput, RoundInput, Services, StageChange, TermInput,
};
use xunshi_core::store::{RectifyWrite, Store, WriteTx};
use xunshi_core::user::NewUserInput;
use xunshi_store::Db;

use crate::helpers::{
    PASSWORD, TestApp, assert_api_error, document_xml, raw, session_cookie as session,
};

const POLITICAL: &str = "00000000-0000-7000-8001-000000201701";
const INTEGRITY: &str = "00000000-0000-7000-8001-000000201706";
const FIRST: &str = "落实党管宣传思想文化职责存在薄弱点";
const SECOND: &str = "对个别直属单位资金项目监管不够严格";
const SECRET: &str = "对涉密事项开展专项核查";
const OPEN: &str = "修订部务会议事规则";
const OPENING: &str = "根据自治区党委统一部署，2019年9月18日至12月18日，自治区党委第三巡视组对自治区党委宣传部进行了巡视，2020年3月25日反馈了巡视意见。按照党务公开原则和巡视工作有关要求，现将巡视整改进展情况予以公布。";

/// The article's inspection, fed back, with a small ledger: one open task, one withheld.
struct World {
    app: TestApp,
    insp: Id,
    unit: Id,
    plan: Id,
}

async fn unit(s: &Services<Db>, name: &str, parent: Option<Id>) -> Id {
    s.create_unit(
        &Actor::system(),
        &UnitInput {
            name: name.into(),
            kind: "department".into(),
            level: "provincial".into(),
            parent_id: parent.map(|p| p.to_string()),
        },
    )
    .await
    .expect("unit")
    .id
}

/// A team role is granted when the team is formed (the teams area); the services only read it
/// from the actor, so the actor is built with it.
async fn team_actor(app: &TestApp, username: &str, role: Role, insp: Id) -> Actor {
    let (user, _) = app
        .services
        .create_user(
            &Actor::system(),
            &NewUserInput {
                username: username.into(),
                display_name: "于洁".into(),
                unit: None,
                password: PASSWORD.into(),
                must_change_password: false,
            },
            None,
        )
        .await
        .expect("a user");
    let g = Grant {
        id: Id::new(),
        user_id: user.id,
        role,
        scope: Scope::Inspection(insp),
        granted_by: None,
        created_at: jiff::Timestamp::now(),
    };
    Actor::user(user, vec![g], None)
}

async fn stage(s: &Services<Db>, insp: Id, to: Stage, date: Option<&str>) {
    let current = s.get_inspection(&Actor::system(), insp).await.unwrap().0;
    s.change_stage(
        &Actor::system(),
        insp,
        &StageChange {
            version: current.version,
            to,
            date: date.map(str::to_owned),
        },
    )
    .await
    .unwrap_or_else(|e| panic!("stage {to:?}: {e}"));
}

async fn world() -> World {
    world_with(|_| {}).await
}

/// The world, with the services adjusted first (a small export cap).
async fn world_with(adjust: impl FnOnce(&mut Services<Db>)) -> World {
    let app = TestApp::spawn_with(adjust).await;
    let s = &app.services;
    let sys = Actor::system();
    let committee = unit(s, "自治区党委", None).await;
    let unit_id = unit(s, "自治区党委宣传部", Some(committee)).await;
    unit(s, "自治区党委组织部", Some(committee)).await;
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
        .unwrap()
        .id;
    stage(s, insp, Stage::Preparation, None).await;
    stage(s, insp, Stage::OnSite, Some("2019-09-18")).await;
    let lead = team_actor(&app, "yujie", Role::TeamLeader, insp).await;
    let mut problems = Vec::new();
    for (category, title) in [(POLITICAL, FIRST), (INTEGRITY, SECOND)] {
        let p = s
            .create_problem(
                &lead,
                insp,
                &ProblemInput {
                    category_id: category.into(),
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
        let decide = |version| PaperDecision {
            version,
            comment: String::new(),
        };
        let p = s
            .approve_problem(&lead, p.id, &decide(p.version))
            .await
            .unwrap();
        problems.push(
            s.sign_problem(&lead, p.id, &decide(p.version))
                .await
                .unwrap(),
        );
    }
    stage(s, insp, Stage::Reporting, Some("2019-12-18")).await;
    let office = app.add_user("office1", "巡视办", "office", None).await;
    let office = Actor::user(
        office.clone(),
        s.get_user(&sys, office.id).await.unwrap().1,
        None,
    );
    let r = s
        .create_report(
            &lead,
            insp,
            &ReportInput {
                kind: "main".into(),
                title: "巡视报告".into(),
            },
        )
        .await
        .unwrap();
    s.add_report_version(
        &lead,
        r.id,
        &ReportVersionInput {
            version: r.version,
            assessment: "评价。".into(),
            problem_ids: None,
            recommendations: vec!["建议".into()],
            note: String::new(),
        },
    )
    .await
    .unwrap();
    let mut r = s.report_detail(&lead, r.id).await.unwrap().report;
    for (who, decision, date) in [
        (&lead, "submit", None),
        (&lead, "approve", Some("2019-12-20")),
        (&office, "approve", None),
        (&office, "approve", Some("2020-01-06")),
        (&office, "approve", Some("2020-01-16")),
    ] {
        r = s
            .decide_report(
                who,
                r.id,
                &StepInput {
                    version: r.version,
                    decision: decision.into(),
                    comment: String::new(),
                    meeting_date: date.map(str::to_owned),
                },
            )
            .await
            .unwrap();
    }
    let fb = s
        .save_feedback(
            &lead,
            insp,
            &FeedbackInput {
                version: 0,
                assessment: "评价。".into(),
                problem_ids: None,
                recommendations: vec!["建议".into()],
                demands: "扎实整改。".into(),
                deadline: Some("2020-05-25".into()),
                meeting_date: Some("2020-03-25".into()),
                delivered_by: "于洁".into(),
                delivered_to: "范晓莉".into(),
                presided_by: "范晓莉".into(),
            },
        )
        .await
        .unwrap();
    s.give_feedback(&lead, insp, fb.version).await.unwrap();

    // The ledger is the ledger's to make; here it is only read, so it is stored directly.
    let plan = Plan {
        id: Id::new(),
        inspection_id: insp,
        unit_id,
        title: "整改方案".into(),
        organisation: "召开部务会专题研究部署整改工作。".into(),
        leading_group: vec![GroupMember {
            name: "范晓莉".into(),
            post: "部长".into(),
            role: "组长".into(),
        }],
        status: PlanStatus::Approved,
        submitted_at: None,
        approved_at: None,
        version: 1,
    };
    let task = |problem: Id, seq: &str, measure: &str, secret: bool, due: Due| Task {
        id: Id::new(),
        plan_id: plan.id,
        inspection_id: insp,
        unit_id,
        problem_id: problem,
        seq: seq.into(),
        measure: measure.into(),
        target: "整改到位".into(),
        standard: "制度印发".into(),
        responsible_leader: "范晓莉".into(),
        lead_department: "办公室".into(),
        co_departments: "机关党委".into(),
        responsible_person: "张三".into(),
        due,
        status: TaskStatus::InProgress,
        progress: 60,
        closed_on: None,
        not_for_disclosure: secret,
        withdrawn_reason: None,
        version: 1,
        updated_at: jiff::Timestamp::now(),
    };
    let open = task(
        problems[0].id,
        "1.1.1",
        OPEN,
        false,
        Due::By {
            date: jiff::civil::date(2020, 6, 30),
        },
    );
    let secret = task(problems[0].id, "1.1.2", SECRET, true, Due::LongTerm);
    let mut tx = s.store.write().await.unwrap();
    tx.insert_rect_plan(&plan).await.unwrap();
    tx.insert_task(&open).await.unwrap();
    tx.insert_task(&secret).await.unwrap();
    tx.insert_progress(&ProgressReport {
        id: Id::new(),
        task_id: open.id,
        text: "已形成修订稿".into(),
        progress: 60,
        claims_done: false,
        by_name: "张三".into(),
        at: jiff::Timestamp::now(),
    })
    .await
    .unwrap();
    // One evidence file on record for the open task, and one withdrawn, which no ledger lists.
    for (name, withdrawn) in [("修订稿.pdf", false), ("作废稿.pdf", true)] {
        let signed = xunshi_core::paper::Signature {
            by: None,
            name: "张三".into(),
            at: jiff::Timestamp::now(),
        };
        tx.insert_task_evidence(&xunshi_core::rectify::TaskEvidence {
            id: Id::new(),
            task_id: open.id,
            filename: name.into(),
            size: 4,
            content_type: "application/pdf".into(),
            kind: xunshi_core::paper::FileKind::Pdf,
            sha256: "0".repeat(64),
            uploaded: signed.clone(),
            withdrawn: withdrawn.then_some(signed),
            withdrawn_reason: withdrawn.then(|| "上传错误".to_owned()),
        })
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    app.add_user(
        "liaison",
        "联络员",
        "unit_liaison",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user(
        "principal",
        "范晓莉",
        "unit_principal",
        Some("自治区党委宣传部"),
    )
    .await;
    app.add_user("zzb", "组织部干部", "unit_staff", Some("自治区党委组织部"))
        .await;
    World {
        app,
        insp,
        unit: unit_id,
        plan: plan.id,
    }
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> (StatusCode, String) {
    let (status, _, body) = raw(
        app,
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    (status, String::from_utf8(body).unwrap())
}

async fn form(
    app: &TestApp,
    (cookie, csrf): &(String, String),
    path: &str,
    fields: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (status, headers, body) = raw(
        app,
        Request::post(path)
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(serde_urlencoded::to_string(&all).unwrap()))
            .unwrap(),
    )
    .await;
    (status, headers, String::from_utf8(body).unwrap())
}

fn version(v: &Value) -> i64 {
    v["version"].as_i64().expect("a version")
}

// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_public_notice_needs_no_log_in_and_shows_only_what_the_office_approved() {
    let w = world().await;
    let app = &w.app;
    let liaison = app.api_token("liaison", PASSWORD).await;
    let (status, n) = app
        .api_post(
            "/api/v1/public-notices",
            Some(&liaison),
            json!({ "inspection_id": w.insp, "unit_id": w.unit }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{n}");
    let id = n["id"].as_str().unwrap().to_owned();
    assert!(n["body"].as_str().unwrap().starts_with(OPENING));
    assert!(!n["body"].as_str().unwrap().contains(SECRET));

    // A draft is nobody's business outside: 404 on the page, the API and the file.
    for path in [
        format!("/public/notices/{id}"),
        format!("/public/notices/{id}.docx"),
    ] {
        assert_eq!(app.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let (status, body) = app
        .api(
            Method::GET,
            &format!("/api/v1/public/notices/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_api_error(&body, "not_found");
    let listed = app.get("/public/notices").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(!listed.body.contains("关于巡视整改进展情况的通报"));

    // The unit fills in the contact details and submits; it cannot approve its own notice.
    let mut edit = n.clone();
    edit["contact"] =
        json!({ "phone": "0771-5551234", "mailbox": "zg@example.gov.cn", "address": "" });
    let (status, n) = app
        .api_put(
            &format!("/api/v1/public-notices/{id}"),
            &liaison,
            edit.clone(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{n}");
    let (status, stale) = app
        .api_put(&format!("/api/v1/public-notices/{id}"), &liaison, edit)
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_api_error(&stale, "stale_version");
    let (status, n) = app
        .api_post(
            &format!("/api/v1/public-notices/{id}/submit"),
            Some(&liaison),
            json!({ "version": version(&n) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{n}");
    let (status, body) = app
        .api_post(
            &format!("/api/v1/public-notices/{id}/approve"),
            Some(&liaison),
            json!({ "version": version(&n) }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_api_error(&body, "forbidden");
    // … nor on the page, where the form is not even offered.
    let principal = session(app, "principal").await;
    let (_, html) = page(app, &principal.0, &format!("/rectification/notices/{id}")).await;
    assert!(!html.contains("同意公开"));
    let (status, _, _) = form(
        app,
        &principal,
        &format!("/rectification/notices/{id}/approve"),
        &[("version", &version(&n).to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // The office approves on its page.
    let office = session(app, "office1").await;
    let (_, html) = page(app, &office.0, &format!("/rectification/notices/{id}")).await;
    assert!(html.contains("同意公开"));
    let (status, headers, _) = form(
        app,
        &office,
        &format!("/rectification/notices/{id}/approve"),
        &[("version", &version(&n).to_string())],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).unwrap(),
        &format!("/rectification/notices/{id}?notice=approved")
    );

    // Now anyone reads it: no cookie, no token; the printable page has no navigation.
    let listed = app.get("/public/notices").await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(
        listed
            .body
            .contains("自治区党委宣传部关于巡视整改进展情况的通报")
    );
    let shown = app.get(&format!("/public/notices/{id}")).await;
    assert_eq!(shown.status, StatusCode::OK);
    assert!(shown.body.contains(OPENING));
    assert!(shown.body.contains(OPEN));
    assert!(shown.body.contains("联系电话：0771-5551234"));
    assert!(!shown.body.contains(SECRET));
    assert!(!shown.body.contains("sidenav") && !shown.body.contains("退出"));
    let (status, body) = app
        .api(
            Method::GET,
            &format!("/api/v1/public/notices/{id}"),
            None,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = body["text"].as_str().unwrap();
    assert!(text.starts_with(OPENING) && !text.contains(SECRET));
    let (status, body) = app
        .api(Method::GET, "/api/v1/public/notices", None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    assert!(body["next_cursor"].is_null());
    let (status, headers, docx) = raw(
        app,
        Request::get(format!("/public/notices/{id}.docx"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        xunshi_office::DOCX_CONTENT_TYPE
    );
    let xml = document_xml(&docx);
    assert!(xml.contains("自治区党委宣传部关于巡视整改进展情况的通报"));
    assert!(xml.contains(OPEN));
    assert!(!xml.contains(SECRET));
    let token = app.api_token("office1", PASSWORD).await;
    let (status, _, docx) = raw(
        app,
        Request::get(format!("/api/v1/public-notices/{id}/document.docx"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(document_xml(&docx).contains("自治区党委宣传部关于巡视整改进展情况的通报"));

    // The office withdraws it on its page, with a reason: it leaves the public page and stays
    // on record, marked withdrawn. Without a reason the form comes back with the message.
    let (_, html) = page(app, &office.0, &format!("/rectification/notices/{id}")).await;
    assert!(html.contains("撤回通报") && !html.contains("重新公开"));
    let office_api = app.api_token("office1", PASSWORD).await;
    let (_, shown) = app
        .api_get(&format!("/api/v1/public-notices/{id}"), &office_api)
        .await;
    let current = version(&shown);
    let (status, _, html) = form(
        app,
        &office,
        &format!("/rectification/notices/{id}/withdraw"),
        &[("version", &current.to_string()), ("comment", " ")],
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("撤回通报须写明意见"));
    let (status, headers, _) = form(
        app,
        &office,
        &format!("/rectification/notices/{id}/withdraw"),
        &[
            ("version", &current.to_string()),
            ("comment", "数据有误，待核实"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(
        headers.get(header::LOCATION).unwrap(),
        &format!("/rectification/notices/{id}?notice=withdrawn")
    );
    assert_eq!(
        app.get(&format!("/public/notices/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
    let (_, body) = app
        .api(Method::GET, "/api/v1/public/notices", None, None)
        .await;
    assert!(body["items"].as_array().unwrap().is_empty());
    let (_, html) = page(app, &office.0, &format!("/rectification/notices/{id}")).await;
    assert!(html.contains("已撤回") && html.contains("数据有误，待核实"));
}

#[tokio::test]
async fn the_unit_drafts_edits_and_submits_its_reports_on_the_pages() {
    let w = world().await;
    let app = &w.app;
    let liaison = session(app, "liaison").await;
    let (status, html) = page(app, &liaison.0, "/rectification/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("根据整改台账生成初稿"));
    assert!(html.contains("未报送"));
    let target = format!("{}/{}", w.insp, w.unit);

    // A form without the kind is shown again with the message beside the field.
    let (status, _, html) = form(
        app,
        &liaison,
        "/rectification/reports",
        &[("target", &target)],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("请选择报告类型"));
    let (status, headers, _) = form(
        app,
        &liaison,
        "/rectification/reports",
        &[("target", &target), ("kind", "rectification")],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let location = headers.get(header::LOCATION).unwrap().to_str().unwrap();
    let path = location.split('?').next().unwrap().to_owned();
    let (status, html) = page(app, &liaison.0, location).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("自治区党委宣传部关于巡视整改情况的报告"));
    assert!(html.contains("自治区党委巡视工作领导小组办公室："));
    assert!(
        html.contains(SECRET),
        "the report to the office tells everything"
    );
    assert!(html.contains("class=\"doc-h1\">一、整改工作组织情况"));
    let v = crate::helpers::input_value(&html, "version").unwrap();
    let body = crate::helpers::input_value(&html, "title").unwrap();
    assert_eq!(body, "自治区党委宣传部关于巡视整改情况的报告");

    // An empty body is refused next to the field, and nothing is saved.
    let fields = |body: &str| -> Vec<(&'static str, String)> {
        vec![
            ("version", v.clone()),
            ("title", "自治区党委宣传部关于巡视整改情况的报告".to_owned()),
            ("addressee", "自治区党委巡视工作领导小组办公室".to_owned()),
            ("issuer", "中共自治区党委宣传部".to_owned()),
            ("body", body.to_owned()),
            ("note", "定稿".to_owned()),
        ]
    };
    let refs = |f: &[(&'static str, String)]| -> Vec<(&'static str, String)> { f.to_vec() };
    let empty = refs(&fields("  "));
    let empty: Vec<(&str, &str)> = empty.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, html) = form(app, &liaison, &path, &empty).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("请填写正文"));
    let full = fields("一、整改工作组织情况\n成立整改工作领导小组。\n二、下一步打算\n持续整改。");
    let full: Vec<(&str, &str)> = full.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, _, _) = form(app, &liaison, &path, &full).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    // The same form again is stale.
    let (status, _, html) = form(app, &liaison, &path, &full).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(html.contains("已被他人修改"));
    let (_, html) = page(app, &liaison.0, &path).await;
    assert!(html.contains("第 2 稿"));
    assert!(html.contains("中共自治区党委宣传部"));
    let v = crate::helpers::input_value(&html, "version").unwrap();

    // Another unit's people do not see it; the unit's own file downloads as Word.
    let other = session(app, "zzb").await;
    assert_eq!(page(app, &other.0, &path).await.0, StatusCode::NOT_FOUND);
    let (status, headers, docx) = raw(
        app,
        Request::get(format!("{path}.docx"))
            .header(header::COOKIE, &liaison.0)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers
            .get(header::CONTENT_DISPOSITION)
            .unwrap()
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    assert!(document_xml(&docx).contains("成立整改工作领导小组。"));
    // The API gives the same file, under the same rule.
    let report = path.rsplit('/').next().unwrap();
    for (who, expected) in [("liaison", StatusCode::OK), ("zzb", StatusCode::NOT_FOUND)] {
        let token = app.api_token(who, PASSWORD).await;
        let (status, _, body) = raw(
            app,
            Request::get(format!(
                "/api/v1/rectification-reports/{report}/document.docx"
            ))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
        )
        .await;
        assert_eq!(status, expected, "{who}");
        if expected == StatusCode::OK {
            assert!(document_xml(&body).contains("成立整改工作领导小组。"));
        }
    }

    // Submitted, the office reads it and the date shows on the list.
    let (status, _, _) = form(app, &liaison, &format!("{path}/submit"), &[("version", &v)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let office = session(app, "office1").await;
    let (status, html) = page(app, &office.0, "/rectification/reports").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("已报送"));
    let today = xunshi_core::service::today(jiff::Timestamp::now()).to_string();
    assert!(html.contains(&format!("{today} 已报送")));
    let (_, html) = page(app, &office.0, &path).await;
    assert!(
        !html.contains("报送巡视办</button>"),
        "the office does not submit"
    );
    // The notice page does not serve a report.
    let id = path.rsplit('/').next().unwrap();
    assert_eq!(
        page(app, &office.0, &format!("/rectification/notices/{id}.docx"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_ledger_downloads_as_a_workbook_under_the_ledgers_filters() {
    let w = world().await;
    let app = &w.app;
    let token = app.api_token("office1", PASSWORD).await;
    let get = |path: String, token: Option<String>| {
        let mut req = Request::get(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        req.body(Body::empty()).unwrap()
    };
    let (status, headers, bytes) = raw(
        app,
        get(
            format!("/api/v1/tasks.xlsx?unit_id={}", w.unit),
            Some(token.clone()),
        ),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        xunshi_office::XLSX_CONTENT_TYPE
    );
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("opens as xlsx");
    let sheet = wb.worksheet_range("整改台账").expect("the ledger sheet");
    let cell = |r: u32, c: u32| match sheet.get_value((r, c)) {
        Some(Data::String(s)) => s.clone(),
        other => format!("{other:?}"),
    };
    assert_eq!(cell(0, 0), "自治区党委宣传部巡视整改台账");
    assert_eq!(cell(2, 0), "序号");
    assert_eq!(cell(2, 12), "整改进展");
    assert_eq!(cell(3, 0), "1.1.1");
    assert_eq!(cell(3, 3), FIRST);
    assert_eq!(cell(3, 5), OPEN);
    assert_eq!(cell(3, 12), "已形成修订稿（已完成60%）");
    assert_eq!(
        cell(3, 14),
        "修订稿.pdf",
        "by name; the withdrawn file is not listed"
    );
    assert!(matches!(sheet.get_value((3, 10)), Some(Data::DateTime(_))));
    assert_eq!(
        cell(4, 5),
        SECRET,
        "the ledger is internal: every task is in it"
    );
    assert_eq!(cell(4, 10), "长期坚持");
    // A blank row, then the totals of the rows by status and by deadline colour.
    assert_eq!(sheet.end().map(|(r, _)| r), Some(6));
    let totals = cell(6, 0);
    assert!(totals.starts_with("合计：共 2 项；"), "{totals}");
    assert!(totals.contains("逾期 1 项"), "{totals}");

    // The ledger's filters narrow the file as they narrow the list.
    let (status, _, bytes) = raw(
        app,
        get(
            format!("/api/v1/tasks.xlsx?unit_id={}&colour=red", w.unit),
            Some(token.clone()),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("整改台账").unwrap();
    assert_eq!(
        sheet.get_value((3, 0)),
        Some(&Data::String("1.1.1".into())),
        "the task past 2020-06-30 is red"
    );
    assert_eq!(sheet.end().map(|(r, _)| r), Some(5));
    let (status, _, body) = raw(
        app,
        get("/api/v1/tasks.xlsx?colour=purple".into(), Some(token)),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_api_error(&serde_json::from_slice(&body).unwrap(), "bad_input");
    let (status, _, _) = raw(app, get("/api/v1/tasks.xlsx".into(), None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Another unit's people get a ledger with no rows of this unit; the page download works
    // with a session.
    let other = app.api_token("zzb", PASSWORD).await;
    let (_, _, bytes) = raw(app, get("/api/v1/tasks.xlsx".into(), Some(other))).await;
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
    let sheet = wb.worksheet_range("整改台账").unwrap();
    assert_eq!(
        sheet.get_value((4, 0)),
        Some(&Data::String(
            "合计：共 0 项；正常 0 项，临期 0 项，逾期 0 项，逾期完成 0 项".into()
        )),
        "only the header and a total of nothing"
    );
    assert_eq!(sheet.get_value((3, 0)), Some(&Data::Empty));
    let liaison = session(app, "liaison").await;
    let (status, headers, _) = raw(
        app,
        Request::get("/rectification/tasks.xlsx")
            .header(header::COOKIE, &liaison.0)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        xunshi_office::XLSX_CONTENT_TYPE
    );
}

#[tokio::test]
async fn reports_and_notices_keep_to_their_own_collections_in_the_api() {
    let w = world().await;
    let app = &w.app;
    let liaison = app.api_token("liaison", PASSWORD).await;
    let (status, r) = app
        .api_post(
            "/api/v1/rectification-reports",
            Some(&liaison),
            json!({ "inspection_id": w.insp, "unit_id": w.unit, "kind": "principal_report" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let id = r["id"].as_str().unwrap();
    let (status, _) = app
        .api_get(&format!("/api/v1/public-notices/{id}"), &liaison)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, d) = app
        .api_get(&format!("/api/v1/rectification-reports/{id}"), &liaison)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(d["rights"]["submit"], true);
    assert_eq!(d["revisions"].as_array().unwrap().len(), 1);
    let (status, body) = app
        .api_post(
            "/api/v1/rectification-reports",
            Some(&liaison),
            json!({ "inspection_id": w.insp, "unit_id": w.unit, "kind": "public_notice" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_api_error(&body, "bad_input");
    let (status, s) = app
        .api_post(
            &format!("/api/v1/rectification-reports/{id}/submit"),
            Some(&liaison),
            json!({ "version": version(&r) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(s["status"], "submitted");
    let office = app.api_token("office1", PASSWORD).await;
    let (status, list) = app
        .api_get("/api/v1/rectification-reports?status=submitted", &office)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["unit_name"], "自治区党委宣传部");
    let other = app.api_token("zzb", PASSWORD).await;
    let (_, list) = app.api_get("/api/v1/rectification-reports", &other).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let (status, _) = app
        .api_get(&format!("/api/v1/rectification-reports/{id}"), &other)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .api(Method::GET, "/api/v1/rectification-reports", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

/// A notice is not a report: its id under the reports' address names nothing, on the page as in
/// the API, and the other way round; the right address still works.
#[tokio::test]
async fn reports_and_notices_keep_to_their_own_collections_on_the_pages_as_in_the_api() {
    let w = world().await;
    let app = &w.app;
    let liaison = app.api_token("liaison", PASSWORD).await;
    let (status, n) = app
        .api_post(
            "/api/v1/public-notices",
            Some(&liaison),
            json!({ "inspection_id": w.insp, "unit_id": w.unit }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{n}");
    let (status, r) = app
        .api_post(
            "/api/v1/rectification-reports",
            Some(&liaison),
            json!({ "inspection_id": w.insp, "unit_id": w.unit, "kind": "rectification" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{r}");
    let notice = n["id"].as_str().unwrap().to_owned();
    let report = r["id"].as_str().unwrap().to_owned();
    let nv = version(&n).to_string();
    let rv = version(&r).to_string();
    let browser = session(app, "liaison").await;

    for (wrong, api, v) in [
        (
            format!("/rectification/reports/{notice}"),
            format!("/api/v1/rectification-reports/{notice}"),
            &nv,
        ),
        (
            format!("/rectification/notices/{report}"),
            format!("/api/v1/public-notices/{report}"),
            &rv,
        ),
    ] {
        for action in ["/submit", "/reassemble"] {
            let (status, _, html) = form(
                app,
                &browser,
                &format!("{wrong}{action}"),
                &[("version", v)],
            )
            .await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "page {wrong}{action}: {html}"
            );
            let (status, body) = app
                .api_post(
                    &format!("{api}{action}"),
                    Some(&liaison),
                    json!({ "version": v.parse::<i64>().unwrap() }),
                )
                .await;
            assert_eq!(status, StatusCode::NOT_FOUND, "api {api}{action}: {body}");
            assert_api_error(&body, "not_found");
        }
        let (status, _, html) = form(
            app,
            &browser,
            &wrong,
            &[("version", v), ("title", "改"), ("body", "改")],
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "page edit {wrong}: {html}");
    }
    for path in [
        format!("/api/v1/public-notices/{notice}"),
        format!("/api/v1/rectification-reports/{report}"),
    ] {
        let (_, d) = app.api_get(&path, &liaison).await;
        assert_eq!(
            d["status"], "draft",
            "nothing moved under a wrong address: {d}"
        );
    }

    // Under its own address the report is submitted on the page.
    let (status, headers, html) = form(
        app,
        &browser,
        &format!("/rectification/reports/{report}/submit"),
        &[("version", &rv)],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{html}");
    assert!(
        headers[header::LOCATION]
            .to_str()
            .unwrap()
            .starts_with(&format!("/rectification/reports/{report}")),
        "{headers:?}"
    );
}

/// The body of a `.docx` answer, after checking it is one.
fn docx_text(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> String {
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(body));
    assert_eq!(
        headers.get(header::CONTENT_TYPE).unwrap(),
        xunshi_office::DOCX_CONTENT_TYPE
    );
    document_xml(body)
}

#[tokio::test]
async fn the_ledger_page_exports_and_prints_under_its_filters() {
    let w = world().await;
    let app = &w.app;
    let office = session(app, "office1").await;
    let filter = format!("unit_id={}&colour=red", w.unit);
    let (status, html) = page(app, &office.0, &format!("/rectification/tasks?{filter}")).await;
    assert_eq!(status, StatusCode::OK);
    // The export and the print view carry the filters the page shows.
    let query = format!(
        "unit_id={}&#38;unit=&#38;inspection_id=&#38;dispatcher_id=&#38;plan_id=&#38;status=&#38;colour=red&#38;",
        w.unit
    );
    assert!(
        html.contains(&format!("href=\"/rectification/tasks.xlsx?{query}")),
        "{html}"
    );
    assert!(html.contains(&format!("href=\"/rectification/tasks/print?{query}")));
    assert!(html.contains(">导出Excel</a>") && html.contains(">打印</a>"));

    // The print view: every row of the filter in full, with title, unit and date, and none
    // of the application's chrome.
    let (status, html) = page(
        app,
        &office.0,
        &format!("/rectification/tasks/print?unit_id={}", w.unit),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<h1 class=\"print-title\">自治区党委宣传部巡视整改台账</h1>"));
    assert!(html.contains("填报单位：自治区党委宣传部"));
    let today = xunshi_core::service::today(jiff::Timestamp::now());
    assert!(html.contains(&format!("截至{}", xunshi_office::chinese_date(today))));
    for text in [OPEN, SECRET, FIRST, "修订稿.pdf", "合计：共 2 项"] {
        assert!(html.contains(text), "no {text}");
    }
    assert!(!html.contains("作废稿.pdf"));
    assert_eq!(html.matches("<tr class=\"due-").count(), 2);
    // The problem's cells span its two measures, as on paper.
    assert!(html.contains(&format!("rowspan=\"2\" class=\"wrap\">{FIRST}")));
    assert!(!html.contains("class=\"clip\"") && !html.contains("…"));
    assert!(!html.contains("sidenav") && !html.contains("topbar"));
    // The colour filter narrows the print view as it narrows the list.
    let (_, html) = page(
        app,
        &office.0,
        &format!("/rectification/tasks/print?{filter}"),
    )
    .await;
    assert!(html.contains(OPEN) && !html.contains(SECRET));
    let (status, html) = page(app, &office.0, "/rectification/tasks/print?colour=purple").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("error-banner"));
    assert!(
        html.contains("可选：正常（green）、临期（yellow）、逾期（red）、逾期完成（closed_late）"),
        "the choices as the page names them: {html}"
    );

    // The stylesheet prints on A4 landscape with page numbers, uncut, without the chrome.
    let (status, css) = page(app, &office.0, "/static/app.css").await;
    assert_eq!(status, StatusCode::OK);
    for rule in [
        "@media print",
        "@page { size: A4; }",
        "size: A4 landscape",
        "counter(page)",
        "counter(pages)",
        "body.ledger-print { page: ledger;",
        ".clip { display: block; max-width: none; overflow: visible;",
        ".topbar, .sidenav, .filters, .pager, form, .button, .noprint { display: none !important; }",
        ".print-ledger thead { display: table-header-group; }",
    ] {
        assert!(css.contains(rule), "no {rule}");
    }
}

#[tokio::test]
async fn above_the_cap_the_export_and_the_print_view_ask_for_a_narrower_filter() {
    let w = world_with(|s| s.export_max = 1).await;
    let app = &w.app;
    let office = session(app, "office1").await;
    let (status, html) = page(
        app,
        &office.0,
        &format!("/rectification/tasks/print?unit_id={}", w.unit),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("超过一次导出或打印的上限 1 项"), "{html}");
    assert!(html.contains("请按单位、巡视任务、状态或期限筛选后分批导出"));
    assert!(!html.contains(OPEN));
    let token = app.api_token("office1", PASSWORD).await;
    let (status, body) = app
        .api_get(&format!("/api/v1/tasks.xlsx?unit_id={}", w.unit), &token)
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("上限 1 项")
    );
    // A narrower filter fits.
    let (status, _, _) = raw(
        app,
        Request::get(format!("/api/v1/tasks.xlsx?unit_id={}&colour=red", w.unit))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn the_feedback_and_the_plan_download_as_word_for_those_who_read_them() {
    let w = world().await;
    let app = &w.app;
    let liaison = session(app, "liaison").await;

    // The feedback, given, is the unit's to read: on the page and in the API.
    let (status, html) = page(
        app,
        &liaison.0,
        &format!("/inspections/{}/feedback", w.insp),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let href = format!("/inspections/{}/feedback.docx", w.insp);
    assert!(html.contains(&format!("href=\"{href}\"")));
    // Printed, the document stands alone: the work head, status card and buttons are hidden.
    assert!(
        html.contains(
            "<div class=\"noprint\"><link rel=\"stylesheet\" href=\"/static/papers.css\">"
        )
    );
    assert!(html.contains("<div class=\"page-head noprint\">"));
    assert!(html.contains("<section class=\"card noprint\">"));
    let (status, headers, body) = raw(
        app,
        Request::get(&href)
            .header(header::COOKIE, &liaison.0)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let xml = docx_text(status, &headers, &body);
    for text in [
        "自治区党委第三巡视组关于巡视自治区党委宣传部的反馈意见",
        "一、总体评价",
        "二、巡视发现的主要问题",
        "（一）政治建设方面",
        &format!("1. {FIRST}。"),
        "三、意见建议",
        "一是建议。",
        "四、整改要求",
        "扎实整改。",
        "请于2020年5月25日前将整改情况报送巡视工作领导小组办公室。",
        "2020年3月25日",
    ] {
        assert!(xml.contains(text), "no {text} in the feedback");
    }
    let token = app.api_token("liaison", PASSWORD).await;
    let (status, headers, body) = raw(
        app,
        Request::get(format!("/api/v1{href}"))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(docx_text(status, &headers, &body).contains("（一）政治建设方面"));
    // Another unit's people read neither the feedback nor its file.
    let other = app.api_token("zzb", PASSWORD).await;
    let (status, _) = app.api_get(&format!("/api/v1{href}"), &other).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let zzb = session(app, "zzb").await;
    assert_eq!(page(app, &zzb.0, &href).await.0, StatusCode::NOT_FOUND);
    let (status, _, _) = raw(
        app,
        Request::get(format!("/api/v1{href}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // The plan: its leading group and the three lists as a table.
    let (status, html) = page(app, &liaison.0, &format!("/rectification/plans/{}", w.plan)).await;
    assert_eq!(status, StatusCode::OK);
    let href = format!("/rectification/plans/{}/plan.docx", w.plan);
    assert!(html.contains(&format!("href=\"{href}\"")));
    // Its ledger prints through the ledger's print view, narrowed to the plan.
    let print = format!("/rectification/tasks/print?plan_id={}", w.plan);
    assert!(html.contains(&format!("href=\"{print}\"")));
    let (status, printed) = page(app, &liaison.0, &print).await;
    assert_eq!(status, StatusCode::OK);
    assert!(printed.contains(OPEN) && printed.contains(SECRET));
    assert!(html.contains("<section class=\"card ledger-sheet\">"));
    let (status, headers, body) = raw(
        app,
        Request::get(&href)
            .header(header::COOKIE, &liaison.0)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let xml = docx_text(status, &headers, &body);
    for text in [
        "整改方案",
        "一、整改工作领导小组",
        "组长",
        "范晓莉",
        "部长",
        "二、组织安排",
        "召开部务会专题研究部署整改工作。",
        "三、问题清单、任务清单、责任清单",
        "问题清单",
        "任务清单",
        "责任清单",
        FIRST,
        &format!("整改措施：{OPEN}"),
        &format!("整改措施：{SECRET}"),
        "牵头部门：办公室",
        "责任人：张三",
        "2020-06-30前",
        "长期坚持",
        "自治区党委宣传部",
        // The second problem has no measure yet: it stays in the problem list, said so.
        SECOND,
        "（尚未制定整改任务）",
    ] {
        assert!(xml.contains(text), "no {text} in the plan");
    }
    assert_eq!(xml.matches(SECOND).count(), 1);
    assert!(
        xml.matches("<w:tbl>").count() >= 2,
        "the group and the lists are tables"
    );
    let (status, headers, body) = raw(
        app,
        Request::get(format!("/api/v1/rectification-plans/{}/plan.docx", w.plan))
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(docx_text(status, &headers, &body).contains("责任清单"));
    let (status, _) = app
        .api_get(
            &format!("/api/v1/rectification-plans/{}/plan.docx", w.plan),
            &other,
        )
        .await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "another unit reads no plan of this one: {status}"
    );
    assert_eq!(
        page(app, &zzb.0, &href).await.0,
        status,
        "the page refuses as the API does"
    );
}

#[tokio::test]
async fn the_document_lists_sort_count_and_filter_alike_on_the_pages_and_in_the_api() {
    let w = world().await;
    let app = &w.app;
    let liaison = app.api_token("liaison", PASSWORD).await;
    let mut titles = Vec::new();
    for kind in ["principal_report", "rectification"] {
        let (status, r) = app
            .api_post(
                "/api/v1/rectification-reports",
                Some(&liaison),
                json!({ "inspection_id": w.insp, "unit_id": w.unit, "kind": kind }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{r}");
        if kind == "principal_report" {
            let id = r["id"].as_str().unwrap();
            let (status, s) = app
                .api_post(
                    &format!("/api/v1/rectification-reports/{id}/submit"),
                    Some(&liaison),
                    json!({ "version": version(&r) }),
                )
                .await;
            assert_eq!(status, StatusCode::OK, "{s}");
        }
        titles.push(r["title"].as_str().unwrap().to_owned());
    }
    let (status, n) = app
        .api_post(
            "/api/v1/public-notices",
            Some(&liaison),
            json!({ "inspection_id": w.insp, "unit_id": w.unit }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{n}");
    let office = app.api_token("office1", PASSWORD).await;
    let kinds = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = async |path: &str| app.api_get(path, &office).await;
    let (status, all) = get("/api/v1/rectification-reports").await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 2);
    assert_eq!(kinds(&all), ["principal_report", "rectification"]);
    let (_, down) = get("/api/v1/rectification-reports?sort=-kind").await;
    assert_eq!(kinds(&down), ["rectification", "principal_report"]);
    // The report not yet submitted comes after every day.
    let (_, first) = get("/api/v1/rectification-reports?sort=-submitted&limit=1").await;
    assert_eq!(kinds(&first), ["rectification"]);
    let next = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(&format!(
        "/api/v1/rectification-reports?sort=-submitted&limit=1&cursor={next}"
    ))
    .await;
    assert_eq!(kinds(&second), ["principal_report"]);
    assert!(second["prev_cursor"].is_string(), "{second}");
    let (_, notices) = get("/api/v1/public-notices?sort=title").await;
    assert_eq!(
        (kinds(&notices), notices["total"].clone()),
        (vec!["public_notice".to_owned()], json!(1))
    );
    let needle: String = titles[0].chars().take(6).collect();
    let (_, found) = get(&format!(
        "/api/v1/rectification-reports?{}",
        serde_urlencoded::to_string([("q", needle.as_str())]).unwrap()
    ))
    .await;
    assert_eq!(
        found["total"],
        json!(titles.iter().filter(|t| t.contains(&needle)).count())
    );
    for (path, status, field) in [
        (
            "/api/v1/rectification-reports?sort=body".to_owned(),
            StatusCode::BAD_REQUEST,
            "sort",
        ),
        (
            format!("/api/v1/public-notices?q={}", "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            format!("/api/v1/rectification-reports?sort=title&cursor={next}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = get(&path).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{path}");
    }
    let other = app.api_token("zzb", PASSWORD).await;
    let (_, none) = app.api_get("/api/v1/rectification-reports", &other).await;
    assert_eq!((none["total"].clone(), kinds(&none).len()), (json!(0), 0));

    let cookie = session(app, "office1").await.0;
    let (status, html) = page(app, &cookie, "/rectification/reports?sort=kind&limit=1").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("共 2 项，第 1 / 2 页"), "{html}");
    let heading = crate::helpers::link_with(&html, "按类型排序").unwrap();
    assert!(heading.contains("sort=-kind"), "{heading}");
    let (status, html) = page(app, &cookie, "/rectification/notices?sort=-published").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("共 1 项"), "{html}");
    let (status, html) = page(app, &cookie, "/rectification/reports?sort=body").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(html.contains("不是可用的排序"), "{html}");
}
