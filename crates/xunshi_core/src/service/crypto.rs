//! Switching an installation's algorithms (to 商用密码 or back): the audit chain hashed again
//! under the new hash, every sealed field sealed again by the new cipher, every stored file
//! named by the new hash — in one transaction, with its audit record, so the installation is
//! never left half switched.

use serde::Serialize;
use serde_json::json;

use super::{Services, VerifyOutcome, record};
use crate::audit::{Action, AuditEntry, GENESIS_HASH};
use crate::crypto::{Suite, parse_content_name};
use crate::error::{CoreError, Result};
use crate::permission::{Actor, Permission};
use crate::store::{CryptoWrite, FileColumn, ReadTx, Rechained, SealedField, Store, WriteTx};

/// The rows a switch reads and writes at a time.
const BATCH: u32 = 500;

/// What a switch changed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SwitchReport {
    /// The algorithms the audit chain carried before.
    pub from: Suite,
    pub to: Suite,
    /// Records of the trail hashed again (none when the chain carried the new hash already).
    pub records: i64,
    /// Sealed values sealed again.
    pub sealed: i64,
    /// File rows renamed by the new hash.
    pub files: i64,
    /// The checkpoint written after the switch, where checkpoints are kept.
    pub checkpoint: Option<String>,
}

impl<S: Store> Services<S> {
    /// Moves everything the installation protects to the algorithms of its configured suite
    /// (`Services::suite`). The chain must verify first, against the checkpoints where they
    /// are kept: chaining a damaged trail again would hide the damage. Whatever already runs
    /// the new algorithms is left as it is, so a switch interrupted before its commit is
    /// simply run again. Checkpoints signed before stay valid: `verify_audit` recomputes the
    /// chain under the hash they name.
    pub async fn switch_crypto(&self, actor: &Actor) -> Result<SwitchReport> {
        actor.require(Permission::ManageSecurity)?;
        if let VerifyOutcome::Broken(fault) = self.verify_audit(actor).await? {
            return Err(CoreError::Conflict(format!(
                "审计日志校验未通过，不切换算法（须先查明原因）：{fault}"
            )));
        }
        let to = self.suite;
        let alg = to.hash();
        let blobs = self.blobs()?.clone();
        let cipher = self.cipher()?.clone();
        let now = self.now();
        let mut tx = self.store.write().await?;
        let head = tx.lock_audit_head().await?;
        let from = Suite::of_hash(head.alg);

        let mut records = 0;
        if head.alg != alg {
            let mut prev = GENESIS_HASH.to_owned();
            let mut after = 0;
            loop {
                let batch = tx.audit_in_order(after, BATCH).await?;
                let Some(last) = batch.last() else { break };
                after = last.seq;
                let mut again = Vec::with_capacity(batch.len());
                for r in &batch {
                    let hash = r.compute_hash_with(alg, &prev);
                    again.push(Rechained {
                        seq: r.seq,
                        prev_hash: std::mem::replace(&mut prev, hash.clone()),
                        hash,
                    });
                }
                records += again.len() as i64;
                tx.rechain_audit(&again).await?;
            }
            tx.set_audit_alg(alg).await?;
            tx.set_audit_head(head.seq, &prev).await?;
        }

        let mut sealed = 0;
        for field in SealedField::ALL {
            let mut after = None;
            loop {
                let rows = tx.sealed_after(field, after, BATCH).await?;
                let Some((last, _)) = rows.last() else { break };
                after = Some(*last);
                for (id, value) in rows {
                    if cipher.is_current(&value) {
                        continue;
                    }
                    let context = field.context(id);
                    let plain = cipher.open(&context, &value)?;
                    tx.set_sealed(field, id, &cipher.seal(&context, &plain)?)
                        .await?;
                    sealed += 1;
                }
            }
        }

        let mut files = 0;
        for column in FileColumn::ALL {
            let mut after = None;
            loop {
                let rows = tx.files_after(column, after, BATCH).await?;
                let Some((last, _)) = rows.last() else { break };
                after = Some(*last);
                for (id, name) in rows {
                    if parse_content_name(&name).is_some_and(|(a, _)| a == alg) {
                        continue;
                    }
                    // The file is read back through its old name, which checks it is the
                    // content that was stored, before it is stored under the new one. The old
                    // file stays: a backup taken before the switch may still name it.
                    let bytes = blobs.get(&name).await?;
                    let renamed = blobs.put(bytes, "application/octet-stream", alg).await?;
                    tx.set_file_name(column, id, &renamed).await?;
                    files += 1;
                }
            }
        }

        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::CryptoSwitched,
                "security_settings",
                None,
                json!({
                    "before": { "suite": from.as_str(), "head_seq": head.seq, "head_hash": head.hash },
                    "after": { "suite": to.as_str() },
                    "records": records, "sealed": sealed, "files": files,
                }),
            ),
        )
        .await?;
        tx.commit().await?;
        let checkpoint = match &self.anchor {
            None => None,
            Some(_) => self.write_audit_checkpoint(actor).await?.map(|c| c.name),
        };
        Ok(SwitchReport {
            from,
            to,
            records,
            sealed,
            files,
            checkpoint,
        })
    }
}
