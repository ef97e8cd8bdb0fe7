//! Who may do what. Every service asks [`Actor::require`] before it reads or changes anything,
//! so no interface can skip the check.

use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::role::{Grant, Role, Scope};
use crate::user::User;

/// The person (or the operator at the command line) on whose behalf a service runs.
#[derive(Debug, Clone)]
pub struct Actor {
    kind: ActorKind,
    /// The client address, for the audit trail.
    pub ip: Option<String>,
    /// The idempotency key the request carries, if any (see [`SubmissionTag`]).
    submission: Option<SubmissionTag>,
}

/// The idempotency key of one request that may create something: the first write transaction
/// of the request that appends to the audit trail records the key with it (`service::record`),
/// and a second request with the same key, account and route is refused there (409) — the edge
/// then answers it with the first request's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmissionTag {
    /// The key the client sent (a form's `_idem`, the API's `Idempotency-Key`).
    pub key: String,
    /// The method and path it was sent to.
    pub route: String,
    /// A fresh random value of this request, telling it from a repeat of the key.
    pub nonce: String,
}

impl SubmissionTag {
    /// A key the client may send: 1 to 100 of `A–Z a–z 0–9 - _ . :`.
    pub fn valid_key(key: &str) -> bool {
        (1..=100).contains(&key.len())
            && key
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
    }
}

#[derive(Debug, Clone)]
enum ActorKind {
    /// Someone logged in, with their grants as of this request.
    User {
        user: Box<User>,
        grants: Vec<Grant>,
        /// The units above the account's unit and its unit roles' units, read from the tree
        /// when the actor was resolved (see [`crate::own_unit`]).
        units_above: Vec<Id>,
    },
    /// The operator running a command on the server itself; whoever can run it can read the
    /// database file anyway, so it may do everything, and is recorded as such.
    System,
    /// Nobody yet: a log-in attempt or a public page.
    Anonymous,
}

/// The things a service checks before it acts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    ViewUnits,
    ManageUnits,
    ViewUsers,
    ManageUsers,
    ViewAudit,
    /// Terms, plans, rounds and the creation of inspections.
    ManagePlanning,
    /// See the plan: terms, rounds and which units they cover (not the inspections' content).
    ViewPlanning,
    /// See the personnel pool of inspectors, with their past posts and declared relatives.
    ViewPersonnel,
    /// Keep the personnel pool, the recusal rules and the units' localities.
    ManagePersonnel,
    /// Reference data the product ships and the office keeps current: holiday arrangements,
    /// taxonomies, deadline rules.
    ManageReferenceData,
    /// Add versions and categories to the problem taxonomy.
    ManageTaxonomy,
    /// Security rules of log-in, such as requiring the second factor.
    ManageSecurity,
}

impl Permission {
    fn label(self) -> &'static str {
        match self {
            Permission::ViewUnits => "查看组织机构",
            Permission::ManageUnits => "维护组织机构",
            Permission::ViewUsers => "查看用户",
            Permission::ManageUsers => "管理用户和角色",
            Permission::ViewAudit => "查看审计日志",
            Permission::ManagePlanning => "制定巡视计划",
            Permission::ViewPlanning => "查看巡视计划",
            Permission::ViewPersonnel => "查看干部人才库",
            Permission::ManagePersonnel => "管理干部人才库",
            Permission::ManageReferenceData => "维护基础数据",
            Permission::ManageTaxonomy => "维护问题分类",
            Permission::ManageSecurity => "设置登录安全要求",
        }
    }
}

/// The global roles that hold a permission. Unit- and inspection-scoped roles hold none of these.
fn roles_for(p: Permission) -> &'static [Role] {
    use Role::*;
    match p {
        Permission::ViewUnits => &[
            Admin,
            Office,
            Leadership,
            Discipline,
            Organization,
            TeamLeader,
            TeamDeputy,
            TeamMember,
            UnitPrincipal,
            UnitLiaison,
            UnitStaff,
        ],
        Permission::ManageUnits => &[Admin, Office],
        Permission::ViewUsers => &[Admin, Office, Leadership],
        Permission::ManageUsers => &[Admin],
        Permission::ViewAudit => &[Admin],
        Permission::ManagePlanning => &[Office],
        Permission::ViewPlanning => &[Office, Leadership],
        Permission::ViewPersonnel => &[Office, Leadership],
        Permission::ManagePersonnel => &[Office],
        Permission::ManageReferenceData => &[Office],
        Permission::ManageTaxonomy => &[Office],
        Permission::ManageSecurity => &[Admin, Office],
    }
}

/// What an office held within one committee may do of the permissions above: read the
/// organisation. These permissions reach every committee's records; the committee's own
/// planning is [`crate::service::may_plan`]'s, held to its committee. Users,
/// personnel, reference data, the taxonomy, retention and the security rules stay with the
/// office of the top committee.
fn committee_office_may(p: Permission) -> bool {
    p == Permission::ViewUnits
}

/// Whose inspection work an actor runs as the office; see [`Actor::office_reach`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfficeReach {
    Nowhere,
    Everywhere,
    Committees(Vec<Id>),
}

impl OfficeReach {
    /// Whether this reach runs the inspections `dispatcher` sends.
    pub fn runs(&self, dispatcher: Id) -> bool {
        match self {
            OfficeReach::Nowhere => false,
            OfficeReach::Everywhere => true,
            OfficeReach::Committees(c) => c.contains(&dispatcher),
        }
    }
}

impl Actor {
    pub fn user(user: User, grants: Vec<Grant>, ip: Option<String>) -> Self {
        Actor {
            kind: ActorKind::User {
                user: Box::new(user),
                grants,
                units_above: Vec::new(),
            },
            ip,
            submission: None,
        }
    }

    /// The actor with the units above its own units, as read from the organisation tree.
    pub fn with_units_above(mut self, above: Vec<Id>) -> Self {
        if let ActorKind::User { units_above, .. } = &mut self.kind {
            *units_above = above;
        }
        self
    }

    /// The units above the actor's own units (empty unless resolved with them).
    pub fn units_above(&self) -> &[Id] {
        match &self.kind {
            ActorKind::User { units_above, .. } => units_above,
            _ => &[],
        }
    }

    /// The actor acting for a request that carries an idempotency key.
    pub fn with_submission(mut self, tag: SubmissionTag) -> Self {
        self.submission = Some(tag);
        self
    }

    /// The actor for one item of a request that acts on several (a batch on the ledger): the
    /// request's key is claimed once per item, under its route and the item, so each item's
    /// transaction claims its own and a repeat of the request is refused item by item.
    pub fn for_item(&self, item: &str) -> Self {
        let mut a = self.clone();
        if let Some(t) = &mut a.submission {
            t.route = format!("{} #{item}", t.route);
        }
        a
    }

    /// The same actor without the request's idempotency key.
    pub fn without_submission(&self) -> Self {
        Actor {
            submission: None,
            ..self.clone()
        }
    }

    pub fn submission(&self) -> Option<&SubmissionTag> {
        self.submission.as_ref()
    }

    pub fn system() -> Self {
        Actor {
            kind: ActorKind::System,
            ip: None,
            submission: None,
        }
    }

    pub fn anonymous(ip: Option<String>) -> Self {
        Actor {
            kind: ActorKind::Anonymous,
            ip,
            submission: None,
        }
    }

    pub fn user_id(&self) -> Option<Id> {
        match &self.kind {
            ActorKind::User { user, .. } => Some(user.id),
            _ => None,
        }
    }

    pub fn as_user(&self) -> Option<&User> {
        match &self.kind {
            ActorKind::User { user, .. } => Some(user),
            _ => None,
        }
    }

    /// The logged-in person, for what only a person does for themselves.
    pub fn require_user(&self) -> Result<&User> {
        self.as_user()
            .ok_or_else(|| CoreError::Unauthenticated("请先登录".into()))
    }

    pub fn grants(&self) -> &[Grant] {
        match &self.kind {
            ActorKind::User { grants, .. } => grants,
            _ => &[],
        }
    }

    /// The name the audit trail records.
    pub fn name(&self) -> String {
        match &self.kind {
            ActorKind::User { user, .. } => user.username.clone(),
            ActorKind::System => "system".to_owned(),
            ActorKind::Anonymous => "anonymous".to_owned(),
        }
    }

    pub fn is_system(&self) -> bool {
        matches!(self.kind, ActorKind::System)
    }

    /// Whether the actor holds `role` for the whole system. A unit or team role always carries
    /// its unit or inspection, and any grant of it counts; an office held within one committee
    /// does not, since it reaches that committee's inspections only ([`Actor::office_reach`]).
    pub fn has_role(&self, role: Role) -> bool {
        self.grants()
            .iter()
            .any(|g| g.role == role && (g.scope == Scope::Global || !role.may_sit_in_a_committee()))
    }

    /// Whose inspection work the actor runs as the inspection office: every committee's (the
    /// office of the top committee, and the operator), the committees whose office the actor
    /// sits in (a city's or county's 巡察办), or none.
    pub fn office_reach(&self) -> OfficeReach {
        if self.is_system() || self.has_role(Role::Office) {
            return OfficeReach::Everywhere;
        }
        let committees = self.office_committees();
        if committees.is_empty() {
            return OfficeReach::Nowhere;
        }
        OfficeReach::Committees(committees)
    }

    /// The committees whose own office the actor sits in (offices granted within a committee),
    /// sorted; the lists' scopes carry them.
    pub fn office_committees(&self) -> Vec<Id> {
        let mut committees: Vec<Id> = self
            .grants()
            .iter()
            .filter_map(|g| match (g.role, g.scope) {
                (Role::Office, Scope::Unit(c)) => Some(c),
                _ => None,
            })
            .collect();
        committees.sort();
        committees.dedup();
        committees
    }

    /// The units in which the actor holds a unit-scoped role.
    pub fn unit_scopes(&self) -> impl Iterator<Item = Id> + '_ {
        self.grants().iter().filter_map(|g| match g.scope {
            Scope::Unit(id) => Some(id),
            _ => None,
        })
    }

    pub fn can(&self, p: Permission) -> bool {
        match &self.kind {
            ActorKind::System => true,
            ActorKind::Anonymous => false,
            ActorKind::User { user, grants, .. } => {
                !user.disabled
                    && grants.iter().any(|g| {
                        roles_for(p).contains(&g.role)
                            && (g.scope == Scope::Global
                                || !g.role.may_sit_in_a_committee()
                                || committee_office_may(p))
                    })
            }
        }
    }

    /// Refuses with 401 for nobody and 403 for somebody without the permission.
    pub fn require(&self, p: Permission) -> Result<()> {
        if self.can(p) {
            return Ok(());
        }
        match self.kind {
            ActorKind::Anonymous => Err(CoreError::Unauthenticated("请先登录".to_owned())),
            _ => Err(CoreError::Forbidden(format!("您没有“{}”的权限", p.label()))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor_with(role: Role) -> Actor {
        let scope = match role.scope_kind() {
            crate::role::ScopeKind::Global => Scope::Global,
            crate::role::ScopeKind::Unit => Scope::Unit(Id::new()),
            crate::role::ScopeKind::Inspection => Scope::Inspection(Id::new()),
        };
        crate::own_unit::tests::person(None, &[(role, scope)])
    }

    #[test]
    fn only_the_administrator_manages_users() {
        for r in Role::ALL {
            assert_eq!(
                actor_with(r).can(Permission::ManageUsers),
                r == Role::Admin,
                "{r}"
            );
        }
    }

    #[test]
    fn leadership_reads_but_changes_nothing() {
        let a = actor_with(Role::Leadership);
        assert!(a.can(Permission::ViewUnits) && a.can(Permission::ViewUsers));
        assert!(!a.can(Permission::ManageUnits) && !a.can(Permission::ManageUsers));
    }

    #[test]
    fn anonymous_is_asked_to_log_in_and_others_are_forbidden() {
        let anon = Actor::anonymous(None).require(Permission::ViewUnits);
        assert!(matches!(anon, Err(CoreError::Unauthenticated(_))));
        let liaison = actor_with(Role::UnitLiaison).require(Permission::ManageUnits);
        assert!(matches!(liaison, Err(CoreError::Forbidden(_))));
    }
}
