//! Who may do what in the rectification of one inspected unit.
//!
//! Rectification opens more to the inspected unit than [`crate::access::inspection_access`]
//! does (its own plan and tasks, not only the feedback), and opens it to the discipline and
//! organization supervisors, who see no other part of an inspection. So it has its own rule,
//! computed for one inspection and one of its target units. One thing holds whatever the role:
//! nobody reviews, verifies or decides for their own unit.

use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::permission::Actor;
use crate::role::{Role, Scope};
use crate::store::RectifyScope;

/// What the actor may do with the rectification of one unit for one inspection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct RectRole {
    /// See the plan, the ledger and every record of it.
    pub read: bool,
    /// Draft and submit the plan, ask for changes: the unit's principal and liaison.
    pub draft: bool,
    /// Report progress and upload evidence: any of the unit's roles.
    pub report: bool,
    /// Review the plan, verify and close or reject tasks: the office and the discipline and
    /// organization supervisors.
    pub supervise: bool,
    /// Decide change requests: the office.
    pub office: bool,
    /// The actor belongs to the unit (a grant in it, or an account of it): such a person never
    /// supervises it, whatever else they hold.
    pub own_unit: bool,
}

fn active(actor: &Actor) -> bool {
    actor.is_system() || actor.as_user().is_some_and(|u| !u.disabled)
}

/// Whether the actor reads the rectification of every unit: the office of the top committee,
/// the leadership and the supervisors.
pub(crate) fn reads_everything(actor: &Actor) -> bool {
    actor.is_system()
        || (active(actor)
            && [
                Role::Office,
                Role::Leadership,
                Role::Discipline,
                Role::Organization,
            ]
            .into_iter()
            .any(|r| actor.has_role(r)))
}

/// The rows of lists the actor may see: `None` for everything, otherwise the units the actor
/// holds a unit role in, the inspections whose team the actor is on and those sent by the
/// committees whose office the actor sits in.
pub(crate) fn visible_scope(actor: &Actor) -> Option<RectifyScope> {
    if reads_everything(actor) {
        return None;
    }
    let mut scope = RectifyScope::default();
    if !active(actor) {
        return Some(scope);
    }
    for g in actor.grants() {
        match (g.role, g.scope) {
            (Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff, Scope::Unit(u)) => {
                scope.units.push(u)
            }
            (Role::TeamLeader | Role::TeamDeputy | Role::TeamMember, Scope::Inspection(i)) => {
                scope.inspections.push(i)
            }
            _ => {}
        }
    }
    scope.dispatchers = actor.office_committees();
    scope.units.sort();
    scope.units.dedup();
    scope.inspections.sort();
    scope.inspections.dedup();
    Some(scope)
}

/// Where the actor supervises (`office` false) or decides for (`office` true) units'
/// rectification, as [`rect_role`] grants it, read for every unit at once for the to-do:
/// `None` when nowhere; otherwise every unit but those listed, the actor's own units (whose
/// overseer nobody is). Supervising and deciding come from global grants, so they hold for
/// every unit the actor is not of; a test holds this to [`rect_role`]. A committee's own office
/// oversees its committee's inspections only, which this does not express: its to-do leaves
/// them out.
pub(crate) fn oversees_all_but(actor: &Actor, office: bool) -> Option<Vec<Id>> {
    if actor.is_system() || !active(actor) {
        return None;
    }
    let holds = actor.has_role(Role::Office)
        || (!office && (actor.has_role(Role::Discipline) || actor.has_role(Role::Organization)));
    holds.then(|| crate::own_unit::units(actor))
}

pub(crate) fn rect_role(actor: &Actor, insp: &Inspection, unit: Id) -> RectRole {
    if actor.is_system() {
        // The operator at the command line loads demo data and imports: it acts for everyone.
        return RectRole {
            read: true,
            draft: true,
            report: true,
            supervise: true,
            office: true,
            own_unit: false,
        };
    }
    if !active(actor) || !insp.target_ids.contains(&unit) {
        return RectRole::default();
    }
    let feedback = insp.stage.feedback_given();
    let mut r = RectRole {
        own_unit: crate::own_unit::belongs_to(actor, unit),
        ..Default::default()
    };
    // Who belongs to the unit reads its rectification after feedback as the unit does (the
    // unit sees its own plan and ledger), and acts only through the unit's roles.
    r.read = r.own_unit && feedback;
    let (mut office, mut supervisor) = (false, false);
    for g in actor.grants() {
        // Who belongs to the unit is the unit here: only its unit roles count.
        if r.own_unit && !g.role.is_unit_role() {
            continue;
        }
        match (g.role, g.scope) {
            // The office, or a committee's own office for the inspections it sends.
            _ if g.is_office_of(insp.dispatcher_id) => {
                office = true;
                supervisor = true;
                r.read = true;
            }
            (Role::Discipline | Role::Organization, _) => {
                supervisor = true;
                r.read = true;
            }
            (Role::Leadership, _) => r.read = true,
            (Role::TeamLeader | Role::TeamDeputy | Role::TeamMember, Scope::Inspection(i))
                if i == insp.id =>
            {
                r.read = true
            }
            (Role::UnitPrincipal | Role::UnitLiaison, Scope::Unit(u)) if u == unit && feedback => {
                r.read = true;
                r.draft = true;
                r.report = true;
            }
            (Role::UnitStaff, Scope::Unit(u)) if u == unit && feedback => {
                r.read = true;
                r.report = true;
            }
            _ => {}
        }
    }
    r.supervise = supervisor && !r.own_unit;
    r.office = office && !r.own_unit;
    r
}

/// Requires the right picked by `has`; someone who may not read the unit's rectification is
/// told it does not exist, someone who may read it is told what they may not do.
pub(crate) fn require(
    role: RectRole,
    has: impl Fn(&RectRole) -> bool,
    what: &str,
    message: &str,
) -> Result<()> {
    if has(&role) {
        return Ok(());
    }
    if !role.read {
        return Err(CoreError::NotFound(what.to_owned()));
    }
    Err(CoreError::Forbidden(message.to_owned()))
}

/// The refusal of a supervising act on one's own unit, or by someone who does not supervise.
pub(crate) fn supervise_message(role: RectRole) -> &'static str {
    if role.own_unit {
        "不能审核、核查本单位的整改事项"
    } else {
        "只有巡视办、纪委监委和组织部可以进行此操作"
    }
}

pub(crate) fn office_message(role: RectRole) -> &'static str {
    if role.own_unit {
        "不能审批本单位的整改事项"
    } else {
        "只有巡视办可以审批整改任务变更"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspection::Stage;

    fn inspection(stage: Stage, target: Id) -> Inspection {
        crate::inspection::tests::sample(vec![target], stage)
    }

    use crate::own_unit::tests::person as actor;

    #[test]
    fn the_unit_drafts_and_reports_only_after_feedback() {
        let unit = Id::new();
        let liaison = actor(Some(unit), &[(Role::UnitLiaison, Scope::Unit(unit))]);
        let staff = actor(Some(unit), &[(Role::UnitStaff, Scope::Unit(unit))]);
        let before = inspection(Stage::Reporting, unit);
        let after = inspection(Stage::FeedbackGiven, unit);
        assert!(!rect_role(&liaison, &before, unit).read);
        let r = rect_role(&liaison, &after, unit);
        assert!(r.read && r.draft && r.report && !r.supervise && r.own_unit);
        let r = rect_role(&staff, &after, unit);
        assert!(r.read && !r.draft && r.report);
        // Another unit's people see nothing of this one.
        let other = Id::new();
        let stranger = actor(Some(other), &[(Role::UnitPrincipal, Scope::Unit(other))]);
        assert_eq!(rect_role(&stranger, &after, unit), RectRole::default());
    }

    #[test]
    fn nobody_supervises_their_own_unit() {
        let unit = Id::new();
        let insp = inspection(Stage::Rectification, unit);
        let office = actor(None, &[(Role::Office, Scope::Global)]);
        let r = rect_role(&office, &insp, unit);
        assert!(r.read && r.supervise && r.office && !r.draft);
        // A discipline officer whose account belongs to the unit.
        let inside = actor(Some(unit), &[(Role::Discipline, Scope::Global)]);
        let r = rect_role(&inside, &insp, unit);
        assert!(r.read && !r.supervise && r.own_unit);
        // An office user who is also the unit's liaison.
        let both = actor(
            None,
            &[
                (Role::Office, Scope::Global),
                (Role::UnitLiaison, Scope::Unit(unit)),
            ],
        );
        let r = rect_role(&both, &insp, unit);
        assert!(r.draft && !r.supervise && !r.office);
        assert_eq!(supervise_message(r), "不能审核、核查本单位的整改事项");
    }

    #[test]
    fn a_committees_own_office_decides_only_for_what_its_committee_sends() {
        let (unit, city) = (Id::new(), Id::new());
        let mut own = inspection(Stage::Rectification, unit);
        own.dispatcher_id = city;
        let other = inspection(Stage::Rectification, unit);
        let office = actor(None, &[(Role::Office, Scope::Unit(city))]);
        let r = rect_role(&office, &own, unit);
        assert!(r.read && r.supervise && r.office && !r.draft);
        assert_eq!(rect_role(&office, &other, unit), RectRole::default());
        assert!(!reads_everything(&office));
        assert_eq!(
            visible_scope(&office),
            Some(RectifyScope {
                dispatchers: vec![city],
                ..Default::default()
            })
        );
        assert_eq!(oversees_all_but(&office, true), None);
    }

    #[test]
    fn overseeing_all_units_but_ones_own_is_rect_role_read_for_every_unit() {
        let own = Id::new();
        let other = Id::new();
        let insp = crate::inspection::tests::sample(vec![own, other], Stage::Rectification);
        let people = [
            actor(None, &[(Role::Office, Scope::Global)]),
            actor(Some(own), &[(Role::Office, Scope::Global)]),
            actor(None, &[(Role::Discipline, Scope::Global)]),
            actor(None, &[(Role::Organization, Scope::Global)]),
            actor(None, &[(Role::Leadership, Scope::Global)]),
            actor(None, &[(Role::TeamLeader, Scope::Inspection(insp.id))]),
            actor(Some(own), &[(Role::UnitLiaison, Scope::Unit(own))]),
            actor(
                None,
                &[
                    (Role::Discipline, Scope::Global),
                    (Role::UnitPrincipal, Scope::Unit(own)),
                ],
            ),
        ];
        for p in &people {
            for office in [false, true] {
                let scope = oversees_all_but(p, office);
                for unit in [own, other] {
                    let r = rect_role(p, &insp, unit);
                    let acts = if office { r.office } else { r.supervise };
                    let listed = scope.as_ref().is_some_and(|except| !except.contains(&unit));
                    assert_eq!(acts, listed, "{:?} office={office}", p.grants());
                }
            }
        }
    }

    #[test]
    fn readers_read_and_lists_are_scoped() {
        let unit = Id::new();
        let insp = inspection(Stage::FeedbackGiven, unit);
        let leader = actor(None, &[(Role::Leadership, Scope::Global)]);
        let r = rect_role(&leader, &insp, unit);
        assert!(r.read && !r.draft && !r.report && !r.supervise);
        let member = actor(None, &[(Role::TeamMember, Scope::Inspection(insp.id))]);
        assert!(rect_role(&member, &insp, unit).read);
        let other_team = actor(None, &[(Role::TeamMember, Scope::Inspection(Id::new()))]);
        assert!(!rect_role(&other_team, &insp, unit).read);
        assert_eq!(visible_scope(&leader), None);
        assert_eq!(
            visible_scope(&member),
            Some(RectifyScope {
                inspections: vec![insp.id],
                ..Default::default()
            })
        );
        let admin = actor(None, &[(Role::Admin, Scope::Global)]);
        assert_eq!(visible_scope(&admin), Some(RectifyScope::default()));
        assert!(!rect_role(&admin, &insp, unit).read);
    }
}
