//! Supervision: deadline rules, the warning period, follow-up notices, accountability and
//! long-term mechanisms.

use jiff::civil::Date;
use sqlx::any::AnyRow;
use sqlx::{Any, AssertSqlSafe, Transaction};
use xunshi_core::access::Visible;
use xunshi_core::deadline::{Clock, Counting, DeadlineRule, InspectionLevel, default_rules};
use xunshi_core::org::UnitLevel;
use xunshi_core::page::{Keyset, PageRequest};
use xunshi_core::rectify::{Accountability, FollowUp, Form, Mechanism, NoticeKind, Verification};
use xunshi_core::store::{
    AccountabilityFilter, AccountabilitySort, AccountabilitySortKey, ClockFilter, FollowUpCount,
    FollowUpFilter, FollowUpSort, FollowUpSortKey, MechanismFilter, MechanismSort,
    MechanismSortKey, RunningClock, RunningCount, SuperviseRead, SuperviseWrite,
};
use xunshi_core::supervision::{RectifySettings, StoredDeadlineRule};
use xunshi_core::{CoreError, Id, Result};

use super::rectify::scope_clause;
use super::{DbTx, KeyKind, Mode, Where, Writing, contains_clause, flag, keyset, like_pattern, ts};
use crate::db_err;
use crate::rows::{date, flag as get_flag, i, id, opt_date, opt_id, opt_s, opt_ts, s};

/// Loads the shipped deadline rules, in the migration's transaction.
pub(crate) async fn load_default_rules(tx: &mut Transaction<'static, Any>) -> Result<()> {
    for r in default_rules() {
        sqlx::query(
            "INSERT INTO deadline_rules (id, level, clock, amount, counting, basis, version)
             VALUES ($1, $2, $3, $4, $5, $6, 1)",
        )
        .bind(Id::new().to_string())
        .bind(r.level.as_str())
        .bind(r.clock.as_str())
        .bind(i64::from(r.amount))
        .bind(r.counting.as_str())
        .bind(r.basis)
        .execute(&mut **tx)
        .await
        .map_err(db_err)?;
    }
    Ok(())
}

fn opt_day(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// The committee whose own rule reckons a running clock ('' where its level's does).
pub(crate) fn owner(r: &AnyRow) -> Result<Option<Id>> {
    let text = s(r, "rule_owner")?;
    if text.is_empty() {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| CoreError::internal(format!("a clock's rule owner {text}")))
}

fn rule(r: &AnyRow) -> Result<StoredDeadlineRule> {
    Ok(StoredDeadlineRule {
        id: id(r, "id")?,
        rule: DeadlineRule {
            level: InspectionLevel::parse(&s(r, "level")?)?,
            clock: Clock::parse(&s(r, "clock")?)?,
            amount: i(r, "amount")? as i32,
            counting: Counting::parse(&s(r, "counting")?)?,
            basis: s(r, "basis")?,
        },
        committee_id: opt_id(r, "committee_id")?,
        version: i(r, "version")?,
        updated_at: opt_ts(r, "updated_at")?,
    })
}

/// The rules of the levels and the committees' own, as one list: a committee's own rule is
/// the same rule, kept for one committee.
const RULES: &str = "(SELECT id, level, clock, amount, counting, basis, version, updated_at,
                             NULL AS committee_id
                        FROM deadline_rules
                      UNION ALL
                      SELECT id, level, clock, amount, counting, basis, version, updated_at,
                             committee_id
                        FROM committee_deadline_rules) rules";

const RULE_COLS: &str =
    "id, level, clock, amount, counting, basis, version, updated_at, committee_id";

fn followup(r: &AnyRow) -> Result<FollowUp> {
    Ok(FollowUp {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        unit_id: id(r, "unit_id")?,
        task_id: opt_id(r, "task_id")?,
        kind: NoticeKind::parse(&s(r, "kind")?)?,
        doc_no: s(r, "doc_no")?,
        content: s(r, "content")?,
        issued_on: date(r, "issued_on")?,
        answer_due: opt_date(r, "answer_due")?,
        issued_by: s(r, "issued_by")?,
        answer: opt_s(r, "answer")?,
        answered_by: opt_s(r, "answered_by")?,
        answered_on: opt_date(r, "answered_on")?,
        version: i(r, "version")?,
    })
}

const FOLLOWUP_COLS: &str = "id, inspection_id, unit_id, task_id, kind, doc_no, content, \
     issued_on, answer_due, issued_by, answer, answered_on, answered_by, version";

fn accountability(r: &AnyRow) -> Result<Accountability> {
    Ok(Accountability {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        unit_id: id(r, "unit_id")?,
        task_id: opt_id(r, "task_id")?,
        problem_id: opt_id(r, "problem_id")?,
        person: s(r, "person")?,
        post: s(r, "post")?,
        form: Form::parse(&s(r, "form")?)?,
        measure: s(r, "measure")?,
        deciding_body: s(r, "deciding_body")?,
        decided_on: date(r, "decided_on")?,
        version: i(r, "version")?,
    })
}

const ACCOUNTABILITY_COLS: &str = "id, inspection_id, unit_id, task_id, problem_id, person, post, \
     form, measure, deciding_body, decided_on, version";

fn mechanism(r: &AnyRow) -> Result<Mechanism> {
    Ok(Mechanism {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        unit_id: id(r, "unit_id")?,
        title: s(r, "title")?,
        is_new: get_flag(r, "is_new")?,
        doc_no: s(r, "doc_no")?,
        issued_on: date(r, "issued_on")?,
        task_ids: Vec::new(),
        version: i(r, "version")?,
    })
}

const MECHANISM_COLS: &str =
    "id, inspection_id, unit_id, title, is_new, doc_no, issued_on, version";

/// Narrows `w` to the rows of the inspections and units the reader may see. Returns false when
/// the reader may see none at all.
fn scope(w: &mut Where, visible: &Visible) -> bool {
    match visible.rectify_scope() {
        None => true,
        Some(s) => scope_clause(w, &s, ""),
    }
}

/// The `FROM` and `WHERE` of the running clocks of `f`: the target units of inspections under
/// rectification whose event has not been recorded.
/// The running clocks a filter selects, read from the rows the store keeps (`tx/clocks.rs`):
/// `c` is the clock, `i` its inspection, `u` the unit, `dispatcher` the dispatching committee.
fn running_where(f: &ClockFilter) -> Option<Where> {
    // The product keeps no record of the democratic-life meeting: no clock of it runs here.
    if f.clock == Clock::MeetingDue {
        return None;
    }
    let mut w = Where::default();
    w.eq("c.clock", f.clock.as_str());
    if let Some(v) = f.inspection_id {
        w.eq("c.inspection_id", v.to_string());
    }
    if let Some(v) = f.unit_id {
        w.eq("c.unit_id", v.to_string());
    }
    if let Some(s) = f.scope.rectify_scope()
        && !scope_clause(&mut w, &s, "c.")
    {
        return None;
    }
    Some(w)
}

fn common(w: &mut Where, inspection_id: Option<Id>, unit_id: Option<Id>) {
    if let Some(i) = inspection_id {
        w.eq("inspection_id", i.to_string());
    }
    if let Some(u) = unit_id {
        w.eq("unit_id", u.to_string());
    }
}

fn after(w: &mut Where, page: PageRequest) {
    if let Some(a) = page.after {
        let n = w.next();
        w.raw(format!("id > ${n}"), a.to_string());
    }
}

fn followup_where(f: &FollowUpFilter) -> Option<Where> {
    let mut w = Where::default();
    if !scope(&mut w, &f.scope) {
        return None;
    }
    common(&mut w, f.inspection_id, f.unit_id);
    if let Some(t) = f.task_id {
        w.eq("task_id", t.to_string());
    }
    if let Some(k) = f.kind {
        w.eq("kind", k.as_str());
    }
    // The day of the answer is written with it, and is in the index by kind (migration 0018).
    match f.answered {
        Some(true) => w.fixed("answered_on IS NOT NULL"),
        Some(false) => w.fixed("answered_on IS NULL"),
        None => {}
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["doc_no", "content"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    Some(w)
}

fn accountability_where(f: &AccountabilityFilter) -> Option<Where> {
    let mut w = Where::default();
    if !scope(&mut w, &f.scope) {
        return None;
    }
    common(&mut w, f.inspection_id, f.unit_id);
    if let Some(t) = f.task_id {
        w.eq("task_id", t.to_string());
    }
    if let Some(form) = f.form {
        w.eq("form", form.as_str());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["person", "post"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    Some(w)
}

fn mechanism_where(f: &MechanismFilter) -> Option<Where> {
    let mut w = Where::default();
    if !scope(&mut w, &f.scope) {
        return None;
    }
    common(&mut w, f.inspection_id, f.unit_id);
    if let Some(t) = f.task_id {
        let n = w.next();
        w.raw(
            format!("id IN (SELECT mechanism_id FROM mechanism_tasks WHERE task_id = ${n})"),
            t.to_string(),
        );
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["title", "doc_no"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    Some(w)
}

impl<M: Mode> DbTx<M> {
    async fn count(&mut self, table: &str, w: Where) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(count(*) AS BIGINT) AS n FROM {table} {}",
            w.sql()
        );
        let row = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        match row {
            Some(r) => i(&r, "n"),
            None => Ok(0),
        }
    }

    /// Fills in the tasks of mechanisms read without them, in one query.
    async fn with_tasks(&mut self, mut list: Vec<Mechanism>) -> Result<Vec<Mechanism>> {
        if list.is_empty() {
            return Ok(list);
        }
        let mut w = Where::default();
        let ids = w.list(list.iter().map(|m| m.id.to_string()));
        let sql = format!(
            "SELECT mechanism_id, task_id FROM mechanism_tasks WHERE mechanism_id IN ({ids})
             ORDER BY mechanism_id, position"
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        for r in rows {
            let m = id(&r, "mechanism_id")?;
            let t = id(&r, "task_id")?;
            if let Some(mech) = list.iter_mut().find(|x| x.id == m) {
                mech.task_ids.push(t);
            }
        }
        Ok(list)
    }
}

impl<M: Mode> SuperviseRead for DbTx<M> {
    async fn running_clocks(&mut self, f: &ClockFilter, limit: u32) -> Result<Vec<RunningClock>> {
        let Some(w) = running_where(f) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT c.inspection_id AS inspection_id, i.team_name AS team_name,
                    c.unit_id AS unit_id, u.name AS unit_name, c.feedback_on AS feedback_on,
                    c.dispatcher_level AS level, c.rule_owner AS rule_owner
               FROM running_clocks c
               JOIN inspections i ON i.id = c.inspection_id
               JOIN units u ON u.id = c.unit_id {}
              ORDER BY c.feedback_on, c.inspection_id, c.unit_id LIMIT {limit}",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| {
                Ok(RunningClock {
                    inspection_id: id(r, "inspection_id")?,
                    team_name: s(r, "team_name")?,
                    unit_id: id(r, "unit_id")?,
                    unit_name: s(r, "unit_name")?,
                    feedback: date(r, "feedback_on")?,
                    level: UnitLevel::parse(&s(r, "level")?)?,
                    rule_owner: owner(r)?,
                })
            })
            .collect()
    }

    async fn running_clock_count(
        &mut self,
        f: &ClockFilter,
        passed: &[(UnitLevel, Date)],
        owned: &[(Id, Date)],
    ) -> Result<RunningCount> {
        let Some(mut w) = running_where(f) else {
            return Ok(RunningCount::default());
        };
        // Each row's date chosen by its level, or by the committee whose own rule reckons it,
        // in one pass over the clock's index: grouped, SQLite would sort the rows first.
        let mut cases = String::new();
        for (level, date) in passed {
            let l = w.list(std::iter::once(level.as_str().to_owned()));
            let d = w.list(std::iter::once(date.to_string()));
            cases.push_str(&format!(" WHEN {l} THEN {d}"));
        }
        let mut own_cases = String::new();
        for (committee, date) in owned {
            let c = w.list(std::iter::once(committee.to_string()));
            let d = w.list(std::iter::once(date.to_string()));
            own_cases.push_str(&format!(" WHEN {c} THEN {d}"));
        }
        let by_level = if cases.is_empty() {
            "NULL".to_owned()
        } else {
            format!("CASE c.dispatcher_level{cases} END")
        };
        let date = if own_cases.is_empty() {
            by_level
        } else {
            format!(
                "CASE WHEN c.rule_owner = '' THEN ({by_level}) \
                 ELSE (CASE c.rule_owner{own_cases} END) END"
            )
        };
        let passed_sum = if cases.is_empty() && own_cases.is_empty() {
            "0".to_owned()
        } else {
            format!("COALESCE(SUM(CASE WHEN c.feedback_on <= ({date}) THEN 1 ELSE 0 END), 0)")
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n, CAST({passed_sum} AS BIGINT) AS passed
               FROM running_clocks c {}",
            w.sql()
        );
        let row = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        match row {
            Some(r) => Ok(RunningCount {
                running: i(&r, "n")?,
                passed: i(&r, "passed")?,
            }),
            None => Ok(RunningCount::default()),
        }
    }

    async fn deadline_rules(&mut self) -> Result<Vec<StoredDeadlineRule>> {
        let sql = format!("SELECT {RULE_COLS} FROM {RULES} ORDER BY level, clock, id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)))
            .await?
            .iter()
            .map(rule)
            .collect()
    }

    async fn get_deadline_rule(&mut self, rid: Id) -> Result<Option<StoredDeadlineRule>> {
        let sql = format!("SELECT {RULE_COLS} FROM {RULES} WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(rid.to_string()))
            .await?
            .map(|r| rule(&r))
            .transpose()
    }

    async fn rectify_settings(&mut self) -> Result<RectifySettings> {
        let row = self
            .fetch_optional(sqlx::query(
                "SELECT warn_days, version, updated_at, updated_by FROM rectify_settings WHERE id = 1",
            ))
            .await?;
        match row {
            // The migration writes the row; without it the defaults are what is in force.
            None => Ok(RectifySettings::default()),
            Some(r) => Ok(RectifySettings {
                warn_days: i(&r, "warn_days")? as i32,
                version: i(&r, "version")?,
                updated_at: opt_ts(&r, "updated_at")?,
                updated_by: opt_id(&r, "updated_by")?,
            }),
        }
    }

    async fn get_followup(&mut self, fid: Id) -> Result<Option<FollowUp>> {
        let sql = format!("SELECT {FOLLOWUP_COLS} FROM followups WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(fid.to_string()))
            .await?
            .map(|r| followup(&r))
            .transpose()
    }

    async fn followups_sorted(
        &mut self,
        f: &FollowUpFilter,
        sort: FollowUpSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<FollowUp>> {
        let Some(mut w) = followup_where(f) else {
            return Ok(Vec::new());
        };
        // Each key is written exactly as its index (migration 0026) is; a notice without an
        // answer deadline sorts after every day.
        let key = match sort.key {
            FollowUpSortKey::Seq => None,
            FollowUpSortKey::Issued => Some(("issued_on", KeyKind::Column)),
            FollowUpSortKey::Due => {
                Some(("COALESCE(answer_due, '9999-12-31')", KeyKind::Expression))
            }
            FollowUpSortKey::Kind => Some(("kind", KeyKind::Column)),
            FollowUpSortKey::Unit => Some(("unit_id", KeyKind::Column)),
            FollowUpSortKey::DocNo => Some(("doc_no", KeyKind::Column)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {FOLLOWUP_COLS} FROM followups {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(followup)
            .collect()
    }

    async fn count_followups(&mut self, f: &FollowUpFilter) -> Result<i64> {
        let Some(w) = followup_where(f) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM followups {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn accountability_sorted(
        &mut self,
        f: &AccountabilityFilter,
        sort: AccountabilitySort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Accountability>> {
        let Some(mut w) = accountability_where(f) else {
            return Ok(Vec::new());
        };
        // Each key walks its index over (key, id) (migration 0026).
        let key = match sort.key {
            AccountabilitySortKey::Seq => None,
            AccountabilitySortKey::Person => Some(("person", KeyKind::Column)),
            AccountabilitySortKey::Form => Some(("form", KeyKind::Column)),
            AccountabilitySortKey::Decided => Some(("decided_on", KeyKind::Column)),
            AccountabilitySortKey::Unit => Some(("unit_id", KeyKind::Column)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {ACCOUNTABILITY_COLS} FROM accountability {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(accountability)
            .collect()
    }

    async fn count_accountability(&mut self, f: &AccountabilityFilter) -> Result<i64> {
        let Some(w) = accountability_where(f) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM accountability {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn followup_counts(&mut self, f: &FollowUpFilter) -> Result<Vec<FollowUpCount>> {
        let Some(w) = followup_where(f) else {
            return Ok(Vec::new());
        };
        // Per kind, in the order of the (kind, answered_on) index and without a sort: all
        // and those with the day of their answer; the open ones are the difference.
        let sql = format!(
            "SELECT kind, CAST(count(*) AS BIGINT) AS n,
                    CAST(count(answered_on) AS BIGINT) AS answered
               FROM followups {} GROUP BY kind",
            w.sql()
        );
        let mut out = Vec::new();
        for r in self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
        {
            let kind = NoticeKind::parse(&s(&r, "kind")?)?;
            let (n, answered) = (i(&r, "n")?, i(&r, "answered")?);
            for (answered, n) in [(true, answered), (false, n - answered)] {
                if n > 0 {
                    out.push(FollowUpCount { kind, answered, n });
                }
            }
        }
        Ok(out)
    }

    async fn list_accountability(
        &mut self,
        f: &AccountabilityFilter,
        page: PageRequest,
    ) -> Result<Vec<Accountability>> {
        let Some(mut w) = accountability_where(f) else {
            return Ok(Vec::new());
        };
        after(&mut w, page);
        let sql = format!(
            "SELECT {ACCOUNTABILITY_COLS} FROM accountability {} ORDER BY id LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(accountability)
            .collect()
    }

    async fn accountability_counts(
        &mut self,
        f: &AccountabilityFilter,
    ) -> Result<Vec<(Form, i64)>> {
        let Some(w) = accountability_where(f) else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT form, CAST(count(*) AS BIGINT) AS n FROM accountability {} GROUP BY form",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| Ok((Form::parse(&s(r, "form")?)?, i(r, "n")?)))
            .collect()
    }

    async fn list_mechanisms(
        &mut self,
        f: &MechanismFilter,
        page: PageRequest,
    ) -> Result<Vec<Mechanism>> {
        let Some(mut w) = mechanism_where(f) else {
            return Ok(Vec::new());
        };
        after(&mut w, page);
        let sql = format!(
            "SELECT {MECHANISM_COLS} FROM mechanisms {} ORDER BY id LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        let list = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(mechanism)
            .collect::<Result<Vec<_>>>()?;
        self.with_tasks(list).await
    }

    async fn mechanisms_sorted(
        &mut self,
        f: &MechanismFilter,
        sort: MechanismSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Mechanism>> {
        let Some(mut w) = mechanism_where(f) else {
            return Ok(Vec::new());
        };
        // Each key walks its index over (key, id) (migration 0027).
        let key = match sort.key {
            MechanismSortKey::Seq => None,
            MechanismSortKey::Title => Some(("title", KeyKind::Column)),
            MechanismSortKey::Kind => Some(("is_new", KeyKind::Integer)),
            MechanismSortKey::DocNo => Some(("doc_no", KeyKind::Column)),
            MechanismSortKey::Issued => Some(("issued_on", KeyKind::Column)),
            MechanismSortKey::Unit => Some(("unit_id", KeyKind::Column)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {MECHANISM_COLS} FROM mechanisms {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        let list = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(mechanism)
            .collect::<Result<Vec<_>>>()?;
        self.with_tasks(list).await
    }

    async fn count_mechanisms(&mut self, f: &MechanismFilter) -> Result<i64> {
        match mechanism_where(f) {
            None => Ok(0),
            Some(w) => self.count("mechanisms", w).await,
        }
    }

    async fn latest_rejections(&mut self, task_ids: &[Id]) -> Result<Vec<Verification>> {
        let mut latest: Vec<Verification> = Vec::new();
        // In chunks: every backend limits the number of placeholders of one statement.
        for chunk in task_ids.chunks(500) {
            let mut w = Where::default();
            let list = w.list(chunk.iter().map(|t| t.to_string()));
            let sql = format!(
                "SELECT {cols} FROM task_verifications
                 WHERE closed = 0 AND task_id IN ({list}) ORDER BY at, id",
                cols = super::rectify::VERIFICATION_COLS
            );
            for r in self
                .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
                .await?
            {
                let v = super::rectify::verification(&r)?;
                // Oldest first, so the last one kept per task is its latest.
                latest.retain(|x| x.task_id != v.task_id);
                latest.push(v);
            }
        }
        Ok(latest)
    }
}

impl SuperviseWrite for DbTx<Writing> {
    async fn update_deadline_rule(&mut self, r: &StoredDeadlineRule) -> Result<()> {
        let table = if r.committee_id.is_some() {
            "committee_deadline_rules"
        } else {
            "deadline_rules"
        };
        let n = self
            .execute(
                sqlx::query(AssertSqlSafe(format!(
                    "UPDATE {table} SET amount = $1, counting = $2, basis = $3, version = $4,
                        updated_at = $5
                     WHERE id = $6 AND version = $7"
                )))
                .bind(i64::from(r.rule.amount))
                .bind(r.rule.counting.as_str())
                .bind(r.rule.basis.clone())
                .bind(r.version)
                .bind(r.updated_at.map(ts))
                .bind(r.id.to_string())
                .bind(r.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!(
                "时限规则“{}”",
                r.rule.clock.label()
            )));
        }
        Ok(())
    }

    async fn insert_committee_rule(
        &mut self,
        r: &StoredDeadlineRule,
        by: Option<Id>,
    ) -> Result<()> {
        let committee = r
            .committee_id
            .ok_or_else(|| CoreError::internal("a committee's rule without its committee"))?;
        let taken = self
            .fetch_optional(
                sqlx::query(
                    "SELECT id FROM committee_deadline_rules WHERE committee_id = $1 AND clock = $2",
                )
                .bind(committee.to_string())
                .bind(r.rule.clock.as_str()),
            )
            .await?;
        if taken.is_some() {
            return Err(CoreError::Conflict(format!(
                "该党委已有自己的“{}”时限规则：请修改它",
                r.rule.clock.label()
            )));
        }
        self.execute(
            sqlx::query(
                "INSERT INTO committee_deadline_rules (id, committee_id, level, clock, amount,
                    counting, basis, version, updated_at, updated_by)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(r.id.to_string())
            .bind(committee.to_string())
            .bind(r.rule.level.as_str())
            .bind(r.rule.clock.as_str())
            .bind(i64::from(r.rule.amount))
            .bind(r.rule.counting.as_str())
            .bind(r.rule.basis.clone())
            .bind(r.version)
            .bind(r.updated_at.map(ts))
            .bind(by.map(|u| u.to_string())),
        )
        .await?;
        self.own_clocks(committee, r.rule.clock, &committee.to_string())
            .await
    }

    async fn delete_committee_rule(&mut self, r: &StoredDeadlineRule, version: i64) -> Result<()> {
        let committee = r
            .committee_id
            .ok_or_else(|| CoreError::internal("a level's rule is not removed"))?;
        let n = self
            .execute(
                sqlx::query("DELETE FROM committee_deadline_rules WHERE id = $1 AND version = $2")
                    .bind(r.id.to_string())
                    .bind(version),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!(
                "时限规则“{}”",
                r.rule.clock.label()
            )));
        }
        self.own_clocks(committee, r.rule.clock, "").await
    }

    async fn update_rectify_settings(&mut self, st: &RectifySettings) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE rectify_settings SET warn_days = $1, version = $2, updated_at = $3,
                        updated_by = $4
                     WHERE id = 1 AND version = $5",
                )
                .bind(i64::from(st.warn_days))
                .bind(st.version)
                .bind(st.updated_at.map(ts))
                .bind(st.updated_by.map(|u| u.to_string()))
                .bind(st.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("整改预警天数设置".into()));
        }
        Ok(())
    }

    async fn insert_followup(&mut self, f: &FollowUp, issued_by_id: Option<Id>) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO followups (id, inspection_id, unit_id, task_id, kind, doc_no, content,
                    issued_on, answer_due, issued_by, issued_by_id, answer, answered_on, answered_by,
                    answered_by_id, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)",
            )
            .bind(f.id.to_string())
            .bind(f.inspection_id.to_string())
            .bind(f.unit_id.to_string())
            .bind(f.task_id.map(|t| t.to_string()))
            .bind(f.kind.as_str())
            .bind(f.doc_no.clone())
            .bind(f.content.clone())
            .bind(f.issued_on.to_string())
            .bind(opt_day(f.answer_due))
            .bind(f.issued_by.clone())
            .bind(issued_by_id.map(|u| u.to_string()))
            .bind(f.answer.clone())
            .bind(opt_day(f.answered_on))
            .bind(f.answered_by.clone())
            .bind(None::<String>)
            .bind(f.version),
        )
        .await?;
        Ok(())
    }

    async fn update_followup(&mut self, f: &FollowUp, answered_by_id: Option<Id>) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE followups SET answer = $1, answered_on = $2, answered_by = $3,
                        answered_by_id = $4, version = $5
                     WHERE id = $6 AND version = $7",
                )
                .bind(f.answer.clone())
                .bind(opt_day(f.answered_on))
                .bind(f.answered_by.clone())
                .bind(answered_by_id.map(|u| u.to_string()))
                .bind(f.version)
                .bind(f.id.to_string())
                .bind(f.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!(
                "{}“{}”",
                f.kind.label(),
                f.doc_no
            )));
        }
        Ok(())
    }

    async fn insert_accountability(
        &mut self,
        a: &Accountability,
        recorded_by: Option<Id>,
        at: jiff::Timestamp,
    ) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO accountability (id, inspection_id, unit_id, task_id, problem_id, person,
                    post, form, measure, deciding_body, decided_on, recorded_by, recorded_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(a.id.to_string())
            .bind(a.inspection_id.to_string())
            .bind(a.unit_id.to_string())
            .bind(a.task_id.map(|t| t.to_string()))
            .bind(a.problem_id.map(|p| p.to_string()))
            .bind(a.person.clone())
            .bind(a.post.clone())
            .bind(a.form.as_str())
            .bind(a.measure.clone())
            .bind(a.deciding_body.clone())
            .bind(a.decided_on.to_string())
            .bind(recorded_by.map(|u| u.to_string()))
            .bind(ts(at))
            .bind(a.version),
        )
        .await?;
        Ok(())
    }

    async fn insert_mechanism(
        &mut self,
        m: &Mechanism,
        recorded_by: Option<Id>,
        at: jiff::Timestamp,
    ) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO mechanisms (id, inspection_id, unit_id, title, is_new, doc_no, issued_on,
                    recorded_by, recorded_at, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(m.id.to_string())
            .bind(m.inspection_id.to_string())
            .bind(m.unit_id.to_string())
            .bind(m.title.clone())
            .bind(flag(m.is_new))
            .bind(m.doc_no.clone())
            .bind(m.issued_on.to_string())
            .bind(recorded_by.map(|u| u.to_string()))
            .bind(ts(at))
            .bind(m.version),
        )
        .await?;
        for (pos, t) in m.task_ids.iter().enumerate() {
            self.execute(
                sqlx::query(
                    "INSERT INTO mechanism_tasks (mechanism_id, task_id, position) VALUES ($1, $2, $3)",
                )
                .bind(m.id.to_string())
                .bind(t.to_string())
                .bind(pos as i16),
            )
            .await?;
        }
        Ok(())
    }
}
