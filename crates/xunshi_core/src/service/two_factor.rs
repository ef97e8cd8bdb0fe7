//! The second factor of log-in (两步验证): a person sets it up with an authenticator app,
//! confirming a first code, and is given recovery codes once; the log-in then asks for a code
//! (`auth::authenticate` checks it through [`Services::second_factor`]). The office or an
//! administrator may require it of every administrator and office account; an administrator
//! resets it for someone who lost their phone.

use serde::Serialize;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::auth::hash_secret;
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::{Actor, Permission};
use crate::role::{Grant, Role};
use crate::store::{ReadTx, Store, TwoFactor, WriteTx};
use crate::totp;

/// What an authenticator app needs to be set up: the secret to type in or the address to scan.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TwoFactorSetup {
    /// The secret in base32, to type into the app.
    pub secret: String,
    /// The `otpauth://` address (the content of a QR code).
    pub uri: String,
}

/// Where a person stands with the second factor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TwoFactorStatus {
    /// Set up and confirmed: the log-in asks for a code.
    pub enabled: bool,
    /// Set up but not confirmed yet with a first code.
    pub pending: bool,
    /// Recovery codes not used yet.
    pub recovery_left: usize,
    /// Whether the office requires it of this person (an administrator or office account).
    pub required: bool,
    /// While pending: the secret to set the app up with (the person's own, shown to them only).
    pub setup: Option<TwoFactorSetup>,
}

/// The issuer an authenticator app shows beside the code.
const ISSUER: &str = "巡视巡察信息系统";

/// Whether the requirement of the office applies to someone with these grants.
pub(crate) fn concerned(grants: &[Grant]) -> bool {
    grants
        .iter()
        .any(|g| matches!(g.role, Role::Admin | Role::Office))
}

fn setup_of(username: &str, secret: &[u8]) -> TwoFactorSetup {
    TwoFactorSetup {
        uri: totp::otpauth_uri(ISSUER, username, secret),
        secret: totp::base32(secret),
    }
}

/// The associated data the secret of `user_id`'s second factor is sealed with.
pub(crate) fn two_factor_context(user_id: Id) -> String {
    format!("totp:{user_id}")
}

/// Ten recovery codes as people copy them (`xxxxx-xxxxx`), and their hashes as stored.
fn recovery_codes(random: impl Fn() -> String) -> (Vec<String>, Vec<String>) {
    (0..totp::RECOVERY_CODES)
        .map(|_| {
            let raw: String = random()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .map(|c| c.to_ascii_lowercase())
                .take(10)
                .collect();
            let shown = format!("{}-{}", &raw[..5], &raw[5..]);
            (shown, hash_secret(&raw))
        })
        .unzip()
}

/// What a right second factor changes in the stored record: the step used, or the recovery
/// code taken out.
pub(crate) struct SecondFactor {
    pub record: TwoFactor,
    pub recovery_used: bool,
}

impl<S: Store> Services<S> {
    /// Checks `code` — a six-digit code of the app or a recovery code — against `tf` at the
    /// services' time; `None` when it is not right (or was used already).
    pub(crate) fn second_factor(&self, tf: &TwoFactor, code: &str) -> Result<Option<SecondFactor>> {
        let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == totp::DIGITS as usize && digits.bytes().all(|b| b.is_ascii_digit()) {
            let secret = self
                .cipher()?
                .open(&two_factor_context(tf.user_id), &tf.secret)?;
            let now = totp::step_of(self.now().as_second());
            return Ok(
                totp::verify(&secret, &digits, now, tf.last_step).map(|step| SecondFactor {
                    record: TwoFactor {
                        last_step: step,
                        ..tf.clone()
                    },
                    recovery_used: false,
                }),
            );
        }
        let hash = hash_secret(&totp::normalise_recovery(code));
        Ok(tf.recovery.iter().position(|h| *h == hash).map(|i| {
            let mut record = tf.clone();
            record.recovery.remove(i);
            SecondFactor {
                record,
                recovery_used: true,
            }
        }))
    }

    /// The actor's own standing.
    pub async fn two_factor_status(&self, actor: &Actor) -> Result<TwoFactorStatus> {
        let user = actor.require_user()?;
        let mut tx = self.store.read().await?;
        let tf = tx.get_two_factor(user.id).await?;
        let required = concerned(actor.grants()) && tx.two_factor_required().await?;
        let setup = match tf.as_ref().filter(|t| t.confirmed_at.is_none()) {
            Some(t) => {
                let secret = self
                    .cipher()?
                    .open(&two_factor_context(user.id), &t.secret)?;
                Some(setup_of(&user.username, &secret))
            }
            None => None,
        };
        Ok(TwoFactorStatus {
            enabled: tf.as_ref().is_some_and(|t| t.confirmed_at.is_some()),
            pending: setup.is_some(),
            recovery_left: tf.map_or(0, |t| t.recovery.len()),
            required,
            setup,
        })
    }

    /// Makes a new secret for the actor's app, to be confirmed with its first code; one set up
    /// already must be turned off first.
    pub async fn begin_two_factor(&self, actor: &Actor) -> Result<TwoFactorSetup> {
        let user = actor.require_user()?;
        let now = self.now();
        // 160 bits, as RFC 4226 recommends, from the secrets' random source.
        let secret: Vec<u8> = Sha256::digest(self.secrets.random_token().as_bytes())[..20].to_vec();
        let sealed = self.cipher()?.seal(&two_factor_context(user.id), &secret)?;
        let mut tx = self.store.write().await?;
        if tx
            .get_two_factor(user.id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some())
        {
            return Err(CoreError::Conflict(
                "两步验证已启用；如需更换手机，请先停用再重新设置".into(),
            ));
        }
        tx.put_two_factor(&TwoFactor {
            user_id: user.id,
            secret: sealed,
            confirmed_at: None,
            last_step: 0,
            recovery: Vec::new(),
            created_at: now,
        })
        .await?;
        tx.commit().await?;
        Ok(setup_of(&user.username, &secret))
    }

    /// Confirms the secret with a first code of the app and turns the second factor on;
    /// returns the recovery codes, shown this once.
    pub async fn confirm_two_factor(&self, actor: &Actor, code: &str) -> Result<Vec<String>> {
        let user = actor.require_user()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let Some(tf) = tx
            .get_two_factor(user.id)
            .await?
            .filter(|t| t.confirmed_at.is_none())
        else {
            return Err(CoreError::RuleRefused(
                "没有待确认的两步验证设置：请先生成密钥".into(),
            ));
        };
        // Nothing but the app's code confirms it: there are no recovery codes yet.
        let Some(SecondFactor { record, .. }) = self.second_factor(&tf, code)? else {
            return Err(CoreError::unfit(
                "code",
                "动态口令不正确：请输入身份验证器当前显示的 6 位数字，并确认手机时间准确",
            ));
        };
        let (shown, hashes) = recovery_codes(|| self.secrets.random_token());
        tx.put_two_factor(&TwoFactor {
            confirmed_at: Some(now),
            recovery: hashes,
            ..record
        })
        .await?;
        tx.clear_two_factor_pending(user.id).await?;
        record_change(
            &mut tx,
            actor,
            now,
            Action::TwoFactorEnabled,
            user.id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(shown)
    }

    /// Turns the actor's own second factor off, with a code of the app or a recovery code;
    /// refused while the office requires it of them.
    pub async fn disable_two_factor(&self, actor: &Actor, code: &str) -> Result<()> {
        let user = actor.require_user()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        if concerned(actor.grants()) && tx.two_factor_required().await? {
            return Err(CoreError::RuleRefused(
                "本系统要求管理员和巡视办账号使用两步验证，不能停用；更换手机请联系系统管理员重置"
                    .into(),
            ));
        }
        let Some(tf) = tx.get_two_factor(user.id).await? else {
            return Err(CoreError::RuleRefused("两步验证未启用".into()));
        };
        if tf.confirmed_at.is_some() && self.second_factor(&tf, code)?.is_none() {
            return Err(CoreError::bad_input("code", "动态口令或恢复码不正确"));
        }
        tx.delete_two_factor(user.id).await?;
        record_change(
            &mut tx,
            actor,
            now,
            Action::TwoFactorDisabled,
            user.id,
            json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// An administrator removes someone's second factor (a lost phone): they set it up anew
    /// at their next log-in if it is required of them.
    pub async fn reset_two_factor(&self, actor: &Actor, user_id: Id) -> Result<()> {
        actor.require(Permission::ManageUsers)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let user = tx
            .get_user(user_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("用户".into()))?;
        if !tx.delete_two_factor(user_id).await? {
            return Err(CoreError::RuleRefused(format!(
                "{} 未设置两步验证",
                user.username
            )));
        }
        // Whoever held the lost phone keeps no session either.
        tx.delete_sessions_of(user_id).await?;
        record_change(
            &mut tx,
            actor,
            now,
            Action::TwoFactorReset,
            user_id,
            json!({ "username": user.username }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether someone has the second factor on, for their administrator.
    pub async fn has_two_factor(&self, actor: &Actor, user_id: Id) -> Result<bool> {
        actor.require(Permission::ViewUsers)?;
        let mut tx = self.store.read().await?;
        Ok(tx
            .get_two_factor(user_id)
            .await?
            .is_some_and(|t| t.confirmed_at.is_some()))
    }

    /// Whether administrators and the office must log in with the second factor.
    pub async fn two_factor_required(&self, actor: &Actor) -> Result<bool> {
        actor.require(Permission::ManageSecurity)?;
        let mut tx = self.store.read().await?;
        tx.two_factor_required().await
    }

    /// Requires (or no longer requires) the second factor of every administrator and office
    /// account, from each one's next log-in. Whoever sets it on must have it on themselves, so
    /// that the rule never locks out the one who made it.
    pub async fn set_two_factor_required(&self, actor: &Actor, required: bool) -> Result<()> {
        actor.require(Permission::ManageSecurity)?;
        let user = actor.require_user()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let own = tx.get_two_factor(user.id).await?;
        if required && own.is_none_or(|t| t.confirmed_at.is_none()) {
            return Err(CoreError::RuleRefused(
                "请先为自己的账号启用两步验证，再要求其他人使用".into(),
            ));
        }
        let before = tx.two_factor_required().await?;
        tx.set_two_factor_required(required).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TwoFactorPolicySet,
                "security_settings",
                None,
                json!({ "before": { "two_factor_required": before }, "after": { "two_factor_required": required } }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn record_change<T: WriteTx>(
    tx: &mut T,
    actor: &Actor,
    now: jiff::Timestamp,
    action: Action,
    user_id: Id,
    summary: serde_json::Value,
) -> Result<()> {
    record(
        tx,
        actor,
        now,
        AuditEntry::new(action, "user", Some(user_id), summary),
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_ten_distinct_and_stored_only_as_hashes() {
        let n = std::cell::Cell::new(0);
        let (shown, hashes) = recovery_codes(|| {
            n.set(n.get() + 1);
            format!("Ab{:08}zz-extra", n.get())
        });
        assert_eq!(shown.len(), 10);
        assert_eq!(shown[0], "ab000-00001");
        assert_eq!(hashes[0], hash_secret("ab00000001"));
        assert_eq!(
            hash_secret(&totp::normalise_recovery("AB000 00001")),
            hashes[0]
        );
        let mut distinct = shown.clone();
        distinct.dedup();
        assert_eq!(distinct.len(), 10);
    }
}
