//! Properties of the rules, checked over generated inputs (proptest): the working-day and month
//! arithmetic behind every deadline, the one colour rule, and the state machines of inspections,
//! working papers, reports and rectification tasks.
//!
//! A state machine is driven by generated sequences of attempted actions from its first state:
//! an allowed action moves the state along an edge the rules list, a refused one is answered
//! with an error (or `None`/`false`) and the model stays where it was, and no sequence reaches a
//! state the rules forbid.

use jiff::civil::{Date, date};
use proptest::prelude::*;
use proptest::sample::select;
use xunshi_core::CoreError;
use xunshi_core::calendar::{Calendar, add_months, shipped};
use xunshi_core::deadline::{Colour, colour};
use xunshi_core::inspection::Stage;
use xunshi_core::paper::ProblemStatus;
use xunshi_core::rectify::{
    Due, TaskEvent, TaskStatus, check_changed_due, next_status, task_colour, verdict_progress,
};
use xunshi_core::report::{Decision, ReportStatus};
use xunshi_core::role::Role;

/// The last day the shipped holiday arrangement covers.
const LAST_COVERED: Date = date(2026, 12, 31);

fn shipped_calendar() -> &'static Calendar {
    static CAL: std::sync::OnceLock<Calendar> = std::sync::OnceLock::new();
    CAL.get_or_init(shipped)
}

/// A date from 2019-01-01 to 2026-12-31, the years the shipped arrangement covers.
fn covered_date() -> impl Strategy<Value = Date> {
    (0i64..2922).prop_map(|n| {
        date(2019, 1, 1)
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
    })
}

/// Any date from 2015 to 2031, covered or not.
fn any_date() -> impl Strategy<Value = Date> {
    (0i64..6209).prop_map(|n| {
        date(2015, 1, 1)
            .checked_add(jiff::Span::new().days(n))
            .unwrap()
    })
}

// ---------------------------------------------------------------------------------------------
// Working days and months

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// N working days after a date is a working day after it, with exactly N working days in
    /// between; when the count runs past the arrangement, the date is provisional, names the
    /// year without data, falls Monday to Friday, and there were fewer than N working days left.
    #[test]
    fn adding_working_days_lands_on_a_working_day(start in covered_date(), n in 0u32..80) {
        let cal = shipped_calendar();
        let r = cal.deadline(start, n).unwrap();
        let end = r.date;
        if n == 0 {
            prop_assert_eq!(end, start);
            prop_assert!(!r.is_provisional());
        } else if !r.is_provisional() {
            prop_assert!(end > start);
            prop_assert!(cal.is_working_day(end).unwrap(), "{end} is not a working day");
            prop_assert_eq!(cal.working_days_between(start, end).unwrap(), n);
            // The day before the end still had one working day to go.
            let before = end.yesterday().unwrap();
            prop_assert_eq!(cal.working_days_between(start, before).unwrap(), n - 1);
        } else {
            let why = r.provisional.clone().unwrap();
            prop_assert!(why.contains("2027"), "{why}");
            prop_assert!(end > LAST_COVERED, "{end} is provisional inside the arrangement");
            prop_assert!(
                !matches!(end.weekday(), jiff::civil::Weekday::Saturday | jiff::civil::Weekday::Sunday),
                "{end} is a weekend day"
            );
            let available = cal.working_days_between(start, LAST_COVERED).unwrap();
            prop_assert!(available < n, "{n} working days fit before 2027 but were guessed");
        }
    }

    /// More working days never end earlier, and a later start never ends earlier, past the
    /// arrangement too.
    #[test]
    fn adding_working_days_is_monotonic(
        start in any_date(),
        later_by in 0i64..40,
        n in 0u32..40,
        more in 0u32..40,
    ) {
        let cal = shipped_calendar();
        let later = start.checked_add(jiff::Span::new().days(later_by)).unwrap();
        let (a, b) = (cal.deadline(start, n).unwrap().date, cal.deadline(start, n + more).unwrap().date);
        prop_assert!(a <= b, "{start} + {n} = {a} but + {} = {b}", n + more);
        let c = cal.deadline(later, n).unwrap().date;
        prop_assert!(a <= c, "{start} + {n} = {a} but {later} + {n} = {c}");
    }

    /// With only some years entered, a count that stays in entered years is the full answer
    /// and firm; one that walks over a year without data is provisional and names exactly the
    /// years it guessed.
    #[test]
    fn working_days_past_the_entered_years_are_provisional(
        years in proptest::collection::btree_set(2019i16..=2026, 1..8),
        start in covered_date(),
        n in 1u32..300,
    ) {
        let full = shipped_calendar();
        let days: Vec<_> = xunshi_core::calendar::parse_csv(xunshi_core::calendar::SHIPPED_CSV)
            .unwrap()
            .into_iter()
            .filter(|d| years.contains(&d.date.year()))
            .collect();
        let cal = Calendar::new(years.iter().copied(), days);
        let r = cal.deadline(start, n).unwrap();
        // The days counted are those after the start, up to the date.
        let first = start.tomorrow().unwrap().year();
        let walked: std::collections::BTreeSet<i16> = (first..=r.date.year())
            .filter(|y| !years.contains(y))
            .collect();
        match &r.provisional {
            None => {
                prop_assert!(walked.is_empty(), "{:?} were walked but the date is firm", walked);
                prop_assert_eq!(r.date, full.deadline(start, n).unwrap().date);
            }
            Some(why) => {
                prop_assert_eq!(why.clone(), xunshi_core::calendar::provisional_reason(&walked));
            }
        }
        // A day of a year without data is never called a working day or a rest day.
        for y in (2019i16..=2027).filter(|y| !years.contains(y)) {
            prop_assert!(cal.is_working_day(date(y, 6, 1)).is_err());
        }
    }

    /// Calendar months: the same day of the month N months on, or the last day of a shorter
    /// month; never earlier than the start, never skipping past the target month, monotonic.
    #[test]
    fn months_count_from_the_date(start in any_date(), m in 0i32..48, more in 0i32..12) {
        let end = add_months(start, m).unwrap();
        prop_assert!(end >= start);
        let months_apart = (i32::from(end.year()) - i32::from(start.year())) * 12
            + i32::from(end.month()) - i32::from(start.month());
        prop_assert_eq!(months_apart, m);
        if start.day() <= end.days_in_month() {
            prop_assert_eq!(end.day(), start.day());
        } else {
            prop_assert_eq!(end.day(), end.days_in_month());
        }
        prop_assert!(add_months(start, m + more).unwrap() >= end);
    }
}

// ---------------------------------------------------------------------------------------------
// Colours

fn rank(c: Colour) -> u8 {
    match c {
        Colour::Green => 0,
        Colour::Yellow => 1,
        Colour::Red => 2,
        // Done late: not a state an open deadline passes through.
        Colour::ClosedLate => 3,
    }
}

fn task_status() -> impl Strategy<Value = TaskStatus> {
    select(TaskStatus::ALL)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Red exactly when overdue and not done; yellow exactly within the warning period; done is
    /// green; and as the days pass an open deadline only ever turns green → yellow → red.
    #[test]
    fn the_colour_rule(due in any_date(), today in any_date(), warn in 0i32..30, done: bool, step in 0i64..40) {
        let c = colour(due, today, warn, done);
        let left = (due - today).get_days();
        let expected = if done {
            Colour::Green
        } else if today > due {
            Colour::Red
        } else if left <= warn {
            Colour::Yellow
        } else {
            Colour::Green
        };
        prop_assert_eq!(c, expected);
        let later = today.checked_add(jiff::Span::new().days(step)).unwrap();
        prop_assert!(rank(colour(due, later, warn, false)) >= rank(colour(due, today, warn, false)));
        // A longer warning period never makes a deadline look safer.
        prop_assert!(rank(colour(due, today, warn + 1, false)) >= rank(colour(due, today, warn, false)));
    }

    /// A task follows the same rule by its date; a standing duty (长期坚持) is never yellow or
    /// red for its date alone; an open task is never closed-late; a closed task is never red or
    /// yellow, and is closed-late exactly when it was closed after its day — whatever today is.
    #[test]
    fn a_tasks_colour(
        due in any_date(), today in any_date(), later in 0i64..400, warn in 0i32..30,
        status in task_status(), kind in 0u8..3, closed_on in proptest::option::of(any_date()),
    ) {
        let d = match kind {
            0 => Due::Immediate { date: due },
            1 => Due::By { date: due },
            _ => Due::LongTerm,
        };
        let closed_on = closed_on.filter(|_| status == TaskStatus::Closed);
        let c = task_colour(d, status, closed_on, today, warn);
        match d.date() {
            None => prop_assert_eq!(c, Colour::Green),
            Some(date) if status == TaskStatus::Closed => {
                let late = closed_on.is_some_and(|on| on > date);
                prop_assert_eq!(c, if late { Colour::ClosedLate } else { Colour::Green });
                let after = today.checked_add(jiff::Span::new().days(later)).unwrap();
                prop_assert_eq!(task_colour(d, status, closed_on, after, warn), c, "days passing changed a closed task");
            }
            Some(date) => {
                prop_assert_eq!(c, colour(date, today, warn, false));
                prop_assert_eq!(c == Colour::Red, today > date);
                prop_assert!(c != Colour::ClosedLate);
            }
        }
    }

    /// A task closed on the day it became red stays counted late: closing an overdue task moves
    /// it from red to closed-late, never to green.
    #[test]
    fn closing_an_overdue_task_keeps_it_late(due in any_date(), days in 1i64..3000, warn in 0i32..30) {
        let d = Due::By { date: due };
        let today = due.checked_add(jiff::Span::new().days(days)).unwrap();
        prop_assert_eq!(task_colour(d, TaskStatus::Claimed, None, today, warn), Colour::Red);
        prop_assert_eq!(task_colour(d, TaskStatus::Closed, Some(today), today, warn), Colour::ClosedLate);
    }

    /// A changed deadline is accepted exactly when it is not before today.
    #[test]
    fn a_changed_deadline_is_never_in_the_past(due in any_date(), today in any_date(), kind in 0u8..3) {
        let d = match kind {
            0 => Due::Immediate { date: due },
            1 => Due::By { date: due },
            _ => Due::LongTerm,
        };
        prop_assert_eq!(check_changed_due(d, today).is_ok(), d.date().is_none_or(|x| x >= today));
    }

    /// A rejection always records a share below 100 and a close records none.
    #[test]
    fn a_verdicts_progress(close: bool, progress in proptest::option::of(-5i16..110)) {
        match verdict_progress(close, progress) {
            Ok(Some(p)) => prop_assert!(!close && (0..100).contains(&p)),
            Ok(None) => prop_assert!(close && progress.is_none()),
            // Out of range is bad input; missing on rejection or given on closing is unfit.
            Err(e) => prop_assert!(matches!(
                (&e, close, progress),
                (CoreError::BadInput(_), false, Some(_))
                    | (CoreError::Unfit(_), false, None)
                    | (CoreError::Unfit(_), true, Some(_))
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State machines

fn stage() -> impl Strategy<Value = Stage> {
    select(Stage::ALL)
}

fn role() -> impl Strategy<Value = Role> {
    select(Role::ALL.to_vec())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Inspections: from 计划, any sequence of attempted moves by any roles follows only the
    /// listed edges, one step at a time; no plain move gives feedback (that needs an approved
    /// report, through the feedback service) or reaches anything after it; nobody outside the
    /// office and the team leader moves a stage; an archived inspection never moves.
    #[test]
    fn inspection_stages(moves in proptest::collection::vec((stage(), role()), 0..40)) {
        let mut at = Stage::Planning;
        for (to, who) in moves {
            let allowed = at.transition(to).is_some_and(|roles| roles.contains(&who));
            if allowed {
                let (from, to_i) = (at.index() as i64, to.index() as i64);
                prop_assert!(to_i == from + 1 || (at == Stage::Preparation && to == Stage::Planning),
                    "{at:?} → {to:?} skips or goes back");
                prop_assert!(matches!(who, Role::Office | Role::TeamLeader), "{who:?} moved {at:?} → {to:?}");
                at = to;
            }
            prop_assert!(at.index() <= Stage::Reporting.index(), "reached {at:?} without feedback");
        }
        for to in Stage::ALL {
            prop_assert!(Stage::Archived.transition(*to).is_none());
            prop_assert!(Stage::Reporting.transition(*to).is_none(), "feedback is given only by the feedback service");
        }
    }

    /// Working papers: edited only as drafts, signed only after the team meeting approved them,
    /// and a signed or withdrawn paper never moves again.
    #[test]
    fn paper_states(moves in proptest::collection::vec(select(ProblemStatus::ALL), 0..30)) {
        let mut at = ProblemStatus::Draft;
        let mut approved_since_draft = false;
        for to in moves {
            let terminal = matches!(at, ProblemStatus::Signed | ProblemStatus::Withdrawn);
            if at.can_move(to) {
                prop_assert!(!terminal, "{at:?} moved to {to:?}");
                prop_assert!(to != at);
                if to == ProblemStatus::Signed {
                    prop_assert!(approved_since_draft, "signed without the team meeting");
                }
                if to == ProblemStatus::Withdrawn {
                    prop_assert_eq!(at, ProblemStatus::Draft);
                }
                approved_since_draft = to == ProblemStatus::Approved;
                at = to;
            }
            prop_assert_eq!(at.editable(), at == ProblemStatus::Draft);
        }
    }

    /// The report's approval chain: approved only after the team meeting, the office, the
    /// leading group and the committee approved it in that order since it was last submitted;
    /// a return from any step sends it back to draft; an approved report takes no decision.
    #[test]
    fn report_chain(decisions in proptest::collection::vec(select(Decision::ALL), 0..40)) {
        let mut at = ReportStatus::Draft;
        let mut approvals_in_a_row = 0;
        for d in decisions {
            match at.after(d) {
                Some(next) => {
                    prop_assert!(at != ReportStatus::Approved, "an approved report moved");
                    match d {
                        Decision::Submit => {
                            prop_assert_eq!(at, ReportStatus::Draft);
                            prop_assert_eq!(next, ReportStatus::AtTeamMeeting);
                            approvals_in_a_row = 0;
                        }
                        Decision::Approve => {
                            prop_assert!(at.awaiting().is_some(), "{at:?} approved by nobody");
                            approvals_in_a_row += 1;
                        }
                        Decision::Return => {
                            prop_assert!(at.awaiting().is_some());
                            prop_assert_eq!(next, ReportStatus::Draft);
                        }
                    }
                    if next == ReportStatus::Approved {
                        prop_assert_eq!(approvals_in_a_row, 4, "approved after fewer than the four bodies");
                    }
                    at = next;
                }
                None => {
                    // Refused: nothing waits for this decision here.
                    let waits = at.awaiting().is_some();
                    prop_assert!(
                        at == ReportStatus::Approved
                            || (at == ReportStatus::Draft && d != Decision::Submit)
                            || (waits && d == Decision::Submit),
                        "{at:?} refused {d:?}"
                    );
                }
            }
            prop_assert_eq!(at.awaiting().is_none(), matches!(at, ReportStatus::Draft | ReportStatus::Approved));
        }
    }

    /// Rectification tasks: closed only by verifying a claim; a rejected claim goes back to work;
    /// every refused event is an error and the task stays as it was; a closed task never changes.
    #[test]
    fn task_states(events in proptest::collection::vec(
        select(vec![TaskEvent::Progress, TaskEvent::Claim, TaskEvent::Close, TaskEvent::Reject]), 0..40,
    )) {
        let mut at = TaskStatus::NotStarted;
        for e in events {
            match next_status(at, e) {
                Ok(next) => {
                    prop_assert!(at != TaskStatus::Closed, "a closed task changed on {e:?}");
                    match next {
                        TaskStatus::Closed => prop_assert!(at == TaskStatus::Claimed && e == TaskEvent::Close),
                        TaskStatus::Claimed => prop_assert!(e == TaskEvent::Claim && at != TaskStatus::Claimed),
                        TaskStatus::InProgress => prop_assert!(
                            e == TaskEvent::Progress || (e == TaskEvent::Reject && at == TaskStatus::Claimed)
                        ),
                        TaskStatus::NotStarted => prop_assert!(false, "back to not started on {e:?}"),
                    }
                    at = next;
                }
                Err(err) => {
                    prop_assert!(matches!(err, CoreError::RuleRefused(_)), "{err:?}");
                    let expected_refusal = at == TaskStatus::Closed
                        || (at == TaskStatus::Claimed && matches!(e, TaskEvent::Progress | TaskEvent::Claim))
                        || (matches!(at, TaskStatus::NotStarted | TaskStatus::InProgress)
                            && matches!(e, TaskEvent::Close | TaskEvent::Reject));
                    prop_assert!(expected_refusal, "{at:?} refused {e:?}");
                }
            }
        }
    }
}
