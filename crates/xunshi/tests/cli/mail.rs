//! Messages by e-mail against a real SMTP server: aiosmtpd, started by the test on a free port
//! of 127.0.0.1, keeps every mail it receives in a Maildir that the test then reads. Without
//! aiosmtpd the test is reported as ignored, naming what to install (`xunshi_test_env`).

use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use xunshi_core::Id;
use xunshi_core::message::{Message, MessageKind};
use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_core::store::{MessageWrite, Store, WriteTx};
use xunshi_core::user::NewUserInput;

use super::{Argon2Secrets, Db, Instance, PATIENCE, block_on, free_port, stderr, stdout};

/// aiosmtpd on a free port, writing what it receives into a Maildir; stopped when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl SmtpServer {
    fn start() -> SmtpServer {
        let dir = tempfile::tempdir().expect("a folder for the mail");
        // The Maildir must not exist yet: aiosmtpd's handler creates it with its subfolders.
        let maildir = dir.path().join("maildir");
        let port = free_port();
        let child = Command::new(xunshi_test_env::python())
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start aiosmtpd");
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < PATIENCE, "aiosmtpd did not start");
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        SmtpServer {
            child,
            port,
            maildir,
            _dir: dir,
        }
    }

    /// Every mail received, as `{to, rcpt, subject, body}` decoded by Python's own parser.
    fn received(&self) -> Vec<Value> {
        read_maildir(&self.maildir)
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) fn read_maildir(dir: &Path) -> Vec<Value> {
    let script = r#"
import json, mailbox, sys
from email.header import decode_header, make_header
out = []
for m in mailbox.Maildir(sys.argv[1], create=False):
    part = m.get_payload(decode=True)
    out.append({
        "to": m["To"], "rcpt": m["X-RcptTo"],
        "subject": str(make_header(decode_header(m["Subject"]))),
        "body": part.decode(m.get_content_charset() or "utf-8"),
    })
print(json.dumps(out))
"#;
    if !dir.exists() {
        return Vec::new();
    }
    let out = Command::new(xunshi_test_env::python())
        .args(["-c", script])
        .arg(dir)
        .output()
        .expect("run python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("the mails as JSON")
}

/// An account with an e-mail address, and a message to it written as a hand-over writes one
/// (with the address, into the outbox too). Returns the message's id.
pub(super) fn message_to(x: &Instance, username: &str, address: &str, title: &str) -> Id {
    let url = x.url();
    let (username, address, title) = (username.to_owned(), address.to_owned(), title.to_owned());
    block_on(async move {
        let db = Db::open(&url, 1).await.expect("open the database");
        let s = Services::new(db.clone(), std::sync::Arc::new(Argon2Secrets::new()));
        let sys = Actor::system();
        let user = s
            .create_user(
                &sys,
                &NewUserInput {
                    username: username.clone(),
                    display_name: "巡视办干部".into(),
                    unit: None,
                    password: super::PASSWORD.into(),
                    must_change_password: false,
                },
                None,
            )
            .await
            .expect("an account")
            .0;
        s.set_user_email(&sys, user.id, &address)
            .await
            .expect("its address");
        let m = Message {
            id: Id::new(),
            user_id: user.id,
            event_key: format!("test:{username}"),
            kind: MessageKind::Handover,
            title,
            body: "整改方案“关于巡视反馈意见的整改方案”已报送，请审核。".into(),
            about: None,
            object_id: None,
            inspection_id: None,
            created_at: s.now(),
            read_at: None,
        };
        let mut tx = db.write().await.expect("a write");
        assert!(tx.insert_message(&m, Some(&address)).await.unwrap());
        tx.commit().await.unwrap();
        db.close().await;
        m.id
    })
}

fn mail_send(x: &Instance, port: u16) -> std::process::Output {
    x.command()
        .args(["mail", "send"])
        .env("XUNSHI_SMTP_HOST", "127.0.0.1")
        .env("XUNSHI_SMTP_PORT", port.to_string())
        .env("XUNSHI_SMTP_SECURITY", "none")
        .env(
            "XUNSHI_SMTP_FROM",
            "巡视巡察信息系统 <noreply@xunshi.example.cn>",
        )
        .output()
        .expect("run xunshi mail send")
}

/// The outbox row of a message: attempts, whether sent, the last error.
fn outbox_row(x: &Instance, id: Id) -> (i64, bool, Option<String>) {
    let url = x.url();
    block_on(async move {
        let db = Db::open(&url, 1).await.expect("open the database");
        let row: (i64, Option<String>, Option<String>) = sqlx::query_as(
            "SELECT attempts, sent_at, last_error FROM mail_outbox WHERE message_id = $1",
        )
        .bind(id.to_string())
        .fetch_one(&db.pool)
        .await
        .expect("the outbox row");
        let still: i64 =
            sqlx::query_scalar("SELECT CAST(count(*) AS BIGINT) FROM messages WHERE id = $1")
                .bind(id.to_string())
                .fetch_one(&db.pool)
                .await
                .expect("the message");
        assert_eq!(
            still, 1,
            "the message stays in the inbox whatever the mail does"
        );
        db.close().await;
        (row.0, row.1.is_some(), row.2)
    })
}

xunshi_test_env::smtp_tests! {
    #[test]
    fn mail_send_delivers_each_message_once_and_keeps_it_when_the_server_is_down() {
        let x = Instance::sqlite();
        let out = x.run(&["migrate"], None);
        assert!(out.status.success(), "{}", stderr(&out));
        let first = message_to(&x, "office1", "office1@example.cn", "整改方案待审核");

        let smtp = SmtpServer::start();
        let out = mail_send(&x, smtp.port);
        assert!(out.status.success(), "{}\n{}", stdout(&out), stderr(&out));
        assert!(stdout(&out).contains("e-mails sent: 1, failed: 0"), "{}", stdout(&out));
        let mails = smtp.received();
        assert_eq!(mails.len(), 1, "{mails:?}");
        assert_eq!(mails[0]["rcpt"], "office1@example.cn");
        assert_eq!(mails[0]["subject"], "【巡视巡察】整改方案待审核");
        let body = mails[0]["body"].as_str().unwrap();
        assert!(body.contains("已报送，请审核"), "{body}");
        assert_eq!(outbox_row(&x, first), (0, true, None));

        // Sent once: a second run finds nothing to send.
        let out = mail_send(&x, smtp.port);
        assert!(stdout(&out).contains("e-mails sent: 0, failed: 0"), "{}", stdout(&out));
        assert_eq!(smtp.received().len(), 1);

        // With the server gone, the attempt fails and is recorded; the message stays.
        let port = smtp.port;
        drop(smtp);
        let second = message_to(&x, "office2", "office2@example.cn", "整改任务待核查销号");
        let out = mail_send(&x, port);
        assert_eq!(out.status.code(), Some(2), "{}\n{}", stdout(&out), stderr(&out));
        assert!(stdout(&out).contains("e-mails sent: 0, failed: 1"), "{}", stdout(&out));
        let (attempts, sent, error) = outbox_row(&x, second);
        assert_eq!((attempts, sent), (1, false));
        assert!(error.is_some_and(|e| !e.is_empty()));
    }
}

#[test]
fn mail_send_without_a_mail_server_says_how_to_configure_one() {
    let x = Instance::sqlite();
    let out = x.run(&["mail", "send"], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("XUNSHI_SMTP_HOST"),
        "{}",
        stderr(&out)
    );
}
