//! The second factor of log-in: set up with a first code, asked for at every log-in after,
//! a code taken once, recovery codes each once, a wrong code counted as a wrong password is,
//! the office's requirement holding sessions to the set-up page and refusing tokens, and an
//! administrator's reset.

use std::sync::Arc;

use jiff::SignedDuration;
use xunshi_core::CoreError;
use xunshi_core::store::{ReadTx, Store};
use xunshi_core::totp;

use crate::harness::{
    PASSWORD, Svc, TestClock, actor_of, audit_of_action, expect_err, new_user, user_with_role,
};

/// The code the person's app shows now, from the secret the set-up gave them.
fn app_code(secret_b32: &str, clock: &TestClock) -> String {
    let secret = totp::from_base32(secret_b32).expect("base32");
    let step = totp::step_of(clock.now().as_second());
    format!("{:06}", totp::code_at(&secret, step, totp::DIGITS))
}

async fn with_cipher(s: &mut Svc) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let cipher = xunshi_store::FieldCipher::load(
        &s.store,
        &dir.path().join("xunshi.key"),
        xunshi_core::crypto::Suite::Standard,
    )
    .await
    .expect("a key file");
    s.cipher = Some(Arc::new(cipher));
    dir
}

async fn failures(s: &Svc, user: xunshi_core::Id) -> i64 {
    let mut tx = s.store.read().await.unwrap();
    tx.get_login_lock(user, "")
        .await
        .unwrap()
        .map_or(0, |l| l.failures)
}

pub async fn a_second_factor_is_set_up_then_asked_for_at_every_log_in(mut s: Svc) {
    let _key = with_cipher(&mut s).await;
    let clock = TestClock::install(&mut s);
    let me = user_with_role(&s, "he.ping", None, "leadership").await;
    let id = me.user_id().unwrap();

    let setup = s.begin_two_factor(&me).await.expect("begin");
    assert!(setup.uri.starts_with("otpauth://totp/"), "{}", setup.uri);
    // Not on until confirmed: the password alone still logs in.
    s.login_session("he.ping", PASSWORD, None, None)
        .await
        .expect("not on yet");
    expect_err!(
        s.confirm_two_factor(&me, "000000").await,
        CoreError::Unfit(_)
    );
    let codes = s
        .confirm_two_factor(&me, &app_code(&setup.secret, &clock))
        .await
        .expect("confirm");
    assert_eq!(codes.len(), totp::RECOVERY_CODES);
    assert_eq!(audit_of_action(&s, "two_factor_enabled").await.len(), 1);
    expect_err!(s.begin_two_factor(&me).await, CoreError::Conflict(_));

    // The password alone is not enough now, and asking for the code counts no failure.
    let e = s
        .login_session("he.ping", PASSWORD, None, None)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, CoreError::Unauthenticated(m) if m.contains("动态口令")),
        "{e}"
    );
    assert_eq!(failures(&s, id).await, 0);
    // A wrong code counts as a wrong password does; a wrong password with a right code tells
    // nothing of the code.
    expect_err!(
        s.login_session("he.ping", PASSWORD, Some("123456"), None)
            .await,
        CoreError::Unauthenticated(_)
    );
    assert_eq!(failures(&s, id).await, 1);
    clock.advance(SignedDuration::from_secs(31));
    let code = app_code(&setup.secret, &clock);
    expect_err!(
        s.login_session("he.ping", "Wrong-Horse-0", Some(&code), None)
            .await,
        CoreError::Unauthenticated(_)
    );
    let ok = s
        .login_session("he.ping", PASSWORD, Some(&code), None)
        .await
        .expect("the password and the app's code");
    assert!(!ok.session.two_factor_pending);
    assert_eq!(failures(&s, id).await, 0, "a log-in clears the failures");
    // The same code is not taken twice.
    expect_err!(
        s.login_token("he.ping", PASSWORD, Some(&code), None, None)
            .await,
        CoreError::Unauthenticated(_)
    );
    // A recovery code stands in once.
    let spoken = codes[0].to_uppercase().replace('-', " ");
    s.login_token("he.ping", PASSWORD, Some(&spoken), None, None)
        .await
        .expect("a recovery code, typed loosely");
    expect_err!(
        s.login_token("he.ping", PASSWORD, Some(&codes[0]), None, None)
            .await,
        CoreError::Unauthenticated(_)
    );
    assert_eq!(s.two_factor_status(&me).await.unwrap().recovery_left, 9);
    assert_eq!(audit_of_action(&s, "recovery_code_used").await.len(), 1);

    // A password change asks for the second factor as the log-in does.
    expect_err!(
        s.change_own_password("he.ping", PASSWORD, None, "Another-Horse-77", None)
            .await,
        CoreError::Unauthenticated(_)
    );

    // Turned off with a recovery code; then the password alone logs in again.
    s.disable_two_factor(&me, &codes[1]).await.expect("disable");
    s.login_session("he.ping", PASSWORD, None, None)
        .await
        .expect("off again");
}

pub async fn the_office_requires_it_of_administrators_and_the_office(mut s: Svc) {
    let _key = with_cipher(&mut s).await;
    let clock = TestClock::install(&mut s);
    let chief = user_with_role(&s, "office.chief", None, "office").await;
    let clerk = new_user(&s, "office.clerk", None, Some("office")).await;
    let viewer = new_user(&s, "lead.viewer", None, Some("leadership")).await;

    // Only someone who has it may require it.
    expect_err!(
        s.set_two_factor_required(&chief, true).await,
        CoreError::RuleRefused(_)
    );
    let setup = s.begin_two_factor(&chief).await.unwrap();
    s.confirm_two_factor(&chief, &app_code(&setup.secret, &clock))
        .await
        .unwrap();
    let viewer_actor = actor_of(&s, viewer.id).await;
    expect_err!(
        s.set_two_factor_required(&viewer_actor, true).await,
        CoreError::Forbidden(_)
    );
    s.set_two_factor_required(&chief, true)
        .await
        .expect("require");
    assert!(s.two_factor_required(&chief).await.unwrap());
    assert_eq!(audit_of_action(&s, "two_factor_policy_set").await.len(), 1);

    // The clerk's session may open only the set-up page; no token is issued.
    let ok = s
        .login_session("office.clerk", PASSWORD, None, None)
        .await
        .expect("the password logs in");
    assert!(ok.session.two_factor_pending);
    expect_err!(
        s.login_token("office.clerk", PASSWORD, None, None, None)
            .await,
        CoreError::RuleRefused(_)
    );
    // Leadership is not concerned by the requirement.
    let lead = s
        .login_session("lead.viewer", PASSWORD, None, None)
        .await
        .unwrap();
    assert!(!lead.session.two_factor_pending);

    // Once the clerk has set it up, the open session may go everywhere.
    let clerk_actor = actor_of(&s, clerk.id).await;
    let status = s.two_factor_status(&clerk_actor).await.unwrap();
    assert!(status.required && !status.enabled);
    let setup = s.begin_two_factor(&clerk_actor).await.unwrap();
    s.confirm_two_factor(&clerk_actor, &app_code(&setup.secret, &clock))
        .await
        .unwrap();
    let (_, session) = s
        .resolve_session(&ok.token, None)
        .await
        .unwrap()
        .expect("the session lives");
    assert!(!session.two_factor_pending);
    // Required of them: they may not turn it off themselves.
    expect_err!(
        s.disable_two_factor(&clerk_actor, "000000").await,
        CoreError::RuleRefused(_)
    );

    // A lost phone: the administrator resets it and the clerk's sessions end.
    expect_err!(
        s.reset_two_factor(&chief, clerk.id).await,
        CoreError::Forbidden(_)
    );
    let admin = user_with_role(&s, "sys.admin", None, "admin").await;
    assert!(s.has_two_factor(&admin, clerk.id).await.unwrap());
    s.reset_two_factor(&admin, clerk.id).await.expect("reset");
    assert!(s.resolve_session(&ok.token, None).await.unwrap().is_none());
    assert!(!s.has_two_factor(&admin, clerk.id).await.unwrap());
    expect_err!(
        s.reset_two_factor(&admin, clerk.id).await,
        CoreError::RuleRefused(_)
    );
    let again = s
        .login_session("office.clerk", PASSWORD, None, None)
        .await
        .unwrap();
    assert!(again.session.two_factor_pending, "set it up anew");
}
