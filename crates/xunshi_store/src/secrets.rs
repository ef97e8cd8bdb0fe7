//! Argon2id password hashing, run on the blocking thread pool so a log-in never stalls the
//! async workers, and random secrets from the operating system.

use std::sync::{Arc, OnceLock};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use xunshi_core::store::{BoxFuture, Secrets};
use xunshi_core::{CoreError, Result};

#[derive(Clone)]
pub struct Argon2Secrets {
    params: Params,
    /// A hash of a password nobody knows, verified against when the user does not exist.
    dummy: Arc<OnceLock<String>>,
}

impl Argon2Secrets {
    /// The parameters recommended by OWASP for Argon2id: 19 MiB, 2 passes, 1 lane.
    pub fn new() -> Self {
        Self::with_params(Params::new(19 * 1024, 2, 1, None).expect("valid argon2 parameters"))
    }

    /// Cheap parameters for tests, where hashing hundreds of passwords must stay quick. The
    /// algorithm is the same.
    pub fn for_tests() -> Self {
        Self::with_params(Params::new(1024, 1, 1, None).expect("valid argon2 parameters"))
    }

    fn with_params(params: Params) -> Self {
        Argon2Secrets {
            params,
            dummy: Arc::new(OnceLock::new()),
        }
    }

    fn argon(&self) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, self.params.clone())
    }

    fn hash_now(&self, password: &str) -> Result<String> {
        self.argon()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(CoreError::internal)
    }
}

impl Default for Argon2Secrets {
    fn default() -> Self {
        Self::new()
    }
}

impl Secrets for Argon2Secrets {
    fn hash_password(&self, password: String) -> BoxFuture<'static, Result<String>> {
        let this = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || this.hash_now(&password))
                .await
                .map_err(CoreError::internal)?
        })
    }

    fn verify_password(
        &self,
        password: String,
        hash: Option<String>,
    ) -> BoxFuture<'static, Result<bool>> {
        let this = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || {
                let known = hash.is_some();
                let hash = match hash {
                    Some(h) => h,
                    None => this
                        .dummy
                        .get_or_init(|| {
                            this.hash_now("no user has this password")
                                .expect("hashing a constant succeeds")
                        })
                        .clone(),
                };
                // Verify with the parameters stored in the hash, so hashes made under other
                // parameters keep working.
                let ok = Argon2::default()
                    .verify_password(password.as_bytes(), hash.as_str())
                    .is_ok();
                Ok(ok && known)
            })
            .await
            .map_err(CoreError::internal)?
        })
    }

    fn random_token(&self) -> String {
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).expect("the operating system supplies randomness");
        hex::encode(bytes)
    }
}
