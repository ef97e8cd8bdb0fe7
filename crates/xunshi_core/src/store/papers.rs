//! Storage of the problem taxonomy, working papers, evidence files and immediate-fix notices.

use std::future::Future;

use crate::error::Result;
use crate::id::Id;
use crate::page::{Keyset, Sort, SortKey};
use crate::paper::{Evidence, ImmediateFixNotice, Problem, ProblemStatus, Severity};
use crate::taxonomy::{Category, TaxonomyVersion};

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub category_id: Option<Id>,
    pub status: Option<ProblemStatus>,
    /// Part of the problem's title (the paper's three parts are read one paper at a time, and
    /// each such read is audited, so a list does not search them).
    pub q: Option<String>,
}

/// The columns the list of an inspection's working papers sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ProblemSortKey {
    /// As drafted (by id, which is the order of their numbers).
    #[default]
    Seq,
    /// By the problem's title.
    Title,
    /// By category (its id, which keeps each category's papers together).
    Category,
    /// From the least grave to the gravest.
    Severity,
    /// By status code.
    Status,
    /// By the last change.
    Updated,
}

impl ProblemSortKey {
    pub const ALL: [ProblemSortKey; 6] = [
        ProblemSortKey::Seq,
        ProblemSortKey::Title,
        ProblemSortKey::Category,
        ProblemSortKey::Severity,
        ProblemSortKey::Status,
        ProblemSortKey::Updated,
    ];
}

impl SortKey for ProblemSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            ProblemSortKey::Seq => "seq",
            ProblemSortKey::Title => "title",
            ProblemSortKey::Category => "category",
            ProblemSortKey::Severity => "severity",
            ProblemSortKey::Status => "status",
            ProblemSortKey::Updated => "updated",
        }
    }

    fn label(self) -> &'static str {
        match self {
            ProblemSortKey::Seq => "编号",
            ProblemSortKey::Title => "问题表述",
            ProblemSortKey::Category => "类别",
            ProblemSortKey::Severity => "严重程度",
            ProblemSortKey::Status => "状态",
            ProblemSortKey::Updated => "更新时间",
        }
    }
}

/// The order of a sorted list of working papers (`title`, `-severity`).
pub type ProblemSort = Sort<ProblemSortKey>;

impl ProblemSort {
    /// The sort key of a paper, as the cursor carries it and the store compares it: a
    /// severity by its rank (1 general, 2 serious, 3 grave), as the store's index orders it.
    pub fn key_of(self, p: &Problem) -> String {
        match self.key {
            ProblemSortKey::Seq => String::new(),
            ProblemSortKey::Title => p.title.clone(),
            ProblemSortKey::Category => p.category_id.to_string(),
            ProblemSortKey::Severity => match p.severity {
                Severity::General => "1",
                Severity::Serious => "2",
                Severity::Grave => "3",
            }
            .to_owned(),
            ProblemSortKey::Status => p.status.as_str().to_owned(),
            ProblemSortKey::Updated => crate::audit::format_at(p.updated_at),
        }
    }
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
    /// A page of the papers of an inspection sorted by `sort`, starting at `at` (`None`: the
    /// first page), `limit + 1` rows at most, in the order walked: going back, the rows
    /// before the cursor, nearest first.
    fn problems_sorted(
        &mut self,
        inspection_id: Id,
        f: &ProblemFilter,
        sort: ProblemSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Problem>>> + Send;
    /// How many papers [`PaperRead::problems_sorted`] would list over all its pages.
    fn count_problems(
        &mut self,
        inspection_id: Id,
        f: &ProblemFilter,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// How many papers of the inspection are in each status, in one grouped count.
    fn problem_status_counts(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<(ProblemStatus, i64)>>> + Send;
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
