//! The API's answers to requests it cannot serve, its body limit, and its OpenAPI document.

use axum::http::{Method, StatusCode};
use serde_json::Value;
use xunshi_core::page::SortKey;
use xunshi_core::store::{
    AccountabilitySortKey, AuditSortKey, ClueSortKey, DocSortKey, FollowUpSortKey,
    InspectionSortKey, InspectorSortKey, MechanismSortKey, MessageSortKey, ProblemSortKey,
    TaskSortKey, UnitSortKey, UserSortKey,
};

use crate::helpers::{PASSWORD, TestApp, assert_api_error};

#[tokio::test]
async fn an_unknown_api_route_is_404_in_the_error_body() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let token = app.api_token("wangli", PASSWORD).await;

    for token in [None, Some(token.as_str())] {
        let (status, body) = app
            .api(Method::GET, "/api/v1/no-such-thing", token, None)
            .await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
        assert_api_error(&body, "not_found");
    }

    let (status, body) = app
        .api(Method::GET, "/api/v1/units/not-an-id", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_api_error(&body, "not_found");

    let (status, body) = app
        .api(Method::PATCH, "/api/v1/units", Some(&token), None)
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_api_error(&body, "method_not_allowed");
}

#[tokio::test]
async fn malformed_json_is_400_in_the_error_body() {
    let app = TestApp::spawn().await;

    let (status, body) = app
        .api_post_raw(
            "/api/v1/auth/token",
            r#"{"username": "wangli", "password": "#,
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_api_error(&body, "bad_input");

    // Well-formed JSON of the wrong shape is bad input too.
    let (status, body) = app
        .api_post_raw("/api/v1/auth/token", r#"{"username": 42}"#)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_api_error(&body, "bad_input");
}

#[tokio::test]
async fn json_numbers_are_read_as_json_defines_them_and_enums_by_their_codes() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let token = app.api_token("wangli", PASSWORD).await;

    // JSON has one kind of number: 6.0 is 6, and the document's `integer` allows it.
    let (status, body) = app
        .api_put(
            "/api/v1/rectify-settings",
            &token,
            serde_json::json!({"version": 1.0, "warn_days": 6.0}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = app
        .api_put(
            "/api/v1/rectify-settings",
            &token,
            serde_json::json!({"version": 2, "warn_days": 6.5}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_api_error(&body, "bad_input");

    // A level is written back with the code it was given, the one the document lists.
    let (status, body) = app
        .api_post(
            "/api/v1/units",
            Some(&token),
            serde_json::json!({"name": "广西大学", "kind": "affiliated", "level": "enterprise_university"}),
        )
        .await;
    assert!(status.is_success(), "{status} {body}");
    assert_eq!(body["level"], "enterprise_university", "{body}");
}

/// A log-in request of exactly `len` bytes, padded in the token name.
fn token_request_of_len(len: usize) -> String {
    let frame = r#"{"username":"nobody","password":"Wrong-Horse-9","name":""}"#;
    let padded = format!(
        r#"{{"username":"nobody","password":"Wrong-Horse-9","name":"{}"}}"#,
        "x".repeat(len - frame.len())
    );
    assert_eq!(padded.len(), len);
    padded
}

#[tokio::test]
async fn an_api_body_over_the_limit_is_413_and_one_at_the_limit_is_read() {
    let app = TestApp::spawn().await;
    let limit = app.config.form_limit;

    // At the limit the body is parsed: the answer is about the credentials, not the size.
    let (status, body) = app
        .api_post_raw("/api/v1/auth/token", token_request_of_len(limit))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_api_error(&body, "unauthenticated");

    let (status, body) = app
        .api_post_raw("/api/v1/auth/token", token_request_of_len(limit + 1))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_api_error(&body, "too_large");
}

#[tokio::test]
async fn a_form_over_the_limit_is_413_and_one_at_the_limit_is_read() {
    let app = TestApp::spawn().await;
    let limit = app.config.form_limit;
    let mut browser = app.browser();
    let csrf = browser.csrf_token("/login").await;
    let form_of_len = |len: usize| {
        let head = format!("_csrf={csrf}&username=nobody&password=Wrong-Horse-9&pad=");
        let body = format!("{head}{}", "x".repeat(len - head.len()));
        assert_eq!(body.len(), len);
        body
    };

    let resp = browser.post_encoded("/login", form_of_len(limit)).await;
    assert_eq!(
        resp.status,
        StatusCode::UNAUTHORIZED,
        "a form at the limit was not read: {}",
        resp.body
    );

    let resp = browser.post_encoded("/login", form_of_len(limit + 1)).await;
    assert_eq!(resp.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", resp.body);
    assert!(resp.body.contains("提交内容过大"), "{}", resp.body);
}

/// The whole document, as reviewed: any change to a path, a parameter, a schema or a status
/// shows in the snapshot file (`tests/http/snapshots/`) and must be accepted there, with
/// `cargo insta review` or by moving the `.snap.new` file written beside it over the old one.
#[tokio::test]
async fn the_openapi_document_is_the_reviewed_snapshot() {
    let app = TestApp::spawn().await;
    let resp = app.get("/api/v1/openapi.json").await;
    assert_eq!(resp.status, StatusCode::OK);
    let doc: Value = serde_json::from_str(&resp.body).expect("the document is JSON");
    insta::assert_json_snapshot!("openapi", doc);
}

#[tokio::test]
async fn the_openapi_document_describes_the_api() {
    let app = TestApp::spawn().await;
    let resp = app.get("/api/v1/openapi.json").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(
        resp.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json")
    );
    let doc: Value = serde_json::from_str(&resp.body).expect("the document is JSON");
    assert!(
        doc["openapi"].as_str().is_some_and(|v| v.starts_with('3')),
        "not an OpenAPI 3 document: {}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().expect("the document lists paths");
    for p in [
        "/units",
        "/units/{id}",
        "/users",
        "/auth/token",
        "/auth/tokens/{id}",
        "/me",
        "/audit",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} is missing; listed: {:?}",
            paths.keys().collect::<Vec<_>>()
        );
    }
    assert!(
        paths["/units"]["post"].is_object(),
        "POST /units is not described"
    );
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object(),
        "the bearer scheme is not described"
    );
}

/// The codes of a list's orders, as its `sort` parameter's pattern must read them.
fn sort_pattern<K: SortKey>() -> String {
    let codes: Vec<&str> = K::all().iter().map(|k| k.as_str()).collect();
    format!("^-?({})$", codes.join("|"))
}

/// Every sorted list's `sort` parameter names exactly the orders its store offers: a column
/// added to a list and not to its documented pattern (or the other way) fails here.
#[tokio::test]
async fn every_sort_parameter_names_the_orders_of_its_list() {
    let app = TestApp::spawn().await;
    let resp = app.get("/api/v1/openapi.json").await;
    let doc: Value = serde_json::from_str(&resp.body).expect("the document is JSON");
    let lists = [
        ("/units", sort_pattern::<UnitSortKey>()),
        ("/users", sort_pattern::<UserSortKey>()),
        ("/audit", sort_pattern::<AuditSortKey>()),
        ("/inspections", sort_pattern::<InspectionSortKey>()),
        ("/clues", sort_pattern::<ClueSortKey>()),
        ("/messages", sort_pattern::<MessageSortKey>()),
        (
            "/inspections/{id}/problems",
            sort_pattern::<ProblemSortKey>(),
        ),
        ("/inspectors", sort_pattern::<InspectorSortKey>()),
        ("/tasks", sort_pattern::<TaskSortKey>()),
        ("/tasks.xlsx", sort_pattern::<TaskSortKey>()),
        ("/rectification-reports", sort_pattern::<DocSortKey>()),
        ("/public-notices", sort_pattern::<DocSortKey>()),
        ("/followups", sort_pattern::<FollowUpSortKey>()),
        ("/accountability", sort_pattern::<AccountabilitySortKey>()),
        ("/mechanisms", sort_pattern::<MechanismSortKey>()),
    ];
    for (path, pattern) in &lists {
        let params = doc["paths"][*path]["get"]["parameters"]
            .as_array()
            .unwrap_or_else(|| panic!("GET {path} has no parameters"));
        let sort = params
            .iter()
            .find(|p| p["name"] == "sort")
            .unwrap_or_else(|| panic!("GET {path} takes no sort"));
        assert_eq!(sort["schema"]["pattern"], pattern.as_str(), "GET {path}");
    }
    // And no list takes a sort this table does not hold.
    let listed: Vec<&str> = lists.iter().map(|(p, _)| *p).collect();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        let takes_sort = ops["get"]["parameters"]
            .as_array()
            .is_some_and(|ps| ps.iter().any(|p| p["name"] == "sort"));
        assert!(!takes_sort || listed.contains(&path.as_str()), "GET {path}");
    }
}
