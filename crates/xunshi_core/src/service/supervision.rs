//! Who takes part in supervising rectification, and how, shared by the deadline, follow-up,
//! accountability, mechanism and dashboard services.
//!
//! - The office and the daily supervisors (discipline commission, organization department)
//!   issue follow-up notices and record accountability, on every unit.
//! - The leadership reads everything and changes nothing.
//! - A team reads what concerns its own inspection.
//! - The inspected unit's principal, liaison and staff read their own unit's records; the
//!   principal and liaison answer notices and record the unit's mechanisms.

use serde::Serialize;

use super::Services;
use super::planning::{UnitRef, load_inspection};
use crate::access::{Visible, visible_inspections};
use crate::error::{CoreError, Result};
use crate::feedback::FeedbackStatus;
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::page::{MAX_LIMIT, PageRequest};
use crate::permission::{Actor, OfficeReach};
use crate::rectify::seq_key;
use crate::role::{Role, Scope};
use crate::store::{
    InspectionFilter, PaperRead, ReadTx, RectifyRead, ReportRead, Store, TaskFilter,
};

/// The operator, or an account not disabled.
pub(crate) fn active(actor: &Actor) -> bool {
    actor.is_system() || actor.as_user().is_some_and(|u| !u.disabled)
}

/// The office or a daily supervisor of some inspection: may issue notices and record
/// accountability, where [`supervises`] lets them. A committee's own office supervises the
/// inspections its committee sends.
pub(crate) fn is_supervisor(actor: &Actor) -> bool {
    supervises_all(actor)
        || (active(actor) && matches!(actor.office_reach(), OfficeReach::Committees(_)))
}

/// The office of the top committee and the daily supervisors: every inspection.
fn supervises_all(actor: &Actor) -> bool {
    actor.is_system()
        || (active(actor)
            && [Role::Office, Role::Discipline, Role::Organization]
                .into_iter()
                .any(|r| actor.has_role(r)))
}

/// Whether the actor issues notices and records accountability in `insp`.
pub(crate) fn supervises(actor: &Actor, insp: &Inspection) -> bool {
    supervises_all(actor) || (active(actor) && actor.office_reach().runs(insp.dispatcher_id))
}

/// Refuses a supervising act in an inspection the actor does not supervise; who may not read
/// it is told it does not exist.
pub(crate) fn require_supervises(actor: &Actor, insp: &Inspection, unit: Id) -> Result<()> {
    if supervises(actor, insp) {
        return Ok(());
    }
    if reads_unit(actor, insp, unit) {
        return Err(CoreError::Forbidden(
            "只能督办本级党委派出的巡视巡察".into(),
        ));
    }
    Err(CoreError::NotFound("巡视任务".into()))
}

pub(crate) fn is_office(actor: &Actor) -> bool {
    actor.is_system() || (active(actor) && actor.has_role(Role::Office))
}

/// Which inspections and units the actor reads the supervision records of.
pub(crate) fn supervision_scope(actor: &Actor) -> Visible {
    if !active(actor) {
        return Visible::nothing();
    }
    if actor.has_role(Role::Discipline) || actor.has_role(Role::Organization) {
        return Visible::All;
    }
    visible_inspections(actor)
}

/// Whether the actor reads the records of `unit` in `insp`.
pub(crate) fn reads_unit(actor: &Actor, insp: &Inspection, unit: Id) -> bool {
    // Who belongs to the unit reads it as the unit does, through a unit role, and not as a
    // supervisor or a team (the own-unit rule).
    let scope = if belongs_to(actor, unit) {
        Visible::Some {
            inspections: Vec::new(),
            feedback_units: if active(actor) {
                actor.unit_scopes().collect()
            } else {
                Vec::new()
            },
            dispatchers: Vec::new(),
        }
    } else {
        supervision_scope(actor)
    };
    match scope {
        Visible::All => true,
        Visible::Some {
            inspections,
            feedback_units,
            dispatchers,
        } => {
            inspections.contains(&insp.id)
                || dispatchers.contains(&insp.dispatcher_id)
                || (insp.stage.feedback_given()
                    && insp.target_ids.contains(&unit)
                    && feedback_units.contains(&unit))
        }
    }
}

/// The units of `insp` whose records the actor reads: every target, or only its own.
pub(crate) fn readable_units(actor: &Actor, insp: &Inspection) -> Vec<Id> {
    insp.target_ids
        .iter()
        .copied()
        .filter(|u| reads_unit(actor, insp, *u))
        .collect()
}

/// Whether the actor speaks for `unit` (its principal or liaison). The operator at the command
/// line, loading demo data, acts for everyone.
pub(crate) fn speaks_for(actor: &Actor, unit: Id) -> bool {
    actor.is_system()
        || (active(actor)
            && actor.grants().iter().any(|g| {
                matches!(g.role, Role::UnitPrincipal | Role::UnitLiaison)
                    && g.scope == Scope::Unit(unit)
            }))
}

/// The units the actor speaks for (see [`speaks_for`]), for the to-do's notices to answer.
pub(crate) fn speaks_for_units(actor: &Actor) -> Vec<Id> {
    if actor.is_system() || !active(actor) {
        return Vec::new();
    }
    let mut out: Vec<Id> = actor
        .grants()
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::UnitPrincipal | Role::UnitLiaison, Scope::Unit(u)) => Some(u),
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

pub(crate) use crate::own_unit::belongs_to;

/// The name a record is signed with.
pub(crate) fn signer(actor: &Actor) -> String {
    actor
        .as_user()
        .map(|u| u.display_name.clone())
        .unwrap_or_else(|| actor.name())
}

/// Changes belong to the rectification stage: after feedback, and never once archived.
pub(crate) fn require_rectifying(insp: &Inspection) -> Result<()> {
    match insp.stage {
        Stage::FeedbackGiven | Stage::Rectification => Ok(()),
        Stage::Archived => crate::archive::refuse_if_archived(insp),
        _ => Err(CoreError::RuleRefused(
            "该巡视任务尚未反馈，整改尚未开始".into(),
        )),
    }
}

/// Checks that `unit` is one of the inspection's inspected units.
pub(crate) fn require_target(insp: &Inspection, unit: Id) -> Result<()> {
    if insp.target_ids.contains(&unit) {
        Ok(())
    } else {
        Err(CoreError::bad_input(
            "unit_id",
            "该单位不是本次巡视的被巡视单位",
        ))
    }
}

/// The inspections in rectification (fed back, not archived) the actor reads the supervision
/// records of, inside `tx`, in creation order.
/// The most inspections a picker offers those who see every unit: the most recent ones under
/// rectification. (Those who see only their own units or team are offered all of theirs.)
pub(crate) const PICKER_MAX: u32 = 200;

pub(crate) async fn rectifying_in<T: ReadTx>(tx: &mut T, actor: &Actor) -> Result<Vec<Inspection>> {
    let visible = supervision_scope(actor);
    let cap = (visible == Visible::All).then_some(PICKER_MAX);
    let mut out = Vec::new();
    for stage in [Stage::Rectification, Stage::FeedbackGiven] {
        let f = InspectionFilter {
            stage: Some(stage),
            newest_first: true,
            ..Default::default()
        };
        let mut page = PageRequest::first(cap.unwrap_or(MAX_LIMIT).min(MAX_LIMIT));
        loop {
            let rows = tx.list_inspections(&f, &visible, page).await?;
            let more = rows.len() > page.limit as usize;
            for insp in rows.into_iter().take(page.limit as usize) {
                page.after = Some(insp.id);
                if !readable_units(actor, &insp).is_empty() {
                    out.push(insp);
                }
            }
            if !more || cap.is_some() {
                break;
            }
        }
    }
    // The newest first, as pickers show them.
    out.sort_by_key(|i| std::cmp::Reverse(i.id));
    if let Some(cap) = cap {
        out.truncate(cap as usize);
    }
    Ok(out)
}

/// An inspection under rectification, named for pickers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RectifyingInspection {
    pub id: Id,
    pub team_name: String,
    pub round_name: String,
    /// The inspected units the reader sees the records of.
    pub units: Vec<UnitRef>,
}

/// A fed-back problem of one unit, for pickers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProblemRef {
    pub id: Id,
    pub unit_id: Id,
    pub category_name: String,
    pub title: String,
}

/// A task of one unit's ledger, for pickers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskRef {
    pub id: Id,
    pub unit_id: Id,
    pub problem_id: Id,
    pub seq: String,
    pub measure: String,
}

/// The task `id` as pickers and lists name it.
pub(crate) async fn task_ref<T: ReadTx>(tx: &mut T, id: Id) -> Result<Option<TaskRef>> {
    Ok(tx.get_task(id).await?.map(|t| TaskRef {
        id: t.id,
        unit_id: t.unit_id,
        problem_id: t.problem_id,
        seq: t.seq,
        measure: t.measure,
    }))
}

/// What a supervision form about one inspection offers to pick: its units, the problems fed
/// back to them, the tasks of their ledgers.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SupervisionContext {
    pub inspection: RectifyingInspection,
    pub problems: Vec<ProblemRef>,
    pub tasks: Vec<TaskRef>,
}

async fn named<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    insp: &Inspection,
) -> Result<RectifyingInspection> {
    Ok(named_all(tx, actor, std::slice::from_ref(insp))
        .await?
        .pop()
        .expect("one inspection named"))
}

/// Names a list of inspections with their rounds and the units the actor reads, reading each
/// round and unit name once.
async fn named_all<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    list: &[Inspection],
) -> Result<Vec<RectifyingInspection>> {
    let mut unit_ids: Vec<Id> = list.iter().flat_map(|i| readable_units(actor, i)).collect();
    unit_ids.sort();
    unit_ids.dedup();
    let names: std::collections::HashMap<Id, String> =
        tx.unit_names(&unit_ids).await?.into_iter().collect();
    let mut rounds: std::collections::HashMap<Id, String> = std::collections::HashMap::new();
    let mut out = Vec::with_capacity(list.len());
    for insp in list {
        if let std::collections::hash_map::Entry::Vacant(slot) = rounds.entry(insp.round_id) {
            let name = tx
                .get_round(insp.round_id)
                .await?
                .map(|r| r.name)
                .unwrap_or_default();
            slot.insert(name);
        }
        let units = readable_units(actor, insp)
            .into_iter()
            .map(|u| UnitRef {
                id: u,
                name: names.get(&u).cloned().unwrap_or_else(|| u.to_string()),
            })
            .collect();
        out.push(RectifyingInspection {
            id: insp.id,
            team_name: insp.team_name.clone(),
            round_name: rounds[&insp.round_id].clone(),
            units,
        });
    }
    Ok(out)
}

/// What the filters of rectification's lists and dashboards offer the actor to pick from: its
/// own units and the inspections it works on, when it sees only those. `None` for those who see
/// every unit: a province has thousands, so they name a unit instead, and reach an
/// inspection's figures from the inspection.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct RectPickers {
    pub units: Option<Vec<UnitRef>>,
    pub inspections: Option<Vec<RectifyingInspection>>,
}

impl<S: Store> Services<S> {
    /// The choices of the rectification filters for the actor (see [`RectPickers`]).
    pub async fn rect_pickers(&self, actor: &Actor) -> Result<RectPickers> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        if supervision_scope(actor) == Visible::All {
            return Ok(RectPickers::default());
        }
        let mut tx = self.store.read().await?;
        let list = rectifying_in(&mut tx, actor).await?;
        let inspections = named_all(&mut tx, actor, &list).await?;
        let mut units: Vec<UnitRef> = Vec::new();
        for u in inspections.iter().flat_map(|i| i.units.iter()) {
            if !units.iter().any(|x| x.id == u.id) {
                units.push(u.clone());
            }
        }
        Ok(RectPickers {
            units: Some(units),
            inspections: Some(inspections),
        })
    }

    /// The inspections under rectification whose supervision records the actor reads.
    pub async fn rectifying_inspections(&self, actor: &Actor) -> Result<Vec<RectifyingInspection>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let mut tx = self.store.read().await?;
        let list = rectifying_in(&mut tx, actor).await?;
        named_all(&mut tx, actor, &list).await
    }

    /// The units, fed-back problems and ledger tasks of one inspection the actor may refer to
    /// in a follow-up notice, an accountability record or a mechanism.
    pub async fn supervision_context(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<SupervisionContext> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        if readable_units(actor, &insp).is_empty() {
            return Err(CoreError::NotFound("巡视任务".into()));
        }
        let inspection = named(&mut tx, actor, &insp).await?;
        let units: Vec<Id> = inspection.units.iter().map(|u| u.id).collect();
        let mut problems = Vec::new();
        if let Some(fb) = tx
            .get_feedback(insp.id)
            .await?
            .filter(|f| f.status == FeedbackStatus::Given)
        {
            for g in &fb.groups {
                for item in &g.items {
                    let Some(p) = tx.get_problem(item.problem_id).await? else {
                        continue;
                    };
                    if units.contains(&p.target_unit_id) {
                        problems.push(ProblemRef {
                            id: p.id,
                            unit_id: p.target_unit_id,
                            category_name: g.category_name.clone(),
                            title: item.title.clone(),
                        });
                    }
                }
            }
        }
        let mut tasks = Vec::new();
        for u in &units {
            let mut list = tx
                .all_tasks(&TaskFilter {
                    inspection_id: Some(insp.id),
                    unit_id: Some(*u),
                    ..Default::default()
                })
                .await?;
            list.sort_by_key(|t| seq_key(&t.seq));
            tasks.extend(list.into_iter().map(|t| TaskRef {
                id: t.id,
                unit_id: t.unit_id,
                problem_id: t.problem_id,
                seq: t.seq,
                measure: t.measure,
            }));
        }
        Ok(SupervisionContext {
            inspection,
            problems,
            tasks,
        })
    }
}
