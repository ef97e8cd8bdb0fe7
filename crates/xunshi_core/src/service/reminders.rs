//! Reminders before and at each deadline, written by the periodic upkeep of every serving
//! instance. A reminder is a message whose event names the deadline, the day and whether it is
//! near or reached (`task_due_soon:{task}:{due}`), so that each is written once per recipient
//! however many instances run the job and however often: the second write of an event is
//! dropped by the messages' unique key, inside the database.
//!
//! The work is bounded: the open deadlines in the window are read through their partial
//! indexes a page at a time, each page in a write transaction of its own.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::Date;

use super::deadlines::rectification_warn_days;
use super::messages::{Audience, Note, notify};
use super::planning::{load_inspection, today};
use super::supervision::require_rectifying;
use super::{Services, TodoKind};
use crate::error::Result;
use crate::id::Id;
use crate::inspection::Inspection;
use crate::message::MessageKind;
use crate::permission::Actor;
use crate::store::{MessageRead, MessageWrite, Store, WriteTx};

/// Rows read per transaction.
const PAGE: u32 = 200;

/// How long after a deadline a reminder that it was reached is still written: a server down
/// on the day still tells the unit when it comes back, but a deadline long past is the
/// dashboards' to show, not a message's.
const LATE_DAYS: i64 = 7;

/// Whether a deadline on `due` is near or reached on `today`.
fn kind_on(due: Date, today: Date) -> MessageKind {
    if due <= today {
        MessageKind::Due
    } else {
        MessageKind::DueSoon
    }
}

fn key(what: &str, id: Id, due: Date, kind: MessageKind) -> String {
    format!("{what}_{}:{id}:{due}", kind.as_str())
}

/// The inspection of a row, read once per page.
async fn inspection_of<T: WriteTx>(
    tx: &mut T,
    cache: &mut HashMap<Id, Inspection>,
    id: Id,
) -> Result<Inspection> {
    if let Some(i) = cache.get(&id) {
        return Ok(i.clone());
    }
    let i = load_inspection(tx, id).await?;
    cache.insert(id, i.clone());
    Ok(i)
}

impl<S: Store> Services<S> {
    /// Writes today's reminders unless a run finished them already today (here or on another
    /// instance): the upkeep calls this every minute, and the deadlines' window is read once a
    /// day. Returns how many messages were written, or `None` when the day was done.
    pub async fn daily_reminders(&self) -> Result<Option<usize>> {
        let day = today(self.now());
        {
            let mut tx = self.store.read().await?;
            if tx.reminders_done(day).await? {
                return Ok(None);
            }
        }
        let written = self.send_reminders().await?;
        let mut tx = self.store.write().await?;
        tx.reminders_written(day, self.now()).await?;
        tx.commit().await?;
        Ok(Some(written))
    }

    /// Writes the reminders due today; returns how many messages were written (none when
    /// another run, here or on another instance, wrote them already).
    pub async fn send_reminders(&self) -> Result<usize> {
        let now = self.now();
        let day = today(now);
        let warn = {
            let mut tx = self.store.read().await?;
            rectification_warn_days(&mut tx).await?
        };
        let from = day - LATE_DAYS.days();
        let to = day + i64::from(warn.max(0)).days();
        let system = Actor::system();
        let mut written = 0;

        // Rectification tasks: their unit's principal and liaison.
        let mut after = None;
        loop {
            let mut tx = self.store.write().await?;
            let rows = tx.tasks_due_between(from, to, after, PAGE).await?;
            let mut cache = HashMap::new();
            for t in &rows {
                let insp = inspection_of(&mut tx, &mut cache, t.inspection_id).await?;
                if require_rectifying(&insp).is_err() {
                    continue;
                }
                let kind = kind_on(t.due, day);
                let (title, body) = match kind {
                    MessageKind::Due => (
                        "整改任务已到期",
                        format!("整改任务 {} 的完成时限 {} 已到。", t.seq, t.due),
                    ),
                    _ => (
                        "整改任务即将到期",
                        format!("整改任务 {} 应于 {} 前完成。", t.seq, t.due),
                    ),
                };
                written += notify(
                    &mut tx,
                    &system,
                    Audience::Unit(t.unit_id),
                    &Note::new(
                        key("task", t.id, t.due, kind),
                        kind,
                        title,
                        body,
                        (TodoKind::TaskVerify, t.id, insp.id),
                    ),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            if rows.len() < PAGE as usize {
                break;
            }
            after = rows.last().map(|t| (t.due, t.id));
        }

        // Follow-up notices: whoever answers them, by the to-do's rule.
        let mut after = None;
        loop {
            let mut tx = self.store.write().await?;
            let rows = tx.followups_due_between(from, to, after, PAGE).await?;
            let mut cache = HashMap::new();
            for f in &rows {
                let insp = inspection_of(&mut tx, &mut cache, f.inspection_id).await?;
                let kind = kind_on(f.due, day);
                let (title, body) = match kind {
                    MessageKind::Due => (
                        "督办通知答复已到期",
                        format!("督办通知 {} 的答复期限 {} 已到。", f.number, f.due),
                    ),
                    _ => (
                        "督办通知答复即将到期",
                        format!("督办通知 {} 请于 {} 前答复。", f.number, f.due),
                    ),
                };
                written += notify(
                    &mut tx,
                    &system,
                    Audience::Acts(TodoKind::FollowupAnswer, &insp, Some(f.unit_id)),
                    &Note::new(
                        key("followup", f.id, f.due, kind),
                        kind,
                        title,
                        body,
                        (TodoKind::FollowupAnswer, f.id, insp.id),
                    ),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            if rows.len() < PAGE as usize {
                break;
            }
            after = rows.last().map(|f| (f.due, f.id));
        }

        // Clue handling periods: the body the clues went to, told only how many wait and by
        // when, as its to-do tells it.
        let mut after = None;
        loop {
            let mut tx = self.store.write().await?;
            let rows = tx.transfers_due_between(from, to, after, PAGE).await?;
            let mut cache = HashMap::new();
            for t in rows.iter().filter(|t| t.waiting > 0) {
                let insp = inspection_of(&mut tx, &mut cache, t.inspection_id).await?;
                let kind = kind_on(t.due, day);
                let (title, body) = match kind {
                    MessageKind::Due => (
                        "问题线索办理期限已到",
                        format!(
                            "{}移交的问题线索尚有{}件未办结，办理期限 {} 已到。",
                            insp.team_name, t.waiting, t.due
                        ),
                    ),
                    _ => (
                        "问题线索办理即将到期",
                        format!(
                            "{}移交的问题线索尚有{}件未办结，请于 {} 前办结。",
                            insp.team_name, t.waiting, t.due
                        ),
                    ),
                };
                written += notify(
                    &mut tx,
                    &system,
                    Audience::Recipient(&insp, t.recipient),
                    &Note::new(
                        key("transfer", t.id, t.due, kind),
                        kind,
                        title,
                        body,
                        (TodoKind::ClueDispose, t.id, insp.id),
                    ),
                    now,
                )
                .await?;
            }
            tx.commit().await?;
            if rows.len() < PAGE as usize {
                break;
            }
            after = rows.last().map(|t| (t.due, t.id));
        }
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_or_reached() {
        let d = jiff::civil::date(2026, 5, 10);
        assert_eq!(kind_on(d, d), MessageKind::Due);
        assert_eq!(kind_on(d, d - 1.day()), MessageKind::DueSoon);
        assert_eq!(kind_on(d, d + 3.days()), MessageKind::Due);
        let id = Id::new();
        assert_ne!(
            key("task", id, d, MessageKind::Due),
            key("task", id, d, MessageKind::DueSoon)
        );
    }
}
