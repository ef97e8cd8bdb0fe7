//! The holiday arrangements.

use xunshi_core::Result;
use xunshi_core::calendar::{CalendarDay, DayKind};
use xunshi_core::store::calendar::CalendarYear;
use xunshi_core::store::{CalendarRead, CalendarWrite};

use super::{DbTx, Mode, Writing, ts};
use crate::rows::{date, i, s};

pub(crate) fn day_kind_code(k: DayKind) -> &'static str {
    match k {
        DayKind::Holiday => "holiday",
        DayKind::Workday => "workday",
    }
}

impl<M: Mode> CalendarRead for DbTx<M> {
    async fn calendar_years(&mut self) -> Result<Vec<CalendarYear>> {
        self.fetch_all(sqlx::query(
            "SELECT year, source, added_at FROM calendar_years
              WHERE replaced_at IS NULL ORDER BY year",
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(CalendarYear {
                year: i(r, "year")? as i16,
                source: s(r, "source")?,
                added_at: s(r, "added_at")?,
            })
        })
        .collect()
    }

    async fn calendar_days(&mut self) -> Result<Vec<CalendarDay>> {
        self.fetch_all(sqlx::query(
            "SELECT day, kind, festival FROM calendar_days
              WHERE withdrawn_at IS NULL ORDER BY day",
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(CalendarDay {
                date: date(r, "day")?,
                kind: match s(r, "kind")?.as_str() {
                    "workday" => DayKind::Workday,
                    _ => DayKind::Holiday,
                },
                festival: s(r, "festival")?,
            })
        })
        .collect()
    }
}

impl CalendarWrite for DbTx<Writing> {
    async fn replace_calendar_year(
        &mut self,
        year: i16,
        source: &str,
        at: jiff::Timestamp,
        days: &[CalendarDay],
    ) -> Result<()> {
        // The entry before is kept, marked replaced; the new one is the next revision.
        let at = ts(at);
        let revision = self
            .fetch_optional(
                sqlx::query(
                    "SELECT CAST(COALESCE(MAX(revision), 0) + 1 AS BIGINT) AS n
                       FROM calendar_years WHERE year = $1",
                )
                .bind(year),
            )
            .await?
            .map(|r| i(&r, "n"))
            .transpose()?
            .unwrap_or(1) as i16;
        self.execute(
            sqlx::query(
                "UPDATE calendar_days SET withdrawn_at = $1
                  WHERE year = $2 AND withdrawn_at IS NULL",
            )
            .bind(at.clone())
            .bind(year),
        )
        .await?;
        self.execute(
            sqlx::query(
                "UPDATE calendar_years SET replaced_at = $1
                  WHERE year = $2 AND replaced_at IS NULL",
            )
            .bind(at.clone())
            .bind(year),
        )
        .await?;
        self.execute(
            sqlx::query(
                "INSERT INTO calendar_years (year, revision, source, added_at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(year)
            .bind(revision)
            .bind(source.to_owned())
            .bind(at),
        )
        .await?;
        for d in days {
            self.execute(
                sqlx::query(
                    "INSERT INTO calendar_days (day, year, revision, kind, festival)
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(d.date.to_string())
                .bind(year)
                .bind(revision)
                .bind(day_kind_code(d.kind))
                .bind(d.festival.clone()),
            )
            .await?;
        }
        Ok(())
    }
}
