//! Logging in, sessions of the pages, bearer tokens of the API, passwords.

use jiff::{SignedDuration, Timestamp};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::directory::{DIRECTORY_ACCOUNT, DirectoryPerson};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::Actor;
use crate::role::{Grant, Role, Scope};
use crate::store::{ApiToken, Holder, LoginLock, ReadTx, Session, Store, WriteTx};
use crate::user::{User, Username, check_password_policy};

/// How log-ins are limited. Defaults follow common practice for government systems.
#[derive(Debug, Clone)]
pub struct AuthPolicy {
    /// Failures allowed before any waiting is imposed.
    pub free_failures: i64,
    /// Wait after the first failure beyond the free ones; it doubles with each further failure.
    pub backoff: SignedDuration,
    /// Failures after which the account is locked for `lock_for`.
    pub lock_after: i64,
    pub lock_for: SignedDuration,
    pub session_lifetime: SignedDuration,
    pub token_lifetime: SignedDuration,
}

impl Default for AuthPolicy {
    fn default() -> Self {
        AuthPolicy {
            free_failures: 3,
            backoff: SignedDuration::from_secs(2),
            lock_after: 5,
            lock_for: SignedDuration::from_mins(15),
            session_lifetime: SignedDuration::from_hours(12),
            token_lifetime: SignedDuration::from_hours(24 * 90),
        }
    }
}

impl AuthPolicy {
    /// When the account may be tried again after `failures` consecutive failures, and whether
    /// that is the full lock.
    fn wait_after(&self, failures: i64, now: Timestamp) -> Option<(Timestamp, bool)> {
        if failures >= self.lock_after {
            return Some((now + self.lock_for, true));
        }
        let beyond = failures - self.free_failures - 1;
        if beyond < 0 || self.backoff.is_zero() {
            return None;
        }
        let wait = self.backoff * 2i32.pow(beyond.min(10) as u32);
        Some((now + wait, false))
    }
}

/// A successful log-in: the user, their grants, and whether they must still set up the second
/// factor the office requires of them.
#[derive(Debug, Clone)]
pub struct LoginOk {
    pub user: User,
    pub grants: Vec<Grant>,
    pub must_set_up_second_factor: bool,
}

/// A session opened by a log-in through the pages. `token` goes into the cookie only.
#[derive(Debug, Clone)]
pub struct SessionOk {
    pub token: String,
    pub session: Session,
    pub user: User,
}

/// A bearer token, shown once.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub token: String,
    pub record: ApiToken,
}

/// Secrets are stored only as hashes; a fast hash suffices because the secrets are long and random.
pub fn hash_secret(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

const WRONG_CREDENTIALS: &str = "用户名或密码错误";
pub(super) const WRONG_SECOND_FACTOR: &str = "动态口令或恢复码不正确";
pub(super) const SECOND_FACTOR_NEEDED: &str =
    "此账号已启用两步验证：请同时输入身份验证器显示的 6 位动态口令，或一个恢复码";
const TOKEN_PREFIX: &str = "xs_";
/// The provider vouched for someone whose account here is not one of the identity system's.
const NO_SIGN_ON_ACCOUNT: &str =
    "统一身份认证已确认您的身份，但本系统中没有可通过统一身份认证登录的该账号，请联系系统管理员";

/// What proves who is logging in.
pub(crate) enum Credential<'a> {
    /// A password, checked here or by the directory.
    Password(&'a str),
    /// The identity provider's checked statement ([`crate::sign_on`]).
    Vouched(&'a crate::sign_on::Vouched),
}

impl<S: Store> Services<S> {
    /// Creates the first administrator on an empty database and returns its one-time password.
    /// Returns `None` when any account exists already.
    pub async fn bootstrap_admin(&self) -> Result<Option<(String, String)>> {
        let now = self.now();
        {
            let mut tx = self.store.read().await?;
            if tx.count_users().await? > 0 {
                return Ok(None);
            }
        }
        let password = self.secrets.random_token()[..20].to_owned();
        let hash = self.secrets.hash_password(password.clone()).await?;
        let mut tx = self.store.write().await?;
        // Another instance may have won the race since the read above.
        if tx.count_users().await? > 0 {
            return Ok(None);
        }
        let user = User {
            id: Id::new(),
            username: "admin".to_owned(),
            display_name: "系统管理员".to_owned(),
            unit_id: None,
            disabled: false,
            must_change_password: true,
            failed_logins: 0,
            locked_until: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        match tx.insert_user(&user, &hash).await {
            Ok(()) => {}
            // Another instance created the first account at the same moment.
            Err(CoreError::Conflict(_)) => return Ok(None),
            Err(e) => return Err(e),
        }
        let grant = Grant {
            id: Id::new(),
            user_id: user.id,
            role: Role::Admin,
            scope: Scope::Global,
            granted_by: None,
            created_at: now,
        };
        tx.insert_grant(&grant).await?;
        record(
            &mut tx,
            &Actor::system(),
            now,
            AuditEntry::new(
                Action::AdminBootstrapped,
                "user",
                Some(user.id),
                json!({ "username": user.username }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(Some((user.username, password)))
    }

    /// Whether `password` opens the account found for `name` (or, with no account and a
    /// directory that provisions, the person the directory vouches for). A directory account
    /// asks the directory; any other, the hash kept here. An unknown name costs one
    /// verification too, so timing tells nothing about which names exist.
    async fn check_password(
        &self,
        name: Option<&str>,
        password: &str,
        found: &Option<(User, String)>,
    ) -> Result<(bool, Option<DirectoryPerson>)> {
        let directory = self.directory.as_ref();
        match (found, directory, name) {
            (Some((_, h)), Some(d), Some(n)) if h == DIRECTORY_ACCOUNT => {
                Ok((d.bind(n, password).await?.is_some(), None))
            }
            (None, Some(d), Some(n)) if d.provisions() => {
                let person = d.bind(n, password).await?;
                Ok((person.is_some(), person))
            }
            _ => {
                // A directory account with no directory configured opens with nothing.
                let hash = found
                    .as_ref()
                    .map(|(_, h)| h.clone())
                    .filter(|h| h != DIRECTORY_ACCOUNT);
                let known = hash.is_some();
                let ok = self
                    .secrets
                    .verify_password(password.to_owned(), hash)
                    .await?;
                Ok((ok && known, None))
            }
        }
    }

    /// Checks a username and its credential — a password, or the identity provider's word —
    /// applying back-off and lock-out. Every outcome is audited.
    ///
    /// Failures are counted per account *and client address*: they lock that address out of
    /// that account, so someone guessing from one place cannot lock the owner out from another.
    /// Every refusal says the same (`用户名或密码错误`) — an unknown name, a wrong password, an
    /// address waiting or locked — so the answer tells nothing about which accounts exist; only
    /// the audit trail records why. Unknown users take as long to refuse as known ones: the
    /// password is checked against a dummy hash.
    ///
    /// Someone who has set up the second factor gives a code of the app or a recovery code as
    /// `second`; a wrong one counts as a failure as a wrong password does. Only after the
    /// password was right is a missing one asked for.
    pub(crate) async fn authenticate(
        &self,
        username: &str,
        credential: Credential<'_>,
        second: Option<&str>,
        ip: Option<String>,
    ) -> Result<(LoginOk, S::Write)> {
        let now = self.now();
        let address = ip.clone().unwrap_or_default();
        let anon = Actor::anonymous(ip.clone());
        let name = Username::parse(username)
            .map(|u| u.as_str().to_owned())
            .ok();
        let found = match &name {
            Some(n) => self.store.read().await?.get_user_for_login(n).await?,
            None => None,
        };
        let (ok, vouched, via) = match credential {
            Credential::Password(password) => {
                let (ok, person) = self
                    .check_password(name.as_deref(), password, &found)
                    .await?;
                let via = self.directory.as_ref().map(|d| d.name());
                (ok, person, via)
            }
            Credential::Vouched(v) => {
                let provisions = self.sign_on.as_ref().is_some_and(|s| s.provisions());
                let via = self.sign_on.as_ref().map(|s| s.name());
                match &found {
                    Some((_, h)) if h == DIRECTORY_ACCOUNT => (true, None, via),
                    None if provisions && name.is_some() => (true, Some(v.person.clone()), via),
                    // A local account, none and no provisioning, or a name that is no user
                    // name here: the provider's word opens nothing, and it is no guess to count
                    // against the address.
                    _ => {
                        let reason = match (&found, &name) {
                            (_, None) => "not a user name here",
                            (Some(_), _) => "a local account",
                            (None, _) => "no account of the identity system",
                        };
                        let detail = json!({
                            "username": username.chars().take(64).collect::<String>(),
                            "reason": reason,
                            "provider": via,
                        });
                        let user = found.as_ref().map(|(u, _)| u.id);
                        refused_before_checking(
                            self.store.write().await?,
                            &anon,
                            now,
                            user,
                            detail,
                        )
                        .await?;
                        return Err(CoreError::Unauthenticated(NO_SIGN_ON_ACCOUNT.into()));
                    }
                }
            }
        };

        let mut tx = self.store.write().await?;
        let found = match (found, vouched, &name) {
            (None, Some(person), Some(n)) => Some((
                provision(&mut tx, n, person, via, now).await?,
                DIRECTORY_ACCOUNT.to_owned(),
            )),
            (found, _, _) => found,
        };
        let Some((user, _)) = found else {
            let detail = json!({ "username": username.chars().take(64).collect::<String>(), "reason": "unknown user" });
            refused_before_checking(tx, &anon, now, None, detail).await?;
            return Err(CoreError::Unauthenticated(WRONG_CREDENTIALS.into()));
        };
        // Re-read inside the write transaction so concurrent failures all count.
        let user = tx
            .get_user(user.id)
            .await?
            .ok_or_else(|| CoreError::Unauthenticated(WRONG_CREDENTIALS.into()))?;
        let as_user = Actor::user(user.clone(), vec![], ip.clone());
        let lock = tx.get_login_lock(user.id, &address).await?;
        if let Some(until) = lock
            .as_ref()
            .and_then(|l| l.locked_until)
            .filter(|t| *t > now)
        {
            record(
                &mut tx,
                &as_user,
                now,
                AuditEntry::new(
                    Action::LoginFailed,
                    "user",
                    Some(user.id),
                    json!({ "reason": "locked", "locked_until": until.to_string() }),
                ),
            )
            .await?;
            tx.commit().await?;
            return Err(CoreError::Unauthenticated(WRONG_CREDENTIALS.into()));
        }
        let second_factor = match ok {
            true => tx
                .get_two_factor(user.id)
                .await?
                .filter(|t| t.confirmed_at.is_some()),
            false => None,
        };
        let given = second.map(str::trim).filter(|c| !c.is_empty());
        let checked = match (&second_factor, given) {
            (Some(tf), Some(code)) => self.second_factor(tf, code)?,
            _ => None,
        };
        // What the trail records of a failure, and what the person is told.
        let failure = if !ok {
            Some(("wrong password", WRONG_CREDENTIALS))
        } else if second_factor.is_some() && given.is_some() && checked.is_none() {
            Some(("wrong second factor", WRONG_SECOND_FACTOR))
        } else {
            None
        };
        if let Some((reason, told)) = failure {
            // Once a full lock has run out the count starts again; a back-off wait that ran out
            // keeps it, so the waits still lead to the lock.
            let earlier = match &lock {
                Some(l)
                    if !(l.failures >= self.policy.lock_after
                        && l.locked_until.is_some_and(|t| t <= now)) =>
                {
                    l.failures
                }
                _ => 0,
            };
            let failures = earlier + 1;
            let wait = self.policy.wait_after(failures, now);
            tx.put_login_lock(&LoginLock {
                user_id: user.id,
                address: address.clone(),
                failures,
                locked_until: wait.map(|w| w.0),
                last_failure_at: now,
            })
            .await?;
            // Forget what no longer matters: failures long past whose lock has ended.
            tx.purge_login_locks(now - SignedDuration::from_hours(24), now)
                .await?;
            record(
                &mut tx,
                &as_user,
                now,
                AuditEntry::new(
                    Action::LoginFailed,
                    "user",
                    Some(user.id),
                    json!({ "reason": reason, "failures": failures }),
                ),
            )
            .await?;
            if let Some((until, true)) = wait {
                record(
                    &mut tx,
                    &as_user,
                    now,
                    AuditEntry::new(
                        Action::AccountLocked,
                        "user",
                        Some(user.id),
                        json!({
                            "failures": failures,
                            "locked_until": until.to_string(),
                            "address": address,
                        }),
                    ),
                )
                .await?;
            }
            tx.commit().await?;
            return Err(CoreError::Unauthenticated(told.into()));
        }
        if user.disabled {
            tx.commit().await?;
            return Err(CoreError::Unauthenticated(
                "账号已停用，请联系系统管理员".into(),
            ));
        }
        if second_factor.is_some() && checked.is_none() {
            // The password was right; the code was not given. Not a failure: nothing was
            // guessed.
            tx.commit().await?;
            return Err(CoreError::Unauthenticated(SECOND_FACTOR_NEEDED.into()));
        }
        if let Some(used) = checked {
            tx.put_two_factor(&used.record).await?;
            if used.recovery_used {
                record(
                    &mut tx,
                    &as_user,
                    now,
                    AuditEntry::new(
                        Action::RecoveryCodeUsed,
                        "user",
                        Some(user.id),
                        json!({ "recovery_codes_left": used.record.recovery.len() }),
                    ),
                )
                .await?;
            }
        }
        if lock.is_some() {
            tx.delete_login_lock(user.id, &address).await?;
        }
        let grants = tx.active_grants(user.id).await?;
        let must_set_up_second_factor = second_factor.is_none()
            && super::two_factor::concerned(&grants)
            && tx.two_factor_required().await?;
        Ok((
            LoginOk {
                user,
                grants,
                must_set_up_second_factor,
            },
            tx,
        ))
    }

    /// Counts a log-in attempt from `address` against `per_minute` attempts a minute, counted
    /// in the database so that every instance holds the address to the same limit: `None` when
    /// it may go on, else how many seconds until the next minute lets it. Checked before any
    /// password, so a flood from one address costs one small write each, not a hash.
    pub async fn admit_login_attempt(
        &self,
        address: Option<&str>,
        per_minute: u32,
    ) -> Result<Option<u64>> {
        let now = self.now();
        let secs = now.as_second();
        let window =
            Timestamp::from_second(secs - secs.rem_euclid(60)).map_err(CoreError::internal)?;
        let mut tx = self.store.write().await?;
        let n = tx
            .count_login_attempt(address.unwrap_or("unknown"), window)
            .await?;
        tx.commit().await?;
        Ok((n > i64::from(per_minute.max(1))).then(|| {
            let left = (window + SignedDuration::from_mins(1)).duration_since(now);
            left.as_secs().max(1).unsigned_abs()
        }))
    }

    /// The addresses currently locked out of an account, or waiting, for its administrator.
    pub async fn login_locks(&self, actor: &Actor, user_id: Id) -> Result<Vec<LoginLock>> {
        actor.require(crate::permission::Permission::ViewUsers)?;
        let now = self.now();
        let mut tx = self.store.read().await?;
        Ok(tx
            .login_locks_of(user_id)
            .await?
            .into_iter()
            .filter(|l| l.locked_until.is_some_and(|t| t > now))
            .collect())
    }

    /// Logs in through the pages: checks the password and opens a session.
    pub async fn login_session(
        &self,
        username: &str,
        password: &str,
        second: Option<&str>,
        ip: Option<String>,
    ) -> Result<SessionOk> {
        let (ok, tx) = self
            .authenticate(username, Credential::Password(password), second, ip.clone())
            .await?;
        self.open_session(ok, tx, ip, "session").await
    }

    /// Opens the session of a log-in that held, in its transaction, and records it: `via`
    /// says how (`session`: a password through the pages; `sign_on`: the identity provider).
    pub(crate) async fn open_session(
        &self,
        ok: LoginOk,
        mut tx: S::Write,
        ip: Option<String>,
        via: &str,
    ) -> Result<SessionOk> {
        let now = self.now();
        let token = self.secrets.random_token();
        let session = Session {
            token_hash: hash_secret(&token),
            user_id: ok.user.id,
            csrf_token: self.secrets.random_token(),
            created_at: now,
            expires_at: now + self.policy.session_lifetime,
            two_factor_pending: ok.must_set_up_second_factor,
        };
        tx.insert_session(&session).await?;
        let actor = Actor::user(ok.user.clone(), ok.grants, ip);
        record(
            &mut tx,
            &actor,
            now,
            AuditEntry::new(
                Action::LoginSucceeded,
                "user",
                Some(ok.user.id),
                json!({ "via": via }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(SessionOk {
            token,
            session,
            user: ok.user,
        })
    }

    /// Logs in through the API: checks the password and issues a bearer token.
    pub async fn login_token(
        &self,
        username: &str,
        password: &str,
        second: Option<&str>,
        name: Option<&str>,
        ip: Option<String>,
    ) -> Result<IssuedToken> {
        let (ok, mut tx) = self
            .authenticate(username, Credential::Password(password), second, ip.clone())
            .await?;
        if ok.must_set_up_second_factor {
            tx.commit().await?;
            return Err(CoreError::RuleRefused(
                "本系统要求管理员和巡视办账号使用两步验证：请先登录网页，在“我的账号”中设置".into(),
            ));
        }
        if ok.user.must_change_password {
            // Commit the reset of the failure count; the password itself was right.
            tx.commit().await?;
            return Err(CoreError::RuleRefused(
                "初始密码须先修改：请登录网页修改密码，或调用 POST /api/v1/auth/password".into(),
            ));
        }
        let now = self.now();
        let actor = Actor::user(ok.user.clone(), ok.grants, ip);
        let issued = self.issue_token(&mut tx, &actor, ok.user.id, name, now)?;
        tx.insert_token(&issued.record).await?;
        record(
            &mut tx,
            &actor,
            now,
            AuditEntry::new(
                Action::LoginSucceeded,
                "user",
                Some(ok.user.id),
                json!({ "via": "token", "token_id": issued.record.id }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(issued)
    }

    fn issue_token<T: ReadTx>(
        &self,
        _tx: &mut T,
        _actor: &Actor,
        user_id: Id,
        name: Option<&str>,
        now: Timestamp,
    ) -> Result<IssuedToken> {
        let token = format!("{TOKEN_PREFIX}{}", self.secrets.random_token());
        let name = name
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .unwrap_or("api");
        if name.chars().count() > 64 {
            return Err(CoreError::bad_input("name", "令牌名称不能超过 64 个字"));
        }
        Ok(IssuedToken {
            record: ApiToken {
                id: Id::new(),
                user_id,
                name: name.to_owned(),
                token_hash: hash_secret(&token),
                created_at: now,
                expires_at: now + self.policy.token_lifetime,
                last_used_at: None,
                revoked_at: None,
            },
            token,
        })
    }

    /// Finds who a session cookie belongs to. Expired sessions, and sessions of disabled
    /// accounts, count as none.
    pub async fn resolve_session(
        &self,
        token: &str,
        ip: Option<String>,
    ) -> Result<Option<(Actor, Session)>> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let Some(Holder {
            credential: session,
            user,
            grants,
        }) = tx.session_holder(&hash_secret(token)).await?
        else {
            return Ok(None);
        };
        if session.expires_at <= now || user.disabled {
            return Ok(None);
        }
        let actor = with_units_above(&mut tx, Actor::user(user, grants, ip)).await?;
        Ok(Some((actor, session)))
    }

    /// Finds who a bearer token belongs to.
    pub async fn resolve_token(&self, token: &str, ip: Option<String>) -> Result<Option<Actor>> {
        let now = self.now();
        let record = {
            let mut tx = self.store.read().await?;
            let Some(Holder {
                credential: t,
                user,
                grants,
            }) = tx.token_holder(&hash_secret(token)).await?
            else {
                return Ok(None);
            };
            if t.revoked_at.is_some()
                || t.expires_at <= now
                || user.disabled
                || user.must_change_password
            {
                return Ok(None);
            }
            let actor = with_units_above(&mut tx, Actor::user(user, grants, ip)).await?;
            (t, actor)
        };
        // Note use at most once a minute: a write per request would queue every API call.
        let (t, actor) = record;
        if t.last_used_at
            .is_none_or(|u| now - u > SignedDuration::from_mins(1))
        {
            let mut tx = self.store.write().await?;
            tx.touch_token(t.id, now).await?;
            tx.commit().await?;
        }
        Ok(Some(actor))
    }

    pub async fn logout(&self, actor: &Actor, token: &str) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.delete_session(&hash_secret(token)).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(Action::LoggedOut, "user", actor.user_id(), json!({})),
        )
        .await?;
        tx.commit().await
    }

    /// Issues another token to the logged-in user.
    pub async fn create_token(&self, actor: &Actor, name: Option<&str>) -> Result<IssuedToken> {
        let user_id = actor
            .user_id()
            .ok_or_else(|| CoreError::Unauthenticated("请先登录".into()))?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let issued = self.issue_token(&mut tx, actor, user_id, name, now)?;
        tx.insert_token(&issued.record).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TokenCreated,
                "api_token",
                Some(issued.record.id),
                json!({ "name": issued.record.name }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(issued)
    }

    /// The caller's own tokens, newest first.
    pub async fn list_tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>> {
        let user_id = actor
            .user_id()
            .ok_or_else(|| CoreError::Unauthenticated("请先登录".into()))?;
        let mut tx = self.store.read().await?;
        tx.list_tokens(user_id).await
    }

    /// Revokes one of the caller's tokens; an administrator may revoke anyone's.
    pub async fn revoke_token(&self, actor: &Actor, id: Id) -> Result<()> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let t = tx
            .get_token(id)
            .await?
            .ok_or_else(|| CoreError::NotFound("令牌".into()))?;
        let own = actor.user_id() == Some(t.user_id);
        if !own && !actor.can(crate::permission::Permission::ManageUsers) {
            return Err(CoreError::NotFound("令牌".into()));
        }
        if !tx.revoke_token(id, now).await? {
            return Err(CoreError::RuleRefused("该令牌已吊销".into()));
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TokenRevoked,
                "api_token",
                Some(id),
                json!({ "name": t.name, "owner": t.user_id }),
            ),
        )
        .await?;
        tx.commit().await
    }

    /// Changes the caller's own password, which needs the current one — and the second factor
    /// where it is set up, as a log-in does. Ends every other session of the account.
    pub async fn change_own_password(
        &self,
        username: &str,
        current: &str,
        second: Option<&str>,
        new: &str,
        ip: Option<String>,
    ) -> Result<()> {
        // An empty field is a form left unfilled, not a wrong password: said as such, and no
        // failed attempt counted against the account.
        if current.is_empty() {
            return Err(CoreError::bad_input("current_password", "请输入原密码"));
        }
        // A password the directory checks is changed in the directory: one set here would
        // turn the account into a local one behind the directory's back.
        if self
            .store
            .read()
            .await?
            .get_user_for_login(username)
            .await?
            .is_some_and(|(_, h)| h == DIRECTORY_ACCOUNT)
        {
            return Err(CoreError::RuleRefused(DIRECTORY_PASSWORD.into()));
        }
        let (ok, tx) = self
            .authenticate(username, Credential::Password(current), second, ip.clone())
            .await?;
        tx.commit().await?;
        check_password_policy(new, &ok.user.username)?;
        if new == current {
            return Err(CoreError::bad_input(
                "new_password",
                "新密码不能与原密码相同",
            ));
        }
        let hash = self.secrets.hash_password(new.to_owned()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        tx.set_password(ok.user.id, &hash, false, now).await?;
        // A changed password ends every way in that the old one opened.
        tx.delete_sessions_of(ok.user.id).await?;
        tx.revoke_tokens_of(ok.user.id, now).await?;
        let actor = Actor::user(ok.user.clone(), ok.grants, ip);
        record(
            &mut tx,
            &actor,
            now,
            AuditEntry::new(Action::PasswordChanged, "user", Some(ok.user.id), json!({})),
        )
        .await?;
        tx.commit().await
    }
}

/// The actor with the units above its own, walked up the organisation tree in the same read as
/// its grants: the own-unit rule ([`crate::own_unit`]) needs them.
pub(crate) async fn with_units_above<T: ReadTx>(tx: &mut T, actor: Actor) -> Result<Actor> {
    let direct = crate::own_unit::direct_units(&actor);
    let parents: std::collections::HashMap<Id, Option<Id>> =
        tx.units_up(&direct).await?.into_iter().collect();
    let above = crate::own_unit::ancestors(&direct, |u| parents.get(&u).copied().flatten());
    Ok(actor.with_units_above(above))
}

/// Records a log-in refused before any account's lock or second factor was looked at, and
/// commits it.
async fn refused_before_checking<T: WriteTx>(
    mut tx: T,
    anon: &Actor,
    now: Timestamp,
    user: Option<Id>,
    detail: serde_json::Value,
) -> Result<()> {
    record(
        &mut tx,
        anon,
        now,
        AuditEntry::new(Action::LoginFailed, "user", user, detail),
    )
    .await?;
    tx.commit().await
}

/// Why the password of a directory account is not changed here.
pub(crate) const DIRECTORY_PASSWORD: &str =
    "此账号通过统一身份认证登录，密码由统一身份认证系统核验，请在该系统中修改";

/// Makes the account of a person the directory (or the identity provider, named by
/// `directory`) accepted at their first log-in: their log-in name, its name for them (or the log-in name where it holds none fit to show),
/// no unit and no role; the address of their mail where it holds one.
async fn provision<T: WriteTx>(
    tx: &mut T,
    username: &str,
    person: DirectoryPerson,
    directory: Option<String>,
    now: jiff::Timestamp,
) -> Result<User> {
    // The directory's text is held to the rules typed text is (a name of at most 50
    // characters a page can show), else the log-in name stands for it.
    let shown = person.display_name.trim();
    let display_name = if shown.is_empty()
        || shown.chars().count() > 50
        || crate::text::check("display_name", shown).is_err()
    {
        username.to_owned()
    } else {
        shown.to_owned()
    };
    let user = User::new(username.to_owned(), display_name, None, false, now);
    tx.insert_user(&user, DIRECTORY_ACCOUNT).await?;
    let email = person
        .email
        .as_deref()
        .and_then(|e| crate::message::parse_email(e).ok().flatten());
    if let Some(e) = &email {
        tx.set_user_email(user.id, Some(e)).await?;
    }
    record(
        tx,
        &Actor::system(),
        now,
        AuditEntry::new(
            Action::UserProvisioned,
            "user",
            Some(user.id),
            json!({ "after": user, "email": email, "directory": directory }),
        ),
    )
    .await?;
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_then_locks() {
        let p = AuthPolicy::default();
        let now = Timestamp::UNIX_EPOCH;
        assert_eq!(p.wait_after(3, now), None);
        assert_eq!(
            p.wait_after(4, now),
            Some((now + SignedDuration::from_secs(2), false))
        );
        assert_eq!(p.wait_after(5, now), Some((now + p.lock_for, true)));
    }
}
