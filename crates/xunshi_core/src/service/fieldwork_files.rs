//! Files of fieldwork records: a letter's scan, a forum's minutes, an appraisal's tally sheet,
//! the photographs of a visit. They are the team's alone, as the records they belong to; each
//! file is checked as evidence is, stored by its hash, and each download recorded.
//!
//! A talk takes no file: its record is sealed at rest and a file beside it would not be. A
//! document request's materials stay with the unit that lent them.

use serde_json::json;

use super::letters::team_letter;
use super::papers::{Seat, require_team};
use super::planning::load_inspection;
use super::{Services, record};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::fieldwork::{FieldRecord, SourceKind};
use crate::id::Id;
use crate::paper::{FileKind, clean_filename};
use crate::permission::Actor;
use crate::store::{FieldworkFile, FieldworkRead, FieldworkWrite, ReadTx, Store, WriteTx};
use crate::upload::Upload;

impl<S: Store> Services<S> {
    /// Adds a file to a letter or to another method's record: a member of the team.
    pub async fn add_fieldwork_file(
        &self,
        actor: &Actor,
        owner_kind: SourceKind,
        owner_id: Id,
        filename: &str,
        content: impl Into<Upload>,
    ) -> Result<FieldworkFile> {
        let filename = clean_filename(filename)?;
        // Who may add is asked before the content is checked and stored, so that a refused
        // request learns nothing from the file's checks and leaves no blob behind.
        {
            let mut tx = self.store.read().await?;
            team_owner(&mut tx, actor, owner_kind, owner_id).await?;
        }
        let (kind, size, hash) = self.keep_upload(&filename, content.into()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        team_owner(&mut tx, actor, owner_kind, owner_id).await?;
        let f = new_file(owner_kind, owner_id, &filename, kind, size, &hash, now);
        tx.insert_fieldwork_file(&f).await?;
        let action = match owner_kind {
            SourceKind::Letter => Action::LetterFileAdded,
            _ => Action::FieldRecordFileAdded,
        };
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                action,
                owner_kind.as_str(),
                Some(owner_id),
                json!({ "file_id": f.id, "filename": f.filename, "size": size, "sha256": hash }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(f)
    }

    /// A fieldwork file for the team, its download recorded.
    pub async fn fieldwork_file(
        &self,
        actor: &Actor,
        file_id: Id,
    ) -> Result<(FieldworkFile, Vec<u8>)> {
        let f = {
            let mut tx = self.store.read().await?;
            let f = tx
                .get_fieldwork_file(file_id)
                .await?
                .ok_or_else(|| CoreError::NotFound("附件".into()))?;
            team_owner(&mut tx, actor, f.owner_kind, f.owner_id)
                .await
                .map_err(|e| match e {
                    // To anyone outside the team the file does not exist, as its record does not.
                    CoreError::NotFound(_) => CoreError::NotFound("附件".into()),
                    e => e,
                })?;
            f
        };
        let bytes = self.blobs()?.get(&f.sha256).await?;
        self.record_shown(
            actor,
            self.now(),
            AuditEntry::new(
                Action::EvidenceDownloaded,
                f.owner_kind.as_str(),
                Some(f.owner_id),
                json!({ "file_id": f.id, "filename": f.filename }),
            ),
        )
        .await?;
        Ok((f, bytes))
    }
}

/// A record of the other methods with its inspection, for a member of its team; to anyone
/// else it does not exist.
pub(crate) async fn team_record<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    id: Id,
) -> Result<FieldRecord> {
    let missing = || CoreError::NotFound("工作记录".into());
    let r = tx.get_field_record(id).await?.ok_or_else(missing)?;
    let insp = load_inspection(tx, r.inspection_id).await?;
    require_team(actor, &insp, Seat::Member).map_err(|e| match e {
        CoreError::Forbidden(_) => missing(),
        e => e,
    })?;
    Ok(r)
}

/// Checks that the owner of a file exists and that the actor is of its team.
async fn team_owner<T: ReadTx>(tx: &mut T, actor: &Actor, kind: SourceKind, id: Id) -> Result<()> {
    match kind {
        SourceKind::Letter => team_letter(tx, actor, id).await.map(drop),
        SourceKind::FieldRecord => team_record(tx, actor, id).await.map(drop),
        SourceKind::Talk | SourceKind::DocRequest => Err(CoreError::RuleRefused(format!(
            "{}不附文件：附件只随来信来访和其他工作记录保存",
            kind.label()
        ))),
    }
}

/// A new file row; the content is already in the blob store under `hash`.
pub(crate) fn new_file(
    owner_kind: SourceKind,
    owner_id: Id,
    name: &str,
    kind: FileKind,
    size: i64,
    hash: &str,
    at: jiff::Timestamp,
) -> FieldworkFile {
    FieldworkFile {
        id: Id::new(),
        owner_kind,
        owner_id,
        filename: name.to_owned(),
        size,
        kind,
        sha256: hash.to_owned(),
        created_at: at,
    }
}
