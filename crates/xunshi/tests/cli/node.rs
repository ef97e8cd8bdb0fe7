//! The team node (离线节点) from the office to the team's machine: `xunshi node pair` and
//! `xunshi node export` at the office on the demo, then `xunshi serve --node` in a second data
//! folder, as the team's standalone machine runs it.

use serde_json::Value;

use super::{
    Instance, api_login, assert_success, assert_trail_whole, form_login, http, http_bytes, stderr,
    stdout,
};

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

/// Changes the hotline of the inspection's entry announcement.
fn change_hotline(port: u16, auth: &str, id: &str, hotline: &str) {
    let path = format!("/api/v1/inspections/{id}/announcement");
    let r = http(port, "GET", &path, &[("Authorization", auth)], None);
    assert_eq!(r.status, 200, "{}", r.body);
    let mut a = r.json();
    a["hotline"] = Value::from(hotline);
    let body = serde_json::json!({
        "hotline": hotline,
        "mailbox": a["mailbox"],
        "postal_box": a["postal_box"],
        "email": a["email"],
        "opens_on": a["opens_on"],
        "closes_on": a["closes_on"],
        "scope": a["scope"],
        "version": a["version"],
    })
    .to_string();
    let r = http(
        port,
        "PUT",
        &path,
        &[
            ("Authorization", auth),
            ("Content-Type", "application/json"),
        ],
        Some(&body),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn hotline(port: u16, auth: &str, id: &str) -> String {
    let path = format!("/api/v1/inspections/{id}/announcement");
    let r = http(port, "GET", &path, &[("Authorization", auth)], None);
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()["hotline"].as_str().unwrap().to_owned()
}

fn visit(content: &str, received_on: &str) -> String {
    serde_json::json!({
        "channel": "visit",
        "received_on": received_on,
        "writer_name": "来访群众甲",
        "writer_contact": "13800000000",
        "about_name": "某某",
        "about_post": "某局副局长",
        "content": content,
    })
    .to_string()
}

/// The id of the inspection whose team is `team`, among `all` the office lists.
fn of_team(all: &[Value], team: &str) -> String {
    all.iter()
        .find(|i| i["team_name"] == team)
        .map(|i| i["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("the demo has {team}: {all:?}"))
}

/// The ids of the demo's two teams on site: [`ON_SITE`]'s and [`CITY_ON_SITE`]'s.
fn teams_on_site(office: &Instance) -> (String, String) {
    let server = office.serve();
    let auth = bearer(server.port, "office");
    let all = items(server.port, &auth, "/api/v1/inspections?limit=100");
    assert!(server.stop_with_sigterm().success());
    (of_team(&all, ON_SITE), of_team(&all, CITY_ON_SITE))
}

/// The demo's team on site (the fourth team at 南宁市委), whose node the demo ships, and the
/// city's own team on site, which has no node yet.
const ON_SITE: &str = "第四巡视组";
const CITY_ON_SITE: &str = "南宁市委第一巡察组";

/// The demo loaded in `office`'s data folder: the key file and bundle of its team on site,
/// which the demo paired and exported there, and what it told of them.
fn demo_with_its_node(office: &Instance) -> (std::path::PathBuf, std::path::PathBuf) {
    let demo = office.serve_with(&["--demo"]);
    let told = demo.stdout();
    assert!(demo.stop_with_sigterm().success());
    let shipped = office.data_dir.path().join("demo-node");
    let (key, bundle) = (shipped.join("node.key"), shipped.join("bundle.xsn"));
    assert!(
        told.contains(&format!("serve --node {}", bundle.display())),
        "{told}"
    );
    assert!(key.exists() && bundle.exists(), "{told}");
    (key, bundle)
}

/// A demo loaded where an earlier demo's node files were left: they are not written over, the
/// server says so and serves, and the office pairs the team on site itself.
pub(super) fn beside_an_earlier_demos_node_files(office: &Instance) {
    let shipped = office.data_dir.path().join("demo-node");
    std::fs::create_dir_all(&shipped).unwrap();
    std::fs::write(shipped.join("node.key"), b"an earlier demo's key").unwrap();
    let demo = office.serve_with(&["--demo"]);
    assert!(
        demo.stdout().contains("离线节点未导出"),
        "{}",
        demo.stdout()
    );
    let auth = bearer(demo.port, "office");
    let id = of_team(
        &items(demo.port, &auth, "/api/v1/inspections?limit=100"),
        ON_SITE,
    );
    let r = http(
        demo.port,
        "POST",
        &format!("/api/v1/inspections/{id}/node-key"),
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(demo.stop_with_sigterm().success());
    assert_eq!(
        std::fs::read(shipped.join("node.key")).unwrap(),
        b"an earlier demo's key"
    );
    assert!(!shipped.join("bundle.xsn").exists());
}

/// `office` on either backend; the node, a standalone machine, on SQLite.
pub(super) fn an_inspection_goes_to_its_teams_node_and_only_it(office: &Instance) {
    let (node_key, bundle) = demo_with_its_node(office);
    let (id, city) = teams_on_site(office);

    let media = tempfile::tempdir().unwrap();
    let key = node_key.to_str().unwrap();
    let file = bundle.to_str().unwrap();

    // The keys are made once per inspection: the demo made the team on site's.
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
    // No bundle without the keys; the city's team on site has none until paired.
    let city_bundle = media.path().join("city.xsn");
    let early = office.run(
        &[
            "node",
            "export",
            "--inspection",
            &city,
            "--out",
            city_bundle.to_str().unwrap(),
        ],
        None,
    );
    assert!(!early.status.success());
    assert!(stderr(&early).contains("node pair"), "{}", stderr(&early));
    let paired = office.run(
        &[
            "node",
            "pair",
            "--inspection",
            &city,
            "--out",
            media.path().join("city.key").to_str().unwrap(),
        ],
        None,
    );
    assert_success(&paired, "node pair");

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
    // Every page says it is the node's.
    let cookie = form_login(server.port, "teamlead", DEMO_PASSWORD);
    let home = http(server.port, "GET", "/", &[("Cookie", &cookie)], None);
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(
        home.body.contains("离线节点：本机只有第四巡视组的巡视任务"),
        "{}",
        home.body
    );
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
    let entry_on = there[0]["dates"]["entry"].as_str().unwrap().to_owned();
    let body = visit(
        "来访反映某局副局长违规插手工程项目。（离线节点登记）",
        &entry_on,
    );
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
    let node_letter = added.json()["id"].as_str().unwrap().to_owned();
    assert_eq!(
        items(server.port, &lead, &letters_path).len(),
        letters.len() + 1
    );
    change_hotline(server.port, &lead, &id, "0771-2188499（节点）");
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
    assert!(
        stdout(&exported).contains("证据文件"),
        "{}",
        stdout(&exported)
    );
    let out = node.run(&["serve", "--node", newer.to_str().unwrap()], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("覆盖"), "{}", stderr(&out));

    // Meanwhile at the office: the same announcement changed, and a visit registered there,
    // which takes the number the node gave its own.
    let server = office.serve();
    let lead = bearer(server.port, "teamlead");
    change_hotline(server.port, &lead, &id, "0771-2188477（办公室）");
    let added = http(
        server.port,
        "POST",
        &format!("/api/v1/inspections/{id}/letters"),
        &[
            ("Authorization", &lead),
            ("Content-Type", "application/json"),
        ],
        Some(&visit(
            "来访反映某街道办违规发放补贴。（办公室登记）",
            &entry_on,
        )),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    let at_office = items(server.port, &lead, &letters_path).len();
    assert!(server.stop_with_sigterm().success());

    // The node's work comes back.
    let work = media.path().join("work.xsn");
    let out = node.run(&["node", "export", "--out", work.to_str().unwrap()], None);
    assert_success(&out, "node export on the node");
    let back = std::fs::read(&work).unwrap();
    let mut changed = back.clone();
    let last = changed.len() - 1;
    changed[last] ^= 0x01;
    let damaged_work = media.path().join("damaged-work.xsn");
    std::fs::write(&damaged_work, &changed).unwrap();
    let out = office.run(&["node", "import", damaged_work.to_str().unwrap()], None);
    assert!(!out.status.success(), "a changed bundle is imported");
    assert!(stderr(&out).contains("签名"), "{}", stderr(&out));
    // The office's own bundle is not the node's work.
    let out = office.run(&["node", "import", file], None);
    assert!(!out.status.success());

    let out = office.run(&["node", "import", work.to_str().unwrap()], None);
    assert_success(&out, "node import");
    let told = stdout(&out);
    assert!(told.contains("冲突 1 条"), "{told}");
    assert!(told.contains("改号"), "{told}");
    let conflict = told
        .lines()
        .find_map(|l| l.trim().strip_prefix("冲突 "))
        .and_then(|l| l.split('：').next())
        .expect("the conflict's id is told")
        .to_owned();
    let listed = office.run(&["node", "conflicts", "--inspection", &id], None);
    assert_success(&listed, "node conflicts");
    assert!(
        stdout(&listed).contains("announcements") && stdout(&listed).contains("（节点）"),
        "{}",
        stdout(&listed)
    );

    // Until decided, the office's row stands; the node's visit is there under a free number.
    let server = office.serve();
    let lead = bearer(server.port, "teamlead");
    assert_eq!(hotline(server.port, &lead, &id), "0771-2188477（办公室）");
    let letters = items(server.port, &lead, &letters_path);
    assert_eq!(letters.len(), at_office + 1);
    let numbers: std::collections::BTreeSet<i64> = letters
        .iter()
        .map(|l| l["number"].as_i64().unwrap())
        .collect();
    assert_eq!(
        numbers.len(),
        letters.len(),
        "numbers stay distinct: {letters:?}"
    );
    assert!(server.stop_with_sigterm().success());

    let wrong = office.run(&["node", "resolve", &conflict, "--keep", "both"], None);
    assert!(!wrong.status.success());
    let decided = office.run(&["node", "resolve", &conflict, "--keep", "node"], None);
    assert_success(&decided, "node resolve");
    let twice = office.run(&["node", "resolve", &conflict, "--keep", "office"], None);
    assert!(!twice.status.success(), "a conflict is decided once");
    let server = office.serve();
    let lead = bearer(server.port, "teamlead");
    assert_eq!(hotline(server.port, &lead, &id), "0771-2188499（节点）");
    assert!(server.stop_with_sigterm().success());

    // Taken in again: nothing new, nothing doubled.
    let out = office.run(&["node", "import", work.to_str().unwrap()], None);
    assert_success(&out, "node import, again");
    assert!(stdout(&out).contains("新增 0 条"), "{}", stdout(&out));
    assert!(stdout(&out).contains("冲突 0 条"), "{}", stdout(&out));
    assert!(stdout(&out).contains("追加 0 条"), "{}", stdout(&out));
    let letter_path = format!("/api/v1/letters/{node_letter}");
    let server = office.serve();
    let lead = bearer(server.port, "teamlead");
    let r = http(
        server.port,
        "GET",
        &letter_path,
        &[("Authorization", &lead)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let office_number = r.json()["letter"]["number"].clone();
    assert!(server.stop_with_sigterm().success());

    // The team works on: its own visit, which the office took under another number, is taken
    // up, and the announcement it won is changed again. Both come back as updates of what the
    // office took, not as conflicts with the bundle that first went out.
    let server = node.serve_with(&["--node", file]);
    let lead = bearer(server.port, "teamlead");
    let r = http(
        server.port,
        "GET",
        &letter_path,
        &[("Authorization", &lead)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let version = r.json()["letter"]["version"].clone();
    let handling = serde_json::json!({
        "version": version,
        "scope": "in_scope",
        "status": "handling",
        "disposition": "已约谈核实（节点）",
    })
    .to_string();
    let r = http(
        server.port,
        "PUT",
        &format!("{letter_path}/handling"),
        &[
            ("Authorization", &lead),
            ("Content-Type", "application/json"),
        ],
        Some(&handling),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    change_hotline(server.port, &lead, &id, "0771-2188466（节点二）");
    assert!(server.stop_with_sigterm().success());
    let later = media.path().join("work-2.xsn");
    let out = node.run(&["node", "export", "--out", later.to_str().unwrap()], None);
    assert_success(&out, "node export on the node, again");
    let out = office.run(&["node", "import", later.to_str().unwrap()], None);
    assert_success(&out, "node import of the later work");
    let told = stdout(&out);
    assert!(told.contains("新增 0 条"), "{told}");
    assert!(told.contains("冲突 0 条"), "{told}");
    assert!(!told.contains("改号"), "{told}");
    let updated: usize = told
        .split("更新 ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the updates are told");
    assert!(updated >= 2, "{told}");
    let server = office.serve();
    let lead = bearer(server.port, "teamlead");
    assert_eq!(hotline(server.port, &lead, &id), "0771-2188466（节点二）");
    let r = http(
        server.port,
        "GET",
        &letter_path,
        &[("Authorization", &lead)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let letter = &r.json()["letter"];
    assert_eq!(letter["disposition"], "已约谈核实（节点）");
    assert_eq!(
        letter["number"], office_number,
        "the office's number stands"
    );
    assert!(server.stop_with_sigterm().success());

    // The office's trail holds each export, the node's records and the decision, and still
    // verifies.
    assert_trail_whole(office);
}

/// A multipart form with one file part named `file`.
fn multipart(bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "xunshi-node-test-boundary";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"work.xsn\"\r\n\
         Content-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post_file(port: u16, auth: &str, path: &str, bytes: &[u8]) -> super::HttpResponse {
    let (content_type, body) = multipart(bytes);
    http_bytes(
        port,
        "POST",
        path,
        &[("Authorization", auth), ("Content-Type", &content_type)],
        &body,
    )
}

/// The same journey without the command line: the office pairs and downloads the bundle by
/// the API and sees it on the page 离线节点; the team's node hands its work out by the API; the
/// office uploads it.
pub(super) fn through_the_api_and_pages(office: &Instance) {
    let (shipped_key, _) = demo_with_its_node(office);
    let (id, city) = teams_on_site(office);
    let key_path = format!("/api/v1/inspections/{id}/node-key");
    let bundle_path = format!("/api/v1/inspections/{id}/node-bundle");
    let city_key_path = format!("/api/v1/inspections/{city}/node-key");

    let server = office.serve();
    let port = server.port;
    let auth = bearer(port, "office");
    let lead = bearer(port, "teamlead");
    // Before the keys, no bundle; the team makes no keys.
    let r = http(
        port,
        "POST",
        &format!("/api/v1/inspections/{city}/node-bundle"),
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("配对"), "{}", r.body);
    let r = http(
        port,
        "POST",
        &city_key_path,
        &[("Authorization", &lead)],
        None,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = http(
        port,
        "POST",
        &city_key_path,
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.header("content-disposition")
            .is_some_and(|d| d.contains(".key")),
        "{:?}",
        r.headers
    );
    let half: Value = serde_json::from_slice(&r.bytes).unwrap();
    assert_eq!(half["side"], "node");
    assert_eq!(half["inspection_id"], city.as_str());
    let again = http(
        port,
        "POST",
        &city_key_path,
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(again.status, 409, "{}", again.body);
    // The demo paired its team on site as the office, once.
    let r = http(port, "POST", &key_path, &[("Authorization", &auth)], None);
    assert_eq!(r.status, 409, "{}", r.body);
    let key = std::fs::read(&shipped_key).unwrap();
    let shipped: Value = serde_json::from_slice(&key).unwrap();
    let admin = bearer(port, "admin");
    for (inspection, pair) in [(&city, &half["pair"]), (&id, &shipped["pair"])] {
        let trail = items(
            port,
            &admin,
            &format!("/api/v1/audit?action=node_paired&object_id={inspection}"),
        );
        assert_eq!(
            trail.len(),
            1,
            "the pairing is in the trail once: {trail:?}"
        );
        assert!(
            trail[0]["summary"]
                .as_str()
                .is_some_and(|s| s.contains(pair.as_str().unwrap())),
            "{trail:?}"
        );
    }
    let r = http(
        port,
        "POST",
        &bundle_path,
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let bundle = r.bytes.clone();
    assert!(bundle.starts_with(b"XUNSHI-NODE/1"));
    // The office's own bundle is no node's work.
    let r = post_file(port, &auth, "/api/v1/node-work", &bundle);
    assert_eq!(r.status, 422, "{}", r.body);
    let r = post_file(port, &auth, "/api/v1/node-work", b"not a bundle");
    assert_eq!(r.status, 422, "{}", r.body);
    let cookie = form_login(port, "office", DEMO_PASSWORD);
    let page = http(port, "GET", "/nodes", &[("Cookie", &cookie)], None);
    assert_eq!(page.status, 200, "{}", page.body);
    for text in [
        ON_SITE,
        CITY_ON_SITE,
        "已配对",
        "导出任务数据包",
        "导入交回数据包",
    ] {
        assert!(page.body.contains(text), "{text}: {}", page.body);
    }
    assert!(server.stop_with_sigterm().success());

    let media = tempfile::tempdir().unwrap();
    let key_file = media.path().join("node.key");
    let bundle_file = media.path().join("bundle.xsn");
    std::fs::write(&key_file, &key).unwrap();
    std::fs::write(&bundle_file, &bundle).unwrap();
    let node = Instance::sqlite();
    let server = node.serve_with(&[
        "--node",
        bundle_file.to_str().unwrap(),
        "--node-key",
        key_file.to_str().unwrap(),
    ]);
    let port = server.port;
    let lead = bearer(port, "teamlead");
    let cookie = form_login(port, "teamlead", DEMO_PASSWORD);
    let page = http(port, "GET", "/nodes", &[("Cookie", &cookie)], None);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("导出交回数据包"), "{}", page.body);
    // A node makes no keys of its own.
    let r = http(port, "POST", &key_path, &[("Authorization", &lead)], None);
    assert_eq!(r.status, 422, "{}", r.body);
    let entry_on = items(port, &lead, "/api/v1/inspections?limit=100")[0]["dates"]["entry"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = http(
        port,
        "POST",
        &format!("/api/v1/inspections/{id}/letters"),
        &[
            ("Authorization", &lead),
            ("Content-Type", "application/json"),
        ],
        Some(&visit(
            "来访反映某局违规发放津贴。（节点经接口登记）",
            &entry_on,
        )),
    );
    assert_eq!(added.status, 201, "{}", added.body);
    let letter = added.json()["id"].as_str().unwrap().to_owned();
    let r = http(
        port,
        "POST",
        "/api/v1/node-work/export",
        &[("Authorization", &lead)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let work = r.bytes.clone();
    assert!(work.starts_with(b"XUNSHI-NODE/1"));
    assert!(server.stop_with_sigterm().success());

    let server = office.serve();
    let port = server.port;
    let auth = bearer(port, "office");
    let r = http(
        port,
        "POST",
        "/api/v1/node-work/export",
        &[("Authorization", &auth)],
        None,
    );
    assert_eq!(r.status, 422, "the office is no node: {}", r.body);
    let lead = bearer(port, "teamlead");
    let r = post_file(port, &lead, "/api/v1/node-work", &work);
    assert_eq!(r.status, 403, "the team does not import: {}", r.body);
    let r = post_file(port, &auth, "/api/v1/node-work", &work);
    assert_eq!(r.status, 200, "{}", r.body);
    let done = r.json();
    assert!(done["inserted"].as_u64().unwrap() >= 1, "{done}");
    assert_eq!(done["conflicts"], serde_json::json!([]), "{done}");
    assert!(done["trail_records"].as_u64().unwrap() >= 1, "{done}");
    let r = post_file(port, &auth, "/api/v1/node-work", &work);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["inserted"], 0, "{}", r.body);
    assert_eq!(r.json()["trail_records"], 0, "{}", r.body);
    let r = http(
        port,
        "GET",
        &format!("/api/v1/letters/{letter}"),
        &[("Authorization", &lead)],
        None,
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("节点经接口登记"), "{}", r.body);
    assert!(server.stop_with_sigterm().success());
    assert_trail_whole(office);
}
