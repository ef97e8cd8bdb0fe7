//! Deadlines as ledgers write them (整改时限): `立行立改`, `长期坚持`, `2020年6月底前`,
//! `6月30日前`, `2020.6.30`, `3个月内`, `年底前`, an Excel serial day. Reading the text and
//! fixing it to a [`Due`] are two steps, because the relative forms count from the feedback
//! date, which only the plan knows.

use jiff::civil::Date;
use jiff::{ToSpan, civil::date};

use crate::rectify::Due;

/// A deadline as written, before the feedback date fixes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueText {
    /// 立行立改, with the date written beside it if any (`立行立改（2020年4月底前）`).
    Immediate(Option<Date>),
    /// 长期坚持.
    LongTerm,
    /// A full date.
    On(Date),
    /// `6月底前`, `6月30日前`: a month (and day) without the year.
    InYear { month: i8, day: Option<i8> },
    /// `3个月内`: calendar months from the feedback date (domain.md §9).
    WithinMonths(i8),
    /// `年底前` (none) or `2020年底前`.
    YearEnd(Option<i16>),
}

/// How long a bare 立行立改 is given: the ledger names no day, and the task needs one to be
/// coloured; one month from the feedback is the shortest term the rules name for a step of
/// the rectification (the 巡察 democratic-life meeting).
pub const IMMEDIATE_MONTHS: i8 = 1;

impl DueText {
    /// Reads a ledger's deadline cell; `None` when it is none of the forms above.
    pub fn parse(text: &str) -> Option<DueText> {
        let t: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(fullwidth_to_ascii)
            .collect();
        if t.is_empty() {
            return None;
        }
        if t.contains("长期坚持") || t == "长期" || t == "持续推进" {
            return Some(DueText::LongTerm);
        }
        if let Some(rest) = t.strip_prefix("立行立改") {
            let rest = rest.trim_matches(|c: char| "，,;；()（）、".contains(c));
            if rest.is_empty() {
                return Some(DueText::Immediate(None));
            }
            return match DueText::parse(rest)? {
                DueText::On(d) => Some(DueText::Immediate(Some(d))),
                _ => None,
            };
        }
        let t = strip_before(&t);
        if let Ok(n) = t.parse::<u32>()
            && (20_000..=80_000).contains(&n)
        {
            return serial(n).map(DueText::On);
        }
        if let Some(n) = t.strip_suffix("个月内").or_else(|| t.strip_suffix("个月"))
            && let Some(n) = number(n)
            && (1..=36).contains(&n)
        {
            return Some(DueText::WithinMonths(n as i8));
        }
        if t == "年底" || t == "年末" || t == "本年底" || t == "今年底" {
            return Some(DueText::YearEnd(None));
        }
        if let Some(y) = t.strip_suffix("年底").or_else(|| t.strip_suffix("年末"))
            && let Some(y) = year(y)
        {
            return Some(DueText::YearEnd(Some(y)));
        }
        ymd(t)
    }

    /// The deadline fixed against the feedback date: a year left out is the first on or after
    /// the feedback; a bare 立行立改 is [`IMMEDIATE_MONTHS`] after it.
    pub fn resolve(self, feedback: Date) -> Option<Due> {
        let months = |n: i8| feedback.checked_add(i64::from(n).months()).ok();
        Some(match self {
            DueText::Immediate(Some(d)) => Due::Immediate { date: d },
            DueText::Immediate(None) => Due::Immediate {
                date: months(IMMEDIATE_MONTHS)?,
            },
            DueText::LongTerm => Due::LongTerm,
            DueText::On(d) => Due::By { date: d },
            DueText::InYear { month, day } => {
                let this = day_in(feedback.year(), month, day)?;
                let d = if this < feedback {
                    day_in(feedback.year() + 1, month, day)?
                } else {
                    this
                };
                Due::By { date: d }
            }
            DueText::WithinMonths(n) => Due::By { date: months(n)? },
            DueText::YearEnd(y) => Due::By {
                date: date(y.unwrap_or(feedback.year()), 12, 31),
            },
        })
    }
}

fn fullwidth_to_ascii(c: char) -> char {
    match c {
        '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
        '．' | '。' => '.',
        '－' | '—' => '-',
        '／' => '/',
        c => c,
    }
}

/// `前`, `之前`, `以前`, `完成` at the end say nothing more.
fn strip_before(t: &str) -> &str {
    let mut t = t;
    for suffix in ["完成", "之前", "以前", "前"] {
        t = t.strip_suffix(suffix).unwrap_or(t);
    }
    t
}

/// A count in digits or in Chinese numerals up to twelve (`三个月内`).
fn number(s: &str) -> Option<i32> {
    if let Ok(n) = s.parse() {
        return Some(n);
    }
    const DIGITS: [&str; 12] = [
        "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二",
    ];
    let s = if s == "两" { "二" } else { s };
    DIGITS.iter().position(|d| *d == s).map(|i| i as i32 + 1)
}

fn year(s: &str) -> Option<i16> {
    let y: i16 = s.parse().ok()?;
    (2000..=2100).contains(&y).then_some(y)
}

/// The day, or the month's last day when none is written.
fn day_in(year: i16, month: i8, day: Option<i8>) -> Option<Date> {
    let first = Date::new(year, month, 1).ok()?;
    match day {
        Some(d) => Date::new(year, month, d).ok(),
        None => Some(first.last_of_month()),
    }
}

/// `2020年6月30日`, `2020年6月底`, `2020年6月`, `6月30日`, `6月底`, `2020.6.30`,
/// `2020-06-30`, `2020/6/30`.
fn ymd(t: &str) -> Option<DueText> {
    for sep in ['.', '-', '/'] {
        let parts: Vec<&str> = t.split(sep).collect();
        if parts.len() == 3 {
            let (y, m, d) = (
                year(parts[0])?,
                parts[1].parse().ok()?,
                parts[2].parse().ok()?,
            );
            return Date::new(y, m, d).ok().map(DueText::On);
        }
    }
    let (y, rest) = match t.split_once('年') {
        Some((y, rest)) => (Some(year(y)?), rest),
        None => (None, t),
    };
    let (m, rest) = rest.split_once('月')?;
    let month: i8 = m.parse().ok().filter(|m| (1..=12).contains(m))?;
    let day = match rest {
        "" | "底" | "末" => None,
        r => Some(
            r.strip_suffix('日')
                .or_else(|| r.strip_suffix('号'))?
                .parse()
                .ok()?,
        ),
    };
    match y {
        Some(y) => day_in(y, month, day).map(DueText::On),
        None => {
            // Checked against a leap year so that 2月29日 is not refused before its year is known.
            day_in(2020, month, day)?;
            Some(DueText::InYear { month, day })
        }
    }
}

/// An Excel serial day (1900 system, after its phantom 29 February).
fn serial(n: u32) -> Option<Date> {
    date(1899, 12, 30).checked_add(i64::from(n).days()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(text: &str) -> Option<Due> {
        DueText::parse(text)?.resolve(date(2020, 3, 25))
    }

    fn by(y: i16, m: i8, d: i8) -> Option<Due> {
        Some(Due::By {
            date: date(y, m, d),
        })
    }

    #[test]
    fn the_forms_of_real_ledgers_are_read() {
        assert_eq!(due("长期坚持"), Some(Due::LongTerm));
        assert_eq!(due("立行立改，长期坚持"), Some(Due::LongTerm));
        assert_eq!(
            due("立行立改"),
            Some(Due::Immediate {
                date: date(2020, 4, 25)
            })
        );
        assert_eq!(
            due("立行立改（2020年4月底前）"),
            Some(Due::Immediate {
                date: date(2020, 4, 30)
            })
        );
        assert_eq!(due("2020年6月底前"), by(2020, 6, 30));
        assert_eq!(due("2020年6月30日前"), by(2020, 6, 30));
        assert_eq!(due("２０２０年６月底"), by(2020, 6, 30));
        assert_eq!(due("2020.6.30"), by(2020, 6, 30));
        assert_eq!(due("2020-06-30"), by(2020, 6, 30));
        assert_eq!(due("2020/6/30"), by(2020, 6, 30));
        assert_eq!(due("43982"), by(2020, 5, 31), "an Excel serial day");
        assert_eq!(due("年底前"), by(2020, 12, 31));
        assert_eq!(due("2021年底前"), by(2021, 12, 31));
    }

    #[test]
    fn relative_forms_count_from_the_feedback() {
        assert_eq!(due("3个月内"), by(2020, 6, 25));
        assert_eq!(due("三个月内"), by(2020, 6, 25));
        assert_eq!(due("6月30日前"), by(2020, 6, 30), "the feedback's year");
        assert_eq!(due("6月底前"), by(2020, 6, 30));
        assert_eq!(
            due("1月31日前"),
            by(2021, 1, 31),
            "a day already past in the feedback's year is the next year's"
        );
    }

    #[test]
    fn what_is_none_of_them_is_not_guessed() {
        for t in [
            "六月底",
            "尽快",
            "2020年13月",
            "2020.2.30",
            "6月32日",
            "",
            "99个月内",
        ] {
            assert_eq!(DueText::parse(t), None, "{t}");
        }
    }
}
