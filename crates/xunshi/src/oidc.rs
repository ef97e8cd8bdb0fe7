//! The organisation's identity provider over OpenID Connect
//! (`xunshi_core::sign_on::SingleSignOn`), with the `openidconnect` crate: the authorization
//! code flow with PKCE (S256), a confidential client, and the ID token checked here —
//! signature against the provider's published keys, issuer, audience, expiry and nonce — before
//! anyone is named. The provider's settings are discovered at the first sign-on and kept; they
//! are read again when a token's key is not among them (the provider rotated its keys).

use std::sync::Arc;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce, PkceCodeChallenge,
    PkceCodeVerifier, RedirectUrl, Scope, TokenResponse, reqwest,
};
use tokio::sync::Mutex;
use xunshi_core::directory::DirectoryPerson;
use xunshi_core::sign_on::{SignOnStart, SingleSignOn, Vouched};
use xunshi_core::store::BoxFuture;
use xunshi_core::{CoreError, Result};

use crate::config::{OidcConfig, UsernameClaim};

/// How long a request to the provider may take before it is taken as unreachable.
const TIMEOUT: Duration = Duration::from_secs(10);

/// Settings discovered more recently than this are not read again for an unknown key.
const REDISCOVER_AFTER: Duration = Duration::from_secs(60);

#[derive(Clone)]
pub struct OidcProvider(Arc<Inner>);

struct Inner {
    config: OidcConfig,
    http: std::result::Result<reqwest::Client, String>,
    /// The provider's settings and keys, and when they were read.
    discovered: Mutex<Option<(CoreProviderMetadata, Instant)>>,
}

impl OidcProvider {
    pub fn new(config: OidcConfig) -> OidcProvider {
        // No redirects: the provider's endpoints answer themselves, and following one could be
        // turned against other hosts.
        let http = reqwest::ClientBuilder::new()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(TIMEOUT)
            .build()
            .map_err(|e| e.to_string());
        OidcProvider(Arc::new(Inner {
            config,
            http,
            discovered: Mutex::new(None),
        }))
    }
}

/// The provider could not be asked: logged in full, told as a service that is down (503).
fn unreachable(what: &str, e: impl std::fmt::Display) -> CoreError {
    tracing::error!(error = %e, "the identity provider (OpenID Connect) {what}");
    CoreError::Unavailable("统一身份认证服务暂时无法访问，请稍后再试，或使用本系统账号登录".into())
}

/// The provider's answer does not hold: logged, and the sign-on refused.
fn refused(what: &str, e: impl std::fmt::Display) -> CoreError {
    tracing::warn!(error = %e, "the identity provider's answer was refused: {what}");
    CoreError::Unauthenticated(format!("{what}: {e}"))
}

impl Inner {
    fn http(&self) -> Result<&reqwest::Client> {
        self.http
            .as_ref()
            .map_err(|e| unreachable("client could not be built", e))
    }

    /// The provider's settings: the ones kept, or read now when there are none or `stale`
    /// says the kept ones are missing a key and were read long enough ago.
    async fn metadata(&self, stale: bool) -> Result<CoreProviderMetadata> {
        let mut kept = self.discovered.lock().await;
        if let Some((m, at)) = kept.as_ref()
            && !(stale && at.elapsed() > REDISCOVER_AFTER)
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone())
            .map_err(|e| unreachable("issuer is not a URL", e))?;
        let m = CoreProviderMetadata::discover_async(issuer, self.http()?)
            .await
            .map_err(|e| unreachable("could not be discovered", e))?;
        *kept = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    fn client(
        &self,
        m: CoreProviderMetadata,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
    > {
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| unreachable("redirect_url is not a URL", e))?;
        Ok(CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.config.client_secret.clone())),
        )
        .set_redirect_uri(redirect))
    }

    async fn start(&self) -> Result<SignOnStart> {
        let client = self.client(self.metadata(false).await?)?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let (url, state, nonce) = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .add_scope(Scope::new("profile".into()))
            .add_scope(Scope::new("email".into()))
            .set_pkce_challenge(challenge)
            .url();
        Ok(SignOnStart {
            url: url.to_string(),
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
        })
    }

    async fn finish(&self, code: String, nonce: String, verifier: String) -> Result<Vouched> {
        let client = self.client(self.metadata(false).await?)?;
        let answer = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| unreachable("names no token endpoint", e))?
            .set_pkce_verifier(PkceCodeVerifier::new(verifier))
            .request_async(self.http()?)
            .await
            .map_err(|e| match e {
                // The provider answered and refused the code (used, expired, another client's).
                openidconnect::RequestTokenError::ServerResponse(r) => {
                    refused("the code was refused", r)
                }
                other => unreachable("did not answer the token request", other),
            })?;
        let token = answer
            .id_token()
            .ok_or_else(|| refused("the answer", "it carries no ID token"))?;
        let nonce = Nonce::new(nonce);
        let claims = match token.claims(&client.id_token_verifier(), &nonce) {
            Ok(c) => c.clone(),
            Err(first) => {
                // Perhaps signed with a key published since the settings were read.
                let fresh = self.client(self.metadata(true).await?)?;
                token
                    .claims(&fresh.id_token_verifier(), &nonce)
                    .map_err(|_| refused("the ID token", first))?
                    .clone()
            }
        };
        let username = match self.config.username_claim {
            UsernameClaim::PreferredUsername => claims
                .preferred_username()
                .map(|u| u.as_str().to_owned())
                .ok_or_else(|| refused("the ID token", "it has no preferred_username"))?,
            UsernameClaim::Subject => claims.subject().as_str().to_owned(),
        };
        let display_name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned())
            .unwrap_or_default();
        let email = claims.email().map(|e| e.as_str().to_owned());
        Ok(Vouched {
            username,
            person: DirectoryPerson {
                display_name,
                email,
            },
        })
    }
}

impl SingleSignOn for OidcProvider {
    fn start(&self) -> BoxFuture<'static, Result<SignOnStart>> {
        let me = self.0.clone();
        Box::pin(async move { me.start().await })
    }

    fn finish(
        &self,
        code: String,
        nonce: String,
        verifier: String,
    ) -> BoxFuture<'static, Result<Vouched>> {
        let me = self.0.clone();
        Box::pin(async move { me.finish(code, nonce, verifier).await })
    }

    fn provisions(&self) -> bool {
        self.0.config.provision
    }

    fn name(&self) -> String {
        self.0.config.issuer.clone()
    }

    fn label(&self) -> String {
        self.0.config.label.clone()
    }
}
