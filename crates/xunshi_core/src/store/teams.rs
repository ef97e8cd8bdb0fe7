//! Storage of the personnel pool of inspectors and the teams formed from it.

use std::future::Future;

use crate::error::Result;
use crate::id::Id;
use crate::page::{Keyset, PageRequest, Sort, SortKey};
use crate::personnel::{Inspector, RecusalRule, TeamMember, UnitLocality};

#[derive(Debug, Clone, Default)]
pub struct InspectorFilter {
    /// Part of the name, the post or the specialty.
    pub q: Option<String>,
    /// Inspectors whose current unit is this one.
    pub unit_id: Option<Id>,
    pub include_withdrawn: bool,
}

/// The columns the personnel pool's list sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InspectorSortKey {
    /// As entered (by id).
    #[default]
    Seq,
    /// By name.
    Name,
    /// By current unit (its id, which keeps each unit's people together).
    Unit,
    /// By current post.
    Post,
    /// By specialty.
    Specialty,
    /// In the pool before taken out of it.
    Status,
}

impl InspectorSortKey {
    pub const ALL: [InspectorSortKey; 6] = [
        InspectorSortKey::Seq,
        InspectorSortKey::Name,
        InspectorSortKey::Unit,
        InspectorSortKey::Post,
        InspectorSortKey::Specialty,
        InspectorSortKey::Status,
    ];
}

impl SortKey for InspectorSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            InspectorSortKey::Seq => "seq",
            InspectorSortKey::Name => "name",
            InspectorSortKey::Unit => "unit",
            InspectorSortKey::Post => "post",
            InspectorSortKey::Specialty => "specialty",
            InspectorSortKey::Status => "status",
        }
    }

    fn label(self) -> &'static str {
        match self {
            InspectorSortKey::Seq => "录入顺序",
            InspectorSortKey::Name => "姓名",
            InspectorSortKey::Unit => "现工作单位",
            InspectorSortKey::Post => "现任职务",
            InspectorSortKey::Specialty => "专业特长",
            InspectorSortKey::Status => "状态",
        }
    }
}

/// The order of a sorted list of the pool (`name`, `-unit`).
pub type InspectorSort = Sort<InspectorSortKey>;

impl InspectorSort {
    /// The sort key of a person, as the cursor carries it and the store compares it.
    pub fn key_of(self, x: &Inspector) -> String {
        match self.key {
            InspectorSortKey::Seq => String::new(),
            InspectorSortKey::Name => x.name.clone(),
            InspectorSortKey::Unit => x.unit_id.to_string(),
            InspectorSortKey::Post => x.post.clone(),
            InspectorSortKey::Specialty => x.specialty.clone(),
            InspectorSortKey::Status => i32::from(x.withdrawn).to_string(),
        }
    }
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
    /// A page of the pool (with past posts and relatives) sorted by `sort`, starting at `at`
    /// (`None`: the first page), `limit + 1` rows at most, in the order walked: going back,
    /// the rows before the cursor, nearest first.
    fn inspectors_sorted(
        &mut self,
        f: &InspectorFilter,
        sort: InspectorSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Inspector>>> + Send;
    /// How many people [`TeamRead::inspectors_sorted`] would list over all its pages.
    fn count_inspectors(&mut self, f: &InspectorFilter)
    -> impl Future<Output = Result<i64>> + Send;
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
