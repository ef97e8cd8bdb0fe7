//! Evidence files in a local folder, content-addressed: a file's name is the SHA-256 of its
//! content, under a sub-folder of its first two hex digits (`<root>/ab/abcd…`), so no folder
//! grows too large. A file is written once and never overwritten: writing the same content again
//! finds it there and does nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use xunshi_core::store::blobs::is_blob_name;
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

    fn path_of(root: &Path, hash: &str) -> PathBuf {
        root.join(&hash[..2]).join(hash)
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::internal(format!("{what} {}: {e}", path.display()))
}

/// Writes `bytes` as `<root>/<aa>/<hash>` unless it is there already. The content goes to a
/// temporary file first and is then hard-linked into place: linking fails rather than replace
/// an existing file, so a stored file is never overwritten, even by two writers at once.
fn put_blocking(root: &Path, bytes: &[u8]) -> Result<String> {
    let hash = hex::encode(Sha256::digest(bytes));
    put_reader(root, bytes, &hash)?;
    Ok(hash)
}

/// Streams an evidence file of a known hash from `r` into `<root>/<aa>/<hash>`, as
/// [`put_blocking`] stores it, without holding it in memory; content that does not hash to
/// `hash` is refused and nothing is stored.
pub(crate) fn put_reader(root: &Path, mut r: impl std::io::Read, hash: &str) -> Result<()> {
    if !is_blob_name(hash) {
        return Err(CoreError::internal(format!(
            "“{hash}” is not an evidence file's name"
        )));
    }
    let dest = LocalBlobs::path_of(root, hash);
    if dest.exists() {
        return Ok(());
    }
    let dir = dest.parent().expect("a blob path has a folder");
    std::fs::create_dir_all(dir).map_err(|e| io_err("cannot create", dir, e))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| io_err("cannot write in", dir, e))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = r
            .read(&mut buf)
            .map_err(|e| io_err("cannot read the content of", &dest, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        tmp.write_all(&buf[..n])
            .map_err(|e| io_err("cannot write", tmp.path(), e))?;
    }
    if hex::encode(h.finalize()) != hash {
        return Err(CoreError::internal(format!(
            "evidence file {hash}: the content does not hash to its name"
        )));
    }
    tmp.as_file()
        .sync_all()
        .map_err(|e| io_err("cannot write", tmp.path(), e))?;
    match std::fs::hard_link(tmp.path(), &dest) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(io_err("cannot store", &dest, e)),
    }
}

fn get_blocking(root: &Path, hash: &str) -> Result<Vec<u8>> {
    if !is_blob_name(hash) {
        return Err(CoreError::NotFound("文件".into()));
    }
    let path = LocalBlobs::path_of(root, hash);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(CoreError::internal(format!(
                "evidence file {hash} is missing from {}",
                root.display()
            )));
        }
        Err(e) => return Err(io_err("cannot read", &path, e)),
    };
    // A file that no longer hashes to its name was altered on disk; never hand it out as the
    // evidence that was uploaded.
    let actual = hex::encode(Sha256::digest(&bytes));
    if actual != hash {
        return Err(CoreError::internal(format!(
            "evidence file {} was altered: its content hashes to {actual}",
            path.display()
        )));
    }
    Ok(bytes)
}

impl Blobs for LocalBlobs {
    fn put(&self, bytes: Vec<u8>, _content_type: &str) -> BoxFuture<'static, Result<String>> {
        let root = self.root.clone();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || put_blocking(&root, &bytes))
                .await
                .map_err(CoreError::internal)?
        })
    }

    fn get(&self, sha256: &str) -> BoxFuture<'static, Result<Vec<u8>>> {
        let root = self.root.clone();
        let hash = sha256.to_owned();
        Box::pin(async move {
            tokio::task::spawn_blocking(move || get_blocking(&root, &hash))
                .await
                .map_err(CoreError::internal)?
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
        let h1 = b.put(b"abc".to_vec(), "text/plain").await.unwrap();
        assert_eq!(
            h1,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let h2 = b.put(b"abc".to_vec(), "text/plain").await.unwrap();
        assert_eq!(h1, h2);
        let files = files_under(b.root());
        assert_eq!(files.len(), 1, "stored once: {files:?}");
        assert!(files[0].ends_with(format!("ba/{h1}")));
        assert_eq!(b.get(&h1).await.unwrap(), b"abc");
    }

    #[tokio::test]
    async fn altered_missing_and_malformed_names_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let b = LocalBlobs::new(dir.path());
        let h = b.put(b"evidence".to_vec(), "text/plain").await.unwrap();
        assert!(matches!(
            b.get("../../etc/passwd").await,
            Err(CoreError::NotFound(_))
        ));
        let missing = "0".repeat(64);
        assert!(matches!(b.get(&missing).await, Err(CoreError::Internal(_))));
        std::fs::write(LocalBlobs::path_of(dir.path(), &h), b"forged").unwrap();
        let err = b.get(&h).await.unwrap_err().to_string();
        assert!(err.contains("altered"), "{err}");
    }
}
