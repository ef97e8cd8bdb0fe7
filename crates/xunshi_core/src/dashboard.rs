//! The rectification dashboard (整改统计): tasks counted by unit, category, status and deadline
//! colour, the completion rate, the overdue, near-due and rejected tasks, accountability and
//! follow-up counts, and the clocks. The counting is a plain function over the ledger's tasks
//! ([`tally`]), so a test can hold every number to the list it stands for.

use std::collections::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::deadline::Colour;
use crate::id::Id;
use crate::rectify::{Defect, Due, Form, NoticeKind, Task, TaskStatus, seq_key, task_colour};
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

/// The latest rejection of a task.
#[derive(Debug, Clone)]
pub struct Rejection {
    pub defect: Option<Defect>,
    pub reason: String,
}

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
    /// By unit name.
    pub by_unit: Vec<GroupCount>,
    /// Red tasks, the most overdue first.
    pub overdue: Vec<TaskLine>,
    /// Yellow tasks, the nearest first.
    pub near_due: Vec<TaskLine>,
    /// Tasks with at least one rejection, in ledger order.
    pub rejected: Vec<TaskLine>,
}

/// Counts the tasks. `category_of` gives each problem's category (id, name) in the order the
/// categories should be shown; `unit_names` the units' names; `rejections` the latest
/// rejection of each task that has one. Withdrawn tasks count for nothing.
pub fn tally(
    tasks: &[Task],
    category_of: &HashMap<Id, (Id, String, usize)>,
    unit_names: &HashMap<Id, String>,
    rejections: &HashMap<Id, Rejection>,
    today: Date,
    warn_days: i32,
) -> TaskTally {
    let mut tasks: Vec<&Task> = tasks.iter().filter(|t| !t.is_withdrawn()).collect();
    tasks.sort_by(|a, b| {
        (a.inspection_id, a.unit_id, seq_key(&a.seq)).cmp(&(
            b.inspection_id,
            b.unit_id,
            seq_key(&b.seq),
        ))
    });
    let unit_name = |id: Id| {
        unit_names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    let line = |t: &Task, colour: Colour| TaskLine {
        id: t.id,
        inspection_id: t.inspection_id,
        unit_id: t.unit_id,
        unit_name: unit_name(t.unit_id),
        seq: t.seq.clone(),
        measure: t.measure.clone(),
        due: t.due,
        status: t.status,
        colour,
        days_left: t.due.date().map(|d| (d - today).get_days()),
        defect: rejections.get(&t.id).and_then(|r| r.defect),
        reason: rejections.get(&t.id).map(|r| r.reason.clone()),
    };

    let mut by_status: Vec<Bar> = TaskStatus::ALL
        .iter()
        .map(|s| Bar {
            key: s.as_str().to_owned(),
            label: s.label().to_owned(),
            count: 0,
        })
        .collect();
    let colours = [Colour::Green, Colour::Yellow, Colour::Red];
    let mut by_colour: Vec<Bar> = colours
        .iter()
        .map(|c| Bar {
            key: c.as_str().to_owned(),
            label: c.label().to_owned(),
            count: 0,
        })
        .collect();
    let mut categories: Vec<(usize, GroupCount)> = Vec::new();
    let mut units: Vec<GroupCount> = Vec::new();
    let (mut overdue, mut near_due, mut rejected) = (Vec::new(), Vec::new(), Vec::new());
    let mut closed = 0;

    fn bump(g: &mut GroupCount, done: bool, colour: Colour) {
        g.total += 1;
        g.closed += usize::from(done);
        g.overdue += usize::from(colour == Colour::Red);
        g.near_due += usize::from(colour == Colour::Yellow);
    }
    let group = |id: Id, name: String| GroupCount {
        id,
        name,
        total: 0,
        closed: 0,
        overdue: 0,
        near_due: 0,
    };

    for t in &tasks {
        let colour = task_colour(t.due, t.status, today, warn_days);
        let done = t.status == TaskStatus::Closed;
        closed += usize::from(done);
        if let Some(b) = by_status.iter_mut().find(|b| b.key == t.status.as_str()) {
            b.count += 1;
        }
        if let Some(b) = by_colour.iter_mut().find(|b| b.key == colour.as_str()) {
            b.count += 1;
        }
        if let Some((cid, cname, pos)) = category_of.get(&t.problem_id) {
            match categories.iter_mut().find(|(_, g)| g.id == *cid) {
                Some((_, g)) => bump(g, done, colour),
                None => {
                    let mut g = group(*cid, cname.clone());
                    bump(&mut g, done, colour);
                    categories.push((*pos, g));
                }
            }
        }
        match units.iter_mut().find(|g| g.id == t.unit_id) {
            Some(g) => bump(g, done, colour),
            None => {
                let mut g = group(t.unit_id, unit_name(t.unit_id));
                bump(&mut g, done, colour);
                units.push(g);
            }
        }
        match colour {
            Colour::Red => overdue.push(line(t, colour)),
            Colour::Yellow => near_due.push(line(t, colour)),
            Colour::Green => {}
        }
        if rejections.contains_key(&t.id) {
            rejected.push(line(t, colour));
        }
    }
    categories.sort_by_key(|(pos, _)| *pos);
    units.sort_by(|a, b| a.name.cmp(&b.name));
    overdue.sort_by_key(|l: &TaskLine| l.days_left);
    near_due.sort_by_key(|l: &TaskLine| l.days_left);
    let total = tasks.len();
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
        by_category: categories.into_iter().map(|(_, g)| g).collect(),
        by_unit: units,
        overdue,
        near_due,
        rejected,
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
    pub clocks: Vec<InspectionClock>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn task(unit: Id, problem: Id, seq: &str, due: Due, status: TaskStatus) -> Task {
        Task {
            id: Id::new(),
            plan_id: Id::new(),
            inspection_id: unit,
            unit_id: unit,
            problem_id: problem,
            seq: seq.into(),
            measure: format!("措施{seq}"),
            target: String::new(),
            standard: String::new(),
            responsible_leader: String::new(),
            lead_department: String::new(),
            co_departments: String::new(),
            responsible_person: String::new(),
            due,
            status,
            progress: 0,
            not_for_disclosure: false,
            withdrawn_reason: None,
            version: 1,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn every_number_is_the_length_of_its_list() {
        let (unit_a, unit_b) = (Id::new(), Id::new());
        let (p1, p2) = (Id::new(), Id::new());
        let (c1, c2) = (Id::new(), Id::new());
        let today = date(2020, 6, 1);
        let by = |d| Due::By { date: d };
        let mut withdrawn = task(
            unit_a,
            p1,
            "1.1.9",
            by(date(2020, 5, 1)),
            TaskStatus::InProgress,
        );
        withdrawn.withdrawn_reason = Some("重复".into());
        let rejected = task(
            unit_a,
            p2,
            "2.1.1",
            by(date(2020, 6, 5)),
            TaskStatus::InProgress,
        );
        let tasks = vec![
            task(
                unit_a,
                p1,
                "1.1.2",
                by(date(2020, 5, 30)),
                TaskStatus::InProgress,
            ),
            task(
                unit_a,
                p1,
                "1.1.10",
                by(date(2020, 5, 1)),
                TaskStatus::NotStarted,
            ),
            task(
                unit_a,
                p1,
                "1.1.1",
                by(date(2020, 5, 1)),
                TaskStatus::Closed,
            ),
            rejected.clone(),
            task(unit_b, p2, "1.1.1", Due::LongTerm, TaskStatus::InProgress),
            task(
                unit_b,
                p2,
                "1.1.2",
                by(date(2020, 6, 20)),
                TaskStatus::Claimed,
            ),
            withdrawn,
        ];
        let categories = HashMap::from([
            (p1, (c1, "政治建设".to_owned(), 0)),
            (p2, (c2, "党风廉政建设和反腐败斗争".to_owned(), 5)),
        ]);
        let names = HashMap::from([(unit_a, "宣传部".to_owned()), (unit_b, "组织部".to_owned())]);
        let rejections = HashMap::from([(
            rejected.id,
            Rejection {
                defect: Some(Defect::Superficial),
                reason: "佐证材料不足".into(),
            },
        )]);
        let t = tally(&tasks, &categories, &names, &rejections, today, 7);

        assert_eq!(t.total, 6, "the withdrawn task counts for nothing");
        assert_eq!(t.closed, 1);
        assert!((t.completion_rate - 1.0 / 6.0).abs() < 1e-9);
        let count = |bars: &[Bar], key: &str| bars.iter().find(|b| b.key == key).unwrap().count;
        assert_eq!(count(&t.by_status, "in_progress"), 3);
        assert_eq!(count(&t.by_status, "not_started"), 1);
        assert_eq!(count(&t.by_status, "claimed"), 1);
        assert_eq!(count(&t.by_status, "closed"), 1);
        assert_eq!(t.by_status.iter().map(|b| b.count).sum::<usize>(), t.total);
        assert_eq!(count(&t.by_colour, "red"), t.overdue.len());
        assert_eq!(count(&t.by_colour, "yellow"), t.near_due.len());
        assert_eq!(t.by_colour.iter().map(|b| b.count).sum::<usize>(), t.total);
        // Overdue: 1.1.10 (1 May, 31 days) before 1.1.2 (30 May, 2 days).
        let seqs: Vec<_> = t.overdue.iter().map(|l| l.seq.as_str()).collect();
        assert_eq!(seqs, ["1.1.10", "1.1.2"]);
        assert_eq!(t.overdue[0].days_left, Some(-31));
        // Near due within 7 days: 5 June; 20 June is green, long-term is never late.
        assert_eq!(t.near_due.len(), 1);
        assert_eq!(t.near_due[0].id, rejected.id);
        assert_eq!(t.rejected.len(), 1);
        assert_eq!(t.rejected[0].defect, Some(Defect::Superficial));

        let cats: Vec<_> = t
            .by_category
            .iter()
            .map(|g| (g.name.as_str(), g.total))
            .collect();
        assert_eq!(cats, [("政治建设", 3), ("党风廉政建设和反腐败斗争", 3)]);
        let a = t.by_unit.iter().find(|g| g.id == unit_a).unwrap();
        assert_eq!((a.total, a.closed, a.overdue, a.near_due), (4, 1, 2, 1));
        assert_eq!(
            t.by_unit.iter().map(|g| g.total).sum::<usize>(),
            t.total,
            "every task in one unit"
        );
    }

    #[test]
    fn no_tasks_no_rate() {
        let t = tally(
            &[],
            &HashMap::new(),
            &HashMap::new(),
            &HashMap::new(),
            date(2020, 6, 1),
            7,
        );
        assert_eq!(t.total, 0);
        assert_eq!(t.completion_rate, 0.0);
        assert!(t.by_status.iter().all(|b| b.count == 0));
    }
}
