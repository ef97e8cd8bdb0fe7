//! The first page after log-in, the 工作台: what waits for the person (the core's to-do),
//! then what the person can reach, with counts.

use crate::http::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use serde::Deserialize;
use xunshi_core::page::PageRequest;
use xunshi_core::permission::Permission;
use xunshi_core::store::AuditFilter;

use super::{Frame, error_page, local_time, ok};
use crate::AppState;
use crate::auth::PageUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/", get(home))
}

struct Tile {
    number: String,
    label: &'static str,
    href: &'static str,
}

struct RecentRow {
    at: String,
    actor: String,
    action: String,
    object: String,
}

/// One kind of waiting work and how many of it.
struct TodoCount {
    label: &'static str,
    total: i64,
}

struct TodoRow {
    kind: &'static str,
    title: String,
    unit: String,
    since: String,
    due: String,
    colour: Option<(&'static str, &'static str)>,
    link: String,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    frame: Frame,
    todo_total: i64,
    todo_counts: Vec<TodoCount>,
    todo: Vec<TodoRow>,
    tiles: Vec<Tile>,
    recent: Vec<RecentRow>,
}

#[derive(Deserialize)]
struct HomeQuery {
    notice: Option<String>,
}

async fn home(State(app): State<AppState>, user: PageUser, Query(q): Query<HomeQuery>) -> Response {
    let actor = &user.actor;
    let (todo, counts) = match app.services.todo_with_frame(actor).await {
        Ok(t) => t,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let todo_counts = todo
        .groups
        .iter()
        .map(|g| TodoCount {
            label: g.kind.label(),
            total: g.total,
        })
        .collect();
    let todo_rows = todo
        .oldest_first()
        .into_iter()
        .map(|i| TodoRow {
            kind: i.kind.label(),
            title: i.title.clone(),
            unit: i.unit_name.clone().unwrap_or_default(),
            since: i.since.map(|d| d.to_string()).unwrap_or_default(),
            due: i.due.map(|d| d.to_string()).unwrap_or_default(),
            colour: i.colour.map(|c| (c.as_str(), c.label())),
            link: crate::http::todo::link(i),
        })
        .collect();
    let overview = match app.services.overview(actor).await {
        Ok(o) => o,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let mut tiles = Vec::new();
    // The work first: the inspections one may open, the rectification and its deadlines,
    // then the system's own counts. (Clues are not counted here: every read of one is audited.)
    if let Some(n) = overview.inspections {
        tiles.push(Tile {
            number: n.to_string(),
            label: "巡视任务",
            href: "/inspections",
        });
    }
    if let Some(t) = overview.tasks {
        tiles.push(Tile {
            number: t.total.to_string(),
            label: "整改任务",
            href: "/rectification/tasks",
        });
        tiles.push(Tile {
            number: format!("{:.0}%", t.closed as f64 * 100.0 / t.total.max(1) as f64),
            label: "整改完成率（已销号）",
            href: "/dashboard",
        });
        tiles.push(Tile {
            number: t.overdue.to_string(),
            label: "逾期未完成",
            href: "/rectification/tasks?colour=red",
        });
        tiles.push(Tile {
            number: t.closed_late.to_string(),
            label: "逾期完成",
            href: "/rectification/tasks?colour=closed_late",
        });
    }
    if let Some(n) = overview.followups_open {
        tiles.push(Tile {
            number: n.to_string(),
            label: "待答复督办通知",
            href: "/supervision/followups?answered=no",
        });
    }
    if let Some(n) = overview.units {
        tiles.push(Tile {
            number: n.to_string(),
            label: "在册单位",
            href: "/units",
        });
    }
    if let Some(n) = overview.users {
        tiles.push(Tile {
            number: n.to_string(),
            label: "系统用户",
            href: "/users",
        });
    }
    if let Some(n) = overview.audit_records {
        tiles.push(Tile {
            number: n.to_string(),
            label: "审计记录",
            href: "/system/audit",
        });
    }
    let mut recent = Vec::new();
    if actor.can(Permission::ViewAudit)
        && let Ok(page) = app
            .services
            .list_audit(actor, &AuditFilter::default(), PageRequest::first(8))
            .await
    {
        recent = page
            .items
            .into_iter()
            .map(|r| RecentRow {
                at: r
                    .at
                    .parse::<jiff::Timestamp>()
                    .map(local_time)
                    .unwrap_or(r.at),
                actor: r.actor_name,
                action: xunshi_core::audit::Action::parse(&r.action)
                    .map(|a| a.label().to_owned())
                    .unwrap_or(r.action),
                object: r.object_type,
            })
            .collect();
    }
    let page = HomePage {
        frame: Frame::with_counts(&app, &user, "工作台", "/", counts)
            .with_notice(q.notice.as_deref()),
        todo_total: todo.total(),
        todo_counts,
        todo: todo_rows,
        tiles,
        recent,
    };
    ok(&page)
}
