//! The problem taxonomy, working papers, evidence files and immediate-fix notices.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::page::Keyset;
use xunshi_core::paper::{
    Evidence, FileKind, ImmediateFixNotice, NoticeStatus, Problem, ProblemStatus,
    ResponsibilityType, Severity, Signature,
};
use xunshi_core::store::{PaperRead, PaperWrite, ProblemFilter, ProblemSort, ProblemSortKey};
use xunshi_core::taxonomy::{Category, TaxonomyVersion};
use xunshi_core::{CoreError, Id, Result};

use super::{DbTx, KeyKind, Mode, Where, Writing, contains_clause, keyset, like_pattern, ts};
use crate::rows::{self, date, i, id, opt_date, opt_id, opt_s, opt_ts, s};

/// A paper's severity by its rank, from the least grave, written as the index of migration 0027
/// writes it so that both backends walk that index.
const SEVERITY_RANK: &str =
    "(CASE severity WHEN 'general' THEN '1' WHEN 'serious' THEN '2' ELSE '3' END)";

/// The `WHERE` of an inspection's papers under a filter, the same for the rows and the count.
fn problem_where(inspection_id: Id, f: &ProblemFilter) -> Where {
    let mut w = Where::default();
    w.eq("inspection_id", inspection_id.to_string());
    if let Some(c) = f.category_id {
        w.eq("category_id", c.to_string());
    }
    if let Some(st) = f.status {
        w.eq("status", st.as_str());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["title"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    w
}

/// A signature kept in three columns `<p>_by`, `<p>_by_name`, `<p>_at`; absent when `<p>_at`
/// is null.
pub(crate) fn opt_sig(r: &AnyRow, p: &str) -> Result<Option<Signature>> {
    let Some(at) = opt_ts(r, &format!("{p}_at"))? else {
        return Ok(None);
    };
    Ok(Some(Signature {
        by: opt_id(r, &format!("{p}_by"))?,
        name: opt_s(r, &format!("{p}_by_name"))?.unwrap_or_default(),
        at,
    }))
}

pub(crate) fn sig(r: &AnyRow, p: &str) -> Result<Signature> {
    opt_sig(r, p)?.ok_or_else(|| CoreError::internal(format!("{p}_at is missing")))
}

/// The three columns of a signature, for binding.
pub(crate) fn sig_cols(s: Option<&Signature>) -> (Option<String>, Option<String>, Option<String>) {
    match s {
        Some(s) => (
            s.by.map(|b| b.to_string()),
            Some(s.name.clone()),
            Some(ts(s.at)),
        ),
        None => (None, None, None),
    }
}

pub(crate) fn json_text<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(CoreError::internal)
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(r: &AnyRow, col: &str) -> Result<T> {
    let raw = s(r, col)?;
    serde_json::from_str(&raw)
        .map_err(|e| CoreError::internal(format!("{col} holds bad JSON: {e}")))
}

fn day(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

fn taxonomy_version(r: &AnyRow) -> Result<TaxonomyVersion> {
    Ok(TaxonomyVersion {
        id: id(r, "id")?,
        code: s(r, "code")?,
        name: s(r, "name")?,
        valid_from: date(r, "valid_from")?,
    })
}

fn category(r: &AnyRow) -> Result<Category> {
    Ok(Category {
        id: id(r, "id")?,
        version_id: id(r, "version_id")?,
        code: s(r, "code")?,
        name: s(r, "name")?,
        position: i(r, "position")? as i32,
    })
}

const PROBLEM_COLS: &str = "id, inspection_id, seq, target_unit_id, taxonomy_version_id, category_id, \
     title, facts, rule_broken, responsibility, responsibility_types, severity, status, \
     created_by, created_by_name, created_at, approved_by, approved_by_name, approved_at, \
     signed_by, signed_by_name, signed_at, status_note, version, updated_at";

fn problem(r: &AnyRow) -> Result<Problem> {
    let codes: Vec<String> = from_json(r, "responsibility_types")?;
    Ok(Problem {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        seq: i(r, "seq")? as i32,
        target_unit_id: id(r, "target_unit_id")?,
        taxonomy_version_id: id(r, "taxonomy_version_id")?,
        category_id: id(r, "category_id")?,
        title: s(r, "title")?,
        facts: s(r, "facts")?,
        rule_broken: s(r, "rule_broken")?,
        responsibility: s(r, "responsibility")?,
        responsibility_types: codes
            .iter()
            .map(|c| ResponsibilityType::parse(c))
            .collect::<Result<_>>()?,
        severity: Severity::parse(&s(r, "severity")?)?,
        status: ProblemStatus::parse(&s(r, "status")?)?,
        created: sig(r, "created")?,
        approved: opt_sig(r, "approved")?,
        signed: opt_sig(r, "signed")?,
        status_note: opt_s(r, "status_note")?,
        version: i(r, "version")?,
        updated_at: rows::ts(r, "updated_at")?,
    })
}

fn type_codes(p: &Problem) -> Result<String> {
    let codes: Vec<&str> = p.responsibility_types.iter().map(|t| t.as_str()).collect();
    json_text(&codes)
}

const EVIDENCE_COLS: &str = "id, problem_id, inspection_id, filename, size, content_type, kind, sha256, \
     uploaded_by, uploaded_by_name, uploaded_at, withdrawn_by, withdrawn_by_name, withdrawn_at, \
     withdrawn_reason";

fn evidence(r: &AnyRow) -> Result<Evidence> {
    Ok(Evidence {
        id: id(r, "id")?,
        problem_id: id(r, "problem_id")?,
        inspection_id: id(r, "inspection_id")?,
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

const NOTICE_COLS: &str = "id, inspection_id, unit_id, problem_id, seq, content, issued_on, due_on, status, \
     issued_by, issued_by_name, issued_at, answer, answered_on, answered_by, answered_by_name, \
     answered_at, review_comment, reviewed_by, reviewed_by_name, reviewed_at, version";

fn notice(r: &AnyRow) -> Result<ImmediateFixNotice> {
    Ok(ImmediateFixNotice {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        unit_id: id(r, "unit_id")?,
        problem_id: opt_id(r, "problem_id")?,
        seq: i(r, "seq")? as i32,
        content: s(r, "content")?,
        issued_on: date(r, "issued_on")?,
        due_on: opt_date(r, "due_on")?,
        status: NoticeStatus::parse(&s(r, "status")?)?,
        issued: sig(r, "issued")?,
        answer: opt_s(r, "answer")?,
        answered_on: opt_date(r, "answered_on")?,
        answered: opt_sig(r, "answered")?,
        review_comment: opt_s(r, "review_comment")?,
        reviewed: opt_sig(r, "reviewed")?,
        version: i(r, "version")?,
    })
}

impl<M: Mode> PaperRead for DbTx<M> {
    async fn list_taxonomy_versions(&mut self) -> Result<Vec<TaxonomyVersion>> {
        self.fetch_all(sqlx::query(
            "SELECT id, code, name, valid_from FROM taxonomy_versions ORDER BY valid_from, id",
        ))
        .await?
        .iter()
        .map(taxonomy_version)
        .collect()
    }

    async fn get_taxonomy_version(&mut self, vid: Id) -> Result<Option<TaxonomyVersion>> {
        self.fetch_optional(
            sqlx::query("SELECT id, code, name, valid_from FROM taxonomy_versions WHERE id = $1")
                .bind(vid.to_string()),
        )
        .await?
        .map(|r| taxonomy_version(&r))
        .transpose()
    }

    async fn list_categories(&mut self, version_id: Option<Id>) -> Result<Vec<Category>> {
        let mut w = Where::default();
        if let Some(v) = version_id {
            w.eq("version_id", v.to_string());
        }
        let sql = format!(
            "SELECT id, version_id, code, name, position FROM problem_categories {} \
             ORDER BY version_id, position, id",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(category)
            .collect()
    }

    async fn get_category(&mut self, cid: Id) -> Result<Option<Category>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT id, version_id, code, name, position FROM problem_categories WHERE id = $1",
            )
            .bind(cid.to_string()),
        )
        .await?
        .map(|r| category(&r))
        .transpose()
    }

    async fn get_problem(&mut self, pid: Id) -> Result<Option<Problem>> {
        let sql = format!("SELECT {PROBLEM_COLS} FROM problems WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(pid.to_string()))
            .await?
            .map(|r| problem(&r))
            .transpose()
    }

    async fn list_problems(
        &mut self,
        inspection_id: Id,
        f: &ProblemFilter,
    ) -> Result<Vec<Problem>> {
        let w = problem_where(inspection_id, f);
        let sql = format!(
            "SELECT {PROBLEM_COLS} FROM problems {} ORDER BY seq",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(problem)
            .collect()
    }

    async fn problems_sorted(
        &mut self,
        inspection_id: Id,
        f: &ProblemFilter,
        sort: ProblemSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Problem>> {
        let mut w = problem_where(inspection_id, f);
        // Each key walks the inspection's papers over its index of (inspection_id, key, id)
        // (migration 0027); a severity by its rank, as the index writes it.
        let key = match sort.key {
            ProblemSortKey::Seq => None,
            ProblemSortKey::Title => Some(("title", KeyKind::Column)),
            ProblemSortKey::Category => Some(("category_id", KeyKind::Column)),
            ProblemSortKey::Severity => Some((SEVERITY_RANK, KeyKind::Expression)),
            ProblemSortKey::Status => Some(("status", KeyKind::Column)),
            ProblemSortKey::Updated => Some(("updated_at", KeyKind::Column)),
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {PROBLEM_COLS} FROM problems {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(problem)
            .collect()
    }

    async fn count_problems(&mut self, inspection_id: Id, f: &ProblemFilter) -> Result<i64> {
        let w = problem_where(inspection_id, f);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM problems {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn problem_status_counts(
        &mut self,
        inspection_id: Id,
    ) -> Result<Vec<(ProblemStatus, i64)>> {
        self.fetch_all(
            sqlx::query(
                "SELECT status, CAST(COUNT(*) AS BIGINT) AS n FROM problems
                 WHERE inspection_id = $1 GROUP BY status",
            )
            .bind(inspection_id.to_string()),
        )
        .await?
        .iter()
        .map(|r| Ok((ProblemStatus::parse(&s(r, "status")?)?, i(r, "n")?)))
        .collect()
    }

    async fn max_problem_seq(&mut self, inspection_id: Id) -> Result<i32> {
        let row = self
            .fetch_optional(
                sqlx::query(
                    "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS n FROM problems WHERE inspection_id = $1",
                )
                .bind(inspection_id.to_string()),
            )
            .await?;
        Ok(row.map(|r| i(&r, "n")).transpose()?.unwrap_or(0) as i32)
    }

    async fn get_evidence(&mut self, eid: Id) -> Result<Option<Evidence>> {
        let sql = format!("SELECT {EVIDENCE_COLS} FROM evidence WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(eid.to_string()))
            .await?
            .map(|r| evidence(&r))
            .transpose()
    }

    async fn list_evidence(&mut self, problem_id: Id) -> Result<Vec<Evidence>> {
        let sql = format!("SELECT {EVIDENCE_COLS} FROM evidence WHERE problem_id = $1 ORDER BY id");
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(problem_id.to_string()))
            .await?
            .iter()
            .map(evidence)
            .collect()
    }

    async fn count_evidence(&mut self, inspection_id: Id) -> Result<Vec<(Id, i64)>> {
        self.fetch_all(
            sqlx::query(
                "SELECT problem_id, CAST(COUNT(*) AS BIGINT) AS n FROM evidence
                 WHERE inspection_id = $1 AND withdrawn_at IS NULL GROUP BY problem_id",
            )
            .bind(inspection_id.to_string()),
        )
        .await?
        .iter()
        .map(|r| Ok((id(r, "problem_id")?, i(r, "n")?)))
        .collect()
    }

    async fn get_notice(&mut self, nid: Id) -> Result<Option<ImmediateFixNotice>> {
        let sql = format!("SELECT {NOTICE_COLS} FROM fix_notices WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(nid.to_string()))
            .await?
            .map(|r| notice(&r))
            .transpose()
    }

    async fn list_notices(
        &mut self,
        inspection_id: Option<Id>,
        units: Option<&[Id]>,
    ) -> Result<Vec<ImmediateFixNotice>> {
        let mut w = Where::default();
        if let Some(insp) = inspection_id {
            w.eq("inspection_id", insp.to_string());
        }
        if let Some(units) = units {
            if units.is_empty() {
                return Ok(Vec::new());
            }
            let list = w.list(units.iter().map(|u| u.to_string()));
            w.fixed(&format!("unit_id IN ({list})"));
        }
        let sql = format!(
            "SELECT {NOTICE_COLS} FROM fix_notices {} ORDER BY inspection_id, seq",
            w.sql()
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(notice)
            .collect()
    }

    async fn max_notice_seq(&mut self, inspection_id: Id) -> Result<i32> {
        let row = self
            .fetch_optional(
                sqlx::query(
                    "SELECT CAST(COALESCE(MAX(seq), 0) AS BIGINT) AS n FROM fix_notices WHERE inspection_id = $1",
                )
                .bind(inspection_id.to_string()),
            )
            .await?;
        Ok(row.map(|r| i(&r, "n")).transpose()?.unwrap_or(0) as i32)
    }
}

impl PaperWrite for DbTx<Writing> {
    async fn insert_taxonomy_version(&mut self, v: &TaxonomyVersion) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO taxonomy_versions (id, code, name, valid_from) VALUES ($1, $2, $3, $4)",
            )
            .bind(v.id.to_string())
            .bind(v.code.clone())
            .bind(v.name.clone())
            .bind(v.valid_from.to_string()),
        )
        .await?;
        Ok(())
    }

    async fn insert_category(&mut self, c: &Category) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO problem_categories (id, version_id, code, name, position)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(c.id.to_string())
            .bind(c.version_id.to_string())
            .bind(c.code.clone())
            .bind(c.name.clone())
            .bind(c.position),
        )
        .await?;
        Ok(())
    }

    async fn insert_problem(&mut self, p: &Problem) -> Result<()> {
        let (cb, cn, ca) = sig_cols(Some(&p.created));
        let (ab, an, aa) = sig_cols(p.approved.as_ref());
        let (sb, sn, sa) = sig_cols(p.signed.as_ref());
        let sql = format!(
            "INSERT INTO problems ({PROBLEM_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(p.id.to_string())
                .bind(p.inspection_id.to_string())
                .bind(p.seq)
                .bind(p.target_unit_id.to_string())
                .bind(p.taxonomy_version_id.to_string())
                .bind(p.category_id.to_string())
                .bind(p.title.clone())
                .bind(p.facts.clone())
                .bind(p.rule_broken.clone())
                .bind(p.responsibility.clone())
                .bind(type_codes(p)?)
                .bind(p.severity.as_str())
                .bind(p.status.as_str())
                .bind(cb)
                .bind(cn)
                .bind(ca)
                .bind(ab)
                .bind(an)
                .bind(aa)
                .bind(sb)
                .bind(sn)
                .bind(sa)
                .bind(p.status_note.clone())
                .bind(p.version)
                .bind(ts(p.updated_at)),
        )
        .await?;
        Ok(())
    }

    async fn update_problem(&mut self, p: &Problem) -> Result<()> {
        // The title is searched with the problem's tasks (the text index holds its pairs).
        let old_title = self
            .fetch_optional(
                sqlx::query("SELECT title FROM problems WHERE id = $1").bind(p.id.to_string()),
            )
            .await?
            .map(|r| s(&r, "title"))
            .transpose()?;
        let (ab, an, aa) = sig_cols(p.approved.as_ref());
        let (sb, sn, sa) = sig_cols(p.signed.as_ref());
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE problems SET target_unit_id = $1, taxonomy_version_id = $2, category_id = $3,
                        title = $4, facts = $5, rule_broken = $6, responsibility = $7,
                        responsibility_types = $8, severity = $9, status = $10,
                        approved_by = $11, approved_by_name = $12, approved_at = $13,
                        signed_by = $14, signed_by_name = $15, signed_at = $16, status_note = $17,
                        version = $18, updated_at = $19
                     WHERE id = $20 AND version = $21",
                )
                .bind(p.target_unit_id.to_string())
                .bind(p.taxonomy_version_id.to_string())
                .bind(p.category_id.to_string())
                .bind(p.title.clone())
                .bind(p.facts.clone())
                .bind(p.rule_broken.clone())
                .bind(p.responsibility.clone())
                .bind(type_codes(p)?)
                .bind(p.severity.as_str())
                .bind(p.status.as_str())
                .bind(ab)
                .bind(an)
                .bind(aa)
                .bind(sb)
                .bind(sn)
                .bind(sa)
                .bind(p.status_note.clone())
                .bind(p.version)
                .bind(ts(p.updated_at))
                .bind(p.id.to_string())
                .bind(p.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("问题底稿第{}号", p.seq)));
        }
        if old_title.is_some_and(|t| t != p.title) {
            let tasks: Vec<String> = self
                .fetch_all(
                    sqlx::query("SELECT id FROM rectification_tasks WHERE problem_id = $1")
                        .bind(p.id.to_string()),
                )
                .await?
                .iter()
                .map(|r| s(r, "id"))
                .collect::<Result<_>>()?;
            self.refresh_task_text(&tasks).await?;
        }
        Ok(())
    }

    async fn insert_evidence(&mut self, e: &Evidence) -> Result<()> {
        let (ub, un, ua) = sig_cols(Some(&e.uploaded));
        let (wb, wn, wa) = sig_cols(e.withdrawn.as_ref());
        let sql = format!(
            "INSERT INTO evidence ({EVIDENCE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                $11, $12, $13, $14, $15)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(e.id.to_string())
                .bind(e.problem_id.to_string())
                .bind(e.inspection_id.to_string())
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

    async fn withdraw_evidence(&mut self, e: &Evidence) -> Result<bool> {
        let (wb, wn, wa) = sig_cols(e.withdrawn.as_ref());
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE evidence SET withdrawn_by = $1, withdrawn_by_name = $2, withdrawn_at = $3,
                        withdrawn_reason = $4
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

    async fn insert_notice(&mut self, n: &ImmediateFixNotice) -> Result<()> {
        let (ib, iname, ia) = sig_cols(Some(&n.issued));
        let (ab, an, aa) = sig_cols(n.answered.as_ref());
        let (rb, rn, ra) = sig_cols(n.reviewed.as_ref());
        let sql = format!(
            "INSERT INTO fix_notices ({NOTICE_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,
                $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(n.id.to_string())
                .bind(n.inspection_id.to_string())
                .bind(n.unit_id.to_string())
                .bind(n.problem_id.map(|p| p.to_string()))
                .bind(n.seq)
                .bind(n.content.clone())
                .bind(n.issued_on.to_string())
                .bind(day(n.due_on))
                .bind(n.status.as_str())
                .bind(ib)
                .bind(iname)
                .bind(ia)
                .bind(n.answer.clone())
                .bind(day(n.answered_on))
                .bind(ab)
                .bind(an)
                .bind(aa)
                .bind(n.review_comment.clone())
                .bind(rb)
                .bind(rn)
                .bind(ra)
                .bind(n.version),
        )
        .await?;
        Ok(())
    }

    async fn update_notice(&mut self, n: &ImmediateFixNotice) -> Result<()> {
        let (ab, an, aa) = sig_cols(n.answered.as_ref());
        let (rb, rn, ra) = sig_cols(n.reviewed.as_ref());
        let count = self
            .execute(
                sqlx::query(
                    "UPDATE fix_notices SET status = $1, answer = $2, answered_on = $3, answered_by = $4,
                        answered_by_name = $5, answered_at = $6, review_comment = $7, reviewed_by = $8,
                        reviewed_by_name = $9, reviewed_at = $10, version = $11
                     WHERE id = $12 AND version = $13",
                )
                .bind(n.status.as_str())
                .bind(n.answer.clone())
                .bind(day(n.answered_on))
                .bind(ab)
                .bind(an)
                .bind(aa)
                .bind(n.review_comment.clone())
                .bind(rb)
                .bind(rn)
                .bind(ra)
                .bind(n.version)
                .bind(n.id.to_string())
                .bind(n.version - 1),
            )
            .await?;
        if count == 0 {
            return Err(CoreError::StaleVersion(format!(
                "立行立改通知第{}号",
                n.seq
            )));
        }
        Ok(())
    }
}
