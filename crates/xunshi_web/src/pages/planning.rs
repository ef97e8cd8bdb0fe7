//! Pages of the plan: terms, annual plans and rounds, and the coverage of a term.

use crate::http::Query;
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use crate::http::Form;
use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::org::UnitKind;
use xunshi_core::service::{Coverage, PlanInput, RoundInput, TermInput, may_plan};
use xunshi_core::{CoreError, Id};

use super::{FormErrors, Frame, OrPage, PageResult, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::CoverageQuery;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/planning", get(overview))
        .route("/planning/terms", post(create_term))
        .route("/planning/plans", post(create_plan))
        .route("/planning/rounds", post(create_round))
        .route("/planning/coverage", get(coverage))
}

struct RoundRow {
    id: String,
    number: i16,
    name: String,
}

struct PlanRow {
    id: String,
    year: i16,
    title: String,
    notes: String,
    rounds: Vec<RoundRow>,
}

struct TermRow {
    id: String,
    name: String,
    dispatcher: String,
    period: String,
    plans: Vec<PlanRow>,
}

#[derive(Deserialize, Default)]
struct TermForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    dispatcher: String,
    #[serde(default)]
    starts_on: String,
    #[serde(default)]
    ends_on: String,
}

#[derive(Template)]
#[template(path = "planning.html")]
struct PlanningPage {
    frame: Frame,
    terms: Vec<TermRow>,
    committees: Vec<(String, String)>,
    can_manage: bool,
    form: TermForm,
    errors: FormErrors,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn overview(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    render_overview(
        &app,
        &user,
        TermForm::default(),
        FormErrors::none(),
        StatusCode::OK,
        q.notice.as_deref(),
    )
    .await
}

async fn render_overview(
    app: &AppState,
    user: &PageUser,
    form: TermForm,
    errors: FormErrors,
    status: StatusCode,
    notice: Option<&str>,
) -> PageResult {
    let actor = &user.actor;
    let s = &app.services;
    let terms = s.list_terms(actor).await.or_page(actor)?;
    let plans = s.list_plans(actor, None).await.or_page(actor)?;
    let rounds = s.list_rounds(actor, None).await.or_page(actor)?;
    let units = s.unit_tree(actor).await.or_page(actor)?;
    let unit_name = |id: Id| {
        units
            .iter()
            .find(|(_, u)| u.id == id)
            .map(|(_, u)| u.name.clone())
            .unwrap_or_default()
    };
    let terms = terms
        .iter()
        .map(|t| TermRow {
            id: t.id.to_string(),
            name: t.name.clone(),
            dispatcher: unit_name(t.dispatcher_id),
            period: match t.ends_on {
                Some(e) => format!("{} 至 {}", t.starts_on, e),
                None => format!("{} 起", t.starts_on),
            },
            plans: plans
                .iter()
                .filter(|p| p.term_id == t.id)
                .map(|p| PlanRow {
                    id: p.id.to_string(),
                    year: p.year,
                    title: p.title.clone(),
                    notes: p.notes.clone(),
                    rounds: rounds
                        .iter()
                        .filter(|r| r.plan_id == p.id)
                        .map(|r| RoundRow {
                            id: r.id.to_string(),
                            number: r.number,
                            name: r.name.clone(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let reach = actor.office_reach();
    let committees = units
        .iter()
        .filter(|(_, u)| {
            !u.withdrawn
                && matches!(u.kind, UnitKind::Committee | UnitKind::LowerCommittee)
                && reach.runs(u.id)
        })
        .map(|(_, u)| (u.id.to_string(), u.name.clone()))
        .collect();
    let page = PlanningPage {
        frame: Frame::new(app, user, "巡视工作规划", "/planning")
            .await
            .with_notice(notice),
        terms,
        committees,
        can_manage: may_plan(actor),
        form,
        errors,
    };
    Ok(render(status, &page))
}

async fn create_term(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<TermForm>,
) -> PageResult {
    let input = TermInput {
        name: f.name.clone(),
        dispatcher: f.dispatcher.clone(),
        starts_on: f.starts_on.clone(),
        ends_on: Some(f.ends_on.clone()),
    };
    match app.services.create_term(&user.actor, &input).await {
        Ok(_) => Ok(see_other("/planning", "created")),
        Err(e @ CoreError::Forbidden(_)) => Err(e).or_page(&user.actor),
        Err(e) => {
            let status = crate::error::status_of(&e);
            render_overview(&app, &user, f, FormErrors::from_error(&e), status, None).await
        }
    }
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    term_id: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    notes: String,
}

async fn create_plan(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<PlanForm>,
) -> PageResult {
    let result = match f.year.trim().parse::<i16>() {
        Ok(year) => {
            let input = PlanInput {
                term_id: f.term_id,
                year,
                title: f.title,
                notes: f.notes,
            };
            app.services
                .create_plan(&user.actor, &input)
                .await
                .map(|_| ())
        }
        Err(_) => Err(CoreError::bad_input("year", "年度应为四位年份")),
    };
    outcome(&app, &user, result).await
}

#[derive(Deserialize)]
struct RoundForm {
    #[serde(default)]
    plan_id: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    name: String,
}

async fn create_round(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<RoundForm>,
) -> PageResult {
    let result = match f.number.trim().parse::<i16>() {
        Ok(number) => {
            let input = RoundInput {
                plan_id: f.plan_id,
                number,
                name: f.name,
            };
            app.services
                .create_round(&user.actor, &input)
                .await
                .map(|_| ())
        }
        Err(_) => Err(CoreError::bad_input("number", "轮次应为 1 到 99 的数字")),
    };
    outcome(&app, &user, result).await
}

/// The small forms of the overview show their errors on top of the page.
async fn outcome(app: &AppState, user: &PageUser, result: Result<(), CoreError>) -> PageResult {
    match result {
        Ok(()) => Ok(see_other("/planning", "created")),
        Err(e @ CoreError::Forbidden(_)) => Err(e).or_page(&user.actor),
        Err(e) => {
            let status = crate::error::status_of(&e);
            let errors = FormErrors {
                general: Some(e.to_string()),
                ..FormErrors::none()
            };
            render_overview(app, user, TermForm::default(), errors, status, None).await
        }
    }
}

struct CoverageLine {
    name: String,
    depth: usize,
    level: &'static str,
    links: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "coverage.html")]
struct CoveragePage {
    frame: Frame,
    terms: Vec<(String, String)>,
    term_id: String,
    coverage: Option<Coverage>,
    rows: Vec<CoverageLine>,
    percent: String,
    /// Only the units no inspection of the term targets.
    only_uncovered: bool,
}

async fn coverage(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<CoverageQuery>,
) -> PageResult {
    let actor = &user.actor;
    let only_uncovered = q.uncovered().or_page(actor)?;
    let terms = app.services.list_terms(actor).await.or_page(actor)?;
    // The parser of `GET /api/v1/plans` and `/rounds`; a term that cannot exist names nothing.
    let chosen = match q.term_id().or_page(actor)? {
        Some(t) => Some(t),
        None => terms.first().map(|t| t.id),
    };
    let coverage = match chosen {
        Some(id) => Some(app.services.coverage(actor, id).await.or_page(actor)?),
        None => None,
    };
    let mut rows = Vec::new();
    let mut percent = String::new();
    if let Some(c) = &coverage {
        for r in &c.rows {
            // The leadership view's number of units not yet covered opens this list.
            if only_uncovered && !r.inspections.is_empty() {
                continue;
            }
            let mut links = Vec::new();
            for cov in &r.inspections {
                let label = match app.services.inspection_view(actor, cov.inspection_id).await {
                    Ok((v, _)) => format!("{}（{}）", v.inspection.team_name, cov.stage.label()),
                    Err(_) => cov.stage.label().to_owned(),
                };
                links.push((cov.inspection_id.to_string(), label));
            }
            rows.push(CoverageLine {
                name: r.unit.name.clone(),
                depth: r.depth.min(6),
                level: r.unit.level.label(),
                links,
            });
        }
        if c.total > 0 {
            percent = format!("{:.1}", c.covered as f64 * 100.0 / c.total as f64);
        }
    }
    let page = CoveragePage {
        frame: Frame::new(&app, &user, "巡视全覆盖情况", "/planning/coverage").await,
        terms: terms
            .iter()
            .map(|t| (t.id.to_string(), t.name.clone()))
            .collect(),
        term_id: chosen.map(|c| c.to_string()).unwrap_or_default(),
        coverage,
        rows,
        percent,
        only_uncovered,
    };
    Ok(render(StatusCode::OK, &page))
}
