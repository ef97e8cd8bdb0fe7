//! The inspection work by level (分级汇总, 上下联动): each committee that sends inspections —
//! the province, its cities, their counties — with its inspections by stage and the
//! rectification of what they found, in the tree's order. The office of the top committee and
//! the leadership read every committee's; a committee's own office its own and those below it,
//! in aggregate. Every figure is an aggregate of the store (`committee_stage_counts`,
//! `committee_task_counts`); the lists behind them are the ordinary lists, read under their own
//! rules, so a number opens its list only where the reader may read the committee's inspections.

use std::collections::HashMap;

use serde::Serialize;

use super::Services;
use super::planning::today;
use crate::access::{Visible, visible_inspections};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Stage;
use crate::permission::{Actor, OfficeReach};
use crate::role::Role;
use crate::store::{CommitteeStageCount, CommitteeTaskCount, LeadershipRead, Store};

/// One committee's line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct LevelRow {
    pub committee_id: Id,
    pub name: String,
    #[schema(value_type = String)]
    pub level: &'static str,
    /// How far below the first committee shown (0 for it).
    pub depth: usize,
    /// Every inspection it sends.
    pub inspections: i64,
    /// Planned, in preparation, on site or reporting (未反馈).
    pub under_way: i64,
    /// Fed back and rectifying (反馈整改).
    pub rectifying: i64,
    /// Archived (已归档).
    pub archived: i64,
    /// The live tasks of its inspections, those closed, and those past their day.
    pub tasks: i64,
    pub closed: i64,
    pub red: i64,
    /// Whether the reader may open this committee's lists (otherwise the line is an aggregate
    /// only, as the upper level reads a lower one).
    pub opens: bool,
}

/// The lines in the tree's order: each committee followed by those below it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Levels {
    pub rows: Vec<LevelRow>,
}

/// Who reads the figures by level: the leadership and the office of the top committee every
/// committee's, a committee's own office its committees' subtrees.
pub fn may_view(actor: &Actor) -> bool {
    actor.is_system()
        || actor.has_role(Role::Leadership)
        || actor.office_reach() != OfficeReach::Nowhere
}

/// The lines of `stages` and `tasks` in tree order. A committee whose parent is not among
/// them starts a tree of its own; siblings come by name.
pub fn arrange(
    stages: &[CommitteeStageCount],
    tasks: &[CommitteeTaskCount],
    opens: impl Fn(Id) -> bool,
) -> Vec<LevelRow> {
    let mut by_id: HashMap<Id, (LevelRow, Option<Id>)> = HashMap::new();
    for c in stages {
        let (row, _) = by_id.entry(c.committee_id).or_insert_with(|| {
            (
                LevelRow {
                    committee_id: c.committee_id,
                    name: c.name.clone(),
                    level: c.level.label(),
                    opens: opens(c.committee_id),
                    ..Default::default()
                },
                c.parent_id,
            )
        });
        let Some(stage) = c.stage else { continue };
        row.inspections += c.n;
        if stage == Stage::Archived {
            row.archived += c.n;
        } else if stage.feedback_given() {
            row.rectifying += c.n;
        } else {
            row.under_way += c.n;
        }
    }
    for t in tasks {
        if let Some((row, _)) = by_id.get_mut(&t.committee_id) {
            row.tasks = t.total;
            row.closed = t.closed;
            row.red = t.red;
        }
    }
    let mut children: HashMap<Option<Id>, Vec<Id>> = HashMap::new();
    for (id, (_, parent)) in &by_id {
        let parent = parent.filter(|p| by_id.contains_key(p));
        children.entry(parent).or_default().push(*id);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| by_id[a].0.name.cmp(&by_id[b].0.name).then(a.cmp(b)));
    }
    let mut out = Vec::with_capacity(by_id.len());
    let mut stack: Vec<(Id, usize)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|r| (*r, 0)).collect())
        .unwrap_or_default();
    while let Some((id, depth)) = stack.pop() {
        if let Some((mut row, _)) = by_id.remove(&id) {
            row.depth = depth;
            out.push(row);
            if let Some(kids) = children.get(&Some(id)) {
                stack.extend(kids.iter().rev().map(|k| (*k, depth + 1)));
            }
        }
    }
    out
}

impl<S: Store> Services<S> {
    /// The figures by level the actor may read.
    pub async fn levels(&self, actor: &Actor) -> Result<Levels> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        if !may_view(actor) || actor.as_user().is_some_and(|u| u.disabled) {
            return Err(CoreError::Forbidden(
                "分级汇总供领导小组和各级巡视巡察办查看".into(),
            ));
        }
        let roots: Vec<Option<Id>> = match actor.office_reach() {
            OfficeReach::Committees(c) if !actor.has_role(Role::Leadership) => {
                c.into_iter().map(Some).collect()
            }
            _ => vec![None],
        };
        let (mut tx, _) = self.fresh_tally(today(self.now())).await?;
        let mut stages = Vec::new();
        for root in roots {
            stages.extend(tx.committee_stage_counts(root).await?);
        }
        let mut committees: Vec<Id> = stages.iter().map(|c| c.committee_id).collect();
        committees.sort();
        committees.dedup();
        let tasks = tx.committee_task_counts(&committees).await?;
        let visible = visible_inspections(actor);
        let opens = |id: Id| match &visible {
            Visible::All => true,
            Visible::Some { dispatchers, .. } => dispatchers.contains(&id),
        };
        Ok(Levels {
            rows: arrange(&stages, &tasks, opens),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::UnitLevel;

    fn stage(
        id: Id,
        name: &str,
        parent: Option<Id>,
        stage: Option<Stage>,
        n: i64,
    ) -> CommitteeStageCount {
        CommitteeStageCount {
            committee_id: id,
            name: name.into(),
            level: UnitLevel::City,
            parent_id: parent,
            stage,
            n,
        }
    }

    #[test]
    fn committees_come_in_the_trees_order_with_their_stages_added_up() {
        let (province, a, b, county) = (Id::new(), Id::new(), Id::new(), Id::new());
        let above = Id::new();
        let stages = [
            stage(county, "甲县委", Some(a), Some(Stage::OnSite), 1),
            stage(b, "乙市委", Some(province), None, 0),
            stage(a, "甲市委", Some(province), Some(Stage::Rectification), 2),
            stage(a, "甲市委", Some(province), Some(Stage::FeedbackGiven), 1),
            stage(a, "甲市委", Some(province), Some(Stage::Archived), 4),
            stage(province, "省委", Some(above), Some(Stage::Planning), 3),
        ];
        let tasks = [CommitteeTaskCount {
            committee_id: a,
            total: 10,
            closed: 6,
            red: 1,
        }];
        let rows = arrange(&stages, &tasks, |id| id == a);
        let lines: Vec<(&str, usize)> = rows.iter().map(|r| (r.name.as_str(), r.depth)).collect();
        // Siblings by name, as the organisation tree orders them (乙 before 甲).
        assert_eq!(
            lines,
            [("省委", 0), ("乙市委", 1), ("甲市委", 1), ("甲县委", 2)]
        );
        let city = &rows[2];
        assert_eq!(
            (
                city.inspections,
                city.under_way,
                city.rectifying,
                city.archived
            ),
            (7, 0, 3, 4)
        );
        assert_eq!((city.tasks, city.closed, city.red), (10, 6, 1));
        assert!(city.opens && !rows[0].opens);
        assert_eq!((rows[0].inspections, rows[0].under_way), (3, 3));
        assert_eq!((rows[1].inspections, rows[1].tasks), (0, 0));
    }
}
