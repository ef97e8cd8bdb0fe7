//! Accounts and the roles granted to them.

use serde_json::json;

use super::units::resolve_unit_in;
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::org::UnitKind;
use crate::page::{Keyset, Page, PageRequest, SortedPage};
use crate::permission::{Actor, Permission};
use crate::role::{Grant, Role, Scope, ScopeKind};
use crate::store::{ReadTx, Store, UserFilter, UserSort, WriteTx};
use crate::user::{NewUserInput, User, check_password_policy};

/// A role to grant, with the scope named as the caller knows it (a unit's id or name).
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct NewGrant {
    pub role: String,
    /// For unit roles: the unit's id or exact name; defaults to the user's own unit.
    /// For team roles: the inspection's id.
    #[serde(default)]
    pub scope: Option<String>,
}

impl<S: Store> Services<S> {
    pub async fn list_users(
        &self,
        actor: &Actor,
        f: &UserFilter,
        page: PageRequest,
    ) -> Result<Page<User>> {
        let at = page.after.map(|id| Keyset {
            row: Some((String::new(), id)),
            back: false,
        });
        let p = self
            .user_page(actor, f, UserSort::default(), at.as_ref(), page.limit)
            .await?;
        Ok(Page {
            items: p.items,
            next_cursor: p.next_cursor,
            total: Some(p.total),
        })
    }

    /// A page of the accounts, narrowed by `f` and sorted by `sort`, from the cursor `at`
    /// (none: the first page; back without a row: the last page), `limit` rows, with the
    /// cursors of the pages next to it and the total, counted by the database under the same
    /// filter as the rows.
    pub async fn user_page(
        &self,
        actor: &Actor,
        f: &UserFilter,
        sort: UserSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> Result<SortedPage<User>> {
        actor.require(Permission::ViewUsers)?;
        let mut tx = self.store.read().await?;
        let total = tx.count_listed_users(f).await?;
        let want = SortedPage::<User>::want(at, total, limit)?;
        let rows = tx.users_sorted(f, sort, at, want).await?;
        Ok(SortedPage::from_walk(rows, sort, at, want, total, |u| {
            (sort.key_of(u), u.id)
        }))
    }

    /// A user and their active grants. Anyone may see their own account.
    pub async fn get_user(&self, actor: &Actor, id: Id) -> Result<(User, Vec<Grant>)> {
        if actor.user_id() != Some(id) {
            actor.require(Permission::ViewUsers)?;
        }
        let mut tx = self.store.read().await?;
        let user = tx
            .get_user(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("用户".into()))?;
        let grants = tx.active_grants(id).await?;
        Ok((user, grants))
    }

    pub async fn find_user(&self, actor: &Actor, username: &str) -> Result<User> {
        actor.require(Permission::ViewUsers)?;
        let mut tx = self.store.read().await?;
        find_user_in(&mut tx, username).await
    }

    /// Creates an account, and grants `role` if given, in one transaction.
    pub async fn create_user(
        &self,
        actor: &Actor,
        input: &NewUserInput,
        role: Option<&NewGrant>,
    ) -> Result<(User, Vec<Grant>)> {
        actor.require(Permission::ManageUsers)?;
        let new = input.validate()?;
        let hash = self.secrets.hash_password(new.password.clone()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if tx
            .get_user_for_login(new.username.as_str())
            .await?
            .is_some()
        {
            return Err(CoreError::Conflict(format!(
                "用户名“{}”已被使用",
                new.username.as_str()
            )));
        }
        let unit = match &new.unit {
            Some(u) => {
                let unit = resolve_unit_in(&mut tx, u)
                    .await
                    .map_err(|_| CoreError::unfit("unit", format!("单位“{u}”不存在")))?;
                if unit.withdrawn {
                    return Err(CoreError::unfit("unit", "该单位已撤销"));
                }
                Some(unit)
            }
            None => None,
        };
        let user = User::new(
            new.username.as_str().to_owned(),
            new.display_name,
            unit.as_ref().map(|u| u.id),
            new.must_change_password,
            now,
        );
        tx.insert_user(&user, &hash).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::UserCreated,
                "user",
                Some(user.id),
                json!({ "after": user }),
            ),
        )
        .await?;
        let mut grants = Vec::new();
        if let Some(g) = role {
            grants.push(grant_in(&mut tx, actor, &user, g, now).await?);
        }
        tx.commit().await?;
        Ok((user, grants))
    }

    /// Changes the display name and unit of an account, refusing a stale version.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        display_name: &str,
        unit: Option<&str>,
    ) -> Result<User> {
        actor.require(Permission::ManageUsers)?;
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 50 {
            return Err(CoreError::bad_input(
                "display_name",
                "请填写姓名（不超过 50 个字）",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = get_user_in(&mut tx, id).await?;
        if before.version != version {
            return Err(CoreError::StaleVersion(format!(
                "用户“{}”",
                before.username
            )));
        }
        let unit_id = match unit.map(str::trim).filter(|u| !u.is_empty()) {
            Some(u) => {
                let unit = resolve_unit_in(&mut tx, u)
                    .await
                    .map_err(|_| CoreError::unfit("unit", format!("单位“{u}”不存在")))?;
                // As when an account is created: nobody is placed in a withdrawn unit. An
                // account already there keeps it until it is moved.
                if unit.withdrawn && before.unit_id != Some(unit.id) {
                    return Err(CoreError::unfit("unit", "该单位已撤销"));
                }
                Some(unit.id)
            }
            None => None,
        };
        let after = User {
            display_name: display_name.to_owned(),
            unit_id,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_user(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::UserUpdated,
                "user",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Disables or re-enables an account, as of the version the caller saw (a stale one is
    /// refused). Disabling ends its sessions at once and revokes its API tokens for good:
    /// re-enabling the account does not bring them back.
    pub async fn set_user_disabled(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        disabled: bool,
    ) -> Result<User> {
        actor.require(Permission::ManageUsers)?;
        if disabled && actor.user_id() == Some(id) {
            return Err(CoreError::RuleRefused("不能停用自己的账号".into()));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = get_user_in(&mut tx, id).await?;
        if before.version != version {
            return Err(stale_user(&before));
        }
        if before.disabled == disabled {
            return Ok(before);
        }
        let after = User {
            disabled,
            // Re-enabling also lifts a lock-out.
            failed_logins: 0,
            locked_until: None,
            version: before.version + 1,
            updated_at: now,
            ..before
        };
        tx.update_user(&after).await?;
        if disabled {
            tx.delete_sessions_of(id).await?;
            tx.revoke_tokens_of(id, now).await?;
        }
        let action = if disabled {
            Action::UserDisabled
        } else {
            Action::UserEnabled
        };
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                action,
                "user",
                Some(id),
                json!({ "username": after.username }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Sets another person's password (the administrator's reset), as of the version of the
    /// account the caller saw (a stale one is refused). With `must_change` the person chooses
    /// their own at next log-in. Ends the account's sessions and tokens.
    pub async fn reset_password(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        password: &str,
        must_change: bool,
    ) -> Result<()> {
        actor.require(Permission::ManageUsers)?;
        let username = {
            let mut tx = self.store.read().await?;
            let username = get_user_in(&mut tx, id).await?.username;
            if tx
                .get_user_for_login(&username)
                .await?
                .is_some_and(|(_, h)| h == crate::directory::DIRECTORY_ACCOUNT)
            {
                return Err(CoreError::RuleRefused(
                    super::auth::DIRECTORY_PASSWORD.into(),
                ));
            }
            username
        };
        check_password_policy(password, &username)?;
        let hash = self.secrets.hash_password(password.to_owned()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let current = get_user_in(&mut tx, id).await?;
        if current.version != version {
            return Err(stale_user(&current));
        }
        tx.set_password(id, &hash, must_change, now).await?;
        // A new password lifts every lock-out of the account.
        tx.clear_login_locks(id).await?;
        tx.delete_sessions_of(id).await?;
        tx.revoke_tokens_of(id, now).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::PasswordReset,
                "user",
                Some(id),
                json!({ "username": username, "must_change": must_change }),
            ),
        )
        .await?;
        tx.commit().await
    }

    pub async fn grant_role(&self, actor: &Actor, user_id: Id, g: &NewGrant) -> Result<Grant> {
        actor.require(Permission::ManageUsers)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let user = get_user_in(&mut tx, user_id).await?;
        let grant = grant_in(&mut tx, actor, &user, g, now).await?;
        tx.commit().await?;
        Ok(grant)
    }

    pub async fn revoke_grant(&self, actor: &Actor, user_id: Id, grant_id: Id) -> Result<()> {
        actor.require(Permission::ManageUsers)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let grants = tx.active_grants(user_id).await?;
        let Some(g) = grants.iter().find(|g| g.id == grant_id) else {
            return Err(CoreError::NotFound("该角色授权".into()));
        };
        if g.role == Role::Admin && actor.user_id() == Some(user_id) {
            return Err(CoreError::RuleRefused(
                "不能收回自己的系统管理员角色，以免系统无人管理".into(),
            ));
        }
        let g = g.clone();
        revoke_grant_in(&mut tx, actor, &g, now).await?;
        tx.commit().await
    }
}

pub(crate) async fn get_user_in<T: ReadTx>(tx: &mut T, id: Id) -> Result<User> {
    tx.get_user(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("用户".into()))
}

pub(crate) async fn find_user_in<T: ReadTx>(tx: &mut T, username: &str) -> Result<User> {
    let key = username.trim().to_ascii_lowercase();
    if let Ok(id) = key.parse::<Id>()
        && let Some(u) = tx.get_user(id).await?
    {
        return Ok(u);
    }
    tx.get_user_for_login(&key)
        .await?
        .map(|(u, _)| u)
        .ok_or_else(|| CoreError::NotFound(format!("用户“{}”", username.trim())))
}

async fn grant_in<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    user: &User,
    g: &NewGrant,
    now: jiff::Timestamp,
) -> Result<Grant> {
    let role: Role = g.role.parse()?;
    let scope_ref = g.scope.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let scope = match (role.scope_kind(), scope_ref) {
        // The office of one committee (a city's or county's 巡察办): the committee is named.
        (ScopeKind::Global, Some(name)) if role.may_sit_in_a_committee() => {
            let unit = resolve_unit_in(tx, name)
                .await
                .map_err(|_| CoreError::unfit("scope", format!("单位“{name}”不存在")))?;
            if !matches!(unit.kind, UnitKind::Committee | UnitKind::LowerCommittee) {
                return Err(CoreError::unfit(
                    "scope",
                    format!(
                        "“{}”不是党委（党组），{}只能设在派出巡视巡察组的党组织",
                        unit.name,
                        role.label()
                    ),
                ));
            }
            if unit.withdrawn {
                return Err(CoreError::unfit("scope", "该单位已撤销"));
            }
            Scope::Unit(unit.id)
        }
        (ScopeKind::Global, _) => {
            if scope_ref.is_some() {
                return Err(CoreError::bad_input(
                    "scope",
                    format!("角色“{}”适用于全系统，不需指定范围", role.label()),
                ));
            }
            Scope::Global
        }
        (ScopeKind::Unit, _) => {
            let unit = match scope_ref {
                Some(u) => resolve_unit_in(tx, u)
                    .await
                    .map_err(|_| CoreError::unfit("scope", format!("单位“{u}”不存在")))?,
                None => match user.unit_id {
                    Some(id) => tx
                        .get_unit(id)
                        .await?
                        .ok_or_else(|| CoreError::NotFound("单位".into()))?,
                    None => {
                        return Err(CoreError::bad_input(
                            "scope",
                            format!("角色“{}”须指定所属单位", role.label()),
                        ));
                    }
                },
            };
            if unit.withdrawn {
                return Err(CoreError::unfit("scope", "该单位已撤销"));
            }
            Scope::Unit(unit.id)
        }
        (ScopeKind::Inspection, _) => {
            // Team roles open one inspection; they are granted when the team is formed.
            return Err(CoreError::RuleRefused(format!(
                "角色“{}”只能在组建巡视组时按巡视任务授予",
                role.label()
            )));
        }
    };
    add_grant_in(tx, actor, user, role, scope, now).await
}

/// Grants `role` within `scope` to `user` and records it, refusing a grant the user already
/// holds. The scope must already be checked; forming a team grants its roles through this.
pub(crate) async fn add_grant_in<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    user: &User,
    role: Role,
    scope: Scope,
    now: jiff::Timestamp,
) -> Result<Grant> {
    let existing = tx.active_grants(user.id).await?;
    if existing.iter().any(|e| e.role == role && e.scope == scope) {
        return Err(CoreError::Conflict(format!(
            "用户“{}”已有此角色",
            user.username
        )));
    }
    let grant = Grant {
        id: Id::new(),
        user_id: user.id,
        role,
        scope,
        granted_by: actor.user_id(),
        created_at: now,
    };
    tx.insert_grant(&grant).await?;
    record(
        tx,
        actor,
        now,
        AuditEntry::new(
            Action::GrantAdded,
            "grant",
            Some(grant.id),
            json!({ "user": user.username, "role": role, "scope": scope }),
        ),
    )
    .await?;
    Ok(grant)
}

/// Revokes an active grant and records it.
pub(crate) async fn revoke_grant_in<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    g: &Grant,
    now: jiff::Timestamp,
) -> Result<()> {
    if !tx.revoke_grant(g.id, now).await? {
        return Err(CoreError::NotFound("该角色授权".into()));
    }
    record(
        tx,
        actor,
        now,
        AuditEntry::new(
            Action::GrantRevoked,
            "grant",
            Some(g.id),
            json!({ "user_id": g.user_id, "role": g.role, "scope": g.scope }),
        ),
    )
    .await?;
    Ok(())
}

fn stale_user(u: &User) -> CoreError {
    CoreError::StaleVersion(format!("用户“{}”", u.username))
}
