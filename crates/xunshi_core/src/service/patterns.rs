//! Recurring problems (举一反三): the `patterns` job that works out each round's clusters of
//! alike problems and each unit's problems found again after their task was closed
//! (整改不到位), and the reports that read what it stored.
//!
//! The job reads one inspection's or one unit's problems at a time and writes one round or a
//! batch of units per transaction, so no statement loads more than a round's signatures and
//! the serving instances keep writing while it runs. What it stores is derived from the
//! audited problems and tasks and is replaced whole on each run, like the ledger's tallies;
//! the run itself is recorded in `job_runs`.

use std::collections::{HashMap, HashSet};

use serde::Serialize;

use super::Services;
use super::papers::readable_problem;
use crate::access::{Visible, visible_inspections};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::page::OffsetRequest;
use crate::patterns::{Signature, cluster, drop_common, per_cent, recurrences, shingles};
use crate::permission::{Actor, Permission};
use crate::store::patterns::{
    ClusterMember, ClusterRow, ClusterScope, NamedCount, NewCluster, PatternRead, PatternWrite,
    RecurrenceRow, RoundProblem, UnitPatternCount,
};
use crate::store::{
    PaperRead, PlanningRead, ReadTx, RectifyScope, RecurrenceFilter, Store, TrendRead,
    UnitPatternOrder, WriteTx,
};

/// How many units' recurrences one transaction replaces.
const UNITS_PER_WRITE: u32 = 200;
/// How many rows a page of a report shows unless asked, and at most.
pub const PATTERN_PAGE: u32 = 50;
pub const PATTERN_PAGE_MAX: u32 = 200;

/// A page of a report as the pages and the API ask for it.
pub fn pattern_page(cursor: Option<&str>, limit: Option<u32>) -> Result<OffsetRequest> {
    OffsetRequest::parse(cursor, limit, PATTERN_PAGE, PATTERN_PAGE_MAX)
}

/// What a run of the job found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PatternRun {
    pub rounds: usize,
    pub problems: usize,
    pub clusters: usize,
    pub terms: usize,
    /// The terms' clusters, across their rounds.
    pub term_clusters: usize,
    pub units: usize,
    /// The problems found again after closing.
    pub recurring: usize,
    /// The pairs stored: a problem found again and each closed problem it repeats.
    pub recurrences: usize,
}

/// A page of a round's or a term's clusters.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClusterReport {
    /// The round reported on; none for a term's report.
    pub round_id: Option<Id>,
    /// The term (届) reported on, across its rounds; none for a round's report.
    pub term_id: Option<Id>,
    /// The round's or the term's name.
    pub name: String,
    pub total: i64,
    pub items: Vec<ClusterRow>,
    /// When the job last worked the round or the term out (RFC 3339); none before its first
    /// run.
    pub computed_at: Option<String>,
    /// The offset of the next page, if there is one.
    pub next_cursor: Option<String>,
}

impl ClusterReport {
    /// The address of its page and workbook, by scope.
    pub fn path(&self) -> String {
        match (self.round_id, self.term_id) {
            (Some(r), _) => format!("rounds/{r}"),
            (None, Some(t)) => format!("terms/{t}"),
            (None, None) => String::new(),
        }
    }
}

/// How many clusters a round's workbook lists at most: the most widespread first.
pub const EXPORT_CLUSTERS_MAX: u32 = 5_000;

/// A cluster as the round's workbook lists it: with every unit it spans and its count.
#[derive(Debug, Clone, Serialize)]
pub struct ExportedCluster {
    pub cluster: ClusterRow,
    pub units: Vec<(String, i64)>,
}

/// A round's or a term's clusters for its workbook.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterExport {
    /// The round's or the term's name.
    pub name: String,
    /// Whether it is a term's, whose clusters span rounds.
    pub of_term: bool,
    pub computed_at: Option<String>,
    pub total: i64,
    pub clusters: Vec<ExportedCluster>,
}

/// How many rounds the trends compare, the latest last.
pub const TREND_ROUNDS: usize = 6;
/// How many units each of the trends' unit lists shows.
pub const TREND_UNITS: u32 = 15;

/// A round as the trends name it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrendRound {
    pub id: Id,
    pub name: String,
    pub year: i32,
}

/// One heading's problems across the rounds compared.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryTrend {
    pub category_id: Id,
    pub category_name: String,
    /// The problems found under it in each round, in the rounds' order.
    pub counts: Vec<i64>,
    /// The latest round's count less the one before (positive: it grows).
    pub change: i64,
}

/// What recurs and grows: problems by heading across the latest rounds, and the units with the
/// most problems found again and the most tasks reopened, as the `patterns` job last counted
/// them (the lists they open are read as they stand).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Trends {
    /// The rounds compared, oldest first.
    pub rounds: Vec<TrendRound>,
    /// The headings, the most problems in the latest round first.
    pub categories: Vec<CategoryTrend>,
    pub units_recurring: Vec<UnitPatternCount>,
    pub units_reopened: Vec<UnitPatternCount>,
}

/// A page of a round's problems under one heading.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RoundProblemPage {
    pub round_name: String,
    pub category_name: String,
    pub total: i64,
    pub items: Vec<RoundProblem>,
    pub next_cursor: Option<String>,
}

/// A cluster with a page of its problems and its counts by unit and heading.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClusterView {
    pub cluster: ClusterRow,
    /// The name of the round or the term whose cluster it is.
    pub scope_name: String,
    pub members: Vec<ClusterMember>,
    pub by_unit: Vec<NamedCount>,
    pub by_category: Vec<NamedCount>,
    pub next_cursor: Option<String>,
}

/// A page of problems found again.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecurrencePage {
    /// How many problems were found again (a problem like two earlier ones counts once).
    pub problems: i64,
    /// The pairs of problems listed: more than the problems when one is like several.
    pub items: Vec<RecurrenceRow>,
    pub next_cursor: Option<String>,
}

/// Which problems found again a list shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
pub struct RecurrenceQuery {
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
}

/// What a scope is called, for a refusal.
fn scope_noun(scope: ClusterScope) -> &'static str {
    match scope {
        ClusterScope::Round(_) => "巡视轮次",
        ClusterScope::Term(_) => "届次",
    }
}

/// The round's or the term's name; `None` if there is no such round or term.
async fn scope_name<T: ReadTx>(tx: &mut T, scope: ClusterScope) -> Result<Option<String>> {
    Ok(match scope {
        ClusterScope::Round(id) => tx.get_round(id).await?.map(|r| r.name),
        ClusterScope::Term(id) => tx.get_term(id).await?.map(|t| t.name),
    })
}

/// A problem as the clusters are worked out from it, with the round it was found in.
struct Found {
    id: Id,
    unit: Id,
    category: Id,
    title: String,
    round: Id,
}

/// The clusters compare problems across units: the office and the leadership read them.
fn require_cluster_reader(actor: &Actor) -> Result<()> {
    if visible_inspections(actor) == Visible::All {
        Ok(())
    } else {
        Err(CoreError::Forbidden(
            "同类问题分析供巡视办和领导查看".into(),
        ))
    }
}

/// Whether the actor may read the clusters (for the navigation).
pub fn may_view_clusters(actor: &Actor) -> bool {
    require_cluster_reader(actor).is_ok()
}

/// Whether the actor may read the problems found again (for the navigation).
pub fn may_view_recurrences(actor: &Actor) -> bool {
    recurrence_scope(actor).is_ok()
}

/// The problems found again are working papers: the office and the leadership read them all,
/// a team those its own inspections found; the inspected units are refused, as for papers.
pub(crate) fn recurrence_scope(actor: &Actor) -> Result<Option<RectifyScope>> {
    match visible_inspections(actor) {
        Visible::All => Ok(None),
        Visible::Some {
            inspections,
            dispatchers,
            ..
        } if !(inspections.is_empty() && dispatchers.is_empty()) => Ok(Some(RectifyScope {
            units: Vec::new(),
            inspections,
            dispatchers,
        })),
        Visible::Some { .. } => Err(CoreError::Forbidden(
            "整改不到位问题清单供巡视办、领导和巡视组查看".into(),
        )),
    }
}

impl<S: Store> Services<S> {
    /// Works out every round's clusters and every unit's problems found again, and stores them
    /// in place of the last run's. For the `patterns` job and the office.
    pub async fn compute_patterns(&self, actor: &Actor) -> Result<PatternRun> {
        actor.require(Permission::ManagePlanning)?;
        let mut run = PatternRun::default();
        // Each round's problems are read once, for the round's clusters and for its term's.
        let terms = {
            let mut tx = self.store.read().await?;
            tx.list_terms().await?
        };
        for term in terms {
            let rounds = {
                let mut tx = self.store.read().await?;
                tx.list_rounds(Some(term.id)).await?
            };
            let (mut of_term, mut term_sets) = (Vec::new(), Vec::new());
            for round in rounds {
                let (problems, sets) = self.round_texts(round.id).await?;
                let clusters = self
                    .cluster_problems(ClusterScope::Round(round.id), &problems, sets.clone())
                    .await?;
                run.rounds += 1;
                run.problems += problems.len();
                run.clusters += clusters;
                of_term.extend(problems);
                term_sets.extend(sets);
            }
            run.terms += 1;
            run.term_clusters += self
                .cluster_problems(ClusterScope::Term(term.id), &of_term, term_sets)
                .await?;
        }
        let mut after = None;
        loop {
            let units = {
                let mut tx = self.store.read().await?;
                tx.units_inspected_again_after(after, UNITS_PER_WRITE)
                    .await?
            };
            let Some(last) = units.last() else { break };
            after = Some(*last);
            let mut found = Vec::with_capacity(units.len());
            {
                let mut tx = self.store.read().await?;
                for u in &units {
                    found.push((*u, recurrences(&tx.unit_problems(*u).await?)));
                }
            }
            let mut tx = self.store.write().await?;
            let at = self.now();
            for (u, recs) in &found {
                run.units += 1;
                run.recurrences += recs.len();
                run.recurring += recs.iter().map(|r| r.problem).collect::<HashSet<_>>().len();
                tx.replace_unit_recurrences(*u, recs, at).await?;
            }
            tx.commit().await?;
        }
        let mut tx = self.store.write().await?;
        tx.refresh_recurrence_counts().await?;
        tx.refresh_unit_pattern_counts(self.now()).await?;
        tx.commit().await?;
        Ok(run)
    }

    /// A round's problems, read an inspection at a time, with their words' pairs of characters
    /// (`shingles`).
    async fn round_texts(&self, round: Id) -> Result<(Vec<Found>, Vec<HashSet<u64>>)> {
        let mut problems = Vec::new();
        let mut sets = Vec::new();
        let mut tx = self.store.read().await?;
        for insp in tx.round_inspections(round).await? {
            for p in tx.inspection_problems(insp).await? {
                sets.push(shingles(&p.text));
                problems.push(Found {
                    id: p.id,
                    unit: p.unit_id,
                    category: p.category_id,
                    title: p.title,
                    round,
                });
            }
        }
        Ok((problems, sets))
    }

    /// The clusters of `problems` (a round's, or a term's rounds'), whose pairs of characters
    /// are `sets`: signed, grouped, and written in place of the scope's in one transaction,
    /// with a round's counts by heading. Returns how many clusters there are.
    async fn cluster_problems(
        &self,
        scope: ClusterScope,
        problems: &[Found],
        mut sets: Vec<HashSet<u64>>,
    ) -> Result<usize> {
        drop_common(&mut sets);
        let signatures: Vec<Signature> = sets.iter().map(Signature::of).collect();
        drop(sets);
        let count = |ids: HashSet<Id>| i64::try_from(ids.len()).unwrap_or(i64::MAX);
        let mut clusters: Vec<NewCluster> = cluster(&signatures)
            .into_iter()
            .map(|g| {
                let lead = &problems[g.members[0].0];
                NewCluster {
                    id: Id::new(),
                    seq: 0,
                    lead: lead.id,
                    title: lead.title.clone(),
                    category_id: lead.category,
                    units: count(g.members.iter().map(|(i, _)| problems[*i].unit).collect()),
                    rounds: count(g.members.iter().map(|(i, _)| problems[*i].round).collect()),
                    members: g
                        .members
                        .iter()
                        .map(|(i, s)| (problems[*i].id, per_cent(*s)))
                        .collect(),
                }
            })
            // The clusters are what recurs across units: alike papers of one unit are one
            // finding written up twice (or, across a term, the unit's own recurrence).
            .filter(|c: &NewCluster| c.units > 1)
            .collect();
        // The report's order: the clusters across the most units first, then the largest.
        clusters.sort_by(|a, b| {
            (b.units, b.members.len(), a.lead).cmp(&(a.units, a.members.len(), b.lead))
        });
        for (i, c) in clusters.iter_mut().enumerate() {
            c.seq = i64::try_from(i + 1).unwrap_or(i64::MAX);
        }
        let mut tx = self.store.write().await?;
        tx.replace_clusters(scope, &clusters, self.now()).await?;
        if let ClusterScope::Round(round_id) = scope {
            let mut by_category: HashMap<Id, i64> = HashMap::new();
            for p in problems {
                *by_category.entry(p.category).or_default() += 1;
            }
            let mut by_category: Vec<(Id, i64)> = by_category.into_iter().collect();
            by_category.sort();
            tx.replace_round_category_counts(round_id, &by_category)
                .await?;
        }
        tx.commit().await?;
        Ok(clusters.len())
    }

    /// A page of a round's or a term's clusters, from `offset`.
    pub async fn clusters(
        &self,
        actor: &Actor,
        scope: ClusterScope,
        page: OffsetRequest,
    ) -> Result<ClusterReport> {
        require_cluster_reader(actor)?;
        let mut tx = self.store.read().await?;
        let name = scope_name(&mut tx, scope)
            .await?
            .ok_or_else(|| CoreError::NotFound(scope_noun(scope).into()))?;
        let total = tx.count_clusters(scope).await?;
        let items = tx.clusters(scope, page.offset, page.limit).await?;
        let computed_at = match items.first() {
            Some(c) => Some(c.computed_at.clone()),
            None => tx
                .clusters(scope, 0, 1)
                .await?
                .first()
                .map(|c| c.computed_at.clone()),
        };
        let (round_id, term_id) = match scope {
            ClusterScope::Round(id) => (Some(id), None),
            ClusterScope::Term(id) => (None, Some(id)),
        };
        Ok(ClusterReport {
            round_id,
            term_id,
            name,
            total,
            next_cursor: page.next_cursor(items.len(), total),
            items,
            computed_at,
        })
    }

    /// The trends (see [`Trends`]), for the office and the leadership.
    pub async fn pattern_trends(&self, actor: &Actor) -> Result<Trends> {
        require_cluster_reader(actor)?;
        let mut tx = self.store.read().await?;
        let mut rounds = tx.list_rounds(None).await?;
        rounds.sort_by_key(|r| (r.year, r.number));
        let rounds: Vec<TrendRound> = rounds
            .into_iter()
            .rev()
            .take(TREND_ROUNDS)
            .rev()
            .map(|r| TrendRound {
                id: r.id,
                name: r.name,
                year: i32::from(r.year),
            })
            .collect();
        let ids: Vec<Id> = rounds.iter().map(|r| r.id).collect();
        let mut categories: Vec<CategoryTrend> = Vec::new();
        for c in tx.round_category_counts(&ids).await? {
            let Some(at) = ids.iter().position(|r| *r == c.round_id) else {
                continue;
            };
            let t = match categories
                .iter()
                .position(|t| t.category_id == c.category_id)
            {
                Some(i) => &mut categories[i],
                None => {
                    categories.push(CategoryTrend {
                        category_id: c.category_id,
                        category_name: c.category_name.clone(),
                        counts: vec![0; ids.len()],
                        change: 0,
                    });
                    let last = categories.len() - 1;
                    &mut categories[last]
                }
            };
            t.counts[at] = c.problems;
        }
        for t in &mut categories {
            let n = t.counts.len();
            t.change = match n {
                0 => 0,
                1 => t.counts[0],
                _ => t.counts[n - 1] - t.counts[n - 2],
            };
        }
        categories.sort_by(|a, b| {
            (b.counts.last(), &a.category_name).cmp(&(a.counts.last(), &b.category_name))
        });
        let units_recurring = tx
            .unit_pattern_counts(UnitPatternOrder::Recurring, TREND_UNITS)
            .await?;
        let units_reopened = tx
            .unit_pattern_counts(UnitPatternOrder::Reopened, TREND_UNITS)
            .await?;
        Ok(Trends {
            rounds,
            categories,
            units_recurring,
            units_reopened,
        })
    }

    /// A page of a round's problems under one heading: the list behind a count of the trends.
    pub async fn round_problems(
        &self,
        actor: &Actor,
        round_id: Id,
        category_id: Id,
        page: OffsetRequest,
    ) -> Result<RoundProblemPage> {
        require_cluster_reader(actor)?;
        let mut tx = self.store.read().await?;
        let round = tx
            .get_round(round_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("巡视轮次".into()))?;
        let category = tx
            .get_category(category_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("问题类别".into()))?;
        let total = tx.count_round_problems(round_id, category_id).await?;
        let items = tx
            .round_problems(round_id, category_id, page.offset, page.limit)
            .await?;
        Ok(RoundProblemPage {
            round_name: round.name,
            category_name: category.name,
            total,
            next_cursor: page.next_cursor(items.len(), total),
            items,
        })
    }

    /// A round's or a term's clusters with the units each spans, the first
    /// [`EXPORT_CLUSTERS_MAX`], for its workbook.
    pub async fn clusters_export(
        &self,
        actor: &Actor,
        scope: ClusterScope,
    ) -> Result<ClusterExport> {
        let page = OffsetRequest {
            offset: 0,
            limit: EXPORT_CLUSTERS_MAX,
        };
        let listed = self.clusters(actor, scope, page).await?;
        let mut tx = self.store.read().await?;
        let max_seq = listed.items.last().map_or(0, |c| c.seq);
        let mut units: HashMap<Id, Vec<(String, i64)>> = HashMap::new();
        for (cluster, name, n) in tx.cluster_units(scope, max_seq).await? {
            units.entry(cluster).or_default().push((name, n));
        }
        Ok(ClusterExport {
            name: listed.name,
            of_term: matches!(scope, ClusterScope::Term(_)),
            computed_at: listed.computed_at,
            total: listed.total,
            clusters: listed
                .items
                .into_iter()
                .map(|c| ExportedCluster {
                    units: units.remove(&c.id).unwrap_or_default(),
                    cluster: c,
                })
                .collect(),
        })
    }

    /// A cluster with a page of its problems, from `offset`.
    pub async fn cluster_view(
        &self,
        actor: &Actor,
        id: Id,
        page: OffsetRequest,
    ) -> Result<ClusterView> {
        require_cluster_reader(actor)?;
        let mut tx = self.store.read().await?;
        let cluster = tx
            .get_cluster(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("同类问题".into()))?;
        let scope = match (cluster.round_id, cluster.term_id) {
            (Some(r), _) => ClusterScope::Round(r),
            (None, Some(t)) => ClusterScope::Term(t),
            (None, None) => return Err(CoreError::internal("a cluster of neither round nor term")),
        };
        let scope_name = scope_name(&mut tx, scope).await?.unwrap_or_default();
        let members = tx.cluster_members(id, page.offset, page.limit).await?;
        let (by_unit, by_category) = tx.cluster_counts(id).await?;
        Ok(ClusterView {
            next_cursor: page.next_cursor(members.len(), cluster.problems),
            cluster,
            scope_name,
            members,
            by_unit,
            by_category,
        })
    }

    /// A page of the problems found again that the actor may read, from `offset`.
    pub async fn recurrences(
        &self,
        actor: &Actor,
        q: &RecurrenceQuery,
        page: OffsetRequest,
    ) -> Result<RecurrencePage> {
        let f = RecurrenceFilter {
            scope: recurrence_scope(actor)?,
            inspection_id: q.inspection_id,
            unit_id: q.unit_id,
            problem_id: None,
        };
        let mut tx = self.store.read().await?;
        let problems = tx.count_recurring_problems(&f).await?;
        // One row more than the page says whether another follows, without counting the pairs.
        let mut items = tx.recurrences(&f, page.offset, page.limit + 1).await?;
        let more = items.len() > page.limit as usize;
        items.truncate(page.limit as usize);
        Ok(RecurrencePage {
            next_cursor: more.then(|| (page.offset + page.limit).to_string()),
            problems,
            items,
        })
    }

    /// The earlier problems a paper repeats after their task was closed, for its page: asked
    /// of a paper the actor may not open, the paper's own refusal.
    pub async fn problem_recurrences(&self, actor: &Actor, id: Id) -> Result<Vec<RecurrenceRow>> {
        let mut tx = self.store.read().await?;
        readable_problem(&mut tx, actor, id).await?;
        let f = RecurrenceFilter {
            problem_id: Some(id),
            ..Default::default()
        };
        tx.recurrences(&f, 0, PATTERN_PAGE_MAX).await
    }
}

/// How many problems under the dashboard's filter were found again, for those who may open
/// the list; `None` for the others.
pub(crate) async fn count_for_dashboard<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    inspection_id: Option<Id>,
    unit_id: Option<Id>,
) -> Result<Option<i64>> {
    let Ok(scope) = recurrence_scope(actor) else {
        return Ok(None);
    };
    let f = RecurrenceFilter {
        scope,
        inspection_id,
        unit_id,
        problem_id: None,
    };
    Ok(Some(tx.count_recurring_problems(&f).await?))
}
