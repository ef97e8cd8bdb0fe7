//! Anchoring the audit trail outside the database (审计锚定).
//!
//! The hash chain shows an edit or a removal in the middle, but someone who can write the
//! database can also delete the newest records and rewind the head, or edit a record and
//! recompute every later hash: the chain is whole again. A checkpoint — a record's sequence
//! number and hash at a moment — signed with a key the database never holds and kept where
//! the database cannot write, pins the chain as it was: a later chain must still hold that
//! record with that hash. Signing and the folder are the store crate's (`FolderAnchor`);
//! what a checkpoint says and how the chain is held to it are here.

use serde::Serialize;

use crate::crypto::HashAlg;
use crate::error::CoreError;
use crate::store::BoxFuture;

/// A point of the chain: the record with sequence number `seq` carried `hash` at `at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// RFC 3339 UTC, as signed.
    pub at: String,
    /// The hash the chain carried when the checkpoint was signed (SHA-256 unless the
    /// installation runs the national cryptography option).
    pub alg: HashAlg,
}

/// The format tag signed with every checkpoint, so that a signature made for anything else
/// never passes for one.
pub const CHECKPOINT_FORMAT: &str = "xunshi-audit-checkpoint/1";

impl Checkpoint {
    /// The bytes that are signed: the format tag and the three fields, a line each, after
    /// the hash's name when it is not SHA-256 (checkpoints signed before the option existed
    /// verify as they were). None of the fields can hold a line break (a name, a number, a hex
    /// hash, a timestamp), and a name is never a number, so the lines cannot be read two ways.
    pub fn message(&self) -> Vec<u8> {
        let alg = match self.alg {
            HashAlg::Sha256 => String::new(),
            other => format!("{}\n", other.as_str()),
        };
        format!(
            "{CHECKPOINT_FORMAT}\n{alg}{}\n{}\n{}\n",
            self.seq, self.hash, self.at
        )
        .into_bytes()
    }
}

/// A checkpoint with the signature that vouches for it, as kept outside the database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SignedCheckpoint {
    #[serde(flatten)]
    pub checkpoint: Checkpoint,
    /// The public key that signed it, hex.
    pub key: String,
    /// The Ed25519 signature, hex, over the format tag, `seq`, `hash` and `at`, a line each.
    pub signature: String,
    /// Where it is kept (the file's name), for the people who file it on paper.
    pub name: String,
}

/// What keeping or reading checkpoints can run into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnchorError {
    /// A checkpoint that does not verify: forged, signed by another key, damaged, or another
    /// hash for a record already pinned. Itself a finding about the trail.
    Bad { name: String, why: String },
    /// The folder or the key could not be used (missing, unreadable, no key to sign with).
    Failed(String),
}

impl std::fmt::Display for AnchorError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnchorError::Bad { name, why } => write!(f, "checkpoint {name}: {why}"),
            AnchorError::Failed(e) => write!(f, "{e}"),
        }
    }
}

impl From<AnchorError> for CoreError {
    fn from(e: AnchorError) -> CoreError {
        match e {
            AnchorError::Bad { .. } => CoreError::Conflict(format!("审计锚定：{e}")),
            AnchorError::Failed(_) => CoreError::Internal(format!("audit checkpoints: {e}")),
        }
    }
}

pub type AnchorResult<T> = std::result::Result<T, AnchorError>;

/// Writes and reads signed checkpoints. Every checkpoint an `Anchor` returns has had its
/// signature checked against the key the anchor trusts; one that does not verify is an
/// error ([`AnchorError::Bad`]), never skipped, since a forged or damaged checkpoint is
/// itself a finding.
pub trait Anchor: Send + Sync + 'static {
    /// The trusted public key, hex.
    fn key(&self) -> String;
    /// Signs `c` and keeps it; a checkpoint is never overwritten (the same point again is
    /// taken as written; another hash for a sequence number already pinned is refused).
    fn write(&self, c: Checkpoint) -> BoxFuture<'static, AnchorResult<SignedCheckpoint>>;
    /// The checkpoint of the highest sequence number, if any.
    fn latest(&self) -> BoxFuture<'static, AnchorResult<Option<SignedCheckpoint>>>;
    /// Every checkpoint, in sequence order.
    fn all(&self) -> BoxFuture<'static, AnchorResult<Vec<SignedCheckpoint>>>;
}

/// How the chain stands against a checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Agreement {
    /// The chain holds the record with the checkpoint's hash.
    Holds,
    /// The record is there with another hash: the chain was rewritten from it or before.
    Differs,
    /// The chain ends before the record: its newest records were removed.
    Missing,
}

impl Agreement {
    pub fn of(checkpoint: &Checkpoint, stored_hash: Option<&str>) -> Agreement {
        match stored_hash {
            Some(h) if h == checkpoint.hash => Agreement::Holds,
            Some(_) => Agreement::Differs,
            None => Agreement::Missing,
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Agreement::Holds => "与审计链一致",
            Agreement::Differs => "不一致：审计链在此序号处的哈希已改变，日志被改写",
            Agreement::Missing => "不一致：审计链已不含此序号的记录，最新记录被删除",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_message_names_its_format_and_each_field_on_a_line() {
        let c = Checkpoint {
            seq: 42,
            hash: "ab".repeat(32),
            at: "2026-12-05T01:00:00Z".into(),
            alg: HashAlg::Sha256,
        };
        let text = String::from_utf8(c.message()).unwrap();
        assert_eq!(
            text,
            format!(
                "xunshi-audit-checkpoint/1\n42\n{}\n2026-12-05T01:00:00Z\n",
                "ab".repeat(32)
            )
        );
        let sm = Checkpoint {
            alg: HashAlg::Sm3,
            ..c
        };
        assert_eq!(
            String::from_utf8(sm.message()).unwrap(),
            format!(
                "xunshi-audit-checkpoint/1\nsm3\n42\n{}\n2026-12-05T01:00:00Z\n",
                "ab".repeat(32)
            )
        );
    }

    #[test]
    fn agreement_tells_a_rewrite_from_a_rewind() {
        let c = Checkpoint {
            seq: 3,
            hash: "h3".into(),
            at: "t".into(),
            alg: HashAlg::Sha256,
        };
        assert_eq!(Agreement::of(&c, Some("h3")), Agreement::Holds);
        assert_eq!(Agreement::of(&c, Some("x")), Agreement::Differs);
        assert_eq!(Agreement::of(&c, None), Agreement::Missing);
    }
}
