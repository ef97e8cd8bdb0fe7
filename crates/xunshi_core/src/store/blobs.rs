//! Where evidence files live: content-addressed by their hash (SHA-256, or SM3 under the
//! national cryptography option; the name says which, `crypto::parse_content_name`), outside
//! the database. A local
//! folder by default; an S3-compatible object store for deployments of several servers.
//!
//! Files are written before the database row that names them: a failed transaction leaves at
//! worst an unreferenced file, which the same content reuses later, never a row without a file.

use crate::crypto::HashAlg;
use crate::error::Result;
use crate::store::BoxFuture;

pub trait Blobs: Send + Sync + 'static {
    /// Stores `bytes` under their name by `alg` ([`HashAlg::content_name`]) and returns it.
    /// Storing content that is already there changes nothing; a stored file is never
    /// overwritten.
    fn put(
        &self,
        bytes: Vec<u8>,
        content_type: &str,
        alg: HashAlg,
    ) -> BoxFuture<'static, Result<String>>;

    /// Stores the staged file at `path`, which its writer named `name` as it wrote it (by the
    /// hash the name says), reading it in pieces; unless that content is there already.
    fn put_file(
        &self,
        path: std::path::PathBuf,
        name: String,
        content_type: &str,
    ) -> BoxFuture<'static, Result<()>>;

    /// The content stored under `name`. `NotFound` if there is none; `Internal` if what is
    /// stored no longer hashes to its name.
    fn get(&self, name: &str) -> BoxFuture<'static, Result<Vec<u8>>>;

    /// Removes the content stored under `name`, for a disposal once no record names it;
    /// nothing when there is none.
    fn delete(&self, name: &str) -> BoxFuture<'static, Result<()>>;
}

/// Whether `s` can be the name of a blob (and so is never a path).
pub fn is_blob_name(s: &str) -> bool {
    crate::crypto::parse_content_name(s).is_some()
}
