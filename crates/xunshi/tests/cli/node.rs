//! The team node (离线节点) from the office to the team's machine: `xunshi node pair` and
//! `xunshi node export` at the office on the demo, then `xunshi serve --node` in a second data
//! folder, as the team's standalone machine runs it.

use serde_json::Value;

use super::{Instance, api_login, assert_success, assert_trail_whole, http, stderr, stdout};

const DEMO_PASSWORD: &str = "Xunshi-Demo-2020";

fn bearer(port: u16, username: &str) -> String {
    let login = api_login(port, username, DEMO_PASSWORD);
    assert_eq!(login.status, 201, "{username}: {}", login.body);
    format!("Bearer {}", login.json()["token"].as_str().unwrap())
}

fn items(port: u16, auth: &str, path: &str) -> Vec<Value> {
    let r = http(port, "GET", path, &[("Authorization", auth)], None);
    assert_eq!(r.status, 200, "{path}: {}", r.body);
    r.json()["items"].as_array().unwrap().clone()
}

/// The office's demo: the id of the inspection on site (the fourth team) and how many
/// inspections the office has.
fn on_site(office: &Instance) -> (String, usize) {
    let server = office.serve();
    let auth = bearer(server.port, "office");
    let all = items(server.port, &auth, "/api/v1/inspections?limit=100");
    let id = all
        .iter()
        .find(|i| i["stage"] == "on_site")
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .expect("the demo has an inspection on site");
    assert!(server.stop_with_sigterm().success());
    (id, all.len())
}

/// `office` on either backend; the node, a standalone machine, on SQLite.
pub(super) fn an_inspection_goes_to_its_teams_node_and_only_it(office: &Instance) {
    let demo = office.serve_with(&["--demo"]);
    assert!(demo.stop_with_sigterm().success());
    let (id, inspections) = on_site(office);
    assert!(inspections > 1);

    let media = tempfile::tempdir().unwrap();
    let node_key = media.path().join("node.key");
    let bundle = media.path().join("bundle.xsn");
    let key = node_key.to_str().unwrap();
    let file = bundle.to_str().unwrap();

    // No bundle without the keys; the keys made once per inspection.
    let early = office.run(
        &["node", "export", "--inspection", &id, "--out", file],
        None,
    );
    assert!(!early.status.success());
    assert!(stderr(&early).contains("node pair"), "{}", stderr(&early));
    let paired = office.run(&["node", "pair", "--inspection", &id, "--out", key], None);
    assert_success(&paired, "node pair");
    let again = office.run(
        &[
            "node",
            "pair",
            "--inspection",
            &id,
            "--out",
            media.path().join("second.key").to_str().unwrap(),
        ],
        None,
    );
    assert!(!again.status.success(), "a second pair for one inspection");
    assert!(!media.path().join("second.key").exists());

    // An inspection fed back has no on-site work to take away.
    let fed_back = {
        let server = office.serve();
        let auth = bearer(server.port, "office");
        let all = items(server.port, &auth, "/api/v1/inspections?limit=100");
        assert!(server.stop_with_sigterm().success());
        all.iter()
            .find(|i| i["stage"] == "rectification")
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .expect("the demo has an inspection in rectification")
    };
    let refused = office.run(
        &[
            "node",
            "pair",
            "--inspection",
            &fed_back,
            "--out",
            media.path().join("late.key").to_str().unwrap(),
        ],
        None,
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("离线节点"),
        "{}",
        stderr(&refused)
    );

    let exported = office.run(
        &["node", "export", "--inspection", &id, "--out", file],
        None,
    );
    assert_success(&exported, "node export");
    assert!(
        stdout(&exported).contains("证据文件"),
        "{}",
        stdout(&exported)
    );
    let over = office.run(
        &["node", "export", "--inspection", &id, "--out", file],
        None,
    );
    assert!(!over.status.success(), "a bundle is never written over");

    // One byte changed: the node refuses it and loads nothing.
    let bytes = std::fs::read(&bundle).unwrap();
    let damaged = media.path().join("damaged.xsn");
    let mut changed = bytes.clone();
    let middle = changed.len() / 2;
    changed[middle] ^= 0x01;
    std::fs::write(&damaged, &changed).unwrap();
    let node = Instance::sqlite();
    let out = node.run(
        &[
            "serve",
            "--node",
            damaged.to_str().unwrap(),
            "--node-key",
            key,
        ],
        None,
    );
    assert!(!out.status.success(), "a changed bundle is served");
    assert!(stderr(&out).contains("签名"), "{}", stderr(&out));
    assert!(!node.data_dir.path().join("node.json").exists());

    // The office's own half does not open it.
    let office_half = office
        .data_dir
        .path()
        .join("nodes")
        .join(format!("{id}.key"));
    let wrong = Instance::sqlite();
    let out = wrong.run(
        &[
            "serve",
            "--node",
            file,
            "--node-key",
            office_half.to_str().unwrap(),
        ],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("办公室一方"), "{}", stderr(&out));

    // The team's machine: only that inspection, only the team logs in, and the team works.
    let server = node.serve_with(&["--node", file, "--node-key", key]);
    assert!(server.stdout().contains("离线节点"), "{}", server.stdout());
    let refused = api_login(server.port, "office", DEMO_PASSWORD);
    assert_eq!(
        refused.status, 401,
        "the office cannot log in on a node: {}",
        refused.body
    );
    let lead = bearer(server.port, "teamlead");
    let there = items(server.port, &lead, "/api/v1/inspections?limit=100");
    assert_eq!(there.len(), 1, "{there:?}");
    assert_eq!(there[0]["id"], id.as_str());
    let letters_path = format!("/api/v1/inspections/{id}/letters?limit=100");
    let letters = items(server.port, &lead, &letters_path);
    assert!(
        letters
            .iter()
            .any(|l| l["content"].as_str().unwrap().contains("老旧小区")),
        "the public's letter went with the inspection: {letters:?}"
    );
    let body = serde_json::json!({
        "channel": "visit",
        "received_on": there[0]["entry_on"].as_str().unwrap_or("2026-12-01"),
        "writer_name": "来访群众甲",
        "writer_contact": "13800000000",
        "about_name": "某某",
        "about_post": "某局副局长",
        "content": "来访反映某局副局长违规插手工程项目。（离线节点登记）",
    })
    .to_string();
    let added = http(
        server.port,
        "POST",
        &format!("/api/v1/inspections/{id}/letters"),
        &[
            ("Authorization", &lead),
            ("Content-Type", "application/json"),
        ],
        Some(&body),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    assert_eq!(
        items(server.port, &lead, &letters_path).len(),
        letters.len() + 1
    );
    assert!(server.stop_with_sigterm().success());
    assert_trail_whole(&node);

    // Started again with its bundle: the team's work is still there. Another bundle from the
    // office is refused rather than loaded over it.
    let server = node.serve_with(&["--node", file]);
    let lead = bearer(server.port, "teamlead");
    assert_eq!(
        items(server.port, &lead, &letters_path).len(),
        letters.len() + 1
    );
    assert!(server.stop_with_sigterm().success());
    let newer = media.path().join("newer.xsn");
    let exported = office.run(
        &[
            "node",
            "export",
            "--inspection",
            &id,
            "--out",
            newer.to_str().unwrap(),
        ],
        None,
    );
    assert_success(&exported, "node export, again");
    let out = node.run(&["serve", "--node", newer.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("覆盖"), "{}", stderr(&out));

    // The office's trail holds each export, and still verifies.
    assert_trail_whole(office);
}
