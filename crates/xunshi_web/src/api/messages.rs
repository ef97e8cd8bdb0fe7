//! The caller's in-app messages (站内消息) as JSON: the same inbox the messages page shows.
//! Nobody reads or marks another's: every call acts on the caller's own inbox.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::message::{Message, MessageKind};

use super::{ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::MessageQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_messages))
        .routes(routes!(mark_read))
        .routes(routes!(mark_all_read))
}

#[derive(Serialize, ToSchema)]
pub struct MessageEntry {
    pub id: xunshi_core::Id,
    pub kind: MessageKind,
    /// The kind in words, such as 即将到期.
    pub kind_label: &'static str,
    pub title: String,
    pub body: String,
    /// The page where the matter is handled, if it has one.
    pub link: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub read_at: Option<jiff::Timestamp>,
}

impl From<&Message> for MessageEntry {
    fn from(m: &Message) -> Self {
        MessageEntry {
            id: m.id,
            kind: m.kind,
            kind_label: m.kind.label(),
            title: m.title.clone(),
            body: m.body.clone(),
            link: crate::http::todo::message_link(m),
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct MessageList {
    pub items: Vec<MessageEntry>,
    /// Pass as `cursor` (with the same `sort`) for the next page; null on the last page.
    pub next_cursor: Option<String>,
    /// Pass as `cursor` (with the same `sort`) for the page before; null on the first page.
    pub prev_cursor: Option<String>,
    /// How many of the caller's messages the filter matches.
    pub total: i64,
    /// How many of the caller's messages are unread.
    pub unread: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MarkedRead {
    /// How many messages were unread and are now read.
    pub marked: u64,
}

/// The caller's messages, newest first unless `sort` asks another order: work handed over (a
/// plan to review, a task to verify, clues to dispose — of a clue only how many wait and by
/// when), decisions on what the caller's side handed over, and reminders before and at
/// deadlines. A page at a time, with the total the filter matches and the cursors of the next
/// and the previous page.
#[utoipa::path(get, path = "/messages", tag = "messages", security(("bearer" = [])),
    params(MessageQuery),
    responses((status = 200, body = MessageList),
        (status = 400, description = "`unread`, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_messages(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<MessageQuery>,
) -> ApiResult<Json<MessageList>> {
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    let inbox = app
        .services
        .inbox_page(&actor, &f, sort, at.as_ref(), limit)
        .await?;
    Ok(Json(MessageList {
        items: inbox
            .messages
            .items
            .iter()
            .map(MessageEntry::from)
            .collect(),
        next_cursor: inbox.messages.next_cursor,
        prev_cursor: inbox.messages.prev_cursor,
        total: inbox.messages.total,
        unread: inbox.unread,
    }))
}

/// Marks one of the caller's messages read (again: no change). Another's message is not found.
#[utoipa::path(post, path = "/messages/{id}/read", tag = "messages", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mark_read(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "消息")?;
    app.services.mark_message_read(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks every message of the caller read.
#[utoipa::path(post, path = "/messages/read-all", tag = "messages", security(("bearer" = [])),
    responses((status = 200, body = MarkedRead), (status = 401, body = ErrorBody)))]
async fn mark_all_read(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<MarkedRead>> {
    let marked = app.services.mark_all_messages_read(&actor).await?;
    Ok(Json(MarkedRead { marked }))
}
