//! Idempotent submissions: a page form sent twice with its key (a double click) and an API
//! create repeated with the same `Idempotency-Key` make one record and get the first answer.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, TestApp, assert_api_error, detail_fields, input_value};

#[tokio::test]
async fn a_page_form_sent_twice_makes_one_record_and_the_same_redirect() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let mut browser = app.login_form("wangli", PASSWORD).await;
    let form = browser.get("/units/new").await;
    let csrf = input_value(&form.body, "_csrf").expect("the form's CSRF token");
    let idem = input_value(&form.body, "_idem").expect("the form's idempotency key");
    assert!(!idem.is_empty());
    let fields = [
        ("name", "自治区审计厅"),
        ("kind", "department"),
        ("level", "provincial"),
        ("_idem", idem.as_str()),
    ];
    let first = browser
        .post_form_with_token("/units", Some(&csrf), &fields)
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let again = browser
        .post_form_with_token("/units", Some(&csrf), &fields)
        .await;
    assert_eq!(again.status, StatusCode::SEE_OTHER, "{}", again.body);
    assert_eq!(again.location(), first.location(), "the same redirect");
    assert_eq!(app.unit_names().await, ["自治区审计厅"]);

    // A form shown again has a new key: sending it is a new submission (here refused as a
    // duplicate name, which the repeat above was not).
    let form = browser.get("/units/new").await;
    let fresh = input_value(&form.body, "_idem").expect("a key");
    assert_ne!(fresh, idem, "each showing of a form has its own key");
    let resp = browser
        .post_form_with_token(
            "/units",
            Some(&csrf),
            &[
                ("name", "自治区审计厅"),
                ("kind", "department"),
                ("level", "provincial"),
                ("_idem", fresh.as_str()),
            ],
        )
        .await;
    assert_ne!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(app.unit_names().await.len(), 1);

    // A key that is not one is refused.
    let resp = browser
        .post_form_with_token(
            "/units",
            Some(&csrf),
            &[("name", "自治区统计局"), ("_idem", "not a key!")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.body);
}

async fn post_keyed(
    app: &TestApp,
    token: &str,
    key: Option<&str>,
    body: &Value,
) -> (StatusCode, String) {
    let mut req = Request::post("/api/v1/units")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(k) = key {
        req = req.header("Idempotency-Key", k);
    }
    let resp = app
        .send(req.body(Body::from(body.to_string())).unwrap())
        .await;
    (resp.status, resp.body)
}

#[tokio::test]
async fn an_api_create_repeated_with_its_key_answers_the_same_and_creates_once() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let token = app.api_token("wangli", PASSWORD).await;
    let body = json!({ "name": "自治区审计厅", "kind": "department", "level": "provincial" });

    let (s1, b1) = post_keyed(&app, &token, Some("create-audit-office"), &body).await;
    assert_eq!(s1, StatusCode::CREATED, "{b1}");
    let (s2, b2) = post_keyed(&app, &token, Some("create-audit-office"), &body).await;
    assert_eq!(s2, StatusCode::CREATED, "{b2}");
    assert_eq!(b2, b1, "the same JSON");
    assert_eq!(app.unit_names().await, ["自治区审计厅"]);

    // Sent at the same moment (a client retrying over a slow line): one record, one answer.
    let body2 = json!({ "name": "自治区统计局", "kind": "department", "level": "provincial" });
    let (a, b) = tokio::join!(
        post_keyed(&app, &token, Some("k-stats"), &body2),
        post_keyed(&app, &token, Some("k-stats"), &body2)
    );
    assert_eq!(a.0, StatusCode::CREATED, "{}", a.1);
    assert_eq!(b.0, StatusCode::CREATED, "{}", b.1);
    assert_eq!(a.1, b.1);
    assert_eq!(app.unit_names().await.len(), 2);

    // Without a key the call is not idempotent: the repeat is a new request.
    let (s3, b3) = post_keyed(&app, &token, None, &body).await;
    assert_ne!(s3, StatusCode::CREATED, "{b3}");

    // A key that is not one is refused with the error body, naming the header.
    let (s4, b4) = post_keyed(&app, &token, Some("bad key"), &body).await;
    assert_eq!(s4, StatusCode::BAD_REQUEST, "{b4}");
    let v: Value = serde_json::from_str(&b4).unwrap();
    assert_api_error(&v, "bad_input");
    assert_eq!(detail_fields(&v), ["Idempotency-Key"]);
}
