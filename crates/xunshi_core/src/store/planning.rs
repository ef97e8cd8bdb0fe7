//! Storage of terms, annual plans, rounds and inspections.

use std::future::Future;

use crate::access::Visible;
use crate::error::Result;
use crate::id::Id;
use crate::inspection::{AnnualPlan, Inspection, Round, Stage, Term};
use crate::page::{Keyset, PageRequest, Sort, SortKey};

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub term_id: Option<Id>,
    pub round_id: Option<Id>,
    /// Inspections with this unit among their targets.
    pub unit_id: Option<Id>,
    /// Inspections this committee sends.
    pub dispatcher_id: Option<Id>,
    pub stage: Option<Stage>,
    /// Only inspections whose feedback has been given (feedback, rectification, archived).
    pub fed_back: bool,
    /// The newest first; the cursor then continues towards older ones.
    pub newest_first: bool,
    /// Part of the team's name or of an inspected unit's name (the names the list shows).
    pub q: Option<String>,
    /// The units the reader belongs to (`own_unit::units`): an inspection of one of them is
    /// listed only through `unit_roles`, as `access::inspection_access` has it.
    pub own_units: Vec<Id>,
    /// The units the reader holds a unit role in: their inspections after feedback.
    pub unit_roles: Vec<Id>,
}

/// The columns the inspection list sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InspectionSortKey {
    /// As entered (by id).
    #[default]
    Seq,
    /// Round by round, in the order the rounds were entered (by the round's id).
    Round,
    /// By the team's name.
    Team,
    /// By type code (routine, special, …), which keeps each type together.
    Kind,
    /// By the day of entry, or the planned day before entry; those with neither last.
    Entry,
    /// By the day of feedback; those not yet fed back last.
    Feedback,
    /// By stage code, which keeps each stage's inspections together.
    Stage,
}

impl InspectionSortKey {
    pub const ALL: [InspectionSortKey; 7] = [
        InspectionSortKey::Seq,
        InspectionSortKey::Round,
        InspectionSortKey::Team,
        InspectionSortKey::Kind,
        InspectionSortKey::Entry,
        InspectionSortKey::Feedback,
        InspectionSortKey::Stage,
    ];
}

impl SortKey for InspectionSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            InspectionSortKey::Seq => "seq",
            InspectionSortKey::Round => "round",
            InspectionSortKey::Team => "team",
            InspectionSortKey::Kind => "kind",
            InspectionSortKey::Entry => "entry",
            InspectionSortKey::Feedback => "feedback",
            InspectionSortKey::Stage => "stage",
        }
    }

    fn label(self) -> &'static str {
        match self {
            InspectionSortKey::Seq => "录入顺序",
            InspectionSortKey::Round => "轮次",
            InspectionSortKey::Team => "巡视组",
            InspectionSortKey::Kind => "类型",
            InspectionSortKey::Entry => "进驻时间",
            InspectionSortKey::Feedback => "反馈时间",
            InspectionSortKey::Stage => "阶段",
        }
    }
}

/// The order of a sorted inspection list (`entry`, `-entry`).
pub type InspectionSort = Sort<InspectionSortKey>;

/// Where a missing day sorts among days: after every date.
pub const NO_DAY_KEY: &str = "9999-12-31";

impl InspectionSort {
    /// The sort key of an inspection, as the cursor carries it and the store compares it.
    pub fn key_of(self, i: &Inspection) -> String {
        let day = |d: Option<jiff::civil::Date>| {
            d.map(|d| d.to_string())
                .unwrap_or_else(|| NO_DAY_KEY.to_owned())
        };
        match self.key {
            InspectionSortKey::Seq => String::new(),
            InspectionSortKey::Round => i.round_id.to_string(),
            InspectionSortKey::Team => i.team_name.clone(),
            InspectionSortKey::Kind => i.kind.as_str().to_owned(),
            InspectionSortKey::Entry => day(i.dates.entry.or(i.dates.planned_entry)),
            InspectionSortKey::Feedback => day(i.dates.feedback),
            InspectionSortKey::Stage => i.stage.as_str().to_owned(),
        }
    }
}

/// A unit inspected within a term, and by which inspection.
#[derive(Debug, Clone)]
pub struct Covered {
    pub unit_id: Id,
    pub inspection_id: Id,
    pub stage: Stage,
}

pub trait PlanningRead: Send {
    fn get_term(&mut self, id: Id) -> impl Future<Output = Result<Option<Term>>> + Send;
    fn list_terms(&mut self) -> impl Future<Output = Result<Vec<Term>>> + Send;
    fn get_plan(&mut self, id: Id) -> impl Future<Output = Result<Option<AnnualPlan>>> + Send;
    fn list_plans(
        &mut self,
        term_id: Option<Id>,
    ) -> impl Future<Output = Result<Vec<AnnualPlan>>> + Send;
    fn get_round(&mut self, id: Id) -> impl Future<Output = Result<Option<Round>>> + Send;
    fn list_rounds(
        &mut self,
        term_id: Option<Id>,
    ) -> impl Future<Output = Result<Vec<Round>>> + Send;
    fn get_inspection(&mut self, id: Id)
    -> impl Future<Output = Result<Option<Inspection>>> + Send;
    /// The ids of the inspections the committees `dispatchers` send, in no particular order:
    /// what a committee's own office reaches (a committee's own inspections over the years).
    fn inspection_ids_sent_by(
        &mut self,
        dispatchers: &[Id],
    ) -> impl Future<Output = Result<Vec<Id>>> + Send;
    /// The inspections of `ids` that exist, in no particular order: one read for the rows of
    /// a list that are each held to their inspection's rules.
    fn get_inspections(
        &mut self,
        ids: &[Id],
    ) -> impl Future<Output = Result<Vec<Inspection>>> + Send;
    fn list_inspections(
        &mut self,
        f: &InspectionFilter,
        visible: &Visible,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Inspection>>> + Send;
    /// A page of inspections sorted by `sort`, starting at `at` (`None`: the first page),
    /// `limit + 1` rows at most, in the order walked: going back, the rows before the cursor,
    /// nearest first.
    fn inspections_sorted(
        &mut self,
        f: &InspectionFilter,
        visible: &Visible,
        sort: InspectionSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Inspection>>> + Send;
    /// How many inspections [`PlanningRead::list_inspections`] would list over all its pages.
    fn count_inspections(
        &mut self,
        f: &InspectionFilter,
        visible: &Visible,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// Every unit targeted by an inspection of the term.
    fn covered_in_term(&mut self, term_id: Id)
    -> impl Future<Output = Result<Vec<Covered>>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait PlanningWrite: PlanningRead {
    fn insert_term(&mut self, t: &Term) -> impl Future<Output = Result<()>> + Send;

    fn insert_plan(&mut self, p: &AnnualPlan) -> impl Future<Output = Result<()>> + Send;

    fn insert_round(&mut self, r: &Round) -> impl Future<Output = Result<()>> + Send;

    /// Stores the inspection and its targets.
    fn insert_inspection(&mut self, i: &Inspection) -> impl Future<Output = Result<()>> + Send;
    /// Stores `i` (with its targets) if the stored version is still `i.version - 1`.
    fn update_inspection(&mut self, i: &Inspection) -> impl Future<Output = Result<()>> + Send;
}
