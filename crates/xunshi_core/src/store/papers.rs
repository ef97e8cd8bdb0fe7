//! Storage of the problem taxonomy, working papers, evidence files and immediate-fix notices.

use std::future::Future;

use crate::error::Result;
use crate::id::Id;
use crate::paper::{Evidence, ImmediateFixNotice, Problem, ProblemStatus};
use crate::taxonomy::{Category, TaxonomyVersion};

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub category_id: Option<Id>,
    pub status: Option<ProblemStatus>,
}

pub trait PaperRead: Send {
    fn list_taxonomy_versions(
        &mut self,
    ) -> impl Future<Output = Result<Vec<TaxonomyVersion>>> + Send;
    fn get_taxonomy_version(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<TaxonomyVersion>>> + Send;
    /// Categories of one version, or of all, by version and position.
    fn list_categories(
        &mut self,
        version_id: Option<Id>,
    ) -> impl Future<Output = Result<Vec<Category>>> + Send;
    fn get_category(&mut self, id: Id) -> impl Future<Output = Result<Option<Category>>> + Send;
    fn get_problem(&mut self, id: Id) -> impl Future<Output = Result<Option<Problem>>> + Send;
    /// The papers of an inspection, by number.
    fn list_problems(
        &mut self,
        inspection_id: Id,
        f: &ProblemFilter,
    ) -> impl Future<Output = Result<Vec<Problem>>> + Send;
    /// The highest paper number of the inspection, 0 when it has none.
    fn max_problem_seq(&mut self, inspection_id: Id) -> impl Future<Output = Result<i32>> + Send;
    fn get_evidence(&mut self, id: Id) -> impl Future<Output = Result<Option<Evidence>>> + Send;
    /// The files of a paper, withdrawn ones included, in upload order.
    fn list_evidence(
        &mut self,
        problem_id: Id,
    ) -> impl Future<Output = Result<Vec<Evidence>>> + Send;
    /// How many files (not withdrawn) each paper of the inspection has.
    fn count_evidence(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<(Id, i64)>>> + Send;
    fn get_notice(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<ImmediateFixNotice>>> + Send;
    /// The notices of an inspection, by number; only those to `units` when given.
    fn list_notices(
        &mut self,
        inspection_id: Option<Id>,
        units: Option<&[Id]>,
    ) -> impl Future<Output = Result<Vec<ImmediateFixNotice>>> + Send;
    fn max_notice_seq(&mut self, inspection_id: Id) -> impl Future<Output = Result<i32>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait PaperWrite: PaperRead {
    fn insert_taxonomy_version(
        &mut self,
        v: &TaxonomyVersion,
    ) -> impl Future<Output = Result<()>> + Send;
    fn insert_category(&mut self, c: &Category) -> impl Future<Output = Result<()>> + Send;

    fn insert_problem(&mut self, p: &Problem) -> impl Future<Output = Result<()>> + Send;
    /// Stores `p` if the stored version is still `p.version - 1`; otherwise `StaleVersion`.
    fn update_problem(&mut self, p: &Problem) -> impl Future<Output = Result<()>> + Send;

    fn insert_evidence(&mut self, e: &Evidence) -> impl Future<Output = Result<()>> + Send;
    /// Records the withdrawal of a file not yet withdrawn; false if it already was.
    fn withdraw_evidence(&mut self, e: &Evidence) -> impl Future<Output = Result<bool>> + Send;

    fn insert_notice(&mut self, n: &ImmediateFixNotice) -> impl Future<Output = Result<()>> + Send;
    /// Stores `n` if the stored version is still `n.version - 1`; otherwise `StaleVersion`.
    fn update_notice(&mut self, n: &ImmediateFixNotice) -> impl Future<Output = Result<()>> + Send;
}
