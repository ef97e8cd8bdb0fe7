//! 档案保管与销毁: the periods of archived fieldwork materials, the inspections holding records
//! past them, and the disposals waiting for a second office user, with the history of those
//! decided. The forms send what the API sends, read into the same core structs.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::permission::Actor;
use xunshi_core::retention::{
    DisposableRecord, Disposal, DisposalDecision, DisposalProposal, DisposalStatus, DueForDisposal,
    RetentionChange, RetentionRule, disposable,
};
use xunshi_core::{CoreError, Id};

use super::{Frame, OrPage, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::DueQuery;
use crate::http::{Form, Path, Query};

const PATH: &str = "/archive/retention";
/// How many decided disposals the page shows, newest last; the API pages through all.
const HISTORY: u32 = 20;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(PATH, get(show))
        .route("/archive/retention/{id}/{kind}", get(records))
        .route("/archive/retention/rules/{kind}", post(set_rule))
        .route("/archive/disposals", post(propose))
        .route("/archive/disposals/{id}/decision", post(decide))
}

/// A disposal as a row of the page.
struct DisposalRow {
    d: Disposal,
    proposed_at: String,
    decided_at: String,
    /// Whether the person looking may decide it: not their own.
    may_decide: bool,
    files: usize,
}

#[derive(Template)]
#[template(path = "retention.html")]
struct RetentionPage {
    frame: Frame,
    rules: Vec<(RetentionRule, String)>,
    due: Vec<DueForDisposal>,
    next_cursor: Option<String>,
    waiting: Vec<DisposalRow>,
    decided: Vec<DisposalRow>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    cursor: Option<String>,
    limit: Option<u32>,
    notice: Option<String>,
}

fn row(actor: &Actor, d: Disposal) -> DisposalRow {
    DisposalRow {
        proposed_at: local_time(d.proposed_at),
        decided_at: d.decided_at.map(local_time).unwrap_or_default(),
        may_decide: d.status == DisposalStatus::Proposed && actor.user_id() != Some(d.proposed_by),
        files: d.gone.iter().filter(|g| g.table == "file").count(),
        d,
    }
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    page(&app, &user, &q, None).await
}

/// The page, with `error` on top when a form was refused.
async fn page(
    app: &AppState,
    user: &PageUser,
    q: &ShowQuery,
    error: Option<CoreError>,
) -> PageResult {
    let actor = &user.actor;
    let due_page = DueQuery {
        cursor: q.cursor.clone(),
        limit: q.limit,
    };
    let rules = app.services.retention_rules(actor).await.or_page(actor)?;
    let due = app
        .services
        .due_for_disposal(actor, due_page.request().or_page(actor)?)
        .await
        .or_page(actor)?;
    let waiting = app
        .services
        .disposals(
            actor,
            Some(DisposalStatus::Proposed),
            None,
            xunshi_core::page::PageRequest::first(xunshi_core::page::MAX_LIMIT),
        )
        .await
        .or_page(actor)?;
    let mut decided = Vec::new();
    for status in [DisposalStatus::Done, DisposalStatus::Rejected] {
        let p = app
            .services
            .disposals(
                actor,
                Some(status),
                None,
                xunshi_core::page::PageRequest::first(HISTORY),
            )
            .await
            .or_page(actor)?;
        decided.extend(p.items);
    }
    decided.sort_by_key(|d| d.decided_at);
    let status = error
        .as_ref()
        .map_or(StatusCode::OK, crate::error::status_of);
    let page = RetentionPage {
        frame: Frame::new(app, user, "档案保管与销毁", PATH)
            .await
            .with_notice(q.notice.as_deref())
            .with_error(error.as_ref()),
        rules: rules
            .into_iter()
            .map(|r| {
                let at = r
                    .updated_at
                    .map_or_else(|| "初始设定".to_owned(), local_time);
                (r, at)
            })
            .collect(),
        due: due.items,
        next_cursor: due.next_cursor,
        waiting: waiting.items.into_iter().map(|d| row(actor, d)).collect(),
        decided: decided.into_iter().map(|d| row(actor, d)).collect(),
    };
    Ok(render(status, &page))
}

#[derive(Template)]
#[template(path = "retention_records.html")]
struct RecordsPage {
    frame: Frame,
    inspection_id: Id,
    team_name: String,
    kind: String,
    label: &'static str,
    rows: Vec<DisposableRecord>,
    total: i64,
    next_cursor: Option<String>,
}

/// One kind of an archived inspection's records, each with a form to propose it alone for
/// disposal; the proposal goes where the whole kind's goes.
async fn records(
    State(app): State<AppState>,
    user: PageUser,
    Path((id, kind)): Path<(String, String)>,
    Query(q): Query<DueQuery>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let label = disposable(&kind).or_page(actor)?;
    let list = app
        .services
        .disposable_records(actor, id, &kind, q.request().or_page(actor)?)
        .await
        .or_page(actor)?;
    let (insp, _) = app
        .services
        .get_inspection(actor, id)
        .await
        .or_page(actor)?;
    let page = RecordsPage {
        frame: Frame::new(&app, &user, "逐件销毁", PATH).await,
        inspection_id: id,
        team_name: insp.team_name,
        kind,
        label,
        total: list.total.unwrap_or(0),
        next_cursor: list.next_cursor,
        rows: list.items,
    };
    Ok(render(StatusCode::OK, &page))
}

/// A refused form: the page again with the reason on top; a refusal of the person shown as
/// the error page.
async fn refused(app: &AppState, user: &PageUser, e: CoreError) -> PageResult {
    if matches!(e, CoreError::Forbidden(_) | CoreError::NotFound(_)) {
        return Err(e).or_page(&user.actor);
    }
    page(app, user, &ShowQuery::default(), Some(e)).await
}

async fn set_rule(
    State(app): State<AppState>,
    user: PageUser,
    Path(kind): Path<String>,
    Form(change): Form<RetentionChange>,
) -> PageResult {
    match app
        .services
        .set_retention_rule(&user.actor, &kind, &change)
        .await
    {
        Ok(_) => Ok(see_other(PATH, "saved")),
        Err(e) => refused(&app, &user, e).await,
    }
}

async fn propose(
    State(app): State<AppState>,
    user: PageUser,
    Form(p): Form<DisposalProposal>,
) -> PageResult {
    match app.services.propose_disposal(&user.actor, &p).await {
        Ok(_) => Ok(see_other(PATH, "disposal_proposed")),
        Err(e) => refused(&app, &user, e).await,
    }
}

async fn decide(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(decision): Form<DisposalDecision>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "销毁申请").or_page(actor)?;
    match app.services.decide_disposal(actor, id, &decision).await {
        Ok(d) if d.status == DisposalStatus::Done => Ok(see_other(PATH, "disposal_done")),
        Ok(_) => Ok(see_other(PATH, "disposal_rejected")),
        Err(e) => refused(&app, &user, e).await,
    }
}
