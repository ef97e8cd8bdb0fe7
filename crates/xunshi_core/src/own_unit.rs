//! The own-unit rule, in one place: a person who belongs to a unit never oversees it.
//!
//! An account belongs to its own unit (the unit of the account) and to every unit it holds a
//! unit role in (principal, liaison, staff) — and, through each of those, to every unit above
//! it in the organisation tree: someone of a department of the inspected committee, or of a
//! subordinate body, is of the inspected organisation. Whatever else such a person holds (the
//! office, the leadership, the discipline commission, the organization department, a team
//! seat), for that unit they are the unit: they do not review, verify, approve, decide, read
//! its working papers, its clues or its reports as its overseer. Every area asks
//! [`belongs_to`] (or [`belongs_to_any`] for an inspection's targets); none keeps a rule of
//! its own.
//!
//! The units above an account's units come from the organisation tree, which is storage; the
//! services read them when they resolve the actor (`Services::resolve_session`,
//! `Services::resolve_token`) in the same read as the grants, and hand them to the actor
//! ([`crate::permission::Actor::with_units_above`]). An actor built without them (a test, the
//! demo loader) belongs to its own units only.

use crate::id::Id;
use crate::permission::Actor;
use crate::role::Scope;

/// The units the actor is of directly: the account's unit and the units of its unit roles.
pub fn direct_units(actor: &Actor) -> Vec<Id> {
    let mut out: Vec<Id> = actor
        .as_user()
        .and_then(|u| u.unit_id)
        .into_iter()
        .collect();
    for g in actor.grants() {
        if let Scope::Unit(u) = g.scope {
            out.push(u);
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Every unit the actor belongs to: its direct units and the units above them, as far as the
/// actor was resolved with them. The operator at the command line and anonymous callers belong
/// to none.
pub fn units(actor: &Actor) -> Vec<Id> {
    let mut out = direct_units(actor);
    out.extend_from_slice(actor.units_above());
    out.sort();
    out.dedup();
    out
}

/// Whether the actor belongs to `unit`: such a person never oversees it.
pub fn belongs_to(actor: &Actor, unit: Id) -> bool {
    actor.as_user().and_then(|u| u.unit_id) == Some(unit)
        || actor.grants().iter().any(|g| g.scope == Scope::Unit(unit))
        || actor.units_above().contains(&unit)
}

/// Whether the actor belongs to any of `units` (an inspection's targets).
pub fn belongs_to_any(actor: &Actor, units: &[Id]) -> bool {
    units.iter().any(|u| belongs_to(actor, *u))
}

/// The units above each of `start` in the tree, given the parent of each unit. Stops at a root
/// and at a cycle (the tree refuses them, but a walk must end whatever the data says).
pub fn ancestors(start: &[Id], parent_of: impl Fn(Id) -> Option<Id>) -> Vec<Id> {
    let mut out = Vec::new();
    for s in start {
        let mut at = *s;
        for _ in 0..64 {
            match parent_of(at) {
                Some(p) if !out.contains(&p) && !start.contains(&p) => {
                    out.push(p);
                    at = p;
                }
                _ => break,
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::role::{Grant, Role};
    use crate::user::User;

    /// An account for the rule tables: its own unit and its grants.
    pub(crate) fn person(unit_of_account: Option<Id>, grants: &[(Role, Scope)]) -> Actor {
        let now = jiff::Timestamp::UNIX_EPOCH;
        let user = User {
            id: Id::new(),
            username: "u".into(),
            display_name: "u".into(),
            unit_id: unit_of_account,
            disabled: false,
            must_change_password: false,
            failed_logins: 0,
            locked_until: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let grants = grants
            .iter()
            .map(|(role, scope)| Grant {
                id: Id::new(),
                user_id: user.id,
                role: *role,
                scope: *scope,
                granted_by: None,
                created_at: now,
            })
            .collect();
        Actor::user(user, grants, None)
    }

    #[test]
    fn an_account_belongs_to_its_unit_its_unit_roles_and_what_is_above_them() {
        let (root, dept, office, sub) = (Id::new(), Id::new(), Id::new(), Id::new());
        let parent = |u: Id| {
            if u == dept || u == office {
                Some(root)
            } else if u == sub {
                Some(dept)
            } else {
                None
            }
        };
        let a = person(Some(sub), &[(Role::Office, Scope::Global)]);
        let above = ancestors(&direct_units(&a), parent);
        let a = a.with_units_above(above);
        assert!(belongs_to(&a, sub) && belongs_to(&a, dept) && belongs_to(&a, root));
        assert!(!belongs_to(&a, office));
        let b = person(None, &[(Role::UnitStaff, Scope::Unit(dept))]);
        assert!(belongs_to(&b, dept) && !belongs_to(&b, sub));
        assert!(!belongs_to(&Actor::system(), dept));
        assert!(!belongs_to(&Actor::anonymous(None), dept));
        assert!(belongs_to_any(&b, &[office, dept]));
        assert!(!belongs_to_any(&b, &[office]));
        // A cycle in the data does not hang the walk.
        let cyc = |u: Id| if u == dept { Some(sub) } else { Some(dept) };
        assert_eq!(ancestors(&[dept], cyc), vec![sub]);
    }
}
