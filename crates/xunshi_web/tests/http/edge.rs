//! The edge of both faces: malformed requests of every kind are answered with the API's error
//! body or a Chinese page (never plain text, never 5xx), text with NUL, control characters or
//! bidi overrides is refused naming the field, bad filters are refused alike by a page and its
//! API, personal answers are not cached, log-ins are throttled, and `next=` never leaves the site.

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{
    Browser, PASSWORD, TestApp, TestResponse, assert_api_error, detail_fields, from_address,
    input_value, test_config,
};

/// Asserts the API's error body with `status` and `code`; returns the body.
fn api_error(r: &TestResponse, status: StatusCode, code: &str, what: &str) -> Value {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(
        ct.starts_with("application/json"),
        "{what}: {ct}: {}",
        r.body
    );
    let body: Value = serde_json::from_str(&r.body)
        .unwrap_or_else(|e| panic!("{what}: not JSON ({e}): {}", r.body));
    assert_api_error(&body, code);
    body
}

/// Asserts a Chinese page with `status` that says `words`.
fn error_page(r: &TestResponse, status: StatusCode, words: &[&str], what: &str) {
    assert_eq!(r.status, status, "{what}: {}", r.body);
    let ct = r.headers[header::CONTENT_TYPE].to_str().unwrap();
    assert!(ct.starts_with("text/html"), "{what}: {ct}: {}", r.body);
    assert!(r.body.starts_with("<!DOCTYPE html>"), "{what}: {}", r.body);
    assert!(r.body.contains("lang=\"zh-CN\""), "{what}");
    for w in words {
        assert!(
            r.body.contains(w),
            "{what}: the page does not say {w}: {}",
            r.body
        );
    }
}

fn req(method: Method, path: &str) -> axum::http::request::Builder {
    Request::builder().method(method).uri(path)
}

async fn office(app: &TestApp) -> (String, Browser) {
    app.add_user("wangli", "王丽", "office", None).await;
    let token = app.api_token("wangli", PASSWORD).await;
    let browser = app.login_form("wangli", PASSWORD).await;
    (token, browser)
}

#[tokio::test]
async fn malformed_api_requests_get_the_error_body_with_the_right_status() {
    let app = TestApp::spawn().await;
    let (token, _) = office(&app).await;
    let bearer = format!("Bearer {token}");
    let unit = app.add_unit("自治区财政厅").await;
    let send = |b: axum::http::request::Builder, body: Body| {
        let r = b
            .header(header::AUTHORIZATION, bearer.as_str())
            .body(body)
            .unwrap();
        app.send(r)
    };
    let json_post =
        |path: &str| req(Method::POST, path).header(header::CONTENT_TYPE, "application/json");

    let r = send(json_post("/api/v1/units"), Body::from("{\"name\": ")).await;
    api_error(&r, StatusCode::BAD_REQUEST, "bad_input", "broken JSON");
    let r = send(req(Method::POST, "/api/v1/units"), Body::from("name=x")).await;
    api_error(&r, StatusCode::BAD_REQUEST, "bad_input", "not JSON");
    let r = send(
        json_post("/api/v1/units"),
        Body::from(json!({ "name": 7, "kind": "department", "level": "provincial" }).to_string()),
    )
    .await;
    let b = api_error(
        &r,
        StatusCode::BAD_REQUEST,
        "bad_input",
        "a number for a name",
    );
    assert_eq!(detail_fields(&b), ["name"]);
    let r = send(
        json_post("/api/v1/units"),
        Body::from(json!({ "kind": "department" }).to_string()),
    )
    .await;
    let b = api_error(&r, StatusCode::BAD_REQUEST, "bad_input", "a missing field");
    assert_eq!(detail_fields(&b), ["name"]);
    let r = send(
        json_post("/api/v1/units"),
        Body::from(format!(
            "{{\"name\":\"{}\"}}",
            "x".repeat(app.config.form_limit)
        )),
    )
    .await;
    api_error(
        &r,
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "over the limit",
    );

    // The query string: a wrong type, bad percent-encoding, bad UTF-8.
    for (q, field) in [
        ("limit=many", "limit"),
        ("q=%FF%FE", "q"),
        ("q=%E5%8D", "q"),
        ("q=%zz", "q"),
    ] {
        let r = send(
            req(Method::GET, &format!("/api/v1/units?{q}")),
            Body::empty(),
        )
        .await;
        let b = api_error(&r, StatusCode::BAD_REQUEST, "bad_input", q);
        assert_eq!(detail_fields(&b), [field], "{q}");
    }
    // The path: bad UTF-8, an id that cannot exist.
    let r = send(req(Method::GET, "/api/v1/units/%FF%FE"), Body::empty()).await;
    api_error(
        &r,
        StatusCode::BAD_REQUEST,
        "bad_input",
        "bad UTF-8 in the path",
    );
    let r = send(req(Method::GET, "/api/v1/units/not-an-id"), Body::empty()).await;
    api_error(&r, StatusCode::NOT_FOUND, "not_found", "a malformed id");
    // Routes and methods.
    let r = send(req(Method::GET, "/api/v1/nothing-here"), Body::empty()).await;
    api_error(&r, StatusCode::NOT_FOUND, "not_found", "an unknown route");
    let r = send(req(Method::GET, "/api/nothing"), Body::empty()).await;
    api_error(&r, StatusCode::NOT_FOUND, "not_found", "outside /api/v1");
    let r = send(
        req(Method::DELETE, &format!("/api/v1/units/{}", unit.id)),
        Body::empty(),
    )
    .await;
    api_error(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "a wrong method",
    );
    assert!(
        r.headers.contains_key(header::ALLOW),
        "405 says what is allowed"
    );

    // Bearer headers that are empty or malformed.
    for auth in [
        "Bearer",
        "Bearer ",
        "Bearer    ",
        "Basic d2FuZ2xpOng=",
        "bearer",
        "xs_abc",
    ] {
        let r = app
            .send(
                req(Method::GET, "/api/v1/units")
                    .header(header::AUTHORIZATION, auth.as_bytes())
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        api_error(&r, StatusCode::UNAUTHORIZED, "unauthenticated", auth);
        assert!(r.headers.contains_key(header::WWW_AUTHENTICATE), "{auth}");
    }
    let r = app
        .send(
            req(Method::GET, "/api/v1/units")
                .header(header::AUTHORIZATION, &b"Bearer \xff\xfe"[..])
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    api_error(
        &r,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "a non-ASCII token",
    );

    // Multipart: not multipart at all, and a file name with a control character.
    let r = send(
        req(Method::POST, &format!("/api/v1/tasks/{}/evidence", unit.id))
            .header(header::CONTENT_TYPE, "application/json"),
        Body::from("{}"),
    )
    .await;
    api_error(
        &r,
        StatusCode::BAD_REQUEST,
        "bad_input",
        "an upload that is not multipart",
    );
    let boundary = "XUNSHI";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a\u{202E}fdp.exe\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\r\n--{boundary}--\r\n"
    );
    let r = send(
        req(Method::POST, &format!("/api/v1/tasks/{}/evidence", unit.id)).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        ),
        Body::from(multipart),
    )
    .await;
    let b = api_error(
        &r,
        StatusCode::BAD_REQUEST,
        "bad_input",
        "a bidi override in a file name",
    );
    assert_eq!(detail_fields(&b), ["file"]);
}

#[tokio::test]
async fn malformed_page_requests_get_a_chinese_page_with_the_right_status() {
    let app = TestApp::spawn().await;
    let (_, mut browser) = office(&app).await;
    let unit = app.add_unit("自治区财政厅").await;
    let csrf = browser.csrf_token("/units/new").await;
    let form = |path: &str| {
        req(Method::POST, path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
    };

    // Bodies that cannot be read as a form: bad percent-encoding, bad UTF-8.
    for body in [
        format!("_csrf={csrf}&name=%FF%FE&kind=department&level=provincial"),
        format!("_csrf={csrf}&name=%E5%8D&kind=department&level=provincial"),
        format!("_csrf={csrf}&name=%zz&kind=department&level=provincial"),
    ] {
        let r = browser.request(form("/units"), body.clone()).await;
        error_page(&r, StatusCode::BAD_REQUEST, &["输入有误", "名称："], &body);
    }
    let r = browser
        .request(
            form("/units").header(header::CONTENT_TYPE, "application/json"),
            format!("{{\"_csrf\":\"{csrf}\"}}"),
        )
        .await;
    assert!(r.status.is_client_error(), "{}", r.body);
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(
        app.unit_names().await,
        ["自治区财政厅"],
        "nothing was created"
    );

    // A missing or invalid version: one answer on every form, 400 naming the field.
    let edit = format!("/units/{}", unit.id);
    let withdraw = format!("/units/{}/withdraw", unit.id);
    for (path, body) in [
        (
            &edit,
            format!("_csrf={csrf}&name=x&kind=department&level=provincial"),
        ),
        (
            &edit,
            format!("_csrf={csrf}&name=x&kind=department&level=provincial&version="),
        ),
        (
            &edit,
            format!("_csrf={csrf}&name=x&kind=department&level=provincial&version=abc"),
        ),
        (&withdraw, format!("_csrf={csrf}&reason=merged")),
        (&withdraw, format!("_csrf={csrf}&reason=merged&version=one")),
    ] {
        let r = browser.request(form(path), body.clone()).await;
        error_page(&r, StatusCode::BAD_REQUEST, &["版本号："], &body);
    }

    // Queries and paths.
    let r = browser.get("/units?q=%FF").await;
    error_page(
        &r,
        StatusCode::BAD_REQUEST,
        &["关键词："],
        "bad UTF-8 in a query",
    );
    let r = browser.get("/units/%FF%FE").await;
    error_page(
        &r,
        StatusCode::BAD_REQUEST,
        &["输入有误"],
        "bad UTF-8 in a path",
    );
    let r = browser.get("/no/such/page").await;
    error_page(
        &r,
        StatusCode::NOT_FOUND,
        &["页面不存在"],
        "an unknown page",
    );
    let r = browser
        .request(req(Method::DELETE, "/units"), Body::empty())
        .await;
    // A change without a form never passes the CSRF check; the answer is still a page.
    assert!(r.status.is_client_error());
    assert!(
        r.headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let r = browser
        .request(
            req(Method::PUT, "/units").header("x-csrf-token", csrf.as_str()),
            Body::empty(),
        )
        .await;
    error_page(
        &r,
        StatusCode::METHOD_NOT_ALLOWED,
        &["请求方法不正确"],
        "a wrong method",
    );
    // The navigation stays: the person is still logged in on an error page.
    assert!(r.body.contains("退出"), "{}", r.body);
}

#[tokio::test]
async fn nul_control_characters_and_bidi_overrides_are_refused_in_every_face() {
    let app = TestApp::spawn().await;
    let (token, mut browser) = office(&app).await;
    for bad in [
        "自治区\u{0}财政厅",
        "\u{1b}[2J财政厅",
        "财政\u{202E}厅",
        "财政\u{2066}厅",
        "a\u{85}b",
    ] {
        let (status, body) = app
            .api_post(
                "/api/v1/units",
                Some(&token),
                json!({ "name": bad, "kind": "department", "level": "provincial" }),
            )
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad:?}: {body}");
        assert_api_error(&body, "bad_input");
        assert_eq!(detail_fields(&body), ["name"], "{bad:?}");

        let csrf = browser.csrf_token("/units/new").await;
        let r = browser
            .post_form_with_token(
                "/units",
                Some(&csrf),
                &[
                    ("name", bad),
                    ("kind", "department"),
                    ("level", "provincial"),
                ],
            )
            .await;
        error_page(&r, StatusCode::BAD_REQUEST, &["name", "不允许"], bad);
    }
    // Nested strings in JSON are checked too, and query strings.
    let (status, body) = app
        .api_post(
            "/api/v1/users",
            Some(&token),
            json!({ "username": "zhang", "display_name": "张三", "password": PASSWORD,
                    "must_change_password": false, "role": "office\u{0}" }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(detail_fields(&body), ["role"]);
    let (status, body) = app.api_get("/api/v1/units?q=%00", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(detail_fields(&body), ["q"]);
    // Tabs and line breaks are text.
    let (status, body) = app
        .api_post(
            "/api/v1/units",
            Some(&token),
            json!({ "name": "自治区\t财政厅", "kind": "department", "level": "provincial" }),
        )
        .await;
    assert!(
        !body.to_string().contains("不允许"),
        "a tab is refused by the character rule: {status} {body}"
    );
    assert!(
        !app.unit_names()
            .await
            .iter()
            .any(|n| n.contains('\u{0}') || n.contains('\u{202E}'))
    );
}

#[tokio::test]
async fn a_bad_ledger_filter_is_refused_alike_by_the_page_and_the_api() {
    let app = TestApp::spawn().await;
    let (token, mut browser) = office(&app).await;
    for (q, field) in [
        ("status=done-ish", "status"),
        ("colour=purple", "colour"),
        ("unit_id=nope", "unit_id"),
        ("inspection_id=1", "inspection_id"),
        ("category_id=x", "category_id"),
        ("plan_id=%FF", "plan_id"),
    ] {
        let unreadable = q.contains('%');
        let (status, body) = app.api_get(&format!("/api/v1/tasks?{q}"), &token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert_eq!(detail_fields(&body), [field], "{q}");
        let (status, body) = app
            .api_get(&format!("/api/v1/tasks.xlsx?{q}"), &token)
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {body}");
        assert_eq!(detail_fields(&body), [field], "{q}");

        let r = browser.get(&format!("/rectification/tasks?{q}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{q}: {}", r.body);
        assert!(r.body.contains(field), "{q}: the message names {field}");
        if unreadable {
            // A query that cannot be decoded at all is refused before the page is made.
            assert!(r.body.contains("输入有误"), "{q}: {}", r.body);
        } else {
            assert!(
                r.body.contains("整改台账"),
                "the ledger page is shown again: {}",
                r.body
            );
            assert!(r.body.contains("error-banner"), "{q}: {}", r.body);
        }
    }
    // Empty values are "all", as the form's 全部 sends them.
    let r = browser
        .get("/rectification/tasks?status=&colour=&unit_id=")
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let (status, _) = app.api_get("/api/v1/tasks?status=&colour=", &token).await;
    assert_eq!(status, StatusCode::OK);
    // Other lists refuse alike.
    for (page, api) in [
        ("/clues?status=lost", "/api/v1/clues?status=lost"),
        (
            "/inspections?stage=nowhere",
            "/api/v1/inspections?stage=nowhere",
        ),
        (
            "/supervision/followups?answered=maybe",
            "/api/v1/followups?answered=maybe",
        ),
        ("/users?unit_id=x", "/api/v1/users?unit_id=x"),
        ("/personnel?unit_id=x", "/api/v1/inspectors?unit_id=x"),
    ] {
        let (status, body) = app.api_get(api, &token).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{api}: {body}");
        let r = browser.get(page).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{page}: {}", r.body);
        assert!(r.body.contains("error-banner"), "{page}: {}", r.body);
    }
}

#[tokio::test]
async fn personal_answers_are_not_stored_by_caches_and_the_security_headers_stay() {
    let app = TestApp::spawn().await;
    let (token, mut browser) = office(&app).await;
    for r in [
        browser.get("/units").await,
        browser.get("/clues").await,
        browser.get("/rectification/tasks").await,
        browser.get("/no/such/page").await,
    ] {
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store", "{}", r.body);
        assert_eq!(r.headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(r.headers[header::X_FRAME_OPTIONS], "DENY");
        assert!(r.headers.contains_key(header::CONTENT_SECURITY_POLICY));
    }
    for path in [
        "/api/v1/units",
        "/api/v1/clues",
        "/api/v1/me",
        "/api/v1/nothing",
    ] {
        let r = app
            .send(
                req(Method::GET, path)
                    .header(header::AUTHORIZATION, format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(r.headers[header::CACHE_CONTROL], "no-store", "{path}");
        assert_eq!(
            r.headers[header::X_CONTENT_TYPE_OPTIONS],
            "nosniff",
            "{path}"
        );
    }
    // The stylesheet may be cached.
    let css = app.get("/static/app.css").await;
    assert!(
        css.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    // So may the pages' one script, served from /static as the policy allows (no inline
    // script anywhere), to anyone: the log-in page loads it too.
    let js = app.get("/static/app.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(
        js.headers[header::CONTENT_TYPE],
        "text/javascript; charset=utf-8"
    );
    assert!(js.body.contains("data-confirm"), "the confirmations");
    assert!(
        js.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
}

/// Moves that cannot be taken back ask first (`data-confirm`, read by static/app.js, and
/// `_confirm`, asked by the server when no script answered it): stage
/// moves, giving the feedback, closing and returning a task, withdrawing, the one-click rule
/// toggles. Read from the templates, so a button that loses its question fails here.
#[test]
fn irreversible_buttons_ask_before_they_submit() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let expect: &[(&str, &str)] = &[
        ("inspection_detail.html", ">{{ m.1 }}</button>"),
        ("feedback.html", ">已召开反馈会，确认反馈</button>"),
        ("recusal_rules.html", ">取消地域回避</button>"),
        ("recusal_rules.html", ">实行地域回避</button>"),
        ("rect_task.html", ">同意销号</button>"),
        ("rect_task.html", ">退回整改</button>"),
        ("rect_task.html", ">撤回</button>"),
        ("rect_task_form.html", ">撤回任务</button>"),
        ("paper_detail.html", ">撤回</button>"),
        ("paper_detail.html", ">撤回底稿</button>"),
        ("rect_document.html", ">撤回通报</button>"),
        ("notices.html", ">整改到位，办结</button>"),
        ("team.html", ">调出</button>"),
        ("unit_detail.html", ">撤销</button>"),
        ("inspector_detail.html", ">移出</button>"),
    ];
    for (file, end) in expect {
        let html = std::fs::read_to_string(dir.join(file)).unwrap();
        let mut found = 0;
        for (at, _) in html.match_indices(end) {
            let start = html[..at].rfind("<button").expect("the button's tag");
            let tag = &html[start..at];
            assert!(
                tag.contains("data-confirm=\"确定") || tag.contains("data-confirm=\"确认"),
                "{file}: {tag}{end} does not ask first"
            );
            // Its form carries the question for the page that asks without a script.
            let form = &html[html[..at].rfind("<form").expect("the button's form")..at];
            assert!(
                form.contains("name=\"_confirm\" value=\"确"),
                "{file}: the form of {end} has no question for the server to ask"
            );
            found += 1;
        }
        assert!(found > 0, "{file} has no button {end}");
    }
}

#[tokio::test]
async fn log_in_attempts_are_throttled_per_address_with_retry_after() {
    let config = xunshi_web::WebConfig {
        login_per_address_per_minute: 3,
        ..test_config()
    };
    let app = TestApp::spawn_configured(|_| {}, config).await;
    app.add_user("wangli", "王丽", "office", None).await;
    let attempt = |ip: &str| {
        from_address(
            Request::post("/api/v1/auth/token")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({ "username": "wangli", "password": "Wrong-Horse-9" }).to_string(),
                ))
                .unwrap(),
            ip,
        )
    };
    for _ in 0..3 {
        let r = app.send(attempt("203.0.113.9")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let r = app.send(attempt("203.0.113.9")).await;
    api_error(
        &r,
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "the fourth try",
    );
    let wait: u64 = r.headers[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "Retry-After {wait}");
    let before = app.audit_with_action("login_failed").await.len();

    // Another instance on the same database, with memory of its own, holds the address to
    // the same count.
    use tower::ServiceExt as _;
    let other_instance = xunshi_web::router(xunshi_web::AppState::new(
        app.services.clone(),
        app.db.clone(),
        app.config.clone(),
    ));
    let r = other_instance
        .oneshot(attempt("203.0.113.9"))
        .await
        .expect("the router never fails");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);

    // The form of the same address is told on a page; no password was checked.
    let mut browser = app.browser().at("203.0.113.9");
    let r = browser.log_in("wangli", PASSWORD).await;
    error_page(
        &r,
        StatusCode::TOO_MANY_REQUESTS,
        &["请求过于频繁", "秒后再试"],
        "the form",
    );
    assert!(r.headers.contains_key(header::RETRY_AFTER));
    assert_eq!(app.audit_with_action("login_failed").await.len(), before);

    // Another address is not held up.
    let mut other = app.browser().at("198.51.100.3");
    other
        .log_in("wangli", PASSWORD)
        .await
        .assert_redirect_to("/");
}

#[tokio::test]
async fn next_is_followed_only_to_a_path_of_this_site_as_a_browser_reads_it() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    for (next, target) in [
        ("/units", "/units"),
        ("/units?q=%E8%B4%A2", "/units?q=%E8%B4%A2"),
        ("/units\r\nSet-Cookie: a=b", "/"),
        ("/units\n", "/"),
        ("/un\0its", "/"),
        ("/\t/evil.example/x", "/"),
        ("/%09/evil.example/x", "/"),
        ("/%2F/evil.example/x", "/"),
        ("/%5Cevil.example", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\u{202E}lave", "/"),
    ] {
        let mut browser = app.browser();
        let r = browser
            .post_form(
                "/login",
                &[
                    ("username", "wangli"),
                    ("password", PASSWORD),
                    ("next", next),
                ],
            )
            .await;
        // Never a 5xx, never off-site: what cannot be followed sends the browser home.
        r.assert_redirect_to(target);
    }
    // As a query, where the log-in page puts it into its form.
    for q in [
        "%2F%09%2Fevil.example%2Fx",
        "%2F%2Fevil.example",
        "%2F%5Cevil.example",
        "%2Funits%0D%0A",
    ] {
        let mut browser = app.browser();
        let page = browser.get(&format!("/login?next={q}")).await;
        assert_eq!(page.status, StatusCode::OK, "{q}: {}", page.body);
        assert_eq!(input_value(&page.body, "next").as_deref(), Some("/"), "{q}");
    }
    let mut browser = app.browser();
    let page = browser
        .get("/login?next=%2F%25%30%39%2Fevil.example%2Fx")
        .await;
    assert_eq!(input_value(&page.body, "next").as_deref(), Some("/"));
}

/// The sources of this crate, each with its path under `src/`.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("read the source folder") {
            let path = entry.expect("an entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("read a source file");
                out.push((path.display().to_string(), text));
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut out,
    );
    assert!(out.len() > 20, "the sources were not found");
    out
}

/// Pages and the API ask the services as the person asking, never as the system, and share the
/// edge through `http/` rather than through each other.
#[test]
fn the_web_faces_never_act_as_the_system_nor_import_each_other() {
    for (path, text) in sources() {
        assert!(
            !text.contains("Actor::system"),
            "{path} acts as the system; ask a service as the actor instead"
        );
        let in_dir = |d: &str| path.contains(&format!("/src/{d}/"));
        if in_dir("pages") {
            assert!(!text.contains("crate::api"), "{path} imports the API");
        }
        if in_dir("api") {
            assert!(!text.contains("crate::pages"), "{path} imports the pages");
        }
        if in_dir("pages") || in_dir("api") {
            assert!(
                !text.contains("axum::Form")
                    && !text.contains("RawForm")
                    && !text.contains("axum::Json<"),
                "{path} reads a body without the edge's strict extractors"
            );
            assert!(
                !text.contains("use axum::extract::Query")
                    && !text.contains("use axum::extract::Path"),
                "{path} uses axum's extractors, whose rejections are plain text"
            );
        }
    }
}
