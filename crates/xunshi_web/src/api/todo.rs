//! The to-do (工作台) as JSON: the same list the home page shows.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::deadline::Colour;
use xunshi_core::service::TodoKind;

use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(get_todo))
}

/// How many items of one kind wait.
#[derive(Serialize, ToSchema)]
pub struct TodoCount {
    pub kind: TodoKind,
    /// The kind in words, such as 待核查销号.
    pub label: &'static str,
    pub total: i64,
}

#[derive(Serialize, ToSchema)]
pub struct TodoEntry {
    pub kind: TodoKind,
    /// What is opened to act on it (the plan, the task, the notice, the deadline change …);
    /// none for the holiday arrangement.
    pub object_id: Option<xunshi_core::Id>,
    pub title: String,
    pub unit_name: Option<String>,
    /// Since when it waits.
    #[schema(value_type = Option<String>, format = Date)]
    pub since: Option<jiff::civil::Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<jiff::civil::Date>,
    pub colour: Option<Colour>,
    /// The page where it is done.
    pub link: String,
}

#[derive(Serialize, ToSchema)]
pub struct TodoList {
    /// Everything waiting, over all kinds.
    pub total: i64,
    /// Each kind with something waiting.
    pub counts: Vec<TodoCount>,
    /// The first items of each kind, the longest waiting first.
    pub items: Vec<TodoEntry>,
}

/// What waits for the caller, oldest first.
///
/// Plans to review and claimed tasks to verify (the office and the supervisors, never for
/// their own unit), change requests, public notices and inspection reports to decide (the
/// office), reports before the team meeting and working papers to sign (the team's leader),
/// follow-up and immediate-fix notices to answer (the unit's principal and liaison), answers
/// to immediate-fix notices to review (the team's leader), clues to dispose (the body
/// they were transferred to; only their number per transfer and its deadline, nothing of a
/// clue), deadlines that moved when a year's holiday arrangement was entered, until taken note
/// of (the unit's principal and liaison, `POST /deadline-changes/{id}/acknowledge`), and from
/// 1 November next year's holiday arrangement (the office), and disposals of records past their
/// retention period to approve or send back (every office user but the one who proposed
/// each). Each kind is
/// counted in full; the first 20 of each are listed. Done items leave the list.
#[utoipa::path(get, path = "/todo", tag = "todo", security(("bearer" = [])),
    responses((status = 200, body = TodoList), (status = 401, body = ErrorBody)))]
async fn get_todo(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<TodoList>> {
    let todo = app.services.todo(&actor).await?;
    Ok(Json(TodoList {
        total: todo.total(),
        counts: todo
            .groups
            .iter()
            .map(|g| TodoCount {
                kind: g.kind,
                label: g.kind.label(),
                total: g.total,
            })
            .collect(),
        items: todo
            .oldest_first()
            .into_iter()
            .map(|i| TodoEntry {
                kind: i.kind,
                object_id: i.object_id,
                title: i.title.clone(),
                unit_name: i.unit_name.clone(),
                since: i.since,
                due_date: i.due,
                colour: i.colour,
                link: crate::http::todo::link(i),
            })
            .collect(),
    }))
}
