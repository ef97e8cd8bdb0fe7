//! Turning rows into domain values. Stored text is parsed strictly: a malformed value is a
//! fault of the database, reported as an internal error, never silently replaced.

use sqlx::Row;
use sqlx::any::AnyRow;
use xunshi_core::audit::AuditRecord;
use xunshi_core::org::{Unit, UnitKind, UnitLevel};
use xunshi_core::role::{Grant, Role, Scope};
use xunshi_core::store::{ApiToken, LoginLock, Session};
use xunshi_core::user::User;
use xunshi_core::{CoreError, Id, Result};

use crate::db_err;

pub fn s(row: &AnyRow, col: &str) -> Result<String> {
    row.try_get::<String, _>(col).map_err(db_err)
}

pub fn opt_s(row: &AnyRow, col: &str) -> Result<Option<String>> {
    row.try_get::<Option<String>, _>(col).map_err(db_err)
}

pub fn i(row: &AnyRow, col: &str) -> Result<i64> {
    row.try_get::<i64, _>(col).map_err(db_err)
}

pub fn flag(row: &AnyRow, col: &str) -> Result<bool> {
    Ok(i(row, col)? != 0)
}

pub fn id(row: &AnyRow, col: &str) -> Result<Id> {
    s(row, col)?.parse()
}

pub fn opt_id(row: &AnyRow, col: &str) -> Result<Option<Id>> {
    opt_s(row, col)?.map(|v| v.parse()).transpose()
}

pub fn ts(row: &AnyRow, col: &str) -> Result<jiff::Timestamp> {
    let v = s(row, col)?;
    v.parse()
        .map_err(|e| CoreError::internal(format!("{col} holds “{v}”: {e}")))
}

pub fn opt_ts(row: &AnyRow, col: &str) -> Result<Option<jiff::Timestamp>> {
    match opt_s(row, col)? {
        Some(v) => v
            .parse()
            .map(Some)
            .map_err(|e| CoreError::internal(format!("{col} holds “{v}”: {e}"))),
        None => Ok(None),
    }
}

pub fn unit(row: &AnyRow) -> Result<Unit> {
    Ok(Unit {
        id: id(row, "id")?,
        name: s(row, "name")?,
        kind: UnitKind::parse(&s(row, "kind")?)?,
        level: UnitLevel::parse(&s(row, "level")?)?,
        parent_id: opt_id(row, "parent_id")?,
        withdrawn: flag(row, "withdrawn")?,
        version: i(row, "version")?,
        created_at: ts(row, "created_at")?,
        updated_at: ts(row, "updated_at")?,
    })
}

/// The column `name` as a join names it with `prefix` (`""`: the name itself, built only when
/// there is a prefix).
pub(crate) fn named<'a>(prefix: &str, name: &'a str) -> std::borrow::Cow<'a, str> {
    if prefix.is_empty() {
        name.into()
    } else {
        format!("{prefix}{name}").into()
    }
}

pub fn user(row: &AnyRow) -> Result<User> {
    user_at(row, "")
}

/// A user from the columns named with `prefix` (a join of several tables' rows).
pub fn user_at(row: &AnyRow, prefix: &str) -> Result<User> {
    let c = |name| named(prefix, name);
    Ok(User {
        id: id(row, &c("id"))?,
        username: s(row, &c("username"))?,
        display_name: s(row, &c("display_name"))?,
        unit_id: opt_id(row, &c("unit_id"))?,
        disabled: flag(row, &c("disabled"))?,
        must_change_password: flag(row, &c("must_change_password"))?,
        failed_logins: i(row, &c("failed_logins"))?,
        locked_until: opt_ts(row, &c("locked_until"))?,
        version: i(row, &c("version"))?,
        created_at: ts(row, &c("created_at"))?,
        updated_at: ts(row, &c("updated_at"))?,
    })
}

pub fn grant(row: &AnyRow) -> Result<Grant> {
    grant_at(row, "")
}

/// A grant from the columns named with `prefix`.
pub fn grant_at(row: &AnyRow, prefix: &str) -> Result<Grant> {
    let c = |name| named(prefix, name);
    Ok(Grant {
        id: id(row, &c("id"))?,
        user_id: id(row, &c("user_id"))?,
        role: s(row, &c("role"))?.parse::<Role>()?,
        scope: Scope::from_parts(&s(row, &c("scope_kind"))?, opt_id(row, &c("scope_id"))?)?,
        granted_by: opt_id(row, &c("granted_by"))?,
        created_at: ts(row, &c("created_at"))?,
    })
}

pub fn login_lock(row: &AnyRow) -> Result<LoginLock> {
    Ok(LoginLock {
        user_id: id(row, "user_id")?,
        address: s(row, "address")?,
        failures: i(row, "failures")?,
        locked_until: opt_ts(row, "locked_until")?,
        last_failure_at: ts(row, "last_failure_at")?,
    })
}

pub fn sign_on(row: &AnyRow) -> Result<xunshi_core::sign_on::SignOn> {
    let vouched = opt_s(row, "vouched")?
        .map(|v| serde_json::from_str(&v).map_err(CoreError::internal))
        .transpose()?;
    Ok(xunshi_core::sign_on::SignOn {
        state_hash: s(row, "state_hash")?,
        nonce: s(row, "nonce")?,
        verifier: s(row, "verifier")?,
        next: s(row, "next")?,
        vouched,
        expires_at: ts(row, "expires_at")?,
    })
}

pub fn two_factor(row: &AnyRow) -> Result<xunshi_core::store::TwoFactor> {
    Ok(xunshi_core::store::TwoFactor {
        user_id: id(row, "user_id")?,
        secret: s(row, "secret")?,
        confirmed_at: opt_ts(row, "confirmed_at")?,
        last_step: i(row, "last_step")?,
        recovery: serde_json::from_str(&s(row, "recovery")?).map_err(CoreError::internal)?,
        created_at: ts(row, "created_at")?,
    })
}

pub fn session(row: &AnyRow) -> Result<Session> {
    Ok(Session {
        token_hash: s(row, "token_hash")?,
        user_id: id(row, "user_id")?,
        csrf_token: s(row, "csrf_token")?,
        created_at: ts(row, "created_at")?,
        expires_at: ts(row, "expires_at")?,
        two_factor_pending: flag(row, "two_factor_pending")?,
    })
}

pub fn token(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: id(row, "id")?,
        user_id: id(row, "user_id")?,
        name: s(row, "name")?,
        token_hash: s(row, "token_hash")?,
        created_at: ts(row, "created_at")?,
        expires_at: ts(row, "expires_at")?,
        last_used_at: opt_ts(row, "last_used_at")?,
        revoked_at: opt_ts(row, "revoked_at")?,
    })
}

pub fn audit(row: &AnyRow) -> Result<AuditRecord> {
    Ok(AuditRecord {
        id: id(row, "id")?,
        seq: i(row, "seq")?,
        at: s(row, "at")?,
        actor_id: opt_id(row, "actor_id")?,
        actor_name: s(row, "actor_name")?,
        action: s(row, "action")?,
        object_type: s(row, "object_type")?,
        object_id: opt_s(row, "object_id")?,
        ip: opt_s(row, "ip")?,
        summary: s(row, "summary")?,
        prev_hash: s(row, "prev_hash")?,
        hash: s(row, "hash")?,
    })
}

pub fn date(row: &AnyRow, col: &str) -> Result<jiff::civil::Date> {
    let v = s(row, col)?;
    v.parse()
        .map_err(|e| CoreError::internal(format!("{col} holds “{v}”: {e}")))
}

pub fn opt_date(row: &AnyRow, col: &str) -> Result<Option<jiff::civil::Date>> {
    opt_s(row, col)?
        .map(|v| {
            v.parse()
                .map_err(|e| CoreError::internal(format!("{col} holds “{v}”: {e}")))
        })
        .transpose()
}
