//! Storage of the rectification reports and the public progress notices, with the revisions
//! of their text.

use std::future::Future;

use jiff::civil::Date;

use crate::disclosure::{DocKind, DocStatus, RectDocument, Revision};
use crate::error::Result;
use crate::id::Id;
use crate::page::{Keyset, PageRequest, Sort, SortKey};
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
    /// The units whose documents the reader does not see whatever else they hold: those they
    /// belong to without a role of the unit itself (the own-unit rule, `own_unit`).
    pub not_overseen: Vec<Id>,
    /// Part of the title.
    pub q: Option<String>,
}

/// The columns the lists of reports and of progress notices sort by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DocSortKey {
    /// As drafted (by id).
    #[default]
    Seq,
    /// By title.
    Title,
    /// By kind code (the reports' two kinds).
    Kind,
    /// By unit (its id, which keeps each unit's documents together).
    Unit,
    /// By status code.
    Status,
    /// By the day it first reached the office; those not yet submitted after every day.
    Submitted,
    /// By the day published; those not published after every day.
    Published,
}

impl DocSortKey {
    pub const ALL: [DocSortKey; 7] = [
        DocSortKey::Seq,
        DocSortKey::Title,
        DocSortKey::Kind,
        DocSortKey::Unit,
        DocSortKey::Status,
        DocSortKey::Submitted,
        DocSortKey::Published,
    ];
}

impl SortKey for DocSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            DocSortKey::Seq => "seq",
            DocSortKey::Title => "title",
            DocSortKey::Kind => "kind",
            DocSortKey::Unit => "unit",
            DocSortKey::Status => "status",
            DocSortKey::Submitted => "submitted",
            DocSortKey::Published => "published",
        }
    }

    fn label(self) -> &'static str {
        match self {
            DocSortKey::Seq => "起草顺序",
            DocSortKey::Title => "标题",
            DocSortKey::Kind => "类型",
            DocSortKey::Unit => "被巡视单位",
            DocSortKey::Status => "状态",
            DocSortKey::Submitted => "报送日期",
            DocSortKey::Published => "公开日期",
        }
    }
}

/// The order of a sorted list of reports or notices (`title`, `-submitted`).
pub type DocSort = Sort<DocSortKey>;

impl DocSort {
    /// The sort key of a document, as the cursor carries it and the store compares it: a day
    /// not yet reached as `9999-12-31`, after every day, as the store's index writes it.
    pub fn key_of(self, d: &RectDocument) -> String {
        let day = |on: Option<Date>| on.map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string());
        match self.key {
            DocSortKey::Seq => String::new(),
            DocSortKey::Title => d.title.clone(),
            DocSortKey::Kind => d.kind.as_str().to_owned(),
            DocSortKey::Unit => d.unit_id.to_string(),
            DocSortKey::Status => d.status.as_str().to_owned(),
            DocSortKey::Submitted => day(d.submitted_on),
            DocSortKey::Published => day(d.published_on),
        }
    }
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
    /// A page of documents sorted by `sort`, starting at `at` (`None`: the first page),
    /// `limit + 1` rows at most, in the order walked: going back, the rows before the cursor,
    /// nearest first.
    fn rect_documents_sorted(
        &mut self,
        f: &DocFilter,
        sort: DocSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RectDocument>>> + Send;
    /// How many documents [`DiscloseRead::rect_documents_sorted`] would list over all its
    /// pages.
    fn count_rect_documents(&mut self, f: &DocFilter) -> impl Future<Output = Result<i64>> + Send;
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
