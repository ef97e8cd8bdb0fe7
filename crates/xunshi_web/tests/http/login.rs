//! Logging in through the form and the API, wrong passwords, lock-out, the initial password that
//! must be changed, and API tokens.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use jiff::SignedDuration;
use serde_json::json;

use crate::helpers::{
    ManualClock, PASSWORD, SESSION_COOKIE, TestApp, TestResponse, assert_api_error, from_address,
    input_value,
};

#[tokio::test]
async fn logging_in_through_the_form_opens_a_session_and_greets_the_person() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let mut browser = app.browser();

    let login_page = browser.get("/login").await;
    assert_eq!(login_page.status, StatusCode::OK);
    assert!(login_page.body.contains("用户登录"), "{}", login_page.body);
    // The page may not be framed by another site, nor load scripts from elsewhere.
    assert_eq!(login_page.headers["x-frame-options"], "DENY");
    let csp = login_page.headers["content-security-policy"]
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");

    let resp = browser.log_in("wangli", PASSWORD).await;
    resp.assert_redirect_to("/");
    let cookie = resp
        .set_cookie(SESSION_COOKIE)
        .expect("the log-in sets the session cookie");
    assert!(cookie.contains("HttpOnly"), "session cookie: {cookie}");
    assert!(
        cookie.contains("SameSite=Strict"),
        "session cookie: {cookie}"
    );
    assert!(cookie.contains("Path=/"), "session cookie: {cookie}");

    let home = browser.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(
        home.body.contains("王丽，您好"),
        "the home page does not greet the person: {}",
        home.body
    );
}

#[tokio::test]
async fn pages_without_a_session_send_the_person_to_log_in() {
    let app = TestApp::spawn().await;
    let resp = app.get("/units").await;
    resp.assert_redirect_to("/login?next=%2Funits");
}

#[tokio::test]
async fn after_logging_in_the_person_returns_to_the_page_asked_for_but_never_off_site() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;

    let mut browser = app.browser();
    let page = browser.get("/login?next=%2Funits").await;
    assert_eq!(input_value(&page.body, "next").as_deref(), Some("/units"));
    browser
        .post_form(
            "/login?next=%2Funits",
            &[
                ("username", "wangli"),
                ("password", PASSWORD),
                ("next", "/units"),
            ],
        )
        .await
        .assert_redirect_to("/units");

    let mut browser = app.browser();
    browser
        .post_form(
            "/login",
            &[
                ("username", "wangli"),
                ("password", PASSWORD),
                ("next", "//evil.example/phish"),
            ],
        )
        .await
        .assert_redirect_to("/");
}

#[tokio::test]
async fn logging_in_through_the_api_issues_a_token_that_works() {
    let app = TestApp::spawn().await;
    let user = app.add_user("wangli", "王丽", "office", None).await;

    let (status, body) = app
        .api_post(
            "/api/v1/auth/token",
            None,
            json!({ "username": "wangli", "password": PASSWORD, "name": "laptop" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let token = body["token"].as_str().expect("a token in the answer");
    assert!(token.starts_with("xs_"), "token {token}");
    assert_eq!(body["name"], "laptop");

    let (status, me) = app.api_get("/api/v1/me", token).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "wangli");
    assert_eq!(me["id"], user.id.to_string());
    assert_eq!(me["grants"][0]["role"], "office");

    let (status, body) = app
        .api(axum::http::Method::GET, "/api/v1/me", None, None)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "without a token: {body}");
    assert_api_error(&body, "unauthenticated");
}

#[tokio::test]
async fn a_wrong_password_is_refused_on_the_form_and_on_the_api() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;

    let mut browser = app.browser();
    let resp = browser.log_in("wangli", "Wrong-Horse-9").await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.body);
    assert!(resp.body.contains("用户名或密码错误"), "{}", resp.body);
    assert!(
        resp.set_cookie(SESSION_COOKIE).is_none() && !browser.has_cookie(SESSION_COOKIE),
        "a wrong password opened a session"
    );
    // The form comes back with the name filled in, ready for another try.
    assert!(resp.body.contains("value=\"wangli\""), "{}", resp.body);

    let (status, body) = app
        .api_post(
            "/api/v1/auth/token",
            None,
            json!({ "username": "wangli", "password": "Wrong-Horse-9" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let details = assert_api_error(&body, "unauthenticated");
    assert!(details.is_empty(), "{body}");

    // An unknown user is refused in the same words, so names cannot be probed.
    let (status, unknown) = app
        .api_post(
            "/api/v1/auth/token",
            None,
            json!({ "username": "nobody", "password": "Wrong-Horse-9" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{unknown}");
    assert_eq!(unknown["error"]["message"], body["error"]["message"]);

    assert_eq!(
        app.audit_with_action("login_failed").await.len(),
        3,
        "every failed log-in is audited"
    );
}

#[tokio::test]
async fn five_wrong_passwords_from_one_address_lock_that_address_out_of_the_account() {
    let app = TestApp::spawn_with(|s| s.policy.backoff = SignedDuration::ZERO).await;
    let user = app.add_user("wangli", "王丽", "office", None).await;
    let attacker = "203.0.113.66";
    let token_from = |ip: &str, password: &str| {
        let body = json!({ "username": "wangli", "password": password });
        from_address(
            Request::post("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
            ip,
        )
    };
    let json_of =
        |r: &TestResponse| -> serde_json::Value { serde_json::from_str(&r.body).unwrap() };

    // Four failures are forgiven by a right password, which starts the count again.
    for _ in 0..4 {
        let r = app.send(token_from(attacker, "Wrong-Horse-9")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.send(token_from(attacker, PASSWORD)).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "locked too early: {}",
        r.body
    );
    assert!(app.audit_with_action("account_locked").await.is_empty());

    let mut wrong_message = String::new();
    for attempt in 1..=5 {
        let r = app.send(token_from(attacker, "Wrong-Horse-9")).await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "attempt {attempt}: {}",
            r.body
        );
        wrong_message = json_of(&r)["error"]["message"].as_str().unwrap().to_owned();
    }

    // Now even the right password is refused from that address — told exactly what a wrong
    // password or an unknown name is told, so the refusal does not show the account exists.
    let r = app.send(token_from(attacker, PASSWORD)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    let body = json_of(&r);
    assert_api_error(&body, "unauthenticated");
    assert_eq!(body["error"]["message"], wrong_message.as_str());
    assert!(!wrong_message.contains("锁定"), "{wrong_message}");
    let unknown = app
        .send(from_address(
            Request::post("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({ "username": "nobody", "password": PASSWORD }).to_string(),
                ))
                .unwrap(),
            attacker,
        ))
        .await;
    assert_eq!(
        json_of(&unknown)["error"]["message"],
        wrong_message.as_str()
    );

    let mut browser = app.browser().at(attacker);
    let resp = browser.log_in("wangli", PASSWORD).await;
    assert_eq!(resp.status, StatusCode::UNAUTHORIZED, "{}", resp.body);
    assert!(resp.body.contains("用户名或密码错误"), "{}", resp.body);
    assert!(!resp.body.contains("锁定"), "{}", resp.body);
    assert!(!browser.has_cookie(SESSION_COOKIE));

    // The owner, at another address, logs in: the lock is not the attacker's to impose on all.
    let r = app.send(token_from("198.51.100.20", PASSWORD)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    app.browser()
        .at("198.51.100.20")
        .log_in("wangli", PASSWORD)
        .await
        .assert_redirect_to("/");

    let locked = app.audit_with_action("account_locked").await;
    assert_eq!(locked.len(), 1, "one lock, one record: {locked:?}");
    assert_eq!(locked[0].object_id, Some(user.id.to_string()));
    assert_eq!(locked[0].ip.as_deref(), Some(attacker));
    let refusals = app.audit_with_action("login_failed").await;
    assert!(
        refusals.iter().any(|r| r.summary.contains("locked")),
        "the trail says why the right password was refused: {refusals:?}"
    );

    // The administrator sees which address is locked out.
    let mut admin = app.add_admin_browser().await;
    let page = admin.get(&format!("/users/{}", user.id)).await;
    assert!(page.body.contains(attacker), "{}", page.body);
    assert!(page.body.contains("登录锁定"), "{}", page.body);
}

#[tokio::test]
async fn the_first_administrator_must_change_the_one_time_password() {
    let app = TestApp::spawn().await;
    let (username, one_time) = app
        .services
        .bootstrap_admin()
        .await
        .expect("bootstrap")
        .expect("an empty database gets an administrator");

    // The API will not issue a token for the one-time password …
    let (status, body) = app
        .api_post(
            "/api/v1/auth/token",
            None,
            json!({ "username": username, "password": one_time }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_api_error(&body, "rule_refused");

    // … and the pages lead to the password form, whatever is asked for.
    let mut browser = app.browser();
    browser
        .log_in(&username, &one_time)
        .await
        .assert_redirect_to("/account/password");
    browser
        .get("/units")
        .await
        .assert_redirect_to("/account/password");
    let form = browser.get("/account/password").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("初始密码"), "{}", form.body);

    // A new password that breaks the policy is refused with the reason next to the field.
    let resp = browser
        .post_form(
            "/account/password",
            &[
                ("current_password", one_time.as_str()),
                ("new_password", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.body.contains("密码至少 10 位"), "{}", resp.body);

    let new_password = "Brand-New-Secret-7";
    browser
        .post_form(
            "/account/password",
            &[
                ("current_password", one_time.as_str()),
                ("new_password", new_password),
                ("confirm", new_password),
            ],
        )
        .await
        .assert_redirect_to("/login?notice=password_changed");
    assert!(
        !browser.has_cookie(SESSION_COOKIE),
        "the session survived the password change"
    );

    let mut admin = app.login_form(&username, new_password).await;
    let home = admin.get("/").await;
    assert_eq!(home.status, StatusCode::OK, "{}", home.body);
    assert!(home.body.contains("系统管理员，您好"), "{}", home.body);
    app.api_token(&username, new_password).await;

    let (status, _) = app
        .api_post(
            "/api/v1/auth/token",
            None,
            json!({ "username": username, "password": one_time }),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the one-time password still works"
    );
}

#[tokio::test]
async fn tokens_are_listed_and_a_revoked_token_is_refused() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let kept = app.api_token("wangli", PASSWORD).await;
    let (_, issued) = app
        .api_post(
            "/api/v1/auth/token",
            None,
            json!({ "username": "wangli", "password": PASSWORD, "name": "script" }),
        )
        .await;
    let doomed = issued["token"].as_str().unwrap().to_owned();
    let doomed_id = issued["id"].as_str().unwrap().to_owned();

    let (status, list) = app.api_get("/api/v1/auth/tokens", &kept).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let list = list.as_array().expect("a list of tokens");
    assert_eq!(list.len(), 2, "{list:?}");
    assert!(list.iter().any(|t| t["id"] == doomed_id.as_str()));
    assert!(
        list.iter()
            .all(|t| t.get("token").is_none() && t.get("token_hash").is_none()),
        "the list shows secrets: {list:?}"
    );

    let (status, body) = app
        .api_delete(&format!("/api/v1/auth/tokens/{doomed_id}"), &kept)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");

    let (status, body) = app.api_get("/api/v1/me", &doomed).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked token still works"
    );
    assert_api_error(&body, "unauthenticated");
    let (status, _) = app.api_get("/api/v1/me", &kept).await;
    assert_eq!(status, StatusCode::OK, "revoking one token ended the other");

    let (_, list) = app.api_get("/api/v1/auth/tokens", &kept).await;
    let revoked = list
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == doomed_id.as_str())
        .expect("the revoked token stays listed");
    assert!(revoked["revoked_at"].is_string(), "{revoked}");
    assert_eq!(app.audit_with_action("token_revoked").await.len(), 1);
}

#[tokio::test]
async fn someone_else_cannot_revoke_my_token() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    app.add_user("zhaoqiang", "赵强", "office", None).await;
    let mine = app.api_token("wangli", PASSWORD).await;
    let theirs = app.api_token("zhaoqiang", PASSWORD).await;
    let (_, list) = app.api_get("/api/v1/auth/tokens", &mine).await;
    let my_id = list[0]["id"].as_str().unwrap().to_owned();

    let (status, body) = app
        .api_delete(&format!("/api/v1/auth/tokens/{my_id}"), &theirs)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_api_error(&body, "not_found");
    let (status, _) = app.api_get("/api/v1/me", &mine).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "my token was revoked by someone else"
    );
}

#[tokio::test]
async fn a_lock_out_ends_when_its_time_is_up() {
    let clock = ManualClock::new();
    let app = TestApp::spawn_with(|s| {
        s.policy.backoff = SignedDuration::ZERO;
        s.clock = clock.clock();
    })
    .await;
    app.add_user("wangli", "王丽", "office", None).await;
    let wrong = json!({ "username": "wangli", "password": "Wrong-Horse-9" });
    let right = json!({ "username": "wangli", "password": PASSWORD });
    for _ in 0..5 {
        app.api_post("/api/v1/auth/token", None, wrong.clone())
            .await;
    }
    let lock_for = app.services.policy.lock_for;

    clock.advance(lock_for - SignedDuration::from_mins(1));
    let (status, body) = app
        .api_post("/api/v1/auth/token", None, right.clone())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "unlocked early: {body}");

    clock.advance(SignedDuration::from_mins(2));
    let (status, body) = app
        .api_post("/api/v1/auth/token", None, right.clone())
        .await;
    assert_eq!(status, StatusCode::CREATED, "still locked: {body}");
}

#[tokio::test]
async fn sessions_and_tokens_end_with_their_lifetime() {
    let clock = ManualClock::new();
    let app = TestApp::spawn_with(|s| s.clock = clock.clock()).await;
    app.add_user("wangli", "王丽", "office", None).await;
    let mut browser = app.login_form("wangli", PASSWORD).await;
    let token = app.api_token("wangli", PASSWORD).await;
    let policy = app.services.policy.clone();

    clock.advance(policy.session_lifetime + SignedDuration::from_mins(1));
    browser.get("/").await.assert_redirect_to("/login?next=%2F");
    let (status, _) = app.api_get("/api/v1/me", &token).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the token should outlive the session"
    );

    clock.advance(policy.token_lifetime);
    let (status, body) = app.api_get("/api/v1/me", &token).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "an expired token works: {body}"
    );
}

#[tokio::test]
async fn a_logged_in_client_issues_itself_another_token_as_the_account_page_does() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let first = app.api_token("wangli", PASSWORD).await;
    let (status, issued) = app
        .api_post(
            "/api/v1/auth/tokens",
            Some(&first),
            json!({ "name": "备份脚本" }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{issued}");
    assert_eq!(issued["name"], "备份脚本");
    let second = issued["token"].as_str().unwrap();
    let (status, me) = app.api_get("/api/v1/me", second).await;
    assert_eq!(status, StatusCode::OK, "{me}");
    assert_eq!(me["username"], "wangli");
    let (status, body) = app
        .api_post("/api/v1/auth/tokens", None, json!({ "name": "x" }))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    let (status, body) = app
        .api_post(
            "/api/v1/auth/tokens",
            Some(&first),
            json!({ "name": "x".repeat(65) }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
}

/// Behind the trusted proxy the address is the one the proxy saw (the last hop): what the
/// client writes into X-Forwarded-For itself cannot pick whose address gets locked out.
#[tokio::test]
async fn behind_a_proxy_a_client_cannot_choose_the_address_it_is_counted_against() {
    let config = xunshi_web::WebConfig {
        trust_proxy: true,
        ..crate::helpers::test_config()
    };
    let app = TestApp::spawn_configured(|s| s.policy.backoff = SignedDuration::ZERO, config).await;
    app.add_user("admin2", "管理员", "admin", None).await;
    let attempt = |xff: &str, password: &str| {
        Request::post("/api/v1/auth/token")
            .header(header::CONTENT_TYPE, "application/json")
            .header("x-forwarded-for", xff)
            .body(Body::from(
                json!({ "username": "admin2", "password": password }).to_string(),
            ))
            .unwrap()
    };
    // The attacker, at 203.0.113.66, writes the administrator's address first.
    for _ in 0..5 {
        let r = app
            .send(attempt("198.51.100.1, 203.0.113.66", "Wrong-Horse-9"))
            .await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let locked = app.audit_with_action("account_locked").await;
    assert_eq!(locked[0].ip.as_deref(), Some("203.0.113.66"));
    let r = app.send(attempt("198.51.100.1", PASSWORD)).await;
    assert_eq!(
        r.status,
        StatusCode::CREATED,
        "the administrator was locked out: {}",
        r.body
    );
}

/// Disabling an account revokes its API tokens for good: enabling it again does not make them
/// work again; a new log-in issues a new one. Disabling, enabling and resetting a password name
/// the version they were based on: a stale one is 409, on the page as in the API.
#[tokio::test]
async fn a_disabled_accounts_tokens_stay_revoked_after_it_is_enabled_again() {
    let app = TestApp::spawn().await;
    app.add_user("admin1", "管理员", "admin", None).await;
    let user = app.add_user("leader1", "领导", "leadership", None).await;
    let admin = app.api_token("admin1", PASSWORD).await;
    let token = app.api_token("leader1", PASSWORD).await;
    let (status, _) = app.api_get("/api/v1/me", &token).await;
    assert_eq!(status, StatusCode::OK);
    let mut version = user.version;
    for step in ["disable", "enable"] {
        let path = format!("/api/v1/users/{}/{step}", user.id);
        let (status, body) = app
            .api_post(&path, Some(&admin), json!({ "version": version - 1 }))
            .await;
        assert_eq!(status, StatusCode::CONFLICT, "{step}, stale: {body}");
        let (status, body) = app
            .api_post(&path, Some(&admin), json!({ "version": version }))
            .await;
        assert_eq!(status, StatusCode::OK, "{step}: {body}");
        version = body["version"].as_i64().unwrap();
        let (status, body) = app.api_get("/api/v1/me", &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "after {step}: {body}");
    }
    let fresh = app.api_token("leader1", PASSWORD).await;
    let (status, _) = app.api_get("/api/v1/me", &fresh).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = app
        .api_post(
            &format!("/api/v1/users/{}/password", user.id),
            Some(&admin),
            json!({ "version": version - 1, "password": "Stale-Reset-Horse-9" }),
        )
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_api_error(&body, "stale_version");
    // The page: a form based on an older version is refused with 409 and changes nothing.
    let mut browser = app.login_form("admin1", PASSWORD).await;
    let csrf = browser.csrf_token(&format!("/users/{}", user.id)).await;
    let stale = (version - 1).to_string();
    for (path, fields) in [
        (
            format!("/users/{}/disable", user.id),
            vec![("version", stale.as_str())],
        ),
        (
            format!("/users/{}/password", user.id),
            vec![
                ("version", stale.as_str()),
                ("password", "Stale-Reset-Horse-9"),
            ],
        ),
    ] {
        let resp = browser
            .post_form_with_token(&path, Some(&csrf), &fields)
            .await;
        assert_eq!(resp.status, StatusCode::CONFLICT, "{path}: {}", resp.body);
    }
    let (status, _) = app.api_get("/api/v1/me", &fresh).await;
    assert_eq!(status, StatusCode::OK, "nothing changed");
}
