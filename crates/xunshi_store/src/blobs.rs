//! Evidence files in a local folder, content-addressed: a file's name is the hash of its
//! content (SHA-256 in hex, or `sm3-` and SM3 in hex; `crypto::parse_content_name`), under a
//! sub-folder of the digest's first two hex digits (`<root>/ab/abcd…`, `<root>/ab/sm3-abcd…`),
//! so no folder grows too large. A file is written once and never overwritten: writing the same content again
//! finds it there and does nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use xunshi_core::crypto::{HashAlg, content_key, parse_content_name};
use xunshi_core::store::{Blobs, BoxFuture};
use xunshi_core::{CoreError, Result};

#[derive(Debug, Clone)]
pub struct LocalBlobs {
    root: PathBuf,
}

impl LocalBlobs {
    /// Files go below `root` (normally `<data_dir>/blobs`), which is created when needed.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalBlobs { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Where the file of a well-formed name is kept.
    fn path_of(root: &Path, name: &str) -> Option<PathBuf> {
        content_key(name).map(|k| root.join(k))
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::internal(format!("{what} {}: {e}", path.display()))
}

/// Writes `bytes` as `<root>/<aa>/<name>`, named by `alg`, unless it is there already.
fn put_blocking(root: &Path, bytes: &[u8], alg: HashAlg) -> Result<String> {
    let name = alg.content_name(bytes);
    place_blocking(root, &name, |tmp| tmp.write_all(bytes))?;
    Ok(name)
}

/// Copies the staged file at `from` as `<root>/<aa>/<name>`, unless it is there already.
fn put_file_blocking(root: &Path, from: &Path, name: &str) -> Result<()> {
    place_blocking(root, name, |tmp| {
        std::fs::copy(from, tmp.path()).map(|_| ())
    })
}

/// Stores the content `fill` writes as `<root>/<aa>/<name>`, unless that file is there
/// already. The content goes to a temporary file first and is then hard-linked into place:
/// linking fails rather than replace an existing file, so a stored file is never overwritten,
/// even by two writers at once.
fn place_blocking(
    root: &Path,
    name: &str,
    fill: impl FnOnce(&mut tempfile::NamedTempFile) -> std::io::Result<()>,
) -> Result<()> {
    let dest = LocalBlobs::path_of(root, name)
        .ok_or_else(|| CoreError::internal(format!("“{name}” is not an evidence file's name")))?;
    if dest.exists() {
        return Ok(());
    }
    let dir = dest.parent().unwrap_or(root);
    std::fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| io_err("cannot write in", dir, e))?;
    fill(&mut tmp)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| io_err("cannot write", tmp.path(), e))?;
    match std::fs::hard_link(tmp.path(), &dest) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_err("cannot store", &dest, e)),
    }
}

fn get_blocking(root: &Path, name: &str) -> Result<Vec<u8>> {
    let (Some((alg, digest)), Some(path)) =
        (parse_content_name(name), LocalBlobs::path_of(root, name))
    else {
        return Err(CoreError::NotFound("文件".into()));
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CoreError::internal(format!(
                "evidence file {name} is missing from {}",
                root.display()
            )));
        }
        Err(e) => return Err(io_err("cannot read", &path, e)),
    };
    // A file that no longer hashes to its name was altered on disk; never hand it out as the
    // evidence that was uploaded.
    let actual = alg.hex(&bytes);
    if actual != digest {
        return Err(CoreError::internal(format!(
            "evidence file {} was altered: its content hashes to {actual}",
            path.display()
        )));
    }
    Ok(bytes)
}

impl Blobs for LocalBlobs {
    fn put(
        &self,
        bytes: Vec<u8>,
        _content_type: &str,
        alg: HashAlg,
    ) -> BoxFuture<'static, Result<String>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || put_blocking(&root, &bytes, alg))
                .await
                .map_err(CoreError::internal)?
        })
    }

    fn put_file(
        &self,
        path: PathBuf,
        name: String,
        _content_type: &str,
    ) -> BoxFuture<'static, Result<()>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || put_file_blocking(&root, &path, &name))
                .await
                .map_err(CoreError::internal)?
        })
    }

    fn get(&self, name: &str) -> BoxFuture<'static, Result<Vec<u8>>> {
        let root = self.root.clone();
        let hash = name.to_owned();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || get_blocking(&root, &hash))
                .await
                .map_err(CoreError::internal)?
        })
    }

    fn delete(&self, name: &str) -> BoxFuture<'static, Result<()>> {
        let path = LocalBlobs::path_of(&self.root, name);
        Box::pin(async move {
            let Some(path) = path else {
                return Err(CoreError::internal("a content name that is not one"));
            };
            match tokio::fs::remove_file(&path).await {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
                Err(e) => Err(io_err("cannot remove", &path, e)),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_under(p: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for e in std::fs::read_dir(p).unwrap() {
            let e = e.unwrap().path();
            if e.is_dir() {
                out.extend(files_under(&e));
            } else {
                out.push(e);
            }
        }
        out
    }

    #[tokio::test]
    async fn content_is_stored_once_under_its_hash_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let b = LocalBlobs::new(dir.path().join("blobs"));
        let h1 = b
            .put(b"abc".to_vec(), "text/plain", HashAlg::Sha256)
            .await
            .unwrap();
        assert_eq!(
            h1,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let h2 = b
            .put(b"abc".to_vec(), "text/plain", HashAlg::Sha256)
            .await
            .unwrap();
        assert_eq!(h1, h2);
        let files = files_under(b.root());
        assert_eq!(files.len(), 1, "stored once: {files:?}");
        assert!(files[0].ends_with(format!("ba/{h1}")));
        assert_eq!(b.get(&h1).await.unwrap(), b"abc");
        // Under SM3 the same content has a name of its own, beside it.
        let sm = b
            .put(b"abc".to_vec(), "text/plain", HashAlg::Sm3)
            .await
            .unwrap();
        assert_eq!(
            sm,
            "sm3-66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
        assert!(b.root().join("66").join(&sm).is_file());
        assert_eq!(b.get(&sm).await.unwrap(), b"abc");
    }

    #[tokio::test]
    async fn altered_missing_and_malformed_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let b = LocalBlobs::new(dir.path());
        let h = b
            .put(b"evidence".to_vec(), "text/plain", HashAlg::Sha256)
            .await
            .unwrap();
        let sm = b
            .put(b"evidence".to_vec(), "text/plain", HashAlg::Sm3)
            .await
            .unwrap();
        assert!(matches!(
            b.get("../../etc/passwd").await,
            Err(CoreError::NotFound(_))
        ));
        let missing = "0".repeat(64);
        assert!(matches!(b.get(&missing).await, Err(CoreError::Internal(_))));
        for name in [&h, &sm] {
            let path = LocalBlobs::path_of(dir.path(), name).unwrap();
            std::fs::write(path, b"forged").unwrap();
            let err = b.get(name).await.unwrap_err().to_string();
            assert!(err.contains("altered"), "{err}");
        }
    }
}
