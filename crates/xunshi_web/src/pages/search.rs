//! The search page (全文检索): the words typed in the frame's box, the hits the person may
//! open, each with its passage. The request is read by the parser of `GET /api/v1/search`.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use xunshi_core::search::{DocKind, Marked};

use super::{Frame, OrPage, PageResult, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::Query;
use crate::http::filters::{FullTextQuery, given};

pub fn routes() -> Router<AppState> {
    Router::new().route("/search", get(search))
}

struct Hit {
    kind: &'static str,
    title: Vec<(String, bool)>,
    snippet: Vec<(String, bool)>,
    link: String,
}

fn pieces(m: &Marked) -> Vec<(String, bool)> {
    m.pieces()
        .into_iter()
        .map(|(t, hit)| (t.to_owned(), hit))
        .collect()
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    frame: Frame,
    q: String,
    kind: String,
    year: String,
    unit: String,
    round_id: String,
    status: String,
    /// The rounds to narrow to, newest first; none for those who may not see the plan.
    rounds: Vec<(String, String)>,
    /// The statuses of the one kind picked; none while no kind or several are.
    statuses: Vec<(&'static str, &'static str)>,
    /// The filters the form has no field for (an inspection, a unit by id), kept by it.
    kept: Vec<(&'static str, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    asked: bool,
    hits: Vec<Hit>,
    /// The next page's address, when there are more hits.
    next: Option<String>,
    /// This search's first page, when this is a later one.
    first: Option<String>,
}

async fn search(
    State(app): State<AppState>,
    user: PageUser,
    Query(fq): Query<FullTextQuery>,
) -> PageResult {
    let actor = &user.actor;
    let asked = given(&fq.q).is_some();
    let mut refused = None;
    let mut hits = Vec::new();
    let mut next = None;
    if asked {
        match fq.request() {
            Err(e) => refused = Some(e),
            Ok(req) => match app.services.search(actor, &req).await {
                Err(e @ xunshi_core::CoreError::BadInput(_)) => refused = Some(e),
                other => {
                    let page = other.or_page(actor)?;
                    hits = page
                        .items
                        .iter()
                        .map(|i| Hit {
                            kind: i.kind.label(),
                            title: pieces(&i.title),
                            snippet: pieces(&i.snippet),
                            link: i.link.clone(),
                        })
                        .collect();
                    next = page.next_cursor.map(|c| {
                        format!(
                            "/search?{}&cursor={c}{}",
                            fq.query(),
                            fq.limit.map(|l| format!("&limit={l}")).unwrap_or_default()
                        )
                    });
                }
            },
        }
    }
    let kept = [
        ("inspection_id", &fq.inspection_id),
        ("unit_id", &fq.unit_id),
    ]
    .into_iter()
    .filter_map(|(k, v)| given(v).map(|v| (k, v.to_owned())))
    .collect();
    // The rounds newest first, for whoever may see the plan; the picker is left out otherwise.
    let mut rounds = match app.services.list_rounds(actor, None).await {
        Err(xunshi_core::CoreError::Forbidden(_)) => Vec::new(),
        other => other.or_page(actor)?,
    };
    rounds.sort_by_key(|r| std::cmp::Reverse((r.year, r.number)));
    let kind = given(&fq.kind).unwrap_or_default().to_owned();
    let statuses = DocKind::parse(&kind)
        .map(DocKind::statuses)
        .unwrap_or_default();
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    let page = SearchPage {
        frame: Frame::new(&app, &user, "全文检索", "/search")
            .await
            .with_error(refused.as_ref()),
        q: given(&fq.q).unwrap_or_default().to_owned(),
        kind,
        year: given(&fq.year).unwrap_or_default().to_owned(),
        unit: given(&fq.unit).unwrap_or_default().to_owned(),
        round_id: given(&fq.round_id).unwrap_or_default().to_owned(),
        status: given(&fq.status).unwrap_or_default().to_owned(),
        rounds: rounds
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect(),
        statuses,
        kept,
        kinds: DocKind::ALL.iter().map(|k| (k.code(), k.label())).collect(),
        asked: asked && refused.is_none(),
        hits,
        next,
        first: given(&fq.cursor).map(|_| format!("/search?{}", fq.query())),
    };
    Ok(render(status, &page))
}

/// The problems like `problem_id` for its paper's page; `None` where search is off, for
/// whoever may not read the paper, or on a failure (logged), so the page shows without the
/// section.
pub(crate) async fn similar(
    app: &AppState,
    actor: &xunshi_core::permission::Actor,
    problem_id: xunshi_core::Id,
) -> Option<Vec<xunshi_core::service::SimilarProblem>> {
    match app.services.similar_problems(actor, problem_id).await {
        Ok(v) => Some(v),
        Err(
            xunshi_core::CoreError::Unavailable(_)
            | xunshi_core::CoreError::NotFound(_)
            | xunshi_core::CoreError::Forbidden(_),
        ) => None,
        Err(e) => {
            tracing::warn!(error = %e, %problem_id, "similar problems could not be found");
            None
        }
    }
}
