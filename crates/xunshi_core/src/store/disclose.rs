//! Storage of the rectification reports and the public progress notices, with the revisions
//! of their text.

use std::future::Future;

use jiff::civil::Date;

use crate::disclosure::{DocKind, DocStatus, RectDocument, Revision};
use crate::error::Result;
use crate::id::Id;
use crate::page::PageRequest;
use crate::store::RectifyScope;

#[derive(Debug, Clone, Default)]
pub struct DocFilter {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    /// Any of these kinds; empty means every kind.
    pub kinds: Vec<DocKind>,
    pub status: Option<DocStatus>,
    /// Whose documents: the ledger's scope, the same for the same people.
    pub scope: Option<RectifyScope>,
}

pub trait DiscloseRead: Send {
    fn get_rect_document(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<RectDocument>>> + Send;
    /// Documents by id (creation order), `page.limit + 1` rows at most.
    fn list_rect_documents(
        &mut self,
        f: &DocFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<RectDocument>>> + Send;
    /// A page of the published notices, the most recently published first (then the newest
    /// id); the cursor is the last notice of the page before. Up to `limit + 1` rows.
    fn published_notices(
        &mut self,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<RectDocument>>> + Send;
    /// The revisions of a document, oldest first.
    fn list_revisions(
        &mut self,
        document_id: Id,
    ) -> impl Future<Output = Result<Vec<Revision>>> + Send;

    /// The day the first document of `kind` of the unit for the inspection reached the office.
    fn first_submitted_on(
        &mut self,
        inspection_id: Id,
        unit_id: Id,
        kind: DocKind,
    ) -> impl Future<Output = Result<Option<Date>>> + Send;

    /// The same for every unit and kind of the given inspections, in one query: the day the
    /// first document of each (inspection, unit, kind) reached the office, for those that did.
    fn first_submitted_dates(
        &mut self,
        inspection_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<SubmittedOn>>> + Send;
}

/// When the first document of a kind of a unit for an inspection reached the office.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedOn {
    pub inspection_id: Id,
    pub unit_id: Id,
    pub kind: DocKind,
    pub on: Date,
}

/// The writes of the same area; only a write transaction has them.
pub trait DiscloseWrite: DiscloseRead {
    fn insert_rect_document(&mut self, d: &RectDocument)
    -> impl Future<Output = Result<()>> + Send;
    /// Stores `d` if the stored version is still `d.version - 1`; otherwise `StaleVersion`.
    fn update_rect_document(&mut self, d: &RectDocument)
    -> impl Future<Output = Result<()>> + Send;

    fn insert_revision(&mut self, r: &Revision) -> impl Future<Output = Result<()>> + Send;
}
