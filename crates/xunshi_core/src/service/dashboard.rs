//! The rectification dashboard: for the office, the supervisors and the leadership every unit,
//! for a team its inspections, for an inspected unit its own. The task numbers are counted from
//! the same task filter the ledger's list uses; the notice, accountability and mechanism numbers
//! from the same filters their lists use, so each number is the length of the list it links to.

use std::collections::HashMap;

use super::Services;
use super::deadlines::{clocks_in, rectification_warn_days};
use super::planning::{load_inspection, today};
use super::supervision::{readable_units, rectifying_in, supervision_scope};
use crate::access::Visible;
use crate::dashboard::{
    AccountabilityCounts, Dashboard, DashboardFilter, FollowUpCounts, InspectionClock, Rejection,
    form_bar, kind_bar, tally,
};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::Actor;
use crate::rectify::{Form, NoticeKind};
use crate::store::{
    AccountabilityFilter, FollowUpFilter, MechanismFilter, PaperTx, RectifyScope, RectifyTx, Store,
    SuperviseTx, TaskFilter, Tx,
};
use crate::taxonomy::sort_categories;

/// The ledger's task filter for a dashboard: the same scope rule as the ledger's list (the
/// units the reader belongs to, or the inspections of its team; nothing narrower for those who
/// see everything).
pub fn task_filter(visible: &Visible, f: &DashboardFilter) -> TaskFilter {
    TaskFilter {
        inspection_id: f.inspection_id,
        unit_id: f.unit_id,
        scope: match visible {
            Visible::All => None,
            Visible::Some {
                inspections,
                feedback_units,
            } => Some(RectifyScope {
                units: feedback_units.clone(),
                inspections: inspections.clone(),
            }),
        },
        ..Default::default()
    }
}

impl<S: Store> Services<S> {
    /// The dashboard the actor may see, narrowed by `filter`.
    pub async fn dashboard(&self, actor: &Actor, filter: &DashboardFilter) -> Result<Dashboard> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let visible = supervision_scope(actor);
        let all_units = visible == Visible::All;
        if let Visible::Some {
            inspections,
            feedback_units,
        } = &visible
        {
            if inspections.is_empty() && feedback_units.is_empty() {
                return Err(CoreError::Forbidden(
                    "整改统计供巡视办、督查部门、领导、巡视组和被巡视单位查看".into(),
                ));
            }
            if let Some(u) = filter.unit_id
                && inspections.is_empty()
                && !feedback_units.contains(&u)
            {
                return Err(CoreError::Forbidden("您只能查看本单位的整改统计".into()));
            }
        }
        let now = self.now();
        let day = today(now);
        let mut tx = self.store.read().await?;
        let inspections = match filter.inspection_id {
            Some(id) => {
                let insp = load_inspection(&mut tx, id).await?;
                if readable_units(actor, &insp).is_empty() {
                    return Err(CoreError::NotFound("巡视任务".into()));
                }
                vec![insp]
            }
            None => rectifying_in(&mut tx, actor).await?,
        };
        let warn_days = rectification_warn_days(&mut tx).await?;

        // Tasks, with their categories, units and rejections.
        let tasks = tx.all_tasks(&task_filter(&visible, filter)).await?;
        let versions = tx.list_taxonomy_versions().await?;
        let mut categories = tx.list_categories(None).await?;
        sort_categories(&mut categories, &versions);
        let mut category_of = HashMap::new();
        let mut unit_names = HashMap::new();
        for t in &tasks {
            if !category_of.contains_key(&t.problem_id)
                && let Some(p) = tx.get_problem(t.problem_id).await?
                && let Some((pos, c)) = categories
                    .iter()
                    .enumerate()
                    .find(|(_, c)| c.id == p.category_id)
            {
                category_of.insert(p.id, (c.id, c.name.clone(), pos));
            }
            if let std::collections::hash_map::Entry::Vacant(slot) = unit_names.entry(t.unit_id) {
                let name = tx
                    .get_unit(t.unit_id)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default();
                slot.insert(name);
            }
        }
        let ids: Vec<Id> = tasks.iter().map(|t| t.id).collect();
        let rejections: HashMap<Id, Rejection> = tx
            .latest_rejections(&ids)
            .await?
            .into_iter()
            .map(|v| {
                (
                    v.task_id,
                    Rejection {
                        defect: v.defect,
                        reason: v.reason,
                    },
                )
            })
            .collect();
        let tasks = tally(
            &tasks,
            &category_of,
            &unit_names,
            &rejections,
            day,
            warn_days,
        );

        // Notices, accountability and mechanisms, counted by their lists' filters.
        let notices = |kind: Option<NoticeKind>, answered: Option<bool>| FollowUpFilter {
            scope: visible.clone(),
            inspection_id: filter.inspection_id,
            unit_id: filter.unit_id,
            task_id: None,
            kind,
            answered,
        };
        let mut by_kind = Vec::new();
        for k in NoticeKind::ALL {
            let n = tx.count_followups(&notices(Some(*k), None)).await?;
            by_kind.push(kind_bar(*k, n as usize));
        }
        let followups = FollowUpCounts {
            total: tx.count_followups(&notices(None, None)).await? as usize,
            answered: tx.count_followups(&notices(None, Some(true))).await? as usize,
            open: tx.count_followups(&notices(None, Some(false))).await? as usize,
            by_kind,
        };
        let held = |form: Option<Form>| AccountabilityFilter {
            scope: visible.clone(),
            inspection_id: filter.inspection_id,
            unit_id: filter.unit_id,
            task_id: None,
            form,
        };
        let mut by_form = Vec::new();
        for f in Form::ALL {
            let n = tx.count_accountability(&held(Some(*f))).await?;
            by_form.push(form_bar(*f, n as usize));
        }
        let accountability = AccountabilityCounts {
            total: tx.count_accountability(&held(None)).await? as usize,
            by_form,
        };
        let mechanisms = tx
            .count_mechanisms(&MechanismFilter {
                scope: visible.clone(),
                inspection_id: filter.inspection_id,
                unit_id: filter.unit_id,
                task_id: None,
            })
            .await? as usize;

        // The clocks of the inspections in view, of the units in view.
        let mut clocks = Vec::new();
        for insp in &inspections {
            let units: Vec<Id> = readable_units(actor, insp)
                .into_iter()
                .filter(|u| filter.unit_id.is_none_or(|f| f == *u))
                .collect();
            for clock in clocks_in(&mut tx, insp, &units, now).await? {
                clocks.push(InspectionClock {
                    inspection_id: insp.id,
                    team_name: insp.team_name.clone(),
                    clock,
                });
            }
        }
        Ok(Dashboard {
            filter: *filter,
            all_units,
            today: day,
            warn_days,
            tasks,
            accountability,
            followups,
            mechanisms,
            clocks,
        })
    }
}
