//! 归档 as the store answers it: which archived inspection a record belongs to, and what still
//! runs in an inspection.

use std::future::Future;

use crate::archive::Unfinished;
use crate::audit::AuditRecord;
use crate::error::Result;
use crate::id::Id;

pub trait ArchiveRead: Send {
    /// The team name of the archived inspection that the object of an audit record belongs
    /// to, or `None` when the object belongs to no inspection or to one not archived. Every kind
    /// of [`crate::archive::INSPECTION_OBJECTS`] is found; any other kind is `None`.
    fn archived_owner(
        &mut self,
        object_type: &str,
        id: Id,
    ) -> impl Future<Output = Result<Option<String>>> + Send;
    /// The audit records of an inspection's records, every kind of
    /// [`crate::archive::INSPECTION_OBJECTS`], in the trail's order: the extract its archive
    /// package carries. Bounded by the one inspection; each kind read through its own index.
    fn inspection_trail(
        &mut self,
        inspection_id: Id,
    ) -> impl Future<Output = Result<Vec<AuditRecord>>> + Send;
    /// What still runs in an inspection: open tasks, clues not disposed of, unanswered notices.
    fn unfinished(&mut self, inspection_id: Id) -> impl Future<Output = Result<Unfinished>> + Send;
}
