//! The audit trail's checkpoints, signed with Ed25519 (ring) and kept as files in a folder the
//! database cannot reach — another disk, a write-once share, an archive copy — one file per
//! pinned record, `checkpoint-<seq, 12 digits>.json`, written once and never overwritten.
//!
//! The signing key is a PKCS#8 document (hex) in a file of its own, made by
//! `xunshi audit keygen`; whoever holds only the public key can verify every checkpoint but
//! make none. A checkpoint is trusted only under the key the verifier names, never under the
//! key a file says it was signed with.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use ring::rand::SystemRandom;
use ring::signature::{ED25519, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use serde::{Deserialize, Serialize};
use xunshi_core::anchor::{
    Anchor, AnchorError, AnchorResult, CHECKPOINT_FORMAT, Checkpoint, SignedCheckpoint,
};
use xunshi_core::crypto::HashAlg;
use xunshi_core::store::BoxFuture;

/// A checkpoint as its file holds it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckpointFile {
    format: String,
    /// Absent in files signed before the national cryptography option: SHA-256.
    #[serde(default, skip_serializing_if = "is_sha256")]
    alg: HashAlg,
    seq: i64,
    hash: String,
    at: String,
    key: String,
    signature: String,
}

fn is_sha256(alg: &HashAlg) -> bool {
    *alg == HashAlg::Sha256
}

/// Checkpoints in a folder, signed with a key from a file, or only verified with a public key.
#[derive(Clone)]
pub struct FolderAnchor {
    dir: PathBuf,
    signer: Option<Arc<Ed25519KeyPair>>,
    public: Vec<u8>,
}

fn failed(what: &str, path: &Path, e: impl std::fmt::Display) -> AnchorError {
    AnchorError::Failed(format!("{what} {}: {e}", path.display()))
}

/// Makes a new signing key and writes it to `out`, readable by its owner alone; an existing
/// file is never replaced. Returns the public key, hex, to hand to whoever verifies.
pub fn generate_key(out: &Path) -> AnchorResult<String> {
    let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
        .map_err(|_| AnchorError::Failed("the system's random source failed".into()))?;
    let pair = Ed25519KeyPair::from_pkcs8(doc.as_ref())
        .map_err(|e| AnchorError::Failed(format!("a new key does not read back: {e}")))?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options
        .open(out)
        .map_err(|e| failed("cannot create the key file", out, e))?;
    f.write_all(format!("{}\n", hex::encode(doc.as_ref())).as_bytes())
        .and_then(|_| f.sync_all())
        .map_err(|e| failed("cannot write the key file", out, e))?;
    Ok(hex::encode(pair.public_key().as_ref()))
}

/// Reads a public key given as hex.
pub fn parse_public_key(text: &str) -> AnchorResult<Vec<u8>> {
    match hex::decode(text.trim()) {
        Ok(k) if k.len() == 32 => Ok(k),
        _ => Err(AnchorError::Failed(format!(
            "“{}” is not an Ed25519 public key (64 hex digits)",
            text.trim()
        ))),
    }
}

impl FolderAnchor {
    /// Signs with the key in `key_file` and keeps checkpoints in `dir`, created when needed.
    pub fn signing(dir: impl Into<PathBuf>, key_file: &Path) -> AnchorResult<FolderAnchor> {
        let dir = dir.into();
        let text = std::fs::read_to_string(key_file)
            .map_err(|e| failed("cannot read the checkpoint key", key_file, e))?;
        let doc = hex::decode(text.trim()).map_err(|_| {
            failed(
                "not a key file of `xunshi audit keygen`:",
                key_file,
                "not hex",
            )
        })?;
        let pair = Ed25519KeyPair::from_pkcs8(&doc)
            .map_err(|e| failed("not an Ed25519 key:", key_file, e))?;
        std::fs::create_dir_all(&dir)
            .map_err(|e| failed("cannot create the checkpoint folder", &dir, e))?;
        Ok(FolderAnchor {
            public: pair.public_key().as_ref().to_vec(),
            signer: Some(Arc::new(pair)),
            dir,
        })
    }

    /// Verifies the checkpoints in `dir` with `public_key` alone; it can write none.
    pub fn verifying(dir: impl Into<PathBuf>, public_key: &str) -> AnchorResult<FolderAnchor> {
        let dir = dir.into();
        if !dir.is_dir() {
            return Err(failed("no checkpoint folder at", &dir, "not a folder"));
        }
        Ok(FolderAnchor {
            public: parse_public_key(public_key)?,
            signer: None,
            dir,
        })
    }

    fn file_name(seq: i64) -> String {
        format!("checkpoint-{seq:012}.json")
    }

    fn is_checkpoint_name(name: &str) -> bool {
        name.strip_prefix("checkpoint-")
            .and_then(|r| r.strip_suffix(".json"))
            .is_some_and(|d| d.len() == 12 && d.bytes().all(|b| b.is_ascii_digit()))
    }

    /// The checkpoint files' names, in sequence order (the zero-padded numbers sort as text).
    fn names(&self) -> AnchorResult<Vec<String>> {
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| failed("cannot list", &self.dir, e))?;
        let mut names = Vec::new();
        for e in entries {
            let e = e.map_err(|e| failed("cannot list", &self.dir, e))?;
            if let Some(name) = e.file_name().to_str()
                && Self::is_checkpoint_name(name)
            {
                names.push(name.to_owned());
            }
        }
        names.sort_unstable();
        Ok(names)
    }

    /// Reads the file `name` and checks it against the trusted key; anything amiss is `Bad`.
    fn read(&self, name: &str) -> AnchorResult<SignedCheckpoint> {
        let path = self.dir.join(name);
        let bad = |why: String| AnchorError::Bad {
            name: name.to_owned(),
            why,
        };
        let bytes = std::fs::read(&path).map_err(|e| failed("cannot read", &path, e))?;
        let f: CheckpointFile = serde_json::from_slice(&bytes)
            .map_err(|e| bad(format!("not a checkpoint file ({e})")))?;
        if f.format != CHECKPOINT_FORMAT {
            return Err(bad(format!("unknown format “{}”", f.format)));
        }
        if Self::file_name(f.seq) != name {
            return Err(bad(format!(
                "it pins record #{} but its name says another",
                f.seq
            )));
        }
        if hex::decode(&f.key).ok().as_deref() != Some(self.public.as_slice()) {
            return Err(bad(format!(
                "signed by the key {}, not by the trusted key {}",
                f.key,
                hex::encode(&self.public)
            )));
        }
        let checkpoint = Checkpoint {
            seq: f.seq,
            hash: f.hash,
            at: f.at,
            alg: f.alg,
        };
        let signature =
            hex::decode(&f.signature).map_err(|_| bad("its signature is not hex".into()))?;
        UnparsedPublicKey::new(&ED25519, &self.public)
            .verify(&checkpoint.message(), &signature)
            .map_err(|_| bad("its signature does not match its content".into()))?;
        Ok(SignedCheckpoint {
            checkpoint,
            key: f.key,
            signature: f.signature,
            name: name.to_owned(),
        })
    }

    /// Signs `c` and links its file into place: linking fails rather than replace a file, so
    /// a checkpoint is never overwritten, even by two instances at once.
    fn write_blocking(&self, c: Checkpoint) -> AnchorResult<SignedCheckpoint> {
        let Some(signer) = &self.signer else {
            return Err(AnchorError::Failed(
                "checkpoints are only verified here: no signing key is configured".into(),
            ));
        };
        let name = Self::file_name(c.seq);
        let dest = self.dir.join(&name);
        let file = CheckpointFile {
            format: CHECKPOINT_FORMAT.to_owned(),
            alg: c.alg,
            seq: c.seq,
            hash: c.hash.clone(),
            at: c.at.clone(),
            key: hex::encode(&self.public),
            signature: hex::encode(signer.sign(&c.message()).as_ref()),
        };
        let body =
            serde_json::to_vec_pretty(&file).map_err(|e| AnchorError::Failed(e.to_string()))?;
        let mut tmp = tempfile::NamedTempFile::new_in(&self.dir)
            .map_err(|e| failed("cannot write in", &self.dir, e))?;
        tmp.write_all(&body)
            .and_then(|_| tmp.as_file().sync_all())
            .map_err(|e| failed("cannot write", tmp.path(), e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o444))
                .map_err(|e| failed("cannot make read-only", tmp.path(), e))?;
        }
        match std::fs::hard_link(tmp.path(), &dest) {
            Ok(()) => {
                // The new name is durable only once its folder is.
                if let Ok(d) = std::fs::File::open(&self.dir) {
                    let _ = d.sync_all();
                }
                self.read(&name)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let there = self.read(&name)?;
                if there.checkpoint.hash == c.hash {
                    Ok(there)
                } else {
                    Err(AnchorError::Bad {
                        name,
                        why: format!(
                            "it pins record #{} with hash {}, but the trail now has {} there: the trail was rewritten",
                            c.seq, there.checkpoint.hash, c.hash
                        ),
                    })
                }
            }
            Err(e) => Err(failed("cannot store", &dest, e)),
        }
    }

    fn latest_blocking(&self) -> AnchorResult<Option<SignedCheckpoint>> {
        match self.names()?.last() {
            Some(name) => self.read(name).map(Some),
            None => Ok(None),
        }
    }

    fn all_blocking(&self) -> AnchorResult<Vec<SignedCheckpoint>> {
        self.names()?.iter().map(|n| self.read(n)).collect()
    }

    /// Runs `f` on the blocking pool: the folder may be a network share.
    fn off_thread<T: Send + 'static>(
        &self,
        f: impl FnOnce(&FolderAnchor) -> AnchorResult<T> + Send + 'static,
    ) -> BoxFuture<'static, AnchorResult<T>> {
        let me = self.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || f(&me))
                .await
                .map_err(|e| AnchorError::Failed(e.to_string()))?
        })
    }
}

impl Anchor for FolderAnchor {
    fn key(&self) -> String {
        hex::encode(&self.public)
    }

    fn write(&self, c: Checkpoint) -> BoxFuture<'static, AnchorResult<SignedCheckpoint>> {
        self.off_thread(move |a| a.write_blocking(c))
    }

    fn latest(&self) -> BoxFuture<'static, AnchorResult<Option<SignedCheckpoint>>> {
        self.off_thread(FolderAnchor::latest_blocking)
    }

    fn all(&self) -> BoxFuture<'static, AnchorResult<Vec<SignedCheckpoint>>> {
        self.off_thread(FolderAnchor::all_blocking)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(seq: i64, hash: &str) -> Checkpoint {
        Checkpoint {
            seq,
            hash: hash.into(),
            at: "2026-12-05T01:00:00.000000Z".into(),
            alg: HashAlg::Sha256,
        }
    }

    fn signing(dir: &Path) -> (FolderAnchor, String) {
        let key = dir.join("checkpoint.key");
        let public = generate_key(&key).unwrap();
        (
            FolderAnchor::signing(dir.join("checkpoints"), &key).unwrap(),
            public,
        )
    }

    #[tokio::test]
    async fn checkpoints_are_signed_kept_once_and_read_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let (a, public) = signing(dir.path());
        assert_eq!(a.key(), public);
        assert_eq!(a.latest().await.unwrap(), None);
        a.write(point(12, "aa")).await.unwrap();
        a.write(point(3, "bb")).await.unwrap();
        // The same point again is taken as written.
        a.write(point(12, "aa")).await.unwrap();
        let all = a.all().await.unwrap();
        assert_eq!(
            all.iter().map(|c| c.checkpoint.seq).collect::<Vec<_>>(),
            [3, 12]
        );
        assert_eq!(
            a.latest().await.unwrap().unwrap().name,
            "checkpoint-000000000012.json"
        );
        // Another hash for a pinned record is refused, and the file stays as it was.
        let err = a.write(point(12, "cc")).await.unwrap_err();
        assert!(matches!(err, AnchorError::Bad { .. }), "{err}");
        assert_eq!(a.latest().await.unwrap().unwrap().checkpoint.hash, "aa");
        // Whoever has the public key alone verifies them.
        let v = FolderAnchor::verifying(dir.path().join("checkpoints"), &public).unwrap();
        assert_eq!(v.all().await.unwrap(), all);
        assert!(v.write(point(13, "dd")).await.is_err());
        // A key file is never replaced.
        assert!(generate_key(&dir.path().join("checkpoint.key")).is_err());
    }

    #[tokio::test]
    async fn a_changed_byte_or_another_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = signing(dir.path());
        let c = a.write(point(7, &"ab".repeat(32))).await.unwrap();
        let path = dir.path().join("checkpoints").join(&c.name);
        let text = std::fs::read_to_string(&path).unwrap();
        let forged = text.replace(&"ab".repeat(32), &format!("ac{}", "ab".repeat(31)));
        assert_ne!(forged, text);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        }
        std::fs::write(&path, forged).unwrap();
        let err = a.all().await.unwrap_err();
        assert!(
            matches!(&err, AnchorError::Bad { why, .. } if why.contains("signature")),
            "{err}"
        );

        // A checkpoint of another key, even well signed, is not trusted under this one.
        let other = tempfile::tempdir().unwrap();
        let (b, _) = signing(other.path());
        let theirs = b.write(point(8, "ee")).await.unwrap();
        std::fs::copy(
            other.path().join("checkpoints").join(&theirs.name),
            dir.path().join("checkpoints").join(&theirs.name),
        )
        .unwrap();
        let err = a.latest().await.unwrap_err();
        assert!(
            matches!(&err, AnchorError::Bad { why, .. } if why.contains("trusted key")),
            "{err}"
        );
    }
}
