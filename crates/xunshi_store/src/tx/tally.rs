//! The tallies of the ledger's tasks (migration 0011): how many live tasks have each
//! combination of inspection, unit, heading, status, deadline colour and rejection, at four
//! grains (the fourth, by sending committee, migration 0044), and the figures each unit and
//! each committee is ranked by (migrations 0018, 0043). The store keeps them in step with every task it writes, inside the same
//! transaction, so the dashboards and the lists' totals add up a few rows instead of counting
//! a million. The colours are as of the day in `task_tally_state`; a new day shifts only the
//! tasks whose colour changed, a new warning period counts everything again.
//!
//! The colour rule is the core's (`rectify::task_colour`); [`colour_case`] is the same rule in
//! SQL, for counting many rows at once, and the contract tests hold the two together.

use jiff::civil::Date;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::deadline::Colour;
use xunshi_core::rectify::{Due, Task, TaskStatus, task_colour};
use xunshi_core::store::{
    ColourAt, RectifyScope, SlotCount, TallyFilter, TaskCount, TaskFilter, UnitCount, WaitingScope,
};
use xunshi_core::{CoreError, Id, Result};

use super::rectify::{SentBy, scope_clause_by};
use super::{DbTx, Mode, Where, Writing};
use crate::rows::{i, id, opt_s, s};

/// What one task counts under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TallyKey {
    inspection_id: String,
    unit_id: String,
    category_id: String,
    status: String,
    colour: &'static str,
    rejected: i16,
}

/// The columns of a task that decide its colour and whether it counts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TallyFacts {
    pub(crate) status: TaskStatus,
    pub(crate) due: Due,
    pub(crate) closed_on: Option<Date>,
    pub(crate) withdrawn: bool,
}

/// A task as the tallies see it, read once (see [`DbTx::tallied`]): the columns an update of
/// the task leaves alone, the ones it may change (`now`), and the tally state's day and
/// warning period.
pub(crate) struct Tallied {
    as_of: Date,
    warn: i32,
    inspection_id: String,
    unit_id: String,
    category_id: String,
    rejections: i64,
    pub(crate) now: TallyFacts,
}

impl Tallied {
    /// The key the task counts under with these facts; `None` once withdrawn.
    pub(crate) fn key(&self, f: &TallyFacts) -> Option<TallyKey> {
        if f.withdrawn {
            return None;
        }
        let colour = task_colour(f.due, f.status, f.closed_on, self.as_of, self.warn);
        Some(TallyKey {
            inspection_id: self.inspection_id.clone(),
            unit_id: self.unit_id.clone(),
            category_id: self.category_id.clone(),
            status: f.status.as_str().to_owned(),
            colour: colour.as_str(),
            rejected: i16::from(self.rejections > 0),
        })
    }
}

/// The last day of the warning period that starts `today`: a task due on or before it (and not
/// before today) is yellow.
fn warn_end(today: Date, warn_days: i32) -> Result<Date> {
    today
        .checked_add(jiff::Span::new().days(i64::from(warn_days)))
        .map_err(CoreError::internal)
}

/// The colour rule in SQL over the columns of `rectification_tasks` (prefixed by `p`), with two
/// new placeholders for today and the end of the warning period. Dates are `YYYY-MM-DD` text,
/// which compares as dates on both backends. A closed task is closed-late when its closing
/// day is after its deadline (a closing day not known counts as in time, as in the core).
pub(crate) fn colour_case(w: &mut Where, p: &str, today: Date, warn_days: i32) -> Result<String> {
    let n = w.next();
    let _ = w.list([today.to_string(), warn_end(today, warn_days)?.to_string()].into_iter());
    Ok(format!(
        "(CASE WHEN {p}due_date IS NULL THEN 'green' \
              WHEN {p}status = 'closed' THEN \
                   (CASE WHEN {p}closed_on > {p}due_date THEN 'closed_late' ELSE 'green' END) \
              WHEN {p}due_date < ${n} THEN 'red' \
              WHEN {p}due_date <= ${} THEN 'yellow' ELSE 'green' END)",
        n + 1
    ))
}

/// Narrows a task list to one colour, by the same rule, written so that an index can serve
/// it: red and yellow are the deadlines before today and within the warning period among the
/// open tasks (the partial indexes of migrations 0011 and 0013 hold exactly those),
/// closed-late the closed tasks whose closing day is after their deadline (the partial index
/// of migration 0014 holds exactly those), green the rest. `colour_case` is the same rule as
/// one expression; the contract case on the tallies holds the two together.
pub(crate) fn colour_clause(w: &mut Where, p: &str, c: &ColourAt) -> Result<()> {
    let today = c.today.to_string();
    let end = warn_end(c.today, c.warn_days)?.to_string();
    let open = format!("{p}status <> 'closed' AND {p}due_date IS NOT NULL");
    match c.colour {
        // Red is the whole past among the open tasks, often a large share of them: a page of
        // them is found faster by walking the open tasks in the page's order and testing each
        // (the partial index holds the deadline beside the id) than by gathering every overdue
        // task and sorting, so the range is kept from the planner (COALESCE) on purpose.
        Colour::Red => {
            let n = w.next();
            w.raw(
                format!("({open} AND COALESCE({p}due_date, '') < ${n})"),
                today,
            );
        }
        Colour::Yellow => {
            let n = w.next();
            let _ = w.list([today, end].into_iter());
            w.fixed(&format!(
                "({open} AND {p}due_date >= ${n} AND {p}due_date <= ${})",
                n + 1
            ));
        }
        Colour::ClosedLate => {
            w.fixed(&format!(
                "({p}status = 'closed' AND {p}due_date IS NOT NULL AND {p}closed_on > {p}due_date)"
            ));
        }
        Colour::Green => {
            let n = w.next();
            w.raw(
                format!(
                    "({p}due_date IS NULL \
                      OR ({p}status = 'closed' AND ({p}closed_on IS NULL OR {p}closed_on <= {p}due_date)) \
                      OR ({p}status <> 'closed' AND {p}due_date > ${n}))"
                ),
                end,
            );
        }
    }
    Ok(())
}

fn due_of_row(r: &AnyRow) -> Result<Due> {
    let date = opt_s(r, "due_date")?
        .map(|d| d.parse::<Date>().map_err(CoreError::internal))
        .transpose()?;
    Ok(match (s(r, "due_kind")?.as_str(), date) {
        ("long_term", _) | (_, None) => Due::LongTerm,
        ("immediate", Some(date)) => Due::Immediate { date },
        (_, Some(date)) => Due::By { date },
    })
}

fn colour_parse(c: &str) -> Result<Colour> {
    Colour::parse(c)
}

/// Which table answers a filter: the finest grain only when the coarser ones cannot.
enum Grain {
    /// `task_tally`: by inspection and unit.
    Fine,
    /// `task_tally_unit`: by unit.
    Unit,
    /// `task_tally_committee`: by sending committee and heading.
    Committee,
    /// `task_tally_all`: by heading.
    All,
}

/// Whether a scope names committees alone (a committee office's), which the committees'
/// tally answers.
fn committees_only(scope: &RectifyScope) -> bool {
    scope.units.is_empty() && scope.inspections.is_empty()
}

fn grain(f: &TallyFilter, needs_category: bool, needs_unit: bool) -> Grain {
    let by_unit = needs_unit || f.unit_id.is_some();
    let by_committee = f.dispatcher_id.is_some() || f.scope.is_some();
    let wider_scope = f.scope.as_ref().is_some_and(|s| !committees_only(s));
    if f.inspection_id.is_some() || wider_scope || (by_unit && (needs_category || by_committee)) {
        Grain::Fine
    } else if by_unit {
        Grain::Unit
    } else if by_committee {
        Grain::Committee
    } else {
        Grain::All
    }
}

impl Grain {
    fn table(&self) -> &'static str {
        match self {
            Grain::Fine => "task_tally",
            Grain::Unit => "task_tally_unit",
            Grain::Committee => "task_tally_committee",
            Grain::All => "task_tally_all",
        }
    }
}

/// The units of a to-do's scope, on a tally's `unit_id`.
fn units_in(w: &mut Where, scope: &WaitingScope) {
    if let Some(only) = &scope.only {
        let list = w.list(only.iter().map(Id::to_string));
        w.fixed(&format!("unit_id IN ({list})"));
    }
    if !scope.except.is_empty() {
        let list = w.list(scope.except.iter().map(Id::to_string));
        w.fixed(&format!("unit_id NOT IN ({list})"));
    }
}

/// The tallies' count of the live tasks claimed done within `scope`, as a scalar expression
/// (of type `BIGINT`) whose placeholders are numbered after `before` values bound ahead of it;
/// its values are the `Where`'s. Valid once the tallies are built.
pub(crate) fn claimed_tally_sql(scope: &WaitingScope, before: usize) -> (String, Where) {
    let mut w = Where::after(before);
    let claimed = TaskStatus::Claimed.as_str();
    let sql = match (&scope.inspections, &scope.dispatchers, &scope.only) {
        // A committee's office: its committees' claims, a few rows of their tally.
        (None, Some(dispatchers), None) if scope.except.is_empty() => {
            w.eq("status", claimed);
            let list = w.list(dispatchers.iter().map(Id::to_string));
            w.fixed(&format!("dispatcher_id IN ({list})"));
            format!(
                "SELECT COALESCE(SUM(n), 0) AS n FROM task_tally_committee {}",
                w.sql()
            )
        }
        (Some(_), _, _) | (_, Some(_), _) => {
            w.eq("status", claimed);
            if let Some(inspections) = &scope.inspections {
                let list = w.list(inspections.iter().map(Id::to_string));
                w.fixed(&format!("inspection_id IN ({list})"));
            }
            if let Some(dispatchers) = &scope.dispatchers {
                let c = super::rectify::sent_by(&mut w, dispatchers, "inspection_id");
                w.fixed(&c);
            }
            units_in(&mut w, scope);
            format!(
                "SELECT COALESCE(SUM(n), 0) AS n FROM task_tally {}",
                w.sql()
            )
        }
        (None, None, Some(_)) => {
            units_in(&mut w, scope);
            w.eq("status", claimed);
            format!(
                "SELECT COALESCE(SUM(n), 0) AS n FROM task_tally_unit {}",
                w.sql()
            )
        }
        // Every unit but some: the province's claims less those of the units left out.
        (None, None, None) => {
            let n = w.next();
            let _ = w.list([claimed.to_owned()].into_iter());
            let except = if scope.except.is_empty() {
                "0".to_owned()
            } else {
                let list = w.list(scope.except.iter().map(Id::to_string));
                format!(
                    "(SELECT COALESCE(SUM(n), 0) FROM task_tally_unit
                       WHERE unit_id IN ({list}) AND status = ${n})"
                )
            };
            format!(
                "SELECT (SELECT COALESCE(SUM(n), 0) FROM task_tally_all WHERE status = ${n})
                        - {except} AS n"
            )
        }
    };
    (format!("(SELECT CAST(n AS BIGINT) FROM ({sql}) t)"), w)
}

/// The `WHERE` of a tally of grain `g` for `f` (the grain has the columns it names).
fn tally_where(f: &TallyFilter, g: &Grain) -> Option<Where> {
    let mut w = Where::default();
    if let Some(v) = f.inspection_id {
        w.eq("inspection_id", v.to_string());
    }
    if let Some(v) = f.dispatcher_id {
        if matches!(g, Grain::Committee) {
            w.eq("dispatcher_id", v.to_string());
        } else {
            let c = super::rectify::sent_by(&mut w, &[v], "inspection_id");
            w.fixed(&c);
        }
    }
    if let Some(v) = f.unit_id {
        w.eq("unit_id", v.to_string());
    }
    if let Some(scope) = &f.scope {
        // The committees' tally names the committee in a column of its own, as the tasks do.
        let by = match g {
            Grain::Committee => SentBy::Column,
            _ => SentBy::Inspection,
        };
        if !scope_clause_by(&mut w, scope, "", by) {
            return None;
        }
    }
    Some(w)
}

impl<M: Mode> DbTx<M> {
    pub(crate) async fn read_tally_state(&mut self) -> Result<Option<(Date, i32)>> {
        if let Some(state) = self.tally_state_cache {
            return Ok(state);
        }
        let state = self.read_tally_state_row().await?;
        self.tally_state_cache = Some(state);
        Ok(state)
    }

    async fn read_tally_state_row(&mut self) -> Result<Option<(Date, i32)>> {
        let r = self
            .fetch_optional(sqlx::query(
                "SELECT as_of, warn_days FROM task_tally_state WHERE id = 1",
            ))
            .await?;
        match r {
            Some(r) => tally_state_of(&r),
            None => Ok(None),
        }
    }

    /// The count of `f` from the tallies, or `None` when they cannot answer it.
    pub(crate) async fn count_from_tally(&mut self, f: &TaskFilter) -> Result<Option<i64>> {
        if f.task_id.is_some()
            || f.plan_id.is_some()
            || f.problem_id.is_some()
            || f.include_withdrawn
            || f.text.is_some()
        {
            return Ok(None);
        }
        let Some(state) = self.read_tally_state().await? else {
            return Ok(None);
        };
        if let Some(c) = &f.colour
            && (c.today, c.warn_days) != state
        {
            return Ok(None);
        }
        let tf = TallyFilter {
            inspection_id: f.inspection_id,
            dispatcher_id: f.dispatcher_id,
            unit_id: f.unit_id,
            scope: f.scope.clone(),
        };
        let g = grain(&tf, f.category_id.is_some(), f.unit_id.is_some());
        let Some(mut w) = tally_where(&tf, &g) else {
            return Ok(Some(0));
        };
        if let Some(v) = f.category_id {
            w.eq("category_id", v.to_string());
        }
        if let Some(v) = f.status {
            w.eq("status", v.as_str());
        }
        if let Some(c) = &f.colour {
            w.eq("colour", c.colour.as_str());
        }
        if f.rejected {
            w.fixed("rejected = 1");
        }
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM {} {}",
            g.table(),
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(Some(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0)))
    }

    pub(crate) async fn tally_counts(&mut self, f: &TallyFilter) -> Result<Vec<TaskCount>> {
        let g = grain(f, true, false);
        let Some(w) = tally_where(f, &g) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT category_id, status, colour, rejected, CAST(SUM(n) AS BIGINT) AS n
               FROM {} {} GROUP BY category_id, status, colour, rejected
             HAVING SUM(n) > 0",
            g.table(),
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(TaskCount {
                    category_id: id(r, "category_id")?,
                    status: TaskStatus::parse(&s(r, "status")?)?,
                    colour: colour_parse(&s(r, "colour")?)?,
                    rejected: i(r, "rejected")? != 0,
                    n: i(r, "n")?,
                })
            })
            .collect()
    }

    pub(crate) async fn tally_units(
        &mut self,
        f: &TallyFilter,
        limit: u32,
    ) -> Result<(Vec<UnitCount>, i64)> {
        let g = grain(f, false, true);
        let Some(mut w) = tally_where(f, &g) else {
            return Ok((Vec::new(), 0));
        };
        const RANK: &str = "ORDER BY overdue DESC, near_due DESC, total DESC, unit_id";
        let (rows, units) = if matches!(g, Grain::Unit) {
            // The province's units, or one of them: the figures kept per unit, the first rows
            // of their index, and their number apart (counted beside the rows, the number
            // would make the database rank every unit).
            w.fixed("total > 0");
            let list = format!(
                "SELECT unit_id, total, closed, overdue, near_due, closed_late
                   FROM task_tally_unit_figures {} {RANK} LIMIT {limit}",
                w.sql()
            );
            let rows = self
                .fetch_all(w.clone().bind_all(sqlx::query(AssertSqlSafe(list))))
                .await?;
            let count = format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM task_tally_unit_figures {}",
                w.sql()
            );
            let n = self
                .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(count))))
                .await?
                .map(|r| i(&r, "n"))
                .transpose()?
                .unwrap_or(0);
            (rows, n)
        } else {
            // A narrower view (an inspection, a team, a unit's people) sums its few rows.
            let sql = format!(
                "SELECT unit_id, total, closed, overdue, near_due, closed_late,
                        COUNT(*) OVER () AS units
                   FROM (SELECT unit_id,
                    CAST(SUM(n) AS BIGINT) AS total,
                    CAST(SUM(CASE WHEN status = 'closed' THEN n ELSE 0 END) AS BIGINT) AS closed,
                    CAST(SUM(CASE WHEN colour = 'red' THEN n ELSE 0 END) AS BIGINT) AS overdue,
                    CAST(SUM(CASE WHEN colour = 'yellow' THEN n ELSE 0 END) AS BIGINT) AS near_due,
                    CAST(SUM(CASE WHEN colour = 'closed_late' THEN n ELSE 0 END) AS BIGINT)
                        AS closed_late
                           FROM {} {} GROUP BY unit_id HAVING SUM(n) > 0) g
                  {RANK} LIMIT {limit}",
                g.table(),
                w.sql()
            );
            let rows = self
                .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
                .await?;
            let n = rows
                .first()
                .map(|r| i(r, "units"))
                .transpose()?
                .unwrap_or(0);
            (rows, n)
        };
        let counts = rows
            .iter()
            .map(|r| {
                Ok(UnitCount {
                    unit_id: id(r, "unit_id")?,
                    total: i(r, "total")?,
                    closed: i(r, "closed")?,
                    overdue: i(r, "overdue")?,
                    near_due: i(r, "near_due")?,
                    closed_late: i(r, "closed_late")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((counts, units))
    }

    /// How many live tasks are claimed done within a to-do's scope, from the tallies; `None`
    /// until they are built. A task's status does not change with the day, so the tallies'
    /// day does not matter here.
    pub(crate) async fn claimed_from_tally(&mut self, scope: &WaitingScope) -> Result<Option<i64>> {
        if !self.tallies_built().await? {
            return Ok(None);
        }
        let (expr, w) = claimed_tally_sql(scope, 0);
        let sql = format!("SELECT {expr} AS n");
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(Some(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0)))
    }

    /// Whether the tallies are built (they answer counts from then on).
    pub(crate) async fn tallies_built(&mut self) -> Result<bool> {
        Ok(self.read_tally_state().await?.is_some())
    }

    pub(crate) async fn tally_slots(&mut self, inspection_ids: &[Id]) -> Result<Vec<SlotCount>> {
        if inspection_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(inspection_ids.iter().map(Id::to_string));
        let sql = format!(
            "SELECT inspection_id, unit_id,
                    CAST(SUM(n) AS BIGINT) AS total,
                    CAST(SUM(CASE WHEN status = 'closed' THEN n ELSE 0 END) AS BIGINT) AS closed,
                    CAST(SUM(CASE WHEN colour = 'red' THEN n ELSE 0 END) AS BIGINT) AS overdue
               FROM task_tally WHERE inspection_id IN ({list})
              GROUP BY inspection_id, unit_id"
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(SlotCount {
                    inspection_id: id(r, "inspection_id")?,
                    unit_id: id(r, "unit_id")?,
                    total: i(r, "total")?,
                    closed: i(r, "closed")?,
                    overdue: i(r, "overdue")?,
                })
            })
            .collect()
    }
}

/// A task's texts that the ledger's text filter searches, as [`DbTx::task_before`] reads them.
pub(crate) struct TaskTexts {
    measure: String,
    target: String,
    responsible_leader: String,
    responsible_person: String,
    lead_department: String,
}

impl TaskTexts {
    fn of(r: &AnyRow) -> Result<TaskTexts> {
        Ok(TaskTexts {
            measure: s(r, "measure")?,
            target: s(r, "target")?,
            responsible_leader: s(r, "responsible_leader")?,
            responsible_person: s(r, "responsible_person")?,
            lead_department: s(r, "lead_department")?,
        })
    }

    /// Whether `t` changes any of them (most updates are progress and status, which leave the
    /// text index alone).
    pub(crate) fn changed_by(&self, t: &Task) -> bool {
        self.measure != t.measure
            || self.target != t.target
            || self.responsible_leader != t.responsible_leader
            || self.responsible_person != t.responsible_person
            || self.lead_department != t.lead_department
    }
}

impl DbTx<Writing> {
    /// What the task counts under now, and what it would count under after a change of the
    /// columns an update writes; `None` if the tallies are not built yet (building them will
    /// count it) or there is no such task. One statement reads the row and the tally state.
    pub(crate) async fn tallied(&mut self, task: Id) -> Result<Option<Tallied>> {
        Ok(self.task_before(task).await?.and_then(|(t, _)| t))
    }

    /// The task's row as a write finds it, with the tally state: what it counts under
    /// ([`DbTx::tallied`]) and the texts the ledger's text filter searches, which an update
    /// compares with its own. The state is read with the row (a write's first look at the
    /// tallies is here), so a task's update costs one statement for all of it.
    pub(crate) async fn task_before(
        &mut self,
        task: Id,
    ) -> Result<Option<(Option<Tallied>, TaskTexts)>> {
        let r = self
            .fetch_optional(
                sqlx::query(
                    "SELECT s.as_of, s.warn_days, t.inspection_id, t.unit_id, t.category_id,
                            t.status, t.due_kind, t.due_date, t.rejections, t.withdrawn_reason,
                            t.closed_on, t.measure, t.target, t.responsible_leader,
                            t.responsible_person, t.lead_department
                       FROM rectification_tasks t LEFT JOIN task_tally_state s ON s.id = 1
                      WHERE t.id = $1",
                )
                .bind(task.to_string()),
            )
            .await?;
        let Some(r) = r else {
            return Ok(None);
        };
        let texts = TaskTexts::of(&r)?;
        let state = match self.tally_state_cache {
            Some(state) => state,
            None => {
                let state = tally_state_of(&r)?;
                self.tally_state_cache = Some(state);
                state
            }
        };
        let Some((as_of, warn)) = state else {
            return Ok(Some((None, texts)));
        };
        let closed_on = opt_s(&r, "closed_on")?
            .map(|d| d.parse::<Date>().map_err(CoreError::internal))
            .transpose()?;
        let tallied = Tallied {
            as_of,
            warn,
            inspection_id: s(&r, "inspection_id")?,
            unit_id: s(&r, "unit_id")?,
            category_id: s(&r, "category_id")?,
            rejections: i(&r, "rejections")?,
            now: TallyFacts {
                status: TaskStatus::parse(&s(&r, "status")?)?,
                due: due_of_row(&r)?,
                closed_on,
                withdrawn: opt_s(&r, "withdrawn_reason")?.is_some(),
            },
        };
        Ok(Some((Some(tallied), texts)))
    }

    /// The key the task counts under now (see [`DbTx::tallied`]).
    pub(crate) async fn tally_key(&mut self, task: Id) -> Result<Option<TallyKey>> {
        Ok(self.tallied(task).await?.and_then(|t| t.key(&t.now)))
    }

    /// Moves one task from the key it counted under to the one it counts under now.
    pub(crate) async fn tally_move(
        &mut self,
        before: Option<TallyKey>,
        after: Option<TallyKey>,
    ) -> Result<()> {
        if before == after {
            return Ok(());
        }
        if let Some(k) = before {
            self.tally_add(&k, -1).await?;
        }
        if let Some(k) = after {
            self.tally_add(&k, 1).await?;
        }
        Ok(())
    }

    async fn tally_add(&mut self, k: &TallyKey, delta: i64) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO task_tally (inspection_id, unit_id, category_id, status, colour,
                        rejected, n)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (inspection_id, unit_id, category_id, status, colour, rejected)
                 DO UPDATE SET n = task_tally.n + excluded.n",
            )
            .bind(k.inspection_id.clone())
            .bind(k.unit_id.clone())
            .bind(k.category_id.clone())
            .bind(k.status.clone())
            .bind(k.colour)
            .bind(k.rejected)
            .bind(delta),
        )
        .await?;
        self.execute(
            sqlx::query(
                "INSERT INTO task_tally_unit (unit_id, status, colour, rejected, n)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (unit_id, status, colour, rejected)
                 DO UPDATE SET n = task_tally_unit.n + excluded.n",
            )
            .bind(k.unit_id.clone())
            .bind(k.status.clone())
            .bind(k.colour)
            .bind(k.rejected)
            .bind(delta),
        )
        .await?;
        let of = |yes: bool| if yes { delta } else { 0 };
        self.execute(
            sqlx::query(
                "INSERT INTO task_tally_unit_figures
                        (unit_id, total, closed, overdue, near_due, closed_late)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (unit_id) DO UPDATE SET
                        total = task_tally_unit_figures.total + excluded.total,
                        closed = task_tally_unit_figures.closed + excluded.closed,
                        overdue = task_tally_unit_figures.overdue + excluded.overdue,
                        near_due = task_tally_unit_figures.near_due + excluded.near_due,
                        closed_late = task_tally_unit_figures.closed_late + excluded.closed_late",
            )
            .bind(k.unit_id.clone())
            .bind(delta)
            .bind(of(k.status == TaskStatus::Closed.as_str()))
            .bind(of(k.colour == Colour::Red.as_str()))
            .bind(of(k.colour == Colour::Yellow.as_str()))
            .bind(of(k.colour == Colour::ClosedLate.as_str())),
        )
        .await?;
        // The committee is the inspection's, read in the statement (`WHERE` keeps SQLite from
        // reading `ON CONFLICT` as a join's).
        self.execute(
            sqlx::query(
                "INSERT INTO task_tally_dispatcher (dispatcher_id, total, closed, red)
                 SELECT dispatcher_id, $2, $3, $4 FROM inspections WHERE id = $1
                 ON CONFLICT (dispatcher_id) DO UPDATE SET
                        total = task_tally_dispatcher.total + excluded.total,
                        closed = task_tally_dispatcher.closed + excluded.closed,
                        red = task_tally_dispatcher.red + excluded.red",
            )
            .bind(k.inspection_id.clone())
            .bind(delta)
            .bind(of(k.status == TaskStatus::Closed.as_str()))
            .bind(of(k.colour == Colour::Red.as_str())),
        )
        .await?;
        self.execute(
            sqlx::query(
                "INSERT INTO task_tally_committee
                        (dispatcher_id, category_id, status, colour, rejected, n)
                 SELECT dispatcher_id, $2, $3, $4, $5, $6 FROM inspections WHERE id = $1
                 ON CONFLICT (dispatcher_id, category_id, status, colour, rejected)
                 DO UPDATE SET n = task_tally_committee.n + excluded.n",
            )
            .bind(k.inspection_id.clone())
            .bind(k.category_id.clone())
            .bind(k.status.clone())
            .bind(k.colour)
            .bind(k.rejected)
            .bind(delta),
        )
        .await?;
        self.execute(
            sqlx::query(
                "INSERT INTO task_tally_all (category_id, status, colour, rejected, n)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (category_id, status, colour, rejected)
                 DO UPDATE SET n = task_tally_all.n + excluded.n",
            )
            .bind(k.category_id.clone())
            .bind(k.status.clone())
            .bind(k.colour)
            .bind(k.rejected)
            .bind(delta),
        )
        .await?;
        Ok(())
    }

    pub(crate) async fn refresh_tally_to(&mut self, today: Date, warn: i32) -> Result<()> {
        match self.read_tally_state().await? {
            Some(state) if state == (today, warn) => Ok(()),
            Some((as_of, w)) if w == warn && as_of < today => {
                self.shift_tally(as_of, today, warn).await
            }
            _ => self.rebuild_tally(today, warn).await,
        }
    }

    /// Counts every live task again.
    pub(crate) async fn rebuild_tally(&mut self, today: Date, warn: i32) -> Result<()> {
        for table in [
            "task_tally",
            "task_tally_unit",
            "task_tally_all",
            "task_tally_unit_figures",
            "task_tally_dispatcher",
            "task_tally_committee",
        ] {
            self.execute(sqlx::query(AssertSqlSafe(format!("DELETE FROM {table}"))))
                .await?;
        }
        let mut w = Where::default();
        let colour = colour_case(&mut w, "", today, warn)?;
        let sql = format!(
            "INSERT INTO task_tally (inspection_id, unit_id, category_id, status, colour, rejected, n)
             SELECT inspection_id, unit_id, category_id, status, colour, rejected,
                    CAST(COUNT(*) AS BIGINT)
               FROM (SELECT inspection_id, unit_id, category_id, status, {colour} AS colour,
                            CASE WHEN rejections > 0 THEN 1 ELSE 0 END AS rejected
                       FROM rectification_tasks
                      WHERE withdrawn_reason IS NULL) t
              GROUP BY inspection_id, unit_id, category_id, status, colour, rejected"
        );
        self.execute(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        self.execute(sqlx::query(
            "INSERT INTO task_tally_unit (unit_id, status, colour, rejected, n)
             SELECT unit_id, status, colour, rejected, CAST(SUM(n) AS BIGINT)
               FROM task_tally GROUP BY unit_id, status, colour, rejected",
        ))
        .await?;
        self.execute(sqlx::query(
            "INSERT INTO task_tally_all (category_id, status, colour, rejected, n)
             SELECT category_id, status, colour, rejected, CAST(SUM(n) AS BIGINT)
               FROM task_tally GROUP BY category_id, status, colour, rejected",
        ))
        .await?;
        self.execute(sqlx::query(
            "INSERT INTO task_tally_unit_figures
                    (unit_id, total, closed, overdue, near_due, closed_late)
             SELECT unit_id, CAST(SUM(n) AS BIGINT),
                    CAST(SUM(CASE WHEN status = 'closed' THEN n ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN colour = 'red' THEN n ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN colour = 'yellow' THEN n ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN colour = 'closed_late' THEN n ELSE 0 END) AS BIGINT)
               FROM task_tally_unit GROUP BY unit_id",
        ))
        .await?;
        self.execute(sqlx::query(
            "INSERT INTO task_tally_dispatcher (dispatcher_id, total, closed, red)
             SELECT i.dispatcher_id, CAST(SUM(t.n) AS BIGINT),
                    CAST(SUM(CASE WHEN t.status = 'closed' THEN t.n ELSE 0 END) AS BIGINT),
                    CAST(SUM(CASE WHEN t.colour = 'red' THEN t.n ELSE 0 END) AS BIGINT)
               FROM task_tally t JOIN inspections i ON i.id = t.inspection_id
              GROUP BY i.dispatcher_id",
        ))
        .await?;
        self.execute(sqlx::query(
            "INSERT INTO task_tally_committee
                    (dispatcher_id, category_id, status, colour, rejected, n)
             SELECT i.dispatcher_id, t.category_id, t.status, t.colour, t.rejected,
                    CAST(SUM(t.n) AS BIGINT)
               FROM task_tally t JOIN inspections i ON i.id = t.inspection_id
              GROUP BY i.dispatcher_id, t.category_id, t.status, t.colour, t.rejected",
        ))
        .await?;
        self.set_tally_state(today, warn).await
    }

    /// Moves the tasks whose colour changed between `from` and `to` (same warning period):
    /// open dated tasks due from `from` up to the end of `to`'s warning period; no other task
    /// changes colour as days pass.
    async fn shift_tally(&mut self, from: Date, to: Date, warn: i32) -> Result<()> {
        let mut w = Where::default();
        let before = colour_case(&mut w, "", from, warn)?;
        let after = colour_case(&mut w, "", to, warn)?;
        let lo = w.next();
        let _ = w.list([from.to_string(), warn_end(to, warn)?.to_string()].into_iter());
        let sql = format!(
            "SELECT inspection_id, unit_id, category_id, status, rejected, colour_before,
                    colour_after, CAST(COUNT(*) AS BIGINT) AS n
               FROM (SELECT inspection_id, unit_id, category_id, status,
                            CASE WHEN rejections > 0 THEN 1 ELSE 0 END AS rejected,
                            {before} AS colour_before, {after} AS colour_after
                       FROM rectification_tasks
                      WHERE status <> 'closed' AND withdrawn_reason IS NULL
                        AND due_date IS NOT NULL
                        AND due_date >= ${lo} AND due_date <= ${hi}) t
              WHERE colour_before <> colour_after
              GROUP BY inspection_id, unit_id, category_id, status, rejected, colour_before,
                    colour_after",
            hi = lo + 1
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        for r in rows {
            let (cb, ca) = (s(&r, "colour_before")?, s(&r, "colour_after")?);
            let n = i(&r, "n")?;
            let key = |colour: &str| -> Result<TallyKey> {
                Ok(TallyKey {
                    inspection_id: s(&r, "inspection_id")?,
                    unit_id: s(&r, "unit_id")?,
                    category_id: s(&r, "category_id")?,
                    status: s(&r, "status")?,
                    colour: colour_parse(colour)?.as_str(),
                    rejected: i16::from(i(&r, "rejected")? != 0),
                })
            };
            self.tally_add(&key(&cb)?, -n).await?;
            self.tally_add(&key(&ca)?, n).await?;
        }
        self.set_tally_state(to, warn).await
    }

    async fn set_tally_state(&mut self, today: Date, warn: i32) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE task_tally_state SET as_of = $1, warn_days = $2 WHERE id = 1")
                .bind(today.to_string())
                .bind(warn),
        )
        .await?;
        self.tally_state_cache = None;
        Ok(())
    }
}

/// The tally state in a row's `as_of` and `warn_days`: none until the tallies are built.
fn tally_state_of(r: &AnyRow) -> Result<Option<(Date, i32)>> {
    let Some(as_of) = opt_s(r, "as_of")? else {
        return Ok(None);
    };
    let day = as_of.parse::<Date>().map_err(CoreError::internal)?;
    let warn = i32::try_from(i(r, "warn_days")?).map_err(CoreError::internal)?;
    Ok(Some((day, warn)))
}
