//! 报备: a lower committee's inspection office files its plans, its rounds and its approved
//! reports with the office of the committee above it, which reads them and acknowledges them
//! (阅知) or answers with its comments (提出意见). What was filed is kept as it was filed: the
//! text and its digest at that moment, so a plan changed later does not change what the upper
//! office read; a changed plan is filed again.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::{AnnualPlan, Inspection, Round, Term};
use crate::org::{Unit, is_committee, labelled_enum};
use crate::paper::Signature;
use crate::report::{Report, ReportVersion};
use crate::supervision::text;

labelled_enum!(
    /// What is filed.
    FilingKind, "kind" {
        Plan = "plan" / "年度巡视巡察工作计划",
        Round = "round" / "轮次安排",
        Report = "report" / "巡视巡察报告",
    }
);

labelled_enum!(
    /// Where a filing stands with the upper office.
    FilingStatus, "status" {
        Filed = "filed" / "待阅",
        Acknowledged = "acknowledged" / "已阅知",
        Commented = "commented" / "已提出意见",
    }
);

impl FilingStatus {
    pub fn tag(self) -> &'static str {
        match self {
            FilingStatus::Filed => "yellow",
            FilingStatus::Acknowledged => "green",
            FilingStatus::Commented => "blue",
        }
    }
}

/// One filing, as the committee filed it and the upper office answered it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Filing {
    pub id: Id,
    /// The committee that files (its office filed).
    pub committee_id: Id,
    /// The committee it is filed with: the nearest committee above.
    pub upper_id: Id,
    pub kind: FilingKind,
    /// The plan, round or report filed.
    pub subject_id: Id,
    pub title: String,
    /// The text as filed.
    pub content: String,
    /// The digest of `content` by the installation's hash (SM3's marked `sm3-`).
    pub digest: String,
    pub filed: Signature,
    pub status: FilingStatus,
    /// The upper office's comments (empty for a plain acknowledgement).
    pub reply: String,
    pub replied: Option<Signature>,
    pub version: i64,
}

/// What to file: the kind and the plan's, round's or report's id.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FilingInput {
    #[schema(value_type = FilingKind)]
    pub kind: String,
    #[schema(value_type = String, format = "uuid")]
    pub subject_id: String,
}

impl FilingInput {
    pub fn validate(&self) -> Result<(FilingKind, Id)> {
        let mut v = Validation::new();
        let kind = v.take(FilingKind::parse(self.kind.trim()));
        let subject = v.take(
            self.subject_id
                .trim()
                .parse::<Id>()
                .map_err(|_| CoreError::bad_input("subject_id", "请指明报备的计划、轮次或报告")),
        );
        v.finish()?;
        kind.zip(subject)
            .ok_or_else(|| CoreError::internal("a filing's input passed without its parts"))
    }
}

labelled_enum!(
    /// The upper office's answer.
    ReplyDecision, "decision" {
        Acknowledge = "acknowledge" / "阅知",
        Comment = "comment" / "提出意见",
    }
);

/// The upper office's answer to a filing, on the version it read.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FilingReply {
    pub version: i64,
    #[schema(value_type = ReplyDecision)]
    pub decision: String,
    /// Required with `comment`; an acknowledgement may carry a remark.
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub comment: String,
}

impl FilingReply {
    /// The status the answer leads to and its text.
    /// A comment without its text is well formed but cannot be given (422), as a rule of the
    /// answer, not of the form.
    pub fn validate(&self) -> Result<(FilingStatus, String)> {
        let mut v = Validation::new();
        let decision = v.take(ReplyDecision::parse(self.decision.trim()));
        let comment = text(&mut v, "comment", &self.comment, 5000, "");
        v.finish()?;
        let decision =
            decision.ok_or_else(|| CoreError::internal("an answer passed without its decision"))?;
        let status = match decision {
            ReplyDecision::Acknowledge => FilingStatus::Acknowledged,
            ReplyDecision::Comment if comment.is_empty() => {
                return Err(CoreError::unfit("comment", "请填写对报备事项的意见"));
            }
            ReplyDecision::Comment => FilingStatus::Commented,
        };
        Ok((status, comment))
    }
}

/// The committee a filing of `committee` goes to: the nearest committee above it, from its
/// ancestors nearest first. `None` for the top committee, which files outside the system.
pub fn upper_committee(ancestors: &[Unit]) -> Option<&Unit> {
    ancestors.iter().find(|u| is_committee(u) && !u.withdrawn)
}

/// The names the texts use, by unit id.
pub type Names = HashMap<Id, String>;

fn name_of(names: &Names, id: Id) -> &str {
    names.get(&id).map(String::as_str).unwrap_or("（未知单位）")
}

/// A round's arrangements as filed: each team, what it inspects, how and when.
pub fn round_text(round: &Round, inspections: &[Inspection], names: &Names) -> String {
    let mut out = format!("第{}轮 {}（{}年）\n", round.number, round.name, round.year);
    if inspections.is_empty() {
        out.push_str("  尚未安排巡视巡察组。\n");
    }
    for i in inspections {
        let targets: Vec<&str> = i.target_ids.iter().map(|t| name_of(names, *t)).collect();
        let mut how = vec![i.kind.label()];
        if i.elevated {
            how.push("提级巡察");
        }
        if i.cross {
            how.push("交叉巡察");
        }
        if i.linked {
            how.push("上下联动");
        }
        let _ = write!(
            out,
            "  {}：{}（{}",
            i.team_name,
            targets.join("、"),
            how.join("，")
        );
        match (i.dates.planned_entry, i.dates.planned_exit) {
            (Some(a), Some(b)) => {
                let _ = write!(out, "；计划 {a} 进驻，{b} 撤离");
            }
            (Some(a), None) => {
                let _ = write!(out, "；计划 {a} 进驻");
            }
            _ => {}
        }
        out.push_str("）\n");
    }
    out
}

/// An annual plan as filed: the committee, the term, the plan's notes and its rounds.
pub fn plan_text(
    committee: &str,
    term: &Term,
    plan: &AnnualPlan,
    rounds: &[(Round, Vec<Inspection>)],
    names: &Names,
) -> String {
    let mut out = format!(
        "{committee}{}年度巡视巡察工作计划：{}\n届次：{}（{} 起）\n",
        plan.year, plan.title, term.name, term.starts_on
    );
    if !plan.notes.is_empty() {
        let _ = write!(out, "\n{}\n", plan.notes);
    }
    out.push_str("\n轮次安排：\n");
    if rounds.is_empty() {
        out.push_str("  尚未安排轮次。\n");
    }
    for (r, i) in rounds {
        out.push_str(&round_text(r, i, names));
    }
    out
}

/// An approved report as filed: the inspection, the assessment, the problems by heading and
/// the recommendations of the approved version.
pub fn report_text(report: &Report, v: &ReportVersion, team: &str, targets: &str) -> String {
    let mut out = format!(
        "{}（{}，{}巡视巡察{}，第 {} 稿，已审定）\n\n一、总体评价\n{}\n\n二、发现的主要问题\n",
        report.title,
        report.kind.label(),
        team,
        targets,
        v.number,
        v.assessment
    );
    let mut problems: Vec<_> = v.problems.iter().collect();
    problems.sort_by_key(|p| (p.category_position, p.seq));
    let mut heading = None;
    for (n, p) in problems.iter().enumerate() {
        if heading != Some(&p.category_name) {
            let _ = writeln!(out, "（{}）", p.category_name);
            heading = Some(&p.category_name);
        }
        let _ = writeln!(out, "{}. {}：{}", n + 1, p.title, p.facts);
    }
    if problems.is_empty() {
        out.push_str("（无）\n");
    }
    out.push_str("\n三、意见建议\n");
    for (n, r) in v.recommendations.iter().enumerate() {
        let _ = writeln!(out, "{}. {r}", n + 1);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspection::{InspectionDates, InspectionKind, Stage};
    use crate::org::{UnitKind, UnitLevel};

    fn unit(name: &str, kind: UnitKind, withdrawn: bool) -> Unit {
        let now = jiff::Timestamp::UNIX_EPOCH;
        Unit {
            id: Id::new(),
            name: name.into(),
            kind,
            level: UnitLevel::City,
            parent_id: None,
            withdrawn,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_filing_goes_to_the_nearest_committee_that_still_stands() {
        let dept = unit("市委组织部", UnitKind::Department, false);
        let gone = unit("原市委", UnitKind::LowerCommittee, true);
        let city = unit("南宁市委", UnitKind::LowerCommittee, false);
        let province = unit("自治区党委", UnitKind::Committee, false);
        let chain = [dept, gone, city.clone(), province];
        assert_eq!(upper_committee(&chain).map(|u| u.id), Some(city.id));
        assert!(upper_committee(&chain[..2]).is_none());
    }

    #[test]
    fn a_comment_needs_its_text_and_an_acknowledgement_does_not() {
        let reply = |decision: &str, comment: &str| FilingReply {
            version: 1,
            decision: decision.into(),
            comment: comment.into(),
        };
        assert_eq!(
            reply("acknowledge", "").validate().unwrap(),
            (FilingStatus::Acknowledged, String::new())
        );
        assert!(reply("comment", "  ").validate().is_err());
        assert_eq!(
            reply("comment", " 请补充交叉巡察回避安排 ")
                .validate()
                .unwrap(),
            (FilingStatus::Commented, "请补充交叉巡察回避安排".into())
        );
        assert!(reply("approve", "").validate().is_err());
    }

    #[test]
    fn a_round_lists_each_team_with_its_units_and_days() {
        let (a, b) = (Id::new(), Id::new());
        let names: Names = [(a, "横州市教育局".to_owned()), (b, "武鸣区委".to_owned())].into();
        let round = Round {
            id: Id::new(),
            plan_id: Id::new(),
            term_id: Id::new(),
            year: 2026,
            number: 3,
            name: "常规巡察".into(),
            version: 1,
        };
        let now = jiff::Timestamp::UNIX_EPOCH;
        let insp = Inspection {
            id: Id::new(),
            round_id: round.id,
            dispatcher_id: b,
            team_name: "武鸣区委巡察组".into(),
            target_ids: vec![a],
            kind: InspectionKind::Routine,
            elevated: false,
            cross: true,
            linked: false,
            look_back_of: None,
            stage: Stage::Planning,
            dates: InspectionDates {
                planned_entry: Some(jiff::civil::date(2026, 12, 14)),
                ..Default::default()
            },
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let text = round_text(&round, &[insp], &names);
        assert_eq!(
            text,
            "第3轮 常规巡察（2026年）\n  武鸣区委巡察组：横州市教育局（常规巡视，交叉巡察；计划 2026-12-14 进驻）\n"
        );
    }
}
