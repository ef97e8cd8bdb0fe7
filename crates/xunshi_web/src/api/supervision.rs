//! Supervision of rectification: follow-up notices, accountability, long-term mechanisms, the
//! deadline rules with the warning period, and the clocks of an inspection.
//!
//! Lists answer every logged-in caller with what that caller may read: the office, the
//! supervisors and the leadership everything, a team its inspection's, an inspected unit its
//! own, anyone else an empty list.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::page::SortedPage;
use xunshi_core::rectify::{Accountability, FollowUp, Mechanism};
use xunshi_core::service::{AccountabilityEntry, FollowUpEntry, MechanismEntry};
use xunshi_core::supervision::{
    AccountabilityInput, ClockView, CommitteeRuleInput, DeadlineRuleInput, FollowUpAnswer,
    FollowUpInput, MechanismInput, RectifySettings, StoredDeadlineRule, WarnDaysInput,
};

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};
use crate::http::docx;
use crate::http::filters::{AccountabilityParams, FollowUpParams, MechanismParams};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_followups, issue_followup))
        .routes(routes!(get_followup))
        .routes(routes!(followup_docx))
        .routes(routes!(answer_followup))
        .routes(routes!(list_accountability, record_accountability))
        .routes(routes!(list_mechanisms, record_mechanism))
        .routes(routes!(get_deadline_rules, add_committee_rule))
        .routes(routes!(update_deadline_rule, remove_committee_rule))
        .routes(routes!(get_settings, update_settings))
        .routes(routes!(inspection_clocks))
}

/// The follow-up notices the caller may read, in the order `sort` asks (of issue unless told),
/// a page at a time, with the total the filter matches under the caller's scope and the
/// cursors of the next and the previous page.
#[utoipa::path(get, path = "/followups", tag = "supervision", security(("bearer" = [])),
    params(FollowUpParams),
    responses((status = 200, body = SortedPage<FollowUpEntry>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_followups(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<FollowUpParams>,
) -> ApiResult<Json<SortedPage<FollowUpEntry>>> {
    let query = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .followup_page(&actor, &query, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Issues a follow-up notice to an inspected unit, on its rectification or on one task: the
/// office, the discipline commission or the organization department, after feedback.
#[utoipa::path(post, path = "/followups", tag = "supervision", security(("bearer" = [])),
    request_body = FollowUpInput,
    responses((status = 201, body = FollowUp), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_followup(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> ApiResult<(StatusCode, Json<FollowUp>)> {
    let n = app.services.issue_followup(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(n)))
}

/// One follow-up notice with its unit, team and task: for those who read its unit's records.
#[utoipa::path(get, path = "/followups/{id}", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FollowUpEntry), (status = 404, body = ErrorBody)))]
async fn get_followup(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<FollowUpEntry>> {
    let id = path_id(&id, "督办通知")?;
    Ok(Json(app.services.get_followup(&actor, id).await?))
}

/// A follow-up notice as the `.docx` sent to the unit, read through the same rule as
/// `GET /followups/{id}`.
#[utoipa::path(get, path = "/followups/{id}/notice.docx", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "督办文书", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = ErrorBody)))]
async fn followup_docx(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<axum::response::Response> {
    let id = path_id(&id, "督办通知")?;
    let e = app.services.get_followup(&actor, id).await?;
    Ok(docx::docx_response(&docx::followup_doc(&e))?)
}

/// The unit's answer to a notice: its principal or liaison, once, on the version seen.
#[utoipa::path(post, path = "/followups/{id}/answer", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = FollowUpAnswer,
    responses((status = 200, body = FollowUp), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_followup(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<FollowUpAnswer>,
) -> ApiResult<Json<FollowUp>> {
    let id = path_id(&id, "督办通知")?;
    Ok(Json(
        app.services.answer_followup(&actor, id, &input).await?,
    ))
}

/// The accountability records the caller may read, in the order `sort` asks (as recorded
/// unless told), a page at a time, with the total the filter matches under the caller's scope
/// and the cursors of the next and the previous page.
#[utoipa::path(get, path = "/accountability", tag = "supervision", security(("bearer" = [])),
    params(AccountabilityParams),
    responses((status = 200, body = SortedPage<AccountabilityEntry>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_accountability(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<AccountabilityParams>,
) -> ApiResult<Json<SortedPage<AccountabilityEntry>>> {
    let query = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .accountability_page(&actor, &query, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Records someone held to account: the office, the discipline commission or the organization
/// department. The measure must come from the lists (`measure_list`, then `measure`).
#[utoipa::path(post, path = "/accountability", tag = "supervision", security(("bearer" = [])),
    request_body = AccountabilityInput,
    responses((status = 201, body = Accountability), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_accountability(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<AccountabilityInput>,
) -> ApiResult<(StatusCode, Json<Accountability>)> {
    let a = app.services.record_accountability(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(a)))
}

/// The long-term mechanisms the caller may read, in the order `sort` asks (as recorded unless
/// told), a page at a time, with the total the filter matches under the caller's scope and
/// the cursors of the next and the previous page.
#[utoipa::path(get, path = "/mechanisms", tag = "supervision", security(("bearer" = [])),
    params(MechanismParams),
    responses((status = 200, body = SortedPage<MechanismEntry>),
        (status = 400, description = "a filter, `q`, `sort` or `limit` that cannot be read", body = ErrorBody),
        (status = 401, body = ErrorBody),
        (status = 422, description = "a `cursor` this list did not issue under the `sort` given", body = ErrorBody)))]
async fn list_mechanisms(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiQuery(q): ApiQuery<MechanismParams>,
) -> ApiResult<Json<SortedPage<MechanismEntry>>> {
    let query = q.filter()?;
    let (sort, at, limit) = q.sorted()?;
    Ok(Json(
        app.services
            .mechanisms_page(&actor, &query, sort, at.as_ref(), limit)
            .await?,
    ))
}

/// Records a rule established or revised through rectification, linked to the tasks of the
/// unit's plan that produced it: the unit's principal or liaison, or the office.
#[utoipa::path(post, path = "/mechanisms", tag = "supervision", security(("bearer" = [])),
    request_body = MechanismInput,
    responses((status = 201, body = Mechanism), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_mechanism(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<MechanismInput>,
) -> ApiResult<(StatusCode, Json<Mechanism>)> {
    let m = app.services.record_mechanism(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(m)))
}

#[derive(Serialize, ToSchema)]
pub struct DeadlineRules {
    pub rules: Vec<StoredDeadlineRule>,
    /// The warning period with its version (change it with `PUT /rectify-settings`).
    pub settings: RectifySettings,
}

/// The rectification deadline rules in force, by level and clock, and the warning period.
#[utoipa::path(get, path = "/deadline-rules", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = DeadlineRules), (status = 401, body = ErrorBody)))]
async fn get_deadline_rules(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<DeadlineRules>> {
    Ok(Json(DeadlineRules {
        rules: app.services.deadline_rules(&actor).await?,
        settings: app.services.rectify_settings(&actor).await?,
    }))
}

/// A committee's own rule of one clock (a city's or county's 巡察办, for the inspections its
/// committee sends), in place of its level's: every running clock of those inspections is
/// reckoned by it at once. One per committee and clock (409); a clock its level does not have,
/// or a unit that sends no inspections, 422.
#[utoipa::path(post, path = "/deadline-rules", tag = "supervision", security(("bearer" = [])),
    request_body = CommitteeRuleInput,
    responses((status = 201, body = StoredDeadlineRule), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_committee_rule(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<CommitteeRuleInput>,
) -> ApiResult<(StatusCode, Json<StoredDeadlineRule>)> {
    let rule = app.services.add_committee_rule(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(rule)))
}

/// The version of a committee's rule being removed.
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RemovalQuery {
    /// The version seen: a rule changed since is not removed (409).
    pub version: i64,
}

/// Removes a committee's own rule, seen at `version`: its level's rule reckons its clocks
/// again. A level's rule is changed, never removed (422).
#[utoipa::path(delete, path = "/deadline-rules/{id}", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path), RemovalQuery),
    responses((status = 204), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remove_committee_rule(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiQuery(q): ApiQuery<RemovalQuery>,
) -> ApiResult<StatusCode> {
    let id = path_id(&id, "时限规则")?;
    app.services
        .remove_committee_rule(&actor, id, q.version)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes how long one clock runs (the office); every clock follows at once.
#[utoipa::path(put, path = "/deadline-rules/{id}", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body = DeadlineRuleInput,
    responses((status = 200, body = StoredDeadlineRule), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_deadline_rule(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
    ApiJson(input): ApiJson<DeadlineRuleInput>,
) -> ApiResult<Json<StoredDeadlineRule>> {
    let id = path_id(&id, "时限规则")?;
    Ok(Json(
        app.services
            .update_deadline_rule(&actor, id, &input)
            .await?,
    ))
}

/// The warning period: how many days before a deadline tasks and clocks turn yellow.
#[utoipa::path(get, path = "/rectify-settings", tag = "supervision", security(("bearer" = [])),
    responses((status = 200, body = RectifySettings), (status = 401, body = ErrorBody)))]
async fn get_settings(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<RectifySettings>> {
    Ok(Json(app.services.rectify_settings(&actor).await?))
}

/// Sets the warning period (the office).
#[utoipa::path(put, path = "/rectify-settings", tag = "supervision", security(("bearer" = [])),
    request_body = WarnDaysInput,
    responses((status = 200, body = RectifySettings), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn update_settings(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    ApiJson(input): ApiJson<WarnDaysInput>,
) -> ApiResult<Json<RectifySettings>> {
    Ok(Json(app.services.set_warn_days(&actor, &input).await?))
}

/// The clocks of an inspection from its feedback date, per inspected unit the caller may see:
/// due date, colour, and whether the event that stops it has happened. A clock counted in
/// working days into a year without a holiday arrangement has a provisional date, counted by
/// weekends alone, and says why in `provisional`; entering the year counts it again.
#[utoipa::path(get, path = "/inspections/{id}/clocks", tag = "supervision", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = Vec<ClockView>), (status = 404, body = ErrorBody)))]
async fn inspection_clocks(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<Vec<ClockView>>> {
    let id = path_id(&id, "巡视任务")?;
    Ok(Json(app.services.inspection_clocks(&actor, id).await?))
}
