//! What the search index is filled from: each kind of record as a [`SearchDoc`], read by id
//! (the records an audit record names) or in pages by id (a full reindex). Only plain columns
//! are read; sealed fields never leave the database this way.

use std::future::Future;

use crate::error::Result;
use crate::id::Id;
use crate::search::{DocKind, SearchDoc};

/// The records whose place [`SearchRead::places`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlaceKind {
    Task,
    Problem,
}

pub trait SearchRead: Send {
    /// The documents of the records `ids` of `kind`. For [`DocKind::Progress`] the ids are
    /// tasks', and every progress report of those tasks is returned.
    fn search_docs(
        &mut self,
        kind: DocKind,
        ids: &[Id],
    ) -> impl Future<Output = Result<Vec<SearchDoc>>> + Send;
    /// The documents of the progress reports `ids` themselves (not of their tasks' others).
    fn progress_docs(&mut self, ids: &[Id]) -> impl Future<Output = Result<Vec<SearchDoc>>> + Send;
    /// The documents of `kind` after the record `after` in id order, at most `limit`.
    fn search_docs_after(
        &mut self,
        kind: DocKind,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<SearchDoc>>> + Send;
    /// How many documents of `kind` a full reindex writes.
    fn count_search_docs(&mut self, kind: DocKind) -> impl Future<Output = Result<i64>> + Send;
    /// Where the tasks or the problems `ids` sit, to hold a page of hits to their pages' rules
    /// in one read: each that exists as (record, its inspection, its unit — a task's own, a
    /// problem's target).
    fn places(
        &mut self,
        kind: PlaceKind,
        ids: &[Id],
    ) -> impl Future<Output = Result<Vec<(Id, Id, Id)>>> + Send;
    /// The tasks of the given rectification plans (a plan's records name the plan, not each
    /// task it adds or moves).
    fn tasks_of_plans(&mut self, plans: &[Id]) -> impl Future<Output = Result<Vec<Id>>> + Send;
    /// The clues of the given transfers (a transfer moves each of its clues).
    fn clues_of_transfers(
        &mut self,
        transfers: &[Id],
    ) -> impl Future<Output = Result<Vec<Id>>> + Send;
}
