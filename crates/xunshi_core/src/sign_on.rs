//! Single sign-on through the organisation's identity provider (统一身份认证 over OpenID
//! Connect): the provider checks who the person is, Xunshi still decides what they may do.
//!
//! A sign-on runs in two requests of the browser. [`SingleSignOn::start`] gives the address of
//! the provider's log-in with a fresh state, nonce and PKCE verifier; the state goes to the
//! browser in a cookie and, hashed, into the database with the rest ([`SignOn`]), so that any
//! instance can finish it and none twice. On the way back [`SingleSignOn::finish`] trades the
//! code for the provider's signed statement of who logged in ([`Vouched`]). The account is the
//! one of that log-in name where it is an account of the organisation's identity system
//! ([`crate::directory::DIRECTORY_ACCOUNT`]: a local account with a password is never opened by
//! the provider's word), or one made at first sign-on where the configuration says so.

use serde::{Deserialize, Serialize};

use crate::directory::DirectoryPerson;
use crate::error::Result;
use crate::store::BoxFuture;

/// How long a person has from being sent to the provider to coming back, and again from
/// coming back to giving their second factor.
pub const SIGN_ON_MINUTES: i64 = 10;

/// What the provider must be sent to and what its answer must match.
#[derive(Debug, Clone)]
pub struct SignOnStart {
    /// The provider's authorization address, with every parameter.
    pub url: String,
    /// The state, which the browser keeps and the provider hands back.
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Whom the provider vouched for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vouched {
    /// The log-in name the provider's token carries (the claim the configuration names).
    pub username: String,
    pub person: DirectoryPerson,
}

/// A sign-on under way, as the database keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOn {
    /// The hash of the state; the state itself is only in the browser and the provider.
    pub state_hash: String,
    pub nonce: String,
    pub verifier: String,
    /// The page to open after (already checked to be one of ours).
    pub next: String,
    /// Set once the provider vouched and the account's second factor is awaited.
    pub vouched: Option<Vouched>,
    pub expires_at: jiff::Timestamp,
}

/// The answer of the provider's redirect back, as the browser brings it.
#[derive(Debug, Clone, Default)]
pub struct ProviderAnswer {
    pub state: Option<String>,
    pub code: Option<String>,
    /// The provider's error code (`access_denied`, …) where the person did not log in.
    pub error: Option<String>,
    pub error_description: Option<String>,
}

pub trait SingleSignOn: Send + Sync + 'static {
    /// A fresh start: the provider's address with a new state, nonce and verifier. An error
    /// ([`crate::CoreError::Unavailable`]) when the provider cannot be asked for its settings.
    fn start(&self) -> BoxFuture<'static, Result<SignOnStart>>;
    /// Trades `code` for the provider's ID token and checks it (signature, issuer, audience,
    /// expiry, `nonce`): whom it vouches for. A token that does not hold is refused
    /// ([`crate::CoreError::Unauthenticated`]); a provider that cannot be reached is
    /// [`crate::CoreError::Unavailable`].
    fn finish(
        &self,
        code: String,
        nonce: String,
        verifier: String,
    ) -> BoxFuture<'static, Result<Vouched>>;
    /// Whether a person the provider vouches for but Xunshi does not know gets an account
    /// (with no role) at first sign-on.
    fn provisions(&self) -> bool;
    /// The provider as the audit trail names it (its issuer).
    fn name(&self) -> String;
    /// What the log-in page's button says.
    fn label(&self) -> String;
}
