//! Planning: terms (届), annual plans, rounds (轮次), and the inspections of a round, with the
//! stage machine every inspection moves through.

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::org::labelled_enum;
use crate::role::Role;

/// A term of the dispatching committee. Full coverage of its units is due within one term.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Term {
    pub id: Id,
    pub name: String,
    /// The committee that dispatches the inspections of this term.
    pub dispatcher_id: Id,
    #[schema(value_type = String, format = Date)]
    pub starts_on: jiff::civil::Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<jiff::civil::Date>,
    pub version: i64,
}

/// The plan of one year within a term.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AnnualPlan {
    pub id: Id,
    pub term_id: Id,
    pub year: i16,
    pub title: String,
    pub notes: String,
    pub version: i64,
}

/// A round (轮次): the inspections sent out together.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Round {
    pub id: Id,
    pub plan_id: Id,
    pub term_id: Id,
    pub year: i16,
    /// The round's number within the term (第 N 轮).
    pub number: i16,
    pub name: String,
    pub version: i64,
}

labelled_enum!(
    /// The type of an inspection (domain.md §4); the flags below add to it.
    InspectionKind, "kind" {
        Routine = "routine" / "常规巡视",
        Special = "special" / "专项巡视",
        Mobile = "mobile" / "机动巡视",
        LookBack = "look_back" / "巡视“回头看”",
    }
);

labelled_enum!(
    /// Where an inspection stands. Only the transitions of [`Stage::next_allowed`] exist.
    Stage, "stage" {
        Planning = "planning" / "计划",
        Preparation = "preparation" / "准备",
        OnSite = "on_site" / "进驻了解",
        Reporting = "reporting" / "报告",
        FeedbackGiven = "feedback_given" / "已反馈",
        Rectification = "rectification" / "整改",
        Archived = "archived" / "已归档",
    }
);

impl Stage {
    /// The stage an inspection may move to from this one, and who may move it.
    ///
    /// Feedback is given through the feedback service (it needs an approved report), which then
    /// moves the stage itself; so `Reporting → FeedbackGiven` is not a plain transition.
    pub fn transition(self, to: Stage) -> Option<&'static [Role]> {
        use Role::*;
        use Stage::*;
        match (self, to) {
            (Planning, Preparation) => Some(&[Office]),
            (Preparation, OnSite) => Some(&[Office, TeamLeader]),
            (OnSite, Reporting) => Some(&[Office, TeamLeader]),
            (FeedbackGiven, Rectification) => Some(&[Office]),
            (Rectification, Archived) => Some(&[Office]),
            // Back one step, for a plan that changed before the team entered.
            (Preparation, Planning) => Some(&[Office]),
            _ => None,
        }
    }

    pub fn index(self) -> usize {
        Stage::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// Whether the inspected unit may see anything of the inspection: only once feedback is
    /// given.
    pub fn feedback_given(self) -> bool {
        self.index() >= Stage::FeedbackGiven.index()
    }
}

/// The key dates of an inspection. Planned dates are set when planning; actual dates as the
/// work happens.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct InspectionDates {
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_entry: Option<jiff::civil::Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_exit: Option<jiff::civil::Date>,
    /// 进驻: the team entered.
    #[schema(value_type = Option<String>, format = Date)]
    pub entry: Option<jiff::civil::Date>,
    /// End of on-site work.
    #[schema(value_type = Option<String>, format = Date)]
    pub exit: Option<jiff::civil::Date>,
    /// Report heard by the leading group.
    #[schema(value_type = Option<String>, format = Date)]
    pub reported_to_group: Option<jiff::civil::Date>,
    /// Report heard by the committee (the secretary's special meeting).
    #[schema(value_type = Option<String>, format = Date)]
    pub reported_to_committee: Option<jiff::civil::Date>,
    /// Feedback given: starts the rectification clocks.
    #[schema(value_type = Option<String>, format = Date)]
    pub feedback: Option<jiff::civil::Date>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Inspection {
    pub id: Id,
    pub round_id: Id,
    pub dispatcher_id: Id,
    /// The team's name, such as 第三巡视组.
    pub team_name: String,
    /// The unit or units inspected ("一托二/三").
    pub target_ids: Vec<Id>,
    pub kind: InspectionKind,
    /// A higher level inspects (提级).
    pub elevated: bool,
    /// The team inspects outside its locality (交叉).
    pub cross: bool,
    /// Levels inspect together (联动).
    pub linked: bool,
    /// The earlier inspection this one looks back on.
    pub look_back_of: Option<Id>,
    pub stage: Stage,
    pub dates: InspectionDates,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

/// The fields of an inspection as they arrive from a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct InspectionInput {
    #[schema(value_type = String, format = "uuid")]
    pub round_id: String,
    #[schema(min_length = 1, pattern = r"\S", max_length = 50)]
    pub team_name: String,
    /// One to three units, by id or exact name.
    #[schema(value_type = Vec<crate::text::NonBlank>, min_items = 1, max_items = 3)]
    pub targets: Vec<String>,
    #[schema(value_type = InspectionKind)]
    pub kind: String,
    #[serde(default)]
    pub elevated: bool,
    #[serde(default)]
    pub cross: bool,
    #[serde(default)]
    pub linked: bool,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub look_back_of: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_entry: Option<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub planned_exit: Option<String>,
}

/// Reads an optional `YYYY-MM-DD` date; blank means none.
pub fn parse_date(field: &str, v: Option<&str>) -> Result<Option<jiff::civil::Date>> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            CoreError::bad_input(field, format!("“{s}”不是有效日期，格式应为 2019-09-18"))
        }),
    }
}

/// The validated parts of an [`InspectionInput`] that need no lookup.
pub struct InspectionFields {
    pub round_id: Id,
    pub team_name: String,
    pub targets: Vec<String>,
    pub kind: InspectionKind,
    pub elevated: bool,
    pub cross: bool,
    pub linked: bool,
    pub look_back_of: Option<Id>,
    pub planned_entry: Option<jiff::civil::Date>,
    pub planned_exit: Option<jiff::civil::Date>,
}

impl InspectionFields {
    /// Whether the inspection may take units below a lower committee: a higher level's
    /// (提级巡察), or one organised across localities (交叉巡察).
    pub fn takes_lower(&self) -> bool {
        self.elevated || self.cross
    }
}

/// A team's name: given, and 50 characters at most.
pub fn check_team_name(v: &mut Validation, name: &str) {
    if name.is_empty() {
        v.add("team_name", "请填写巡视组名称，如“第三巡视组”");
    } else if name.chars().count() > 50 {
        v.add("team_name", "巡视组名称不能超过 50 个字");
    }
}

impl InspectionInput {
    pub fn validate(&self) -> Result<InspectionFields> {
        let mut v = Validation::new();
        let round_id = v.take(
            self.round_id
                .trim()
                .parse::<Id>()
                .map_err(|_| CoreError::bad_input("round_id", "请选择轮次")),
        );
        let team_name = self.team_name.trim();
        check_team_name(&mut v, team_name);
        let targets: Vec<String> = self
            .targets
            .iter()
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty())
            .collect();
        if targets.is_empty() {
            v.add("targets", "请至少选择一个被巡视单位");
        } else if targets.len() > 3 {
            v.add("targets", "一个巡视组一轮最多巡视三个单位（“一托三”）");
        }
        let kind = v.take(InspectionKind::parse(&self.kind));
        let look_back_of =
            match self.look_back_of.as_deref().map(str::trim) {
                None | Some("") => None,
                Some(s) => v.take(s.parse::<Id>().map_err(|_| {
                    CoreError::bad_input("look_back_of", "“回头看”所对应的原巡视无效")
                })),
            };
        match (kind, look_back_of) {
            // Rules between fields, which the document cannot state: 422.
            (Some(InspectionKind::LookBack), None) => {
                v.unfit("look_back_of", "“回头看”须指明所回看的原巡视");
            }
            (Some(k), Some(_)) if k != InspectionKind::LookBack => v.unfit(
                "look_back_of",
                format!("只有“回头看”巡视才能关联原巡视，{}不能关联", k.label()),
            ),
            _ => {}
        }
        let planned_entry = v
            .take(parse_date("planned_entry", self.planned_entry.as_deref()))
            .flatten();
        let planned_exit = v
            .take(parse_date("planned_exit", self.planned_exit.as_deref()))
            .flatten();
        if let (Some(a), Some(b)) = (planned_entry, planned_exit)
            && b < a
        {
            v.unfit("planned_exit", "计划结束日期不能早于计划进驻日期");
        }
        v.finish()?;
        Ok(InspectionFields {
            round_id: round_id.expect("validated"),
            team_name: team_name.to_owned(),
            targets,
            kind: kind.expect("validated"),
            elevated: self.elevated,
            cross: self.cross,
            linked: self.linked,
            look_back_of,
            planned_entry,
            planned_exit,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An inspection of `targets` at `stage`, for the tests of the rules that read one.
    pub(crate) fn sample(targets: Vec<Id>, stage: Stage) -> Inspection {
        let now = jiff::Timestamp::UNIX_EPOCH;
        Inspection {
            id: Id::new(),
            round_id: Id::new(),
            dispatcher_id: Id::new(),
            team_name: "第三巡视组".into(),
            target_ids: targets,
            kind: InspectionKind::Routine,
            elevated: false,
            cross: false,
            linked: false,
            look_back_of: None,
            stage,
            dates: InspectionDates::default(),
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn only_the_listed_transitions_exist() {
        assert!(Stage::Planning.transition(Stage::Preparation).is_some());
        assert!(Stage::Planning.transition(Stage::OnSite).is_none());
        assert!(Stage::Reporting.transition(Stage::FeedbackGiven).is_none());
        assert!(Stage::Archived.transition(Stage::Planning).is_none());
        let who = Stage::OnSite.transition(Stage::Reporting).unwrap();
        assert!(who.contains(&Role::TeamLeader) && !who.contains(&Role::TeamMember));
    }

    #[test]
    fn the_unit_sees_nothing_before_feedback() {
        assert!(!Stage::Reporting.feedback_given());
        assert!(Stage::FeedbackGiven.feedback_given());
        assert!(Stage::Archived.feedback_given());
    }

    #[test]
    fn a_team_covers_one_to_three_units() {
        let mut input = InspectionInput {
            round_id: Id::new().to_string(),
            team_name: "第三巡视组".into(),
            targets: vec!["a".into(), "b".into(), "c".into(), "d".into()],
            kind: "routine".into(),
            ..Default::default()
        };
        assert!(input.validate().is_err());
        input.targets.truncate(3);
        assert!(input.validate().is_ok());
        // The look-back link is a rule between two fields: refused as data (422).
        input.kind = "look_back".into();
        let Err(CoreError::Unfit(f)) = input.validate() else {
            panic!("a look-back without the inspection it looks back on")
        };
        assert_eq!(f[0].field, "look_back_of");
        input.look_back_of = Some(Id::new().to_string());
        assert!(input.validate().is_ok());
        input.kind = "routine".into();
        let Err(CoreError::Unfit(f)) = input.validate() else {
            panic!("a look-back link on a routine inspection")
        };
        assert_eq!(f[0].field, "look_back_of");
    }
}
