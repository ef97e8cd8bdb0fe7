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
}

#[derive(serde::Deserialize, Default)]
struct CsrfOnly {
    #[serde(rename = "_csrf")]
    csrf: Option<String>,
    /// The form's idempotency key (`http::idempotency`).
    #[serde(rename = "_idem")]
    idem: Option<String>,
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
    let ip = client_ip(req.headers(), req.extensions(), app.config.trust_proxy);
    let mut session: Option<PageSession> = None;
    if let Some(c) = jar.get(SESSION_COOKIE) {
        match app.services.resolve_session(c.value(), ip).await {
            Ok(Some((actor, s))) => {
                session = Some(PageSession {
                    actor,
                    csrf: s.csrf_token,
                    token: c.value().to_owned(),
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
/// `Idempotency-Key`), the query string, or a URL-encoded form body. The body is read (up to
/// the form limit) and handed back for the handler.
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
    };
    if let Some(q) = parts.uri.query()
        && let Ok(from_query) = serde_urlencoded::from_str::<CsrfOnly>(q)
    {
        found.csrf = found.csrf.or(from_query.csrf);
        found.idem = found.idem.or(from_query.idem);
    }
    let is_form = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    if !is_form || (found.csrf.is_some() && found.idem.is_some()) {
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
    Ok((found, Body::from(bytes)))
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
        let must_change = s.actor.as_user().is_some_and(|u| u.must_change_password);
        if must_change && parts.uri.path() != "/account/password" && parts.uri.path() != "/logout" {
            return Err(Redirect::to("/account/password").into_response());
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

/// A log-in attempt (a password to check) that the throttle let through, with the client
/// address the services record. Over the rate of its address or of the instance, the request is
/// refused with 429 and `Retry-After` before any password is checked.
pub struct LoginAttempt(pub Option<String>);

impl FromRequestParts<AppState> for LoginAttempt {
    type Rejection = Rejection;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self, Rejection> {
        let ip = client_ip(&parts.headers, &parts.extensions, app.config.trust_proxy);
        app.login_throttle.check(ip.as_deref())?;
        Ok(LoginAttempt(ip))
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
