//! Recurring problems as the store keeps them: what the `patterns` job reads to work them out
//! (a round's problems in pages, a unit's history), what it writes (a round's clusters and a
//! unit's recurrences, each replaced whole), and the report's reads.

use std::future::Future;

use jiff::civil::Date;

use super::RectifyScope;
use crate::error::Result;
use crate::id::Id;
use crate::patterns::{Recurrence, UnitProblem};

/// A problem's words, for clustering.
#[derive(Debug, Clone)]
pub struct ProblemText {
    pub id: Id,
    pub unit_id: Id,
    pub category_id: Id,
    pub title: String,
    /// The title and the facts.
    pub text: String,
}

/// Whose clusters: a round's, across its units, or a term's (届), across its units and
/// rounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClusterScope {
    Round(Id),
    Term(Id),
}

impl ClusterScope {
    /// The column of `problem_clusters` that names the scope.
    pub fn column(self) -> &'static str {
        match self {
            ClusterScope::Round(_) => "round_id",
            ClusterScope::Term(_) => "term_id",
        }
    }

    pub fn id(self) -> Id {
        match self {
            ClusterScope::Round(id) | ClusterScope::Term(id) => id,
        }
    }
}

/// A cluster as it is written.
#[derive(Debug, Clone)]
pub struct NewCluster {
    pub id: Id,
    pub seq: i64,
    pub lead: Id,
    pub title: String,
    pub category_id: Id,
    pub units: i64,
    /// The rounds its problems were found in.
    pub rounds: i64,
    /// The problems with their similarity to the lead in per cent, the lead first.
    pub members: Vec<(Id, i16)>,
}

/// A stored cluster with its heading's name.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ClusterRow {
    pub id: Id,
    /// The round whose cluster it is; none for a term's.
    pub round_id: Option<Id>,
    /// The term whose cluster it is, across its rounds; none for a round's.
    pub term_id: Option<Id>,
    /// Its number in the round's or the term's report.
    pub seq: i64,
    pub lead_problem_id: Id,
    /// The lead problem's title.
    pub title: String,
    pub category_id: Id,
    pub category_name: String,
    pub problems: i64,
    pub units: i64,
    /// The rounds its problems were found in (1 for a round's cluster).
    pub rounds: i64,
    /// When the job worked it out (RFC 3339).
    pub computed_at: String,
}

/// A problem of a cluster.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ClusterMember {
    pub problem_id: Id,
    pub title: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub category_name: String,
    pub inspection_id: Id,
    pub team_name: String,
    /// How alike it is to the cluster's lead problem, in per cent.
    pub similarity: i16,
}

/// How many of a cluster's problems fall to one unit or one heading.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct NamedCount {
    pub id: Id,
    pub name: String,
    pub count: i64,
}

/// Which recurrences a list or a count covers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RecurrenceFilter {
    /// The units and inspections the reader may see; `None` for everything.
    pub scope: Option<RectifyScope>,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub problem_id: Option<Id>,
}

/// A problem found again, with both problems named.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RecurrenceRow {
    pub problem_id: Id,
    pub title: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub inspection_id: Id,
    pub team_name: String,
    pub year: i32,
    pub earlier_problem_id: Id,
    pub earlier_title: String,
    pub earlier_inspection_id: Id,
    pub earlier_team_name: String,
    pub earlier_year: i32,
    /// The earlier problem's task that was closed (销号).
    pub earlier_task_id: Id,
    pub earlier_task_seq: String,
    #[schema(value_type = String)]
    pub closed_on: Date,
    /// How alike the two problems are, in per cent.
    pub similarity: i16,
}

/// A round's problems under one heading.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RoundCategoryCount {
    pub round_id: Id,
    pub category_id: Id,
    pub category_name: String,
    pub problems: i64,
}

/// A unit's numbers as the patterns job last counted them.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct UnitPatternCount {
    pub unit_id: Id,
    pub unit_name: String,
    /// Problems found at the unit (approved or signed), in every inspection.
    pub problems: i64,
    /// Of those, found again after the task rectifying an earlier one was closed.
    pub recurring: i64,
    /// Its tasks rejected at least once when claimed done (reopened).
    pub reopened: i64,
    pub computed_at: String,
}

/// Which units' numbers come first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitPatternOrder {
    /// The most problems found again, per problem found.
    Recurring,
    /// The most tasks reopened.
    Reopened,
}

/// A problem of a round, for the list behind a heading's count.
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct RoundProblem {
    pub problem_id: Id,
    pub title: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub inspection_id: Id,
    pub team_name: String,
}

pub trait PatternRead: Send {
    /// The inspections of a round, withdrawn ones too (their problems still stand).
    fn round_inspections(&mut self, round_id: Id) -> impl Future<Output = Result<Vec<Id>>> + Send;
    /// An inspection's approved or signed problems, in id order.
    fn inspection_problems(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<ProblemText>>> + Send;
    /// The units with approved or signed problems in more than one inspection, after `after`
    /// in id order, at most `limit`.
    fn units_inspected_again_after(
        &mut self,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Id>>> + Send;
    /// A unit's approved or signed problems over all its inspections, each with a task that
    /// rectified it and was closed: one unit's history, a few dozen rows.
    fn unit_problems(
        &mut self,
        unit_id: Id,
    ) -> impl Future<Output = Result<Vec<UnitProblem>>> + Send;
    /// The scope's clusters in their order from `offset`, at most `limit`.
    fn clusters(
        &mut self,
        scope: ClusterScope,
        offset: u32,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ClusterRow>>> + Send;
    fn count_clusters(&mut self, scope: ClusterScope) -> impl Future<Output = Result<i64>> + Send;
    fn get_cluster(&mut self, id: Id) -> impl Future<Output = Result<Option<ClusterRow>>> + Send;
    /// A cluster's problems, the most alike first, from `offset`, at most `limit`.
    fn cluster_members(
        &mut self,
        id: Id,
        offset: u32,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<ClusterMember>>> + Send;
    /// The problems of the scope's clusters numbered up to `max_seq`, counted by cluster and
    /// unit: the cluster's id, the unit's name and the count, the most first within a cluster.
    fn cluster_units(
        &mut self,
        scope: ClusterScope,
        max_seq: i64,
    ) -> impl Future<Output = Result<Vec<(Id, String, i64)>>> + Send;
    /// A cluster's problems counted by unit (most first) and by heading.
    fn cluster_counts(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<(Vec<NamedCount>, Vec<NamedCount>)>> + Send;
    /// Recurrences under `f`, the latest inspections first, from `offset`, at most `limit`.
    fn recurrences(
        &mut self,
        f: &RecurrenceFilter,
        offset: u32,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RecurrenceRow>>> + Send;
    /// How many problems under `f` were found again (a problem like two earlier ones counts
    /// once), from the counts the job keeps by inspection and unit (`f.problem_id` is not
    /// read).
    fn count_recurring_problems(
        &mut self,
        f: &RecurrenceFilter,
    ) -> impl Future<Output = Result<i64>> + Send;
}

pub trait TrendRead: Send {
    /// The problems found (approved or signed) of each of `rounds`, by heading, as the
    /// patterns job last counted them.
    fn round_category_counts(
        &mut self,
        rounds: &[Id],
    ) -> impl Future<Output = Result<Vec<RoundCategoryCount>>> + Send;
    /// A round's problems found under one heading, by id from `offset`, at most `limit`.
    fn round_problems(
        &mut self,
        round_id: Id,
        category_id: Id,
        offset: u32,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RoundProblem>>> + Send;
    /// How many problems found a round has under one heading now.
    fn count_round_problems(
        &mut self,
        round_id: Id,
        category_id: Id,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// The first `limit` units by `order`, among those with a number to show.
    fn unit_pattern_counts(
        &mut self,
        order: UnitPatternOrder,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<UnitPatternCount>>> + Send;
}

pub trait PatternWrite: Send {
    /// Counts the problems found again by inspection and unit anew, from the pairs stored, and
    /// their total. Returns how many (inspection, unit) rows it wrote.
    fn refresh_recurrence_counts(&mut self) -> impl Future<Output = Result<u64>> + Send;
    /// Puts `counts` (heading, problems) in place of the round's counts by heading.
    fn replace_round_category_counts(
        &mut self,
        round_id: Id,
        counts: &[(Id, i64)],
    ) -> impl Future<Output = Result<()>> + Send;
    /// Counts every unit's problems, problems found again and reopened tasks anew.
    fn refresh_unit_pattern_counts(
        &mut self,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Puts `clusters` in place of the scope's earlier ones.
    fn replace_clusters(
        &mut self,
        scope: ClusterScope,
        clusters: &[NewCluster],
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Puts `found` in place of the unit's earlier recurrences.
    fn replace_unit_recurrences(
        &mut self,
        unit_id: Id,
        found: &[Recurrence],
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
}
