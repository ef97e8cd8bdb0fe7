//! Planning and inspections through the API and the pages: the office plans a round and an
//! inspection, only allowed roles move its stage, and the inspected unit sees nothing of it
//! before feedback.

use axum::http::{Method, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_api_error};

/// A committee and a department, and the office's token; returns (token, inspection id).
async fn planned(app: &TestApp) -> (String, String) {
    app.add_user("office1", "巡视办", "office", None).await;
    let office = app.api_token("office1", PASSWORD).await;
    let (s, committee) = app
        .api_post(
            "/api/v1/units",
            Some(&office),
            json!({"name": "自治区党委", "kind": "committee", "level": "provincial"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{committee}");
    let (s, _) = app
        .api_post(
            "/api/v1/units",
            Some(&office),
            json!({"name": "自治区党委宣传部", "kind": "department", "level": "provincial", "parent_id": committee["id"]}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, term) = app
        .api_post(
            "/api/v1/terms",
            Some(&office),
            json!({"name": "十一届", "dispatcher": "自治区党委", "starts_on": "2016-11-18"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{term}");
    let (s, plan) = app
        .api_post(
            "/api/v1/plans",
            Some(&office),
            json!({"term_id": term["id"], "year": 2019, "title": "2019年巡视工作计划"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{plan}");
    let (s, round) = app
        .api_post(
            "/api/v1/rounds",
            Some(&office),
            json!({"plan_id": plan["id"], "number": 7}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{round}");
    let (s, insp) = app
        .api_post(
            "/api/v1/inspections",
            Some(&office),
            json!({"round_id": round["id"], "team_name": "第三巡视组", "targets": ["自治区党委宣传部"], "kind": "routine",
                   "planned_entry": "2019-09-18", "planned_exit": "2019-12-18"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{insp}");
    assert_eq!(insp["targets"][0]["name"], "自治区党委宣传部");
    assert_eq!(insp["stage"], "planning");
    (office, insp["id"].as_str().unwrap().to_owned())
}

async fn stage(
    app: &TestApp,
    token: &str,
    id: &str,
    to: &str,
    date: Option<&str>,
) -> (StatusCode, Value) {
    let (_, now) = app
        .api_get(&format!("/api/v1/inspections/{id}"), token)
        .await;
    let version = now["version"].as_i64().unwrap_or(0);
    app.api(
        Method::POST,
        &format!("/api/v1/inspections/{id}/stage"),
        Some(token),
        Some(&json!({"version": version, "to": to, "date": date})),
    )
    .await
}

#[tokio::test]
async fn only_allowed_roles_move_an_inspection_along_allowed_edges() {
    let app = TestApp::spawn().await;
    let (office, id) = planned(&app).await;
    app.add_user("leader1", "领导", "leadership", None).await;
    let leader = app.api_token("leader1", PASSWORD).await;

    let (s, body) = stage(&app, &leader, &id, "preparation", None).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_api_error(&body, "forbidden");
    let (s, body) = stage(&app, &office, &id, "on_site", None).await;
    assert_eq!(
        s,
        StatusCode::UNPROCESSABLE_ENTITY,
        "planning cannot jump to on site: {body}"
    );
    let (s, _) = stage(&app, &office, &id, "preparation", None).await;
    assert_eq!(s, StatusCode::OK);
    let (s, body) = stage(&app, &office, &id, "on_site", Some("2019-09-18")).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["dates"]["entry"], "2019-09-18");
    let (s, body) = app
        .api(
            Method::POST,
            &format!("/api/v1/inspections/{id}/stage"),
            Some(&office),
            Some(&json!({"version": 1, "to": "reporting"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "a stale version: {body}");

    // The same refusal through the page, with a valid CSRF token.
    let mut page = app.login_form("leader1", PASSWORD).await;
    let token = page.csrf_token(&format!("/inspections/{id}")).await;
    let resp = page
        .post_form_with_token(
            &format!("/inspections/{id}/stage"),
            Some(&token),
            &[
                ("version", "3"),
                ("to", "reporting"),
                ("date", "2019-12-18"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    let (_, now) = app
        .api_get(&format!("/api/v1/inspections/{id}"), &office)
        .await;
    assert_eq!(now["stage"], "on_site", "nothing moved");
}

#[tokio::test]
async fn the_inspected_unit_sees_nothing_before_feedback() {
    let app = TestApp::spawn().await;
    let (_, id) = planned(&app).await;
    app.add_user(
        "liaison1",
        "联络员",
        "unit_liaison",
        Some("自治区党委宣传部"),
    )
    .await;
    let liaison = app.api_token("liaison1", PASSWORD).await;
    let (s, list) = app.api_get("/api/v1/inspections", &liaison).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "{list}");
    let (s, body) = app
        .api_get(&format!("/api/v1/inspections/{id}"), &liaison)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
    let mut page = app.login_form("liaison1", PASSWORD).await;
    assert_eq!(
        page.get(&format!("/inspections/{id}")).await.status,
        StatusCode::NOT_FOUND
    );
}

/// Past the entered holiday arrangements the API still answers, counting weekends only, and
/// says the date is provisional and why; once the office enters the year the same question
/// gets the date the holidays give, firm.
#[tokio::test]
async fn the_calendar_computes_working_day_deadlines_provisionally_past_the_entered_years() {
    let app = TestApp::spawn().await;
    app.add_user("office1", "巡视办", "office", None).await;
    let office = app.api_token("office1", PASSWORD).await;
    let (s, body) = app
        .api_get(
            "/api/v1/calendar/working-days?from=2020-03-25&days=15",
            &office,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["due"], "2020-04-16");
    assert_eq!(body["provisional"], false, "{body}");
    assert!(body["reason"].is_null(), "{body}");
    // Mon 28 December 2026: 29–31 December, then 2027 by weekends: Fri 1 January, 4–8, 11–15
    // and Mon 18 January.
    let late = "/api/v1/calendar/working-days?from=2026-12-28&days=15";
    let (s, body) = app.api_get(late, &office).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["due"], "2027-01-18");
    assert_eq!(body["provisional"], true, "{body}");
    assert_eq!(body["reason"], "2027年节假日安排尚未录入，按周末推算");

    let (s, body) = app
        .api_put(
            "/api/v1/calendar/2027",
            &office,
            json!({"source": "国务院办公厅关于2027年部分节假日安排的通知",
                   "csv": "date,kind,festival\n2027-01-01,holiday,元旦\n"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["recounted"], 0, "no clock runs here: {body}");
    // A day of a kind that is not known is refused naming the kinds in words too.
    let (s, bad) = app
        .api_put(
            "/api/v1/calendar/2027",
            &office,
            json!({"source": "通知", "csv": "date,kind,festival\n2027-02-01,rest,春节\n"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert_eq!(
        bad["error"]["details"][0]["message"],
        "类型“rest”无效，应为 holiday（放假，也可写“休”）或 workday（调休上班，也可写“班”）",
        "{bad}"
    );
    let (s, body) = app.api_get(late, &office).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(body["due"], "2027-01-19", "New Year's Day is off now");
    assert_eq!(body["provisional"], false, "{body}");
    assert!(body["reason"].is_null(), "{body}");

    // A count no rule could ask for is refused naming the parameter.
    let (s, body) = app
        .api_get(
            "/api/v1/calendar/working-days?from=2020-03-25&days=5000",
            &office,
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "days", "{body}");
}

/// A look-back link (回头看) belongs to a look-back inspection only: on a routine one it is
/// refused with 422 (a rule between two fields) naming the field, through the API and on the
/// page alike.
#[tokio::test]
async fn a_look_back_link_is_refused_on_a_routine_inspection() {
    let app = TestApp::spawn().await;
    let (office, insp) = planned(&app).await;
    let (_, first) = app
        .api_get(&format!("/api/v1/inspections/{insp}"), &office)
        .await;
    let round = first["round_id"].as_str().unwrap().to_owned();
    let (s, body) = app
        .api_post(
            "/api/v1/inspections",
            Some(&office),
            json!({"round_id": round, "team_name": "第五巡视组", "targets": ["自治区党委宣传部"],
                   "kind": "routine", "look_back_of": insp}),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_api_error(&body, "rule_refused");
    assert_eq!(body["error"]["details"][0]["field"], "look_back_of");
    let mut browser = app.login_form("office1", PASSWORD).await;
    let csrf = browser.csrf_token("/inspections/new").await;
    let resp = browser
        .post_form_with_token(
            "/inspections",
            Some(&csrf),
            &[
                ("round_id", round.as_str()),
                ("team_name", "第五巡视组"),
                ("target1", "自治区党委宣传部"),
                ("kind", "routine"),
                ("look_back_of", insp.as_str()),
            ],
        )
        .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    assert!(
        resp.body.contains("只有“回头看”巡视才能关联原巡视"),
        "{}",
        resp.body
    );
    let (_, list) = app.api_get("/api/v1/inspections", &office).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        1,
        "nothing created"
    );
}

#[tokio::test]
async fn the_inspection_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let app = TestApp::spawn().await;
    let (office, first) = planned(&app).await;
    let (_, insp) = app
        .api_get(&format!("/api/v1/inspections/{first}"), &office)
        .await;
    let committee = insp["dispatcher"]["id"].clone();
    for name in ["自治区教育厅", "自治区卫生健康委"] {
        let (s, u) = app
            .api_post(
                "/api/v1/units",
                Some(&office),
                json!({"name": name, "kind": "department", "level": "provincial", "parent_id": committee}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{u}");
    }
    let mut ids = vec![first];
    for (team, unit, entry) in [
        ("第一巡视组", "自治区教育厅", "2019-09-10"),
        ("第二巡视组", "自治区卫生健康委", "2019-09-25"),
    ] {
        let (s, i) = app
            .api_post(
                "/api/v1/inspections",
                Some(&office),
                json!({"round_id": insp["round_id"], "team_name": team, "targets": [unit], "kind": "routine",
                       "planned_entry": entry, "planned_exit": "2019-12-18"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{i}");
        ids.push(i["id"].as_str().unwrap().to_owned());
    }
    let got = |body: &Value| -> Vec<String> {
        body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    // By the day of entry, one a page: every page continues where its cursor says, with the
    // total of the whole list.
    let by_entry = vec![ids[1].clone(), ids[0].clone(), ids[2].clone()];
    let mut seen = Vec::new();
    let mut path = "/api/v1/inspections?sort=entry&limit=1".to_owned();
    loop {
        let (status, page) = app.api_get(&path, &office).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 3);
        seen.extend(got(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/inspections?sort=entry&limit=1&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, by_entry);
    // By team, descending (一 < 三 < 二 as text), two a page, and back from the second page
    // to the first.
    let (_, one) = app
        .api_get("/api/v1/inspections?sort=-team&limit=2", &office)
        .await;
    assert_eq!(got(&one), [ids[2].clone(), ids[0].clone()]);
    assert!(one["prev_cursor"].is_null());
    let c = one["next_cursor"].as_str().unwrap().to_owned();
    let (_, two) = app
        .api_get(
            &format!("/api/v1/inspections?sort=-team&limit=2&cursor={c}"),
            &office,
        )
        .await;
    assert_eq!(got(&two), [ids[1].clone()]);
    let p = two["prev_cursor"].as_str().unwrap();
    let (_, back) = app
        .api_get(
            &format!("/api/v1/inspections?sort=-team&limit=2&cursor={p}"),
            &office,
        )
        .await;
    assert_eq!(got(&back), got(&one));
    // A cursor of one order is refused under another (422), an unknown order is named (400).
    let (status, body) = app
        .api_get(
            &format!("/api/v1/inspections?sort=stage&cursor={c}"),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(crate::helpers::detail_fields(&body), ["cursor"]);
    let (status, body) = app.api_get("/api/v1/inspections?sort=name", &office).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(crate::helpers::detail_fields(&body), ["sort"]);
    // The text filter: part of a unit's name or of a team's name.
    let (_, found) = app
        .api_get("/api/v1/inspections?q=%E6%95%99%E8%82%B2", &office)
        .await;
    assert_eq!(
        (got(&found), found["total"].clone()),
        (vec![ids[1].clone()], json!(1))
    );
    let (_, found) = app
        .api_get("/api/v1/inspections?q=%E7%AC%AC%E4%BA%8C", &office)
        .await;
    assert_eq!(got(&found), [ids[2].clone()]);

    // The page reads the same parameters: the headings sort, the total and pages are shown.
    let mut b = app.login_form("office1", PASSWORD).await;
    let page = b.get("/inspections?sort=entry&limit=20").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 3 项，第 1 / 1 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按进驻时间排序").unwrap();
    assert!(heading.contains("sort=-entry"), "{heading}");
    let at = |body: &str, team: &str| body.find(&format!(">{team}<")).unwrap();
    assert!(at(&page.body, "第一巡视组") < at(&page.body, "第三巡视组"));
    let flipped = b.get(&heading).await;
    assert!(at(&flipped.body, "第三巡视组") < at(&flipped.body, "第一巡视组"));
    let page = b.get("/inspections?sort=team&limit=2").await;
    assert!(page.body.contains("共 3 项，第 1 / 2 页"), "{}", page.body);
    let next = crate::helpers::link_with(&page.body, "rel=\"next\"").unwrap();
    let second = b.get(&next).await;
    assert!(second.body.contains("第 2 / 2 页"), "{}", second.body);
    let page = b.get("/inspections?q=%E5%8D%AB%E7%94%9F").await;
    assert!(page.body.contains("共 1 项") && page.body.contains(">第二巡视组<"));
    let refused = b.get("/inspections?sort=name").await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST);
    assert!(refused.body.contains("不是可用的排序"), "{}", refused.body);
}
