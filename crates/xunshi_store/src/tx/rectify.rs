//! Rectification: plans and their reviews, the ledger's tasks, progress reports, evidence files,
//! verifications and change requests.

use std::sync::LazyLock;

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{AssertSqlSafe, Row};
use xunshi_core::inspection::Inspection;
use xunshi_core::page::{Keyset, PageRequest};
use xunshi_core::paper::FileKind;
use xunshi_core::rectify::{
    ChangeRequest, Defect, Due, GroupMember, Plan, PlanReview, PlanStatus, ProgressReport, Task,
    TaskEvidence, TaskStatus, Verification,
};
use xunshi_core::store::{
    ChangeFilter, LedgerRow, PlanFilter, RectifyRead, RectifyScope, RectifyWrite, SlotCount,
    TallyFilter, TaskCount, TaskFilter, TaskLineRow, TaskOrder, TaskSort, TaskSortKey, UnitCount,
};
use xunshi_core::{CoreError, Id, Result};

use super::papers::{from_json, json_text, opt_sig, sig, sig_cols};
use super::planning::{INSPECTION_COLS, inspection_at};
use super::tally::{TallyFacts, colour_clause};
use super::{
    DbTx, KeyKind, Mode, Where, Writing, contains_clause, flag, keyset, like_pattern, prefixed, ts,
};
use crate::rows::{self, i, id, opt_date, opt_s, opt_ts, s};
use crate::{Dialect, text_index};

// ---------------------------------------------------------------------------------------------
// Row mappers

/// A deadline in two columns: its kind, and its date (null for long-term).
fn due_cols(d: Due) -> (&'static str, Option<String>) {
    match d {
        Due::Immediate { date } => ("immediate", Some(date.to_string())),
        Due::By { date } => ("by", Some(date.to_string())),
        Due::LongTerm => ("long_term", None),
    }
}

fn due_of(r: &AnyRow, kind_col: &str, date_col: &str) -> Result<Due> {
    let kind = s(r, kind_col)?;
    let date = opt_date(r, date_col)?;
    match (kind.as_str(), date) {
        ("immediate", Some(date)) => Ok(Due::Immediate { date }),
        ("by", Some(date)) => Ok(Due::By { date }),
        ("long_term", None) => Ok(Due::LongTerm),
        (k, d) => Err(CoreError::internal(format!(
            "{kind_col}/{date_col} hold {k}/{d:?}"
        ))),
    }
}

const PLAN_COLS: &str = "id, inspection_id, unit_id, title, organisation, leading_group, status, \
     submitted_at, approved_at, version";

fn plan(r: &AnyRow) -> Result<Plan> {
    plan_at(r, "")
}

/// A rectification plan from the columns named with `prefix` (a join of several tables' rows).
fn plan_at(r: &AnyRow, prefix: &str) -> Result<Plan> {
    let c = |name| rows::named(prefix, name);
    let group: Vec<GroupMember> = from_json(r, &c("leading_group"))?;
    Ok(Plan {
        id: id(r, &c("id"))?,
        inspection_id: id(r, &c("inspection_id"))?,
        unit_id: id(r, &c("unit_id"))?,
        title: s(r, &c("title"))?,
        organisation: s(r, &c("organisation"))?,
        leading_group: group,
        status: PlanStatus::parse(&s(r, &c("status"))?)?,
        submitted_at: opt_ts(r, &c("submitted_at"))?,
        approved_at: opt_ts(r, &c("approved_at"))?,
        version: i(r, &c("version"))?,
    })
}

fn review(r: &AnyRow) -> Result<PlanReview> {
    Ok(PlanReview {
        id: id(r, "id")?,
        plan_id: id(r, "plan_id")?,
        approved: rows::flag(r, "approved")?,
        comment: s(r, "comment")?,
        by_name: s(r, "by_name")?,
        at: rows::ts(r, "at")?,
    })
}

pub(crate) const TASK_COLS: &str = "id, plan_id, inspection_id, unit_id, problem_id, seq, measure, target, \
     standard, responsible_leader, lead_department, co_departments, responsible_person, due_kind, \
     due_date, status, progress, not_for_disclosure, withdrawn_reason, version, updated_at, closed_on";

pub(crate) fn task(r: &AnyRow) -> Result<Task> {
    task_at(r, "")
}

/// A task from the columns named with `prefix` (a join of several tables' rows).
fn task_at(r: &AnyRow, prefix: &str) -> Result<Task> {
    let c = |name| rows::named(prefix, name);
    Ok(Task {
        id: id(r, &c("id"))?,
        plan_id: id(r, &c("plan_id"))?,
        inspection_id: id(r, &c("inspection_id"))?,
        unit_id: id(r, &c("unit_id"))?,
        problem_id: id(r, &c("problem_id"))?,
        seq: s(r, &c("seq"))?,
        measure: s(r, &c("measure"))?,
        target: s(r, &c("target"))?,
        standard: s(r, &c("standard"))?,
        responsible_leader: s(r, &c("responsible_leader"))?,
        lead_department: s(r, &c("lead_department"))?,
        co_departments: s(r, &c("co_departments"))?,
        responsible_person: s(r, &c("responsible_person"))?,
        due: due_of(r, &c("due_kind"), &c("due_date"))?,
        status: TaskStatus::parse(&s(r, &c("status"))?)?,
        progress: i16::try_from(i(r, &c("progress"))?).map_err(CoreError::internal)?,
        closed_on: rows::opt_date(r, &c("closed_on"))?,
        not_for_disclosure: rows::flag(r, &c("not_for_disclosure"))?,
        withdrawn_reason: opt_s(r, &c("withdrawn_reason"))?,
        version: i(r, &c("version"))?,
        updated_at: rows::ts(r, &c("updated_at"))?,
    })
}

/// The statement of [`RectifyRead::get_task_context`]: the task, its plan and its inspection
/// in one row, the inspection's targets (as `with_targets` reads them: not withdrawn, in
/// their order) joined with commas. Every change of a task runs it first.
static TASK_CONTEXT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {}, {}, {},
                (SELECT string_agg(x.unit_id, ',' ORDER BY x.position) FROM inspection_targets x
                  WHERE x.inspection_id = i.id AND x.withdrawn_at IS NULL) AS i_targets
           FROM rectification_tasks t
           JOIN rectification_plans p ON p.id = t.plan_id
           JOIN inspections i ON i.id = p.inspection_id
          WHERE t.id = $1",
        prefixed("t", "t_", TASK_COLS),
        prefixed("p", "p_", PLAN_COLS),
        prefixed("i", "i_", INSPECTION_COLS),
    )
});

const PROGRESS_COLS: &str = "id, task_id, body, progress, claims_done, by_name, at";

fn progress(r: &AnyRow) -> Result<ProgressReport> {
    Ok(ProgressReport {
        id: id(r, "id")?,
        task_id: id(r, "task_id")?,
        text: s(r, "body")?,
        progress: i16::try_from(i(r, "progress")?).map_err(CoreError::internal)?,
        claims_done: rows::flag(r, "claims_done")?,
        by_name: s(r, "by_name")?,
        at: rows::ts(r, "at")?,
    })
}

const EVIDENCE_COLS: &str = "id, task_id, filename, size, content_type, kind, sha256, \
     uploaded_by, uploaded_by_name, uploaded_at, withdrawn_by, withdrawn_by_name, withdrawn_at, \
     withdrawn_reason";

fn evidence(r: &AnyRow) -> Result<TaskEvidence> {
    Ok(TaskEvidence {
        id: id(r, "id")?,
        task_id: id(r, "task_id")?,
        filename: s(r, "filename")?,
        size: i(r, "size")?,
        content_type: s(r, "content_type")?,
        kind: FileKind::parse(&s(r, "kind")?)?,
        sha256: s(r, "sha256")?,
        uploaded: sig(r, "uploaded")?,
        withdrawn: opt_sig(r, "withdrawn")?,
        withdrawn_reason: opt_s(r, "withdrawn_reason")?,
    })
}

pub(crate) const VERIFICATION_COLS: &str =
    "id, task_id, closed, defect, reason, by_name, at, progress";

pub(crate) fn verification(r: &AnyRow) -> Result<Verification> {
    Ok(Verification {
        id: id(r, "id")?,
        task_id: id(r, "task_id")?,
        closed: rows::flag(r, "closed")?,
        defect: opt_s(r, "defect")?.map(|d| Defect::parse(&d)).transpose()?,
        progress: r
            .try_get::<Option<i64>, _>("progress")
            .map_err(crate::db_err)?
            .map(i16::try_from)
            .transpose()
            .map_err(CoreError::internal)?,
        reason: s(r, "reason")?,
        by_name: s(r, "by_name")?,
        at: rows::ts(r, "at")?,
    })
}

const CHANGE_COLS: &str = "c.id, c.task_id, c.before_measure, c.after_measure, c.before_due_kind, \
     c.before_due_date, c.after_due_kind, c.after_due_date, c.reason, c.approved, \
     c.decision_comment, c.requested_by, c.requested_at, c.decided_by, c.decided_at";

fn change(r: &AnyRow) -> Result<ChangeRequest> {
    let approved = r
        .try_get::<Option<i64>, _>("approved")
        .map_err(crate::db_err)?;
    Ok(ChangeRequest {
        id: id(r, "id")?,
        task_id: id(r, "task_id")?,
        before_measure: s(r, "before_measure")?,
        after_measure: s(r, "after_measure")?,
        before_due: due_of(r, "before_due_kind", "before_due_date")?,
        after_due: due_of(r, "after_due_kind", "after_due_date")?,
        reason: s(r, "reason")?,
        approved: approved.map(|a| a != 0),
        decision_comment: s(r, "decision_comment")?,
        requested_by: s(r, "requested_by")?,
        requested_at: rows::ts(r, "requested_at")?,
        decided_by: opt_s(r, "decided_by")?,
        decided_at: opt_ts(r, "decided_at")?,
    })
}

// ---------------------------------------------------------------------------------------------
// Filters

/// `{column} IN (…)`: the rows of the inspections these committees send (a committee's own
/// office reads them).
pub(crate) fn sent_by(w: &mut Where, dispatchers: &[Id], column: &str) -> String {
    let list = w.list(dispatchers.iter().map(Id::to_string));
    format!("{column} IN (SELECT id FROM inspections WHERE dispatcher_id IN ({list}))")
}

/// `(unit_id IN (…) OR inspection_id IN (…) OR the inspection is sent by …)`; false when the
/// scope names nothing.
pub(crate) fn scope_clause(w: &mut Where, scope: &RectifyScope, prefix: &str) -> bool {
    scope_clause_by(w, scope, prefix, SentBy::Inspection)
}

/// How a table's rows name the committee that sent them.
#[derive(Clone, Copy)]
pub(crate) enum SentBy {
    /// Through their inspection (`inspection_id`).
    Inspection,
    /// In a column of their own (`dispatcher_id`, kept on the tasks for their index).
    Column,
}

pub(crate) fn scope_clause_by(
    w: &mut Where,
    scope: &RectifyScope,
    prefix: &str,
    by: SentBy,
) -> bool {
    let mut parts = Vec::new();
    if !scope.units.is_empty() {
        let list = w.list(scope.units.iter().map(Id::to_string));
        parts.push(format!("{prefix}unit_id IN ({list})"));
    }
    if !scope.inspections.is_empty() {
        let list = w.list(scope.inspections.iter().map(Id::to_string));
        parts.push(format!("{prefix}inspection_id IN ({list})"));
    }
    if !scope.dispatchers.is_empty() {
        parts.push(match by {
            SentBy::Inspection => sent_by(w, &scope.dispatchers, &format!("{prefix}inspection_id")),
            SentBy::Column => {
                let list = w.list(scope.dispatchers.iter().map(Id::to_string));
                format!("{prefix}dispatcher_id IN ({list})")
            }
        });
    }
    if parts.is_empty() {
        return false;
    }
    w.fixed(&format!("({})", parts.join(" OR ")));
    true
}

/// The `WHERE` of a task list over `rectification_tasks` as `p` (a prefix such as `t.`, or
/// empty); `None` when the filter can match nothing.
fn task_where(f: &TaskFilter, p: &str, dialect: Dialect) -> Result<Option<Where>> {
    let mut w = Where::default();
    if let Some(v) = f.task_id {
        w.eq(&format!("{p}id"), v.to_string());
    }
    if let Some(v) = f.inspection_id {
        w.eq(&format!("{p}inspection_id"), v.to_string());
    }
    if let Some(v) = f.dispatcher_id {
        w.eq(&format!("{p}dispatcher_id"), v.to_string());
    }
    if let Some(v) = f.unit_id {
        w.eq(&format!("{p}unit_id"), v.to_string());
    }
    if let Some(v) = f.plan_id {
        w.eq(&format!("{p}plan_id"), v.to_string());
    }
    if let Some(v) = f.status {
        w.eq(&format!("{p}status"), v.as_str());
    }
    if let Some(v) = f.problem_id {
        w.eq(&format!("{p}problem_id"), v.to_string());
    }
    if let Some(v) = f.category_id {
        w.eq(&format!("{p}category_id"), v.to_string());
    }
    if let Some(c) = &f.colour {
        colour_clause(&mut w, p, c)?;
    }
    if f.rejected {
        w.fixed(&format!("{p}rejections > 0"));
    }
    if let Some(text) = &f.text {
        let n = w.next();
        let cols = text_index::TASK_COLS.map(|c| format!("{p}{c}"));
        let cols: Vec<&str> = cols.iter().map(String::as_str).collect();
        let own = contains_clause(&cols, n, text);
        let title = contains_clause(&["x.title"], n, text);
        // A list narrowed to a unit, an inspection, a plan or a person's scope holds few
        // tasks, read through that column's index. A wider one is narrowed to the tasks that
        // hold the text's character pairs, found in the text index (none for a single
        // character), and the `LIKE` is tried on those alone. (Asked for both, the planners
        // would take the index's tasks first, however many there are.)
        let narrow = f.scope.is_some()
            || f.dispatcher_id.is_some()
            || f.unit_id.is_some()
            || f.inspection_id.is_some()
            || f.plan_id.is_some();
        let pairs = if narrow {
            Vec::new()
        } else {
            text_index::query_pairs(text)
        };
        // The problem's title: for few tasks, their problems are looked up by key; for the
        // whole ledger the problems are read once instead (a scan of the problems, not a
        // lookup per task).
        let problem = if narrow || !pairs.is_empty() {
            format!("EXISTS (SELECT 1 FROM problems x WHERE x.id = {p}problem_id AND {title})")
        } else {
            format!("{p}problem_id IN (SELECT x.id FROM problems x WHERE {title})")
        };
        w.raw(format!("({own} OR {problem})"), like_pattern(text));
        if !pairs.is_empty() {
            let n = w.next();
            w.raw(
                text_index::candidates(dialect, p, n),
                text_index::match_value(dialect, &pairs),
            );
        }
    }
    if let Some(scope) = &f.scope
        && !scope_clause_by(&mut w, scope, p, SentBy::Column)
    {
        return Ok(None);
    }
    if !f.include_withdrawn {
        w.fixed(&format!("{p}withdrawn_reason IS NULL"));
    }
    Ok(Some(w))
}

/// The task's columns, prefixed `t.`.
fn task_cols_of_t() -> String {
    TASK_COLS
        .split(',')
        .map(|c| format!("t.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The ledger row's columns: the task's, then the names and the newest report.
fn ledger_cols() -> String {
    format!(
        "{}, t.category_id AS category_id, p.title AS problem_title,
         COALESCE(c.name, '') AS category_name, u.name AS unit_name, i.team_name AS team_name,
         lp.id AS lp_id, lp.body AS lp_body, lp.progress AS lp_progress,
         lp.claims_done AS lp_claims_done, lp.by_name AS lp_by_name, lp.at AS lp_at,
         lv.defect AS lv_defect, lv.reason AS lv_reason,
         CAST(CASE WHEN EXISTS (SELECT 1 FROM carried_tasks ct WHERE ct.task_id = t.id)
                   THEN 1 ELSE 0 END AS BIGINT) AS carried",
        task_cols_of_t()
    )
}

/// The latest rejection of a task rejected at least once (`lv`), a macro so that the ledger's
/// joins can include it.
macro_rules! latest_rejection {
    () => {
        "
    LEFT JOIN task_verifications lv
           ON t.rejections > 0
          AND lv.id = (SELECT MAX(v.id) FROM task_verifications v
                        WHERE v.task_id = t.id AND v.closed = 0)"
    };
}
const LATEST_REJECTION: &str = latest_rejection!();

/// Ledger rows in one query: the task, its problem, heading, unit and team, its newest
/// progress report and its latest rejection, each found by key. What a ledger row joins to
/// its task (aliased `t`).
const LEDGER_JOINS: &str = concat!(
    "
    JOIN problems p ON p.id = t.problem_id
    LEFT JOIN problem_categories c ON c.id = t.category_id
    JOIN units u ON u.id = t.unit_id
    JOIN inspections i ON i.id = t.inspection_id
    LEFT JOIN task_progress lp
           ON lp.id = (SELECT MAX(x.id) FROM task_progress x WHERE x.task_id = t.id)",
    latest_rejection!()
);

/// The ids of a page of tasks, `limit` at most, as a subquery `pg` to join the rest to. The
/// page's tasks are chosen from the tasks alone, then joined: asked with the joins, the
/// planners would rather walk the small tables first and sort every matching task.
fn page_subquery(w: &Where, order_by: &str, limit: u32) -> String {
    format!(
        "(SELECT t.id AS page_id FROM rectification_tasks t {} ORDER BY {order_by} LIMIT {limit}) pg",
        w.sql()
    )
}

/// The ids of a page of tasks in `order` ([`page_subquery`]), with the ordering to repeat
/// outside it.
fn page_ids(
    f: &TaskFilter,
    dialect: Dialect,
    order: TaskOrder,
    after: Option<Id>,
    limit: u32,
) -> Result<Option<(Where, String, &'static str)>> {
    let Some(mut w) = task_where(f, "t.", dialect)? else {
        return Ok(None);
    };
    let order_by = match order {
        TaskOrder::Created => {
            if let Some(after) = after {
                let n = w.next();
                w.raw(format!("t.id > ${n}"), after.to_string());
            }
            "t.id"
        }
        // The open-deadline index holds exactly the dated open tasks in this order.
        TaskOrder::Deadline => {
            w.fixed("t.status <> 'closed' AND t.due_date IS NOT NULL");
            "t.due_date, t.id"
        }
    };
    let ids = page_subquery(&w, order_by, limit);
    Ok(Some((w, ids, order_by)))
}

/// The latest rejection read by [`LATEST_REJECTION`].
fn rejection(r: &AnyRow) -> Result<Option<(Option<Defect>, String)>> {
    match opt_s(r, "lv_reason")? {
        Some(reason) => Ok(Some((
            opt_s(r, "lv_defect")?
                .map(|d| Defect::parse(&d))
                .transpose()?,
            reason,
        ))),
        None => Ok(None),
    }
}

fn ledger_row(r: &AnyRow) -> Result<LedgerRow> {
    let latest = match opt_s(r, "lp_id")? {
        Some(pid) => Some(ProgressReport {
            id: pid.parse().map_err(CoreError::internal)?,
            task_id: id(r, "id")?,
            text: s(r, "lp_body")?,
            progress: i16::try_from(i(r, "lp_progress")?).map_err(CoreError::internal)?,
            claims_done: rows::flag(r, "lp_claims_done")?,
            by_name: s(r, "lp_by_name")?,
            at: rows::ts(r, "lp_at")?,
        }),
        None => None,
    };
    let rejection = rejection(r)?;
    Ok(LedgerRow {
        task: task(r)?,
        problem_title: s(r, "problem_title")?,
        category_id: id(r, "category_id")?,
        category_name: s(r, "category_name")?,
        unit_name: s(r, "unit_name")?,
        team_name: s(r, "team_name")?,
        latest,
        rejection,
        carried: rows::flag(r, "carried")?,
    })
}

impl<M: Mode> DbTx<M> {
    async fn tasks_where(&mut self, w: Where, tail: String) -> Result<Vec<Task>> {
        let sql = format!(
            "SELECT {TASK_COLS} FROM rectification_tasks {} {tail}",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(task)
            .collect()
    }
}

impl<M: Mode> RectifyRead for DbTx<M> {
    async fn get_rect_plan(&mut self, pid: Id) -> Result<Option<Plan>> {
        let sql = format!("SELECT {PLAN_COLS} FROM rectification_plans WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(pid.to_string()))
            .await?
            .map(|r| plan(&r))
            .transpose()
    }

    async fn find_rect_plan(&mut self, inspection_id: Id, unit_id: Id) -> Result<Option<Plan>> {
        let sql = format!(
            "SELECT {PLAN_COLS} FROM rectification_plans WHERE inspection_id = $1 AND unit_id = $2"
        );
        self.fetch_optional(
            sqlx::query(AssertSqlSafe(sql))
                .bind(inspection_id.to_string())
                .bind(unit_id.to_string()),
        )
        .await?
        .map(|r| plan(&r))
        .transpose()
    }

    async fn list_rect_plans(&mut self, f: &PlanFilter, page: PageRequest) -> Result<Vec<Plan>> {
        let mut w = Where::default();
        if let Some(v) = f.inspection_id {
            w.eq("inspection_id", v.to_string());
        }
        if let Some(v) = f.unit_id {
            w.eq("unit_id", v.to_string());
        }
        if let Some(v) = f.status {
            w.eq("status", v.as_str());
        }
        if let Some(scope) = &f.scope
            && !scope_clause(&mut w, scope, "")
        {
            return Ok(Vec::new());
        }
        if let Some(after) = page.after {
            let n = w.next();
            w.raw(format!("id > ${n}"), after.to_string());
        }
        let sql = format!(
            "SELECT {PLAN_COLS} FROM rectification_plans {} ORDER BY id LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(plan)
            .collect()
    }

    async fn list_plan_reviews(&mut self, plan_id: Id) -> Result<Vec<PlanReview>> {
        self.fetch_all(
            sqlx::query(
                "SELECT id, plan_id, approved, comment, by_name, at FROM plan_reviews
                 WHERE plan_id = $1 ORDER BY id",
            )
            .bind(plan_id.to_string()),
        )
        .await?
        .iter()
        .map(review)
        .collect()
    }

    async fn get_task_context(&mut self, tid: Id) -> Result<Option<(Task, Plan, Inspection)>> {
        let Some(r) = self
            .fetch_optional(sqlx::query(AssertSqlSafe(TASK_CONTEXT.as_str())).bind(tid.to_string()))
            .await?
        else {
            return Ok(None);
        };
        let mut insp = inspection_at(&r, "i_")?;
        insp.target_ids = opt_s(&r, "i_targets")?
            .iter()
            .flat_map(|list| list.split(','))
            .map(|t| t.parse().map_err(CoreError::internal))
            .collect::<Result<_>>()?;
        Ok(Some((task_at(&r, "t_")?, plan_at(&r, "p_")?, insp)))
    }

    async fn get_task(&mut self, tid: Id) -> Result<Option<Task>> {
        let sql = format!("SELECT {TASK_COLS} FROM rectification_tasks WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(tid.to_string()))
            .await?
            .map(|r| task(&r))
            .transpose()
    }

    async fn list_tasks(&mut self, f: &TaskFilter, page: PageRequest) -> Result<Vec<Task>> {
        let Some(mut w) = task_where(f, "", self.dialect())? else {
            return Ok(Vec::new());
        };
        if let Some(after) = page.after {
            let n = w.next();
            w.raw(format!("id > ${n}"), after.to_string());
        }
        let tail = format!("ORDER BY id LIMIT {}", page.limit + 1);
        self.tasks_where(w, tail).await
    }

    async fn all_tasks(&mut self, f: &TaskFilter) -> Result<Vec<Task>> {
        let Some(w) = task_where(f, "", self.dialect())? else {
            return Ok(Vec::new());
        };
        self.tasks_where(w, "ORDER BY id".to_owned()).await
    }

    async fn ledger_rows(
        &mut self,
        f: &TaskFilter,
        order: TaskOrder,
        page: PageRequest,
    ) -> Result<Vec<LedgerRow>> {
        let Some((w, ids, order_by)) =
            page_ids(f, self.dialect(), order, page.after, page.limit + 1)?
        else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {} FROM {ids} JOIN rectification_tasks t ON t.id = pg.page_id {LEDGER_JOINS} \
             ORDER BY {order_by}",
            ledger_cols(),
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(ledger_row)
            .collect()
    }

    async fn task_lines(
        &mut self,
        f: &TaskFilter,
        order: TaskOrder,
        limit: u32,
    ) -> Result<Vec<TaskLineRow>> {
        let Some((w, ids, order_by)) = page_ids(f, self.dialect(), order, None, limit)? else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT {}, u.name AS unit_name, lv.defect AS lv_defect, lv.reason AS lv_reason
               FROM {ids} JOIN rectification_tasks t ON t.id = pg.page_id
               JOIN units u ON u.id = t.unit_id {LATEST_REJECTION}
              ORDER BY {order_by}",
            task_cols_of_t()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(TaskLineRow {
                    task: task(r)?,
                    unit_name: s(r, "unit_name")?,
                    rejection: rejection(r)?,
                })
            })
            .collect()
    }

    async fn ledger_sorted(
        &mut self,
        f: &TaskFilter,
        sort: TaskSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<LedgerRow>> {
        let Some(mut w) = task_where(f, "t.", self.dialect())? else {
            return Ok(Vec::new());
        };
        // Each key is written exactly as its index (migration 0022) is, so the planners walk
        // the index in order; a long-term task's missing date sorts after every date, the same
        // on both backends (their NULLs sort at opposite ends).
        let key = match sort.key {
            TaskSortKey::Seq => None,
            TaskSortKey::Unit => Some(("t.unit_id", KeyKind::Column)),
            TaskSortKey::Due => Some(("COALESCE(t.due_date, '9999-12-31')", KeyKind::Expression)),
            TaskSortKey::Status => Some(("t.status", KeyKind::Column)),
            TaskSortKey::Progress => Some(("t.progress", KeyKind::Integer)),
            TaskSortKey::Updated => Some(("t.updated_at", KeyKind::Column)),
        };
        let order_by = keyset(&mut w, key, "t.id", sort.desc, at)?;
        let ids = page_subquery(&w, &order_by, limit + 1);
        let sql = format!(
            "SELECT {} FROM {ids} JOIN rectification_tasks t ON t.id = pg.page_id {LEDGER_JOINS} \
             ORDER BY {order_by}",
            ledger_cols(),
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(ledger_row)
            .collect()
    }

    async fn count_tasks(&mut self, f: &TaskFilter) -> Result<i64> {
        if let Some(n) = self.count_from_tally(f).await? {
            return Ok(n);
        }
        let Some(w) = task_where(f, "", self.dialect())? else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM rectification_tasks {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn rect_plans_of(&mut self, inspection_ids: &[Id]) -> Result<Vec<Plan>> {
        if inspection_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(inspection_ids.iter().map(Id::to_string));
        let sql = format!(
            "SELECT {PLAN_COLS} FROM rectification_plans WHERE inspection_id IN ({list}) ORDER BY id"
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(plan)
            .collect()
    }

    async fn slot_counts(&mut self, inspection_ids: &[Id]) -> Result<Vec<SlotCount>> {
        self.tally_slots(inspection_ids).await
    }

    async fn tally_state(&mut self) -> Result<Option<(Date, i32)>> {
        self.read_tally_state().await
    }

    async fn task_counts(&mut self, f: &TallyFilter) -> Result<Vec<TaskCount>> {
        self.tally_counts(f).await
    }

    async fn unit_counts(&mut self, f: &TallyFilter, limit: u32) -> Result<(Vec<UnitCount>, i64)> {
        self.tally_units(f, limit).await
    }

    async fn list_progress(&mut self, task_id: Id) -> Result<Vec<ProgressReport>> {
        let sql =
            format!("SELECT {PROGRESS_COLS} FROM task_progress WHERE task_id = $1 ORDER BY id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(task_id.to_string()))
            .await?
            .iter()
            .map(progress)
            .collect()
    }

    async fn latest_progress(&mut self, task_ids: &[Id]) -> Result<Vec<ProgressReport>> {
        if task_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(task_ids.iter().map(Id::to_string));
        // Ids are UUIDv7: the greatest id of a task's reports is its newest.
        let sql = format!(
            "SELECT {PROGRESS_COLS} FROM task_progress WHERE id IN (
                SELECT MAX(id) FROM task_progress WHERE task_id IN ({list}) GROUP BY task_id)
             ORDER BY id"
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(progress)
            .collect()
    }

    async fn get_task_evidence(&mut self, eid: Id) -> Result<Option<TaskEvidence>> {
        let sql = format!("SELECT {EVIDENCE_COLS} FROM task_evidence WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(eid.to_string()))
            .await?
            .map(|r| evidence(&r))
            .transpose()
    }

    async fn list_task_evidence(&mut self, task_id: Id) -> Result<Vec<TaskEvidence>> {
        let sql =
            format!("SELECT {EVIDENCE_COLS} FROM task_evidence WHERE task_id = $1 ORDER BY id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(task_id.to_string()))
            .await?
            .iter()
            .map(evidence)
            .collect()
    }

    async fn list_evidence_of_tasks(&mut self, task_ids: &[Id]) -> Result<Vec<TaskEvidence>> {
        if task_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(task_ids.iter().map(Id::to_string));
        let sql = format!(
            "SELECT {EVIDENCE_COLS} FROM task_evidence WHERE task_id IN ({list}) ORDER BY task_id, id"
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(evidence)
            .collect()
    }

    async fn list_verifications(&mut self, task_id: Id) -> Result<Vec<Verification>> {
        let sql = format!(
            "SELECT {VERIFICATION_COLS} FROM task_verifications WHERE task_id = $1 ORDER BY id"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(task_id.to_string()))
            .await?
            .iter()
            .map(verification)
            .collect()
    }

    async fn get_change_request(&mut self, cid: Id) -> Result<Option<ChangeRequest>> {
        let sql = format!("SELECT {CHANGE_COLS} FROM task_change_requests c WHERE c.id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(cid.to_string()))
            .await?
            .map(|r| change(&r))
            .transpose()
    }

    async fn list_change_requests(&mut self, f: &ChangeFilter) -> Result<Vec<ChangeRequest>> {
        let mut w = Where::default();
        if let Some(t) = f.task_id {
            w.eq("c.task_id", t.to_string());
        }
        if let Some(p) = f.plan_id {
            w.eq("t.plan_id", p.to_string());
        }
        if f.pending {
            w.fixed("c.approved IS NULL");
        }
        let sql = format!(
            "SELECT {CHANGE_COLS} FROM task_change_requests c
             JOIN rectification_tasks t ON t.id = c.task_id {} ORDER BY c.id",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(change)
            .collect()
    }
}

impl RectifyWrite for DbTx<Writing> {
    async fn insert_rect_plan(&mut self, p: &Plan) -> Result<()> {
        let sql = format!(
            "INSERT INTO rectification_plans ({PLAN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(p.id.to_string())
                .bind(p.inspection_id.to_string())
                .bind(p.unit_id.to_string())
                .bind(p.title.clone())
                .bind(p.organisation.clone())
                .bind(json_text(&p.leading_group)?)
                .bind(p.status.as_str())
                .bind(p.submitted_at.map(ts))
                .bind(p.approved_at.map(ts))
                .bind(p.version),
        )
        .await?;
        self.refresh_clocks(Some(p.inspection_id)).await
    }

    async fn update_rect_plan(&mut self, p: &Plan) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE rectification_plans SET title = $1, organisation = $2, leading_group = $3,
                        status = $4, submitted_at = $5, approved_at = $6, version = $7
                     WHERE id = $8 AND version = $9",
                )
                .bind(p.title.clone())
                .bind(p.organisation.clone())
                .bind(json_text(&p.leading_group)?)
                .bind(p.status.as_str())
                .bind(p.submitted_at.map(ts))
                .bind(p.approved_at.map(ts))
                .bind(p.version)
                .bind(p.id.to_string())
                .bind(p.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("整改方案".into()));
        }
        self.refresh_clocks(Some(p.inspection_id)).await
    }

    async fn insert_plan_review(&mut self, r: &PlanReview) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO plan_reviews (id, plan_id, approved, comment, by_name, at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(r.id.to_string())
            .bind(r.plan_id.to_string())
            .bind(flag(r.approved))
            .bind(r.comment.clone())
            .bind(r.by_name.clone())
            .bind(ts(r.at)),
        )
        .await?;
        Ok(())
    }

    async fn insert_task(&mut self, t: &Task) -> Result<()> {
        let (kind, date) = due_cols(t.due);
        // The heading is the problem's and the committee the inspection's, kept on the task
        // for the lists' indexes.
        let sql = format!(
            "INSERT INTO rectification_tasks ({TASK_COLS}, category_id, dispatcher_id) VALUES ($1,
                $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
                $20, $21, $22,
                COALESCE((SELECT p.category_id FROM problems p WHERE p.id = $5), ''),
                COALESCE((SELECT i.dispatcher_id FROM inspections i WHERE i.id = $3), ''))"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(t.id.to_string())
                .bind(t.plan_id.to_string())
                .bind(t.inspection_id.to_string())
                .bind(t.unit_id.to_string())
                .bind(t.problem_id.to_string())
                .bind(t.seq.clone())
                .bind(t.measure.clone())
                .bind(t.target.clone())
                .bind(t.standard.clone())
                .bind(t.responsible_leader.clone())
                .bind(t.lead_department.clone())
                .bind(t.co_departments.clone())
                .bind(t.responsible_person.clone())
                .bind(kind)
                .bind(date)
                .bind(t.status.as_str())
                .bind(i32::from(t.progress))
                .bind(flag(t.not_for_disclosure))
                .bind(t.withdrawn_reason.clone())
                .bind(t.version)
                .bind(ts(t.updated_at))
                .bind(t.closed_on.map(|d| d.to_string())),
        )
        .await?;
        let key = self.tally_key(t.id).await?;
        self.tally_move(None, key).await?;
        self.refresh_task_text(&[t.id.to_string()]).await?;
        Ok(())
    }

    async fn update_task(&mut self, t: &Task) -> Result<()> {
        // The update leaves the task's unit, heading and rejections alone, so what it counts
        // under afterwards follows from the row read before and the new values.
        let (tallied, text_changed) = match self.task_before(t.id).await? {
            Some((tallied, texts)) => (tallied, texts.changed_by(t)),
            None => (None, false),
        };
        let (kind, date) = due_cols(t.due);
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE rectification_tasks SET measure = $1, target = $2, standard = $3,
                        responsible_leader = $4, lead_department = $5, co_departments = $6,
                        responsible_person = $7, due_kind = $8, due_date = $9, status = $10,
                        progress = $11, not_for_disclosure = $12, withdrawn_reason = $13,
                        version = $14, updated_at = $15, closed_on = $16
                     WHERE id = $17 AND version = $18",
                )
                .bind(t.measure.clone())
                .bind(t.target.clone())
                .bind(t.standard.clone())
                .bind(t.responsible_leader.clone())
                .bind(t.lead_department.clone())
                .bind(t.co_departments.clone())
                .bind(t.responsible_person.clone())
                .bind(kind)
                .bind(date)
                .bind(t.status.as_str())
                .bind(i32::from(t.progress))
                .bind(flag(t.not_for_disclosure))
                .bind(t.withdrawn_reason.clone())
                .bind(t.version)
                .bind(ts(t.updated_at))
                .bind(t.closed_on.map(|d| d.to_string()))
                .bind(t.id.to_string())
                .bind(t.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("整改任务{}", t.seq)));
        }
        if let Some(k) = tallied {
            let after = TallyFacts {
                status: t.status,
                due: t.due,
                closed_on: t.closed_on,
                withdrawn: t.withdrawn_reason.is_some(),
            };
            self.tally_move(k.key(&k.now), k.key(&after)).await?;
        }
        if text_changed {
            self.refresh_task_text(&[t.id.to_string()]).await?;
        }
        Ok(())
    }

    async fn insert_progress(&mut self, r: &ProgressReport) -> Result<()> {
        let sql = format!(
            "INSERT INTO task_progress ({PROGRESS_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(r.id.to_string())
                .bind(r.task_id.to_string())
                .bind(r.text.clone())
                .bind(i32::from(r.progress))
                .bind(flag(r.claims_done))
                .bind(r.by_name.clone())
                .bind(ts(r.at)),
        )
        .await?;
        Ok(())
    }

    async fn insert_task_evidence(&mut self, e: &TaskEvidence) -> Result<()> {
        let (ub, un, ua) = sig_cols(Some(&e.uploaded));
        let (wb, wn, wa) = sig_cols(e.withdrawn.as_ref());
        let sql = format!(
            "INSERT INTO task_evidence ({EVIDENCE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,
                $9, $10, $11, $12, $13, $14)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(e.id.to_string())
                .bind(e.task_id.to_string())
                .bind(e.filename.clone())
                .bind(e.size)
                .bind(e.content_type.clone())
                .bind(e.kind.as_str())
                .bind(e.sha256.clone())
                .bind(ub)
                .bind(un)
                .bind(ua)
                .bind(wb)
                .bind(wn)
                .bind(wa)
                .bind(e.withdrawn_reason.clone()),
        )
        .await?;
        Ok(())
    }

    async fn withdraw_task_evidence(&mut self, e: &TaskEvidence) -> Result<bool> {
        let (wb, wn, wa) = sig_cols(e.withdrawn.as_ref());
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE task_evidence SET withdrawn_by = $1, withdrawn_by_name = $2,
                        withdrawn_at = $3, withdrawn_reason = $4
                     WHERE id = $5 AND withdrawn_at IS NULL",
                )
                .bind(wb)
                .bind(wn)
                .bind(wa)
                .bind(e.withdrawn_reason.clone())
                .bind(e.id.to_string()),
            )
            .await?;
        Ok(n == 1)
    }

    async fn insert_verification(&mut self, v: &Verification) -> Result<()> {
        let before = self.tally_key(v.task_id).await?;
        let sql = format!(
            "INSERT INTO task_verifications ({VERIFICATION_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(v.id.to_string())
                .bind(v.task_id.to_string())
                .bind(flag(v.closed))
                .bind(v.defect.map(|d| d.as_str()))
                .bind(v.reason.clone())
                .bind(v.by_name.clone())
                .bind(ts(v.at))
                .bind(v.progress.map(i32::from)),
        )
        .await?;
        if !v.closed {
            self.execute(
                sqlx::query(
                    "UPDATE rectification_tasks SET rejections = rejections + 1 WHERE id = $1",
                )
                .bind(v.task_id.to_string()),
            )
            .await?;
        }
        let after = self.tally_key(v.task_id).await?;
        self.tally_move(before, after).await?;
        Ok(())
    }

    async fn insert_change_request(&mut self, c: &ChangeRequest) -> Result<()> {
        let (bk, bd) = due_cols(c.before_due);
        let (ak, ad) = due_cols(c.after_due);
        self.execute(
            sqlx::query(
                "INSERT INTO task_change_requests (id, task_id, before_measure, after_measure,
                    before_due_kind, before_due_date, after_due_kind, after_due_date, reason,
                    approved, decision_comment, requested_by, requested_at, decided_by, decided_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            )
            .bind(c.id.to_string())
            .bind(c.task_id.to_string())
            .bind(c.before_measure.clone())
            .bind(c.after_measure.clone())
            .bind(bk)
            .bind(bd)
            .bind(ak)
            .bind(ad)
            .bind(c.reason.clone())
            .bind(c.approved.map(flag))
            .bind(c.decision_comment.clone())
            .bind(c.requested_by.clone())
            .bind(ts(c.requested_at))
            .bind(c.decided_by.clone())
            .bind(c.decided_at.map(ts)),
        )
        .await?;
        Ok(())
    }

    async fn decide_change_request(&mut self, c: &ChangeRequest) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE task_change_requests SET approved = $1, decision_comment = $2,
                        decided_by = $3, decided_at = $4
                     WHERE id = $5 AND approved IS NULL",
                )
                .bind(c.approved.map(flag))
                .bind(c.decision_comment.clone())
                .bind(c.decided_by.clone())
                .bind(c.decided_at.map(ts))
                .bind(c.id.to_string()),
            )
            .await?;
        Ok(n == 1)
    }

    async fn refresh_tally(&mut self, today: Date, warn_days: i32) -> Result<()> {
        self.refresh_tally_to(today, warn_days).await
    }
}
