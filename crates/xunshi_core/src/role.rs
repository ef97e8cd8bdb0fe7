//! Roles and their grants. A grant gives one role to one user, within a scope: the whole system,
//! one unit, or one inspection. The identifiers are shared by the CLI, the API and the tests.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::CoreError;
use crate::id::Id;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Office,
    Leadership,
    TeamLeader,
    TeamDeputy,
    TeamMember,
    UnitPrincipal,
    UnitLiaison,
    UnitStaff,
    Discipline,
    Organization,
}

/// What a grant of a role is bounded by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeKind {
    Global,
    Unit,
    Inspection,
}

impl Role {
    pub const ALL: [Role; 11] = [
        Role::Admin,
        Role::Office,
        Role::Leadership,
        Role::TeamLeader,
        Role::TeamDeputy,
        Role::TeamMember,
        Role::UnitPrincipal,
        Role::UnitLiaison,
        Role::UnitStaff,
        Role::Discipline,
        Role::Organization,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::Leadership => "leadership",
            Role::TeamLeader => "team_leader",
            Role::TeamDeputy => "team_deputy",
            Role::TeamMember => "team_member",
            Role::UnitPrincipal => "unit_principal",
            Role::UnitLiaison => "unit_liaison",
            Role::UnitStaff => "unit_staff",
            Role::Discipline => "discipline",
            Role::Organization => "organization",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Office => "巡视办",
            Role::Leadership => "领导查阅",
            Role::TeamLeader => "巡视组组长",
            Role::TeamDeputy => "巡视组副组长",
            Role::TeamMember => "巡视组成员",
            Role::UnitPrincipal => "被巡视单位主要负责人",
            Role::UnitLiaison => "被巡视单位联络员",
            Role::UnitStaff => "责任部门人员",
            Role::Discipline => "纪委监委",
            Role::Organization => "组织部",
        }
    }

    /// The scope a grant of this role carries. The office alone may also be granted within one
    /// committee ([`Role::may_sit_in_a_committee`]).
    pub fn scope_kind(self) -> ScopeKind {
        match self {
            Role::Admin
            | Role::Office
            | Role::Leadership
            | Role::Discipline
            | Role::Organization => ScopeKind::Global,
            Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff => ScopeKind::Unit,
            Role::TeamLeader | Role::TeamDeputy | Role::TeamMember => ScopeKind::Inspection,
        }
    }
}

impl Role {
    /// Whether a grant of this role may be bounded by one committee instead of the whole
    /// system: the inspection office of a city or county committee (市县巡察办), which runs that
    /// committee's inspections (巡察) and no other's. A grant of global scope is the office of
    /// the top committee, which reads the levels below it.
    pub fn may_sit_in_a_committee(self) -> bool {
        self == Role::Office
    }

    /// The roles of an inspected unit's own people.
    pub fn is_unit_role(self) -> bool {
        matches!(
            self,
            Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim())
            .ok_or_else(|| {
                // The name people know beside the code the command line and the API take.
                let known: Vec<_> = Role::ALL
                    .iter()
                    .map(|r| format!("{}（{}）", r.as_str(), r.label()))
                    .collect();
                CoreError::bad_input(
                    "role",
                    format!("未知角色“{s}”，可用角色：{}", known.join("、")),
                )
            })
    }
}

/// The bound of one grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Scope {
    Global,
    Unit(Id),
    Inspection(Id),
}

impl Scope {
    pub fn kind(self) -> ScopeKind {
        match self {
            Scope::Global => ScopeKind::Global,
            Scope::Unit(_) => ScopeKind::Unit,
            Scope::Inspection(_) => ScopeKind::Inspection,
        }
    }

    pub fn kind_str(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Unit(_) => "unit",
            Scope::Inspection(_) => "inspection",
        }
    }

    pub fn id(self) -> Option<Id> {
        match self {
            Scope::Global => None,
            Scope::Unit(id) | Scope::Inspection(id) => Some(id),
        }
    }

    /// Rebuilds a scope from its stored columns.
    pub fn from_parts(kind: &str, id: Option<Id>) -> Result<Self, CoreError> {
        match (kind, id) {
            ("global", None) => Ok(Scope::Global),
            ("unit", Some(id)) => Ok(Scope::Unit(id)),
            ("inspection", Some(id)) => Ok(Scope::Inspection(id)),
            _ => Err(CoreError::internal(format!(
                "stored scope {kind}/{id:?} is malformed"
            ))),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Grant {
    pub id: Id,
    pub user_id: Id,
    pub role: Role,
    pub scope: Scope,
    pub granted_by: Option<Id>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

impl Grant {
    /// Whether this grant seats its holder as the office of the inspections `dispatcher` sends:
    /// an office of global scope (the top committee's) for every committee, an office within a
    /// committee for that committee.
    pub fn is_office_of(&self, dispatcher: Id) -> bool {
        self.role == Role::Office
            && match self.scope {
                Scope::Global => true,
                Scope::Unit(committee) => committee == dispatcher,
                Scope::Inspection(_) => false,
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        let err = "chairman".parse::<Role>().unwrap_err().to_string();
        assert!(
            err.contains("chairman") && err.contains("unit_liaison（被巡视单位联络员）"),
            "{err}"
        );
    }

    #[test]
    fn unit_roles_need_a_unit_and_team_roles_an_inspection() {
        assert_eq!(Role::UnitLiaison.scope_kind(), ScopeKind::Unit);
        assert_eq!(Role::TeamMember.scope_kind(), ScopeKind::Inspection);
        assert_eq!(Role::Discipline.scope_kind(), ScopeKind::Global);
    }
}
