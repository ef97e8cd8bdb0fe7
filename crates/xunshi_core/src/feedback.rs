//! The feedback (反馈意见): the document the team delivers to the inspected unit — overall
//! assessment, the problems by category, recommendations, rectification demands and deadline —
//! and the record of the feedback meeting. Giving it sets the inspection's feedback date, which
//! starts the rectification clocks, and is the first thing of the inspection the unit may read.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::parse_date;
use crate::org::labelled_enum;
use crate::paper::{Problem, Signature};
use crate::report::clean_items;
use crate::taxonomy::Category;

labelled_enum!(
    FeedbackStatus, "status" {
        Draft = "draft" / "拟稿中",
        Given = "given" / "已反馈",
    }
);

/// One problem as fed back, linked to its working paper. The unit's view carries the link too:
/// the id opens nothing for the unit, and its own rectification items will refer to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackItem {
    pub problem_id: Id,
    pub title: String,
}

/// The problems under one heading of the taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackGroup {
    pub category_id: Id,
    pub category_name: String,
    pub items: Vec<FeedbackItem>,
}

/// The feedback meeting (反馈会).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct FeedbackMeeting {
    #[schema(value_type = Option<String>, format = Date)]
    pub date: Option<jiff::civil::Date>,
    /// Who delivered the feedback: 巡视组组长于洁.
    pub delivered_by: String,
    /// To whom: the unit's principal leader.
    pub delivered_to: String,
    /// Who presided over the meeting.
    pub presided_by: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Feedback {
    pub inspection_id: Id,
    pub status: FeedbackStatus,
    /// 总体评价.
    pub assessment: String,
    pub groups: Vec<FeedbackGroup>,
    pub recommendations: Vec<String>,
    /// 整改要求.
    pub demands: String,
    /// The date by which the unit reports its rectification.
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<jiff::civil::Date>,
    pub meeting: FeedbackMeeting,
    pub saved: Signature,
    pub given: Option<Signature>,
    pub version: i64,
}

/// The feedback as a form or a JSON body gives it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FeedbackInput {
    /// The version of the draft this edit is based on; 0 for the first save.
    #[serde(default)]
    pub version: i64,
    #[schema(max_length = 20000)]
    pub assessment: String,
    /// Ids of signed papers to feed back; when absent, those of the approved inspection report.
    #[serde(default)]
    pub problem_ids: Option<Vec<String>>,
    pub recommendations: Vec<String>,
    #[serde(default)]
    #[schema(max_length = 20000)]
    pub demands: String,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub deadline: Option<String>,
    /// `YYYY-MM-DD`: the day of the feedback meeting, which becomes the feedback date.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub meeting_date: Option<String>,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub delivered_by: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub delivered_to: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub presided_by: String,
}

pub struct FeedbackFields {
    pub assessment: String,
    pub problem_ids: Option<Vec<Id>>,
    pub recommendations: Vec<String>,
    pub demands: String,
    pub deadline: Option<jiff::civil::Date>,
    pub meeting: FeedbackMeeting,
}

fn short(v: &mut Validation, field: &str, text: &str, max: usize) -> String {
    let t = text.trim();
    if t.chars().count() > max {
        v.add(field, format!("不能超过 {max} 个字"));
    }
    t.to_owned()
}

impl FeedbackInput {
    /// Checks what a draft may hold; completeness is checked only when the feedback is given.
    pub fn validate(&self) -> Result<FeedbackFields> {
        let mut v = Validation::new();
        let assessment = short(&mut v, "assessment", &self.assessment, 20_000);
        let problem_ids = match &self.problem_ids {
            None => None,
            Some(list) => {
                let mut out = Vec::new();
                for raw in list.iter().filter(|s| !s.trim().is_empty()) {
                    if let Some(id) = v.take(
                        raw.trim()
                            .parse::<Id>()
                            .map_err(|_| CoreError::bad_input("problem_ids", "问题底稿编号无效")),
                    ) && !out.contains(&id)
                    {
                        out.push(id);
                    }
                }
                Some(out)
            }
        };
        let recommendations = clean_items(&self.recommendations);
        let demands = short(&mut v, "demands", &self.demands, 20_000);
        let deadline = v
            .take(parse_date("deadline", self.deadline.as_deref()))
            .flatten();
        let date = v
            .take(parse_date("meeting_date", self.meeting_date.as_deref()))
            .flatten();
        if let (Some(d), Some(m)) = (deadline, date)
            && d <= m
        {
            v.unfit("deadline", "整改时限应晚于反馈日期");
        }
        let meeting = FeedbackMeeting {
            date,
            delivered_by: short(&mut v, "delivered_by", &self.delivered_by, 200),
            delivered_to: short(&mut v, "delivered_to", &self.delivered_to, 200),
            presided_by: short(&mut v, "presided_by", &self.presided_by, 200),
        };
        v.finish()?;
        Ok(FeedbackFields {
            assessment,
            problem_ids,
            recommendations,
            demands,
            deadline,
            meeting,
        })
    }
}

impl Feedback {
    /// What must be there before the feedback can be given: every part of the document and of
    /// the meeting record.
    pub fn check_ready(&self) -> Result<()> {
        let mut v = Validation::new();
        if self.assessment.is_empty() {
            v.add("assessment", "请填写总体评价");
        }
        if self.groups.iter().all(|g| g.items.is_empty()) {
            v.add("problem_ids", "反馈意见中没有问题");
        }
        if self.recommendations.is_empty() {
            v.add("recommendations", "请至少填写一条意见建议");
        }
        if self.demands.is_empty() {
            v.add("demands", "请填写整改要求");
        }
        if self.deadline.is_none() {
            v.add("deadline", "请填写整改时限");
        }
        if self.meeting.date.is_none() {
            v.add("meeting_date", "请填写反馈日期");
        }
        if self.meeting.delivered_by.is_empty() {
            v.add("delivered_by", "请填写反馈人");
        }
        if self.meeting.delivered_to.is_empty() {
            v.add("delivered_to", "请填写反馈对象");
        }
        if self.meeting.presided_by.is_empty() {
            v.add("presided_by", "请填写反馈会议主持人");
        }
        v.finish()
    }
}

/// Groups problems under their headings, in the taxonomy's order (`categories` as
/// [`crate::taxonomy::sort_categories`] orders them), each group's problems by paper number.
/// A problem whose category is not in the list comes last, under its own id, rather than being
/// dropped.
pub fn group_by_category(problems: &[&Problem], categories: &[Category]) -> Vec<FeedbackGroup> {
    let rank = |cid: Id| {
        categories
            .iter()
            .position(|c| c.id == cid)
            .unwrap_or(usize::MAX)
    };
    let mut sorted: Vec<&&Problem> = problems.iter().collect();
    sorted.sort_by_key(|p| (rank(p.category_id), p.category_id, p.seq));
    let mut out: Vec<FeedbackGroup> = Vec::new();
    for p in sorted {
        let item = FeedbackItem {
            problem_id: p.id,
            title: p.title.clone(),
        };
        match out.last_mut() {
            Some(g) if g.category_id == p.category_id => g.items.push(item),
            _ => out.push(FeedbackGroup {
                category_id: p.category_id,
                category_name: categories
                    .iter()
                    .find(|c| c.id == p.category_id)
                    .map(|c| c.name.clone())
                    .unwrap_or_else(|| "其他".to_owned()),
                items: vec![item],
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::paper::{ProblemStatus, Severity};

    fn category(name: &str, position: i32, version_id: Id) -> Category {
        Category {
            id: Id::new(),
            version_id,
            code: name.into(),
            name: name.into(),
            position,
        }
    }

    fn problem(seq: i32, category_id: Id, title: &str) -> Problem {
        let sig = Signature {
            by: None,
            name: "组长".into(),
            at: jiff::Timestamp::UNIX_EPOCH,
        };
        Problem {
            id: Id::new(),
            inspection_id: Id::new(),
            seq,
            target_unit_id: Id::new(),
            taxonomy_version_id: Id::new(),
            category_id,
            title: title.into(),
            facts: String::new(),
            rule_broken: String::new(),
            responsibility: String::new(),
            responsibility_types: vec![],
            severity: Severity::General,
            status: ProblemStatus::Signed,
            created: sig.clone(),
            approved: None,
            signed: None,
            status_note: None,
            version: 1,
            updated_at: jiff::Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn problems_are_grouped_in_taxonomy_order_then_by_number() {
        let v = Id::new();
        let political = category("政治建设", 1, v);
        let organisation = category("组织建设", 3, v);
        let integrity = category("党风廉政建设和反腐败斗争", 6, v);
        let cats = vec![political.clone(), organisation.clone(), integrity.clone()];
        let ps = [
            problem(5, integrity.id, "落实“两个责任”不够到位"),
            problem(3, organisation.id, "执行干部选拔任用有关规定不够到位"),
            problem(2, political.id, "协调督察全区意识形态工作力度不够"),
            problem(1, political.id, "落实党管宣传思想文化职责存在薄弱点"),
            problem(4, organisation.id, "领导机关党建工作不够深入"),
        ];
        let refs: Vec<&Problem> = ps.iter().collect();
        let groups = group_by_category(&refs, &cats);
        let shape: Vec<(String, Vec<String>)> = groups
            .iter()
            .map(|g| {
                (
                    g.category_name.clone(),
                    g.items.iter().map(|i| i.title.clone()).collect(),
                )
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    "政治建设".to_string(),
                    vec![
                        "落实党管宣传思想文化职责存在薄弱点".to_string(),
                        "协调督察全区意识形态工作力度不够".to_string()
                    ]
                ),
                (
                    "组织建设".to_string(),
                    vec![
                        "执行干部选拔任用有关规定不够到位".to_string(),
                        "领导机关党建工作不够深入".to_string()
                    ]
                ),
                (
                    "党风廉政建设和反腐败斗争".to_string(),
                    vec!["落实“两个责任”不够到位".to_string()]
                ),
            ]
        );
        assert_eq!(
            groups[0].items[0].problem_id, ps[3].id,
            "linked to its paper"
        );
    }

    #[test]
    fn a_problem_of_an_unknown_category_is_kept_last() {
        let v = Id::new();
        let known = category("政治建设", 1, v);
        let stray = problem(1, Id::new(), "别的");
        let p = problem(2, known.id, "已知");
        let groups = group_by_category(&[&stray, &p], std::slice::from_ref(&known));
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].category_name, "政治建设");
        assert_eq!(groups[1].category_name, "其他");
    }

    #[test]
    fn a_draft_must_be_complete_before_it_is_given() {
        let f = FeedbackInput {
            assessment: "总体评价".into(),
            recommendations: vec!["一".into(), " ".into()],
            deadline: Some("2020-03-01".into()),
            meeting_date: Some("2020-03-25".into()),
            ..Default::default()
        };
        let Err(CoreError::Unfit(e)) = f.validate() else {
            panic!("a deadline before the feedback was accepted")
        };
        assert_eq!(e[0].field, "deadline");
        let f = FeedbackInput {
            deadline: Some("2020-05-25".into()),
            ..f
        }
        .validate()
        .expect("valid draft");
        assert_eq!(f.recommendations, ["一"]);
        let fb = Feedback {
            inspection_id: Id::new(),
            status: FeedbackStatus::Draft,
            assessment: f.assessment,
            groups: vec![],
            recommendations: f.recommendations,
            demands: String::new(),
            deadline: f.deadline,
            meeting: f.meeting,
            saved: Signature {
                by: None,
                name: "x".into(),
                at: jiff::Timestamp::UNIX_EPOCH,
            },
            given: None,
            version: 1,
        };
        let Err(CoreError::BadInput(e)) = fb.check_ready() else {
            panic!("an incomplete feedback was ready")
        };
        let fields: Vec<_> = e.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "problem_ids",
                "demands",
                "delivered_by",
                "delivered_to",
                "presided_by"
            ]
        );
    }
}
