//! The `xunshi` binary as an operator runs it: account commands, `audit verify` before and after
//! the database is altered behind the program's back, and `serve` answering real HTTP on a free
//! port until SIGTERM stops it cleanly.
//!
//! Every test works in a temporary data folder. When `XUNSHI_TEST_DATABASE_URL` names a
//! PostgreSQL server (`postgres://postgres@127.0.0.1:5432/postgres`) as the tests are built, the
//! server and the audit check also run on a freshly created database there, dropped afterwards;
//! without it that test is reported as ignored (`xunshi_test_env`).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;
use sqlx::{AssertSqlSafe, Connection, PgConnection};
use xunshi_core::store::Secrets;
use xunshi_store::{Argon2Secrets, Db};

#[path = "cli/anchor.rs"]
mod anchor;
#[path = "cli/archive.rs"]
mod archive;
#[path = "cli/backup.rs"]
mod backup;
#[path = "cli/browser.rs"]
mod browser;
#[path = "cli/crypto.rs"]
mod crypto;
#[path = "cli/export.rs"]
mod export;
#[path = "cli/import.rs"]
mod import;
#[path = "cli/instances.rs"]
mod instances;
#[path = "cli/ldap.rs"]
mod ldap;
#[path = "cli/mail.rs"]
mod mail;
#[path = "cli/node.rs"]
mod node;
#[path = "cli/oidc.rs"]
mod oidc;
#[path = "cli/s3.rs"]
mod s3;
#[path = "cli/search.rs"]
mod search;

const PG_URL_VAR: &str = xunshi_test_env::DATABASE_URL_VAR;
/// The password the README's example gives to a new account.
const PASSWORD: &str = "Xunshi-Office-2024";
/// How long the server may take to start or stop before the test gives up (not a timing
/// assertion: only a guard against hanging forever).
const PATIENCE: Duration = Duration::from_secs(120);

// ---------------------------------------------------------------------------------------------
// The cases

#[test]
fn user_add_reads_the_password_from_stdin_and_user_list_shows_the_account() {
    let x = Instance::sqlite();
    let out = x.run(
        &[
            "user",
            "add",
            "zhangwei",
            "--role",
            "office",
            "--display-name",
            "张伟",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert_success(&out, "user add");
    assert!(
        stdout(&out).contains("created user zhangwei"),
        "{}",
        stdout(&out)
    );

    let out = x.run(&["user", "list"], None);
    assert_success(&out, "user list");
    let listing = stdout(&out);
    let line = listing
        .lines()
        .find(|l| l.starts_with("zhangwei "))
        .unwrap_or_else(|| panic!("zhangwei is not listed:\n{listing}"));
    assert!(line.contains("张伟"), "{line}");
    assert!(line.contains("active"), "{line}");
    assert!(line.trim_end().ends_with("office"), "{line}");
}

#[test]
fn control_characters_are_refused_in_arguments_and_escaped_in_listings() {
    let x = Instance::sqlite();
    for (args, named) in [
        (
            vec!["user", "add", "liu", "--role", "office", "--display-name"],
            "--display-name",
        ),
        (
            vec!["user", "add", "liu", "--role", "office", "--unit"],
            "--unit",
        ),
    ] {
        for bad in ["\u{1b}[2J刘洋", "刘\u{202E}洋"] {
            let mut args = args.clone();
            args.extend([bad, "--password-stdin"]);
            let out = x.run(&args, Some(&format!("{PASSWORD}\n")));
            assert!(!out.status.success(), "{bad:?} in {named} was accepted");
            let err = stderr(&out);
            assert!(
                err.contains(named) && err.contains("不允许"),
                "the refusal does not name {named}: {err}"
            );
            assert!(!err.contains('\u{1b}'), "the refusal echoes the escape");
        }
    }
    let out = x.run(
        &["user", "add", "liu", "--role", "office", "--password-stdin"],
        Some("Xunshi-\u{7}-Office-2024\n"),
    );
    assert!(!out.status.success(), "a BEL in the password was accepted");
    assert!(stderr(&out).contains("password"), "{}", stderr(&out));

    // Text stored before the rule existed, or by other means, is printed escaped.
    x.add_user("zhangwei", "office");
    let changed = x.execute_sql(
        "UPDATE users SET display_name = $1 WHERE username = 'zhangwei' AND $2 = $2",
        Some(("\u{1b}]0;owned\u{7}张伟\u{202E}", 0)),
    );
    assert_eq!(changed, 1);
    let listing = stdout(&x.run(&["user", "list"], None));
    let line = listing
        .lines()
        .find(|l| l.starts_with("zhangwei "))
        .unwrap_or_else(|| panic!("zhangwei is not listed:\n{listing}"));
    assert!(
        !line.chars().any(|c| c.is_control() || c == '\u{202E}'),
        "raw control characters reach the terminal: {line:?}"
    );
    assert!(
        line.contains("\\u{1b}]0;owned\\u{7}张伟\\u{202e}"),
        "{line}"
    );
}

#[test]
fn a_bad_role_or_a_weak_password_is_refused_with_a_clear_message() {
    let x = Instance::sqlite();

    let out = x.run(
        &[
            "user",
            "add",
            "zhangwei",
            "--role",
            "chief",
            "--password-stdin",
        ],
        Some(&format!("{PASSWORD}\n")),
    );
    assert!(!out.status.success(), "an unknown role was accepted");
    let err = stderr(&out);
    assert!(
        err.contains("chief"),
        "the message does not name the role: {err}"
    );
    assert!(
        err.contains("office") && err.contains("unit_liaison"),
        "the message does not list the roles there are: {err}"
    );

    let out = x.run(
        &[
            "user",
            "add",
            "lisi",
            "--role",
            "office",
            "--password-stdin",
        ],
        Some("short\n"),
    );
    assert!(!out.status.success(), "a weak password was accepted");
    assert!(stderr(&out).contains("密码至少 10 位"), "{}", stderr(&out));

    // A password on the command line is not offered at all.
    let out = x.run(&["user", "add", "wangwu", "--role", "office"], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("--password-stdin"),
        "{}",
        stderr(&out)
    );

    // Nothing was half-created: no account without its role.
    let listing = stdout(&x.run(&["user", "list"], None));
    for name in ["zhangwei", "lisi", "wangwu"] {
        assert!(
            !listing.lines().any(|l| l.starts_with(name)),
            "{name} exists after a refused add:\n{listing}"
        );
    }
}

#[test]
fn ledger_import_refuses_a_file_that_is_no_ledger_and_a_plan_that_does_not_exist() {
    let x = Instance::sqlite();
    let dir = tempfile::tempdir().expect("a folder for the files");
    let not_ledger = dir.path().join("名单.csv");
    std::fs::write(&not_ledger, "姓名,电话\n张三,1\n").unwrap();
    let path = not_ledger.to_str().unwrap();
    let plan = "00000000-0000-7000-8000-000000000001";
    let out = x.run(
        &["ledger", "import", path, "--plan", plan, "--dry-run"],
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("未找到台账表头"), "{}", stderr(&out));

    let ledger = dir.path().join("台账.csv");
    std::fs::write(
        &ledger,
        "序号,问题,整改措施,完成时限\n1,理论学习不深入,制定学习计划,长期坚持\n",
    )
    .unwrap();
    let path = ledger.to_str().unwrap();
    let out = x.run(&["ledger", "import", path, "--plan", plan, "--json"], None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("整改方案不存在"), "{}", stderr(&out));
    let out = x.run(&["ledger", "import", path, "--plan", "1234"], None);
    assert!(
        stderr(&out).contains("不是有效的整改方案编号"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn parse_feedback_reads_a_file_or_standard_input_and_refuses_empty_input() {
    let x = Instance::sqlite();
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../xunshi_core/testdata/feedback/news-ascii-county.txt"
    );
    let from_file = x.run(&["parse", "feedback", fixture], None);
    assert_success(&from_file, "parse feedback FILE");
    let parsed: Value = serde_json::from_str(&stdout(&from_file)).expect("JSON on stdout");
    let sizes: Vec<usize> = parsed["problem_groups"]
        .as_array()
        .expect("problem_groups")
        .iter()
        .map(|g| g.as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, [3, 4, 3], "{parsed}");
    assert_eq!(parsed["recommendations"].as_array().map(Vec::len), Some(3));
    assert_eq!(parsed["feedback_date"], "2022-06-28");
    assert_eq!(parsed["onsite_from"], "2022-03-08");

    let text = std::fs::read_to_string(fixture).expect("the fixture");
    let from_stdin = x.run(&["parse", "feedback"], Some(&text));
    assert_success(&from_stdin, "parse feedback < FILE");
    assert_eq!(stdout(&from_stdin), stdout(&from_file));

    let empty = x.run(&["parse", "feedback"], Some(" \n"));
    assert!(!empty.status.success(), "empty input was accepted");
    assert!(stderr(&empty).contains("no text"), "{}", stderr(&empty));
    let missing = x.run(&["parse", "feedback", "/nonexistent/feedback.txt"], None);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("cannot read /nonexistent/feedback.txt"),
        "{}",
        stderr(&missing)
    );
}

#[test]
fn audit_verify_passes_then_names_the_record_altered_in_the_database_file() {
    audit_verify_detects_an_altered_record(&Instance::sqlite());
}

#[test]
fn audit_verify_notices_that_the_newest_record_was_deleted() {
    let x = Instance::sqlite();
    x.add_user("zhangwei", "office");
    let out = x.run(&["audit", "verify"], None);
    assert_success(&out, "audit verify");
    assert!(stdout(&out).contains("2 records"), "{}", stdout(&out));

    x.execute_sql("DELETE FROM audit_log WHERE seq = 2", None);

    let out = x.run(&["audit", "verify"], None);
    assert!(
        !out.status.success(),
        "a deleted record went unnoticed: {}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("#1"), "{}", stdout(&out));
}

#[test]
fn signed_checkpoints_catch_a_wound_back_or_recomputed_trail() {
    anchor::checkpoints_catch_what_the_chain_cannot(&Instance::sqlite());
}

xunshi_test_env::s3_tests! {
    #[test]
    fn evidence_lives_in_a_real_s3_protocol_store() {
        s3::evidence_lives_in_the_object_store_and_comes_back_in_a_backup();
    }
}

xunshi_test_env::ldap_tests! {
    #[test]
    fn log_in_is_checked_by_a_real_ldap_directory() {
        ldap::the_directory_checks_its_people_and_xunshi_grants_their_roles(&Instance::sqlite());
    }
}

xunshi_test_env::oidc_tests! {
    #[test]
    fn sign_on_goes_through_a_real_openid_provider() {
        oidc::people_sign_on_through_the_provider_and_xunshi_grants_their_roles(&Instance::sqlite());
    }
}

/// A rolling upgrade never lets an older binary start on a schema a newer one migrated.
#[test]
fn an_older_version_refuses_a_database_a_newer_one_migrated() {
    let x = Instance::sqlite();
    assert_success(&x.run(&["migrate"], None), "migrate");
    x.execute_sql(
        "INSERT INTO schema_migrations (version, name, applied_at) \
         VALUES (9999, 'from_the_future', '2030-01-01T00:00:00Z')",
        None,
    );
    let out = x.run(&["migrate"], None);
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("schema version 9999"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_configured_suite_is_held_to_until_switched() {
    crypto::a_configured_suite_is_held_to_until_switched(&Instance::sqlite());
}

#[test]
fn a_backup_restored_answers_as_the_original() {
    backup::a_copy_answers_as_the_original(None);
}

/// The demo loaded by the real binary on the real date: it loads (the current round is placed
/// around today), names its accounts and its letter's receipt code, and leaves a trail that
/// verifies.
#[test]
fn serve_demo_loads_the_scenario_today_and_its_trail_verifies() {
    let x = Instance::sqlite();
    let server = x.serve_with(&["--demo"]);
    let printed = server.stdout();
    assert!(
        printed.contains("culture") && printed.contains("teamlead"),
        "the demo accounts are listed:\n{printed}"
    );
    assert!(
        printed.contains("receipt code of the demo's anonymous letter"),
        "the demo letter's receipt code is printed:\n{printed}"
    );
    let status = server.stop_with_sigterm();
    assert!(status.success(), "serve --demo ended with {status}");
    assert_trail_whole(&x);
}

#[test]
fn an_inspection_goes_to_its_teams_node_and_only_it() {
    node::an_inspection_goes_to_its_teams_node_and_only_it(&Instance::sqlite());
}

#[test]
fn a_node_is_paired_exported_and_taken_back_through_the_api_and_pages() {
    node::through_the_api_and_pages(&Instance::sqlite());
}

#[test]
fn a_demo_beside_an_earlier_demos_node_files_still_serves() {
    node::beside_an_earlier_demos_node_files(&Instance::sqlite());
}

#[test]
fn an_archived_inspection_is_packaged_and_refuses_every_change() {
    archive::an_archived_inspection_is_packaged_and_refuses_changes(&Instance::sqlite(), None);
}

xunshi_test_env::office_tests! {
    #[test]
    fn an_archive_package_holds_each_document_as_pdf_made_by_libreoffice() {
        archive::an_archived_inspection_is_packaged_and_refuses_changes(
            &Instance::sqlite(),
            Some(xunshi_test_env::SOFFICE),
        );
    }
}

#[test]
fn search_follows_the_trail_and_answers_each_with_theirs() {
    search::search_follows_the_trail_and_answers_each_with_theirs(&Instance::sqlite());
}

#[test]
fn serve_on_a_data_folder_answers_until_sigterm() {
    serve_scenario(&Instance::sqlite());
}

xunshi_test_env::postgres_tests! {
    #[test]
    fn serve_and_audit_verify_on_postgresql() {
        let scratch = ScratchDatabase::create(&xunshi_test_env::database_url());
        let x = Instance::postgres(&scratch.url);
        serve_scenario(&x);
        audit_verify_detects_an_altered_record(&x);
    }

    #[test]
    fn a_sqlite_installation_moved_to_postgresql_answers_as_before() {
        let scratch = ScratchDatabase::create(&xunshi_test_env::database_url());
        backup::a_copy_answers_as_the_original(Some(&scratch.url));
    }

    /// Needs aiosmtpd as well (`.ci/run` installs it).
    #[test]
    fn three_instances_on_postgresql_survive_one_killed_mid_job() {
        let scratch = ScratchDatabase::create(&xunshi_test_env::database_url());
        instances::three_instances_share_the_work_and_survive_one_killed(&scratch.url);
    }

    #[test]
    fn search_on_postgresql() {
        let scratch = ScratchDatabase::create(&xunshi_test_env::database_url());
        search::search_follows_the_trail_and_answers_each_with_theirs(&Instance::postgres(
            &scratch.url,
        ));
    }

    #[test]
    fn a_configured_suite_is_held_to_on_postgresql() {
        let scratch = ScratchDatabase::create(&xunshi_test_env::database_url());
        crypto::a_configured_suite_is_held_to_until_switched(&Instance::postgres(&scratch.url));
    }

    #[test]
    fn an_inspection_goes_from_a_postgresql_office_to_its_node() {
        let scratch = ScratchDatabase::create(&xunshi_test_env::database_url());
        node::an_inspection_goes_to_its_teams_node_and_only_it(&Instance::postgres(&scratch.url));
    }

    #[test]
    fn signed_checkpoints_on_postgresql() {
        let scratch = ScratchDatabase::create(&xunshi_test_env::database_url());
        anchor::checkpoints_catch_what_the_chain_cannot(&Instance::postgres(&scratch.url));
    }
}

// ---------------------------------------------------------------------------------------------
// Scenarios shared by both backends

/// Adds accounts, verifies the trail, alters one record's summary in the database and verifies
/// again: the second check must fail and name that record.
fn audit_verify_detects_an_altered_record(x: &Instance) {
    let before = audit_records(x);
    x.add_user("auditee1", "office");
    x.add_user("auditee2", "leadership");
    // Each account is two records: the account and its role.
    let expected = before + 4;

    let out = x.run(&["audit", "verify"], None);
    assert_success(&out, "audit verify");
    assert!(
        stdout(&out).contains(&format!("{expected} records")),
        "expected {expected} records: {}",
        stdout(&out)
    );

    let target = before + 3;
    let changed = x.execute_sql(
        "UPDATE audit_log SET summary = $1 WHERE seq = $2",
        Some((r#"{"after":{"username":"someone-else"}}"#, target)),
    );
    assert_eq!(changed, 1, "record #{target} should exist");

    let out = x.run(&["audit", "verify"], None);
    assert!(
        !out.status.success(),
        "audit verify passed after record #{target} was altered: {}",
        stdout(&out)
    );
    let report = format!("{}{}", stdout(&out), stderr(&out));
    assert!(
        report.contains(&format!("#{target} ")),
        "the report does not name record #{target}: {report}"
    );
}

/// How many records the trail holds now, as `audit verify` reports them.
fn audit_records(x: &Instance) -> usize {
    let out = x.run(&["audit", "verify"], None);
    assert_success(&out, "audit verify");
    let text = stdout(&out);
    text.split_whitespace()
        .zip(text.split_whitespace().skip(1))
        .find(|(_, w)| w.starts_with("records"))
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no record count in: {text}"))
}

/// Starts the server on a fresh database and uses it as the README describes.
fn serve_scenario(x: &Instance) {
    let server = x.serve();
    let port = server.port;

    let health = http(port, "GET", "/healthz", &[], None);
    assert_eq!(health.status, 200, "{}", health.body);
    let ready = http(port, "GET", "/readyz", &[], None);
    assert_eq!(ready.status, 200, "{}", ready.body);

    let openapi = http(port, "GET", "/api/v1/openapi.json", &[], None);
    assert_eq!(openapi.status, 200);
    let doc: Value = serde_json::from_str(&openapi.body).expect("the OpenAPI document is JSON");
    for p in ["/units", "/users", "/auth/token", "/audit"] {
        assert!(
            doc["paths"][p].is_object(),
            "{p} is not in the OpenAPI document"
        );
    }

    // The first start printed the administrator's one-time password: it is right (the API asks
    // for it to be changed rather than calling it wrong).
    let output = server.stdout();
    let one_time = output
        .lines()
        .find_map(|l| l.split("one-time password:").nth(1))
        .map(str::trim)
        .unwrap_or_else(|| panic!("no one-time password printed:\n{output}"))
        .to_owned();
    let admin = api_login(port, "admin", &one_time);
    assert_eq!(admin.status, 422, "{}", admin.body);
    let wrong = api_login(port, "admin", "Not-The-Password-1");
    assert_eq!(wrong.status, 401, "{}", wrong.body);

    // An account added with the CLI while the server runs logs in through the API …
    x.add_user("zhangwei", "office");
    let login = api_login(port, "zhangwei", PASSWORD);
    assert_eq!(login.status, 201, "{}", login.body);
    let token = login.json()["token"].as_str().expect("a token").to_owned();
    let bearer = format!("Bearer {token}");
    let me = http(
        port,
        "GET",
        "/api/v1/me",
        &[("Authorization", &bearer)],
        None,
    );
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json()["username"], "zhangwei");

    // … and may not do what the office may not do.
    let forbidden = http(
        port,
        "POST",
        "/api/v1/users",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        Some(r#"{"username":"intruder","password":"Intruder-Pass-1","role":"admin"}"#),
    );
    assert_eq!(forbidden.status, 403, "{}", forbidden.body);
    assert_eq!(forbidden.json()["error"]["code"], "forbidden");

    // Text with NUL is refused alike on both databases (PostgreSQL cannot store it): 400
    // naming the field, never a server error.
    let nul = http(
        port,
        "POST",
        "/api/v1/units",
        &[
            ("Authorization", &bearer),
            ("Content-Type", "application/json"),
        ],
        Some(r#"{"name":"自治区\u0000财政厅","kind":"department","level":"provincial"}"#),
    );
    assert_eq!(nul.status, 400, "{}", nul.body);
    assert_eq!(nul.json()["error"]["details"][0]["field"], "name");

    // … and through the log-in form.
    let session = form_login(port, "zhangwei", PASSWORD);
    let home = http(port, "GET", "/", &[("Cookie", &session)], None);
    assert_eq!(home.status, 200, "{}", home.body);
    assert!(home.body.contains("zhangwei，您好"), "{}", home.body);

    let status = server.stop_with_sigterm();
    assert!(
        status.success(),
        "the server did not exit cleanly on SIGTERM: {status}"
    );
}

/// `POST /api/v1/auth/token`.
fn api_login(port: u16, username: &str, password: &str) -> HttpResponse {
    let body = serde_json::json!({ "username": username, "password": password }).to_string();
    http(
        port,
        "POST",
        "/api/v1/auth/token",
        &[("Content-Type", "application/json")],
        Some(&body),
    )
}

/// Logs in through the form as a browser does: opens the page for its CSRF token and cookie,
/// then posts it. Returns the `Cookie` header value carrying the session.
fn form_login(port: u16, username: &str, password: &str) -> String {
    let page = http(port, "GET", "/login", &[], None);
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf_cookie = page
        .cookie("xunshi_login_csrf")
        .expect("the log-in page sets its CSRF cookie");
    let marker = "name=\"_csrf\" value=\"";
    let start = page.body.find(marker).expect("the form has a CSRF field") + marker.len();
    let csrf = &page.body[start..start + page.body[start..].find('"').unwrap()];

    let form = format!(
        "_csrf={}&username={}&password={}",
        form_encode(csrf),
        form_encode(username),
        form_encode(password)
    );
    let cookie = format!("xunshi_login_csrf={csrf_cookie}");
    let resp = http(
        port,
        "POST",
        "/login",
        &[
            ("Cookie", &cookie),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(&form),
    );
    assert_eq!(resp.status, 303, "form log-in of {username}: {}", resp.body);
    assert_eq!(resp.header("location"), Some("/"));
    let session = resp
        .cookie("xunshi_session")
        .expect("the log-in sets the session cookie");
    format!("xunshi_session={session}")
}

// ---------------------------------------------------------------------------------------------
// The program under test

/// A data folder, and optionally a database URL, that every command of a test shares.
struct Instance {
    data_dir: tempfile::TempDir,
    database_url: Option<String>,
}

impl Instance {
    fn sqlite() -> Instance {
        Instance {
            data_dir: tempfile::tempdir().expect("a temporary data folder"),
            database_url: None,
        }
    }

    fn postgres(url: &str) -> Instance {
        Instance {
            database_url: Some(url.to_owned()),
            ..Instance::sqlite()
        }
    }

    /// The binary with this instance's data folder (and database), and nothing from the
    /// environment of whoever runs the tests.
    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xunshi"));
        for var in [
            "XUNSHI_DATA_DIR",
            "XUNSHI_DATABASE_URL",
            "XUNSHI_LISTEN",
            "XUNSHI_LOG_FORMAT",
            "XUNSHI_TRUST_PROXY",
            "XUNSHI_MAX_CONNECTIONS",
            "XUNSHI_SMTP_HOST",
            "XUNSHI_SMTP_PORT",
            "XUNSHI_SMTP_USERNAME",
            "XUNSHI_SMTP_PASSWORD",
            "XUNSHI_SMTP_FROM",
            "XUNSHI_SMTP_SECURITY",
            "XUNSHI_AUDIT_KEY_FILE",
            "XUNSHI_AUDIT_CHECKPOINT_DIR",
            "XUNSHI_AUDIT_CHECKPOINT_MINUTES",
            "XUNSHI_CRYPTO",
        ] {
            c.env_remove(var);
        }
        c.arg("--data-dir").arg(self.data_dir.path());
        if let Some(url) = &self.database_url {
            c.arg("--database-url").arg(url);
        }
        c
    }

    /// Runs a command to its end, with `stdin` piped in.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut child = self
            .command()
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start xunshi");
        let mut pipe = child.stdin.take().expect("stdin is piped");
        if let Some(input) = stdin {
            pipe.write_all(input.as_bytes()).expect("write to stdin");
        }
        drop(pipe);
        child.wait_with_output().expect("wait for xunshi")
    }

    fn add_user(&self, name: &str, role: &str) {
        let out = self.run(
            &["user", "add", name, "--role", role, "--password-stdin"],
            Some(&format!("{PASSWORD}\n")),
        );
        assert_success(&out, &format!("user add {name}"));
    }

    fn url(&self) -> String {
        self.database_url
            .clone()
            .unwrap_or_else(|| xunshi_store::sqlite_url(self.data_dir.path()))
    }

    /// Changes the database directly, as someone with access to the file or the server could.
    /// Returns the number of rows affected.
    fn execute_sql(&self, sql: &'static str, bind: Option<(&str, usize)>) -> u64 {
        let url = self.url();
        block_on(async move {
            let db = Db::open(&url, 1).await.expect("open the database");
            let mut q = sqlx::query(sql);
            if let Some((text, seq)) = bind {
                q = q.bind(text.to_owned()).bind(seq as i64);
            }
            let n = q
                .execute(&db.pool)
                .await
                .expect("alter the database")
                .rows_affected();
            db.close().await;
            n
        })
    }

    /// Starts `serve` on a free port and waits until `/healthz` answers.
    fn serve(&self) -> Server {
        self.serve_with(&[])
    }

    /// Starts `serve` with more arguments, such as `--demo`.
    fn serve_with(&self, extra: &[&str]) -> Server {
        self.serve_at(free_port(), extra)
    }

    /// Starts `serve` on `port`, for a test whose configuration names it beforehand.
    fn serve_on(&self, port: u16) -> Server {
        self.serve_at(port, &[])
    }

    fn serve_at(&self, port: u16, extra: &[&str]) -> Server {
        let mut child = self
            .command()
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start xunshi serve");
        // Drained all along, so that a chatty server never blocks on a full pipe.
        let stdout = drain(child.stdout.take().expect("stdout is piped"));
        let stderr = drain(child.stderr.take().expect("stderr is piped"));
        let server = Server {
            child,
            port,
            stdout,
            stderr,
        };
        server.wait_until_healthy();
        server
    }
}

/// A running `xunshi serve`, killed if the test ends without stopping it.
struct Server {
    child: Child,
    port: u16,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn wait_until_healthy(&self) {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Ok(r) = try_http(self.port, "GET", "/healthz", &[], None)
                && r.status == 200
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not come up on port {}:\n{}\n{}",
                self.port,
                self.stdout(),
                self.stderr()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }

    /// Sends SIGTERM and waits for the process to end.
    fn stop_with_sigterm(mut self) -> ExitStatus {
        let kill = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(kill.success(), "kill -TERM failed");
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(status) = self.child.try_wait().expect("wait for the server") {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not stop after SIGTERM:\n{}",
                self.stderr()
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn drain(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

/// A port nobody listens on right now: bind port 0, note what the system chose, let it go.
fn free_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    l.local_addr().expect("the bound address").port()
}

/// `xunshi audit verify` passes and says the chain is whole.
fn assert_trail_whole(x: &Instance) {
    let out = x.run(&["audit", "verify"], None);
    assert_success(&out, "audit verify");
    assert!(
        stdout(&out).contains("hash chain whole"),
        "{}",
        stdout(&out)
    );
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout: {}\nstderr: {}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime")
        .block_on(f)
}

// ---------------------------------------------------------------------------------------------
// Plain HTTP/1.1 over a TCP stream: enough for these requests, without an HTTP client crate.

struct HttpResponse {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    /// The body as it came, for a file.
    bytes: Vec<u8>,
}

impl HttpResponse {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value a `Set-Cookie` header gives to cookie `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .filter_map(|(_, v)| v.split(';').next())
            .filter_map(|pair| pair.split_once('='))
            .find(|(k, v)| *k == name && !v.is_empty())
            .map(|(_, v)| v.to_owned())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> HttpResponse {
    try_http(port, method, path, headers, body)
        .unwrap_or_else(|e| panic!("{method} {path} on port {port}: {e}"))
}

fn try_http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<HttpResponse> {
    try_http_bytes(port, method, path, headers, body.unwrap_or("").as_bytes())
}

/// A request with a body of any bytes (a file in a multipart form).
fn http_bytes(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> HttpResponse {
    try_http_bytes(port, method, path, headers, body)
        .unwrap_or_else(|e| panic!("{method} {path} on port {port}: {e}"))
}

fn try_http_bytes(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<HttpResponse> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(PATIENCE))?;
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    )
    .into_bytes();
    for (k, v) in headers {
        request.extend_from_slice(format!("{k}: {v}\r\n").as_bytes());
    }
    request.extend_from_slice(b"\r\n");
    request.extend_from_slice(body);
    stream.write_all(&request)?;

    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line in {head}")))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    }
    Ok(HttpResponse {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
        bytes: body,
    })
}

fn dechunk(mut data: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| std::io::Error::other("truncated chunk size"))?;
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| std::io::Error::other(format!("bad chunk size: {e}")))?;
        data = &data[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        if data.len() < size + 2 {
            return Err(std::io::Error::other("truncated chunk"));
        }
        out.extend_from_slice(&data[..size]);
        data = &data[size + 2..];
    }
}

/// Encodes a form value (`application/x-www-form-urlencoded`).
fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// A PostgreSQL database of one test

/// A database with a random name on the server of `XUNSHI_TEST_DATABASE_URL`, dropped (with
/// `FORCE`, so lingering connections do not keep it) when this value is, passed or not.
struct ScratchDatabase {
    server_url: String,
    name: String,
    url: String,
}

impl ScratchDatabase {
    fn create(server_url: &str) -> ScratchDatabase {
        let name = format!(
            "xunshi_cli_{}",
            &Argon2Secrets::for_tests().random_token()[..16]
        );
        block_on(async {
            let mut conn = PgConnection::connect(server_url)
                .await
                .unwrap_or_else(|e| panic!("connect to {PG_URL_VAR}={server_url}: {e}"));
            sqlx::raw_sql(AssertSqlSafe(format!(
                r#"CREATE DATABASE "{name}" TEMPLATE template0 ENCODING 'UTF8'"#
            )))
            .execute(&mut conn)
            .await
            .unwrap_or_else(|e| panic!("create database {name}: {e}"));
            let _ = conn.close().await;
        });
        ScratchDatabase {
            url: with_database(server_url, &name),
            server_url: server_url.to_owned(),
            name,
        }
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        // Errors are printed, never raised: a panic while a failed test unwinds would abort.
        let result = std::panic::catch_unwind(|| {
            block_on(async {
                let mut conn = PgConnection::connect(&self.server_url)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::raw_sql(AssertSqlSafe(format!(
                    r#"DROP DATABASE IF EXISTS "{}" WITH (FORCE)"#,
                    self.name
                )))
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
                let _ = conn.close().await;
                Ok::<(), String>(())
            })
        });
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop test database {}: {e}", self.name),
            Err(_) => eprintln!("could not drop test database {}: panicked", self.name),
        }
    }
}

/// The server URL with its database replaced by `name`, keeping any query string.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = match server_url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (server_url, None),
    };
    let (scheme, rest) = base.split_once("://").expect("a postgres:// URL");
    let host = rest.split('/').next().unwrap_or(rest);
    let mut url = format!("{scheme}://{host}/{name}");
    if let Some(q) = query {
        url.push('?');
        url.push_str(q);
    }
    url
}

#[test]
fn a_database_url_gets_the_scratch_name() {
    assert_eq!(
        with_database("postgres://postgres@127.0.0.1:5432/postgres", "x1"),
        "postgres://postgres@127.0.0.1:5432/x1"
    );
    assert_eq!(
        with_database("postgres://u:p@db/postgres?sslmode=disable", "x1"),
        "postgres://u:p@db/x1?sslmode=disable"
    );
    assert_eq!(with_database("postgres://db", "x1"), "postgres://db/x1");
}
