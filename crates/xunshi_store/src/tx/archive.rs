//! 归档: the archived inspection a record belongs to, and what still runs in an inspection.

use sqlx::AssertSqlSafe;
use xunshi_core::archive::{INSPECTION_OBJECTS, Unfinished};
use xunshi_core::audit::AuditRecord;
use xunshi_core::store::ArchiveRead;
use xunshi_core::{Id, Result};

use super::{AUDIT_COLS, DbTx, Mode};
use crate::rows::{self, i, s};

/// The table of each kind of record of an inspection that carries its `inspection_id`
/// (the kinds of `archive::INSPECTION_OBJECTS` but the inspection itself and the task's files).
fn table_of(object_type: &str) -> Option<&'static str> {
    Some(match object_type {
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

impl<M: Mode> ArchiveRead for DbTx<M> {
    async fn archived_owner(&mut self, object_type: &str, id: Id) -> Result<Option<String>> {
        let sql = match object_type {
            // The announcement is kept under its inspection's id.
            "inspection" | "announcement" => {
                "SELECT team_name FROM inspections WHERE id = $1 AND stage = 'archived'".to_owned()
            }
            "task_evidence" => "SELECT i.team_name FROM task_evidence e
                 JOIN rectification_tasks t ON t.id = e.task_id
                 JOIN inspections i ON i.id = t.inspection_id
                 WHERE e.id = $1 AND i.stage = 'archived'"
                .to_owned(),
            other => match table_of(other) {
                Some(table) => format!(
                    "SELECT i.team_name FROM {table} r JOIN inspections i ON i.id = r.inspection_id
                     WHERE r.id = $1 AND i.stage = 'archived'"
                ),
                None => return Ok(None),
            },
        };
        self.fetch_optional(sqlx::query(AssertSqlSafe(sql)).bind(id.to_string()))
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
        let mut parts = Vec::new();
        for kind in INSPECTION_OBJECTS {
            let from = match *kind {
                "inspection" | "announcement" => format!(
                    "SELECT {cols} FROM audit_log a
                     WHERE a.object_type = '{kind}' AND a.object_id = $1"
                ),
                "task_evidence" => format!(
                    "SELECT {cols} FROM task_evidence e
                     JOIN rectification_tasks t ON t.id = e.task_id
                     JOIN audit_log a ON a.object_type = 'task_evidence' AND a.object_id = e.id
                     WHERE t.inspection_id = $1"
                ),
                other => match table_of(other) {
                    Some(table) => format!(
                        "SELECT {cols} FROM {table} r
                         JOIN audit_log a ON a.object_type = '{other}' AND a.object_id = r.id
                         WHERE r.inspection_id = $1"
                    ),
                    None => continue,
                },
            };
            parts.push(from);
        }
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
