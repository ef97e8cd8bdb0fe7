//! The rectification dashboard (整改统计): numbers, each a link to the list it counts, and
//! charts drawn as SVG by the template itself — no script, no external asset; the geometry is
//! computed here and the colours come from the stylesheet's classes.

use std::f64::consts::PI;

use crate::http::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use xunshi_core::dashboard::{Bar, Dashboard, GroupCount, TaskLine};
use xunshi_core::deadline::Colour;

use super::supervision::{Choice, filter_choices, link, rejected_tasks_link, tasks_link};
use super::{Frame, OrPage, PageResult, ok};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::DashboardQuery;

pub fn routes() -> Router<AppState> {
    Router::new().route("/dashboard", get(show))
}

/// Room for a bar's label, in the SVG's units (about 13 CJK characters at 14px).
const LABEL_WIDTH: u32 = 200;
/// The longest bar.
const BAR_WIDTH: u32 = 300;
const ROW_HEIGHT: u32 = 30;

/// One bar of a horizontal bar chart, placed.
pub struct BarShape {
    pub label: String,
    pub count: usize,
    pub href: String,
    pub class: String,
    pub y: u32,
    pub text_y: u32,
    pub width: u32,
    pub count_x: u32,
}

/// A horizontal bar chart, placed.
pub struct BarChart {
    pub title: &'static str,
    pub bars: Vec<BarShape>,
    pub width: u32,
    pub height: u32,
    pub label_width: u32,
    /// Said to screen readers: every bar with its count.
    pub summary: String,
}

/// Shortens a label that would not fit its room.
fn fit(label: &str) -> String {
    let chars: Vec<char> = label.chars().collect();
    if chars.len() <= 13 {
        label.to_owned()
    } else {
        chars[..12].iter().collect::<String>() + "…"
    }
}

pub(super) fn bar_chart(
    title: &'static str,
    rows: Vec<(String, usize, String, String)>,
) -> BarChart {
    let max = rows.iter().map(|r| r.1).max().unwrap_or(0).max(1);
    let summary = rows
        .iter()
        .map(|(l, c, _, _)| format!("{l} {c}"))
        .collect::<Vec<_>>()
        .join("，");
    let bars = rows
        .into_iter()
        .enumerate()
        .map(|(i, (label, count, href, class))| {
            // A bar is never thinner than a hairline when it counts something.
            let width = match count {
                0 => 0,
                n => ((n as u64 * u64::from(BAR_WIDTH)) / max as u64).max(2) as u32,
            };
            let y = i as u32 * ROW_HEIGHT + 4;
            BarShape {
                label: fit(&label),
                count,
                href,
                class,
                y,
                text_y: y + 16,
                width,
                count_x: LABEL_WIDTH + width + 6,
            }
        })
        .collect::<Vec<_>>();
    BarChart {
        title,
        height: bars.len() as u32 * ROW_HEIGHT + 8,
        width: LABEL_WIDTH + BAR_WIDTH + 60,
        label_width: LABEL_WIDTH,
        bars,
        summary,
    }
}

/// The completion ring: a circle whose stroke is dashed to the share closed.
pub struct Ring {
    pub percent: String,
    pub dash: String,
}

const RING_RADIUS: f64 = 52.0;

fn ring(rate: f64) -> Ring {
    let circumference = 2.0 * PI * RING_RADIUS;
    let filled = (rate.clamp(0.0, 1.0) * circumference * 100.0).round() / 100.0;
    Ring {
        percent: percent(rate),
        dash: format!("{filled:.2} {circumference:.2}"),
    }
}

fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0)
}

/// One number with the list behind it.
pub struct Tile {
    pub label: &'static str,
    pub value: String,
    pub href: String,
    pub class: &'static str,
}

pub struct UnitRow {
    pub name: String,
    pub total: usize,
    pub closed: usize,
    pub rate: String,
    pub overdue: usize,
    pub near_due: usize,
    pub closed_late: usize,
    pub total_href: String,
    pub closed_href: String,
    pub overdue_href: String,
    pub near_due_href: String,
    pub closed_late_href: String,
}

pub struct TaskRow {
    pub id: String,
    pub unit: String,
    pub seq: String,
    pub measure: String,
    pub due: String,
    pub status: &'static str,
    pub days: String,
    pub defect: String,
    pub reason: String,
}

impl TaskRow {
    fn of(l: &TaskLine) -> TaskRow {
        TaskRow {
            id: l.id.to_string(),
            unit: l.unit_name.clone(),
            seq: l.seq.clone(),
            measure: l.measure.clone(),
            due: l.due.label(),
            status: l.status.label(),
            days: match l.days_left {
                Some(d) if d < 0 => format!("逾期 {} 天", -d),
                Some(0) => "今日到期".to_owned(),
                Some(d) => format!("剩 {d} 天"),
                None => String::new(),
            },
            defect: l.defect.map(|d| d.label().to_owned()).unwrap_or_default(),
            reason: l.reason.clone().unwrap_or_default(),
        }
    }
}

pub struct ClockRow {
    pub team: String,
    pub unit: String,
    pub label: String,
    pub period: String,
    pub due: String,
    pub state: String,
    pub class: &'static str,
    /// Why the due date is provisional (暂定); empty when it stands.
    pub provisional: String,
    pub refused: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashboardPage {
    frame: Frame,
    all_units: bool,
    inspections: Vec<Choice>,
    units: Vec<Choice>,
    filtered: bool,
    today: String,
    warn_days: i32,
    tiles: Vec<Tile>,
    ring: Ring,
    ring_total: usize,
    ring_closed: usize,
    status_chart: BarChart,
    colour_chart: BarChart,
    category_chart: BarChart,
    form_chart: BarChart,
    kind_chart: BarChart,
    /// The reader sees every unit: a unit is named, not picked.
    name_unit: bool,
    unit_name: String,
    inspection_id_value: String,
    by_unit: Vec<UnitRow>,
    units_total: usize,
    overdue: Vec<TaskRow>,
    overdue_total: usize,
    overdue_href: String,
    near_due: Vec<TaskRow>,
    near_due_total: usize,
    near_due_href: String,
    rejected: Vec<TaskRow>,
    rejected_total: usize,
    rejected_href: String,
    clocks: Vec<ClockRow>,
    clocks_running: usize,
    clocks_overdue: usize,
    followups_href: String,
    accountability_href: String,
}

fn status_class(key: &str) -> String {
    format!("bar status-{key}")
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<DashboardQuery>,
) -> PageResult {
    let actor = &user.actor;
    // The parser of `GET /api/v1/dashboard`: an id that cannot be read is refused (400), not
    // dropped — figures for "all units" under a filter that was meant would mislead.
    let mut filter = q.filter().or_page(actor)?;
    let mut unit_name = String::new();
    if let Some(name) = q.unit_name() {
        let u = app
            .services
            .resolve_unit(actor, name)
            .await
            .or_page(actor)?;
        filter.unit_id = Some(u.id);
        unit_name = u.name;
    }
    let d = app
        .services
        .dashboard(actor, &filter)
        .await
        .or_page(actor)?;
    let pickers = app.services.rect_pickers(actor).await.or_page(actor)?;
    let insp = filter
        .inspection_id
        .map(|i| i.to_string())
        .unwrap_or_default();
    let unit = filter.unit_id.map(|u| u.to_string()).unwrap_or_default();
    let name_unit = pickers.inspections.is_none();
    let (inspections, units) = match &pickers.inspections {
        Some(list) => filter_choices(list, &insp, &unit),
        None => (Vec::new(), Vec::new()),
    };
    if name_unit
        && unit_name.is_empty()
        && let Some(id) = filter.unit_id
    {
        unit_name = app
            .services
            .get_unit(actor, id)
            .await
            .map(|u| u.name)
            .unwrap_or_default();
    }
    let count_of = |bars: &[xunshi_core::dashboard::Bar], key: &str| {
        bars.iter()
            .find(|b| b.key == key)
            .map(|b| b.count)
            .unwrap_or(0)
    };
    let page = DashboardPage {
        frame: Frame::new(&app, &user, "整改统计", "/dashboard").await,
        all_units: d.all_units,
        inspections,
        units,
        filtered: !(insp.is_empty() && unit.is_empty()),
        today: d.today.to_string(),
        warn_days: d.warn_days,
        tiles: tiles(&d, &insp, &unit),
        ring: ring(d.tasks.completion_rate),
        ring_total: d.tasks.total,
        ring_closed: d.tasks.closed,
        status_chart: bar_chart(
            "整改任务按状态",
            d.tasks
                .by_status
                .iter()
                .map(|b| {
                    (
                        b.label.clone(),
                        b.count,
                        tasks_link(&insp, &unit, &b.key, "", ""),
                        status_class(&b.key),
                    )
                })
                .collect(),
        ),
        colour_chart: bar_chart(
            "整改任务按期限",
            d.tasks
                .by_colour
                .iter()
                .map(|b| {
                    (
                        b.label.clone(),
                        b.count,
                        tasks_link(&insp, &unit, "", &b.key, ""),
                        format!("bar colour-{}", b.key),
                    )
                })
                .collect(),
        ),
        category_chart: bar_chart(
            "整改任务按问题类别",
            d.tasks
                .by_category
                .iter()
                .map(|g| {
                    (
                        g.name.clone(),
                        g.total,
                        tasks_link(&insp, &unit, "", "", &g.id.to_string()),
                        "bar category".to_owned(),
                    )
                })
                .collect(),
        ),
        form_chart: bar_chart(
            "追责问责按形态",
            counted(&d.accountability.by_form, |b| {
                link(
                    "/supervision/accountability",
                    &[
                        ("inspection_id", &insp),
                        ("unit_id", &unit),
                        ("form", &b.key),
                    ],
                )
            }),
        ),
        kind_chart: bar_chart(
            "督办通知按类型",
            counted(&d.followups.by_kind, |b| {
                link(
                    "/supervision/followups",
                    &[
                        ("inspection_id", &insp),
                        ("unit_id", &unit),
                        ("kind", &b.key),
                    ],
                )
            }),
        ),
        name_unit,
        unit_name,
        inspection_id_value: insp.clone(),
        by_unit: d.tasks.by_unit.iter().map(|g| unit_row(g, &insp)).collect(),
        units_total: d.tasks.units_total,
        overdue: d.tasks.overdue.iter().map(TaskRow::of).collect(),
        overdue_total: count_of(&d.tasks.by_colour, "red"),
        overdue_href: tasks_link(&insp, &unit, "", "red", ""),
        near_due: d.tasks.near_due.iter().map(TaskRow::of).collect(),
        near_due_total: count_of(&d.tasks.by_colour, "yellow"),
        near_due_href: tasks_link(&insp, &unit, "", "yellow", ""),
        rejected: d.tasks.rejected.iter().map(TaskRow::of).collect(),
        rejected_total: d.tasks.rejected_total,
        rejected_href: rejected_tasks_link(&insp, &unit),
        clocks_running: d.clocks_running,
        clocks_overdue: d.clocks_overdue,
        clocks: d
            .clocks
            .iter()
            .map(|c| {
                let v = &c.clock;
                let (state, class) = match (v.colour, v.done, v.tracked) {
                    (_, true, _) => ("已完成".to_owned(), "green"),
                    (Some(col), false, _) => (col.label().to_owned(), colour_class(col)),
                    (None, false, false) => ("不在系统中登记".to_owned(), "grey"),
                    (None, false, true) => ("无法计算".to_owned(), "red"),
                };
                ClockRow {
                    team: c.team_name.clone(),
                    unit: v.unit_name.clone(),
                    label: v.label.clone(),
                    period: v.period.clone(),
                    due: v.due.map(|d| d.to_string()).unwrap_or_default(),
                    state,
                    class,
                    provisional: v.provisional.clone().unwrap_or_default(),
                    refused: v.refused.clone().unwrap_or_default(),
                }
            })
            .collect(),
        followups_href: link(
            "/supervision/followups",
            &[("inspection_id", &insp), ("unit_id", &unit)],
        ),
        accountability_href: link(
            "/supervision/accountability",
            &[("inspection_id", &insp), ("unit_id", &unit)],
        ),
    };
    Ok(ok(&page))
}

fn colour_class(c: Colour) -> &'static str {
    match c {
        Colour::Green => "green",
        Colour::Yellow => "yellow",
        Colour::Red => "red",
        Colour::ClosedLate => "closed_late",
    }
}

fn counted(bars: &[Bar], href: impl Fn(&Bar) -> String) -> Vec<(String, usize, String, String)> {
    bars.iter()
        .map(|b| {
            (
                b.label.clone(),
                b.count,
                href(b),
                "bar supervision".to_owned(),
            )
        })
        .collect()
}

fn unit_row(g: &GroupCount, insp: &str) -> UnitRow {
    let unit = g.id.to_string();
    UnitRow {
        name: g.name.clone(),
        total: g.total,
        closed: g.closed,
        rate: if g.total == 0 {
            "—".to_owned()
        } else {
            percent(g.closed as f64 / g.total as f64)
        },
        overdue: g.overdue,
        near_due: g.near_due,
        closed_late: g.closed_late,
        total_href: tasks_link(insp, &unit, "", "", ""),
        closed_href: tasks_link(insp, &unit, "closed", "", ""),
        overdue_href: tasks_link(insp, &unit, "", "red", ""),
        near_due_href: tasks_link(insp, &unit, "", "yellow", ""),
        closed_late_href: tasks_link(insp, &unit, "", "closed_late", ""),
    }
}

fn tiles(d: &Dashboard, insp: &str, unit: &str) -> Vec<Tile> {
    let t = &d.tasks;
    let count = |bars: &[Bar], key: &str| {
        bars.iter()
            .find(|b| b.key == key)
            .map(|b| b.count)
            .unwrap_or(0)
    };
    let notices = |answered: &str| {
        link(
            "/supervision/followups",
            &[
                ("inspection_id", insp),
                ("unit_id", unit),
                ("answered", answered),
            ],
        )
    };
    let mut tiles = vec![
        Tile {
            label: "整改任务",
            value: t.total.to_string(),
            href: tasks_link(insp, unit, "", "", ""),
            class: "",
        },
        Tile {
            label: "已销号",
            value: t.closed.to_string(),
            href: tasks_link(insp, unit, "closed", "", ""),
            class: "",
        },
        Tile {
            label: "逾期未完成",
            value: count(&t.by_colour, "red").to_string(),
            href: tasks_link(insp, unit, "", "red", ""),
            class: "red",
        },
        Tile {
            label: "临期",
            value: count(&t.by_colour, "yellow").to_string(),
            href: tasks_link(insp, unit, "", "yellow", ""),
            class: "yellow",
        },
        Tile {
            label: "逾期完成",
            value: count(&t.by_colour, "closed_late").to_string(),
            href: tasks_link(insp, unit, "", "closed_late", ""),
            class: "",
        },
        Tile {
            label: "曾被退回",
            value: t.rejected_total.to_string(),
            href: rejected_tasks_link(insp, unit),
            class: "",
        },
        Tile {
            label: "督办通知",
            value: d.followups.total.to_string(),
            href: notices(""),
            class: "",
        },
        Tile {
            label: "待答复督办",
            value: d.followups.open.to_string(),
            href: notices("no"),
            class: "",
        },
        Tile {
            label: "追责问责",
            value: d.accountability.total.to_string(),
            href: link(
                "/supervision/accountability",
                &[("inspection_id", insp), ("unit_id", unit)],
            ),
            class: "",
        },
        Tile {
            label: "长效机制",
            value: d.mechanisms.to_string(),
            href: link(
                "/supervision/mechanisms",
                &[("inspection_id", insp), ("unit_id", unit)],
            ),
            class: "",
        },
    ];
    // Shown to those who may open the list: the inspected units are not shown working papers.
    if let Some(n) = d.recurring_problems {
        tiles.push(Tile {
            label: "整改不到位（问题复现）",
            value: n.to_string(),
            href: link(
                "/patterns/recurrences",
                &[("inspection_id", insp), ("unit_id", unit)],
            ),
            class: if n > 0 { "red" } else { "" },
        });
    }
    tiles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_longest_and_keep_a_hairline() {
        let c = bar_chart(
            "t",
            vec![
                ("甲".into(), 10, "/a".into(), "bar".into()),
                ("乙".into(), 1, "/b".into(), "bar".into()),
                ("丙".into(), 0, "/c".into(), "bar".into()),
            ],
        );
        let widths: Vec<u32> = c.bars.iter().map(|b| b.width).collect();
        assert_eq!(widths, [BAR_WIDTH, 30, 0]);
        assert_eq!(c.bars[1].y, ROW_HEIGHT + 4);
        assert_eq!(c.height, 3 * ROW_HEIGHT + 8);
        let tiny = bar_chart(
            "t",
            vec![
                ("甲".into(), 1000, "/a".into(), "bar".into()),
                ("乙".into(), 1, "/b".into(), "bar".into()),
            ],
        );
        assert_eq!(tiny.bars[1].width, 2);
    }

    #[test]
    fn long_labels_are_shortened() {
        assert_eq!(fit("政治建设"), "政治建设");
        assert_eq!(fit("党风廉政建设和反腐败斗争"), "党风廉政建设和反腐败斗争");
        assert_eq!(
            fit("党风廉政建设和反腐败斗争工作情况"),
            "党风廉政建设和反腐败斗争…"
        );
    }

    #[test]
    fn the_ring_is_dashed_to_the_share_closed() {
        let r = ring(0.25);
        assert_eq!(r.percent, "25.0%");
        let (filled, whole) = r.dash.split_once(' ').unwrap();
        let (filled, whole): (f64, f64) = (filled.parse().unwrap(), whole.parse().unwrap());
        assert!((filled / whole - 0.25).abs() < 0.001);
        assert_eq!(ring(0.0).dash.split_once(' ').unwrap().0, "0.00");
    }
}
