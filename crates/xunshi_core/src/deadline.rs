//! Deadlines and their colours. The clocks of rectification start at the feedback date; how long
//! each runs depends on the level and the kind of inspection and on the rules in force, so the
//! rules are data the office keeps (`DeadlineRule`), shipped with the common defaults.

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, Reckoned, add_months};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::org::{UnitLevel, labelled_enum};

/// The colour of a deadline, as the ledger and the dashboards show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Colour {
    /// Done, or not yet close.
    Green,
    /// Due within the warning period.
    Yellow,
    /// Overdue and not done.
    Red,
    /// Done, but after the deadline (逾期完成): it stays counted as late once closed.
    ClosedLate,
}

impl Colour {
    pub fn as_str(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
            Colour::ClosedLate => "closed_late",
        }
    }

    /// Every colour, in the order lists and charts show them.
    pub const ALL: [Colour; 4] = [
        Colour::Green,
        Colour::Yellow,
        Colour::Red,
        Colour::ClosedLate,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Colour::Green => "正常",
            Colour::Yellow => "临期",
            Colour::Red => "逾期",
            Colour::ClosedLate => "逾期完成",
        }
    }

    pub fn parse(s: &str) -> Result<Colour> {
        match s.trim() {
            "green" | "正常" => Ok(Colour::Green),
            "yellow" | "临期" => Ok(Colour::Yellow),
            "red" | "逾期" => Ok(Colour::Red),
            "closed_late" | "逾期完成" => Ok(Colour::ClosedLate),
            // Named as the page shows them; the codes are for addresses and the API.
            other => Err(CoreError::bad_input(
                "colour",
                format!(
                    "无效的期限状态“{other}”，可选：正常（green）、临期（yellow）、逾期（red）、逾期完成（closed_late）"
                ),
            )),
        }
    }
}

/// Green when done or more than `warn_days` calendar days away; yellow when due within
/// `warn_days` (the due day included); red once the due day has passed.
pub fn colour(due: Date, today: Date, warn_days: i32, done: bool) -> Colour {
    if done {
        return Colour::Green;
    }
    if today > due {
        return Colour::Red;
    }
    let left = (due - today).get_days();
    if left <= warn_days {
        Colour::Yellow
    } else {
        Colour::Green
    }
}

/// The colour of something done on `done_on` against its deadline `due`: green when done on
/// or before the day, closed-late (逾期完成) after it. Being done late is a fact that days
/// passing do not change. Done on an unknown day counts as in time.
pub fn done_colour(due: Date, done_on: Option<Date>) -> Colour {
    match done_on {
        Some(d) if d > due => Colour::ClosedLate,
        _ => Colour::Green,
    }
}

/// The default warning period, in days (practice: yellow 3–7 days before).
pub const DEFAULT_WARN_DAYS: i32 = 7;

labelled_enum!(
    /// Which clock a rule sets.
    Clock, "clock" {
        PlanDue = "plan_due" / "整改方案报送",
        MeetingDue = "meeting_due" / "专题民主生活会",
        ReportDue = "report_due" / "整改情况报告报送",
    }
);

labelled_enum!(
    /// How a rule counts.
    Counting, "counting" {
        WorkingDays = "working_days" / "工作日",
        Months = "months" / "个月",
    }
);

labelled_enum!(
    /// 巡视 (central and provincial committees) or 巡察 (city and county committees, and
    /// enterprises and universities).
    InspectionLevel, "inspection_level" {
        Xunshi = "xunshi" / "巡视",
        Xuncha = "xuncha" / "巡察",
    }
);

impl InspectionLevel {
    /// The dispatching committee's level decides whether its inspections are 巡视 or 巡察.
    pub fn of_dispatcher(level: UnitLevel) -> Self {
        match level {
            UnitLevel::Central | UnitLevel::Provincial => InspectionLevel::Xunshi,
            _ => InspectionLevel::Xuncha,
        }
    }
}

/// One rule: for this kind of inspection, this clock runs this long from the feedback date.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DeadlineRule {
    pub level: InspectionLevel,
    pub clock: Clock,
    pub amount: i32,
    pub counting: Counting,
    /// Where the rule comes from: the regulation, or local practice.
    pub basis: String,
}

impl DeadlineRule {
    /// The clock's deadline from the feedback date. Calendar months are always firm; working
    /// days are counted by [`Calendar::deadline`], provisional past the entered years.
    pub fn due(&self, feedback: Date, calendar: &Calendar) -> Result<Reckoned> {
        match self.counting {
            Counting::Months => add_months(feedback, self.amount).map(Reckoned::firm),
            Counting::WorkingDays => calendar.deadline(feedback, self.amount.max(0) as u32),
        }
    }

    /// The latest feedback date whose deadline is before `today` (`None`: none is), so that
    /// the clocks overdue are counted as those fed back on or before it, one range of an index,
    /// instead of reckoning each feedback date apart. A deadline never comes earlier for a later
    /// feedback date (months and working days both count forward from it), so the dates whose
    /// deadline has passed are all those up to one date, found by halving.
    pub fn last_passed_feedback(&self, today: Date, calendar: &Calendar) -> Option<Date> {
        // The same test as reckoning one clock: a deadline that cannot be reckoned has not
        // passed.
        let passed = |feedback: Date| {
            self.due(feedback, calendar)
                .is_ok_and(|due| due.date < today)
        };
        // Far enough back for every rule the office can set (24 months, or working days that
        // take at most about as many calendar days again with the holidays), doubled until a
        // passed date is found.
        let mut span = 64i32;
        let mut low = loop {
            let d = today.checked_sub(span.days()).ok()?;
            if passed(d) {
                break d;
            }
            span = span.checked_mul(2)?;
        };
        // `low` has passed, `high` has not: a deadline is never before its feedback date.
        let mut high = today;
        loop {
            let gap = (high - low).get_days();
            if gap <= 1 {
                return Some(low);
            }
            let mid = low.checked_add((gap / 2).days()).ok()?;
            if passed(mid) {
                low = mid;
            } else {
                high = mid;
            }
        }
    }
}

/// A running clock's deadline that moved when a year's holiday arrangement was entered (or
/// corrected): the clock of one inspected unit, before and after. It is kept, and audited, so
/// that the unit learns of it: its principal and liaison find it on their 工作台 until one of
/// them takes note of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DeadlineChange {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub clock: Clock,
    #[schema(value_type = String, format = Date)]
    pub feedback: Date,
    /// The year whose arrangement was entered.
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i16,
    pub before: Reckoned,
    pub after: Reckoned,
    #[schema(value_type = String, format = DateTime)]
    pub changed_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub acknowledged_at: Option<jiff::Timestamp>,
    pub acknowledged_by: Option<Id>,
}

impl DeadlineChange {
    /// What moved, as the unit reads it: "整改方案报送期限由 2027-01-07（暂定）调整为 2027-01-08".
    pub fn summary(&self) -> String {
        let shown = |r: &Reckoned| {
            if r.is_provisional() {
                format!("{}（暂定）", r.date)
            } else {
                r.date.to_string()
            }
        };
        format!(
            "{}期限由 {} 调整为 {}（录入{}年节假日安排）",
            self.clock.label(),
            shown(&self.before),
            shown(&self.after),
            self.year
        )
    }
}

/// The rules shipped with the product: the regulation for 巡视, common practice for 巡察.
pub fn default_rules() -> Vec<DeadlineRule> {
    use Clock::*;
    use Counting::*;
    use InspectionLevel::*;
    let rule = |level, clock, amount, counting, basis: &str| DeadlineRule {
        level,
        clock,
        amount,
        counting,
        basis: basis.to_owned(),
    };
    vec![
        rule(
            Xunshi,
            ReportDue,
            2,
            Months,
            "《中国共产党巡视工作条例》：收到反馈意见后2个月内报送整改情况报告和主要负责人组织落实情况报告",
        ),
        rule(
            Xunshi,
            PlanDue,
            15,
            WorkingDays,
            "通行做法：反馈后15个工作日内报送整改方案",
        ),
        rule(
            Xuncha,
            PlanDue,
            15,
            WorkingDays,
            "巡察通行做法：15个工作日内报送整改方案",
        ),
        rule(
            Xuncha,
            MeetingDue,
            1,
            Months,
            "巡察通行做法：1个月内召开专题民主生活会",
        ),
        rule(
            Xuncha,
            ReportDue,
            3,
            Months,
            "巡察通行做法：3个月内报送整改情况报告",
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::shipped;
    use jiff::civil::date;

    #[test]
    fn the_last_passed_feedback_divides_the_overdue_clocks_from_the_others() {
        let calendar = shipped();
        let rules = [
            (Counting::Months, 2),
            (Counting::Months, 6),
            (Counting::WorkingDays, 1),
            (Counting::WorkingDays, 15),
            (Counting::WorkingDays, 60),
        ];
        // Around the spring festival and the national day, and past the entered years, where
        // the working days are provisional.
        let todays = [
            date(2020, 2, 3),
            date(2020, 10, 9),
            date(2021, 3, 31),
            date(2026, 12, 6),
            date(2031, 5, 1),
        ];
        for (counting, amount) in rules {
            let rule = DeadlineRule {
                level: InspectionLevel::Xunshi,
                clock: Clock::ReportDue,
                amount,
                counting,
                basis: String::new(),
            };
            for today in todays {
                let cut = rule.last_passed_feedback(today, &calendar).unwrap();
                // Every date from a year and a half before the cut to today, each reckoned.
                let mut d = cut.checked_sub(550.days()).unwrap();
                while d <= today {
                    let passed = rule.due(d, &calendar).unwrap().date < today;
                    assert_eq!(
                        passed,
                        d <= cut,
                        "{counting:?} {amount}, today {today}, fed back {d}"
                    );
                    d = d.tomorrow().unwrap();
                }
            }
        }
    }

    #[test]
    fn colours_around_the_boundaries() {
        let due = date(2020, 5, 25);
        assert_eq!(colour(due, date(2020, 5, 17), 7, false), Colour::Green);
        assert_eq!(colour(due, date(2020, 5, 18), 7, false), Colour::Yellow);
        assert_eq!(colour(due, due, 7, false), Colour::Yellow);
        assert_eq!(colour(due, date(2020, 5, 26), 7, false), Colour::Red);
        assert_eq!(colour(due, date(2020, 6, 30), 7, true), Colour::Green);
        assert_eq!(done_colour(due, Some(due)), Colour::Green);
        assert_eq!(
            done_colour(due, Some(date(2020, 5, 26))),
            Colour::ClosedLate
        );
        assert_eq!(done_colour(due, None), Colour::Green);
    }

    #[test]
    fn colours_read_back_from_their_codes_and_labels() {
        for c in Colour::ALL {
            assert_eq!(Colour::parse(c.as_str()).unwrap(), c);
            assert_eq!(Colour::parse(c.label()).unwrap(), c);
        }
    }

    #[test]
    fn the_seed_report_is_due_two_months_after_feedback() {
        let rules = default_rules();
        let report = rules
            .iter()
            .find(|r| r.level == InspectionLevel::Xunshi && r.clock == Clock::ReportDue)
            .unwrap();
        assert_eq!(
            report.due(date(2020, 3, 25), &shipped()).unwrap(),
            Reckoned::firm(date(2020, 5, 25))
        );
        let plan = rules
            .iter()
            .find(|r| r.level == InspectionLevel::Xunshi && r.clock == Clock::PlanDue)
            .unwrap();
        assert_eq!(
            plan.due(date(2020, 3, 25), &shipped()).unwrap(),
            Reckoned::firm(date(2020, 4, 16))
        );
        // After mid-December the plan clock runs into 2027, which has no arrangement yet; the
        // two-month report clock does not count working days and stands.
        let late = plan.due(date(2026, 12, 17), &shipped()).unwrap();
        assert_eq!(late.date, date(2027, 1, 7));
        assert!(late.is_provisional());
        assert!(
            !report
                .due(date(2026, 12, 17), &shipped())
                .unwrap()
                .is_provisional()
        );
    }

    #[test]
    fn provincial_committees_send_xunshi_cities_xuncha() {
        assert_eq!(
            InspectionLevel::of_dispatcher(UnitLevel::Provincial),
            InspectionLevel::Xunshi
        );
        assert_eq!(
            InspectionLevel::of_dispatcher(UnitLevel::County),
            InspectionLevel::Xuncha
        );
    }
}
