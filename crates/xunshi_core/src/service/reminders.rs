//! Reminders before and at each deadline, written by the periodic upkeep of every serving
//! instance. A reminder is a message whose event names the deadline, the day and whether it is
//! near or reached (`task_due_soon:{task}:{due}`), so that each is written once per recipient
//! however many instances run the job and however often: the second write of an event is
//! dropped by the messages' unique key, inside the database.
//!
//! The work is bounded: the open deadlines in the window are read through their partial
//! indexes a page at a time, each page in a write transaction of its own. Each kind of
//! deadline is a [`Source`] of rows and what a row tells whom ([`Deadline::told`]); one loop
//! ([`Services::remind`]) reads and writes them all.
//!
//! The plan and report clocks have no stored date: a running clock's deadline follows from its
//! feedback date and its dispatcher's level by the rules and the calendar in force. So their
//! groups of one feedback date and level that can reach the window are counted through the
//! clocks' index (a few hundred at most), each group's deadline is computed once, and the
//! clocks of each group in the window are read a page at a time.

use std::collections::HashMap;

use jiff::ToSpan;
use jiff::civil::Date;

use super::calendar::load_calendar;
use super::deadlines::rectification_warn_days;
use super::messages::{Audience, Note, notify};
use super::planning::{load_inspection, today};
use super::supervision::require_rectifying;
use super::{Services, TodoKind};
use crate::calendar::Reckoned;
use crate::deadline::{Clock, Counting, DeadlineRule};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::message::MessageKind;
use crate::permission::Actor;
use crate::store::{
    ClockGroup, DueFollowUp, DueTask, DueTransfer, MessageRead, MessageWrite, ReadTx, Store,
    WriteTx,
};
use crate::supervision::rule_for;

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

fn key(what: &str, object: &str, due: Date, kind: MessageKind) -> String {
    format!("{what}_{}:{object}:{due}", kind.as_str())
}

/// A running plan or report clock of one unit, with its deadline.
#[derive(Debug, Clone)]
struct DueClock {
    inspection_id: Id,
    unit_id: Id,
    clock: Clock,
    due: Date,
    /// The date counted past the entered years (暂定).
    provisional: bool,
}

/// One deadline in the window, as its source's row gives it.
#[derive(Debug, Clone)]
enum Deadline {
    /// An open rectification task.
    Task(DueTask),
    /// A follow-up notice not answered.
    FollowUp(DueFollowUp),
    /// A clue transfer, with how many of its clues wait.
    Transfer(DueTransfer),
    /// A unit's plan, or its two reports, not yet with the office.
    Clock(DueClock),
}

/// What one deadline tells, and whom.
struct Told<'a> {
    /// The event key's first word.
    what: &'static str,
    title: &'static str,
    body: String,
    audience: Audience<'a>,
    /// The to-do item it is about.
    about: TodoKind,
}

impl Deadline {
    /// The inspection, what the deadline is of (the task, the notice, the transfer; the unit,
    /// for a clock) and its day.
    fn key(&self) -> (Id, Id, Date) {
        match self {
            Deadline::Task(t) => (t.inspection_id, t.id, t.due),
            Deadline::FollowUp(f) => (f.inspection_id, f.id, f.due),
            Deadline::Transfer(t) => (t.inspection_id, t.id, t.due),
            Deadline::Clock(c) => (c.inspection_id, c.unit_id, c.due),
        }
    }

    /// What the deadline tells on the day (`reached` when it is today or past), to whom; none
    /// when nothing is to be told (a task of an inspection no longer under rectification).
    fn told<'a>(&self, insp: &'a Inspection, reached: bool) -> Option<Told<'a>> {
        let (_, _, due) = self.key();
        let pick = |at: &'static str, soon: &'static str| if reached { at } else { soon };
        let team = &insp.team_name;
        Some(match self {
            Deadline::Task(t) => {
                require_rectifying(insp).ok()?;
                let seq = &t.seq;
                Told {
                    what: "task",
                    title: pick("整改任务已到期", "整改任务即将到期"),
                    body: if reached {
                        format!("整改任务 {seq} 的完成时限 {due} 已到。")
                    } else {
                        format!("整改任务 {seq} 应于 {due} 前完成。")
                    },
                    audience: Audience::Unit(t.unit_id),
                    about: TodoKind::TaskVerify,
                }
            }
            Deadline::FollowUp(f) => {
                let number = &f.number;
                Told {
                    what: "followup",
                    title: pick("督办通知答复已到期", "督办通知答复即将到期"),
                    body: if reached {
                        format!("督办通知 {number} 的答复期限 {due} 已到。")
                    } else {
                        format!("督办通知 {number} 请于 {due} 前答复。")
                    },
                    audience: Audience::Acts(TodoKind::FollowupAnswer, insp, Some(f.unit_id)),
                    about: TodoKind::FollowupAnswer,
                }
            }
            Deadline::Transfer(t) => {
                let waiting = t.waiting;
                Told {
                    what: "transfer",
                    title: pick("问题线索办理期限已到", "问题线索办理即将到期"),
                    body: if reached {
                        format!("{team}移交的问题线索尚有{waiting}件未办结，办理期限 {due} 已到。")
                    } else {
                        format!("{team}移交的问题线索尚有{waiting}件未办结，请于 {due} 前办结。")
                    },
                    audience: Audience::Recipient(insp, t.recipient),
                    about: TodoKind::ClueDispose,
                }
            }
            Deadline::Clock(c) => {
                let (what, title, doc) = match c.clock {
                    Clock::PlanDue => (
                        "plan",
                        pick("整改方案报送期限已到", "整改方案报送即将到期"),
                        "整改方案",
                    ),
                    _ => (
                        "report",
                        pick("整改情况报告报送期限已到", "整改情况报告报送即将到期"),
                        "整改情况报告和主要负责人组织落实整改情况报告",
                    ),
                };
                let date = if c.provisional {
                    format!("{due}（暂定）")
                } else {
                    due.to_string()
                };
                Told {
                    what,
                    title,
                    body: if reached {
                        format!("{team}反馈意见的{doc}报送期限 {date} 已到，请尽快报送。")
                    } else {
                        format!("{team}反馈意见的{doc}请于 {date} 前报送。")
                    },
                    audience: Audience::Submits(c.clock, insp, c.unit_id),
                    about: TodoKind::submits(c.clock),
                }
            }
        })
    }

    /// Nothing to tell whatever the inspection (a transfer with no clue waiting): read past
    /// without loading it.
    fn idle(&self) -> bool {
        matches!(self, Deadline::Transfer(t) if t.waiting <= 0)
    }

    /// The message of the event, on the day of `kind`.
    fn note(&self, told: &Told<'_>, kind: MessageKind) -> Note {
        let (inspection_id, id, due) = self.key();
        let object = match self {
            // A clock is the unit's, of the inspection.
            Deadline::Clock(_) => format!("{inspection_id}:{id}"),
            _ => id.to_string(),
        };
        Note {
            event_key: key(told.what, &object, due, kind),
            kind,
            title: told.title.to_owned(),
            body: told.body.clone(),
            about: Some(told.about),
            object_id: Some(id),
            inspection_id: Some(inspection_id),
        }
    }
}

/// Where one kind of deadline in the window is read from, a page at a time.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// Open dated tasks (`rectification_tasks_open_due`).
    Tasks,
    /// Unanswered follow-up notices (`followups_open_due`).
    FollowUps,
    /// Clue transfers (`clue_transfers_due`).
    Transfers,
    /// The running clocks of one group (feedback date, level, committee of its own rule),
    /// whose deadline is `due` (`running_clocks_due`).
    Clocks {
        group: ClockGroup,
        due: Date,
        provisional: bool,
    },
}

impl Source {
    /// The page after `after` of the deadlines in `from..=to`.
    async fn page<T: ReadTx>(
        self,
        tx: &mut T,
        (from, to): (Date, Date),
        after: Option<&Deadline>,
    ) -> Result<Vec<Deadline>> {
        let after = after.map(Deadline::key);
        let by_due = after.map(|(_, id, due)| (due, id));
        fn all<R>(rows: Vec<R>, of: fn(R) -> Deadline) -> Vec<Deadline> {
            rows.into_iter().map(of).collect()
        }
        Ok(match self {
            Source::Tasks => all(
                tx.tasks_due_between(from, to, by_due, PAGE).await?,
                Deadline::Task,
            ),
            Source::FollowUps => all(
                tx.followups_due_between(from, to, by_due, PAGE).await?,
                Deadline::FollowUp,
            ),
            Source::Transfers => all(
                tx.transfers_due_between(from, to, by_due, PAGE).await?,
                Deadline::Transfer,
            ),
            Source::Clocks {
                group,
                due,
                provisional,
            } => {
                let pair = after.map(|(inspection_id, unit_id, _)| (inspection_id, unit_id));
                tx.running_clocks_in_group(&group, pair, PAGE)
                    .await?
                    .into_iter()
                    .map(|(inspection_id, unit_id)| {
                        Deadline::Clock(DueClock {
                            inspection_id,
                            unit_id,
                            clock: group.clock,
                            due,
                            provisional,
                        })
                    })
                    .collect()
            }
        })
    }
}

/// How many calendar days at most a rule's clock runs from the feedback date: calendar months
/// of 31 days; working days stretched by weekends and holidays to less than twice as many and
/// a month (as the recount of an entered year reckons them).
fn reach(rule: &DeadlineRule) -> i64 {
    let n = i64::from(rule.amount.max(0));
    match rule.counting {
        Counting::Months => 31 * n + 1,
        Counting::WorkingDays => 2 * n + 31,
    }
}

/// The groups of running clocks (one clock, feedback date and rule) whose deadline falls in
/// `from..=to`. A deadline is never before its feedback date nor further from it than the
/// longest rule reaches, so only the feedback dates from that far before `from` up to `to`
/// are counted, through the clocks' index; a deadline that cannot be computed is not told.
async fn clock_sources<T: ReadTx>(tx: &mut T, from: Date, to: Date) -> Result<Vec<Source>> {
    let rules = tx.deadline_rules().await?;
    let Some(longest) = rules.iter().map(|r| reach(&r.rule)).max() else {
        return Ok(Vec::new());
    };
    let calendar = load_calendar(tx).await?;
    let first = from
        .checked_sub(longest.days())
        .map_err(CoreError::internal)?;
    let mut out = Vec::new();
    for group in tx.running_clock_groups(first, to).await? {
        let Some(rule) = rule_for(&rules, group.owner, group.level, group.clock) else {
            continue;
        };
        let Ok(Reckoned { date, provisional }) = rule.rule.due(group.feedback, &calendar) else {
            continue;
        };
        if (from..=to).contains(&date) {
            out.push(Source::Clocks {
                group,
                due: date,
                provisional: provisional.is_some(),
            });
        }
    }
    Ok(out)
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
    ///
    /// Told are: open tasks, to their unit's principal and liaison; follow-up notices, to
    /// whoever answers them by the to-do's rule; clue transfers with clues waiting, to the
    /// body they went to (how many and by when, as its to-do tells it); and the plan and
    /// report clocks still running, to whoever submits the plan or the reports for the unit.
    pub async fn send_reminders(&self) -> Result<usize> {
        let day = today(self.now());
        let (window, clocks) = {
            let mut tx = self.store.read().await?;
            let warn = rectification_warn_days(&mut tx).await?;
            let from = day - LATE_DAYS.days();
            let to = day + i64::from(warn.max(0)).days();
            ((from, to), clock_sources(&mut tx, from, to).await?)
        };
        let mut written = 0;
        for source in [Source::Tasks, Source::FollowUps, Source::Transfers]
            .into_iter()
            .chain(clocks)
        {
            written += self.remind(source, window, day).await?;
        }
        Ok(written)
    }

    /// Writes the reminders of one source's deadlines in `window`, a page per transaction.
    async fn remind(&self, source: Source, window: (Date, Date), day: Date) -> Result<usize> {
        let now = self.now();
        let system = Actor::system();
        let mut written = 0;
        let mut after: Option<Deadline> = None;
        loop {
            let mut tx = self.store.write().await?;
            let rows = source.page(&mut tx, window, after.as_ref()).await?;
            let mut cache = HashMap::new();
            for d in rows.iter().filter(|d| !d.idle()) {
                let (inspection_id, _, due) = d.key();
                let insp = inspection_of(&mut tx, &mut cache, inspection_id).await?;
                let kind = kind_on(due, day);
                let Some(told) = d.told(&insp, kind == MessageKind::Due) else {
                    continue;
                };
                let note = d.note(&told, kind);
                written += notify(&mut tx, &system, told.audience, &note, now).await?;
            }
            tx.commit().await?;
            if rows.len() < PAGE as usize {
                break;
            }
            after = rows.last().cloned();
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
        let id = Id::new().to_string();
        assert_ne!(
            key("task", &id, d, MessageKind::Due),
            key("task", &id, d, MessageKind::DueSoon)
        );
        assert_eq!(
            key("plan", "i:u", d, MessageKind::DueSoon),
            "plan_due_soon:i:u:2026-05-10"
        );
    }
}
