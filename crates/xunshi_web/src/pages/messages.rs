//! 我的消息: the person's own in-app messages, newest first and paged, with the forms that
//! mark one or all of them read. The number unread is shown in the navigation of every page.

use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::Id;
use xunshi_core::page::SortedPage;

use super::pager::{Asked, Pager};
use super::{Frame, OrPage, PageResult, list_status, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::{MessageQuery, given};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/messages", get(list))
        .route("/messages/read-all", post(read_all))
        .route("/messages/{id}/read", post(read_one))
}

struct Row {
    id: String,
    kind: &'static str,
    /// The tag's colour class.
    class: &'static str,
    title: String,
    body: String,
    link: Option<String>,
    at: String,
    unread: bool,
}

#[derive(Template)]
#[template(path = "messages.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    unread: i64,
    unread_only: bool,
    q: String,
    /// The filters, as the links carry them.
    query: String,
    total: i64,
    pages: Pager,
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

/// The inbox, filtered, sorted and paged by the parser of `GET /api/v1/messages`.
async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(n): Query<Notice>,
    Query(q): Query<MessageQuery>,
) -> PageResult {
    let actor = &user.actor;
    let asked = Asked::read(q.filter().and_then(|f| Ok((f, q.sorted()?))), actor)?;
    let unread_only = asked.filter.as_ref().is_some_and(|f| f.unread_only);
    let (rows, unread, list) = match &asked.filter {
        Some(f) => {
            let inbox = app
                .services
                .inbox_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
                .await
                .or_page(actor)?;
            let rows = inbox
                .messages
                .items
                .iter()
                .map(|m| Row {
                    id: m.id.to_string(),
                    kind: m.kind.label(),
                    class: match m.kind {
                        xunshi_core::message::MessageKind::Due => "red",
                        xunshi_core::message::MessageKind::DueSoon => "yellow",
                        _ => "",
                    },
                    title: m.title.clone(),
                    body: m.body.clone(),
                    link: crate::http::todo::message_link(m),
                    at: local_time(m.created_at),
                    unread: m.read_at.is_none(),
                })
                .collect();
            (rows, inbox.unread, inbox.messages)
        }
        None => (
            Vec::new(),
            app.services
                .frame_counts(actor)
                .await
                .or_page(actor)?
                .unread,
            SortedPage::empty(),
        ),
    };
    let query = q.query();
    let pages = Pager::of("/messages", &query, &asked, &list, q.page);
    let page = ListPage {
        frame: Frame::new(&app, &user, "我的消息", "/messages")
            .await
            .with_notice(n.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows,
        unread,
        unread_only,
        q: given(&q.q).unwrap_or_default().to_owned(),
        query,
        total: list.total,
        pages,
    };
    Ok(render(list_status(&asked.refused), &page))
}

/// The forms carry nothing but the CSRF token and the submission key, both read by the edge.
async fn read_one(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "消息").or_page(actor)?;
    app.services
        .mark_message_read(actor, id)
        .await
        .or_page(actor)?;
    Ok(see_other("/messages", "message_read"))
}

async fn read_all(State(app): State<AppState>, user: PageUser) -> PageResult {
    let actor = &user.actor;
    app.services
        .mark_all_messages_read(actor)
        .await
        .or_page(actor)?;
    Ok(see_other("/messages", "messages_read"))
}
