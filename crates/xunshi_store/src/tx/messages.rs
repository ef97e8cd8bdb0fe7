//! In-app messages, the e-mail outbox and the reminders' reads (migration 0021).

use jiff::civil::Date;
use sqlx::AssertSqlSafe;
use sqlx::any::AnyRow;
use xunshi_core::clue::Recipient;
use xunshi_core::message::{Message, MessageKind};
use xunshi_core::page::Keyset;
use xunshi_core::role::{Grant, Role};
use xunshi_core::store::{
    DueFollowUp, DueTask, DueTransfer, Mail, MessageFilter, MessageRead, MessageSort,
    MessageSortKey, MessageWrite,
};
use xunshi_core::user::User;
use xunshi_core::{CoreError, Id, Result};

use super::{
    DbTx, GRANT_COLS, KeyKind, Mode, USER_COLS, Where, Writing, contains_clause, keyset,
    like_pattern, ts,
};
use crate::rows::{self, date, i, id, opt_id, opt_s, opt_ts, s};

const MESSAGE_COLS: &str = "m.id, m.user_id, m.event_key, m.kind, m.title, m.body, m.about, \
     m.object_id, m.inspection_id, m.created_at, m.read_at";

/// The `WHERE` of an inbox: the recipient's own messages, narrowed by `f`, the same for its
/// rows and its count.
fn message_where(user_id: Id, f: &MessageFilter) -> Where {
    let mut w = Where::default();
    w.eq("m.user_id", user_id.to_string());
    if f.unread_only {
        w.fixed("m.read_at IS NULL");
    }
    if let Some(q) = f.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let c = contains_clause(&["m.title", "m.body"], w.next(), q);
        w.raw(c, like_pattern(q));
    }
    w
}

fn message(r: &AnyRow) -> Result<Message> {
    let kind = s(r, "kind")?;
    Ok(Message {
        id: id(r, "id")?,
        user_id: id(r, "user_id")?,
        event_key: s(r, "event_key")?,
        kind: MessageKind::parse(&kind)
            .ok_or_else(|| CoreError::internal(format!("stored message kind {kind}")))?,
        title: s(r, "title")?,
        body: s(r, "body")?,
        about: opt_s(r, "about")?
            .map(|a| {
                serde_json::from_value(serde_json::Value::String(a.clone()))
                    .map_err(|_| CoreError::internal(format!("stored message about {a}")))
            })
            .transpose()?,
        object_id: opt_id(r, "object_id")?,
        inspection_id: opt_id(r, "inspection_id")?,
        created_at: rows::ts(r, "created_at")?,
        read_at: opt_ts(r, "read_at")?,
    })
}

/// The to-do kind's identifier, as the API spells it.
fn about_code(k: xunshi_core::service::TodoKind) -> String {
    match serde_json::to_value(k) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

/// `(due, id)` keyset after the given row, or from the start.
fn after_clause(after: Option<(Date, Id)>, due_col: &str) -> (String, String, String) {
    match after {
        Some((d, i)) => (
            format!("AND ({due_col} > $3 OR ({due_col} = $3 AND x.id > $4))"),
            d.to_string(),
            i.to_string(),
        ),
        // Binds kept in place so the statement has the same placeholders either way.
        None => (
            "AND $3 = $3 AND $4 = $4".to_owned(),
            String::new(),
            String::new(),
        ),
    }
}

impl<M: Mode> MessageRead for DbTx<M> {
    async fn messages_sorted(
        &mut self,
        user_id: Id,
        f: &MessageFilter,
        sort: MessageSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<Vec<Message>> {
        let mut w = message_where(user_id, f);
        // Each key walks its index over (user_id, key, id) (migrations 0021 and 0026).
        let key = match sort.key {
            MessageSortKey::Seq => None,
            MessageSortKey::Kind => Some(("m.kind", KeyKind::Column)),
            MessageSortKey::Title => Some(("m.title", KeyKind::Column)),
        };
        let order_by = keyset(&mut w, key, "m.id", sort.desc, at)?;
        let sql = format!(
            "SELECT {MESSAGE_COLS} FROM messages m {} ORDER BY {order_by} LIMIT {}",
            w.sql(),
            limit + 1
        );
        self.fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(message)
            .collect()
    }

    async fn count_messages(&mut self, user_id: Id, f: &MessageFilter) -> Result<i64> {
        let w = message_where(user_id, f);
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM messages m {}",
            w.sql()
        );
        let r = self
            .fetch_optional(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?;
        Ok(r.map(|r| i(&r, "n")).transpose()?.unwrap_or(0))
    }

    async fn message_of(&mut self, user_id: Id, id: Id) -> Result<Option<Message>> {
        let sql =
            format!("SELECT {MESSAGE_COLS} FROM messages m WHERE m.id = $1 AND m.user_id = $2");
        self.fetch_optional(
            sqlx::query(AssertSqlSafe(sql))
                .bind(id.to_string())
                .bind(user_id.to_string()),
        )
        .await?
        .as_ref()
        .map(message)
        .transpose()
    }

    async fn unread_messages(&mut self, user_id: Id) -> Result<i64> {
        let r = self
            .fetch_optional(
                sqlx::query(
                    "SELECT CAST(count(*) AS BIGINT) AS n FROM messages
                     WHERE user_id = $1 AND read_at IS NULL",
                )
                .bind(user_id.to_string()),
            )
            .await?;
        r.map(|r| i(&r, "n")).transpose().map(|n| n.unwrap_or(0))
    }

    async fn followup_issuer(&mut self, id: Id) -> Result<Option<Id>> {
        let r = self
            .fetch_optional(
                sqlx::query("SELECT issued_by_id FROM followups WHERE id = $1")
                    .bind(id.to_string()),
            )
            .await?;
        Ok(r.map(|r| opt_id(&r, "issued_by_id")).transpose()?.flatten())
    }

    async fn user_email(&mut self, user_id: Id) -> Result<Option<String>> {
        let r = self
            .fetch_optional(
                sqlx::query("SELECT email FROM users WHERE id = $1").bind(user_id.to_string()),
            )
            .await?;
        Ok(r.map(|r| opt_s(&r, "email")).transpose()?.flatten())
    }

    async fn audience(
        &mut self,
        roles: &[Role],
        units: &[Id],
        inspection: Option<Id>,
        limit: u32,
    ) -> Result<Vec<(User, Vec<Grant>)>> {
        if roles.is_empty() {
            return Ok(Vec::new());
        }
        // The role names are the core's own identifiers, never input.
        let list: Vec<String> = roles.iter().map(|r| format!("'{}'", r.as_str())).collect();
        let mut w = Where::default();
        let n = w.next();
        let _ = w.list(std::iter::once(
            inspection.map(|u| u.to_string()).unwrap_or_default(),
        ));
        let of_units = if units.is_empty() {
            String::new()
        } else {
            let l = w.list(units.iter().map(Id::to_string));
            format!("OR (g.scope_kind = 'unit' AND g.scope_id IN ({l}))")
        };
        let sql = format!(
            "SELECT DISTINCT g.user_id FROM grants g JOIN users u ON u.id = g.user_id
             WHERE g.revoked_at IS NULL AND u.disabled = 0 AND g.role IN ({})
               AND (g.scope_kind = 'global'
                    OR (g.scope_kind = 'inspection' AND g.scope_id = ${n})
                    {of_units})
             ORDER BY g.user_id LIMIT {limit}",
            list.join(", ")
        );
        let ids: Vec<String> = self
            .fetch_all(w.bind_all(sqlx::query(AssertSqlSafe(sql))))
            .await?
            .iter()
            .map(|r| s(r, "user_id"))
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(ids.len());
        for uid in ids {
            let sql = format!("SELECT {USER_COLS} FROM users WHERE id = $1");
            let Some(r) = self
                .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(uid.clone()))
                .await?
            else {
                continue;
            };
            let user = rows::user(&r)?;
            let sql = format!(
                "SELECT {GRANT_COLS} FROM grants WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id"
            );
            let grants = self
                .fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(uid))
                .await?
                .iter()
                .map(rows::grant)
                .collect::<Result<Vec<_>>>()?;
            out.push((user, grants));
        }
        Ok(out)
    }

    async fn tasks_due_between(
        &mut self,
        from: Date,
        to: Date,
        after: Option<(Date, Id)>,
        limit: u32,
    ) -> Result<Vec<DueTask>> {
        let (clause, d, a) = after_clause(after, "x.due_date");
        // The condition is the partial index's (`rectification_tasks_open_due`, 0011).
        let sql = format!(
            "SELECT x.id, x.inspection_id, x.unit_id, x.seq, x.due_date FROM rectification_tasks x
             WHERE x.status <> 'closed' AND x.withdrawn_reason IS NULL AND x.due_date IS NOT NULL
               AND x.due_date >= $1 AND x.due_date <= $2 {clause}
             ORDER BY x.due_date, x.id LIMIT $5"
        );
        self.fetch_all(
            sqlx::query(AssertSqlSafe(sql))
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(d)
                .bind(a)
                .bind(i64::from(limit)),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(DueTask {
                id: id(r, "id")?,
                inspection_id: id(r, "inspection_id")?,
                unit_id: id(r, "unit_id")?,
                seq: s(r, "seq")?,
                due: date(r, "due_date")?,
            })
        })
        .collect()
    }

    async fn followups_due_between(
        &mut self,
        from: Date,
        to: Date,
        after: Option<(Date, Id)>,
        limit: u32,
    ) -> Result<Vec<DueFollowUp>> {
        let (clause, d, a) = after_clause(after, "x.answer_due");
        // The condition is the partial index's (`followups_open_due`, 0021).
        let sql = format!(
            "SELECT x.id, x.inspection_id, x.unit_id, x.doc_no, x.answer_due FROM followups x
             WHERE x.answered_on IS NULL AND x.answer_due IS NOT NULL
               AND x.answer_due >= $1 AND x.answer_due <= $2 {clause}
             ORDER BY x.answer_due, x.id LIMIT $5"
        );
        self.fetch_all(
            sqlx::query(AssertSqlSafe(sql))
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(d)
                .bind(a)
                .bind(i64::from(limit)),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(DueFollowUp {
                id: id(r, "id")?,
                inspection_id: id(r, "inspection_id")?,
                unit_id: id(r, "unit_id")?,
                number: s(r, "doc_no")?,
                due: date(r, "answer_due")?,
            })
        })
        .collect()
    }

    async fn reminders_done(&mut self, day: Date) -> Result<bool> {
        Ok(self
            .fetch_optional(
                sqlx::query("SELECT day FROM reminder_days WHERE day = $1").bind(day.to_string()),
            )
            .await?
            .is_some())
    }

    async fn transfers_due_between(
        &mut self,
        from: Date,
        to: Date,
        after: Option<(Date, Id)>,
        limit: u32,
    ) -> Result<Vec<DueTransfer>> {
        let (clause, d, a) = after_clause(after, "x.due_on");
        // Through `clue_transfers_due` (0021); the clues waiting are counted per transfer
        // through `clues_transferred` (0019).
        let sql = format!(
            "SELECT x.id, x.inspection_id, x.recipient_kind, x.recipient_unit_id, x.due_on,
                    (SELECT CAST(count(*) AS BIGINT) FROM clues c
                      WHERE c.transfer_id = x.id AND c.status = 'transferred') AS waiting
             FROM clue_transfers x
             WHERE x.due_on >= $1 AND x.due_on <= $2 {clause}
             ORDER BY x.due_on, x.id LIMIT $5"
        );
        self.fetch_all(
            sqlx::query(AssertSqlSafe(sql))
                .bind(from.to_string())
                .bind(to.to_string())
                .bind(d)
                .bind(a)
                .bind(i64::from(limit)),
        )
        .await?
        .iter()
        .map(|r| {
            Ok(DueTransfer {
                id: id(r, "id")?,
                inspection_id: id(r, "inspection_id")?,
                recipient: Recipient::from_parts(
                    &s(r, "recipient_kind")?,
                    opt_id(r, "recipient_unit_id")?,
                )?,
                due: date(r, "due_on")?,
                waiting: i(r, "waiting")?,
            })
        })
        .collect()
    }
}

impl MessageWrite for DbTx<Writing> {
    async fn insert_message(&mut self, m: &Message, email: Option<&str>) -> Result<bool> {
        // A second writer of the same event and recipient (another instance's reminder job)
        // inserts nothing; on PostgreSQL it waits for the first to commit and then finds it.
        let n = self
            .execute(
                sqlx::query(
                    "INSERT INTO messages (id, user_id, event_key, kind, title, body, about,
                                           object_id, inspection_id, created_at, read_at)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, NULL)
                     ON CONFLICT (event_key, user_id) DO NOTHING",
                )
                .bind(m.id.to_string())
                .bind(m.user_id.to_string())
                .bind(m.event_key.clone())
                .bind(m.kind.as_str())
                .bind(m.title.clone())
                .bind(m.body.clone())
                .bind(m.about.map(about_code))
                .bind(m.object_id.map(|i| i.to_string()))
                .bind(m.inspection_id.map(|i| i.to_string()))
                .bind(ts(m.created_at)),
            )
            .await?;
        if n == 0 {
            return Ok(false);
        }
        if let Some(address) = email {
            self.execute(
                sqlx::query(
                    "INSERT INTO mail_outbox (message_id, address, attempts, next_attempt_at)
                     VALUES ($1, $2, 0, $3)",
                )
                .bind(m.id.to_string())
                .bind(address.to_owned())
                .bind(ts(m.created_at)),
            )
            .await?;
        }
        Ok(true)
    }

    async fn mark_message_read(
        &mut self,
        user_id: Id,
        id: Id,
        at: jiff::Timestamp,
    ) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE messages SET read_at = $3
                     WHERE id = $1 AND user_id = $2 AND read_at IS NULL",
                )
                .bind(id.to_string())
                .bind(user_id.to_string())
                .bind(ts(at)),
            )
            .await?;
        Ok(n > 0)
    }

    async fn mark_all_messages_read(&mut self, user_id: Id, at: jiff::Timestamp) -> Result<u64> {
        self.execute(
            sqlx::query("UPDATE messages SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL")
                .bind(user_id.to_string())
                .bind(ts(at)),
        )
        .await
    }

    async fn reminders_written(&mut self, day: Date, at: jiff::Timestamp) -> Result<()> {
        self.execute(
            sqlx::query(
                "INSERT INTO reminder_days (day, done_at) VALUES ($1, $2)
                 ON CONFLICT (day) DO NOTHING",
            )
            .bind(day.to_string())
            .bind(ts(at)),
        )
        .await?;
        Ok(())
    }

    async fn set_user_email(&mut self, user_id: Id, email: Option<&str>) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE users SET email = $2 WHERE id = $1")
                .bind(user_id.to_string())
                .bind(email.map(str::to_owned)),
        )
        .await?;
        Ok(())
    }

    async fn claim_mails(
        &mut self,
        now: jiff::Timestamp,
        lease_until: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<Mail>> {
        // One conditional update claims the due rows: an instance that read the same rows
        // before another's claim committed finds, when it reaches them, a next attempt moved
        // past `now` (PostgreSQL checks the condition again on the row it waited for; SQLite
        // has one writer at a time), and takes none of them.
        let claimed: Vec<(String, String, i64)> = self
            .fetch_all(
                sqlx::query(
                    "UPDATE mail_outbox SET next_attempt_at = $2
                     WHERE message_id IN (
                         SELECT message_id FROM mail_outbox
                         WHERE sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1
                         ORDER BY next_attempt_at, message_id LIMIT $3)
                       AND sent_at IS NULL AND given_up_at IS NULL AND next_attempt_at <= $1
                     RETURNING message_id, address, attempts",
                )
                .bind(ts(now))
                .bind(ts(lease_until))
                .bind(i64::from(limit)),
            )
            .await?
            .iter()
            .map(|r| Ok((s(r, "message_id")?, s(r, "address")?, i(r, "attempts")?)))
            .collect::<Result<_>>()?;
        let mut out = Vec::with_capacity(claimed.len());
        for (mid, address, attempts) in claimed {
            let sql = format!("SELECT {MESSAGE_COLS} FROM messages m WHERE m.id = $1");
            if let Some(r) = self
                .fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(mid))
                .await?
            {
                out.push(Mail {
                    message: message(&r)?,
                    address,
                    attempts,
                });
            }
        }
        out.sort_by_key(|m| m.message.id);
        Ok(out)
    }

    async fn mail_sent(&mut self, message_id: Id, at: jiff::Timestamp) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE mail_outbox SET sent_at = $2 WHERE message_id = $1")
                .bind(message_id.to_string())
                .bind(ts(at)),
        )
        .await?;
        Ok(())
    }

    async fn mail_failed(
        &mut self,
        message_id: Id,
        error: &str,
        retry_at: Option<jiff::Timestamp>,
        at: jiff::Timestamp,
    ) -> Result<()> {
        // Error text from a mail server is kept short: it is for the operator, not a log.
        let error: String = error.chars().take(500).collect();
        self.execute(
            sqlx::query(
                "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $2,
                        next_attempt_at = COALESCE($3, next_attempt_at), given_up_at = $4
                 WHERE message_id = $1",
            )
            .bind(message_id.to_string())
            .bind(error)
            .bind(retry_at.map(ts))
            .bind(if retry_at.is_none() {
                Some(ts(at))
            } else {
                None
            }),
        )
        .await?;
        Ok(())
    }
}
