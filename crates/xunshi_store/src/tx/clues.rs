//! Clues, their transfers and their disposal, and the handling deadline rules.

use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::clue::{
    Clue, ClueKind, ClueScope, ClueSettings, ClueSource, ClueStatus, Confidentiality, Disposal,
    DisposalMethod, Recipient, RecipientKind, Transfer, TransferRef,
};
use xunshi_core::page::{Keyset, PageRequest};
use xunshi_core::store::{ClueFilter, ClueRead, ClueSort, ClueSortKey, ClueWrite, TransferFilter};
use xunshi_core::{CoreError, Id, Result};

use super::{DbTx, KeyKind, Mode, Where, Writing, contains_clause, keyset, like_pattern, ts};
use crate::rows::{self, date, i, id, opt_date, opt_id, opt_s, opt_ts, s};

/// A clue with the columns of its transfer (`t.`) and the recipient department (`ru.`).
const CLUE_SELECT: &str =
    "SELECT c.id, c.inspection_id, c.about_name, c.about_post, c.about_unit_id,
        c.summary, c.source, c.confidentiality, c.kind, c.status, c.transfer_id,
        c.disposal_method, c.disposal_result, c.disposal_decided_on, c.disposal_recorded_by,
        c.disposal_recorded_at, c.created_by, c.created_at, c.updated_at, c.version,
        t.recipient_kind, t.recipient_unit_id, t.letter_no, t.transferred_on, t.due_on,
        ru.name AS recipient_unit_name
     FROM clues c
     LEFT JOIN clue_transfers t ON t.id = c.transfer_id
     LEFT JOIN units ru ON ru.id = t.recipient_unit_id";

const TRANSFER_SELECT: &str = "SELECT t.id, t.inspection_id, t.recipient_kind, t.recipient_unit_id,
        t.letter_no, t.letter_text, t.transferred_on, t.due_on, t.created_by, t.created_at,
        ru.name AS recipient_unit_name
     FROM clue_transfers t
     LEFT JOIN units ru ON ru.id = t.recipient_unit_id";

pub(crate) fn recipient_of(r: &AnyRow) -> Result<(Recipient, String)> {
    let recipient =
        Recipient::from_parts(&s(r, "recipient_kind")?, opt_id(r, "recipient_unit_id")?)?;
    let name = match recipient {
        Recipient::Department { .. } => opt_s(r, "recipient_unit_name")?.unwrap_or_default(),
        other => other.kind().label().to_owned(),
    };
    Ok((recipient, name))
}

fn clue(r: &AnyRow) -> Result<Clue> {
    let transfer = match opt_id(r, "transfer_id")? {
        None => None,
        Some(tid) => {
            let (recipient, recipient_name) = recipient_of(r)?;
            Some(TransferRef {
                id: tid,
                recipient,
                recipient_name,
                letter_no: s(r, "letter_no")?,
                transferred_on: date(r, "transferred_on")?,
                due_on: date(r, "due_on")?,
            })
        }
    };
    let disposal = match opt_s(r, "disposal_method")? {
        None => None,
        Some(m) => Some(Disposal {
            method: DisposalMethod::parse(&m)?,
            result: opt_s(r, "disposal_result")?.unwrap_or_default(),
            decided_on: opt_date(r, "disposal_decided_on")?
                .ok_or_else(|| CoreError::internal("a clue's disposal has no decision date"))?,
            recorded_by: opt_id(r, "disposal_recorded_by")?,
            recorded_at: opt_ts(r, "disposal_recorded_at")?
                .ok_or_else(|| CoreError::internal("a clue's disposal has no recording time"))?,
        }),
    };
    Ok(Clue {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        about_name: s(r, "about_name")?,
        about_post: s(r, "about_post")?,
        about_unit_id: opt_id(r, "about_unit_id")?,
        summary: s(r, "summary")?,
        source: ClueSource::parse(&s(r, "source")?)?,
        confidentiality: Confidentiality::parse(&s(r, "confidentiality")?)?,
        kind: ClueKind::parse(&s(r, "kind")?)?,
        status: ClueStatus::parse(&s(r, "status")?)?,
        transfer,
        disposal,
        created_by: opt_id(r, "created_by")?,
        created_at: rows::ts(r, "created_at")?,
        updated_at: rows::ts(r, "updated_at")?,
        version: i(r, "version")?,
    })
}

/// A transfer row; its clue ids are filled in separately.
fn transfer(r: &AnyRow) -> Result<Transfer> {
    let (recipient, recipient_name) = recipient_of(r)?;
    Ok(Transfer {
        id: id(r, "id")?,
        inspection_id: id(r, "inspection_id")?,
        recipient,
        recipient_name,
        letter_no: s(r, "letter_no")?,
        letter_text: s(r, "letter_text")?,
        transferred_on: date(r, "transferred_on")?,
        due_on: date(r, "due_on")?,
        clue_ids: Vec::new(),
        created_by: opt_id(r, "created_by")?,
        created_at: rows::ts(r, "created_at")?,
    })
}

fn day(d: jiff::civil::Date) -> String {
    d.to_string()
}

/// Narrows `w` to the rows `scope` may show, with `insp_col` the inspection column and `t.` the
/// transfer. Returns false when the scope shows nothing at all.
pub(crate) fn narrow(w: &mut Where, scope: &ClueScope, insp_col: &str) -> bool {
    let ClueScope::Some {
        team_inspections,
        dispatchers,
        discipline,
        organization,
        departments,
        own_units,
    } = scope
    else {
        return true;
    };
    let mut any = Vec::new();
    if !team_inspections.is_empty() {
        let list = w.list(team_inspections.iter().map(|i| i.to_string()));
        any.push(format!("{insp_col} IN ({list})"));
    }
    if !dispatchers.is_empty() {
        any.push(super::rectify::sent_by(w, dispatchers, insp_col));
    }
    let mut to_me = Vec::new();
    if *discipline {
        to_me.push(format!(
            "t.recipient_kind = '{}'",
            RecipientKind::Discipline.as_str()
        ));
    }
    if *organization {
        to_me.push(format!(
            "t.recipient_kind = '{}'",
            RecipientKind::Organization.as_str()
        ));
    }
    if !departments.is_empty() {
        // As a set of the departments' own transfers: the planners then start from those
        // (a few) through the recipient index, instead of from every open clue, testing each
        // one's transfer.
        let list = w.list(departments.iter().map(|i| i.to_string()));
        to_me.push(format!(
            "t.id IN (SELECT r.id FROM clue_transfers r \
              WHERE r.recipient_kind = '{}' AND r.recipient_unit_id IN ({list}))",
            RecipientKind::Department.as_str()
        ));
    }
    if !to_me.is_empty() {
        // The inspected unit never receives clues of its own inspection, whatever it holds.
        let not_inspected = if own_units.is_empty() {
            String::new()
        } else {
            let list = w.list(own_units.iter().map(|i| i.to_string()));
            format!(
                // Withdrawn targets count too: a unit once named never sees the clues.
                " AND {insp_col} NOT IN (SELECT inspection_id FROM inspection_targets WHERE unit_id IN ({list}))"
            )
        };
        any.push(format!(
            "(t.id IS NOT NULL AND ({}){not_inspected})",
            to_me.join(" OR ")
        ));
    }
    if any.is_empty() {
        return false;
    }
    w.fixed(&format!("({})", any.join(" OR ")));
    true
}

/// The `WHERE` of a clue list (`c.` the clue, `t.` its transfer): the filter, narrowed to
/// what `scope` may show; `None` when that is nothing.
fn clue_where(f: &ClueFilter, scope: &ClueScope) -> Option<Where> {
    let mut w = Where::default();
    if let Some(insp) = f.inspection_id {
        w.eq("c.inspection_id", insp.to_string());
    }
    if let Some(st) = f.status {
        w.eq("c.status", st.as_str());
    }
    if let Some(r) = f.recipient {
        w.eq("t.recipient_kind", r.as_str());
    }
    if let Some(d) = f.due_from {
        let n = w.next();
        w.raw(format!("t.due_on >= ${n}"), day(d));
    }
    if let Some(d) = f.due_to {
        let n = w.next();
        w.raw(format!("t.due_on <= ${n}"), day(d));
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let n = w.next();
        w.raw(
            contains_clause(&["c.about_name", "c.about_post"], n, q),
            like_pattern(q),
        );
    }
    if !f.own_units.is_empty() {
        // As `clue_access` reads the inspection: its targets as they stand.
        let own = w.list(f.own_units.iter().map(Id::to_string));
        w.fixed(&format!(
            "c.inspection_id NOT IN (SELECT inspection_id FROM inspection_targets
                                      WHERE unit_id IN ({own}) AND withdrawn_at IS NULL)"
        ));
    }
    narrow(&mut w, scope, "c.inspection_id").then_some(w)
}

impl<M: Mode> DbTx<M> {
    /// Fills in the clue ids of transfers read without them, in one query.
    async fn with_clue_ids(&mut self, mut list: Vec<Transfer>) -> Result<Vec<Transfer>> {
        if list.is_empty() {
            return Ok(list);
        }
        let placeholders: Vec<_> = (1..=list.len()).map(|n| format!("${n}")).collect();
        let sql = format!(
            "SELECT id, transfer_id FROM clues WHERE transfer_id IN ({}) ORDER BY id",
            placeholders.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql));
        for t in &list {
            q = q.bind(t.id.to_string());
        }
        for r in &self.fetch_all(q).await? {
            let tid = id(r, "transfer_id")?;
            let cid = id(r, "id")?;
            if let Some(t) = list.iter_mut().find(|t| t.id == tid) {
                t.clue_ids.push(cid);
            }
        }
        Ok(list)
    }
}

impl<M: Mode> ClueRead for DbTx<M> {
    async fn get_clue(&mut self, cid: Id) -> Result<Option<Clue>> {
        let sql = format!("{CLUE_SELECT} WHERE c.id = $1");
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(cid.to_string()))
            .await?
            .map(|r| clue(&r))
            .transpose()
    }

    async fn clues_sorted(
        &mut self,
        f: &ClueFilter,
        scope: &ClueScope,
        sort: ClueSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Clue>> {
        let Some(mut w) = clue_where(f, scope) else {
            return Ok(Vec::new());
        };
        // Each key is written exactly as its index (migration 0025) is; a clue not yet sent
        // has no transfer and sorts before every letter on both backends alike.
        let key = match sort.key {
            ClueSortKey::Seq => None,
            ClueSortKey::About => Some(("c.about_name", KeyKind::Column)),
            ClueSortKey::Kind => Some(("c.kind", KeyKind::Column)),
            ClueSortKey::Transfer => Some(("COALESCE(c.transfer_id, '')", KeyKind::Expression)),
            ClueSortKey::Status => Some(("c.status", KeyKind::Column)),
            // The transfer's deadline, kept on the clue (migration 0028) for an index of its own.
            ClueSortKey::Due => Some(("COALESCE(c.due_on, '9999-12-31')", KeyKind::Expression)),
        };
        let order_by = keyset(&mut w, key, "c.id", sort.desc, at)?;
        let sql = format!(
            "{CLUE_SELECT} {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(clue)
            .collect()
    }

    async fn count_clues(&mut self, f: &ClueFilter, scope: &ClueScope) -> Result<i64> {
        let Some(w) = clue_where(f, scope) else {
            return Ok(0);
        };
        // The transfer is joined only when the filter or the scope reads it, so that the
        // office's count is one walk of an index of the clues rather than of the table.
        let reads_transfer = f.recipient.is_some()
            || f.due_from.is_some()
            || f.due_to.is_some()
            || *scope != ClueScope::All;
        let join = if reads_transfer {
            "LEFT JOIN clue_transfers t ON t.id = c.transfer_id"
        } else {
            ""
        };
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM clues c {join} {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn get_transfer(&mut self, tid: Id) -> Result<Option<Transfer>> {
        let sql = format!("{TRANSFER_SELECT} WHERE t.id = $1");
        let found = self
            .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(tid.to_string()))
            .await?
            .map(|r| transfer(&r))
            .transpose()?;
        match found {
            Some(t) => Ok(self.with_clue_ids(vec![t]).await?.pop()),
            None => Ok(None),
        }
    }

    async fn list_transfers(
        &mut self,
        f: &TransferFilter,
        scope: &ClueScope,
        page: PageRequest,
    ) -> Result<Vec<Transfer>> {
        let mut w = Where::default();
        if let Some(insp) = f.inspection_id {
            w.eq("t.inspection_id", insp.to_string());
        }
        if let Some(r) = f.recipient {
            w.eq("t.recipient_kind", r.as_str());
        }
        if !narrow(&mut w, scope, "t.inspection_id") {
            return Ok(Vec::new());
        }
        if let Some(after) = page.after {
            let n = w.next();
            w.raw(format!("t.id > ${n}"), after.to_string());
        }
        let sql = format!(
            "{TRANSFER_SELECT} {} ORDER BY t.id LIMIT {}",
            w.sql(),
            page.limit + 1
        );
        let rows = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        let list = rows.iter().map(transfer).collect::<Result<Vec<_>>>()?;
        self.with_clue_ids(list).await
    }

    async fn clue_settings(&mut self) -> Result<ClueSettings> {
        let row = self
            .fetch_optional(sqlx::query(
                "SELECT handling_months, warn_days, version, updated_at, updated_by
                 FROM clue_settings WHERE id = 1",
            ))
            .await?;
        match row {
            // The migration writes the row; without it the defaults are what is in force.
            None => Ok(ClueSettings::default()),
            Some(r) => Ok(ClueSettings {
                handling_months: i(&r, "handling_months")?,
                warn_days: i(&r, "warn_days")?,
                version: i(&r, "version")?,
                updated_at: opt_ts(&r, "updated_at")?,
                updated_by: opt_id(&r, "updated_by")?,
            }),
        }
    }
}

impl ClueWrite for DbTx<Writing> {
    async fn insert_clue(&mut self, c: &Clue) -> Result<()> {
        let d = c.disposal.as_ref();
        self.execute(
            sqlx::query(
                "INSERT INTO clues (id, inspection_id, about_name, about_post, about_unit_id, summary,
                    source, confidentiality, kind, status, transfer_id, disposal_method, disposal_result,
                    disposal_decided_on, disposal_recorded_by, disposal_recorded_at, created_by,
                    created_at, updated_at, version, due_on)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)",
            )
            .bind(c.id.to_string())
            .bind(c.inspection_id.to_string())
            .bind(c.about_name.clone())
            .bind(c.about_post.clone())
            .bind(c.about_unit_id.map(|u| u.to_string()))
            .bind(c.summary.clone())
            .bind(c.source.as_str())
            .bind(c.confidentiality.as_str())
            .bind(c.kind.as_str())
            .bind(c.status.as_str())
            .bind(c.transfer.as_ref().map(|t| t.id.to_string()))
            .bind(d.map(|d| d.method.as_str()))
            .bind(d.map(|d| d.result.clone()))
            .bind(d.map(|d| day(d.decided_on)))
            .bind(d.and_then(|d| d.recorded_by).map(|u| u.to_string()))
            .bind(d.map(|d| ts(d.recorded_at)))
            .bind(c.created_by.map(|u| u.to_string()))
            .bind(ts(c.created_at))
            .bind(ts(c.updated_at))
            .bind(c.version)
            .bind(c.transfer.as_ref().map(|t| day(t.due_on))),
        )
        .await?;
        Ok(())
    }

    async fn update_clue(&mut self, c: &Clue) -> Result<()> {
        let d = c.disposal.as_ref();
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE clues SET about_name = $1, about_post = $2, about_unit_id = $3, summary = $4,
                        source = $5, confidentiality = $6, kind = $7, status = $8, transfer_id = $9,
                        disposal_method = $10, disposal_result = $11, disposal_decided_on = $12,
                        disposal_recorded_by = $13, disposal_recorded_at = $14, updated_at = $15,
                        version = $16, due_on = $19
                     WHERE id = $17 AND version = $18",
                )
                .bind(c.about_name.clone())
                .bind(c.about_post.clone())
                .bind(c.about_unit_id.map(|u| u.to_string()))
                .bind(c.summary.clone())
                .bind(c.source.as_str())
                .bind(c.confidentiality.as_str())
                .bind(c.kind.as_str())
                .bind(c.status.as_str())
                .bind(c.transfer.as_ref().map(|t| t.id.to_string()))
                .bind(d.map(|d| d.method.as_str()))
                .bind(d.map(|d| d.result.clone()))
                .bind(d.map(|d| day(d.decided_on)))
                .bind(d.and_then(|d| d.recorded_by).map(|u| u.to_string()))
                .bind(d.map(|d| ts(d.recorded_at)))
                .bind(ts(c.updated_at))
                .bind(c.version)
                .bind(c.id.to_string())
                .bind(c.version - 1)
                .bind(c.transfer.as_ref().map(|t| day(t.due_on))),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("问题线索".into()));
        }
        Ok(())
    }

    async fn insert_transfer(&mut self, t: &Transfer) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO clue_transfers (id, inspection_id, recipient_kind, recipient_unit_id,
                    letter_no, letter_text, transferred_on, due_on, created_by, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(t.id.to_string())
            .bind(t.inspection_id.to_string())
            .bind(t.recipient.kind().as_str())
            .bind(t.recipient.unit_id().map(|u| u.to_string()))
            .bind(t.letter_no.clone())
            .bind(t.letter_text.clone())
            .bind(day(t.transferred_on))
            .bind(day(t.due_on))
            .bind(t.created_by.map(|u| u.to_string()))
            .bind(ts(t.created_at)),
        )
        .await?;
        Ok(())
    }

    async fn update_clue_settings(&mut self, st: &ClueSettings) -> Result<()> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE clue_settings SET handling_months = $1, warn_days = $2, version = $3,
                        updated_at = $4, updated_by = $5
                     WHERE id = 1 AND version = $6",
                )
                .bind(st.handling_months)
                .bind(st.warn_days)
                .bind(st.version)
                .bind(st.updated_at.map(ts))
                .bind(st.updated_by.map(|u| u.to_string()))
                .bind(st.version - 1),
            )
            .await?;
        if n == 0 {
            return Err(CoreError::StaleVersion("线索办理时限设置".into()));
        }
        Ok(())
    }
}
