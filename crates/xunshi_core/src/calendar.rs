//! Working days (工作日) under the State Council's yearly holiday arrangement: public holidays,
//! and weekend days turned into working days (调休). Any day not listed is a working day Monday
//! to Friday and a rest day at the weekend. Arithmetic that reaches a year without an
//! arrangement refuses, clearly: guessing would put a wrong deadline on an official notice.
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

    pub fn is_working_day(&self, d: Date) -> Result<bool> {
        self.covered(d)?;
        Ok(match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday),
        })
    }

    /// The day on which `n` working days after `start` have passed: the first working day after
    /// `start` is day 1. (`start` itself, the day of the event, does not count.)
    pub fn add_working_days(&self, start: Date, n: u32) -> Result<Date> {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d = d.tomorrow().map_err(CoreError::internal)?;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
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
                errors.push(fail(format!("类型“{other}”无效，应为 holiday 或 workday")));
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
            c.add_working_days(date(2020, 3, 25), 15).unwrap(),
            date(2020, 4, 16)
        );
    }

    #[test]
    fn across_the_national_day_holiday_of_2019() {
        let c = shipped();
        // From Friday 27 September: Sun 29 Sep is worked (1), Mon 30 Sep (2), 1–7 Oct off,
        // Tue 8 Oct (3) … Sat 12 Oct is worked too (7).
        assert_eq!(
            c.add_working_days(date(2019, 9, 27), 1).unwrap(),
            date(2019, 9, 29)
        );
        assert_eq!(
            c.add_working_days(date(2019, 9, 27), 2).unwrap(),
            date(2019, 9, 30)
        );
        assert_eq!(
            c.add_working_days(date(2019, 9, 27), 3).unwrap(),
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
    fn a_year_without_an_arrangement_is_refused() {
        let c = shipped();
        let e = c.add_working_days(date(2026, 12, 20), 15).unwrap_err();
        assert!(matches!(e, CoreError::RuleRefused(_)));
        assert!(e.to_string().contains("2027"), "{e}");
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
