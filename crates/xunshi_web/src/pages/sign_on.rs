//! Signing on through the organisation's identity provider (统一身份认证): the log-in page's
//! button sends the browser there, the provider sends it back to `/login/sso/callback`, and
//! where the account has a second factor its code is asked for before the session opens. The
//! services decide everything (`Services::sign_on_*`); this module carries the state between
//! the browser's requests in a cookie of its own.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::Deserialize;
use xunshi_core::CoreError;
use xunshi_core::service::SignOnOutcome;
use xunshi_core::sign_on::{ProviderAnswer, SIGN_ON_MINUTES};

use super::account::{login_csrf, login_refused};
use super::{FormErrors, Frame, error_page, ok, render};
use crate::AppState;
use crate::auth::{
    ClientIp, LOGIN_CSRF_COOKIE, LoginAttempt, SESSION_COOKIE, TWO_FACTOR_PAGE, cookie, is_secure,
};
use crate::http::next::safe_next;
use crate::http::{Form, Query};

/// The state of a sign-on under way, kept by the browser from leaving for the provider until
/// the session opens.
const SIGN_ON_COOKIE: &str = "xunshi_sign_on";
/// Sent only to the sign-on's own routes.
const SIGN_ON_PATH: &str = "/login/sso";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login/sso", get(start))
        .route("/login/sso/callback", get(callback))
        .route(
            "/login/sso/code",
            get(|| async { Redirect::to("/login") }).post(second_factor),
        )
}

/// The sign-on's cookie. `Lax`, unlike the session's: the provider's redirect back is a
/// navigation another site began, on which a `Strict` cookie would not be sent. It lasts as
/// long as the browser; the sign-on it names expires in the database.
fn sign_on_cookie(state: String, secure: bool) -> Cookie<'static> {
    Cookie::build((SIGN_ON_COOKIE, state))
        .path(SIGN_ON_PATH)
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

fn forget_sign_on(jar: CookieJar) -> CookieJar {
    jar.remove(Cookie::build(SIGN_ON_COOKIE).path(SIGN_ON_PATH))
}

#[derive(Deserialize)]
struct StartQuery {
    next: Option<String>,
}

async fn start(
    State(app): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    Query(q): Query<StartQuery>,
) -> Response {
    let next = safe_next(q.next.as_deref());
    match app.services.sign_on_start(&next).await {
        Ok((url, state)) => {
            let jar = jar.add(sign_on_cookie(state, is_secure(&app, &headers)));
            (jar, Redirect::to(&url)).into_response()
        }
        Err(e @ CoreError::NotFound(_)) => error_page(&e, None),
        Err(e) => login_refused(&app, &headers, jar, &e, String::new(), None),
    }
}

#[derive(Deserialize)]
struct CallbackQuery {
    state: Option<String>,
    code: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

async fn callback(
    State(app): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    Query(q): Query<CallbackQuery>,
) -> Response {
    let kept = jar.get(SIGN_ON_COOKIE).map(|c| c.value().to_owned());
    let answer = ProviderAnswer {
        state: q.state,
        code: q.code,
        error: q.error,
        error_description: q.error_description,
    };
    let outcome = app
        .services
        .sign_on_finish(kept.as_deref(), answer, ip)
        .await;
    settle(&app, &headers, jar, outcome)
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn second_factor(
    State(app): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    LoginAttempt(ip): LoginAttempt,
    Form(f): Form<CodeForm>,
) -> Response {
    let kept = jar.get(SIGN_ON_COOKIE).map(|c| c.value().to_owned());
    let outcome = app
        .services
        .sign_on_second_factor(kept.as_deref(), &f.code, ip)
        .await;
    match outcome {
        // An empty form: asked again, nothing counted.
        Err(e @ CoreError::BadInput(_)) => code_page(&app, &headers, jar, Some(&e)),
        other => settle(&app, &headers, jar, other),
    }
}

#[derive(Template)]
#[template(path = "sign_on_code.html")]
struct CodePage {
    frame: Frame,
    errors: FormErrors,
    minutes: i64,
}

fn code_page(
    app: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    e: Option<&CoreError>,
) -> Response {
    let (jar, csrf) = login_csrf(app, headers, jar);
    let page = CodePage {
        frame: Frame::public("两步验证", csrf),
        errors: e.map_or_else(FormErrors::none, FormErrors::from_error),
        minutes: SIGN_ON_MINUTES,
    };
    let status = e.map_or(axum::http::StatusCode::OK, crate::error::status_of);
    (jar, render(status, &page)).into_response()
}

#[derive(Template)]
#[template(path = "sign_on_done.html")]
struct DonePage {
    next: String,
}

/// Where a sign-on ended: the session opened (and the page it leads to), the second factor's
/// form, or the log-in page saying why not.
fn settle(
    app: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    outcome: xunshi_core::Result<SignOnOutcome>,
) -> Response {
    match outcome {
        Ok(SignOnOutcome::Session { session, next }) => {
            let jar = forget_sign_on(jar)
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(cookie(
                    SESSION_COOKIE,
                    session.token,
                    is_secure(app, headers),
                ));
            let next = if session.session.two_factor_pending {
                TWO_FACTOR_PAGE.to_owned()
            } else {
                safe_next(Some(&next))
            };
            (jar, ok(&DonePage { next })).into_response()
        }
        // A wrong code may be given again while the sign-on lasts: the same form, saying so.
        Ok(SignOnOutcome::SecondFactor { refused }) => {
            code_page(app, headers, jar, refused.as_ref())
        }
        Err(e) => login_refused(app, headers, forget_sign_on(jar), &e, String::new(), None),
    }
}
