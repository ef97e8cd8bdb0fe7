//! Storage of terms, annual plans, rounds and inspections.

use std::future::Future;

use crate::access::Visible;
use crate::error::Result;
use crate::id::Id;
use crate::inspection::{AnnualPlan, Inspection, Round, Stage, Term};
use crate::page::PageRequest;

#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub term_id: Option<Id>,
    pub round_id: Option<Id>,
    /// Inspections with this unit among their targets.
    pub unit_id: Option<Id>,
    pub stage: Option<Stage>,
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
    fn list_inspections(
        &mut self,
        f: &InspectionFilter,
        visible: &Visible,
        page: PageRequest,
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
