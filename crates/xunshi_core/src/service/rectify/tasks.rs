//! The tasks of a plan. While the plan is a draft (or was returned) the unit's principal and
//! liaison add, change and withdraw tasks freely; once it is approved, a task's measure or
//! deadline changes only through a change request that the office decides, and the request
//! keeps the before and the after.

use serde_json::json;

use super::access::{office_message, rect_role, require};
use super::plans::require_editable;
use super::{ChangeInput, plan_and_inspection, task_context, text, unit_problems};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::message::MessageKind;
use crate::permission::Actor;
use crate::rectify::{
    ChangeRequest, Due, Plan, PlanStatus, Task, TaskInput, TaskStatus, check_changed_due,
};
use crate::service::TodoKind;
use crate::service::messages::{Audience, Note, notify};
use crate::service::papers::signature;
use crate::service::{Services, record};
use crate::store::{ChangeFilter, RectifyRead, RectifyWrite, Store, TaskFilter, WriteTx};

pub(super) const DRAFTERS_ONLY: &str = "只有被巡视单位主要负责人和联络员可以编制整改任务";

/// The checked fields of a [`TaskInput`].
pub(super) struct TaskFields {
    pub(super) problem_id: Id,
    pub(super) measure: String,
    pub(super) target: String,
    pub(super) standard: String,
    pub(super) responsible_leader: String,
    pub(super) lead_department: String,
    pub(super) co_departments: String,
    pub(super) responsible_person: String,
    pub(super) due: Due,
    pub(super) not_for_disclosure: bool,
}

impl TaskFields {
    /// A new task of `plan` with these fields, numbered `seq`, not started: how a typed task
    /// and an imported ledger row become tasks alike.
    pub(super) fn new_task(&self, plan: &Plan, seq: String, now: jiff::Timestamp) -> Task {
        Task {
            id: Id::new(),
            plan_id: plan.id,
            inspection_id: plan.inspection_id,
            unit_id: plan.unit_id,
            problem_id: self.problem_id,
            seq,
            measure: self.measure.clone(),
            target: self.target.clone(),
            standard: self.standard.clone(),
            responsible_leader: self.responsible_leader.clone(),
            lead_department: self.lead_department.clone(),
            co_departments: self.co_departments.clone(),
            responsible_person: self.responsible_person.clone(),
            due: self.due,
            status: TaskStatus::NotStarted,
            progress: 0,
            closed_on: None,
            not_for_disclosure: self.not_for_disclosure,
            withdrawn_reason: None,
            version: 1,
            updated_at: now,
        }
    }
}

pub(super) fn validate(input: &TaskInput) -> Result<TaskFields> {
    let mut v = Validation::new();
    let problem_id = match input.problem_id.trim() {
        "" => {
            v.add("problem_id", "请选择整改任务所针对的反馈问题");
            None
        }
        s => v.take(
            s.parse::<Id>()
                .map_err(|_| CoreError::bad_input("problem_id", "反馈问题无效")),
        ),
    };
    let measure = text(
        &mut v,
        "measure",
        &input.measure,
        2000,
        Some("请填写整改措施"),
    );
    let target = text(
        &mut v,
        "target",
        &input.target,
        2000,
        Some("请填写整改目标"),
    );
    let standard = text(
        &mut v,
        "standard",
        &input.standard,
        2000,
        Some("请填写整改标准（销号标准）"),
    );
    let responsible_leader = text(
        &mut v,
        "responsible_leader",
        &input.responsible_leader,
        200,
        Some("请填写责任领导"),
    );
    let lead_department = text(
        &mut v,
        "lead_department",
        &input.lead_department,
        200,
        Some("请填写牵头部门"),
    );
    let co_departments = text(&mut v, "co_departments", &input.co_departments, 500, None);
    let responsible_person = text(
        &mut v,
        "responsible_person",
        &input.responsible_person,
        200,
        None,
    );
    let due = if input.due_kind.trim().is_empty() {
        v.add("due_kind", "请选择整改时限");
        None
    } else {
        v.take(Due::parse(&input.due_kind, input.due_date.as_deref()))
    };
    v.finish()?;
    Ok(TaskFields {
        problem_id: problem_id.expect("validated"),
        measure,
        target,
        standard,
        responsible_leader,
        lead_department,
        co_departments,
        responsible_person,
        due: due.expect("validated"),
        not_for_disclosure: input.not_for_disclosure,
    })
}

/// A dated deadline must not fall before the feedback that set the work going.
pub(super) fn check_due(due: Due, insp: &Inspection) -> Result<()> {
    if let (Some(d), Some(fb)) = (due.date(), insp.dates.feedback)
        && d < fb
    {
        return Err(CoreError::unfit(
            "due_date",
            format!("整改时限不能早于反馈日期（{fb}）"),
        ));
    }
    Ok(())
}

fn stale(t: &Task) -> CoreError {
    CoreError::StaleVersion(format!("整改任务{}", t.seq))
}

impl<S: Store> Services<S> {
    /// Adds a task to a draft or returned plan, against one of the unit's fed-back problems.
    /// Its number continues the problem's measures (`1.2.3`) and is never reused.
    pub async fn add_task(&self, actor: &Actor, plan_id: Id, input: &TaskInput) -> Result<Task> {
        let f = validate(input)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (plan, insp) = plan_and_inspection(&mut tx, plan_id).await?;
        let role = rect_role(actor, &insp, plan.unit_id);
        require(role, |r| r.draft, "整改方案", DRAFTERS_ONLY)?;
        require_editable(&plan)?;
        let problems = unit_problems(&mut tx, &insp, plan.unit_id).await?;
        let Some(problem) = problems.iter().find(|p| p.problem_id == f.problem_id) else {
            return Err(CoreError::unfit(
                "problem_id",
                "只能针对巡视反馈给本单位的问题制定整改任务",
            ));
        };
        check_due(f.due, &insp)?;
        let existing = tx
            .all_tasks(&TaskFilter {
                plan_id: Some(plan.id),
                problem_id: Some(problem.problem_id),
                include_withdrawn: true,
                ..Default::default()
            })
            .await?;
        let seq = format!("{}.{}", problem.number, existing.len() + 1);
        let task = f.new_task(&plan, seq, now);
        tx.insert_task(&task).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TaskAdded,
                "task",
                Some(task.id),
                json!({ "plan_id": plan.id, "after": task }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(task)
    }

    /// Changes a task of a draft or returned plan. The problem it answers stays: a task meant
    /// for another problem is withdrawn and added again there.
    pub async fn update_task(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &TaskInput,
    ) -> Result<Task> {
        let f = validate(input)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, plan, insp) = task_context(&mut tx, id).await?;
        let role = rect_role(actor, &insp, before.unit_id);
        require(role, |r| r.draft, "整改任务", DRAFTERS_ONLY)?;
        if before.version != version {
            return Err(stale(&before));
        }
        require_editable(&plan)?;
        if before.is_withdrawn() {
            return Err(CoreError::RuleRefused("该任务已撤回，不能修改".into()));
        }
        if f.problem_id != before.problem_id {
            return Err(CoreError::unfit(
                "problem_id",
                "不能改变任务所针对的问题；如需调整，请撤回本任务后在相应问题下重新添加",
            ));
        }
        check_due(f.due, &insp)?;
        let after = Task {
            measure: f.measure,
            target: f.target,
            standard: f.standard,
            responsible_leader: f.responsible_leader,
            lead_department: f.lead_department,
            co_departments: f.co_departments,
            responsible_person: f.responsible_person,
            due: f.due,
            not_for_disclosure: f.not_for_disclosure,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_task(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TaskUpdated,
                "task",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        // A task newly withheld from the public may be named in what is already published.
        if after.not_for_disclosure && !before.not_for_disclosure {
            crate::service::disclosure::review_after_marking(&mut tx, actor, now, &after).await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// Withdraws a task from a draft or returned plan, with the reason. It stays on record
    /// with its number and no longer counts.
    pub async fn withdraw_task(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        reason: &str,
    ) -> Result<Task> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(CoreError::bad_input(
                "reason",
                "请说明撤回理由（不超过 500 个字）",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, plan, insp) = task_context(&mut tx, id).await?;
        let role = rect_role(actor, &insp, before.unit_id);
        require(role, |r| r.draft, "整改任务", DRAFTERS_ONLY)?;
        if before.version != version {
            return Err(stale(&before));
        }
        require_editable(&plan)?;
        if before.is_withdrawn() {
            return Err(CoreError::Conflict("该任务已撤回".into()));
        }
        let after = Task {
            withdrawn_reason: Some(reason.to_owned()),
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_task(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TaskWithdrawn,
                "task",
                Some(id),
                json!({ "seq": after.seq, "reason": reason, "version": after.version }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Asks to change the measure or the deadline of a task of an approved plan; the office
    /// decides. One request per task at a time.
    pub async fn request_change(
        &self,
        actor: &Actor,
        task_id: Id,
        input: &ChangeInput,
    ) -> Result<ChangeRequest> {
        let mut v = Validation::new();
        let reason = text(
            &mut v,
            "reason",
            &input.reason,
            2000,
            Some("请说明申请变更的理由"),
        );
        let measure = text(&mut v, "measure", &input.measure, 2000, None);
        let due = if input.due_kind.trim().is_empty() {
            None
        } else {
            v.take(Due::parse(&input.due_kind, input.due_date.as_deref()))
        };
        v.finish()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (task, plan, insp) = task_context(&mut tx, task_id).await?;
        let role = rect_role(actor, &insp, task.unit_id);
        require(
            role,
            |r| r.draft,
            "整改任务",
            "只有被巡视单位主要负责人和联络员可以申请变更整改任务",
        )?;
        if plan.status != PlanStatus::Approved {
            return Err(CoreError::RuleRefused(
                "整改方案尚未审核通过，任务可直接修改，无须申请变更".into(),
            ));
        }
        if task.is_withdrawn() || task.status == TaskStatus::Closed {
            return Err(CoreError::RuleRefused(
                "已销号或已撤回的任务不能变更".into(),
            ));
        }
        let pending = tx
            .list_change_requests(&ChangeFilter {
                task_id: Some(task.id),
                pending: true,
                ..Default::default()
            })
            .await?;
        if !pending.is_empty() {
            return Err(CoreError::Conflict(
                "该任务已有待审批的变更申请，请等待巡视办审批".into(),
            ));
        }
        let after_measure = if measure.is_empty() {
            task.measure.clone()
        } else {
            measure
        };
        let after_due = due.unwrap_or(task.due);
        if after_measure == task.measure && after_due == task.due {
            return Err(CoreError::bad_input(
                "measure",
                "变更后的整改措施和时限与原任务相同",
            ));
        }
        check_due(after_due, &insp)?;
        if after_due != task.due {
            check_changed_due(after_due, crate::service::planning::today(now))?;
        }
        let c = ChangeRequest {
            id: Id::new(),
            task_id: task.id,
            before_measure: task.measure.clone(),
            after_measure,
            before_due: task.due,
            after_due,
            reason,
            approved: None,
            decision_comment: String::new(),
            requested_by: signature(actor, now).name,
            requested_at: now,
            decided_by: None,
            decided_at: None,
        };
        tx.insert_change_request(&c).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::TaskChangeRequested,
                "task",
                Some(task.id),
                json!({
                    "change_request_id": c.id,
                    "before": { "measure": c.before_measure, "due": c.before_due },
                    "after": { "measure": c.after_measure, "due": c.after_due },
                    "reason": c.reason,
                }),
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Acts(TodoKind::ChangeDecide, &insp, Some(task.unit_id)),
            &Note::new(
                format!("change_requested:{}", c.id),
                MessageKind::Handover,
                "变更申请待审批",
                format!("整改任务 {} 提出了变更申请，请审批。", task.seq),
                (TodoKind::ChangeDecide, task.id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(c)
    }

    /// The office approves a change request — the task takes the new measure and deadline,
    /// with a new version — or refuses it with a comment. The request keeps the before and
    /// the after either way.
    pub async fn decide_change(
        &self,
        actor: &Actor,
        change_id: Id,
        approve: bool,
        comment: &str,
    ) -> Result<ChangeRequest> {
        let comment = comment.trim().to_owned();
        if !approve && comment.is_empty() {
            return Err(CoreError::unfit("comment", "不同意变更时请写明理由"));
        }
        if comment.chars().count() > 2000 {
            return Err(CoreError::bad_input(
                "comment",
                "审批意见不能超过 2000 个字",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = tx
            .get_change_request(change_id)
            .await?
            .ok_or_else(|| CoreError::NotFound("变更申请".into()))?;
        let (task, _plan, insp) = task_context(&mut tx, before.task_id).await?;
        let role = rect_role(actor, &insp, task.unit_id);
        require(role, |r| r.office, "变更申请", office_message(role))?;
        if before.approved.is_some() {
            return Err(CoreError::Conflict("该变更申请已审批".into()));
        }
        let decided = ChangeRequest {
            approved: Some(approve),
            decision_comment: comment,
            decided_by: Some(signature(actor, now).name),
            decided_at: Some(now),
            ..before.clone()
        };
        let mut summary = json!({
            "change_request_id": change_id,
            "before": { "measure": before.before_measure, "due": before.before_due },
            "after": { "measure": before.after_measure, "due": before.after_due },
            "comment": decided.decision_comment,
        });
        if approve {
            if task.status == TaskStatus::Closed || task.is_withdrawn() {
                return Err(CoreError::RuleRefused(
                    "该任务已销号或已撤回，不能再变更".into(),
                ));
            }
            if task.measure != before.before_measure || task.due != before.before_due {
                return Err(CoreError::RuleRefused(
                    "申请提出后任务已有变动，请重新提出变更申请".into(),
                ));
            }
            if before.after_due != before.before_due {
                check_changed_due(before.after_due, crate::service::planning::today(now))?;
            }
            let after = Task {
                measure: before.after_measure.clone(),
                due: before.after_due,
                version: task.version + 1,
                updated_at: now,
                ..task.clone()
            };
            tx.update_task(&after).await?;
            summary["task_version"] = json!(after.version);
        }
        if !tx.decide_change_request(&decided).await? {
            return Err(CoreError::Conflict("该变更申请已审批".into()));
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                if approve {
                    Action::TaskChangeApproved
                } else {
                    Action::TaskChangeRefused
                },
                "task",
                Some(task.id),
                summary,
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Unit(task.unit_id),
            &Note::new(
                format!("change_decided:{change_id}"),
                MessageKind::Decision,
                if approve {
                    "变更申请已同意"
                } else {
                    "变更申请未同意"
                },
                if approve {
                    format!("整改任务 {} 的变更申请已同意。", task.seq)
                } else {
                    format!(
                        "整改任务 {} 的变更申请未同意，理由：{}",
                        task.seq, decided.decision_comment
                    )
                },
                (TodoKind::ChangeDecide, task.id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(decided)
    }
}
