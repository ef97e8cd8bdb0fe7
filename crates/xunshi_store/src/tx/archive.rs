//! 归档: the archived inspection a record belongs to, and what still runs in an inspection.

use sqlx::AssertSqlSafe;
use xunshi_core::archive::Unfinished;
use xunshi_core::store::ArchiveRead;
use xunshi_core::{Id, Result};

use super::{DbTx, Mode};
use crate::rows::{i, s};

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
