//! The unit's plan: started by its principal or liaison once the feedback is given, edited
//! while a draft (or after it was returned), submitted when every fed-back problem has a task,
//! then approved or returned with a comment by the office or a supervisor — never by the unit.

use serde_json::json;

use super::access::{RectRole, rect_role, require, supervise_message, visible_scope};
use super::ledger::plan_entries;
use super::{
    FedBackProblem, LedgerCategory, LedgerProblem, PlanDetail, PlanRights, PlanSlot, RectPlanInput,
    plan_and_inspection, text, unit_problems, warn_days,
};
use crate::access::Visible;
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::Inspection;
use crate::message::MessageKind;
use crate::page::{Page, PageRequest};
use crate::permission::Actor;
use crate::rectify::{GroupMember, Plan, PlanReview, PlanStatus, seq_key, uncovered_problems};
use crate::service::TodoKind;
use crate::service::messages::{Audience, Note, notify};
use crate::service::papers::signature;
use crate::service::planning::{load_inspection, today};
use crate::service::{Services, record};
use crate::store::{
    ChangeFilter, InspectionFilter, PlanFilter, PlanningRead, ReadTx, RectifyRead, RectifyWrite,
    ReportRead, Store, TaskFilter, WriteTx,
};

const GROUP_ROLES: [&str; 3] = ["组长", "副组长", "成员"];

/// Checks a plan's fields; members left wholly blank (empty rows of a form) are dropped.
fn validate(input: &RectPlanInput) -> Result<(String, String, Vec<GroupMember>)> {
    let mut v = Validation::new();
    let title = text(&mut v, "title", &input.title, 200, None);
    let organisation = text(&mut v, "organisation", &input.organisation, 20_000, None);
    let mut group = Vec::new();
    for m in &input.leading_group {
        let (name, post, role) = (m.name.trim(), m.post.trim(), m.role.trim());
        if name.is_empty() && post.is_empty() {
            continue;
        }
        if name.is_empty() {
            v.add("leading_group", format!("“{post}”一行缺少姓名"));
        } else if name.chars().count() > 50 || post.chars().count() > 200 {
            v.add("leading_group", format!("“{name}”的姓名或职务过长"));
        }
        let role = if role.is_empty() { "成员" } else { role };
        if !GROUP_ROLES.contains(&role) {
            v.add(
                "leading_group",
                format!("“{name}”的职责“{role}”无效，可选：组长、副组长、成员"),
            );
        }
        group.push(GroupMember {
            name: name.to_owned(),
            post: post.to_owned(),
            role: role.to_owned(),
        });
    }
    // A rule between rows, which the document cannot state: 422.
    if group.iter().filter(|m| m.role == "组长").count() > 1 {
        v.unfit("leading_group", "整改工作领导小组只能有一名组长");
    }
    if group.len() > 50 {
        v.add("leading_group", "领导小组成员不能超过 50 人");
    }
    v.finish()?;
    Ok((title, organisation, group))
}

/// What the plan must hold before it is submitted, besides a task for every problem.
fn check_ready(plan: &Plan) -> Result<()> {
    let mut v = Validation::new();
    if plan.organisation.trim().is_empty() {
        v.add("organisation", "请填写整改工作的组织安排");
    }
    if !plan.leading_group.iter().any(|m| m.role == "组长") {
        v.add(
            "leading_group",
            "请填写整改工作领导小组组长（由单位主要负责人担任）",
        );
    }
    v.finish()
}

/// The name a plan gets when none is given.
pub(super) async fn default_title<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    unit_name: &str,
) -> Result<String> {
    let dispatcher = tx
        .get_unit(insp.dispatcher_id)
        .await?
        .map(|u| u.name)
        .unwrap_or_default();
    Ok(format!(
        "{unit_name}关于落实{dispatcher}{}巡视反馈意见的整改方案",
        insp.team_name
    ))
}

async fn unit_name<T: ReadTx>(tx: &mut T, id: Id) -> Result<String> {
    Ok(tx.get_unit(id).await?.map(|u| u.name).unwrap_or_default())
}

fn stale() -> CoreError {
    CoreError::StaleVersion("整改方案".into())
}

fn editable(plan: &Plan) -> bool {
    matches!(plan.status, PlanStatus::Draft | PlanStatus::Returned)
}

pub(crate) fn require_editable(plan: &Plan) -> Result<()> {
    if editable(plan) {
        return Ok(());
    }
    Err(CoreError::RuleRefused(match plan.status {
        PlanStatus::Submitted => "整改方案已报送，正在审核，不能修改".into(),
        _ => "整改方案已审核通过，任务的措施或时限如需调整，请提出变更申请".into(),
    }))
}

fn rights(role: RectRole, plan: &Plan, pending_changes: bool) -> PlanRights {
    PlanRights {
        edit: role.draft && editable(plan),
        submit: role.draft && editable(plan),
        review: role.supervise && plan.status == PlanStatus::Submitted,
        decide_changes: role.office && pending_changes,
    }
}

impl<S: Store> Services<S> {
    /// The plan of one inspected unit for one inspection, if it has been started.
    pub async fn rectification_plan(
        &self,
        actor: &Actor,
        inspection_id: Id,
        unit_id: Id,
    ) -> Result<Option<Plan>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let role = rect_role(actor, &insp, unit_id);
        require(role, |r| r.read, "整改方案", "")?;
        tx.find_rect_plan(inspection_id, unit_id).await
    }

    /// The inspected units whose feedback has been given and whose rectification the actor may
    /// see, with their plan (or the lack of one) and how far their tasks are: a page of
    /// inspections at a time, the newest first (the cursor is the last inspection's id).
    pub async fn plan_board(&self, actor: &Actor, page: PageRequest) -> Result<Page<PlanSlot>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let now = today(self.now());
        let (mut tx, _) = self.fresh_tally(now).await?;
        let visible = match visible_scope(actor) {
            None => Visible::All,
            Some(scope) => Visible::Some {
                inspections: scope.inspections,
                feedback_units: scope.units,
                dispatchers: scope.dispatchers,
            },
        };
        let f = InspectionFilter {
            fed_back: true,
            newest_first: true,
            ..Default::default()
        };
        let rows = tx.list_inspections(&f, &visible, page).await?;
        let more = rows.len() > page.limit as usize;
        let inspections: Vec<Inspection> = rows.into_iter().take(page.limit as usize).collect();
        let ids: Vec<Id> = inspections.iter().map(|i| i.id).collect();
        let plans = tx.rect_plans_of(&ids).await?;
        let counts = tx.slot_counts(&ids).await?;
        let units: Vec<Id> = inspections
            .iter()
            .flat_map(|i| i.target_ids.iter().copied())
            .collect();
        let names = tx.unit_names(&units).await?;
        let mut slots = Vec::new();
        for insp in &inspections {
            for unit in &insp.target_ids {
                let role = rect_role(actor, insp, *unit);
                if !role.read {
                    continue;
                }
                let plan = plans
                    .iter()
                    .find(|p| p.inspection_id == insp.id && p.unit_id == *unit)
                    .cloned();
                let count = counts
                    .iter()
                    .find(|c| c.inspection_id == insp.id && c.unit_id == *unit);
                let n = |v: Option<i64>| usize::try_from(v.unwrap_or(0)).unwrap_or(0);
                slots.push(PlanSlot {
                    inspection_id: insp.id,
                    team_name: insp.team_name.clone(),
                    unit_id: *unit,
                    unit_name: names
                        .iter()
                        .find(|(id, _)| id == unit)
                        .map(|(_, n)| n.clone())
                        .unwrap_or_else(|| unit.to_string()),
                    feedback_date: insp.dates.feedback,
                    can_create: plan.is_none() && role.draft,
                    plan,
                    tasks: n(count.map(|c| c.total)),
                    closed: n(count.map(|c| c.closed)),
                    overdue: n(count.map(|c| c.overdue)),
                });
            }
        }
        Ok(Page {
            items: slots,
            next_cursor: if more {
                inspections.last().map(|i| i.id.to_string())
            } else {
                None
            },
            total: None,
        })
    }

    /// Plans the actor may see, by creation, a page at a time.
    pub async fn list_rect_plans(
        &self,
        actor: &Actor,
        f: &PlanFilter,
        page: PageRequest,
    ) -> Result<Page<Plan>> {
        if actor.as_user().is_none() && !actor.is_system() {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let f = PlanFilter {
            scope: visible_scope(actor),
            ..f.clone()
        };
        let mut tx = self.store.read().await?;
        let rows = tx.list_rect_plans(&f, page).await?;
        let more = rows.len() > page.limit as usize;
        let mut visible = Vec::new();
        let mut last = None;
        for p in rows.into_iter().take(page.limit as usize) {
            last = Some(p.id);
            let insp = load_inspection(&mut tx, p.inspection_id).await?;
            if rect_role(actor, &insp, p.unit_id).read {
                visible.push(p);
            }
        }
        // The store narrows by scope; the filter above keeps the feedback rule in one place,
        // and the cursor continues after the last row read, shown or not.
        Ok(Page {
            items: visible,
            next_cursor: if more {
                last.map(|l| l.to_string())
            } else {
                None
            },
            total: None,
        })
    }

    /// A plan with its ledger grouped by heading and problem, its reviews, change requests,
    /// and what the actor may do.
    pub async fn rect_plan_detail(&self, actor: &Actor, id: Id) -> Result<PlanDetail> {
        let mut tx = self.store.read().await?;
        let (plan, insp) = plan_and_inspection(&mut tx, id).await?;
        let role = rect_role(actor, &insp, plan.unit_id);
        require(role, |r| r.read, "整改方案", "")?;
        let problems = unit_problems(&mut tx, &insp, plan.unit_id).await?;
        let now = today(self.now());
        let warn = warn_days(&mut tx).await?;
        let mut all = plan_entries(&mut tx, plan.id, now, warn).await?;
        all.sort_by_key(|e| seq_key(&e.task.seq));
        let (withdrawn, live): (Vec<_>, Vec<_>) =
            all.into_iter().partition(|e| e.task.is_withdrawn());
        let withdrawn: Vec<crate::rectify::Task> = withdrawn.into_iter().map(|e| e.task).collect();
        let ids: Vec<Id> = problems.iter().map(|p| p.problem_id).collect();
        let uncovered_ids = uncovered_problems(&ids, |p| {
            live.iter().filter(|e| e.task.problem_id == p).count()
        });
        let uncovered: Vec<FedBackProblem> = problems
            .iter()
            .filter(|p| uncovered_ids.contains(&p.problem_id))
            .cloned()
            .collect();
        let mut ledger: Vec<LedgerCategory> = Vec::new();
        for p in &problems {
            let heading: u32 = p
                .number
                .split('.')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            if ledger.last().is_none_or(|c| c.number != heading) {
                ledger.push(LedgerCategory {
                    number: heading,
                    category_id: p.category_id,
                    name: p.category_name.clone(),
                    problems: Vec::new(),
                });
            }
            let tasks = live
                .iter()
                .filter(|e| e.task.problem_id == p.problem_id)
                .cloned()
                .collect();
            if let Some(c) = ledger.last_mut() {
                c.problems.push(LedgerProblem {
                    number: p.number.clone(),
                    problem_id: p.problem_id,
                    title: p.title.clone(),
                    tasks,
                });
            }
        }
        let reviews = tx.list_plan_reviews(plan.id).await?;
        let change_requests = tx
            .list_change_requests(&ChangeFilter {
                plan_id: Some(plan.id),
                ..Default::default()
            })
            .await?;
        let pending = change_requests.iter().any(|c| c.approved.is_none());
        let carried = super::look_back::carried_tasks(&mut tx, plan.id, now, warn).await?;
        Ok(PlanDetail {
            rights: rights(role, &plan, pending),
            team_name: insp.team_name.clone(),
            unit_name: unit_name(&mut tx, plan.unit_id).await?,
            feedback_date: insp.dates.feedback,
            plan,
            problems,
            uncovered,
            ledger,
            withdrawn,
            carried,
            reviews,
            change_requests,
        })
    }

    /// Starts the plan of an inspected unit: by its principal or liaison, once the feedback is
    /// given; one plan per inspection and unit.
    pub async fn create_rect_plan(
        &self,
        actor: &Actor,
        inspection_id: Id,
        unit_id: Id,
        input: &RectPlanInput,
    ) -> Result<Plan> {
        let (title, organisation, leading_group) = validate(input)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        if !insp.target_ids.contains(&unit_id) {
            return Err(CoreError::bad_input(
                "unit_id",
                "该单位不是本次巡视的被巡视单位",
            ));
        }
        let role = rect_role(actor, &insp, unit_id);
        require(
            role,
            |r| r.draft,
            "巡视任务",
            "只有被巡视单位主要负责人和联络员可以起草整改方案",
        )?;
        let given = tx
            .get_feedback(insp.id)
            .await?
            .is_some_and(|f| f.status == crate::feedback::FeedbackStatus::Given);
        if !insp.stage.feedback_given() || !given {
            return Err(CoreError::RuleRefused(
                "巡视组反馈意见后才能起草整改方案".into(),
            ));
        }
        if tx.find_rect_plan(insp.id, unit_id).await?.is_some() {
            return Err(CoreError::Conflict(
                "本单位已有针对本次巡视的整改方案".into(),
            ));
        }
        let title = if title.is_empty() {
            let name = unit_name(&mut tx, unit_id).await?;
            default_title(&mut tx, &insp, &name).await?
        } else {
            title
        };
        let plan = Plan {
            id: Id::new(),
            inspection_id: insp.id,
            unit_id,
            title,
            organisation,
            leading_group,
            status: PlanStatus::Draft,
            submitted_at: None,
            approved_at: None,
            version: 1,
        };
        tx.insert_rect_plan(&plan).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RectPlanCreated,
                "rect_plan",
                Some(plan.id),
                json!({ "after": plan }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(plan)
    }

    /// Changes the title, organisation or leading group of a draft or returned plan.
    pub async fn update_rect_plan(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        input: &RectPlanInput,
    ) -> Result<Plan> {
        let (title, organisation, leading_group) = validate(input)?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = plan_and_inspection(&mut tx, id).await?;
        let role = rect_role(actor, &insp, before.unit_id);
        require(
            role,
            |r| r.draft,
            "整改方案",
            "只有被巡视单位主要负责人和联络员可以修改整改方案",
        )?;
        if before.version != version {
            return Err(stale());
        }
        require_editable(&before)?;
        let title = if title.is_empty() {
            before.title.clone()
        } else {
            title
        };
        let after = Plan {
            title,
            organisation,
            leading_group,
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_rect_plan(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RectPlanUpdated,
                "rect_plan",
                Some(id),
                json!({ "before": before, "after": after }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Submits a draft or returned plan for review. Refused, naming them, while any fed-back
    /// problem of the unit has no task; and without the organisation and the group's head.
    pub async fn submit_plan(&self, actor: &Actor, id: Id, version: i64) -> Result<Plan> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = plan_and_inspection(&mut tx, id).await?;
        let role = rect_role(actor, &insp, before.unit_id);
        require(
            role,
            |r| r.draft,
            "整改方案",
            "只有被巡视单位主要负责人和联络员可以报送整改方案",
        )?;
        if before.version != version {
            return Err(stale());
        }
        if !editable(&before) {
            return Err(CoreError::RuleRefused(format!(
                "整改方案“{}”，不能再次报送",
                before.status.label()
            )));
        }
        check_ready(&before)?;
        let problems = unit_problems(&mut tx, &insp, before.unit_id).await?;
        let tasks = tx
            .all_tasks(&TaskFilter {
                plan_id: Some(before.id),
                ..Default::default()
            })
            .await?;
        let ids: Vec<Id> = problems.iter().map(|p| p.problem_id).collect();
        let missing =
            uncovered_problems(&ids, |p| tasks.iter().filter(|t| t.problem_id == p).count());
        if !missing.is_empty() {
            let names: Vec<String> = problems
                .iter()
                .filter(|p| missing.contains(&p.problem_id))
                .map(|p| format!("{} {}", p.number, p.title))
                .collect();
            return Err(CoreError::RuleRefused(format!(
                "以下反馈问题尚未制定整改任务，不能报送：{}",
                names.join("；")
            )));
        }
        let after = Plan {
            status: PlanStatus::Submitted,
            submitted_at: Some(now),
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_rect_plan(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::RectPlanSubmitted,
                "rect_plan",
                Some(id),
                json!({ "from": before.status, "to": after.status, "tasks": tasks.len(), "version": after.version }),
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Acts(TodoKind::PlanReview, &insp, Some(after.unit_id)),
            &Note::new(
                format!("plan_submitted:{id}:{}", after.version),
                MessageKind::Handover,
                "整改方案待审核",
                format!("整改方案“{}”已报送，请审核。", after.title),
                (TodoKind::PlanReview, id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Approves a submitted plan, or returns it with a comment: by the office or a supervisor,
    /// never by someone of the unit itself.
    pub async fn review_plan(
        &self,
        actor: &Actor,
        id: Id,
        version: i64,
        approve: bool,
        comment: &str,
    ) -> Result<Plan> {
        let comment = comment.trim().to_owned();
        if !approve && comment.is_empty() {
            return Err(CoreError::unfit("comment", "退回修改时请写明审核意见"));
        }
        if comment.chars().count() > 5000 {
            return Err(CoreError::bad_input(
                "comment",
                "审核意见不能超过 5000 个字",
            ));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = plan_and_inspection(&mut tx, id).await?;
        let role = rect_role(actor, &insp, before.unit_id);
        require(role, |r| r.supervise, "整改方案", supervise_message(role))?;
        if before.version != version {
            return Err(stale());
        }
        if before.status != PlanStatus::Submitted {
            return Err(CoreError::RuleRefused(format!(
                "整改方案“{}”，没有待审核的报送",
                before.status.label()
            )));
        }
        let after = Plan {
            status: if approve {
                PlanStatus::Approved
            } else {
                PlanStatus::Returned
            },
            approved_at: approve.then_some(now),
            version: before.version + 1,
            ..before.clone()
        };
        tx.update_rect_plan(&after).await?;
        let review = PlanReview {
            id: Id::new(),
            plan_id: id,
            approved: approve,
            comment,
            by_name: signature(actor, now).name,
            at: now,
        };
        tx.insert_plan_review(&review).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                if approve {
                    Action::RectPlanApproved
                } else {
                    Action::RectPlanReturned
                },
                "rect_plan",
                Some(id),
                json!({ "from": before.status, "to": after.status, "comment": review.comment, "version": after.version }),
            ),
        )
        .await?;
        let (title, body) = if approve {
            (
                "整改方案已审核通过",
                format!("整改方案“{}”已审核通过。", after.title),
            )
        } else {
            (
                "整改方案被退回修改",
                format!(
                    "整改方案“{}”被退回修改，审核意见：{}",
                    after.title, review.comment
                ),
            )
        };
        notify(
            &mut tx,
            actor,
            Audience::Unit(after.unit_id),
            &Note::new(
                format!("plan_reviewed:{id}:{}", after.version),
                MessageKind::Decision,
                title,
                body,
                (TodoKind::PlanReview, id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
