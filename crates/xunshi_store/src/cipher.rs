//! The sealed fields (a letter writer's identity, a talk's record) under AES-256-GCM.
//!
//! Envelope encryption: the values are sealed with a data key; the data key is kept in the
//! database (`cipher_keys`) only wrapped — sealed in turn by the key in the key file, which
//! lives outside the database, named by the configuration and readable by the server alone
//! (0600). A copy of the database without the key file opens nothing.
//!
//! The key file is made on the first start, when the database holds no data key yet. Once data
//! keys exist, a missing or different key file stops the server with a clear error rather than
//! letting it run unable to open what it holds, or seal anything in plain text.
//!
//! A sealed value reads `a256:{key id}:{hex of nonce ‖ ciphertext ‖ tag}`; the context the
//! caller names (`letter:{id}:writer`) is the associated data, so a value copied to another
//! row or field does not open there.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use xunshi_core::fieldwork::Cipher;
use xunshi_core::{CoreError, Id, Result};

use crate::{Db, db_err};

const ALGORITHM: &str = "a256";
const KEY_BYTES: usize = 32;
const NONCE_BYTES: usize = 12;

/// The data keys, unwrapped in memory; new values are sealed with the newest.
pub struct AesCipher {
    keys: HashMap<String, Aes256Gcm>,
    current: String,
}

impl std::fmt::Debug for AesCipher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AesCipher")
            .field("current", &self.current)
            .finish_non_exhaustive()
    }
}

fn random<const N: usize>() -> Result<[u8; N]> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| CoreError::internal(format!("no randomness: {e}")))?;
    Ok(b)
}

fn seal_with(key: &Aes256Gcm, aad: &[u8], plain: &[u8]) -> Result<Vec<u8>> {
    let nonce_bytes = random::<NONCE_BYTES>()?;
    let nonce = Nonce::from(nonce_bytes);
    let ct = key
        .encrypt(&nonce, Payload { msg: plain, aad })
        .map_err(|_| CoreError::internal("a value could not be sealed"))?;
    let mut out = nonce_bytes.to_vec();
    out.extend_from_slice(&ct);
    Ok(out)
}

fn open_with(key: &Aes256Gcm, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_BYTES {
        return None;
    }
    let (n, ct) = sealed.split_at(NONCE_BYTES);
    let nonce = Nonce::try_from(n).ok()?;
    key.decrypt(&nonce, Payload { msg: ct, aad }).ok()
}

fn wrap_context(id: &str) -> String {
    format!("xunshi-data-key:{id}")
}

/// Reads the key file: 64 hexadecimal digits (a line; anything after `#` is a comment).
fn read_key_file(path: &Path) -> Result<Aes256Gcm> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        CoreError::internal(format!(
            "the key file {} cannot be read: {e}",
            path.display()
        ))
    })?;
    let hex_key: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .collect();
    let bytes = hex::decode(&hex_key)
        .ok()
        .filter(|b| b.len() == KEY_BYTES)
        .ok_or_else(|| {
            CoreError::internal(format!(
                "the key file {} does not hold a key (64 hexadecimal digits)",
                path.display()
            ))
        })?;
    Aes256Gcm::new_from_slice(&bytes)
        .map_err(|_| CoreError::internal("the key file's key has the wrong length"))
}

/// Writes a new key file readable by its owner only.
fn create_key_file(path: &Path) -> Result<()> {
    let key = random::<KEY_BYTES>()?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| {
            CoreError::internal(format!(
                "the folder of the key file {}: {e}",
                path.display()
            ))
        })?;
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        CoreError::internal(format!(
            "the key file {} cannot be made: {e}",
            path.display()
        ))
    })?;
    writeln!(
        f,
        "# Xunshi key file: wraps the data keys of the sealed fields. Keep it apart from the \
         database and its backups; without it they cannot be opened.\n{}",
        hex::encode(key)
    )
    .and_then(|_| f.sync_all())
    .map_err(|e| CoreError::internal(format!("the key file {}: {e}", path.display())))
}

impl AesCipher {
    /// Opens the data keys of `db` with the key file at `path`, making the key file and the
    /// first data key when neither exists yet.
    pub async fn load(db: &Db, path: &Path) -> Result<AesCipher> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT id, wrapped FROM cipher_keys WHERE algorithm = $1 ORDER BY created_at, id",
        )
        .bind(ALGORITHM)
        .fetch_all(&db.pool)
        .await
        .map_err(db_err)?;
        if !path.exists() {
            if !rows.is_empty() {
                return Err(CoreError::internal(format!(
                    "the key file {} is missing, and the database holds data sealed with it: \
                     restore the key file (it is kept apart from the database), or name it with \
                     `key_file` in the configuration",
                    path.display()
                )));
            }
            create_key_file(path)?;
            tracing::info!(path = %path.display(), "made a new key file for the sealed fields");
        }
        let master = read_key_file(path)?;
        let mut keys = HashMap::new();
        let mut current = None;
        for (id, wrapped) in rows {
            let sealed = hex::decode(&wrapped)
                .map_err(|_| CoreError::internal(format!("data key {id} is not hexadecimal")))?;
            let raw =
                open_with(&master, wrap_context(&id).as_bytes(), &sealed).ok_or_else(|| {
                    CoreError::internal(format!(
                        "the key file {} does not open the database's data key {id}: it is not the \
                     key file this database was set up with",
                        path.display()
                    ))
                })?;
            let key = Aes256Gcm::new_from_slice(&raw)
                .map_err(|_| CoreError::internal(format!("data key {id} has the wrong length")))?;
            keys.insert(id.clone(), key);
            current = Some(id);
        }
        let current = match current {
            Some(c) => c,
            None => {
                let id = Id::new().to_string();
                let raw = random::<KEY_BYTES>()?;
                let wrapped = seal_with(&master, wrap_context(&id).as_bytes(), &raw)?;
                sqlx::query(
                    "INSERT INTO cipher_keys (id, algorithm, wrapped, created_at)
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(id.clone())
                .bind(ALGORITHM)
                .bind(hex::encode(wrapped))
                .bind(xunshi_core::audit::format_at(jiff::Timestamp::now()))
                .execute(&db.pool)
                .await
                .map_err(db_err)?;
                let key = Aes256Gcm::new_from_slice(&raw)
                    .map_err(|_| CoreError::internal("a new data key has the wrong length"))?;
                keys.insert(id.clone(), key);
                id
            }
        };
        Ok(AesCipher { keys, current })
    }
}

impl Cipher for AesCipher {
    fn seal(&self, context: &str, plain: &[u8]) -> Result<String> {
        let key = &self.keys[&self.current];
        let sealed = seal_with(key, context.as_bytes(), plain)?;
        Ok(format!(
            "{ALGORITHM}:{}:{}",
            self.current,
            hex::encode(sealed)
        ))
    }

    fn open(&self, context: &str, sealed: &str) -> Result<Vec<u8>> {
        let unreadable =
            || CoreError::internal(format!("a sealed value of {context} does not open"));
        let mut parts = sealed.splitn(3, ':');
        let (Some(ALGORITHM), Some(key_id), Some(body)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return Err(unreadable());
        };
        let key = self.keys.get(key_id).ok_or_else(unreadable)?;
        let bytes = hex::decode(body).map_err(|_| unreadable())?;
        open_with(key, context.as_bytes(), &bytes).ok_or_else(unreadable)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cipher() -> AesCipher {
        let key = Aes256Gcm::new_from_slice(&[7u8; KEY_BYTES]).unwrap();
        AesCipher {
            keys: HashMap::from([("k1".to_owned(), key)]),
            current: "k1".to_owned(),
        }
    }

    #[test]
    fn a_sealed_value_opens_in_its_context_only_and_shows_nothing_of_itself() {
        let c = cipher();
        let sealed = c
            .seal("letter:1:writer", "张三 13800000000".as_bytes())
            .unwrap();
        assert!(sealed.starts_with("a256:k1:"));
        assert!(!sealed.contains("张三"));
        assert_eq!(
            c.open("letter:1:writer", &sealed).unwrap(),
            "张三 13800000000".as_bytes()
        );
        assert!(c.open("letter:2:writer", &sealed).is_err());
        let mut tampered = sealed.clone();
        tampered.pop();
        tampered.push(if sealed.ends_with('0') { '1' } else { '0' });
        assert!(c.open("letter:1:writer", &tampered).is_err());
        // The same value sealed twice differs (a fresh nonce each time).
        assert_ne!(
            sealed,
            c.seal("letter:1:writer", "张三 13800000000".as_bytes())
                .unwrap()
        );
    }

    #[test]
    fn a_new_key_file_is_readable_by_its_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys").join("xunshi.key");
        create_key_file(&path).unwrap();
        read_key_file(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // Never overwritten.
        assert!(create_key_file(&path).is_err());
    }
}
