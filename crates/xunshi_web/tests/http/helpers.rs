//! The application under test and typed helpers to drive it the way a browser or an API client
//! would: in process, through the whole router with its layers, on a fresh SQLite database.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;
use xunshi_core::Id;
use xunshi_core::audit::AuditRecord;
use xunshi_core::inspection::{InspectionInput, Stage};
use xunshi_core::org::{Unit, UnitInput};
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Actor;
use xunshi_core::personnel::{InspectorInput, NewInspector, TeamRole};
use xunshi_core::service::{
    Clock, NewGrant, PlanInput, RoundInput, Services, StageChange, TermInput,
};
use xunshi_core::store::AuditFilter;
use xunshi_core::user::{NewUserInput, User};
use xunshi_store::{Argon2Secrets, Db};
use xunshi_web::{AppState, WebConfig};

/// A password that satisfies the policy for every username the tests use.
pub const PASSWORD: &str = "Correct-Horse-9";

pub const SESSION_COOKIE: &str = "xunshi_session";

/// A clock the test moves by hand, starting at the real time.
#[derive(Clone)]
pub struct ManualClock(Arc<Mutex<jiff::Timestamp>>);

impl ManualClock {
    pub fn new() -> Self {
        ManualClock(Arc::new(Mutex::new(jiff::Timestamp::now())))
    }

    pub fn advance(&self, by: jiff::SignedDuration) {
        let mut now = self.0.lock().unwrap();
        *now += by;
    }

    /// The clock for [`Services::clock`].
    pub fn clock(&self) -> Clock {
        let now = self.0.clone();
        Arc::new(move || *now.lock().unwrap())
    }
}

/// One answer of the application, with the body read as text.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl TestResponse {
    /// Where a redirect points.
    pub fn location(&self) -> Option<&str> {
        self.headers
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
    }

    /// The raw `Set-Cookie` header that sets `name`, if any.
    pub fn set_cookie(&self, name: &str) -> Option<&str> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with(&format!("{name}=")))
    }

    /// Asserts a 303 to `target` and returns self for further checks.
    pub fn assert_redirect_to(&self, target: &str) -> &Self {
        assert_eq!(
            self.status,
            StatusCode::SEE_OTHER,
            "expected a redirect to {target}, got {}: {}",
            self.status,
            self.body
        );
        assert_eq!(self.location(), Some(target), "redirect target");
        self
    }
}

/// The `href` of the first link whose tag holds `marker` (such as `rel="next"`), as a browser
/// reads it (the template escapes `&`).
pub fn link_with(html: &str, marker: &str) -> Option<String> {
    let at = html.find(marker)?;
    let start = html[..at].rfind("<a ")?;
    let tag = &html[start..html[start..].find('>')? + start];
    let href = tag.split("href=\"").nth(1)?.split('"').next()?;
    Some(href.replace("&#38;", "&").replace("&amp;", "&"))
}

/// The value of the first `<input name="{name}" value="…">` of a page.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html.find(&marker)? + marker.len();
    let len = html[start..].find('"')?;
    Some(html[start..start + len].to_owned())
}

/// The configuration of the tests: the defaults, except that the per-instance log-in rate
/// limits are out of the way (tests log in many times a minute from one in-process "address");
/// the throttling has tests of its own with [`TestApp::spawn_configured`].
pub fn test_config() -> WebConfig {
    WebConfig {
        login_per_address_per_minute: 10_000,
        login_overall_per_minute: 10_000,
        ..WebConfig::default()
    }
}

/// Marks a request as coming from `ip`, as the server's listener would.
pub fn from_address(mut req: Request<Body>, ip: &str) -> Request<Body> {
    let addr: std::net::SocketAddr = format!("{ip}:40000").parse().expect("an address");
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

/// The application on a fresh SQLite database of its own, removed when this value is dropped.
pub struct TestApp {
    pub router: Router,
    pub services: Services<Db>,
    pub db: Db,
    pub config: WebConfig,
    _dir: tempfile::TempDir,
}

impl TestApp {
    /// The data folder of the case: the SQLite file, the key file of the sealed fields.
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// The files left in the folder where uploads are staged.
    pub fn staged_files(&self) -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&self.config.upload_dir)
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default()
    }

    /// The application with the default policy (back-off after the third failure).
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    /// The application, after `adjust` has changed the services (the log-in policy, the clock).
    pub async fn spawn_with(adjust: impl FnOnce(&mut Services<Db>)) -> TestApp {
        Self::spawn_configured(adjust, test_config()).await
    }

    /// The application with a web configuration of the test's own (the log-in rate limits).
    pub async fn spawn_configured(
        adjust: impl FnOnce(&mut Services<Db>),
        mut config: WebConfig,
    ) -> TestApp {
        let dir = tempfile::tempdir().expect("a temporary folder");
        // Uploads are staged in the case's own folder, so a case can see what stays there.
        config.upload_dir = dir.path().join("uploads");
        let db = Db::open(&xunshi_store::sqlite_url(dir.path()), 5)
            .await
            .expect("open a fresh SQLite database");
        let cipher = xunshi_store::FieldCipher::load(
            &db,
            &dir.path().join("xunshi.key"),
            xunshi_core::crypto::Suite::Standard,
        )
        .await
        .expect("the key file of the sealed fields");
        let mut services = Services::new(db.clone(), Arc::new(Argon2Secrets::for_tests()))
            .with_cipher(Arc::new(cipher));
        adjust(&mut services);
        let router =
            xunshi_web::router(AppState::new(services.clone(), db.clone(), config.clone()));
        TestApp {
            router,
            services,
            db,
            config,
            _dir: dir,
        }
    }

    /// Sends one request through the whole router.
    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router never fails");
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("read the response body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8(bytes.to_vec()).expect("the body is UTF-8"),
        }
    }

    pub async fn get(&self, path: &str) -> TestResponse {
        self.send(Request::get(path).body(Body::empty()).unwrap())
            .await
    }

    // ----- people and data, created as the operator would at the command line -----

    /// Creates an account with `role` (for unit roles, in `unit`) and password [`PASSWORD`].
    pub async fn add_user(
        &self,
        username: &str,
        display_name: &str,
        role: &str,
        unit: Option<&str>,
    ) -> User {
        let input = NewUserInput {
            username: username.to_owned(),
            display_name: display_name.to_owned(),
            unit: unit.map(str::to_owned),
            password: PASSWORD.to_owned(),
            must_change_password: false,
        };
        let grant = NewGrant {
            role: role.to_owned(),
            scope: None,
        };
        self.services
            .create_user(&Actor::system(), &input, Some(&grant))
            .await
            .unwrap_or_else(|e| panic!("create user {username} as {role}: {e}"))
            .0
    }

    pub async fn add_unit(&self, name: &str) -> Unit {
        self.add_unit_under(name, None, "department").await
    }

    /// A provincial unit of `kind` (`committee`, `department`, …) below `parent`.
    pub async fn add_unit_under(&self, name: &str, parent: Option<Id>, kind: &str) -> Unit {
        let input = UnitInput {
            name: name.to_owned(),
            kind: kind.to_owned(),
            level: "provincial".to_owned(),
            parent_id: parent.map(|p| p.to_string()),
        };
        self.services
            .create_unit(&Actor::system(), &input)
            .await
            .unwrap_or_else(|e| panic!("create unit {name}: {e}"))
    }

    /// An inspection of `target` by the team `team` of the committee `dispatcher` (units of
    /// that name), planned in the fourth round of 2019 and moved to preparation: its team can
    /// still be appointed.
    pub async fn prepared_inspection(&self, dispatcher: &str, target: &str, team: &str) -> Id {
        let sys = Actor::system();
        let s = &self.services;
        let term = s
            .create_term(
                &sys,
                &TermInput {
                    name: "十一届".into(),
                    dispatcher: dispatcher.into(),
                    starts_on: "2016-11-01".into(),
                    ends_on: None,
                },
            )
            .await
            .expect("a term");
        let plan = s
            .create_plan(
                &sys,
                &PlanInput {
                    term_id: term.id.to_string(),
                    year: 2019,
                    title: "2019年巡视工作计划".into(),
                    notes: String::new(),
                },
            )
            .await
            .expect("a plan");
        let round = s
            .create_round(
                &sys,
                &RoundInput {
                    plan_id: plan.id.to_string(),
                    number: 4,
                    name: String::new(),
                },
            )
            .await
            .expect("a round");
        let insp = s
            .create_inspection(
                &sys,
                &InspectionInput {
                    round_id: round.id.to_string(),
                    team_name: team.into(),
                    targets: vec![target.into()],
                    kind: "routine".into(),
                    ..Default::default()
                },
            )
            .await
            .expect("an inspection");
        self.move_inspection(insp.id, Stage::Preparation, None)
            .await;
        insp.id
    }

    /// Moves an inspection to `to` (on `date`, for the stages that keep one).
    pub async fn move_inspection(&self, id: Id, to: Stage, date: Option<&str>) {
        let sys = Actor::system();
        let current = self.services.get_inspection(&sys, id).await.unwrap().0;
        self.services
            .change_stage(
                &sys,
                id,
                &StageChange {
                    version: current.version,
                    to,
                    date: date.map(str::to_owned),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("move to {to:?}: {e}"));
    }

    /// People with accounts (username, name, role on the team), each an inspector of the pool
    /// working at `unit`, appointed to the team of `insp` by the office; their pool ids, in
    /// order.
    pub async fn appoint_team(
        &self,
        insp: Id,
        unit: &str,
        members: &[(&str, &str, TeamRole)],
    ) -> Vec<Id> {
        let sys = Actor::system();
        let s = &self.services;
        let mut pool = Vec::new();
        for (username, name, role) in members {
            s.create_user(
                &sys,
                &NewUserInput {
                    username: (*username).into(),
                    display_name: (*name).into(),
                    unit: None,
                    password: PASSWORD.into(),
                    must_change_password: false,
                },
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("account {username}: {e}"));
            let x = s
                .create_inspector(
                    &sys,
                    &NewInspector {
                        fields: InspectorInput {
                            name: (*name).into(),
                            user: Some((*username).into()),
                            unit: unit.into(),
                            post: "处长".into(),
                            specialty: String::new(),
                            locality: String::new(),
                        },
                        past_posts: Vec::new(),
                        relatives: Vec::new(),
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("inspector {name}: {e}"));
            s.appoint(&sys, insp, x.id, *role, None)
                .await
                .unwrap_or_else(|e| panic!("appoint {name}: {e}"));
            pool.push(x.id);
        }
        pool
    }

    /// Every unit on record, withdrawn or not.
    pub async fn unit_names(&self) -> Vec<String> {
        self.services
            .unit_tree(&Actor::system())
            .await
            .expect("list units")
            .into_iter()
            .map(|(_, u)| u.name)
            .collect()
    }

    /// The audit records with `action`, newest first.
    pub async fn audit_with_action(&self, action: &str) -> Vec<AuditRecord> {
        let f = AuditFilter {
            action: Some(action.to_owned()),
            ..Default::default()
        };
        self.services
            .list_audit(&Actor::system(), &f, PageRequest::first(500))
            .await
            .expect("read the audit trail")
            .items
    }

    // ----- the pages -----

    /// A browser with no cookies yet.
    pub fn browser(&self) -> Browser {
        Browser {
            router: self.router.clone(),
            cookies: BTreeMap::new(),
            address: None,
        }
    }

    /// Logs in through the form and returns the browser holding the session; panics unless the
    /// log-in succeeded.
    pub async fn login_form(&self, username: &str, password: &str) -> Browser {
        let mut b = self.browser();
        let resp = b.log_in(username, password).await;
        assert_eq!(
            resp.status,
            StatusCode::SEE_OTHER,
            "log-in of {username} through the form failed: {}",
            resp.body
        );
        assert!(
            b.has_cookie(SESSION_COOKIE),
            "no session cookie after logging in"
        );
        b
    }

    /// A new administrator logged in through the form.
    pub async fn add_admin_browser(&self) -> Browser {
        self.add_user("sysadmin", "系统管理员", "admin", None).await;
        self.login_form("sysadmin", PASSWORD).await
    }

    // ----- the API -----

    /// Calls the API; the answer must be JSON (or empty, as for 204).
    pub async fn api(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method.clone()).uri(path);
        if let Some(t) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let req = match body {
            Some(b) => req
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(b.to_string())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = self.send(req).await;
        (resp.status, parse_json(&method, path, &resp))
    }

    pub async fn api_get(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.api(Method::GET, path, Some(token), None).await
    }

    pub async fn api_post(
        &self,
        path: &str,
        token: Option<&str>,
        body: Value,
    ) -> (StatusCode, Value) {
        self.api(Method::POST, path, token, Some(&body)).await
    }

    pub async fn api_put(&self, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
        self.api(Method::PUT, path, Some(token), Some(&body)).await
    }

    pub async fn api_delete(&self, path: &str, token: &str) -> (StatusCode, Value) {
        self.api(Method::DELETE, path, Some(token), None).await
    }

    /// Sends a body as it is, for malformed and oversized requests.
    pub async fn api_post_raw(&self, path: &str, body: impl Into<Body>) -> (StatusCode, Value) {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body.into())
            .unwrap();
        let resp = self.send(req).await;
        (resp.status, parse_json(&Method::POST, path, &resp))
    }

    /// Exchanges a username and password for a bearer token; panics unless one is issued.
    pub async fn api_token(&self, username: &str, password: &str) -> String {
        let (status, body) = self
            .api_post(
                "/api/v1/auth/token",
                None,
                serde_json::json!({ "username": username, "password": password }),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::CREATED,
            "no token for {username}: {body}"
        );
        body["token"]
            .as_str()
            .expect("the token is a string")
            .to_owned()
    }
}

fn parse_json(method: &Method, path: &str, resp: &TestResponse) -> Value {
    if resp.body.is_empty() {
        return Value::Null;
    }
    serde_json::from_str(&resp.body).unwrap_or_else(|e| {
        panic!(
            "{method} {path} answered {} with a body that is not JSON ({e}): {}",
            resp.status, resp.body
        )
    })
}

/// Asserts the one error body of the API, `{"error": {"code", "message", "details"}}`, and
/// returns its `details`.
pub fn assert_api_error<'a>(body: &'a Value, code: &str) -> &'a Vec<Value> {
    let error = body
        .get("error")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("not the API error body: {body}"));
    assert_eq!(
        error.get("code").and_then(Value::as_str),
        Some(code),
        "error code of {body}"
    );
    let message = error.get("message").and_then(Value::as_str).unwrap_or("");
    assert!(!message.is_empty(), "the error has no message: {body}");
    error
        .get("details")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("the error has no details list: {body}"))
}

/// The `field` names of an error body's details.
pub fn detail_fields(body: &Value) -> Vec<String> {
    body["error"]["details"]
        .as_array()
        .map(|ds| {
            ds.iter()
                .filter_map(|d| d["field"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A browser: keeps the cookies the application sets and sends them back.
pub struct Browser {
    router: Router,
    cookies: BTreeMap<String, String>,
    /// The client address the server sees, when the test sets one.
    address: Option<String>,
}

impl Browser {
    /// The same browser, seen by the server as coming from `ip`.
    pub fn at(mut self, ip: &str) -> Browser {
        self.address = Some(ip.to_owned());
        self
    }

    pub fn has_cookie(&self, name: &str) -> bool {
        self.cookies.contains_key(name)
    }

    async fn send(&mut self, req: axum::http::request::Builder, body: Body) -> TestResponse {
        let (status, headers, bytes) = self.send_raw(req, body).await;
        TestResponse {
            status,
            headers,
            body: String::from_utf8(bytes).expect("the body is UTF-8"),
        }
    }

    /// A file downloaded by a GET: the status, the headers and the bytes as they came.
    pub async fn get_file(&mut self, path: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        self.send_raw(Request::get(path), Body::empty()).await
    }

    async fn send_raw(
        &mut self,
        req: axum::http::request::Builder,
        body: Body,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut req = req;
        if !self.cookies.is_empty() {
            let header = self
                .cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ");
            req = req.header(header::COOKIE, header);
        }
        let mut req = req.body(body).unwrap();
        if let Some(ip) = &self.address {
            req = from_address(req, ip);
        }
        let resp = self
            .router
            .clone()
            .oneshot(req)
            .await
            .expect("the router never fails");
        let status = resp.status();
        let headers = resp.headers().clone();
        for c in headers.get_all(header::SET_COOKIE) {
            self.remember(c.to_str().expect("cookies are ASCII"));
        }
        let bytes = resp
            .into_body()
            .collect()
            .await
            .expect("read the response body")
            .to_bytes();
        (status, headers, bytes.to_vec())
    }

    fn remember(&mut self, set_cookie: &str) {
        let pair = set_cookie.split(';').next().unwrap_or("");
        let Some((name, value)) = pair.split_once('=') else {
            return;
        };
        let removed = set_cookie
            .split(';')
            .any(|a| a.trim().eq_ignore_ascii_case("max-age=0"));
        if removed || value.is_empty() {
            self.cookies.remove(name.trim());
        } else {
            self.cookies
                .insert(name.trim().to_owned(), value.trim().to_owned());
        }
    }

    pub async fn get(&mut self, path: &str) -> TestResponse {
        self.send(Request::get(path), Body::empty()).await
    }

    /// Sends any request with the browser's cookies, for malformed ones.
    pub async fn request(
        &mut self,
        req: axum::http::request::Builder,
        body: impl Into<Body>,
    ) -> TestResponse {
        self.send(req, body.into()).await
    }

    /// The CSRF token in the hidden `_csrf` input of the page at `page`.
    pub async fn csrf_token(&mut self, page: &str) -> String {
        let resp = self.get(page).await;
        input_value(&resp.body, "_csrf")
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| panic!("no CSRF token on {page} ({}): {}", resp.status, resp.body))
    }

    /// Submits a form as a browser would: the CSRF token is taken from the page at `path`, as
    /// the form on that page carries it.
    pub async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> TestResponse {
        let token = self.csrf_token(path).await;
        self.post_form_with_token(path, Some(&token), fields).await
    }

    /// Submits a form with the given CSRF token, or none.
    pub async fn post_form_with_token(
        &mut self,
        path: &str,
        csrf: Option<&str>,
        fields: &[(&str, &str)],
    ) -> TestResponse {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let Some(t) = csrf {
            all.push(("_csrf", t));
        }
        let body = serde_urlencoded::to_string(&all).expect("encode the form");
        self.post_encoded(path, body).await
    }

    /// Posts an already encoded form body.
    pub async fn post_encoded(&mut self, path: &str, body: String) -> TestResponse {
        let req =
            Request::post(path).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        self.send(req, Body::from(body)).await
    }

    /// Opens the log-in page and submits it.
    pub async fn log_in(&mut self, username: &str, password: &str) -> TestResponse {
        self.log_in_with(username, password, None).await
    }

    /// Logs in with the second factor's code, where one is given.
    pub async fn log_in_with(
        &mut self,
        username: &str,
        password: &str,
        code: Option<&str>,
    ) -> TestResponse {
        let mut fields = vec![("username", username), ("password", password)];
        if let Some(c) = code {
            fields.push(("code", c));
        }
        self.post_form("/login", &fields).await
    }
}

/// Sends a request and keeps the body as bytes (files are not text).
pub async fn raw(app: &TestApp, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
    let resp = app.router.clone().oneshot(req).await.expect("a response");
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, headers, bytes.to_vec())
}

/// A session cookie and its CSRF token, as a browser holds them after logging in.
pub async fn session_cookie(app: &TestApp, username: &str) -> (String, String) {
    let s = app
        .services
        .login_session(username, PASSWORD, None, None)
        .await
        .expect("log in");
    (format!("xunshi_session={}", s.token), s.session.csrf_token)
}

/// A multipart form as a browser sends the pages' upload forms: the text `fields` in order
/// (the hidden `_csrf` and `_idem` first), then the part `file`.
pub fn multipart_form(fields: &[(&str, &str)], filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----xunshi-test-boundary";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Every `action` of a form in the page that carries a token in its query: none may, a secret
/// in an address stays in the address bar, the history and the logs.
pub fn actions_with_secrets(html: &str) -> Vec<String> {
    html.split("<form")
        .skip(1)
        .filter_map(|f| {
            let tag = &f[..f.find('>').unwrap_or(f.len())];
            let at = tag.find("action=\"")? + "action=\"".len();
            let action = &tag[at..at + tag[at..].find('"')?];
            (action.contains("_csrf") || action.contains("_idem")).then(|| action.to_owned())
        })
        .collect()
}

/// The body part of a `.docx`, read as an office suite's first step reads it: the zip archive's
/// `word/document.xml`.
pub fn document_xml(docx: &[u8]) -> String {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(docx)).expect("a .docx is a zip");
    let mut part = zip.by_name("word/document.xml").expect("the document part");
    let mut xml = String::new();
    part.read_to_string(&mut xml).expect("UTF-8 XML");
    xml
}
