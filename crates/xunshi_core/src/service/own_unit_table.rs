//! The own-unit rule held over every access function that takes a unit (or an inspection's
//! inspected units): whoever belongs to the inspected unit — by the account's unit, by a unit
//! role, or by belonging to a unit below it — gets no overseer's right from any other role.

use crate::access::{Access, inspection_access};
use crate::clue::{ClueAccess, Recipient, clue_access, is_recipient};
use crate::disclosure::{DocAccess, doc_access};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::permission::Actor;
use crate::role::{Role, Scope};

use super::papers::{require_paper_reader, team_seat};
use super::rectify::rect_role;
use super::supervision::reads_unit;

fn inspection(target: Id) -> Inspection {
    crate::inspection::tests::sample(vec![target], Stage::Rectification)
}

fn person(unit_of_account: Option<Id>, grants: &[(Role, Scope)], above: Vec<Id>) -> Actor {
    crate::own_unit::tests::person(unit_of_account, grants).with_units_above(above)
}

/// What each access function grants one actor for the inspected unit.
#[derive(Debug, PartialEq)]
struct Rights {
    inspection: Access,
    document: DocAccess,
    supervise: bool,
    decide_changes: bool,
    reads_supervision: bool,
    clue_to_discipline: ClueAccess,
    receives_clue: bool,
    team_seat: bool,
    reads_papers: bool,
}

fn rights(actor: &Actor, insp: &Inspection, unit: Id) -> Rights {
    let rect = rect_role(actor, insp, unit);
    Rights {
        inspection: inspection_access(actor, insp),
        document: doc_access(actor, insp, unit),
        supervise: rect.supervise,
        decide_changes: rect.office,
        reads_supervision: reads_unit(actor, insp, unit),
        clue_to_discipline: clue_access(actor, insp, Some(&Recipient::Discipline)),
        receives_clue: is_recipient(actor, insp, &Recipient::Discipline)
            || is_recipient(actor, insp, &Recipient::Organization),
        team_seat: team_seat(actor, insp).is_some(),
        reads_papers: require_paper_reader(actor, insp).is_ok(),
    }
}

#[test]
fn nobody_oversees_a_unit_they_belong_to() {
    // 自治区党委 → 宣传部 (inspected) → 宣传部机关纪委; 巡视办 elsewhere under the committee.
    let (root, target, below, office_unit) = (Id::new(), Id::new(), Id::new(), Id::new());
    let insp = inspection(target);
    let overseers: Vec<(Role, Scope)> = vec![
        (Role::Office, Scope::Global),
        (Role::Leadership, Scope::Global),
        (Role::Discipline, Scope::Global),
        (Role::Organization, Scope::Global),
        (Role::TeamLeader, Scope::Inspection(insp.id)),
        (Role::TeamMember, Scope::Inspection(insp.id)),
    ];
    for overseer in &overseers {
        // Outside the unit, the overseer's role counts: the control row of the table.
        let outside = person(Some(office_unit), &[*overseer], vec![root]);
        let r = rights(&outside, &insp, target);
        assert!(
            r.inspection >= Access::Read || r.supervise,
            "{overseer:?} outside: {r:?}"
        );
        assert!(r.document >= DocAccess::Read, "{overseer:?} outside: {r:?}");
        // Three ways of belonging to the inspected unit.
        let ways: Vec<(&str, Actor, bool)> = vec![
            (
                "account of the unit",
                person(Some(target), &[*overseer], vec![root]),
                false,
            ),
            (
                "account of a unit below it",
                person(Some(below), &[*overseer], vec![target, root]),
                false,
            ),
            (
                "a unit role in it",
                person(
                    Some(office_unit),
                    &[*overseer, (Role::UnitStaff, Scope::Unit(target))],
                    vec![root],
                ),
                true,
            ),
        ];
        for (how, actor, unit_role) in ways {
            let r = rights(&actor, &insp, target);
            let ctx = format!("{overseer:?}, {how}: {r:?}");
            assert!(crate::own_unit::belongs_to(&actor, target), "{ctx}");
            assert!(r.inspection <= Access::FeedbackOnly, "{ctx}");
            assert!(r.document <= DocAccess::Read, "{ctx}");
            assert!(!r.supervise && !r.decide_changes, "{ctx}");
            // Only a unit role reads the unit's supervision records, as the unit.
            assert_eq!(r.reads_supervision, unit_role, "{ctx}");
            assert_eq!(r.clue_to_discipline, ClueAccess::None, "{ctx}");
            assert!(!r.receives_clue && !r.team_seat && !r.reads_papers, "{ctx}");
        }
    }
    // The control row for the supervisors' own rights.
    let office = person(
        Some(office_unit),
        &[(Role::Office, Scope::Global)],
        vec![root],
    );
    let r = rights(&office, &insp, target);
    assert_eq!(r.inspection, Access::Office);
    assert_eq!(r.document, DocAccess::Office);
    assert!(r.supervise && r.decide_changes && r.reads_papers);
    let discipline = person(None, &[(Role::Discipline, Scope::Global)], vec![]);
    let r = rights(&discipline, &insp, target);
    assert!(r.supervise && r.reads_supervision && r.receives_clue);
    assert_eq!(r.clue_to_discipline, ClueAccess::Recipient);
}
