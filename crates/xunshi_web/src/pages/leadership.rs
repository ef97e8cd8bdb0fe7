//! The leadership view (领导视图): a term's inspections by round and stage, its coverage, the
//! clues by handling colour and each round's completion over time. Every number opens the list
//! it counts; the chart is SVG placed by `xunshi_core::leadership::chart`, with no script and
//! no external asset, and readable on paper (each line has its own dash pattern, and the
//! table under it gives every round's figures in words).

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use xunshi_core::leadership::chart::{LineChart, line_chart};

use super::dashboard::{BarChart, bar_chart};
use super::supervision::Choice;
use super::{Frame, OrPage, PageResult, ok};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::Query;
use crate::http::filters::TermQuery;

pub fn routes() -> Router<AppState> {
    Router::new().route("/leadership", get(show))
}

/// One number of the rounds × stages table and the list it opens.
pub struct Cell {
    pub count: usize,
    pub href: String,
}

pub struct StageRow {
    pub name: String,
    pub cells: Vec<Cell>,
    pub total: Cell,
}

pub struct CoverageBox {
    pub total: usize,
    pub covered: usize,
    pub uncovered: usize,
    pub percent: String,
    pub href: String,
    pub uncovered_href: String,
}

pub struct CompletionRow {
    pub name: String,
    pub class: String,
    pub total: usize,
    pub closed: usize,
    pub percent: String,
}

#[derive(Template)]
#[template(path = "leadership.html")]
struct LeadershipPage {
    frame: Frame,
    today: String,
    terms: Vec<Choice>,
    term_name: String,
    stage_labels: Vec<&'static str>,
    rounds: Vec<StageRow>,
    totals: Option<StageRow>,
    coverage: Option<CoverageBox>,
    clue_chart: Option<BarChart>,
    chart: LineChart,
    first_month: String,
    last_month: String,
    completion: Vec<CompletionRow>,
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<TermQuery>,
) -> PageResult {
    let actor = &user.actor;
    // The parser of `GET /api/v1/overview`.
    let term_id = q.term_id().or_page(actor)?;
    let v = app
        .services
        .leadership_view(actor, term_id)
        .await
        .or_page(actor)?;
    let shown = v
        .term
        .as_ref()
        .map(|t| t.id.to_string())
        .unwrap_or_default();
    let inspections = |round: &str, stage: &str| {
        let mut href = format!("/inspections?term_id={shown}");
        if !round.is_empty() {
            href.push_str(&format!("&round_id={round}"));
        }
        if !stage.is_empty() {
            href.push_str(&format!("&stage={stage}"));
        }
        href
    };
    let rounds: Vec<StageRow> = v
        .rounds
        .iter()
        .map(|r| {
            let round = r.round_id.to_string();
            StageRow {
                name: r.name.clone(),
                cells: r
                    .by_stage
                    .iter()
                    .map(|b| Cell {
                        count: b.count,
                        href: inspections(&round, &b.key),
                    })
                    .collect(),
                total: Cell {
                    count: r.total,
                    href: inspections(&round, ""),
                },
            }
        })
        .collect();
    let totals = v.term.as_ref().map(|_| StageRow {
        name: "合计".to_owned(),
        cells: v
            .stage_totals
            .iter()
            .map(|b| Cell {
                count: b.count,
                href: inspections("", &b.key),
            })
            .collect(),
        total: Cell {
            count: v.inspections_total,
            href: inspections("", ""),
        },
    });
    let coverage = v.coverage.map(|c| CoverageBox {
        total: c.total,
        covered: c.covered,
        uncovered: c.uncovered,
        percent: percent(c.rate),
        href: format!("/planning/coverage?term_id={shown}"),
        uncovered_href: format!("/planning/coverage?term_id={shown}&uncovered=true"),
    });
    let clue_chart = v.clues.as_ref().map(|bars| {
        bar_chart(
            "问题线索按办理时限（不分届次）",
            bars.iter()
                .map(|b| {
                    (
                        b.label.clone(),
                        b.count,
                        format!("/clues?colour={}", b.key),
                        format!("bar clue-{}", b.key),
                    )
                })
                .collect(),
        )
    });
    let series: Vec<(String, Vec<f64>)> = v
        .completion
        .iter()
        .map(|r| (r.name.clone(), r.points.iter().map(|p| p.rate).collect()))
        .collect();
    let chart = line_chart(&v.months, &series);
    let completion = v
        .completion
        .iter()
        .zip(&chart.lines)
        .map(|(r, l)| CompletionRow {
            name: r.name.clone(),
            class: l.class.clone(),
            total: r.total,
            closed: r.closed,
            percent: percent(if r.total == 0 {
                0.0
            } else {
                r.closed as f64 / r.total as f64
            }),
        })
        .collect();
    let page = LeadershipPage {
        frame: Frame::new(&app, &user, "领导视图", "/leadership").await,
        today: v.today.to_string(),
        terms: v
            .terms
            .iter()
            .map(|t| Choice {
                value: t.id.to_string(),
                label: t.name.clone(),
                selected: t.id.to_string() == shown,
            })
            .collect(),
        term_name: v.term.as_ref().map(|t| t.name.clone()).unwrap_or_default(),
        stage_labels: xunshi_core::inspection::Stage::ALL
            .iter()
            .map(|s| s.label())
            .collect(),
        rounds,
        totals,
        coverage,
        clue_chart,
        first_month: v.months.first().cloned().unwrap_or_default(),
        last_month: v.months.last().cloned().unwrap_or_default(),
        chart,
        completion,
    };
    Ok(ok(&page))
}
