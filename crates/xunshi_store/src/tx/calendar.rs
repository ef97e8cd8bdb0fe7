//! The holiday arrangements.

use jiff::civil::Date;
use xunshi_core::calendar::{CalendarDay, DayKind, Reckoned};
use xunshi_core::deadline::{Clock, DeadlineChange};
use xunshi_core::org::UnitLevel;
use xunshi_core::store::calendar::CalendarYear;
use xunshi_core::store::{CalendarRead, CalendarWrite, ClockGroup};
use xunshi_core::{Id, Result};

use super::{DbTx, Mode, Writing, ts};
use crate::rows::{self, date, i, id, opt_id, opt_s, s};

const CHANGE_COLS: &str = "id, inspection_id, unit_id, clock, feedback_on, year, before_due, \
    before_note, after_due, after_note, changed_at, acknowledged_at, acknowledged_by";

fn change(r: &sqlx::any::AnyRow) -> Result<DeadlineChange> {
    Ok(DeadlineChange {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        unit_id: id(r, "unit_id")?,
        clock: Clock::parse(&s(r, "clock")?)?,
        feedback: date(r, "feedback_on")?,
        year: i(r, "year")? as i16,
        before: Reckoned {
            date: date(r, "before_due")?,
            provisional: opt_s(r, "before_note")?,
        },
        after: Reckoned {
            date: date(r, "after_due")?,
            provisional: opt_s(r, "after_note")?,
        },
        changed_at: rows::ts(r, "changed_at")?,
        acknowledged_at: rows::opt_ts(r, "acknowledged_at")?,
        acknowledged_by: opt_id(r, "acknowledged_by")?,
    })
}

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

    async fn running_clock_groups(&mut self, from: Date, to: Date) -> Result<Vec<ClockGroup>> {
        // One range of the index (clock, feedback_on, dispatcher_level, rule_owner) per clock.
        let mut out = Vec::new();
        for clock in [Clock::PlanDue, Clock::ReportDue] {
            let rows = self
                .fetch_all(
                    sqlx::query(
                        "SELECT feedback_on, dispatcher_level AS level, rule_owner,
                                CAST(COUNT(*) AS BIGINT) AS n
                           FROM running_clocks
                          WHERE clock = $1 AND feedback_on >= $2 AND feedback_on <= $3
                          GROUP BY feedback_on, dispatcher_level, rule_owner
                          ORDER BY feedback_on, dispatcher_level, rule_owner",
                    )
                    .bind(clock.as_str())
                    .bind(from.to_string())
                    .bind(to.to_string()),
                )
                .await?;
            for r in &rows {
                out.push(ClockGroup {
                    clock,
                    feedback: date(r, "feedback_on")?,
                    level: UnitLevel::parse(&s(r, "level")?)?,
                    owner: super::supervise::owner(r)?,
                    count: i(r, "n")?,
                });
            }
        }
        Ok(out)
    }

    async fn running_clocks_in_group(
        &mut self,
        group: &ClockGroup,
        after: Option<(Id, Id)>,
        limit: u32,
    ) -> Result<Vec<(Id, Id)>> {
        let (ai, au) = after
            .map(|(i, u)| (i.to_string(), u.to_string()))
            .unwrap_or_default();
        let sql = format!(
            "SELECT inspection_id, unit_id FROM running_clocks
              WHERE clock = $1 AND feedback_on = $2 AND dispatcher_level = $3
                AND rule_owner = $4
                AND (inspection_id > $5 OR (inspection_id = $5 AND unit_id > $6))
              ORDER BY inspection_id, unit_id LIMIT {limit}"
        );
        self.fetch_all(
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(group.clock.as_str())
                .bind(group.feedback.to_string())
                .bind(group.level.as_str())
                .bind(group.owner.map(|o| o.to_string()).unwrap_or_default())
                .bind(ai)
                .bind(au),
        )
        .await?
        .iter()
        .map(|r| Ok((id(r, "inspection_id")?, id(r, "unit_id")?)))
        .collect()
    }

    async fn get_deadline_change(&mut self, change_id: Id) -> Result<Option<DeadlineChange>> {
        let sql = format!("SELECT {CHANGE_COLS} FROM deadline_changes WHERE id = $1");
        self.fetch_optional(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(change_id.to_string()))
            .await?
            .map(|r| change(&r))
            .transpose()
    }
}

impl CalendarWrite for DbTx<Writing> {
    async fn insert_deadline_change(&mut self, c: &DeadlineChange) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO deadline_changes (id, inspection_id, unit_id, clock, feedback_on,
                        year, before_due, before_note, after_due, after_note, summary,
                        changed_at, acknowledged_at, acknowledged_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, NULL)",
            )
            .bind(c.id.to_string())
            .bind(c.inspection_id.to_string())
            .bind(c.unit_id.to_string())
            .bind(c.clock.as_str())
            .bind(c.feedback.to_string())
            .bind(c.year)
            .bind(c.before.date.to_string())
            .bind(c.before.provisional.clone())
            .bind(c.after.date.to_string())
            .bind(c.after.provisional.clone())
            .bind(c.summary())
            .bind(ts(c.changed_at)),
        )
        .await?;
        Ok(())
    }

    async fn acknowledge_deadline_change(
        &mut self,
        change_id: Id,
        by: Option<Id>,
        at: jiff::Timestamp,
    ) -> Result<()> {
        self.execute(
            sqlx::query(
                "UPDATE deadline_changes SET acknowledged_at = $1, acknowledged_by = $2
                  WHERE id = $3 AND acknowledged_at IS NULL",
            )
            .bind(ts(at))
            .bind(by.map(|u| u.to_string()))
            .bind(change_id.to_string()),
        )
        .await?;
        Ok(())
    }

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
