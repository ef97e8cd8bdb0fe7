//! In-app messages over HTTP: the inbox page and the API, the unread count in the navigation,
//! marking read, nobody reading or marking another's, and the e-mail address on 我的账号, the
//! user page and the API.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{PASSWORD, assert_api_error};
use crate::rectify::{approved_plan, task_version, world};

/// `who`'s messages through the API: the items and the unread count.
async fn inbox(w: &crate::rectify::World, token: &str, query: &str) -> (Vec<Value>, i64) {
    let (status, body) = w
        .app
        .api_get(&format!("/api/v1/messages{query}"), token)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["items"].as_array().unwrap().clone(),
        body["unread"].as_i64().unwrap(),
    )
}

fn titles(items: &[Value]) -> Vec<&str> {
    items.iter().map(|m| m["title"].as_str().unwrap()).collect()
}

#[tokio::test]
async fn hand_overs_reach_the_inbox_and_nobody_reads_anothers() {
    let w = world().await;
    let office = w.app.api_token("office1", PASSWORD).await;
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let own_officer = w.app.api_token("jiwei_xcb", PASSWORD).await;
    let (plan, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-06-05")),
            ("by", Some("2020-12-31")),
            ("long_term", None),
        ],
    )
    .await;

    // The plan submitted went to the reviewers, its approval to the unit.
    let (items, unread) = inbox(&w, &office, "").await;
    assert_eq!(titles(&items), vec!["整改方案待审核"]);
    assert_eq!(unread, 1);
    assert_eq!(items[0]["kind"], "handover");
    assert_eq!(items[0]["kind_label"], "待办");
    assert_eq!(items[0]["link"], format!("/rectification/plans/{plan}"));
    assert!(items[0]["read_at"].is_null());
    let (items, _) = inbox(&w, &liaison, "").await;
    assert_eq!(titles(&items), vec!["整改方案已审核通过"]);
    assert_eq!(inbox(&w, &own_officer, "").await, (vec![], 0));

    // A claim goes to the verifiers, newest first.
    let v = task_version(&w, &liaison, &tasks[0]).await;
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/tasks/{}/progress", tasks[0]),
            Some(&liaison),
            json!({ "version": v, "text": "已完成", "progress": 100, "claims_done": true }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (items, unread) = inbox(&w, &office, "").await;
    assert_eq!(titles(&items), vec!["整改任务待核查销号", "整改方案待审核"]);
    assert_eq!(unread, 2);
    assert_eq!(
        items[0]["link"],
        format!("/rectification/tasks/{}", tasks[0])
    );

    // The page shows them, and the navigation of every page the number unread.
    let mut browser = w.app.login_form("office1", PASSWORD).await;
    let page = browser.get("/messages").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("整改任务待核查销号"), "{}", page.body);
    assert!(page.body.contains("标为已读"), "{}", page.body);
    let home = browser.get("/").await;
    assert!(
        home.body
            .contains("<span class=\"nav-count\" title=\"未读消息\">2</span>"),
        "{}",
        home.body
    );

    // Another's message can be neither marked nor told apart from none.
    let newest = items[0]["id"].as_str().unwrap().to_owned();
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/messages/{newest}/read"),
            Some(&liaison),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_api_error(&body, "not_found");
    assert_eq!(inbox(&w, &office, "").await.1, 2);
    let (status, body) = w
        .app
        .api_post(
            &format!("/api/v1/messages/{newest}/read"),
            Some(&office),
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (unread_items, unread) = inbox(&w, &office, "?unread=true").await;
    assert_eq!(titles(&unread_items), vec!["整改方案待审核"]);
    assert_eq!(unread, 1);
    let (status, body) = w
        .app
        .api_get("/api/v1/messages?unread=maybe", &office)
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");

    // The page's form marks all read; the count leaves the navigation.
    let token = browser.csrf_token("/messages").await;
    let resp = browser
        .post_form_with_token("/messages/read-all", Some(&token), &[])
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let page = browser.get("/messages?notice=messages_read").await;
    assert!(page.body.contains("全部消息已标为已读"), "{}", page.body);
    assert!(!page.body.contains("title=\"未读消息\""), "{}", page.body);
    assert_eq!(inbox(&w, &office, "").await.1, 0);
    // The liaison's stay as they were.
    assert_eq!(inbox(&w, &liaison, "").await.1, 1);
}

#[tokio::test]
async fn the_email_address_is_kept_by_its_owner_and_the_administrator() {
    let w = world().await;
    let mut liaison = w.app.login_form("xcb_liaison", PASSWORD).await;
    let token = liaison.csrf_token("/account").await;
    let resp = liaison
        .post_form_with_token("/account/email", Some(&token), &[("email", "不是邮箱")])
        .await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.body);
    assert!(resp.body.contains("电子邮箱格式不正确"), "{}", resp.body);
    let resp = liaison
        .post_form_with_token(
            "/account/email",
            Some(&token),
            &[("email", " lls@example.cn ")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let page = liaison.get("/account").await;
    assert!(
        page.body.contains("value=\"lls@example.cn\""),
        "{}",
        page.body
    );

    let me = w.app.api_token("xcb_liaison", PASSWORD).await;
    let other = w.app.api_token("office1", PASSWORD).await;
    let (_, users) = w.app.api_get("/api/v1/users?q=xcb_liaison", &other).await;
    let id = users["items"][0]["id"].as_str().unwrap().to_owned();
    let (status, body) = w
        .app
        .api_get(&format!("/api/v1/users/{id}/email"), &me)
        .await;
    assert_eq!(
        (status, body["email"].clone()),
        (StatusCode::OK, json!("lls@example.cn"))
    );
    // Nobody else but the administrator reads or changes it.
    let (status, _) = w
        .app
        .api_get(&format!("/api/v1/users/{id}/email"), &other)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = w
        .app
        .api_put(
            &format!("/api/v1/users/{id}/email"),
            &other,
            json!({ "email": "x@example.cn" }),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let mut admin = w.app.add_admin_browser().await;
    let page = admin.get(&format!("/users/{id}")).await;
    assert!(
        page.body.contains("value=\"lls@example.cn\""),
        "{}",
        page.body
    );
    let token = admin.csrf_token(&format!("/users/{id}")).await;
    let resp = admin
        .post_form_with_token(
            &format!("/users/{id}/email"),
            Some(&token),
            &[("email", "")],
        )
        .await;
    assert_eq!(resp.status, StatusCode::SEE_OTHER, "{}", resp.body);
    let (_, body) = w
        .app
        .api_get(&format!("/api/v1/users/{id}/email"), &me)
        .await;
    assert!(body["email"].is_null(), "{body}");
    assert_eq!(w.app.audit_with_action("email_changed").await.len(), 2);
}

#[tokio::test]
async fn the_inbox_sorts_counts_and_filters_alike_on_the_page_and_in_the_api() {
    let w = world().await;
    let office = w.app.api_token("office1", PASSWORD).await;
    let liaison = w.app.api_token("xcb_liaison", PASSWORD).await;
    let (_, tasks) = approved_plan(
        &w,
        &[
            ("by", Some("2020-06-05")),
            ("by", Some("2020-12-31")),
            ("long_term", None),
        ],
    )
    .await;
    for task in &tasks[..2] {
        let v = task_version(&w, &liaison, task).await;
        let (status, body) = w
            .app
            .api_post(
                &format!("/api/v1/tasks/{task}/progress"),
                Some(&liaison),
                json!({ "version": v, "text": "已完成", "progress": 100, "claims_done": true }),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    let get = async |query: &str| {
        let (status, body) = w
            .app
            .api_get(&format!("/api/v1/messages{query}"), &office)
            .await;
        (status, body)
    };
    let claimed = "整改任务待核查销号";
    let submitted = "整改方案待审核";

    // Newest first, counted.
    let (_, all) = get("").await;
    assert_eq!(all["total"], 3, "{all}");
    assert_eq!(
        titles(all["items"].as_array().unwrap()),
        [claimed, claimed, submitted]
    );
    // Oldest first, two a page, and back.
    let (_, first) = get("?sort=seq&limit=2").await;
    assert_eq!(
        titles(first["items"].as_array().unwrap()),
        [submitted, claimed]
    );
    assert!(first["prev_cursor"].is_null());
    let next = first["next_cursor"].as_str().expect("a second page");
    let (_, second) = get(&format!("?sort=seq&limit=2&cursor={next}")).await;
    assert_eq!(titles(second["items"].as_array().unwrap()), [claimed]);
    assert!(second["next_cursor"].is_null());
    let back = second["prev_cursor"].as_str().expect("the page before");
    let (_, again) = get(&format!("?sort=seq&limit=2&cursor={back}")).await;
    assert_eq!(again["items"], first["items"]);
    // By title, and the text filter.
    let (_, by_title) = get("?sort=-title").await;
    assert_eq!(
        titles(by_title["items"].as_array().unwrap()),
        [submitted, claimed, claimed]
    );
    let (_, found) = get("?q=%E6%96%B9%E6%A1%88").await;
    assert_eq!(
        (
            titles(found["items"].as_array().unwrap()),
            found["total"].clone()
        ),
        (vec![submitted], json!(1))
    );
    assert_eq!(found["unread"], 3, "the unread count is of the whole inbox");
    // Refusals as every sorted list's.
    for (query, status, field) in [
        ("?sort=date".to_owned(), StatusCode::BAD_REQUEST, "sort"),
        (
            format!("?q={}", "x".repeat(101)),
            StatusCode::BAD_REQUEST,
            "q",
        ),
        (
            format!("?sort=title&cursor={next}"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = get(&query).await;
        assert_eq!(got, status, "{query}: {body}");
        assert_eq!(body["error"]["details"][0]["field"], field, "{query}");
    }
    // Nobody else's messages are counted.
    let (_, theirs) = w.app.api_get("/api/v1/messages", &liaison).await;
    assert_eq!(theirs["total"], 1, "{theirs}");

    // The page reads the same parameters.
    let mut browser = w.app.login_form("office1", PASSWORD).await;
    let page = browser.get("/messages?sort=seq&limit=2").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("共 3 项，第 1 / 2 页"), "{}", page.body);
    let heading = crate::helpers::link_with(&page.body, "按时间排序").unwrap();
    assert!(heading.contains("sort=-seq"), "{heading}");
    let page = browser.get("/messages?q=%E6%96%B9%E6%A1%88").await;
    assert!(
        page.body.contains("共 1 项") && !page.body.contains(claimed),
        "{}",
        page.body
    );
    let page = browser.get("/messages?sort=date").await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.body.contains("不是可用的排序"), "{}", page.body);
}
