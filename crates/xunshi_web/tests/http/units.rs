//! The organisation tree and the accounts through both faces: stale updates, bad input,
//! paging, sorting, escaping.

use std::collections::BTreeSet;

use axum::http::StatusCode;
use serde_json::{Value, json};
use xunshi_core::org::UnitInput;
use xunshi_core::permission::Actor;

use crate::helpers::{PASSWORD, TestApp, assert_api_error, detail_fields, input_value};

async fn app_with_office_user() -> TestApp {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    app
}

#[tokio::test]
async fn a_stale_update_through_the_api_is_refused_with_409() {
    let app = app_with_office_user().await;
    let token = app.api_token("wangli", PASSWORD).await;
    let (status, unit) = app
        .api_post(
            "/api/v1/units",
            Some(&token),
            json!({ "name": "自治区财政厅", "kind": "department", "level": "provincial" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{unit}");
    assert_eq!(unit["version"], 1);
    let path = format!("/api/v1/units/{}", unit["id"].as_str().unwrap());

    // Two people read version 1; the first saves.
    let (status, first) = app
        .api_put(
            &path,
            &token,
            json!({ "version": 1, "name": "自治区财政厅（改）", "kind": "department", "level": "provincial" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["version"], 2);

    // The second, still on version 1, is refused instead of overwriting the first.
    let (status, body) = app
        .api_put(
            &path,
            &token,
            json!({ "version": 1, "name": "覆盖他人修改", "kind": "affiliated", "level": "city" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_api_error(&body, "stale_version");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("已被他人修改"), "{message}");

    let (_, stored) = app.api_get(&path, &token).await;
    assert_eq!(stored["name"], "自治区财政厅（改）");
    assert_eq!(stored["kind"], "department");
    assert_eq!(stored["version"], 2);
    assert_eq!(app.audit_with_action("unit_updated").await.len(), 1);
}

#[tokio::test]
async fn a_stale_update_through_the_page_shows_the_form_again_with_409() {
    let app = app_with_office_user().await;
    let unit = app.add_unit("自治区财政厅").await;
    let mut browser = app.login_form("wangli", PASSWORD).await;

    let edit = browser.get(&format!("/units/{}/edit", unit.id)).await;
    assert_eq!(edit.status, StatusCode::OK, "{}", edit.body);
    let version = input_value(&edit.body, "version").expect("the form carries the version");
    let csrf = input_value(&edit.body, "_csrf").expect("the form carries the CSRF token");
    assert_eq!(version, "1");

    // Someone else saves while the form is open.
    let input = UnitInput {
        name: "自治区财政厅（他人修改）".into(),
        kind: "department".into(),
        level: "provincial".into(),
        parent_id: None,
    };
    app.services
        .update_unit(&Actor::system(), unit.id, 1, &input)
        .await
        .expect("the other edit");

    let resp = browser
        .post_form_with_token(
            &format!("/units/{}", unit.id),
            Some(&csrf),
            &[
                ("version", version.as_str()),
                ("name", "我的修改"),
                ("kind", "affiliated"),
                ("level", "city"),
                ("parent_id", ""),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::CONFLICT, "{}", resp.body);
    assert!(resp.body.contains("已被他人修改"), "{}", resp.body);
    assert!(
        resp.body.contains("value=\"我的修改\""),
        "the form does not keep what the person typed: {}",
        resp.body
    );

    let stored = app
        .services
        .get_unit(&Actor::system(), unit.id)
        .await
        .unwrap();
    assert_eq!(stored.name, "自治区财政厅（他人修改）");
    assert_eq!(stored.version, 2);
}

#[tokio::test]
async fn bad_input_is_refused_with_400_naming_each_field() {
    let app = app_with_office_user().await;
    let token = app.api_token("wangli", PASSWORD).await;

    let (status, body) = app
        .api_post(
            "/api/v1/units",
            Some(&token),
            json!({ "name": "  ", "kind": "ministry", "level": "provincial", "parent_id": "nope" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_api_error(&body, "bad_input");
    assert_eq!(
        detail_fields(&body),
        ["name", "kind", "parent_id"],
        "{body}"
    );
    for d in body["error"]["details"].as_array().unwrap() {
        assert!(
            d["message"].as_str().is_some_and(|m| !m.is_empty()),
            "a field without a message: {d}"
        );
    }

    let mut browser = app.login_form("wangli", PASSWORD).await;
    let resp = browser
        .post_form(
            "/units",
            &[("name", ""), ("kind", "ministry"), ("level", "provincial")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.body);
    assert!(resp.body.contains("请填写单位名称"), "{}", resp.body);
    assert!(resp.body.contains("无效取值“ministry”"), "{}", resp.body);

    assert!(
        app.unit_names().await.is_empty(),
        "bad input created a unit"
    );
}

#[tokio::test]
async fn paging_by_cursor_visits_every_unit_once() {
    let app = app_with_office_user().await;
    let mut created = BTreeSet::new();
    for i in 1..=5 {
        created.insert(app.add_unit(&format!("第{i}单位")).await.id.to_string());
    }
    let token = app.api_token("wangli", PASSWORD).await;

    let mut seen = Vec::new();
    let mut pages = 0;
    let mut path = "/api/v1/units?limit=2".to_owned();
    loop {
        let (status, page) = app.api_get(&path, &token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 2, "more than the limit: {page}");
        seen.extend(items.iter().map(|u| u["id"].as_str().unwrap().to_owned()));
        match &page["next_cursor"] {
            Value::String(c) => path = format!("/api/v1/units?limit=2&cursor={c}"),
            Value::Null => break,
            other => panic!("next_cursor is {other}"),
        }
        assert!(pages < 10, "paging does not end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 5, "a unit was visited twice: {seen:?}");
    assert_eq!(seen.into_iter().collect::<BTreeSet<_>>(), created);

    let (status, body) = app.api_get("/api/v1/units?limit=0", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(detail_fields(&body), ["limit"]);
    // A cursor is any text to the schema; one the list did not issue is refused by what it
    // names (422), as every sorted list's is.
    let (status, body) = app.api_get("/api/v1/units?cursor=garbage", &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(detail_fields(&body), ["cursor"]);
}

#[tokio::test]
async fn a_unit_name_with_markup_is_shown_escaped() {
    let app = app_with_office_user().await;
    let unit = app.add_unit("<script>alert(1)</script>").await;
    let mut browser = app.login_form("wangli", PASSWORD).await;

    for path in ["/units".to_owned(), format!("/units/{}", unit.id)] {
        let page = browser.get(&path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}: {}", page.body);
        assert!(
            !page.body.contains("<script>alert(1)</script>"),
            "{path} shows the name unescaped: {}",
            page.body
        );
        assert!(
            page.body
                .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
                || page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{path} does not show the name at all: {}",
            page.body
        );
    }

    // The API returns data, not markup: the name comes back exactly as stored.
    let token = app.api_token("wangli", PASSWORD).await;
    let (_, stored) = app
        .api_get(&format!("/api/v1/units/{}", unit.id), &token)
        .await;
    assert_eq!(stored["name"], "<script>alert(1)</script>");
}

/// The names of a list's items under `field`, in the order listed.
fn listed(page: &Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|u| u[field].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn the_unit_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let app = app_with_office_user().await;
    for name in ["第3单位", "第1单位", "第2单位", "第5单位", "第4单位"] {
        app.add_unit(name).await;
    }
    let gone = app.add_unit("第6单位").await;
    app.services
        .withdraw_unit(&Actor::system(), gone.id, gone.version, "机构改革")
        .await
        .expect("withdrawn");
    let token = app.api_token("wangli", PASSWORD).await;

    // As created by default, with the total of the units in force.
    let (status, all) = app.api_get("/api/v1/units", &token).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 5);
    assert_eq!(listed(&all, "name")[0], "第3单位");
    // By name, two a page: every page continues where its cursor says, and the last page's
    // cursor walks back to the same pages.
    let mut seen = Vec::new();
    let mut path = "/api/v1/units?sort=name&limit=2".to_owned();
    let mut cursor = String::new();
    loop {
        let (status, page) = app.api_get(&path, &token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], 5);
        seen.extend(listed(&page, "name"));
        match page["next_cursor"].as_str() {
            Some(c) => {
                cursor = c.to_owned();
                path = format!("/api/v1/units?sort=name&limit=2&cursor={c}");
            }
            None => break,
        }
    }
    assert_eq!(
        seen,
        ["第1单位", "第2单位", "第3单位", "第4单位", "第5单位"]
    );
    let (_, last) = app
        .api_get("/api/v1/units?sort=name&limit=2&cursor=p.name", &token)
        .await;
    assert_eq!(listed(&last, "name"), ["第5单位"]);
    let back = last["prev_cursor"]
        .as_str()
        .expect("a page before the last");
    let (_, before) = app
        .api_get(
            &format!("/api/v1/units?sort=name&limit=2&cursor={back}"),
            &token,
        )
        .await;
    assert_eq!(listed(&before, "name"), ["第3单位", "第4单位"]);
    let (_, down) = app.api_get("/api/v1/units?sort=-name", &token).await;
    assert_eq!(
        listed(&down, "name"),
        ["第5单位", "第4单位", "第3单位", "第2单位", "第1单位"]
    );
    // Withdrawn units when asked for, sorted after those in force or before them.
    let (_, by_status) = app
        .api_get("/api/v1/units?include_withdrawn=true&sort=-status", &token)
        .await;
    assert_eq!(by_status["total"], 6);
    assert_eq!(listed(&by_status, "name")[0], "第6单位");
    // The text filter, counted.
    let (_, found) = app
        .api_get("/api/v1/units?q=%E7%AC%AC2&sort=name", &token)
        .await;
    assert_eq!(
        (listed(&found, "name"), found["total"].clone()),
        (vec!["第2单位".to_owned()], json!(1))
    );
    // Refusals: an order it does not have and an over-long text (400), a cursor of another
    // order or none it issued (422).
    for (path, status, field) in [
        ("/api/v1/units?sort=size", StatusCode::BAD_REQUEST, "sort"),
        (
            &format!("/api/v1/units?q={}", "a".repeat(101)) as &str,
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            &format!("/api/v1/units?sort=kind&cursor={cursor}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
        (
            "/api/v1/units?sort=name&cursor=garbage",
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = app.api_get(path, &token).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(detail_fields(&body), [field], "{path}");
    }

    // The page reads the same parameters; without any it shows the whole tree, counted.
    let mut browser = app.login_form("wangli", PASSWORD).await;
    let page = browser.get("/units").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 5 个单位"), "{}", page.body);
    let page = browser.get("/units?sort=name&limit=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 5 项，第 1 / 3 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按单位名称排序").unwrap();
    assert!(heading.contains("sort=-name"), "{heading}");
    let next = crate::helpers::link_with(&page.body, "rel=\"next\"").unwrap();
    let page = browser.get(&next).await;
    assert!(
        page.body.contains("第 2 / 3 页") && page.body.contains("第3单位"),
        "{}",
        page.body
    );
    let page = browser.get("/units?q=%E7%AC%AC2").await;
    assert!(
        page.body.contains("共 1 项") && !page.body.contains("第3单位"),
        "{}",
        page.body
    );
    let page = browser.get("/units?sort=size").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("不是可用的排序"), "{}", page.body);
}

#[tokio::test]
async fn the_account_list_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let app = app_with_office_user().await;
    app.add_user("zhao", "赵三", "office", None).await;
    app.add_user("chen", "陈四", "office", None).await;
    app.add_user("baoan", "鲍安", "leadership", None).await;
    let unit = app.add_unit("自治区财政厅").await;
    let liaison = app
        .add_user("liaison.lu", "陆联", "unit_liaison", Some("自治区财政厅"))
        .await;
    assert_eq!(liaison.unit_id, Some(unit.id));
    app.services
        .set_user_disabled(&Actor::system(), liaison.id, liaison.version, true)
        .await
        .expect("disabled");
    let token = app.api_token("wangli", PASSWORD).await;

    let (status, all) = app.api_get("/api/v1/users", &token).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["total"], 5);
    assert_eq!(
        listed(&all, "username"),
        ["wangli", "zhao", "chen", "baoan", "liaison.lu"]
    );
    let (_, by_name) = app
        .api_get("/api/v1/users?sort=username&limit=2", &token)
        .await;
    assert_eq!(listed(&by_name, "username"), ["baoan", "chen"]);
    assert_eq!(by_name["total"], 5);
    let c = by_name["next_cursor"].as_str().expect("more");
    let (_, next) = app
        .api_get(
            &format!("/api/v1/users?sort=username&limit=2&cursor={c}"),
            &token,
        )
        .await;
    assert_eq!(listed(&next, "username"), ["liaison.lu", "wangli"]);
    let (_, down) = app.api_get("/api/v1/users?sort=-username", &token).await;
    assert_eq!(
        listed(&down, "username"),
        ["zhao", "wangli", "liaison.lu", "chen", "baoan"]
    );
    // Disabled last, or first the other way; those of a unit after those of none.
    let (_, disabled) = app.api_get("/api/v1/users?sort=-status", &token).await;
    assert_eq!(listed(&disabled, "username")[0], "liaison.lu");
    let (_, by_unit) = app.api_get("/api/v1/users?sort=-unit", &token).await;
    assert_eq!(listed(&by_unit, "username")[0], "liaison.lu");
    // The text filter (username or name), counted.
    let (_, found) = app.api_get("/api/v1/users?q=%E9%99%88", &token).await;
    assert_eq!(
        (listed(&found, "username"), found["total"].clone()),
        (vec!["chen".to_owned()], json!(1))
    );
    for (path, status, field) in [
        ("/api/v1/users?sort=age", StatusCode::BAD_REQUEST, "sort"),
        (
            &format!("/api/v1/users?q={}", "a".repeat(101)) as &str,
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            &format!("/api/v1/users?sort=name&cursor={c}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = app.api_get(path, &token).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(detail_fields(&body), [field], "{path}");
    }
    let mut browser = app.login_form("wangli", PASSWORD).await;
    let page = browser.get("/users?sort=username&limit=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 5 项，第 1 / 3 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按用户名排序").unwrap();
    assert!(heading.contains("sort=-username"), "{heading}");
    let last = crate::helpers::link_with(&page.body, ">末页").unwrap_or_default();
    assert!(last.contains("cursor=p.username"), "{}", page.body);
    let page = browser.get(&last).await;
    assert!(
        page.body.contains("第 3 / 3 页") && page.body.contains("zhao"),
        "{}",
        page.body
    );
    let page = browser.get("/users?q=%E9%99%88").await;
    assert!(
        page.body.contains("共 1 项") && !page.body.contains("zhao"),
        "{}",
        page.body
    );
    let page = browser.get("/users?sort=age").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("不是可用的排序"), "{}", page.body);
}
