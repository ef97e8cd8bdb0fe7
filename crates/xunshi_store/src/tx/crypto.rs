//! What a switch of algorithms rewrites (migration 0033 names the chain's hash).

use sqlx::AssertSqlSafe;
use xunshi_core::crypto::{HashAlg, Suite};
use xunshi_core::store::{CryptoWrite, FileColumn, Rechained, SealedField, Store, WriteTx};
use xunshi_core::{CoreError, Id, Result};

use super::{DbTx, Writing};
use crate::rows::{id, s};

/// The table, key and column of a sealed field, as SQL names (never input).
fn sealed_place(field: SealedField) -> (&'static str, &'static str, &'static str) {
    match field {
        SealedField::LetterWriter => ("letters", "id", "writer_sealed"),
        SealedField::TalkText => ("talks", "id", "text_sealed"),
        SealedField::TwoFactorSecret => ("two_factor", "user_id", "secret"),
    }
}

fn file_table(column: FileColumn) -> &'static str {
    match column {
        FileColumn::PaperEvidence => "evidence",
        FileColumn::TaskEvidence => "task_evidence",
        FileColumn::FieldworkFile => "fieldwork_files",
    }
}

impl DbTx<Writing> {
    /// A page of `(key, value)` of `table`, by key after `after`, where the value is set.
    async fn keyed_after(
        &mut self,
        (table, key, col): (&str, &str, &str),
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<(Id, String)>> {
        let sql = format!(
            "SELECT {key} AS k, {col} AS v FROM {table}
             WHERE {col} IS NOT NULL AND {key} > $1 ORDER BY {key} LIMIT {limit}"
        );
        let after = after.map_or_else(String::new, |i| i.to_string());
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(after))
            .await?
            .iter()
            .map(|r| Ok((id(r, "k")?, s(r, "v")?)))
            .collect()
    }

    async fn set_keyed(
        &mut self,
        (table, key, col): (&str, &str, &str),
        row: Id,
        value: &str,
    ) -> Result<()> {
        let sql = format!("UPDATE {table} SET {col} = $1 WHERE {key} = $2");
        self.execute(
            sqlx::query(AssertSqlSafe(sql))
                .bind(value.to_owned())
                .bind(row.to_string()),
        )
        .await?;
        Ok(())
    }
}

impl CryptoWrite for DbTx<Writing> {
    async fn rechain_audit(&mut self, records: &[Rechained]) -> Result<()> {
        for r in records {
            self.execute(
                sqlx::query("UPDATE audit_log SET prev_hash = $1, hash = $2 WHERE seq = $3")
                    .bind(r.prev_hash.clone())
                    .bind(r.hash.clone())
                    .bind(r.seq),
            )
            .await?;
        }
        Ok(())
    }

    async fn set_audit_alg(&mut self, alg: HashAlg) -> Result<()> {
        self.execute(
            sqlx::query("UPDATE audit_head SET algorithm = $1 WHERE id = 1")
                .bind(alg.as_str().to_owned()),
        )
        .await?;
        Ok(())
    }

    async fn sealed_after(
        &mut self,
        field: SealedField,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<(Id, String)>> {
        self.keyed_after(sealed_place(field), after, limit).await
    }

    async fn set_sealed(&mut self, field: SealedField, row: Id, value: &str) -> Result<()> {
        self.set_keyed(sealed_place(field), row, value).await
    }

    async fn files_after(
        &mut self,
        column: FileColumn,
        after: Option<Id>,
        limit: u32,
    ) -> Result<Vec<(Id, String)>> {
        self.keyed_after((file_table(column), "id", "sha256"), after, limit)
            .await
    }

    async fn set_file_name(&mut self, column: FileColumn, row: Id, name: &str) -> Result<()> {
        self.set_keyed((file_table(column), "id", "sha256"), row, name)
            .await
    }
}

impl crate::Db {
    /// Holds the database to the configured suite: a new trail (no record yet) takes its hash;
    /// a trail chained under another is refused, naming the command that switches it, so no
    /// process ever chains records under a hash other than the trail's.
    pub async fn adopt_suite(&self, suite: Suite) -> Result<()> {
        let mut tx = self.write().await?;
        let head = tx.lock_audit_head().await?;
        let want = suite.hash();
        if head.alg == want {
            return Ok(());
        }
        if head.seq > 0 {
            return Err(CoreError::Conflict(format!(
                "the configuration asks for the {} suite (crypto = \"{}\"), but the audit trail \
                 of this database is chained under {}: stop every server and run \
                 `xunshi crypto switch` to move it, or set crypto = \"{}\"",
                suite.as_str(),
                suite.as_str(),
                head.alg.label(),
                Suite::of_hash(head.alg).as_str(),
            )));
        }
        tx.set_audit_alg(want).await?;
        tx.commit().await
    }
}
