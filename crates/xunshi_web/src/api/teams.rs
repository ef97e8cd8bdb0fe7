//! The personnel pool, the recusal rules and the inspection teams.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::page::SortedPage;
use xunshi_core::personnel::{
    Inspector, InspectorInput, NewInspector, PastPostInput, RecusalRule, RelativeInput, RuleTarget,
    TeamMember, TeamRole, UnitLocality,
};
use xunshi_core::service::{Candidate, TeamEntry};
use xunshi_core::{CoreError, Id};

use super::{ApiJson, ApiQuery, Page, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::filters::InspectorQuery;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_inspectors, create_inspector))
        .routes(routes!(get_inspector, update_inspector))
        .routes(routes!(add_past_post))
        .routes(routes!(remove_past_post))
        .routes(routes!(add_relative))
        .routes(routes!(remove_relative))
        .routes(routes!(withdraw_inspector))
        .routes(routes!(inspector_teams))
        .routes(routes!(list_recusal_rules))
        .routes(routes!(set_recusal_rule))
        .routes(routes!(list_unit_localities))
        .routes(routes!(set_unit_locality))
        .routes(routes!(get_team, appoint))
        .routes(routes!(list_candidates))
        .routes(routes!(withdraw_member))
}

/// A whole list in the list shape of the API (one page, no cursor).
fn whole<T>(items: Vec<T>) -> Page<T> {
    Page {
        items,
        next_cursor: None,
        total: None,
    }
}

/// Lists the personnel pool (干部人才库), in the order `sort` asks (as entered unless told), a
/// page at a time, with the total the filter matches and the cursors of the next and the
/// previous page.
#[utoipa::path(get, path = "/inspectors", tag = "teams", security(("bearer" = [])),
    params(InspectorQuery),
    responses((status = 200, body = SortedPage<Inspector>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_inspectors(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<InspectorQuery>,
) -> ApiResult<Json<SortedPage<Inspector>>> {
    let f = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .inspector_page(&actor, &f, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Adds a person to the pool, with the past posts and relatives they declared.
#[utoipa::path(post, path = "/inspectors", tag = "teams", security(("bearer" = [])),
    request_body = NewInspector,
    responses((status = 201, body = Inspector), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn create_inspector(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<NewInspector>,
) -> ApiResult<(StatusCode, Json<Inspector>)> {
    let x = app.services.create_inspector(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(x)))
}

#[utoipa::path(get, path = "/inspectors/{id}", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Inspector), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_inspector(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Inspector>> {
    let id = path_id(&id, "巡视干部")?;
    Ok(Json(app.services.get_inspector(&actor, id).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct InspectorUpdate {
    /// The version the change is based on; if the record changed since, 409.
    pub version: i64,
    #[serde(flatten)]
    pub fields: InspectorInput,
}

/// Changes the person's own fields; past posts and relatives have their own operations.
#[utoipa::path(put, path = "/inspectors/{id}", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = InspectorUpdate,
    responses((status = 200, body = Inspector), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_inspector(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<InspectorUpdate>,
) -> ApiResult<Json<Inspector>> {
    let id = path_id(&id, "巡视干部")?;
    Ok(Json(
        app.services
            .update_inspector(&actor, id, req.version, &req.fields)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct PastPostAddition {
    /// The version of the inspector the change is based on.
    pub version: i64,
    #[serde(flatten)]
    pub post: PastPostInput,
}

/// Adds a past post (任职经历) to the inspector's record.
#[utoipa::path(post, path = "/inspectors/{id}/past-posts", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = PastPostAddition,
    responses((status = 200, body = Inspector), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_past_post(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<PastPostAddition>,
) -> ApiResult<Json<Inspector>> {
    let id = path_id(&id, "巡视干部")?;
    Ok(Json(
        app.services
            .add_past_post(&actor, id, req.version, &req.post)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct VersionOnly {
    /// The version of the inspector the change is based on.
    pub version: i64,
}

/// Removes a past post entered in error; the trail keeps it.
#[utoipa::path(post, path = "/inspectors/{id}/past-posts/{post_id}/remove", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path), ("post_id" = String, Path)),
    request_body = VersionOnly,
    responses((status = 200, body = Inspector), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn remove_past_post(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, post_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<VersionOnly>,
) -> ApiResult<Json<Inspector>> {
    let id = path_id(&id, "巡视干部")?;
    let post_id = path_id(&post_id, "该任职经历")?;
    Ok(Json(
        app.services
            .remove_past_post(&actor, id, req.version, post_id)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct RelativeAddition {
    /// The version of the inspector the change is based on.
    pub version: i64,
    #[serde(flatten)]
    pub relative: RelativeInput,
}

/// Adds a declared relative and their workplace.
#[utoipa::path(post, path = "/inspectors/{id}/relatives", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = RelativeAddition,
    responses((status = 200, body = Inspector), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn add_relative(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<RelativeAddition>,
) -> ApiResult<Json<Inspector>> {
    let id = path_id(&id, "巡视干部")?;
    Ok(Json(
        app.services
            .add_relative(&actor, id, req.version, &req.relative)
            .await?,
    ))
}

/// Removes a declared relative entered in error; the trail keeps it.
#[utoipa::path(post, path = "/inspectors/{id}/relatives/{relative_id}/remove", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path), ("relative_id" = String, Path)),
    request_body = VersionOnly,
    responses((status = 200, body = Inspector), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn remove_relative(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, relative_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<VersionOnly>,
) -> ApiResult<Json<Inspector>> {
    let id = path_id(&id, "巡视干部")?;
    let relative_id = path_id(&relative_id, "该亲属")?;
    Ok(Json(
        app.services
            .remove_relative(&actor, id, req.version, relative_id)
            .await?,
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Withdrawal {
    pub version: i64,
    #[schema(min_length = 1, max_length = 500, pattern = r"\S")]
    pub reason: String,
}

/// Takes a person out of the pool; refused while they are on a team.
#[utoipa::path(post, path = "/inspectors/{id}/withdraw", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = Withdrawal,
    responses((status = 200, body = Inspector), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_inspector(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<Withdrawal>,
) -> ApiResult<Json<Inspector>> {
    let id = path_id(&id, "巡视干部")?;
    Ok(Json(
        app.services
            .withdraw_inspector(&actor, id, req.version, &req.reason)
            .await?,
    ))
}

/// The teams the person was appointed to, withdrawn appointments included.
#[utoipa::path(get, path = "/inspectors/{id}/teams", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Page<TeamMember>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn inspector_teams(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<TeamMember>>> {
    let id = path_id(&id, "巡视干部")?;
    Ok(Json(whole(
        app.services.inspector_memberships(&actor, id).await?,
    )))
}

/// The recusal rules: for which kinds and flags of inspection a member must not come from the
/// inspected unit's locality.
#[utoipa::path(get, path = "/recusal-rules", tag = "teams", security(("bearer" = [])),
    responses((status = 200, body = Page<RecusalRule>), (status = 403, body = ErrorBody)))]
async fn list_recusal_rules(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Page<RecusalRule>>> {
    Ok(Json(whole(app.services.recusal_rules(&actor).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct RuleChange {
    pub version: i64,
    pub same_locality: bool,
}

/// Turns recusal by locality on or off for one kind or flag (`routine`, `cross`, …).
#[utoipa::path(put, path = "/recusal-rules/{applies_to}", tag = "teams", security(("bearer" = [])),
    params(("applies_to" = xunshi_core::personnel::RuleTarget, Path)),
    request_body = RuleChange,
    responses((status = 200, body = RecusalRule), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn set_recusal_rule(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(applies_to): Path<String>,
    ApiJson(req): ApiJson<RuleChange>,
) -> ApiResult<Json<RecusalRule>> {
    let target =
        RuleTarget::parse(&applies_to).map_err(|_| CoreError::NotFound("回避规则".into()))?;
    Ok(Json(
        app.services
            .set_recusal_rule(&actor, target, req.version, req.same_locality)
            .await?,
    ))
}

/// The localities recorded for units; a unit without one is where its parent is.
#[utoipa::path(get, path = "/unit-localities", tag = "teams", security(("bearer" = [])),
    responses((status = 200, body = Page<UnitLocality>), (status = 403, body = ErrorBody)))]
async fn list_unit_localities(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<Page<UnitLocality>>> {
    Ok(Json(whole(app.services.unit_localities(&actor).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct LocalityChange {
    /// The version seen; 0 for a unit with no locality recorded yet.
    pub version: i64,
    /// Such as 南宁市; blank clears it.
    #[schema(max_length = 50)]
    pub locality: String,
}

/// Records where a unit is.
#[utoipa::path(put, path = "/unit-localities/{unit_id}", tag = "teams", security(("bearer" = [])),
    params(("unit_id" = String, Path)),
    request_body = LocalityChange,
    responses((status = 200, body = UnitLocality), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn set_unit_locality(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(unit_id): Path<String>,
    ApiJson(req): ApiJson<LocalityChange>,
) -> ApiResult<Json<UnitLocality>> {
    let unit_id = path_id(&unit_id, "单位")?;
    Ok(Json(
        app.services
            .set_unit_locality(&actor, unit_id, req.version, &req.locality)
            .await?,
    ))
}

/// The team of an inspection, withdrawn members included. Recusal findings and override
/// reasons are given to the office and the leadership only.
#[utoipa::path(get, path = "/inspections/{id}/team", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Page<TeamEntry>), (status = 404, body = ErrorBody)))]
async fn get_team(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<TeamEntry>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(whole(app.services.team(&actor, id).await?)))
}

/// Every inspector of the pool with their recusal conflicts for this inspection, those without
/// any first. For the office and the team's leader and deputy leader.
#[utoipa::path(get, path = "/inspections/{id}/candidates", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Page<Candidate>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_candidates(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Page<Candidate>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(whole(app.services.team_candidates(&actor, id).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct Appointment {
    pub inspector_id: String,
    /// `leader`, `deputy` or `member` (or 组长, 副组长, 成员).
    #[schema(value_type = xunshi_core::personnel::TeamRole)]
    pub role: String,
    /// Required when the inspector has recusal conflicts: why they are appointed regardless.
    /// Recorded in the audit trail with the conflicts.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub override_reason: Option<String>,
}

/// Appoints an inspector of the pool to the team (office only). Refused with 422, naming the
/// conflicts, when the recusal check finds any and no `override_reason` is given. The
/// inspector's account, if any, is granted the team role for this inspection.
#[utoipa::path(post, path = "/inspections/{id}/team", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = Appointment,
    responses((status = 201, body = TeamMember), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "already on the team, or a second leader", body = ErrorBody),
        (status = 422, description = "recusal conflicts without a reason, or the team can no longer change", body = ErrorBody)))]
async fn appoint(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<Appointment>,
) -> ApiResult<(StatusCode, Json<TeamMember>)> {
    let id = path_id(&id, "巡视任务")?;
    let inspector_id: Id = req
        .inspector_id
        .trim()
        .parse()
        .map_err(|_| CoreError::bad_input("inspector_id", "干部编号无效"))?;
    let role = TeamRole::parse(&req.role)?;
    let m = app
        .services
        .appoint(
            &actor,
            id,
            inspector_id,
            role,
            req.override_reason.as_deref(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(m)))
}

/// Withdraws a member from the team (调出), revoking their access to the inspection.
#[utoipa::path(post, path = "/inspections/{id}/team/{member_id}/withdraw", tag = "teams", security(("bearer" = [])),
    params(("id" = String, Path), ("member_id" = String, Path)),
    request_body = Withdrawal,
    responses((status = 200, body = TeamMember), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn withdraw_member(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path((id, member_id)): Path<(String, String)>,
    ApiJson(req): ApiJson<Withdrawal>,
) -> ApiResult<Json<TeamMember>> {
    let id = path_id(&id, "巡视任务")?;
    let member_id = path_id(&member_id, "巡视组成员")?;
    // The service checks, in its transaction, that the member is of this inspection's team.
    Ok(Json(
        app.services
            .withdraw_member(&actor, id, member_id, req.version, &req.reason)
            .await?,
    ))
}
