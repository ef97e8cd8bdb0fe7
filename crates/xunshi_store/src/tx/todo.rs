//! The to-do's waiting rows: one shape per kind, each counted and listed through an index
//! (migration 0019), so the home page of every official costs a few index reads.

use sqlx::AssertSqlSafe;
use xunshi_core::clue::ClueScope;
use xunshi_core::filing::FilingStatus;
use xunshi_core::store::{
    FilingFilter, FrameAsk, FrameCount, TodoRead, Waiting, WaitingRow, WaitingScope,
    WaitingTransfer,
};
use xunshi_core::{Id, Result};

use super::clues::{narrow, recipient_of};
use super::tally::claimed_tally_sql;
use super::{DbTx, Mode, Where};
use crate::rows::{date, i, id, opt_date, opt_id, opt_s, s};

/// How one kind is read: the tables, the state that waits, the order of waiting.
struct Shape {
    /// The tables, the waiting table as `x`, the unit as `u` (joined only for the list).
    from: &'static str,
    join_unit: &'static str,
    /// The state that waits, written as literals so the partial indexes apply.
    state: &'static str,
    /// `object_id, inspection_id, unit_id, unit_name, label, due, since` of the list.
    cols: &'static str,
    /// Longest waiting first; the id breaks ties.
    order: &'static str,
    /// The column holding the unit, for the scope; none for a report, whose inspection's
    /// inspected units are the scope's.
    unit: Option<&'static str>,
    inspection: &'static str,
}

fn shape(kind: Waiting) -> Shape {
    match kind {
        Waiting::PlanSubmitted => Shape {
            from: "rectification_plans x",
            join_unit: "JOIN units u ON u.id = x.unit_id",
            state: "x.status = 'submitted'",
            cols: "x.id AS object_id, x.inspection_id, x.unit_id, x.title AS label, \
                   NULL AS due, COALESCE(x.submitted_at, '') AS since, u.name AS unit_name",
            order: "x.submitted_at, x.id",
            unit: Some("x.unit_id"),
            inspection: "x.inspection_id",
        },
        Waiting::TaskClaimed => Shape {
            from: "rectification_tasks x",
            join_unit: "JOIN units u ON u.id = x.unit_id",
            state: "x.status = 'claimed' AND x.withdrawn_reason IS NULL",
            cols: "x.id AS object_id, x.inspection_id, x.unit_id, \
                   x.seq || ' ' || x.measure AS label, x.due_date AS due, x.updated_at AS since, \
                   u.name AS unit_name",
            // A claimed task is changed last by its claim.
            order: "x.updated_at, x.id",
            unit: Some("x.unit_id"),
            inspection: "x.inspection_id",
        },
        Waiting::ChangePending => Shape {
            from: "task_change_requests x JOIN rectification_tasks t ON t.id = x.task_id",
            join_unit: "JOIN units u ON u.id = t.unit_id",
            state: "x.approved IS NULL",
            cols: "t.id AS object_id, t.inspection_id, t.unit_id, \
                   t.seq || ' ' || t.measure AS label, NULL AS due, x.requested_at AS since, u.name AS unit_name",
            order: "x.id",
            unit: Some("t.unit_id"),
            inspection: "t.inspection_id",
        },
        Waiting::FollowUpOpen => Shape {
            from: "followups x JOIN inspections i ON i.id = x.inspection_id",
            join_unit: "JOIN units u ON u.id = x.unit_id",
            state: "x.answered_on IS NULL AND i.stage IN ('feedback_given', 'rectification')",
            cols: "x.id AS object_id, x.inspection_id, x.unit_id, x.doc_no AS label, \
                   x.answer_due AS due, x.issued_on AS since, u.name AS unit_name",
            order: "x.id",
            unit: Some("x.unit_id"),
            inspection: "x.inspection_id",
        },
        Waiting::NoticeSubmitted => Shape {
            from: "rect_documents x JOIN inspections i ON i.id = x.inspection_id",
            join_unit: "JOIN units u ON u.id = x.unit_id",
            state: "x.status = 'submitted' AND x.kind = 'public_notice' \
                    AND i.stage <> 'archived'",
            cols: "x.id AS object_id, x.inspection_id, x.unit_id, x.title AS label, \
                   NULL AS due, COALESCE(x.submitted_at, '') AS since, u.name AS unit_name",
            order: "x.id",
            unit: Some("x.unit_id"),
            inspection: "x.inspection_id",
        },
        Waiting::NoticeNeedsReview => Shape {
            from: "rect_documents x JOIN inspections i ON i.id = x.inspection_id",
            join_unit: "JOIN units u ON u.id = x.unit_id",
            state: "x.status = 'needs_review' AND x.kind = 'public_notice' \
                    AND i.stage <> 'archived'",
            cols: "x.id AS object_id, x.inspection_id, x.unit_id, x.title AS label, \
                   NULL AS due, x.updated_at AS since, u.name AS unit_name",
            order: "x.id",
            unit: Some("x.unit_id"),
            inspection: "x.inspection_id",
        },
        Waiting::ReportAtTeamMeeting | Waiting::ReportWithOffice => Shape {
            from: "reports x JOIN inspections i ON i.id = x.inspection_id",
            join_unit: "",
            state: if kind == Waiting::ReportAtTeamMeeting {
                "x.status = 'at_team_meeting' AND i.stage = 'reporting'"
            } else {
                "x.status IN ('at_office', 'at_leading_group', 'at_committee') \
                 AND i.stage = 'reporting'"
            },
            cols: "x.id AS object_id, x.inspection_id, NULL AS unit_id, x.title AS label, \
                   NULL AS due, x.updated_at AS since, i.team_name AS unit_name",
            order: "x.updated_at, x.id",
            unit: None,
            inspection: "x.inspection_id",
        },
        Waiting::PaperApproved => Shape {
            from: "problems x JOIN inspections i ON i.id = x.inspection_id",
            join_unit: "JOIN units u ON u.id = x.target_unit_id",
            state: "x.status = 'approved' AND i.stage IN ('on_site', 'reporting')",
            cols: "x.id AS object_id, x.inspection_id, x.target_unit_id AS unit_id, \
                   x.title AS label, NULL AS due, COALESCE(x.approved_at, x.updated_at) AS since, u.name AS unit_name",
            order: "x.approved_at, x.id",
            unit: Some("x.target_unit_id"),
            inspection: "x.inspection_id",
        },
        Waiting::FixNoticeIssued | Waiting::FixNoticeAnswered => Shape {
            from: "fix_notices x",
            join_unit: "JOIN units u ON u.id = x.unit_id",
            state: if kind == Waiting::FixNoticeIssued {
                "x.status = 'issued'"
            } else {
                "x.status = 'answered'"
            },
            cols: if kind == Waiting::FixNoticeIssued {
                "x.id AS object_id, x.inspection_id, x.unit_id, CAST(x.seq AS TEXT) AS label, \
                 x.due_on AS due, x.issued_on AS since, u.name AS unit_name"
            } else {
                "x.id AS object_id, x.inspection_id, x.unit_id, CAST(x.seq AS TEXT) AS label, \
                 NULL AS due, COALESCE(x.answered_at, x.issued_at) AS since, u.name AS unit_name"
            },
            order: "x.id",
            unit: Some("x.unit_id"),
            inspection: "x.inspection_id",
        },
        // Through the partial index deadline_changes_open (migration 0020), by unit.
        Waiting::DeadlineChanged => Shape {
            from: "deadline_changes x",
            join_unit: "JOIN units u ON u.id = x.unit_id",
            state: "x.acknowledged_at IS NULL",
            cols: "x.id AS object_id, x.inspection_id, x.unit_id, x.summary AS label, \
                   x.after_due AS due, x.changed_at AS since, u.name AS unit_name",
            order: "x.id",
            unit: Some("x.unit_id"),
            inspection: "x.inspection_id",
        },
    }
}

/// The `WHERE` of a kind within a scope; `None` when the scope holds no unit.
fn waiting_where(sh: &Shape, scope: &WaitingScope) -> Option<Where> {
    waiting_where_after(sh, scope, 0)
}

/// As [`waiting_where`], for a part of a statement after `before` values bound.
fn waiting_where_after(sh: &Shape, scope: &WaitingScope, before: usize) -> Option<Where> {
    let mut w = Where::after(before);
    w.fixed(sh.state);
    if let Some(inspections) = &scope.inspections {
        if inspections.is_empty() {
            return None;
        }
        let list = w.list(inspections.iter().map(Id::to_string));
        w.fixed(&format!("{} IN ({list})", sh.inspection));
    }
    if let Some(dispatchers) = &scope.dispatchers {
        if dispatchers.is_empty() {
            return None;
        }
        let c = super::rectify::sent_by(&mut w, dispatchers, sh.inspection);
        w.fixed(&c);
    }
    if let Some(only) = &scope.only {
        if only.is_empty() {
            return None;
        }
        let list = w.list(only.iter().map(Id::to_string));
        match sh.unit {
            Some(unit) => w.fixed(&format!("{unit} IN ({list})")),
            None => w.fixed(&format!(
                "EXISTS (SELECT 1 FROM inspection_targets it WHERE it.inspection_id = {} \
                 AND it.withdrawn_at IS NULL AND it.unit_id IN ({list}))",
                sh.inspection
            )),
        }
    }
    if !scope.except.is_empty() {
        let list = w.list(scope.except.iter().map(Id::to_string));
        match sh.unit {
            Some(unit) => w.fixed(&format!("{unit} NOT IN ({list})")),
            None => w.fixed(&format!(
                "NOT EXISTS (SELECT 1 FROM inspection_targets it WHERE it.inspection_id = {} \
                 AND it.withdrawn_at IS NULL AND it.unit_id IN ({list}))",
                sh.inspection
            )),
        }
    }
    Some(w)
}

/// Adds the column `name` to a statement of scalar subqueries: `select` narrowed by `w`, whose
/// values are bound after those already in `all`.
fn add_part(cols: &mut Vec<String>, all: &mut Where, name: &str, select: &str, w: Where) {
    cols.push(format!("({select} {}) AS {name}", w.sql()));
    all.absorb(w);
}

impl<M: Mode> TodoRead for DbTx<M> {
    async fn waiting(
        &mut self,
        kind: Waiting,
        scope: &WaitingScope,
        limit: u32,
    ) -> Result<(i64, Vec<WaitingRow>)> {
        let sh = shape(kind);
        let Some(w) = waiting_where(&sh, scope) else {
            return Ok((0, Vec::new()));
        };
        // Claims wait by the ten thousand in a province, and every page shows their number:
        // it is added up from the tallies, not counted.
        let tallied = match kind {
            Waiting::TaskClaimed => self.claimed_from_tally(scope).await?,
            _ => None,
        };
        let n = match tallied {
            Some(n) => n,
            None => {
                let sql = format!(
                    "SELECT CAST(count(*) AS BIGINT) AS n FROM {} {}",
                    sh.from,
                    w.sql()
                );
                match self
                    .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
                    .await?
                {
                    Some(r) => i(&r, "n")?,
                    None => 0,
                }
            }
        };
        if n == 0 || limit == 0 {
            return Ok((n, Vec::new()));
        }
        let w = waiting_where(&sh, scope).unwrap_or_default();
        let sql = format!(
            "SELECT {} FROM {} {} {} ORDER BY {} LIMIT {limit}",
            sh.cols,
            sh.from,
            sh.join_unit,
            w.sql(),
            sh.order
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(WaitingRow {
                    object_id: id(r, "object_id")?,
                    inspection_id: id(r, "inspection_id")?,
                    unit_id: opt_id(r, "unit_id")?,
                    unit_name: s(r, "unit_name")?,
                    label: s(r, "label")?,
                    due: opt_date(r, "due")?,
                    since: s(r, "since")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((n, rows))
    }

    async fn frame_counts(
        &mut self,
        asked: &[(Waiting, WaitingScope)],
        also: &FrameAsk,
    ) -> Result<FrameCount> {
        let mut out = FrameCount {
            waiting: vec![0; asked.len()],
            ..FrameCount::default()
        };
        // Every part is a scalar subquery of one `SELECT`, its placeholders numbered after
        // those of the parts before it, all bound in `all`.
        let mut all = Where::default();
        let mut cols = Vec::new();
        let mut counted = Vec::new();
        let tallied =
            asked.iter().any(|(k, _)| *k == Waiting::TaskClaimed) && self.tallies_built().await?;
        for (k, (kind, scope)) in asked.iter().enumerate() {
            let sh = shape(*kind);
            let Some(w) = waiting_where_after(&sh, scope, all.bound()) else {
                continue;
            };
            counted.push(k);
            // Claims are added up from the tallies once they are built (see `waiting`); the
            // count's clauses then only told that the scope is not empty.
            if *kind == Waiting::TaskClaimed && tallied {
                let (expr, w) = claimed_tally_sql(scope, all.bound());
                cols.push(format!("{expr} AS n{k}"));
                all.absorb(w);
                continue;
            }
            let count = format!("SELECT CAST(count(*) AS BIGINT) FROM {}", sh.from);
            add_part(&mut cols, &mut all, &format!("n{k}"), &count, w);
        }
        if let Some(unit) = also.unit_of {
            let mut w = Where::after(all.bound());
            w.eq("id", unit.to_string());
            add_part(
                &mut cols,
                &mut all,
                "unit_name",
                "SELECT name FROM units",
                w,
            );
        }
        if let Some(user) = also.unread_of {
            let mut w = Where::after(all.bound());
            w.eq("user_id", user.to_string());
            w.fixed("read_at IS NULL");
            let count = "SELECT CAST(count(*) AS BIGINT) FROM messages";
            add_part(&mut cols, &mut all, "unread", count, w);
        }
        if let Some(me) = also.disposals_not_by {
            let mut w = Where::after(all.bound());
            w.fixed("status = 'proposed'");
            let n = w.next();
            w.raw(format!("proposed_by <> ${n}"), me.to_string());
            let count = "SELECT CAST(count(*) AS BIGINT) FROM disposals";
            add_part(&mut cols, &mut all, "disposals", count, w);
        }
        if let Some(year) = also.calendar_year {
            let mut w = Where::after(all.bound());
            w.fixed("replaced_at IS NULL");
            let n = w.next();
            w.raw_integer(format!("year = ${n}"), i64::from(year));
            let count = "SELECT CAST(count(*) AS BIGINT) FROM calendar_years";
            add_part(&mut cols, &mut all, "calendar", count, w);
        }
        let mut filings_counted = false;
        if let Some(a) = &also.filings_for {
            let f = FilingFilter {
                status: Some(FilingStatus::Filed),
                answered_by: Some(a.clone()),
                ..Default::default()
            };
            if let Some(w) = super::filings::filing_where(&f, Where::after(all.bound())) {
                let count = "SELECT CAST(count(*) AS BIGINT) FROM filings";
                add_part(&mut cols, &mut all, "filings", count, w);
                filings_counted = true;
            }
        }
        if cols.is_empty() {
            return Ok(out);
        }
        let sql = format!("SELECT {}", cols.join(", "));
        let Some(r) = self
            .fetch_optional(all.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
        else {
            return Ok(out);
        };
        for k in counted {
            out.waiting[k] = i(&r, &format!("n{k}"))?;
        }
        if also.unit_of.is_some() {
            out.unit_name = opt_s(&r, "unit_name")?;
        }
        if also.unread_of.is_some() {
            out.unread = i(&r, "unread")?;
        }
        if filings_counted {
            out.filings = i(&r, "filings")?;
        }
        if also.disposals_not_by.is_some() {
            out.disposals = i(&r, "disposals")?;
        }
        if also.calendar_year.is_some() {
            out.calendar_entered = i(&r, "calendar")? > 0;
        }
        Ok(out)
    }

    async fn waiting_clues(
        &mut self,
        scope: &ClueScope,
        limit: u32,
    ) -> Result<(i64, Vec<WaitingTransfer>)> {
        // Only the recipients' part of the scope: a team or an overseer reads clues, it does
        // not dispose of them.
        let scope = match scope {
            ClueScope::All => return Ok((0, Vec::new())),
            ClueScope::Some {
                discipline,
                organization,
                departments,
                own_units,
                ..
            } => ClueScope::Some {
                team_inspections: Vec::new(),
                dispatchers: Vec::new(),
                discipline: *discipline,
                organization: *organization,
                departments: departments.clone(),
                own_units: own_units.clone(),
            },
        };
        const FROM: &str = "FROM clues x JOIN clue_transfers t ON t.id = x.transfer_id";
        let mut w = Where::default();
        w.fixed("x.status = 'transferred'");
        if !narrow(&mut w, &scope, "t.inspection_id") {
            return Ok((0, Vec::new()));
        }
        let sql = format!("SELECT CAST(count(*) AS BIGINT) AS n {FROM} {}", w.sql());
        let n = match self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
        {
            Some(r) => i(&r, "n")?,
            None => 0,
        };
        if n == 0 || limit == 0 {
            return Ok((n, Vec::new()));
        }
        let mut w = Where::default();
        w.fixed("x.status = 'transferred'");
        narrow(&mut w, &scope, "t.inspection_id");
        let sql = format!(
            "SELECT t.id AS transfer_id, t.inspection_id, t.recipient_kind, t.recipient_unit_id, \
                    ru.name AS recipient_unit_name, t.transferred_on, t.due_on, \
                    CAST(count(*) AS BIGINT) AS n \
             {FROM} LEFT JOIN units ru ON ru.id = t.recipient_unit_id {} \
             GROUP BY t.id, t.inspection_id, t.recipient_kind, t.recipient_unit_id, ru.name, \
                      t.transferred_on, t.due_on \
             ORDER BY t.due_on, t.id LIMIT {limit}",
            w.sql()
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                let (recipient, recipient_name) = recipient_of(r)?;
                Ok(WaitingTransfer {
                    transfer_id: id(r, "transfer_id")?,
                    inspection_id: id(r, "inspection_id")?,
                    recipient,
                    recipient_name,
                    transferred_on: date(r, "transferred_on")?,
                    due_on: date(r, "due_on")?,
                    clues: i(r, "n")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((n, rows))
    }
}
