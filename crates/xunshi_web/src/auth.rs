//! Who is asking: sessions and CSRF for the pages, bearer tokens for the API.
//!
//! Authentication happens here, at the edge; authorisation happens in the core services, which
//! receive the [`Actor`] built here.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use xunshi_core::permission::Actor;
use xunshi_core::user::User;

use crate::AppState;
use crate::error::ApiError;
use crate::http::Rejection;

pub const SESSION_COOKIE: &str = "xunshi_session";
/// Carries the CSRF token of the log-in form, before any session exists.
pub const LOGIN_CSRF_COOKIE: &str = "xunshi_login_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The client's address: the peer, or — when a trusted proxy stands in front — the address that
/// proxy saw, the *last* `X-Forwarded-For` hop. The hops before it are whatever the client
/// wrote: taking the first would let anyone pick the address their attempts are counted (and
/// locked out) against, the administrator's for instance.
pub fn client_ip(
    headers: &HeaderMap,
    ext: &axum::http::Extensions,
    trust_proxy: bool,
) -> Option<String> {
    if trust_proxy {
        let last = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|s| !s.is_empty());
        if let Some(last) = last.and_then(|s| s.parse::<std::net::IpAddr>().ok()) {
            return Some(last.to_string());
        }
    }
    ext.get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(a)| a.ip().to_string())
}

/// Whether cookies must be marked Secure: served over TLS, or behind a trusted proxy that says
/// the client used HTTPS.
pub fn is_secure(app: &AppState, headers: &HeaderMap) -> bool {
    app.config.tls
        || (app.config.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https")))
}

pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .build()
}

/// Compares secrets in time that does not depend on where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The session of the page request, resolved once by [`page_session`].
#[derive(Clone)]
pub struct PageSession {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    /// The second factor the office requires is not set up yet: only its page opens.
    pub two_factor_pending: bool,
}

/// Where a person sets up the second factor; the only page a session waiting for it opens.
pub const TWO_FACTOR_PAGE: &str = "/account/two-factor";

#[derive(serde::Deserialize, Default)]
struct CsrfOnly {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    /// The form's idempotency key (`http::idempotency`).
    #[serde(rename = "_idem")]
    idem: Option<String>,
    /// The body of a URL-encoded form, as read.
    #[serde(skip)]
    form: Option<axum::body::Bytes>,
}

/// Middleware of every page route: resolves the session cookie, and refuses any request that
/// changes something (anything but GET and HEAD) unless it carries the CSRF token of the
/// session — or, before log-in, of the log-in cookie. Being a layer, no handler can forget it.
pub async fn page_session(
    State(app): State<AppState>,
    jar: CookieJar,
    req: Request,
    next: Next,
) -> Response {
    // The public's intake (`/public/letters…`) has no session and no ambient authority: it
    // needs no account, a submission or a receipt code is all it acts on, and no cookie can
    // make it do more. So no session cookie is even read there (a writer logged in on the same
    // browser is not tied to the letter), no CSRF token is asked (there is none to forge), and
    // no idempotency key is recorded (it would be kept under an account).
    if is_public_intake(req.uri().path()) {
        return next.run(req).await;
    }
    let ip = client_ip(req.headers(), req.extensions(), app.config.trust_proxy);
    let mut session: Option<PageSession> = None;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        match app.services.resolve_session(c.value(), ip).await {
            Ok(Some((actor, s))) => {
                session = Some(PageSession {
                    actor,
                    csrf: s.csrf_token,
                    token: c.value().to_owned(),
                    two_factor_pending: s.two_factor_pending,
                })
            }
            Ok(None) => {}
            Err(e) => return crate::pages::error_page(&e, None),
        }
    }

    let (mut parts, body) = req.into_parts();
    let mut idem = None;
    let body = if matches!(parts.method, Method::GET | Method::HEAD) {
        body
    } else {
        let expected = session
            .as_ref()
            .map(|s| s.csrf.clone())
            .or_else(|| jar.get(LOGIN_CSRF_COOKIE).map(|c| c.value().to_owned()))
            .filter(|t| !t.is_empty());
        let (presented, body) = match presented_csrf(&parts, body, app.config.form_limit).await {
            Ok(v) => v,
            Err(resp) => return resp,
        };
        idem = presented.idem;
        let form = presented.form;
        let presented = presented.csrf;
        let ok = matches!((&expected, &presented), (Some(e), Some(p)) if same_secret(e, p));
        if !ok {
            tracing::warn!(path = %parts.uri.path(), "refused a form without a valid CSRF token");
            return crate::pages::message_page(
                StatusCode::FORBIDDEN,
                "请求已被拒绝",
                "表单已失效或来源不明（缺少有效的防伪令牌）。请返回上一页，刷新后重新提交。",
                session.as_ref().map(|s| &s.actor),
            );
        }
        // Asked before the idempotency key is looked at: the question creates nothing, and the
        // confirmed form comes back with the same key.
        if let (Some(form), Some(s)) = (&form, &session) {
            let action = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let referer = parts
                .headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok());
            if let Some(page) =
                crate::pages::confirmation(action, form, referer, Some(&s.actor), &s.csrf)
            {
                return page;
            }
        }
        body
    };
    let csrf = session.as_ref().map(|s| s.csrf.clone());
    // A form that creates something carries its idempotency key: the repeat of a key that
    // already made a record gets the first answer (`http::idempotency`).
    let mut tagged = None;
    if let (Some(s), Some(key)) = (session.as_mut(), idem) {
        let Some(tag) =
            crate::http::idempotency::tag(&key, parts.method.as_str(), parts.uri.path())
        else {
            return crate::pages::message_page(
                StatusCode::BAD_REQUEST,
                "请求无效",
                crate::http::idempotency::BAD_KEY,
                Some(&s.actor),
            );
        };
        s.actor = s.actor.clone().with_submission(tag);
        if let Some(first) = crate::http::idempotency::earlier(&app, &s.actor).await {
            return first;
        }
        tagged = Some(s.actor.clone());
    }
    if let Some(s) = session {
        parts.extensions.insert(s);
    }
    // Pages built far from the handler (error pages) still need the session's token for the
    // log-out form in their frame.
    let resp = SESSION_CSRF
        .scope(csrf, next.run(Request::from_parts(parts, body)))
        .await;
    match tagged {
        Some(actor) => crate::http::idempotency::settle(&app, &actor, resp).await,
        None => resp,
    }
}

/// The routes of the public's intake, left alone by [`page_session`].
fn is_public_intake(path: &str) -> bool {
    path == "/public/letters" || path.starts_with("/public/letters/")
}

tokio::task_local! {
    /// The CSRF token of the session serving the current page request, if any.
    static SESSION_CSRF: Option<String>;
}

/// The current request's session CSRF token, for frames built without a `PageUser` at hand.
pub fn current_csrf() -> String {
    SESSION_CSRF
        .try_with(|t| t.clone())
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// Finds the CSRF token and the idempotency key in the headers (`X-CSRF-Token`,
/// `Idempotency-Key`), a URL-encoded form body, or the text parts that open a multipart form.
/// Never in the query string: a token there stays in the address bar, the history and the
/// logs after a failed submit. The part of the body read (the whole of a URL-encoded form, up
/// to the form limit; the opening parts of a multipart form) is handed back for the handler.
async fn presented_csrf(
    parts: &Parts,
    body: Body,
    limit: usize,
) -> Result<(CsrfOnly, Body), Response> {
    let header_of = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let mut found = CsrfOnly {
        csrf: header_of(CSRF_HEADER),
        idem: header_of(crate::http::idempotency::HEADER),
        form: None,
    };
    let content_type = header_of(header::CONTENT_TYPE.as_str()).unwrap_or_default();
    if found.csrf.is_some() && found.idem.is_some() {
        return Ok((found, body));
    }
    if let Some(boundary) = multipart_boundary(&content_type) {
        let (from_body, body) = multipart_tokens(body, &boundary).await;
        found.csrf = found.csrf.or(from_body.csrf);
        found.idem = found.idem.or(from_body.idem);
        return Ok((found, body));
    }
    if !content_type.starts_with("application/x-www-form-urlencoded") {
        return Ok((found, body));
    }
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            return Err(crate::pages::message_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "提交内容过大",
                "表单内容超过了允许的大小。",
                None,
            ));
        }
    };
    let from_body = serde_urlencoded::from_bytes::<CsrfOnly>(&bytes).unwrap_or_default();
    found.csrf = found.csrf.or(from_body.csrf);
    found.idem = found.idem.or(from_body.idem);
    found.form = Some(bytes.clone());
    Ok((found, Body::from(bytes)))
}

/// The boundary of a `multipart/form-data` content type.
fn multipart_boundary(content_type: &str) -> Option<String> {
    let (kind, params) = content_type.split_once(';')?;
    if !kind.trim().eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
            .filter(|b| !b.is_empty())
    })
}

/// How much of a multipart form is read looking for the token: the hidden fields come first in
/// the page's upload forms, so this is only framing and two short values.
const MULTIPART_TOKEN_WINDOW: usize = 16 * 1024;

/// Reads the opening text parts of a multipart form for `_csrf` and `_idem`, stopping at the
/// first file part: the token is checked before any uploaded byte is read, so a form without
/// one is refused without receiving its file. The bytes read are put back in front of the rest
/// of the body for the handler's multipart reader.
async fn multipart_tokens(body: Body, boundary: &str) -> (CsrfOnly, Body) {
    use http_body_util::BodyExt;
    let mut rest = body;
    let mut seen: Vec<u8> = Vec::new();
    let found = loop {
        let scan = scan_multipart(&seen, boundary);
        if scan.finished || seen.len() >= MULTIPART_TOKEN_WINDOW {
            break scan.tokens;
        }
        match rest.frame().await {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    seen.extend_from_slice(&data);
                }
            }
            // A body cut short or unreadable: the handler's reader reports it, if the token
            // was found in time to reach it.
            Some(Err(_)) | None => break scan.tokens,
        }
    };
    (found, Prefixed::body(seen.into(), rest))
}

struct MultipartScan {
    tokens: CsrfOnly,
    /// Nothing more can be learnt: both found, a file part reached, or the end of the form.
    finished: bool,
}

/// Looks through the multipart bytes read so far. A part whose value is not wholly there yet
/// is left for the next look.
fn scan_multipart(bytes: &[u8], boundary: &str) -> MultipartScan {
    let delimiter = format!("--{boundary}");
    let mut tokens = CsrfOnly::default();
    let unfinished = |tokens| MultipartScan {
        tokens,
        finished: false,
    };
    let Some(mut at) = find(bytes, delimiter.as_bytes(), 0) else {
        return unfinished(tokens);
    };
    loop {
        let after = at + delimiter.len();
        match bytes.get(after..after + 2) {
            None => return unfinished(tokens),
            Some(b"--") => {
                return MultipartScan {
                    tokens,
                    finished: true,
                };
            }
            Some(_) => {}
        }
        let Some(head_end) = find(bytes, b"\r\n\r\n", after) else {
            return unfinished(tokens);
        };
        let head = String::from_utf8_lossy(&bytes[after..head_end]).to_ascii_lowercase();
        let disposition = head
            .lines()
            .find(|l| l.trim_start().starts_with("content-disposition:"))
            .unwrap_or_default()
            .to_owned();
        if disposition.contains("filename=") {
            return MultipartScan {
                tokens,
                finished: true,
            };
        }
        let value_start = head_end + 4;
        let closing = format!("\r\n{delimiter}");
        let Some(value_end) = find(bytes, closing.as_bytes(), value_start) else {
            return unfinished(tokens);
        };
        let value = std::str::from_utf8(&bytes[value_start..value_end])
            .ok()
            .map(str::to_owned);
        if disposition.contains("name=\"_csrf\"") {
            tokens.csrf = tokens.csrf.or(value);
        } else if disposition.contains("name=\"_idem\"") {
            tokens.idem = tokens.idem.or(value);
        }
        if tokens.csrf.is_some() && tokens.idem.is_some() {
            return MultipartScan {
                tokens,
                finished: true,
            };
        }
        at = value_end + 2;
    }
}

fn find(haystack: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    haystack
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|i| i + from)
}

/// A body whose first bytes were already read: those, then the rest.
struct Prefixed {
    prefix: Option<axum::body::Bytes>,
    rest: Body,
}

impl Prefixed {
    fn body(prefix: axum::body::Bytes, rest: Body) -> Body {
        Body::new(Prefixed {
            prefix: Some(prefix).filter(|p| !p.is_empty()),
            rest,
        })
    }
}

impl http_body::Body for Prefixed {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let this = self.get_mut();
        if let Some(p) = this.prefix.take() {
            return std::task::Poll::Ready(Some(Ok(http_body::Frame::data(p))));
        }
        std::pin::Pin::new(&mut this.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.rest.is_end_stream()
    }
}

/// A logged-in person on a page. Without a session the request is sent to the log-in page;
/// with a password still to change, to the password page.
pub struct PageUser {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
}

impl PageUser {
    pub fn user(&self) -> &User {
        self.actor
            .as_user()
            .expect("a page session always belongs to a user")
    }
}

impl FromRequestParts<AppState> for PageUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        let Some(s) = parts.extensions.get::<PageSession>().cloned() else {
            let next = parts
                .uri
                .path_and_query()
                .map(|p| p.as_str())
                .unwrap_or("/");
            let target = format!("/login?next={}", urlencode(next));
            return Err(Redirect::to(&target).into_response());
        };
        let path = parts.uri.path();
        let must_change = s.actor.as_user().is_some_and(|u| u.must_change_password);
        if must_change && path != "/account/password" && path != "/logout" {
            return Err(Redirect::to("/account/password").into_response());
        }
        if s.two_factor_pending && !path.starts_with(TWO_FACTOR_PAGE) && path != "/logout" {
            return Err(Redirect::to(TWO_FACTOR_PAGE).into_response());
        }
        Ok(PageUser {
            actor: s.actor,
            csrf: s.csrf,
            token: s.token,
        })
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|e| e.trim_start_matches('=').to_owned())
        .unwrap_or_default()
}

/// A caller of the API, identified by `Authorization: Bearer <token>`.
pub struct ApiUser(pub Actor);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // The middleware of keyed calls has resolved the token already.
        if let Some(ApiCaller(actor)) = parts.extensions.get::<ApiCaller>() {
            return Ok(ApiUser(actor.clone()));
        }
        let ip = client_ip(&parts.headers, &parts.extensions, app.config.trust_proxy);
        let Some(token) = bearer(&parts.headers) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌（POST /api/v1/auth/token 获取）",
            ));
        };
        match app.services.resolve_token(token, ip).await? {
            Some(actor) => Ok(ApiUser(actor)),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "unauthenticated",
                "访问令牌无效、已过期或已吊销",
            )),
        }
    }
}

/// The bearer token of `Authorization`, if one is given.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The caller of a keyed API call, resolved (with the call's idempotency key) by
/// [`api_submissions`] for [`ApiUser`].
#[derive(Clone)]
struct ApiCaller(Actor);

/// Middleware of the API: a call that changes something and sends `Idempotency-Key` is tagged
/// with it, and a repeat of a key that already made a record gets the first answer (the same
/// status and JSON) instead of a second record (`http::idempotency`). Without the header, or
/// without a valid token (the handler then answers 401), the call passes untouched.
pub async fn api_submissions(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let Some(key) = req
        .headers()
        .get(crate::http::idempotency::HEADER)
        .map(|v| v.to_str().unwrap_or("\u{0}").to_owned())
    else {
        return next.run(req).await;
    };
    let Some(tag) = crate::http::idempotency::tag(&key, req.method().as_str(), req.uri().path())
    else {
        return Rejection::field("Idempotency-Key", crate::http::idempotency::BAD_KEY)
            .into_response();
    };
    let ip = client_ip(req.headers(), req.extensions(), app.config.trust_proxy);
    let actor = match bearer(req.headers()) {
        Some(token) => match app.services.resolve_token(token, ip).await {
            Ok(Some(actor)) => actor.with_submission(tag),
            Ok(None) => return next.run(req).await,
            Err(e) => return ApiError::from(e).into_response(),
        },
        None => return next.run(req).await,
    };
    if let Some(first) = crate::http::idempotency::earlier(&app, &actor).await {
        return first;
    }
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(ApiCaller(actor.clone()));
    let resp = next.run(Request::from_parts(parts, body)).await;
    crate::http::idempotency::settle(&app, &actor, resp).await
}

/// A log-in attempt (a password to check) that the throttles let through, with the client
/// address the services record. Over the rate of this instance or of its address (counted by
/// every instance together), the request is refused with 429 and `Retry-After` before any
/// password is checked.
pub struct LoginAttempt(pub Option<String>);

impl FromRequestParts<AppState> for LoginAttempt {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Rejection> {
        let ip = client_ip(&parts.headers, &parts.extensions, app.config.trust_proxy);
        app.login_throttle.check(ip.as_deref())?;
        let wait = app
            .services
            .admit_login_attempt(ip.as_deref(), app.config.login_per_address_per_minute)
            .await
            .map_err(Rejection::from)?;
        if let Some(secs) = wait {
            return Err(crate::http::throttle::refused(
                "登录尝试",
                std::time::Duration::from_secs(secs),
            ));
        }
        Ok(LoginAttempt(ip))
    }
}

/// A request of the public's intake (a letter, a look-up by receipt code), counted against the
/// intake's brake before anything is read or stored. It keeps nothing of the client: the
/// address only feeds the throttle, which holds a salted hash of it in memory.
pub struct PublicAttempt;

impl FromRequestParts<AppState> for PublicAttempt {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Rejection> {
        let ip = client_ip(&parts.headers, &parts.extensions, app.config.trust_proxy);
        app.public_throttle.check(ip.as_deref())?;
        Ok(PublicAttempt)
    }
}

/// The client address for services that record it but need no user.
pub struct ClientIp(pub Option<String>);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        app: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(
            &parts.headers,
            &parts.extensions,
            app.config.trust_proxy,
        )))
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for PageUser {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts
            .extensions
            .get::<PageSession>()
            .cloned()
            .map(|s| PageUser {
                actor: s.actor,
                csrf: s.csrf,
                token: s.token,
            }))
    }
}
