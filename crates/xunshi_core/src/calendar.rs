//! Working days (工作日) under the State Council's yearly holiday arrangement: public holidays,
//! and weekend days turned into working days (调休). Any day not listed is a working day Monday
//! to Friday and a rest day at the weekend.
//!
//! A deadline that reaches a year whose arrangement has not been entered yet (it is published
//! around November of the year before) is still counted, by weekends alone, and marked
//! provisional (暂定) with the reason: a unit given feedback in mid-December must see when its
//! plan is due, and must see too that the date will move once the holidays are known. Entering
//! the arrangement recomputes those deadlines (`service::calendar`). Every working-day
//! deadline is counted by one function, [`Calendar::deadline`].
//!
//! Calendar months ("within 2 months") are counted from the date, not in working days.

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::{Date, Weekday};
use serde::Serialize;

use crate::error::{CoreError, FieldError, Result};

/// The arrangement shipped with the product, 2019 onwards.
pub const SHIPPED_CSV: &str = include_str!("../data/cn-calendar-2019-2026.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday or a rest day of the arrangement.
    Holiday,
    /// A weekend day worked instead (调休).
    Workday,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CalendarDay {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    pub kind: DayKind,
    /// The festival the day belongs to, such as 春节.
    pub festival: String,
}

/// The arrangements of the years that have one.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<Date, DayKind>,
    years: BTreeSet<i16>,
}

impl Calendar {
    pub fn new(
        years: impl IntoIterator<Item = i16>,
        days: impl IntoIterator<Item = CalendarDay>,
    ) -> Self {
        Calendar {
            years: years.into_iter().collect(),
            days: days.into_iter().map(|d| (d.date, d.kind)).collect(),
        }
    }

    pub fn years(&self) -> impl Iterator<Item = i16> + '_ {
        self.years.iter().copied()
    }

    /// Whether `d` is worked: by the arrangement of its year, or, for a year without one, by
    /// the weekend alone (`false` in the second place: the answer is provisional).
    fn works(&self, d: Date) -> (bool, bool) {
        if !self.years.contains(&d.year()) {
            let weekday = !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
            return (weekday, false);
        }
        let worked = match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        };
        (worked, true)
    }

    fn covered(&self, d: Date) -> Result<()> {
        if self.years.contains(&d.year()) {
            Ok(())
        } else {
            Err(CoreError::RuleRefused(format!(
                "尚未录入 {} 年的节假日安排，无法按工作日计算期限；请巡视办先在“节假日安排”中录入该年度安排",
                d.year()
            )))
        }
    }

    /// Whether one day is worked, as the arrangement of its year says; refused for a year
    /// without one (a single day's answer has no place to say it is a guess).
    pub fn is_working_day(&self, d: Date) -> Result<bool> {
        self.covered(d)?;
        Ok(self.works(d).0)
    }

    /// The deadline `n` working days after `start`: the day on which they have passed, the
    /// first working day after `start` being day 1 (`start` itself, the day of the event, does
    /// not count). Days of a year without an arrangement are counted Monday to Friday, and the
    /// answer says so (see [`Reckoned::provisional`]). This is the one place a working-day
    /// deadline is computed; the rules, the clocks, the pages and the API all come here.
    pub fn deadline(&self, start: Date, n: u32) -> Result<Reckoned> {
        if n > MAX_WORKING_DAYS {
            return Err(CoreError::bad_input(
                "days",
                format!("工作日数应为 0 到 {MAX_WORKING_DAYS}"),
            ));
        }
        let mut d = start;
        let mut left = n;
        let mut guessed = BTreeSet::new();
        while left > 0 {
            d = d.tomorrow().map_err(CoreError::internal)?;
            let (worked, known) = self.works(d);
            if !known {
                guessed.insert(d.year());
            }
            if worked {
                left -= 1;
            }
        }
        Ok(Reckoned {
            date: d,
            provisional: (!guessed.is_empty()).then(|| provisional_reason(&guessed)),
        })
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: Date, to: Date) -> Result<u32> {
        let mut n = 0;
        let mut d = from;
        while d < to {
            d = d.tomorrow().map_err(CoreError::internal)?;
            if self.is_working_day(d)? {
                n += 1;
            }
        }
        Ok(n)
    }
}

/// The longest count of working days the arithmetic takes. The rules run to 120; a count far
/// beyond that is a mistake in the request, not a deadline.
pub const MAX_WORKING_DAYS: u32 = 2000;

/// A deadline and whether it stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Reckoned {
    #[schema(value_type = String, format = Date)]
    pub date: Date,
    /// Set when the count crossed a year whose holiday arrangement has not been entered: those
    /// days were counted Monday to Friday, and the date is provisional (暂定) until the office
    /// enters the year. The text says which years, e.g. "2027年节假日安排尚未录入，按周末推算".
    pub provisional: Option<String>,
}

impl Reckoned {
    /// A date that follows from rules alone (calendar months) or from entered years only.
    pub fn firm(date: Date) -> Self {
        Reckoned {
            date,
            provisional: None,
        }
    }

    pub fn is_provisional(&self) -> bool {
        self.provisional.is_some()
    }
}

/// Why a deadline counted over `years` (without an arrangement) is provisional.
pub fn provisional_reason(years: &BTreeSet<i16>) -> String {
    let years: Vec<String> = years.iter().map(i16::to_string).collect();
    format!("{}年节假日安排尚未录入，按周末推算", years.join("、"))
}

/// `start` plus `months` calendar months; a day past the end of the target month falls on its
/// last day (2020-01-31 + 1 month = 2020-02-29).
pub fn add_months(start: Date, months: i32) -> Result<Date> {
    start
        .checked_add(months.months())
        .map_err(CoreError::internal)
}

/// Reads an arrangement in the shipped format: a header `date,kind,festival`, then one row a
/// day, kind `holiday` or `workday`. Every row that cannot be read is named, with its line.
pub fn parse_csv(text: &str) -> Result<Vec<CalendarDay>> {
    let mut days = Vec::new();
    let mut errors = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || (i == 0 && line.starts_with("date")) {
            continue;
        }
        let cols: Vec<&str> = line.split(',').map(str::trim).collect();
        let fail = |m: String| FieldError {
            field: format!("第 {} 行", i + 1),
            message: m,
        };
        let [date, kind, festival] = cols[..] else {
            errors.push(fail(format!(
                "应有 3 列（日期,类型,节日），实为 {} 列",
                cols.len()
            )));
            continue;
        };
        let Ok(date) = date.parse::<Date>() else {
            errors.push(fail(format!("日期“{date}”无效，应为 2020-01-24 格式")));
            continue;
        };
        let kind = match kind {
            "holiday" | "休" | "放假" => DayKind::Holiday,
            "workday" | "班" | "上班" => DayKind::Workday,
            other => {
                errors.push(fail(format!(
                    "类型“{other}”无效，应为 holiday（放假，也可写“休”）或 workday（调休上班，也可写“班”）"
                )));
                continue;
            }
        };
        if !seen.insert(date) {
            errors.push(fail(format!("日期 {date} 重复")));
            continue;
        }
        days.push(CalendarDay {
            date,
            kind,
            festival: festival.to_owned(),
        });
    }
    if errors.is_empty() {
        Ok(days)
    } else {
        Err(CoreError::BadInput(errors))
    }
}

/// The calendar as shipped, for tests and for seeding a new database.
pub fn shipped() -> Calendar {
    let days = parse_csv(SHIPPED_CSV).expect("the shipped calendar parses");
    let years: BTreeSet<i16> = days.iter().map(|d| d.date.year()).collect();
    Calendar::new(years, days)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn weekends_holidays_and_adjusted_workdays() {
        let c = shipped();
        assert!(c.is_working_day(date(2019, 9, 18)).unwrap(), "a Wednesday");
        assert!(
            !c.is_working_day(date(2019, 10, 1)).unwrap(),
            "National Day"
        );
        assert!(
            c.is_working_day(date(2019, 9, 29)).unwrap(),
            "a Sunday worked for National Day"
        );
        assert!(
            !c.is_working_day(date(2020, 1, 25)).unwrap(),
            "Spring Festival 2020"
        );
        assert!(
            c.is_working_day(date(2020, 1, 19)).unwrap(),
            "the Sunday worked in 2020"
        );
        assert!(
            !c.is_working_day(date(2020, 2, 1)).unwrap(),
            "the Saturday the 2020 holiday was extended over"
        );
    }

    #[test]
    fn fifteen_working_days_from_the_seed_feedback() {
        // 2020-03-25 (Wed): seven working days to Fri 3 April, the Qingming holiday of 4–6
        // April (Saturday to Monday), then eight more: Thu 16 April.
        let c = shipped();
        assert_eq!(
            c.deadline(date(2020, 3, 25), 15).unwrap(),
            Reckoned::firm(date(2020, 4, 16))
        );
    }

    #[test]
    fn across_the_national_day_holiday_of_2019() {
        let c = shipped();
        // From Friday 27 September: Sun 29 Sep is worked (1), Mon 30 Sep (2), 1–7 Oct off,
        // Tue 8 Oct (3) … Sat 12 Oct is worked too (7).
        assert_eq!(
            c.deadline(date(2019, 9, 27), 1).unwrap().date,
            date(2019, 9, 29)
        );
        assert_eq!(
            c.deadline(date(2019, 9, 27), 2).unwrap().date,
            date(2019, 9, 30)
        );
        assert_eq!(
            c.deadline(date(2019, 9, 27), 3).unwrap().date,
            date(2019, 10, 8)
        );
        assert_eq!(
            c.working_days_between(date(2019, 9, 27), date(2019, 10, 12))
                .unwrap(),
            7
        );
    }

    #[test]
    fn calendar_months_count_from_the_date() {
        assert_eq!(add_months(date(2020, 3, 25), 2).unwrap(), date(2020, 5, 25));
        assert_eq!(add_months(date(2020, 1, 31), 1).unwrap(), date(2020, 2, 29));
    }

    #[test]
    fn a_single_day_of_a_year_without_an_arrangement_is_refused() {
        let c = shipped();
        let e = c.is_working_day(date(2027, 1, 1)).unwrap_err();
        assert!(matches!(e, CoreError::RuleRefused(_)));
        assert!(e.to_string().contains("2027"), "{e}");
    }

    /// An arrangement of 2027 as the office might enter it: New Year's Day and a Spring
    /// Festival holiday with two weekend days worked (the rest of the year does not matter here).
    const CSV_2027: &str = "date,kind,festival\n2027-01-01,holiday,元旦\n\
        2027-02-06,holiday,春节\n2027-02-07,holiday,春节\n2027-02-08,holiday,春节\n\
        2027-02-09,holiday,春节\n2027-02-10,holiday,春节\n2027-02-11,holiday,春节\n\
        2027-02-12,holiday,春节\n2027-02-13,holiday,春节\n2027-02-14,workday,春节\n\
        2027-02-20,workday,春节\n";

    #[test]
    fn a_deadline_into_a_year_without_an_arrangement_counts_weekends_and_says_so() {
        let c = shipped();
        // From Thu 17 December 2026: 18, 21–25 (25 Dec is no holiday here), 28–31 December
        // are 10 working days; 2027 is counted Monday to Friday: Fri 1 January (New Year's
        // Day, not known yet) is day 11, then 4–7 January: Thu 7 January.
        let r = c.deadline(date(2026, 12, 17), 15).unwrap();
        assert_eq!(r.date, date(2027, 1, 7));
        assert!(r.is_provisional());
        assert_eq!(
            r.provisional.as_deref(),
            Some("2027年节假日安排尚未录入，按周末推算")
        );
        // A deadline within the entered years stands.
        assert!(!c.deadline(date(2026, 12, 1), 15).unwrap().is_provisional());
        // Two years ahead both are named.
        let far = c.deadline(date(2026, 12, 30), 300).unwrap();
        assert_eq!(
            far.provisional.as_deref(),
            Some("2027、2028年节假日安排尚未录入，按周末推算")
        );
    }

    #[test]
    fn entering_the_year_moves_the_provisional_deadline_and_makes_it_firm() {
        let mut days = parse_csv(SHIPPED_CSV).unwrap();
        days.extend(parse_csv(CSV_2027).unwrap());
        let years: BTreeSet<i16> = days.iter().map(|d| d.date.year()).collect();
        let c = Calendar::new(years, days);
        // New Year's Day is a holiday now: the count moves on by one day, to Fri 8 January.
        let r = c.deadline(date(2026, 12, 17), 15).unwrap();
        assert_eq!(r, Reckoned::firm(date(2027, 1, 8)));
        // Across the Spring Festival: from Fri 29 January 2027, 1–5 February are 5 days, the
        // holiday of 6–13 February, Sun 14 February is worked (6), 15–19 February (7–11), Sat
        // 20 February is worked (12).
        assert_eq!(
            c.deadline(date(2027, 1, 29), 12).unwrap(),
            Reckoned::firm(date(2027, 2, 20))
        );
    }

    #[test]
    fn an_absurd_count_is_refused_naming_the_field() {
        let Err(CoreError::BadInput(f)) = shipped().deadline(date(2020, 1, 1), 1_000_000) else {
            panic!("accepted");
        };
        assert_eq!(f[0].field, "days");
    }

    #[test]
    fn bad_rows_are_named_by_line() {
        let Err(CoreError::BadInput(f)) = parse_csv(
            "date,kind,festival\n2027-02-30,holiday,春节\n2027-01-01,off,元旦\n2027-01-01,holiday",
        ) else {
            panic!("accepted");
        };
        let lines: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(lines, ["第 2 行", "第 3 行", "第 4 行"]);
    }
}
