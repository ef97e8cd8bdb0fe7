//! 保管期限与销毁: the periods of archived fieldwork materials, what is past them, and their
//! disposal by two office users.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::retention::{
    DisposableRecord, Disposal, DisposalDecision, DisposalProposal, DueForDisposal,
    RetentionChange, RetentionRule,
};

use super::{ApiJson, ApiQuery, Page, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::Path;
use crate::http::filters::{DisposalQuery, DueQuery};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(rules))
        .routes(routes!(set_rule))
        .routes(routes!(due))
        .routes(routes!(due_records))
        .routes(routes!(list_disposals, propose))
        .routes(routes!(get_disposal))
        .routes(routes!(decide))
}

/// The period of each kind of fieldwork material of an archived inspection (every other kind
/// of record is kept permanently). For the office.
#[utoipa::path(get, path = "/retention/rules", tag = "archive", security(("bearer" = [])),
    responses((status = 200, body = Vec<RetentionRule>), (status = 403, body = ErrorBody)))]
async fn rules(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Vec<RetentionRule>>> {
    Ok(Json(app.services.retention_rules(&actor).await?))
}

/// Sets the period of one kind: whole years (1 to 100) or `永久`.
#[utoipa::path(put, path = "/retention/rules/{kind}", tag = "archive", security(("bearer" = [])),
    params(("kind" = String, Path, pattern = "^(letter|talk|doc_request|field_record)$")),
    request_body = RetentionChange,
    responses((status = 200, body = RetentionRule), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn set_rule(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(kind): Path<String>,
    ApiJson(change): ApiJson<RetentionChange>,
) -> ApiResult<Json<RetentionRule>> {
    Ok(Json(
        app.services
            .set_retention_rule(&actor, &kind, &change)
            .await?,
    ))
}

/// The archived inspections holding records past their period today, with how many of each
/// kind and any disposal of them already waiting.
#[utoipa::path(get, path = "/retention/due", tag = "archive", security(("bearer" = [])),
    params(DueQuery),
    responses((status = 200, body = Page<DueForDisposal>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn due(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Json<Page<DueForDisposal>>> {
    Ok(Json(
        app.services
            .due_for_disposal(&actor, q.request()?)
            .await?
            .into(),
    ))
}

/// The records of one disposable kind of an archived inspection, as its register names them,
/// by id: to propose one of them for disposal (`record_id` of `POST /disposals`).
#[utoipa::path(get, path = "/retention/due/{id}/{kind}", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path, description = "the archived inspection"),
        ("kind" = String, Path, pattern = "^(letter|talk|doc_request|field_record)$"), DueQuery),
    responses((status = 200, body = Page<DisposableRecord>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, description = "the inspection is not archived", body = ErrorBody)))]
async fn due_records(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, kind)): Path<(String, String)>,
    ApiQuery(q): ApiQuery<DueQuery>,
) -> ApiResult<Json<Page<DisposableRecord>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(
        app.services
            .disposable_records(&actor, id, &kind, q.request()?)
            .await?
            .into(),
    ))
}

/// The disposals (销毁清册), oldest first, of one status or inspection if asked.
#[utoipa::path(get, path = "/disposals", tag = "archive", security(("bearer" = [])),
    params(DisposalQuery),
    responses((status = 200, body = Page<Disposal>), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody)))]
async fn list_disposals(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<DisposalQuery>,
) -> ApiResult<Json<Page<Disposal>>> {
    let (status, inspection, page) = q.request()?;
    Ok(Json(
        app.services
            .disposals(&actor, status, inspection, page)
            .await?
            .into(),
    ))
}

/// Asks for the disposal of one kind of record of an archived inspection, past its period —
/// every record of it, or the one `record_id` names. Another office user decides.
#[utoipa::path(post, path = "/disposals", tag = "archive", security(("bearer" = [])),
    request_body = DisposalProposal,
    responses((status = 201, body = Disposal), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "a disposal of the same records is already waiting", body = ErrorBody),
        (status = 422, description = "not archived, not past its period, kept permanently, or nothing to dispose of", body = ErrorBody)))]
async fn propose(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(p): ApiJson<DisposalProposal>,
) -> ApiResult<(StatusCode, Json<Disposal>)> {
    let d = app.services.propose_disposal(&actor, &p).await?;
    Ok((StatusCode::CREATED, Json(d)))
}

/// One disposal; once carried out, with the hash of every row and file that went.
#[utoipa::path(get, path = "/disposals/{id}", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Disposal), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn get_disposal(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Disposal>> {
    let id = path_id(&id, "销毁申请")?;
    Ok(Json(app.services.disposal(&actor, id).await?))
}

/// Approves (the records and their files go) or turns down a disposal. Not by the office user
/// who asked for it.
#[utoipa::path(post, path = "/disposals/{id}/decision", tag = "archive", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = DisposalDecision,
    responses((status = 200, body = Disposal), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody),
        (status = 422, description = "asked for by the same user, already decided, or no longer past its period", body = ErrorBody)))]
async fn decide(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(decision): ApiJson<DisposalDecision>,
) -> ApiResult<Json<Disposal>> {
    let id = path_id(&id, "销毁申请")?;
    Ok(Json(
        app.services.decide_disposal(&actor, id, &decision).await?,
    ))
}
