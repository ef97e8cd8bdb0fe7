//! Terms, plans, rounds and inspections.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::access::Visible;
use xunshi_core::inspection::{
    AnnualPlan, Inspection, InspectionDates, InspectionKind, Round, Stage, Term,
};
use xunshi_core::page::{Keyset, PageRequest};
use xunshi_core::store::{
    Covered, InspectionFilter, InspectionSort, InspectionSortKey, PlanningRead, PlanningWrite,
};
use xunshi_core::{CoreError, Id, Result};

use super::{DbTx, KeyKind, Mode, Where, Writing, contains_clause, flag, keyset, like_pattern, ts};
use crate::rows::{self, date, flag as get_flag, i, id, opt_date, opt_id, s};

fn opt_day(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn term(r: &AnyRow) -> Result<Term> {
    Ok(Term {
        id: id(r, "id")?,
        name: s(r, "name")?,
        dispatcher_id: id(r, "dispatcher_id")?,
        starts_on: date(r, "starts_on")?,
        ends_on: opt_date(r, "ends_on")?,
        version: i(r, "version")?,
    })
}

fn plan(r: &AnyRow) -> Result<AnnualPlan> {
    Ok(AnnualPlan {
        id: id(r, "id")?,
        term_id: id(r, "term_id")?,
        year: i(r, "year")? as i16,
        title: s(r, "title")?,
        notes: s(r, "notes")?,
        version: i(r, "version")?,
    })
}

fn round(r: &AnyRow) -> Result<Round> {
    Ok(Round {
        id: id(r, "id")?,
        plan_id: id(r, "plan_id")?,
        term_id: id(r, "term_id")?,
        year: i(r, "year")? as i16,
        number: i(r, "number")? as i16,
        name: s(r, "name")?,
        version: i(r, "version")?,
    })
}

/// An inspection row; its targets are filled in separately.
fn inspection(r: &AnyRow) -> Result<Inspection> {
    inspection_at(r, "")
}

/// An inspection from the columns named with `prefix` (a join of several tables' rows).
pub(super) fn inspection_at(r: &AnyRow, prefix: &str) -> Result<Inspection> {
    let c = |name| rows::named(prefix, name);
    Ok(Inspection {
        id: id(r, &c("id"))?,
        round_id: id(r, &c("round_id"))?,
        dispatcher_id: id(r, &c("dispatcher_id"))?,
        team_name: s(r, &c("team_name"))?,
        target_ids: Vec::new(),
        kind: InspectionKind::parse(&s(r, &c("kind"))?)?,
        elevated: get_flag(r, &c("elevated"))?,
        cross: get_flag(r, &c("cross_locality"))?,
        linked: get_flag(r, &c("linked"))?,
        look_back_of: opt_id(r, &c("look_back_of"))?,
        stage: Stage::parse(&s(r, &c("stage"))?)?,
        dates: InspectionDates {
            planned_entry: opt_date(r, &c("planned_entry"))?,
            planned_exit: opt_date(r, &c("planned_exit"))?,
            entry: opt_date(r, &c("entry_on"))?,
            exit: opt_date(r, &c("exit_on"))?,
            reported_to_group: opt_date(r, &c("reported_to_group"))?,
            reported_to_committee: opt_date(r, &c("reported_to_committee"))?,
            feedback: opt_date(r, &c("feedback_on"))?,
        },
        version: i(r, &c("version"))?,
        created_at: rows::ts(r, &c("created_at"))?,
        updated_at: rows::ts(r, &c("updated_at"))?,
    })
}

pub(super) const INSPECTION_COLS: &str = "id, round_id, dispatcher_id, team_name, kind, elevated, cross_locality, \
     linked, look_back_of, stage, planned_entry, planned_exit, entry_on, exit_on, reported_to_group, \
     reported_to_committee, feedback_on, version, created_at, updated_at";

impl<M: Mode> DbTx<M> {
    /// Keeps the targets in step with `insp`: a unit no longer inspected is withdrawn (its row
    /// kept, with the time), a unit inspected again is restored, never deleted and re-inserted.
    async fn write_targets(&mut self, insp: &Inspection) -> Result<()> {
        let mut w = Where::default();
        let at = w.next();
        let _ = w.list([ts(insp.updated_at), insp.id.to_string()].into_iter());
        let keep = if insp.target_ids.is_empty() {
            String::new()
        } else {
            let list = w.list(insp.target_ids.iter().map(Id::to_string));
            format!(" AND unit_id NOT IN ({list})")
        };
        let sql = format!(
            "UPDATE inspection_targets SET withdrawn_at = ${at}
              WHERE inspection_id = ${} AND withdrawn_at IS NULL{keep}",
            at + 1
        );
        self.execute(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        for (pos, unit) in insp.target_ids.iter().enumerate() {
            self.execute(
                sqlx::query(
                    "INSERT INTO inspection_targets (inspection_id, unit_id, position) VALUES ($1, $2, $3)
                     ON CONFLICT (inspection_id, unit_id)
                     DO UPDATE SET position = excluded.position, withdrawn_at = NULL",
                )
                .bind(insp.id.to_string())
                .bind(unit.to_string())
                .bind(pos as i16),
            )
            .await?;
        }
        Ok(())
    }

    /// Fills in the targets of inspections read without them, in one query.
    async fn with_targets(&mut self, mut list: Vec<Inspection>) -> Result<Vec<Inspection>> {
        if list.is_empty() {
            return Ok(list);
        }
        let placeholders: Vec<_> = (1..=list.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT inspection_id, unit_id FROM inspection_targets
              WHERE inspection_id IN ({}) AND withdrawn_at IS NULL
             ORDER BY inspection_id, position",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for insp in &list {
            q = q.bind(insp.id.to_string());
        }
        let rows = self.fetch_all(q).await?;
        for r in &rows {
            let insp_id = id(r, "inspection_id")?;
            let unit = id(r, "unit_id")?;
            if let Some(insp) = list.iter_mut().find(|x| x.id == insp_id) {
                insp.target_ids.push(unit);
            }
        }
        Ok(list)
    }
}

/// The `WHERE` of an inspection list: the filter, narrowed to what `visible` lets the reader
/// see (a unit's people only once feedback is given); `None` when that is nothing.
pub(super) fn inspection_where(f: &InspectionFilter, visible: &Visible) -> Option<Where> {
    let mut w = Where::default();
    if let Some(r) = f.round_id {
        w.eq("round_id", r.to_string());
    }
    if let Some(t) = f.term_id {
        let n = w.next();
        w.raw(
            format!("round_id IN (SELECT id FROM rounds WHERE term_id = ${n})"),
            t.to_string(),
        );
    }
    if let Some(u) = f.unit_id {
        let n = w.next();
        w.raw(
            format!(
                "id IN (SELECT inspection_id FROM inspection_targets
                         WHERE unit_id = ${n} AND withdrawn_at IS NULL)"
            ),
            u.to_string(),
        );
    }
    if let Some(d) = f.dispatcher_id {
        w.eq("dispatcher_id", d.to_string());
    }
    if let Some(s) = f.stage {
        w.eq("stage", s.as_str());
    }
    if f.fed_back {
        w.fixed("stage IN ('feedback_given', 'rectification', 'archived')");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let n = w.next();
        let named = contains_clause(&["team_name"], n, q);
        let unit = contains_clause(&["u.name"], n, q);
        w.raw(
            format!(
                "({named} OR id IN (SELECT it.inspection_id FROM inspection_targets it
                                     JOIN units u ON u.id = it.unit_id
                                    WHERE it.withdrawn_at IS NULL AND {unit}))"
            ),
            like_pattern(q),
        );
    }
    if !f.own_units.is_empty() {
        // The own-unit rule: an inspection of a unit the reader belongs to only through a unit
        // role on one of its units, once feedback is given.
        let own = w.list(f.own_units.iter().map(Id::to_string));
        let mut keep = format!(
            "id NOT IN (SELECT inspection_id FROM inspection_targets
                         WHERE unit_id IN ({own}) AND withdrawn_at IS NULL)"
        );
        if !f.unit_roles.is_empty() {
            let roles = w.list(f.unit_roles.iter().map(Id::to_string));
            keep = format!(
                "({keep} OR (id IN (SELECT inspection_id FROM inspection_targets
                                     WHERE unit_id IN ({roles}) AND withdrawn_at IS NULL)
                             AND stage IN ('feedback_given', 'rectification', 'archived')))"
            );
        }
        w.fixed(&keep);
    }
    if let Visible::Some {
        inspections,
        feedback_units,
        dispatchers,
    } = visible
    {
        let mut any = Vec::new();
        if !inspections.is_empty() {
            let list = w.list(inspections.iter().map(|i| i.to_string()));
            any.push(format!("id IN ({list})"));
        }
        if !dispatchers.is_empty() {
            let list = w.list(dispatchers.iter().map(|i| i.to_string()));
            any.push(format!("dispatcher_id IN ({list})"));
        }
        if !feedback_units.is_empty() {
            let list = w.list(feedback_units.iter().map(|i| i.to_string()));
            any.push(format!(
                "(id IN (SELECT inspection_id FROM inspection_targets
                          WHERE unit_id IN ({list}) AND withdrawn_at IS NULL)
                      AND stage IN ('feedback_given', 'rectification', 'archived'))"
            ));
        }
        if any.is_empty() {
            return None;
        }
        w.fixed(&format!("({})", any.join(" OR ")));
    }
    Some(w)
}

impl<M: Mode> PlanningRead for DbTx<M> {
    async fn count_inspections(&mut self, f: &InspectionFilter, visible: &Visible) -> Result<i64> {
        let Some(w) = inspection_where(f, visible) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM inspections {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| crate::rows::i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn get_term(&mut self, tid: Id) -> Result<Option<Term>> {
        self.fetch_optional(
            sqlx::query("SELECT id, name, dispatcher_id, starts_on, ends_on, version FROM terms WHERE id = $1")
                .bind(tid.to_string()),
        )
        .await?
        .map(|r| term(&r))
        .transpose()
    }

    async fn list_terms(&mut self) -> Result<Vec<Term>> {
        self.fetch_all(sqlx::query(
            "SELECT id, name, dispatcher_id, starts_on, ends_on, version FROM terms ORDER BY starts_on DESC",
        ))
        .await?
        .iter()
        .map(term)
        .collect()
    }

    async fn get_plan(&mut self, pid: Id) -> Result<Option<AnnualPlan>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT id, term_id, year, title, notes, version FROM annual_plans WHERE id = $1",
            )
            .bind(pid.to_string()),
        )
        .await?
        .map(|r| plan(&r))
        .transpose()
    }

    async fn list_plans(&mut self, term_id: Option<Id>) -> Result<Vec<AnnualPlan>> {
        let mut w = Where::default();
        if let Some(t) = term_id {
            w.eq("term_id", t.to_string());
        }
        let sql = format!(
            "SELECT id, term_id, year, title, notes, version FROM annual_plans {} ORDER BY year DESC, id",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(plan)
            .collect()
    }

    async fn get_round(&mut self, rid: Id) -> Result<Option<Round>> {
        self.fetch_optional(
            sqlx::query("SELECT id, plan_id, term_id, year, number, name, version FROM rounds WHERE id = $1")
                .bind(rid.to_string()),
        )
        .await?
        .map(|r| round(&r))
        .transpose()
    }

    async fn list_rounds(&mut self, term_id: Option<Id>) -> Result<Vec<Round>> {
        let mut w = Where::default();
        if let Some(t) = term_id {
            w.eq("term_id", t.to_string());
        }
        let sql = format!(
            "SELECT id, plan_id, term_id, year, number, name, version FROM rounds {} ORDER BY year DESC, number DESC",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(round)
            .collect()
    }

    async fn get_inspection(&mut self, iid: Id) -> Result<Option<Inspection>> {
        let sql = format!("SELECT {INSPECTION_COLS} FROM inspections WHERE id = $1");
        let found = self
            .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(iid.to_string()))
            .await?
            .map(|r| inspection(&r))
            .transpose()?;
        match found {
            Some(x) => Ok(self.with_targets(vec![x]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn inspection_ids_sent_by(&mut self, dispatchers: &[Id]) -> Result<Vec<Id>> {
        if dispatchers.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(dispatchers.iter().map(Id::to_string));
        let sql = format!("SELECT id FROM inspections WHERE dispatcher_id IN ({list})");
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| id(r, "id"))
            .collect()
    }

    async fn get_inspections(&mut self, ids: &[Id]) -> Result<Vec<Inspection>> {
        let mut found = Vec::with_capacity(ids.len());
        // Chunked to stay within the backends' limits on bound parameters.
        for chunk in ids.chunks(500) {
            let mut w = Where::default();
            let list = w.list(chunk.iter().map(Id::to_string));
            let sql = format!("SELECT {INSPECTION_COLS} FROM inspections WHERE id IN ({list})");
            let rows = self
                .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
                .await?
                .iter()
                .map(inspection)
                .collect::<Result<Vec<_>>>()?;
            found.extend(self.with_targets(rows).await?);
        }
        Ok(found)
    }

    async fn list_inspections(
        &mut self,
        f: &InspectionFilter,
        visible: &Visible,
        page: PageRequest,
    ) -> Result<Vec<Inspection>> {
        let Some(mut w) = inspection_where(f, visible) else {
            return Ok(Vec::new());
        };
        let (cmp, order) = if f.newest_first {
            ("<", "DESC")
        } else {
            (">", "ASC")
        };
        if let Some(after) = page.after {
            let n = w.next();
            w.raw(format!("id {cmp} ${n}"), after.to_string());
        }
        let sql = format!(
            "SELECT {INSPECTION_COLS} FROM inspections {} ORDER BY id {order} LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        let list = rows.iter().map(inspection).collect::<Result<Vec<_>>>()?;
        self.with_targets(list).await
    }

    async fn inspections_sorted(
        &mut self,
        f: &InspectionFilter,
        visible: &Visible,
        sort: InspectionSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Inspection>> {
        let Some(mut w) = inspection_where(f, visible) else {
            return Ok(Vec::new());
        };
        // Each key is written exactly as its index (migration 0025) is, so the planners walk
        // it in order; a missing day sorts after every day on both backends alike.
        let key = match sort.key {
            InspectionSortKey::Seq => None,
            InspectionSortKey::Round => Some(("round_id", KeyKind::Column)),
            InspectionSortKey::Team => Some(("team_name", KeyKind::Column)),
            InspectionSortKey::Kind => Some(("kind", KeyKind::Column)),
            InspectionSortKey::Entry => Some((
                "COALESCE(entry_on, planned_entry, '9999-12-31')",
                KeyKind::Expression,
            )),
            InspectionSortKey::Feedback => {
                Some(("COALESCE(feedback_on, '9999-12-31')", KeyKind::Expression))
            }
            InspectionSortKey::Stage => Some(("stage", KeyKind::Column)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {INSPECTION_COLS} FROM inspections {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        let list = rows.iter().map(inspection).collect::<Result<Vec<_>>>()?;
        self.with_targets(list).await
    }

    async fn covered_in_term(&mut self, term_id: Id) -> Result<Vec<Covered>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT t.unit_id, i.id AS inspection_id, i.stage
                     FROM inspection_targets t
                     JOIN inspections i ON i.id = t.inspection_id
                     JOIN rounds r ON r.id = i.round_id
                     WHERE r.term_id = $1 AND t.withdrawn_at IS NULL
                     ORDER BY i.id",
                )
                .bind(term_id.to_string()),
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Covered {
                    unit_id: id(r, "unit_id")?,
                    inspection_id: id(r, "inspection_id")?,
                    stage: Stage::parse(&s(r, "stage")?)?,
                })
            })
            .collect()
    }
}

impl PlanningWrite for DbTx<Writing> {
    async fn insert_term(&mut self, t: &Term) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO terms (id, name, dispatcher_id, starts_on, ends_on, version)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(t.id.to_string())
            .bind(t.name.clone())
            .bind(t.dispatcher_id.to_string())
            .bind(t.starts_on.to_string())
            .bind(opt_day(t.ends_on))
            .bind(t.version),
        )
        .await?;
        Ok(())
    }

    async fn insert_plan(&mut self, p: &AnnualPlan) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO annual_plans (id, term_id, year, title, notes, version)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(p.id.to_string())
            .bind(p.term_id.to_string())
            .bind(p.year)
            .bind(p.title.clone())
            .bind(p.notes.clone())
            .bind(p.version),
        )
        .await?;
        Ok(())
    }

    async fn insert_round(&mut self, r: &Round) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO rounds (id, plan_id, term_id, year, number, name, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(r.id.to_string())
            .bind(r.plan_id.to_string())
            .bind(r.term_id.to_string())
            .bind(r.year)
            .bind(r.number)
            .bind(r.name.clone())
            .bind(r.version),
        )
        .await?;
        Ok(())
    }

    async fn insert_inspection(&mut self, x: &Inspection) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO inspections (id, round_id, dispatcher_id, team_name, kind, elevated,
                    cross_locality, linked, look_back_of, stage, planned_entry, planned_exit, entry_on,
                    exit_on, reported_to_group, reported_to_committee, feedback_on, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)",
            )
            .bind(x.id.to_string())
            .bind(x.round_id.to_string())
            .bind(x.dispatcher_id.to_string())
            .bind(x.team_name.clone())
            .bind(x.kind.as_str())
            .bind(flag(x.elevated))
            .bind(flag(x.cross))
            .bind(flag(x.linked))
            .bind(x.look_back_of.map(|i| i.to_string()))
            .bind(x.stage.as_str())
            .bind(opt_day(x.dates.planned_entry))
            .bind(opt_day(x.dates.planned_exit))
            .bind(opt_day(x.dates.entry))
            .bind(opt_day(x.dates.exit))
            .bind(opt_day(x.dates.reported_to_group))
            .bind(opt_day(x.dates.reported_to_committee))
            .bind(opt_day(x.dates.feedback))
            .bind(x.version)
            .bind(ts(x.created_at))
            .bind(ts(x.updated_at)),
        )
        .await?;
        self.write_targets(x).await?;
        self.refresh_clocks(Some(x.id)).await
    }

    async fn update_inspection(&mut self, x: &Inspection) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE inspections SET round_id = $1, team_name = $2, kind = $3, elevated = $4,
                        cross_locality = $5, linked = $6, look_back_of = $7, stage = $8, planned_entry = $9,
                        planned_exit = $10, entry_on = $11, exit_on = $12, reported_to_group = $13,
                        reported_to_committee = $14, feedback_on = $15, version = $16, updated_at = $17
                     WHERE id = $18 AND version = $19",
                )
                .bind(x.round_id.to_string())
                .bind(x.team_name.clone())
                .bind(x.kind.as_str())
                .bind(flag(x.elevated))
                .bind(flag(x.cross))
                .bind(flag(x.linked))
                .bind(x.look_back_of.map(|i| i.to_string()))
                .bind(x.stage.as_str())
                .bind(opt_day(x.dates.planned_entry))
                .bind(opt_day(x.dates.planned_exit))
                .bind(opt_day(x.dates.entry))
                .bind(opt_day(x.dates.exit))
                .bind(opt_day(x.dates.reported_to_group))
                .bind(opt_day(x.dates.reported_to_committee))
                .bind(opt_day(x.dates.feedback))
                .bind(x.version)
                .bind(ts(x.updated_at))
                .bind(x.id.to_string())
                .bind(x.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!(
                "巡视任务“{}”",
                x.team_name
            )));
        }
        self.write_targets(x).await?;
        self.refresh_clocks(Some(x.id)).await
    }
}
