//! Storage of the personnel pool of inspectors and the teams formed from it.

use std::future::Future;

use crate::error::Result;
use crate::id::Id;
use crate::page::PageRequest;
use crate::personnel::{Inspector, RecusalRule, TeamMember, UnitLocality};

#[derive(Debug, Clone, Default)]
pub struct InspectorFilter {
    /// Part of the name, the post or the specialty.
    pub q: Option<String>,
    /// Inspectors whose current unit is this one.
    pub unit_id: Option<Id>,
    pub include_withdrawn: bool,
}

pub trait TeamRead: Send {
    fn get_inspector(&mut self, id: Id) -> impl Future<Output = Result<Option<Inspector>>> + Send;
    /// The inspector whose login account is `user_id`.
    fn find_inspector_by_user(
        &mut self,
        user_id: Id,
    ) -> impl Future<Output = Result<Option<Inspector>>> + Send;
    /// Inspectors in creation order, with their past posts and relatives.
    fn list_inspectors(
        &mut self,
        f: &InspectorFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Inspector>>> + Send;
    fn get_team_member(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<TeamMember>>> + Send;
    /// Every appointment to the inspection's team, withdrawn ones included, in appointment order.
    fn list_team_members(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<TeamMember>>> + Send;
    /// Every appointment of one inspector, to any inspection.
    fn memberships_of(
        &mut self,
        inspector_id: Id,
    ) -> impl Future<Output = Result<Vec<TeamMember>>> + Send;

    /// One rule per kind and flag of inspection, as shipped or as the office changed them.
    fn list_recusal_rules(&mut self) -> impl Future<Output = Result<Vec<RecusalRule>>> + Send;

    fn unit_localities(&mut self) -> impl Future<Output = Result<Vec<UnitLocality>>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait TeamWrite: TeamRead {
    /// Stores the inspector with their past posts and relatives.
    fn insert_inspector(&mut self, x: &Inspector) -> impl Future<Output = Result<()>> + Send;
    /// Stores `x`, past posts and relatives included, if the stored version is still
    /// `x.version - 1`; otherwise `StaleVersion`.
    fn update_inspector(&mut self, x: &Inspector) -> impl Future<Output = Result<()>> + Send;

    fn insert_team_member(&mut self, m: &TeamMember) -> impl Future<Output = Result<()>> + Send;
    /// Stores `m` if the stored version is still `m.version - 1`; otherwise `StaleVersion`.
    fn update_team_member(&mut self, m: &TeamMember) -> impl Future<Output = Result<()>> + Send;
    /// Stores `r` if the stored version is still `r.version - 1`; otherwise `StaleVersion`.
    fn update_recusal_rule(&mut self, r: &RecusalRule) -> impl Future<Output = Result<()>> + Send;
    /// Stores the locality of a unit: inserted at version 1, or updated if the stored version
    /// is still `l.version - 1`; otherwise `StaleVersion`.
    fn put_unit_locality(&mut self, l: &UnitLocality) -> impl Future<Output = Result<()>> + Send;
}
