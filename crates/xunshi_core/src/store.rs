//! What the services need from storage. `xunshi_store` implements these traits for SQLite and
//! PostgreSQL; the storage contract tests hold both to the same behaviour.
//!
//! Everything happens inside a [`Tx`]: a service opens one, reads and writes through it, appends
//! the audit record through it, and commits. Dropping a `Tx` without committing rolls it back.

pub mod archive;
pub mod audit;
pub mod blobs;
pub mod calendar;
pub mod clues;
pub mod crypto;
pub mod disclose;
pub mod fieldwork;
pub mod filings;
pub mod leadership;
pub mod look_back;
pub mod messages;
pub mod node;
pub mod org;
pub mod papers;
pub mod patterns;
pub mod planning;
pub mod rectify;
pub mod reports;
pub mod retention;
pub mod search;
pub mod submissions;
pub mod supervise;
pub mod teams;
pub mod todo;

use std::future::Future;
use std::pin::Pin;

use crate::audit::AuditRecord;
use crate::error::Result;
use crate::id::Id;
use crate::org::Unit;
use crate::page::Keyset;
use crate::role::Grant;
use crate::user::User;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

pub trait Store: Clone + Send + Sync + 'static {
    type Read: ReadTx;
    type Write: WriteTx;

    /// A transaction for reading; it runs beside other readers and the writer.
    fn read(&self) -> impl Future<Output = Result<Self::Read>> + Send;

    /// A transaction that will write; writers are serialised, so the checks a service makes
    /// before it writes still hold when it commits.
    fn write(&self) -> impl Future<Output = Result<Self::Write>> + Send;
}

#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    pub parent_id: Option<Id>,
    /// Part of the name.
    pub q: Option<String>,
    pub include_withdrawn: bool,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub unit_id: Option<Id>,
    /// Part of the username or the display name.
    pub q: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_name: Option<String>,
    pub action: Option<String>,
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// RFC 3339 bounds, inclusive from, exclusive to.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// A log-in session of the web pages. The cookie carries the secret; the store keeps its hash.
#[derive(Debug, Clone)]
pub struct Session {
    pub token_hash: String,
    pub user_id: Id,
    /// Every form of the session must carry this token.
    pub csrf_token: String,
    pub created_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    /// Opened while the person still has to set up the second factor the office requires:
    /// only that page may be opened until it is done.
    pub two_factor_pending: bool,
}

/// Who holds a credential (a session or an API token): the credential, its user and the
/// user's active grants, by id, read together on every signed-in request.
#[derive(Debug, Clone)]
pub struct Holder<C> {
    pub credential: C,
    pub user: User,
    pub grants: Vec<Grant>,
}

/// The failed log-ins of one account from one client address, and the lock they led to.
/// A person's second factor of log-in (RFC 6238): the shared secret, sealed by the key file,
/// confirmed once a first code from their app was right; the last step used, so no code counts
/// twice; and the hashes of the recovery codes not used yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TwoFactor {
    pub user_id: Id,
    /// The secret as [`crate::fieldwork::Cipher::seal`] sealed it (context `totp:<user id>`).
    pub secret: String,
    pub confirmed_at: Option<jiff::Timestamp>,
    pub last_step: i64,
    pub recovery: Vec<String>,
    pub created_at: jiff::Timestamp,
}

/// Failures lock that address out of that account only: the owner logging in from elsewhere is
/// not locked out by someone guessing from here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginLock {
    pub user_id: Id,
    /// The client address, or empty when it is not known.
    pub address: String,
    /// Consecutive failures from the address.
    pub failures: i64,
    /// Until when the address may not try the account again (a back-off wait or the lock).
    pub locked_until: Option<jiff::Timestamp>,
    pub last_failure_at: jiff::Timestamp,
}

/// A bearer token of the JSON API, stored only as its hash.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ApiToken {
    pub id: Id,
    pub user_id: Id,
    pub name: String,
    #[serde(skip)]
    pub token_hash: String,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub expires_at: jiff::Timestamp,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub last_used_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub revoked_at: Option<jiff::Timestamp>,
}

pub use archive::ArchiveRead;
pub use audit::{AuditSort, AuditSortKey};
pub use blobs::Blobs;
pub use calendar::{CalendarRead, CalendarWrite, ClockGroup};
pub use clues::{ClueFilter, ClueRead, ClueSort, ClueSortKey, ClueWrite, TransferFilter};
pub use crypto::{CryptoWrite, FileColumn, Rechained, SealedField};
pub use disclose::{DiscloseRead, DiscloseWrite, DocFilter, DocSort, DocSortKey, SubmittedOn};
pub use fieldwork::{
    FIELDWORK_LIST_MAX, FieldworkFile, FieldworkRead, FieldworkWrite, LetterCount, LetterFilter,
};
pub use filings::{Answerer, FilingFilter, FilingRead, FilingWrite};
pub use leadership::{
    ClosedInMonth, ClueColourCount, CommitteeStageCount, CommitteeTaskCount, CoverageCount,
    LeadershipRead, StageCount,
};
pub use look_back::{CarriedLink, LookBackRead, LookBackWrite};
pub use messages::{
    DueFollowUp, DueTask, DueTransfer, Mail, MessageFilter, MessageRead, MessageSort,
    MessageSortKey, MessageWrite,
};
pub use node::{NodeBaseline, NodeConflict, NodeRead, NodeRow, NodeWrite, Placed, row_digest};
pub use org::{UnitSort, UnitSortKey, UserSort, UserSortKey};
pub use papers::{PaperRead, PaperWrite, ProblemFilter, ProblemSort, ProblemSortKey};
pub use patterns::{PatternRead, PatternWrite, RecurrenceFilter, TrendRead, UnitPatternOrder};
pub use planning::{
    Covered, InspectionFilter, InspectionSort, InspectionSortKey, NO_DAY_KEY, PlanningRead,
    PlanningWrite,
};
pub use rectify::{
    ChangeFilter, ColourAt, LedgerRow, NO_DUE_KEY, PlanFilter, RectifyRead, RectifyScope,
    RectifyWrite, SlotCount, TallyFilter, TaskCount, TaskFilter, TaskLineRow, TaskOrder, TaskSort,
    TaskSortKey, UnitCount,
};
pub use reports::{ReportRead, ReportWrite};
pub use retention::{RetentionRead, RetentionWrite};
pub use search::{PlaceKind, SearchRead};
pub use submissions::{Submission, SubmissionAnswer, SubmissionRead, SubmissionWrite};
pub use supervise::{
    AccountabilityFilter, AccountabilitySort, AccountabilitySortKey, ClockFilter, FollowUpCount,
    FollowUpFilter, FollowUpSort, FollowUpSortKey, MechanismFilter, MechanismSort,
    MechanismSortKey, RunningClock, RunningCount, SuperviseRead, SuperviseWrite,
};
pub use teams::{InspectorFilter, InspectorSort, InspectorSortKey, TeamRead, TeamWrite};
pub use todo::{
    FrameAsk, FrameCount, TodoRead, Waiting, WaitingRow, WaitingScope, WaitingTransfer,
};

/// A transaction that reads: it sees one consistent state and runs beside other readers and
/// beside the writer. It has no way to change anything, and so none to append to the audit
/// trail; dropping it ends it.
/// The head of the audit trail: how many records it holds, the hash of the last, and the hash
/// its records carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditHead {
    pub seq: i64,
    pub hash: String,
    pub alg: crate::crypto::HashAlg,
}

pub trait ReadTx:
    Send
    + Sized
    + PlanningRead
    + TeamRead
    + PaperRead
    + ReportRead
    + ClueRead
    + CalendarRead
    + RectifyRead
    + DiscloseRead
    + FieldworkRead
    + SuperviseRead
    + SubmissionRead
    + MessageRead
    + TodoRead
    + LeadershipRead
    + SearchRead
    + PatternRead
    + TrendRead
    + LookBackRead
    + ArchiveRead
    + RetentionRead
    + FilingRead
    + NodeRead
{
    fn get_unit(&mut self, id: Id) -> impl Future<Output = Result<Option<Unit>>> + Send;
    fn find_unit_by_name(
        &mut self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Unit>>> + Send;
    /// A page of units sorted by `sort`, starting at `at` (`None`: the first page), `limit + 1`
    /// rows at most, in the order walked: going back, the rows before the cursor, nearest
    /// first.
    fn units_sorted(
        &mut self,
        f: &UnitFilter,
        sort: UnitSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Unit>>> + Send;
    /// How many units [`ReadTx::units_sorted`] would list over all its pages.
    fn count_listed_units(&mut self, f: &UnitFilter) -> impl Future<Output = Result<i64>> + Send;
    /// How many units are in force (not withdrawn).
    fn count_units(&mut self) -> impl Future<Output = Result<i64>> + Send;
    /// Every unit, for drawing the tree and for pickers.
    fn all_units(&mut self) -> impl Future<Output = Result<Vec<Unit>>> + Send;
    /// The names of the given units, for lists that show names beside ids.
    fn unit_names(&mut self, ids: &[Id]) -> impl Future<Output = Result<Vec<(Id, String)>>> + Send;
    /// The names of the given accounts' people, for lists that show who did something.
    fn user_names(&mut self, ids: &[Id]) -> impl Future<Output = Result<Vec<(Id, String)>>> + Send;
    /// The given units and every unit above them, each with its parent: the tree walked up in
    /// one statement (a person is of every unit above their own, see `own_unit`).
    fn units_up(
        &mut self,
        ids: &[Id],
    ) -> impl Future<Output = Result<Vec<(Id, Option<Id>)>>> + Send;
    fn get_user(&mut self, id: Id) -> impl Future<Output = Result<Option<User>>> + Send;
    /// The user and their password hash.
    fn get_user_for_login(
        &mut self,
        username: &str,
    ) -> impl Future<Output = Result<Option<(User, String)>>> + Send;
    /// A page of accounts sorted by `sort`, starting at `at` (`None`: the first page),
    /// `limit + 1` rows at most, in the order walked: going back, the rows before the cursor,
    /// nearest first.
    fn users_sorted(
        &mut self,
        f: &UserFilter,
        sort: UserSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<User>>> + Send;
    /// How many accounts [`ReadTx::users_sorted`] would list over all its pages.
    fn count_listed_users(&mut self, f: &UserFilter) -> impl Future<Output = Result<i64>> + Send;
    fn count_users(&mut self) -> impl Future<Output = Result<i64>> + Send;
    fn active_grants(&mut self, user_id: Id) -> impl Future<Output = Result<Vec<Grant>>> + Send;
    // Log-in locks, per account and client address. Attempts are not edits of the account:
    // they never touch its version.
    fn get_login_lock(
        &mut self,
        user_id: Id,
        address: &str,
    ) -> impl Future<Output = Result<Option<LoginLock>>> + Send;
    /// The locks of an account, newest failure first.
    fn login_locks_of(
        &mut self,
        user_id: Id,
    ) -> impl Future<Output = Result<Vec<LoginLock>>> + Send;
    /// The session of `token_hash` with its holder, in one statement.
    fn session_holder(
        &mut self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<Holder<Session>>>> + Send;
    /// The API token of `token_hash` with its holder, in one statement.
    fn token_holder(
        &mut self,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<Holder<ApiToken>>>> + Send;
    fn get_two_factor(
        &mut self,
        user_id: Id,
    ) -> impl Future<Output = Result<Option<TwoFactor>>> + Send;
    /// Whether administrators and the office must log in with a second factor.
    fn two_factor_required(&mut self) -> impl Future<Output = Result<bool>> + Send;
    fn get_token(&mut self, id: Id) -> impl Future<Output = Result<Option<ApiToken>>> + Send;
    fn list_tokens(&mut self, user_id: Id) -> impl Future<Output = Result<Vec<ApiToken>>> + Send;
    fn audit_head(&mut self) -> impl Future<Output = Result<AuditHead>> + Send;
    /// Records in sequence order after `after_seq`, for walking the chain.
    fn audit_in_order(
        &mut self,
        after_seq: i64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditRecord>>> + Send;
    /// A page of records under `f` sorted by `sort` (records of one key in sequence order, the
    /// same way), starting at `at` (`None`: the first page), `limit + 1` rows at most, in the
    /// order walked: going back, the rows before the cursor, nearest first.
    fn audit_sorted(
        &mut self,
        f: &AuditFilter,
        sort: AuditSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditRecord>>> + Send;
    /// How many records [`ReadTx::audit_sorted`] would list over all its pages: the head's
    /// count for the whole trail, otherwise counted through the filter's index.
    fn count_audit(&mut self, f: &AuditFilter) -> impl Future<Output = Result<i64>> + Send;
}

/// A transaction that writes: everything a read can do, plus the changes and the audit
/// records that go with them, kept or dropped together. Only this type reaches
/// `service::record`.
pub trait WriteTx:
    ReadTx
    + PlanningWrite
    + TeamWrite
    + PaperWrite
    + ReportWrite
    + ClueWrite
    + CalendarWrite
    + RectifyWrite
    + DiscloseWrite
    + FieldworkWrite
    + SuperviseWrite
    + SubmissionWrite
    + MessageWrite
    + CryptoWrite
    + PatternWrite
    + LookBackWrite
    + RetentionWrite
    + FilingWrite
    + NodeWrite
{
    fn commit(self) -> impl Future<Output = Result<()>> + Send;

    fn insert_unit(&mut self, u: &Unit) -> impl Future<Output = Result<()>> + Send;
    /// Stores `u` if the stored version is still `u.version - 1`; otherwise `StaleVersion`.
    fn update_unit(&mut self, u: &Unit) -> impl Future<Output = Result<()>> + Send;

    fn insert_user(
        &mut self,
        u: &User,
        password_hash: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores `u` if the stored version is still `u.version - 1`; otherwise `StaleVersion`.
    fn update_user(&mut self, u: &User) -> impl Future<Output = Result<()>> + Send;
    fn set_password(
        &mut self,
        id: Id,
        password_hash: &str,
        must_change: bool,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_grant(&mut self, g: &Grant) -> impl Future<Output = Result<()>> + Send;
    /// Marks the grant revoked; returns false if it was not active.
    fn revoke_grant(
        &mut self,
        id: Id,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<bool>> + Send;

    /// Stores the lock of `(user_id, address)`, replacing the one there was.
    fn put_login_lock(&mut self, l: &LoginLock) -> impl Future<Output = Result<()>> + Send;
    fn delete_login_lock(
        &mut self,
        user_id: Id,
        address: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Forgets every lock of an account (its password was reset).
    fn clear_login_locks(&mut self, user_id: Id) -> impl Future<Output = Result<()>> + Send;
    /// Forgets failures older than `before` whose lock (if any) has ended by `now`.
    fn purge_login_locks(
        &mut self,
        before: jiff::Timestamp,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Counts one log-in attempt from `address` in the minute starting at `window`: how many
    /// there have been in it, this one included. Every instance counts in the same row.
    fn count_login_attempt(
        &mut self,
        address: &str,
        window: jiff::Timestamp,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Forgets the counts of minutes that began before `before`.
    fn purge_login_attempts(
        &mut self,
        before: jiff::Timestamp,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Stores a sign-on under way, replacing one of the same state.
    fn put_sign_on(
        &mut self,
        s: &crate::sign_on::SignOn,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Takes the sign-on of a state, if it has not expired by `now`: it is gone afterwards.
    fn take_sign_on(
        &mut self,
        state_hash: &str,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<Option<crate::sign_on::SignOn>>> + Send;
    /// Forgets sign-ons that expired by `now`.
    fn purge_sign_ons(&mut self, now: jiff::Timestamp) -> impl Future<Output = Result<u64>> + Send;
    /// Stores the person's second factor, replacing the one there was.
    fn put_two_factor(&mut self, t: &TwoFactor) -> impl Future<Output = Result<()>> + Send;
    /// Removes it; false if there was none.
    fn delete_two_factor(&mut self, user_id: Id) -> impl Future<Output = Result<bool>> + Send;
    fn set_two_factor_required(
        &mut self,
        required: bool,
    ) -> impl Future<Output = Result<()>> + Send;
    fn insert_session(&mut self, s: &Session) -> impl Future<Output = Result<()>> + Send;
    fn delete_session(&mut self, token_hash: &str) -> impl Future<Output = Result<()>> + Send;
    fn delete_sessions_of(&mut self, user_id: Id) -> impl Future<Output = Result<()>> + Send;
    /// The person has set up the second factor: their sessions may open every page again.
    fn clear_two_factor_pending(&mut self, user_id: Id) -> impl Future<Output = Result<()>> + Send;
    fn delete_expired_sessions(
        &mut self,
        now: jiff::Timestamp,
    ) -> impl Future<Output = Result<u64>> + Send;

    fn insert_token(&mut self, t: &ApiToken) -> impl Future<Output = Result<()>> + Send;
    fn revoke_token(
        &mut self,
        id: Id,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Revokes every active token of the user; returns how many.
    fn revoke_tokens_of(
        &mut self,
        user_id: Id,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<u64>> + Send;
    fn touch_token(
        &mut self,
        id: Id,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;

    /// Locks the head of the trail for this transaction and returns its sequence and hash;
    /// concurrent writers wait here, so the chain never forks.
    fn lock_audit_head(&mut self) -> impl Future<Output = Result<AuditHead>> + Send;
    /// [`WriteTx::lock_audit_head`], and in the same read what
    /// [`crate::store::ArchiveRead::archived_owner`] answers of the object.
    fn lock_audit_head_for(
        &mut self,
        object_type: &str,
        id: Id,
    ) -> impl Future<Output = Result<(AuditHead, Option<String>)>> + Send;
    fn insert_audit(&mut self, r: &AuditRecord) -> impl Future<Output = Result<()>> + Send;
    fn set_audit_head(&mut self, seq: i64, hash: &str) -> impl Future<Output = Result<()>> + Send;
    /// Names further objects of the record `seq` (its `also`), so that a search by object
    /// finds it.
    fn insert_audit_objects(
        &mut self,
        seq: i64,
        ids: &[Id],
    ) -> impl Future<Output = Result<()>> + Send;
}

/// Password hashing and secret generation: CPU-heavy or OS-backed, so kept behind a trait whose
/// implementation runs off the async runtime.
pub trait Secrets: Send + Sync + 'static {
    fn hash_password(&self, password: String) -> BoxFuture<'static, Result<String>>;
    /// Verifies against `hash`; with `None` verifies against a fixed dummy hash, so that an
    /// unknown user costs as much time as a known one.
    fn verify_password(
        &self,
        password: String,
        hash: Option<String>,
    ) -> BoxFuture<'static, Result<bool>>;
    /// A fresh random secret, URL-safe, of at least 256 bits.
    fn random_token(&self) -> String;
}
