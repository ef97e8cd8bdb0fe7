//! Storage of clues, their transfers and their disposal, and the handling deadline rules.

use std::future::Future;

use crate::clue::{Clue, ClueScope, ClueSettings, ClueStatus, RecipientKind, Transfer};
use crate::error::Result;
use crate::id::Id;
use crate::page::PageRequest;

#[derive(Debug, Clone, Default)]
pub struct ClueFilter {
    pub inspection_id: Option<Id>,
    pub status: Option<ClueStatus>,
    /// Clues transferred to this kind of body.
    pub recipient: Option<RecipientKind>,
    /// Clues whose transfer is due on or after this date.
    pub due_from: Option<jiff::civil::Date>,
    /// Clues whose transfer is due on or before this date.
    pub due_to: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Default)]
pub struct TransferFilter {
    pub inspection_id: Option<Id>,
    pub recipient: Option<RecipientKind>,
}

pub trait ClueRead: Send {
    /// A clue with the transfer it went out with.
    fn get_clue(&mut self, id: Id) -> impl Future<Output = Result<Option<Clue>>> + Send;
    /// Clues in register order (by id), narrowed to what `scope` may show.
    fn list_clues(
        &mut self,
        f: &ClueFilter,
        scope: &ClueScope,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Clue>>> + Send;
    /// A transfer with the ids of its clues.
    fn get_transfer(&mut self, id: Id) -> impl Future<Output = Result<Option<Transfer>>> + Send;
    /// Transfers newest last (by id), narrowed to what `scope` may show, with their clue ids.
    fn list_transfers(
        &mut self,
        f: &TransferFilter,
        scope: &ClueScope,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Transfer>>> + Send;

    /// The deadline rules in force (the defaults until the office changes them).
    fn clue_settings(&mut self) -> impl Future<Output = Result<ClueSettings>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait ClueWrite: ClueRead {
    fn insert_clue(&mut self, c: &Clue) -> impl Future<Output = Result<()>> + Send;
    /// Stores `c` (its content, status, transfer and disposal) if the stored version is still
    /// `c.version - 1`; otherwise `StaleVersion`.
    fn update_clue(&mut self, c: &Clue) -> impl Future<Output = Result<()>> + Send;

    /// Stores the transfer. The clues are attached by updating each of them.
    fn insert_transfer(&mut self, t: &Transfer) -> impl Future<Output = Result<()>> + Send;
    /// Stores `s` if the stored version is still `s.version - 1`; otherwise `StaleVersion`.
    fn update_clue_settings(&mut self, s: &ClueSettings)
    -> impl Future<Output = Result<()>> + Send;
}
