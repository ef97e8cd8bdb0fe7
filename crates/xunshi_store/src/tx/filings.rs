//! Filings (报备) between the levels.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::filing::{Filing, FilingKind, FilingStatus};
use xunshi_core::page::PageRequest;
use xunshi_core::store::{FilingFilter, FilingRead, FilingWrite};
use xunshi_core::{CoreError, Id, Result};

use super::papers::{opt_sig, sig, sig_cols};
use super::{DbTx, Mode, Where, Writing};
use crate::rows::{i, id, s};

const FILING_COLS: &str = "id, committee_id, upper_id, kind, subject_id, title, content, digest, \
     filed_by, filed_by_name, filed_at, status, reply, replied_by, replied_by_name, replied_at, \
     version";

fn filing(r: &AnyRow) -> Result<Filing> {
    Ok(Filing {
        id: id(r, "id")?,
        committee_id: id(r, "committee_id")?,
        upper_id: id(r, "upper_id")?,
        kind: FilingKind::parse(&s(r, "kind")?)?,
        subject_id: id(r, "subject_id")?,
        title: s(r, "title")?,
        content: s(r, "content")?,
        digest: s(r, "digest")?,
        filed: sig(r, "filed")?,
        status: FilingStatus::parse(&s(r, "status")?)?,
        reply: s(r, "reply")?,
        replied: opt_sig(r, "replied")?,
        version: i(r, "version")?,
    })
}

/// The filter's clauses, numbered after `w`'s; `None` when the reader's scope holds no
/// committee.
pub(super) fn filing_where(f: &FilingFilter, mut w: Where) -> Option<Where> {
    if let Some(among) = &f.among {
        if among.is_empty() {
            return None;
        }
        let by = w.list(among.iter().map(|c| c.to_string()));
        let with = w.list(among.iter().map(|c| c.to_string()));
        // Each side walks its own index (migration 0042).
        w.fixed(&format!("(committee_id IN ({by}) OR upper_id IN ({with}))"));
    }
    if let Some(c) = f.committee_id {
        w.eq("committee_id", c.to_string());
    }
    if let Some(u) = f.upper_id {
        w.eq("upper_id", u.to_string());
    }
    if let Some(k) = f.kind {
        w.eq("kind", k.as_str());
    }
    if let Some(st) = f.status {
        w.eq("status", st.as_str());
    }
    if let Some(sub) = f.subject_id {
        w.eq("subject_id", sub.to_string());
    }
    if let Some(a) = &f.answered_by {
        let mut parts = Vec::new();
        if !a.committees.is_empty() {
            let list = w.list(a.committees.iter().map(|c| c.to_string()));
            parts.push(format!("upper_id IN ({list})"));
        }
        if a.top {
            parts.push("upper_id IN (SELECT id FROM units WHERE parent_id IS NULL)".to_owned());
        }
        if parts.is_empty() {
            return None;
        }
        w.fixed(&format!("({})", parts.join(" OR ")));
    }
    Some(w)
}

impl<M: Mode> FilingRead for DbTx<M> {
    async fn get_filing(&mut self, fid: Id) -> Result<Option<Filing>> {
        let sql = format!("SELECT {FILING_COLS} FROM filings WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(fid.to_string()))
            .await?
            .map(|r| filing(&r))
            .transpose()
    }

    async fn list_filings(&mut self, f: &FilingFilter, page: PageRequest) -> Result<Vec<Filing>> {
        let Some(mut w) = filing_where(f, Where::default()) else {
            return Ok(Vec::new());
        };
        if let Some(after) = page.after {
            let n = w.next();
            w.raw(format!("id < ${n}"), after.to_string());
        }
        let sql = format!(
            "SELECT {FILING_COLS} FROM filings {} ORDER BY id DESC LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(filing)
            .collect()
    }

    async fn count_filings(&mut self, f: &FilingFilter) -> Result<i64> {
        let Some(w) = filing_where(f, Where::default()) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT CAST(count(*) AS BIGINT) AS n FROM filings {}",
            w.sql()
        );
        let row = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        row.map_or(Ok(0), |r| i(&r, "n"))
    }
}

impl FilingWrite for DbTx<Writing> {
    async fn insert_filing(&mut self, f: &Filing) -> Result<()> {
        let (by, by_name, at) = sig_cols(Some(&f.filed));
        self.execute(
            sqlx::query(
                "INSERT INTO filings (id, committee_id, upper_id, kind, subject_id, title, content,
                    digest, filed_by, filed_by_name, filed_at, status, reply, version)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(f.id.to_string())
            .bind(f.committee_id.to_string())
            .bind(f.upper_id.to_string())
            .bind(f.kind.as_str())
            .bind(f.subject_id.to_string())
            .bind(f.title.clone())
            .bind(f.content.clone())
            .bind(f.digest.clone())
            .bind(by)
            .bind(by_name)
            .bind(at)
            .bind(f.status.as_str())
            .bind(f.reply.clone())
            .bind(f.version),
        )
        .await?;
        Ok(())
    }

    async fn update_filing(&mut self, f: &Filing) -> Result<()> {
        let (by, by_name, at) = sig_cols(f.replied.as_ref());
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE filings SET status = $1, reply = $2, replied_by = $3,
                        replied_by_name = $4, replied_at = $5, version = $6
                     WHERE id = $7 AND version = $8",
                )
                .bind(f.status.as_str())
                .bind(f.reply.clone())
                .bind(by)
                .bind(by_name)
                .bind(at)
                .bind(f.version)
                .bind(f.id.to_string())
                .bind(f.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("报备“{}”", f.title)));
        }
        Ok(())
    }
}
