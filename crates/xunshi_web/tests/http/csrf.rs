//! Forms that change something must carry the CSRF token of the session; without it, or with
//! another one, they are refused and nothing changes.

use axum::http::StatusCode;

use crate::helpers::{PASSWORD, SESSION_COOKIE, TestApp, input_value};

const NEW_UNIT: &[(&str, &str)] = &[
    ("name", "自治区财政厅"),
    ("kind", "department"),
    ("level", "provincial"),
];

#[tokio::test]
async fn a_form_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let mut browser = app.login_form("wangli", PASSWORD).await;

    let resp = browser.post_form_with_token("/units", None, NEW_UNIT).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(resp.body.contains("防伪令牌"), "{}", resp.body);

    let resp = browser
        .post_form_with_token("/units", Some("not-the-token"), NEW_UNIT)
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);

    assert!(
        app.unit_names().await.is_empty(),
        "a refused form created a unit"
    );
    assert!(app.audit_with_action("unit_created").await.is_empty());

    // The same form with the page's token goes through: the token was the only thing missing.
    let resp = browser.post_form("/units", NEW_UNIT).await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    assert_eq!(app.unit_names().await, ["自治区财政厅"]);
}

#[tokio::test]
async fn the_token_of_another_session_is_refused() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    app.add_user("zhaoqiang", "赵强", "office", None).await;
    let mut mine = app.login_form("wangli", PASSWORD).await;
    let mut theirs = app.login_form("zhaoqiang", PASSWORD).await;
    let their_token = theirs.csrf_token("/units").await;

    let resp = mine
        .post_form_with_token("/units", Some(&their_token), NEW_UNIT)
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(app.unit_names().await.is_empty());
}

#[tokio::test]
async fn logging_in_without_the_forms_token_is_refused() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let mut browser = app.browser();

    // Never opened the log-in page: no log-in cookie, no token.
    let resp = browser
        .post_form_with_token(
            "/login",
            None,
            &[("username", "wangli"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(!browser.has_cookie(SESSION_COOKIE));
    assert!(app.audit_with_action("login_succeeded").await.is_empty());
}

#[tokio::test]
async fn logging_out_needs_the_token_too() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let mut browser = app.login_form("wangli", PASSWORD).await;

    let resp = browser.post_form_with_token("/logout", None, &[]).await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
    assert_eq!(
        browser.get("/").await.status,
        StatusCode::OK,
        "logged out anyway"
    );

    let token = browser.csrf_token("/").await;
    browser
        .post_form_with_token("/logout", Some(&token), &[])
        .await
        .assert_redirect_to("/login?notice=logged_out");
    browser.get("/").await.assert_redirect_to("/login?next=%2F");
}

#[tokio::test]
async fn the_logout_button_works_on_error_pages_too() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let mut browser = app.login_form("wangli", PASSWORD).await;

    // Pages that say something went wrong still show who is logged in, with a logout button.
    for path in [
        "/no-such-page",
        "/units/0190d0c4-0000-7000-8000-000000000000",
    ] {
        let page = browser.get(path).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{path}: {}", page.body);
        assert!(page.body.contains("action=\"/logout\""), "{}", page.body);
        let token = input_value(&page.body, "_csrf").unwrap_or_default();
        assert!(
            !token.is_empty(),
            "the logout form on the {path} error page carries no CSRF token, so pressing 退出 \
             there is refused with 403"
        );
    }

    let page = browser.get("/no-such-page").await;
    let token = input_value(&page.body, "_csrf").unwrap_or_default();
    browser
        .post_form_with_token("/logout", Some(&token), &[])
        .await
        .assert_redirect_to("/login?notice=logged_out");
}

/// No template puts the token (or the idempotency key) in a form's address: a failed submit
/// would leave it in the address bar, the history and the server logs. Multipart forms carry
/// them as hidden fields before the file, read by `auth::page_session` before the file.
#[test]
fn no_form_of_any_page_carries_a_token_in_its_address() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut offenders = Vec::new();
    let mut multipart_forms = 0;
    for entry in std::fs::read_dir(dir).expect("read the templates") {
        let path = entry.unwrap().path();
        let html = std::fs::read_to_string(&path).unwrap();
        for action in crate::helpers::actions_with_secrets(&html) {
            offenders.push(format!("{}: {action}", path.display()));
        }
        // The public's intake has no session, so no token to carry (`auth::page_session`).
        let public = path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("public_letters"));
        for form in html.split("<form").skip(1) {
            if public {
                assert!(!form.contains("name=\"_csrf\""), "{}", path.display());
                continue;
            }
            if form[..form.find('>').unwrap_or(form.len())].contains("multipart/form-data") {
                multipart_forms += 1;
                let file = form
                    .find("type=\"file\"")
                    .expect("a multipart form has a file");
                let token = form.find("name=\"_csrf\"").unwrap_or(usize::MAX);
                assert!(
                    token < file,
                    "{}: the token must come before the file",
                    path.display()
                );
            }
        }
    }
    assert_eq!(offenders, Vec::<String>::new());
    assert!(multipart_forms >= 2, "the upload forms were looked at");
}
