//! The demo's own time. The services read the time from their `Clock`; the demo gives them a
//! clock it moves forward event by event, so that every record of the scenario (audit trail,
//! created and updated times, progress dates) carries the day its event happened, not the
//! moment the demo was loaded.
//!
//! Time only moves forward: the audit trail is a chain in the order records were written
//! (`xunshi audit verify` checks that order, not the times), and whoever reads it expects the
//! times to follow the same order.

use std::sync::{Arc, Mutex, PoisonError};

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{SignedDuration, Timestamp};
use xunshi_core::CoreError;
use xunshi_core::service::Clock;

/// When a working day's first step happens, Beijing time.
const DAY_STARTS: Time = Time::constant(9, 0, 0, 0);

/// How much later each reading of the clock is than the one before: no two records of the
/// scenario share a moment, so sorting by time gives the order they were written in.
const STEP: SignedDuration = SignedDuration::from_secs(60);

#[derive(Clone)]
pub struct Timeline {
    now: Arc<Mutex<Timestamp>>,
    zone: TimeZone,
}

impl Timeline {
    /// A timeline standing at the start of `day`.
    pub fn starting(day: Date) -> Result<Self, CoreError> {
        let zone = TimeZone::get("Asia/Shanghai").map_err(CoreError::internal)?;
        let start = moment(&zone, day)?;
        Ok(Timeline {
            now: Arc::new(Mutex::new(start)),
            zone,
        })
    }

    /// The clock to give the services: each reading is one step after the last.
    pub fn clock(&self) -> Clock {
        let now = self.now.clone();
        Arc::new(move || {
            let mut now = now.lock().unwrap_or_else(PoisonError::into_inner);
            let read = *now;
            *now = read.saturating_add(STEP).unwrap_or(read);
            read
        })
    }

    /// The day the timeline stands on, Beijing time.
    pub fn today(&self) -> Date {
        self.current().to_zoned_datetime(self.zone.clone()).date()
    }

    /// Moves to the morning of `day`; later steps of the same day follow one another. Going back
    /// to an earlier day is refused: it would put a record before one written earlier.
    pub fn on(&self, day: Date) -> Result<(), CoreError> {
        let today = self.today();
        if day < today {
            return Err(CoreError::internal(format!(
                "the demo scenario goes back in time, from {today} to {day}"
            )));
        }
        if day > today {
            *self.now.lock().unwrap_or_else(PoisonError::into_inner) = moment(&self.zone, day)?;
        }
        Ok(())
    }

    fn current(&self) -> Timestamp {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

fn moment(zone: &TimeZone, day: Date) -> Result<Timestamp, CoreError> {
    Ok(day
        .to_datetime(DAY_STARTS)
        .to_zoned_datetime(zone.clone())
        .map_err(CoreError::internal)?
        .timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn each_reading_is_later_and_a_new_day_starts_in_the_morning() {
        let t = Timeline::starting(day("2019-08-01")).unwrap();
        let clock = t.clock();
        let (a, b) = (clock(), clock());
        assert!(b > a, "each reading moves on");
        assert_eq!(a.to_string(), "2019-08-01T01:00:00Z", "09:00 in Beijing");
        t.on(day("2019-08-01")).unwrap();
        assert!(clock() > b, "the same day goes on where it was");
        t.on(day("2019-09-18")).unwrap();
        assert_eq!(clock().to_string(), "2019-09-18T01:00:00Z");
    }

    #[test]
    fn going_back_is_refused() {
        let t = Timeline::starting(day("2020-03-25")).unwrap();
        let err = t.on(day("2020-03-24")).unwrap_err().to_string();
        assert!(err.contains("goes back"), "{err}");
    }
}
