//! Layered configuration: defaults, then `xunshi.toml` in the data folder, then `XUNSHI_*`
//! environment variables and flags (clap reads both, the flag winning).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use xunshi_core::crypto::Suite;

use crate::cli::{Global, ServeArgs};

/// What `xunshi.toml` may set. Unknown keys are refused, so a typo does not go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    database_url: Option<String>,
    trust_proxy: Option<bool>,
    max_connections: Option<u32>,
    log_format: Option<String>,
    /// The key file that wraps the data keys of the sealed fields (see `xunshi_store::FieldCipher`).
    key_file: Option<PathBuf>,
    /// The algorithms: "standard" (SHA-256, AES-256-GCM) or "sm" (商用密码: SM3, SM4-GCM).
    crypto: Option<String>,
    /// How often the periodic upkeep runs (tallies, purges, reminders), in seconds.
    upkeep_seconds: Option<u64>,
    /// Log-in attempts a minute from one client address, counted by all instances together;
    /// an office behind one NAT address may need more than the default 10.
    login_attempts_per_minute: Option<u32>,
    /// How long an instance holds a background job before another may take it over, should
    /// the first have died, in seconds; renewed while the job runs.
    job_lease_seconds: Option<u64>,
    /// The Ed25519 key that signs the audit trail's checkpoints (`xunshi audit keygen`).
    audit_key_file: Option<PathBuf>,
    /// Where the signed checkpoints are kept: a folder the database's users cannot write.
    audit_checkpoint_dir: Option<PathBuf>,
    /// How often the server pins the trail's newest record, in minutes.
    audit_checkpoint_minutes: Option<u64>,
    /// LibreOffice's `soffice`, which makes the PDFs of an archive package's documents;
    /// found on the PATH when not set, and "none" for none.
    office_suite: Option<PathBuf>,
    smtp: Option<SmtpFile>,
    ldap: Option<LdapFile>,
    oidc: Option<OidcFile>,
    s3: Option<S3File>,
}

/// The `[s3]` table of `xunshi.toml`: evidence files in an S3-compatible object store.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct S3File {
    endpoint: Option<String>,
    bucket: Option<String>,
    region: Option<String>,
    access_key_id: Option<String>,
    secret_access_key: Option<String>,
    prefix: Option<String>,
}

/// The object store's settings; the keys may come from `XUNSHI_S3_ACCESS_KEY_ID` and
/// `XUNSHI_S3_SECRET_ACCESS_KEY` rather than the file. The client is built here, once, so a
/// wrong setting stops every command at its start.
fn s3_config(
    file: Option<S3File>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<xunshi_store::S3Blobs>, String> {
    let Some(f) = file else { return Ok(None) };
    let need = |v: Option<String>, what: &str| {
        v.filter(|v| !v.is_empty())
            .ok_or(format!("[s3] needs {what}"))
    };
    let endpoint = need(f.endpoint, "endpoint (https://… of the object store)")?;
    if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
        return Err(format!(
            "[s3] endpoint “{endpoint}” is neither https:// nor http://"
        ));
    }
    let key =
        |var: &str, from_file: Option<String>| env(var).filter(|v| !v.is_empty()).or(from_file);
    let mut prefix = f.prefix.unwrap_or_default();
    if !prefix.is_empty() && !prefix.ends_with('/') {
        prefix.push('/');
    }
    let s = xunshi_store::S3Settings {
        endpoint,
        bucket: need(f.bucket, "bucket")?,
        region: f.region.unwrap_or_else(|| "us-east-1".into()),
        access_key_id: need(
            key("XUNSHI_S3_ACCESS_KEY_ID", f.access_key_id),
            "access_key_id (or XUNSHI_S3_ACCESS_KEY_ID)",
        )?,
        secret_access_key: need(
            key("XUNSHI_S3_SECRET_ACCESS_KEY", f.secret_access_key),
            "secret_access_key (or XUNSHI_S3_SECRET_ACCESS_KEY)",
        )?,
        prefix,
    };
    xunshi_store::S3Blobs::new(&s)
        .map(Some)
        .map_err(|e| e.to_string())
}

/// The background jobs' timing.
#[derive(Debug, Clone, Copy)]
pub struct JobsConfig {
    /// How often the upkeep runs.
    pub upkeep: jiff::SignedDuration,
    /// How long a job is held for its instance before another may take it over.
    pub lease: jiff::SignedDuration,
}

/// A whole number of seconds of at least one: `env` over `key` of the file, else `default`.
fn seconds(
    key: &str,
    env: &str,
    from_file: Option<u64>,
    default: u64,
) -> Result<jiff::SignedDuration, String> {
    let n = match std::env::var(env).ok().filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<u64>()
            .map_err(|_| format!("{env} “{v}” is not a whole number of seconds"))?,
        None => from_file.unwrap_or(default),
    };
    if n == 0 {
        return Err(format!("{key} must be at least 1"));
    }
    i64::try_from(n)
        .map(jiff::SignedDuration::from_secs)
        .map_err(|_| format!("{key} is too large"))
}

/// Where and how the audit trail is anchored; absent unless both the key and the folder are set.
#[derive(Debug, Clone)]
pub struct AnchorConfig {
    pub key_file: PathBuf,
    pub dir: PathBuf,
    pub every: std::time::Duration,
}

/// The anchoring settings: each `XUNSHI_AUDIT_*` variable over its key in the file; both the
/// key and the folder, or neither.
fn anchor_config(
    file: &FileConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<AnchorConfig>, String> {
    let path = |key: &str, from_file: &Option<PathBuf>| {
        env(key)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| from_file.clone())
    };
    let key_file = path("XUNSHI_AUDIT_KEY_FILE", &file.audit_key_file);
    let dir = path("XUNSHI_AUDIT_CHECKPOINT_DIR", &file.audit_checkpoint_dir);
    let minutes = match env("XUNSHI_AUDIT_CHECKPOINT_MINUTES").filter(|v| !v.is_empty()) {
        Some(m) => Some(m.parse::<u64>().map_err(|_| {
            format!("XUNSHI_AUDIT_CHECKPOINT_MINUTES “{m}” is not a whole number of minutes")
        })?),
        None => file.audit_checkpoint_minutes,
    };
    if minutes == Some(0) {
        return Err("audit_checkpoint_minutes must be at least 1".into());
    }
    match (key_file, dir) {
        (None, None) => Ok(None),
        (Some(key_file), Some(dir)) => Ok(Some(AnchorConfig {
            key_file,
            dir,
            every: std::time::Duration::from_secs(60 * minutes.unwrap_or(15)),
        })),
        (Some(_), None) => Err(
            "audit_key_file is set but audit_checkpoint_dir is not: checkpoints need both".into(),
        ),
        (None, Some(_)) => Err(
            "audit_checkpoint_dir is set but audit_key_file is not: checkpoints need both".into(),
        ),
    }
}

/// The `[ldap]` table of `xunshi.toml`: log-in checked by the organisation's directory.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LdapFile {
    url: Option<String>,
    starttls: Option<bool>,
    user_dn: Option<String>,
    search_base: Option<String>,
    search_filter: Option<String>,
    name_attribute: Option<String>,
    email_attribute: Option<String>,
    provision: Option<bool>,
}

/// The directory that checks the passwords of directory accounts (`xunshi_core::directory`).
#[derive(Debug, Clone)]
pub struct LdapConfig {
    /// `ldap://host[:port]` or `ldaps://host[:port]`.
    pub url: String,
    /// StartTLS on an `ldap://` connection.
    pub starttls: bool,
    /// The DN to bind as, with `{username}` standing for the log-in name (escaped), e.g.
    /// `uid={username},ou=people,dc=example,dc=cn`, or a UPN such as `{username}@example.cn`.
    pub user_dn: String,
    /// Where the person's entry is searched for, as them, after the bind (with
    /// `search_filter`); without them the entry at the bound DN is read.
    pub search_base: Option<String>,
    pub search_filter: Option<String>,
    /// The attribute of the name to show (`cn`).
    pub name_attribute: String,
    /// The attribute of the e-mail address (`mail`).
    pub email_attribute: String,
    /// Whether a person the directory accepts but Xunshi does not know gets an account, with
    /// no role, at first log-in.
    pub provision: bool,
}

fn ldap_config(file: Option<LdapFile>) -> Result<Option<LdapConfig>, String> {
    let Some(f) = file else { return Ok(None) };
    let url = f
        .url
        .ok_or("[ldap] needs url (ldap://host or ldaps://host)")?;
    if !(url.starts_with("ldap://") || url.starts_with("ldaps://")) {
        return Err(format!(
            "[ldap] url “{url}” is neither ldap:// nor ldaps://"
        ));
    }
    let user_dn = f
        .user_dn
        .ok_or("[ldap] needs user_dn, the DN to bind as with {username} in it")?;
    if !user_dn.contains("{username}") {
        return Err(format!(
            "[ldap] user_dn “{user_dn}” has no {{username}} in it"
        ));
    }
    match (&f.search_base, &f.search_filter) {
        (Some(_), None) | (None, Some(_)) => {
            return Err("[ldap] search_base and search_filter go together".into());
        }
        (_, Some(filter)) if !filter.contains("{username}") => {
            return Err(format!(
                "[ldap] search_filter “{filter}” has no {{username}} in it"
            ));
        }
        _ => {}
    }
    Ok(Some(LdapConfig {
        url,
        starttls: f.starttls.unwrap_or(false),
        user_dn,
        search_base: f.search_base,
        search_filter: f.search_filter,
        name_attribute: f.name_attribute.unwrap_or_else(|| "cn".into()),
        email_attribute: f.email_attribute.unwrap_or_else(|| "mail".into()),
        provision: f.provision.unwrap_or(false),
    }))
}

/// The `[oidc]` table of `xunshi.toml`: signing on through the organisation's OpenID provider.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct OidcFile {
    issuer: Option<String>,
    client_id: Option<String>,
    client_secret: Option<String>,
    redirect_url: Option<String>,
    username_claim: Option<String>,
    label: Option<String>,
    provision: Option<bool>,
}

/// Which claim of the ID token is the log-in name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsernameClaim {
    PreferredUsername,
    Subject,
}

/// The identity provider people may sign on through (`xunshi_core::sign_on`).
#[derive(Clone)]
pub struct OidcConfig {
    /// The issuer, whose `/.well-known/openid-configuration` names the rest.
    pub issuer: String,
    pub client_id: String,
    /// From `XUNSHI_OIDC_CLIENT_SECRET` or the file; never printed.
    pub client_secret: String,
    /// This installation's `/login/sso/callback` as the browser reaches it, registered with
    /// the provider.
    pub redirect_url: String,
    pub username_claim: UsernameClaim,
    /// What the log-in page's button says.
    pub label: String,
    /// Whether a person the provider vouches for but Xunshi does not know gets an account,
    /// with no role, at first sign-on.
    pub provision: bool,
}

impl fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer", &self.issuer)
            .field("client_id", &self.client_id)
            .field("redirect_url", &self.redirect_url)
            .field("username_claim", &self.username_claim)
            .field("label", &self.label)
            .field("provision", &self.provision)
            .finish_non_exhaustive()
    }
}

fn oidc_config(
    file: Option<OidcFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<OidcConfig>, String> {
    let Some(f) = file else { return Ok(None) };
    let http = |what: &str, v: Option<String>| -> Result<String, String> {
        let v = v.ok_or(format!("[oidc] needs {what}"))?;
        if !(v.starts_with("https://") || v.starts_with("http://")) {
            return Err(format!("[oidc] {what} “{v}” is not an http(s):// address"));
        }
        Ok(v)
    };
    let issuer = http("issuer", f.issuer)?;
    let redirect_url = http("redirect_url", f.redirect_url)?;
    if !redirect_url.ends_with("/login/sso/callback") {
        return Err(format!(
            "[oidc] redirect_url “{redirect_url}” must be this installation's /login/sso/callback"
        ));
    }
    let client_id = f.client_id.ok_or("[oidc] needs client_id")?;
    let client_secret = env("XUNSHI_OIDC_CLIENT_SECRET")
        .filter(|v| !v.is_empty())
        .or(f.client_secret)
        .ok_or("[oidc] needs client_secret (or XUNSHI_OIDC_CLIENT_SECRET)")?;
    let username_claim = match f.username_claim.as_deref() {
        None | Some("preferred_username") => UsernameClaim::PreferredUsername,
        Some("sub") => UsernameClaim::Subject,
        Some(other) => {
            return Err(format!(
                "[oidc] username_claim “{other}” is neither preferred_username nor sub"
            ));
        }
    };
    Ok(Some(OidcConfig {
        issuer,
        client_id,
        client_secret,
        redirect_url,
        username_claim,
        label: f.label.unwrap_or_else(|| "统一身份认证登录".into()),
        provision: f.provision.unwrap_or(false),
    }))
}

/// The `[smtp]` table of `xunshi.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SmtpFile {
    host: Option<String>,
    port: Option<u16>,
    username: Option<String>,
    password: Option<String>,
    from: Option<String>,
    security: Option<String>,
}

/// How the connection to the mail server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// STARTTLS on the submission port (587), required: the default.
    StartTls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same host or a closed network.
    None,
}

/// Where messages are sent by e-mail; absent when no `host` is set, and then none are sent.
#[derive(Clone)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The sender, as `名称 <address>` or a bare address.
    pub from: String,
    pub security: SmtpSecurity,
}

impl fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "***"))
            .field("from", &self.from)
            .field("security", &self.security)
            .finish()
    }
}

/// The SMTP settings: the file's `[smtp]` table, each key overridden by its `XUNSHI_SMTP_*`
/// variable (`HOST`, `PORT`, `USERNAME`, `PASSWORD`, `FROM`, `SECURITY`).
fn smtp_config(
    file: Option<SmtpFile>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<SmtpConfig>, String> {
    let file = file.unwrap_or_default();
    let pick = |key: &str, from_file: Option<String>| {
        env(&format!("XUNSHI_SMTP_{key}"))
            .filter(|v| !v.is_empty())
            .or(from_file)
    };
    let Some(host) = pick("HOST", file.host) else {
        return Ok(None);
    };
    let security = match pick("SECURITY", file.security).as_deref() {
        None | Some("starttls") => SmtpSecurity::StartTls,
        Some("tls") => SmtpSecurity::Tls,
        Some("none") => SmtpSecurity::None,
        Some(other) => {
            return Err(format!(
                "smtp security “{other}” is none of starttls, tls and none"
            ));
        }
    };
    let port = match env("XUNSHI_SMTP_PORT").filter(|v| !v.is_empty()) {
        Some(p) => p
            .parse()
            .map_err(|_| format!("XUNSHI_SMTP_PORT “{p}” is not a port number"))?,
        None => file.port.unwrap_or(match security {
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Tls => 465,
            SmtpSecurity::None => 25,
        }),
    };
    let from =
        pick("FROM", file.from).ok_or("smtp needs a sender address (from) when a host is set")?;
    Ok(Some(SmtpConfig {
        host,
        port,
        username: pick("USERNAME", file.username),
        password: pick("PASSWORD", file.password),
        from,
        security,
    }))
}

pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub listen: SocketAddr,
    pub trust_proxy: bool,
    pub max_connections: u32,
    pub log_json: bool,
    /// Wraps the data keys of the sealed fields; kept apart from the database and its backups.
    /// `XUNSHI_KEY_FILE`, then `key_file` in `xunshi.toml`, else `xunshi.key` in the data folder.
    pub key_file: PathBuf,
    /// `XUNSHI_CRYPTO`, then `crypto` in `xunshi.toml`, else the standard suite. A database
    /// whose trail runs another refuses to open (`Db::adopt_suite`) until `xunshi crypto
    /// switch` moves it.
    pub suite: Suite,
    /// The background jobs' timing (see `xunshi_store::jobs`).
    pub jobs: JobsConfig,
    /// Log-in attempts a minute from one client address (`login_attempts_per_minute`).
    pub login_attempts_per_minute: u32,
    pub smtp: Option<SmtpConfig>,
    /// The directory of directory accounts, where configured.
    pub ldap: Option<LdapConfig>,
    /// The identity provider people may sign on through, where configured.
    pub oidc: Option<OidcConfig>,
    /// The object store of the evidence files, where configured (else the data folder).
    pub s3: Option<xunshi_store::S3Blobs>,
    /// Signed checkpoints of the audit trail, where configured: the settings and the folder,
    /// its key read when the configuration is loaded, so a missing key stops every command.
    pub anchor: Option<(AnchorConfig, xunshi_store::FolderAnchor)>,
    /// The office suite that makes the archive packages' PDFs (`XUNSHI_OFFICE_SUITE`, then
    /// `office_suite`, else `soffice` on the PATH; "none" for none).
    pub office_suite: Option<PathBuf>,
}

/// Never print a database password, in logs or in `Debug` output.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let userinfo = &url[s + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            if userinfo.contains(':') {
                format!("{}{user}:***{}", &url[..s + 3], &url[at..])
            } else {
                url.to_owned()
            }
        }
        _ => url.to_owned(),
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("data_dir", &self.data_dir)
            .field("database_url", &redact_url(&self.database_url))
            .field("listen", &self.listen)
            .field("trust_proxy", &self.trust_proxy)
            .field("max_connections", &self.max_connections)
            .field("log_json", &self.log_json)
            .field("key_file", &self.key_file)
            .field("suite", &self.suite)
            .field("jobs", &self.jobs)
            .field("login_attempts_per_minute", &self.login_attempts_per_minute)
            .field("smtp", &self.smtp)
            .field("ldap", &self.ldap)
            .field("oidc", &self.oidc)
            .field("s3", &self.s3.as_ref().map(|s| s.place().to_owned()))
            .field("anchor", &self.anchor.as_ref().map(|(c, _)| c))
            .field("office_suite", &self.office_suite)
            .finish()
    }
}

/// The office suite: the one named (by the environment, then the file), "none" for none, else
/// `soffice` where the PATH has it.
fn office_suite(
    env: Option<PathBuf>,
    file: Option<PathBuf>,
    path: Option<std::ffi::OsString>,
) -> Option<PathBuf> {
    match env.filter(|p| !p.as_os_str().is_empty()).or(file) {
        Some(p) if p.as_os_str() == "none" => None,
        Some(p) => Some(p),
        None => std::env::split_paths(&path?)
            .map(|dir| dir.join("soffice"))
            .find(|p| p.is_file()),
    }
}

fn read_file(data_dir: &Path) -> Result<FileConfig, String> {
    let path = data_dir.join("xunshi.toml");
    match std::fs::read_to_string(&path) {
        Ok(text) => toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(FileConfig::default()),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

impl Config {
    pub fn load(global: &Global, serve: Option<&ServeArgs>) -> Result<Config, String> {
        let data_dir = global
            .data_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("xunshi-data"));
        std::fs::create_dir_all(&data_dir)
            .map_err(|e| format!("cannot create the data folder {}: {e}", data_dir.display()))?;
        let file = read_file(&data_dir)?;
        let anchor = match anchor_config(&file, |k| std::env::var(k).ok())? {
            Some(c) => {
                let folder = xunshi_store::FolderAnchor::signing(&c.dir, &c.key_file)
                    .map_err(|e| e.to_string())?;
                Some((c, folder))
            }
            None => None,
        };
        let database_url = global
            .database_url
            .clone()
            .or(file.database_url)
            .unwrap_or_else(|| xunshi_store::sqlite_url(&data_dir));
        let log_format = global
            .log_format
            .clone()
            .or(file.log_format)
            .unwrap_or_else(|| "text".into());
        let log_json = match log_format.as_str() {
            "text" => false,
            "json" => true,
            other => return Err(format!("log format “{other}” is neither text nor json")),
        };
        let listen = serve
            .and_then(|s| s.listen)
            .or(file.listen)
            .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)));
        let trust_proxy = serve
            .and_then(|s| s.trust_proxy)
            .or(file.trust_proxy)
            .unwrap_or(false);
        let max_connections = serve
            .and_then(|s| s.max_connections)
            .or(file.max_connections)
            .unwrap_or_else(|| {
                xunshi_store::Dialect::of_url(&database_url)
                    .map_or(10, xunshi_store::Dialect::default_pool_size)
            });
        if max_connections == 0 {
            return Err("max_connections must be at least 1".into());
        }
        let smtp = smtp_config(file.smtp, |k| std::env::var(k).ok())?;
        let ldap = ldap_config(file.ldap)?;
        let oidc = oidc_config(file.oidc, |k| std::env::var(k).ok())?;
        let s3 = s3_config(file.s3, |k| std::env::var(k).ok())?;
        let key_file = std::env::var_os("XUNSHI_KEY_FILE")
            .map(PathBuf::from)
            .or(file.key_file)
            .unwrap_or_else(|| data_dir.join("xunshi.key"));
        let suite = match std::env::var("XUNSHI_CRYPTO")
            .ok()
            .filter(|v| !v.is_empty())
            .or(file.crypto)
        {
            None => Suite::default(),
            Some(name) => Suite::parse(&name).ok_or_else(|| {
                format!(
                    "crypto = \"{name}\" names no suite: \"standard\" (SHA-256, AES-256-GCM) or \"sm\" (SM3, SM4-GCM)"
                )
            })?,
        };
        let jobs = JobsConfig {
            upkeep: seconds(
                "upkeep_seconds",
                "XUNSHI_UPKEEP_SECONDS",
                file.upkeep_seconds,
                60,
            )?,
            lease: seconds(
                "job_lease_seconds",
                "XUNSHI_JOB_LEASE_SECONDS",
                file.job_lease_seconds,
                300,
            )?,
        };
        let login_attempts_per_minute = file.login_attempts_per_minute.unwrap_or(10);
        if login_attempts_per_minute == 0 {
            return Err("login_attempts_per_minute must be at least 1".into());
        }
        let office_suite = office_suite(
            std::env::var_os("XUNSHI_OFFICE_SUITE").map(PathBuf::from),
            file.office_suite,
            std::env::var_os("PATH"),
        );
        Ok(Config {
            office_suite,
            key_file,
            suite,
            jobs,
            login_attempts_per_minute,
            smtp,
            ldap,
            oidc,
            s3,
            anchor,
            data_dir,
            database_url,
            listen,
            trust_proxy,
            max_connections,
            log_json,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_office_suite_is_the_one_named_none_or_soffice_on_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let soffice = dir.path().join("soffice");
        std::fs::write(&soffice, "").unwrap();
        let path = Some(dir.path().as_os_str().to_owned());
        let named = Some(PathBuf::from("/opt/lo/program/soffice"));
        assert_eq!(office_suite(named.clone(), None, path.clone()), named);
        assert_eq!(office_suite(None, named.clone(), path.clone()), named);
        assert_eq!(office_suite(Some("none".into()), named, path.clone()), None);
        assert_eq!(office_suite(None, None, path), Some(soffice));
        assert_eq!(office_suite(None, None, None), None);
    }

    #[test]
    fn smtp_is_read_from_the_file_and_the_environment_wins() {
        let file: FileConfig = toml::from_str(
            "[smtp]\nhost = \"mail.example.cn\"\nfrom = \"巡视办 <xs@example.cn>\"\npassword = \"pw\"\n",
        )
        .unwrap();
        let c = smtp_config(file.smtp, |k| {
            (k == "XUNSHI_SMTP_PORT").then(|| "2525".into())
        })
        .unwrap()
        .unwrap();
        assert_eq!((c.host.as_str(), c.port), ("mail.example.cn", 2525));
        assert_eq!(c.security, SmtpSecurity::StartTls);
        assert!(
            !format!("{c:?}").contains("pw"),
            "the password is never printed"
        );
        assert!(smtp_config(None, |_| None).unwrap().is_none());
        let no_from = smtp_config(None, |k| (k == "XUNSHI_SMTP_HOST").then(|| "h".into()));
        assert!(no_from.is_err());
    }

    #[test]
    fn checkpoints_need_both_the_key_and_the_folder() {
        let file: FileConfig = toml::from_str(
            "audit_key_file = \"/etc/xunshi/checkpoint.key\"\naudit_checkpoint_minutes = 5\n",
        )
        .unwrap();
        let err = anchor_config(&file, |_| None).unwrap_err();
        assert!(err.contains("audit_checkpoint_dir"), "{err}");
        let a = anchor_config(&file, |k| {
            (k == "XUNSHI_AUDIT_CHECKPOINT_DIR").then(|| "/mnt/worm/xunshi".into())
        })
        .unwrap()
        .unwrap();
        assert_eq!(a.dir, PathBuf::from("/mnt/worm/xunshi"));
        assert_eq!(a.every.as_secs(), 300);
        assert!(
            anchor_config(&FileConfig::default(), |_| None)
                .unwrap()
                .is_none()
        );
        let zero = anchor_config(&file, |k| match k {
            "XUNSHI_AUDIT_CHECKPOINT_DIR" => Some("/x".into()),
            "XUNSHI_AUDIT_CHECKPOINT_MINUTES" => Some("0".into()),
            _ => None,
        });
        assert!(zero.is_err());
    }

    #[test]
    fn passwords_in_database_urls_are_hidden() {
        assert_eq!(
            redact_url("postgres://xs:s3cret@db:5432/xunshi"),
            "postgres://xs:***@db:5432/xunshi"
        );
        assert_eq!(
            redact_url("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact_url("sqlite://data/x.db"), "sqlite://data/x.db");
    }

    #[test]
    fn the_pool_follows_the_backend_unless_set() {
        let dir = tempfile::tempdir().unwrap();
        let mut global = Global {
            data_dir: Some(dir.path().to_owned()),
            database_url: None,
            log_format: None,
        };
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let sqlite = Config::load(&global, None).unwrap().max_connections;
        assert_eq!(sqlite as usize, (2 * cores).clamp(4, 16));
        global.database_url = Some("postgres://postgres@127.0.0.1/x".into());
        assert_eq!(Config::load(&global, None).unwrap().max_connections, 10);
    }

    #[test]
    fn the_file_is_read_and_flags_win() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("xunshi.toml"),
            "listen = \"127.0.0.1:9000\"\nmax_connections = 4\n",
        )
        .unwrap();
        let global = Global {
            data_dir: Some(dir.path().to_owned()),
            database_url: None,
            log_format: None,
        };
        let from_file = Config::load(&global, None).unwrap();
        assert_eq!(from_file.listen.port(), 9000);
        assert_eq!(from_file.max_connections, 4);
        let serve = ServeArgs {
            listen: Some("127.0.0.1:9100".parse().unwrap()),
            trust_proxy: None,
            max_connections: None,
            demo: false,
            node: None,
            node_key: None,
        };
        assert_eq!(
            Config::load(&global, Some(&serve)).unwrap().listen.port(),
            9100
        );
    }

    #[test]
    fn a_typo_in_the_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("xunshi.toml"), "lisen = \"x\"\n").unwrap();
        let global = Global {
            data_dir: Some(dir.path().to_owned()),
            database_url: None,
            log_format: None,
        };
        let err = Config::load(&global, None).err().unwrap();
        assert!(err.contains("lisen"), "{err}");
    }
}
