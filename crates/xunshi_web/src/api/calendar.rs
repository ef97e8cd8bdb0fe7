//! The holiday arrangements and working-day arithmetic.

use crate::http::Path;
use axum::Json;
use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use xunshi_core::CoreError;
use xunshi_core::calendar::CalendarDay;
use xunshi_core::deadline::DeadlineChange;
use xunshi_core::store::calendar::CalendarYear;

use super::{ApiJson, ApiQuery, path_id};
use crate::AppState;
use crate::auth::ApiUser;
use crate::error::{ApiResult, ErrorBody};

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_calendar))
        .routes(routes!(put_year))
        .routes(routes!(working_days))
        .routes(routes!(get_deadline_change))
        .routes(routes!(acknowledge_deadline_change))
}

#[derive(Serialize, ToSchema)]
pub struct CalendarListing {
    pub years: Vec<CalendarYear>,
    pub days: Vec<CalendarDay>,
}

/// The years whose arrangement is known, and their holidays and adjusted workdays.
#[utoipa::path(get, path = "/calendar", tag = "calendar", security(("bearer" = [])),
    responses((status = 200, body = CalendarListing)))]
async fn get_calendar(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
) -> ApiResult<Json<CalendarListing>> {
    let (years, days) = app.services.calendar_listing(&actor).await?;
    Ok(Json(CalendarListing { years, days }))
}

#[derive(Deserialize, ToSchema)]
pub struct YearImport {
    /// Where the arrangement comes from (the State Council's notice).
    #[schema(min_length = 1, pattern = r"\S")]
    pub source: String,
    /// Lines `date,kind,festival`, kind `holiday` or `workday`; a header line is optional.
    pub csv: String,
}

#[derive(Serialize, ToSchema)]
pub struct Imported {
    pub year: i16,
    pub days: usize,
    /// The running deadlines the arrangement moved or made firm, counted again in the same
    /// transaction; each is in the audit trail and on its unit's to-do.
    pub recounted: usize,
}

/// Enters or corrects the arrangement of one year, replacing what was there.
#[utoipa::path(put, path = "/calendar/{year}", tag = "calendar", security(("bearer" = [])),
    params(("year" = i16, Path, minimum = 2000, maximum = 2100)),
    request_body = YearImport,
    responses((status = 200, body = Imported), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody),
        (status = 422, description = "rows that cannot be read or lie outside the year, each named", body = ErrorBody)))]
async fn put_year(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(year): Path<String>,
    ApiJson(req): ApiJson<YearImport>,
) -> ApiResult<Json<Imported>> {
    let year: i16 = year
        .parse()
        .map_err(|_| CoreError::bad_input("year", "年度应为四位年份"))?;
    let done = app
        .services
        .import_calendar_year(&actor, year, &req.csv, &req.source)
        .await?;
    Ok(Json(Imported {
        year,
        days: done.days,
        recounted: done.recounted,
    }))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WorkingDaysQuery {
    /// The day of the event (`2020-03-25`); it does not count.
    #[param(value_type = String, format = Date)]
    pub from: String,
    /// How many working days.
    #[param(maximum = 2000)]
    pub days: u32,
}

#[derive(Serialize, ToSchema)]
pub struct Deadline {
    #[schema(value_type = String, format = Date)]
    pub due: jiff::civil::Date,
    /// True when the count crossed a year whose holiday arrangement has not been entered: those
    /// days were counted Monday to Friday, and the date is provisional (暂定).
    pub provisional: bool,
    /// Why the date is provisional, e.g. "2027年节假日安排尚未录入，按周末推算"; null when it
    /// stands.
    pub reason: Option<String>,
}

/// The date `days` working days after `from`. Past the entered holiday arrangements the days
/// are counted by weekends alone and the answer is marked provisional, with the reason.
#[utoipa::path(get, path = "/calendar/working-days", tag = "calendar", security(("bearer" = [])),
    params(WorkingDaysQuery),
    responses((status = 200, body = Deadline), (status = 400, body = ErrorBody)))]
async fn working_days(
    State(app): State<AppState>,
    ApiUser(_actor): ApiUser,
    ApiQuery(q): ApiQuery<WorkingDaysQuery>,
) -> ApiResult<Json<Deadline>> {
    let from: jiff::civil::Date = q
        .from
        .parse()
        .map_err(|_| CoreError::bad_input("from", "日期格式应为 2020-03-25"))?;
    let r = app.services.calendar().await?.deadline(from, q.days)?;
    Ok(Json(Deadline {
        due: r.date,
        provisional: r.is_provisional(),
        reason: r.provisional,
    }))
}

/// A running deadline that moved when a year's holiday arrangement was entered: before and
/// after, and whether its unit has taken note. Its unit's principal and liaison, and the
/// office, may read it; it is listed on the unit's to-do (`deadline_changed`) until noted.
#[utoipa::path(get, path = "/deadline-changes/{id}", tag = "calendar", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeadlineChange), (status = 404, body = ErrorBody)))]
async fn get_deadline_change(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DeadlineChange>> {
    let id = path_id(&id, "期限调整通知")?;
    Ok(Json(app.services.deadline_change(&actor, id).await?))
}

/// The unit takes note of a deadline that moved (its principal or liaison), once; the item
/// leaves its to-do.
#[utoipa::path(post, path = "/deadline-changes/{id}/acknowledge", tag = "calendar", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = DeadlineChange), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn acknowledge_deadline_change(
    State(app): State<AppState>,
    ApiUser(actor): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Json<DeadlineChange>> {
    let id = path_id(&id, "期限调整通知")?;
    Ok(Json(
        app.services.acknowledge_deadline_change(&actor, id).await?,
    ))
}
