//! Dates as feedback texts write them: 2019年9月18日, 二〇二〇年三月二十五日, 2020.3.25,
//! 2020-03-25, 3月25日 (the year from the context), and ranges 2019年9月18日至12月18日.

use jiff::civil::Date;

use super::scan::{Text, is_num_char, number};

/// A date as written: the year may be missing, and so may the day ("2019年10月").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Written {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) year: Option<i16>,
    pub(super) month: i8,
    pub(super) day: Option<i8>,
}

impl Written {
    /// The calendar date, with `year` when the text gave none.
    pub(super) fn date(&self, year: Option<i16>) -> Option<Date> {
        Date::new(self.year.or(year)?, self.month, self.day?).ok()
    }
}

/// A run of number characters at `i`: its value and end.
fn num_at(t: &Text, i: usize, max: usize) -> Option<(u32, usize)> {
    let mut j = i;
    while j < t.len() && is_num_char(t.n[j]) && j - i < max {
        j += 1;
    }
    (j > i).then(|| number(&t.s(i, j)).map(|v| (v, j)))?
}

/// The date written at `i`, if one begins there.
pub(super) fn date_at(t: &Text, i: usize) -> Option<Written> {
    if i > 0 && is_num_char(t.n[i - 1]) {
        return None;
    }
    let (first, j) = num_at(t, i, 4)?;
    let c = t.n.get(j).copied();
    // 2020.3.25, 2020-03-25, 2020/3/25
    if matches!(c, Some('.' | '-' | '/')) && j - i == 4 && first >= 1900 {
        let (m, k) = num_at(t, j + 1, 2)?;
        if t.n.get(k) != c.as_ref() {
            return None;
        }
        let (d, end) = num_at(t, k + 1, 2)?;
        return written(i, end, Some(first), m, Some(d));
    }
    let (year, month_at) = if c == Some('年') {
        (Some(first), j + 1)
    } else {
        (None, i)
    };
    let (m, k) = num_at(t, month_at, 2)?;
    if t.n.get(k) != Some(&'月') {
        return None;
    }
    match num_at(t, k + 1, 3) {
        Some((d, e)) if matches!(t.n.get(e), Some('日' | '号')) => {
            written(i, e + 1, year, m, Some(d))
        }
        // A month alone counts only with its year: "10月" alone is too loose to be a date.
        _ if year.is_some() => written(i, k + 1, year, m, None),
        _ => None,
    }
}

fn written(start: usize, end: usize, y: Option<u32>, m: u32, d: Option<u32>) -> Option<Written> {
    let year = match y {
        Some(y) if (1900..=2200).contains(&y) => Some(y as i16),
        Some(_) => return None,
        None => None,
    };
    if !(1..=12).contains(&m) || d.is_some_and(|d| !(1..=31).contains(&d)) {
        return None;
    }
    Some(Written {
        start,
        end,
        year,
        month: m as i8,
        day: d.map(|d| d as i8),
    })
}

/// Every date written in `a..b`, in order.
pub(super) fn dates_in(t: &Text, a: usize, b: usize) -> Vec<Written> {
    let mut out = Vec::new();
    let mut i = a;
    while i < b.min(t.len()) {
        match date_at(t, i) {
            Some(d) => {
                out.push(d);
                i = d.end;
            }
            None => i += 1,
        }
    }
    out
}

/// A span of days: "2019年9月18日至12月18日", "9月18日到25日", "2019年10月至12月".
#[derive(Debug, Clone, Copy)]
pub(super) struct Range {
    pub(super) from: Written,
    pub(super) to: Written,
}

const RANGE_SEPS: [&str; 8] = ["至", "到", "—", "－", "-", "~", "～", "–"];

/// The range that begins with `from`, if the text goes on with a separator and an end.
pub(super) fn range_from(t: &Text, from: Written) -> Option<Range> {
    let mut i = t.skip_space(from.end, t.len());
    let (_, sep) = t.find_any(&RANGE_SEPS, i, i + 1)?;
    i = t.skip_space(i + sep.chars().count(), t.len());
    if t.starts_with(i, "—") {
        i += 1;
    }
    if let Some(to) = date_at(t, i) {
        return Some(Range { from, to });
    }
    // "2019年10月至12月": a month without its year ends a range of months.
    let (d, e) = num_at(t, i, 3)?;
    if from.day.is_none() && t.n.get(e) == Some(&'月') {
        let to = written(i, e + 1, from.year.map(|y| y as u32), d, None)?;
        return Some(Range { from, to });
    }
    // "9月18日至25日": the end names its day only.
    if from.day.is_some() && matches!(t.n.get(e), Some('日' | '号')) {
        let to = written(
            i,
            e + 1,
            from.year.map(|y| y as u32),
            from.month as u32,
            Some(d),
        )?;
        return Some(Range { from, to });
    }
    None
}

/// The year a date without one most likely has: that of the nearest full date written before
/// it, else the first one in the text.
pub(super) fn context_year(all: &[Written], at: usize) -> Option<i16> {
    all.iter()
        .rev()
        .filter(|d| d.start < at)
        .find_map(|d| d.year)
        .or_else(|| all.iter().find_map(|d| d.year))
}

/// The end of a range whose end left out a year that turned: 2019年11月至2月.
pub(super) fn range_dates(r: &Range, year: Option<i16>) -> (Option<Date>, Option<Date>) {
    let from = r.from.date(year);
    let mut to = r.to.date(r.from.year.or(year));
    if let (Some(f), Some(t2)) = (from, to)
        && t2 < f
        && r.to.year.is_none()
    {
        to = t2.checked_add(jiff::Span::new().years(1)).ok();
    }
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(s: &str) -> Option<Written> {
        let t = Text::new(s);
        dates_in(&t, 0, t.len()).first().copied()
    }

    #[test]
    fn written_dates() {
        let d = first("于2020年3月25日召开").and_then(|d| d.date(None));
        assert_eq!(d, Some(jiff::civil::date(2020, 3, 25)));
        let d = first("二〇二〇年三月二十五日").and_then(|d| d.date(None));
        assert_eq!(d, Some(jiff::civil::date(2020, 3, 25)));
        let d = first("日期 2020.3.5").and_then(|d| d.date(None));
        assert_eq!(d, Some(jiff::civil::date(2020, 3, 5)));
        let d = first("2020-03-05").and_then(|d| d.date(None));
        assert_eq!(d, Some(jiff::civil::date(2020, 3, 5)));
        let d = first("３月５日").and_then(|d| d.date(Some(2021)));
        assert_eq!(d, Some(jiff::civil::date(2021, 3, 5)));
        assert_eq!(first("2019年10月").map(|d| d.day), Some(None));
        assert!(first("10月份").is_none());
        assert!(first("2020年13月1日").is_none());
    }

    #[test]
    fn ranges() {
        let t = Text::new("2019年11月18日至2月18日");
        let from = dates_in(&t, 0, t.len())[0];
        let r = range_from(&t, from).expect("range");
        let (a, b) = range_dates(&r, None);
        assert_eq!(a, Some(jiff::civil::date(2019, 11, 18)));
        assert_eq!(b, Some(jiff::civil::date(2020, 2, 18)));
        let t = Text::new("9月18日-25日");
        let r = range_from(&t, dates_in(&t, 0, t.len())[0]).expect("range");
        assert_eq!(
            range_dates(&r, Some(2019)).1,
            Some(jiff::civil::date(2019, 9, 25))
        );
    }
}
