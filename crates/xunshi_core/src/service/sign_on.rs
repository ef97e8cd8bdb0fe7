//! Signing on through the organisation's identity provider ([`crate::sign_on`]): sending the
//! person there, taking them back, and their second factor where the account has one. The
//! account's rules are the password log-in's own (`authenticate`): lock-outs, a disabled
//! account, the second factor and the office's demand for one, the audit of every outcome.

use jiff::SignedDuration;
use serde_json::json;

use super::Services;
use super::auth::{Credential, SECOND_FACTOR_NEEDED, SessionOk, WRONG_SECOND_FACTOR, hash_secret};
use super::record;
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::permission::Actor;
use crate::sign_on::{ProviderAnswer, SIGN_ON_MINUTES, SignOn, SingleSignOn, Vouched};
use crate::store::{Store, WriteTx};

/// Said of a sign-on that cannot be finished: expired, already used, or begun in another
/// browser.
const SIGN_ON_STALE: &str = "统一身份认证登录已失效，请重新登录";

/// Where a sign-on ended.
#[derive(Debug, Clone)]
pub enum SignOnOutcome {
    /// Logged in: the session, and the page to open.
    Session {
        session: Box<SessionOk>,
        next: String,
    },
    /// The provider vouched; the account's second factor is asked for next — again, after
    /// `refused` said why the one given was not accepted.
    SecondFactor { refused: Option<CoreError> },
}

impl<S: Store> Services<S> {
    fn provider(&self) -> Result<&std::sync::Arc<dyn SingleSignOn>> {
        self.sign_on
            .as_ref()
            .ok_or_else(|| CoreError::NotFound("统一身份认证登录".into()))
    }

    /// Begins a sign-on: the provider's address to send the browser to, and the state for
    /// the browser to keep (in a cookie) until it comes back. `next` is the page to open after,
    /// already checked to be one of ours.
    pub async fn sign_on_start(&self, next: &str) -> Result<(String, String)> {
        let start = self.provider()?.start().await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.put_sign_on(&SignOn {
            state_hash: hash_secret(&start.state),
            nonce: start.nonce,
            verifier: start.verifier,
            next: next.to_owned(),
            vouched: None,
            expires_at: now + SignedDuration::from_mins(SIGN_ON_MINUTES),
        })
        .await?;
        tx.commit().await?;
        Ok((start.url, start.state))
    }

    /// Finishes a sign-on as the provider's redirect brings it back. `kept` is the state the
    /// browser kept: the one the provider hands back must be it, so a redirect forged into
    /// someone else's browser finishes nothing.
    pub async fn sign_on_finish(
        &self,
        kept: Option<&str>,
        answer: ProviderAnswer,
        ip: Option<String>,
    ) -> Result<SignOnOutcome> {
        let provider = self.provider()?.clone();
        let state = answer.state.as_deref().filter(|s| !s.is_empty());
        let (Some(state), Some(kept)) = (state, kept) else {
            return Err(CoreError::Unauthenticated(SIGN_ON_STALE.into()));
        };
        if state != kept {
            return Err(CoreError::Unauthenticated(SIGN_ON_STALE.into()));
        }
        let now = self.now();
        let pending = {
            let mut tx = self.store.write().await?;
            let pending = tx.take_sign_on(&hash_secret(state), now).await?;
            tx.commit().await?;
            pending.ok_or_else(|| CoreError::Unauthenticated(SIGN_ON_STALE.into()))?
        };
        if let Some(error) = answer.error {
            // The provider's own words are not shown: only its error code, held to letters.
            let code: String = error
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(40)
                .collect();
            self.sign_on_failed(&ip, json!({ "reason": "provider refused", "error": code }))
                .await?;
            let told = match code.as_str() {
                "access_denied" => "已在统一身份认证中取消登录".to_owned(),
                _ => format!("统一身份认证未完成登录（{code}），请重试或联系系统管理员"),
            };
            return Err(CoreError::Unauthenticated(told));
        }
        let code = answer
            .code
            .filter(|c| !c.is_empty())
            .ok_or_else(|| CoreError::Unauthenticated(SIGN_ON_STALE.into()))?;
        let vouched = match provider
            .finish(code, pending.nonce.clone(), pending.verifier.clone())
            .await
        {
            Ok(v) => v,
            Err(CoreError::Unauthenticated(why)) => {
                self.sign_on_failed(&ip, json!({ "reason": "token refused", "detail": why }))
                    .await?;
                return Err(CoreError::Unauthenticated(
                    "统一身份认证的登录凭据未通过核验，请重新登录".into(),
                ));
            }
            Err(e) => return Err(e),
        };
        self.vouched_session(pending, vouched, None, ip).await
    }

    /// Gives the second factor of a sign-on the provider vouched for, under the state the
    /// browser kept. A wrong code counts as a failed log-in does, and may be given again while
    /// the sign-on lasts.
    pub async fn sign_on_second_factor(
        &self,
        kept: Option<&str>,
        code: &str,
        ip: Option<String>,
    ) -> Result<SignOnOutcome> {
        self.provider()?;
        let kept = kept
            .filter(|k| !k.is_empty())
            .ok_or_else(|| CoreError::Unauthenticated(SIGN_ON_STALE.into()))?;
        if code.trim().is_empty() {
            return Err(CoreError::bad_input(
                "code",
                "请输入身份验证器显示的 6 位动态口令，或一个恢复码",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let pending = tx.take_sign_on(&hash_secret(kept), now).await?;
        tx.commit().await?;
        let Some((pending, vouched)) = pending.and_then(|p| p.vouched.clone().map(|v| (p, v)))
        else {
            return Err(CoreError::Unauthenticated(SIGN_ON_STALE.into()));
        };
        self.vouched_session(pending, vouched, Some(code), ip).await
    }

    /// Logs in the person the provider vouched for, by the rules of every log-in; where their
    /// second factor is wanted (or was wrong), keeps the sign-on, now naming them, for it.
    async fn vouched_session(
        &self,
        pending: SignOn,
        vouched: Vouched,
        code: Option<&str>,
        ip: Option<String>,
    ) -> Result<SignOnOutcome> {
        let username = vouched.username.clone();
        match self
            .authenticate(&username, Credential::Vouched(&vouched), code, ip.clone())
            .await
        {
            Ok((ok, tx)) => {
                let session = self.open_session(ok, tx, ip, "sign_on").await?;
                Ok(SignOnOutcome::Session {
                    session: Box::new(session),
                    next: pending.next,
                })
            }
            Err(CoreError::Unauthenticated(m))
                if m == SECOND_FACTOR_NEEDED || m == WRONG_SECOND_FACTOR =>
            {
                let mut tx = self.store.write().await?;
                tx.put_sign_on(&SignOn {
                    vouched: Some(vouched),
                    expires_at: self.now() + SignedDuration::from_mins(SIGN_ON_MINUTES),
                    ..pending
                })
                .await?;
                tx.commit().await?;
                let refused = (m != SECOND_FACTOR_NEEDED).then_some(CoreError::Unauthenticated(m));
                Ok(SignOnOutcome::SecondFactor { refused })
            }
            Err(e) => Err(e),
        }
    }

    /// Records a sign-on that failed before anyone was named.
    async fn sign_on_failed(
        &self,
        ip: &Option<String>,
        mut detail: serde_json::Value,
    ) -> Result<()> {
        let now = self.now();
        if let (Some(map), Some(p)) = (detail.as_object_mut(), self.sign_on.as_ref()) {
            map.insert("provider".into(), json!(p.name()));
        }
        let mut tx = self.store.write().await?;
        record(
            &mut tx,
            &Actor::anonymous(ip.clone()),
            now,
            AuditEntry::new(Action::LoginFailed, "user", None, detail),
        )
        .await?;
        tx.commit().await
    }
}
