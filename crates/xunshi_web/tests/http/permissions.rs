//! A forbidden action is refused with 403 through the page and through the API alike, because
//! both call the same service, which checks the permission itself; and nothing is created.

use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::{PASSWORD, TestApp, assert_api_error};

/// A unit liaison (联络员) of an inspected unit: may look at the organisation tree, not change it.
async fn app_with_a_liaison() -> TestApp {
    let app = TestApp::spawn().await;
    app.add_unit("某市财政局").await;
    app.add_user("liaison", "李联络", "unit_liaison", Some("某市财政局"))
        .await;
    app
}

#[tokio::test]
async fn a_unit_liaison_cannot_create_a_unit_through_the_page() {
    let app = app_with_a_liaison().await;
    let mut browser = app.login_form("liaison", PASSWORD).await;

    let list = browser.get("/units").await;
    assert_eq!(
        list.status,
        StatusCode::OK,
        "a liaison may look: {}",
        list.body
    );
    assert!(
        !list.body.contains("href=\"/units/new\""),
        "the page offers a button the liaison may not use"
    );

    // A valid CSRF token, so the refusal can only come from the permission check.
    let resp = browser
        .post_form(
            "/units",
            &[
                ("name", "伪造的单位"),
                ("kind", "department"),
                ("level", "city"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(resp.body.contains("无权操作"), "{}", resp.body);
    assert!(resp.body.contains("维护组织机构"), "{}", resp.body);

    assert_eq!(app.unit_names().await, ["某市财政局"], "a unit was created");
    assert_eq!(
        app.audit_with_action("unit_created").await.len(),
        1,
        "only the unit created by the operator is on record"
    );
}

#[tokio::test]
async fn a_unit_liaison_cannot_create_a_unit_through_the_api() {
    let app = app_with_a_liaison().await;
    let token = app.api_token("liaison", PASSWORD).await;

    let (status, units) = app.api_get("/api/v1/units", &token).await;
    assert_eq!(status, StatusCode::OK, "a liaison may look: {units}");

    let (status, body) = app
        .api_post(
            "/api/v1/units",
            Some(&token),
            json!({ "name": "伪造的单位", "kind": "department", "level": "city" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_api_error(&body, "forbidden");

    assert_eq!(app.unit_names().await, ["某市财政局"], "a unit was created");
}

#[tokio::test]
async fn an_office_user_may_not_manage_users_through_either_face() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;

    let token = app.api_token("wangli", PASSWORD).await;
    let (status, body) = app
        .api_post(
            "/api/v1/users",
            Some(&token),
            json!({ "username": "intruder", "password": PASSWORD, "role": "admin" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_api_error(&body, "forbidden");

    let mut browser = app.login_form("wangli", PASSWORD).await;
    let resp = browser
        .post_form(
            "/users",
            &[
                ("username", "intruder"),
                ("password", PASSWORD),
                ("role", "admin"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);

    assert!(
        app.audit_with_action("user_created").await.len() == 1,
        "only wangli was created"
    );
}
