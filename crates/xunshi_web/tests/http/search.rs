//! Full-text search over HTTP: the index follows the audit trail, and each person finds only
//! what their own pages would open — the team and the office the papers, another team nothing
//! of them, the inspected unit its feedback once given and never a paper or a report.

use std::sync::Arc;

use axum::http::StatusCode;
use serde_json::{Value, json};
use xunshi_core::inspection::InspectionInput;
use xunshi_core::permission::Actor;
use xunshi_core::role::Role;
use xunshi_core::search::SearchIndex;

use crate::helpers::{TestApp, assert_api_error, detail_fields};
use crate::papers::{App, POLITICAL, app_with, paper, ready_for_feedback, world};

async fn searchable() -> (App, Arc<dyn SearchIndex>) {
    let index: Arc<dyn SearchIndex> =
        Arc::new(xunshi_search::TantivyIndex::in_memory().expect("an index in memory"));
    let ix = index.clone();
    let a = app_with(move |s| s.search = Some(ix)).await;
    (a, index)
}

/// Applies every committed change to the index, as the server's follower does.
async fn follow(a: &App, index: &Arc<dyn SearchIndex>) {
    xunshi_search::catch_up(&a.s, index)
        .await
        .expect("the index follows the trail");
}

/// The kinds and titles a search answers `token` with.
async fn found(a: &App, token: &str, q: &str) -> Vec<(String, String)> {
    let r = a
        .api("GET", &format!("/search?q={}", urlencode(q)), token, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{q}: {}", r.text());
    r.json()["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_owned(),
                i["title"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).unwrap()[1..].to_owned()
}

fn kinds(hits: &[(String, String)]) -> Vec<&str> {
    let mut k: Vec<&str> = hits.iter().map(|(k, _)| k.as_str()).collect();
    k.sort();
    k.dedup();
    k
}

/// Another team's inspection in the round of `insp`, of 自治区教育厅, with its member `other5`.
async fn other_team(a: &App, insp: xunshi_core::Id) -> xunshi_core::Id {
    let sys = Actor::system();
    a.s.create_unit(
        &sys,
        &xunshi_core::org::UnitInput {
            name: "自治区教育厅".into(),
            kind: "department".into(),
            level: "provincial".into(),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    let round = a.s.get_inspection(&sys, insp).await.unwrap().0.round_id;
    let other =
        a.s.create_inspection(
            &sys,
            &InspectionInput {
                round_id: round.to_string(),
                team_name: "自治区党委第五巡视组".into(),
                targets: vec!["自治区教育厅".into()],
                kind: "routine".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    a.user("other5", None, Some((Role::TeamMember, Some(other.id))))
        .await;
    other.id
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_person_finds_only_what_their_pages_open() {
    let (a, index) = searchable().await;
    let insp = world(&a).await;
    let (pid, version) = ready_for_feedback(&a, insp).await;
    // A member of another inspection's team, of another unit's inspection in the same round.
    let sys = Actor::system();
    other_team(&a, insp).await;
    follow(&a, &index).await;

    let office = a.token("office1").await;
    let member = a.token("member1").await;
    let stranger = a.token("other5").await;
    let unit = a.token("fanxiaoli").await;

    // The office and the team find the paper, the report and the draft feedback.
    let q = "宣传思想文化";
    let by_office = found(&a, &office, q).await;
    assert_eq!(
        kinds(&by_office),
        ["feedback", "problem", "report"],
        "{by_office:?}"
    );
    assert!(
        by_office
            .iter()
            .any(|(k, t)| k == "problem" && t == "落实党管宣传思想文化职责存在薄弱点"),
        "{by_office:?}"
    );
    assert_eq!(
        kinds(&found(&a, &member, q).await),
        ["feedback", "problem", "report"]
    );
    // Another team and the unit (before feedback) find nothing of them.
    assert!(found(&a, &stranger, q).await.is_empty());
    assert!(found(&a, &unit, q).await.is_empty());
    // Units are open to everyone who may see the organisation.
    assert_eq!(kinds(&found(&a, &stranger, "宣传部").await), ["unit"]);

    // Given, the feedback is the unit's to read — and still never the papers or the report.
    let r = a
        .api(
            "POST",
            &format!("/inspections/{insp}/feedback/give"),
            &a.token("yujie").await,
            Some(json!({ "version": version })),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    follow(&a, &index).await;
    assert_eq!(kinds(&found(&a, &unit, q).await), ["feedback"]);
    assert!(found(&a, &stranger, q).await.is_empty());

    // A hit carries its page, and where the words are; what the office was shown of the
    // papers is in the trail as their page records it, with what was searched for.
    let r = a
        .api(
            "GET",
            &format!("/search?q={}&kind=problem", urlencode("薄弱点")),
            &office,
            None,
        )
        .await;
    let body = r.json();
    let hit = &body["items"][0];
    assert_eq!(hit["kind"], "problem");
    assert_eq!(hit["kind_label"], "问题底稿");
    assert_eq!(hit["id"], pid.to_string());
    assert_eq!(hit["link"], format!("/papers/{pid}"));
    let title: Vec<char> = hit["title"].as_str().unwrap().chars().collect();
    let [from, to] = [
        hit["title_highlights"][0][0].as_u64().unwrap() as usize,
        hit["title_highlights"][0][1].as_u64().unwrap() as usize,
    ];
    assert_eq!(title[from..to].iter().collect::<String>(), "薄弱点");
    assert_eq!(body["next_cursor"], Value::Null);
    let viewed = a.t.audit_with_action("problem_viewed").await;
    let last = viewed
        .iter()
        .max_by_key(|r| r.seq)
        .expect("the search's read is recorded");
    assert_eq!(last.object_id.as_deref(), Some(pid.to_string().as_str()));
    assert!(
        last.summary.contains("\"via\":\"search\""),
        "{}",
        last.summary
    );
    assert!(last.summary.contains("薄弱点"), "{}", last.summary);

    // An edit is found by its new words once followed, and no longer by its old ones.
    let unit =
        a.s.resolve_unit(&sys, "自治区教育厅")
            .await
            .expect("the unit");
    a.s.update_unit(
        &sys,
        unit.id,
        unit.version,
        &xunshi_core::org::UnitInput {
            name: "自治区科学技术厅".into(),
            kind: "department".into(),
            level: "provincial".into(),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    assert_eq!(
        kinds(&found(&a, &office, "科学技术").await),
        Vec::<&str>::new()
    );
    follow(&a, &index).await;
    assert_eq!(kinds(&found(&a, &office, "科学技术").await), ["unit"]);
    assert!(found(&a, &office, "教育厅").await.is_empty());

    // A unit named by its name narrows the hits as its id does; a name no unit has is
    // refused, naming the parameter.
    let target: String = sqlx::query_scalar(
        "SELECT u.name FROM problems p JOIN units u ON u.id = p.target_unit_id WHERE p.id = $1",
    )
    .bind(pid.to_string())
    .fetch_one(&a.t.db.pool)
    .await
    .expect("the paper's unit");
    let named = |unit: &str| {
        format!(
            "/search?q={}&kind=problem&unit={}",
            urlencode(q),
            urlencode(unit)
        )
    };
    let r = a.api("GET", &named(&target), &office, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["items"][0]["id"], pid.to_string());
    let names = a.t.unit_names().await;
    let other = names.iter().find(|n| **n != target).expect("another unit");
    let r = a.api("GET", &named(other), &office, None).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.json()["items"], json!([]));
    let r = a.api("GET", &named("没有这个单位"), &office, None).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.text());
    assert_eq!(detail_fields(&r.json()), ["unit"]);

    // The page: the frame's box, the hits with their words marked, the same refusals; the
    // pickers of round and (for one kind) status, and the unit's name kept.
    let page = a
        .page(
            &format!("{}&status=draft", named(&target)),
            &a.session("office1").await,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("name=\"round_id\""), "{html}");
    assert!(
        html.contains("<option value=\"draft\" selected>"),
        "the kind's statuses: {html}"
    );
    assert!(html.contains(&format!("value=\"{target}\"")), "{html}");
    let page = a
        .page(
            &format!("/search?q={}", urlencode(q)),
            &a.session("office1").await,
        )
        .await;
    assert!(!page.text().contains("name=\"status\""));
    // The page: the frame's box, the hits with their words marked, the same refusals.
    let page = a
        .page(
            &format!("/search?q={}", urlencode(q)),
            &a.session("office1").await,
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(
        html.contains("action=\"/search\""),
        "the frame's search box"
    );
    assert!(
        html.contains("<mark>宣传思想文化</mark>") || html.contains("<mark>宣传"),
        "{html}"
    );
    assert!(html.contains(&format!("/papers/{pid}")));
    let page = a
        .page(
            &format!("/search?q={}", urlencode(q)),
            &a.session("other5").await,
        )
        .await;
    assert!(page.text().contains("没有找到符合条件、且您有权查看的记录"));
    let page = a
        .page("/search?q=%E5%AE%A3&kind=talk", &a.session("office1").await)
        .await;
    assert_eq!(page.status, StatusCode::BAD_REQUEST);
    assert!(page.text().contains("kind"), "{}", page.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_that_cannot_be_read_is_refused_naming_the_parameter() {
    let (a, _index) = searchable().await;
    world(&a).await;
    let office = a.token("office1").await;
    for (query, field) in [
        ("q=", "q"),
        ("q=%20%20", "q"),
        ("q=a&kind=talk", "kind"),
        ("q=a&limit=0", "limit"),
        ("q=a&limit=51", "limit"),
        ("q=a&year=19", "year"),
        ("q=a&status=In%20progress", "status"),
        ("q=a&unit_id=123", "unit_id"),
        ("q=a&cursor=next", "cursor"),
    ] {
        let r = a
            .api("GET", &format!("/search?{query}"), &office, None)
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.text());
        let body = r.json();
        assert_api_error(&body, "bad_input");
        assert_eq!(detail_fields(&body), [field], "{query}");
    }
    let long = "字".repeat(201);
    let r = a
        .api(
            "GET",
            &format!("/search?q={}", urlencode(&long)),
            &office,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    // Without a session or token: 401, as every list.
    let r =
        a.t.send(
            axum::http::Request::builder()
                .uri("/api/v1/search?q=a")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_index_search_answers_503() {
    let t = TestApp::spawn().await;
    t.add_user("office9", "巡视办", "office", None).await;
    let token = t.api_token("office9", crate::helpers::PASSWORD).await;
    let (status, body) = t
        .api_get("/api/v1/search?q=%E6%95%B4%E6%94%B9", &token)
        .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paper_shows_the_like_problems_of_other_units_that_its_reader_may_open() {
    let (a, index) = searchable().await;
    let insp = world(&a).await;
    let (pid, _) = ready_for_feedback(&a, insp).await;
    let other = other_team(&a, insp).await;
    a.t.move_inspection(other, xunshi_core::inspection::Stage::Preparation, None)
        .await;
    a.t.move_inspection(
        other,
        xunshi_core::inspection::Stage::OnSite,
        Some("2019-09-20"),
    )
    .await;
    let other5 = a.actor("other5").await;
    let like =
        a.s.create_problem(
            &other5,
            other,
            &paper(POLITICAL, "落实党管教育职责存在薄弱点"),
        )
        .await
        .unwrap();
    let unlike =
        a.s.create_problem(&other5, other, &paper(POLITICAL, "校舍维修资金拨付滞后"))
            .await
            .unwrap();
    follow(&a, &index).await;

    // The office sees the other unit's like problem, with how alike it is.
    let office = a.token("office1").await;
    let r = a
        .api("GET", &format!("/problems/{pid}/similar"), &office, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let list = r.json();
    let items = list.as_array().unwrap();
    let first = items
        .iter()
        .find(|p| p["id"] == like.id.to_string())
        .unwrap_or_else(|| panic!("the like problem is listed: {list}"));
    assert_eq!(first["unit_name"], "自治区教育厅");
    assert_eq!(first["team_name"], "自治区党委第五巡视组");
    assert_eq!(first["year"], 2019);
    assert_eq!(first["same_unit"], false);
    let score = first["similarity"].as_u64().unwrap();
    assert!(score > 0 && score <= 100, "{first}");
    let unlike_score = items
        .iter()
        .find(|p| p["id"] == unlike.id.to_string())
        .map_or(0, |p| p["similarity"].as_u64().unwrap());
    assert!(score > unlike_score, "{list}");
    assert!(
        items.iter().all(|p| p["id"] != pid.to_string()),
        "not the paper itself: {list}"
    );

    // The paper's own team sees the papers of its own inspection only: the other team's
    // paper is not theirs to open.
    let member = a.token("member1").await;
    let r = a
        .api("GET", &format!("/problems/{pid}/similar"), &member, None)
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert!(
        r.json()
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["id"] != like.id.to_string()),
        "{}",
        r.text()
    );
    // The other team may not open the paper asked about: its refusal, not a list.
    let r = a
        .api(
            "GET",
            &format!("/problems/{pid}/similar"),
            &a.token("other5").await,
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.text());

    // The paper's page lists them under 同类问题.
    let page = a
        .page(&format!("/papers/{pid}"), &a.session("office1").await)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("同类问题"), "{html}");
    assert!(html.contains(&format!("/papers/{}", like.id)), "{html}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_index_of_another_database_is_built_anew() {
    let (a, index) = searchable().await;
    world(&a).await;
    follow(&a, &index).await;
    let words = |text: &str| xunshi_core::search::IndexQuery {
        text: text.into(),
        filter: Default::default(),
        reach: None,
        offset: 0,
        limit: 10,
    };
    assert!(!index.search(&words("宣传部")).unwrap().is_empty());
    let first = index.watermark().unwrap().expect("a filled index");

    // An index ahead of this database's trail (the database restored from an earlier backup)
    // holds what is no longer there: it is built anew.
    let ghost = xunshi_core::search::SearchDoc {
        kind: xunshi_core::search::DocKind::Unit,
        id: xunshi_core::Id::new(),
        title: "已不存在的单位".into(),
        body: String::new(),
        inspection_id: None,
        unit_ids: Vec::new(),
        round_id: None,
        year: None,
        status: "active".into(),
        parent_id: None,
    };
    let ahead = xunshi_core::search::Watermark {
        seq: first.seq + 100,
        trail: first.trail.clone(),
    };
    index.apply(vec![ghost], &[], Some(&ahead)).unwrap();
    assert_eq!(index.search(&words("已不存在")).unwrap().len(), 1);
    follow(&a, &index).await;
    assert!(index.search(&words("已不存在")).unwrap().is_empty());
    assert!(!index.search(&words("宣传部")).unwrap().is_empty());
    assert_eq!(index.watermark().unwrap(), Some(first.clone()));

    // The same folder's index, the server pointed at another database: nothing of the first
    // stays, and the watermark names the new trail.
    let b = app_with(|_| {}).await;
    b.s.create_unit(
        &Actor::system(),
        &xunshi_core::org::UnitInput {
            name: "自治区审计厅".into(),
            kind: "department".into(),
            level: "provincial".into(),
            parent_id: None,
        },
    )
    .await
    .unwrap();
    xunshi_search::catch_up(&b.s, &index).await.unwrap();
    assert!(index.search(&words("宣传部")).unwrap().is_empty());
    assert_eq!(index.search(&words("审计厅")).unwrap().len(), 1);
    let second = index.watermark().unwrap().expect("a filled index");
    assert_ne!(first.trail, second.trail);
    assert_eq!(second.trail, b.s.search_trail().await.unwrap());
}
