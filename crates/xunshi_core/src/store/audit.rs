//! The orders of the audit trail's list.

use crate::audit::AuditRecord;
use crate::page::{Sort, SortKey};

/// The columns the audit trail sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AuditSortKey {
    /// In the trail's order (by sequence number, which is the order of time); the list's own
    /// order is newest first.
    #[default]
    Seq,
    /// By the acting account's log-in name, each one's records together.
    Actor,
    /// By action code, each action's records together.
    Action,
    /// By the kind of object, each kind's records together.
    ObjectType,
}

impl AuditSortKey {
    pub const ALL: [AuditSortKey; 4] = [
        AuditSortKey::Seq,
        AuditSortKey::Actor,
        AuditSortKey::Action,
        AuditSortKey::ObjectType,
    ];
}

impl SortKey for AuditSortKey {
    /// The trail reads newest first unless told otherwise.
    const DEFAULT_DESC: bool = true;

    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            AuditSortKey::Seq => "seq",
            AuditSortKey::Actor => "actor",
            AuditSortKey::Action => "action",
            AuditSortKey::ObjectType => "object_type",
        }
    }

    fn label(self) -> &'static str {
        match self {
            AuditSortKey::Seq => "序号",
            AuditSortKey::Actor => "操作人",
            AuditSortKey::Action => "操作",
            AuditSortKey::ObjectType => "对象",
        }
    }
}

/// The order of a sorted audit trail (`-seq`, the default, newest first; `actor`, `-actor`).
pub type AuditSort = Sort<AuditSortKey>;

impl AuditSort {
    /// The sort key of a record, as the cursor carries it and the store compares it; records
    /// of one key follow their sequence numbers.
    pub fn key_of(self, r: &AuditRecord) -> String {
        match self.key {
            AuditSortKey::Seq => String::new(),
            AuditSortKey::Actor => r.actor_name.clone(),
            AuditSortKey::Action => r.action.clone(),
            AuditSortKey::ObjectType => r.object_type.clone(),
        }
    }
}
