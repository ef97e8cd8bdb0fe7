//! `xunshi backup`, `restore` and `migrate-to` on the demo: the copy, served, answers the API
//! as the original did, its audit trail verifies, its evidence files are there; a backup
//! changed by one byte is refused before anything is written; a target that is not empty is
//! refused.

use std::path::Path;

use super::{Instance, api_login, assert_success, http, stdout};

const DEMO_PASSWORD: &str = "Xunshi-Demo-2020";

/// What the office reads of the instance through the API, as JSON texts, path by path.
const READS: [&str; 5] = [
    "/api/v1/inspections?limit=100",
    "/api/v1/tasks?limit=100",
    "/api/v1/units?limit=100",
    "/api/v1/dashboard",
    "/api/v1/clues?limit=100",
];

fn answers(x: &Instance) -> Vec<(String, u16, String)> {
    let server = x.serve();
    let login = api_login(server.port, "office", DEMO_PASSWORD);
    assert_eq!(login.status, 201, "{}", login.body);
    let bearer = format!("Bearer {}", login.json()["token"].as_str().unwrap());
    let out = READS
        .iter()
        .map(|p| {
            let r = http(server.port, "GET", p, &[("Authorization", &bearer)], None);
            (p.to_string(), r.status, r.body)
        })
        .collect();
    let status = server.stop_with_sigterm();
    assert!(status.success(), "serve ended with {status}");
    out
}

fn evidence(data_dir: &Path) -> Vec<String> {
    let blobs = data_dir.join("blobs");
    if !blobs.exists() {
        return Vec::new();
    }
    let mut names: Vec<String> = walk_paths(&blobs)
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The demo backed up and restored into a new data folder (with the key file copied, as the
/// operator must), then, where a PostgreSQL URL is given, moved there.
pub(super) fn a_copy_answers_as_the_original(pg: Option<&str>) {
    let original = Instance::sqlite();
    let demo = original.serve_with(&["--demo"]);
    assert!(demo.stop_with_sigterm().success());
    let before = answers(&original);
    for (path, status, body) in &before {
        assert_eq!(*status, 200, "{path}: {body}");
        assert!(
            !path.contains("limit") || body.contains("\"items\":[{"),
            "{path} lists nothing to compare: {body}"
        );
    }
    let files = evidence(original.data_dir.path());
    assert!(!files.is_empty(), "the demo keeps evidence files");

    let outside = tempfile::tempdir().unwrap();
    let file = outside.path().join("xunshi-backup.zip");
    let out = original.run(&["backup", "--out", file.to_str().unwrap()], None);
    assert_success(&out, "backup");
    assert!(stdout(&out).contains("evidence files"), "{}", stdout(&out));
    let again = original.run(&["backup", "--out", file.to_str().unwrap()], None);
    assert!(
        !again.status.success(),
        "a backup is never written over a file"
    );

    // One byte changed anywhere in a table's entry: refused, and no database is made.
    let damaged = outside.path().join("damaged.zip");
    let mut bytes = std::fs::read(&file).unwrap();
    let at = bytes.len() / 3;
    bytes[at] ^= 0x01;
    std::fs::write(&damaged, bytes).unwrap();
    let refused = Instance::sqlite();
    let out = refused.run(&["restore", damaged.to_str().unwrap()], None);
    assert!(!out.status.success(), "a damaged backup was restored");
    assert!(
        !refused.data_dir.path().join("xunshi.db").exists(),
        "a refused restore made a database"
    );

    let copy = Instance::sqlite();
    std::fs::copy(
        original.data_dir.path().join("xunshi.key"),
        copy.data_dir.path().join("xunshi.key"),
    )
    .unwrap();
    let out = copy.run(&["restore", file.to_str().unwrap()], None);
    assert_success(&out, "restore");
    assert!(
        stdout(&out).contains("each as many as in the source")
            && stdout(&out).contains("hash chain whole"),
        "{}",
        stdout(&out)
    );
    assert_eq!(evidence(copy.data_dir.path()), files);
    assert_eq!(
        answers(&copy),
        before,
        "the restored copy answers otherwise"
    );
    let out = copy.run(&["restore", file.to_str().unwrap()], None);
    assert!(!out.status.success(), "a restore over data was taken");

    if let Some(url) = pg {
        let out = original.run(&["migrate-to", url], None);
        assert_success(&out, "migrate-to");
        assert!(
            stdout(&out).contains("hash chain whole"),
            "{}",
            stdout(&out)
        );
        let moved = Instance {
            data_dir: tempfile::tempdir().unwrap(),
            database_url: Some(url.to_owned()),
        };
        // The moved installation keeps its data folder: the evidence and the key file.
        for f in walk_paths(original.data_dir.path()) {
            let rel = f.strip_prefix(original.data_dir.path()).unwrap();
            if rel.starts_with("blobs") || rel == Path::new("xunshi.key") {
                let to = moved.data_dir.path().join(rel);
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(&f, to).unwrap();
            }
        }
        assert_eq!(
            answers(&moved),
            before,
            "the moved installation answers otherwise"
        );
        let out = moved.run(&["audit", "verify"], None);
        assert_success(&out, "audit verify on PostgreSQL");
    }
}

fn walk_paths(p: &Path) -> Vec<std::path::PathBuf> {
    std::fs::read_dir(p)
        .unwrap()
        .flat_map(|e| {
            let path = e.unwrap().path();
            if path.is_dir() {
                walk_paths(&path)
            } else {
                vec![path]
            }
        })
        .collect()
}
