//! Reports: the inspection report and special reports, drafted in versions from the signed
//! working papers, and carried through the approval chain 组务会 → 巡视办 → 领导小组 →
//! 党委（书记专题会）. The team decides at its meeting; the office records its own review and,
//! on their behalf, the hearings of the leading group and the committee, whose dates become the
//! inspection's `reported_to_group` and `reported_to_committee`.

use serde::Serialize;
use serde_json::json;

use super::papers::{
    Seat, require_fieldwork, require_paper_reader, require_team, signature, team_seat,
};
use super::planning::load_inspection;
use super::{Services, record};
use crate::access::{Access, inspection_access};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage, parse_date};
use crate::message::MessageKind;
use crate::paper::{Problem, ProblemStatus};
use crate::permission::Actor;
use crate::report::{
    ApprovalStep, Decision, DiffLine, ProblemSnapshot, Report, ReportInput, ReportKind,
    ReportStatus, ReportVersion, ReportVersionInput, StepInput, StepKind, diff_lines,
};
use crate::service::TodoKind;
use crate::service::messages::{Audience, Note, notify};
use crate::store::{PlanningWrite, ProblemFilter, ReadTx, ReportRead, ReportWrite, Store, WriteTx};

/// What the actor may do with a report now.
#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct ReportRights {
    /// Write a new version (the team, while the report is a draft).
    pub new_version: bool,
    /// Submit the latest version to the team meeting (the leader or deputy).
    pub submit: bool,
    /// The step of the chain the actor may decide now.
    pub decide: Option<StepKind>,
    /// File the approved report with the committee above (报备): the own office of the
    /// committee that sent the team.
    pub file_upward: bool,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReportDetail {
    pub report: Report,
    /// Oldest first.
    pub versions: Vec<ReportVersion>,
    /// In the order they were taken.
    pub steps: Vec<ApprovalStep>,
    pub rights: ReportRights,
}

pub(crate) async fn load_report<T: ReadTx>(tx: &mut T, id: Id) -> Result<Report> {
    tx.get_report(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("巡视报告".into()))
}

/// Loads a report and its inspection for someone who may read the inspection's papers.
pub(crate) async fn readable_report<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    id: Id,
) -> Result<(Report, Inspection)> {
    let r = load_report(tx, id).await?;
    let insp = load_inspection(tx, r.inspection_id).await?;
    require_paper_reader(actor, &insp).map_err(|e| match e {
        CoreError::NotFound(_) => CoreError::NotFound("巡视报告".into()),
        other => other,
    })?;
    Ok((r, insp))
}

/// Whether the actor decides `step`: the team's leader at the team meeting, the office for
/// itself and on behalf of the leading group and the committee.
fn decides(actor: &Actor, insp: &Inspection, step: StepKind) -> bool {
    match step {
        StepKind::TeamMeeting => team_seat(actor, insp) == Some(Seat::Lead),
        StepKind::Office | StepKind::LeadingGroup | StepKind::Committee => {
            inspection_access(actor, insp) == Access::Office
        }
    }
}

/// Whether the actor decides `step` of a report of `insp` now: only while the inspection is
/// reporting. The to-do asks the same.
pub(crate) fn decides_now(actor: &Actor, insp: &Inspection, step: StepKind) -> bool {
    insp.stage == Stage::Reporting && decides(actor, insp, step)
}

fn rights(actor: &Actor, insp: &Inspection, r: &Report) -> ReportRights {
    let seat = team_seat(actor, insp);
    let working = matches!(insp.stage, Stage::OnSite | Stage::Reporting);
    let draft = r.status == ReportStatus::Draft;
    ReportRights {
        new_version: working && draft && seat.is_some(),
        submit: insp.stage == Stage::Reporting
            && draft
            && r.current_version > 0
            && seat == Some(Seat::Lead),
        decide: r.status.awaiting().filter(|s| decides_now(actor, insp, *s)),
        file_upward: r.status == ReportStatus::Approved
            && super::filings::may_file_for(actor, insp.dispatcher_id),
    }
}

/// Copies the signed papers a version includes.
async fn snapshot<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    ids: Option<Vec<Id>>,
) -> Result<Vec<ProblemSnapshot>> {
    let signed: Vec<Problem> = tx
        .list_problems(
            insp.id,
            &ProblemFilter {
                status: Some(ProblemStatus::Signed),
                ..Default::default()
            },
        )
        .await?;
    let chosen: Vec<&Problem> = match &ids {
        None => signed.iter().collect(),
        Some(ids) => {
            let mut out = Vec::new();
            for id in ids {
                let p = signed.iter().find(|p| p.id == *id).ok_or_else(|| {
                    CoreError::bad_input("problem_ids", "报告只能收入本组经组长签批的问题底稿")
                })?;
                out.push(p);
            }
            out
        }
    };
    let cats = tx.list_categories(None).await?;
    chosen
        .into_iter()
        .map(|p| {
            let c = cats
                .iter()
                .find(|c| c.id == p.category_id)
                .ok_or_else(|| CoreError::internal("paper without its category"))?;
            Ok(ProblemSnapshot {
                problem_id: p.id,
                seq: p.seq,
                category_id: c.id,
                category_name: c.name.clone(),
                category_position: c.position,
                title: p.title.clone(),
                facts: p.facts.clone(),
                rule_broken: p.rule_broken.clone(),
                responsibility: p.responsibility.clone(),
                responsibility_types: p.responsibility_types.clone(),
            })
        })
        .collect()
}

/// The approved inspection report of an inspection, if there is one.
pub(crate) async fn approved_main_report<T: ReadTx>(
    tx: &mut T,
    inspection_id: Id,
) -> Result<Option<Report>> {
    Ok(tx
        .list_reports(inspection_id)
        .await?
        .into_iter()
        .find(|r| r.kind == ReportKind::Main && r.status == ReportStatus::Approved))
}

impl<S: Store> Services<S> {
    pub async fn list_reports(&self, actor: &Actor, inspection_id: Id) -> Result<Vec<Report>> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_paper_reader(actor, &insp)?;
        tx.list_reports(insp.id).await
    }

    /// Opens a report. An inspection has one inspection report and any number of special ones.
    pub async fn create_report(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &ReportInput,
    ) -> Result<Report> {
        let (kind, title) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "起草巡视报告")?;
        if kind == ReportKind::Main
            && tx
                .list_reports(insp.id)
                .await?
                .iter()
                .any(|r| r.kind == ReportKind::Main)
        {
            return Err(CoreError::Conflict(
                "本组已有巡视报告；其他报告请作为专题报告起草".into(),
            ));
        }
        let r = Report {
            id: Id::new(),
            inspection_id: insp.id,
            kind,
            title,
            status: ReportStatus::Draft,
            current_version: 0,
            created: signature(actor, now),
            version: 1,
            updated_at: now,
        };
        tx.insert_report(&r).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ReportCreated,
                "report",
                Some(r.id),
                json!({ "inspection_id": insp.id, "kind": kind }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(r)
    }

    /// A report with all its versions and its approval steps. The read is audited.
    pub async fn report_detail(&self, actor: &Actor, id: Id) -> Result<ReportDetail> {
        let now = self.now();
        let mut tx = self.store.read().await?;
        let (report, insp) = readable_report(&mut tx, actor, id).await?;
        let versions = tx.list_report_versions(id).await?;
        let steps = tx.list_approval_steps(id).await?;
        drop(tx);
        self.record_shown(
            actor,
            now,
            AuditEntry::new(
                Action::ReportViewed,
                "report",
                Some(id),
                json!({ "inspection_id": insp.id }),
            ),
        )
        .await?;
        Ok(ReportDetail {
            rights: rights(actor, &insp, &report),
            report,
            versions,
            steps,
        })
    }

    /// A new draft of a report: the assessment, the signed papers it includes (all of them
    /// unless chosen), and the recommendations. Earlier drafts stay as they were.
    pub async fn add_report_version(
        &self,
        actor: &Actor,
        id: Id,
        input: &ReportVersionInput,
    ) -> Result<ReportVersion> {
        let (assessment, recommendations, ids) = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = readable_report(&mut tx, actor, id).await?;
        require_team(actor, &insp, Seat::Member)?;
        require_fieldwork(&insp, "修改巡视报告")?;
        if before.version != input.version {
            return Err(CoreError::StaleVersion(format!("报告“{}”", before.title)));
        }
        if before.status != ReportStatus::Draft {
            return Err(CoreError::RuleRefused(format!(
                "报告{}，不能修改；如需修改，须由审批环节退回",
                before.status.label()
            )));
        }
        let problems = snapshot(&mut tx, &insp, ids).await?;
        let v = ReportVersion {
            report_id: id,
            number: before.current_version + 1,
            assessment,
            problems,
            recommendations,
            note: input.note.trim().to_owned(),
            created: signature(actor, now),
        };
        tx.insert_report_version(&v).await?;
        let after = Report {
            current_version: v.number,
            version: before.version + 1,
            updated_at: now,
            ..before
        };
        tx.update_report(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ReportVersionCreated,
                "report",
                Some(id),
                json!({ "number": v.number, "problems": v.problems.len(), "recommendations": v.recommendations.len() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(v)
    }

    /// One decision of the chain: the team's submission of its latest draft, then each body's
    /// approval or return. A return sends the draft back to the team with the comment.
    pub async fn decide_report(&self, actor: &Actor, id: Id, input: &StepInput) -> Result<Report> {
        let decision = Decision::parse(&input.decision)?;
        let meeting_date = parse_date("meeting_date", input.meeting_date.as_deref())?;
        let comment = input.comment.trim().to_owned();
        if comment.chars().count() > 2000 {
            return Err(CoreError::bad_input("comment", "意见不能超过 2000 个字"));
        }
        if decision == Decision::Return && comment.is_empty() {
            return Err(CoreError::unfit("comment", "退回修改须写明意见"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let (before, insp) = readable_report(&mut tx, actor, id).await?;
        let step = match (decision, before.status.awaiting()) {
            (Decision::Submit, _) => StepKind::TeamMeeting,
            (_, Some(step)) => step,
            (_, None) => {
                return Err(CoreError::RuleRefused(format!(
                    "报告{}，当前没有待审批的环节",
                    before.status.label()
                )));
            }
        };
        if decision == Decision::Submit {
            require_team(actor, &insp, Seat::Lead)?;
        } else if !decides(actor, &insp, step) {
            return Err(CoreError::Forbidden(match step {
                StepKind::TeamMeeting => "组务会审议结果由本巡视组组长、副组长记录".into(),
                _ => format!("{}的审批由巡视办记录", step.label()),
            }));
        }
        if insp.stage != Stage::Reporting {
            return Err(CoreError::RuleRefused(format!(
                "巡视任务处于“{}”阶段；报告在“报告”阶段审批",
                insp.stage.label()
            )));
        }
        if before.version != input.version {
            return Err(CoreError::StaleVersion(format!("报告“{}”", before.title)));
        }
        let Some(next) = before.status.after(decision) else {
            return Err(CoreError::RuleRefused(format!(
                "报告{}，不能“{}”",
                before.status.label(),
                decision.label()
            )));
        };
        if decision == Decision::Submit && before.current_version == 0 {
            return Err(CoreError::RuleRefused(
                "报告还没有稿件，不能提交审议".into(),
            ));
        }
        let heard = matches!(step, StepKind::LeadingGroup | StepKind::Committee);
        if heard && decision == Decision::Approve && meeting_date.is_none() {
            return Err(CoreError::bad_input(
                "meeting_date",
                format!("请填写{}听取汇报的日期", step.label()),
            ));
        }
        if let Some(d) = meeting_date {
            check_meeting_date(&insp, step, d)?;
        }
        let s = ApprovalStep {
            id: Id::new(),
            report_id: id,
            step,
            decision,
            report_version: before.current_version,
            comment,
            meeting_date,
            decided: signature(actor, now),
        };
        tx.insert_approval_step(&s).await?;
        let after = Report {
            status: next,
            version: before.version + 1,
            updated_at: now,
            ..before.clone()
        };
        tx.update_report(&after).await?;
        // The hearings of the inspection report are dates of the inspection itself.
        if before.kind == ReportKind::Main && decision == Decision::Approve && heard {
            let mut dates = insp.dates.clone();
            match step {
                StepKind::LeadingGroup => dates.reported_to_group = meeting_date,
                _ => dates.reported_to_committee = meeting_date,
            }
            let updated = Inspection {
                dates,
                version: insp.version + 1,
                updated_at: now,
                ..insp.clone()
            };
            tx.update_inspection(&updated).await?;
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::ReportStepRecorded,
                "report",
                Some(id),
                json!({
                    "step": step, "decision": decision, "report_version": s.report_version,
                    "meeting_date": meeting_date.map(|d| d.to_string()),
                    "from": before.status, "to": next,
                }),
            ),
        )
        .await?;
        // The report's next step waits for whoever decides it.
        let waits = match next {
            ReportStatus::AtTeamMeeting => Some(TodoKind::ReportTeamMeeting),
            ReportStatus::AtOffice | ReportStatus::AtLeadingGroup | ReportStatus::AtCommittee => {
                Some(TodoKind::ReportDecide)
            }
            _ => None,
        };
        if let Some(kind) = waits {
            notify(
                &mut tx,
                actor,
                Audience::Acts(kind, &insp, None),
                &Note::new(
                    format!("report_step:{id}:{}", after.version),
                    MessageKind::Handover,
                    kind.label(),
                    format!("巡视报告“{}”{}。", after.title, next.label()),
                    (kind, id, insp.id),
                ),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        Ok(after)
    }

    /// The line differences between two versions of a report.
    pub async fn report_diff(
        &self,
        actor: &Actor,
        id: Id,
        from: i32,
        to: i32,
    ) -> Result<Vec<DiffLine>> {
        let mut tx = self.store.read().await?;
        readable_report(&mut tx, actor, id).await?;
        let a = tx
            .get_report_version(id, from)
            .await?
            .ok_or_else(|| CoreError::bad_input("from", format!("报告没有第 {from} 稿")))?;
        let b = tx
            .get_report_version(id, to)
            .await?
            .ok_or_else(|| CoreError::bad_input("to", format!("报告没有第 {to} 稿")))?;
        Ok(diff_lines(&a.lines(), &b.lines()))
    }
}

/// Meetings hear the report after the team has left the unit, and in the chain's order.
fn check_meeting_date(insp: &Inspection, step: StepKind, d: jiff::civil::Date) -> Result<()> {
    if let Some(exit) = insp.dates.exit
        && d < exit
    {
        return Err(CoreError::unfit(
            "meeting_date",
            format!("会议日期不能早于巡视结束进驻日期（{exit}）"),
        ));
    }
    if step == StepKind::Committee
        && let Some(group) = insp.dates.reported_to_group
        && d < group
    {
        return Err(CoreError::unfit(
            "meeting_date",
            format!("书记专题会议日期不能早于领导小组听取汇报日期（{group}）"),
        ));
    }
    Ok(())
}
