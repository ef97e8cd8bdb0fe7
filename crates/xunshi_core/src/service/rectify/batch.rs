//! What the ledger does to several tasks at once: verify (销号) the claimed tasks a
//! supervisor ticked, and remind the units of the overdue ones ticked (催办). A batch decides
//! nothing of its own: each task is verified by [`Services::verify_task`] with the version the
//! page showed, each unit reminded by [`Services::issue_followup`], so each is checked by the
//! same rule, written in its own transaction with its audit record, and one that is refused
//! (a stale version, a task not claimed, a unit of one's own) is reported with its reason
//! while the others stand.

use std::collections::HashSet;

use super::warn_days;
use crate::deadline::Colour;
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::Actor;
use crate::rectify::{FollowUp, Task};
use crate::service::Services;
use crate::service::planning::today;
use crate::store::{RectifyRead, Store};
use crate::supervision::FollowUpInput;

/// The most tasks one batch takes: the ledger's largest page.
pub const BATCH_MAX: usize = 100;

/// What became of one task of a batch.
#[derive(Debug)]
pub struct BatchItem {
    pub task_id: Id,
    /// The task's number in its plan, where the actor may know the task.
    pub seq: Option<String>,
    /// `Ok` when done; otherwise why not, as the task's own action would have answered.
    pub outcome: Result<()>,
}

/// A reminder of overdue tasks: the notices issued, one per unit, and every task ticked.
#[derive(Debug)]
pub struct Reminded {
    pub notices: Vec<FollowUp>,
    pub items: Vec<BatchItem>,
}

/// The tasks of a batch, each once, in the order first ticked: a task ticked twice (two
/// boxes of one row, a repeated id in the API) is one task to act on.
fn distinct<T: Copy>(items: &[T], id_of: impl Fn(&T) -> Id) -> Vec<T> {
    let mut seen = HashSet::new();
    items
        .iter()
        .copied()
        .filter(|t| seen.insert(id_of(t)))
        .collect()
}

/// Checks the size of a batch of distinct tasks.
fn check_batch(ids: impl Iterator<Item = Id>) -> Result<()> {
    let seen: HashSet<Id> = ids.collect();
    match seen.len() {
        0 => Err(CoreError::bad_input("tasks", "请至少选择一项任务")),
        n if n > BATCH_MAX => Err(CoreError::bad_input(
            "tasks",
            format!("一次最多处理 {BATCH_MAX} 项任务"),
        )),
        _ => Ok(()),
    }
}

/// Refuses the whole batch when every task was refused to the actor (403 or 404): someone
/// who may not do this to any of them is told so once, not task by task.
fn refused_whole(items: &[BatchItem]) -> Option<CoreError> {
    let forbidden = |e: &&CoreError| matches!(e, CoreError::Forbidden(_) | CoreError::NotFound(_));
    let errors: Vec<&CoreError> = items
        .iter()
        .filter_map(|i| i.outcome.as_ref().err())
        .collect();
    if errors.len() == items.len() && errors.iter().all(forbidden) {
        errors
            .iter()
            .find(|e| matches!(e, CoreError::Forbidden(_)))
            .or(errors.first())
            .map(|e| match e {
                CoreError::Forbidden(m) => CoreError::Forbidden(m.clone()),
                CoreError::NotFound(m) => CoreError::NotFound(m.clone()),
                _ => unreachable!("only refusals are kept"),
            })
    } else {
        None
    }
}

impl<S: Store> Services<S> {
    /// Closes (销号) each ticked claimed task, with its version and one opinion for all. A
    /// rejection names a defect and a share per task, so it is made on the task's own page.
    pub async fn verify_tasks(
        &self,
        actor: &Actor,
        picks: &[(Id, i64)],
        reason: &str,
    ) -> Result<Vec<BatchItem>> {
        let picks = &distinct(picks, |(id, _)| *id)[..];
        check_batch(picks.iter().map(|(id, _)| *id))?;
        if reason.trim().is_empty() {
            return Err(CoreError::bad_input("reason", "请填写核查意见"));
        }
        let mut items = Vec::with_capacity(picks.len());
        for &(id, version) in picks {
            let outcome = self
                .verify_task(
                    &actor.for_item(&id.to_string()),
                    id,
                    version,
                    true,
                    None,
                    None,
                    reason,
                )
                .await;
            let seq = match &outcome {
                Ok(t) => Some(t.seq.clone()),
                Err(e) => self.seq_if_known(e, id).await?,
            };
            items.push(BatchItem {
                task_id: id,
                seq,
                outcome: outcome.map(|_| ()),
            });
        }
        if let Some(e) = refused_whole(&items) {
            return Err(e);
        }
        Ok(items)
    }

    /// Reminds the units of the ticked overdue tasks: one reminder (催办, a notice of kind
    /// `reminder`) per unit and inspection, listing its tasks, through the follow-up service.
    /// A task not overdue (red) is left out and said so.
    pub async fn remind_overdue(&self, actor: &Actor, ids: &[Id]) -> Result<Reminded> {
        let ids = &distinct(ids, |id| *id)[..];
        check_batch(ids.iter().copied())?;
        if !self.may_supervise(actor) {
            return Err(CoreError::Forbidden(
                "只有巡视办、纪委监委和组织部可以下发督办通知".into(),
            ));
        }
        let now = today(self.now());
        let mut tx = self.store.read().await?;
        let warn = warn_days(&mut tx).await?;
        let mut items = Vec::with_capacity(ids.len());
        // (inspection, unit) → the overdue tasks to name, in the order ticked.
        let mut groups: Vec<((Id, Id), Vec<Task>)> = Vec::new();
        for &id in ids {
            let task = tx.get_task(id).await?.filter(|t| !t.is_withdrawn());
            let Some(t) = task else {
                items.push(BatchItem {
                    task_id: id,
                    seq: None,
                    outcome: Err(CoreError::NotFound("整改任务".into())),
                });
                continue;
            };
            if t.colour(now, warn) != Colour::Red {
                items.push(BatchItem {
                    task_id: id,
                    seq: Some(t.seq.clone()),
                    outcome: Err(CoreError::RuleRefused("该任务未逾期，无需催办".into())),
                });
                continue;
            }
            let key = (t.inspection_id, t.unit_id);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, ts)) => ts.push(t),
                None => groups.push((key, vec![t])),
            }
        }
        drop(tx);
        let mut notices = Vec::new();
        for ((inspection_id, unit_id), tasks) in groups {
            let lines: Vec<String> = tasks
                .iter()
                .map(|t| {
                    let measure: String = t.measure.chars().take(60).collect();
                    format!("{}. {}（整改时限 {}）", t.seq, measure, t.due.label())
                })
                .collect();
            let input = FollowUpInput {
                inspection_id: inspection_id.to_string(),
                unit_id: unit_id.to_string(),
                task_id: None,
                kind: "reminder".into(),
                doc_no: String::new(),
                content: format!(
                    "以下 {} 项整改任务已超过整改时限，请抓紧整改，并及时报告进展：\n{}",
                    tasks.len(),
                    lines.join("\n")
                ),
                answer_due: None,
            };
            let issued = self
                .issue_followup(&actor.for_item(&unit_id.to_string()), &input)
                .await;
            for t in &tasks {
                items.push(BatchItem {
                    task_id: t.id,
                    seq: Some(t.seq.clone()),
                    outcome: match &issued {
                        Ok(_) => Ok(()),
                        Err(e) => Err(e.clone()),
                    },
                });
            }
            if let Ok(n) = issued {
                notices.push(n);
            }
        }
        // Report in the order ticked.
        items.sort_by_key(|i| ids.iter().position(|id| *id == i.task_id));
        if notices.is_empty()
            && let Some(e) = refused_whole(&items)
        {
            return Err(e);
        }
        Ok(Reminded { notices, items })
    }

    /// The number of a task whose action was refused, unless the refusal was that the actor
    /// may not know of it.
    async fn seq_if_known(&self, e: &CoreError, id: Id) -> Result<Option<String>> {
        if matches!(e, CoreError::NotFound(_)) {
            return Ok(None);
        }
        let mut tx = self.store.read().await?;
        Ok(tx.get_task(id).await?.map(|t| t.seq))
    }
}
