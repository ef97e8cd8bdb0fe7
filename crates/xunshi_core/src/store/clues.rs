//! Storage of clues, their transfers and their disposal, and the handling deadline rules.

use std::future::Future;

use crate::clue::{Clue, ClueScope, ClueSettings, ClueStatus, RecipientKind, Transfer};
use crate::error::Result;
use crate::id::Id;
use crate::page::{Keyset, PageRequest, Sort, SortKey};

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
    /// Part of the name or post of whom the clue is about (what the list shows of a clue).
    pub q: Option<String>,
    /// The units the reader belongs to (`own_unit::units`): no clue of an inspection of one
    /// of them, whatever else the scope lets through (`clue::clue_access`).
    pub own_units: Vec<Id>,
}

/// The columns the clue list sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClueSortKey {
    /// As registered (by id).
    #[default]
    Seq,
    /// By the name of whom the clue is about.
    About,
    /// By kind code, which keeps each kind together.
    Kind,
    /// Letter by letter, in the order the transfers were made (by the transfer's id, so the
    /// clues of one letter, which share its deadline, together); clues not yet sent first.
    Transfer,
    /// By status code, which keeps each status together.
    Status,
    /// By the handling deadline of the clue's transfer, the earliest first; clues not yet
    /// sent, which have none, after every deadline.
    Due,
}

impl ClueSortKey {
    pub const ALL: [ClueSortKey; 6] = [
        ClueSortKey::Seq,
        ClueSortKey::About,
        ClueSortKey::Kind,
        ClueSortKey::Transfer,
        ClueSortKey::Due,
        ClueSortKey::Status,
    ];
}

impl SortKey for ClueSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            ClueSortKey::Seq => "seq",
            ClueSortKey::About => "about",
            ClueSortKey::Kind => "kind",
            ClueSortKey::Transfer => "transfer",
            ClueSortKey::Status => "status",
            ClueSortKey::Due => "due",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ClueSortKey::Seq => "登记顺序",
            ClueSortKey::About => "被反映人",
            ClueSortKey::Kind => "问题类别",
            ClueSortKey::Transfer => "移交函",
            ClueSortKey::Status => "状态",
            ClueSortKey::Due => "办理期限",
        }
    }
}

/// The order of a sorted clue list (`about`, `-about`).
pub type ClueSort = Sort<ClueSortKey>;

/// Where a clue not yet sent sorts among the deadlines: after all of them, as the store's
/// index (`clues_sort_due`) writes it.
pub const NO_DUE: &str = "9999-12-31";

impl ClueSort {
    /// The sort key of a clue, as the cursor carries it and the store compares it.
    pub fn key_of(self, c: &Clue) -> String {
        match self.key {
            ClueSortKey::Seq => String::new(),
            ClueSortKey::About => c.about_name.clone(),
            ClueSortKey::Kind => c.kind.as_str().to_owned(),
            ClueSortKey::Transfer => c
                .transfer
                .as_ref()
                .map(|t| t.id.to_string())
                .unwrap_or_default(),
            ClueSortKey::Status => c.status.as_str().to_owned(),
            ClueSortKey::Due => c
                .transfer
                .as_ref()
                .map_or_else(|| NO_DUE.to_owned(), |t| t.due_on.to_string()),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TransferFilter {
    pub inspection_id: Option<Id>,
    pub recipient: Option<RecipientKind>,
}

pub trait ClueRead: Send {
    /// A clue with the transfer it went out with.
    fn get_clue(&mut self, id: Id) -> impl Future<Output = Result<Option<Clue>>> + Send;
    /// A page of clues sorted by `sort`, narrowed to what `scope` may show, starting at `at`
    /// (`None`: the first page), `limit + 1` rows at most, in the order walked: going back,
    /// the rows before the cursor, nearest first.
    fn clues_sorted(
        &mut self,
        f: &ClueFilter,
        scope: &ClueScope,
        sort: ClueSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Clue>>> + Send;
    /// How many clues [`ClueRead::clues_sorted`] would list over all its pages.
    fn count_clues(
        &mut self,
        f: &ClueFilter,
        scope: &ClueScope,
    ) -> impl Future<Output = Result<i64>> + Send;
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
