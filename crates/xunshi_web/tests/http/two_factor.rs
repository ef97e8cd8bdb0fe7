//! The second factor on the pages and in the API: set up on 我的账号 → 两步验证 with a code of
//! the app, then asked for by the log-in form and by `POST /auth/token`; the office's
//! requirement holds a session to the set-up page until it is done.

use axum::http::StatusCode;
use serde_json::json;
use xunshi_core::totp;

use crate::helpers::{ManualClock, PASSWORD, TestApp, input_value};

fn code(secret_b32: &str, clock: &ManualClock) -> String {
    let secret = totp::from_base32(secret_b32).unwrap();
    let now = (clock.clock())();
    format!(
        "{:06}",
        totp::code_at(&secret, totp::step_of(now.as_second()), totp::DIGITS)
    )
}

/// Asks the API for a token with the password and, where given, the second factor.
async fn ask_token(
    app: &TestApp,
    username: &str,
    totp: Option<&str>,
) -> (StatusCode, serde_json::Value) {
    let mut body = json!({ "username": username, "password": PASSWORD });
    if let Some(t) = totp {
        body["totp"] = json!(t);
    }
    app.api_post("/api/v1/auth/token", None, body).await
}

/// Asks the API to require the second factor of administrators and the office.
async fn require(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    app.api_put(
        "/api/v1/security",
        token,
        json!({ "two_factor_required": true }),
    )
    .await
}

/// The secret the set-up page shows, from its `<code class="token">`.
fn shown_secret(html: &str) -> String {
    let at = html
        .find("密钥填写：<code class=\"token\">")
        .expect("the secret is shown")
        + "密钥填写：<code class=\"token\">".len();
    html[at..].split('<').next().unwrap().to_owned()
}

#[tokio::test]
async fn set_up_on_the_page_then_the_log_in_form_and_the_api_ask_for_a_code() {
    let clock = ManualClock::new();
    let c = clock.clock();
    let app = TestApp::spawn_with(move |s| s.clock = c).await;
    app.add_user("zhao.lei", "赵磊", "office", None).await;
    let mut me = app.login_form("zhao.lei", PASSWORD).await;

    let resp = me.get("/account/two-factor").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("未启用"), "{}", resp.body);
    let token = me.csrf_token("/account/two-factor").await;
    me.post_form_with_token("/account/two-factor/begin", Some(&token), &[])
        .await
        .assert_redirect_to("/account/two-factor?notice=two_factor_begun");
    let resp = me.get("/account/two-factor").await;
    let secret = shown_secret(&resp.body);
    assert!(resp.body.contains("otpauth://totp/"), "{}", resp.body);

    let resp = me
        .post_form("/account/two-factor/confirm", &[("code", "000000")])
        .await;
    assert_eq!(
        resp.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        resp.body
    );
    assert!(resp.body.contains("动态口令不正确"), "{}", resp.body);
    let resp = me
        .post_form(
            "/account/two-factor/confirm",
            &[("code", &code(&secret, &clock))],
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("恢复码只显示这一次"), "{}", resp.body);
    assert_eq!(resp.body.matches("<li><code class=\"token\">").count(), 10);

    // The log-in form: the password alone is asked for the code, and counted as nothing.
    let mut again = app.browser();
    let resp = again.log_in_with("zhao.lei", PASSWORD, None).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.body);
    assert!(resp.body.contains("两步验证"), "{}", resp.body);
    assert_eq!(
        input_value(&resp.body, "username").as_deref(),
        Some("zhao.lei")
    );
    clock.advance(jiff::SignedDuration::from_secs(30));
    let resp = again
        .log_in_with("zhao.lei", PASSWORD, Some(&code(&secret, &clock)))
        .await;
    resp.assert_redirect_to("/");

    // The API likewise.
    let (status, v) = ask_token(&app, "zhao.lei", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    clock.advance(jiff::SignedDuration::from_secs(30));
    let (status, v) = ask_token(&app, "zhao.lei", Some(&code(&secret, &clock))).await;
    assert_eq!(status, StatusCode::CREATED, "{v}");
    let bearer = v["token"].as_str().unwrap().to_owned();
    let (status, v) = app.api_get("/api/v1/auth/two-factor", &bearer).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["enabled"], true, "{v}");
    assert_eq!(v["recovery_left"], 10, "{v}");
    assert!(v["setup"].is_null(), "the secret is never shown again: {v}");
}

#[tokio::test]
async fn the_requirement_holds_a_session_to_the_set_up_page() {
    let clock = ManualClock::new();
    let c = clock.clock();
    let app = TestApp::spawn_with(move |s| s.clock = c).await;
    app.add_user("chief", "主任", "office", None).await;
    app.add_user("clerk", "干事", "office", None).await;
    let chief = app.api_token("chief", PASSWORD).await;

    // The chief sets it up through the API, then requires it.
    let (status, v) = require(&app, &chief).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let (status, setup) = app
        .api_post("/api/v1/auth/two-factor", Some(&chief), json!({}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{setup}");
    let secret = setup["secret"].as_str().unwrap().to_owned();
    let (status, v) = app
        .api_post(
            "/api/v1/auth/two-factor/confirm",
            Some(&chief),
            json!({ "code": code(&secret, &clock) }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["recovery_codes"].as_array().unwrap().len(), 10);
    let (status, v) = require(&app, &chief).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let (_, v) = app.api_get("/api/v1/security", &chief).await;
    assert_eq!(v["two_factor_required"], true, "{v}");

    // The clerk logs in with the password: every page leads to the set-up page.
    let mut clerk = app.browser();
    clerk
        .log_in_with("clerk", PASSWORD, None)
        .await
        .assert_redirect_to("/account/two-factor");
    clerk
        .get("/rectification/tasks")
        .await
        .assert_redirect_to("/account/two-factor");
    let resp = clerk.get("/account/two-factor").await;
    assert!(
        resp.body.contains("设置完成前，您只能打开本页"),
        "{}",
        resp.body
    );
    let (status, v) = ask_token(&app, "clerk", None).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");

    let token = clerk.csrf_token("/account/two-factor").await;
    clerk
        .post_form_with_token("/account/two-factor/begin", Some(&token), &[])
        .await;
    let secret = shown_secret(&clerk.get("/account/two-factor").await.body);
    let resp = clerk
        .post_form(
            "/account/two-factor/confirm",
            &[("code", &code(&secret, &clock))],
        )
        .await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    let resp = clerk.get("/rectification/tasks").await;
    assert_eq!(
        resp.status,
        StatusCode::OK,
        "the same session goes everywhere now"
    );

    // The security page shows the requirement to the office.
    let resp = clerk.get("/system/security").await;
    assert!(
        resp.body
            .contains("name=\"two_factor_required\" value=\"1\" checked"),
        "{}",
        resp.body
    );
}
