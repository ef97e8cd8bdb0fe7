//! Recurring problems over HTTP, on a generated set with its patterns worked out: the office
//! reads a round's clusters page by page on the page and in the API alike, opens a cluster,
//! downloads the round's workbook, lists the problems found again and sees them on the paper
//! and the dashboard; the inspected unit is refused both lists and sees no such number.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use serde_json::Value;
use xunshi_core::permission::Actor;
use xunshi_core::store::Secrets;
use xunshi_store::Argon2Secrets;
use xunshi_store::generate::{BENCH_PASSWORD, Counts, GenerateOptions, generate};

use crate::helpers::{TestApp, assert_api_error, raw};

/// An application over a generated set of about 600 tasks, its patterns worked out.
async fn generated() -> TestApp {
    let app = TestApp::spawn().await;
    let opts = GenerateOptions {
        seed: 11,
        counts: Counts::for_tasks(600),
        today: jiff::civil::date(2026, 12, 3),
        password_hash: Argon2Secrets::for_tests()
            .hash_password(BENCH_PASSWORD.to_owned())
            .await
            .expect("a hash"),
    };
    generate(&app.db, &opts, &mut |_| {})
        .await
        .expect("generate");
    let run = app
        .services
        .compute_patterns(&Actor::system())
        .await
        .expect("the patterns");
    assert!(run.clusters > 2 && run.recurrences > 0, "{run:?}");
    app
}

async fn cookie(app: &TestApp, username: &str) -> String {
    let s = app
        .services
        .login_session(username, BENCH_PASSWORD, None, None)
        .await
        .expect("log in");
    format!("xunshi_session={}", s.token)
}

async fn page(app: &TestApp, path: &str, cookie: &str) -> (StatusCode, String) {
    let (status, _, bytes) = raw(
        app,
        Request::get(path)
            .header(header::COOKIE, cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    (status, String::from_utf8(bytes).expect("a page is text"))
}

/// The cells of a clusters workbook's sheet, as text, fetched with `token`.
async fn clusters_workbook(app: &TestApp, path: &str, token: &str) -> Vec<Vec<String>> {
    use calamine::{Reader, Xlsx, open_workbook_from_rs};
    let (status, headers, bytes) = raw(
        app,
        Request::get(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{path}");
    assert_eq!(
        headers[header::CONTENT_TYPE],
        xunshi_office::XLSX_CONTENT_TYPE
    );
    let mut wb: Xlsx<_> = open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an xlsx");
    wb.worksheet_range("同类问题")
        .expect("the sheet")
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

#[tokio::test]
async fn the_office_reads_clusters_and_problems_found_again_and_the_unit_is_refused() {
    let app = generated().await;
    let office = app.api_token("bench.office", BENCH_PASSWORD).await;
    let liaison = app.api_token("bench.liaison", BENCH_PASSWORD).await;

    // The round with the most clusters, read one at a time; the pages follow one another.
    let (status, body) = app
        .api_get("/api/v1/patterns/recurrences?limit=3", &office)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["problems"].as_i64().unwrap() > 0);
    let r = &body["items"][0];
    assert_eq!(r["unit_id"], body["items"][0]["unit_id"]);
    assert!(r["similarity"].as_i64().unwrap() >= 40);
    let problem = r["problem_id"].as_str().unwrap().to_owned();
    let round: String = sqlx::query_scalar(
        "SELECT round_id FROM problem_clusters WHERE round_id IS NOT NULL
         GROUP BY round_id ORDER BY COUNT(*) DESC, round_id LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("a round with clusters");
    let path = format!("/api/v1/patterns/rounds/{round}/clusters");
    let (status, first) = app.api_get(&format!("{path}?limit=1"), &office).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let items = first["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["seq"], 1);
    let cursor = first["next_cursor"].as_str().expect("more clusters");
    let (_, second) = app
        .api_get(&format!("{path}?limit=1&cursor={cursor}"), &office)
        .await;
    assert_eq!(second["items"][0]["seq"], 2);
    assert!(items[0]["units"].as_i64().unwrap() >= second["items"][0]["units"].as_i64().unwrap());
    for bad in ["cursor=abc", "limit=0", "limit=201"] {
        let (status, body) = app.api_get(&format!("{path}?{bad}"), &office).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}: {body}");
        let field = bad.split('=').next().unwrap();
        assert!(
            assert_api_error(&body, "bad_input")
                .iter()
                .any(|d| d["field"] == field),
            "{bad}: {body}"
        );
    }

    // One cluster: its problems counted by unit add up to it.
    let cluster = items[0]["id"].as_str().unwrap();
    let (status, view) = app
        .api_get(&format!("/api/v1/patterns/clusters/{cluster}"), &office)
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let sum = |key: &str| -> i64 {
        view[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["count"].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum("by_unit"), items[0]["problems"].as_i64().unwrap());
    assert_eq!(sum("by_category"), items[0]["problems"].as_i64().unwrap());

    // The workbook, one row per cluster after the title, the subtitle and the headings.
    let rows = clusters_workbook(&app, &format!("{path}.xlsx"), &office).await;
    assert_eq!(rows[2][1], "共性问题（代表问题）");
    assert_eq!(
        rows.len() as i64 - 3,
        first["total"].as_i64().unwrap(),
        "{rows:?}"
    );
    assert_eq!(rows[3][1], items[0]["title"].as_str().unwrap());

    // A term's clusters, across its rounds: on the API, in its workbook (with the rounds each
    // spans) and on the page.
    let term: String = sqlx::query_scalar(
        "SELECT term_id FROM problem_clusters WHERE term_id IS NOT NULL AND rounds > 1 LIMIT 1",
    )
    .fetch_one(&app.db.pool)
    .await
    .expect("a term with a cluster across rounds");
    let term_path = format!("/api/v1/patterns/terms/{term}/clusters");
    let (status, by_term) = app.api_get(&term_path, &office).await;
    assert_eq!(status, StatusCode::OK, "{by_term}");
    assert_eq!(by_term["term_id"], Value::String(term.clone()));
    assert_eq!(by_term["round_id"], Value::Null);
    let term_items = by_term["items"].as_array().unwrap();
    assert!(term_items.iter().any(|c| c["rounds"].as_i64().unwrap() > 1));
    let rows = clusters_workbook(&app, &format!("{term_path}.xlsx"), &office).await;
    assert_eq!(rows[2][4], "涉及轮次数");
    assert_eq!(
        rows[3][4],
        term_items[0]["rounds"].as_i64().unwrap().to_string()
    );
    assert_eq!(
        rows.len() as i64 - 3,
        by_term["total"].as_i64().unwrap().min(5_000)
    );
    let (status, body) = app
        .api_get(
            &format!("/api/v1/patterns/terms/{}/clusters", xunshi_core::Id::new()),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");

    // A paper found again names its earlier problem.
    let (status, on_paper) = app
        .api_get(&format!("/api/v1/problems/{problem}/recurrences"), &office)
        .await;
    assert_eq!(status, StatusCode::OK, "{on_paper}");
    assert!(
        on_paper
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["problem_id"] == Value::String(problem.clone()))
    );

    // The trends: each heading's count of a round is the length of its list; each unit's
    // numbers are those of the lists they open.
    let (status, trends) = app.api_get("/api/v1/patterns/trends", &office).await;
    assert_eq!(status, StatusCode::OK, "{trends}");
    let rounds = trends["rounds"].as_array().unwrap();
    assert!(!rounds.is_empty() && rounds.len() <= 6);
    let heading = &trends["categories"][0];
    let latest = rounds.last().unwrap()["id"].as_str().unwrap();
    let count = heading["counts"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .as_i64()
        .unwrap();
    let (status, list) = app
        .api_get(
            &format!(
                "/api/v1/patterns/problems?round_id={latest}&category_id={}&limit=200",
                heading["category_id"].as_str().unwrap()
            ),
            &office,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"].as_i64(), Some(count));
    assert_eq!(
        list["items"].as_array().unwrap().len() as i64,
        count.min(200)
    );
    let unit = &trends["units_recurring"][0];
    assert!(unit["recurring"].as_i64().unwrap() <= unit["problems"].as_i64().unwrap());
    let (_, again) = app
        .api_get(
            &format!(
                "/api/v1/patterns/recurrences?unit_id={}",
                unit["unit_id"].as_str().unwrap()
            ),
            &office,
        )
        .await;
    assert_eq!(again["problems"], unit["recurring"]);
    let unit = &trends["units_reopened"][0];
    let (_, rejected) = app
        .api_get(
            &format!(
                "/api/v1/tasks?unit_id={}&rejected=1&limit=1",
                unit["unit_id"].as_str().unwrap()
            ),
            &office,
        )
        .await;
    assert_eq!(rejected["total"], unit["reopened"], "{rejected}");
    let (status, body) = app.api_get("/api/v1/patterns/problems", &office).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        assert_api_error(&body, "bad_input")
            .iter()
            .any(|d| d["field"] == "round_id"),
        "{body}"
    );

    // The unit reads neither list.
    for path in [
        path.clone(),
        term_path.clone(),
        "/api/v1/patterns/recurrences".to_owned(),
        "/api/v1/patterns/trends".to_owned(),
    ] {
        let (status, body) = app.api_get(&path, &liaison).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
    }

    // The pages show what the API answers, and the navigation offers them to the office.
    let office_cookie = cookie(&app, "bench.office").await;
    let (status, html) = page(
        &app,
        &format!("/patterns?round_id={round}&limit=1"),
        &office_cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(items[0]["title"].as_str().unwrap()));
    // The next page's link, with `&` escaped as askama escapes it.
    assert!(
        html.contains(&format!(
            "/patterns?round_id={round}&#38;cursor=1&#38;limit=1"
        )),
        "{html}"
    );
    assert!(html.contains("href=\"/patterns/recurrences\""));
    assert!(html.contains("最近一轮各类问题数"));
    assert!(html.contains(&format!("/patterns/problems?round_id={latest}")));
    let (status, html) = page(
        &app,
        &format!(
            "/patterns/problems?round_id={latest}&category_id={}",
            heading["category_id"].as_str().unwrap()
        ),
        &office_cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("共 {count} 个问题")), "{html}");
    let (status, html) = page(
        &app,
        &format!("/patterns/clusters/{cluster}"),
        &office_cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("代表问题"));
    let (status, html) = page(&app, &format!("/patterns?term_id={term}"), &office_cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("<th>涉及轮次</th>"), "{html}");
    assert!(html.contains(&format!("/patterns/terms/{term}/clusters.xlsx")));
    assert!(html.contains(term_items[0]["title"].as_str().unwrap()));
    let term_cluster = term_items[0]["id"].as_str().unwrap();
    let (status, html) = page(
        &app,
        &format!("/patterns/clusters/{term_cluster}"),
        &office_cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains(&format!("/patterns?term_id={term}")),
        "{html}"
    );
    let (status, html) = page(&app, "/patterns/recurrences", &office_cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains(&format!("/papers/{problem}")));
    let (status, html) = page(&app, &format!("/papers/{problem}"), &office_cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("整改不到位：本单位已销号问题再次被发现"));
    let (status, html) = page(&app, "/dashboard", &office_cookie).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("整改不到位（问题复现）"));
    let (status, html) = page(&app, "/patterns?cursor=abc", &office_cookie).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{html}");
    assert!(html.contains("翻页位置"));

    let unit_cookie = cookie(&app, "bench.liaison").await;
    let (status, _) = page(&app, "/patterns", &unit_cookie).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, html) = page(&app, "/dashboard", &unit_cookie).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("整改不到位"));
    assert!(!html.contains("href=\"/patterns"));
}

/// A one-row ledger of the department, for moving a past inspection in.
fn ledger(problem: &str, measure: &str) -> xunshi_core::service::LedgerImport {
    use xunshi_core::service::{LedgerCell, LedgerImport, LedgerImportRow};
    let cell = |col: &str, text: &str| {
        Some(LedgerCell {
            cell: format!("{col}5"),
            text: text.into(),
        })
    };
    LedgerImport {
        file_name: "台账.xlsx".into(),
        rows: vec![LedgerImportRow {
            line: 5,
            problem: cell("A", problem),
            measure: cell("B", measure),
            target: cell("C", "问题整改到位"),
            standard: cell("D", "制度出台并落实"),
            responsible_leader: cell("E", "分管副部长"),
            deadline: cell("F", "长期坚持"),
            lead_department: cell("G", "办公室"),
            co_departments: cell("H", "机关党委"),
            responsible_person: cell("I", "办公室负责人"),
            category: None,
        }],
        skipped: Vec::new(),
        notes: Vec::new(),
    }
}

#[tokio::test]
async fn a_plan_carries_an_earlier_task_on_its_page_and_in_the_api_and_a_look_back_shows_its_original()
 {
    use xunshi_core::service::PastInspectionInput;

    let a = crate::papers::app_with(|_| {}).await;
    let seed = crate::papers::world(&a).await;
    let office = a.actor("office1").await;
    let import = |feedback: &str, team: &str| PastInspectionInput {
        unit: "自治区党委宣传部".into(),
        feedback_date: feedback.into(),
        team_name: Some(team.into()),
        ..Default::default()
    };
    let earlier =
        a.s.import_past_inspection(
            &office,
            &import("2019-12-20", "第五巡视组"),
            &ledger("落实定点帮扶责任不够到位", "完善定点帮扶长效机制"),
            false,
        )
        .await
        .unwrap();
    let later =
        a.s.import_past_inspection(
            &office,
            &import("2019-12-27", "第六巡视组"),
            &ledger("意识形态工作责任制落实不够到位", "健全意识形态工作责任制"),
            false,
        )
        .await
        .unwrap()
        .plan_id
        .unwrap();
    let principal = a.token("fanxiaoli").await;
    let base = format!("/rectification-plans/{later}");

    let r = a
        .api("GET", &format!("{base}/carryable"), &principal, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let offered = r.json();
    assert_eq!(offered.as_array().unwrap().len(), 1, "{offered}");
    let task = offered[0]["task"]["id"].as_str().unwrap().to_owned();
    assert_eq!(offered[0]["team_name"], "第五巡视组");
    let version = a.api("GET", &base, &principal, None).await.json()["plan"]["version"]
        .as_i64()
        .unwrap();
    let body = |v: i64, t: &str| Some(serde_json::json!({ "version": v, "task_id": t }));
    let r = a
        .api(
            "POST",
            &format!("{base}/carried"),
            &principal,
            body(version, "x"),
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    let r = a
        .api(
            "POST",
            &format!("{base}/carried"),
            &principal,
            body(version, &task),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["version"], version + 1);
    let r = a
        .api(
            "POST",
            &format!("{base}/carried"),
            &principal,
            body(version, &task),
        )
        .await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "a stale version: {}",
        r.text()
    );
    let detail = a.api("GET", &base, &principal, None).await.json();
    assert_eq!(detail["carried"][0]["entry"]["task"]["id"], task.as_str());
    assert_eq!(
        detail["carried"][0]["entry"]["task"]["plan_id"],
        earlier.plan_id.unwrap().to_string()
    );

    // The pages: the plan lists it and takes it out and back; the task names the plan.
    let session = a.session("fanxiaoli").await;
    let page = a
        .page(&format!("/rectification/plans/{later}"), &session)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("一并落实的此前整改任务"));
    assert!(page.text().contains("完善定点帮扶长效机制"));
    let v = (version + 1).to_string();
    let r = a
        .post_form(
            &format!("/rectification/plans/{later}/carried/remove"),
            &session,
            &[("version", &v), ("task_id", &task)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let v = (version + 2).to_string();
    let r = a
        .post_form(
            &format!("/rectification/plans/{later}/carried"),
            &session,
            &[("version", &v), ("task_id", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.text());
    assert!(r.text().contains("请选择要一并落实的整改任务"));
    let r = a
        .post_form(
            &format!("/rectification/plans/{later}/carried"),
            &session,
            &[("version", &v), ("task_id", &task)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
    let page = a
        .page(&format!("/rectification/tasks/{task}"), &session)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.text().contains("一并落实"));
    assert!(
        page.text()
            .contains(&format!("/rectification/plans/{later}"))
    );
    // Its own ledger, where it stays and is counted, marks it as carried, on the API and on
    // the earlier plan's page.
    let r = a
        .api(
            "GET",
            &format!(
                "/tasks?inspection_id={}&limit=200",
                earlier.inspection_id.unwrap()
            ),
            &principal,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let rows = r.json()["items"].as_array().unwrap().clone();
    let carried: Vec<&str> = rows
        .iter()
        .filter(|e| e["carried"] == true)
        .map(|e| e["task"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(carried, [task.as_str()], "{rows:?}");
    let page = a
        .page(
            &format!("/rectification/plans/{}", earlier.plan_id.unwrap()),
            &session,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.text().contains("title=\"已纳入后续整改方案一并落实\""),
        "{}",
        page.text()
    );

    // A 回头看 of the earlier inspection shows its problem beside its task, to the office and
    // not to the unit.
    let of = earlier.inspection_id.unwrap();
    let (view, _) = a.s.get_inspection(&office, seed).await.unwrap();
    let look_back =
        a.s.create_inspection(
            &office,
            &xunshi_core::inspection::InspectionInput {
                round_id: view.round_id.to_string(),
                team_name: "第九巡视组".into(),
                targets: vec!["自治区党委宣传部".into()],
                kind: "look_back".into(),
                look_back_of: Some(of.to_string()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let token = a.token("office1").await;
    let r = a
        .api(
            "GET",
            &format!("/inspections/{}/look-back", look_back.id),
            &token,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let l = r.json();
    assert_eq!(l["inspection_id"], of.to_string());
    assert_eq!(l["problems"][0]["title"], "落实定点帮扶责任不够到位");
    assert_eq!(l["problems"][0]["tasks"][0]["task"]["id"], task.as_str());
    assert_eq!(
        (l["tasks"].as_i64(), l["closed"].as_i64()),
        (Some(1), Some(0))
    );
    let r = a
        .api(
            "GET",
            &format!("/inspections/{seed}/look-back"),
            &token,
            None,
        )
        .await;
    assert_eq!(r.json(), Value::Null);
    let page = a
        .page(
            &format!("/inspections/{}", look_back.id),
            &a.session("office1").await,
        )
        .await;
    assert!(
        page.text().contains("“回头看”：2019年第五巡视组"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("完善定点帮扶长效机制"));
    let r = a
        .api(
            "GET",
            &format!("/inspections/{}/look-back", look_back.id),
            &principal,
            None,
        )
        .await;
    assert!(
        matches!(r.status, StatusCode::FORBIDDEN | StatusCode::NOT_FOUND),
        "{}",
        r.text()
    );
}
