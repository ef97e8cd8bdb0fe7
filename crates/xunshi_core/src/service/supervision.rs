//! Who takes part in supervising rectification, and how, shared by the deadline, follow-up,
//! accountability, mechanism and dashboard services.
//!
//! - The office and the daily supervisors (discipline commission, organization department)
//!   issue follow-up notices and record accountability, on every unit.
//! - The leadership reads everything and changes nothing.
//! - A team reads what concerns its own inspection.
//! - The inspected unit's principal, liaison and staff read their own unit's records; the
//!   principal and liaison answer notices and record the unit's mechanisms.

use crate::access::{Visible, visible_inspections};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::permission::Actor;
use crate::role::{Role, Scope};

fn active(actor: &Actor) -> bool {
    actor.is_system() || actor.as_user().is_some_and(|u| !u.disabled)
}

/// The office or a daily supervisor: issues notices, records accountability.
pub(crate) fn is_supervisor(actor: &Actor) -> bool {
    actor.is_system()
        || (active(actor)
            && actor
                .grants()
                .iter()
                .any(|g| matches!(g.role, Role::Office | Role::Discipline | Role::Organization)))
}

pub(crate) fn is_office(actor: &Actor) -> bool {
    actor.is_system() || (active(actor) && actor.has_role(Role::Office))
}

/// Which inspections and units the actor reads the supervision records of.
pub(crate) fn supervision_scope(actor: &Actor) -> Visible {
    if !active(actor) {
        return Visible::Some {
            inspections: Vec::new(),
            feedback_units: Vec::new(),
        };
    }
    if actor.has_role(Role::Discipline) || actor.has_role(Role::Organization) {
        return Visible::All;
    }
    visible_inspections(actor)
}

/// Whether the actor reads the records of `unit` in `insp`.
pub(crate) fn reads_unit(actor: &Actor, insp: &Inspection, unit: Id) -> bool {
    match supervision_scope(actor) {
        Visible::All => true,
        Visible::Some {
            inspections,
            feedback_units,
        } => {
            inspections.contains(&insp.id)
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

/// Whether the actor speaks for `unit` (its principal or liaison).
pub(crate) fn speaks_for(actor: &Actor, unit: Id) -> bool {
    active(actor)
        && actor.grants().iter().any(|g| {
            matches!(g.role, Role::UnitPrincipal | Role::UnitLiaison)
                && g.scope == Scope::Unit(unit)
        })
}

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
        Stage::Archived => Err(CoreError::RuleRefused(
            "该巡视任务已归档，整改督查记录只能查阅".into(),
        )),
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
