//! 报备 between the levels: a committee's own office files its plans, rounds and approved
//! reports with the committee above, whose office acknowledges them or comments; a sibling
//! reads nothing of them, and the text stays as filed.

use std::io::Read;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};
use xunshi_core::Id;
use xunshi_core::inspection::Stage;
use xunshi_core::org::UnitInput;
use xunshi_core::permission::Actor;
use xunshi_core::store::{PlanningRead, PlanningWrite, Store, WriteTx};

use crate::helpers::{PASSWORD, TestApp, assert_api_error, document_xml, raw};
use crate::levels::city_office;
use crate::papers::{app_with, ready_for_feedback, world};

/// The archive package of `insp` as `token` asks the API for it.
async fn archive_package(app: &TestApp, token: &str, insp: Id) -> (StatusCode, Vec<u8>) {
    let req = Request::get(format!("/api/v1/inspections/{insp}/archive-package"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::empty())
        .expect("a request");
    let (status, _, bytes) = raw(app, req).await;
    (status, bytes)
}

/// The id of the only plan `token` reads.
async fn own_plan(app: &TestApp, token: &str) -> String {
    let (s, plans) = app.api_get("/api/v1/plans", token).await;
    assert_eq!(s, StatusCode::OK, "{plans}");
    let list = plans.as_array().unwrap_or_else(|| panic!("{plans}"));
    assert_eq!(list.len(), 1, "{plans}");
    list[0]["id"].as_str().unwrap_or_default().to_owned()
}

fn titles(list: &Value) -> Vec<(String, String, bool)> {
    list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {list}"))
        .iter()
        .map(|i| {
            (
                i["committee_name"].as_str().unwrap_or_default().to_owned(),
                i["status"].as_str().unwrap_or_default().to_owned(),
                i["may_answer"].as_bool().unwrap_or(false),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_city_files_its_plan_upward_and_the_office_above_answers_once() {
    let app = TestApp::spawn().await;
    let province = app.add_unit_under("省委", None, "committee").await;
    let a = app
        .add_unit_under("甲市委", Some(province.id), "lower_committee")
        .await;
    app.add_unit_under("乙市委", Some(province.id), "lower_committee")
        .await;
    app.add_unit_under("甲市财政局", Some(a.id), "department")
        .await;
    let county = app
        .add_unit_under("甲县委", Some(a.id), "lower_committee")
        .await;
    app.add_unit_under("甲县财政局", Some(county.id), "department")
        .await;
    let city_insp = app
        .prepared_inspection("甲市委", "甲市财政局", "甲市委第一巡察组")
        .await;
    app.prepared_inspection("甲县委", "甲县财政局", "甲县委第一巡察组")
        .await;
    let office_a = city_office(&app, "office_a", "甲市委").await;
    let office_b = city_office(&app, "office_b", "乙市委").await;
    let county_office = city_office(&app, "county", "甲县委").await;
    app.add_user("office", "省委巡视办", "office", Some("省委"))
        .await;
    let top = app.api_token("office", PASSWORD).await;

    // The city files its plan with the province: the text names its team and unit.
    let plan_a = own_plan(&app, &office_a).await;
    let body = json!({ "kind": "plan", "subject_id": plan_a });
    let (s, filed) = app
        .api_post("/api/v1/filings", Some(&office_a), body.clone())
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["upper_name"], "省委");
    assert_eq!(filed["status"], "filed");
    assert_eq!(filed["may_answer"], false);
    let content = filed["content"].as_str().unwrap_or_default();
    assert!(
        content.contains("甲市委第一巡察组：甲市财政局（常规巡视）"),
        "{content}"
    );
    let a_filing = filed["id"].as_str().unwrap_or_default().to_owned();
    // The same text again is refused; a neighbour cannot file it, nor can the province's
    // office, which files with no one here.
    let (s, again) = app
        .api_post("/api/v1/filings", Some(&office_a), body.clone())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{again}");
    assert_api_error(&again, "rule_refused");
    let (s, e) = app
        .api_post("/api/v1/filings", Some(&office_b), body.clone())
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = app.api_post("/api/v1/filings", Some(&top), body).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, e) = app
        .api_post(
            "/api/v1/filings",
            Some(&office_a),
            json!({ "kind": "budget", "subject_id": "x" }),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    // The county files with the city, not with the province.
    let plan_c = own_plan(&app, &county_office).await;
    let (s, filed) = app
        .api_post(
            "/api/v1/filings",
            Some(&county_office),
            json!({ "kind": "plan", "subject_id": plan_c }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{filed}");
    assert_eq!(filed["upper_name"], "甲市委");
    let c_filing = filed["id"].as_str().unwrap_or_default().to_owned();

    // Who reads what, newest first: the city its own and the county's (which it answers); the
    // province both, answering only the city's; the neighbour nothing.
    let (_, list) = app.api_get("/api/v1/filings", &office_a).await;
    assert_eq!(
        titles(&list),
        [
            ("甲县委".into(), "filed".into(), true),
            ("甲市委".into(), "filed".into(), false)
        ]
    );
    assert_eq!(list["total"], 2);
    let (_, list) = app.api_get("/api/v1/filings", &top).await;
    assert_eq!(
        titles(&list),
        [
            ("甲县委".into(), "filed".into(), false),
            ("甲市委".into(), "filed".into(), true)
        ]
    );
    let (_, list) = app
        .api_get("/api/v1/filings?status=filed&kind=plan&limit=1", &top)
        .await;
    assert_eq!(list["total"], 2);
    assert!(list["next_cursor"].is_string(), "{list}");
    let (_, list) = app.api_get("/api/v1/filings", &office_b).await;
    assert_eq!(list["total"], 0);
    let (s, _) = app
        .api_get(&format!("/api/v1/filings/{a_filing}"), &office_b)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = app.api_get("/api/v1/filings?status=lost", &top).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");

    // Each office finds what waits for its answer on its to-do, which opens the filing.
    let waiting = |todo: &Value| -> Vec<(u64, Vec<String>)> {
        let of_kind = |list: &str| -> Vec<Value> {
            todo[list]
                .as_array()
                .unwrap_or_else(|| panic!("{todo}"))
                .iter()
                .filter(|g| g["kind"] == "filing_answer")
                .cloned()
                .collect()
        };
        let links: Vec<String> = of_kind("items")
            .iter()
            .map(|i| i["link"].as_str().unwrap_or_default().to_owned())
            .collect();
        of_kind("counts")
            .iter()
            .map(|c| (c["total"].as_u64().unwrap_or(0), links.clone()))
            .collect()
    };
    let (_, todo) = app.api_get("/api/v1/todo", &office_a).await;
    assert_eq!(
        waiting(&todo),
        [(1, vec![format!("/filings/{c_filing}")])],
        "{todo}"
    );
    let (_, todo) = app.api_get("/api/v1/todo", &top).await;
    assert_eq!(
        waiting(&todo),
        [(1, vec![format!("/filings/{a_filing}")])],
        "{todo}"
    );
    let (_, todo) = app.api_get("/api/v1/todo", &office_b).await;
    assert!(waiting(&todo).is_empty(), "{todo}");

    // The city hears of the county's filing, and answers it: a comment needs its text, a
    // stale version is refused, and only one answer counts.
    let (_, inbox) = app.api_get("/api/v1/messages", &office_a).await;
    assert!(inbox.to_string().contains("收到下级报备"), "{inbox}");
    let answer = |decision: &str, comment: &str, version: i64| json!({ "decision": decision, "comment": comment, "version": version });
    let path = format!("/api/v1/filings/{c_filing}/answer");
    let (s, e) = app
        .api_post(&path, Some(&office_a), answer("comment", " ", 1))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (s, e) = app
        .api_post(&path, Some(&office_a), answer("acknowledge", "", 7))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{e}");
    let (s, e) = app
        .api_post(&path, Some(&top), answer("acknowledge", "", 1))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{e}");
    let (s, done) = app
        .api_post(
            &path,
            Some(&office_a),
            answer("comment", "请补充交叉巡察安排", 1),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "commented");
    assert_eq!(done["reply"], "请补充交叉巡察安排");
    let (s, e) = app
        .api_post(&path, Some(&office_a), answer("acknowledge", "", 2))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (_, inbox) = app.api_get("/api/v1/messages", &county_office).await;
    assert!(inbox.to_string().contains("上级已答复报备"), "{inbox}");

    // The city cannot answer its own filing; the province acknowledges it.
    let path = format!("/api/v1/filings/{a_filing}/answer");
    let (s, _) = app
        .api_post(&path, Some(&office_a), answer("acknowledge", "", 1))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, done) = app
        .api_post(&path, Some(&top), answer("acknowledge", "", 1))
        .await;
    assert_eq!(s, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "acknowledged");
    let (_, todo) = app.api_get("/api/v1/todo", &top).await;
    assert!(waiting(&todo).is_empty(), "{todo}");
    assert_eq!(app.audit_with_action("filing_submitted").await.len(), 2);
    assert_eq!(app.audit_with_action("filing_answered").await.len(), 2);

    // The filing says how its plan stands now: as filed; changed once a team is renamed, on
    // the page the province reads; replaced once the city files the change.
    let since = |v: &Value| v["since_filed"].as_str().unwrap_or_default().to_owned();
    let one = format!("/api/v1/filings/{a_filing}");
    let (_, f) = app.api_get(&one, &top).await;
    assert_eq!(since(&f), "unchanged", "{f}");
    let (_, list) = app.api_get("/api/v1/filings", &top).await;
    assert!(list["items"][0].get("since_filed").is_none(), "{list}");
    {
        let mut tx = app.services.store.write().await.unwrap();
        let mut i = tx.get_inspection(city_insp).await.unwrap().unwrap();
        i.team_name = "甲市委第二巡察组".into();
        i.version += 1;
        tx.update_inspection(&i).await.unwrap();
        tx.commit().await.unwrap();
    }
    let (_, f) = app.api_get(&one, &office_a).await;
    assert_eq!(since(&f), "changed", "{f}");
    let mut province = app.login_form("office", PASSWORD).await;
    let page = province.get(&format!("/filings/{a_filing}")).await;
    assert!(
        page.body.contains("报备后已有变动，尚未重新报备"),
        "{}",
        page.body
    );
    let (s, refiled) = app
        .api_post(
            "/api/v1/filings",
            Some(&office_a),
            json!({ "kind": "plan", "subject_id": plan_a }),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{refiled}");
    assert!(
        refiled["content"]
            .as_str()
            .unwrap_or_default()
            .contains("甲市委第二巡察组"),
        "{refiled}"
    );
    let (_, f) = app.api_get(&one, &top).await;
    assert_eq!(since(&f), "superseded", "{f}");
    let newer = format!(
        "/api/v1/filings/{}",
        refiled["id"].as_str().unwrap_or_default()
    );
    let (_, f) = app.api_get(&newer, &top).await;
    assert_eq!(since(&f), "unchanged", "{f}");

    // The pages: the city's form offers its plan and round; the list shows both filings.
    let mut browser = app.login_form("office_a", PASSWORD).await;
    let page = browser.get("/filings").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains(&format!("plan:{plan_a}")),
        "{}",
        page.body
    );
    assert!(page.body.contains("已提出意见") && page.body.contains("已阅知"));
    let mut neighbour = app.login_form("office_b", PASSWORD).await;
    let page = neighbour.get(&format!("/filings/{a_filing}")).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
}

/// A province inspected from above: 中央 over 自治区党委, whose own office files the approved
/// report of its team; the office of the top committee (中央's here) reads it and answers.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_report_is_filed_from_its_page_and_acknowledged_on_the_filings_page() {
    let a = app_with(|_| {}).await;
    let insp = world(&a).await;
    ready_for_feedback(&a, insp).await;
    let sys = Actor::system();
    let centre =
        a.s.create_unit(
            &sys,
            &UnitInput {
                name: "中央".into(),
                kind: "committee".into(),
                level: "central".into(),
                parent_id: None,
            },
        )
        .await
        .unwrap();
    let province = a.s.resolve_unit(&sys, "自治区党委").await.unwrap();
    a.s.update_unit(
        &sys,
        province.id,
        province.version,
        &UnitInput {
            name: province.name.clone(),
            kind: "committee".into(),
            level: "provincial".into(),
            parent_id: Some(centre.id.to_string()),
        },
    )
    .await
    .unwrap();
    let token = city_office(&a.t, "province", "自治区党委").await;
    let report = a.s.list_reports(&sys, insp).await.unwrap().remove(0);

    let own = a.session("province").await;
    let page = a.page(&format!("/reports/{}", report.id), &own).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    assert!(page.text().contains("向上级报备"), "{}", page.text());
    let subject = format!("report:{}", report.id);
    let r = a
        .post_form("/filings", &own, &[("subject", subject.as_str())])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let to = r.headers[header::LOCATION].to_str().unwrap().to_owned();
    let id = to
        .trim_start_matches("/filings/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    // Filed again unchanged, the form says so.
    let again = a
        .post_form("/filings", &own, &[("subject", subject.as_str())])
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.text().contains("无需重复报备"), "{}", again.text());

    // The office of the top committee reads the report as filed and acknowledges it.
    let top = a.session("office1").await;
    let page = a.page(&format!("/filings/{id}"), &top).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text());
    let text = page.text();
    assert!(
        text.contains("一、总体评价") && text.contains("三、意见建议"),
        "{text}"
    );
    assert!(text.contains("落实“两个责任”不够到位"), "{text}");
    assert!(text.contains("提交答复"), "{text}");
    let version = "1";
    let r = a
        .post_form(
            &format!("/filings/{id}/answer"),
            &top,
            &[
                ("decision", "comment"),
                ("comment", ""),
                ("version", version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert!(r.text().contains("请填写对报备事项的意见"));
    let r = a
        .post_form(
            &format!("/filings/{id}/answer"),
            &top,
            &[("decision", "acknowledge"), ("version", version)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = a.page(&format!("/filings/{id}"), &own).await;
    assert!(page.text().contains("上级答复：已阅知"), "{}", page.text());
    // Opening a filed report is recorded, as reading the report is.
    let viewed = a.t.audit_with_action("filing_viewed").await;
    assert_eq!(viewed.len(), 3, "{viewed:?}");

    // Archived, the inspection's package holds the filing as filed, the answer annexed, and
    // its record; the manifest covers both.
    {
        let mut tx = a.s.store.write().await.unwrap();
        let mut i = tx.get_inspection(insp).await.unwrap().unwrap();
        i.stage = Stage::Archived;
        i.version += 1;
        tx.update_inspection(&i).await.unwrap();
        tx.commit().await.unwrap();
    }
    // The committee's own office ran it, and takes its package; another committee's office
    // does not.
    a.s.create_unit(
        &sys,
        &UnitInput {
            name: "邻省党委".into(),
            kind: "committee".into(),
            level: "provincial".into(),
            parent_id: Some(centre.id.to_string()),
        },
    )
    .await
    .unwrap();
    let neighbour = city_office(&a.t, "neighbour", "邻省党委").await;
    let (status, _) = archive_package(&a.t, &neighbour, insp).await;
    assert!(
        matches!(status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
        "{status}"
    );
    let page = a.page(&format!("/inspections/{insp}"), &own).await;
    assert!(page.text().contains("下载归档包"), "{}", page.text());
    let (status, bytes) = archive_package(&a.t, &token, insp).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    let mut filed: Vec<String> = zip
        .file_names()
        .filter(|n| n.starts_with("14-上下级报备/"))
        .map(str::to_owned)
        .collect();
    filed.sort();
    assert_eq!(filed.len(), 2, "{filed:?}");
    let mut docx = Vec::new();
    zip.by_name(&filed[0])
        .expect("the filing as filed")
        .read_to_end(&mut docx)
        .unwrap();
    assert!(filed[0].ends_with(".docx"), "{filed:?}");
    let xml = document_xml(&docx);
    assert!(xml.contains("中央"), "addressed to the committee above");
    assert!(xml.contains("落实“两个责任”不够到位"), "the text as filed");
    assert!(xml.contains("答复：已阅知"), "the answer annexed");
    let mut record = String::new();
    zip.by_name("14-上下级报备/报备记录.json")
        .expect("the filings' record")
        .read_to_string(&mut record)
        .unwrap();
    let record: Value = serde_json::from_str(&record).unwrap();
    assert_eq!(record[0]["id"], json!(id), "{record}");
    assert_eq!(record[0]["status"], json!("acknowledged"), "{record}");
    let mut manifest = String::new();
    zip.by_name("manifest-sha256.txt")
        .unwrap()
        .read_to_string(&mut manifest)
        .unwrap();
    for f in &filed {
        assert!(manifest.contains(f.as_str()), "{f} in {manifest}");
    }
}
