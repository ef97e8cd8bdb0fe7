//! What a switch of algorithms rewrites (`Services::switch_crypto`): the audit chain's hashes,
//! the sealed fields and the names of stored files. Each is walked in pages by id, so no
//! switch holds a whole table in memory.

use std::future::Future;

use crate::crypto::HashAlg;
use crate::error::Result;
use crate::fieldwork::{Letter, Talk};
use crate::id::Id;

/// A sealed column and the context its values are sealed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedField {
    /// A letter writer's identity (`letters.writer_sealed`).
    LetterWriter,
    /// A talk's record (`talks.text_sealed`).
    TalkText,
    /// The secret of a person's second factor (`two_factor.secret`, by user).
    TwoFactorSecret,
}

impl SealedField {
    pub const ALL: [SealedField; 3] = [
        SealedField::LetterWriter,
        SealedField::TalkText,
        SealedField::TwoFactorSecret,
    ];

    /// The associated data a value of row `id` is sealed with.
    pub fn context(self, id: Id) -> String {
        match self {
            SealedField::LetterWriter => Letter::writer_context(id),
            SealedField::TalkText => Talk::text_context(id),
            SealedField::TwoFactorSecret => crate::service::two_factor_context(id),
        }
    }
}

/// A column naming stored files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileColumn {
    /// A working paper's evidence (`evidence`).
    PaperEvidence,
    /// A task's evidence of rectification (`task_evidence`).
    TaskEvidence,
    /// The files of letters and fieldwork records (`fieldwork_files`).
    FieldworkFile,
}

impl FileColumn {
    pub const ALL: [FileColumn; 3] = [
        FileColumn::PaperEvidence,
        FileColumn::TaskEvidence,
        FileColumn::FieldworkFile,
    ];
}

/// One record chained again: its new `prev_hash` and `hash`.
#[derive(Debug, Clone)]
pub struct Rechained {
    pub seq: i64,
    pub prev_hash: String,
    pub hash: String,
}

pub trait CryptoWrite {
    /// Rewrites the hashes of records, keeping everything they say.
    fn rechain_audit(&mut self, records: &[Rechained]) -> impl Future<Output = Result<()>> + Send;
    /// Names the hash the chain's records carry from now on.
    fn set_audit_alg(&mut self, alg: HashAlg) -> impl Future<Output = Result<()>> + Send;
    /// Rows of `field` that hold a value, after `after`, by id: `(id, sealed value)`.
    fn sealed_after(
        &mut self,
        field: SealedField,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(Id, String)>>> + Send;
    fn set_sealed(
        &mut self,
        field: SealedField,
        id: Id,
        value: &str,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Rows of `column` after `after`, by id: `(id, stored file's name)`.
    fn files_after(
        &mut self,
        column: FileColumn,
        after: Option<Id>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<(Id, String)>>> + Send;
    fn set_file_name(
        &mut self,
        column: FileColumn,
        id: Id,
        name: &str,
    ) -> impl Future<Output = Result<()>> + Send;
}
