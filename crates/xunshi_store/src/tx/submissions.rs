//! Idempotency keys (migration 0015).

use sqlx::any::AnyRow;
use xunshi_core::store::{Submission, SubmissionAnswer, SubmissionRead, SubmissionWrite};
use xunshi_core::{Id, Result};

use super::{DbTx, Mode, Writing, ts};
use crate::rows::{i, id, opt_id, opt_s, s};

fn submission(r: &AnyRow) -> Result<Submission> {
    let answer = match opt_s(r, "body")? {
        Some(body) => Some(SubmissionAnswer {
            status: u16::try_from(i(r, "status")?).unwrap_or(200),
            location: opt_s(r, "location")?,
            content_type: opt_s(r, "content_type")?,
            body,
        }),
        None => None,
    };
    Ok(Submission {
        user_id: id(r, "user_id")?,
        key: s(r, "idem_key")?,
        route: s(r, "route")?,
        nonce: s(r, "nonce")?,
        object_type: s(r, "object_type")?,
        object_id: opt_id(r, "object_id")?,
        created_at: crate::rows::ts(r, "created_at")?,
        answer,
    })
}

impl<M: Mode> SubmissionRead for DbTx<M> {
    async fn get_submission(
        &mut self,
        user_id: Id,
        key: &str,
        route: &str,
    ) -> Result<Option<Submission>> {
        self.fetch_optional(
            sqlx::query(
                "SELECT user_id, idem_key, route, nonce, object_type, object_id, created_at,
                        status, location, content_type, body
                 FROM submissions WHERE user_id = $1 AND idem_key = $2 AND route = $3",
            )
            .bind(user_id.to_string())
            .bind(key.to_owned())
            .bind(route.to_owned()),
        )
        .await?
        .as_ref()
        .map(submission)
        .transpose()
    }
}

impl SubmissionWrite for DbTx<Writing> {
    async fn claim_submission(&mut self, x: &Submission) -> Result<String> {
        // A concurrent claim of the same key on PostgreSQL waits here for the first
        // transaction, then finds its row; the writers' lane does the same on SQLite.
        self.execute(
            sqlx::query(
                "INSERT INTO submissions
                    (user_id, idem_key, route, nonce, object_type, object_id, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)
                 ON CONFLICT (user_id, idem_key, route) DO NOTHING",
            )
            .bind(x.user_id.to_string())
            .bind(x.key.clone())
            .bind(x.route.clone())
            .bind(x.nonce.clone())
            .bind(x.object_type.clone())
            .bind(x.object_id.map(|i| i.to_string()))
            .bind(ts(x.created_at)),
        )
        .await?;
        let row = self
            .fetch_optional(
                sqlx::query(
                    "SELECT nonce FROM submissions
                     WHERE user_id = $1 AND idem_key = $2 AND route = $3",
                )
                .bind(x.user_id.to_string())
                .bind(x.key.clone())
                .bind(x.route.clone()),
            )
            .await?;
        match row {
            Some(r) => s(&r, "nonce"),
            None => Ok(x.nonce.clone()),
        }
    }

    async fn answer_submission(
        &mut self,
        user_id: Id,
        key: &str,
        route: &str,
        nonce: &str,
        a: &SubmissionAnswer,
    ) -> Result<bool> {
        let n = self
            .execute(
                sqlx::query(
                    "UPDATE submissions SET status = $1, location = $2, content_type = $3, body = $4
                     WHERE user_id = $5 AND idem_key = $6 AND route = $7 AND nonce = $8",
                )
                .bind(i64::from(a.status))
                .bind(a.location.clone())
                .bind(a.content_type.clone())
                .bind(a.body.clone())
                .bind(user_id.to_string())
                .bind(key.to_owned())
                .bind(route.to_owned())
                .bind(nonce.to_owned()),
            )
            .await?;
        Ok(n > 0)
    }

    async fn purge_submissions(&mut self, before: jiff::Timestamp) -> Result<u64> {
        self.execute(sqlx::query("DELETE FROM submissions WHERE created_at < $1").bind(ts(before)))
            .await
    }
}
