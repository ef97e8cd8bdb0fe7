//! The second factor of log-in on the pages: one's own setting up, confirming and turning off
//! (我的账号 → 两步验证), the office's requirement (系统管理 → 登录安全), and an
//! administrator's reset of someone who lost their phone. All decided by
//! `service/two_factor.rs`.

use crate::http::{Form, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::CoreError;
use xunshi_core::service::TwoFactorStatus;

use super::{FormErrors, Frame, OrPage, PageResult, ok, render, see_other};
use crate::AppState;
use crate::auth::{PageUser, TWO_FACTOR_PAGE};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(TWO_FACTOR_PAGE, get(page))
        .route("/account/two-factor/begin", post(begin))
        .route("/account/two-factor/confirm", post(confirm))
        .route("/account/two-factor/disable", post(disable))
        .route("/system/security", get(security).post(set_security))
}

#[derive(Template)]
#[template(path = "two_factor.html")]
struct TwoFactorPage {
    frame: Frame,
    status: TwoFactorStatus,
    /// The recovery codes, on the one page that shows them, right after confirming.
    recovery: Vec<String>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct Params {
    notice: Option<String>,
}

async fn show(
    app: &AppState,
    user: &PageUser,
    notice: Option<&str>,
    recovery: Vec<String>,
    error: Option<CoreError>,
) -> PageResult {
    let status = app
        .services
        .two_factor_status(&user.actor)
        .await
        .or_page(&user.actor)?;
    let code = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = TwoFactorPage {
        frame: Frame::new(app, user, "两步验证", "/account")
            .await
            .with_notice(notice),
        status,
        recovery,
        errors: error
            .as_ref()
            .map(FormErrors::from_error)
            .unwrap_or_default(),
    };
    Ok(render(code, &page))
}

async fn page(State(app): State<AppState>, user: PageUser, Query(p): Query<Params>) -> PageResult {
    show(&app, &user, p.notice.as_deref(), Vec::new(), None).await
}

async fn begin(State(app): State<AppState>, user: PageUser) -> PageResult {
    app.services
        .begin_two_factor(&user.actor)
        .await
        .or_page(&user.actor)?;
    Ok(see_other(TWO_FACTOR_PAGE, "two_factor_begun"))
}

#[derive(Deserialize)]
struct CodeForm {
    #[serde(default)]
    code: String,
}

async fn confirm(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<CodeForm>,
) -> PageResult {
    match app.services.confirm_two_factor(&user.actor, &f.code).await {
        Ok(codes) => show(&app, &user, Some("two_factor_enabled"), codes, None).await,
        Err(e @ (CoreError::BadInput(_) | CoreError::Unfit(_))) => {
            show(&app, &user, None, Vec::new(), Some(e)).await
        }
        Err(e) => Err(e).or_page(&user.actor),
    }
}

async fn disable(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<CodeForm>,
) -> PageResult {
    match app.services.disable_two_factor(&user.actor, &f.code).await {
        Ok(()) => Ok(see_other(TWO_FACTOR_PAGE, "two_factor_disabled")),
        Err(e @ (CoreError::BadInput(_) | CoreError::Unfit(_))) => {
            show(&app, &user, None, Vec::new(), Some(e)).await
        }
        Err(e) => Err(e).or_page(&user.actor),
    }
}

#[derive(Template)]
#[template(path = "security.html")]
struct SecurityPage {
    frame: Frame,
    required: bool,
}

async fn security(
    State(app): State<AppState>,
    user: PageUser,
    Query(p): Query<Params>,
) -> PageResult {
    let required = app
        .services
        .two_factor_required(&user.actor)
        .await
        .or_page(&user.actor)?;
    Ok(ok(&SecurityPage {
        frame: Frame::new(&app, &user, "登录安全", "/system/security")
            .await
            .with_notice(p.notice.as_deref()),
        required,
    }))
}

#[derive(Deserialize)]
struct SecurityForm {
    /// `1` to require the second factor; absent (an unticked box) not to.
    #[serde(default)]
    two_factor_required: Option<String>,
}

async fn set_security(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<SecurityForm>,
) -> PageResult {
    let required = match f.two_factor_required.as_deref() {
        None | Some("") => false,
        Some("1") => true,
        Some(other) => {
            return Err(CoreError::bad_input(
                "two_factor_required",
                format!("“{other}”不是有效的选项"),
            ))
            .or_page(&user.actor);
        }
    };
    app.services
        .set_two_factor_required(&user.actor, required)
        .await
        .or_page(&user.actor)?;
    Ok(see_other("/system/security", "saved"))
}
