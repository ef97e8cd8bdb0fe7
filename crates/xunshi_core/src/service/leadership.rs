//! The leadership view (领导视图) for one term: read-only, for the leading group and the
//! office. Every figure is one aggregate of the store; the lists behind them are the ordinary
//! lists (inspections, coverage, clues, ledger), filtered, and read under their own rules.

use super::Services;
use super::planning::{planning_reach, today};
use crate::access::visible_inspections;
use crate::clue::{ClueScope, clue_scope};
use crate::dashboard::Bar;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::leadership::{
    LeadershipView, MAX_MONTHS, TermChoice, chart_start, clue_bars, completion, coverage_figure,
    may_view, months, stage_table,
};
use crate::permission::Actor;
use crate::store::{ClueRead, LeadershipRead, PlanningRead, Store};

/// The clues by the colour of their handling clock as of `day`: all of them, or those of the
/// inspections `dispatchers` send.
async fn clue_counts<T: ClueRead + LeadershipRead>(
    tx: &mut T,
    day: jiff::civil::Date,
    dispatchers: Option<&[Id]>,
) -> Result<Vec<Bar>> {
    let settings = tx.clue_settings().await?;
    let counts = tx
        .clue_colour_counts(day, settings.warn_days, dispatchers)
        .await?;
    Ok(clue_bars(&counts))
}

impl<S: Store> Services<S> {
    /// The view of `term_id`, or of the latest term begun when none is named.
    pub async fn leadership_view(
        &self,
        actor: &Actor,
        term_id: Option<Id>,
    ) -> Result<LeadershipView> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        if !may_view(actor) {
            return Err(CoreError::Forbidden(
                "领导视图供领导小组和巡视办查看".into(),
            ));
        }
        let day = today(self.now());
        let mut tx = self.store.read().await?;
        // Terms are few (one every five years): read whole for the picker. A committee's own
        // office reads its committee's terms, as its plans.
        let reach = planning_reach(actor);
        let mut terms = tx.list_terms().await?;
        terms.retain(|t| reach.runs(t.dispatcher_id));
        let term = match term_id {
            Some(id) => Some(
                terms
                    .iter()
                    .find(|t| t.id == id)
                    .cloned()
                    .ok_or_else(|| CoreError::NotFound("届次".into()))?,
            ),
            None => terms
                .iter()
                .filter(|t| t.starts_on <= day)
                .max_by_key(|t| t.starts_on)
                .or_else(|| terms.iter().min_by_key(|t| t.starts_on))
                .cloned(),
        };
        let choices = terms
            .iter()
            .map(|t| TermChoice {
                id: t.id,
                name: t.name.clone(),
            })
            .collect();
        // Clue lists are read by the office and the leadership whole, by a committee's own
        // office those of the inspections its committee sends (`clue_scope`); the counts are
        // of what the reader's clue list holds, and a reader it does not let read every clue
        // of its committees would be shown counts of clues it may not open. Only counts leave
        // here, nothing of any clue, so no read is recorded (as the to-do's count of clues
        // waiting records none).
        let clues = match clue_scope(actor) {
            ClueScope::All => Some(clue_counts(&mut tx, day, None).await?),
            ClueScope::Some { dispatchers, .. } if !dispatchers.is_empty() => {
                Some(clue_counts(&mut tx, day, Some(&dispatchers)).await?)
            }
            ClueScope::Some { .. } => None,
        };
        let Some(term) = term else {
            return Ok(LeadershipView {
                today: day,
                terms: choices,
                term: None,
                rounds: Vec::new(),
                stage_totals: stage_table(&[], &[]).1,
                inspections_total: 0,
                coverage: None,
                clues,
                months: Vec::new(),
                completion: Vec::new(),
            });
        };
        // A term has a few rounds a year.
        let rounds = tx.list_rounds(Some(term.id)).await?;
        let counts = tx
            .inspection_stage_counts(term.id, &visible_inspections(actor))
            .await?;
        let (rows, stage_totals) = stage_table(&rounds, &counts);
        let inspections_total = rows.iter().map(|r| r.total).sum();
        let cov = tx.coverage_count(term.id, term.dispatcher_id).await?;
        let round_ids: Vec<Id> = rounds.iter().map(|r| r.id).collect();
        let totals = tx.round_task_totals(&round_ids).await?;
        let closed = tx.round_closed_by_month(&round_ids).await?;
        let end = term.ends_on.filter(|e| *e < day).unwrap_or(day);
        // Years before the first round would be a flat line at nought.
        let months = months(chart_start(term.starts_on, &rounds), end, MAX_MONTHS);
        let completion = completion(&rounds, &totals, &closed, &months);
        Ok(LeadershipView {
            today: day,
            terms: choices,
            term: Some(term),
            rounds: rows,
            stage_totals,
            inspections_total,
            coverage: Some(coverage_figure(cov.total, cov.covered)),
            clues,
            months,
            completion,
        })
    }
}
