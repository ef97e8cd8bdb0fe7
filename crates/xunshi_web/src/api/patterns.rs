//! Recurring problems (举一反三): a round's or a term's clusters of alike problems across its
//! units, and the problems found again after their task was closed (整改不到位), as the `patterns` job
//! last worked them out.

use axum::Json;
use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::service::{ClusterReport, ClusterView, RecurrencePage, RoundProblemPage, Trends};
use xunshi_core::store::patterns::ClusterScope;
use xunshi_core::store::patterns::RecurrenceRow;

use super::{ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::Path;
use crate::http::filters::{PatternPageQuery, RecurrenceListQuery, RoundProblemQuery};
use crate::http::patterns::clusters_xlsx;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(round_clusters))
        .routes(routes!(round_clusters_xlsx))
        .routes(routes!(term_clusters))
        .routes(routes!(term_clusters_xlsx))
        .routes(routes!(cluster))
        .routes(routes!(recurrences))
        .routes(routes!(problem_recurrences))
        .routes(routes!(trends))
        .routes(routes!(round_problems))
}

/// What recurs and grows: the problems of the latest rounds by heading (each count the length
/// of `GET /patterns/problems` for its round and heading), and the units with the most
/// problems found again per problem and the most tasks reopened, as the nightly job last
/// counted them. For the office and the leadership.
#[utoipa::path(get, path = "/patterns/trends", tag = "patterns", security(("bearer" = [])),
    responses((status = 200, body = Trends), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn trends(State(app): State<AppState>, ApiUser(actor): ApiUser) -> ApiResult<Json<Trends>> {
    Ok(Json(app.services.pattern_trends(&actor).await?))
}

/// A round's problems under one heading, by entry, a page at a time.
#[utoipa::path(get, path = "/patterns/problems", tag = "patterns", security(("bearer" = [])),
    params(RoundProblemQuery),
    responses((status = 200, body = RoundProblemPage),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn round_problems(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<RoundProblemQuery>,
) -> ApiResult<Json<RoundProblemPage>> {
    let (round, category, page) = q.request()?;
    Ok(Json(
        app.services
            .round_problems(&actor, round, category, page)
            .await?,
    ))
}

/// A round's clusters of alike problems (同类问题), those spanning the most units first, with
/// how many problems and units each has. For the office and the leadership.
#[utoipa::path(get, path = "/patterns/rounds/{id}/clusters", tag = "patterns", security(("bearer" = [])),
    params(("id" = String, Path), PatternPageQuery),
    responses((status = 200, body = ClusterReport),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn round_clusters(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PatternPageQuery>,
) -> ApiResult<Json<ClusterReport>> {
    let scope = ClusterScope::Round(path_id(&id, "巡视轮次")?);
    Ok(Json(
        app.services.clusters(&actor, scope, q.request()?).await?,
    ))
}

/// A round's clusters as an `.xlsx` workbook: one row per cluster with the units it spans and
/// how many of its problems each has.
#[utoipa::path(get, path = "/patterns/rounds/{id}/clusters.xlsx", tag = "patterns", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "同类问题分析", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn round_clusters_xlsx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let scope = ClusterScope::Round(path_id(&id, "巡视轮次")?);
    Ok(clusters_xlsx(
        &app.services.clusters_export(&actor, scope).await?,
    )?)
}

/// A term's (届) clusters of alike problems across its units and rounds: the common problems
/// of the term, those spanning the most units first, each with the rounds it was found in.
/// For the office and the leadership.
#[utoipa::path(get, path = "/patterns/terms/{id}/clusters", tag = "patterns", security(("bearer" = [])),
    params(("id" = String, Path), PatternPageQuery),
    responses((status = 200, body = ClusterReport),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn term_clusters(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PatternPageQuery>,
) -> ApiResult<Json<ClusterReport>> {
    let scope = ClusterScope::Term(path_id(&id, "届次")?);
    Ok(Json(
        app.services.clusters(&actor, scope, q.request()?).await?,
    ))
}

/// A term's clusters as an `.xlsx` workbook, as the round's with the rounds each spans.
#[utoipa::path(get, path = "/patterns/terms/{id}/clusters.xlsx", tag = "patterns", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "同类问题分析", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn term_clusters_xlsx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let scope = ClusterScope::Term(path_id(&id, "届次")?);
    Ok(clusters_xlsx(
        &app.services.clusters_export(&actor, scope).await?,
    )?)
}

/// One cluster: a page of its problems, the most alike to its lead first, and its problems
/// counted by unit and by heading.
#[utoipa::path(get, path = "/patterns/clusters/{id}", tag = "patterns", security(("bearer" = [])),
    params(("id" = String, Path), PatternPageQuery),
    responses((status = 200, body = ClusterView),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn cluster(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<PatternPageQuery>,
) -> ApiResult<Json<ClusterView>> {
    let id = path_id(&id, "同类问题")?;
    Ok(Json(
        app.services.cluster_view(&actor, id, q.request()?).await?,
    ))
}

/// The problems a later inspection found again in a unit after the task rectifying the same
/// problem was closed (整改不到位), each beside the earlier problem and its task. The office
/// and the leadership see all; a team those its inspections found.
#[utoipa::path(get, path = "/patterns/recurrences", tag = "patterns", security(("bearer" = [])),
    params(RecurrenceListQuery),
    responses((status = 200, body = RecurrencePage),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn recurrences(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<RecurrenceListQuery>,
) -> ApiResult<Json<RecurrencePage>> {
    let (f, page) = q.request()?;
    Ok(Json(app.services.recurrences(&actor, &f, page).await?))
}

/// The earlier problems of its unit that this paper finds again after their task was closed.
#[utoipa::path(get, path = "/problems/{id}/recurrences", tag = "patterns", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<RecurrenceRow>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn problem_recurrences(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<RecurrenceRow>>> {
    let id = path_id(&id, "问题底稿")?;
    Ok(Json(app.services.problem_recurrences(&actor, id).await?))
}
