//! Offices by level: a city committee's own inspection office (巡察办) plans and runs the
//! inspections its committee sends, and nothing of a neighbouring city's; the office of the top
//! committee reads both.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};
use xunshi_core::permission::Actor;
use xunshi_core::service::NewGrant;
use xunshi_core::user::NewUserInput;

use crate::helpers::{PASSWORD, TestApp, assert_api_error, detail_fields};

/// An account whose only grant is the office of `committee`.
pub(crate) async fn city_office(app: &TestApp, username: &str, committee: &str) -> String {
    let input = NewUserInput {
        username: username.to_owned(),
        display_name: format!("{committee}巡察办"),
        unit: Some(committee.to_owned()),
        password: PASSWORD.to_owned(),
        must_change_password: false,
    };
    let grant = NewGrant {
        role: "office".into(),
        scope: Some(committee.into()),
    };
    app.services
        .create_user(&Actor::system(), &input, Some(&grant))
        .await
        .unwrap_or_else(|e| panic!("create {username}: {e}"));
    app.api_token(username, PASSWORD).await
}

fn ids(list: &Value) -> Vec<String> {
    let mut out: Vec<String> = list["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {list}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    out.sort();
    out
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[tokio::test]
async fn a_city_office_runs_its_own_inspections_and_sees_nothing_of_its_neighbours() {
    let app = TestApp::spawn().await;
    let province = app.add_unit_under("省委", None, "committee").await;
    let a = app
        .add_unit_under("甲市委", Some(province.id), "lower_committee")
        .await;
    let b = app
        .add_unit_under("乙市委", Some(province.id), "lower_committee")
        .await;
    app.add_unit_under("甲市财政局", Some(a.id), "department")
        .await;
    app.add_unit_under("乙市财政局", Some(b.id), "department")
        .await;
    let county = app
        .add_unit_under("甲县委", Some(a.id), "lower_committee")
        .await;
    app.add_unit_under("甲县财政局", Some(county.id), "department")
        .await;
    let own = app
        .prepared_inspection("甲市委", "甲市财政局", "甲市委第一巡察组")
        .await
        .to_string();
    let theirs = app
        .prepared_inspection("乙市委", "乙市财政局", "乙市委第一巡察组")
        .await
        .to_string();

    let below = app
        .prepared_inspection("甲县委", "甲县财政局", "甲县委第一巡察组")
        .await
        .to_string();
    let office_a = city_office(&app, "office_a", "甲市委").await;
    app.add_user("office", "省委巡视办", "office", Some("省委"))
        .await;
    let top = app.api_token("office", PASSWORD).await;

    // The lists: each city its own, the province both.
    let (s, list) = app.api_get("/api/v1/inspections", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{list}");
    assert_eq!(ids(&list), std::slice::from_ref(&own), "{list}");
    let (_, list) = app.api_get("/api/v1/inspections", &top).await;
    assert_eq!(
        ids(&list),
        sorted(vec![own.clone(), theirs.clone(), below.clone()])
    );
    let (_, list) = app
        .api_get(&format!("/api/v1/inspections?dispatcher_id={}", a.id), &top)
        .await;
    assert_eq!(ids(&list), std::slice::from_ref(&own), "{list}");

    // By level: the province reads every committee, each opening its list; the city reads
    // itself and, in aggregate only, the county below it; the neighbour is not there.
    let lines = |levels: &Value| -> Vec<(String, u64, u64, bool)> {
        levels["rows"]
            .as_array()
            .unwrap_or_else(|| panic!("{levels}"))
            .iter()
            .map(|r| {
                (
                    r["name"].as_str().unwrap_or_default().to_owned(),
                    r["depth"].as_u64().unwrap_or(99),
                    r["inspections"].as_u64().unwrap_or(99),
                    r["opens"].as_bool().unwrap_or(false),
                )
            })
            .collect()
    };
    let (s, levels) = app.api_get("/api/v1/levels", &top).await;
    assert_eq!(s, StatusCode::OK, "{levels}");
    let line = |name: &str, depth, n, opens| (name.to_owned(), depth, n, opens);
    assert_eq!(
        lines(&levels),
        // Siblings by name, as the organisation tree orders them.
        [
            line("省委", 0, 0, true),
            line("乙市委", 1, 1, true),
            line("甲市委", 1, 1, true),
            line("甲县委", 2, 1, true),
        ]
    );
    let (s, levels) = app.api_get("/api/v1/levels", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{levels}");
    assert_eq!(
        lines(&levels),
        [line("甲市委", 0, 1, true), line("甲县委", 1, 1, false)]
    );
    let mut browser = app.login_form("office_a", PASSWORD).await;
    let page = browser.get("/levels").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body
            .contains(&format!("href=\"/inspections?dispatcher_id={}\"", a.id))
            && !page.body.contains(&county.id.to_string())
            && !page.body.contains("乙市委"),
        "{}",
        page.body
    );
    // Its tasks' figures open its ledger, narrowed to its committee; the page and the API
    // read the same filter, and the county's ledger stays closed to it.
    assert!(
        page.body.contains(&format!(
            "href=\"/rectification/tasks?dispatcher_id={}\"",
            a.id
        )),
        "{}",
        page.body
    );
    let ledger = browser
        .get(&format!("/rectification/tasks?dispatcher_id={}", a.id))
        .await;
    assert_eq!(ledger.status, StatusCode::OK, "{}", ledger.body);
    assert!(
        ledger.body.contains("限甲市委派出的巡视巡察"),
        "{}",
        ledger.body
    );
    let (s, tasks) = app
        .api_get(&format!("/api/v1/tasks?dispatcher_id={}", a.id), &office_a)
        .await;
    assert_eq!((s, &tasks["total"]), (StatusCode::OK, &json!(0)), "{tasks}");
    let (s, tasks) = app
        .api_get("/api/v1/tasks?dispatcher_id=not-an-id", &office_a)
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{tasks}");
    // The county's inspection stays closed to the city's office.
    let (s, _) = app
        .api_get(&format!("/api/v1/inspections/{below}"), &office_a)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // The neighbour's inspection is not shown to exist, nor moved.
    let (s, body) = app
        .api_get(&format!("/api/v1/inspections/{theirs}"), &office_a)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/inspections/{theirs}/stage"),
            Some(&office_a),
            Some(&json!({"version": 2, "to": "on_site", "date": "2019-05-06"})),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");

    // Its own it runs: the team goes on site.
    let (s, mine) = app
        .api_get(&format!("/api/v1/inspections/{own}"), &office_a)
        .await;
    assert_eq!(s, StatusCode::OK, "{mine}");
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/inspections/{own}/stage"),
            Some(&office_a),
            Some(&json!({"version": mine["version"], "to": "on_site", "date": "2019-05-06"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // Clues: the city's office registers one in its own inspection; the neighbour's office
    // neither sees it nor registers one there; the province reads it.
    let office_b = city_office(&app, "office_b", "乙市委").await;
    let clue = json!({
        "about_name": "某某", "summary": "反映某某违规收受礼金", "source": "letter",
        "confidentiality": "secret", "kind": "other"
    });
    let (s, body) = app
        .api_post(
            &format!("/api/v1/inspections/{own}/clues"),
            Some(&office_a),
            clue.clone(),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    let (s, body) = app
        .api_post(
            &format!("/api/v1/inspections/{own}/clues"),
            Some(&office_b),
            clue,
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let clues_of = |token: String| {
        let app = &app;
        async move {
            let (s, list) = app.api_get("/api/v1/clues", &token).await;
            assert_eq!(s, StatusCode::OK, "{list}");
            list["items"].as_array().map(Vec::len)
        }
    };
    assert_eq!(clues_of(office_a.clone()).await, Some(1));
    assert_eq!(clues_of(office_b.clone()).await, Some(0));
    assert_eq!(clues_of(top.clone()).await, Some(1));
    let (_, list) = app.api_get("/api/v1/inspections", &office_b).await;
    assert_eq!(ids(&list), std::slice::from_ref(&theirs), "{list}");

    // Plans: its committee's terms only, and none made for another committee.
    let (s, terms) = app.api_get("/api/v1/terms", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{terms}");
    let dispatchers: Vec<&str> = terms
        .as_array()
        .unwrap_or_else(|| panic!("{terms}"))
        .iter()
        .filter_map(|t| t["dispatcher_id"].as_str())
        .collect();
    assert_eq!(dispatchers, [a.id.to_string()], "{terms}");
    // Its leadership view is of its committee's term, counting its own inspections.
    let (s, view) = app.api_get("/api/v1/overview", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{view}");
    assert_eq!(
        view["term"]["dispatcher_id"],
        json!(a.id.to_string()),
        "{view}"
    );
    assert_eq!(view["terms"].as_array().map(Vec::len), Some(1), "{view}");
    assert_eq!(view["inspections_total"], json!(1), "{view}");
    let page = browser.get("/leadership").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let (s, rounds) = app.api_get("/api/v1/rounds", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{rounds}");
    assert_eq!(rounds.as_array().map(Vec::len), Some(1), "{rounds}");
    let round = rounds[0]["id"].as_str().unwrap_or_default().to_owned();
    let (_, rounds) = app.api_get("/api/v1/rounds", &top).await;
    assert_eq!(rounds.as_array().map(Vec::len), Some(3), "{rounds}");

    // Its inspections take units in its charge: none of the neighbour's; one below the county
    // only as 提级巡察 or 交叉巡察, the county's to inspect otherwise.
    let plan = |target: &str, elevated: bool| {
        json!({ "round_id": round, "team_name": "甲市委第二巡察组", "targets": [target],
                "kind": "routine", "elevated": elevated })
    };
    let (s, body) = app
        .api_post(
            "/api/v1/inspections",
            Some(&office_a),
            plan("乙市财政局", false),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        body.to_string().contains("不在甲市委的巡视巡察范围内"),
        "{body}"
    );
    let (s, body) = app
        .api_post(
            "/api/v1/inspections",
            Some(&office_a),
            plan("甲县财政局", false),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body.to_string().contains("由甲县委巡察"), "{body}");
    let (s, body) = app
        .api_post(
            "/api/v1/inspections",
            Some(&office_a),
            plan("甲县财政局", true),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["elevated"], true, "{body}");
    let term = |dispatcher: &str| json!({"name": "十二届", "dispatcher": dispatcher, "starts_on": "2021-11-01"});
    let (s, body) = app
        .api_post("/api/v1/terms", Some(&office_a), term("乙市委"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = app
        .api_post("/api/v1/terms", Some(&office_a), term("省委"))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = app
        .api_post("/api/v1/terms", Some(&office_a), term("甲市委"))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");

    // The rectification it reads is its own committee's; the dashboard answers for it.
    let (s, body) = app.api_get("/api/v1/tasks", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let (s, body) = app.api_get("/api/v1/dashboard", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{body}");

    // What belongs to the whole system stays with the province's office.
    for path in ["/api/v1/users", "/api/v1/inspectors"] {
        let (s, body) = app.api_get(path, &office_a).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}: {body}");
    }
    let (s, body) = app.api_get("/api/v1/units", &office_a).await;
    assert_eq!(s, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn an_office_is_seated_in_a_committee_and_nowhere_else() {
    let app = TestApp::spawn().await;
    let province = app.add_unit_under("省委", None, "committee").await;
    let a = app
        .add_unit_under("甲市委", Some(province.id), "lower_committee")
        .await;
    app.add_unit_under("甲市财政局", Some(a.id), "department")
        .await;
    app.add_user("admin", "管理员", "admin", None).await;
    let admin = app.api_token("admin", PASSWORD).await;
    let user = app.add_user("clerk", "办事员", "leadership", None).await;
    let grants = format!("/api/v1/users/{}/grants", user.id);

    let (s, body) = app
        .api_post(
            &grants,
            Some(&admin),
            json!({"role": "office", "scope": "甲市财政局"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let details = assert_api_error(&body, "rule_refused");
    assert!(body.to_string().contains("不是党委"), "{details:?}");

    let (s, body) = app
        .api_post(
            &grants,
            Some(&admin),
            json!({"role": "office", "scope": "甲市委"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["scope"], json!({"kind": "unit", "id": a.id}), "{body}");
    // Nobody else reads the figures by level.
    let clerk = app.api_token("clerk", PASSWORD).await;
    let (s, body) = app.api_get("/api/v1/levels", &admin).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, body) = app.api_get("/api/v1/levels", &clerk).await;
    assert_eq!(s, StatusCode::OK, "the leadership reads them: {body}");
    // Other roles of the whole system still take no unit.
    let (s, body) = app
        .api_post(
            &grants,
            Some(&admin),
            json!({"role": "discipline", "scope": "甲市委"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
}

/// An inspection of `dispatcher` fed back on `day` and under rectification, its unit's plan
/// not yet submitted: its clocks run.
async fn fed_back(app: &TestApp, dispatcher: &str, target: &str, team: &str, day: &str) -> String {
    use xunshi_core::inspection::Stage;
    use xunshi_core::store::{PlanningRead, PlanningWrite, Store, WriteTx};
    let insp = app.prepared_inspection(dispatcher, target, team).await;
    app.move_inspection(insp, Stage::OnSite, Some("2019-09-18"))
        .await;
    app.move_inspection(insp, Stage::Reporting, Some("2019-10-20"))
        .await;
    // Feedback is given through the report's chain, which this case leaves out.
    let mut tx = app.services.store.write().await.expect("write");
    let mut i = tx.get_inspection(insp).await.unwrap().unwrap();
    i.stage = Stage::FeedbackGiven;
    i.dates.feedback = Some(day.parse().unwrap());
    i.version += 1;
    tx.update_inspection(&i).await.unwrap();
    tx.commit().await.unwrap();
    app.move_inspection(insp, Stage::Rectification, None).await;
    insp.to_string()
}

/// The plan clock of an inspection: its due date and its rule's basis.
async fn plan_clock(app: &TestApp, insp: &str, token: &str) -> (String, String) {
    let (s, clocks) = app
        .api_get(&format!("/api/v1/inspections/{insp}/clocks"), token)
        .await;
    assert_eq!(s, StatusCode::OK, "{clocks}");
    let plan = clocks
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clock"] == "plan_due")
        .unwrap_or_else(|| panic!("{clocks}"))
        .clone();
    (
        plan["due"].as_str().unwrap_or_default().to_owned(),
        plan["basis"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn a_city_office_keeps_its_own_deadline_rule_and_its_neighbour_the_general_one() {
    let now: jiff::Timestamp = "2020-04-10T02:00:00Z".parse().unwrap();
    let app = TestApp::spawn_with(|s| s.clock = std::sync::Arc::new(move || now)).await;
    let province = app.add_unit_under("省委", None, "committee").await;
    let a = app
        .add_unit_under("甲市委", Some(province.id), "lower_committee")
        .await;
    let b = app
        .add_unit_under("乙市委", Some(province.id), "lower_committee")
        .await;
    let finance = app
        .add_unit_under("甲市财政局", Some(a.id), "department")
        .await;
    app.add_unit_under("乙市财政局", Some(b.id), "department")
        .await;
    let own = fed_back(
        &app,
        "甲市委",
        "甲市财政局",
        "甲市委第一巡察组",
        "2020-03-25",
    )
    .await;
    let theirs = fed_back(
        &app,
        "乙市委",
        "乙市财政局",
        "乙市委第一巡察组",
        "2020-03-25",
    )
    .await;
    let office_a = city_office(&app, "office_a", "甲市委").await;
    let office_b = city_office(&app, "office_b", "乙市委").await;
    app.add_user("office", "省委巡视办", "office", Some("省委"))
        .await;
    let top = app.api_token("office", PASSWORD).await;

    // By the general rule: 15 working days from 25 March 2020, not yet overdue on 10 April.
    let (general_due, general_basis) = plan_clock(&app, &own, &office_a).await;
    assert_eq!(general_due, "2020-04-16");
    let overdue = |d: &Value| d["clocks_overdue"].as_u64().unwrap_or(99);
    let (_, d) = app.api_get("/api/v1/dashboard", &office_a).await;
    assert_eq!(overdue(&d), 0, "{d}");

    // The city's office sets its own: five working days, for its committee alone.
    let rule = |committee: &str, amount: i64| {
        json!({ "committee_id": committee, "clock": "plan_due", "amount": amount,
                "counting": "working_days", "basis": "甲市委巡察工作办法" })
    };
    let (s, body) = app
        .api_post(
            "/api/v1/deadline-rules",
            Some(&office_a),
            rule(&b.id.to_string(), 5),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    let (s, created) = app
        .api_post(
            "/api/v1/deadline-rules",
            Some(&office_a),
            rule(&a.id.to_string(), 5),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{created}");
    assert_eq!(created["committee_id"], a.id.to_string());
    let (s, body) = app
        .api_post(
            "/api/v1/deadline-rules",
            Some(&office_a),
            rule(&a.id.to_string(), 8),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, body) = app
        .api_post(
            "/api/v1/deadline-rules",
            Some(&top),
            rule(&finance.id.to_string(), 5),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(
        detail_fields(&body).contains(&"committee_id".to_owned()),
        "{body}"
    );

    // Its inspection's clock follows at once, counted overdue; the neighbour's does not move.
    assert_eq!(
        plan_clock(&app, &own, &office_a).await,
        ("2020-04-01".to_owned(), "甲市委巡察工作办法".to_owned())
    );
    assert_eq!(
        plan_clock(&app, &theirs, &office_b).await,
        (general_due.clone(), general_basis.clone())
    );
    let (_, d) = app.api_get("/api/v1/dashboard", &office_a).await;
    assert_eq!(overdue(&d), 1, "{d}");
    let (_, d) = app.api_get("/api/v1/dashboard", &office_b).await;
    assert_eq!(overdue(&d), 0, "{d}");
    let (_, d) = app.api_get("/api/v1/dashboard", &top).await;
    assert_eq!(overdue(&d), 1, "{d}");

    // Kept by the city's office alone; the page offers it there, with the way back.
    let id = created["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/deadline-rules/{id}");
    let edit = json!({ "version": 1, "amount": 6, "counting": "working_days", "basis": "甲市委巡察工作办法（修订）" });
    let (s, _) = app.api_put(&path, &office_b, edit.clone()).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, body) = app.api_put(&path, &office_a, edit).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let mut browser = app.login_form("office_a", PASSWORD).await;
    let page = browser.get("/supervision/deadlines").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("6个工作日"), "{}", page.body);
    assert!(
        page.body
            .contains(&format!("/supervision/deadlines/{id}/remove")),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("设定本级党委的时限规则"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("/supervision/deadlines/warn-days"));
    let mut neighbour = app.login_form("office_b", PASSWORD).await;
    let page = neighbour.get("/supervision/deadlines").await;
    assert!(
        !page
            .body
            .contains(&format!("/supervision/deadlines/{id}/remove"))
    );

    // Removed at the version seen, the general rule stands again.
    let (s, body) = app
        .api_delete(&format!("{path}?version=1"), &office_a)
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{body}");
    let (s, body) = app
        .api_delete(&format!("{path}?version=2"), &office_a)
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{body}");
    assert_eq!(
        plan_clock(&app, &own, &office_a).await,
        (general_due, general_basis)
    );
    let (_, d) = app.api_get("/api/v1/dashboard", &office_a).await;
    assert_eq!(overdue(&d), 0, "{d}");
    let (_, rules) = app.api_get("/api/v1/deadline-rules", &top).await;
    let general = rules["rules"][0]["id"].as_str().unwrap().to_owned();
    let (s, body) = app
        .api_delete(&format!("/api/v1/deadline-rules/{general}?version=1"), &top)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(app.audit_with_action("committee_rule_added").await.len(), 1);
    assert_eq!(
        app.audit_with_action("committee_rule_removed").await.len(),
        1
    );
}

#[tokio::test]
async fn a_city_office_finds_its_own_inspections_records_and_not_its_neighbours() {
    use std::sync::Arc;
    use xunshi_core::inspection::Stage;
    use xunshi_core::search::SearchIndex;
    let index: Arc<dyn SearchIndex> =
        Arc::new(xunshi_search::TantivyIndex::in_memory().expect("an index in memory"));
    let ix = index.clone();
    let app = TestApp::spawn_with(move |s| s.search = Some(ix)).await;
    let province = app.add_unit_under("省委", None, "committee").await;
    for (city, unit) in [("甲市委", "甲市财政局"), ("乙市委", "乙市财政局")] {
        let c = app
            .add_unit_under(city, Some(province.id), "lower_committee")
            .await;
        app.add_unit_under(unit, Some(c.id), "department").await;
    }
    let office_a = city_office(&app, "office_a", "甲市委").await;
    let office_b = city_office(&app, "office_b", "乙市委").await;
    app.add_user("office", "省委巡视办", "office", Some("省委"))
        .await;
    let top = app.api_token("office", PASSWORD).await;
    for (city, unit, team, token, about) in [
        (
            "甲市委",
            "甲市财政局",
            "甲市委第一巡察组",
            &office_a,
            "张某",
        ),
        (
            "乙市委",
            "乙市财政局",
            "乙市委第一巡察组",
            &office_b,
            "李某",
        ),
    ] {
        let insp = app.prepared_inspection(city, unit, team).await;
        app.move_inspection(insp, Stage::OnSite, Some("2019-05-06"))
            .await;
        let clue = json!({
            "about_name": about, "summary": format!("反映{about}违规收受礼金"),
            "source": "letter", "confidentiality": "secret", "kind": "other"
        });
        let (s, body) = app
            .api_post(
                &format!("/api/v1/inspections/{insp}/clues"),
                Some(token),
                clue,
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{body}");
    }
    xunshi_search::catch_up(&app.services, &index)
        .await
        .expect("the index follows the trail");

    // Each city's office finds its own inspection's clue, the province's office both.
    let found = |token: String| {
        let app = &app;
        async move {
            let (s, body) = app.api_get("/api/v1/search?q=礼金", &token).await;
            assert_eq!(s, StatusCode::OK, "{body}");
            let mut titles: Vec<String> = body["items"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .map(|i| i["title"].as_str().unwrap_or_default().to_owned())
                .collect();
            titles.sort();
            titles
        }
    };
    assert_eq!(found(office_a).await, ["张某 "]);
    assert_eq!(found(office_b).await, ["李某 "]);
    assert_eq!(found(top).await, ["张某 ", "李某 "]);
}
