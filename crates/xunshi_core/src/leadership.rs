//! The leadership view (领导视图): what the leading group and the office look at for a term —
//! inspections by round and stage, the coverage of the term (全覆盖), clues by the colour of
//! their handling clock, and each round's completion rate over time as a line chart. Every
//! number comes from an aggregate of the store (`store::leadership`); this module adds them up
//! and places the chart, as plain functions a test can call.

use jiff::civil::Date;
use serde::Serialize;

use crate::clue::ClockColour;
use crate::dashboard::Bar;
use crate::id::Id;
use crate::inspection::{Round, Stage, Term};
use crate::permission::Actor;
use crate::role::Role;
use crate::store::{ClosedInMonth, ClueColourCount, StageCount};

/// How many months the completion chart spans at most: a term runs five years.
pub const MAX_MONTHS: usize = 72;

/// Who opens the leadership view: the leading group (read-only) and the office that serves it
/// — the top committee's for every term, a committee's own office (巡察办) for its committee's.
/// A team, a supervisor or an inspected unit has its own views and is refused this one.
pub fn may_view(actor: &Actor) -> bool {
    actor.is_system()
        || actor.has_role(Role::Office)
        || actor.has_role(Role::Leadership)
        || !actor.office_committees().is_empty()
}

/// A term to choose from.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TermChoice {
    pub id: Id,
    pub name: String,
}

/// One round's inspections by stage, in the order of the stage machine.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundStages {
    pub round_id: Id,
    pub name: String,
    /// Keyed by stage code, every stage present (zero included).
    pub by_stage: Vec<Bar>,
    pub total: usize,
}

/// The units under the term's dispatcher, and how many an inspection of the term targets.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct CoverageFigure {
    pub total: usize,
    pub covered: usize,
    pub uncovered: usize,
    /// covered / total, 0 when there are no units.
    pub rate: f64,
}

/// A round's completion rate at the end of one month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CompletionPoint {
    /// `YYYY-MM`.
    pub month: String,
    /// Tasks closed by the end of the month (cumulative).
    pub closed: usize,
    /// closed / the round's live tasks today.
    pub rate: f64,
}

/// One round's completion over time.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundCompletion {
    pub round_id: Id,
    pub name: String,
    /// The round's live tasks today (the ledger's tallies).
    pub total: usize,
    pub closed: usize,
    /// One point per month of [`LeadershipView::months`].
    pub points: Vec<CompletionPoint>,
}

/// The whole view for one term.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LeadershipView {
    #[schema(value_type = String, format = Date)]
    pub today: Date,
    pub terms: Vec<TermChoice>,
    /// The term shown: the one asked for, or the latest begun. None when there is no term.
    pub term: Option<Term>,
    /// Rounds newest first, each with its inspections by stage.
    pub rounds: Vec<RoundStages>,
    /// Every round of the term added up, by stage.
    pub stage_totals: Vec<Bar>,
    pub inspections_total: usize,
    pub coverage: Option<CoverageFigure>,
    /// Clues by handling colour (green, yellow, red, done), of every term: the clue list they
    /// open has no term filter. None for a reader the clue rules do not let read every clue
    /// list.
    pub clues: Option<Vec<Bar>>,
    /// The months of the completion chart, `YYYY-MM`, from the start of the term's first
    /// round year (not before the term began) to this month (or the term's end), at most
    /// [`MAX_MONTHS`], the latest kept.
    pub months: Vec<String>,
    /// Rounds oldest first, for the chart's legend.
    pub completion: Vec<RoundCompletion>,
}

fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

fn rate(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The rounds × stages table, and the totals by stage. Counts of rounds not in `rounds` are
/// left out (a round of another term cannot be there: the store reads one term).
pub fn stage_table(rounds: &[Round], counts: &[StageCount]) -> (Vec<RoundStages>, Vec<Bar>) {
    let bars = |pick: &dyn Fn(Stage) -> usize| -> Vec<Bar> {
        Stage::ALL
            .iter()
            .map(|s| Bar {
                key: s.as_str().to_owned(),
                label: s.label().to_owned(),
                count: pick(*s),
            })
            .collect()
    };
    let rows = rounds
        .iter()
        .map(|r| {
            let of = |s: Stage| {
                counts
                    .iter()
                    .filter(|c| c.round_id == r.id && c.stage == s)
                    .map(|c| count(c.n))
                    .sum()
            };
            let by_stage = bars(&of);
            RoundStages {
                round_id: r.id,
                name: r.name.clone(),
                total: by_stage.iter().map(|b| b.count).sum(),
                by_stage,
            }
        })
        .collect::<Vec<_>>();
    let totals = bars(&|s| {
        rows.iter()
            .map(|r| {
                r.by_stage
                    .iter()
                    .find(|b| b.key == s.as_str())
                    .map_or(0, |b| b.count)
            })
            .sum()
    });
    (rows, totals)
}

pub fn coverage_figure(total: i64, covered: i64) -> CoverageFigure {
    let (total, covered) = (count(total), count(covered).min(count(total)));
    CoverageFigure {
        total,
        covered,
        uncovered: total - covered,
        rate: rate(covered, total),
    }
}

/// The clue colours as bars keyed by [`ClockColour`] code, in the clock's order.
pub fn clue_bars(c: &ClueColourCount) -> Vec<Bar> {
    ClockColour::ALL
        .iter()
        .map(|colour| Bar {
            key: colour.as_str().to_owned(),
            label: colour.label().to_owned(),
            count: count(match colour {
                ClockColour::Green => c.green,
                ClockColour::Yellow => c.yellow,
                ClockColour::Red => c.red,
                ClockColour::Done => c.done,
            }),
        })
        .collect()
}

/// The first day of the chart: January of the earliest round's year, not before the term
/// began; the term's start when it has no round.
pub fn chart_start(term_start: Date, rounds: &[Round]) -> Date {
    rounds
        .iter()
        .map(|r| r.year)
        .min()
        .and_then(|y| Date::new(y, 1, 1).ok())
        .map_or(term_start, |d| d.max(term_start))
}

/// The months from `from`'s to `to`'s, `YYYY-MM`, the latest `max` of them; empty when `to`
/// is before `from`.
pub fn months(from: Date, to: Date, max: usize) -> Vec<String> {
    let mut out = Vec::new();
    let (mut y, mut m) = (i32::from(from.year()), i32::from(from.month()));
    let (ty, tm) = (i32::from(to.year()), i32::from(to.month()));
    while (y, m) <= (ty, tm) {
        out.push(format!("{y:04}-{m:02}"));
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    let skip = out.len().saturating_sub(max);
    out.split_off(skip)
}

/// A round's cumulative completion at the end of each month of `months`. Tasks closed before
/// the first month count from the first point on; those closed after the last month (a date
/// entered ahead) are left out.
pub fn completion_points(
    total: usize,
    closed: &[(String, i64)],
    months: &[String],
) -> Vec<CompletionPoint> {
    let mut cumulative: usize = closed
        .iter()
        .filter(|(m, _)| months.first().is_some_and(|first| m < first))
        .map(|(_, n)| count(*n))
        .sum();
    months
        .iter()
        .map(|month| {
            cumulative += closed
                .iter()
                .filter(|(m, _)| m == month)
                .map(|(_, n)| count(*n))
                .sum::<usize>();
            CompletionPoint {
                month: month.clone(),
                closed: cumulative,
                rate: rate(cumulative, total),
            }
        })
        .collect()
}

/// Each round's completion, oldest round first.
pub fn completion(
    rounds: &[Round],
    totals: &[(Id, i64)],
    closed: &[ClosedInMonth],
    months: &[String],
) -> Vec<RoundCompletion> {
    let mut out: Vec<RoundCompletion> = rounds
        .iter()
        .map(|r| {
            let total = totals
                .iter()
                .filter(|(id, _)| *id == r.id)
                .map(|(_, n)| count(*n))
                .sum();
            let of_round: Vec<(String, i64)> = closed
                .iter()
                .filter(|c| c.round_id == r.id)
                .map(|c| (c.month.clone(), c.n))
                .collect();
            RoundCompletion {
                round_id: r.id,
                name: r.name.clone(),
                total,
                closed: of_round.iter().map(|(_, n)| count(*n)).sum(),
                points: completion_points(total, &of_round, months),
            }
        })
        .collect();
    out.reverse();
    out
}

pub mod chart {
    //! The completion chart placed in SVG units: months along x, the rate (0–100%) up y. The
    //! template draws it; print keeps it readable because each line also has its own dash
    //! pattern and every point is labelled in the table beside it.

    use serde::Serialize;

    pub const WIDTH: f64 = 640.0;
    pub const HEIGHT: f64 = 300.0;
    pub const LEFT: f64 = 52.0;
    /// Room for half of the last month's label, centred on the last point.
    pub const RIGHT: f64 = 30.0;
    pub const TOP: f64 = 16.0;
    pub const BOTTOM: f64 = 44.0;
    /// At most this many month labels along x; the others are skipped evenly.
    pub const MAX_X_LABELS: usize = 12;

    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct Tick {
        pub at: f64,
        pub label: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct Dot {
        pub x: f64,
        pub y: f64,
        /// Said on hover and to screen readers: month and rate.
        pub title: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct Line {
        pub name: String,
        /// `x,y x,y …` for `<polyline points>`.
        pub points: String,
        pub dots: Vec<Dot>,
        /// `series-0` … `series-5`: colour and dash pattern from the stylesheet.
        pub class: String,
    }

    #[derive(Debug, Clone, PartialEq, Serialize)]
    pub struct LineChart {
        pub width: f64,
        pub height: f64,
        pub left: f64,
        pub right_edge: f64,
        pub top: f64,
        pub baseline: f64,
        pub x_ticks: Vec<Tick>,
        pub y_ticks: Vec<Tick>,
        pub lines: Vec<Line>,
    }

    fn r1(v: f64) -> f64 {
        (v * 10.0).round() / 10.0
    }

    /// The x of month `i` of `n`: spread from the left edge to the right; one month sits in
    /// the middle.
    pub fn x_of(i: usize, n: usize) -> f64 {
        let w = WIDTH - LEFT - RIGHT;
        if n <= 1 {
            r1(LEFT + w / 2.0)
        } else {
            r1(LEFT + w * i as f64 / (n - 1) as f64)
        }
    }

    /// The y of a rate, clamped to 0–1: 0 on the baseline, 1 at the top.
    pub fn y_of(rate: f64) -> f64 {
        let h = HEIGHT - TOP - BOTTOM;
        r1(TOP + h * (1.0 - rate.clamp(0.0, 1.0)))
    }

    /// Places the series (a name and one rate per month) over `months`.
    pub fn line_chart(months: &[String], series: &[(String, Vec<f64>)]) -> LineChart {
        let n = months.len();
        let step = n.div_ceil(MAX_X_LABELS).max(1);
        let x_ticks = months
            .iter()
            .enumerate()
            // Counted back from the last month, so that this month is always labelled and no
            // two labels crowd each other.
            .filter(|(i, _)| (n - 1 - i).is_multiple_of(step))
            .map(|(i, m)| Tick {
                at: x_of(i, n),
                label: m.clone(),
            })
            .collect();
        let y_ticks = (0..=4)
            .map(|k| Tick {
                at: y_of(f64::from(k) / 4.0),
                label: format!("{}%", k * 25),
            })
            .collect();
        let lines = series
            .iter()
            .enumerate()
            .map(|(s, (name, rates))| {
                let dots: Vec<Dot> = rates
                    .iter()
                    .take(n)
                    .enumerate()
                    .map(|(i, r)| Dot {
                        x: x_of(i, n),
                        y: y_of(*r),
                        title: format!("{name} {} {:.1}%", months[i], r * 100.0),
                    })
                    .collect();
                Line {
                    name: name.clone(),
                    points: dots
                        .iter()
                        .map(|d| format!("{},{}", d.x, d.y))
                        .collect::<Vec<_>>()
                        .join(" "),
                    dots,
                    class: format!("series-{}", s % 6),
                }
            })
            .collect();
        LineChart {
            width: WIDTH,
            height: HEIGHT,
            left: LEFT,
            right_edge: WIDTH - RIGHT,
            top: TOP,
            baseline: y_of(0.0),
            x_ticks,
            y_ticks,
            lines,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::chart::*;
    use super::*;
    use jiff::civil::date;

    fn round(name: &str) -> Round {
        Round {
            id: Id::new(),
            plan_id: Id::new(),
            term_id: Id::new(),
            year: 2026,
            number: 1,
            name: name.to_owned(),
            version: 1,
        }
    }

    #[test]
    fn months_run_from_the_start_to_today_and_keep_the_latest() {
        assert_eq!(
            months(date(2025, 11, 30), date(2026, 2, 1), 10),
            ["2025-11", "2025-12", "2026-01", "2026-02"]
        );
        assert_eq!(
            months(date(2020, 1, 1), date(2026, 2, 1), 3),
            ["2025-12", "2026-01", "2026-02"]
        );
        assert!(months(date(2026, 3, 1), date(2026, 2, 1), 10).is_empty());
    }

    #[test]
    fn the_chart_starts_with_the_first_round_year_within_the_term() {
        let mut early = round("第一轮");
        early.year = 2022;
        let mut late = round("第二轮");
        late.year = 2024;
        let term_start = date(2021, 11, 5);
        assert_eq!(
            chart_start(term_start, &[late.clone(), early.clone()]),
            date(2022, 1, 1)
        );
        early.year = 2021;
        assert_eq!(chart_start(term_start, &[early, late]), term_start);
        assert_eq!(chart_start(term_start, &[]), term_start);
    }

    #[test]
    fn completion_is_cumulative_and_counts_what_closed_before_the_chart() {
        let months = vec!["2026-01".to_owned(), "2026-02".into(), "2026-03".into()];
        let closed = vec![
            ("2025-12".to_owned(), 2),
            ("2026-02".to_owned(), 3),
            ("2026-04".to_owned(), 9),
        ];
        let p = completion_points(10, &closed, &months);
        let got: Vec<(usize, f64)> = p.iter().map(|p| (p.closed, p.rate)).collect();
        assert_eq!(got, [(2, 0.2), (5, 0.5), (5, 0.5)]);
        let none = completion_points(0, &closed, &months);
        assert!(none.iter().all(|p| p.rate == 0.0), "no tasks, no rate");
    }

    #[test]
    fn the_stage_table_adds_up_by_round_and_by_stage() {
        let (a, b) = (round("第一轮"), round("第二轮"));
        let counts = vec![
            StageCount {
                round_id: a.id,
                stage: Stage::OnSite,
                n: 3,
            },
            StageCount {
                round_id: a.id,
                stage: Stage::Rectification,
                n: 2,
            },
            StageCount {
                round_id: b.id,
                stage: Stage::OnSite,
                n: 1,
            },
            // Another term's round is not shown and not added.
            StageCount {
                round_id: Id::new(),
                stage: Stage::OnSite,
                n: 7,
            },
        ];
        let (rows, totals) = stage_table(&[a.clone(), b.clone()], &counts);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].total, 5);
        assert_eq!(rows[1].total, 1);
        assert_eq!(rows[0].by_stage.len(), Stage::ALL.len());
        let of = |bars: &[Bar], k: &str| bars.iter().find(|b| b.key == k).unwrap().count;
        assert_eq!(of(&rows[0].by_stage, "on_site"), 3);
        assert_eq!(of(&rows[0].by_stage, "planning"), 0);
        assert_eq!(of(&totals, "on_site"), 4);
        assert_eq!(of(&totals, "rectification"), 2);
    }

    #[test]
    fn coverage_never_counts_more_covered_than_units() {
        let c = coverage_figure(8, 6);
        assert_eq!((c.covered, c.uncovered), (6, 2));
        assert!((c.rate - 0.75).abs() < 1e-9);
        let empty = coverage_figure(0, 0);
        assert_eq!((empty.uncovered, empty.rate), (0, 0.0));
    }

    #[test]
    fn clue_bars_follow_the_clock_order() {
        let bars = clue_bars(&ClueColourCount {
            green: 4,
            yellow: 3,
            red: 2,
            done: 1,
        });
        let keys: Vec<(&str, usize)> = bars.iter().map(|b| (b.key.as_str(), b.count)).collect();
        assert_eq!(keys, [("green", 4), ("yellow", 3), ("red", 2), ("done", 1)]);
    }

    #[test]
    fn a_rate_is_placed_between_the_baseline_and_the_top() {
        assert_eq!(y_of(0.0), HEIGHT - BOTTOM);
        assert_eq!(y_of(1.0), TOP);
        assert_eq!(y_of(0.5), (TOP + (HEIGHT - BOTTOM)) / 2.0);
        assert_eq!(y_of(2.0), TOP, "clamped");
        assert_eq!(y_of(-1.0), HEIGHT - BOTTOM, "clamped");
    }

    #[test]
    fn months_spread_from_edge_to_edge() {
        assert_eq!(x_of(0, 5), LEFT);
        assert_eq!(x_of(4, 5), WIDTH - RIGHT);
        assert_eq!(x_of(0, 1), LEFT + (WIDTH - LEFT - RIGHT) / 2.0);
        assert!(x_of(1, 5) < x_of(2, 5));
    }

    #[test]
    fn the_chart_has_one_point_per_month_per_round() {
        let months: Vec<String> = months(date(2025, 1, 1), date(2026, 12, 1), 72);
        assert_eq!(months.len(), 24);
        let rates: Vec<f64> = (0..24).map(|i| f64::from(i) / 23.0).collect();
        let c = line_chart(
            &months,
            &[("第一轮".into(), rates), ("第二轮".into(), vec![0.0; 24])],
        );
        assert_eq!(c.lines.len(), 2);
        assert_eq!(c.lines[0].dots.len(), 24);
        assert_eq!(c.lines[0].points.split(' ').count(), 24);
        assert_eq!(c.lines[0].dots[0].y, c.baseline);
        assert_eq!(c.lines[0].dots[23].y, TOP);
        assert!(c.lines[0].dots[23].title.contains("2026-12 100.0%"));
        assert_eq!(c.lines[1].class, "series-1");
        assert!(c.x_ticks.len() <= MAX_X_LABELS + 1, "{}", c.x_ticks.len());
        assert_eq!(c.x_ticks.last().unwrap().label, "2026-12");
        let gaps: Vec<f64> = c.x_ticks.windows(2).map(|w| w[1].at - w[0].at).collect();
        assert!(
            gaps.iter().all(|g| (g - gaps[0]).abs() < 0.2),
            "evenly spaced labels: {gaps:?}"
        );
        assert_eq!(c.y_ticks.len(), 5);
        assert_eq!(c.y_ticks[4].label, "100%");
    }
}
