//! Rectification reports and public progress notices, with the revisions of their text.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::disclosure::{Contact, DocKind, DocStatus, RectDocument, Revision};
use xunshi_core::page::{Keyset, PageRequest};
use xunshi_core::store::{
    DiscloseRead, DiscloseWrite, DocFilter, DocSort, DocSortKey, SubmittedOn,
};
use xunshi_core::{CoreError, Id, Result};

use super::papers::{opt_sig, sig, sig_cols};
use super::{DbTx, KeyKind, Mode, Where, Writing, contains_clause, keyset, like_pattern, ts};
use crate::rows::{self, i, id, opt_date, s};

const DOC_COLS: &str = "id, kind, inspection_id, unit_id, title, body, addressee, issuer, \
     contact_phone, contact_mailbox, contact_address, status, revision, created_by, created_by_name, \
     created_at, submitted_by, submitted_by_name, submitted_at, submitted_on, decided_by, \
     decided_by_name, decided_at, decision_comment, published_on, version, updated_at";

fn contact(r: &AnyRow) -> Result<Contact> {
    Ok(Contact {
        phone: s(r, "contact_phone")?,
        mailbox: s(r, "contact_mailbox")?,
        address: s(r, "contact_address")?,
    })
}

fn document(r: &AnyRow) -> Result<RectDocument> {
    Ok(RectDocument {
        id: id(r, "id")?,
        kind: DocKind::parse(&s(r, "kind")?)?,
        inspection_id: id(r, "inspection_id")?,
        unit_id: id(r, "unit_id")?,
        title: s(r, "title")?,
        body: s(r, "body")?,
        addressee: s(r, "addressee")?,
        issuer: s(r, "issuer")?,
        contact: contact(r)?,
        status: DocStatus::parse(&s(r, "status")?)?,
        revision: i(r, "revision")? as i32,
        created: sig(r, "created")?,
        submitted: opt_sig(r, "submitted")?,
        submitted_on: opt_date(r, "submitted_on")?,
        decided: opt_sig(r, "decided")?,
        decision_comment: s(r, "decision_comment")?,
        published_on: opt_date(r, "published_on")?,
        version: i(r, "version")?,
        updated_at: rows::ts(r, "updated_at")?,
    })
}

const REVISION_COLS: &str = "document_id, number, title, body, contact_phone, contact_mailbox, \
     contact_address, note, created_by, created_by_name, created_at";

fn revision(r: &AnyRow) -> Result<Revision> {
    Ok(Revision {
        document_id: id(r, "document_id")?,
        number: i(r, "number")? as i32,
        title: s(r, "title")?,
        body: s(r, "body")?,
        contact: contact(r)?,
        note: s(r, "note")?,
        created: sig(r, "created")?,
    })
}

/// The `WHERE` of a list of documents, the same for its rows and its count: the filter, the
/// reader's scope, and the own-unit rule (`DocFilter::not_overseen`). `None` when the reader
/// may see none.
fn doc_where(f: &DocFilter) -> Option<Where> {
    let mut w = Where::default();
    if let Some(insp) = f.inspection_id {
        w.eq("inspection_id", insp.to_string());
    }
    if let Some(u) = f.unit_id {
        w.eq("unit_id", u.to_string());
    }
    if !f.kinds.is_empty() {
        let list = w.list(f.kinds.iter().map(|k| k.as_str().to_owned()));
        w.fixed(&format!("kind IN ({list})"));
    }
    if let Some(st) = f.status {
        w.eq("status", st.as_str());
    }
    if let Some(scope) = &f.scope
        && !super::rectify::scope_clause(&mut w, scope, "")
    {
        return None;
    }
    if !f.not_overseen.is_empty() {
        let list = w.list(f.not_overseen.iter().map(Id::to_string));
        w.fixed(&format!("unit_id NOT IN ({list})"));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["title"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    Some(w)
}

fn day(d: Option<jiff::civil::Date>) -> Option<String> {
    d.map(|d| d.to_string())
}

impl<M: Mode> DiscloseRead for DbTx<M> {
    async fn get_rect_document(&mut self, did: Id) -> Result<Option<RectDocument>> {
        let sql = format!("SELECT {DOC_COLS} FROM rect_documents WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(did.to_string()))
            .await?
            .map(|r| document(&r))
            .transpose()
    }

    async fn list_rect_documents(
        &mut self,
        f: &DocFilter,
        page: PageRequest,
    ) -> Result<Vec<RectDocument>> {
        let Some(mut w) = doc_where(f) else {
            return Ok(Vec::new());
        };
        if let Some(after) = page.after {
            let n = w.next();
            w.raw(format!("id > ${n}"), after.to_string());
        }
        let sql = format!(
            "SELECT {DOC_COLS} FROM rect_documents {} ORDER BY id LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(document)
            .collect()
    }

    async fn rect_documents_sorted(
        &mut self,
        f: &DocFilter,
        sort: DocSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<RectDocument>> {
        let Some(mut w) = doc_where(f) else {
            return Ok(Vec::new());
        };
        // Each key walks its index over (key, id) (migration 0027); a day not reached yet is
        // written as the index writes it, after every day.
        let key = match sort.key {
            DocSortKey::Seq => None,
            DocSortKey::Title => Some(("title", KeyKind::Column)),
            DocSortKey::Kind => Some(("kind", KeyKind::Column)),
            DocSortKey::Unit => Some(("unit_id", KeyKind::Column)),
            DocSortKey::Status => Some(("status", KeyKind::Column)),
            DocSortKey::Submitted => {
                Some(("COALESCE(submitted_on, '9999-12-31')", KeyKind::Expression))
            }
            DocSortKey::Published => {
                Some(("COALESCE(published_on, '9999-12-31')", KeyKind::Expression))
            }
        };
        let order_by = keyset(&mut w, key, "id", sort.desc, at)?;
        let sql = format!(
            "SELECT {DOC_COLS} FROM rect_documents {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(document)
            .collect()
    }

    async fn count_rect_documents(&mut self, f: &DocFilter) -> Result<i64> {
        let Some(w) = doc_where(f) else {
            return Ok(0);
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM rect_documents {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn published_notices(&mut self, page: PageRequest) -> Result<Vec<RectDocument>> {
        // Keyset paging on (published_on, id), read from the cursor's own row.
        let after = if page.after.is_some() {
            "AND (published_on, id) < (SELECT published_on, id FROM rect_documents WHERE id = $3)"
        } else {
            ""
        };
        let sql = format!(
            "SELECT {DOC_COLS} FROM rect_documents WHERE kind = $1 AND status = $2 {after}
             ORDER BY published_on DESC, id DESC LIMIT {}",
            page.limit + 1
        );
        let mut q = sqlx::query(AssertSqlSafe(sql))
            .bind(DocKind::PublicNotice.as_str())
            .bind(DocStatus::Published.as_str());
        if let Some(id) = page.after {
            q = q.bind(id.to_string());
        }
        self.fetch_all(q).await?.iter().map(document).collect()
    }

    async fn list_revisions(&mut self, document_id: Id) -> Result<Vec<Revision>> {
        let sql = format!(
            "SELECT {REVISION_COLS} FROM rect_document_revisions WHERE document_id = $1
             ORDER BY number"
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(document_id.to_string()))
            .await?
            .iter()
            .map(revision)
            .collect()
    }

    async fn first_submitted_dates(&mut self, inspection_ids: &[Id]) -> Result<Vec<SubmittedOn>> {
        if inspection_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let ids = w.list(inspection_ids.iter().map(Id::to_string));
        w.fixed(&format!("inspection_id IN ({ids})"));
        w.fixed("submitted_on IS NOT NULL");
        let sql = format!(
            "SELECT inspection_id, unit_id, kind, min(submitted_on) AS first
               FROM rect_documents {} GROUP BY inspection_id, unit_id, kind",
            w.sql()
        );
        let mut out = Vec::new();
        for r in self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
        {
            if let Some(on) = opt_date(&r, "first")? {
                out.push(SubmittedOn {
                    inspection_id: id(&r, "inspection_id")?,
                    unit_id: id(&r, "unit_id")?,
                    kind: DocKind::parse(&s(&r, "kind")?)?,
                    on,
                });
            }
        }
        Ok(out)
    }

    async fn first_submitted_on(
        &mut self,
        inspection_id: Id,
        unit_id: Id,
        kind: DocKind,
    ) -> Result<Option<jiff::civil::Date>> {
        // Dates are `YYYY-MM-DD` text, so the least is the earliest on both backends.
        let row = self
            .fetch_optional(
                sqlx::query(
                    "SELECT min(submitted_on) AS first FROM rect_documents
                     WHERE inspection_id = $1 AND unit_id = $2 AND kind = $3
                       AND submitted_on IS NOT NULL",
                )
                .bind(inspection_id.to_string())
                .bind(unit_id.to_string())
                .bind(kind.as_str()),
            )
            .await?;
        match row {
            Some(r) => opt_date(&r, "first"),
            None => Ok(None),
        }
    }
}

impl DiscloseWrite for DbTx<Writing> {
    async fn insert_rect_document(&mut self, d: &RectDocument) -> Result<()> {
        let (cb, cn, ca) = sig_cols(Some(&d.created));
        let (sb, sn, sa) = sig_cols(d.submitted.as_ref());
        let (db, dn, da) = sig_cols(d.decided.as_ref());
        let placeholders: Vec<String> = (1..=27).map(|n| format!("${n}")).collect();
        let sql = format!(
            "INSERT INTO rect_documents ({DOC_COLS}) VALUES ({})",
            placeholders.join(", ")
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(d.id.to_string())
                .bind(d.kind.as_str())
                .bind(d.inspection_id.to_string())
                .bind(d.unit_id.to_string())
                .bind(d.title.clone())
                .bind(d.body.clone())
                .bind(d.addressee.clone())
                .bind(d.issuer.clone())
                .bind(d.contact.phone.clone())
                .bind(d.contact.mailbox.clone())
                .bind(d.contact.address.clone())
                .bind(d.status.as_str())
                .bind(d.revision)
                .bind(cb)
                .bind(cn)
                .bind(ca)
                .bind(sb)
                .bind(sn)
                .bind(sa)
                .bind(day(d.submitted_on))
                .bind(db)
                .bind(dn)
                .bind(da)
                .bind(d.decision_comment.clone())
                .bind(day(d.published_on))
                .bind(d.version)
                .bind(ts(d.updated_at)),
        )
        .await?;
        self.reports_moved(d).await
    }

    async fn update_rect_document(&mut self, d: &RectDocument) -> Result<()> {
        let (sb, sn, sa) = sig_cols(d.submitted.as_ref());
        let (db, dn, da) = sig_cols(d.decided.as_ref());
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE rect_documents SET title = $1, body = $2, addressee = $3, issuer = $4,
                        contact_phone = $5, contact_mailbox = $6, contact_address = $7, status = $8,
                        revision = $9, submitted_by = $10, submitted_by_name = $11,
                        submitted_at = $12, submitted_on = $13, decided_by = $14,
                        decided_by_name = $15, decided_at = $16, decision_comment = $17,
                        published_on = $18, version = $19, updated_at = $20
                     WHERE id = $21 AND version = $22",
                )
                .bind(d.title.clone())
                .bind(d.body.clone())
                .bind(d.addressee.clone())
                .bind(d.issuer.clone())
                .bind(d.contact.phone.clone())
                .bind(d.contact.mailbox.clone())
                .bind(d.contact.address.clone())
                .bind(d.status.as_str())
                .bind(d.revision)
                .bind(sb)
                .bind(sn)
                .bind(sa)
                .bind(day(d.submitted_on))
                .bind(db)
                .bind(dn)
                .bind(da)
                .bind(d.decision_comment.clone())
                .bind(day(d.published_on))
                .bind(d.version)
                .bind(ts(d.updated_at))
                .bind(d.id.to_string())
                .bind(d.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("“{}”", d.title)));
        }
        self.reports_moved(d).await
    }

    async fn insert_revision(&mut self, r: &Revision) -> Result<()> {
        let (cb, cn, ca) = sig_cols(Some(&r.created));
        let sql = format!(
            "INSERT INTO rect_document_revisions ({REVISION_COLS})
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        );
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(r.document_id.to_string())
                .bind(r.number)
                .bind(r.title.clone())
                .bind(r.body.clone())
                .bind(r.contact.phone.clone())
                .bind(r.contact.mailbox.clone())
                .bind(r.contact.address.clone())
                .bind(r.note.clone())
                .bind(cb)
                .bind(cn)
                .bind(ca),
        )
        .await?;
        Ok(())
    }
}

impl DbTx<Writing> {
    /// A report's submission stops its unit's report-due clock (notices set no clock).
    async fn reports_moved(&mut self, d: &RectDocument) -> Result<()> {
        if d.kind.is_report() {
            self.refresh_clocks(Some(d.inspection_id)).await?;
        }
        Ok(())
    }
}
