//! The holiday arrangements: view a year, compute a working-day deadline, enter a new year.

use crate::http::Form;
use crate::http::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Deserialize;
use xunshi_core::CoreError;
use xunshi_core::calendar::DayKind;
use xunshi_core::permission::Permission;
use xunshi_core::service::today;
use xunshi_core::store::calendar::CalendarYear;

use super::{FormErrors, Frame, OrPage, PageResult, render, see_other};
use crate::AppState;
use crate::auth::PageUser;

pub fn routes() -> Router<AppState> {
    Router::new().route("/system/calendar", get(show).post(import))
}

const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

#[derive(Template)]
#[template(path = "calendar.html")]
struct CalendarPage {
    frame: Frame,
    years: Vec<CalendarYear>,
    year: i16,
    source: Option<String>,
    days: Vec<(String, String, bool, String)>,
    calc_from: String,
    calc_n: String,
    calc_result: Option<String>,
    can_manage: bool,
    form_year: String,
    form_source: String,
    form_csv: String,
    errors: FormErrors,
    row_errors: Vec<String>,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    year: Option<i16>,
    from: Option<String>,
    n: Option<u32>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct ImportForm {
    #[serde(default)]
    year: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    csv: String,
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    render_page(
        &app,
        &user,
        q,
        ImportForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn render_page(
    app: &AppState,
    user: &PageUser,
    q: ShowQuery,
    form: ImportForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (years, all_days) = app.services.calendar_listing(actor).await.or_page(actor)?;
    let this_year = today(app.services.now()).year();
    let year = q
        .year
        .or_else(|| years.iter().map(|y| y.year).find(|y| *y == this_year))
        .or_else(|| years.last().map(|y| y.year))
        .unwrap_or(this_year);
    let days = all_days
        .iter()
        .filter(|d| d.date.year() == year)
        .map(|d| {
            let wd = WEEKDAYS[d.date.weekday().to_monday_zero_offset() as usize];
            (
                d.date.to_string(),
                format!("星期{wd}"),
                d.kind == DayKind::Holiday,
                d.festival.clone(),
            )
        })
        .collect();
    let calc_result = match (q.from.as_deref().filter(|f| !f.is_empty()), q.n) {
        (Some(from), Some(n)) => Some(match from.parse::<jiff::civil::Date>() {
            Ok(start) => match app
                .services
                .calendar()
                .await
                .and_then(|c| c.deadline(start, n))
            {
                Ok(r) => match r.provisional {
                    None => format!("自 {start} 起 {n} 个工作日，期限为 {}。", r.date),
                    Some(why) => format!(
                        "自 {start} 起 {n} 个工作日，期限暂定为 {}（{why}；录入该年度安排后将重新计算）。",
                        r.date
                    ),
                },
                Err(e) => e.to_string(),
            },
            Err(_) => format!("“{from}”不是有效日期"),
        }),
        _ => None,
    };
    let row_errors = errors.rows();
    let page = CalendarPage {
        frame: Frame::new(app, user, "节假日安排", "/system/calendar")
            .await
            .with_notice(q.notice.as_deref()),
        source: years
            .iter()
            .find(|y| y.year == year)
            .map(|y| y.source.clone()),
        years,
        year,
        days,
        calc_from: q.from.unwrap_or_default(),
        calc_n: q.n.map(|n| n.to_string()).unwrap_or_else(|| "15".into()),
        calc_result,
        can_manage: actor.can(Permission::ManageReferenceData),
        form_year: form.year,
        form_source: form.source,
        form_csv: form.csv,
        errors,
        row_errors,
    };
    Ok(render(status, &page))
}

async fn import(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<ImportForm>,
) -> PageResult {
    let actor = &user.actor;
    let result = match f.year.trim().parse::<i16>() {
        Ok(year) => app
            .services
            .import_calendar_year(actor, year, &f.csv, &f.source)
            .await
            .map(|done| (year, done.recounted)),
        Err(_) => Err(CoreError::bad_input("year", "年度应为四位年份")),
    };
    match result {
        // The office learns that deadlines moved; the units learn it on their to-do.
        Ok((year, 0)) => Ok(see_other(&format!("/system/calendar?year={year}"), "saved")),
        Ok((year, _)) => Ok(see_other(
            &format!("/system/calendar?year={year}"),
            "calendar_recounted",
        )),
        Err(e @ CoreError::Forbidden(_)) => Err(e).or_page(actor),
        Err(e) => {
            let status = crate::error::status_of(&e);
            render_page(
                &app,
                &user,
                ShowQuery::default(),
                f,
                FormErrors::from_error(&e),
                status,
            )
            .await
        }
    }
}
