//! The rectification dashboard: for the office, the supervisors and the leadership every unit,
//! for a team its inspections, for an inspected unit its own.
//!
//! Every number is added up in the database: the task numbers from the ledger's tallies (kept
//! by the store with every task written), the notice, accountability and mechanism numbers by
//! the same filters their lists use, the clocks by feedback date. The lists under the numbers
//! are their first rows, read by index; each number is the length of the list it links to.

use super::Services;
use super::planning::{load_inspection, today};
use super::supervision::{readable_units, supervision_scope};
use crate::access::Visible;
use crate::dashboard::{
    AccountabilityCounts, Dashboard, DashboardFilter, FollowUpCounts, InspectionClock, LIST_ROWS,
    TallyLists, TaskLine, form_bar, kind_bar, tally,
};
use crate::deadline::{Clock, Colour};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::org::UnitLevel;
use crate::permission::Actor;
use crate::rectify::{Form, NoticeKind};
use crate::service::calendar::load_calendar;
use crate::store::{
    AccountabilityFilter, ClockFilter, ColourAt, FollowUpFilter, MechanismFilter, PaperRead,
    ReadTx, RectifyRead, Store, SuperviseRead, TallyFilter, TaskFilter, TaskLineRow, TaskOrder,
};
use crate::supervision::{ClockInput, clock_view, rule_for};
use crate::taxonomy::sort_categories;

/// The ledger's task filter for a dashboard's number: the same filter its list uses.
pub fn task_filter(visible: &Visible, f: &DashboardFilter) -> TaskFilter {
    TaskFilter {
        inspection_id: f.inspection_id,
        unit_id: f.unit_id,
        scope: visible.rectify_scope(),
        ..Default::default()
    }
}

/// A count from the database as the dashboard's number (never negative).
fn count(n: i64) -> usize {
    usize::try_from(n).unwrap_or(0)
}

fn line(r: TaskLineRow, today: jiff::civil::Date, warn: i32) -> TaskLine {
    let t = r.task;
    let (defect, reason) = match r.rejection {
        Some((d, reason)) => (d, Some(reason)),
        None => (None, None),
    };
    TaskLine {
        id: t.id,
        inspection_id: t.inspection_id,
        unit_id: t.unit_id,
        unit_name: r.unit_name,
        colour: t.colour(today, warn),
        days_left: t.due.date().map(|d| (d - today).get_days()),
        seq: t.seq,
        measure: t.measure,
        due: t.due,
        status: t.status,
        defect,
        reason,
    }
}

impl<S: Store> Services<S> {
    /// The dashboard the actor may see, narrowed by `filter`.
    pub async fn dashboard(&self, actor: &Actor, filter: &DashboardFilter) -> Result<Dashboard> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let visible = supervision_scope(actor);
        let all_units = visible == Visible::All;
        if let Visible::Some {
            inspections,
            feedback_units,
            dispatchers,
        } = &visible
        {
            if visible.is_nothing() {
                return Err(CoreError::Forbidden(
                    "整改统计供巡视办、督查部门、领导、巡视组和被巡视单位查看".into(),
                ));
            }
            if let Some(u) = filter.unit_id
                && inspections.is_empty()
                && dispatchers.is_empty()
                && !feedback_units.contains(&u)
            {
                return Err(CoreError::Forbidden("您只能查看本单位的整改统计".into()));
            }
        }
        let now = self.now();
        let day = today(now);
        let (mut tx, warn_days) = self.fresh_tally(day).await?;
        if let Some(id) = filter.inspection_id {
            let insp = load_inspection(&mut tx, id).await?;
            if readable_units(actor, &insp).is_empty() {
                return Err(CoreError::NotFound("巡视任务".into()));
            }
        }

        // Tasks: the tallies, and the first rows of the lists under them.
        let tf = TallyFilter {
            inspection_id: filter.inspection_id,
            unit_id: filter.unit_id,
            scope: visible.rectify_scope(),
            ..Default::default()
        };
        let counts = tx.task_counts(&tf).await?;
        let versions = tx.list_taxonomy_versions().await?;
        let mut categories = tx.list_categories(None).await?;
        sort_categories(&mut categories, &versions);
        let categories: Vec<(Id, String)> =
            categories.into_iter().map(|c| (c.id, c.name)).collect();
        let (units, units_total) = tx.unit_counts(&tf, LIST_ROWS).await?;
        let ids: Vec<Id> = units.iter().map(|u| u.unit_id).collect();
        let names = tx.unit_names(&ids).await?;
        let by_unit = units
            .into_iter()
            .map(|u| crate::dashboard::GroupCount {
                id: u.unit_id,
                name: names
                    .iter()
                    .find(|(id, _)| *id == u.unit_id)
                    .map(|(_, n)| n.clone())
                    .unwrap_or_else(|| u.unit_id.to_string()),
                total: count(u.total),
                closed: count(u.closed),
                overdue: count(u.overdue),
                near_due: count(u.near_due),
                closed_late: count(u.closed_late),
            })
            .collect();
        let base = task_filter(&visible, filter);
        let coloured = |colour| TaskFilter {
            colour: Some(ColourAt {
                colour,
                today: day,
                warn_days,
            }),
            ..base.clone()
        };
        let lines = |rows: Vec<TaskLineRow>| -> Vec<TaskLine> {
            rows.into_iter().map(|r| line(r, day, warn_days)).collect()
        };
        let overdue = lines(
            tx.task_lines(&coloured(Colour::Red), TaskOrder::Deadline, LIST_ROWS)
                .await?,
        );
        let near_due = lines(
            tx.task_lines(&coloured(Colour::Yellow), TaskOrder::Deadline, LIST_ROWS)
                .await?,
        );
        let rejected_filter = TaskFilter {
            rejected: true,
            ..base.clone()
        };
        let rejected = lines(
            tx.task_lines(&rejected_filter, TaskOrder::Created, LIST_ROWS)
                .await?,
        );
        let tasks = tally(
            &counts,
            &categories,
            TallyLists {
                by_unit,
                units_total: count(units_total),
                overdue,
                near_due,
                rejected,
            },
        );

        // Notices, accountability and mechanisms, counted by their lists' filters.
        let notices = FollowUpFilter {
            scope: visible.clone(),
            inspection_id: filter.inspection_id,
            unit_id: filter.unit_id,
            task_id: None,
            kind: None,
            answered: None,
            q: None,
        };
        let notice_counts = tx.followup_counts(&notices).await?;
        let of_kind = |k: NoticeKind| -> i64 {
            notice_counts
                .iter()
                .filter(|c| c.kind == k)
                .map(|c| c.n)
                .sum()
        };
        let answered: i64 = notice_counts
            .iter()
            .filter(|c| c.answered)
            .map(|c| c.n)
            .sum();
        let total: i64 = notice_counts.iter().map(|c| c.n).sum();
        let followups = FollowUpCounts {
            total: count(total),
            answered: count(answered),
            open: count(total - answered),
            by_kind: NoticeKind::ALL
                .iter()
                .map(|k| kind_bar(*k, count(of_kind(*k))))
                .collect(),
        };
        let held = tx
            .accountability_counts(&AccountabilityFilter {
                scope: visible.clone(),
                inspection_id: filter.inspection_id,
                unit_id: filter.unit_id,
                task_id: None,
                form: None,
                q: None,
            })
            .await?;
        let of_form =
            |f: Form| -> i64 { held.iter().filter(|(g, _)| *g == f).map(|(_, n)| n).sum() };
        let accountability = AccountabilityCounts {
            total: count(held.iter().map(|(_, n)| n).sum()),
            by_form: Form::ALL
                .iter()
                .map(|f| form_bar(*f, count(of_form(*f))))
                .collect(),
        };
        let mechanisms = tx
            .count_mechanisms(&MechanismFilter {
                scope: visible.clone(),
                inspection_id: filter.inspection_id,
                unit_id: filter.unit_id,
                task_id: None,
                q: None,
            })
            .await?;
        let mechanisms = count(mechanisms);
        let recurring = super::patterns::count_for_dashboard(
            &mut tx,
            actor,
            filter.inspection_id,
            filter.unit_id,
        )
        .await?;

        let (clocks, clocks_running, clocks_overdue) =
            running_clocks(&mut tx, &visible, filter, day, warn_days).await?;
        Ok(Dashboard {
            filter: *filter,
            all_units,
            today: day,
            warn_days,
            tasks,
            accountability,
            followups,
            mechanisms,
            clocks,
            clocks_running,
            clocks_overdue,
            recurring_problems: recurring.map(count),
        })
    }
}

/// The running clocks in view: the first [`LIST_ROWS`] by due date, how many run, and how many
/// of those are overdue. A clock's due date follows from its feedback date by the rule of the
/// dispatcher's level (or the committee's own), later for a later feedback date; so the
/// earliest feedback dates hold the earliest due dates, and the overdue are those fed back up
/// to one date for each level and each committee with a rule of its own.
async fn running_clocks<T: ReadTx>(
    tx: &mut T,
    visible: &Visible,
    filter: &DashboardFilter,
    day: jiff::civil::Date,
    warn_days: i32,
) -> Result<(Vec<InspectionClock>, usize, usize)> {
    let rules = tx.deadline_rules().await?;
    let calendar = load_calendar(tx).await?;
    let (mut listed, mut running, mut overdue) = (Vec::new(), 0usize, 0usize);
    for clock in [Clock::PlanDue, Clock::ReportDue] {
        let f = ClockFilter {
            clock,
            scope: visible.clone(),
            inspection_id: filter.inspection_id,
            unit_id: filter.unit_id,
        };
        // A provisional date counts as it stands until the year is entered; a clock without a
        // rule to reckon it by runs, and is not overdue.
        let passed: Vec<_> = UnitLevel::ALL
            .iter()
            .filter_map(|level| {
                let date = rule_for(&rules, None, *level, clock)?
                    .rule
                    .last_passed_feedback(day, &calendar)?;
                Some((*level, date))
            })
            .collect();
        // The committees' own rules of this clock, each for the clocks it reckons.
        let owned: Vec<_> = rules
            .iter()
            .filter(|r| r.rule.clock == clock)
            .filter_map(|r| {
                let date = r.rule.last_passed_feedback(day, &calendar)?;
                Some((r.committee_id?, date))
            })
            .collect();
        let n = tx.running_clock_count(&f, &passed, &owned).await?;
        running += count(n.running);
        overdue += count(n.passed);
        for c in tx.running_clocks(&f, LIST_ROWS).await? {
            let Some(rule) = rule_for(&rules, c.rule_owner, c.level, clock) else {
                continue;
            };
            let view = clock_view(
                rule,
                &calendar,
                &ClockInput {
                    unit_id: c.unit_id,
                    unit_name: &c.unit_name,
                    feedback: c.feedback,
                    today: day,
                    warn_days,
                    done: Some(false),
                },
            );
            listed.push(InspectionClock {
                inspection_id: c.inspection_id,
                team_name: c.team_name,
                clock: view,
            });
        }
    }
    // Those without a due date (one that cannot be computed at all) first: they need the
    // office's attention most.
    listed.sort_by_key(|c| (c.clock.due, c.clock.feedback));
    listed.truncate(LIST_ROWS as usize);
    Ok((listed, running, overdue))
}
