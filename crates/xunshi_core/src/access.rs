//! Who sees what of an inspection (domain.md §8: need to know). Every service that reads or
//! writes anything of an inspection asks [`inspection_access`] first.

use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::permission::Actor;
use crate::role::{Role, Scope};

/// What an actor may do with one inspection, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// Nothing; the inspection is not even shown to exist.
    None,
    /// An inspected unit after feedback: its feedback document, and nothing else.
    FeedbackOnly,
    /// Read everything, change nothing (the leadership viewer).
    Read,
    /// A member of the inspection's own team.
    TeamMember,
    /// The team's leader or deputy leader: approves and signs for the team.
    TeamLead,
    /// The inspection office: plans, supervises, records the approvals of the leading group and
    /// the committee.
    Office,
}

pub fn inspection_access(actor: &Actor, insp: &Inspection) -> Access {
    if actor.is_system() {
        return Access::Office;
    }
    // Who belongs to an inspected unit is, for this inspection, the unit: no office, leadership
    // or team seat they also hold counts (the own-unit rule, `own_unit`).
    let own = crate::own_unit::belongs_to_any(actor, &insp.target_ids);
    let mut best = Access::None;
    for g in actor.grants() {
        if own && !g.role.is_unit_role() {
            continue;
        }
        let a = match (g.role, g.scope) {
            // A committee's own office runs the inspections that committee sends, no other's.
            _ if g.is_office_of(insp.dispatcher_id) => Access::Office,
            (Role::Leadership, _) => Access::Read,
            (Role::TeamLeader | Role::TeamDeputy, Scope::Inspection(id)) if id == insp.id => {
                Access::TeamLead
            }
            (Role::TeamMember, Scope::Inspection(id)) if id == insp.id => Access::TeamMember,
            (Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff, Scope::Unit(unit))
                if insp.target_ids.contains(&unit) && insp.stage.feedback_given() =>
            {
                Access::FeedbackOnly
            }
            _ => Access::None,
        };
        best = best.max(a);
    }
    best
}

/// Whether the actor may draft the feedback of some inspection: the office, or a team's leader
/// or deputy (the seats [`Access::TeamLead`] comes from). Reading a pasted feedback text into
/// items touches no record, but what it proposes only they will save, so only they are offered
/// it.
pub fn may_draft_feedback(actor: &Actor) -> bool {
    if actor.is_system() {
        return true;
    }
    actor.as_user().is_some_and(|u| !u.disabled)
        && actor.grants().iter().any(|g| {
            matches!(
                (g.role, g.scope),
                (Role::Office, _) | (Role::TeamLeader | Role::TeamDeputy, Scope::Inspection(_))
            )
        })
}

/// Requires at least `needed`. An actor who may not know the inspection exists is told it does
/// not; one who may see it but not do this is told so.
/// Whether the actor may move `insp` to `to`: the stage machine allows the step, and the
/// actor holds a seat the step is given to (the office, or the team's leader). The rule of
/// `Services::change_stage`; pages ask it to offer only the moves that will be accepted.
pub fn may_change_stage(actor: &Actor, insp: &Inspection, to: crate::inspection::Stage) -> bool {
    let Some(roles) = insp.stage.transition(to) else {
        return false;
    };
    let access = inspection_access(actor, insp);
    actor.is_system()
        || roles.iter().any(|r| match r {
            crate::role::Role::Office => access == Access::Office,
            crate::role::Role::TeamLeader => access == Access::TeamLead,
            _ => false,
        })
}

pub fn require_access(actor: &Actor, insp: &Inspection, needed: Access) -> Result<Access> {
    let has = inspection_access(actor, insp);
    if has >= needed {
        return Ok(has);
    }
    if has == Access::None {
        return Err(CoreError::NotFound("巡视任务".into()));
    }
    Err(CoreError::Forbidden(match needed {
        Access::Office => "只有巡视办可以进行此操作".into(),
        Access::TeamLead => "只有本巡视组组长、副组长可以进行此操作".into(),
        Access::TeamMember => "只有本巡视组成员可以进行此操作".into(),
        _ => "您无权查看此内容".into(),
    }))
}

/// Which inspections a list may show the actor, as the store filters them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visible {
    All,
    /// Inspections the actor is on the team of, those targeting the actor's units that have
    /// reached feedback, and those sent by the committees whose office the actor sits in.
    Some {
        inspections: Vec<Id>,
        feedback_units: Vec<Id>,
        dispatchers: Vec<Id>,
    },
}

impl Visible {
    /// No inspection at all.
    pub fn nothing() -> Self {
        Visible::Some {
            inspections: Vec::new(),
            feedback_units: Vec::new(),
            dispatchers: Vec::new(),
        }
    }

    /// Whether no inspection is visible.
    pub fn is_nothing(&self) -> bool {
        match self {
            Visible::All => false,
            Visible::Some {
                inspections,
                feedback_units,
                dispatchers,
            } => inspections.is_empty() && feedback_units.is_empty() && dispatchers.is_empty(),
        }
    }

    /// The rectification the same reader sees: the units it speaks for, the inspections of its
    /// teams and those its committees send; `None` for everything.
    pub fn rectify_scope(&self) -> Option<crate::store::RectifyScope> {
        match self {
            Visible::All => None,
            Visible::Some {
                inspections,
                feedback_units,
                dispatchers,
            } => Some(crate::store::RectifyScope {
                units: feedback_units.clone(),
                inspections: inspections.clone(),
                dispatchers: dispatchers.clone(),
            }),
        }
    }
}

pub fn visible_inspections(actor: &Actor) -> Visible {
    if actor.is_system() || actor.has_role(Role::Office) || actor.has_role(Role::Leadership) {
        return Visible::All;
    }
    let mut inspections = Vec::new();
    let mut feedback_units = Vec::new();
    for g in actor.grants() {
        match (g.role, g.scope) {
            (Role::TeamLeader | Role::TeamDeputy | Role::TeamMember, Scope::Inspection(id)) => {
                inspections.push(id)
            }
            (Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff, Scope::Unit(id)) => {
                feedback_units.push(id)
            }
            _ => {}
        }
    }
    Visible::Some {
        inspections,
        feedback_units,
        dispatchers: actor.office_committees(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::own_unit::tests::person;

    #[test]
    fn a_committees_own_office_runs_its_inspections_and_sees_no_other() {
        use crate::inspection::{Stage, tests::sample};
        use crate::permission::{OfficeReach, Permission};
        let (city, neighbour) = (Id::new(), Id::new());
        let mut own = sample(vec![Id::new()], Stage::OnSite);
        own.dispatcher_id = city;
        let mut other = sample(vec![Id::new()], Stage::Rectification);
        other.dispatcher_id = neighbour;
        let office = person(None, &[(Role::Office, Scope::Unit(city))]);
        assert_eq!(inspection_access(&office, &own), Access::Office);
        assert_eq!(inspection_access(&office, &other), Access::None);
        assert!(may_change_stage(&office, &own, Stage::Reporting));
        assert!(!may_change_stage(&office, &other, Stage::Archived));
        assert_eq!(office.office_reach(), OfficeReach::Committees(vec![city]));
        assert_eq!(
            visible_inspections(&office),
            Visible::Some {
                inspections: vec![],
                feedback_units: vec![],
                dispatchers: vec![city],
            }
        );
        // Not the office of the whole system: nothing global comes with it.
        assert!(!office.has_role(Role::Office));
        assert!(crate::service::may_plan(&office));
        for p in [
            Permission::ManagePlanning,
            Permission::ViewPlanning,
            Permission::ManageUnits,
            Permission::ViewUsers,
            Permission::ViewPersonnel,
            Permission::ManageReferenceData,
            Permission::ManageTaxonomy,
            Permission::ManageSecurity,
        ] {
            assert!(!office.can(p), "{p:?}");
        }
        // The office of the top committee runs both.
        let top = person(None, &[(Role::Office, Scope::Global)]);
        assert_eq!(inspection_access(&top, &other), Access::Office);
        assert_eq!(visible_inspections(&top), Visible::All);
        assert_eq!(top.office_reach(), OfficeReach::Everywhere);
        assert!(top.can(Permission::ManageReferenceData));
        assert!(crate::service::may_plan(&top));
        let leader = person(None, &[(Role::Leadership, Scope::Global)]);
        assert!(!crate::service::may_plan(&leader));
        // Someone of an inspected unit is the unit, whatever office they hold.
        let mut of_target = sample(vec![Id::new()], Stage::OnSite);
        of_target.dispatcher_id = city;
        let member = person(
            Some(of_target.target_ids[0]),
            &[(Role::Office, Scope::Unit(city))],
        );
        assert_eq!(inspection_access(&member, &of_target), Access::None);
    }

    #[test]
    fn the_office_and_team_leads_may_draft_feedback_and_no_one_else() {
        let insp = Id::new();
        let unit = Id::new();
        assert!(may_draft_feedback(&Actor::system()));
        assert!(may_draft_feedback(&person(
            None,
            &[(Role::Office, Scope::Global)]
        )));
        assert!(may_draft_feedback(&person(
            None,
            &[(Role::TeamLeader, Scope::Inspection(insp))]
        )));
        assert!(may_draft_feedback(&person(
            None,
            &[(Role::TeamDeputy, Scope::Inspection(insp))]
        )));
        for refused in [
            (Role::TeamMember, Scope::Inspection(insp)),
            (Role::Leadership, Scope::Global),
            (Role::UnitPrincipal, Scope::Unit(unit)),
            (Role::Discipline, Scope::Global),
        ] {
            assert!(
                !may_draft_feedback(&person(None, &[refused])),
                "{refused:?}"
            );
        }
    }
}
