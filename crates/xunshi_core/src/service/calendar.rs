//! The holiday arrangements behind working-day deadlines.

use serde_json::json;

use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::calendar::{Calendar, CalendarDay, parse_csv};
use crate::error::{CoreError, Result};
use crate::permission::{Actor, Permission};
use crate::store::calendar::CalendarYear;
use crate::store::{CalendarRead, CalendarWrite, ReadTx, Store, WriteTx};

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
    ) -> Result<usize> {
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
        tx.replace_calendar_year(year, source, now, &days).await?;
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
        tx.commit().await?;
        Ok(days.len())
    }
}
