//! The audit trail: who may read it, filtering, and the chain check noticing a record changed
//! behind the program's back.

use axum::http::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

/// An administrator and an inspection-office user, each logged in once through the API.
async fn app_with_admin_and_office() -> TestApp {
    let app = TestApp::spawn().await;
    app.add_user("sysadmin", "系统管理员甲", "admin", None)
        .await;
    app.add_user("wangli", "王丽", "office", None).await;
    app
}

#[tokio::test]
async fn only_an_administrator_may_open_the_audit_page() {
    let app = app_with_admin_and_office().await;

    let mut office = app.login_form("wangli", PASSWORD).await;
    let resp = office.get("/system/audit").await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN, "{}", resp.body);
    assert!(resp.body.contains("无权操作"), "{}", resp.body);
    let token = app.api_token("wangli", PASSWORD).await;
    let (status, _) = app.api_get("/api/v1/audit", &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let mut admin = app.login_form("sysadmin", PASSWORD).await;
    let resp = admin.get("/system/audit").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("<td>新建用户</td>"), "{}", resp.body);
    assert!(resp.body.contains("<td>登录成功</td>"), "{}", resp.body);
}

#[tokio::test]
async fn the_audit_page_filters_by_action() {
    let app = app_with_admin_and_office().await;
    app.add_unit("自治区财政厅").await;
    let mut admin = app.login_form("sysadmin", PASSWORD).await;

    let resp = admin.get("/system/audit?action=unit_created").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert_eq!(
        resp.body.matches("<td>新建单位</td>").count(),
        1,
        "{}",
        resp.body
    );
    assert!(
        !resp.body.contains("<td>登录成功</td>") && !resp.body.contains("<td>新建用户</td>"),
        "other actions are listed too: {}",
        resp.body
    );
    assert!(
        resp.body
            .contains("<option value=\"unit_created\" selected>"),
        "the filter does not stay selected"
    );

    // The same filter through the API.
    let token = app.api_token("sysadmin", PASSWORD).await;
    let (status, page) = app
        .api_get("/api/v1/audit?action=login_succeeded", &token)
        .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "one page log-in and one token: {page}");
    assert!(items.iter().all(|r| r["action"] == "login_succeeded"));

    // A date that is not one is named, not ignored.
    let resp = admin.get("/system/audit?from=yesterday").await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST, "{}", resp.body);
    assert!(resp.body.contains("时间格式"), "{}", resp.body);
}

#[tokio::test]
async fn verification_fails_once_a_record_is_altered_in_the_database() {
    let app = app_with_admin_and_office().await;
    app.add_unit("自治区财政厅").await;
    let token = app.api_token("sysadmin", PASSWORD).await;

    let (status, v) = app.api_get("/api/v1/audit/verify", &token).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["whole"], true, "{v}");
    let records = v["records"].as_i64().expect("a record count");
    assert!(records >= 5, "{v}");

    // Someone with access to the database file rewrites what record #3 says.
    let changed = sqlx::query("UPDATE audit_log SET summary = $1 WHERE seq = $2")
        .bind(r#"{"after":{"name":"无中生有"}}"#)
        .bind(3_i64)
        .execute(&app.db.pool)
        .await
        .expect("alter the record behind the program's back")
        .rows_affected();
    assert_eq!(changed, 1);

    let (status, v) = app.api_get("/api/v1/audit/verify", &token).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["whole"], false, "the altered record went unnoticed: {v}");
    let fault = v["fault"].as_str().expect("the fault is described");
    assert!(
        fault.contains("#3"),
        "the fault does not name record #3: {fault}"
    );

    let mut admin = app.login_form("sysadmin", PASSWORD).await;
    let resp = admin.get("/system/audit?verify=1").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("校验未通过"), "{}", resp.body);
    assert!(resp.body.contains("#3"), "{}", resp.body);
}

#[tokio::test]
async fn verification_passes_on_an_untouched_trail_through_the_page() {
    let app = app_with_admin_and_office().await;
    let mut admin = app.login_form("sysadmin", PASSWORD).await;
    let resp = admin.get("/system/audit?verify=1").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("校验通过"), "{}", resp.body);
}

#[tokio::test]
async fn the_trail_reads_in_chinese_filters_by_names_and_exports_what_it_shows() {
    let app = app_with_admin_and_office().await;
    let unit = app.add_unit("自治区财政厅").await;
    app.login_form("wangli", PASSWORD).await;
    let mut admin = app.login_form("sysadmin", PASSWORD).await;

    // Object types from a list in Chinese; the object links to its page; the summary is a
    // table of fields.
    let resp = admin.get("/system/audit?object_type=unit").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    let body = &resp.body;
    assert!(
        body.contains("<option value=\"unit\" selected>单位</option>"),
        "{body}"
    );
    assert!(
        body.contains(&format!("<a href=\"/units/{}\">单位</a>", unit.id)),
        "the unit links to its page: {body}"
    );
    assert!(body.contains("<th scope=\"row\">名称</th>"), "{body}");
    assert!(body.contains("<td>自治区财政厅</td>"), "{body}");
    assert!(!body.contains("{&quot;"), "no JSON is shown: {body}");

    // A person is found by a part of their name and shown by it.
    let resp = admin.get("/system/audit?actor=%E7%8E%8B").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(
        resp.body.contains("<td>王丽（wangli）</td>"),
        "{}",
        resp.body
    );
    assert!(
        !resp.body.contains("系统管理员甲（sysadmin）"),
        "{}",
        resp.body
    );
    assert!(resp.body.contains("<td>网页登录</td>") || resp.body.contains("登录成功"));
    // By log-in name as before.
    let resp = admin.get("/system/audit?actor=WangLi").await;
    assert!(
        resp.body.contains("<td>王丽（wangli）</td>"),
        "{}",
        resp.body
    );

    // The workbook holds what the filters select, in the same words.
    let (cookie, _) = crate::helpers::session_cookie(&app, "sysadmin").await;
    let (status, headers, bytes) = crate::helpers::raw(
        &app,
        axum::http::Request::get("/system/audit/export?actor=%E7%8E%8B%E4%B8%BD")
            .header(axum::http::header::COOKIE, &cookie)
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        headers[axum::http::header::CONTENT_TYPE],
        xunshi_office::XLSX_CONTENT_TYPE
    );
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = wb.worksheet_range("审计日志").unwrap();
    let rows: Vec<Vec<String>> = range
        .rows()
        .skip(3)
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r[2] == "王丽（wangli）"), "{rows:?}");
    assert!(rows.iter().any(|r| r[4] == "登录成功"), "{rows:?}");

    // Only the administrator may take it away.
    let mut office = app.login_form("wangli", PASSWORD).await;
    let resp = office.get("/system/audit/export").await;
    assert_eq!(resp.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_trail_sorts_counts_and_pages_alike_on_the_page_and_in_the_api() {
    use serde_json::Value;
    let app = app_with_admin_and_office().await;
    for name in ["自治区财政厅", "自治区审计厅", "自治区统计局"] {
        app.add_unit(name).await;
    }
    // Every log-in is done before the trail is read, so the trail stands still meanwhile.
    let mut admin = app.login_form("sysadmin", PASSWORD).await;
    let token = app.api_token("sysadmin", PASSWORD).await;
    let seqs = |page: &Value| -> Vec<i64> {
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["seq"].as_i64().unwrap())
            .collect()
    };

    // Newest first unless told, with the total.
    let (status, all) = app.api_get("/api/v1/audit?limit=500", &token).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    let newest_first = seqs(&all);
    let n = newest_first.len() as i64;
    assert!(n >= 8, "{all}");
    assert_eq!(all["total"], n);
    assert!(newest_first.windows(2).all(|w| w[0] > w[1]), "{all}");
    // Oldest first, three a page, forward to the end and back from the last page.
    let mut forward = Vec::new();
    let mut path = "/api/v1/audit?sort=seq&limit=3".to_owned();
    loop {
        let (status, page) = app.api_get(&path, &token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["total"], n);
        forward.extend(seqs(&page));
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/audit?sort=seq&limit=3&cursor={c}"),
            None => break,
        }
    }
    let mut oldest_first = newest_first.clone();
    oldest_first.reverse();
    assert_eq!(forward, oldest_first);
    let mut back = Vec::new();
    let mut path = "/api/v1/audit?sort=seq&limit=3&cursor=p.seq".to_owned();
    loop {
        let (status, page) = app.api_get(&path, &token).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let mut got = seqs(&page);
        got.extend(back);
        back = got;
        match page["prev_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/audit?sort=seq&limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(back, oldest_first);
    // By action: each action's records together, in sequence order.
    let (_, by_action) = app
        .api_get("/api/v1/audit?sort=action&limit=500", &token)
        .await;
    let keyed: Vec<(String, i64)> = by_action["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["seq"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut want = keyed.clone();
    want.sort();
    assert_eq!(keyed, want);
    assert_eq!(keyed.len() as i64, n);
    // A filter counts what it lets through.
    let (_, created) = app
        .api_get("/api/v1/audit?action=unit_created&sort=-actor", &token)
        .await;
    assert_eq!(created["total"], 3, "{created}");
    // Refusals as every sorted list's.
    let (_, first) = app
        .api_get("/api/v1/audit?sort=actor&limit=2", &token)
        .await;
    let c = first["next_cursor"].as_str().expect("more than a page");
    for (path, status, field) in [
        ("/api/v1/audit?sort=at", StatusCode::BAD_REQUEST, "sort"),
        (
            &format!("/api/v1/audit?sort=action&cursor={c}") as &str,
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
        (
            "/api/v1/audit?cursor=nothing",
            StatusCode::UNPROCESSABLE_ENTITY,
            "cursor",
        ),
    ] {
        let (got, body) = app.api_get(path, &token).await;
        assert_eq!(got, status, "{path}: {body}");
        assert_eq!(crate::helpers::detail_fields(&body), [field], "{path}");
    }

    // The page reads the same parameters.
    let resp = admin.get("/system/audit").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert!(
        resp.body.contains(&format!("共 {n} 项，第 1 / 1 页")),
        "{}",
        resp.body
    );
    let heading = crate::helpers::link_with(&resp.body, "按序号排序").unwrap();
    assert!(heading.contains("sort=seq&"), "{heading}");
    let resp = admin.get("/system/audit?sort=seq&limit=3").await;
    let pages = (n + 2) / 3;
    assert!(
        resp.body.contains(&format!("共 {n} 项，第 1 / {pages} 页")),
        "{}",
        resp.body
    );
    let last = crate::helpers::link_with(&resp.body, ">末页").unwrap();
    let resp = admin.get(&last).await;
    assert!(
        resp.body.contains(&format!("第 {pages} / {pages} 页"))
            && resp.body.contains(&format!("<td>{}</td>", newest_first[0])),
        "{}",
        resp.body
    );
    let resp = admin.get("/system/audit?sort=at").await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    assert!(resp.body.contains("不是可用的排序"), "{}", resp.body);
}

/// Asks the API to pin the trail's newest record now.
async fn pin_now(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    app.api_post(
        "/api/v1/audit/checkpoints",
        Some(token),
        serde_json::json!({}),
    )
    .await
}

/// The application with checkpoints signed by a key in `outside` and kept there.
async fn anchored_app(outside: &std::path::Path) -> TestApp {
    let key = outside.join("checkpoint.key");
    xunshi_store::anchor::generate_key(&key).expect("a signing key");
    let anchor = xunshi_store::FolderAnchor::signing(outside.join("checkpoints"), &key)
        .expect("the checkpoint folder");
    let app = TestApp::spawn_with(move |s| {
        s.anchor = Some(std::sync::Arc::new(anchor));
    })
    .await;
    app.add_user("sysadmin", "系统管理员甲", "admin", None)
        .await;
    app.add_user("wangli", "王丽", "office", None).await;
    app
}

#[tokio::test]
async fn the_administrator_pins_the_trail_and_sees_it_held_then_wound_back() {
    let outside = tempfile::tempdir().unwrap();
    let app = anchored_app(outside.path()).await;
    let mut admin = app.login_form("sysadmin", PASSWORD).await;

    let resp = admin.get("/system/audit/anchor").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("尚无检查点"), "{}", resp.body);
    let token = admin.csrf_token("/system/audit/anchor").await;
    let resp = admin
        .post_form_with_token("/system/audit/checkpoint", Some(&token), &[])
        .await;
    resp.assert_redirect_to("/system/audit/anchor?notice=checkpoint_written");
    let resp = admin
        .get("/system/audit/anchor?notice=checkpoint_written")
        .await;
    assert!(resp.body.contains("检查点已签名保存"), "{}", resp.body);
    assert!(resp.body.contains("与审计链一致"), "{}", resp.body);
    assert!(resp.body.contains("checkpoint-0000000000"), "{}", resp.body);

    let api = app.api_token("sysadmin", PASSWORD).await;
    let (status, v) = pin_now(&app, &api).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let pinned = v["checkpoint"]["seq"]
        .as_i64()
        .expect("a new checkpoint: the trail grew");
    let (status, v) = pin_now(&app, &api).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["checkpoint"].is_null(), "nothing new to pin: {v}");
    let (status, v) = app.api_get("/api/v1/audit/checkpoint", &api).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["latest"]["seq"], pinned, "{v}");
    assert_eq!(v["agreement"], "holds", "{v}");
    assert_eq!(v["latest"]["key"], v["key"], "{v}");

    // The office may not see or make checkpoints.
    let office = app.api_token("wangli", PASSWORD).await;
    let (status, _) = app.api_get("/api/v1/audit/checkpoint", &office).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = pin_now(&app, &office).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Someone with the database deletes everything from the pinned record on and winds the
    // head back: the chain alone is whole, the checkpoint is not held.
    sqlx::query("DELETE FROM audit_log WHERE seq >= $1")
        .bind(pinned)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (seq, hash): (i64, String) =
        sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_one(&app.db.pool)
            .await
            .unwrap();
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2")
        .bind(seq)
        .bind(hash)
        .execute(&app.db.pool)
        .await
        .unwrap();
    let (_, v) = app.api_get("/api/v1/audit/checkpoint", &api).await;
    assert_eq!(v["agreement"], "missing", "{v}");
    let (_, v) = app.api_get("/api/v1/audit/verify", &api).await;
    assert_eq!(v["whole"], false, "{v}");
    assert!(v["fault"].as_str().unwrap().contains("wound back"), "{v}");
    let resp = admin.get("/system/audit/anchor").await;
    assert!(resp.body.contains("最新记录被删除"), "{}", resp.body);
    let (status, v) = pin_now(&app, &api).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "the shorter trail is not pinned: {v}"
    );
}

#[tokio::test]
async fn without_a_key_the_page_says_how_to_anchor_and_the_api_refuses() {
    let app = app_with_admin_and_office().await;
    let mut admin = app.login_form("sysadmin", PASSWORD).await;
    let resp = admin.get("/system/audit/anchor").await;
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.body);
    assert!(resp.body.contains("尚未配置审计锚定"), "{}", resp.body);
    assert!(resp.body.contains("audit keygen"), "{}", resp.body);
    let api = app.api_token("sysadmin", PASSWORD).await;
    let (status, _) = app.api_get("/api/v1/audit/checkpoint", &api).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, v) = pin_now(&app, &api).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let resp = admin.get("/system/audit").await;
    assert!(
        resp.body.contains("href=\"/system/audit/anchor\""),
        "{}",
        resp.body
    );
}
