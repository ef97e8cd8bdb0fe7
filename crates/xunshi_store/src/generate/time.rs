//! Simulated time: days as day numbers since 1970-01-01, moments as microseconds since the
//! epoch, and a small seeded generator. Plain integer arithmetic keeps the generator fast and
//! its output the same on every machine.

use jiff::civil::Date;
use xunshi_core::Id;

pub(crate) const DAY: i64 = 86_400_000_000;
const HOUR: i64 = 3_600_000_000;

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
pub(crate) fn day_of(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day number.
pub(crate) fn civil(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub(crate) fn date(day: i64) -> Date {
    let (y, m, d) = civil(day);
    jiff::civil::date(y as i16, m as i8, d as i8)
}

pub(crate) fn day_of_date(d: Date) -> i64 {
    day_of(
        i64::from(d.year()),
        i64::from(d.month()),
        i64::from(d.day()),
    )
}

pub(crate) fn stamp(us: i64) -> jiff::Timestamp {
    jiff::Timestamp::from_microsecond(us).expect("simulated times lie within jiff's range")
}

/// The same date a number of calendar months later, clamped to the month's last day
/// (2020-03-31 + 1 month = 2020-04-30), as the clue and report clocks count months.
pub(crate) fn add_months(day: i64, months: i64) -> i64 {
    let (y, m, d) = civil(day);
    let total = y * 12 + (m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let last = day_of(
        ny + i64::from(nm == 12),
        if nm == 12 { 1 } else { nm + 1 },
        1,
    ) - day_of(ny, nm, 1);
    day_of(ny, nm, d.min(last))
}

/// splitmix64: small, fast and good enough to shape a data set; seeded, so the same seed
/// gives the same data.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
        }
    }

    /// A number in `lo..=hi`.
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub(crate) fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// A moment in office hours (09:00–17:30 in Asia/Shanghai, UTC+8) of `day`.
    pub(crate) fn office_hours(&mut self, day: i64) -> i64 {
        day * DAY + HOUR + self.below((8 * HOUR + HOUR / 2) as u64) as i64
    }

    /// A UUIDv7 for the moment `us`: the time from the simulation, the rest from the seed.
    pub(crate) fn id_at(&mut self, us: i64) -> Id {
        let a = self.next().to_le_bytes();
        let b = self.next().to_le_bytes();
        let mut r = [0u8; 10];
        r[..8].copy_from_slice(&a);
        r[8..].copy_from_slice(&b[..2]);
        Id::v7_at((us / 1000) as u64, r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn day_numbers_round_trip() {
        for z in [-1, 0, 1, 17_897, 20_425, 20_818] {
            let (y, m, d) = civil(z);
            assert_eq!(day_of(y, m, d), z);
        }
        assert_eq!(date(day_of(2026, 12, 3)).to_string(), "2026-12-03");
        assert_eq!(
            date(add_months(day_of(2020, 3, 31), 1)).to_string(),
            "2020-04-30"
        );
        assert_eq!(
            date(add_months(day_of(2020, 11, 25), 3)).to_string(),
            "2021-02-25"
        );
    }
}
