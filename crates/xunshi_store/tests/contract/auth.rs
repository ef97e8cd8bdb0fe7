//! Logging in: sessions of the pages, bearer tokens of the API, lock-out, passwords.

use jiff::SignedDuration;
use xunshi_core::CoreError;
use xunshi_core::permission::Actor;
use xunshi_core::role::{Role, Scope};
use xunshi_core::store::{AuditFilter, ReadTx, Store, UserFilter, WriteTx};

use crate::harness::{
    PASSWORD, Svc, TestClock, all_at_once, audit_of_action, audit_of_object, audit_where,
    bad_fields, expect_err, new_user, user_input, user_version, user_with_role,
};

const WRONG: &str = "Wrong-Horse-0";
const IP: &str = "198.51.100.7";

fn ip() -> Option<String> {
    Some(IP.to_owned())
}

/// The failures counted against an account from one address, and the lock they led to.
async fn lock_of(s: &Svc, id: xunshi_core::Id, address: &str) -> (i64, Option<jiff::Timestamp>) {
    let mut tx = s.store.read().await.expect("read");
    tx.get_login_lock(id, address)
        .await
        .expect("read the lock")
        .map(|l| (l.failures, l.locked_until))
        .unwrap_or((0, None))
}

pub async fn a_session_login_resolves_until_logout_or_expiry(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let user = new_user(&s, "qian.hui", None, Some("leadership")).await;

    let ok = s
        .login_session("Qian.Hui", PASSWORD, None, ip())
        .await
        .expect("log in, the username in any case");
    assert_eq!(ok.user.id, user.id);
    assert_eq!(
        ok.session.expires_at,
        clock.now() + s.policy.session_lifetime
    );
    assert_ne!(ok.session.token_hash, ok.token, "only a hash is stored");
    assert!(!ok.session.csrf_token.is_empty());

    let (actor, session) = s
        .resolve_session(&ok.token, ip())
        .await
        .expect("resolve")
        .expect("the new session resolves");
    assert_eq!(actor.user_id(), Some(user.id));
    assert!(actor.has_role(Role::Leadership), "with the user's grants");
    assert_eq!(session.csrf_token, ok.session.csrf_token);
    assert_eq!(session.expires_at, ok.session.expires_at);
    assert!(
        s.resolve_session("not-a-session", None)
            .await
            .expect("resolve")
            .is_none()
    );

    let wrong = expect_err!(
        s.login_session("qian.hui", WRONG, None, ip()).await,
        CoreError::Unauthenticated(_)
    );
    let unknown = expect_err!(
        s.login_session("nobody.here", PASSWORD, None, ip()).await,
        CoreError::Unauthenticated(_)
    );
    let malformed = expect_err!(
        s.login_session("钱慧", PASSWORD, None, ip()).await,
        CoreError::Unauthenticated(_)
    );
    assert_eq!(
        wrong.to_string(),
        unknown.to_string(),
        "an unknown name is refused like a wrong password"
    );
    assert_eq!(wrong.to_string(), malformed.to_string());

    clock.advance(s.policy.session_lifetime - SignedDuration::from_secs(1));
    assert!(
        s.resolve_session(&ok.token, None)
            .await
            .expect("resolve")
            .is_some(),
        "a session lives its whole lifetime"
    );
    clock.advance(SignedDuration::from_secs(1));
    assert!(
        s.resolve_session(&ok.token, None)
            .await
            .expect("resolve")
            .is_none(),
        "and not a moment longer"
    );

    let again = s
        .login_session("qian.hui", PASSWORD, None, ip())
        .await
        .expect("log in again");
    let (actor, _) = s
        .resolve_session(&again.token, ip())
        .await
        .expect("resolve")
        .expect("resolves");
    s.logout(&actor, &again.token).await.expect("log out");
    assert!(
        s.resolve_session(&again.token, None)
            .await
            .expect("resolve")
            .is_none(),
        "a session ends at log-out"
    );

    let trail: Vec<_> = audit_of_object(&s, "user", user.id)
        .await
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        trail,
        [
            "logged_out",
            "login_succeeded",
            "login_failed",
            "login_succeeded",
            "user_created"
        ]
    );
    let succeeded = audit_of_action(&s, "login_succeeded").await;
    assert!(
        succeeded
            .iter()
            .all(|r| r.ip.as_deref() == Some(IP) && r.actor_name == "qian.hui"),
        "log-ins are recorded with the client address: {succeeded:?}"
    );
    let unknown_records = audit_where(
        &s,
        &AuditFilter {
            action: Some("login_failed".into()),
            actor_name: Some("anonymous".into()),
            ..Default::default()
        },
    )
    .await;
    assert_eq!(unknown_records.len(), 2, "unknown and malformed names");
    assert!(unknown_records.iter().all(|r| r.object_id.is_none()));
    assert!(
        unknown_records
            .iter()
            .any(|r| r.summary.contains("nobody.here")),
        "the record says which name was tried"
    );
}

pub async fn repeated_failures_lock_one_address_out_until_the_lock_expires(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    s.policy.backoff = SignedDuration::ZERO;
    let lock_after = s.policy.lock_after;
    let lock_for = s.policy.lock_for;
    let user = new_user(&s, "zhou.xun", None, Some("leadership")).await;
    let attacker = || Some("203.0.113.66".to_owned());

    for _ in 1..lock_after {
        expect_err!(
            s.login_session("zhou.xun", WRONG, None, attacker()).await,
            CoreError::Unauthenticated(_)
        );
    }
    assert_eq!(
        lock_of(&s, user.id, "203.0.113.66").await,
        (lock_after - 1, None),
        "failures are counted, and below the limit nothing is locked"
    );
    s.login_session("zhou.xun", PASSWORD, None, attacker())
        .await
        .expect("the right password still works below the limit");
    assert_eq!(
        lock_of(&s, user.id, "203.0.113.66").await,
        (0, None),
        "a success resets the count"
    );

    for _ in 1..lock_after {
        expect_err!(
            s.login_session("zhou.xun", WRONG, None, attacker()).await,
            CoreError::Unauthenticated(_)
        );
    }
    assert_eq!(
        lock_of(&s, user.id, "203.0.113.66").await.1,
        None,
        "only consecutive failures count towards the lock"
    );
    let wrong = expect_err!(
        s.login_session("zhou.xun", WRONG, None, attacker()).await,
        CoreError::Unauthenticated(_)
    );
    let locked_at = clock.now();
    assert_eq!(
        lock_of(&s, user.id, "203.0.113.66").await,
        (lock_after, Some(locked_at + lock_for)),
        "the failure that reaches the limit locks the address out"
    );

    let refused = expect_err!(
        s.login_session("zhou.xun", PASSWORD, None, attacker())
            .await,
        CoreError::Unauthenticated(_)
    );
    assert_eq!(
        refused.to_string(),
        wrong.to_string(),
        "a locked address is told what a wrong password is told, so a lock does not show that \
         the account exists"
    );
    let unknown = expect_err!(
        s.login_session("no.such.user", PASSWORD, None, attacker())
            .await,
        CoreError::Unauthenticated(_)
    );
    assert_eq!(refused.to_string(), unknown.to_string());

    // The owner, elsewhere, is not locked out by what happened at the attacker's address.
    let ok = s
        .login_session("zhou.xun", PASSWORD, None, ip())
        .await
        .expect("another address logs in while the first is locked");
    assert_eq!(ok.user.id, user.id);
    assert_eq!(
        s.login_locks(&Actor::system(), user.id)
            .await
            .expect("the administrator reads the locks")
            .iter()
            .map(|l| l.address.as_str())
            .collect::<Vec<_>>(),
        ["203.0.113.66"],
        "the lock of the attacker's address stands"
    );

    clock.advance(lock_for - SignedDuration::from_secs(1));
    expect_err!(
        s.login_token("zhou.xun", PASSWORD, None, None, attacker())
            .await,
        CoreError::Unauthenticated(_)
    );
    clock.advance(SignedDuration::from_secs(2));
    s.login_session("zhou.xun", PASSWORD, None, attacker())
        .await
        .expect("the lock expires after lock_for");
    assert_eq!(lock_of(&s, user.id, "203.0.113.66").await, (0, None));
    assert!(
        s.login_locks(&Actor::system(), user.id)
            .await
            .unwrap()
            .is_empty()
    );

    let locks = audit_of_action(&s, "account_locked").await;
    assert_eq!(locks.len(), 1, "one lock, one record");
    assert_eq!(locks[0].object_id, Some(user.id.to_string()));
    assert_eq!(locks[0].ip.as_deref(), Some("203.0.113.66"));
    assert!(
        locks[0].summary.contains("203.0.113.66"),
        "{}",
        locks[0].summary
    );
    let failures = audit_of_action(&s, "login_failed").await;
    assert_eq!(
        failures.len() as i64,
        2 * lock_after - 1 + 3,
        "every refused attempt is recorded, the locked ones and the unknown name too"
    );
    assert_eq!(
        failures
            .iter()
            .filter(|r| r.summary.contains("locked"))
            .count(),
        2
    );
}

/// Guesses sent in parallel must each count, or the lock-out can be outrun.
pub async fn concurrent_failed_logins_all_count(mut s: Svc) {
    s.policy.backoff = SignedDuration::ZERO;
    s.policy.lock_after = 1000;
    let user = new_user(&s, "lin.feng", None, None).await;
    let outcomes = all_at_once(10, |_| {
        let s = s.clone();
        async move { s.login_session("lin.feng", WRONG, None, None).await }
    })
    .await;
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Err(CoreError::Unauthenticated(_)))),
        "{outcomes:?}"
    );
    let mut counted: Vec<_> = audit_of_action(&s, "login_failed")
        .await
        .into_iter()
        .map(|r| r.summary)
        .collect();
    counted.sort();
    assert_eq!(
        lock_of(&s, user.id, "").await.0,
        10,
        "ten failed attempts at once count as ten; each attempt saw the count as: {counted:?}"
    );
}

pub async fn api_tokens_resolve_until_revoked_or_expired(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let user = new_user(&s, "token.user", None, Some("leadership")).await;
    let other = user_with_role(&s, "other.user", None, "office").await;
    let admin = user_with_role(&s, "token.admin", None, "admin").await;

    expect_err!(
        s.login_token("token.user", WRONG, None, None, None).await,
        CoreError::Unauthenticated(_)
    );
    let first = s
        .login_token("token.user", PASSWORD, None, Some("报表脚本"), ip())
        .await
        .expect("log in for a token");
    assert!(first.token.starts_with("xs_"), "{}", first.token);
    assert_eq!(first.record.name, "报表脚本");
    assert_eq!(first.record.user_id, user.id);
    assert_eq!(
        first.record.expires_at,
        clock.now() + s.policy.token_lifetime
    );

    let actor = s
        .resolve_token(&first.token, ip())
        .await
        .expect("resolve")
        .expect("a fresh token resolves");
    assert_eq!(actor.user_id(), Some(user.id));
    assert!(actor.has_role(Role::Leadership));
    assert!(
        s.resolve_token("xs_0000", None)
            .await
            .expect("resolve")
            .is_none()
    );

    let second = s
        .create_token(&actor, Some("第二个"))
        .await
        .expect("issue another token");
    let listed = s.list_tokens(&actor).await.expect("list own tokens");
    assert_eq!(
        listed.iter().map(|t| t.id).collect::<Vec<_>>(),
        [second.record.id, first.record.id],
        "newest first"
    );
    assert_eq!(
        listed[1].last_used_at,
        Some(clock.now()),
        "use of a token is noted"
    );
    assert!(
        s.list_tokens(&other).await.expect("list").is_empty(),
        "tokens are listed to their owner only"
    );

    expect_err!(
        s.revoke_token(&other, first.record.id).await,
        CoreError::NotFound(_)
    );
    assert!(
        s.resolve_token(&first.token, None)
            .await
            .expect("resolve")
            .is_some(),
        "a refused revocation changes nothing"
    );
    s.revoke_token(&actor, first.record.id)
        .await
        .expect("revoke one's own token");
    assert!(
        s.resolve_token(&first.token, None)
            .await
            .expect("resolve")
            .is_none(),
        "a revoked token no longer resolves"
    );
    expect_err!(
        s.revoke_token(&actor, first.record.id).await,
        CoreError::RuleRefused(_)
    );
    s.revoke_token(&admin, second.record.id)
        .await
        .expect("an administrator revokes anyone's token");
    assert!(
        s.resolve_token(&second.token, None)
            .await
            .expect("resolve")
            .is_none()
    );
    let listed = s.list_tokens(&actor).await.expect("list");
    assert!(listed.iter().all(|t| t.revoked_at == Some(clock.now())));

    let third = s.create_token(&actor, None).await.expect("issue");
    assert_eq!(third.record.name, "api", "a default name");
    clock.advance(s.policy.token_lifetime - SignedDuration::from_secs(1));
    assert!(
        s.resolve_token(&third.token, None)
            .await
            .expect("resolve")
            .is_some()
    );
    clock.advance(SignedDuration::from_secs(1));
    assert!(
        s.resolve_token(&third.token, None)
            .await
            .expect("resolve")
            .is_none(),
        "an expired token no longer resolves"
    );

    let last = s.create_token(&actor, Some("停用前")).await.expect("issue");
    s.set_user_disabled(&admin, user.id, user_version(&s, user.id).await, true)
        .await
        .expect("disable");
    assert!(
        s.resolve_token(&last.token, None)
            .await
            .expect("resolve")
            .is_none(),
        "a disabled user's tokens stop working"
    );

    let revoked: Vec<_> = audit_of_action(&s, "token_revoked")
        .await
        .into_iter()
        .map(|r| (r.object_id, r.actor_name))
        .collect();
    assert_eq!(
        revoked,
        [
            (Some(second.record.id.to_string()), "token.admin".to_owned()),
            (Some(first.record.id.to_string()), "token.user".to_owned()),
        ]
    );
    let logins = audit_of_action(&s, "login_succeeded").await;
    assert!(
        logins[0].summary.contains(&first.record.id.to_string()),
        "the log-in record names the token it issued: {}",
        logins[0].summary
    );
}

pub async fn bootstrap_creates_the_first_admin_once(s: Svc) {
    let sys = Actor::system();
    let (username, password) = s
        .bootstrap_admin()
        .await
        .expect("bootstrap")
        .expect("an empty database gets an administrator");
    assert_eq!(username, "admin");
    assert!(password.len() >= 16, "a one-time password of some strength");

    let admin = s.find_user(&sys, "admin").await.expect("the admin exists");
    assert!(admin.must_change_password);
    let (_, grants) = s.get_user(&sys, admin.id).await.expect("read");
    assert_eq!(
        grants.iter().map(|g| (g.role, g.scope)).collect::<Vec<_>>(),
        [(Role::Admin, Scope::Global)]
    );
    assert!(
        s.bootstrap_admin().await.expect("bootstrap").is_none(),
        "a second bootstrap does nothing"
    );
    let users = s
        .list_users(&sys, &UserFilter::default(), Default::default())
        .await
        .expect("list");
    assert_eq!(users.items.len(), 1);

    let bootstrapped = audit_of_action(&s, "admin_bootstrapped").await;
    assert_eq!(bootstrapped.len(), 1);
    assert_eq!(bootstrapped[0].actor_name, "system");
    assert_eq!(bootstrapped[0].object_id, Some(admin.id.to_string()));

    s.login_session("admin", &password, None, None)
        .await
        .expect("the pages accept the one-time password, to change it");
    expect_err!(
        s.login_token("admin", &password, None, None, None).await,
        CoreError::RuleRefused(_)
    );
    s.change_own_password("admin", &password, None, "Fresh-Chief-Pass-1", None)
        .await
        .expect("choose an own password");
    let admin = s.find_user(&sys, "admin").await.expect("read");
    assert!(!admin.must_change_password);
    let issued = s
        .login_token("admin", "Fresh-Chief-Pass-1", None, None, None)
        .await
        .expect("then the API accepts it");
    let actor = s
        .resolve_token(&issued.token, None)
        .await
        .expect("resolve")
        .expect("resolves");
    s.create_user(&actor, &user_input("first.user", "第一个用户", None), None)
        .await
        .expect("the bootstrapped administrator manages users");
}

/// Several instances starting at once on an empty database: one administrator, and no instance
/// fails to start.
pub async fn concurrent_bootstraps_create_one_admin(s: Svc) {
    let outcomes = all_at_once(4, |_| {
        let s = s.clone();
        async move { s.bootstrap_admin().await }
    })
    .await;
    let created = outcomes.iter().filter(|o| matches!(o, Ok(Some(_)))).count();
    let skipped = outcomes.iter().filter(|o| matches!(o, Ok(None))).count();
    assert_eq!(
        (created, skipped),
        (1, 3),
        "one bootstrap creates, the others find it done: {outcomes:?}"
    );
}

pub async fn users_change_their_own_password(s: Svc) {
    let admin = user_with_role(&s, "pw.admin", None, "admin").await;
    let user = new_user(&s, "wu.fang", None, Some("leadership")).await;
    let first = s
        .login_session("wu.fang", PASSWORD, None, None)
        .await
        .expect("log in");

    expect_err!(
        s.change_own_password("wu.fang", WRONG, None, "Another-Secret-42", None)
            .await,
        CoreError::Unauthenticated(_)
    );
    for (new, why) in [
        ("short", "too short"),
        ("alllowercaseletters", "one kind of character"),
        ("x-wu.fang-2026", "contains the username"),
        (PASSWORD, "the same as before"),
    ] {
        let e = expect_err!(
            s.change_own_password("wu.fang", PASSWORD, None, new, None)
                .await,
            CoreError::BadInput(_)
        );
        assert_eq!(bad_fields(&e).len(), 1, "{why}: {e}");
    }
    let second = s
        .login_session("wu.fang", PASSWORD, None, None)
        .await
        .expect("refused changes keep the old password");

    s.change_own_password("wu.fang", PASSWORD, None, "Another-Secret-42", None)
        .await
        .expect("change the password");
    expect_err!(
        s.login_session("wu.fang", PASSWORD, None, None).await,
        CoreError::Unauthenticated(_)
    );
    for old in [&first, &second] {
        assert!(
            s.resolve_session(&old.token, None)
                .await
                .expect("resolve")
                .is_none(),
            "a password change ends the sessions opened with the old one"
        );
    }
    s.login_session("wu.fang", "Another-Secret-42", None, None)
        .await
        .expect("the new password works");
    let changed = audit_of_action(&s, "password_changed").await;
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0].actor_name, "wu.fang");

    // An administrator's reset, to be changed at next log-in.
    s.reset_password(
        &admin,
        user.id,
        user_version(&s, user.id).await,
        "Reset-By-Admin-7",
        true,
    )
    .await
    .expect("reset");
    expect_err!(
        s.login_session("wu.fang", "Another-Secret-42", None, None)
            .await,
        CoreError::Unauthenticated(_)
    );
    expect_err!(
        s.login_token("wu.fang", "Reset-By-Admin-7", None, None, None)
            .await,
        CoreError::RuleRefused(_)
    );
    s.change_own_password("wu.fang", "Reset-By-Admin-7", None, "Mine-Again-2026", None)
        .await
        .expect("choose an own password after a reset");
    s.login_token("wu.fang", "Mine-Again-2026", None, None, None)
        .await
        .expect("then tokens are issued");
    let reset = audit_of_action(&s, "password_reset").await;
    assert_eq!(reset.len(), 1);
    assert_eq!(reset[0].actor_name, "pw.admin");
    assert!(
        !reset[0].summary.contains("Reset-By-Admin-7"),
        "the trail never holds a password"
    );
}

pub async fn a_new_password_ends_old_tokens_and_a_spent_lock_restarts_the_count(mut s: Svc) {
    s.policy.backoff = SignedDuration::ZERO;
    let clock = TestClock::install(&mut s);
    let u = new_user(&s, "token.owner", None, Some("office")).await;
    let issued = s
        .login_token("token.owner", PASSWORD, None, None, None)
        .await
        .expect("a token");
    assert!(
        s.resolve_token(&issued.token, None)
            .await
            .unwrap()
            .is_some()
    );
    s.reset_password(
        &Actor::system(),
        u.id,
        user_version(&s, u.id).await,
        "Another-Horse-7",
        false,
    )
    .await
    .expect("the administrator resets the password");
    assert!(
        s.resolve_token(&issued.token, None)
            .await
            .unwrap()
            .is_none(),
        "a reset password ends the tokens the old one issued"
    );

    for _ in 0..s.policy.lock_after {
        let _ = s.login_token("token.owner", WRONG, None, None, None).await;
    }
    clock.advance(s.policy.lock_for + SignedDuration::from_secs(1));
    // The lock has run out: one more mistake is one mistake, not a new lock.
    let _ = s.login_token("token.owner", WRONG, None, None, None).await;
    s.login_token("token.owner", "Another-Horse-7", None, None, None)
        .await
        .expect("the right password works after a single new mistake");

    // A reset password lifts the lock-outs of the account.
    for _ in 0..s.policy.lock_after {
        let _ = s.login_token("token.owner", WRONG, None, None, None).await;
    }
    assert!(lock_of(&s, u.id, "").await.1.is_some(), "locked again");
    s.reset_password(
        &Actor::system(),
        u.id,
        user_version(&s, u.id).await,
        "Third-Horse-77",
        false,
    )
    .await
    .expect("reset");
    assert_eq!(lock_of(&s, u.id, "").await, (0, None));
    s.login_token("token.owner", "Third-Horse-77", None, None, None)
        .await
        .expect("the new password works at once");
}

/// The periodic upkeep purges expired sessions (and only those); disabling an account revokes
/// its API tokens for good, so re-enabling it does not bring them back.
pub async fn expired_sessions_are_purged_and_a_disabled_accounts_tokens_stay_revoked(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    let admin = user_with_role(&s, "admin.zhou", None, "admin").await;
    let user = new_user(&s, "wu.min", None, Some("leadership")).await;
    let old = s
        .login_session("wu.min", PASSWORD, None, ip())
        .await
        .unwrap();
    clock.advance(s.policy.session_lifetime - SignedDuration::from_secs(60));
    let young = s
        .login_session("wu.min", PASSWORD, None, ip())
        .await
        .unwrap();
    clock.advance(SignedDuration::from_secs(60));
    s.maintenance().await.expect("upkeep");
    let mut tx = s.store.read().await.unwrap();
    assert!(
        tx.session_holder(&old.session.token_hash)
            .await
            .unwrap()
            .is_none(),
        "the expired session is gone from the table"
    );
    assert!(
        tx.session_holder(&young.session.token_hash)
            .await
            .unwrap()
            .is_some(),
        "a live one stays"
    );
    drop(tx);
    assert_eq!(s.purge_expired_sessions().await.unwrap(), 0, "nothing left");

    let token = s
        .login_token("wu.min", PASSWORD, None, Some("脚本"), ip())
        .await
        .unwrap();
    assert!(s.resolve_token(&token.token, None).await.unwrap().is_some());
    let u = s
        .set_user_disabled(&admin, user.id, user_version(&s, user.id).await, true)
        .await
        .unwrap();
    assert!(u.disabled);
    assert!(s.resolve_token(&token.token, None).await.unwrap().is_none());
    s.set_user_disabled(&admin, user.id, user_version(&s, user.id).await, false)
        .await
        .unwrap();
    assert!(
        s.resolve_token(&token.token, None).await.unwrap().is_none(),
        "re-enabling does not bring the token back"
    );
    let mut tx = s.store.read().await.unwrap();
    let stored = tx
        .token_holder(&token.record.token_hash)
        .await
        .unwrap()
        .expect("the token is kept, revoked");
    assert!(stored.credential.revoked_at.is_some());
}

/// Log-in attempts from an address are counted in the database, per minute: instances (here,
/// tasks) counting at once never let more through than the limit, another address is not held
/// up, the next minute starts again, and the upkeep forgets minutes long past.
pub async fn log_in_attempts_are_counted_together_per_address_and_minute(mut s: Svc) {
    let clock = TestClock::install(&mut s);
    // 01:00:00 exactly: move into the minute so the wait is what is left of it.
    clock.advance(SignedDuration::from_secs(15));
    for _ in 0..3 {
        assert_eq!(
            s.admit_login_attempt(ip().as_deref(), 3).await.unwrap(),
            None
        );
    }
    let wait = s.admit_login_attempt(ip().as_deref(), 3).await.unwrap();
    assert_eq!(wait, Some(45), "the rest of the minute");
    assert_eq!(
        s.admit_login_attempt(Some("203.0.113.5"), 3).await.unwrap(),
        None
    );

    let outcomes = all_at_once(8, |_| {
        let s = s.clone();
        async move { s.admit_login_attempt(Some("192.0.2.44"), 5).await }
    })
    .await;
    let let_through = outcomes.iter().filter(|o| matches!(o, Ok(None))).count();
    assert_eq!(let_through, 5, "{outcomes:?}");

    clock.advance(SignedDuration::from_mins(1));
    assert_eq!(
        s.admit_login_attempt(ip().as_deref(), 3).await.unwrap(),
        None
    );

    // Ten minutes on, the upkeep forgets the counts: the first minute's row starts afresh.
    let first_minute: jiff::Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
    clock.advance(SignedDuration::from_mins(10));
    s.purge_expired_sessions().await.unwrap();
    let mut tx = s.store.write().await.unwrap();
    assert_eq!(tx.count_login_attempt(IP, first_minute).await.unwrap(), 1);
    tx.commit().await.unwrap();
}

/// A sign-on under way is taken once: a second take, or two at once, find nothing more, and
/// one past its expiry is neither taken nor kept by the upkeep.
pub async fn a_sign_on_is_taken_once_and_only_before_it_expires(mut s: Svc) {
    use xunshi_core::directory::DirectoryPerson;
    use xunshi_core::sign_on::{SignOn, Vouched};
    let clock = TestClock::install(&mut s);
    let now = clock.now();
    let sign_on = |state: &str, minutes: i64, vouched: Option<Vouched>| SignOn {
        state_hash: format!("hash-of-{state}"),
        nonce: format!("nonce-{state}"),
        verifier: format!("verifier-{state}"),
        next: "/messages".into(),
        vouched,
        expires_at: now + SignedDuration::from_mins(minutes),
    };
    let vouched = Vouched {
        username: "wangfang".into(),
        person: DirectoryPerson {
            display_name: "王芳".into(),
            email: Some("wangfang@example.cn".into()),
        },
    };
    let mut tx = s.store.write().await.unwrap();
    tx.put_sign_on(&sign_on("a", 10, None)).await.unwrap();
    tx.put_sign_on(&sign_on("b", 10, Some(vouched.clone())))
        .await
        .unwrap();
    tx.put_sign_on(&sign_on("old", -1, None)).await.unwrap();
    tx.commit().await.unwrap();

    let take = |state: &'static str| {
        let s = s.clone();
        async move {
            let mut tx = s.store.write().await.unwrap();
            let taken = tx
                .take_sign_on(&format!("hash-of-{state}"), now)
                .await
                .unwrap();
            tx.commit().await.unwrap();
            taken
        }
    };
    assert_eq!(take("a").await, Some(sign_on("a", 10, None)));
    assert_eq!(take("a").await, None, "taken once");
    let both = all_at_once(2, |_| take("b")).await;
    assert_eq!(
        both.iter().flatten().collect::<Vec<_>>(),
        vec![&sign_on("b", 10, Some(vouched))],
        "one of two at once"
    );
    assert_eq!(take("old").await, None, "expired");

    // The upkeep forgets the expired one; a fresh one stays.
    let mut tx = s.store.write().await.unwrap();
    tx.put_sign_on(&sign_on("c", 10, None)).await.unwrap();
    assert_eq!(tx.purge_sign_ons(now).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert!(take("c").await.is_some());
}
