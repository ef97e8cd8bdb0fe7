//! Three `xunshi serve` processes on one PostgreSQL database, one killed with SIGKILL in the
//! middle of a background job while requests go to all three: a token issued by one is good
//! on the others, every write any of them acknowledged is there after, the audit trail is one
//! chain, and each job's run is done once — the killed one's taken over by a survivor when its
//! lease ran out, none lost and none done twice. The job caught mid-way is the e-mail outbox,
//! held in the middle of a message by a slow SMTP server (slow_smtp.py), which keeps a message
//! only once its sender saw it through: each mail arrives exactly once. The log-in limit of an
//! address holds across the instances.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use super::mail::{message_to, read_maildir};
use super::{
    Instance, PASSWORD, PATIENCE, Server, api_login, assert_success, assert_trail_whole, block_on,
    free_port, http, try_http,
};

const MAILS: usize = 6;

/// The slow SMTP server, stopped when dropped.
struct SlowSmtp {
    child: Child,
    port: u16,
    maildir: std::path::PathBuf,
    marker: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl SlowSmtp {
    fn start(delay: f64) -> SlowSmtp {
        let dir = tempfile::tempdir().expect("a folder for the mail");
        let maildir = dir.path().join("maildir");
        let marker = dir.path().join("marker");
        let port = free_port();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/slow_smtp.py");
        let child = Command::new(xunshi_test_env::python())
            .arg(script)
            .arg(port.to_string())
            .arg(&maildir)
            .arg(&marker)
            .arg(delay.to_string())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start the slow SMTP server (python with aiosmtpd)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < PATIENCE,
                "the SMTP server did not start"
            );
            thread::sleep(Duration::from_millis(50));
        }
        SlowSmtp {
            child,
            port,
            maildir,
            marker,
            _dir: dir,
        }
    }

    fn deliveries_started(&self) -> usize {
        std::fs::read_to_string(&self.marker).map_or(0, |t| t.lines().count())
    }
}

impl Drop for SlowSmtp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs `sql` (a query of one text column) on the shared database.
fn texts(url: &str, sql: &'static str) -> Vec<String> {
    let url = url.to_owned();
    block_on(async move {
        let db = xunshi_store::Db::open(&url, 1)
            .await
            .expect("open the database");
        let rows: Vec<(String,)> = sqlx::query_as(sql)
            .fetch_all(&db.pool)
            .await
            .expect("a query");
        db.close().await;
        rows.into_iter().map(|r| r.0).collect()
    })
}

pub(super) fn three_instances_share_the_work_and_survive_one_killed(url: &str) {
    let shared = tempfile::tempdir().expect("a folder for the shared key file");
    let smtp = SlowSmtp::start(1.5);
    let config = format!(
        "key_file = {:?}\nupkeep_seconds = 1\njob_lease_seconds = 3\n\n[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"巡视巡察信息系统 <noreply@xunshi.example.cn>\"\n",
        shared.path().join("xunshi.key").to_str().unwrap(),
        smtp.port
    );
    let instances: Vec<Instance> = (0..3).map(|_| Instance::postgres(url)).collect();
    for x in &instances {
        std::fs::write(x.data_dir.path().join("xunshi.toml"), &config).unwrap();
    }
    let first = &instances[0];
    assert_success(&first.run(&["migrate"], None), "migrate");
    first.add_user("office9", "office");
    for i in 0..MAILS {
        message_to(
            first,
            &format!("mail{i}"),
            &format!("mail{i}@example.cn"),
            &format!("第{i}封邮件"),
        );
    }

    let mut servers: Vec<Option<Server>> = instances.iter().map(|x| Some(x.serve())).collect();
    let ports: Vec<u16> = servers.iter().map(|s| s.as_ref().unwrap().port).collect();

    // A token from one instance opens the others: the sessions live in the database.
    let login = api_login(ports[0], "office9", PASSWORD);
    assert_eq!(login.status, 201, "{}", login.body);
    let bearer = format!("Bearer {}", login.json()["token"].as_str().unwrap());
    for &p in &ports {
        let me = http(p, "GET", "/api/v1/me", &[("Authorization", &bearer)], None);
        assert_eq!(me.status, 200, "{}", me.body);
    }

    // Writes to every instance, round and round, while one of them is killed.
    let writer = {
        let bearer = bearer.clone();
        let ports = ports.clone();
        thread::spawn(move || {
            let mut acknowledged = Vec::new();
            for i in 0..60 {
                let name = format!("第{i}个单位");
                let body =
                    serde_json::json!({"name": name, "kind": "department", "level": "provincial"})
                        .to_string();
                let p = ports[i % ports.len()];
                if let Ok(r) = try_http(
                    p,
                    "POST",
                    "/api/v1/units",
                    &[
                        ("Authorization", &bearer),
                        ("Content-Type", "application/json"),
                    ],
                    Some(&body),
                ) && r.status == 201
                {
                    acknowledged.push(name);
                }
                thread::sleep(Duration::from_millis(50));
            }
            acknowledged
        })
    };

    // The instance holding the outbox job, caught in the middle of a message, is killed.
    let deadline = Instant::now() + PATIENCE;
    while smtp.deliveries_started() == 0 {
        assert!(Instant::now() < deadline, "no mail was begun");
        thread::sleep(Duration::from_millis(20));
    }
    let holder = texts(
        url,
        "SELECT holder FROM jobs WHERE name = 'mail' AND holder IS NOT NULL",
    );
    let [holder] = holder.as_slice() else {
        panic!("one instance holds the outbox job: {holder:?}")
    };
    let pid: u32 = holder.split(':').next().unwrap().parse().unwrap();
    let victim = servers
        .iter()
        .position(|s| s.as_ref().is_some_and(|s| s.child.id() == pid))
        .expect("the holder is one of the three");
    let mut killed = servers[victim].take().unwrap();
    killed.child.kill().expect("SIGKILL");
    killed.child.wait().unwrap();
    let acknowledged = writer.join().unwrap();

    // The survivors take the job over once its lease has run out and send every mail.
    let deadline = Instant::now() + PATIENCE;
    loop {
        let unsent = texts(
            url,
            "SELECT message_id FROM mail_outbox WHERE sent_at IS NULL",
        );
        if unsent.is_empty() {
            break;
        }
        assert!(Instant::now() < deadline, "mails left unsent: {unsent:?}");
        thread::sleep(Duration::from_millis(200));
    }
    // Each arrived exactly once.
    let mails = read_maildir(&smtp.maildir);
    let mut subjects: Vec<String> = mails
        .iter()
        .map(|m| m["subject"].as_str().unwrap().to_owned())
        .collect();
    subjects.sort();
    let want: Vec<String> = {
        let mut w: Vec<String> = (0..MAILS)
            .map(|i| format!("【巡视巡察】第{i}封邮件"))
            .collect();
        w.sort();
        w
    };
    assert_eq!(subjects, want, "each mail once, none lost");

    // Every acknowledged write is there, once.
    let units: BTreeSet<String> = texts(url, "SELECT name FROM units").into_iter().collect();
    for name in &acknowledged {
        assert!(
            units.contains(name),
            "the acknowledged unit {name} is missing"
        );
    }
    assert!(
        acknowledged.len() >= 30,
        "most writes were acknowledged: {}",
        acknowledged.len()
    );

    // The runs: the killed one's outbox run abandoned and its due time run by a survivor;
    // no due time of any job finished twice.
    let runs = texts(
        url,
        "SELECT job || '|' || due_at || '|' || holder || '|' || outcome FROM job_runs",
    );
    let mut finished: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut abandoned = Vec::new();
    for r in &runs {
        let [job, due, by, outcome] = r.split('|').collect::<Vec<_>>()[..] else {
            panic!("{r}")
        };
        match outcome {
            "ok" | "failed" => *finished.entry((job.into(), due.into())).or_default() += 1,
            "abandoned" => abandoned.push((job.to_owned(), due.to_owned(), by.to_owned())),
            _ => {}
        }
    }
    assert!(
        finished.values().all(|n| *n == 1),
        "a due time run twice: {runs:#?}"
    );
    assert_eq!(
        abandoned
            .iter()
            .map(|(j, _, by)| (j.as_str(), by.as_str()))
            .collect::<Vec<_>>(),
        vec![("mail", holder.as_str())],
        "{runs:#?}"
    );
    let (_, due, _) = &abandoned[0];
    assert_eq!(
        finished.get(&("mail".to_owned(), due.clone())),
        Some(&1),
        "{runs:#?}"
    );
    let upkeep_runs = finished.keys().filter(|(j, _)| j == "upkeep").count();
    assert!(upkeep_runs >= 3, "the upkeep ran on: {runs:#?}");

    // The log-in limit of an address is one for all the instances: fifteen wrong passwords
    // from 127.0.0.1 within one minute, spread over the survivors, see at most ten checked.
    let second = jiff::Timestamp::now().as_second().rem_euclid(60);
    if second > 50 {
        thread::sleep(Duration::from_secs((61 - second).unsigned_abs()));
    }
    let survivors: Vec<u16> = servers.iter().flatten().map(|s| s.port).collect();
    let statuses: Vec<u16> = (0..15)
        .map(|i| api_login(survivors[i % survivors.len()], "office9", "Wrong-Pass-9").status)
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    assert_eq!(checked + refused, 15, "{statuses:?}");
    assert!((1..=10).contains(&checked), "{statuses:?}");

    // One chain, whole.
    drop(servers);
    assert_trail_whole(first);
}
