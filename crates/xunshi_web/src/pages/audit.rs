//! The administrator's view of the audit trail, with filters and the chain check.

use crate::http::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use xunshi_core::audit::Action;
use xunshi_core::page::PageRequest;
use xunshi_core::service::VerifyOutcome;

use super::{Frame, error_page, local_time, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::AuditQuery;

pub fn routes() -> Router<AppState> {
    Router::new().route("/system/audit", get(list))
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object_type: String,
    #[serde(default)]
    object_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    cursor: Option<String>,
    verify: Option<String>,
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    ip: String,
    action: String,
    object_type: String,
    object_id: String,
    summary: String,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    q: Filters,
    actions: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    next_cursor: Option<String>,
    query_string: String,
    verification: Option<(bool, String)>,
    error: Option<String>,
}

async fn list(State(app): State<AppState>, user: PageUser, Query(q): Query<Filters>) -> Response {
    let actor = &user.actor;
    let api_query = AuditQuery {
        actor: Some(q.actor.clone()),
        action: Some(q.action.clone()),
        object_type: Some(q.object_type.clone()),
        object_id: Some(q.object_id.clone()),
        from: Some(q.from.clone()),
        to: Some(q.to.clone()),
        cursor: None,
        limit: None,
    };
    // The same parser as `GET /api/v1/audit`; a filter that cannot be read lists nothing
    // rather than everything.
    let (filter, error) = match api_query.filter() {
        Ok(f) => (Some(f), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let page = match PageRequest::parse(q.cursor.as_deref().filter(|c| !c.is_empty()), None) {
        Ok(p) => p,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let records = match &filter {
        Some(f) => match app.services.list_audit(actor, f, page).await {
            Ok(r) => r,
            Err(e) => return error_page(&e, Some(actor)),
        },
        None => xunshi_core::page::Page::empty(),
    };
    let verification = if q.verify.is_some() {
        match app.services.verify_audit(actor).await {
            Ok(VerifyOutcome::Whole { records }) => Some((
                true,
                format!("校验通过：审计日志共 {records} 条，哈希链完整，无篡改、删除或调序。"),
            )),
            Ok(VerifyOutcome::Broken(fault)) => Some((false, format!("校验未通过：{fault}"))),
            Err(e) => return error_page(&e, Some(actor)),
        }
    } else {
        None
    };
    let rows = records
        .items
        .into_iter()
        .map(|r| Row {
            seq: r.seq,
            at: r
                .at
                .parse::<jiff::Timestamp>()
                .map(local_time)
                .unwrap_or(r.at),
            actor: r.actor_name,
            ip: r.ip.unwrap_or_default(),
            action: Action::parse(&r.action)
                .map(|a| a.label().to_owned())
                .unwrap_or(r.action),
            object_type: r.object_type,
            object_id: r.object_id.unwrap_or_default(),
            summary: r.summary.chars().take(300).collect(),
        })
        .collect();
    let query_string = serde_urlencoded::to_string([
        ("actor", &q.actor),
        ("action", &q.action),
        ("object_type", &q.object_type),
        ("object_id", &q.object_id),
        ("from", &q.from),
        ("to", &q.to),
    ])
    .unwrap_or_default();
    let status = if error.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = AuditPage {
        frame: Frame::new(&app, &user, "审计日志", "/system/audit").await,
        actions: Action::ALL
            .iter()
            .map(|a| (a.as_str(), a.label()))
            .collect(),
        rows,
        next_cursor: records.next_cursor,
        query_string,
        verification,
        error,
        q,
    };
    render(status, &page)
}
