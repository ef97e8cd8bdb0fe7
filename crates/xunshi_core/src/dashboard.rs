//! The rectification dashboard (整改统计): tasks counted by unit, category, status and deadline
//! colour, the completion rate, the overdue, near-due and rejected tasks, accountability and
//! follow-up counts, and the clocks. The numbers are added up from the store's tallies
//! ([`tally`], a plain function over their rows), so a test can hold every number to the list
//! it stands for; the lists under them are their first rows, with the total beside.

use jiff::civil::Date;
use serde::Serialize;

use crate::deadline::Colour;
use crate::id::Id;
use crate::rectify::{Defect, Due, Form, NoticeKind, TaskStatus};
use crate::store::TaskCount;
use crate::supervision::ClockView;

/// What a dashboard is narrowed to. Empty: everything the reader may see.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema,
)]
pub struct DashboardFilter {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
}

/// One count with the key the list behind it is filtered by.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Bar {
    /// The filter value: a status code, a category or unit id, a colour, a form, a kind.
    pub key: String,
    pub label: String,
    pub count: usize,
}

/// The tasks of one unit, or of one category.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GroupCount {
    pub id: Id,
    pub name: String,
    pub total: usize,
    pub closed: usize,
    /// Red: past the deadline and not closed.
    pub overdue: usize,
    /// Yellow: due within the warning period.
    pub near_due: usize,
    /// Closed after the deadline (逾期完成): counted among the closed, and still late.
    pub closed_late: usize,
}

/// A task named on the dashboard, with what makes it listed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskLine {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub unit_name: String,
    pub seq: String,
    pub measure: String,
    pub due: Due,
    pub status: TaskStatus,
    pub colour: Colour,
    /// Days left (negative: days overdue), for dated tasks.
    pub days_left: Option<i32>,
    /// The latest rejection, for the rejected list.
    pub defect: Option<Defect>,
    pub reason: Option<String>,
}

/// How many rows the lists under the numbers show; each links to its whole list.
pub const LIST_ROWS: u32 = 20;

/// What the tasks add up to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskTally {
    pub total: usize,
    pub closed: usize,
    /// closed / total, 0 when there are no tasks.
    pub completion_rate: f64,
    /// In the order of the state machine.
    pub by_status: Vec<Bar>,
    /// Green, yellow, red.
    pub by_colour: Vec<Bar>,
    /// In the order of the taxonomy's headings as given.
    pub by_category: Vec<GroupCount>,
    /// The units with the most overdue tasks (then near-due, then most tasks), at most
    /// [`LIST_ROWS`].
    pub by_unit: Vec<GroupCount>,
    /// How many units have tasks.
    pub units_total: usize,
    /// The most overdue red tasks, at most [`LIST_ROWS`]; `by_colour` has how many there are.
    pub overdue: Vec<TaskLine>,
    /// The nearest yellow tasks, at most [`LIST_ROWS`].
    pub near_due: Vec<TaskLine>,
    /// Tasks rejected at least once, in ledger order, at most [`LIST_ROWS`].
    pub rejected: Vec<TaskLine>,
    /// How many tasks were rejected at least once.
    pub rejected_total: usize,
}

/// The lists that go under the numbers, read by the caller.
pub struct TallyLists {
    pub by_unit: Vec<GroupCount>,
    pub units_total: usize,
    pub overdue: Vec<TaskLine>,
    pub near_due: Vec<TaskLine>,
    pub rejected: Vec<TaskLine>,
}

/// Adds up the tallies' rows. `categories` are the headings in the order they are shown.
pub fn tally(counts: &[TaskCount], categories: &[(Id, String)], lists: TallyLists) -> TaskTally {
    let mut by_status: Vec<Bar> = TaskStatus::ALL
        .iter()
        .map(|s| Bar {
            key: s.as_str().to_owned(),
            label: s.label().to_owned(),
            count: 0,
        })
        .collect();
    let mut by_colour: Vec<Bar> = Colour::ALL
        .iter()
        .map(|c| Bar {
            key: c.as_str().to_owned(),
            label: c.label().to_owned(),
            count: 0,
        })
        .collect();
    let mut by_category: Vec<GroupCount> = Vec::new();
    let (mut total, mut closed, mut rejected_total) = (0, 0, 0);
    for c in counts {
        let n = usize::try_from(c.n).unwrap_or(0);
        let done = c.status == TaskStatus::Closed;
        total += n;
        closed += if done { n } else { 0 };
        rejected_total += if c.rejected { n } else { 0 };
        if let Some(b) = by_status.iter_mut().find(|b| b.key == c.status.as_str()) {
            b.count += n;
        }
        if let Some(b) = by_colour.iter_mut().find(|b| b.key == c.colour.as_str()) {
            b.count += n;
        }
        let g = match by_category.iter_mut().position(|g| g.id == c.category_id) {
            Some(i) => &mut by_category[i],
            None => {
                let name = categories
                    .iter()
                    .find(|(id, _)| *id == c.category_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_default();
                by_category.push(GroupCount {
                    id: c.category_id,
                    name,
                    total: 0,
                    closed: 0,
                    overdue: 0,
                    near_due: 0,
                    closed_late: 0,
                });
                by_category.last_mut().expect("just pushed")
            }
        };
        g.total += n;
        g.closed += if done { n } else { 0 };
        g.overdue += if c.colour == Colour::Red { n } else { 0 };
        g.near_due += if c.colour == Colour::Yellow { n } else { 0 };
        g.closed_late += if c.colour == Colour::ClosedLate { n } else { 0 };
    }
    by_category.sort_by_key(|g| {
        categories
            .iter()
            .position(|(id, _)| *id == g.id)
            .unwrap_or(usize::MAX)
    });
    TaskTally {
        total,
        closed,
        completion_rate: if total == 0 {
            0.0
        } else {
            closed as f64 / total as f64
        },
        by_status,
        by_colour,
        by_category,
        by_unit: lists.by_unit,
        units_total: lists.units_total,
        overdue: lists.overdue,
        near_due: lists.near_due,
        rejected: lists.rejected,
        rejected_total,
    }
}

/// Follow-up notices counted.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUpCounts {
    pub total: usize,
    pub answered: usize,
    /// Awaiting the unit's answer.
    pub open: usize,
    /// By kind, in the order of [`NoticeKind::ALL`].
    pub by_kind: Vec<Bar>,
}

/// Accountability counted by the four forms.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AccountabilityCounts {
    pub total: usize,
    /// In the order of [`Form::ALL`].
    pub by_form: Vec<Bar>,
}

pub fn kind_bar(k: NoticeKind, count: usize) -> Bar {
    Bar {
        key: k.as_str().to_owned(),
        label: k.label().to_owned(),
        count,
    }
}

pub fn form_bar(f: Form, count: usize) -> Bar {
    Bar {
        key: f.as_str().to_owned(),
        label: f.label().to_owned(),
        count,
    }
}

/// A clock with the inspection it belongs to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct InspectionClock {
    pub inspection_id: Id,
    pub team_name: String,
    #[serde(flatten)]
    pub clock: ClockView,
}

/// The whole dashboard as one reader sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Dashboard {
    pub filter: DashboardFilter,
    /// Whether the reader sees every unit (the office, the supervisors, the leadership), or
    /// only its own unit's or team's.
    pub all_units: bool,
    #[schema(value_type = String, format = Date)]
    pub today: Date,
    pub warn_days: i32,
    pub tasks: TaskTally,
    pub accountability: AccountabilityCounts,
    pub followups: FollowUpCounts,
    pub mechanisms: usize,
    /// The clocks still running (their event not yet recorded), the earliest due first, at
    /// most [`LIST_ROWS`]; an inspection's page shows all of its clocks.
    pub clocks: Vec<InspectionClock>,
    /// How many clocks are running, and how many of them are past their due date.
    pub clocks_running: usize,
    pub clocks_overdue: usize,
    /// How many problems were found again after the task rectifying the same problem of an
    /// earlier inspection was closed (整改不到位), as the `patterns` job last worked them out;
    /// none for those who may not open the list (the inspected units, as for working papers).
    pub recurring_problems: Option<usize>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn count(
        category: Id,
        status: TaskStatus,
        colour: Colour,
        rejected: bool,
        n: i64,
    ) -> TaskCount {
        TaskCount {
            category_id: category,
            status,
            colour,
            rejected,
            n,
        }
    }

    fn no_lists() -> TallyLists {
        TallyLists {
            by_unit: Vec::new(),
            units_total: 0,
            overdue: Vec::new(),
            near_due: Vec::new(),
            rejected: Vec::new(),
        }
    }

    #[test]
    fn every_number_adds_up_to_the_total() {
        let (c1, c2) = (Id::new(), Id::new());
        let counts = vec![
            count(c1, TaskStatus::InProgress, Colour::Red, false, 2),
            count(c1, TaskStatus::Closed, Colour::Green, false, 1),
            count(c2, TaskStatus::InProgress, Colour::Yellow, true, 1),
            count(c2, TaskStatus::InProgress, Colour::Green, false, 1),
            count(c2, TaskStatus::Claimed, Colour::Green, false, 1),
            count(c1, TaskStatus::Closed, Colour::ClosedLate, false, 1),
        ];
        let categories = vec![
            (c2, "党风廉政建设和反腐败斗争".to_owned()),
            (c1, "政治建设".to_owned()),
        ];
        let t = tally(&counts, &categories, no_lists());
        assert_eq!(t.total, 7);
        assert_eq!(t.closed, 2);
        assert_eq!(t.rejected_total, 1);
        assert!((t.completion_rate - 2.0 / 7.0).abs() < 1e-9);
        let of = |bars: &[Bar], key: &str| bars.iter().find(|b| b.key == key).unwrap().count;
        assert_eq!(of(&t.by_status, "in_progress"), 4);
        assert_eq!(of(&t.by_status, "claimed"), 1);
        assert_eq!(of(&t.by_status, "closed"), 2);
        assert_eq!(of(&t.by_status, "not_started"), 0);
        assert_eq!(t.by_status.iter().map(|b| b.count).sum::<usize>(), t.total);
        assert_eq!(of(&t.by_colour, "red"), 2);
        assert_eq!(of(&t.by_colour, "yellow"), 1);
        assert_eq!(
            of(&t.by_colour, "closed_late"),
            1,
            "closed late is not green"
        );
        assert_eq!(t.by_colour.iter().map(|b| b.count).sum::<usize>(), t.total);
        let cats: Vec<_> = t
            .by_category
            .iter()
            .map(|g| {
                (
                    g.name.as_str(),
                    g.total,
                    g.overdue,
                    g.near_due,
                    g.closed_late,
                )
            })
            .collect();
        assert_eq!(
            cats,
            [
                ("党风廉政建设和反腐败斗争", 3, 0, 1, 0),
                ("政治建设", 4, 2, 0, 1)
            ],
            "in the order of the headings given"
        );
    }

    #[test]
    fn no_tasks_no_rate() {
        let t = tally(&[], &[], no_lists());
        assert_eq!(t.total, 0);
        assert_eq!(t.completion_rate, 0.0);
        assert!(t.by_status.iter().all(|b| b.count == 0));
    }
}
