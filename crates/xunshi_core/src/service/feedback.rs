//! The feedback: drafted by the team's leader or the office once the report is approved, then
//! given at the feedback meeting. Giving it is one transaction that stores the document, sets
//! the inspection's feedback date (which starts the rectification clocks) and moves the
//! inspection to `FeedbackGiven` — the only way there, since the plain stage machine has no
//! `Reporting → FeedbackGiven` edge. From then on the inspected unit reads the feedback, and
//! nothing else of the inspection.

use serde_json::json;

use super::papers::signature;
use super::planning::load_inspection;
use super::reports::approved_main_report;
use super::{Services, record};
use crate::access::{Access, inspection_access, may_draft_feedback, require_access};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::feedback::{Feedback, FeedbackInput, FeedbackStatus, group_by_category};
use crate::feedback_text::{self, ParsedFeedback};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::paper::{Problem, ProblemStatus};
use crate::permission::Actor;
use crate::store::{
    PaperRead, PlanningWrite, ProblemFilter, ReadTx, ReportRead, ReportWrite, Store, WriteTx,
};
use crate::taxonomy::sort_categories;

/// The signed papers the feedback names: those chosen, or those of the approved inspection
/// report's latest version, or (without an approved report) every signed paper.
async fn feedback_problems<T: ReadTx>(
    tx: &mut T,
    insp: &Inspection,
    ids: Option<&[Id]>,
) -> Result<Vec<Problem>> {
    let signed = tx
        .list_problems(
            insp.id,
            &ProblemFilter {
                status: Some(ProblemStatus::Signed),
                ..Default::default()
            },
        )
        .await?;
    let ids: Vec<Id> = match ids {
        Some(ids) => ids.to_vec(),
        None => match report_problem_ids(tx, insp.id).await? {
            Some(ids) => ids,
            None => return Ok(signed),
        },
    };
    ids.iter()
        .map(|id| {
            signed.iter().find(|p| p.id == *id).cloned().ok_or_else(|| {
                CoreError::bad_input("problem_ids", "反馈意见只能列入本组经组长签批的问题底稿")
            })
        })
        .collect()
}

/// The papers of the approved inspection report's latest version.
async fn report_problem_ids<T: ReadTx>(tx: &mut T, inspection_id: Id) -> Result<Option<Vec<Id>>> {
    let Some(report) = approved_main_report(tx, inspection_id).await? else {
        return Ok(None);
    };
    Ok(tx
        .get_report_version(report.id, report.current_version)
        .await?
        .map(|v| v.problems.iter().map(|p| p.problem_id).collect()))
}

impl<S: Store> Services<S> {
    /// A pasted feedback text (or a news report of one) read into proposed items, for whoever
    /// may draft a feedback. Reads and writes nothing: the person corrects the proposal and
    /// saves it as any draft, through [`Services::save_feedback`].
    pub fn parse_feedback_text(&self, actor: &Actor, text: &str) -> Result<ParsedFeedback> {
        if !may_draft_feedback(actor) {
            return Err(CoreError::Forbidden(
                "只有巡视办或巡视组组长、副组长可以识别反馈文本".into(),
            ));
        }
        feedback_text::check_input(text)?;
        Ok(feedback_text::parse(text))
    }

    /// The feedback of an inspection. The team, the office and the leadership see the draft;
    /// the inspected unit sees it once given, and is told nothing exists before.
    pub async fn get_feedback(&self, actor: &Actor, inspection_id: Id) -> Result<Option<Feedback>> {
        let mut tx = self.store.read().await?;
        readable_feedback(&mut tx, actor, inspection_id).await
    }

    /// What a new draft starts from: the approved inspection report's latest version (its
    /// assessment, papers and recommendations), with the usual demands.
    pub async fn feedback_defaults(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<FeedbackInput> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_access(actor, &insp, Access::TeamLead)?;
        let mut input = FeedbackInput {
            demands: "被巡视党组织要严肃对待、扎实整改，领导班子承担巡视整改主体责任，\
                      主要领导是第一责任人，班子成员履行“一岗双责”。\
                      整改情况报告和主要负责人组织落实整改情况的报告，\
                      应在巡视反馈后两个月内报送巡视工作领导小组办公室。"
                .to_owned(),
            ..Default::default()
        };
        if let Some(report) = approved_main_report(&mut tx, insp.id).await?
            && let Some(v) = tx
                .get_report_version(report.id, report.current_version)
                .await?
        {
            input.assessment = v.assessment;
            input.recommendations = v.recommendations;
            input.problem_ids = Some(
                v.problems
                    .iter()
                    .map(|p| p.problem_id.to_string())
                    .collect(),
            );
        }
        Ok(input)
    }

    /// Saves the draft of the feedback; by the team's leader or deputy, or the office, while
    /// the inspection reports. `input.version` is 0 for the first save.
    pub async fn save_feedback(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &FeedbackInput,
    ) -> Result<Feedback> {
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_access(actor, &insp, Access::TeamLead)?;
        if insp.stage != Stage::Reporting {
            return Err(CoreError::RuleRefused(format!(
                "巡视任务处于“{}”阶段，不能拟写反馈意见",
                insp.stage.label()
            )));
        }
        let before = tx.get_feedback(insp.id).await?;
        let current = before.as_ref().map_or(0, |b| b.version);
        if current != input.version {
            return Err(CoreError::StaleVersion("反馈意见".into()));
        }
        if before
            .as_ref()
            .is_some_and(|b| b.status == FeedbackStatus::Given)
        {
            return Err(CoreError::RuleRefused("反馈意见已经反馈，不能修改".into()));
        }
        let problems = feedback_problems(&mut tx, &insp, f.problem_ids.as_deref()).await?;
        let mut cats = tx.list_categories(None).await?;
        sort_categories(&mut cats, &tx.list_taxonomy_versions().await?);
        let refs: Vec<&Problem> = problems.iter().collect();
        let fb = Feedback {
            inspection_id: insp.id,
            status: FeedbackStatus::Draft,
            assessment: f.assessment,
            groups: group_by_category(&refs, &cats),
            recommendations: f.recommendations,
            demands: f.demands,
            deadline: f.deadline,
            meeting: f.meeting,
            saved: signature(actor, now),
            given: None,
            version: current + 1,
        };
        if before.is_some() {
            tx.update_feedback(&fb).await?;
        } else {
            tx.insert_feedback(&fb).await?;
        }
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FeedbackSaved,
                "inspection",
                Some(insp.id),
                json!({ "version": fb.version, "problems": problems.len(), "recommendations": fb.recommendations.len() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok(fb)
    }

    /// Gives the feedback: only while the inspection reports and once the inspection report is
    /// approved, with a complete draft. Sets the feedback date (the meeting's) and moves the
    /// inspection to `FeedbackGiven`, in the same transaction.
    pub async fn give_feedback(
        &self,
        actor: &Actor,
        inspection_id: Id,
        version: i64,
    ) -> Result<(Feedback, Inspection)> {
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_access(actor, &insp, Access::TeamLead)?;
        if insp.stage != Stage::Reporting {
            return Err(CoreError::RuleRefused(format!(
                "巡视任务处于“{}”阶段，不能反馈",
                insp.stage.label()
            )));
        }
        if approved_main_report(&mut tx, insp.id).await?.is_none() {
            return Err(CoreError::RuleRefused(
                "巡视报告尚未经党委（书记专题会议）审定，不能反馈".into(),
            ));
        }
        let Some(before) = tx.get_feedback(insp.id).await? else {
            return Err(CoreError::RuleRefused("请先拟写反馈意见".into()));
        };
        if before.version != version {
            return Err(CoreError::StaleVersion("反馈意见".into()));
        }
        if before.status == FeedbackStatus::Given {
            return Err(CoreError::RuleRefused("反馈意见已经反馈".into()));
        }
        before.check_ready()?;
        let date = before.meeting.date.expect("checked ready");
        if let Some(heard) = insp.dates.reported_to_committee
            && date < heard
        {
            return Err(CoreError::unfit(
                "meeting_date",
                format!("反馈日期不能早于书记专题会议听取汇报的日期（{heard}）"),
            ));
        }
        let fb = Feedback {
            status: FeedbackStatus::Given,
            given: Some(signature(actor, now)),
            version: before.version + 1,
            ..before
        };
        tx.update_feedback(&fb).await?;
        let mut dates = insp.dates.clone();
        dates.feedback = Some(date);
        let after = Inspection {
            stage: Stage::FeedbackGiven,
            dates,
            version: insp.version + 1,
            updated_at: now,
            ..insp.clone()
        };
        tx.update_inspection(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::FeedbackGiven,
                "inspection",
                Some(insp.id),
                json!({ "feedback_date": date.to_string(), "deadline": fb.deadline.map(|d| d.to_string()) }),
            ),
        )
        .await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::InspectionStageChanged,
                "inspection",
                Some(insp.id),
                json!({ "from": insp.stage, "to": after.stage, "date": date.to_string() }),
            ),
        )
        .await?;
        tx.commit().await?;
        Ok((fb, after))
    }
}

/// The feedback of an inspection as `actor` may read it: the team, the office and the
/// leadership see the draft; the inspected unit sees it once given, and is told nothing exists
/// before.
pub(crate) async fn readable_feedback<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    inspection_id: Id,
) -> Result<Option<Feedback>> {
    let insp = load_inspection(tx, inspection_id).await?;
    match inspection_access(actor, &insp) {
        Access::None => Err(CoreError::NotFound("巡视任务".into())),
        Access::FeedbackOnly => match tx.get_feedback(insp.id).await? {
            Some(f) if f.status == FeedbackStatus::Given => Ok(Some(f)),
            _ => Err(CoreError::NotFound("反馈意见".into())),
        },
        _ => tx.get_feedback(insp.id).await,
    }
}
