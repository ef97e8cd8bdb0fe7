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
    /// The screen's width in CSS pixels.
    width: i64,
}

impl Browser {
    fn start(base: String) -> Browser {
        Browser::start_sized(base, (1366, 900))
    }

    /// A browser that runs no script of the pages, as some people's browsers are set.
    fn start_without_script(base: String) -> Browser {
        Browser::start_with(base, (1366, 900), false)
    }

    /// A browser whose screen is `size` wide and high in CSS pixels: (390, 844) is a phone held
    /// upright.
    fn start_sized(base: String, size: (u32, u32)) -> Browser {
        Browser::start_with(base, size, true)
    }

    fn start_with(base: String, size: (u32, u32), scripts: bool) -> Browser {
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
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-dev-shm-usage", "--no-first-run", "--window-size=1366,900",
                     format!("--user-data-dir={}", profile.keep().display())]
        });
        // Headless windows are at least 500 px wide: a phone's screen is emulated instead (the
        // device's viewport, touch and `<meta name="viewport">` as a phone's browser reads it).
        if size.0 < 1000 {
            options["mobileEmulation"] = json!({"deviceMetrics": {
                "width": size.0, "height": size.1, "pixelRatio": 3.0, "touch": true, "mobile": true
            }});
        }
        if !scripts {
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": options
        }}});
        let mut b = Browser {
            driver,
            port,
            session: String::new(),
            base,
            width: size.0.into(),
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

    /// Runs `script` (a function body) in the page and returns what it returns.
    fn eval(&self, script: &str) -> Value {
        self.cmd(
            "POST",
            "execute/sync",
            Some(json!({"script": script, "args": []})),
        )
    }

    /// Fails when the page is wider than the window, that is when it scrolls sideways.
    fn assert_no_sideways_scroll(&self, what: &str) {
        let v = self.eval(
            "return [document.documentElement.scrollWidth, window.innerWidth, \
             Array.from(document.querySelectorAll('body *')).filter(e => \
               e.getBoundingClientRect().right > window.innerWidth + 1 && e.checkVisibility()) \
               .slice(0, 5).map(e => e.outerHTML.slice(0, 120))];",
        );
        let (scroll, inner) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
        // A phone's browser shows a page wider than its screen zoomed out, and then the window
        // is as wide as the page: the window must be the screen's width too.
        assert!(
            scroll > 0 && scroll <= inner && inner == self.width,
            "{what} scrolls sideways: {scroll} px wide in a {inner} px window; too wide: {}",
            v[2]
        );
    }

    /// Sends the path of a file to a file input, as choosing the file does.
    fn choose_file(&self, css: &str, path: &std::path::Path) {
        let el = self.find(css);
        self.cmd(
            "POST",
            &format!("element/{el}/value"),
            Some(json!({"text": path.display().to_string()})),
        );
    }

    /// The visible text of the first element matching `css`.
    fn element_text(&self, css: &str) -> String {
        let el = self.find(css);
        self.cmd("GET", &format!("element/{el}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// An attribute of the first element matching `css`.
    fn attribute(&self, css: &str, name: &str) -> String {
        let el = self.find(css);
        self.cmd("GET", &format!("element/{el}/attribute/{name}"), None)
            .as_str()
            .unwrap_or_default()
            .to_owned()
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
        self.wait_until(
            || Some(self.text()).filter(|t| t.contains(needle)),
            || {
                format!(
                    "the page {} never showed {needle}:\n{}",
                    self.path(),
                    self.text()
                )
            },
        )
    }

    /// Asks `probe` every 50 ms until it answers, for at most `PATIENCE`; then fails with
    /// `why`.
    fn wait_until<T>(&self, probe: impl Fn() -> Option<T>, why: impl Fn() -> String) -> T {
        let deadline = Instant::now() + PATIENCE;
        loop {
            if let Some(found) = probe() {
                return found;
            }
            assert!(Instant::now() < deadline, "{}", why());
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// Waits until the browser has gone to a path beginning with `prefix`: text alone can be
    /// found on the page a click leaves, whose elements then go stale under the next command.
    fn wait_for_path(&self, prefix: &str) {
        self.wait_until(
            || self.path().starts_with(prefix).then_some(()),
            || {
                format!(
                    "the browser stayed at {}, never reaching {prefix}",
                    self.path()
                )
            },
        )
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

    #[test]
    fn a_liaison_reports_progress_and_uploads_a_photo_on_a_phone() {
        a_liaison_on_a_phone()
    }

    #[test]
    fn the_public_writes_in_and_follows_up_by_receipt_code_in_a_browser_without_script() {
        the_public_writes_in_without_script()
    }

    #[test]
    fn officials_search_from_the_top_bar_and_see_only_theirs_in_a_browser() {
        searching_from_the_top_bar()
    }
}

xunshi_test_env::browser_oidc_tests! {
    #[test]
    fn an_official_signs_on_through_the_identity_provider_in_a_browser() {
        signing_on_through_the_provider()
    }
}

/// The provider answers at 127.0.0.1 and Xunshi at localhost: two sites, as in a deployment, so
/// the way back is a navigation another site began, on which the browser withholds cookies
/// marked SameSite=Strict. The session must still open and reach the page after.
fn signing_on_through_the_provider() {
    let x = Instance::sqlite();
    let port = free_port();
    let base = format!("http://localhost:{port}");
    let provider = crate::oidc::Provider::start(&format!("{base}/login/sso/callback"));
    crate::oidc::configure_at(&x, provider.port, &base, true);
    let _server = x.serve_on(port);
    let b = Browser::start(base);
    b.goto("/login");
    b.wait_for("统一身份认证平台登录");
    b.click_link("统一身份认证平台登录");
    b.wait_for("密码");
    b.type_into("input[name=login]", "wangfang");
    b.type_into("input[name=password]", "Provider-Pass-1");
    b.click("button[type=submit]");
    b.wait_for("王芳");
    assert_eq!(b.path(), "/", "the page after the sign-on");
    b.goto("/account");
    let text = b.wait_for("王芳");
    assert!(!text.contains("用户登录"), "{text}");
}

fn demo() -> (Instance, Server) {
    xunshi_test_env::require_browser();
    let x = Instance::sqlite();
    let server = x.serve_with(&["--demo"]);
    (x, server)
}

/// The office types words in the top bar's box and opens a paper found; its page lists the
/// like problems of other units. The unit's liaison, searching the same words, finds its own
/// tasks and never a paper.
fn searching_from_the_top_bar() {
    let (_x, server) = demo();
    let b = Browser::start(format!("http://127.0.0.1:{}", server.port));
    b.log_in("office");
    // The server builds its index from the demo's database when it starts.
    let deadline = Instant::now() + PATIENCE;
    loop {
        b.goto("/");
        b.type_into("#frame-search", "意识形态");
        b.click(".topbar-search button");
        b.wait_for_path("/search?q=");
        let text = b.wait_for("全文检索");
        if b.eval("return document.querySelectorAll('.search-hit').length;") != json!(0) {
            break;
        }
        assert!(Instant::now() < deadline, "nothing found:\n{text}");
        thread::sleep(Duration::from_millis(200));
    }
    assert!(b.path().starts_with("/search?q="), "{}", b.path());
    assert_eq!(
        b.element_text(".search-hit mark"),
        "意识形态",
        "the words are marked"
    );
    b.click(".search-hit h2 a[href^='/papers/']");
    let paper = b.wait_for("同类问题");
    assert!(paper.contains("相似度"), "{paper}");
    b.log_out();

    b.log_in("liaison");
    b.type_into("#frame-search", "意识形态");
    b.click(".topbar-search button");
    b.wait_for_path("/search?q=");
    b.wait_for("全文检索");
    let found = b.element_text("section.card");
    assert!(found.contains("整改任务"), "{found}");
    assert!(
        !found.contains("问题底稿") && !found.contains("巡视报告"),
        "{found}"
    );
}

fn officials_walk_the_seed_inspection() {
    let (_x, server) = demo();
    let b = Browser::start(format!("http://127.0.0.1:{}", server.port));

    // The office finds the seed inspection and its dates.
    b.log_in("office");
    // On a wide screen the navigation stands open beside the content, without 菜单.
    assert_eq!(
        b.eval(
            "return [document.querySelector('.sidenav a').checkVisibility(), \
             document.querySelector('summary.nav-toggle').checkVisibility()];"
        ),
        json!([true, false]),
        "the navigation on a wide screen"
    );
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

    // The office's dashboard: the seed unit has nine of its fourteen tasks closed — the seed's
    // six of ten, the 2017 inspection's three, the central look-back's one under way, carried
    // into the seed's plan and counted once — and one overdue (the current round's units have
    // their own rows).
    b.log_in("office");
    b.goto("/dashboard");
    let text = b.wait_for("整改统计");
    let seed_row = text
        .lines()
        .find(|l| l.starts_with("自治区党委宣传部"))
        .unwrap_or_default();
    assert!(
        seed_row.contains("14 9 64.3%") && text.contains("逾期"),
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

/// A phone held upright (390 × 844): the liaison finds the ledger and a task without the
/// navigation in the way and without the page scrolling sideways, reports progress (a wrong
/// submit first: the field in error gets the focus, in view), uploads a photo and sees it
/// listed, and a withdrawal asks before it happens.
fn a_liaison_on_a_phone() {
    let (_x, server) = demo();
    let b = Browser::start_sized(format!("http://127.0.0.1:{}", server.port), (390, 844));

    // The to-do comes first; the menu is folded behind 菜单 until asked for.
    b.log_in("liaison");
    assert_eq!(
        b.eval("return window.innerWidth;").as_i64(),
        Some(390),
        "the page is laid out for a phone's width"
    );
    b.assert_no_sideways_scroll("the home page");
    let menu = "return [document.querySelector('details.nav-menu').open, \
                document.querySelector('.sidenav a').checkVisibility(), \
                document.querySelector('summary.nav-toggle').checkVisibility()];";
    assert_eq!(
        b.eval(menu),
        json!([false, false, true]),
        "the menu is folded, its button shown"
    );
    b.screenshot("phone-home");
    b.click("summary.nav-toggle");
    assert_eq!(
        b.eval(menu),
        json!([true, true, true]),
        "菜单 opens the navigation"
    );
    b.click_link("整改台账");
    let text = b.wait_for("整改台账");
    assert!(
        text.contains("破解文明城市创建工作瓶颈问题力度不够强"),
        "the ledger:\n{text}"
    );
    assert_eq!(
        b.eval(menu),
        json!([false, false, true]),
        "a new page starts with the menu folded"
    );
    b.assert_no_sideways_scroll("the ledger");
    // Every row is a card, every cell labelled with its column and shown whole.
    let cards = b.eval(
        "const tds = Array.from(document.querySelectorAll('table.cards tbody td[data-label]')); \
         return [tds.length, \
           tds.filter(td => getComputedStyle(td).display !== 'block').length, \
           tds.filter(td => getComputedStyle(td, '::before').content !== '\"' + td.dataset.label + '\"').length, \
           Array.from(document.querySelectorAll('table.cards .clip')) \
             .filter(c => c.scrollHeight > c.clientHeight + 1 || c.scrollWidth > c.clientWidth + 1).length];",
    );
    assert!(
        cards[0].as_i64().unwrap_or(0) >= 9,
        "the ledger's cells: {cards}"
    );
    assert_eq!(
        &cards.as_array().unwrap()[1..],
        &[json!(0), json!(0), json!(0)],
        "cells that are not labelled cards, or text cut off: {cards}"
    );
    b.screenshot("phone-ledger");

    // A task in progress: its text whole, its forms within the screen.
    b.goto("/rectification/tasks?status=in_progress");
    b.click_link("1.2.1");
    let text = b.wait_for("整改进展");
    assert!(
        text.contains("报告进展"),
        "the liaison reports here:\n{text}"
    );
    b.assert_no_sideways_scroll("the task page");

    // A submit without the text: the page comes back with the field in error focused and in
    // view, not below the fold under the task's overdue notice.
    b.type_into("#progress", "90");
    b.click("form[action$='/progress'] button[type=submit]");
    b.wait_for("请填写");
    let focus = b.eval(
        "const a = document.activeElement, r = a.getBoundingClientRect(); \
         return [a.id, r.top >= 0 && r.bottom <= window.innerHeight];",
    );
    assert_eq!(
        focus,
        json!(["text", true]),
        "the field in error has the focus and is seen"
    );
    b.screenshot("phone-progress-error");
    b.type_into("#text", "已召开专题会议研究文明城市创建工作，手机端报告");
    b.type_into("#progress", "90");
    b.click("form[action$='/progress'] button[type=submit]");
    let text = b.wait_for("手机端报告");
    assert!(text.contains("90%"), "the report is listed:\n{text}");
    b.assert_no_sideways_scroll("the task page after reporting");

    // A photo from the phone: a small PNG, listed after the upload.
    let dir = tempfile::tempdir().expect("a folder for the photo");
    let photo = dir.path().join("现场照片.png");
    std::fs::write(&photo, TINY_PNG).expect("write the photo");
    let accept =
        b.eval("return document.querySelector('form.upload-form input[type=file]').accept;");
    assert!(
        accept.as_str().unwrap_or_default().contains("image/*"),
        "the camera is offered: {accept}"
    );
    b.choose_file("form.upload-form input[type=file]", &photo);
    b.click("form.upload-form button[type=submit]");
    let text = b.wait_for("现场照片.png");
    assert!(
        !b.path().contains("_csrf"),
        "no token in the address: {}",
        b.path()
    );
    assert!(text.contains("PNG") || text.contains("图片"), "{text}");
    b.assert_no_sideways_scroll("the task page with the photo");
    b.eval("document.querySelector('form.upload-form').scrollIntoView({block: 'end'}); return 0;");
    b.screenshot("phone-evidence");

    // Withdrawing asks first; saying no changes nothing.
    b.type_into("form[action$='/withdraw'] input[name=reason]", "误传");
    b.click("form[action$='/withdraw'] button[type=submit]");
    let question = b.cmd("GET", "alert/text", None);
    assert!(
        question.as_str().unwrap_or_default().contains("撤回"),
        "the question: {question}"
    );
    b.cmd("POST", "alert/dismiss", Some(json!({})));
    b.goto(&b.path());
    let text = b.wait_for("现场照片.png");
    assert!(!text.contains("已撤回"), "nothing was withdrawn:\n{text}");
    // Saying yes withdraws the first file listed at once: the script's answer spares the
    // server's question page.
    b.type_into("form[action$='/withdraw'] input[name=reason]", "误传");
    b.click("form[action$='/withdraw'] button[type=submit]");
    b.cmd("POST", "alert/accept", Some(json!({})));
    let text = b.wait_for("已撤回");
    assert!(
        !text.contains("请确认"),
        "asked again by the server:\n{text}"
    );
    b.assert_no_sideways_scroll("the task page after a withdrawal");

    // The task's plan, a long document with its own tables.
    let plan = b.eval("return document.querySelector('main a[href^=\"/rectification/plans/\"]').getAttribute('href');");
    b.goto(plan.as_str().expect("the task links its plan"));
    b.wait_for("整改方案");
    b.assert_no_sideways_scroll("the plan");

    // The notices addressed to the unit, where it answers them.
    b.goto("/notices");
    b.wait_for("立行立改通知");
    b.assert_no_sideways_scroll("the unit's notices");

    // Every page of the liaison's navigation fits the phone's width.
    let links = b.eval(
        "return Array.from(document.querySelectorAll('.sidenav a')).map(a => a.getAttribute('href'));",
    );
    let links: Vec<String> = links
        .as_array()
        .expect("the navigation's links")
        .iter()
        .filter_map(|l| l.as_str().map(str::to_owned))
        .collect();
    assert!(links.len() >= 5, "the liaison's navigation: {links:?}");
    for href in links {
        // Navigation waits for the page to load (WebDriver's normal page load strategy).
        b.goto(&href);
        b.assert_no_sideways_scroll(&href);
    }
}

/// A 1 × 1 PNG, as a photo stands in for one.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
    0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
    0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

/// A member of the public, in a browser that runs no script, writes to the team on site with
/// their name, keeps the receipt code, looks the letter up and adds to it; no cookie is set,
/// and the name is found neither in the database's files nor in the server's output. The team
/// then finds the letter in its register, without the name.
fn the_public_writes_in_without_script() {
    const WRITER: &str = "欧阳实名";
    let (x, server) = demo();
    let b = Browser::start_without_script(format!("http://127.0.0.1:{}", server.port));
    b.goto("/public/letters");
    b.wait_for("网上举报");
    let inspection = b.attribute(
        "form[action='/public/letters'] input[name=inspection_id]",
        "value",
    );
    b.click(".public-form > summary");
    b.type_into(
        "form[action='/public/letters'] textarea[name=content]",
        "反映该市某局副局长在办公用房装修中违规使用专项资金的问题。",
    );
    b.type_into(
        "form[action='/public/letters'] input[name=about_name]",
        "冯某",
    );
    b.type_into(
        "form[action='/public/letters'] input[name=about_post]",
        "副局长",
    );
    b.type_into("form[action='/public/letters'] input[name=name]", WRITER);
    b.type_into(
        "form[action='/public/letters'] input[name=contact]",
        "13700009999",
    );
    b.click("form[action='/public/letters'] button[type=submit]");
    b.wait_for("您的查询码是");
    let code = b.element_text(".receipt-code");
    assert_eq!(
        code.replace('-', "").trim().len(),
        20,
        "a receipt code: {code:?}"
    );
    assert!(
        !b.path().contains(code.trim()),
        "the code is not in the address"
    );

    b.goto("/public/letters");
    b.wait_for("查询办理情况");
    b.type_into("#receipt", code.trim());
    b.click("form[action='/public/letters/status'] button[type=submit]");
    b.wait_for("已收到");
    b.type_into(
        "form[action='/public/letters/add'] textarea[name=content]",
        "补充：装修发生在今年三月。",
    );
    b.click("form[action='/public/letters/add'] button[type=submit]");
    let text = b.wait_for("装修发生在今年三月");
    assert!(!text.contains(WRITER), "the status page shows no identity");
    assert!(!b.path().contains(code.trim()));
    let cookies = b.cmd("GET", "cookie", None);
    assert_eq!(cookies, json!([]), "the intake sets no cookie");

    // At rest and in the logs, the name is nowhere in plain text.
    let mut at_rest = Vec::new();
    for entry in std::fs::read_dir(x.data_dir.path()).expect("the data folder") {
        let path = entry.expect("an entry").path();
        if path.is_file() {
            at_rest.extend(std::fs::read(&path).expect("read a data file"));
        }
    }
    let name = WRITER.as_bytes();
    assert!(
        !at_rest.windows(name.len()).any(|w| w == name),
        "the writer's name is in the data folder in plain text"
    );
    assert!(!server.stderr().contains(WRITER) && !server.stdout().contains(WRITER));
    assert!(!server.stderr().contains("13700009999"));

    // The team on site reads it in its register; the name stays sealed.
    let team = Browser::start(format!("http://127.0.0.1:{}", server.port));
    team.log_in("teamlead");
    team.goto(&format!("/inspections/{inspection}/letters"));
    let text = team.wait_for("冯某");
    assert!(text.contains("网上"), "an online letter: {text}");
    assert!(!text.contains(WRITER));
}
