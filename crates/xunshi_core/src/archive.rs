//! 归档: once an inspection is archived its records are read-only, in every service.
//!
//! The rule is kept in one place, `service::record`: every change is written together with its
//! audit record, and the audit record names the object changed. Before the record is appended,
//! the store says whether that object belongs to an archived inspection; if it does, the change
//! is refused and its transaction rolled back. A service added later is covered as soon as it
//! records what it changes, without a check of its own.

use crate::audit::Action;
use crate::error::{CoreError, Result};
use crate::inspection::{Inspection, Stage};
use crate::permission::{Actor, Permission};

/// The kinds of object, as the audit trail names them, that belong to one inspection. The
/// store finds the inspection of each (contract-tested for every kind listed here).
pub const INSPECTION_OBJECTS: &[&str] = &[
    "inspection",
    "announcement",
    "team_member",
    "talk_plan",
    "talk",
    "letter",
    "doc_request",
    "field_record",
    "problem",
    "evidence",
    "notice",
    "report",
    "clue",
    "clue_transfer",
    "rect_plan",
    "task",
    "task_evidence",
    "deadline_change",
    "rect_document",
    "followup",
    "accountability",
    "mechanism",
];

/// Whether a recorded action is held to the archive's read-only rule. Reads are not changes;
/// the move to the archived stage is the one change the rule lets through (the stage machine
/// has no way out of it).
pub fn held(action: Action) -> bool {
    !action.is_read() && action != Action::InspectionStageChanged
}

/// The refusal of a change to an archived inspection's records.
pub fn refusal(team_name: &str) -> CoreError {
    CoreError::RuleRefused(format!(
        "{team_name}的巡视任务已归档，其全部记录只读，不能再更改"
    ))
}

/// The same refusal, early: for a service that would otherwise do work (keep an upload, say)
/// before reaching its record.
pub fn refuse_if_archived(insp: &Inspection) -> Result<()> {
    if insp.stage == Stage::Archived {
        return Err(refusal(&insp.team_name));
    }
    Ok(())
}

/// Whether the actor may take the archive package of `insp`, once it is archived: the office
/// that ran it (the top office, or its committee's own). The pages offer the download by this;
/// `archive_package_scope` refuses by the same terms.
pub fn may_take_package(actor: &Actor, insp: &Inspection) -> bool {
    insp.stage == Stage::Archived
        && (actor.can(Permission::ManagePlanning) || actor.office_reach().runs(insp.dispatcher_id))
}

/// What still runs in an inspection and keeps it from being archived.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Unfinished {
    /// Rectification tasks in force, with a deadline, and not closed (销号). A long-term task
    /// (长期坚持) is never closed, so it does not hold archiving back: its record is kept as it
    /// stands, and the work goes on under the later plans that carry it over (回头看).
    pub open_tasks: i64,
    /// Clues not yet disposed of by the body they went to.
    pub open_clues: i64,
    /// Follow-up notices (督办) not yet answered.
    pub open_followups: i64,
}

impl Unfinished {
    /// Archiving freezes the records, so nothing may still be moving: every task with a
    /// deadline closed or withdrawn, every clue disposed of, every follow-up answered. The
    /// refusal names each.
    pub fn check(&self) -> Result<()> {
        let mut left = Vec::new();
        if self.open_tasks > 0 {
            left.push(format!("{}项整改任务尚未销号", self.open_tasks));
        }
        if self.open_clues > 0 {
            left.push(format!("{}条问题线索尚未处置完毕", self.open_clues));
        }
        if self.open_followups > 0 {
            left.push(format!("{}份督办通知尚未答复", self.open_followups));
        }
        if left.is_empty() {
            Ok(())
        } else {
            Err(CoreError::RuleRefused(format!(
                "还不能归档：{}。归档后全部记录只读，请先办结",
                left.join("，")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_the_archiving_move_are_not_held() {
        assert!(!held(Action::ClueRead));
        assert!(!held(Action::EvidenceDownloaded));
        assert!(!held(Action::InspectionStageChanged));
        assert!(held(Action::TaskProgressReported));
        assert!(held(Action::ProblemUpdated));
        assert!(held(Action::ClueDisposed));
    }

    #[test]
    fn what_is_unfinished_is_named() {
        assert!(Unfinished::default().check().is_ok());
        let e = Unfinished {
            open_tasks: 3,
            open_clues: 0,
            open_followups: 1,
        }
        .check()
        .unwrap_err()
        .to_string();
        assert!(e.contains("3项整改任务尚未销号"), "{e}");
        assert!(e.contains("1份督办通知尚未答复"), "{e}");
        assert!(!e.contains("线索"), "{e}");
    }
}
