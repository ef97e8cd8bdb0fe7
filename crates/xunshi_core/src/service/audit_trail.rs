//! Reading and verifying the audit trail.

use super::Services;
use crate::audit::{AuditRecord, ChainCheck, ChainFault};
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::permission::{Actor, Permission};
use crate::store::{AuditFilter, ReadTx, Store};

/// The result of walking the whole chain.
#[derive(Debug)]
pub enum VerifyOutcome {
    Whole { records: i64 },
    Broken(ChainFault),
}

impl<S: Store> Services<S> {
    pub async fn list_audit(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>> {
        actor.require(Permission::ViewAudit)?;
        let mut tx = self.store.read().await?;
        let rows = tx.list_audit(f, page).await?;
        Ok(Page::from_rows(rows, page.limit, |r| r.id))
    }

    /// Walks every record in order, in batches, inside one read transaction so the walk sees
    /// one consistent state.
    pub async fn verify_audit(&self, actor: &Actor) -> Result<VerifyOutcome> {
        actor.require(Permission::ViewAudit)?;
        let mut tx = self.store.read().await?;
        let (head_seq, head_hash) = tx.audit_head().await?;
        let mut check = ChainCheck::default();
        let mut after = 0;
        loop {
            let batch = tx.audit_in_order(after, 1000).await?;
            let Some(last) = batch.last() else { break };
            after = last.seq;
            for r in &batch {
                if let Err(fault) = check.push(r) {
                    return Ok(VerifyOutcome::Broken(fault));
                }
            }
        }
        Ok(match check.finish(head_seq, &head_hash) {
            Ok(records) => VerifyOutcome::Whole { records },
            Err(fault) => VerifyOutcome::Broken(fault),
        })
    }
}
