//! The use cases. Each public method takes the acting user first, checks permission, and writes
//! its change together with the audit record in one transaction.

mod accountability;
mod archive;
mod audit_trail;
mod auth;
mod calendar;
mod clues;
mod crypto;
mod dashboard;
mod deadlines;
mod disclosure;
mod export;
mod feedback;
mod fieldwork;
mod fieldwork_files;
mod filings;
mod followups;
mod leadership;
mod letters;
mod levels;
mod mail;
mod maintenance;
mod mechanisms;
mod messages;
mod names;
mod node;
mod notices;
mod overview;
#[cfg(test)]
mod own_unit_table;
pub(crate) mod papers;
mod patterns;
mod planning;
mod rectify;
mod reminders;
mod reports;
mod retention;
mod search;
mod sign_on;
mod submissions;
mod supervision;
mod teams;
mod todo;
mod two_factor;
mod units;
mod users;

use std::sync::Arc;

use crate::audit::{AuditEntry, AuditRecord, format_at};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::Actor;
use crate::store::{Blobs, Secrets, Store, WriteTx};

pub use accountability::{AccountabilityEntry, AccountabilityQuery};
pub use archive::ArchiveScope;
pub use audit_trail::{AUDIT_EXPORT_MAX, AnchorStatus, ReadableRecord, VerifyOutcome};
pub use auth::{AuthPolicy, IssuedToken, LoginOk, SessionOk};
pub use clues::{ClueEntry, ClueListFilter, InspectionBrief, TransferLetter};
pub use crypto::SwitchReport;
pub use deadlines::rectification_warn_days;
pub use disclosure::{
    DisclosureTarget, DocRights, DocumentDetail, DocumentEntry, PublicNotice, report_submitted_on,
};
pub use export::{
    EXPORT_MAX_ROWS, LedgerExport, LedgerExportRow, LedgerExportStream, LedgerTotals,
};
pub use fieldwork::{
    DocRequestEntry, FieldRecordDetail, FieldworkSummary, GroupCoverage, TalkCoverage, TalkDetail,
    opens_field_records, reads_fieldwork,
};
pub use filings::{
    FilingEntry, FilingQuery, SinceFiled, may_file_any, may_view as may_view_filings,
};
pub use followups::{FollowUpEntry, FollowUpQuery};
pub use letters::{
    LetterDetail, LetterTally, PUBLIC_FILES_MAX, PublicInspection, PublicLetterStatus, PublicNote,
    Submitted, Tallied, may_announce,
};
pub use levels::{LevelRow, Levels, may_view as may_view_levels};
pub use mail::{MAIL_ATTEMPTS, MAIL_LEASE, MailRun};
pub use mechanisms::{MechanismEntry, MechanismQuery};
pub use messages::Inbox;
pub use names::InspectionNames;
pub use node::{Keep, NodeDecision, NodeImport, NodeWork, may_go_to_node, may_run_nodes};
pub use notices::{NoticeBoard, answers_for};
pub use overview::Overview;
pub use papers::may_draft;
pub use papers::{PaperDecision, PaperRights, ProblemDetail, Withdrawal};
pub use patterns::{
    ClusterExport, ClusterReport, ClusterView, PATTERN_PAGE, PATTERN_PAGE_MAX, PatternRun,
    RecurrencePage, RecurrenceQuery, RoundProblemPage, Trends, may_view_clusters,
    may_view_recurrences, pattern_page,
};
pub use planning::{
    Coverage, CoverageRow, CoveredBy, InspectionView, PlanInput, RoundInput, StageChange,
    TermInput, UnitRef, may_plan, may_view_plans, require_planner, today,
};
pub use rectify::{
    BATCH_MAX, BatchItem, CARRYABLE_MAX, CarriedTask, CarryInput, CarryingPlan, ChangeInput,
    FedBackProblem, IMPORT_MAX_ROWS, ImportRowReport, LedgerCategory, LedgerCell, LedgerFilter,
    LedgerImport, LedgerImportReport, LedgerImportRow, LedgerPage, LedgerProblem, LookBackProblem,
    LookBackView, MATCH_THRESHOLD, PastInspectionInput, PastInspectionReport, PastProblem,
    PlanDetail, PlanRights, PlanSlot, ProblemMatch, RectPlanInput, Reminded, RowOutcome,
    SkippedLine, TaskDetail, TaskEntry, TaskRights, similarity,
};
pub use reports::{ReportDetail, ReportRights};
pub use search::{
    SEARCH_LIMIT_MAX, SEARCH_TEXT_MAX, SIMILAR_MAX, SearchBatch, SearchItem, SearchPage,
    SearchRequest, SimilarProblem, reach,
};
pub use sign_on::SignOnOutcome;
pub use submissions::{ALREADY_SUBMITTED, KEPT_FOR};
pub use supervision::{ProblemRef, RectPickers, RectifyingInspection, SupervisionContext, TaskRef};
pub use teams::{Candidate, TeamEntry};
pub use todo::{FrameCounts, TODO_FIRST, Todo, TodoGroup, TodoItem, TodoKind};
pub(crate) use two_factor::two_factor_context;
pub use two_factor::{TwoFactorSetup, TwoFactorStatus};
pub use users::NewGrant;

/// Reads the time; tests put the clock where they need it.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(jiff::Timestamp::now)
}

pub struct Services<S: Store> {
    pub store: S,
    pub secrets: Arc<dyn Secrets>,
    pub clock: Clock,
    pub policy: AuthPolicy,
    /// Where evidence files are kept; services that store or read files refuse without it.
    pub blobs: Option<Arc<dyn Blobs>>,
    /// Seals the confidential fields of fieldwork; services that seal or open refuse without it.
    pub cipher: Option<Arc<dyn crate::fieldwork::Cipher>>,
    /// Signs and keeps the audit trail's checkpoints outside the database, where configured;
    /// `verify_audit` holds the chain to them.
    pub anchor: Option<Arc<dyn crate::anchor::Anchor>>,
    /// The algorithms of the installation: new evidence files are named by its hash (the audit
    /// chain's hash is the one its head row names).
    pub suite: crate::crypto::Suite,
    /// The organisation's directory, where log-in is checked against it (LDAP).
    pub directory: Option<Arc<dyn crate::directory::Directory>>,
    /// The organisation's identity provider, where people may sign on through it (OpenID
    /// Connect).
    pub sign_on: Option<Arc<dyn crate::sign_on::SingleSignOn>>,
    /// The full-text index, where search is enabled; `search` answers 503 without it.
    pub search: Option<Arc<dyn crate::search::SearchIndex>>,
    /// The most rows a ledger export or print view takes ([`EXPORT_MAX_ROWS`] unless a
    /// deployment or a test sets another).
    pub export_max: i64,
}

impl<S: Store> Clone for Services<S> {
    fn clone(&self) -> Self {
        Services {
            store: self.store.clone(),
            secrets: self.secrets.clone(),
            clock: self.clock.clone(),
            policy: self.policy.clone(),
            blobs: self.blobs.clone(),
            cipher: self.cipher.clone(),
            anchor: self.anchor.clone(),
            suite: self.suite,
            directory: self.directory.clone(),
            sign_on: self.sign_on.clone(),
            search: self.search.clone(),
            export_max: self.export_max,
        }
    }
}

impl<S: Store> Services<S> {
    pub fn new(store: S, secrets: Arc<dyn Secrets>) -> Self {
        Services {
            store,
            secrets,
            clock: system_clock(),
            policy: AuthPolicy::default(),
            blobs: None,
            cipher: None,
            anchor: None,
            suite: crate::crypto::Suite::default(),
            directory: None,
            sign_on: None,
            search: None,
            export_max: EXPORT_MAX_ROWS,
        }
    }

    /// The same services, keeping evidence files in `blobs`.
    pub fn with_blobs(mut self, blobs: Arc<dyn Blobs>) -> Self {
        self.blobs = Some(blobs);
        self
    }

    /// The same services, sealing the confidential fields with `cipher`.
    pub fn with_cipher(mut self, cipher: Arc<dyn crate::fieldwork::Cipher>) -> Self {
        self.cipher = Some(cipher);
        self
    }

    /// The same services, anchoring the audit trail with `anchor`.
    pub fn with_anchor(mut self, anchor: Arc<dyn crate::anchor::Anchor>) -> Self {
        self.anchor = Some(anchor);
        self
    }

    /// The same services, checking directory accounts' passwords against `directory`.
    pub fn with_directory(mut self, directory: Arc<dyn crate::directory::Directory>) -> Self {
        self.directory = Some(directory);
        self
    }

    /// The same services, letting people sign on through `provider`.
    pub fn with_sign_on(mut self, provider: Arc<dyn crate::sign_on::SingleSignOn>) -> Self {
        self.sign_on = Some(provider);
        self
    }

    /// The same services, searching through `index`.
    pub fn with_search(mut self, index: Arc<dyn crate::search::SearchIndex>) -> Self {
        self.search = Some(index);
        self
    }

    /// The same services, running the algorithms of `suite`.
    pub fn with_suite(mut self, suite: crate::crypto::Suite) -> Self {
        self.suite = suite;
        self
    }

    pub(crate) fn cipher(&self) -> Result<&Arc<dyn crate::fieldwork::Cipher>> {
        self.cipher.as_ref().ok_or_else(|| {
            crate::error::CoreError::Internal(
                "no key file is configured for the sealed fields".into(),
            )
        })
    }

    pub(crate) fn blobs(&self) -> Result<&Arc<dyn Blobs>> {
        self.blobs.as_ref().ok_or_else(|| {
            crate::error::CoreError::Internal(
                "no blob store is configured for evidence files".into(),
            )
        })
    }

    /// The current time, to the microsecond: the precision the store keeps, so a value
    /// returned by a service equals the value read back later.
    pub fn now(&self) -> jiff::Timestamp {
        let t = (self.clock)();
        t.round(
            jiff::TimestampRound::new()
                .smallest(jiff::Unit::Microsecond)
                .mode(jiff::RoundMode::Trunc),
        )
        .unwrap_or(t)
    }
}

/// Appends one record to the trail inside `tx`. The head lock makes concurrent writers queue,
/// so each record's `prev_hash` is the hash of the record committed just before it.
pub(crate) async fn record<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    at: jiff::Timestamp,
    entry: AuditEntry,
) -> Result<AuditRecord> {
    // An archived inspection's records are read-only: whichever service changed one, the
    // change is refused here, before its record, and its transaction rolled back.
    let head = match entry.object_id {
        Some(id) if crate::archive::held(entry.action) => {
            let (head, archived) = tx.lock_audit_head_for(entry.object_type, id).await?;
            if let Some(team) = archived {
                return Err(crate::archive::refusal(&team));
            }
            head
        }
        _ => tx.lock_audit_head().await?,
    };
    let (seq, prev_hash) = (head.seq, head.hash);
    // A request carrying an idempotency key claims it with the first record it writes, in
    // this transaction: the key is never kept without the record, nor the record without it.
    // A repeat of the key finds it claimed by another request and is refused; the edge then
    // answers it with the first request's answer.
    if let (Some(tag), Some(user_id)) = (actor.submission(), actor.user_id()) {
        let holder = tx
            .claim_submission(&crate::store::Submission {
                user_id,
                key: tag.key.clone(),
                route: tag.route.clone(),
                nonce: tag.nonce.clone(),
                object_type: entry.object_type.to_owned(),
                object_id: entry.object_id,
                created_at: at,
                answer: None,
            })
            .await?;
        if holder != tag.nonce {
            return Err(CoreError::Conflict(submissions::ALREADY_SUBMITTED.into()));
        }
    }
    let mut r = AuditRecord {
        id: Id::new(),
        seq: seq + 1,
        at: format_at(at),
        actor_id: actor.user_id(),
        actor_name: actor.name(),
        action: entry.action.as_str().to_owned(),
        object_type: entry.object_type.to_owned(),
        object_id: entry.object_id.map(|i| i.to_string()),
        ip: actor.ip.clone(),
        summary: entry.summary.to_string(),
        prev_hash,
        hash: String::new(),
    };
    r.hash = r.compute_hash_with(head.alg, &r.prev_hash);
    tx.insert_audit(&r).await?;
    if !entry.also.is_empty() {
        tx.insert_audit_objects(r.seq, &entry.also).await?;
    }
    tx.set_audit_head(r.seq, &r.hash).await?;
    Ok(r)
}

impl<S: Store> Services<S> {
    /// Records what a read showed the actor, once for the request, in a write transaction of
    /// its own that opens after the read: reading never holds the writer. The caller returns
    /// what it read only once this has succeeded, so nothing protected is served unrecorded.
    pub(crate) async fn record_shown(
        &self,
        actor: &Actor,
        at: jiff::Timestamp,
        entry: AuditEntry,
    ) -> Result<()> {
        self.record_all_shown(actor, at, vec![entry]).await
    }

    /// As [`Services::record_shown`], for a read that showed several kinds of record (a
    /// search's page): their records in one write transaction.
    pub(crate) async fn record_all_shown(
        &self,
        actor: &Actor,
        at: jiff::Timestamp,
        entries: Vec<AuditEntry>,
    ) -> Result<()> {
        let entries: Vec<AuditEntry> = entries
            .into_iter()
            .filter(|e| e.object_id.is_some() || !e.also.is_empty())
            .collect();
        if entries.is_empty() {
            return Ok(());
        }
        let mut tx = self.store.write().await?;
        // What a read showed creates nothing: it does not claim the request's key.
        let reader = actor.without_submission();
        for entry in entries {
            record(&mut tx, &reader, at, entry).await?;
        }
        tx.commit().await
    }
}
