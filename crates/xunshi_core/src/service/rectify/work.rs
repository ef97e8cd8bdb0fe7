//! The work on an approved plan's tasks: the unit's departments report progress, attach
//! evidence and claim completion; the office or a supervisor — never the unit itself —
//! verifies the claim and closes the task (销号) or rejects it with a defect and a reason,
//! which sends it back to work with the verification kept.

use serde_json::json;

use super::access::{RectRole, rect_role, require, supervise_message};
use super::task_context;
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::message::MessageKind;
use crate::paper::clean_filename;
use crate::permission::Actor;
use crate::rectify::{
    Defect, Due, Plan, PlanStatus, ProgressReport, Task, TaskEvent, TaskEvidence, TaskStatus,
    Verification, next_status, verdict_progress,
};
use crate::service::TodoKind;
use crate::service::messages::{Audience, Note, notify};
use crate::service::papers::signature;
use crate::service::{Services, record};
use crate::store::{ReadTx, RectifyRead, RectifyWrite, Store, WriteTx};
use crate::upload::Upload;

const UNIT_ONLY: &str = "只有本单位（责任部门）人员可以报告整改进展、上传佐证材料";

fn stale(t: &Task) -> CoreError {
    CoreError::StaleVersion(format!("整改任务{}", t.seq))
}

/// Work is reported on tasks of an approved plan only, and never on a withdrawn task.
fn require_under_way(plan: &Plan, task: &Task) -> Result<()> {
    if plan.status != PlanStatus::Approved {
        return Err(CoreError::RuleRefused(
            "整改方案审核通过后才能报告进展、上传佐证材料".into(),
        ));
    }
    if task.is_withdrawn() {
        return Err(CoreError::RuleRefused("该任务已撤回".into()));
    }
    Ok(())
}

/// Files are attached and withdrawn by the unit until the task is closed; after that its
/// evidence is what the closing was based on, and stays as it is.
fn check_can_attach(role: RectRole, plan: &Plan, task: &Task) -> Result<()> {
    require(role, |r| r.report, "整改任务", UNIT_ONLY)?;
    require_under_way(plan, task)?;
    if task.status == TaskStatus::Closed {
        return Err(CoreError::RuleRefused(
            "该任务已销号，佐证材料不能再变动".into(),
        ));
    }
    Ok(())
}

impl<S: Store> Services<S> {
    /// A progress report on a task by the unit's people: the text, the share done (0–100),
    /// and whether it claims the task done (then the share must be 100). The task moves to
    /// 整改中, or to 已完成待销号 on a claim. Long-term tasks report periodically and are not
    /// claimed done.
    pub async fn report_progress(
        &self,
        actor: &Actor,
        task_id: Id,
        version: i64,
        text: &str,
        progress: i16,
        claims_done: bool,
    ) -> Result<Task> {
        let body = text.trim();
        let mut v = crate::error::Validation::new();
        if body.is_empty() {
            v.add("text", "请填写整改进展情况");
        } else if body.chars().count() > 5000 {
            v.add("text", "不能超过 5000 个字");
        }
        if !(0..=100).contains(&progress) {
            v.add("progress", "完成进度应在 0 到 100 之间");
        } else if claims_done && progress != 100 {
            v.unfit("progress", "报告整改完成时，完成进度应为 100%");
        }
        v.finish()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, plan, insp) = task_context(&mut tx, task_id).await?;
        let role = rect_role(actor, &insp, before.unit_id);
        require(role, |r| r.report, "整改任务", UNIT_ONLY)?;
        if before.version != version {
            return Err(stale(&before));
        }
        require_under_way(&plan, &before)?;
        if claims_done && before.due == Due::LongTerm {
            return Err(CoreError::RuleRefused(
                "长期坚持的任务定期报告进展，不报告完成销号".into(),
            ));
        }
        let event = if claims_done {
            TaskEvent::Claim
        } else {
            TaskEvent::Progress
        };
        let status = next_status(before.status, event)?;
        let report = ProgressReport {
            id: Id::new(),
            task_id,
            text: body.to_owned(),
            progress,
            claims_done,
            by_name: signature(actor, now).name,
            at: now,
        };
        let after = Task {
            status,
            progress,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_task(&after).await?;
        tx.insert_progress(&report).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                if claims_done {
                    Action::TaskCompletionClaimed
                } else {
                    Action::TaskProgressReported
                },
                "task",
                Some(task_id),
                json!({
                    "report_id": report.id,
                    "before": { "status": before.status, "progress": before.progress },
                    "after": { "status": after.status, "progress": after.progress },
                    "version": after.version,
                }),
            ),
        )
        .await?;
        if claims_done {
            notify(
                &mut tx,
                actor,
                Audience::Acts(TodoKind::TaskVerify, &insp, Some(after.unit_id)),
                &Note::new(
                    format!("task_claimed:{task_id}:{}", after.version),
                    MessageKind::Handover,
                    "整改任务待核查销号",
                    format!("整改任务 {} 已报告完成，请核查。", after.seq),
                    (TodoKind::TaskVerify, task_id, insp.id),
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Attaches an evidence file to a task. Checked as the working papers' files are (type by
    /// name and content, size), stored once under its SHA-256, listed with its hash; the same
    /// content twice on one task is refused, and nothing is ever replaced.
    pub async fn upload_task_evidence(
        &self,
        actor: &Actor,
        task_id: Id,
        filename: &str,
        content: impl Into<Upload>,
    ) -> Result<TaskEvidence> {
        let filename = clean_filename(filename)?;
        // Who may attach is checked before anything is stored.
        {
            let mut tx = self.store.read().await?;
            let (task, plan, insp) = task_context(&mut tx, task_id).await?;
            check_can_attach(rect_role(actor, &insp, task.unit_id), &plan, &task)?;
        }
        let (kind, size, hash) = self.keep_upload(&filename, content.into()).await?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (task, plan, insp) = task_context(&mut tx, task_id).await?;
        check_can_attach(rect_role(actor, &insp, task.unit_id), &plan, &task)?;
        let existing = tx.list_task_evidence(task_id).await?;
        if let Some(same) = existing
            .iter()
            .find(|e| e.sha256 == hash && e.withdrawn.is_none())
        {
            return Err(CoreError::Conflict(format!(
                "相同内容的文件已作为“{}”上传，无须重复上传",
                same.filename
            )));
        }
        let e = TaskEvidence {
            id: Id::new(),
            task_id,
            filename,
            size,
            content_type: kind.content_type().to_owned(),
            kind,
            sha256: hash,
            uploaded: signature(actor, now),
            withdrawn: None,
            withdrawn_reason: None,
        };
        tx.insert_task_evidence(&e).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TaskEvidenceUploaded,
                "task_evidence",
                Some(e.id),
                json!({ "task_id": task_id, "filename": e.filename, "size": size, "sha256": e.sha256 }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(e)
    }

    /// Withdraws a file attached by mistake, with the reason. It stays listed, marked.
    pub async fn withdraw_task_evidence(
        &self,
        actor: &Actor,
        id: Id,
        reason: &str,
    ) -> Result<TaskEvidence> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(CoreError::bad_input(
                "reason",
                "请说明撤回理由（不超过 500 个字）",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_evidence(&mut tx, id).await?;
        let (task, plan, insp) = task_context(&mut tx, before.task_id).await?;
        check_can_attach(rect_role(actor, &insp, task.unit_id), &plan, &task)?;
        if before.withdrawn.is_some() {
            return Err(CoreError::Conflict("该文件已撤回".into()));
        }
        let after = TaskEvidence {
            withdrawn: Some(signature(actor, now)),
            withdrawn_reason: Some(reason.to_owned()),
            ..before
        };
        if !tx.withdraw_task_evidence(&after).await? {
            return Err(CoreError::Conflict("该文件已撤回".into()));
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TaskEvidenceWithdrawn,
                "task_evidence",
                Some(id),
                json!({ "task_id": after.task_id, "filename": after.filename, "sha256": after.sha256, "reason": reason }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// A task's file and its content, for whoever may read the task.
    pub async fn download_task_evidence(
        &self,
        actor: &Actor,
        id: Id,
    ) -> Result<(TaskEvidence, Vec<u8>)> {
        let blobs = self.blobs()?.clone();
        let e = {
            let mut tx = self.store.read().await?;
            let e = load_evidence(&mut tx, id).await?;
            let (task, _, insp) = task_context(&mut tx, e.task_id).await?;
            require(
                rect_role(actor, &insp, task.unit_id),
                |r| r.read,
                "佐证材料",
                "",
            )?;
            e
        };
        let bytes = blobs.get(&e.sha256).await?;
        Ok((e, bytes))
    }

    /// Verifies a task the unit has claimed done: closes it (销号) on today's date, or
    /// rejects the claim with the defect found, the reason and the share done the verifier
    /// found (`progress`, 0–99, [`verdict_progress`]), which sends it back to 整改中 at that
    /// share. Either way the verification is kept. By the office or a supervisor — never by
    /// anyone of the task's own unit.
    #[allow(clippy::too_many_arguments)]
    pub async fn verify_task(
        &self,
        actor: &Actor,
        task_id: Id,
        version: i64,
        close: bool,
        defect: Option<Defect>,
        progress: Option<i16>,
        reason: &str,
    ) -> Result<Task> {
        let reason = reason.trim();
        let mut v = crate::error::Validation::new();
        if reason.is_empty() {
            v.add(
                "reason",
                if close {
                    "请填写核查意见"
                } else {
                    "退回时请写明理由"
                },
            );
        } else if reason.chars().count() > 5000 {
            v.add("reason", "不能超过 5000 个字");
        }
        match (close, defect) {
            (false, None) => v.unfit("defect", "退回时请选择问题类型（如虚假整改、表面整改）"),
            (true, Some(_)) => v.unfit("defect", "销号时不应选择问题类型"),
            _ => {}
        }
        let progress = v.take(verdict_progress(close, progress)).flatten();
        v.finish()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, _plan, insp) = task_context(&mut tx, task_id).await?;
        let role = rect_role(actor, &insp, before.unit_id);
        require(role, |r| r.supervise, "整改任务", supervise_message(role))?;
        if before.version != version {
            return Err(stale(&before));
        }
        if before.is_withdrawn() {
            return Err(CoreError::RuleRefused("该任务已撤回".into()));
        }
        let status = next_status(
            before.status,
            if close {
                TaskEvent::Close
            } else {
                TaskEvent::Reject
            },
        )?;
        let verification = Verification {
            id: Id::new(),
            task_id,
            closed: close,
            defect,
            progress,
            reason: reason.to_owned(),
            by_name: signature(actor, now).name,
            at: now,
        };
        let after = Task {
            status,
            progress: progress.unwrap_or(before.progress),
            closed_on: close.then(|| crate::service::planning::today(now)),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_task(&after).await?;
        tx.insert_verification(&verification).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                if close {
                    Action::TaskClosed
                } else {
                    Action::TaskRejected
                },
                "task",
                Some(task_id),
                json!({
                    "verification_id": verification.id,
                    "before": { "status": before.status, "progress": before.progress },
                    "after": {
                        "status": after.status,
                        "progress": after.progress,
                        "closed_on": after.closed_on,
                    },
                    "defect": defect,
                    "reason": reason,
                    "version": after.version,
                }),
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Unit(after.unit_id),
            &Note::new(
                format!("task_verified:{task_id}:{}", after.version),
                MessageKind::Decision,
                if close {
                    "整改任务已销号"
                } else {
                    "整改任务被退回"
                },
                if close {
                    format!("整改任务 {} 经核查已销号。", after.seq)
                } else {
                    format!("整改任务 {} 经核查被退回，理由：{reason}", after.seq)
                },
                (TodoKind::TaskVerify, task_id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

async fn load_evidence<T: ReadTx>(tx: &mut T, id: Id) -> Result<TaskEvidence> {
    tx.get_task_evidence(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("佐证材料".into()))
}
