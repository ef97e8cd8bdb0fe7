//! The page of a deadline that moved when a year's holiday arrangement was entered: what it
//! was and what it is now, and the form by which the unit's principal or liaison takes note of
//! it (the item then leaves the unit's 工作台).

use crate::http::Path;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use xunshi_core::Id;
use xunshi_core::calendar::Reckoned;

use super::{Frame, OrPage, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/deadline-changes/{id}", get(show))
        .route("/deadline-changes/{id}/acknowledge", post(acknowledge))
}

#[derive(Template)]
#[template(path = "deadline_change.html")]
struct ChangePage {
    frame: Frame,
    id: String,
    inspection_id: String,
    clock: &'static str,
    feedback: String,
    year: i16,
    /// The date, and why it is provisional (empty when it stands).
    before: (String, String),
    after: (String, String),
    changed: String,
    acknowledged: Option<String>,
    may_acknowledge: bool,
}

fn shown(r: &Reckoned) -> (String, String) {
    (
        r.date.to_string(),
        r.provisional.clone().unwrap_or_default(),
    )
}

async fn show(State(app): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "期限调整通知").or_page(actor)?;
    let c = app
        .services
        .deadline_change(actor, id)
        .await
        .or_page(actor)?;
    let page = ChangePage {
        frame: Frame::new(&app, &user, "整改期限调整", "/").await,
        id: c.id.to_string(),
        inspection_id: c.inspection_id.to_string(),
        clock: c.clock.label(),
        feedback: c.feedback.to_string(),
        year: c.year,
        before: shown(&c.before),
        after: shown(&c.after),
        changed: local_time(c.changed_at),
        acknowledged: c.acknowledged_at.map(local_time),
        may_acknowledge: c.acknowledged_at.is_none()
            && app.services.may_acknowledge_deadline_change(actor, &c),
    };
    Ok(render(StatusCode::OK, &page))
}

/// The form carries nothing but the CSRF token and the submission key, both read by the edge.
async fn acknowledge(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "期限调整通知").or_page(actor)?;
    app.services
        .acknowledge_deadline_change(actor, id)
        .await
        .or_page(actor)?;
    Ok(see_other("/", "acknowledged"))
}
