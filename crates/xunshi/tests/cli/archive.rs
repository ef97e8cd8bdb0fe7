//! 归档 through the real server on the demo: the office archives the department's 2017
//! inspection (its tasks all closed), every change to it is then refused with the reason, and
//! its archive package opens as a zip whose manifest matches every file and whose catalogue
//! workbook lists them, each document beside its PDF where an office suite is configured;
//! `xunshi archive package` writes the same package to a file.

use std::io::{Cursor, Read};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{Instance, api_login, http};

const DEMO_PASSWORD: &str = "Xunshi-Demo-2020";

fn bearer(port: u16, username: &str) -> String {
    let r = api_login(port, username, DEMO_PASSWORD);
    assert_eq!(r.status, 201, "{username}: {}", r.body);
    format!("Bearer {}", r.json()["token"].as_str().expect("a token"))
}

fn get(port: u16, who: &str, path: &str) -> super::HttpResponse {
    http(port, "GET", path, &[("Authorization", who)], None)
}

fn post(port: u16, who: &str, path: &str, body: &Value) -> super::HttpResponse {
    let body = body.to_string();
    http(
        port,
        "POST",
        path,
        &[("Authorization", who), ("Content-Type", "application/json")],
        Some(&body),
    )
}

/// With `suite`, the office suite the server makes the documents' PDFs with; without, it is
/// told it has none.
pub(super) fn an_archived_inspection_is_packaged_and_refuses_changes(
    x: &Instance,
    suite: Option<&str>,
) {
    let setting = format!("office_suite = \"{}\"\n", suite.unwrap_or("none"));
    std::fs::write(x.data_dir.path().join("xunshi.toml"), setting).expect("xunshi.toml");
    let server = x.serve_with(&["--demo"]);
    let port = server.port;
    let office = bearer(port, "office");
    let liaison = bearer(port, "liaison");

    let list = get(port, &office, "/api/v1/inspections?limit=200");
    assert_eq!(list.status, 200, "{}", list.body);
    let items = list.json()["items"].as_array().expect("items").clone();
    let earlier = items
        .iter()
        .find(|i| i["team_name"] == "第八巡视组" && i["stage"] == "rectification")
        .expect("the 2017 inspection in rectification")
        .clone();
    let id = earlier["id"].as_str().expect("an id").to_owned();
    let package = format!("/api/v1/inspections/{id}/archive-package");

    // No package before archiving; archiving the seed waits for its open tasks.
    let early = get(port, &office, &package);
    assert_eq!(early.status, 422, "{}", early.body);
    assert!(early.body.contains("尚未归档"), "{}", early.body);
    let seed = items
        .iter()
        .find(|i| i["team_name"] == "第三巡视组")
        .expect("the seed");
    let refused = post(
        port,
        &office,
        &format!("/api/v1/inspections/{}/stage", seed["id"].as_str().unwrap()),
        &json!({ "version": seed["version"], "to": "archived" }),
    );
    assert_eq!(refused.status, 422, "{}", refused.body);

    let archived = post(
        port,
        &office,
        &format!("/api/v1/inspections/{id}/stage"),
        &json!({ "version": earlier["version"], "to": "archived" }),
    );
    assert_eq!(archived.status, 200, "{}", archived.body);
    assert_eq!(archived.json()["stage"], "archived");

    // A change to any of its records is refused with the reason, and nothing is written.
    let tasks = get(
        port,
        &office,
        &format!("/api/v1/tasks?inspection_id={id}&limit=5"),
    );
    assert_eq!(tasks.status, 200, "{}", tasks.body);
    let tasks = tasks.json();
    let task = &tasks["items"][0];
    let task_id = task["task"]["id"].as_str().expect("a task").to_owned();
    let unit_id = task["task"]["unit_id"]
        .as_str()
        .expect("its unit")
        .to_owned();
    let mechanism = post(
        port,
        &liaison,
        "/api/v1/mechanisms",
        &json!({
            "inspection_id": id, "unit_id": unit_id, "title": "《机关制度汇编》（第4版）",
            "is_new": false, "doc_no": "桂宣办发〔2026〕1号", "issued_on": "2026-11-02",
            "task_ids": [task_id],
        }),
    );
    assert_eq!(mechanism.status, 422, "{}", mechanism.body);
    assert!(
        mechanism.body.contains("已归档，其全部记录只读"),
        "{}",
        mechanism.body
    );

    // The package: the office's only.
    assert_eq!(get(port, &liaison, &package).status, 403);
    let r = get(port, &office, &package);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    let mut zip = zip::ZipArchive::new(Cursor::new(r.bytes.clone())).expect("a zip");
    let mut manifest = String::new();
    zip.by_name("manifest-sha256.txt")
        .expect("the manifest")
        .read_to_string(&mut manifest)
        .unwrap();
    let listed: Vec<(String, String)> = manifest
        .lines()
        .map(|l| {
            let (hash, path) = l.split_once("  ").expect("hash  path");
            (hash.to_owned(), path.to_owned())
        })
        .collect();
    assert_eq!(
        listed.len() + 1,
        zip.len(),
        "every file but the manifest listed"
    );
    for (hash, path) in &listed {
        let mut bytes = Vec::new();
        zip.by_name(path)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .read_to_end(&mut bytes)
            .unwrap();
        let actual: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(&actual, hash, "{path}");
    }
    let paths: Vec<&str> = listed.iter().map(|(_, p)| p.as_str()).collect();
    for wanted in [
        "01-巡视任务/巡视任务.json",
        "04-反馈意见/反馈意见.docx",
        "07-整改台账/整改台账.xlsx",
        "12-审计记录/审计摘录.csv",
        "目录.xlsx",
    ] {
        assert!(paths.contains(&wanted), "{wanted} in {paths:?}");
    }
    assert!(
        paths
            .iter()
            .any(|p| p.starts_with("06-整改方案/") && p.ends_with(".docx")),
        "{paths:?}"
    );
    // Every document has its PDF where the suite made them; otherwise a note says why not.
    let documents: Vec<&str> = paths
        .iter()
        .copied()
        .filter(|p| p.ends_with(".docx"))
        .collect();
    match suite {
        Some(_) => {
            for docx in &documents {
                let pdf = format!("{}.pdf", docx.trim_end_matches(".docx"));
                let mut bytes = Vec::new();
                zip.by_name(&pdf)
                    .unwrap_or_else(|e| panic!("{pdf}: {e}"))
                    .read_to_end(&mut bytes)
                    .unwrap();
                assert!(bytes.starts_with(b"%PDF"), "{pdf} is a PDF");
            }
        }
        None => {
            assert!(!paths.iter().any(|p| p.ends_with(".pdf")), "{paths:?}");
            let mut why = String::new();
            zip.by_name("00-说明/PDF说明.txt")
                .expect("the note on the PDFs")
                .read_to_string(&mut why)
                .unwrap();
            assert!(why.contains("仅有 .docx"), "{why}");
        }
    }
    // The office holds the archived inspection's fieldwork registers, so nothing is left out;
    // the counts say what the package holds (this inspection's fieldwork predates the system).
    assert!(zip.by_name("11-进驻了解/未收入说明.txt").is_err());
    let mut counts = String::new();
    zip.by_name("00-说明/归档统计.csv")
        .expect("the counts")
        .read_to_string(&mut counts)
        .unwrap();
    assert!(counts.contains("个别谈话,0"), "{counts}");
    assert!(counts.contains("整改任务,"), "{counts}");
    // The audit extract holds the archiving itself.
    let mut trail = String::new();
    zip.by_name("12-审计记录/审计摘录.csv")
        .unwrap()
        .read_to_string(&mut trail)
        .unwrap();
    assert!(trail.contains("巡视阶段变更"), "{trail}");
    assert!(trail.contains("archived"), "{trail}");
    // The catalogue opens as a workbook with a row per file.
    let mut catalogue = Vec::new();
    zip.by_name("目录.xlsx")
        .unwrap()
        .read_to_end(&mut catalogue)
        .unwrap();
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(catalogue)).expect("the catalogue opens");
    let sheet = wb.worksheet_range("归档目录").expect("its sheet");
    let files = sheet
        .rows()
        .filter(|r| r.get(4).is_some_and(|c| c.to_string().contains('/')))
        .count();
    assert_eq!(files, listed.len() - 1, "a row per file but itself");

    // The same package from the command line, written to a file, never over one.
    let file = x.data_dir.path().join("归档包.zip");
    let path = file.to_str().expect("a path");
    let args = [
        "archive",
        "package",
        "--inspection",
        id.as_str(),
        "--out",
        path,
    ];
    let out = x.run(&args, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read(&file).expect("the package file");
    let mut from_cli = zip::ZipArchive::new(Cursor::new(written)).expect("a zip");
    for wanted in [
        "manifest-sha256.txt",
        "04-反馈意见/反馈意见.docx",
        "目录.xlsx",
    ] {
        assert!(from_cli.by_name(wanted).is_ok(), "{wanted}");
    }
    let again = x.run(&args, None);
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("已存在"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    // The package is written into a hidden file beside the target, renamed at the end: none
    // is left behind.
    let left: Vec<_> = std::fs::read_dir(x.data_dir.path())
        .expect("the data folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".part"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    let status = server.stop_with_sigterm();
    assert!(status.success(), "serve ended with {status}");
}
