//! The pages of recurring problems (举一反三): a round's or a term's clusters of alike problems
//! across its units (同类问题分析) with its workbook, one cluster's problems, and the problems found again
//! after their task was closed (整改不到位). The requests are read by the API's parsers.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use xunshi_core::Id;
use xunshi_core::page::OffsetRequest;
use xunshi_core::service::{ClusterReport, ClusterView, RecurrencePage, RoundProblemPage, Trends};
use xunshi_core::store::patterns::ClusterScope;

use super::dashboard::{BarChart, bar_chart};
use super::supervision::rejected_tasks_link;
use super::{Frame, OrPage, PageResult, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::{
    PatternPageQuery, RecurrenceListQuery, RoundPatternsQuery, RoundProblemQuery,
};
use crate::http::patterns::clusters_xlsx;
use crate::http::{Path, Query, path_id};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/patterns", get(round_page))
        .route("/patterns/rounds/{id}/clusters.xlsx", get(round_workbook))
        .route("/patterns/terms/{id}/clusters.xlsx", get(term_workbook))
        .route("/patterns/clusters/{id}", get(cluster_page))
        .route("/patterns/recurrences", get(recurrences_page))
        .route("/patterns/problems", get(problems_page))
}

/// Whether the navigation offers the clusters: the core's answer, asked with an empty page.
pub fn shows_clusters(actor: &xunshi_core::permission::Actor) -> bool {
    xunshi_core::service::may_view_clusters(actor)
}

/// Whether the navigation offers the problems found again.
pub fn shows_recurrences(actor: &xunshi_core::permission::Actor) -> bool {
    xunshi_core::service::may_view_recurrences(actor)
}

/// The links to the page before and after, `base` ending in `?` or `&`.
fn pager(
    base: &str,
    page: OffsetRequest,
    next: Option<&String>,
) -> (Option<String>, Option<String>) {
    let prev = (page.offset > 0).then(|| {
        let at = page.offset.saturating_sub(page.limit);
        format!("{base}cursor={at}&limit={}", page.limit)
    });
    let next = next.map(|c| format!("{base}cursor={c}&limit={}", page.limit));
    (prev, next)
}

struct RoundChoice {
    value: String,
    label: String,
    selected: bool,
}

/// A heading's row of the trends' table: each round's count with the link to its list.
struct TrendRow {
    name: String,
    cells: Vec<(i64, String)>,
    change: i64,
}

#[derive(Template)]
#[template(path = "patterns.html")]
struct RoundPage {
    frame: Frame,
    trends: Trends,
    trend_rows: Vec<TrendRow>,
    latest_chart: Option<BarChart>,
    recurring_chart: BarChart,
    reopened_chart: BarChart,
    rounds: Vec<RoundChoice>,
    terms: Vec<RoundChoice>,
    report: Option<ClusterReport>,
    prev: Option<String>,
    next: Option<String>,
}

async fn round_page(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<RoundPatternsQuery>,
) -> PageResult {
    let actor = &user.actor;
    let (scope, page) = q.request().or_page(actor)?;
    // The rounds newest first; the latest is shown when no round or term is picked.
    let mut rounds = app.services.list_rounds(actor, None).await.or_page(actor)?;
    rounds.sort_by_key(|r| std::cmp::Reverse((r.year, r.number)));
    let mut terms = app.services.list_terms(actor).await.or_page(actor)?;
    terms.sort_by_key(|t| std::cmp::Reverse(t.starts_on));
    let scope = scope.or_else(|| rounds.first().map(|r| ClusterScope::Round(r.id)));
    let report = match scope {
        Some(scope) => Some(
            app.services
                .clusters(actor, scope, page)
                .await
                .or_page(actor)?,
        ),
        None => None,
    };
    let (prev, next) = match scope {
        Some(scope) => pager(
            &format!("/patterns?{}={}&", scope.column(), scope.id()),
            page,
            report.as_ref().and_then(|r| r.next_cursor.as_ref()),
        ),
        None => (None, None),
    };
    let trends = app.services.pattern_trends(actor).await.or_page(actor)?;
    let problems_link = |round: Id, category: Id| {
        format!("/patterns/problems?round_id={round}&category_id={category}")
    };
    let trend_rows = trends
        .categories
        .iter()
        .map(|c| TrendRow {
            name: c.category_name.clone(),
            cells: c
                .counts
                .iter()
                .zip(&trends.rounds)
                .map(|(n, r)| (*n, problems_link(r.id, c.category_id)))
                .collect(),
            change: c.change,
        })
        .collect();
    let latest_chart = trends.rounds.last().map(|r| {
        bar_chart(
            "最近一轮各类问题数",
            trends
                .categories
                .iter()
                .map(|c| {
                    (
                        c.category_name.clone(),
                        usize::try_from(c.counts.last().copied().unwrap_or(0)).unwrap_or(0),
                        problems_link(r.id, c.category_id),
                        "bar category".to_owned(),
                    )
                })
                .collect(),
        )
    });
    let recurring_chart = bar_chart(
        "问题复现最多的单位（再次发现的问题数）",
        trends
            .units_recurring
            .iter()
            .map(|u| {
                (
                    format!(
                        "{}（{}%）",
                        u.unit_name,
                        u.recurring * 100 / u.problems.max(1)
                    ),
                    usize::try_from(u.recurring).unwrap_or(0),
                    format!("/patterns/recurrences?unit_id={}", u.unit_id),
                    "bar colour-red".to_owned(),
                )
            })
            .collect(),
    );
    let reopened_chart = bar_chart(
        "整改任务被退回最多的单位",
        trends
            .units_reopened
            .iter()
            .map(|u| {
                (
                    u.unit_name.clone(),
                    usize::try_from(u.reopened).unwrap_or(0),
                    rejected_tasks_link("", &u.unit_id.to_string()),
                    "bar status-claimed".to_owned(),
                )
            })
            .collect(),
    );
    let view = RoundPage {
        frame: Frame::new(&app, &user, "同类问题分析", "/patterns").await,
        trends,
        trend_rows,
        latest_chart,
        recurring_chart,
        reopened_chart,
        rounds: rounds
            .iter()
            .map(|r| RoundChoice {
                value: r.id.to_string(),
                label: r.name.clone(),
                selected: scope == Some(ClusterScope::Round(r.id)),
            })
            .collect(),
        terms: terms
            .iter()
            .map(|t| RoundChoice {
                value: t.id.to_string(),
                label: t.name.clone(),
                selected: scope == Some(ClusterScope::Term(t.id)),
            })
            .collect(),
        report,
        prev,
        next,
    };
    Ok(render(StatusCode::OK, &view))
}

async fn round_workbook(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, super::PageError> {
    let scope = path_id(&id, "巡视轮次").map(ClusterScope::Round);
    workbook(&app, &user, scope).await
}

async fn term_workbook(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, super::PageError> {
    let scope = path_id(&id, "届次").map(ClusterScope::Term);
    workbook(&app, &user, scope).await
}

async fn workbook(
    app: &AppState,
    user: &PageUser,
    scope: xunshi_core::Result<ClusterScope>,
) -> Result<Response, super::PageError> {
    let actor = &user.actor;
    let x = app
        .services
        .clusters_export(actor, scope.or_page(actor)?)
        .await
        .or_page(actor)?;
    clusters_xlsx(&x).or_page(actor)
}

#[derive(Template)]
#[template(path = "pattern_cluster.html")]
struct ClusterPage {
    frame: Frame,
    v: ClusterView,
    prev: Option<String>,
    next: Option<String>,
}

async fn cluster_page(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<PatternPageQuery>,
) -> PageResult {
    let actor = &user.actor;
    let id: Id = path_id(&id, "同类问题").or_page(actor)?;
    let page = q.request().or_page(actor)?;
    let v = app
        .services
        .cluster_view(actor, id, page)
        .await
        .or_page(actor)?;
    let (prev, next) = pager(
        &format!("/patterns/clusters/{id}?"),
        page,
        v.next_cursor.as_ref(),
    );
    let view = ClusterPage {
        frame: Frame::new(&app, &user, "同类问题", "/patterns").await,
        v,
        prev,
        next,
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "pattern_recurrences.html")]
struct RecurrencesPage {
    frame: Frame,
    p: RecurrencePage,
    filtered: bool,
    prev: Option<String>,
    next: Option<String>,
}

async fn recurrences_page(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<RecurrenceListQuery>,
) -> PageResult {
    let actor = &user.actor;
    let (f, page) = q.request().or_page(actor)?;
    let p = app
        .services
        .recurrences(actor, &f, page)
        .await
        .or_page(actor)?;
    let query = q.query();
    let base = if query.is_empty() {
        "/patterns/recurrences?".to_owned()
    } else {
        format!("/patterns/recurrences?{query}&")
    };
    let (prev, next) = pager(&base, page, p.next_cursor.as_ref());
    let view = RecurrencesPage {
        frame: Frame::new(&app, &user, "整改不到位问题", "/patterns/recurrences").await,
        filtered: f.inspection_id.is_some() || f.unit_id.is_some(),
        p,
        prev,
        next,
    };
    Ok(render(StatusCode::OK, &view))
}

#[derive(Template)]
#[template(path = "pattern_problems.html")]
struct ProblemsPage {
    frame: Frame,
    p: RoundProblemPage,
    prev: Option<String>,
    next: Option<String>,
}

async fn problems_page(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<RoundProblemQuery>,
) -> PageResult {
    let actor = &user.actor;
    let (round, category, page) = q.request().or_page(actor)?;
    let p = app
        .services
        .round_problems(actor, round, category, page)
        .await
        .or_page(actor)?;
    let (prev, next) = pager(
        &format!("/patterns/problems?round_id={round}&category_id={category}&"),
        page,
        p.next_cursor.as_ref(),
    );
    let view = ProblemsPage {
        frame: Frame::new(&app, &user, "问题清单", "/patterns").await,
        p,
        prev,
        next,
    };
    Ok(render(StatusCode::OK, &view))
}
