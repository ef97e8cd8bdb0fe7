//! Where evidence files live: content-addressed by SHA-256, outside the database. A local
//! folder by default; an S3-compatible object store for deployments of several servers.
//!
//! Files are written before the database row that names them: a failed transaction leaves at
//! worst an unreferenced file, which the same content reuses later, never a row without a file.

use crate::error::Result;
use crate::store::BoxFuture;

pub trait Blobs: Send + Sync + 'static {
    /// Stores `bytes` under their SHA-256 and returns it (lower-case hex). Storing content that
    /// is already there changes nothing; a stored file is never overwritten.
    fn put(&self, bytes: Vec<u8>, content_type: &str) -> BoxFuture<'static, Result<String>>;

    /// The content stored under `sha256`. `NotFound` if there is none; `Internal` if what is
    /// stored no longer hashes to its name.
    fn get(&self, sha256: &str) -> BoxFuture<'static, Result<Vec<u8>>>;
}

/// Whether `s` can be the name of a blob: 64 lower-case hex digits (and so never a path).
pub fn is_blob_name(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
