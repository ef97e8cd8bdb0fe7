//! Terms, annual plans, rounds and coverage.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::inspection::{AnnualPlan, Round, Term};
use xunshi_core::service::{Coverage, PlanInput, RoundInput, TermInput};

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::TermQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_terms, create_term))
        .routes(routes!(coverage))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(list_rounds, create_round))
}

/// The terms (届), newest first.
#[utoipa::path(get, path = "/terms", tag = "planning", security(("bearer" = [])),
    responses((status = 200, body = Vec<Term>), (status = 403, body = ErrorBody)))]
async fn list_terms(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<Term>>> {
    Ok(Json(app.services.list_terms(&actor).await?))
}

#[utoipa::path(post, path = "/terms", tag = "planning", security(("bearer" = [])),
    request_body = TermInput,
    responses((status = 201, body = Term), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_term(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<TermInput>,
) -> ApiResult<(StatusCode, Json<Term>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.services.create_term(&actor, &input).await?),
    ))
}

/// Which units under the dispatcher have been inspected in the term, and which not yet.
#[utoipa::path(get, path = "/terms/{id}/coverage", tag = "planning", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Coverage), (status = 404, body = ErrorBody)))]
async fn coverage(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Coverage>> {
    let id = path_id(&id, "届次")?;
    Ok(Json(app.services.coverage(&actor, id).await?))
}

#[utoipa::path(get, path = "/plans", tag = "planning", security(("bearer" = [])),
    params(TermQuery),
    responses((status = 200, body = Vec<AnnualPlan>)))]
async fn list_plans(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<TermQuery>,
) -> ApiResult<Json<Vec<AnnualPlan>>> {
    Ok(Json(app.services.list_plans(&actor, q.term_id()?).await?))
}

#[utoipa::path(post, path = "/plans", tag = "planning", security(("bearer" = [])),
    request_body = PlanInput,
    responses((status = 201, body = AnnualPlan), (status = 400, body = ErrorBody)))]
async fn create_plan(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<PlanInput>,
) -> ApiResult<(StatusCode, Json<AnnualPlan>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.services.create_plan(&actor, &input).await?),
    ))
}

#[utoipa::path(get, path = "/rounds", tag = "planning", security(("bearer" = [])),
    params(TermQuery),
    responses((status = 200, body = Vec<Round>)))]
async fn list_rounds(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<TermQuery>,
) -> ApiResult<Json<Vec<Round>>> {
    Ok(Json(app.services.list_rounds(&actor, q.term_id()?).await?))
}

#[utoipa::path(post, path = "/rounds", tag = "planning", security(("bearer" = [])),
    request_body = RoundInput,
    responses((status = 201, body = Round), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_round(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<RoundInput>,
) -> ApiResult<(StatusCode, Json<Round>)> {
    Ok((
        StatusCode::CREATED,
        Json(app.services.create_round(&actor, &input).await?),
    ))
}
