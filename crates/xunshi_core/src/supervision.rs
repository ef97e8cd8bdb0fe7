//! Supervision of rectification (督查): the deadline rules as the office keeps them, the clocks
//! they set for each inspected unit, follow-up notices (督办), accountability (追责问责) and the
//! long-term mechanisms (当下改、长久立). Input types and their checks, and the pure rules;
//! `service/supervision/*` applies them, `rectify.rs` holds the records themselves.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::deadline::{Clock, Colour, Counting, DeadlineRule, InspectionLevel, colour};
use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::parse_date;
use crate::org::UnitLevel;
use crate::rectify::{Form, NoticeKind, check_measure};

/// A deadline rule as stored: the shipped rule, its id, and the version edits are checked
/// against.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct StoredDeadlineRule {
    pub id: Id,
    #[serde(flatten)]
    pub rule: DeadlineRule,
    /// The committee whose own rule this is (a city's or county's 巡察办 keeps it for the
    /// inspections its committee sends), in place of its level's rule of the same clock;
    /// none for the rule of a level.
    pub committee_id: Option<Id>,
    pub version: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<jiff::Timestamp>,
}

impl StoredDeadlineRule {
    /// "2个月" or "15个工作日", as people say it.
    pub fn period(&self) -> String {
        match self.rule.counting {
            Counting::WorkingDays => format!("{}个工作日", self.rule.amount),
            Counting::Months => format!("{}个月", self.rule.amount),
        }
    }
}

/// A new length for one rule, with the version the editor saw. Which clock and which level a
/// rule sets does not change: that is what the rule is.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DeadlineRuleInput {
    pub version: i64,
    #[schema(minimum = 1, maximum = 24)]
    pub amount: i32,
    /// working_days or months
    #[schema(value_type = Counting)]
    pub counting: String,
    /// Where the rule comes from: the regulation, or local practice.
    #[schema(min_length = 1, pattern = r"\S", max_length = 500)]
    pub basis: String,
}

impl DeadlineRuleInput {
    pub fn validate(&self) -> Result<(i32, Counting, String)> {
        let mut v = Validation::new();
        let counting = v.take(Counting::parse(&self.counting));
        match counting {
            Some(Counting::WorkingDays) if !(1..=120).contains(&self.amount) => {
                v.add("amount", "按工作日计算时应为 1 到 120 个工作日")
            }
            Some(Counting::Months) if !(1..=24).contains(&self.amount) => {
                v.add("amount", "按月计算时应为 1 到 24 个月")
            }
            _ => {}
        }
        let basis = self.basis.trim();
        if basis.is_empty() {
            v.add("basis", "请注明依据，如条例条款或本地规定");
        } else if basis.chars().count() > 500 {
            v.add("basis", "依据不能超过 500 个字");
        }
        v.finish()?;
        Ok((self.amount, counting.expect("validated"), basis.to_owned()))
    }
}

/// A committee's own rule of one clock, as its office sets it: which committee, which clock,
/// and its length.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct CommitteeRuleInput {
    /// The committee (党委/党组) whose inspections the rule reckons.
    #[schema(value_type = String, format = "uuid")]
    pub committee_id: String,
    /// plan_due, meeting_due or report_due: a clock the committee's level has.
    #[schema(value_type = Clock)]
    pub clock: String,
    #[schema(minimum = 1, maximum = 24)]
    pub amount: i32,
    /// working_days or months
    #[schema(value_type = Counting)]
    pub counting: String,
    /// Where the rule comes from: the regulation, or local practice.
    #[schema(min_length = 1, pattern = r"\S", max_length = 500)]
    pub basis: String,
}

impl CommitteeRuleInput {
    /// The committee, the clock and the length, each checked as the rule of a level is.
    pub fn validate(&self) -> Result<(Id, Clock, i32, Counting, String)> {
        let mut v = Validation::new();
        let committee = v.take(
            self.committee_id
                .trim()
                .parse::<Id>()
                .map_err(|_| CoreError::bad_input("committee_id", "请选择党委（党组）")),
        );
        let clock = v.take(Clock::parse(&self.clock));
        let length = v.take(
            DeadlineRuleInput {
                version: 0,
                amount: self.amount,
                counting: self.counting.clone(),
                basis: self.basis.clone(),
            }
            .validate(),
        );
        v.finish()?;
        match (committee, clock, length) {
            (Some(c), Some(k), Some((amount, counting, basis))) => {
                Ok((c, k, amount, counting, basis))
            }
            _ => Err(CoreError::internal("validated")),
        }
    }
}

/// The settings of rectification supervision the office keeps: for now the warning period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RectifySettings {
    /// How many days before a deadline the tasks and clocks turn yellow.
    pub warn_days: i32,
    pub version: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<jiff::Timestamp>,
    pub updated_by: Option<Id>,
}

impl Default for RectifySettings {
    fn default() -> Self {
        RectifySettings {
            warn_days: crate::deadline::DEFAULT_WARN_DAYS,
            version: 1,
            updated_at: None,
            updated_by: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct WarnDaysInput {
    pub version: i64,
    #[schema(minimum = 0, maximum = 60)]
    pub warn_days: i32,
}

impl WarnDaysInput {
    pub fn validate(&self) -> Result<()> {
        if !(0..=60).contains(&self.warn_days) {
            return Err(CoreError::bad_input("warn_days", "预警天数应为 0 到 60 天"));
        }
        Ok(())
    }
}

/// One clock of one inspected unit: when it is due, its colour, whether it is done. A clock
/// counted in working days into a year without a holiday arrangement has a provisional (暂定)
/// date, counted by weekends alone, and says why; a clock whose date cannot be computed at
/// all carries the reason instead of a date.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ClockView {
    pub clock: Clock,
    /// 整改方案报送 …
    pub label: String,
    pub unit_id: Id,
    pub unit_name: String,
    /// The rule's length: "2个月".
    pub period: String,
    pub basis: String,
    #[schema(value_type = String, format = Date)]
    pub feedback: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    /// None when the due date is unknown or the product keeps no record of the clock's event.
    pub colour: Option<Colour>,
    pub done: bool,
    /// Whether the product records the event that stops the clock (a plan submitted, a report
    /// submitted). The democratic-life meeting, for one, is not recorded here.
    pub tracked: bool,
    /// Why the due date is provisional (暂定), e.g. "2027年节假日安排尚未录入，按周末推算";
    /// none when it stands.
    pub provisional: Option<String>,
    /// Why there is no due date.
    pub refused: Option<String>,
}

/// What a clock needs besides the rule: where it runs, and whether its event has happened
/// (`None`: not recorded by the product).
pub struct ClockInput<'a> {
    pub unit_id: Id,
    pub unit_name: &'a str,
    pub feedback: Date,
    pub today: Date,
    pub warn_days: i32,
    pub done: Option<bool>,
}

/// The clock `rule` sets for one unit. Pure: the calendar and the facts come in.
pub fn clock_view(rule: &StoredDeadlineRule, calendar: &Calendar, at: &ClockInput) -> ClockView {
    let (due, provisional, refused) = match rule.rule.due(at.feedback, calendar) {
        Ok(r) => (Some(r.date), r.provisional, None),
        Err(e) => (None, None, Some(e.to_string())),
    };
    let done = at.done.unwrap_or(false);
    ClockView {
        clock: rule.rule.clock,
        label: rule.rule.clock.label().to_owned(),
        unit_id: at.unit_id,
        unit_name: at.unit_name.to_owned(),
        period: rule.period(),
        basis: rule.rule.basis.clone(),
        feedback: at.feedback,
        due,
        colour: match (due, at.done) {
            (Some(d), Some(done)) => Some(colour(d, at.today, at.warn_days, done)),
            _ => None,
        },
        done,
        tracked: at.done.is_some(),
        provisional,
        refused,
    }
}

/// The rule of `clock` for the inspections of a dispatcher of `level`: the dispatcher's own
/// (`owner`, the committee whose own rule reckons the clock), else its level's, if the office
/// keeps one.
pub fn rule_for(
    rules: &[StoredDeadlineRule],
    owner: Option<Id>,
    level: UnitLevel,
    clock: Clock,
) -> Option<&StoredDeadlineRule> {
    let own = owner.and_then(|c| {
        rules
            .iter()
            .find(|r| r.committee_id == Some(c) && r.rule.clock == clock)
    });
    own.or_else(|| {
        rules.iter().find(|r| {
            r.committee_id.is_none()
                && r.rule.level == InspectionLevel::of_dispatcher(level)
                && r.rule.clock == clock
        })
    })
}

/// The rules of one level, in the order the clocks run: plan, meeting, report.
pub fn rules_of(rules: &[StoredDeadlineRule], level: InspectionLevel) -> Vec<&StoredDeadlineRule> {
    let mut out: Vec<_> = rules
        .iter()
        .filter(|r| r.committee_id.is_none() && r.rule.level == level)
        .collect();
    out.sort_by_key(|r| Clock::ALL.iter().position(|c| *c == r.rule.clock));
    out
}

/// The rules that reckon the clocks of the inspections `committee` sends, a dispatcher of
/// `level`: its level's clocks, each by the committee's own rule where it keeps one.
pub fn rules_in_force(
    rules: &[StoredDeadlineRule],
    committee: Id,
    level: InspectionLevel,
) -> Vec<&StoredDeadlineRule> {
    rules_of(rules, level)
        .into_iter()
        .map(|general| {
            rules
                .iter()
                .find(|r| r.committee_id == Some(committee) && r.rule.clock == general.rule.clock)
                .unwrap_or(general)
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Follow-up notices (督办)

/// A follow-up notice as the office or a supervisor issues it.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct FollowUpInput {
    #[schema(value_type = String, format = "uuid")]
    pub inspection_id: String,
    #[schema(value_type = String, format = "uuid")]
    pub unit_id: String,
    /// The task concerned, if the notice is about one task rather than the unit's work.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub task_id: Option<String>,
    /// reminder (提醒书), warning (告诫书), formal (督办通知书), referral (问责建议书)
    #[schema(value_type = crate::rectify::NoticeKind)]
    pub kind: String,
    /// The document number, such as 巡整督〔2020〕3号; may be empty for a reminder.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub doc_no: String,
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    pub content: String,
    /// By when the unit must answer.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub answer_due: Option<String>,
}

/// The checked fields of a [`FollowUpInput`]; ids still to be looked up.
pub struct FollowUpFields {
    pub inspection_id: Id,
    pub unit_id: Id,
    pub task_id: Option<Id>,
    pub kind: NoticeKind,
    pub doc_no: String,
    pub content: String,
    pub answer_due: Option<Date>,
}

pub(crate) fn id_field(v: &mut Validation, field: &str, raw: &str, missing: &str) -> Option<Id> {
    let raw = raw.trim();
    if raw.is_empty() {
        v.add(field, missing);
        return None;
    }
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            v.add(field, format!("“{raw}”不是有效的编号"));
            None
        }
    }
}

pub(crate) fn opt_id_field(v: &mut Validation, field: &str, raw: Option<&str>) -> Option<Id> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match raw.parse() {
        Ok(id) => Some(id),
        Err(_) => {
            v.add(field, format!("“{raw}”不是有效的编号"));
            None
        }
    }
}

pub(crate) fn text(
    v: &mut Validation,
    field: &str,
    raw: &str,
    max: usize,
    missing: &str,
) -> String {
    let t = raw.trim();
    if t.is_empty() && !missing.is_empty() {
        v.add(field, missing);
    } else if t.chars().count() > max {
        v.add(field, format!("不能超过 {max} 个字"));
    }
    t.to_owned()
}

impl FollowUpInput {
    pub fn validate(&self) -> Result<FollowUpFields> {
        let mut v = Validation::new();
        let inspection_id = id_field(
            &mut v,
            "inspection_id",
            &self.inspection_id,
            "请选择巡视任务",
        );
        let unit_id = id_field(&mut v, "unit_id", &self.unit_id, "请选择被督办单位");
        let task_id = opt_id_field(&mut v, "task_id", self.task_id.as_deref());
        let kind = v.take(NoticeKind::parse(&self.kind));
        let doc_no = text(&mut v, "doc_no", &self.doc_no, 50, "");
        let content = text(&mut v, "content", &self.content, 10_000, "请填写督办事项");
        let answer_due = v
            .take(parse_date("answer_due", self.answer_due.as_deref()))
            .flatten();
        v.finish()?;
        Ok(FollowUpFields {
            inspection_id: inspection_id.expect("validated"),
            unit_id: unit_id.expect("validated"),
            task_id,
            kind: kind.expect("validated"),
            doc_no,
            content,
            answer_due,
        })
    }
}

/// The unit's answer to a notice, with the version it saw.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct FollowUpAnswer {
    pub version: i64,
    #[schema(min_length = 1, max_length = 10000, pattern = r"\S")]
    pub answer: String,
}

impl FollowUpAnswer {
    pub fn validate(&self) -> Result<String> {
        let mut v = Validation::new();
        let answer = text(&mut v, "answer", &self.answer, 10_000, "请填写落实情况");
        v.finish()?;
        Ok(answer)
    }
}

// ---------------------------------------------------------------------------------------------
// Accountability (追责问责)

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct AccountabilityInput {
    #[schema(value_type = String, format = "uuid")]
    pub inspection_id: String,
    #[schema(value_type = String, format = "uuid")]
    pub unit_id: String,
    /// The task concerned; its problem is then the problem concerned.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub task_id: Option<String>,
    /// The fed-back problem concerned, when no single task is.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = "uuid")]
    pub problem_id: Option<String>,
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub person: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub post: String,
    /// first, second, third, fourth (四种形态)
    #[schema(value_type = crate::rectify::Form)]
    pub form: String,
    /// The list the measure comes from: 党纪处分, 政务处分, 组织处理, 对党组织问责, 对干部问责, 批评教育.
    #[schema(pattern = "^(党纪处分|政务处分|组织处理|对党组织问责|对干部问责|批评教育)$")]
    pub measure_list: String,
    #[schema(min_length = 1, pattern = r"\S")]
    pub measure: String,
    #[schema(min_length = 1, max_length = 100, pattern = r"\S")]
    pub deciding_body: String,
    #[schema(value_type = String, format = Date)]
    pub decided_on: String,
}

pub struct AccountabilityFields {
    pub inspection_id: Id,
    pub unit_id: Id,
    pub task_id: Option<Id>,
    pub problem_id: Option<Id>,
    pub person: String,
    pub post: String,
    pub form: Form,
    /// "list：measure"
    pub measure: String,
    pub deciding_body: String,
    pub decided_on: Date,
}

impl AccountabilityInput {
    pub fn validate(&self) -> Result<AccountabilityFields> {
        let mut v = Validation::new();
        let inspection_id = id_field(
            &mut v,
            "inspection_id",
            &self.inspection_id,
            "请选择巡视任务",
        );
        let unit_id = id_field(&mut v, "unit_id", &self.unit_id, "请选择单位");
        let task_id = opt_id_field(&mut v, "task_id", self.task_id.as_deref());
        let problem_id = opt_id_field(&mut v, "problem_id", self.problem_id.as_deref());
        // A rule between two optional fields, which the document cannot state: 422.
        if !given(self.task_id.as_deref()) && !given(self.problem_id.as_deref()) {
            v.unfit("problem_id", "请选择所涉整改任务或反馈问题");
        }
        let person = text(
            &mut v,
            "person",
            &self.person,
            50,
            "请填写被问责人姓名或组织名称",
        );
        let post = text(&mut v, "post", &self.post, 100, "请填写职务");
        let form = v.take(Form::parse(&self.form));
        let measure = v.take(check_measure(&self.measure_list, &self.measure));
        let deciding_body = text(
            &mut v,
            "deciding_body",
            &self.deciding_body,
            100,
            "请填写作出决定的机关",
        );
        let decided_on = v
            .take(parse_date("decided_on", Some(&self.decided_on)))
            .flatten();
        if self.decided_on.trim().is_empty() {
            v.add("decided_on", "请填写决定日期");
        }
        v.finish()?;
        Ok(AccountabilityFields {
            inspection_id: inspection_id.expect("validated"),
            unit_id: unit_id.expect("validated"),
            task_id,
            problem_id,
            person,
            post,
            form: form.expect("validated"),
            measure: measure.expect("validated"),
            deciding_body,
            decided_on: decided_on.expect("validated"),
        })
    }
}

pub(crate) fn given(raw: Option<&str>) -> bool {
    raw.is_some_and(|s| !s.trim().is_empty())
}

/// Splits a stored measure "list：measure" back into its two parts.
pub fn split_measure(stored: &str) -> (&str, &str) {
    stored.split_once('：').unwrap_or(("", stored))
}

// ---------------------------------------------------------------------------------------------
// Long-term mechanisms (当下改、长久立)

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct MechanismInput {
    #[schema(value_type = String, format = "uuid")]
    pub inspection_id: String,
    #[schema(value_type = String, format = "uuid")]
    pub unit_id: String,
    /// The rule's title: 《……管理办法》.
    #[schema(min_length = 1, max_length = 200, pattern = r"\S")]
    pub title: String,
    /// true: a rule newly established; false: one revised.
    #[serde(default)]
    pub is_new: bool,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub doc_no: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: String,
    /// The tasks of the unit's plan that produced it. Absent reads as none, which the server
    /// refuses; the document calls it required.
    #[serde(default)]
    #[schema(value_type = Vec<crate::id::Id>, min_items = 1, required = true)]
    pub task_ids: Vec<String>,
}

pub struct MechanismFields {
    pub inspection_id: Id,
    pub unit_id: Id,
    pub title: String,
    pub is_new: bool,
    pub doc_no: String,
    pub issued_on: Date,
    pub task_ids: Vec<Id>,
}

impl MechanismInput {
    pub fn validate(&self) -> Result<MechanismFields> {
        let mut v = Validation::new();
        let inspection_id = id_field(
            &mut v,
            "inspection_id",
            &self.inspection_id,
            "请选择巡视任务",
        );
        let unit_id = id_field(&mut v, "unit_id", &self.unit_id, "请选择单位");
        let title = text(&mut v, "title", &self.title, 200, "请填写制度名称");
        let doc_no = text(&mut v, "doc_no", &self.doc_no, 50, "");
        let issued_on = v
            .take(parse_date("issued_on", Some(&self.issued_on)))
            .flatten();
        if self.issued_on.trim().is_empty() {
            v.add("issued_on", "请填写印发日期");
        }
        let mut task_ids = Vec::new();
        for raw in self
            .task_ids
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match raw.parse::<Id>() {
                Ok(id) if !task_ids.contains(&id) => task_ids.push(id),
                Ok(_) => {}
                Err(_) => v.add("task_ids", format!("“{raw}”不是有效的编号")),
            }
        }
        if !self.task_ids.iter().any(|s| given(Some(s))) {
            v.add("task_ids", "请至少关联一项产生该制度的整改任务");
        }
        v.finish()?;
        Ok(MechanismFields {
            inspection_id: inspection_id.expect("validated"),
            unit_id: unit_id.expect("validated"),
            title,
            is_new: self.is_new,
            doc_no,
            issued_on: issued_on.expect("validated"),
            task_ids,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::shipped;
    use crate::deadline::default_rules;
    use jiff::civil::date;

    fn stored() -> Vec<StoredDeadlineRule> {
        default_rules()
            .into_iter()
            .map(|rule| StoredDeadlineRule {
                id: Id::new(),
                rule,
                committee_id: None,
                version: 1,
                updated_at: None,
            })
            .collect()
    }

    fn at(feedback: Date, today: Date, done: Option<bool>) -> ClockInput<'static> {
        ClockInput {
            unit_id: Id::new(),
            unit_name: "自治区党委宣传部",
            feedback,
            today,
            warn_days: 7,
            done,
        }
    }

    fn clock(level: InspectionLevel, c: Clock, input: &ClockInput) -> ClockView {
        let rules = stored();
        let rule = rules_of(&rules, level)
            .into_iter()
            .find(|r| r.rule.clock == c)
            .expect("a shipped rule");
        clock_view(rule, &shipped(), input)
    }

    #[test]
    fn the_seed_clocks_from_its_feedback_date() {
        let input = at(date(2020, 3, 25), date(2020, 4, 10), Some(false));
        let report = clock(InspectionLevel::Xunshi, Clock::ReportDue, &input);
        assert_eq!(report.due, Some(date(2020, 5, 25)));
        assert_eq!(report.period, "2个月");
        assert_eq!(report.colour, Some(Colour::Green));
        let plan = clock(InspectionLevel::Xunshi, Clock::PlanDue, &input);
        assert_eq!(plan.due, Some(date(2020, 4, 16)));
        assert_eq!(plan.period, "15个工作日");
        assert_eq!(plan.colour, Some(Colour::Yellow), "six days before");
        let late = at(date(2020, 3, 25), date(2020, 4, 17), Some(false));
        assert_eq!(
            clock(InspectionLevel::Xunshi, Clock::PlanDue, &late).colour,
            Some(Colour::Red)
        );
        let done = at(date(2020, 3, 25), date(2020, 4, 17), Some(true));
        assert_eq!(
            clock(InspectionLevel::Xunshi, Clock::PlanDue, &done).colour,
            Some(Colour::Green)
        );
    }

    #[test]
    fn plan_clocks_across_the_2019_and_2020_holidays() {
        let today = date(2019, 1, 1);
        let due = |fb: Date| {
            clock(
                InspectionLevel::Xuncha,
                Clock::PlanDue,
                &at(fb, today, Some(false)),
            )
            .due
            .expect("a due date")
        };
        // National Day 2019: feedback Fri 20 Sep; Sun 29 Sep is worked (day 6), Mon 30 Sep (7),
        // 1–7 Oct off, then 8–11 Oct (8–11), Sat 12 Oct worked (12), 14–16 Oct (13–15).
        assert_eq!(due(date(2019, 9, 20)), date(2019, 10, 16));
        // Spring Festival 2020: feedback Mon 13 Jan; 14–17 Jan (1–4), Sun 19 Jan worked (5),
        // 20–23 Jan (6–9), 24 Jan – 2 Feb off (extended), Mon 3 Feb … Thu 6 Feb (10–13),
        // Fri 7 Feb (14), Mon 10 Feb (15).
        assert_eq!(due(date(2020, 1, 13)), date(2020, 2, 10));
        // May Day 2020: Sun 26 Apr and Sat 9 May were worked, 1–5 May off. From Thu 23 Apr:
        // 24 Apr (1), 26 Apr (2), 27–30 Apr (3–6), 6–8 May (7–9), Sat 9 May (10),
        // 11–15 May (11–15).
        assert_eq!(due(date(2020, 4, 23)), date(2020, 5, 15));
        // Calendar months ignore the holidays: 2019-12-18 + 3 months.
        let report = clock(
            InspectionLevel::Xuncha,
            Clock::ReportDue,
            &at(date(2019, 12, 18), today, Some(false)),
        );
        assert_eq!(report.due, Some(date(2020, 3, 18)));
    }

    #[test]
    fn a_year_without_an_arrangement_gives_a_provisional_date_and_says_why() {
        // Mon 21 December 2026: 22–25 and 28–31 December (1–8), then 2027 by weekends alone:
        // Fri 1 January (9), 4–8 January (10–14), Mon 11 January (15).
        let input = at(date(2026, 12, 21), date(2026, 12, 21), Some(false));
        let plan = clock(InspectionLevel::Xunshi, Clock::PlanDue, &input);
        assert_eq!(plan.due, Some(date(2027, 1, 11)));
        assert_eq!(
            plan.provisional.as_deref(),
            Some("2027年节假日安排尚未录入，按周末推算")
        );
        // A provisional date is coloured as it stands.
        assert_eq!(plan.colour, Some(Colour::Green));
        assert_eq!(plan.refused, None);
        // Months need no arrangement.
        let report = clock(InspectionLevel::Xunshi, Clock::ReportDue, &input);
        assert_eq!(report.due, Some(date(2027, 2, 21)));
        assert_eq!(report.provisional, None);
    }

    #[test]
    fn an_untracked_clock_has_a_date_and_no_colour() {
        let input = at(date(2020, 3, 25), date(2020, 6, 1), None);
        let meeting = clock(InspectionLevel::Xuncha, Clock::MeetingDue, &input);
        assert_eq!(meeting.due, Some(date(2020, 4, 25)));
        assert_eq!(meeting.colour, None);
        assert!(!meeting.tracked);
    }

    #[test]
    fn rules_of_a_level_run_plan_meeting_report() {
        let rules = stored();
        let order: Vec<Clock> = rules_of(&rules, InspectionLevel::Xuncha)
            .iter()
            .map(|r| r.rule.clock)
            .collect();
        assert_eq!(order, [Clock::PlanDue, Clock::MeetingDue, Clock::ReportDue]);
        assert_eq!(rules_of(&rules, InspectionLevel::Xunshi).len(), 2);
    }

    #[test]
    fn rule_lengths_are_bounded_by_their_counting() {
        let input = |amount, counting: &str| DeadlineRuleInput {
            version: 1,
            amount,
            counting: counting.into(),
            basis: "本地规定".into(),
        };
        assert!(input(15, "working_days").validate().is_ok());
        assert!(input(30, "months").validate().is_err());
        assert!(input(0, "working_days").validate().is_err());
        assert!(input(2, "weeks").validate().is_err());
        let no_basis = DeadlineRuleInput {
            basis: " ".into(),
            ..input(2, "months")
        };
        assert!(no_basis.validate().is_err());
    }

    #[test]
    fn accountability_needs_a_measure_from_the_lists_and_a_subject() {
        let ok = AccountabilityInput {
            inspection_id: Id::new().to_string(),
            unit_id: Id::new().to_string(),
            task_id: None,
            problem_id: Some(Id::new().to_string()),
            person: "张某".into(),
            post: "宣传部某处处长".into(),
            form: "first".into(),
            measure_list: "批评教育".into(),
            measure: "诫勉谈话".into(),
            deciding_body: "自治区纪委监委".into(),
            decided_on: "2020-05-10".into(),
        };
        let f = ok.validate().unwrap();
        assert_eq!(f.measure, "批评教育：诫勉谈话");
        assert_eq!(split_measure(&f.measure), ("批评教育", "诫勉谈话"));
        let bad = AccountabilityInput {
            measure_list: "党纪处分".into(),
            measure: "记过".into(),
            problem_id: None,
            decided_on: String::new(),
            ..ok
        };
        let Err(CoreError::BadInput(fields)) = bad.validate() else {
            panic!("accepted");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["problem_id", "measure", "decided_on"]);
    }

    #[test]
    fn a_mechanism_names_the_tasks_behind_it() {
        let input = MechanismInput {
            inspection_id: Id::new().to_string(),
            unit_id: Id::new().to_string(),
            title: "《意识形态工作责任制实施细则》".into(),
            is_new: true,
            doc_no: String::new(),
            issued_on: "2020-05-20".into(),
            task_ids: vec![],
        };
        assert!(input.validate().is_err());
        let t = Id::new().to_string();
        let twice = MechanismInput {
            task_ids: vec![t.clone(), t],
            ..input
        };
        assert_eq!(twice.validate().unwrap().task_ids.len(), 1);
    }

    #[test]
    fn a_notice_needs_a_kind_and_content() {
        let input = FollowUpInput {
            inspection_id: Id::new().to_string(),
            unit_id: Id::new().to_string(),
            kind: "nagging".into(),
            content: " ".into(),
            ..Default::default()
        };
        let Err(CoreError::BadInput(fields)) = input.validate() else {
            panic!("accepted");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["kind", "content"]);
    }

    #[test]
    fn a_committees_own_rule_stands_for_its_clock_and_its_inspections_alone() {
        let mut rules = stored();
        let (city, sibling) = (Id::new(), Id::new());
        let general = rule_for(&rules, None, UnitLevel::City, Clock::PlanDue)
            .unwrap()
            .clone();
        let mut own = general.clone();
        own.id = Id::new();
        own.committee_id = Some(city);
        own.rule.amount = 20;
        rules.push(own.clone());
        // The city's plan clock by its own rule; its other clocks, and the sibling's, by the
        // level's.
        assert_eq!(
            rule_for(&rules, Some(city), UnitLevel::City, Clock::PlanDue).map(|r| r.id),
            Some(own.id)
        );
        assert_eq!(
            rule_for(&rules, Some(city), UnitLevel::City, Clock::ReportDue).map(|r| r.committee_id),
            Some(None)
        );
        assert_eq!(
            rule_for(&rules, Some(sibling), UnitLevel::City, Clock::PlanDue).map(|r| r.id),
            Some(general.id)
        );
        assert_eq!(
            rule_for(&rules, None, UnitLevel::City, Clock::PlanDue).map(|r| r.id),
            Some(general.id)
        );
        // A level's list is the level's alone; a committee's in force replaces its clock.
        assert!(
            rules_of(&rules, InspectionLevel::Xuncha)
                .iter()
                .all(|r| r.committee_id.is_none())
        );
        let in_force = rules_in_force(&rules, city, InspectionLevel::Xuncha);
        assert_eq!(
            in_force.len(),
            rules_of(&rules, InspectionLevel::Xuncha).len()
        );
        assert_eq!(in_force[0].id, own.id);
        assert!(in_force[1..].iter().all(|r| r.committee_id.is_none()));
    }

    #[test]
    fn a_committees_rule_names_its_committee_clock_and_length() {
        let input = |committee: &str, clock: &str, amount: i32| CommitteeRuleInput {
            committee_id: committee.into(),
            clock: clock.into(),
            amount,
            counting: "working_days".into(),
            basis: "市委巡察工作规定".into(),
        };
        let id = Id::new().to_string();
        let (_, clock, amount, counting, _) = input(&id, "plan_due", 20).validate().unwrap();
        assert_eq!(
            (clock, amount, counting),
            (Clock::PlanDue, 20, Counting::WorkingDays)
        );
        let Err(CoreError::BadInput(fields)) = input("甲市", "sometime", 0).validate() else {
            panic!("a bad committee, clock and length are refused");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert!(names.contains(&"committee_id"), "{names:?}");
        assert!(names.contains(&"clock"), "{names:?}");
        assert!(names.contains(&"amount"), "{names:?}");
    }
}
