//! Signing on through the organisation's identity provider: oidc-provider (npm), a real OpenID
//! provider started by the test on a free port of 127.0.0.1 (`oidc/provider.mjs`), and
//! `xunshi serve` configured as its client. The browser's part is played by hand, request by
//! request, with the provider's cookies kept as a browser keeps them: Xunshi's button, the
//! provider's log-in form, the way back with the code, the second factor where the account has
//! one. A person the provider knows gets an account with no role at first sign-on; a local
//! account is never opened by the provider's word; a cancelled, replayed or foreign sign-on
//! opens nothing; and every outcome is in the trail.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use super::{
    HttpResponse, Instance, PASSWORD, assert_trail_whole, block_on, form_encode, free_port, http,
};

const CLIENT_ID: &str = "xunshi";
const CLIENT_SECRET: &str = "client-secret-of-this-test";

/// oidc-provider with the test's accounts; stopped when dropped.
pub(super) struct Provider {
    child: Child,
    pub(super) port: u16,
}

impl Provider {
    pub(super) fn start(redirect_uri: &str) -> Provider {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/oidc");
        let port = free_port();
        let mut child = Command::new("node")
            .arg(dir.join("provider.mjs"))
            .current_dir(&dir)
            .env("PORT", port.to_string())
            .env("CLIENT_ID", CLIENT_ID)
            .env("CLIENT_SECRET", CLIENT_SECRET)
            .env("REDIRECT_URI", redirect_uri)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start node provider.mjs");
        let mut ready = String::new();
        BufReader::new(child.stdout.take().expect("stdout is piped"))
            .read_line(&mut ready)
            .expect("the provider's first line");
        assert_eq!(ready.trim(), "ready", "the provider did not start");
        Provider { child, port }
    }
}

impl Drop for Provider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port and path of an address on 127.0.0.1, or of a path alone on `default_port`.
fn split_url(location: &str, default_port: u16) -> (u16, String) {
    match location.strip_prefix("http://127.0.0.1:") {
        Some(rest) => {
            let slash = rest.find('/').unwrap_or(rest.len());
            (
                rest[..slash].parse().expect("a port"),
                rest[slash..].to_owned(),
            )
        }
        None => {
            assert!(
                location.starts_with('/'),
                "an address elsewhere: {location}"
            );
            (default_port, location.to_owned())
        }
    }
}

/// The cookies a browser keeps for the provider (all sent on every request there, which it
/// accepts).
#[derive(Default)]
struct Jar(Vec<(String, String)>);

impl Jar {
    fn take(&mut self, r: &HttpResponse) {
        for (k, v) in &r.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let Some((name, value)) = v.split(';').next().and_then(|p| p.split_once('=')) else {
                continue;
            };
            self.0.retain(|(n, _)| n != name);
            let expired = v.to_ascii_lowercase().contains("expires=thu, 01 jan 1970");
            if !value.is_empty() && !expired {
                self.0.push((name.to_owned(), value.to_owned()));
            }
        }
    }

    fn header(&self) -> String {
        self.0
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }
}

/// A sign-on begun at Xunshi's button and taken through the provider's log-in as `login`:
/// the state cookie Xunshi set, and the address the provider sent the browser back to.
struct Journey {
    state_cookie: String,
    back: String,
}

fn through_the_provider(port: u16, provider: &Provider, login: &str, password: &str) -> Journey {
    let start = http(port, "GET", "/login/sso?next=%2Fmessages", &[], None);
    assert_eq!(start.status, 303, "{}", start.body);
    let state_cookie = start
        .cookie("xunshi_sign_on")
        .expect("the button sets the sign-on's cookie");
    let to = start.header("location").expect("sent to the provider");
    assert!(
        to.contains("code_challenge_method=S256") && to.contains("nonce="),
        "{to}"
    );
    let mut jar = Jar::default();
    let (p, path) = split_url(to, provider.port);
    assert_eq!(p, provider.port);
    let auth = http(p, "GET", &path, &[], None);
    assert_eq!(auth.status, 303, "{}", auth.body);
    jar.take(&auth);
    let (_, form) = split_url(auth.header("location").unwrap(), provider.port);
    let page = http(
        provider.port,
        "GET",
        &form,
        &[("Cookie", &jar.header())],
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let posted = http(
        provider.port,
        "POST",
        &format!("{form}/login"),
        &[
            ("Cookie", &jar.header()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(&format!(
            "login={}&password={}",
            form_encode(login),
            form_encode(password)
        )),
    );
    assert_eq!(posted.status, 303, "{}", posted.body);
    jar.take(&posted);
    let (_, resume) = split_url(posted.header("location").unwrap(), provider.port);
    let resumed = http(
        provider.port,
        "GET",
        &resume,
        &[("Cookie", &jar.header())],
        None,
    );
    assert_eq!(resumed.status, 303, "{}", resumed.body);
    let (back_port, back) = split_url(resumed.header("location").unwrap(), port);
    assert_eq!(back_port, port, "sent back to Xunshi");
    assert!(back.starts_with("/login/sso/callback?"), "{back}");
    Journey { state_cookie, back }
}

/// Xunshi's answer to the provider's redirect back, with the cookie the browser kept.
fn come_back(port: u16, j: &Journey) -> HttpResponse {
    http(
        port,
        "GET",
        &j.back,
        &[("Cookie", &format!("xunshi_sign_on={}", j.state_cookie))],
        None,
    )
}

/// The session a sign-on that held opened, having checked it leads on to `next`.
fn session_of(r: &HttpResponse, next: &str) -> String {
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(
        r.body.contains(&format!("content=\"0;url={next}\"")),
        "{}",
        r.body
    );
    let s = r
        .cookie("xunshi_session")
        .expect("the sign-on opens a session");
    format!("xunshi_session={s}")
}

/// The value of the first hidden field `name` of a page's form.
fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = body
        .find(&marker)
        .unwrap_or_else(|| panic!("no {name} in {body}"))
        + marker.len();
    body[start..start + body[start..].find('"').unwrap()].to_owned()
}

fn configure(x: &Instance, provider: u16, port: u16, provision: bool) {
    configure_at(x, provider, &format!("http://127.0.0.1:{port}"), provision);
}

/// Configures `x` as the provider's client, reached by the browser at `base`.
pub(super) fn configure_at(x: &Instance, provider: u16, base: &str, provision: bool) {
    std::fs::write(
        x.data_dir.path().join("xunshi.toml"),
        format!(
            "[oidc]\nissuer = \"http://127.0.0.1:{provider}\"\nclient_id = \"{CLIENT_ID}\"\n\
             client_secret = \"{CLIENT_SECRET}\"\n\
             redirect_url = \"{base}/login/sso/callback\"\n\
             label = \"统一身份认证平台登录\"\nprovision = {provision}\n"
        ),
    )
    .unwrap();
}

/// Sets up the second factor of the session's account through its page: the secret shown.
fn enrol_second_factor(port: u16, session: &str) -> Vec<u8> {
    let page = http(
        port,
        "GET",
        "/account/two-factor",
        &[("Cookie", session)],
        None,
    );
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = hidden(&page.body, "_csrf");
    let post = |path: &str, form: String| {
        http(
            port,
            "POST",
            path,
            &[
                ("Cookie", session),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            Some(&form),
        )
    };
    let begun = post(
        "/account/two-factor/begin",
        format!("_csrf={}", form_encode(&csrf)),
    );
    assert_eq!(begun.status, 303, "{}", begun.body);
    let shown = http(
        port,
        "GET",
        "/account/two-factor",
        &[("Cookie", session)],
        None,
    );
    let marker = "<code class=\"token\">";
    let at = shown.body.find(marker).expect("the secret is shown") + marker.len();
    let secret = &shown.body[at..at + shown.body[at..].find('<').unwrap()];
    let secret = xunshi_core::totp::from_base32(secret).expect("a base32 secret");
    let confirmed = post(
        "/account/two-factor/confirm",
        format!("_csrf={}&code={}", form_encode(&csrf), code(&secret, 0)),
    );
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert!(confirmed.body.contains("恢复码"), "{}", confirmed.body);
    secret
}

/// The code of the authenticator `ahead` steps after now.
fn code(secret: &[u8], ahead: i64) -> String {
    let step = xunshi_core::totp::step_of(jiff::Timestamp::now().as_second()) + ahead;
    format!(
        "{:06}",
        xunshi_core::totp::code_at(secret, step, xunshi_core::totp::DIGITS)
    )
}

pub(super) fn people_sign_on_through_the_provider_and_xunshi_grants_their_roles(x: &Instance) {
    // A local account with a password, whose name the provider also knows.
    x.add_user("zhaolei", "office");
    let port = free_port();
    let provider = Provider::start(&format!("http://127.0.0.1:{port}/login/sso/callback"));
    configure(x, provider.port, port, true);
    let server = x.serve_on(port);

    // The log-in page offers the provider, by the configured name.
    let login = http(port, "GET", "/login", &[], None);
    assert!(
        login.body.contains("统一身份认证平台登录"),
        "{}",
        login.body
    );

    // First sign-on of a person the provider knows: an account with the provider's name for
    // them, no role, and the page asked for at the start.
    let j = through_the_provider(port, &provider, "wangfang", "Provider-Pass-1");
    let done = come_back(port, &j);
    let session = session_of(&done, "/messages");
    let account = http(port, "GET", "/account", &[("Cookie", &session)], None);
    assert_eq!(account.status, 200, "{}", account.body);
    assert!(account.body.contains("王芳"), "{}", account.body);

    // The same way back again is refused: the sign-on was taken once.
    let replay = come_back(port, &j);
    assert_eq!(replay.status, 401, "{}", replay.body);
    assert!(replay.body.contains("已失效"), "{}", replay.body);
    assert!(replay.cookie("xunshi_session").is_none());

    // A way back brought to another browser (without the state it kept) opens nothing.
    let j = through_the_provider(port, &provider, "wangfang", "Provider-Pass-1");
    let foreign = http(port, "GET", &j.back, &[], None);
    assert_eq!(foreign.status, 401, "{}", foreign.body);
    assert!(foreign.cookie("xunshi_session").is_none());

    // The provider's word never opens a local account with a password.
    let j = through_the_provider(port, &provider, "zhaolei", "Provider-Pass-2");
    let local = come_back(port, &j);
    assert_eq!(local.status, 401, "{}", local.body);
    assert!(
        local.body.contains("没有可通过统一身份认证登录"),
        "{}",
        local.body
    );
    assert_eq!(
        super::api_login(port, "zhaolei", PASSWORD).status,
        201,
        "the local account still opens with its password"
    );

    // A name the provider gives that is no user name here makes no account.
    let j = through_the_provider(port, &provider, "badname", "Provider-Pass-3");
    let bad = come_back(port, &j);
    assert_eq!(bad.status, 401);
    assert!(
        bad.body.contains("没有可通过统一身份认证登录"),
        "{}",
        bad.body
    );

    // With a second factor set up, the code is asked for after the provider: a wrong one is
    // refused and may be given again, the right one opens the session.
    let secret = enrol_second_factor(port, &session);
    let j = through_the_provider(port, &provider, "wangfang", "Provider-Pass-1");
    let asked = come_back(port, &j);
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(asked.body.contains("两步验证"), "{}", asked.body);
    assert!(asked.cookie("xunshi_session").is_none());
    let csrf = hidden(&asked.body, "_csrf");
    let csrf_cookie = asked
        .cookie("xunshi_login_csrf")
        .expect("the form's CSRF cookie");
    let give = |code: &str| {
        http(
            port,
            "POST",
            "/login/sso/code",
            &[
                (
                    "Cookie",
                    &format!(
                        "xunshi_sign_on={}; xunshi_login_csrf={csrf_cookie}",
                        j.state_cookie
                    ),
                ),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            Some(&format!("_csrf={}&code={code}", form_encode(&csrf))),
        )
    };
    let wrong = give("000000");
    assert_eq!(wrong.status, 401, "{}", wrong.body);
    assert!(
        wrong.body.contains("动态口令或恢复码不正确"),
        "{}",
        wrong.body
    );
    let right = give(&code(&secret, 1));
    session_of(&right, "/messages");

    // Cancelled at the provider: nothing opens, and the page says so.
    let start = http(port, "GET", "/login/sso", &[], None);
    let state_cookie = start.cookie("xunshi_sign_on").unwrap();
    let to = start.header("location").unwrap();
    let state = to
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("state="))
        .expect("the state is sent");
    let cancelled = http(
        port,
        "GET",
        &format!("/login/sso/callback?error=access_denied&state={state}"),
        &[("Cookie", &format!("xunshi_sign_on={state_cookie}"))],
        None,
    );
    assert_eq!(cancelled.status, 401, "{}", cancelled.body);
    assert!(cancelled.body.contains("取消登录"), "{}", cancelled.body);
    drop(server);

    // Without provisioning, a person the provider knows but Xunshi does not gets nothing.
    configure(x, provider.port, port, false);
    let server = x.serve_on(port);
    let j = through_the_provider(port, &provider, "liuyang", "Provider-Pass-4");
    let unknown = come_back(port, &j);
    assert_eq!(unknown.status, 401);
    assert!(
        unknown.body.contains("没有可通过统一身份认证登录"),
        "{}",
        unknown.body
    );
    drop(server);

    // A provider that cannot be reached is a service down, said as such.
    configure(x, free_port(), port, true);
    let server = x.serve_on(port);
    let down = http(port, "GET", "/login/sso", &[], None);
    assert_eq!(down.status, 503, "{}", down.body);
    assert!(down.body.contains("暂时无法访问"), "{}", down.body);
    drop(server);

    assert_trail_whole(x);
    let url = x.url();
    let trail: Vec<(String, String)> = block_on(async move {
        let db = xunshi_store::Db::open(&url, 1)
            .await
            .expect("open the database");
        let rows = sqlx::query_as(
            "SELECT action, summary FROM audit_log
             WHERE action IN ('user_provisioned', 'login_succeeded', 'login_failed')
             ORDER BY seq",
        )
        .fetch_all(&db.pool)
        .await
        .expect("the trail");
        db.close().await;
        rows
    });
    let of = |action: &str, text: &str| {
        trail
            .iter()
            .filter(|(a, s)| a == action && s.contains(text))
            .count()
    };
    assert_eq!(of("user_provisioned", "http://127.0.0.1"), 1, "{trail:?}");
    assert_eq!(of("login_succeeded", "sign_on"), 2, "{trail:?}");
    assert_eq!(of("login_failed", "a local account"), 1, "{trail:?}");
    assert_eq!(of("login_failed", "not a user name here"), 1, "{trail:?}");
    assert_eq!(
        of("login_failed", "no account of the identity system"),
        1,
        "{trail:?}"
    );
    assert_eq!(of("login_failed", "wrong second factor"), 1, "{trail:?}");
    assert_eq!(of("login_failed", "access_denied"), 1, "{trail:?}");
}
