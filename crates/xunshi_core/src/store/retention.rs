//! 保管期限与销毁 as the store keeps them: the periods, when each inspection was archived, the
//! disposals, and the removal of what a disposal takes.

use std::future::Future;

use jiff::civil::Date;

use crate::error::Result;
use crate::id::Id;
use crate::retention::{
    DisposableRecord, Disposal, DisposalStatus, DueForDisposal, Gone, RetentionRule,
};

pub trait RetentionRead: Send {
    /// The period of every disposable kind, in the order of [`crate::retention::DISPOSABLE`].
    fn retention_rules(&mut self) -> impl Future<Output = Result<Vec<RetentionRule>>> + Send;
    /// The day inspection `id` was archived, if it is.
    fn archived_on(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Option<Date>>> + Send;
    /// A page of the archived inspections holding records of a kind with a period that has
    /// run out by `today` under `rules`, by inspection id after `after`, `limit + 1` at most;
    /// each with the counts of the kinds past their period and any disposal of them waiting.
    fn due_for_disposal(
        &mut self,
        rules: &[RetentionRule],
        today: Date,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DueForDisposal>>> + Send;
    /// How many records of a disposable kind inspection `id` holds.
    fn count_of_kind(
        &mut self,
        inspection_id: Id,
        kind: &str,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// A page of inspection `id`'s records of a disposable kind, named as the register names
    /// them, by id after `after`, `limit + 1` at most.
    fn records_of_kind(
        &mut self,
        inspection_id: Id,
        kind: &str,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<DisposableRecord>>> + Send;
    /// Record `record` of a disposable kind of inspection `id`, if it is one, and how many
    /// other records of the inspection refer to it (a letter that another repeats).
    fn record_of_kind(
        &mut self,
        inspection_id: Id,
        kind: &str,
        record: Id,
    ) -> impl Future<Output = Result<Option<(DisposableRecord, i64)>>> + Send;
    fn get_disposal(&mut self, id: Id) -> impl Future<Output = Result<Option<Disposal>>> + Send;
    /// A page of disposals, by id after `after`, `limit + 1` at most; of one status if given.
    fn disposals(
        &mut self,
        status: Option<DisposalStatus>,
        inspection_id: Option<Id>,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Disposal>>> + Send;
    /// The disposals waiting for a decision that `decider` may make (any but their own
    /// proposals): how many, and the oldest `limit`.
    fn waiting_disposals(
        &mut self,
        decider: Id,
        limit: u32,
    ) -> impl Future<Output = Result<(i64, Vec<Disposal>)>> + Send;
    /// Whether any record still names the stored file `name`.
    fn file_in_use(&mut self, name: &str) -> impl Future<Output = Result<bool>> + Send;
}

pub trait RetentionWrite: Send {
    /// Sets the period of `kind` (`None`: permanently) if its stored version is still
    /// `version`; otherwise `StaleVersion`.
    fn set_retention_rule(
        &mut self,
        kind: &str,
        years: Option<i64>,
        version: i64,
        by: Option<Id>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Notes the day an inspection was archived, from which its periods run.
    fn mark_archived(
        &mut self,
        inspection_id: Id,
        on: Date,
    ) -> impl Future<Output = Result<()>> + Send;
    /// A new disposal; `Conflict` when one of the same kind of the same inspection is waiting.
    fn insert_disposal(&mut self, d: &Disposal) -> impl Future<Output = Result<()>> + Send;
    /// Stores `d`'s decision if the stored version is still `d.version - 1`; otherwise
    /// `StaleVersion`.
    fn update_disposal(&mut self, d: &Disposal) -> impl Future<Output = Result<()>> + Send;
    /// Removes every record of a disposable kind of one inspection — or only `record`, when
    /// given — with what hangs on them (notes, files' rows, citations; the talk plan with the
    /// whole of the talks), and says what went: each row's hash, and each stored file the rows
    /// named (the caller removes those no other record names).
    fn dispose_records(
        &mut self,
        inspection_id: Id,
        kind: &str,
        record: Option<Id>,
    ) -> impl Future<Output = Result<Vec<Gone>>> + Send;
}
