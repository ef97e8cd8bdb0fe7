//! Evidence files in an S3-protocol object store: moto's server, started by the test on a
//! free port of 127.0.0.1. The demo is loaded with `[s3]` configured, so every file it
//! attaches goes to the bucket and none to the data folder; a backup reads them back from the
//! bucket (each checked against its name) and a restore into an installation without the
//! object store puts them in its folder, the same files under the same names. A letter's
//! attachment larger than one part of a multipart upload goes through the server's staging
//! folder into the bucket in parts, and leaves nothing behind in the folder.

use std::process::{Child, Command, Stdio};
use std::time::Instant;

use super::{Instance, PATIENCE, assert_success, assert_trail_whole, free_port, http, stdout};

const BUCKET: &str = "xunshi-evidence";

/// moto's S3 server; stopped when dropped.
struct Moto {
    child: Child,
    port: u16,
}

impl Moto {
    fn start() -> Moto {
        let port = free_port();
        let child = Command::new(xunshi_test_env::python())
            .args(["-m", "moto.server", "-H", "127.0.0.1", "-p"])
            .arg(port.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start moto's server");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < PATIENCE, "moto did not start");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let made = http(port, "PUT", &format!("/{BUCKET}"), &[], None);
        assert_eq!(made.status, 200, "create the bucket: {}", made.body);
        Moto { child, port }
    }

    /// The keys in the bucket.
    fn keys(&self) -> Vec<String> {
        let list = http(
            self.port,
            "GET",
            &format!("/{BUCKET}?list-type=2"),
            &[],
            None,
        );
        assert_eq!(list.status, 200, "{}", list.body);
        let mut keys: Vec<String> = list
            .body
            .split("<Key>")
            .skip(1)
            .filter_map(|k| k.split("</Key>").next())
            .map(str::to_owned)
            .collect();
        keys.sort();
        keys
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn evidence_lives_in_the_object_store_and_comes_back_in_a_backup() {
    let moto = Moto::start();
    let x = Instance::sqlite();
    std::fs::write(
        x.data_dir.path().join("xunshi.toml"),
        format!(
            "[s3]\nendpoint = \"http://127.0.0.1:{}\"\nbucket = \"{BUCKET}\"\n\
             access_key_id = \"test\"\nsecret_access_key = \"test\"\nprefix = \"evidence\"\n",
            moto.port
        ),
    )
    .unwrap();
    let demo = x.serve_with(&["--demo"]);
    assert!(demo.stop_with_sigterm().success());
    assert!(
        !x.data_dir.path().join("blobs").exists(),
        "no evidence file in the data folder"
    );
    let demo_keys = moto.keys();
    assert!(
        demo_keys.len() >= 3,
        "the demo's files are in the bucket: {demo_keys:?}"
    );

    // A letter from the public with a 6 MB attachment (more than one 5 MB part).
    let server = x.serve();
    let open = http(
        server.port,
        "GET",
        "/api/v1/public/announcements",
        &[],
        None,
    );
    assert_eq!(open.status, 200, "{}", open.body);
    let inspection = open.json()[0]["inspection_id"]
        .as_str()
        .expect("the live round takes letters")
        .to_owned();
    let attachment = "报销单据核对记录：某处 2024 年差旅费超标准报销。\n".repeat(100_000);
    assert!(attachment.len() > 6_000_000);
    let boundary = "xunshi-test-boundary";
    let part = |name: &str, value: &str| {
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        )
    };
    let body = format!(
        "{}{}--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"核对记录.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n{attachment}\r\n--{boundary}--\r\n",
        part("inspection_id", &inspection),
        part("content", "反映某处违规报销差旅费，附核对记录。"),
    );
    let sent = http(
        server.port,
        "POST",
        "/api/v1/public/submissions",
        &[(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        )],
        Some(&body),
    );
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert!(server.stop_with_sigterm().success());
    let keys = moto.keys();
    let name = xunshi_core::crypto::HashAlg::Sha256.content_name(attachment.as_bytes());
    assert_eq!(
        keys.iter()
            .filter(|k| !demo_keys.contains(k))
            .collect::<Vec<_>>(),
        vec![&format!("evidence/{}/{name}", &name[..2])],
        "the attachment is in the bucket under its hash"
    );
    let staged: Vec<_> = std::fs::read_dir(x.data_dir.path().join("uploads"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(staged.is_empty(), "left in the staging folder: {staged:?}");
    for k in &keys {
        let name = k.rsplit('/').next().unwrap();
        assert!(
            k.starts_with(&format!("evidence/{}/", &name[name.len() - 64..][..2])),
            "{k}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.zip");
    let out = x.run(&["backup", "--out", file.to_str().unwrap()], None);
    assert_success(&out, "backup from the object store");
    assert!(
        stdout(&out).contains(&format!("{} evidence files", keys.len())),
        "{}",
        stdout(&out)
    );

    // Restored where no object store is configured: the files land in the data folder.
    let copy = Instance::sqlite();
    let key = std::fs::read(x.data_dir.path().join("xunshi.key")).unwrap();
    std::fs::write(copy.data_dir.path().join("xunshi.key"), key).unwrap();
    assert_success(
        &copy.run(&["restore", file.to_str().unwrap()], None),
        "restore into a folder",
    );
    let mut restored: Vec<String> = Vec::new();
    for d in std::fs::read_dir(copy.data_dir.path().join("blobs")).unwrap() {
        for f in std::fs::read_dir(d.unwrap().path()).unwrap() {
            restored.push(f.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    restored.sort();
    let mut in_bucket: Vec<String> = keys
        .iter()
        .map(|k| k.rsplit('/').next().unwrap().to_owned())
        .collect();
    in_bucket.sort();
    assert_eq!(restored, in_bucket);
    assert_trail_whole(&copy);

    // An object changed in the bucket behind the program's back is never handed out.
    let forged = Command::new(xunshi_test_env::python())
        .args([
            "-c",
            "import boto3, sys\n\
             boto3.client('s3', endpoint_url=sys.argv[1], aws_access_key_id='test', \
             aws_secret_access_key='test', region_name='us-east-1')\
             .put_object(Bucket=sys.argv[2], Key=sys.argv[3], Body=b'forged')",
        ])
        .arg(format!("http://127.0.0.1:{}", moto.port))
        .arg(BUCKET)
        .arg(&keys[0])
        .output()
        .expect("run python");
    assert!(
        forged.status.success(),
        "{}",
        String::from_utf8_lossy(&forged.stderr)
    );
    let again = dir.path().join("again.zip");
    let out = x.run(&["backup", "--out", again.to_str().unwrap()], None);
    assert!(!out.status.success(), "{}", stdout(&out));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("altered"), "{err}");
    assert!(!again.exists());
}
