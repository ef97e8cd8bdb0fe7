//! The leadership view (领导视图) on a generated province: the page for the leadership and the
//! office, refused to a unit's liaison; every number equal to the length of the list its link
//! opens; the completion chart drawn with each round's points.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::Value;
use xunshi_core::store::Secrets;
use xunshi_store::Argon2Secrets;
use xunshi_store::generate::{BENCH_PASSWORD, Counts, GenerateOptions, generate};

use crate::helpers::TestApp;

async fn province() -> TestApp {
    let now: jiff::Timestamp = "2026-12-03T02:00:00Z".parse().expect("an instant");
    let app = TestApp::spawn_with(|s| s.clock = Arc::new(move || now)).await;
    let opts = GenerateOptions {
        seed: 5,
        counts: Counts::for_tasks(1_500),
        today: jiff::civil::date(2026, 12, 3),
        password_hash: Argon2Secrets::for_tests()
            .hash_password(BENCH_PASSWORD.to_owned())
            .await
            .expect("a hash"),
    };
    generate(&app.db, &opts, &mut |_| {})
        .await
        .expect("generate");
    app
}

/// Every item of an API list, page by page.
async fn listed(app: &TestApp, path: &str, token: &str) -> usize {
    let mut n = 0;
    let mut cursor = String::new();
    loop {
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = if cursor.is_empty() {
            format!("{path}{sep}limit=500")
        } else {
            format!("{path}{sep}limit=500&cursor={cursor}")
        };
        let (status, page) = app.api_get(&url, token).await;
        assert_eq!(status, StatusCode::OK, "{url}: {page}");
        n += page["items"].as_array().expect("items").len();
        match page["next_cursor"].as_str() {
            Some(c) => cursor = c.to_owned(),
            None => return n,
        }
    }
}

/// A link as askama writes it into the page (`&` as a numeric entity).
fn link(href: &str, count: u64) -> String {
    format!("href=\"{}\">{count}</a>", href.replace('&', "&#38;"))
}

fn count(v: &Value) -> u64 {
    v.as_u64().expect("a count")
}

#[tokio::test]
async fn the_leadership_view_counts_what_its_links_list() {
    let app = province().await;
    let leader = app.api_token("bench.leader", BENCH_PASSWORD).await;
    let (status, view) = app.api_get("/api/v1/overview", &leader).await;
    assert_eq!(status, StatusCode::OK, "{view}");
    let term = view["term"]["id"].as_str().expect("a term").to_owned();
    let mut browser = app.login_form("bench.leader", BENCH_PASSWORD).await;
    let page = browser.get("/leadership").await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("<h1>领导视图</h1>"));

    // Inspections: each cell is the length of the list it opens, and the page links to it.
    let rounds = view["rounds"].as_array().expect("rounds");
    assert!(!rounds.is_empty());
    let mut nonzero = 0;
    for r in rounds {
        let round = r["round_id"].as_str().unwrap();
        for b in r["by_stage"].as_array().unwrap() {
            let href = format!(
                "/inspections?term_id={term}&round_id={round}&stage={}",
                b["key"].as_str().unwrap()
            );
            let n = count(&b["count"]);
            assert!(
                page.body.contains(&link(&href, n)),
                "{href} {n} on the page"
            );
            if n > 0 {
                nonzero += 1;
                assert_eq!(
                    n as usize,
                    listed(&app, &format!("/api/v1{href}"), &leader).await,
                    "{href}"
                );
            }
        }
    }
    assert!(nonzero > 1, "inspections at several stages");
    let all = format!("/inspections?term_id={term}");
    let total = count(&view["inspections_total"]);
    assert!(page.body.contains(&link(&all, total)));
    assert_eq!(
        total as usize,
        listed(&app, &format!("/api/v1{all}"), &leader).await
    );

    // Coverage: the coverage of the term, and the units not yet covered behind their number.
    let (status, coverage) = app
        .api_get(&format!("/api/v1/terms/{term}/coverage"), &leader)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(view["coverage"]["total"], coverage["total"]);
    assert_eq!(view["coverage"]["covered"], coverage["covered"]);
    let uncovered = count(&view["coverage"]["uncovered"]);
    let href = format!("/planning/coverage?term_id={term}&uncovered=true");
    assert!(page.body.contains(&href.replace('&', "&#38;")));
    let list = browser.get(&href).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(
        list.body.matches("尚未巡视</span>").count() as u64,
        uncovered,
        "the units not yet covered"
    );
    assert!(!list.body.contains("已覆盖</span>"));

    // Clues: the leadership reads every clue list (clue.rs), so each colour opens its list.
    let clues = view["clues"]
        .as_array()
        .expect("the leadership reads clues");
    let mut coloured = 0;
    for b in clues {
        let key = b["key"].as_str().unwrap();
        let n = count(&b["count"]);
        assert!(page.body.contains(&format!("/clues?colour={key}")));
        assert_eq!(
            n as usize,
            listed(&app, &format!("/api/v1/clues?colour={key}"), &leader).await,
            "{key}"
        );
        coloured += usize::from(n > 0);
    }
    assert!(coloured > 1, "clues of several colours");

    // The chart: one line per round, one point per month, the last point the round's rate.
    let months = view["months"].as_array().expect("months").len();
    let completion = view["completion"].as_array().expect("completion");
    assert!(months > 1 && !completion.is_empty());
    assert!(page.body.contains("<svg class=\"lines\""));
    assert_eq!(
        page.body.matches("<polyline").count(),
        completion.len(),
        "a line per round"
    );
    assert_eq!(
        page.body.matches("<circle cx=").count(),
        completion.len() * months,
        "a point per round and month"
    );
    for r in completion {
        let name = r["name"].as_str().unwrap();
        let last = r["points"].as_array().unwrap().last().unwrap();
        let title = format!(
            "<title>{name} {} {:.1}%</title>",
            last["month"].as_str().unwrap(),
            last["rate"].as_f64().unwrap() * 100.0
        );
        assert!(page.body.contains(&title), "{title}");
        assert_eq!(
            count(&last["closed"]),
            count(&r["closed"]),
            "nothing closed after this month"
        );
    }
    // The chart is drawn without script; the page carries only the site's one script file.
    assert_eq!(
        page.body.matches("<script").count(),
        page.body
            .matches("<script src=\"/static/app.js\" defer></script>")
            .count(),
        "no inline script"
    );
}

#[tokio::test]
async fn the_leadership_view_is_for_the_leadership_and_the_office_only() {
    let app = province().await;
    for who in ["bench.leader", "bench.office"] {
        let mut b = app.login_form(who, BENCH_PASSWORD).await;
        let home = b.get("/").await;
        assert!(
            home.body.contains("href=\"/leadership\""),
            "{who}: in the navigation"
        );
        let page = b.get("/leadership").await;
        assert_eq!(page.status, StatusCode::OK, "{who}");
        let token = app.api_token(who, BENCH_PASSWORD).await;
        let (status, _) = app.api_get("/api/v1/overview", &token).await;
        assert_eq!(status, StatusCode::OK, "{who}");
    }
    // The leader's home page shows the work, not the size of the organisation and its accounts.
    let mut leader = app.login_form("bench.leader", BENCH_PASSWORD).await;
    let home = leader.get("/").await;
    assert!(!home.body.contains("在册单位"));
    assert!(!home.body.contains("系统用户"));
    let mut office = app.login_form("bench.office", BENCH_PASSWORD).await;
    assert!(office.get("/").await.body.contains("在册单位"));

    let mut liaison = app.login_form("bench.liaison", BENCH_PASSWORD).await;
    assert!(!liaison.get("/").await.body.contains("href=\"/leadership\""));
    assert_eq!(
        liaison.get("/leadership").await.status,
        StatusCode::FORBIDDEN
    );
    let token = app.api_token("bench.liaison", BENCH_PASSWORD).await;
    let (status, body) = app.api_get("/api/v1/overview", &token).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    // A term that does not exist, and one that cannot be read.
    let token = app.api_token("bench.leader", BENCH_PASSWORD).await;
    let (status, _) = app
        .api_get(
            &format!("/api/v1/overview?term_id={}", xunshi_core::Id::new()),
            &token,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app.api_get("/api/v1/overview?term_id=nope", &token).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
