//! 归档: the archived inspection a record belongs to, and what still runs in an inspection.

use std::collections::HashMap;
use std::sync::LazyLock;

use sqlx::AssertSqlSafe;
use xunshi_core::archive::{INSPECTION_OBJECTS, Unfinished};
use xunshi_core::audit::AuditRecord;
use xunshi_core::store::ArchiveRead;
use xunshi_core::{Id, Result};

use super::{AUDIT_COLS, DbTx, Mode};
use crate::rows::{self, i, s};

/// The table of each kind of `archive::INSPECTION_OBJECTS`, as the audit trail names the kind.
pub(super) fn table_of(object_type: &str) -> Option<&'static str> {
    Some(match object_type {
        "inspection" => "inspections",
        "announcement" => "announcements",
        "task_evidence" => "task_evidence",
        "team_member" => "team_members",
        "talk_plan" => "talk_plan",
        "talk" => "talks",
        "letter" => "letters",
        "doc_request" => "doc_requests",
        "field_record" => "field_records",
        "problem" => "problems",
        "evidence" => "evidence",
        "notice" => "fix_notices",
        "report" => "reports",
        "clue" => "clues",
        "clue_transfer" => "clue_transfers",
        "rect_plan" => "rectification_plans",
        "task" => "rectification_tasks",
        "deadline_change" => "deadline_changes",
        "rect_document" => "rect_documents",
        "followup" => "followups",
        "accountability" => "accountability",
        "mechanism" => "mechanisms",
        _ => return None,
    })
}

/// Where the records of each kind of `archive::INSPECTION_OBJECTS` are, as the `FROM` of a
/// query with the record aliased `r`: the expression of the record's id (as the audit trail
/// names it) and of its inspection's. `None` for a kind of no inspection.
fn owned_by(object_type: &str) -> Option<(String, &'static str, &'static str)> {
    let table = table_of(object_type)?;
    Some(match object_type {
        "inspection" => (format!("{table} r"), "r.id", "r.id"),
        // The announcement is kept, and recorded, under its inspection's id.
        "announcement" => (format!("{table} r"), "r.inspection_id", "r.inspection_id"),
        "task_evidence" => (
            format!("{table} r JOIN rectification_tasks t ON t.id = r.task_id"),
            "r.id",
            "t.inspection_id",
        ),
        _ => (format!("{table} r"), "r.id", "r.inspection_id"),
    })
}

/// For each kind of `archive::INSPECTION_OBJECTS`: the statement that finds the team name of
/// the archived inspection a record of the kind (its id bound as `$1`) belongs to, no row when
/// the inspection is not archived; and that statement read beside the head of the audit trail
/// (`lock_audit_head_for`). Built once: every write of such a record runs one of them.
pub(super) struct ArchivedOwnerSql {
    pub(super) alone: String,
    pub(super) with_head: String,
}

static ARCHIVED_OWNER: LazyLock<HashMap<&'static str, ArchivedOwnerSql>> = LazyLock::new(|| {
    INSPECTION_OBJECTS
        .iter()
        .filter_map(|&kind| {
            let (from, object, inspection) = owned_by(kind)?;
            let alone = format!(
                "SELECT i.team_name FROM {from} JOIN inspections i ON i.id = {inspection}
                 WHERE {object} = $1 AND i.stage = 'archived'"
            );
            let with_head = format!(
                "SELECT seq, hash, algorithm, ({alone} LIMIT 1) AS archived_team
                   FROM audit_head WHERE id = 1"
            );
            Some((kind, ArchivedOwnerSql { alone, with_head }))
        })
        .collect()
});

/// The statements of `object_type`; `None` for a kind of no inspection.
pub(super) fn archived_owner_sql(object_type: &str) -> Option<&'static ArchivedOwnerSql> {
    ARCHIVED_OWNER.get(object_type)
}

impl<M: Mode> ArchiveRead for DbTx<M> {
    async fn archived_owner(&mut self, object_type: &str, id: Id) -> Result<Option<String>> {
        let Some(sql) = archived_owner_sql(object_type) else {
            return Ok(None);
        };
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql.alone.as_str())).bind(id.to_string()))
            .await?
            .map(|r| s(&r, "team_name"))
            .transpose()
    }

    async fn inspection_trail(&mut self, inspection_id: Id) -> Result<Vec<AuditRecord>> {
        let cols = AUDIT_COLS
            .split(',')
            .map(|c| format!("a.{}", c.trim()))
            .collect::<Vec<_>>()
            .join(", ");
        let parts: Vec<String> = INSPECTION_OBJECTS
            .iter()
            .filter_map(|kind| {
                let (from, object, inspection) = owned_by(kind)?;
                Some(format!(
                    "SELECT {cols} FROM {from}
                     JOIN audit_log a ON a.object_type = '{kind}' AND a.object_id = {object}
                     WHERE {inspection} = $1"
                ))
            })
            .collect();
        let sql = format!("{} ORDER BY seq", parts.join(" UNION ALL "));
        self.fetch_all(sqlx::query(AssertSqlSafe(sql)).bind(inspection_id.to_string()))
            .await?
            .iter()
            .map(rows::audit)
            .collect()
    }

    async fn unfinished(&mut self, inspection_id: Id) -> Result<Unfinished> {
        let row = self
            .fetch_optional(
                sqlx::query(
                    "SELECT
                       (SELECT COUNT(*) FROM rectification_tasks
                         WHERE inspection_id = $1 AND status <> 'closed'
                           AND withdrawn_reason IS NULL
                           AND due_kind <> 'long_term') AS open_tasks,
                       (SELECT COUNT(*) FROM clues
                         WHERE inspection_id = $1 AND status <> 'disposed') AS open_clues,
                       (SELECT COUNT(*) FROM followups
                         WHERE inspection_id = $1 AND answered_on IS NULL
                           AND answer_due IS NOT NULL) AS open_followups",
                )
                .bind(inspection_id.to_string()),
            )
            .await?;
        Ok(match row {
            Some(r) => Unfinished {
                open_tasks: i(&r, "open_tasks")?,
                open_clues: i(&r, "open_clues")?,
                open_followups: i(&r, "open_followups")?,
            },
            None => Unfinished::default(),
        })
    }
}
