//! Full-text search.

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::Id;
use xunshi_core::search::Marked;
use xunshi_core::service::SearchItem;

use super::ApiQuery;
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::FullTextQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// One record found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// problem, report, feedback, task, progress, clue, letter, doc_request, field_record, rect_report, notice or
    /// unit.
    #[schema(value_type = String)]
    pub kind: xunshi_core::search::DocKind,
    /// The kind in Chinese.
    pub kind_label: &'static str,
    /// The record's id (for feedback, its inspection's).
    pub id: Id,
    pub title: String,
    /// Where the words were found in the title: `[from, to)` in characters.
    pub title_highlights: Vec<[usize; 2]>,
    /// A passage of the record around the words found.
    pub snippet: String,
    /// Where the words were found in the snippet: `[from, to)` in characters.
    pub snippet_highlights: Vec<[usize; 2]>,
    /// The record's page.
    pub link: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResults {
    pub items: Vec<SearchHit>,
    /// Pass as `cursor` for the next hits; absent when there are no more.
    pub next_cursor: Option<String>,
}

/// The byte ranges of `m` as character ranges, which a client can apply to the text.
fn char_ranges(m: &Marked) -> Vec<[usize; 2]> {
    let at = |byte: usize| m.text.get(..byte).map_or(0, |s| s.chars().count());
    m.marks.iter().map(|&(a, b)| [at(a), at(b)]).collect()
}

impl From<SearchItem> for SearchHit {
    fn from(i: SearchItem) -> Self {
        SearchHit {
            kind_label: i.kind.label(),
            kind: i.kind,
            id: i.id,
            title_highlights: char_ranges(&i.title),
            title: i.title.text,
            snippet_highlights: char_ranges(&i.snippet),
            snippet: i.snippet.text,
            link: i.link,
        }
    }
}

/// Searches every kind of record for words, best first, a page at a time. Only records the
/// caller may open on their own pages are returned; papers, reports and clues shown are
/// recorded in the audit trail as their pages record a read. A change is searchable within
/// seconds of being saved.
#[utoipa::path(get, path = "/search", tag = "search", security(("bearer" = [])),
    params(FullTextQuery),
    responses((status = 200, body = SearchResults),
        (status = 400, description = "no words, or a filter, `cursor` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "`unit` names no unit", body = ErrorBody),
        (status = 503, description = "search is not enabled on this server", body = ErrorBody)))]
async fn search(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<FullTextQuery>,
) -> ApiResult<Json<SearchResults>> {
    let page = app.services.search(&actor, &q.request()?).await?;
    Ok(Json(SearchResults {
        items: page.items.into_iter().map(SearchHit::from).collect(),
        next_cursor: page.next_cursor,
    }))
}
