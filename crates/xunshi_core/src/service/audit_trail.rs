//! Reading and verifying the audit trail.

use std::collections::HashMap;

use super::Services;
use crate::anchor::{Agreement, AnchorError, Checkpoint, SignedCheckpoint};
use crate::audit::{Action, AuditRecord, ChainCheck, ChainFault, format_at};
use crate::audit_text::{SummaryLine, object_href, object_type_label, summary_lines};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::{Actor, Permission};
use crate::store::{AuditFilter, AuditHead, AuditSort, ReadTx, Store};

/// The result of walking the whole chain.
#[derive(Debug)]
pub enum VerifyOutcome {
    Whole { records: i64 },
    Broken(ChainFault),
}

/// A record of the trail as people read it (see [`crate::audit_text`]).
#[derive(Debug, Clone)]
pub struct ReadableRecord {
    pub record: AuditRecord,
    /// The person behind the account, with the log-in name; the log-in name alone where no
    /// account stands behind it (a failed log-in under an unknown name).
    pub person: String,
    pub action: String,
    pub object_type: String,
    /// The page the object is seen on, where it has one.
    pub href: Option<String>,
    pub lines: Vec<SummaryLine>,
}

/// The most records one workbook of the trail takes; a filter narrows it.
pub const AUDIT_EXPORT_MAX: usize = 20_000;

impl<S: Store> Services<S> {
    /// A page of the trail under `f` sorted by `sort`, each record as people read it.
    pub async fn read_audit_page(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        sort: AuditSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<ReadableRecord>> {
        actor.require(Permission::ViewAudit)?;
        let mut tx = self.store.read().await?;
        let p = audit_page_in(&mut tx, f, sort, at, limit).await?;
        let mut ids: Vec<Id> = p.items.iter().filter_map(|r| r.actor_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let people: HashMap<Id, String> = tx.user_names(&ids).await?.into_iter().collect();
        Ok(p.map(|r| readable(r, &people)))
    }

    /// Every record under `f`, newest first, for the workbook; more than
    /// [`AUDIT_EXPORT_MAX`] are refused with a request to narrow the filter, counted before
    /// any is read. Read page by page in one transaction, so no more than the cap is ever held.
    pub async fn audit_export(
        &self,
        actor: &Actor,
        f: &AuditFilter,
    ) -> Result<Vec<ReadableRecord>> {
        actor.require(Permission::ViewAudit)?;
        let too_many = || {
            CoreError::RuleRefused(format!(
                "符合条件的审计记录超过一次导出的上限 {AUDIT_EXPORT_MAX} 条；请按时间、操作人、操作或对象筛选后分批导出"
            ))
        };
        let mut tx = self.store.read().await?;
        if tx.count_audit(f).await? > AUDIT_EXPORT_MAX as i64 {
            return Err(too_many());
        }
        let limit = crate::page::MAX_LIMIT;
        let mut out = Vec::new();
        let mut at: Option<Keyset> = None;
        loop {
            let mut rows = tx
                .audit_sorted(f, AuditSort::default(), at.as_ref(), limit)
                .await?;
            let more = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            at = rows.last().filter(|_| more).map(|r| Keyset {
                row: Some((String::new(), r.id)),
                back: false,
            });
            let mut ids: Vec<Id> = rows.iter().filter_map(|r| r.actor_id).collect();
            ids.sort_unstable();
            ids.dedup();
            let people: HashMap<Id, String> = tx.user_names(&ids).await?.into_iter().collect();
            out.extend(rows.into_iter().map(|r| readable(r, &people)));
            if out.len() > AUDIT_EXPORT_MAX {
                return Err(too_many());
            }
            if at.is_none() {
                return Ok(out);
            }
        }
    }

    pub async fn list_audit(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditRecord>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .audit_page(actor, f, AuditSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the trail under `f` sorted by `sort` (newest first unless told), from the
    /// cursor `at` (none: the first page; back without a row: the last page), `limit`
    /// records, with the cursors of the pages next to it and the total, counted by the
    /// database under the same filter.
    pub async fn audit_page(
        &self,
        actor: &Actor,
        f: &AuditFilter,
        sort: AuditSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<AuditRecord>> {
        actor.require(Permission::ViewAudit)?;
        let mut tx = self.store.read().await?;
        audit_page_in(&mut tx, f, sort, at, limit).await
    }

    /// Walks every record in order, in batches, inside one read transaction so the walk sees
    /// one consistent state; where checkpoints are kept, the chain must also still hold every
    /// record they pinned, with the hash they pinned.
    pub async fn verify_audit(&self, actor: &Actor) -> Result<VerifyOutcome> {
        actor.require(Permission::ViewAudit)?;
        let checkpoints = match &self.anchor {
            None => Vec::new(),
            Some(anchor) => match anchor.all().await {
                Ok(checkpoints) => checkpoints,
                Err(AnchorError::Bad { name, why }) => {
                    return Ok(VerifyOutcome::Broken(ChainFault::BadCheckpoint {
                        name,
                        why,
                    }));
                }
                Err(e) => return Err(e.into()),
            },
        };
        let mut tx = self.store.read().await?;
        let head = tx.audit_head().await?;
        let mut check = ChainCheck::pinned_by(head.alg, checkpoints);
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
        Ok(match check.finish(head.seq, &head.hash) {
            Ok(records) => VerifyOutcome::Whole { records },
            Err(fault) => VerifyOutcome::Broken(fault),
        })
    }
}

/// The newest checkpoint and whether the chain still holds what it pinned.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AnchorStatus {
    /// The public key checkpoints are signed with, hex.
    pub key: String,
    pub latest: Option<SignedCheckpoint>,
    /// How the chain stands against `latest`.
    pub agreement: Option<Agreement>,
    /// The trail's newest record now.
    pub head_seq: i64,
    /// The hash the trail's records carry now.
    pub alg: crate::crypto::HashAlg,
}

impl<S: Store> Services<S> {
    /// Pins the trail's newest record in a signed checkpoint kept outside the database, unless
    /// the newest checkpoint pins it already (then `None`). A trail that ends before the newest
    /// checkpoint is refused: it was wound back, and pinning the shorter trail would hide it.
    pub async fn write_audit_checkpoint(&self, actor: &Actor) -> Result<Option<SignedCheckpoint>> {
        actor.require(Permission::ViewAudit)?;
        let anchor = self.anchor()?;
        let AuditHead { seq, hash, alg } = {
            let mut tx = self.store.read().await?;
            tx.audit_head().await?
        };
        if seq == 0 {
            return Ok(None);
        }
        if let Some(latest) = anchor.latest().await? {
            if latest.checkpoint.seq == seq && latest.checkpoint.hash == hash {
                return Ok(None);
            }
            if latest.checkpoint.seq > seq {
                return Err(CoreError::Conflict(format!(
                    "审计日志只到第 {seq} 条，而最新检查点 {} 已固定第 {} 条：日志被回退，不再写检查点",
                    latest.name, latest.checkpoint.seq
                )));
            }
        }
        let c = Checkpoint {
            seq,
            hash,
            at: format_at(self.now()),
            alg,
        };
        Ok(Some(anchor.write(c).await?))
    }

    /// The newest checkpoint and how the chain stands against it; `None` where no checkpoints
    /// are kept.
    pub async fn audit_anchor_status(&self, actor: &Actor) -> Result<Option<AnchorStatus>> {
        actor.require(Permission::ViewAudit)?;
        let Some(anchor) = &self.anchor else {
            return Ok(None);
        };
        let latest = anchor.latest().await?;
        let mut tx = self.store.read().await?;
        let head = tx.audit_head().await?;
        let head_seq = head.seq;
        let agreement = match &latest {
            // Signed before a switch of algorithms, it pinned a hash the chain no longer
            // carries; only the whole walk (`verify_audit`) recomputes the chain under it.
            Some(l) if l.checkpoint.alg != head.alg => None,
            None => None,
            Some(l) => {
                let seq = l.checkpoint.seq;
                let stored = tx.audit_in_order(seq - 1, 1).await?;
                let hash = stored
                    .first()
                    .filter(|r| r.seq == seq)
                    .map(|r| r.hash.as_str());
                Some(Agreement::of(&l.checkpoint, hash))
            }
        };
        Ok(Some(AnchorStatus {
            key: anchor.key(),
            latest,
            agreement,
            head_seq,
            alg: head.alg,
        }))
    }

    fn anchor(&self) -> Result<&std::sync::Arc<dyn crate::anchor::Anchor>> {
        self.anchor.as_ref().ok_or_else(|| {
            CoreError::RuleRefused(
                "未配置审计锚定：须先设置检查点签名密钥和存放目录（audit_key_file、audit_checkpoint_dir）"
                    .into(),
            )
        })
    }
}

/// A sorted page of the trail, read in `tx`.
async fn audit_page_in<T: ReadTx>(
    tx: &mut T,
    f: &AuditFilter,
    sort: AuditSort,
    at: Option<&Keyset>,
    limit: u32,
) -> Result<SortedPage<AuditRecord>> {
    let total = tx.count_audit(f).await?;
    let want = SortedPage::<AuditRecord>::want(at, total, limit)?;
    let rows = tx.audit_sorted(f, sort, at, want).await?;
    Ok(SortedPage::from_walk(rows, sort, at, want, total, |r| {
        (sort.key_of(r), r.id)
    }))
}

fn readable(r: AuditRecord, people: &HashMap<Id, String>) -> ReadableRecord {
    let person = match r.actor_id.and_then(|id| people.get(&id)) {
        Some(name) => format!("{name}（{}）", r.actor_name),
        None => r.actor_name.clone(),
    };
    let action =
        Action::parse(&r.action).map_or_else(|| r.action.clone(), |a| a.label().to_owned());
    ReadableRecord {
        person,
        action,
        object_type: object_type_label(&r.object_type).to_owned(),
        href: r
            .object_id
            .as_deref()
            .and_then(|id| object_href(&r.object_type, &r.action, id)),
        lines: summary_lines(&r.object_type, &r.summary),
        record: r,
    }
}
