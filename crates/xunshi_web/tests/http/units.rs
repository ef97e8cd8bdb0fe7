//! The organisation tree through both faces: stale updates, bad input, paging, escaping.

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
    let (status, body) = app.api_get("/api/v1/units?cursor=garbage", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
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
