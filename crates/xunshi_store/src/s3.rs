//! Evidence files in an S3-compatible object store (AWS S3, MinIO, Ceph, the clouds' object
//! storage), for several instances that share no folder: the same names as in the local
//! folder (`<prefix><aa>/<name>`), written once with `If-None-Match` so a stored object is
//! never replaced, and checked against their name whenever they are read. An upload staged on
//! disk goes up in parts (a multipart upload, a part in memory at a time) unless its name is
//! there already; two instances storing the same new content at once may each write it, the
//! same bytes under the same name.

use std::sync::Arc;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload, WriteMultipart};
use tokio::io::AsyncReadExt;
use xunshi_core::crypto::{HashAlg, content_key, parse_content_name};
use xunshi_core::store::{Blobs, BoxFuture};
use xunshi_core::{CoreError, Result};

/// Where the bucket is and how to reach it.
#[derive(Clone)]
pub struct S3Settings {
    /// `https://s3.example.cn` or, for a store on the same host, `http://127.0.0.1:9000`.
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    /// Put before every name, e.g. `xunshi/`.
    pub prefix: String,
}

/// Never prints the secret key.
impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
pub struct S3Blobs {
    store: Arc<AmazonS3>,
    prefix: String,
    /// For messages: `s3://bucket/prefix`.
    place: String,
}

/// Names the bucket only: the client's own `Debug` would show its credentials.
impl std::fmt::Debug for S3Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Blobs")
            .field("place", &self.place)
            .finish_non_exhaustive()
    }
}

fn failed(what: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::internal(format!("the object store {what}: {e}"))
}

impl S3Blobs {
    pub fn new(s: &S3Settings) -> Result<S3Blobs> {
        let store = AmazonS3Builder::new()
            .with_endpoint(&s.endpoint)
            .with_bucket_name(&s.bucket)
            .with_region(&s.region)
            .with_access_key_id(&s.access_key_id)
            .with_secret_access_key(&s.secret_access_key)
            .with_allow_http(s.endpoint.starts_with("http://"))
            .build()
            .map_err(|e| failed("is not configured right", e))?;
        Ok(S3Blobs {
            store: Arc::new(store),
            prefix: s.prefix.clone(),
            place: format!("s3://{}/{}", s.bucket, s.prefix),
        })
    }

    /// The object of a well-formed name.
    fn path_of(&self, name: &str) -> Option<ObjectPath> {
        content_key(name).map(|k| ObjectPath::from(format!("{}{k}", self.prefix)))
    }

    /// The bucket and prefix, `s3://bucket/prefix`, for messages and logs.
    pub fn place(&self) -> &str {
        &self.place
    }
}

impl Blobs for S3Blobs {
    fn put(
        &self,
        bytes: Vec<u8>,
        _content_type: &str,
        alg: HashAlg,
    ) -> BoxFuture<'static, Result<String>> {
        let this = self.clone();
        Box::pin(async move {
            let name = alg.content_name(&bytes);
            let path = this
                .path_of(&name)
                .ok_or_else(|| CoreError::internal("a content name that is not one"))?;
            let opts = PutOptions {
                mode: PutMode::Create,
                ..PutOptions::default()
            };
            match this
                .store
                .put_opts(&path, PutPayload::from(bytes), opts)
                .await
            {
                // Stored already under its name: the same content, left as it is.
                Ok(_) | Err(object_store::Error::AlreadyExists { .. }) => Ok(name),
                Err(object_store::Error::Precondition { .. }) => Ok(name),
                Err(e) => Err(failed(&format!("{} did not take {name}", this.place), e)),
            }
        })
    }

    fn put_file(
        &self,
        file: std::path::PathBuf,
        name: String,
        _content_type: &str,
    ) -> BoxFuture<'static, Result<()>> {
        let this = self.clone();
        Box::pin(async move {
            let path = this
                .path_of(&name)
                .ok_or_else(|| CoreError::internal("a content name that is not one"))?;
            match this.store.head(&path).await {
                Ok(_) => return Ok(()),
                Err(object_store::Error::NotFound { .. }) => {}
                Err(e) => return Err(failed(&format!("{} did not say of {name}", this.place), e)),
            }
            let did_not_take = |e: &dyn std::fmt::Display| {
                failed(&format!("{} did not take {name}", this.place), e)
            };
            let upload = this
                .store
                .put_multipart(&path)
                .await
                .map_err(|e| did_not_take(&e))?;
            let mut write = WriteMultipart::new(upload);
            let mut f = tokio::fs::File::open(&file)
                .await
                .map_err(|e| CoreError::internal(format!("{}: {e}", file.display())))?;
            let mut piece = vec![0u8; 256 * 1024];
            loop {
                let n = f
                    .read(&mut piece)
                    .await
                    .map_err(|e| CoreError::internal(format!("{}: {e}", file.display())))?;
                if n == 0 {
                    break;
                }
                // Waits while too many parts are on their way, so memory stays bounded.
                write
                    .wait_for_capacity(2)
                    .await
                    .map_err(|e| did_not_take(&e))?;
                write.write(&piece[..n]);
            }
            write.finish().await.map_err(|e| did_not_take(&e))?;
            Ok(())
        })
    }

    fn get(&self, name: &str) -> BoxFuture<'static, Result<Vec<u8>>> {
        let this = self.clone();
        let name = name.to_owned();
        Box::pin(async move {
            let (Some((alg, digest)), Some(path)) =
                (parse_content_name(&name), this.path_of(&name))
            else {
                return Err(CoreError::NotFound("文件".into()));
            };
            let got = match this.store.get(&path).await {
                Ok(g) => g,
                Err(object_store::Error::NotFound { .. }) => {
                    return Err(CoreError::internal(format!(
                        "evidence file {name} is missing from {}",
                        this.place
                    )));
                }
                Err(e) => return Err(failed(&format!("{} did not give {name}", this.place), e)),
            };
            let bytes = got
                .bytes()
                .await
                .map_err(|e| failed(&format!("{} broke off {name}", this.place), e))?;
            if alg.hex(&bytes) != digest {
                return Err(CoreError::internal(format!(
                    "evidence file {name} in {} was altered: its content no longer hashes to its name",
                    this.place
                )));
            }
            Ok(bytes.to_vec())
        })
    }

    fn delete(&self, name: &str) -> BoxFuture<'static, Result<()>> {
        let this = self.clone();
        let name = name.to_owned();
        Box::pin(async move {
            let path = this
                .path_of(&name)
                .ok_or_else(|| CoreError::internal("a content name that is not one"))?;
            match this.store.delete(&path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(failed(&format!("{} did not remove {name}", this.place), e)),
            }
        })
    }
}
