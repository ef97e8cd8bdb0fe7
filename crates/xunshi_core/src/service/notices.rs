//! Immediate-fix notices (立行立改): issued by the team's leader to an inspected unit during
//! the inspection, answered by the unit's principal or liaison, then closed by the team or sent
//! back. A notice is addressed to the unit, so the unit reads it — the one thing of an
//! inspection it sees before feedback — but never the working paper behind it.

use serde::Serialize;
use serde_json::json;

use super::papers::{Seat, require_fieldwork, require_team, signature, team_seat};
use super::planning::{load_inspection, today};
use super::{Services, record};
use crate::access::{Access, inspection_access};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::message::MessageKind;
use crate::paper::{
    ImmediateFixNotice, NoticeAnswer, NoticeInput, NoticeReview, NoticeStatus, ProblemStatus,
};
use crate::permission::Actor;
use crate::role::{Role, Scope};
use crate::service::TodoKind;
use crate::service::messages::{Audience, Note, notify};
use crate::store::{PaperRead, PaperWrite, ReadTx, Store, WriteTx};

/// The notices of one inspection as the actor may see them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct NoticeBoard {
    pub inspection_id: Id,
    pub team_name: String,
    pub notices: Vec<ImmediateFixNotice>,
    /// The actor may issue notices (the team's leader or deputy, during the work).
    pub can_issue: bool,
    /// The actor may review answers.
    pub can_review: bool,
    /// The units whose notices the actor answers.
    pub answers_for: Vec<Id>,
}

/// The units of `insp` whose principal or liaison the actor is: whose immediate-fix notices
/// the actor answers. Pages ask this rather than read the grants.
pub fn answers_for(actor: &Actor, insp: &Inspection) -> Vec<Id> {
    if actor.as_user().is_none_or(|u| u.disabled) {
        return Vec::new();
    }
    let mut out: Vec<Id> = actor
        .grants()
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::UnitPrincipal | Role::UnitLiaison, Scope::Unit(u))
                if insp.target_ids.contains(&u) =>
            {
                Some(u)
            }
            _ => None,
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Whether the actor reviews the answers to the notices of `insp`: what
/// `require_team(…, Seat::Lead)` lets through. The to-do asks the same.
pub(crate) fn reviews_notices(actor: &Actor, insp: &Inspection) -> bool {
    team_seat(actor, insp) == Some(Seat::Lead)
}

/// Units reached by notices only once the team is there.
fn notices_open(insp: &Inspection) -> bool {
    insp.stage.index() >= Stage::OnSite.index()
}

/// What of a notice the actor may see: the unit does not learn which paper it came from.
fn for_viewer(mut n: ImmediateFixNotice, unit_view: bool) -> ImmediateFixNotice {
    if unit_view {
        n.problem_id = None;
    }
    n
}

/// Whether the actor reads the inspection's notices as the team/office/leadership do.
fn reads_all(actor: &Actor, insp: &Inspection) -> bool {
    inspection_access(actor, insp) >= Access::Read
}

async fn load_notice<T: ReadTx>(tx: &mut T, id: Id) -> Result<ImmediateFixNotice> {
    tx.get_notice(id)
        .await?
        .ok_or_else(|| CoreError::NotFound("立行立改通知".into()))
}

impl<S: Store> Services<S> {
    /// The notices of an inspection: all of them for the team, the office and the leadership;
    /// those addressed to their unit for its principal and liaison; nothing for anyone else.
    pub async fn notice_board(&self, actor: &Actor, inspection_id: Id) -> Result<NoticeBoard> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        let all = reads_all(actor, &insp);
        let units = answers_for(actor, &insp);
        if !all && (units.is_empty() || !notices_open(&insp)) {
            return Err(match inspection_access(actor, &insp) {
                Access::None => CoreError::NotFound("巡视任务".into()),
                _ => CoreError::Forbidden("您无权查看立行立改通知".into()),
            });
        }
        let notices = if all {
            tx.list_notices(Some(insp.id), None).await?
        } else {
            tx.list_notices(Some(insp.id), Some(&units)).await?
        };
        let seat = team_seat(actor, &insp);
        let working = matches!(insp.stage, Stage::OnSite | Stage::Reporting);
        Ok(NoticeBoard {
            inspection_id: insp.id,
            team_name: insp.team_name.clone(),
            notices: notices.into_iter().map(|n| for_viewer(n, !all)).collect(),
            can_issue: working && seat == Some(Seat::Lead),
            can_review: seat == Some(Seat::Lead),
            answers_for: units,
        })
    }

    /// The notices addressed to the units the actor answers for, across inspections, with the
    /// name of the team that sent each.
    pub async fn my_notices(&self, actor: &Actor) -> Result<Vec<(ImmediateFixNotice, String)>> {
        if actor.as_user().is_none_or(|u| u.disabled) {
            return Err(CoreError::Unauthenticated("请先登录".into()));
        }
        let units = super::supervision::speaks_for_units(actor);
        if units.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.store.read().await?;
        let notices = tx.list_notices(None, Some(&units)).await?;
        let mut out = Vec::new();
        let mut teams: Vec<(Id, String)> = Vec::new();
        for n in notices {
            let name = match teams.iter().find(|(id, _)| *id == n.inspection_id) {
                Some((_, name)) => name.clone(),
                None => {
                    let insp = load_inspection(&mut tx, n.inspection_id).await?;
                    teams.push((insp.id, insp.team_name.clone()));
                    insp.team_name
                }
            };
            out.push((for_viewer(n, true), name));
        }
        Ok(out)
    }

    /// Issues a notice to one of the inspected units; by the team's leader or deputy.
    pub async fn issue_notice(
        &self,
        actor: &Actor,
        inspection_id: Id,
        input: &NoticeInput,
    ) -> Result<ImmediateFixNotice> {
        let f = input.validate()?;
        let now = self.now();
        let mut tx = self.store.write().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_team(actor, &insp, Seat::Lead)?;
        require_fieldwork(&insp, "下发立行立改通知")?;
        let unit_id = match f.unit_id {
            Some(u) if insp.target_ids.contains(&u) => u,
            Some(_) => {
                return Err(CoreError::bad_input(
                    "unit_id",
                    "该单位不是本次巡视的被巡视单位",
                ));
            }
            None if insp.target_ids.len() == 1 => insp.target_ids[0],
            None => return Err(CoreError::bad_input("unit_id", "请选择通知的单位")),
        };
        if let Some(pid) = f.problem_id {
            let p = tx
                .get_problem(pid)
                .await?
                .filter(|p| p.inspection_id == insp.id)
                .ok_or_else(|| CoreError::bad_input("problem_id", "本组没有这份问题底稿"))?;
            if p.status == ProblemStatus::Withdrawn {
                return Err(CoreError::bad_input("problem_id", "该问题底稿已撤回"));
            }
        }
        let issued_on = f.issued_on.unwrap_or_else(|| today(now));
        if f.due_on.is_some_and(|d| d < issued_on) {
            return Err(CoreError::unfit("due_on", "整改期限不能早于下发日期"));
        }
        let n = ImmediateFixNotice {
            id: Id::new(),
            inspection_id: insp.id,
            unit_id,
            problem_id: f.problem_id,
            seq: tx.max_notice_seq(insp.id).await? + 1,
            content: f.content,
            issued_on,
            due_on: f.due_on,
            status: NoticeStatus::Issued,
            issued: signature(actor, now),
            answer: None,
            answered_on: None,
            answered: None,
            review_comment: None,
            reviewed: None,
            version: 1,
        };
        tx.insert_notice(&n).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::NoticeIssued,
                "notice",
                Some(n.id),
                json!({ "inspection_id": insp.id, "unit_id": unit_id, "seq": n.seq, "due_on": n.due_on }),
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Acts(TodoKind::FixNoticeAnswer, &insp, Some(unit_id)),
            &Note::new(
                format!("fix_notice_issued:{}", n.id),
                MessageKind::Handover,
                "立行立改通知待答复",
                format!("{}下发立行立改通知第{}号，请答复。", insp.team_name, n.seq),
                (TodoKind::FixNoticeAnswer, n.id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(n)
    }

    /// The unit's answer: what it has fixed. By its principal or liaison, while the notice is
    /// open.
    pub async fn answer_notice(
        &self,
        actor: &Actor,
        id: Id,
        a: &NoticeAnswer,
    ) -> Result<ImmediateFixNotice> {
        let answer = a.answer.trim();
        if answer.is_empty() {
            return Err(CoreError::bad_input("answer", "请填写整改情况"));
        }
        if answer.chars().count() > 10_000 {
            return Err(CoreError::bad_input("answer", "不能超过 10000 个字"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_notice(&mut tx, id).await?;
        let insp = load_inspection(&mut tx, before.inspection_id).await?;
        if !answers_for(actor, &insp).contains(&before.unit_id) {
            return Err(if reads_all(actor, &insp) {
                CoreError::Forbidden("立行立改通知由被通知单位的主要负责人或联络员答复".into())
            } else {
                CoreError::NotFound("立行立改通知".into())
            });
        }
        if before.version != a.version {
            return Err(CoreError::StaleVersion(format!(
                "立行立改通知第{}号",
                before.seq
            )));
        }
        if before.status != NoticeStatus::Issued {
            return Err(CoreError::RuleRefused(format!(
                "通知“{}”，不能再答复",
                before.status.label()
            )));
        }
        let after = ImmediateFixNotice {
            status: NoticeStatus::Answered,
            answer: Some(answer.to_owned()),
            answered_on: Some(today(now)),
            answered: Some(signature(actor, now)),
            version: before.version + 1,
            ..before
        };
        tx.update_notice(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::NoticeAnswered,
                "notice",
                Some(id),
                json!({ "inspection_id": insp.id, "seq": after.seq }),
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Acts(TodoKind::FixNoticeReview, &insp, Some(after.unit_id)),
            &Note::new(
                format!("fix_notice_answered:{id}:{}", after.version),
                MessageKind::Handover,
                "立行立改答复待审核",
                format!("立行立改通知第{}号已答复，请审核。", after.seq),
                (TodoKind::FixNoticeReview, id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(for_viewer(after, true))
    }

    /// The team's leader accepts the answer (the notice is closed) or sends it back to the unit
    /// with the reason.
    pub async fn review_notice(
        &self,
        actor: &Actor,
        id: Id,
        r: &NoticeReview,
    ) -> Result<ImmediateFixNotice> {
        let comment = r.comment.trim();
        if !r.accept && comment.is_empty() {
            return Err(CoreError::unfit("comment", "退回时请说明理由"));
        }
        if comment.chars().count() > 2000 {
            return Err(CoreError::bad_input("comment", "不能超过 2000 个字"));
        }
        let now = self.now();
        let mut tx = self.store.write().await?;
        let before = load_notice(&mut tx, id).await?;
        let insp = load_inspection(&mut tx, before.inspection_id).await?;
        require_team(actor, &insp, Seat::Lead)?;
        if before.version != r.version {
            return Err(CoreError::StaleVersion(format!(
                "立行立改通知第{}号",
                before.seq
            )));
        }
        if before.status != NoticeStatus::Answered {
            return Err(CoreError::RuleRefused(
                "只有单位已答复的通知才能办结或退回".into(),
            ));
        }
        let after = ImmediateFixNotice {
            status: if r.accept {
                NoticeStatus::Closed
            } else {
                NoticeStatus::Issued
            },
            review_comment: (!comment.is_empty()).then(|| comment.to_owned()),
            reviewed: Some(signature(actor, now)),
            version: before.version + 1,
            ..before
        };
        tx.update_notice(&after).await?;
        record(
            &mut tx,
            actor,
            now,
            AuditEntry::new(
                Action::NoticeReviewed,
                "notice",
                Some(id),
                json!({ "seq": after.seq, "accepted": r.accept }),
            ),
        )
        .await?;
        notify(
            &mut tx,
            actor,
            Audience::Unit(after.unit_id),
            &Note::new(
                format!("fix_notice_reviewed:{id}:{}", after.version),
                MessageKind::Decision,
                if r.accept {
                    "立行立改答复已通过"
                } else {
                    "立行立改答复被退回"
                },
                format!(
                    "立行立改通知第{}号的答复{}。",
                    after.seq,
                    if r.accept {
                        "已审核通过"
                    } else {
                        "被退回，请重新答复"
                    }
                ),
                (TodoKind::FixNoticeAnswer, id, insp.id),
            ),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
