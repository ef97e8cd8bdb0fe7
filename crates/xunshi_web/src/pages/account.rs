//! Logging in and out, changing one's password, one's API tokens.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;
use xunshi_core::CoreError;
use xunshi_core::user::User;

use super::{FormErrors, Frame, error_page, local_time, ok, render, see_other};
use crate::AppState;
use crate::auth::{
    LOGIN_CSRF_COOKIE, LoginAttempt, PageSession, PageUser, SESSION_COOKIE, cookie, is_secure,
};
use crate::http::next::safe_next;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/account", get(account_page))
        .route(
            "/account/password",
            get(password_page).post(change_password),
        )
        .route("/account/tokens", post(create_token))
        .route("/account/email", post(set_email))
        .route("/account/tokens/{id}/revoke", post(revoke_token))
}

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    pub frame: Frame,
    pub errors: FormErrors,
    pub username: String,
    pub next: String,
    /// The button of the organisation's identity provider, where people may sign on through it.
    pub sign_on: Option<String>,
}

impl LoginPage {
    /// The log-in page, with the identity provider's button where one is configured.
    pub(super) fn new(app: &AppState, frame: Frame, errors: FormErrors, next: String) -> Self {
        LoginPage {
            frame,
            errors,
            username: String::new(),
            next,
            sign_on: app.services.sign_on.as_ref().map(|s| s.label()),
        }
    }
}

#[derive(Deserialize)]
struct LoginQuery {
    next: Option<String>,
    notice: Option<String>,
}

async fn login_page(
    State(app): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    session: Option<axum::Extension<PageSession>>,
    Query(q): Query<LoginQuery>,
) -> Response {
    if session.is_some() {
        return Redirect::to(&safe_next(q.next.as_deref())).into_response();
    }
    let (jar, csrf) = login_csrf(&app, &headers, jar);
    let page = LoginPage::new(
        &app,
        Frame::public("登录", csrf).with_notice(q.notice.as_deref()),
        FormErrors::none(),
        safe_next(q.next.as_deref()),
    );
    (jar, ok(&page)).into_response()
}

/// The log-in page again, saying why no session was opened, with the name typed and the page
/// asked for.
pub(super) fn login_refused(
    app: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
    e: &CoreError,
    username: String,
    next: Option<&str>,
) -> Response {
    let (jar, csrf) = login_csrf(app, headers, jar);
    let page = LoginPage {
        username,
        ..LoginPage::new(
            app,
            Frame::public("登录", csrf),
            FormErrors::from_error(e),
            safe_next(next),
        )
    };
    (jar, render(crate::error::status_of(e), &page)).into_response()
}

/// The log-in form's CSRF token: kept in a cookie until a session takes over.
pub(super) fn login_csrf(
    app: &AppState,
    headers: &HeaderMap,
    jar: CookieJar,
) -> (CookieJar, String) {
    if let Some(c) = jar.get(LOGIN_CSRF_COOKIE).filter(|c| !c.value().is_empty()) {
        let v = c.value().to_owned();
        return (jar, v);
    }
    let token = app.services.secrets.random_token();
    let jar = jar.add(cookie(
        LOGIN_CSRF_COOKIE,
        token.clone(),
        is_secure(app, headers),
    ));
    (jar, token)
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    /// The second factor: a code of the app or a recovery code, where it is set up.
    #[serde(default)]
    code: String,
    next: Option<String>,
}

async fn login(
    State(app): State<AppState>,
    headers: HeaderMap,
    jar: CookieJar,
    LoginAttempt(ip): LoginAttempt,
    Form(f): Form<LoginForm>,
) -> Response {
    match app
        .services
        .login_session(&f.username, &f.password, Some(&f.code), ip)
        .await
    {
        Ok(ok) => {
            let secure = is_secure(&app, &headers);
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(cookie(SESSION_COOKIE, ok.token, secure));
            let target = if ok.user.must_change_password {
                "/account/password".to_owned()
            } else if ok.session.two_factor_pending {
                crate::auth::TWO_FACTOR_PAGE.to_owned()
            } else {
                safe_next(f.next.as_deref())
            };
            (jar, Redirect::to(&target)).into_response()
        }
        Err(e) => login_refused(&app, &headers, jar, &e, f.username, f.next.as_deref()),
    }
}

async fn logout(State(app): State<AppState>, jar: CookieJar, user: PageUser) -> Response {
    if let Err(e) = app.services.logout(&user.actor, &user.token).await {
        return error_page(&e, Some(&user.actor));
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/login?notice=logged_out")).into_response()
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    frame: Frame,
    errors: FormErrors,
    must_change: bool,
}

async fn password_page(State(app): State<AppState>, user: PageUser) -> Response {
    let page = PasswordPage {
        frame: Frame::new(&app, &user, "修改密码", "/account").await,
        errors: FormErrors::none(),
        must_change: user.user().must_change_password,
    };
    ok(&page)
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    /// The second factor, where it is set up (as at log-in).
    #[serde(default)]
    code: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    confirm: String,
}

async fn change_password(
    State(app): State<AppState>,
    jar: CookieJar,
    user: PageUser,
    LoginAttempt(ip): LoginAttempt,
    Form(f): Form<PasswordForm>,
) -> Response {
    let result = if f.new_password != f.confirm {
        Err(CoreError::bad_input("confirm", "两次输入的新密码不一致"))
    } else {
        app.services
            .change_own_password(
                &user.user().username,
                &f.current_password,
                Some(&f.code),
                &f.new_password,
                ip,
            )
            .await
    };
    match result {
        Ok(()) => {
            // Every session of the account ended with the change; log in again with the new one.
            let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
            (jar, Redirect::to("/login?notice=password_changed")).into_response()
        }
        Err(e) => {
            let errors = match &e {
                CoreError::Unauthenticated(m) => FormErrors {
                    general: Some("请修改标红的项目后重新提交。".into()),
                    ..FormErrors::from_error(&CoreError::bad_input("current_password", m.clone()))
                },
                other => FormErrors::from_error(other),
            };
            let page = PasswordPage {
                frame: Frame::new(&app, &user, "修改密码", "/account").await,
                errors,
                must_change: user.user().must_change_password,
            };
            render(StatusCode::BAD_REQUEST, &page)
        }
    }
}

struct TokenRow {
    id: String,
    name: String,
    created: String,
    expires: String,
    last_used: String,
    active: bool,
    state: &'static str,
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    frame: Frame,
    user: User,
    tokens: Vec<TokenRow>,
    new_token: Option<String>,
    /// The person's e-mail address for messages (empty: none).
    email: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn account_page(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> Response {
    render_account(&app, &user, None, FormErrors::none(), q.notice.as_deref()).await
}

async fn render_account(
    app: &AppState,
    user: &PageUser,
    new_token: Option<String>,
    errors: FormErrors,
    notice: Option<&str>,
) -> Response {
    let tokens = match app.services.list_tokens(&user.actor).await {
        Ok(t) => t,
        Err(e) => return error_page(&e, Some(&user.actor)),
    };
    let now = app.services.now();
    let tokens = tokens
        .into_iter()
        .map(|t| {
            let state = if t.revoked_at.is_some() {
                "已吊销"
            } else if t.expires_at <= now {
                "已过期"
            } else {
                "有效"
            };
            TokenRow {
                id: t.id.to_string(),
                name: t.name,
                created: local_time(t.created_at),
                expires: local_time(t.expires_at),
                last_used: t.last_used_at.map(local_time).unwrap_or_else(|| "—".into()),
                active: state == "有效",
                state,
            }
        })
        .collect();
    let email = match app.services.user_email(&user.actor, user.user().id).await {
        Ok(e) => e.unwrap_or_default(),
        Err(e) => return error_page(&e, Some(&user.actor)),
    };
    let page = AccountPage {
        email,
        frame: Frame::new(app, user, "我的账号", "/account")
            .await
            .with_notice(notice),
        user: user.user().clone(),
        tokens,
        new_token,
        errors,
    };
    ok(&page)
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<TokenForm>,
) -> Response {
    match app.services.create_token(&user.actor, Some(&f.name)).await {
        Ok(issued) => {
            render_account(&app, &user, Some(issued.token), FormErrors::none(), None).await
        }
        Err(e) => render_account(&app, &user, None, FormErrors::from_error(&e), None).await,
    }
}

async fn revoke_token(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Response {
    let result = match id.parse() {
        Ok(id) => app.services.revoke_token(&user.actor, id).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => see_other("/account", "token"),
        Err(e) => error_page(&e, Some(&user.actor)),
    }
}

#[derive(Deserialize)]
struct EmailForm {
    #[serde(default)]
    email: String,
}

/// The person sets or clears their own e-mail address for messages.
async fn set_email(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<EmailForm>,
) -> Response {
    let id = user.user().id;
    match app.services.set_user_email(&user.actor, id, &f.email).await {
        Ok(_) => see_other("/account", "email_saved"),
        Err(e) => {
            let mut r = render_account(&app, &user, None, FormErrors::from_error(&e), None).await;
            *r.status_mut() = crate::error::status_of(&e);
            r
        }
    }
}
