//! Rectification (整改): the unit's plan with its three lists, the ledger of tasks, the state of
//! each task, and the rules that govern them. Plain types and functions; the services apply them.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::deadline::{Colour, colour, done_colour};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::org::labelled_enum;

labelled_enum!(
    /// Where the unit's rectification plan stands.
    PlanStatus, "status" {
        Draft = "draft" / "起草中",
        Submitted = "submitted" / "已报送待审核",
        Returned = "returned" / "退回修改",
        Approved = "approved" / "已审核通过",
    }
);

labelled_enum!(
    /// The state of one task of the ledger. Overdue is not a state: it is the colour of a task
    /// whose deadline has passed while it is not closed.
    TaskStatus, "status" {
        NotStarted = "not_started" / "未启动",
        InProgress = "in_progress" / "整改中",
        Claimed = "claimed" / "已完成待销号",
        Closed = "closed" / "已销号",
    }
);

labelled_enum!(
    /// Why a claimed task was rejected (domain.md §5).
    Defect, "defect" {
        False = "false" / "虚假整改",
        Superficial = "superficial" / "表面整改",
        Perfunctory = "perfunctory" / "敷衍整改",
        Selective = "selective" / "选择性整改",
        OnPaper = "on_paper" / "纸面整改",
        Ineffective = "ineffective" / "整改不力",
        Recurring = "recurring" / "屡改屡犯",
        OldDebts = "old_debts" / "新官不理旧账",
    }
);

labelled_enum!(
    /// What a follow-up notice is (督办).
    NoticeKind, "kind" {
        Reminder = "reminder" / "提醒书",
        Warning = "warning" / "告诫书",
        Formal = "formal" / "督办通知书",
        Referral = "referral" / "问责建议书",
    }
);

labelled_enum!(
    /// The four forms of discipline enforcement (四种形态).
    Form, "form" {
        First = "first" / "第一种形态",
        Second = "second" / "第二种形态",
        Third = "third" / "第三种形态",
        Fourth = "fourth" / "第四种形态",
    }
);

/// The measures of accountability, by list (domain.md §5).
pub const MEASURES: &[(&str, &[&str])] = &[
    (
        "党纪处分",
        &["警告", "严重警告", "撤销党内职务", "留党察看", "开除党籍"],
    ),
    (
        "政务处分",
        &["警告", "记过", "记大过", "降级", "撤职", "开除"],
    ),
    (
        "组织处理",
        &["停职检查", "调整职务", "责令辞职", "免职", "降职"],
    ),
    ("对党组织问责", &["检查", "通报", "改组"]),
    (
        "对干部问责",
        &["通报", "诫勉", "组织调整", "组织处理", "纪律处分"],
    ),
    (
        "批评教育",
        &["谈话提醒", "批评教育", "责令检查", "诫勉谈话"],
    ),
];

/// Checks a measure against the lists, and returns it as "list：measure".
pub fn check_measure(list: &str, measure: &str) -> Result<String> {
    let Some((_, items)) = MEASURES.iter().find(|(l, _)| *l == list.trim()) else {
        let lists: Vec<_> = MEASURES.iter().map(|(l, _)| *l).collect();
        return Err(CoreError::bad_input(
            "measure_list",
            format!("处理类别应为：{}", lists.join("、")),
        ));
    };
    if !items.contains(&measure.trim()) {
        return Err(CoreError::unfit(
            "measure",
            format!("“{}”下可选：{}", list.trim(), items.join("、")),
        ));
    }
    Ok(format!("{}：{}", list.trim(), measure.trim()))
}

/// When a task is due: at once (立行立改), by a date, or as a standing duty (长期坚持).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Due {
    /// 立行立改: due at once, by the (near) date fixed in the plan.
    Immediate {
        #[schema(value_type = String, format = Date)]
        date: Date,
    },
    By {
        #[schema(value_type = String, format = Date)]
        date: Date,
    },
    LongTerm,
}

impl Due {
    pub fn date(self) -> Option<Date> {
        match self {
            Due::Immediate { date } | Due::By { date } => Some(date),
            Due::LongTerm => None,
        }
    }

    pub fn label(self) -> String {
        match self {
            Due::Immediate { date } => format!("立行立改（{date}前）"),
            Due::By { date } => format!("{date}前"),
            Due::LongTerm => "长期坚持".to_owned(),
        }
    }

    /// Reads a deadline as a person types it: `长期坚持`, `立行立改` (with a date), or a date.
    pub fn parse(kind: &str, date: Option<&str>) -> Result<Due> {
        let day = || -> Result<Date> {
            let d = date
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .ok_or_else(|| CoreError::unfit("due_date", "请填写整改时限日期"))?;
            d.parse().map_err(|_| {
                CoreError::bad_input(
                    "due_date",
                    format!("“{d}”不是有效日期，格式应为 2020-06-30"),
                )
            })
        };
        match kind.trim() {
            "long_term" | "长期坚持" => Ok(Due::LongTerm),
            "immediate" | "立行立改" => Ok(Due::Immediate { date: day()? }),
            "by" | "date" | "" => Ok(Due::By { date: day()? }),
            other => Err(CoreError::bad_input(
                "due_kind",
                format!(
                    "整改时限类型“{other}”无效，可选：immediate（立行立改）、by（限期）、long_term（长期坚持）"
                ),
            )),
        }
    }
}

/// A task's colour on the ledger: long-term tasks are never overdue for that alone; an open
/// dated task is green, yellow or red by [`colour`]; a closed one is green when it was closed
/// by its deadline and closed-late (逾期完成) when after — for good, whatever the day.
pub fn task_colour(
    due: Due,
    status: TaskStatus,
    closed_on: Option<Date>,
    today: Date,
    warn_days: i32,
) -> Colour {
    match due.date() {
        None => Colour::Green,
        Some(d) if status == TaskStatus::Closed => done_colour(d, closed_on),
        Some(d) => colour(d, today, warn_days, false),
    }
}

/// A changed deadline may not lie in the past: a change request moving a deadline before
/// today is refused when asked and when approved.
pub fn check_changed_due(due: Due, today: Date) -> Result<()> {
    if let Some(d) = due.date()
        && d < today
    {
        return Err(CoreError::bad_input(
            "due_date",
            format!("变更后的整改时限（{d}）不能早于今天（{today}）"),
        ));
    }
    Ok(())
}

/// The share done a task returns to when a verifier rejects its claim: what the verifier
/// records, less than 100 (the claim was not accepted). Closing records none. Whether it is
/// wanted depends on the decision, so a missing or unwanted one is refused as unfit (422).
pub fn verdict_progress(close: bool, progress: Option<i16>) -> Result<Option<i16>> {
    match (close, progress) {
        (true, None) => Ok(None),
        (true, Some(_)) => Err(CoreError::unfit("progress", "销号时不填写核定进度")),
        (false, None) => Err(CoreError::unfit(
            "progress",
            "退回时请填写核定的实际完成进度（0 到 99）",
        )),
        (false, Some(p)) if (0..100).contains(&p) => Ok(Some(p)),
        (false, Some(_)) => Err(CoreError::bad_input(
            "progress",
            "退回重新整改时，核定进度应在 0 到 99 之间",
        )),
    }
}

/// What someone does to a task, for the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskEvent {
    /// The responsible department reports progress.
    Progress,
    /// The department says the task is done.
    Claim,
    /// A supervisor verifies and closes it (销号).
    Close,
    /// A supervisor rejects the claim, with a defect and a reason.
    Reject,
}

/// The state after `event`, or why it cannot happen.
pub fn next_status(from: TaskStatus, event: TaskEvent) -> Result<TaskStatus> {
    use TaskEvent::*;
    use TaskStatus::*;
    match (from, event) {
        (NotStarted | InProgress, Progress) => Ok(InProgress),
        (NotStarted | InProgress, Claim) => Ok(Claimed),
        (Claimed, Close) => Ok(Closed),
        (Claimed, Reject) => Ok(InProgress),
        (Closed, _) => Err(CoreError::RuleRefused("该任务已销号，不能再变更".into())),
        (Claimed, Progress | Claim) => Err(CoreError::RuleRefused(
            "该任务已报完成，正在等待核查销号".into(),
        )),
        (NotStarted | InProgress, Close | Reject) => Err(CoreError::RuleRefused(
            "只有责任单位报告完成后才能核查销号或退回".into(),
        )),
    }
}

/// Every fed-back problem must have at least one task before the plan is submitted.
pub fn uncovered_problems(problems: &[Id], tasks_for: impl Fn(Id) -> usize) -> Vec<Id> {
    problems
        .iter()
        .copied()
        .filter(|p| tasks_for(*p) == 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn a_claim_is_closed_or_rejected_back_to_work() {
        assert_eq!(
            next_status(TaskStatus::NotStarted, TaskEvent::Progress).unwrap(),
            TaskStatus::InProgress
        );
        assert_eq!(
            next_status(TaskStatus::InProgress, TaskEvent::Claim).unwrap(),
            TaskStatus::Claimed
        );
        assert_eq!(
            next_status(TaskStatus::Claimed, TaskEvent::Reject).unwrap(),
            TaskStatus::InProgress
        );
        assert_eq!(
            next_status(TaskStatus::Claimed, TaskEvent::Close).unwrap(),
            TaskStatus::Closed
        );
        assert!(next_status(TaskStatus::InProgress, TaskEvent::Close).is_err());
        assert!(next_status(TaskStatus::Closed, TaskEvent::Progress).is_err());
    }

    #[test]
    fn long_term_tasks_are_never_overdue_for_that_alone() {
        let today = date(2021, 1, 1);
        assert_eq!(
            task_colour(Due::LongTerm, TaskStatus::InProgress, None, today, 7),
            Colour::Green
        );
        assert_eq!(
            task_colour(
                Due::By {
                    date: date(2020, 6, 30)
                },
                TaskStatus::InProgress,
                None,
                today,
                7
            ),
            Colour::Red
        );
        assert_eq!(
            task_colour(
                Due::By {
                    date: date(2020, 6, 30)
                },
                TaskStatus::Closed,
                Some(date(2020, 6, 30)),
                today,
                7
            ),
            Colour::Green
        );
        assert_eq!(
            task_colour(
                Due::By {
                    date: date(2020, 6, 30)
                },
                TaskStatus::Closed,
                Some(date(2020, 7, 1)),
                today,
                7
            ),
            Colour::ClosedLate,
            "closed a day late stays late"
        );
        assert_eq!(
            task_colour(
                Due::Immediate {
                    date: date(2020, 12, 28)
                },
                TaskStatus::NotStarted,
                None,
                today,
                7
            ),
            Colour::Red
        );
    }

    #[test]
    fn a_changed_deadline_is_not_in_the_past() {
        let today = date(2021, 1, 1);
        let by = |d| Due::By { date: d };
        assert!(check_changed_due(by(date(2020, 12, 31)), today).is_err());
        assert!(check_changed_due(by(today), today).is_ok());
        assert!(check_changed_due(Due::LongTerm, today).is_ok());
    }

    #[test]
    fn a_rejected_claim_goes_back_to_what_the_verifier_records() {
        assert_eq!(verdict_progress(false, Some(60)).unwrap(), Some(60));
        assert!(verdict_progress(false, Some(100)).is_err());
        assert!(verdict_progress(false, None).is_err());
        assert!(verdict_progress(false, Some(-1)).is_err());
        assert_eq!(verdict_progress(true, None).unwrap(), None);
        assert!(verdict_progress(true, Some(50)).is_err());
    }

    #[test]
    fn deadlines_are_read_as_people_write_them() {
        assert_eq!(Due::parse("长期坚持", None).unwrap(), Due::LongTerm);
        assert_eq!(
            Due::parse("by", Some("2020-06-30")).unwrap(),
            Due::By {
                date: date(2020, 6, 30)
            }
        );
        assert!(Due::parse("by", None).is_err());
        assert!(Due::parse("someday", Some("2020-06-30")).is_err());
    }

    #[test]
    fn measures_come_from_the_lists() {
        assert_eq!(check_measure("党纪处分", "警告").unwrap(), "党纪处分：警告");
        assert!(check_measure("党纪处分", "记过").is_err());
        assert!(check_measure("罚款", "警告").is_err());
    }

    #[test]
    fn every_fed_back_problem_needs_a_task() {
        let (a, b) = (Id::new(), Id::new());
        assert_eq!(
            uncovered_problems(&[a, b], |p| usize::from(p == a)),
            vec![b]
        );
    }
}

/// A member of the unit's rectification leading group; its head is the principal leader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct GroupMember {
    #[schema(min_length = 1, max_length = 50, pattern = r"\S")]
    pub name: String,
    #[schema(max_length = 200)]
    pub post: String,
    /// 组长 / 副组长 / 成员; blank reads as 成员.
    #[schema(pattern = "^(组长|副组长|成员)?$")]
    pub role: String,
}

/// The unit's rectification plan (整改方案) for one inspection; the three lists are its tasks
/// (problem list, task list, responsibility list are views of the same rows).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Plan {
    pub id: Id,
    pub inspection_id: Id,
    /// The inspected unit the plan is for (an inspection may cover two or three).
    pub unit_id: Id,
    pub title: String,
    /// How the unit organises the work: meetings held, the democratic-life meeting, division.
    pub organisation: String,
    pub leading_group: Vec<GroupMember>,
    pub status: PlanStatus,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub submitted_at: Option<jiff::Timestamp>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub approved_at: Option<jiff::Timestamp>,
    pub version: i64,
}

/// A review of a submitted plan by the office or a supervisor.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PlanReview {
    pub id: Id,
    pub plan_id: Id,
    pub approved: bool,
    pub comment: String,
    pub by_name: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// One task of the ledger (整改台账): a measure against one fed-back problem.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: Id,
    pub plan_id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    /// The fed-back problem (its working paper) the task answers.
    pub problem_id: Id,
    /// The hierarchical number of the ledger: category.problem.measure, such as `1.2.1`.
    pub seq: String,
    pub measure: String,
    pub target: String,
    /// The standard for closing (销号标准).
    pub standard: String,
    pub responsible_leader: String,
    pub lead_department: String,
    pub co_departments: String,
    pub responsible_person: String,
    pub due: Due,
    pub status: TaskStatus,
    /// The share done, 0–100, as last reported (or as the verifier recorded on a rejection).
    pub progress: i16,
    /// The day (Asia/Shanghai) the task was closed (销号); none while open.
    #[schema(value_type = Option<String>, format = Date)]
    pub closed_on: Option<Date>,
    /// Left out of the public progress notice (secrets, cases under check, sensitive matters).
    pub not_for_disclosure: bool,
    /// Why the task was withdrawn from the draft plan; withdrawn tasks stay on record, keep
    /// their number, and count for nothing.
    pub withdrawn_reason: Option<String>,
    pub version: i64,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
}

impl Task {
    pub fn is_withdrawn(&self) -> bool {
        self.withdrawn_reason.is_some()
    }

    /// The task's colour on the ledger as of `today` ([`task_colour`]).
    pub fn colour(&self, today: Date, warn_days: i32) -> Colour {
        task_colour(self.due, self.status, self.closed_on, today, warn_days)
    }

    /// The status as the ledger shows it: a long-term task under way is 长期坚持.
    pub fn status_label(&self) -> &'static str {
        match (self.due, self.status) {
            (Due::LongTerm, TaskStatus::InProgress) => "长期坚持",
            (_, s) => s.label(),
        }
    }
}

/// Sorts ledger numbers such as `1.10.2` after `1.9.3`: component by component, as numbers.
pub fn seq_key(seq: &str) -> Vec<u32> {
    seq.split('.')
        .map(|p| p.parse().unwrap_or(u32::MAX))
        .collect()
}

/// An evidence file (佐证材料) of a task. Checked and stored as the working papers' files are:
/// by content hash, never replaced; one uploaded by mistake is withdrawn with a reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TaskEvidence {
    pub id: Id,
    pub task_id: Id,
    pub filename: String,
    pub size: i64,
    pub content_type: String,
    pub kind: crate::paper::FileKind,
    /// The hash of the content, the file's identity in the blob store: SHA-256 in hex, or
    /// `sm3-` and SM3 in hex where the installation runs the national cryptography option.
    pub sha256: String,
    pub uploaded: crate::paper::Signature,
    pub withdrawn: Option<crate::paper::Signature>,
    pub withdrawn_reason: Option<String>,
}

/// The editable fields of a task as they arrive.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TaskInput {
    #[schema(value_type = String, format = "uuid")]
    pub problem_id: String,
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S")]
    pub measure: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S", required = true)]
    pub target: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 2000, pattern = r"\S", required = true)]
    pub standard: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S", required = true)]
    pub responsible_leader: String,
    #[serde(default)]
    #[schema(min_length = 1, max_length = 200, pattern = r"\S", required = true)]
    pub lead_department: String,
    #[serde(default)]
    #[schema(max_length = 500)]
    pub co_departments: String,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub responsible_person: String,
    /// immediate, by, long_term
    #[schema(pattern = "^(immediate|by|long_term)$")]
    pub due_kind: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_date: Option<String>,
    #[serde(default)]
    pub not_for_disclosure: bool,
}

/// A progress report on a task, with the evidence files attached to it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProgressReport {
    pub id: Id,
    pub task_id: Id,
    #[schema(min_length = 1, pattern = r"\S")]
    pub text: String,
    pub progress: i16,
    /// The report says the task is done (a claim for closing).
    pub claims_done: bool,
    pub by_name: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// A supervisor's decision on a claimed task: closed, or rejected with a defect and a reason.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Verification {
    pub id: Id,
    pub task_id: Id,
    pub closed: bool,
    pub defect: Option<Defect>,
    /// On a rejection, the share done the verifier found (0–99): the task goes back to it.
    #[schema(minimum = 0, maximum = 99)]
    pub progress: Option<i16>,
    pub reason: String,
    pub by_name: String,
    #[schema(value_type = String, format = DateTime)]
    pub at: jiff::Timestamp,
}

/// A change of an approved task's measure or deadline, which the office must approve; the
/// before and after are kept.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ChangeRequest {
    pub id: Id,
    pub task_id: Id,
    pub before_measure: String,
    pub after_measure: String,
    pub before_due: Due,
    pub after_due: Due,
    pub reason: String,
    /// None while pending.
    pub approved: Option<bool>,
    pub decision_comment: String,
    pub requested_by: String,
    #[schema(value_type = String, format = DateTime)]
    pub requested_at: jiff::Timestamp,
    pub decided_by: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub decided_at: Option<jiff::Timestamp>,
}

/// A follow-up notice (督办) on a unit or a task, and the unit's answer.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FollowUp {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub task_id: Option<Id>,
    pub kind: NoticeKind,
    pub doc_no: String,
    pub content: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: Date,
    #[schema(value_type = Option<String>, format = Date)]
    pub answer_due: Option<Date>,
    pub issued_by: String,
    pub answer: Option<String>,
    /// Who answered for the unit.
    pub answered_by: Option<String>,
    #[schema(value_type = Option<String>, format = Date)]
    pub answered_on: Option<Date>,
    pub version: i64,
}

/// Someone held to account (追责问责).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Accountability {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub task_id: Option<Id>,
    pub problem_id: Option<Id>,
    pub person: String,
    pub post: String,
    pub form: Form,
    /// "list：measure", checked by [`check_measure`].
    pub measure: String,
    pub deciding_body: String,
    #[schema(value_type = String, format = Date)]
    pub decided_on: Date,
    pub version: i64,
}

/// A rule established or revised as a result of rectification (当下改、长久立).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Mechanism {
    pub id: Id,
    pub inspection_id: Id,
    pub unit_id: Id,
    pub title: String,
    /// true: a new rule; false: a revised one.
    pub is_new: bool,
    pub doc_no: String,
    #[schema(value_type = String, format = Date)]
    pub issued_on: Date,
    pub task_ids: Vec<Id>,
    pub version: i64,
}
