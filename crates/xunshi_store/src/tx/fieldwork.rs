//! Fieldwork: the announcement, the register of letters, talks, document requests, the other
//! methods' records, and citations. Every list is a page of one inspection over an index of
//! (inspection_id, id), newest first.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::fieldwork::{
    Announcement, Channel, Citation, CitingKind, Discipline, DocRequest, DocRequestStatus,
    FieldMethod, FieldRecord, Letter, LetterNote, LetterScope, LetterStatus, SourceKind, Talk,
    TalkGroup, TalkPlanEntry,
};
use xunshi_core::paper::FileKind;
use xunshi_core::store::{FieldworkFile, FieldworkRead, FieldworkWrite, LetterCount, LetterFilter};
use xunshi_core::{CoreError, Id, Result};

use super::{DbTx, Mode, Where, Writing, contains_clause, flag, like_pattern, ts};
use crate::rows::{date, flag as get_flag, i, id, opt_date, opt_id, opt_s, s};

const LETTER_COLS: &str = "id, inspection_id, number, channel, received_on, anonymous, \
     writer_sealed, about_name, about_post, content, discipline, category_id, scope, passed_to, \
     passed_letter, duplicate_of, disposition, status, receipt_hash, version, created_at, \
     updated_at";
const TALK_COLS: &str = "id, inspection_id, interviewee_name, interviewee_post, talked_on, \
     place, inspector_ids, confirmed, plan_entry_id, text_sealed, recorded_by, version, created_at";
const DOC_COLS: &str = "id, inspection_id, unit_id, number, materials, sent_on, due_on, notes, \
     answer, delivered_on, returned_on, status, version, created_at";
const RECORD_COLS: &str = "id, inspection_id, method, held_on, participants, summary, \
     forms_out, forms_back, recorded_by, created_at";
const FILE_COLS: &str = "id, owner_kind, owner_id, filename, size, kind, sha256, created_at";
const ANNOUNCEMENT_COLS: &str = "inspection_id, hotline, mailbox, postal_box, email, opens_on, \
     closes_on, scope, version, updated_at";

fn announcement(r: &AnyRow) -> Result<Announcement> {
    Ok(Announcement {
        inspection_id: id(r, "inspection_id")?,
        hotline: s(r, "hotline")?,
        mailbox: s(r, "mailbox")?,
        postal_box: s(r, "postal_box")?,
        email: s(r, "email")?,
        opens_on: date(r, "opens_on")?,
        closes_on: date(r, "closes_on")?,
        scope: s(r, "scope")?,
        version: i(r, "version")?,
        updated_at: crate::rows::ts(r, "updated_at")?,
    })
}

fn letter(r: &AnyRow) -> Result<Letter> {
    Ok(Letter {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        number: i(r, "number")?,
        channel: Channel::parse(&s(r, "channel")?)?,
        received_on: date(r, "received_on")?,
        anonymous: get_flag(r, "anonymous")?,
        writer_sealed: opt_s(r, "writer_sealed")?,
        about_name: s(r, "about_name")?,
        about_post: s(r, "about_post")?,
        content: s(r, "content")?,
        discipline: opt_s(r, "discipline")?
            .map(|d| Discipline::parse(&d))
            .transpose()?,
        category_id: opt_id(r, "category_id")?,
        scope: LetterScope::parse(&s(r, "scope")?)?,
        passed_to: s(r, "passed_to")?,
        passed_letter: s(r, "passed_letter")?,
        duplicate_of: opt_id(r, "duplicate_of")?,
        disposition: s(r, "disposition")?,
        status: LetterStatus::parse(&s(r, "status")?)?,
        from_public: opt_s(r, "receipt_hash")?.is_some(),
        version: i(r, "version")?,
        created_at: crate::rows::ts(r, "created_at")?,
        updated_at: crate::rows::ts(r, "updated_at")?,
    })
}

fn talk(r: &AnyRow) -> Result<Talk> {
    let ids: Vec<Id> = serde_json::from_str(&s(r, "inspector_ids")?)
        .map_err(|e| CoreError::internal(format!("a talk's inspectors cannot be read: {e}")))?;
    Ok(Talk {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        interviewee_name: s(r, "interviewee_name")?,
        interviewee_post: s(r, "interviewee_post")?,
        talked_on: date(r, "talked_on")?,
        place: s(r, "place")?,
        inspector_ids: ids,
        confirmed: get_flag(r, "confirmed")?,
        plan_entry_id: opt_id(r, "plan_entry_id")?,
        text_sealed: s(r, "text_sealed")?,
        recorded_by: opt_id(r, "recorded_by")?,
        version: i(r, "version")?,
        created_at: crate::rows::ts(r, "created_at")?,
    })
}

fn plan_entry(r: &AnyRow) -> Result<TalkPlanEntry> {
    Ok(TalkPlanEntry {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        name: s(r, "name")?,
        post: s(r, "post")?,
        group: TalkGroup::parse(&s(r, "grp")?)?,
        talk_id: opt_id(r, "talk_id")?,
    })
}

fn doc_request(r: &AnyRow) -> Result<DocRequest> {
    Ok(DocRequest {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        unit_id: id(r, "unit_id")?,
        number: i(r, "number")?,
        materials: s(r, "materials")?,
        sent_on: date(r, "sent_on")?,
        due_on: opt_date(r, "due_on")?,
        notes: s(r, "notes")?,
        answer: s(r, "answer")?,
        delivered_on: opt_date(r, "delivered_on")?,
        returned_on: opt_date(r, "returned_on")?,
        status: DocRequestStatus::parse(&s(r, "status")?)?,
        version: i(r, "version")?,
        created_at: crate::rows::ts(r, "created_at")?,
    })
}

fn field_record(r: &AnyRow) -> Result<FieldRecord> {
    use sqlx::Row;
    let count = |col: &str| -> Result<Option<i64>> {
        r.try_get::<Option<i64>, _>(col).map_err(crate::db_err)
    };
    Ok(FieldRecord {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        method: FieldMethod::parse(&s(r, "method")?)?,
        held_on: date(r, "held_on")?,
        participants: s(r, "participants")?,
        summary: s(r, "summary")?,
        forms_out: count("forms_out")?,
        forms_back: count("forms_back")?,
        recorded_by: opt_id(r, "recorded_by")?,
        created_at: crate::rows::ts(r, "created_at")?,
    })
}

fn citation(r: &AnyRow) -> Result<Citation> {
    Ok(Citation {
        citing_kind: CitingKind::parse(&s(r, "citing_kind")?)?,
        citing_id: id(r, "citing_id")?,
        source_kind: SourceKind::parse(&s(r, "source_kind")?)?,
        source_id: id(r, "source_id")?,
        label: String::new(),
        cited_at: crate::rows::ts(r, "cited_at")?,
    })
}

fn fieldwork_file(r: &AnyRow) -> Result<FieldworkFile> {
    Ok(FieldworkFile {
        id: id(r, "id")?,
        owner_kind: SourceKind::parse(&s(r, "owner_kind")?)?,
        owner_id: id(r, "owner_id")?,
        filename: s(r, "filename")?,
        size: i(r, "size")?,
        kind: FileKind::parse(&s(r, "kind")?)?,
        sha256: s(r, "sha256")?,
        created_at: crate::rows::ts(r, "created_at")?,
    })
}

/// The `WHERE` of the register, the same for its rows and its count.
fn letter_where(inspection_id: Id, f: &LetterFilter) -> Where {
    let mut w = Where::default();
    w.eq("inspection_id", inspection_id.to_string());
    if let Some(c) = f.channel {
        w.eq("channel", c.as_str());
    }
    if let Some(st) = f.status {
        w.eq("status", st.as_str());
    }
    if let Some(sc) = f.scope {
        w.eq("scope", sc.as_str());
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["content", "about_name", "about_post"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    w
}

/// Adds "after the cursor, newest first" and the limit to a list's `WHERE`.
fn page_sql(
    table: &str,
    cols: &str,
    mut w: Where,
    after: Option<Id>,
    limit: u32,
) -> (String, Where) {
    if let Some(a) = after {
        let n = w.next();
        w.raw(format!("id < ${n}"), a.to_string());
    }
    (
        format!(
            "SELECT {cols} FROM {table} {} ORDER BY id DESC LIMIT {}",
            w.sql(),
            limit.min(500)
        ),
        w,
    )
}

fn units_where(inspection_id: Id, units: Option<&[Id]>) -> Where {
    let mut w = Where::default();
    w.eq("inspection_id", inspection_id.to_string());
    if let Some(units) = units {
        let list = w.list(units.iter().map(|u| u.to_string()));
        if list.is_empty() {
            w.fixed("1 = 0");
        } else {
            w.fixed(&format!("unit_id IN ({list})"));
        }
    }
    w
}

impl<M: Mode> DbTx<M> {
    async fn count_where(&mut self, table: &str, w: Where) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table} {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn next_number(&mut self, table: &str, inspection_id: Id) -> Result<i64> {
        let sql = format!(
            "SELECT CAST(COALESCE(MAX(number), 0) + 1 AS BIGINT) AS n FROM {table}
             WHERE inspection_id = $1"
        );
        let r = self
            .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(inspection_id.to_string()))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(1))
    }
}

impl<M: Mode> FieldworkRead for DbTx<M> {
    async fn get_announcement(&mut self, inspection_id: Id) -> Result<Option<Announcement>> {
        let sql = format!("SELECT {ANNOUNCEMENT_COLS} FROM announcements WHERE inspection_id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(inspection_id.to_string()))
            .await?
            .as_ref()
            .map(announcement)
            .transpose()
    }

    async fn open_announcements(&mut self, day: jiff::civil::Date) -> Result<Vec<Announcement>> {
        let sql = format!(
            "SELECT a.{} FROM announcements a JOIN inspections i ON i.id = a.inspection_id
             WHERE a.closes_on >= $1 AND a.opens_on <= $1 AND i.stage = 'on_site'
             ORDER BY a.opens_on, a.inspection_id LIMIT 500",
            ANNOUNCEMENT_COLS.replace(", ", ", a.")
        );
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(day.to_string()))
            .await?
            .iter()
            .map(announcement)
            .collect()
    }

    async fn get_letter(&mut self, lid: Id) -> Result<Option<Letter>> {
        let sql = format!("SELECT {LETTER_COLS} FROM letters WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(lid.to_string()))
            .await?
            .as_ref()
            .map(letter)
            .transpose()
    }

    async fn letter_by_number(&mut self, inspection_id: Id, number: i64) -> Result<Option<Letter>> {
        let sql =
            format!("SELECT {LETTER_COLS} FROM letters WHERE inspection_id = $1 AND number = $2");
        self.fetch_optional(
            sqlx::query(AssertSqlSafe(sql))
                .bind(inspection_id.to_string())
                .bind(number),
        )
        .await?
        .as_ref()
        .map(letter)
        .transpose()
    }

    async fn letter_by_receipt(&mut self, receipt_hash: &str) -> Result<Option<Letter>> {
        let sql = format!("SELECT {LETTER_COLS} FROM letters WHERE receipt_hash = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(receipt_hash.to_owned()))
            .await?
            .as_ref()
            .map(letter)
            .transpose()
    }

    async fn letters_page(
        &mut self,
        inspection_id: Id,
        f: &LetterFilter,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Letter>> {
        let (sql, w) = page_sql(
            "letters",
            LETTER_COLS,
            letter_where(inspection_id, f),
            after,
            limit,
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(letter)
            .collect()
    }

    async fn count_letters(&mut self, inspection_id: Id, f: &LetterFilter) -> Result<i64> {
        self.count_where("letters", letter_where(inspection_id, f))
            .await
    }

    async fn letter_counts(&mut self, inspection_id: Id) -> Result<Vec<LetterCount>> {
        let rows = self
            .fetch_all(
                sqlx::query(
                    "SELECT channel, discipline, scope, CAST(COUNT(*) AS BIGINT) AS n FROM letters
                     WHERE inspection_id = $1 AND duplicate_of IS NULL
                     GROUP BY channel, discipline, scope ORDER BY channel, discipline, scope",
                )
                .bind(inspection_id.to_string()),
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(LetterCount {
                    channel: Channel::parse(&s(r, "channel")?)?,
                    discipline: opt_s(r, "discipline")?
                        .map(|d| Discipline::parse(&d))
                        .transpose()?,
                    scope: LetterScope::parse(&s(r, "scope")?)?,
                    count: i(r, "n")?,
                })
            })
            .collect()
    }

    async fn next_letter_number(&mut self, inspection_id: Id) -> Result<i64> {
        self.next_number("letters", inspection_id).await
    }

    async fn letter_notes(&mut self, letter_id: Id) -> Result<Vec<LetterNote>> {
        self.fetch_all(
            sqlx::query(
                "SELECT id, letter_id, from_writer, body, created_at FROM letter_notes
                 WHERE letter_id = $1 ORDER BY id LIMIT 500",
            )
            .bind(letter_id.to_string()),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(LetterNote {
                id: id(r, "id")?,
                letter_id: id(r, "letter_id")?,
                from_writer: get_flag(r, "from_writer")?,
                body: s(r, "body")?,
                created_at: crate::rows::ts(r, "created_at")?,
            })
        })
        .collect()
    }

    async fn fieldwork_files(
        &mut self,
        owner_kind: SourceKind,
        owner_id: Id,
    ) -> Result<Vec<FieldworkFile>> {
        self.fetch_all(
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {FILE_COLS} FROM fieldwork_files
                 WHERE owner_kind = $1 AND owner_id = $2 ORDER BY id LIMIT {}",
                xunshi_core::store::FIELDWORK_LIST_MAX
            )))
            .bind(owner_kind.as_str())
            .bind(owner_id.to_string()),
        )
        .await?
        .iter()
        .map(fieldwork_file)
        .collect()
    }

    async fn get_fieldwork_file(&mut self, fid: Id) -> Result<Option<FieldworkFile>> {
        self.fetch_optional(
            sqlx::query(AssertSqlSafe(format!(
                "SELECT {FILE_COLS} FROM fieldwork_files WHERE id = $1"
            )))
            .bind(fid.to_string()),
        )
        .await?
        .as_ref()
        .map(fieldwork_file)
        .transpose()
    }

    async fn letter_handlers(&mut self, inspection_id: Id) -> Result<Vec<Id>> {
        self.fetch_all(
            sqlx::query(
                "SELECT inspector_id FROM letter_handlers
                 WHERE inspection_id = $1 AND withdrawn_at IS NULL ORDER BY appointed_at LIMIT 500",
            )
            .bind(inspection_id.to_string()),
        )
        .await?
        .iter()
        .map(|r| id(r, "inspector_id"))
        .collect()
    }

    async fn talk_plan(&mut self, inspection_id: Id) -> Result<Vec<TalkPlanEntry>> {
        self.fetch_all(
            sqlx::query(
                "SELECT id, inspection_id, name, post, grp, talk_id FROM talk_plan
                 WHERE inspection_id = $1 ORDER BY id LIMIT 500",
            )
            .bind(inspection_id.to_string()),
        )
        .await?
        .iter()
        .map(plan_entry)
        .collect()
    }

    async fn get_talk_plan_entry(&mut self, eid: Id) -> Result<Option<TalkPlanEntry>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT id, inspection_id, name, post, grp, talk_id FROM talk_plan WHERE id = $1",
            )
            .bind(eid.to_string()),
        )
        .await?
        .as_ref()
        .map(plan_entry)
        .transpose()
    }

    async fn get_talk(&mut self, tid: Id) -> Result<Option<Talk>> {
        let sql = format!("SELECT {TALK_COLS} FROM talks WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(tid.to_string()))
            .await?
            .as_ref()
            .map(talk)
            .transpose()
    }

    async fn talks_page(
        &mut self,
        inspection_id: Id,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<Talk>> {
        let (sql, w) = page_sql(
            "talks",
            TALK_COLS,
            units_where(inspection_id, None),
            after,
            limit,
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(talk)
            .collect()
    }

    async fn count_talks(&mut self, inspection_id: Id) -> Result<i64> {
        self.count_where("talks", units_where(inspection_id, None))
            .await
    }

    async fn get_doc_request(&mut self, did: Id) -> Result<Option<DocRequest>> {
        let sql = format!("SELECT {DOC_COLS} FROM doc_requests WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(did.to_string()))
            .await?
            .as_ref()
            .map(doc_request)
            .transpose()
    }

    async fn doc_requests_page(
        &mut self,
        inspection_id: Id,
        units: Option<&[Id]>,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<DocRequest>> {
        let (sql, w) = page_sql(
            "doc_requests",
            DOC_COLS,
            units_where(inspection_id, units),
            after,
            limit,
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(doc_request)
            .collect()
    }

    async fn count_doc_requests(&mut self, inspection_id: Id, units: Option<&[Id]>) -> Result<i64> {
        self.count_where("doc_requests", units_where(inspection_id, units))
            .await
    }

    async fn doc_requests_waiting(&mut self, units: &[Id]) -> Result<Vec<DocRequest>> {
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut w = Where::default();
        let list = w.list(units.iter().map(|u| u.to_string()));
        w.fixed(&format!("unit_id IN ({list})"));
        w.fixed("status = 'sent'");
        let sql = format!(
            "SELECT {DOC_COLS} FROM doc_requests {} ORDER BY id LIMIT {}",
            w.sql(),
            xunshi_core::store::FIELDWORK_LIST_MAX
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(doc_request)
            .collect()
    }

    async fn next_doc_request_number(&mut self, inspection_id: Id) -> Result<i64> {
        self.next_number("doc_requests", inspection_id).await
    }

    async fn get_field_record(&mut self, rid: Id) -> Result<Option<FieldRecord>> {
        let sql = format!("SELECT {RECORD_COLS} FROM field_records WHERE id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(rid.to_string()))
            .await?
            .as_ref()
            .map(field_record)
            .transpose()
    }

    async fn field_records_page(
        &mut self,
        inspection_id: Id,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<FieldRecord>> {
        let (sql, w) = page_sql(
            "field_records",
            RECORD_COLS,
            units_where(inspection_id, None),
            after,
            limit,
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(field_record)
            .collect()
    }

    async fn count_field_records(&mut self, inspection_id: Id) -> Result<i64> {
        self.count_where("field_records", units_where(inspection_id, None))
            .await
    }

    async fn citations_of(
        &mut self,
        citing_kind: CitingKind,
        citing_id: Id,
    ) -> Result<Vec<Citation>> {
        self.fetch_all(
            sqlx::query(
                "SELECT citing_kind, citing_id, source_kind, source_id, cited_at FROM citations
                 WHERE citing_kind = $1 AND citing_id = $2 ORDER BY cited_at LIMIT 500",
            )
            .bind(citing_kind.as_str())
            .bind(citing_id.to_string()),
        )
        .await?
        .iter()
        .map(citation)
        .collect()
    }

    async fn cited_by(&mut self, source_kind: SourceKind, source_id: Id) -> Result<Vec<Citation>> {
        self.fetch_all(
            sqlx::query(
                "SELECT citing_kind, citing_id, source_kind, source_id, cited_at FROM citations
                 WHERE source_kind = $1 AND source_id = $2 ORDER BY cited_at LIMIT 500",
            )
            .bind(source_kind.as_str())
            .bind(source_id.to_string()),
        )
        .await?
        .iter()
        .map(citation)
        .collect()
    }
}

impl FieldworkWrite for DbTx<Writing> {
    async fn put_announcement(&mut self, a: &Announcement) -> Result<()> {
        let binds = |q: sqlx::query::Query<'static, sqlx::Any, sqlx::any::AnyArguments>| {
            q.bind(a.hotline.clone())
                .bind(a.mailbox.clone())
                .bind(a.postal_box.clone())
                .bind(a.email.clone())
                .bind(a.opens_on.to_string())
                .bind(a.closes_on.to_string())
                .bind(a.scope.clone())
                .bind(a.version)
                .bind(ts(a.updated_at))
                .bind(a.inspection_id.to_string())
        };
        if a.version == 1 {
            self.execute(binds(sqlx::query(
                "INSERT INTO announcements (hotline, mailbox, postal_box, email, opens_on,
                    closes_on, scope, version, updated_at, inspection_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )))
            .await?;
            return Ok(());
        }
        let n = self
            .execute(
                binds(sqlx::query(
                    "UPDATE announcements SET hotline = $1, mailbox = $2, postal_box = $3,
                        email = $4, opens_on = $5, closes_on = $6, scope = $7, version = $8,
                        updated_at = $9
                     WHERE inspection_id = $10 AND version = $11",
                ))
                .bind(a.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("巡视公告".into()));
        }
        Ok(())
    }

    async fn insert_letter(
        &mut self,
        l: &Letter,
        receipt_hash: Option<&str>,
        recorded_by: Option<Id>,
    ) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO letters (id, inspection_id, number, channel, received_on, anonymous,
                    writer_sealed, about_name, about_post, content, discipline, category_id, scope,
                    passed_to, passed_letter, duplicate_of, disposition, status, receipt_hash,
                    recorded_by, version, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                    $17, $18, $19, $20, $21, $22, $23)",
            )
            .bind(l.id.to_string())
            .bind(l.inspection_id.to_string())
            .bind(l.number)
            .bind(l.channel.as_str())
            .bind(l.received_on.to_string())
            .bind(flag(l.anonymous))
            .bind(l.writer_sealed.clone())
            .bind(l.about_name.clone())
            .bind(l.about_post.clone())
            .bind(l.content.clone())
            .bind(l.discipline.map(|d| d.as_str()))
            .bind(l.category_id.map(|c| c.to_string()))
            .bind(l.scope.as_str())
            .bind(l.passed_to.clone())
            .bind(l.passed_letter.clone())
            .bind(l.duplicate_of.map(|d| d.to_string()))
            .bind(l.disposition.clone())
            .bind(l.status.as_str())
            .bind(receipt_hash.map(str::to_owned))
            .bind(recorded_by.map(|u| u.to_string()))
            .bind(l.version)
            .bind(ts(l.created_at))
            .bind(ts(l.updated_at)),
        )
        .await?;
        Ok(())
    }

    async fn update_letter(&mut self, l: &Letter) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE letters SET discipline = $1, category_id = $2, scope = $3,
                        passed_to = $4, passed_letter = $5, duplicate_of = $6, disposition = $7,
                        status = $8, version = $9, updated_at = $10
                     WHERE id = $11 AND version = $12",
                )
                .bind(l.discipline.map(|d| d.as_str()))
                .bind(l.category_id.map(|c| c.to_string()))
                .bind(l.scope.as_str())
                .bind(l.passed_to.clone())
                .bind(l.passed_letter.clone())
                .bind(l.duplicate_of.map(|d| d.to_string()))
                .bind(l.disposition.clone())
                .bind(l.status.as_str())
                .bind(l.version)
                .bind(ts(l.updated_at))
                .bind(l.id.to_string())
                .bind(l.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("第 {} 号来信", l.number)));
        }
        Ok(())
    }

    async fn insert_letter_note(&mut self, n: &LetterNote, author_id: Option<Id>) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO letter_notes (id, letter_id, from_writer, body, author_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(n.id.to_string())
            .bind(n.letter_id.to_string())
            .bind(flag(n.from_writer))
            .bind(n.body.clone())
            .bind(author_id.map(|a| a.to_string()))
            .bind(ts(n.created_at)),
        )
        .await?;
        Ok(())
    }

    async fn insert_fieldwork_file(&mut self, f: &FieldworkFile) -> Result<()> {
        self.execute(
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO fieldwork_files ({FILE_COLS})
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            )))
            .bind(f.id.to_string())
            .bind(f.owner_kind.as_str())
            .bind(f.owner_id.to_string())
            .bind(f.filename.clone())
            .bind(f.size)
            .bind(f.kind.as_str())
            .bind(f.sha256.clone())
            .bind(ts(f.created_at)),
        )
        .await?;
        Ok(())
    }

    async fn set_letter_handler(
        &mut self,
        inspection_id: Id,
        inspector_id: Id,
        on: bool,
        by: Option<Id>,
        at: jiff::Timestamp,
    ) -> Result<()> {
        if on {
            self.execute(
                sqlx::query(
                    "INSERT INTO letter_handlers (inspection_id, inspector_id, appointed_by,
                        appointed_at, withdrawn_at)
                     VALUES ($1, $2, $3, $4, NULL)
                     ON CONFLICT (inspection_id, inspector_id) DO UPDATE SET
                        appointed_by = excluded.appointed_by,
                        appointed_at = excluded.appointed_at, withdrawn_at = NULL",
                )
                .bind(inspection_id.to_string())
                .bind(inspector_id.to_string())
                .bind(by.map(|b| b.to_string()))
                .bind(ts(at)),
            )
            .await?;
        } else {
            self.execute(
                sqlx::query(
                    "UPDATE letter_handlers SET withdrawn_at = $1
                     WHERE inspection_id = $2 AND inspector_id = $3 AND withdrawn_at IS NULL",
                )
                .bind(ts(at))
                .bind(inspection_id.to_string())
                .bind(inspector_id.to_string()),
            )
            .await?;
        }
        Ok(())
    }

    async fn insert_talk_plan_entry(&mut self, e: &TalkPlanEntry) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO talk_plan (id, inspection_id, name, post, grp, talk_id)
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(e.id.to_string())
            .bind(e.inspection_id.to_string())
            .bind(e.name.clone())
            .bind(e.post.clone())
            .bind(e.group.as_str())
            .bind(e.talk_id.map(|t| t.to_string())),
        )
        .await?;
        Ok(())
    }

    async fn insert_talk(&mut self, t: &Talk) -> Result<()> {
        let ids = serde_json::to_string(&t.inspector_ids)
            .map_err(|e| CoreError::internal(format!("a talk's inspectors: {e}")))?;
        self.execute(
            sqlx::query(
                "INSERT INTO talks (id, inspection_id, interviewee_name, interviewee_post,
                    talked_on, place, inspector_ids, confirmed, plan_entry_id, text_sealed,
                    recorded_by, version, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(t.id.to_string())
            .bind(t.inspection_id.to_string())
            .bind(t.interviewee_name.clone())
            .bind(t.interviewee_post.clone())
            .bind(t.talked_on.to_string())
            .bind(t.place.clone())
            .bind(ids)
            .bind(flag(t.confirmed))
            .bind(t.plan_entry_id.map(|p| p.to_string()))
            .bind(t.text_sealed.clone())
            .bind(t.recorded_by.map(|u| u.to_string()))
            .bind(t.version)
            .bind(ts(t.created_at)),
        )
        .await?;
        if let Some(p) = t.plan_entry_id {
            self.execute(
                sqlx::query("UPDATE talk_plan SET talk_id = $1 WHERE id = $2 AND talk_id IS NULL")
                    .bind(t.id.to_string())
                    .bind(p.to_string()),
            )
            .await?;
        }
        Ok(())
    }

    async fn insert_doc_request(&mut self, d: &DocRequest) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO doc_requests (id, inspection_id, unit_id, number, materials, sent_on,
                    due_on, notes, answer, delivered_on, returned_on, status, version, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
            )
            .bind(d.id.to_string())
            .bind(d.inspection_id.to_string())
            .bind(d.unit_id.to_string())
            .bind(d.number)
            .bind(d.materials.clone())
            .bind(d.sent_on.to_string())
            .bind(d.due_on.map(|x| x.to_string()))
            .bind(d.notes.clone())
            .bind(d.answer.clone())
            .bind(d.delivered_on.map(|x| x.to_string()))
            .bind(d.returned_on.map(|x| x.to_string()))
            .bind(d.status.as_str())
            .bind(d.version)
            .bind(ts(d.created_at)),
        )
        .await?;
        Ok(())
    }

    async fn update_doc_request(&mut self, d: &DocRequest) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE doc_requests SET answer = $1, delivered_on = $2, returned_on = $3,
                        status = $4, version = $5
                     WHERE id = $6 AND version = $7",
                )
                .bind(d.answer.clone())
                .bind(d.delivered_on.map(|x| x.to_string()))
                .bind(d.returned_on.map(|x| x.to_string()))
                .bind(d.status.as_str())
                .bind(d.version)
                .bind(d.id.to_string())
                .bind(d.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion(format!("第 {} 号调阅单", d.number)));
        }
        Ok(())
    }

    async fn insert_field_record(&mut self, r: &FieldRecord) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO field_records (id, inspection_id, method, held_on, participants,
                    summary, forms_out, forms_back, recorded_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(r.id.to_string())
            .bind(r.inspection_id.to_string())
            .bind(r.method.as_str())
            .bind(r.held_on.to_string())
            .bind(r.participants.clone())
            .bind(r.summary.clone())
            .bind(r.forms_out)
            .bind(r.forms_back)
            .bind(r.recorded_by.map(|u| u.to_string()))
            .bind(ts(r.created_at)),
        )
        .await?;
        Ok(())
    }

    async fn insert_citation(&mut self, c: &Citation, by: Option<Id>) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query(
                    "INSERT INTO citations (citing_kind, citing_id, source_kind, source_id,
                        cited_by, cited_at)
                     VALUES ($1, $2, $3, $4, $5, $6)
                     ON CONFLICT (citing_kind, citing_id, source_kind, source_id) DO NOTHING",
                )
                .bind(c.citing_kind.as_str())
                .bind(c.citing_id.to_string())
                .bind(c.source_kind.as_str())
                .bind(c.source_id.to_string())
                .bind(by.map(|b| b.to_string()))
                .bind(ts(c.cited_at)),
            )
            .await?;
        Ok(n > 0)
    }
}
