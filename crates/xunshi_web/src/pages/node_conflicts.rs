//! 离线节点冲突: the records a team's node and the office both changed, as the import of the
//! node's work kept them, column by column, each decided once — the office's row kept, or the
//! node's taken. The decision reads `keep` as the command does (`Keep::parse`).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::service::NodeDecision;
use xunshi_core::store::NodeConflict;
use xunshi_core::store::node::table_label;
use xunshi_core::{CoreError, Id};

use super::{Frame, OrPage, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::NodeConflictQuery;
use crate::http::{Form, Path, Query};

const PATH: &str = "/node-conflicts";

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/node-conflicts/{id}/decision", post(decide))
}

/// One column the two sides hold differently.
struct Difference {
    column: String,
    office: String,
    node: String,
}

struct ConflictRow {
    c: NodeConflict,
    label: &'static str,
    team_name: String,
    imported_at: String,
    decided_at: String,
    differences: Vec<Difference>,
}

#[derive(Template)]
#[template(path = "node_conflicts.html")]
struct ConflictsPage {
    frame: Frame,
    inspection: Option<Id>,
    waiting: Vec<ConflictRow>,
    decided: Vec<ConflictRow>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    #[serde(flatten)]
    filter: NodeConflictQuery,
    notice: Option<String>,
}

/// A value as the page shows it: text as it is, a sealed field never.
fn shown(column: &str, v: &serde_json::Value) -> String {
    if column.ends_with("_sealed") {
        return "（密封内容，不显示）".to_owned();
    }
    match v {
        serde_json::Value::Null => "（空）".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn row(c: NodeConflict, team_name: String) -> ConflictRow {
    let differences = c
        .columns
        .iter()
        .enumerate()
        .filter(|(i, _)| c.office_row.get(*i) != c.node_row.get(*i))
        .map(|(i, col)| Difference {
            column: col.clone(),
            office: c
                .office_row
                .get(i)
                .map(|v| shown(col, v))
                .unwrap_or_default(),
            node: c.node_row.get(i).map(|v| shown(col, v)).unwrap_or_default(),
        })
        .collect();
    ConflictRow {
        label: table_label(&c.table),
        team_name,
        imported_at: local_time(c.imported_at),
        decided_at: c.decided_at.map(local_time).unwrap_or_default(),
        differences,
        c,
    }
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let (inspection, _) = q.filter.request().or_page(&user.actor)?;
    page(&app, &user, inspection, q.notice.as_deref(), None).await
}

async fn page(
    app: &AppState,
    user: &PageUser,
    inspection: Option<Id>,
    notice: Option<&str>,
    error: Option<CoreError>,
) -> PageResult {
    let actor = &user.actor;
    let all = app
        .services
        .node_conflicts(actor, inspection, false)
        .await
        .or_page(actor)?;
    let (mut waiting, mut decided) = (Vec::new(), Vec::new());
    // The team's name of each inspection, read once however many of its records conflict.
    let mut teams: std::collections::HashMap<Id, String> = std::collections::HashMap::new();
    for c in all {
        let undecided = c.decision.is_none();
        let team_name = match teams.get(&c.inspection_id) {
            Some(name) => name.clone(),
            None => {
                let name = match app.services.get_inspection(actor, c.inspection_id).await {
                    Ok((insp, _)) => insp.team_name,
                    Err(_) => c.inspection_id.to_string(),
                };
                teams.insert(c.inspection_id, name.clone());
                name
            }
        };
        let r = row(c, team_name);
        if undecided {
            waiting.push(r);
        } else {
            decided.push(r);
        }
    }
    let status = error
        .as_ref()
        .map_or(StatusCode::OK, crate::error::status_of);
    let page = ConflictsPage {
        frame: Frame::new(app, user, "离线节点冲突", PATH)
            .await
            .with_notice(notice)
            .with_error(error.as_ref()),
        inspection,
        waiting,
        decided,
    };
    Ok(render(status, &page))
}

async fn decide(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(d): Form<NodeDecision>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "离线节点冲突").or_page(actor)?;
    let done = match d.keep() {
        Ok(keep) => app.services.resolve_node_conflict(actor, id, keep).await,
        Err(e) => Err(e),
    };
    match done {
        Ok(_) => Ok(see_other(PATH, "node_conflict_decided")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => page(&app, &user, None, None, Some(e)).await,
    }
}
