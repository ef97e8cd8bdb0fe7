//! The search index's documents, one statement per kind: the record's plain columns joined to
//! its inspection's round for the round and year filters. Titles and bodies are put together
//! in SQL (`||`, the same on both backends); sealed columns are never selected.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::fieldwork::FieldMethod;
use xunshi_core::search::{DocKind, SearchDoc};
use xunshi_core::store::{PlaceKind, SearchRead};
use xunshi_core::{Id, Result};

use super::{DbTx, Mode, Where};
use crate::rows::{id, opt_id, opt_s, s};

/// What a kind's statement selects and from where: `key` is the column its ids are matched
/// and paged on.
struct Shape {
    select: &'static str,
    from: &'static str,
    key: &'static str,
    /// Which rows of the table are of the kind, where the table holds several.
    only: Option<&'static str>,
}

/// The columns after a document's id, title and body: its inspection (the record `x`'s), the
/// given unit, its round and year, the given status and parent.
macro_rules! filters {
    ($unit:literal, $status:literal, $parent:literal) => {
        concat!(
            ", x.inspection_id, ",
            $unit,
            " AS unit_id, i.round_id, CAST(r.year AS TEXT) AS year, ",
            $status,
            " AS status, ",
            $parent,
            " AS parent_id"
        )
    };
}

/// The join from the record `x` to its inspection `i` and that inspection's round `r`.
macro_rules! round_of_x {
    () => {
        " JOIN inspections i ON i.id = x.inspection_id JOIN rounds r ON r.id = i.round_id"
    };
}

fn shape(kind: DocKind) -> Shape {
    let (select, from, key, only) = match kind {
        DocKind::Problem => (
            concat!(
                "x.id, x.title, x.facts || ' ' || x.rule_broken || ' ' || x.responsibility AS body",
                filters!("x.target_unit_id", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!("problems x", round_of_x!()),
            "x.id",
            None,
        ),
        DocKind::Report => (
            concat!(
                "x.id, x.title, v.assessment || ' ' || v.recommendations || ' ' || v.note AS body",
                filters!("CAST(NULL AS TEXT)", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!(
                "reports x JOIN report_versions v
                     ON v.report_id = x.id AND v.number = x.current_version",
                round_of_x!()
            ),
            "x.id",
            None,
        ),
        DocKind::Feedback => (
            concat!(
                "x.inspection_id AS id, i.team_name || ' 巡视反馈意见' AS title,
                 x.assessment || ' ' || x.recommendations || ' ' || x.demands AS body",
                filters!("CAST(NULL AS TEXT)", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!("feedbacks x", round_of_x!()),
            "x.inspection_id",
            None,
        ),
        DocKind::Task => (
            concat!(
                "x.id, p.title || ' — ' || x.measure AS title,
                 x.target || ' ' || x.standard || ' ' || x.responsible_leader || ' '
                   || x.lead_department || ' ' || x.co_departments || ' '
                   || x.responsible_person AS body",
                filters!("x.unit_id", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!(
                "rectification_tasks x JOIN problems p ON p.id = x.problem_id",
                round_of_x!()
            ),
            "x.id",
            None,
        ),
        // A progress report `g` of the task `x`: the task's unit, status and inspection.
        DocKind::Progress => (
            concat!(
                "g.id, p.title || ' — 整改进展' AS title, g.body",
                filters!("x.unit_id", "x.status", "g.task_id")
            ),
            concat!(
                "task_progress g JOIN rectification_tasks x ON x.id = g.task_id
                 JOIN problems p ON p.id = x.problem_id",
                round_of_x!()
            ),
            "g.id",
            None,
        ),
        DocKind::Clue => (
            concat!(
                "x.id, x.about_name || ' ' || x.about_post AS title, x.summary AS body",
                filters!("x.about_unit_id", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!("clues x", round_of_x!()),
            "x.id",
            None,
        ),
        DocKind::Letter => (
            concat!(
                "x.id, '来信来访第' || CAST(x.number AS TEXT) || '号 ' || x.about_name || ' '
                   || x.about_post AS title,
                 x.content || ' ' || x.disposition AS body",
                filters!("CAST(NULL AS TEXT)", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!("letters x", round_of_x!()),
            "x.id",
            None,
        ),
        DocKind::DocRequest => (
            concat!(
                "x.id, '调阅材料第' || CAST(x.number AS TEXT) || '号 ' || u.name AS title,
                 x.materials || ' ' || x.notes || ' ' || x.answer AS body",
                filters!("x.unit_id", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!(
                "doc_requests x JOIN units u ON u.id = x.unit_id",
                round_of_x!()
            ),
            "x.id",
            None,
        ),
        // The title's method code is put in words by `doc`.
        DocKind::FieldRecord => (
            concat!(
                "x.id, x.method || ' ' || x.held_on AS title,
                 x.summary || ' ' || x.participants AS body",
                filters!("CAST(NULL AS TEXT)", "''", "CAST(NULL AS TEXT)")
            ),
            concat!("field_records x", round_of_x!()),
            "x.id",
            None,
        ),
        DocKind::RectReport | DocKind::Notice => (
            concat!(
                "x.id, x.title, x.body",
                filters!("x.unit_id", "x.status", "CAST(NULL AS TEXT)")
            ),
            concat!("rect_documents x", round_of_x!()),
            "x.id",
            Some(if kind == DocKind::Notice {
                "x.kind = 'public_notice'"
            } else {
                "x.kind <> 'public_notice'"
            }),
        ),
        DocKind::Unit => (
            "x.id, x.name AS title, '' AS body, CAST(NULL AS TEXT) AS inspection_id,
             x.id AS unit_id, CAST(NULL AS TEXT) AS round_id, CAST(NULL AS TEXT) AS year,
             CASE WHEN x.withdrawn = 0 THEN 'active' ELSE 'withdrawn' END AS status,
             CAST(NULL AS TEXT) AS parent_id",
            "units x",
            "x.id",
            None,
        ),
    };
    Shape {
        select,
        from,
        key,
        only,
    }
}

fn doc(kind: DocKind, r: &AnyRow) -> Result<SearchDoc> {
    let mut title = s(r, "title")?;
    if kind == DocKind::FieldRecord
        && let Some((code, day)) = title.split_once(' ')
    {
        title = format!("{} {day}", FieldMethod::parse(code)?.label());
    }
    Ok(SearchDoc {
        kind,
        id: id(r, "id")?,
        title,
        body: s(r, "body")?,
        inspection_id: opt_id(r, "inspection_id")?,
        unit_ids: opt_id(r, "unit_id")?.into_iter().collect(),
        round_id: opt_id(r, "round_id")?,
        year: opt_s(r, "year")?.and_then(|y| y.parse().ok()),
        status: s(r, "status")?,
        parent_id: opt_id(r, "parent_id")?,
    })
}

impl<M: Mode> DbTx<M> {
    async fn docs_where(&mut self, kind: DocKind, w: Where, tail: &str) -> Result<Vec<SearchDoc>> {
        let sh = shape(kind);
        let mut w = w;
        if let Some(only) = sh.only {
            w.fixed(only);
        }
        let sql = format!("SELECT {} FROM {} {} {tail}", sh.select, sh.from, w.sql());
        let mut docs = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| doc(kind, r))
            .collect::<Result<Vec<_>>>()?;
        if kind == DocKind::Feedback && !docs.is_empty() {
            // Feedback is given to every unit the inspection targets.
            let mut w = Where::default();
            let list = w.list(docs.iter().map(|d| d.id.to_string()));
            let sql = format!(
                "SELECT inspection_id, unit_id FROM inspection_targets
                 WHERE inspection_id IN ({list}) AND withdrawn_at IS NULL"
            );
            for r in self
                .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
                .await?
            {
                let (insp, unit) = (id(&r, "inspection_id")?, id(&r, "unit_id")?);
                if let Some(d) = docs.iter_mut().find(|d| d.id == insp) {
                    d.unit_ids.push(unit);
                }
            }
        }
        Ok(docs)
    }

    async fn ids_where(&mut self, sql: &str, ids: &[Id]) -> Result<Vec<Id>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(ids.iter().map(Id::to_string));
        let sql = sql.replace("{list}", &list);
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| id(r, "id"))
            .collect()
    }
}

impl<M: Mode> SearchRead for DbTx<M> {
    async fn search_docs(&mut self, kind: DocKind, ids: &[Id]) -> Result<Vec<SearchDoc>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let key = match kind {
            DocKind::Progress => "g.task_id",
            k => shape(k).key,
        };
        let mut w = Where::default();
        let list = w.list(ids.iter().map(Id::to_string));
        w.fixed(&format!("{key} IN ({list})"));
        self.docs_where(kind, w, "").await
    }

    async fn progress_docs(&mut self, ids: &[Id]) -> Result<Vec<SearchDoc>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(ids.iter().map(Id::to_string));
        w.fixed(&format!("{} IN ({list})", shape(DocKind::Progress).key));
        self.docs_where(DocKind::Progress, w, "").await
    }

    async fn search_docs_after(
        &mut self,
        kind: DocKind,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<SearchDoc>> {
        let key = shape(kind).key;
        let mut w = Where::default();
        if let Some(a) = after {
            let n = w.next();
            w.raw(format!("{key} > ${n}"), a.to_string());
        }
        self.docs_where(kind, w, &format!("ORDER BY {key} LIMIT {limit}"))
            .await
    }

    async fn count_search_docs(&mut self, kind: DocKind) -> Result<i64> {
        // Every kind's joins follow foreign keys, so its table alone counts its documents.
        let table = shape(kind)
            .from
            .split_whitespace()
            .next()
            .unwrap_or_default();
        let row = self
            .fetch_optional(sqlx::query(AssertSqlSafe(format!(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"
            ))))
            .await?;
        row.map_or(Ok(0), |r| crate::rows::i(&r, "n"))
    }

    async fn places(&mut self, kind: PlaceKind, ids: &[Id]) -> Result<Vec<(Id, Id, Id)>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let (table, unit) = match kind {
            PlaceKind::Task => ("rectification_tasks", "unit_id"),
            PlaceKind::Problem => ("problems", "target_unit_id"),
        };
        let mut w = Where::default();
        let list = w.list(ids.iter().map(Id::to_string));
        let sql = format!(
            "SELECT id, inspection_id, {unit} AS unit_id FROM {table} WHERE id IN ({list})"
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| Ok((id(r, "id")?, id(r, "inspection_id")?, id(r, "unit_id")?)))
            .collect()
    }

    async fn tasks_of_plans(&mut self, plans: &[Id]) -> Result<Vec<Id>> {
        self.ids_where(
            "SELECT id FROM rectification_tasks WHERE plan_id IN ({list})",
            plans,
        )
        .await
    }

    async fn clues_of_transfers(&mut self, transfers: &[Id]) -> Result<Vec<Id>> {
        self.ids_where(
            "SELECT id FROM clues WHERE transfer_id IN ({list})",
            transfers,
        )
        .await
    }
}
