//! End to end in a real browser: headless Chromium, driven through chromedriver's W3C WebDriver
//! protocol (plain JSON over HTTP, spoken here with the same small client as the other tests),
//! against `xunshi serve --demo`. Officials log in with the demo accounts and walk the seed's
//! inspection. Runs when `XUNSHI_TEST_BROWSER=1` as the tests are built (`.ci/run` installs
//! Chromium and sets it); otherwise the walks are reported as ignored (`xunshi_test_env`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::{Instance, PATIENCE, Server, free_port};

const DEMO_PASSWORD: &str = "Xunshi-Demo-2020";

/// chromedriver with one browser session, ended (and the driver killed) when dropped.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
    base: String,
}

impl Browser {
    fn start(base: String) -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver (apt-get install chromium chromium-driver fonts-noto-cjk)");
        let deadline = Instant::now() + PATIENCE;
        while wire(port, "GET", "/status", None).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().expect("a browser profile folder");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-dev-shm-usage", "--no-first-run", "--window-size=1366,900",
                         format!("--user-data-dir={}", profile.keep().display())]
            }
        }}});
        let mut b = Browser {
            driver,
            port,
            session: String::new(),
            base,
        };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session in {v}"))
            .to_owned();
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, v) = wire(self.port, method, path, body)
            .unwrap_or_else(|e| panic!("WebDriver {method} {path}: {e}"));
        assert!(status < 400, "WebDriver {method} {path} failed: {v}");
        v["value"].clone()
    }

    fn cmd(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}/{what}", self.session), body)
    }

    fn goto(&self, path: &str) {
        self.cmd(
            "POST",
            "url",
            Some(json!({"url": format!("{}{path}", self.base)})),
        );
    }

    fn find(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}"))
            .to_owned()
    }

    fn type_into(&self, css: &str, text: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("element/{el}/clear"), Some(json!({})));
        self.cmd(
            "POST",
            &format!("element/{el}/value"),
            Some(json!({"text": text})),
        );
    }

    fn click(&self, css: &str) {
        let el = self.find(css);
        self.cmd("POST", &format!("element/{el}/click"), Some(json!({})));
    }

    /// Clicks the link whose text is exactly `text`.
    fn click_link(&self, text: &str) {
        let v = self.cmd(
            "POST",
            "element",
            Some(json!({"using": "link text", "value": text})),
        );
        let el = v
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no link {text}"))
            .to_owned();
        self.cmd("POST", &format!("element/{el}/click"), Some(json!({})));
    }

    /// The visible text of the page. A page still loading after a click can replace the body
    /// between finding it and reading it; then it is read again.
    fn text(&self) -> String {
        let deadline = Instant::now() + PATIENCE;
        let session = format!("/session/{}", self.session);
        loop {
            let found = wire(
                self.port,
                "POST",
                &format!("{session}/element"),
                Some(json!({"using": "css selector", "value": "body"})),
            )
            .expect("find the page body");
            let body = found.1["value"]
                .as_object()
                .and_then(|o| o.values().next())
                .and_then(Value::as_str)
                .map(str::to_owned);
            if found.0 < 400
                && let Some(body) = body
            {
                let (status, v) = wire(
                    self.port,
                    "GET",
                    &format!("{session}/element/{body}/text"),
                    None,
                )
                .expect("read the page text");
                if status < 400 {
                    return v["value"].as_str().unwrap_or_default().to_owned();
                }
            }
            assert!(Instant::now() < deadline, "the page never settled");
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the page shows `needle` and returns its text. Every check that something is
    /// absent comes after one of these: right after navigation a blank or half-loaded page
    /// lacks everything. Fails the test when `needle` never shows (after the general patience,
    /// so slow machines do not fail).
    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let text = self.text();
            if text.contains(needle) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "the page {} never showed {needle}:\n{text}",
                self.path()
            );
            thread::sleep(Duration::from_millis(50));
        }
    }

    fn path(&self) -> String {
        let url = self
            .cmd("GET", "url", None)
            .as_str()
            .unwrap_or_default()
            .to_owned();
        url.strip_prefix(&self.base).unwrap_or(&url).to_owned()
    }

    fn log_in(&self, username: &str) {
        self.goto("/login");
        self.type_into("#username", username);
        self.type_into("#password", DEMO_PASSWORD);
        self.click("button[type=submit]");
        self.wait_for("工作台");
    }

    fn log_out(&self) {
        self.click("form[action='/logout'] button");
        self.wait_for("用户登录");
        assert!(
            self.path().starts_with("/login"),
            "log-out did not return to the log-in page"
        );
    }

    /// Saves a screenshot next to the build output, for a person to look at when a case fails.
    fn screenshot(&self, name: &str) {
        let png = self.cmd("GET", "screenshot", None);
        if let Some(b64) = png.as_str() {
            let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
            let _ = std::fs::create_dir_all(&dir);
            let _ = std::fs::write(dir.join(format!("{name}.png.b64")), b64);
        }
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = wire(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// One WebDriver exchange. chromedriver says `Connection: close` but keeps the connection open,
/// so the answer is read by its Content-Length, not to the end of the stream.
fn wire(port: u16, method: &str, path: &str, body: Option<Value>) -> std::io::Result<(u16, Value)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(PATIENCE))?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let status = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
    let mut length = 0usize;
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some((k, v)) = l.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut buf = vec![0u8; length];
    reader.read_exact(&mut buf)?;
    let v = serde_json::from_slice(&buf).unwrap_or(Value::Null);
    Ok((status, v))
}

// The walks are plain functions, so that rustfmt keeps formatting them; the macro only marks
// the tests ignored when the browser was not asked for.
xunshi_test_env::browser_tests! {
    #[test]
    fn officials_walk_the_seed_inspection_in_a_browser() {
        officials_walk_the_seed_inspection()
    }

    #[test]
    fn a_wrong_password_in_the_browser_shows_a_message_and_no_session() {
        a_wrong_password_opens_no_session()
    }

    #[test]
    fn the_seed_rectification_is_walked_by_the_unit_a_department_the_office_and_a_supervisor() {
        the_seed_rectification_walk()
    }
}

fn demo() -> (Instance, Server) {
    xunshi_test_env::require_browser();
    let x = Instance::sqlite();
    let server = x.serve_with(&["--demo"]);
    (x, server)
}

fn officials_walk_the_seed_inspection() {
    let (_x, server) = demo();
    let b = Browser::start(format!("http://127.0.0.1:{}", server.port));

    // The office finds the seed inspection and its dates.
    b.log_in("office");
    b.goto("/inspections");
    b.click_link("第三巡视组");
    let text = b.wait_for("基本情况");
    b.screenshot("office-seed-inspection");
    for expected in ["自治区党委宣传部", "2019-09-18", "2019-12-18", "第三巡视组"] {
        assert!(
            text.contains(expected),
            "the seed inspection page lacks {expected}:\n{text}"
        );
    }
    let seed_path = b.path();
    // From plan to feedback: the team, the signed papers, the approved report, the feedback.
    b.goto(&format!("{seed_path}/team"));
    let text = b.wait_for("周晓岚");
    assert!(
        text.contains("周晓岚") && text.contains("蒋立新"),
        "the team page:\n{text}"
    );
    assert!(
        text.contains("覃志明"),
        "the flagged candidate is listed:\n{text}"
    );
    b.goto(&format!("{seed_path}/papers"));
    let text = b.wait_for("挖掘培养文艺领军人才措施不够有力");
    assert!(
        text.contains("对个别直属单位资金项目监管不够严格"),
        "the papers:\n{text}"
    );
    b.goto(&format!("{seed_path}/reports"));
    let text = b.wait_for("已审定");
    assert!(text.contains("已审定"), "the report is approved:\n{text}");
    b.goto(&format!("{seed_path}/feedback"));
    let text = b.wait_for("牢固树立大局意识");
    for expected in [
        "2020年3月25日",
        "全面落实党建工作主体责任",
        "切实履行从严治党政治职责",
        "落实党管宣传思想文化职责存在薄弱点",
    ] {
        assert!(
            text.contains(expected),
            "the feedback lacks {expected}:\n{text}"
        );
    }
    b.screenshot("office-seed-feedback");
    b.goto("/planning/coverage");
    assert!(
        b.wait_for("尚未巡视").contains("尚未巡视"),
        "coverage shows the units not yet inspected"
    );
    b.log_out();

    // The team leader sees the own team's inspection, not the others of the office.
    b.log_in("teamlead");
    b.goto("/inspections");
    let text = b.wait_for("第三巡视组");
    assert!(
        text.contains("第三巡视组") && !text.contains("第五巡视组"),
        "{text}"
    );
    b.log_out();

    // The leadership viewer reads the plan but has no buttons to change it.
    b.log_in("leader");
    b.goto("/inspections");
    let text = b.wait_for("第三巡视组");
    assert!(
        text.contains("第三巡视组") && !text.contains("新建巡视任务"),
        "{text}"
    );
    b.log_out();

    // The inspected unit: after feedback, its feedback and nothing else of the inspection.
    b.log_in("principal");
    b.goto("/inspections");
    let text = b.wait_for("第三巡视组");
    assert!(
        text.contains("第三巡视组") && !text.contains("第一巡视组"),
        "the unit sees other units' inspections:\n{text}"
    );
    b.goto(&format!("{seed_path}/feedback"));
    let text = b.wait_for("牢固树立大局意识");
    assert!(
        text.contains("牢固树立大局意识"),
        "the unit reads its feedback:\n{text}"
    );
    b.goto(&format!("{seed_path}/papers"));
    let text = b.wait_for("无权操作");
    assert!(
        text.contains("无权操作") && !text.contains("挖掘培养文艺领军人才措施不够有力"),
        "working papers are refused to the unit:\n{text}"
    );
    b.goto(&format!("{seed_path}/clues"));
    let text = b.wait_for("无权操作");
    assert!(
        b.path().ends_with("/clues") && !text.contains("莫某某"),
        "clues are refused to the unit:\n{text}"
    );
    b.log_out();

    // Each receiving body sees only what was transferred to it.
    b.log_in("discipline");
    b.goto("/clues");
    let text = b.wait_for("莫某某");
    assert!(
        text.contains("邓某某") && !text.contains("档案材料"),
        "discipline's clues only:\n{text}"
    );
    b.log_out();
    b.log_in("organization");
    b.goto("/clues");
    let text = b.wait_for("选人");
    assert!(
        text.contains("选人") && !text.contains("莫某某"),
        "organization's clues only:\n{text}"
    );
    b.log_out();

    // The administrator checks the audit trail, which the demo's own work filled.
    b.log_in("admin");
    b.goto("/system/audit?verify=1");
    let text = b.wait_for("校验");
    assert!(
        text.contains("校验通过"),
        "the audit chain of the demo verifies:\n{text}"
    );
}

fn a_wrong_password_opens_no_session() {
    let (_x, server) = demo();
    let b = Browser::start(format!("http://127.0.0.1:{}", server.port));
    b.goto("/login");
    b.type_into("#username", "office");
    b.type_into("#password", "not-the-password");
    b.click("button[type=submit]");
    let text = b.wait_for("用户名或密码错误");
    assert!(text.contains("用户名或密码错误"), "{text}");
    b.goto("/inspections");
    b.wait_for("用户登录");
    assert!(b.path().starts_with("/login"), "no session was opened");
}

fn the_seed_rectification_walk() {
    let (_x, server) = demo();
    let b = Browser::start(format!("http://127.0.0.1:{}", server.port));

    // The unit's liaison finds its plan and its ledger, with the overdue task in red.
    b.log_in("liaison");
    b.goto("/rectification/tasks");
    let text = b.wait_for("整改台账");
    for expected in [
        "已销号",
        "长期坚持",
        "逾期",
        "破解文明城市创建工作瓶颈问题力度不够强",
    ] {
        assert!(
            text.contains(expected),
            "the unit's ledger lacks {expected}:\n{text}"
        );
    }
    b.screenshot("liaison-ledger");
    b.log_out();

    // A responsible department sees the rejected task with the supervisor's reason kept.
    b.log_in("staff");
    b.goto("/rectification/tasks?status=in_progress");
    b.click_link("1.2.1");
    let text = b.wait_for("表面整改");
    assert!(
        text.contains("表面整改") && text.contains("未见成果转化机制实际运行"),
        "the rejection and its reason are kept:\n{text}"
    );
    b.log_out();

    // The office's dashboard: the seed unit has six of ten tasks closed, one overdue (the
    // current round's units have their own rows).
    b.log_in("office");
    b.goto("/dashboard");
    let text = b.wait_for("整改统计");
    let seed_row = text
        .lines()
        .find(|l| l.starts_with("自治区党委宣传部"))
        .unwrap_or_default();
    assert!(
        seed_row.contains("60") && text.contains("逾期"),
        "the dashboard:\n{text}"
    );
    b.screenshot("office-dashboard");
    b.log_out();

    // A supervisor follows up; the discipline commission sees the notice and its answer.
    b.log_in("discipline");
    b.goto("/supervision/followups");
    let text = b.wait_for("桂巡督〔2021〕2号");
    assert!(
        text.contains("桂巡督〔2021〕2号"),
        "the follow-up notice:\n{text}"
    );
    b.log_out();

    // The public reads the published notice without logging in; the withheld item is absent.
    b.goto("/public/notices");
    b.click_link("自治区党委宣传部关于巡视整改进展情况的通报");
    // The link's own text is on the list page too: wait for the notice's contact details.
    let text = b.wait_for("0771-5551234");
    assert!(
        text.contains("2020年3月25日"),
        "the opening formula with the dates:\n{text}"
    );
    assert!(
        !text.contains("执行干部选拔任用有关规定不够到位") && !text.contains("干部人事档案"),
        "an item not for disclosure reached the public page:\n{text}"
    );
    assert!(
        text.contains("0771-5551234"),
        "contact details for public supervision:\n{text}"
    );
}
