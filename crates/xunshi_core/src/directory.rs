//! Log-in against the organisation's directory (统一身份认证 over LDAP): the directory checks
//! the password, Xunshi still decides what the person may do. An account whose password the
//! directory checks carries [`DIRECTORY_ACCOUNT`] where a local account keeps its password's
//! hash, so it can never be opened with a password kept here; a person the directory knows
//! and Xunshi does not gets an account with no role at first log-in, where the configuration
//! says so, and waits for the office or an administrator to grant one. The port is here; the
//! LDAP client is the binary's (`ldap3`).

use crate::error::Result;
use crate::store::BoxFuture;

/// Stands where a local account keeps its password's hash: never a valid hash, so no password
/// opens it here.
pub const DIRECTORY_ACCOUNT: &str = "!directory";

/// What the directory says of a person it accepted.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DirectoryPerson {
    /// The name to show (the directory's `cn` or the attribute configured).
    pub display_name: String,
    /// The e-mail address, where the directory holds one.
    pub email: Option<String>,
}

pub trait Directory: Send + Sync + 'static {
    /// Binds as `username` with `password`: the person when the directory accepts,
    /// `None` when it refuses the credentials, an error when it cannot be asked (unreachable,
    /// misconfigured).
    fn bind(
        &self,
        username: &str,
        password: &str,
    ) -> BoxFuture<'static, Result<Option<DirectoryPerson>>>;
    /// Whether a person the directory accepts but Xunshi does not know gets an account (with
    /// no role) at first log-in.
    fn provisions(&self) -> bool;
    /// The directory as the audit trail names it (its address, never a password).
    fn name(&self) -> String;
}
