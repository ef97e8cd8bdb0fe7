//! Search as the server keeps it: built from the demo's database at the first start, following
//! every change within seconds, kept over a restart, rebuilt by `xunshi search reindex` — and
//! answering each person with what they may open only.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::{
    Instance, PATIENCE, api_login, assert_success, form_encode, form_login, http, stderr, stdout,
};

const DEMO_PASSWORD: &str = "Xunshi-Demo-2020";

fn token(port: u16, username: &str) -> String {
    let r = api_login(port, username, DEMO_PASSWORD);
    assert_eq!(r.status, 201, "{username}: {}", r.body);
    format!("Bearer {}", r.json()["token"].as_str().expect("a token"))
}

/// The hits of the first page of a search (`query` after `q`, such as `&kind=task`).
fn hits(port: u16, bearer: &str, q: &str, query: &str) -> Vec<Value> {
    let r = http(
        port,
        "GET",
        &format!("/api/v1/search?q={}{query}", form_encode(q)),
        &[("Authorization", bearer)],
        None,
    );
    assert_eq!(r.status, 200, "{q}: {}", r.body);
    let body: Value = r.json();
    body["items"].as_array().expect("items").clone()
}

/// The (kind, title) of every hit of the first page.
fn search(port: u16, bearer: &str, q: &str) -> Vec<(String, String)> {
    hits(port, bearer, q, "&limit=50")
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap_or_default().to_owned(),
                i["title"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// The links of the hits of one kind.
fn search_links(port: u16, bearer: &str, q: &str, kind: &str) -> Vec<String> {
    hits(port, bearer, q, &format!("&kind={kind}"))
        .iter()
        .filter_map(|i| i["link"].as_str().map(str::to_owned))
        .collect()
}

/// Waits until a search (`query` after `q`) finds something; how long it took.
fn until_found(port: u16, bearer: &str, q: &str, query: &str, within: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if !hits(port, bearer, q, query).is_empty() {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < within,
            "“{q}” not searchable after {within:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the first start's build of the index is done. It goes kind by kind, committing
/// each, and the units come last: once a unit is found, every other kind is in.
fn until_built(port: u16, bearer: &str) {
    until_found(port, bearer, "宣传部", "&kind=unit", PATIENCE);
}

fn has(hits: &[(String, String)], kind: &str, title_part: &str) -> bool {
    hits.iter()
        .any(|(k, t)| k == kind && t.contains(title_part))
}

pub(super) fn search_follows_the_trail_and_answers_each_with_theirs(x: &Instance) {
    let server = x.serve_with(&["--demo"]);
    let port = server.port;
    let office = token(port, "office");
    // The first start builds the index from the database.
    until_built(port, &office);

    // The live round's clue: the office and the team that registered it find it; a member of
    // the round's other teams does not, nor does the unit the clue's cadre works at, though
    // the clue names it.
    let clue = "王某某 直属单位负责人";
    assert!(has(&search(port, &office, "教材采购"), "clue", clue));
    let deputy = token(port, "teamdeputy");
    assert!(has(&search(port, &deputy, "教材采购"), "clue", clue));
    let member = token(port, "teammember");
    assert!(search(port, &member, "教材采购").is_empty());
    let education = token(port, "education");
    assert!(search(port, &education, "教材采购").is_empty());
    // The seed's papers: the office, never the inspected unit, which finds its own tasks.
    let liaison = token(port, "liaison");
    let by_office = search(port, &office, "意识形态");
    assert!(
        by_office.iter().any(|(k, _)| k == "problem"),
        "{by_office:?}"
    );
    let by_unit = search(port, &liaison, "意识形态");
    assert!(by_unit.iter().any(|(k, _)| k == "task"), "{by_unit:?}");
    assert!(
        by_unit
            .iter()
            .all(|(k, _)| !matches!(k.as_str(), "problem" | "report" | "clue" | "letter")),
        "{by_unit:?}"
    );
    // A task's page leads the office to its paper's like problems, and the unit nowhere.
    let task_link = search_links(port, &liaison, "意识形态", "task");
    let task = task_link
        .first()
        .expect("the liaison finds a task of its unit");
    let office_page = http(
        port,
        "GET",
        task,
        &[("Cookie", &form_login(port, "office", DEMO_PASSWORD))],
        None,
    );
    assert_eq!(office_page.status, 200, "{}", office_page.body);
    assert!(
        office_page.body.contains("#similar"),
        "the office is led to the like problems"
    );
    let unit_page = http(
        port,
        "GET",
        task,
        &[("Cookie", &form_login(port, "liaison", DEMO_PASSWORD))],
        None,
    );
    assert_eq!(unit_page.status, 200, "{}", unit_page.body);
    assert!(!unit_page.body.contains("#similar") && !unit_page.body.contains("/papers/"));

    // The unit's own rectification report and progress notice are its to find.
    let documents = search(port, &liaison, "整改情况");
    assert!(
        has(&documents, "rect_report", "关于巡视整改情况的报告"),
        "{documents:?}"
    );
    let culture = token(port, "culture");
    assert!(
        !search(port, &culture, "整改情况")
            .iter()
            .any(|(k, _)| k == "rect_report" || k == "notice"),
        "another unit's reports are not found"
    );
    assert!(
        !search(port, &culture, "意识形态")
            .iter()
            .any(|(k, _)| k == "task" || k == "feedback"),
        "another unit's liaison finds none of the seed's rectification"
    );

    // 举一反三: the seed's paper on cadre selection is like the department's closed problem of
    // 2017, which it finds again (整改不到位), and its round's finding elsewhere is like it.
    let again = hits(
        port,
        &office,
        "执行干部选拔任用有关规定不够到位",
        "&kind=problem&year=2019",
    );
    let again = again
        .iter()
        .find(|h| h["title"] == "执行干部选拔任用有关规定不够到位")
        .expect("the seed's paper on cadre selection");
    let id = again["id"].as_str().expect("an id");
    let similar = http(
        port,
        "GET",
        &format!("/api/v1/problems/{id}/similar"),
        &[("Authorization", &office)],
        None,
    );
    assert_eq!(similar.status, 200, "{}", similar.body);
    let similar: Value = similar.json();
    assert!(
        similar
            .as_array()
            .expect("a list")
            .iter()
            .any(
                |p| p["title"] == "执行干部选拔任用有关规定不够到位，干部人事档案管理不规范"
                    && p["same_unit"] == true
                    && p["year"] == 2017
            ),
        "{similar}"
    );
    let recurring = http(
        port,
        "GET",
        &format!("/api/v1/problems/{id}/recurrences"),
        &[("Authorization", &office)],
        None,
    );
    assert_eq!(recurring.status, 200, "{}", recurring.body);
    let recurring: Value = recurring.json();
    assert_eq!(
        recurring[0]["earlier_team_name"], "第八巡视组",
        "{recurring}"
    );

    // 回头看: the current round's look-back of the seed shows the seed's problems beside their
    // tasks, and the seed's plan carries the central look-back's task.
    let inspections = http(
        port,
        "GET",
        "/api/v1/inspections?limit=100",
        &[("Authorization", &office)],
        None,
    );
    assert_eq!(inspections.status, 200, "{}", inspections.body);
    let inspections: Value = inspections.json();
    let team = |name: &str| {
        inspections["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|i| i["team_name"] == name)
            .and_then(|i| i["id"].as_str())
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("no inspection of {name}"))
    };
    let look_back = http(
        port,
        "GET",
        &format!("/api/v1/inspections/{}/look-back", team("第六巡视组")),
        &[("Authorization", &office)],
        None,
    );
    assert_eq!(look_back.status, 200, "{}", look_back.body);
    let look_back: Value = look_back.json();
    assert_eq!(look_back["inspection_id"], team("第三巡视组").as_str());
    assert_eq!(look_back["problems"].as_array().map(Vec::len), Some(10));

    // A change is searchable within seconds of being saved.
    let created = http(
        port,
        "POST",
        "/api/v1/units",
        &[
            ("Authorization", &office),
            ("Content-Type", "application/json"),
        ],
        Some(r#"{"name":"自治区乡村振兴局","kind":"department","level":"provincial"}"#),
    );
    assert_eq!(created.status, 201, "{}", created.body);
    let took = until_found(port, &office, "乡村振兴", "", Duration::from_secs(10));
    println!("a new unit was searchable {took:?} after it was saved");

    // One process holds the index: a rebuild while the server runs is refused, clearly.
    let busy = x.run(&["search", "reindex", "--quiet"], None);
    assert!(!busy.status.success(), "{}", stdout(&busy));
    assert!(stderr(&busy).contains("另一个进程"), "{}", stderr(&busy));
    let status = server.stop_with_sigterm();
    assert!(status.success(), "{status}");

    // The recurring problems worked out again by hand, as the nightly job does.
    let patterns = x.run(&["patterns", "build"], None);
    assert_success(&patterns, "patterns build");
    assert!(
        stdout(&patterns).contains("1 problems found again after closing"),
        "{}",
        stdout(&patterns)
    );

    // Rebuilt from the database, then kept over a restart: found at once, nothing to wait for.
    let rebuilt = x.run(&["search", "reindex", "--quiet"], None);
    assert_success(&rebuilt, "search reindex");
    assert!(
        stdout(&rebuilt).contains("search index rebuilt"),
        "{}",
        stdout(&rebuilt)
    );
    let server = x.serve();
    let office = token(server.port, "office");
    assert!(has(&search(server.port, &office, "教材采购"), "clue", clue));
    assert!(!search(server.port, &office, "乡村振兴").is_empty());
    let status = server.stop_with_sigterm();
    assert!(status.success(), "{status}");
}
