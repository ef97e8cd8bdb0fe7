//! The holiday arrangements behind working-day deadlines, and what entering one does to the
//! deadlines already running: those it moves are counted again in the same transaction, each
//! recorded with its before and after, and kept for the unit to take note of (its 工作台).

use jiff::ToSpan;
use jiff::civil::Date;
use serde_json::json;

use super::supervision::speaks_for;
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::calendar::{Calendar, CalendarDay, parse_csv};
use crate::deadline::{Counting, DeadlineChange};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::{Actor, Permission};
use crate::store::calendar::CalendarYear;
use crate::store::{CalendarRead, CalendarWrite, ReadTx, Store, WriteTx};
use crate::supervision::rule_for;

/// How many running clocks are read at once while an entered year is applied to them.
const RECOUNT_PAGE: u32 = 200;

/// What entering a year did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarImport {
    /// The days the arrangement lists.
    pub days: usize,
    /// The running deadlines it moved (or made firm), each recorded and shown to its unit.
    pub recounted: usize,
}

/// Reads the whole calendar inside `tx`.
pub(crate) async fn load_calendar<T: ReadTx>(tx: &mut T) -> Result<Calendar> {
    let years = tx.calendar_years().await?;
    let days = tx.calendar_days().await?;
    Ok(Calendar::new(years.iter().map(|y| y.year), days))
}

impl<S: Store> Services<S> {
    /// The calendar for deadline arithmetic. It is reference data: anyone logged in may read it.
    pub async fn calendar(&self) -> Result<Calendar> {
        let mut tx = self.store.read().await?;
        load_calendar(&mut tx).await
    }

    /// The known years and the listed days, for the page that shows them.
    pub async fn calendar_listing(
        &self,
        actor: &Actor,
    ) -> Result<(Vec<CalendarYear>, Vec<CalendarDay>)> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let mut tx = self.store.read().await?;
        Ok((tx.calendar_years().await?, tx.calendar_days().await?))
    }

    /// Enters (or corrects) the arrangement of one year from CSV text, replacing what was there.
    /// Every row must belong to that year; a bad row is named and nothing is changed.
    pub async fn import_calendar_year(
        &self,
        actor: &Actor,
        year: i16,
        csv: &str,
        source: &str,
    ) -> Result<CalendarImport> {
        actor.require(Permission::ManageReferenceData)?;
        if !(2000..=2100).contains(&year) {
            return Err(CoreError::bad_input("year", "年度应为四位年份"));
        }
        let source = source.trim();
        if source.is_empty() {
            return Err(CoreError::bad_input(
                "source",
                "请注明依据，如“国务院办公厅关于2027年部分节假日安排的通知”",
            ));
        }
        // The text arrives whole (a JSON string, a form's text box); what its rows say is
        // refused as data (422), as no document can describe a CSV inside a string.
        let days = parse_csv(csv).map_err(|e| match e {
            CoreError::BadInput(fields) => CoreError::Unfit(fields),
            other => other,
        })?;
        if days.is_empty() {
            return Err(CoreError::unfit("csv", "没有读到任何日期"));
        }
        if let Some(d) = days.iter().find(|d| d.date.year() != year) {
            return Err(CoreError::unfit(
                "csv",
                format!("{} 不属于 {year} 年", d.date),
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .calendar_days()
            .await?
            .into_iter()
            .filter(|d| d.date.year() == year)
            .count();
        let was = load_calendar(&mut tx).await?;
        tx.replace_calendar_year(year, source, now, &days).await?;
        let is = load_calendar(&mut tx).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::CalendarYearImported,
                "calendar_year",
                None,
                json!({ "year": year, "source": source, "days_before": before, "days_after": days.len() }),
            ),
        )
        .await?;
        let recounted = recount_deadlines(&mut tx, actor, now, year, &was, &is).await?;
        tx.commit().await?;
        Ok(CalendarImport {
            days: days.len(),
            recounted,
        })
    }

    /// A deadline change as its unit sees it; someone who does not speak for the unit is told
    /// there is none.
    pub async fn deadline_change(&self, actor: &Actor, id: Id) -> Result<DeadlineChange> {
        let mut tx = self.store.read().await?;
        tx.get_deadline_change(id)
            .await?
            .filter(|c| may_see_change(actor, c))
            .ok_or_else(|| CoreError::NotFound("期限调整通知".into()))
    }

    /// Whether the actor may take note of the change for its unit (for the page's form).
    pub fn may_acknowledge_deadline_change(&self, actor: &Actor, c: &DeadlineChange) -> bool {
        speaks_for(actor, c.unit_id)
    }

    /// The unit takes note of a deadline that moved (its principal or liaison): the item leaves
    /// its 工作台. Taking note twice is refused, saying when it was done.
    pub async fn acknowledge_deadline_change(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<DeadlineChange> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_deadline_change(id)
            .await?
            .filter(|c| may_see_change(actor, c))
            .ok_or_else(|| CoreError::NotFound("期限调整通知".into()))?;
        if !speaks_for(actor, before.unit_id) {
            return Err(CoreError::Forbidden(
                "只有本单位主要负责人或联络员可以确认知悉期限调整".into(),
            ));
        }
        if let Some(at) = before.acknowledged_at {
            return Err(CoreError::RuleRefused(format!(
                "该期限调整已于 {} 确认知悉",
                super::planning::today(at)
            )));
        }
        tx.acknowledge_deadline_change(id, actor.user_id(), now)
            .await?;
        let after = DeadlineChange {
            acknowledged_at: Some(now),
            acknowledged_by: actor.user_id(),
            ..before
        };
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::DeadlineChangeAcknowledged,
                "deadline_change",
                Some(id),
                json!({ "inspection_id": after.inspection_id, "unit_id": after.unit_id,
                        "summary": after.summary() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// A change is its unit's: the unit's people (principal, liaison) and the office see it.
fn may_see_change(actor: &Actor, c: &DeadlineChange) -> bool {
    speaks_for(actor, c.unit_id) || actor.can(Permission::ManageReferenceData)
}

/// After `year`'s arrangement went from `was` to `is` inside `tx`, counts every running clock
/// whose deadline that moves (a provisional date made firm, or a date moved by a correction)
/// again: keeps the change for its unit and records it, before and after. Returns how many.
///
/// The clocks are found by feedback date, not read whole: a working-day count reaches `year`
/// only from a feedback date at most the longest working-day rule before it, which weekends
/// and holidays stretch to less than twice as many calendar days and a month. Each group of
/// one date and rule has one deadline, counted twice; its clocks are read a page at a time.
async fn recount_deadlines<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    now: jiff::Timestamp,
    year: i16,
    was: &Calendar,
    is: &Calendar,
) -> Result<usize> {
    let rules = tx.deadline_rules().await?;
    let Some(longest) = rules
        .iter()
        .filter(|r| r.rule.counting == Counting::WorkingDays)
        .map(|r| i64::from(r.rule.amount.max(0)))
        .max()
    else {
        return Ok(0);
    };
    let last = jiff::civil::date(year, 12, 31);
    let first: Date = jiff::civil::date(year, 1, 1)
        .checked_sub((2 * longest + 31).days())
        .map_err(CoreError::internal)?;
    let mut recounted = 0;
    for group in tx.running_clock_groups(first, last).await? {
        let (clock, feedback) = (group.clock, group.feedback);
        let Some(rule) = rule_for(&rules, group.owner, group.level, clock) else {
            continue;
        };
        let before = rule.rule.due(feedback, was)?;
        let after = rule.rule.due(feedback, is)?;
        if before == after {
            continue;
        }
        let mut cursor = None;
        loop {
            let page = tx
                .running_clocks_in_group(&group, cursor, RECOUNT_PAGE)
                .await?;
            for &(inspection_id, unit_id) in &page {
                let change = DeadlineChange {
                    id: Id::new(),
                    inspection_id,
                    unit_id,
                    clock,
                    feedback,
                    year,
                    before: before.clone(),
                    after: after.clone(),
                    changed_at: now,
                    acknowledged_at: None,
                    acknowledged_by: None,
                };
                tx.insert_deadline_change(&change).await?;
                record(
                    tx,
                    actor,
                    now,
                    AuditEntry::new(
                        Action::DeadlineRecomputed,
                        "deadline_change",
                        Some(change.id),
                        json!({
                            "inspection_id": inspection_id, "unit_id": unit_id,
                            "clock": clock, "feedback": feedback, "year": year,
                            "before": before, "after": after,
                        }),
                    ),
                )
                .await?;
                recounted += 1;
            }
            if page.len() < RECOUNT_PAGE as usize {
                break;
            }
            cursor = page.last().copied();
        }
    }
    Ok(recounted)
}
