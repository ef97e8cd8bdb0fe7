//! Uploads received in pieces into a staging folder, hashed and probed as they are written
//! (`xunshi_core::upload`), so that no upload is ever held whole in memory. The staged file is
//! removed when the [`StagedFile`] made of it is dropped, whether the services kept its
//! content in the blob store or refused it.

use std::path::Path;

use tokio::io::AsyncWriteExt;
use xunshi_core::crypto::HashAlg;
use xunshi_core::upload::{StagedFile, Taking};
use xunshi_core::{CoreError, Result};

pub struct Stager {
    file: tokio::fs::File,
    path: tempfile::TempPath,
    taking: Taking,
}

fn failed(what: &str, path: &Path, e: std::io::Error) -> CoreError {
    CoreError::internal(format!("the upload {what} {}: {e}", path.display()))
}

impl Stager {
    /// A new staging file in `dir` (created when needed), named by `alg` as it is written.
    pub async fn create(dir: &Path, alg: HashAlg) -> Result<Stager> {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| failed("folder cannot be made:", dir, e))?;
        let owned = dir.to_owned();
        let (file, path) =
            tokio::task::spawn_blocking(move || tempfile::NamedTempFile::new_in(&owned))
                .await
                .map_err(CoreError::internal)?
                .map_err(|e| failed("cannot be staged in", dir, e))?
                .into_parts();
        Ok(Stager {
            file: tokio::fs::File::from_std(file),
            path,
            taking: Taking::new(alg),
        })
    }

    /// Removes the staging files in `dir` older than `age`: left by a process that was killed
    /// while receiving them. Younger ones may be another instance's, still arriving.
    pub fn sweep(dir: &Path, age: std::time::Duration) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let old = e
                .metadata()
                .and_then(|m| m.modified())
                .is_ok_and(|t| t.elapsed().is_ok_and(|a| a > age));
            if old && let Err(err) = std::fs::remove_file(e.path()) {
                tracing::warn!(file = %e.path().display(), error = %err, "a stale upload stays");
            }
        }
    }

    /// Writes the next piece.
    pub async fn write(&mut self, piece: &[u8]) -> Result<()> {
        self.taking.update(piece);
        self.file
            .write_all(piece)
            .await
            .map_err(|e| failed("cannot be written to", &self.path, e))
    }

    /// How many bytes have been written.
    pub fn size(&self) -> u64 {
        self.taking.size()
    }

    /// The staged file, its content name and probe.
    pub async fn finish(mut self) -> Result<StagedFile> {
        self.file
            .flush()
            .await
            .map_err(|e| failed("cannot be written to", &self.path, e))?;
        let (name, alg, probe) = self.taking.finish();
        Ok(StagedFile::new(
            self.path.to_path_buf(),
            name,
            alg,
            probe,
            Box::new(self.path),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_staged_file_is_named_by_its_content_and_gone_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Stager::create(&dir.path().join("uploads"), HashAlg::Sm3)
            .await
            .unwrap();
        s.write(b"%PDF-1.7 ").await.unwrap();
        s.write(b"the rest").await.unwrap();
        assert_eq!(s.size(), 17);
        let staged = s.finish().await.unwrap();
        assert_eq!(staged.name, HashAlg::Sm3.content_name(b"%PDF-1.7 the rest"));
        assert_eq!(std::fs::read(&staged.path).unwrap(), b"%PDF-1.7 the rest");
        assert!(staged.probe.head().starts_with(b"%PDF-"));
        let path = staged.path.clone();
        drop(staged);
        assert!(!path.exists());
    }
}
