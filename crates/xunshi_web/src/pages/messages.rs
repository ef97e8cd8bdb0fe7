//! 我的消息: the person's own in-app messages, newest first and paged, with the forms that
//! mark one or all of them read. The number unread is shown in the navigation of every page.

use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::Id;

use super::{
    Frame, OrPage, PageResult, filter_or_refusal, list_status, local_time, render, see_other,
};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::{MessageQuery, paging};

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
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct Notice {
    notice: Option<String>,
}

async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(n): Query<Notice>,
    Query(q): Query<MessageQuery>,
) -> PageResult {
    let actor = &user.actor;
    let (filter, refused) = filter_or_refusal(
        q.unread_only()
            .and_then(|u| Ok((u, paging(&q.cursor, None)?))),
        actor,
    )?;
    let unread_only = filter.map(|f| f.0).unwrap_or(false);
    let (rows, unread, next_cursor) = match filter {
        Some((unread_only, page)) => {
            let inbox = app
                .services
                .inbox(actor, unread_only, page)
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
            (rows, inbox.unread, inbox.messages.next_cursor)
        }
        None => (Vec::new(), 0, None),
    };
    let page = ListPage {
        frame: Frame::new(&app, &user, "我的消息", "/messages")
            .await
            .with_notice(n.notice.as_deref())
            .with_error(refused.as_ref()),
        rows,
        unread,
        unread_only,
        next_cursor,
    };
    Ok(render(list_status(&refused), &page))
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
