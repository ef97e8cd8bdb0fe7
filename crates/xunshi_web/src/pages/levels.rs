//! The inspection work by level (分级汇总): each committee that sends inspections, in the
//! tree's order, with its inspections by stage and its ledgers' tasks. A committee's figures
//! open its inspection list and its ledger where the reader may read it; an upper level reads a lower one's
//! in aggregate (`Services::levels` decides both).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use xunshi_core::service::LevelRow;

use super::{Frame, OrPage, PageResult, ok};
use crate::AppState;
use crate::auth::PageUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/levels", get(show))
}

struct Line {
    row: LevelRow,
    /// The committee's inspection list, where the reader may open it.
    href: Option<String>,
    /// Its ledger, where the reader may open it (the tasks of the same inspections).
    ledger: Option<String>,
    percent: String,
}

#[derive(Template)]
#[template(path = "levels.html")]
struct LevelsPage {
    frame: Frame,
    lines: Vec<Line>,
}

async fn show(State(app): State<AppState>, user: PageUser) -> PageResult {
    let actor = &user.actor;
    let levels = app.services.levels(actor).await.or_page(actor)?;
    let lines = levels
        .rows
        .into_iter()
        .map(|row| Line {
            href: row
                .opens
                .then(|| format!("/inspections?dispatcher_id={}", row.committee_id)),
            ledger: row
                .opens
                .then(|| format!("/rectification/tasks?dispatcher_id={}", row.committee_id)),
            percent: if row.tasks == 0 {
                "—".to_owned()
            } else {
                format!("{:.1}%", row.closed as f64 * 100.0 / row.tasks as f64)
            },
            row,
        })
        .collect();
    let page = LevelsPage {
        frame: Frame::new(&app, &user, "分级汇总", "/levels").await,
        lines,
    };
    Ok(ok(&page))
}
