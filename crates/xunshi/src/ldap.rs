//! The organisation's directory over LDAP (`xunshi_core::directory::Directory`): a person's
//! password is checked by binding as them, never read or kept; their name and address are read
//! from their entry with their own rights. `ldaps://` or StartTLS protect the password on the
//! way (`ldap://` without StartTLS only for a directory on the same host or a closed network).

use std::time::Duration;

use ldap3::{LdapConnAsync, LdapConnSettings, Scope, SearchEntry, dn_escape, ldap_escape};
use xunshi_core::directory::{Directory, DirectoryPerson};
use xunshi_core::store::BoxFuture;
use xunshi_core::{CoreError, Result};

use crate::config::LdapConfig;

/// How long a bind may take before the directory is taken as unreachable.
const TIMEOUT: Duration = Duration::from_secs(10);

/// LDAP's answer to a wrong password (RFC 4511, invalidCredentials).
const INVALID_CREDENTIALS: u32 = 49;

#[derive(Debug, Clone)]
pub struct LdapDirectory {
    config: LdapConfig,
}

impl LdapDirectory {
    pub fn new(config: LdapConfig) -> LdapDirectory {
        LdapDirectory { config }
    }
}

/// The directory could not be asked: logged in full for the administrator, told as a service
/// that is down (503) to the person logging in, who may use a local account meanwhile.
fn unreachable(what: &str, e: impl std::fmt::Display) -> CoreError {
    tracing::error!(error = %e, "the directory (LDAP) {what}");
    CoreError::Unavailable(
        "统一身份认证目录暂时无法访问，请稍后再试；急需时请联系系统管理员".into(),
    )
}

/// Binds as `username` and reads their name and address; `None` when the directory refuses
/// the password.
async fn bind(
    c: LdapConfig,
    username: String,
    password: String,
) -> Result<Option<DirectoryPerson>> {
    // An empty password is an anonymous bind, which every directory accepts: never a log-in.
    if password.is_empty() {
        return Ok(None);
    }
    let settings = LdapConnSettings::new()
        .set_conn_timeout(TIMEOUT)
        .set_starttls(c.starttls);
    let (conn, mut ldap) = LdapConnAsync::with_settings(settings, &c.url)
        .await
        .map_err(|e| unreachable(&format!("at {} cannot be reached", c.url), e))?;
    ldap3::drive!(conn);
    let dn = c
        .user_dn
        .replace("{username}", &dn_escape(username.as_str()));
    let result = ldap
        .with_timeout(TIMEOUT)
        .simple_bind(&dn, &password)
        .await
        .map_err(|e| unreachable("did not answer the bind", e))?;
    if result.rc == INVALID_CREDENTIALS {
        let _ = ldap.unbind().await;
        return Ok(None);
    }
    result
        .success()
        .map_err(|e| unreachable("refused the bind", e))?;
    let (base, scope, filter) = match (&c.search_base, &c.search_filter) {
        (Some(base), Some(filter)) => (
            base.clone(),
            Scope::Subtree,
            filter.replace("{username}", &ldap_escape(username.as_str())),
        ),
        _ => (dn.clone(), Scope::Base, "(objectClass=*)".to_owned()),
    };
    let (entries, _) = ldap
        .with_timeout(TIMEOUT)
        .search(
            &base,
            scope,
            &filter,
            vec![c.name_attribute.as_str(), c.email_attribute.as_str()],
        )
        .await
        .and_then(|r| r.success())
        .map_err(|e| unreachable("did not let the person read their entry", e))?;
    let _ = ldap.unbind().await;
    let entry = entries.into_iter().next().map(SearchEntry::construct);
    let first = |attr: &str| {
        entry
            .as_ref()
            .and_then(|e| e.attrs.get(attr))
            .and_then(|v| v.first())
            .cloned()
    };
    Ok(Some(DirectoryPerson {
        display_name: first(&c.name_attribute).unwrap_or_default(),
        email: first(&c.email_attribute),
    }))
}

impl Directory for LdapDirectory {
    fn bind(
        &self,
        username: &str,
        password: &str,
    ) -> BoxFuture<'static, Result<Option<DirectoryPerson>>> {
        Box::pin(bind(
            self.config.clone(),
            username.to_owned(),
            password.to_owned(),
        ))
    }

    fn provisions(&self) -> bool {
        self.config.provision
    }

    fn name(&self) -> String {
        self.config.url.clone()
    }
}
