//! Problem clues (问题线索): the register a team keeps, the transfer of clues in batches with a
//! letter (移交函) to the discipline commission, the organization department or a functional
//! department, and the recipient's report of how each clue was disposed of.
//!
//! The rules of who sees and does what with a clue are plain functions here ([`clue_access`],
//! [`is_recipient`], [`clue_scope`]); the services ask them, so neither the pages nor the API
//! can skip them. The handling clock ([`clock`]) and the due date ([`due_on`]) are plain
//! functions too, fed with the office's [`ClueSettings`].

use serde::{Deserialize, Serialize};

use crate::access::{Access, inspection_access};
use crate::error::{CoreError, Result, Validation};
use crate::id::Id;
use crate::inspection::{Inspection, parse_date};
use crate::org::labelled_enum;
use crate::permission::Actor;
use crate::role::{Role, Scope};

labelled_enum!(
    /// Where a clue came from: one of the work methods of the inspection.
    ClueSource, "source" {
        Letter = "letter" / "来信",
        Call = "call" / "来电",
        Visit = "visit" / "来访",
        Online = "online" / "网上举报",
        Talk = "talk" / "个别谈话",
        Documents = "documents" / "调阅资料",
        Other = "other" / "其他",
    }
);

labelled_enum!(
    /// The classification (密级) of a clue.
    Confidentiality, "confidentiality" {
        Internal = "internal" / "内部",
        Secret = "secret" / "秘密",
        Confidential = "confidential" / "机密",
    }
);

labelled_enum!(
    /// What a clue is about; it proposes who receives it (domain.md §2, transfer).
    ClueKind, "kind" {
        LeadingCadre = "leading_cadre" / "领导干部问题",
        CadreSelection = "cadre_selection" / "选人用人问题",
        Other = "other" / "其他问题",
    }
);

labelled_enum!(
    /// Where a clue stands. Registered → Transferred → Disposed, nothing else.
    ClueStatus, "status" {
        Registered = "registered" / "已登记",
        Transferred = "transferred" / "已移交",
        Disposed = "disposed" / "已处置",
    }
);

labelled_enum!(
    /// How the recipient disposed of a clue (线索处置方式).
    DisposalMethod, "method" {
        TalkOrInquiry = "talk_or_inquiry" / "谈话函询",
        PreliminaryCheck = "preliminary_check" / "初步核实",
        Shelved = "shelved" / "暂存待查",
        Closed = "closed" / "予以了结",
    }
);

labelled_enum!(
    /// The kind of body a transfer goes to.
    RecipientKind, "recipient" {
        Discipline = "discipline" / "纪委监委",
        Organization = "organization" / "组织部",
        Department = "department" / "职能部门",
    }
);

labelled_enum!(
    /// The handling clock of a transferred clue, as a coloured tag.
    ClockColour, "colour" {
        Green = "green" / "办理中",
        Yellow = "yellow" / "临近期限",
        Red = "red" / "已逾期",
        Done = "done" / "已办结",
    }
);

impl ClueKind {
    /// The body a clue of this kind goes to by default: leading cadres' problems to the
    /// discipline commission, cadre selection to the organization department, the rest to the
    /// competent functional department.
    pub fn proposed_recipient(self) -> RecipientKind {
        match self {
            ClueKind::LeadingCadre => RecipientKind::Discipline,
            ClueKind::CadreSelection => RecipientKind::Organization,
            ClueKind::Other => RecipientKind::Department,
        }
    }
}

/// Who a transfer goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Recipient {
    Discipline,
    Organization,
    /// A functional department, named by its unit.
    Department {
        unit_id: Id,
    },
}

impl Recipient {
    pub fn kind(self) -> RecipientKind {
        match self {
            Recipient::Discipline => RecipientKind::Discipline,
            Recipient::Organization => RecipientKind::Organization,
            Recipient::Department { .. } => RecipientKind::Department,
        }
    }

    pub fn unit_id(self) -> Option<Id> {
        match self {
            Recipient::Department { unit_id } => Some(unit_id),
            _ => None,
        }
    }

    /// Rebuilds a recipient from its stored columns.
    pub fn from_parts(kind: &str, unit_id: Option<Id>) -> Result<Self> {
        match (RecipientKind::parse(kind)?, unit_id) {
            (RecipientKind::Discipline, None) => Ok(Recipient::Discipline),
            (RecipientKind::Organization, None) => Ok(Recipient::Organization),
            (RecipientKind::Department, Some(unit_id)) => Ok(Recipient::Department { unit_id }),
            _ => Err(CoreError::internal(format!(
                "stored recipient {kind}/{unit_id:?} is malformed"
            ))),
        }
    }
}

/// The transfer a clue went out with, as the clue carries it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransferRef {
    pub id: Id,
    pub recipient: Recipient,
    /// 纪委监委, 组织部, or the department's name.
    pub recipient_name: String,
    pub letter_no: String,
    #[schema(value_type = String, format = Date)]
    pub transferred_on: jiff::civil::Date,
    /// The recipient's handling report is due by this date.
    #[schema(value_type = String, format = Date)]
    pub due_on: jiff::civil::Date,
}

/// The recipient's report of how a clue was disposed of.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Disposal {
    pub method: DisposalMethod,
    pub result: String,
    #[schema(value_type = String, format = Date)]
    pub decided_on: jiff::civil::Date,
    pub recorded_by: Option<Id>,
    #[schema(value_type = String, format = DateTime)]
    pub recorded_at: jiff::Timestamp,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Clue {
    pub id: Id,
    pub inspection_id: Id,
    /// Whom the clue is about.
    pub about_name: String,
    /// Their post (职务), as written in the register.
    pub about_post: String,
    /// Their unit, when it is a unit of the system.
    pub about_unit_id: Option<Id>,
    /// What the clue says.
    pub summary: String,
    pub source: ClueSource,
    pub confidentiality: Confidentiality,
    pub kind: ClueKind,
    pub status: ClueStatus,
    pub transfer: Option<TransferRef>,
    pub disposal: Option<Disposal>,
    pub created_by: Option<Id>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: jiff::Timestamp,
    pub version: i64,
}

/// A transfer (移交): one letter, one recipient, a batch of clues of one inspection.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Transfer {
    pub id: Id,
    pub inspection_id: Id,
    pub recipient: Recipient,
    pub recipient_name: String,
    /// The letter's number, such as 桂巡移〔2020〕3号.
    pub letter_no: String,
    pub letter_text: String,
    #[schema(value_type = String, format = Date)]
    pub transferred_on: jiff::civil::Date,
    #[schema(value_type = String, format = Date)]
    pub due_on: jiff::civil::Date,
    /// The clues transferred, in register order.
    pub clue_ids: Vec<Id>,
    pub created_by: Option<Id>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: jiff::Timestamp,
}

/// The handling deadline rules, kept by the office (practice differs by level: domain.md §2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ClueSettings {
    /// Calendar months from the transfer date by which the recipient reports its handling.
    pub handling_months: i64,
    /// How many days before the due date the clock turns yellow.
    pub warn_days: i64,
    pub version: i64,
    #[schema(value_type = Option<String>, format = DateTime)]
    pub updated_at: Option<jiff::Timestamp>,
    pub updated_by: Option<Id>,
}

impl ClueSettings {
    pub const DEFAULT_MONTHS: i64 = 3;
    pub const DEFAULT_WARN_DAYS: i64 = 7;
}

impl Default for ClueSettings {
    fn default() -> Self {
        ClueSettings {
            handling_months: Self::DEFAULT_MONTHS,
            warn_days: Self::DEFAULT_WARN_DAYS,
            version: 1,
            updated_at: None,
            updated_by: None,
        }
    }
}

/// The date a handling report is due: calendar months counted from the date, not working days
/// (domain.md §9). A day the target month lacks falls back to its last day (11-30 + 3 = 02-28).
pub fn due_on(transferred_on: jiff::civil::Date, months: i64) -> Result<jiff::civil::Date> {
    let months = i32::try_from(months)
        .map_err(|_| CoreError::bad_input("handling_months", "办理期限月数过大"))?;
    crate::calendar::add_months(transferred_on, months)
        .map_err(|_| CoreError::bad_input("transferred_on", "移交日期超出可计算的范围"))
}

/// The colour of a handling clock, by the one rule every deadline follows
/// ([`crate::deadline::colour`]).
pub fn clock(due_on: jiff::civil::Date, today: jiff::civil::Date, warn_days: i64) -> ClockColour {
    let warn = i32::try_from(warn_days).unwrap_or(i32::MAX);
    match crate::deadline::colour(due_on, today, warn, false) {
        crate::deadline::Colour::Green => ClockColour::Green,
        crate::deadline::Colour::Yellow => ClockColour::Yellow,
        crate::deadline::Colour::Red => ClockColour::Red,
        // An open clock is never closed-late; that colour is for things done.
        crate::deadline::Colour::ClosedLate => ClockColour::Done,
    }
}

/// The clock of one clue: none before transfer, done once the disposal is reported (a late
/// report is done, not red), otherwise [`clock`] against its due date.
pub fn clue_clock(clue: &Clue, today: jiff::civil::Date, warn_days: i64) -> Option<ClockColour> {
    match (clue.status, &clue.transfer) {
        (ClueStatus::Disposed, _) => Some(ClockColour::Done),
        (ClueStatus::Transferred, Some(t)) => Some(clock(t.due_on, today, warn_days)),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Who sees and does what

/// What an actor may do with the clues of one inspection, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ClueAccess {
    None,
    /// The body a clue was transferred to: reads it and records its disposal.
    Recipient,
    /// The leadership viewer: reads every clue, changes nothing.
    Read,
    /// A member of the inspection's team: registers and edits clues.
    Team,
    /// The team's leader or deputy: also makes transfers.
    TeamLead,
    /// The inspection office: everything the team leader may, for every inspection.
    Office,
}

/// Whether the actor belongs to one of the units the inspection inspects (the own-unit rule,
/// [`crate::own_unit`]). Such a person never sees a clue of that inspection, whatever other
/// role they hold besides.
fn in_inspected_unit(actor: &Actor, insp: &Inspection) -> bool {
    crate::own_unit::belongs_to_any(actor, &insp.target_ids)
}

/// Whether the actor speaks for `recipient`: a discipline user for the discipline commission,
/// an organization user for the organization department, a user with a unit role in the
/// department for a department. Nobody of an inspected unit receives that inspection's clues.
pub fn is_recipient(actor: &Actor, insp: &Inspection, recipient: &Recipient) -> bool {
    if actor.is_system() {
        return true;
    }
    if in_inspected_unit(actor, insp) {
        return false;
    }
    match recipient {
        Recipient::Discipline => actor.has_role(Role::Discipline),
        Recipient::Organization => actor.has_role(Role::Organization),
        Recipient::Department { unit_id } => {
            !insp.target_ids.contains(unit_id)
                && actor.grants().iter().any(|g| {
                    matches!(
                        (g.role, g.scope),
                        (Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff, Scope::Unit(u))
                            if u == *unit_id
                    )
                })
        }
    }
}

/// What the actor may do with a clue of `insp` that went (if at all) to `recipient`. The
/// inspected unit gets [`ClueAccess::None`], before feedback and after.
pub fn clue_access(actor: &Actor, insp: &Inspection, recipient: Option<&Recipient>) -> ClueAccess {
    match inspection_access(actor, insp) {
        Access::Office => ClueAccess::Office,
        Access::TeamLead => ClueAccess::TeamLead,
        Access::TeamMember => ClueAccess::Team,
        Access::Read => ClueAccess::Read,
        Access::FeedbackOnly | Access::None => match recipient {
            Some(r) if is_recipient(actor, insp, r) => ClueAccess::Recipient,
            _ => ClueAccess::None,
        },
    }
}

/// Requires at least `needed` for the clues of `insp` (a register, or a clue not yet sent).
/// Who may not know of them is told they do not exist; who may see but not act is told so.
pub fn require_clue_access(
    actor: &Actor,
    insp: &Inspection,
    recipient: Option<&Recipient>,
    needed: ClueAccess,
) -> Result<ClueAccess> {
    let has = clue_access(actor, insp, recipient);
    if has >= needed {
        return Ok(has);
    }
    if has == ClueAccess::None {
        if inspection_access(actor, insp) == Access::FeedbackOnly {
            return Err(CoreError::Forbidden("被巡视单位不能查阅问题线索".into()));
        }
        return Err(CoreError::NotFound("问题线索".into()));
    }
    Err(CoreError::Forbidden(match needed {
        ClueAccess::Office => "只有巡视办可以进行此操作".into(),
        ClueAccess::TeamLead => "只有巡视办或本巡视组组长、副组长可以移交问题线索".into(),
        ClueAccess::Team => "只有巡视办或本巡视组成员可以登记、修改问题线索".into(),
        _ => "您无权查看此问题线索".into(),
    }))
}

/// Only the recipient records a disposal: not the office, not the team, not the leadership.
pub fn require_recipient(actor: &Actor, insp: &Inspection, recipient: &Recipient) -> Result<()> {
    if is_recipient(actor, insp, recipient) {
        return Ok(());
    }
    if clue_access(actor, insp, Some(recipient)) == ClueAccess::None {
        return Err(CoreError::NotFound("问题线索".into()));
    }
    Err(CoreError::Forbidden(
        "只有接收移交的单位可以填报线索处置情况".into(),
    ))
}

/// Whether the actor may change the handling deadline rules.
pub fn may_configure(actor: &Actor) -> bool {
    actor.is_system() || actor.has_role(Role::Office)
}

/// Which clues a list may show the actor, as the store filters them. [`clue_access`] stays the
/// rule; this only lets the store narrow the rows before the service checks each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClueScope {
    All,
    Some {
        /// Inspections the actor is on the team of: all their clues.
        team_inspections: Vec<Id>,
        /// The committees whose own office the actor sits in: all the clues of the
        /// inspections they send.
        dispatchers: Vec<Id>,
        /// Clues transferred to the discipline commission.
        discipline: bool,
        /// Clues transferred to the organization department.
        organization: bool,
        /// Clues transferred to these departments.
        departments: Vec<Id>,
        /// Units the actor belongs to ([`crate::own_unit::units`]): no clue of an inspection
        /// of these units.
        own_units: Vec<Id>,
    },
}

pub fn clue_scope(actor: &Actor) -> ClueScope {
    if actor.is_system() || actor.has_role(Role::Office) || actor.has_role(Role::Leadership) {
        return ClueScope::All;
    }
    let mut scope = recipient_scope(actor);
    if let ClueScope::Some {
        team_inspections,
        dispatchers,
        ..
    } = &mut scope
    {
        for g in actor.grants() {
            if let (Role::TeamLeader | Role::TeamDeputy | Role::TeamMember, Scope::Inspection(id)) =
                (g.role, g.scope)
            {
                team_inspections.push(id);
            }
        }
        *dispatchers = actor.office_committees();
    }
    scope
}

/// The clues transferred to the actor, as the store filters them: [`clue_scope`] without what
/// the office, the leadership and the team read, for the to-do of clues to dispose.
/// [`is_recipient`] stays the rule.
pub fn recipient_scope(actor: &Actor) -> ClueScope {
    let mut units = Vec::new();
    for g in actor.grants() {
        if let (Role::UnitPrincipal | Role::UnitLiaison | Role::UnitStaff, Scope::Unit(id)) =
            (g.role, g.scope)
            && !units.contains(&id)
        {
            units.push(id)
        }
    }
    ClueScope::Some {
        team_inspections: Vec::new(),
        dispatchers: Vec::new(),
        discipline: actor.has_role(Role::Discipline),
        organization: actor.has_role(Role::Organization),
        departments: units,
        own_units: crate::own_unit::units(actor),
    }
}

// ---------------------------------------------------------------------------------------------
// Input

/// A clue as it arrives from a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct ClueInput {
    /// Whom the clue is about.
    #[schema(min_length = 1, pattern = r"\S", max_length = 50)]
    pub about_name: String,
    /// Their post.
    #[serde(default)]
    #[schema(max_length = 100)]
    pub about_post: String,
    /// Their unit: a unit's id or exact name; blank when not a unit of the system.
    #[serde(default)]
    pub about_unit: Option<String>,
    /// What the clue says.
    #[schema(min_length = 1, pattern = r"\S", max_length = 5000)]
    pub summary: String,
    /// 来信, 来电, 来访, 网上举报, 个别谈话, 调阅资料, 其他 (or their codes).
    #[schema(value_type = ClueSource)]
    pub source: String,
    /// 内部, 秘密, 机密 (or their codes).
    #[schema(value_type = Confidentiality)]
    pub confidentiality: String,
    /// 领导干部问题, 选人用人问题, 其他问题 (or their codes).
    #[schema(value_type = ClueKind)]
    pub kind: String,
}

/// The validated parts of a [`ClueInput`] that need no lookup.
#[derive(Debug, Clone)]
pub struct ClueFields {
    pub about_name: String,
    pub about_post: String,
    pub about_unit: Option<String>,
    pub summary: String,
    pub source: ClueSource,
    pub confidentiality: Confidentiality,
    pub kind: ClueKind,
}

impl ClueInput {
    pub fn validate(&self) -> Result<ClueFields> {
        let mut v = Validation::new();
        let about_name = self.about_name.trim();
        if about_name.is_empty() {
            v.add("about_name", "请填写被反映人");
        } else if about_name.chars().count() > 50 {
            v.add("about_name", "被反映人不能超过 50 个字");
        }
        let about_post = self.about_post.trim();
        if about_post.chars().count() > 100 {
            v.add("about_post", "职务不能超过 100 个字");
        }
        let summary = self.summary.trim();
        if summary.is_empty() {
            v.add("summary", "请填写线索的主要内容");
        } else if summary.chars().count() > 5000 {
            v.add("summary", "线索内容不能超过 5000 个字");
        }
        let source = v.take(ClueSource::parse(&self.source));
        let confidentiality = v.take(Confidentiality::parse(&self.confidentiality));
        let kind = v.take(ClueKind::parse(&self.kind));
        v.finish()?;
        Ok(ClueFields {
            about_name: about_name.to_owned(),
            about_post: about_post.to_owned(),
            about_unit: self
                .about_unit
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
            summary: summary.to_owned(),
            source: source.expect("validated"),
            confidentiality: confidentiality.expect("validated"),
            kind: kind.expect("validated"),
        })
    }
}

/// A transfer as it arrives from a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct TransferInput {
    /// discipline, organization or department (or 纪委监委, 组织部, 职能部门).
    #[schema(value_type = RecipientKind)]
    pub recipient: String,
    /// For a department: the unit's id or exact name.
    #[serde(default)]
    pub department: Option<String>,
    /// Such as 桂巡移〔2020〕3号.
    #[schema(min_length = 1, pattern = r"\S", max_length = 50)]
    pub letter_no: String,
    #[schema(min_length = 1, pattern = r"\S", max_length = 10000)]
    pub letter_text: String,
    /// YYYY-MM-DD.
    #[schema(value_type = String, format = Date)]
    pub transferred_on: String,
    /// The clues to transfer; all of this inspection, all still registered.
    #[schema(min_items = 1)]
    pub clue_ids: Vec<String>,
}

/// The validated parts of a [`TransferInput`] that need no lookup.
#[derive(Debug, Clone)]
pub struct TransferFields {
    pub recipient: RecipientKind,
    pub department: Option<String>,
    pub letter_no: String,
    pub letter_text: String,
    pub transferred_on: jiff::civil::Date,
    pub clue_ids: Vec<Id>,
}

impl TransferInput {
    pub fn validate(&self, today: jiff::civil::Date) -> Result<TransferFields> {
        let mut v = Validation::new();
        let recipient = v.take(RecipientKind::parse(&self.recipient));
        let department = self
            .department
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned);
        if recipient == Some(RecipientKind::Department) && department.is_none() {
            v.add("department", "移交职能部门时须选择接收部门");
        }
        let letter_no = self.letter_no.trim();
        if letter_no.is_empty() {
            v.add("letter_no", "请填写移交函文号，如“桂巡移〔2020〕3号”");
        } else if letter_no.chars().count() > 50 {
            v.add("letter_no", "文号不能超过 50 个字");
        }
        let letter_text = self.letter_text.trim();
        if letter_text.is_empty() {
            v.add("letter_text", "请填写移交函正文");
        } else if letter_text.chars().count() > 10000 {
            v.add("letter_text", "移交函正文不能超过 10000 个字");
        }
        let transferred_on = v
            .take(parse_date(
                "transferred_on",
                Some(self.transferred_on.as_str()),
            ))
            .flatten();
        match transferred_on {
            None if self.transferred_on.trim().is_empty() => {
                v.add("transferred_on", "请填写移交日期")
            }
            Some(d) if d > today => v.unfit("transferred_on", "移交日期不能晚于今天"),
            _ => {}
        }
        let mut clue_ids = Vec::new();
        let mut ids_ok = true;
        for raw in self
            .clue_ids
            .iter()
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
        {
            match raw.parse::<Id>() {
                Ok(id) if clue_ids.contains(&id) => {
                    v.add("clue_ids", "同一条线索不能重复移交");
                    ids_ok = false;
                    break;
                }
                Ok(id) => clue_ids.push(id),
                Err(_) => {
                    v.add("clue_ids", format!("“{raw}”不是有效的线索编号"));
                    ids_ok = false;
                    break;
                }
            }
        }
        if ids_ok && clue_ids.is_empty() {
            v.add("clue_ids", "请至少选择一条待移交的线索");
        }
        v.finish()?;
        Ok(TransferFields {
            recipient: recipient.expect("validated"),
            department,
            letter_no: letter_no.to_owned(),
            letter_text: letter_text.to_owned(),
            transferred_on: transferred_on.expect("validated"),
            clue_ids,
        })
    }
}

/// A disposal as it arrives from a form or a JSON body.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct DisposalInput {
    /// 谈话函询, 初步核实, 暂存待查, 予以了结 (or their codes).
    #[schema(value_type = DisposalMethod)]
    pub method: String,
    /// What came of it.
    #[schema(min_length = 1, pattern = r"\S", max_length = 5000)]
    pub result: String,
    /// The date of the decision, YYYY-MM-DD.
    #[schema(value_type = String, format = Date)]
    pub decided_on: String,
}

impl DisposalInput {
    /// Validates against the transfer date (a decision cannot precede it) and today.
    pub fn validate(
        &self,
        transferred_on: jiff::civil::Date,
        today: jiff::civil::Date,
    ) -> Result<(DisposalMethod, String, jiff::civil::Date)> {
        let mut v = Validation::new();
        let method = v.take(DisposalMethod::parse(&self.method));
        let result = self.result.trim();
        if result.is_empty() {
            v.add("result", "请填写处置结果");
        } else if result.chars().count() > 5000 {
            v.add("result", "处置结果不能超过 5000 个字");
        }
        let decided_on = v
            .take(parse_date("decided_on", Some(self.decided_on.as_str())))
            .flatten();
        match decided_on {
            None if self.decided_on.trim().is_empty() => v.add("decided_on", "请填写处置日期"),
            Some(d) if d < transferred_on => v.unfit(
                "decided_on",
                format!("处置日期不能早于移交日期（{transferred_on}）"),
            ),
            Some(d) if d > today => v.unfit("decided_on", "处置日期不能晚于今天"),
            _ => {}
        }
        v.finish()?;
        Ok((
            method.expect("validated"),
            result.to_owned(),
            decided_on.expect("validated"),
        ))
    }
}

/// New handling deadline rules, with the version the editor saw.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ClueSettingsInput {
    pub version: i64,
    #[schema(minimum = 1, maximum = 24)]
    pub handling_months: i64,
    #[schema(minimum = 0, maximum = 60)]
    pub warn_days: i64,
}

impl ClueSettingsInput {
    pub fn validate(&self) -> Result<()> {
        let mut v = Validation::new();
        if !(1..=24).contains(&self.handling_months) {
            v.add("handling_months", "办理时限应为 1 到 24 个月");
        }
        if !(0..=60).contains(&self.warn_days) {
            v.add("warn_days", "预警天数应为 0 到 60 天");
        }
        v.finish()
    }
}

/// Formats a date the way official documents write it: 2020年3月25日.
pub fn chinese_date(d: jiff::civil::Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inspection::Stage;
    use jiff::civil::date;

    fn inspection(targets: Vec<Id>, stage: Stage) -> Inspection {
        crate::inspection::tests::sample(targets, stage)
    }

    fn actor(grants: &[(Role, Scope)]) -> Actor {
        crate::own_unit::tests::person(None, grants)
    }

    #[test]
    fn the_handling_period_counts_calendar_months_from_the_date() {
        assert_eq!(due_on(date(2020, 3, 25), 3).unwrap(), date(2020, 6, 25));
        assert_eq!(due_on(date(2020, 3, 25), 2).unwrap(), date(2020, 5, 25));
        // A day the month lacks falls back to its last day.
        assert_eq!(due_on(date(2020, 11, 30), 3).unwrap(), date(2021, 2, 28));
        assert_eq!(due_on(date(2019, 11, 30), 3).unwrap(), date(2020, 2, 29));
    }

    #[test]
    fn the_clock_turns_yellow_within_the_warning_days_and_red_after_the_due_date() {
        let due = date(2020, 6, 25);
        assert_eq!(clock(due, date(2020, 3, 25), 7), ClockColour::Green);
        assert_eq!(clock(due, date(2020, 6, 17), 7), ClockColour::Green);
        assert_eq!(clock(due, date(2020, 6, 18), 7), ClockColour::Yellow);
        assert_eq!(clock(due, date(2020, 6, 25), 7), ClockColour::Yellow);
        assert_eq!(clock(due, date(2020, 6, 26), 7), ClockColour::Red);
        assert_eq!(clock(due, date(2021, 1, 1), 7), ClockColour::Red);
        // With no warning days only the due date itself is yellow.
        assert_eq!(clock(due, date(2020, 6, 24), 0), ClockColour::Green);
        assert_eq!(clock(due, date(2020, 6, 25), 0), ClockColour::Yellow);
    }

    fn clue(status: ClueStatus, due: Option<jiff::civil::Date>) -> Clue {
        let now = jiff::Timestamp::UNIX_EPOCH;
        Clue {
            id: Id::new(),
            inspection_id: Id::new(),
            about_name: "张某".into(),
            about_post: "副厅长".into(),
            about_unit_id: None,
            summary: "违规收受礼金".into(),
            source: ClueSource::Letter,
            confidentiality: Confidentiality::Secret,
            kind: ClueKind::LeadingCadre,
            status,
            transfer: due.map(|due_on| TransferRef {
                id: Id::new(),
                recipient: Recipient::Discipline,
                recipient_name: "纪委监委".into(),
                letter_no: "桂巡移〔2020〕3号".into(),
                transferred_on: date(2020, 3, 25),
                due_on,
            }),
            disposal: None,
            created_by: None,
            created_at: now,
            updated_at: now,
            version: 1,
        }
    }

    #[test]
    fn a_disposed_clue_is_done_not_red_and_a_registered_one_has_no_clock() {
        let today = date(2020, 9, 1);
        let late = Some(date(2020, 6, 25));
        assert_eq!(
            clue_clock(&clue(ClueStatus::Transferred, late), today, 7),
            Some(ClockColour::Red)
        );
        assert_eq!(
            clue_clock(&clue(ClueStatus::Disposed, late), today, 7),
            Some(ClockColour::Done)
        );
        assert_eq!(
            clue_clock(&clue(ClueStatus::Registered, None), today, 7),
            None
        );
    }

    #[test]
    fn the_kind_proposes_the_recipient() {
        assert_eq!(
            ClueKind::LeadingCadre.proposed_recipient(),
            RecipientKind::Discipline
        );
        assert_eq!(
            ClueKind::CadreSelection.proposed_recipient(),
            RecipientKind::Organization
        );
        assert_eq!(
            ClueKind::Other.proposed_recipient(),
            RecipientKind::Department
        );
        assert_eq!(
            ClueKind::parse("选人用人问题").unwrap(),
            ClueKind::CadreSelection
        );
    }

    #[test]
    fn each_role_gets_its_own_access_to_clues() {
        let target = Id::new();
        let dept = Id::new();
        let before = inspection(vec![target], Stage::Reporting);
        let after = Inspection {
            stage: Stage::Rectification,
            ..before.clone()
        };
        let other_insp = Id::new();
        let to_discipline = Recipient::Discipline;
        let to_org = Recipient::Organization;
        let to_dept = Recipient::Department { unit_id: dept };

        let office = actor(&[(Role::Office, Scope::Global)]);
        let leader = actor(&[(Role::TeamLeader, Scope::Inspection(before.id))]);
        let member = actor(&[(Role::TeamMember, Scope::Inspection(before.id))]);
        let stranger = actor(&[(Role::TeamMember, Scope::Inspection(other_insp))]);
        let leadership = actor(&[(Role::Leadership, Scope::Global)]);
        let discipline = actor(&[(Role::Discipline, Scope::Global)]);
        let organization = actor(&[(Role::Organization, Scope::Global)]);
        let dept_staff = actor(&[(Role::UnitStaff, Scope::Unit(dept))]);
        let unit_principal = actor(&[(Role::UnitPrincipal, Scope::Unit(target))]);
        let admin = actor(&[(Role::Admin, Scope::Global)]);

        for insp in [&before, &after] {
            assert_eq!(clue_access(&office, insp, None), ClueAccess::Office);
            assert_eq!(clue_access(&leader, insp, None), ClueAccess::TeamLead);
            assert_eq!(clue_access(&member, insp, None), ClueAccess::Team);
            assert_eq!(clue_access(&leadership, insp, None), ClueAccess::Read);
            assert_eq!(clue_access(&stranger, insp, None), ClueAccess::None);
            assert_eq!(
                clue_access(&admin, insp, Some(&to_discipline)),
                ClueAccess::None
            );

            assert_eq!(
                clue_access(&discipline, insp, Some(&to_discipline)),
                ClueAccess::Recipient
            );
            assert_eq!(
                clue_access(&discipline, insp, Some(&to_org)),
                ClueAccess::None
            );
            assert_eq!(clue_access(&discipline, insp, None), ClueAccess::None);
            assert_eq!(
                clue_access(&organization, insp, Some(&to_org)),
                ClueAccess::Recipient
            );
            assert_eq!(
                clue_access(&organization, insp, Some(&to_discipline)),
                ClueAccess::None
            );
            assert_eq!(
                clue_access(&dept_staff, insp, Some(&to_dept)),
                ClueAccess::Recipient
            );
            assert_eq!(
                clue_access(&dept_staff, insp, Some(&to_discipline)),
                ClueAccess::None
            );

            // The inspected unit sees no clue, before feedback or after, whoever received it.
            for r in [None, Some(&to_discipline), Some(&to_org), Some(&to_dept)] {
                assert_eq!(clue_access(&unit_principal, insp, r), ClueAccess::None);
            }
        }
        let refused = require_clue_access(&unit_principal, &after, None, ClueAccess::Read);
        assert!(
            matches!(refused, Err(CoreError::Forbidden(_))),
            "{refused:?}"
        );
        let refused = require_clue_access(&unit_principal, &before, None, ClueAccess::Read);
        assert!(
            matches!(refused, Err(CoreError::NotFound(_))),
            "{refused:?}"
        );
        let refused = require_clue_access(&leadership, &before, None, ClueAccess::Team);
        assert!(
            matches!(refused, Err(CoreError::Forbidden(_))),
            "{refused:?}"
        );
        let refused = require_clue_access(&member, &before, None, ClueAccess::TeamLead);
        assert!(
            matches!(refused, Err(CoreError::Forbidden(_))),
            "{refused:?}"
        );
    }

    #[test]
    fn only_the_recipient_records_a_disposal() {
        let dept = Id::new();
        let insp = inspection(vec![Id::new()], Stage::Rectification);
        let to_discipline = Recipient::Discipline;
        let office = actor(&[(Role::Office, Scope::Global)]);
        let leadership = actor(&[(Role::Leadership, Scope::Global)]);
        let discipline = actor(&[(Role::Discipline, Scope::Global)]);
        let organization = actor(&[(Role::Organization, Scope::Global)]);
        let dept_staff = actor(&[(Role::UnitLiaison, Scope::Unit(dept))]);

        assert!(require_recipient(&discipline, &insp, &to_discipline).is_ok());
        assert!(require_recipient(&Actor::system(), &insp, &to_discipline).is_ok());
        assert!(matches!(
            require_recipient(&office, &insp, &to_discipline),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(
            require_recipient(&leadership, &insp, &to_discipline),
            Err(CoreError::Forbidden(_))
        ));
        assert!(matches!(
            require_recipient(&organization, &insp, &to_discipline),
            Err(CoreError::NotFound(_))
        ));
        assert!(is_recipient(
            &dept_staff,
            &insp,
            &Recipient::Department { unit_id: dept }
        ));
        assert!(!is_recipient(
            &dept_staff,
            &insp,
            &Recipient::Department { unit_id: Id::new() }
        ));
    }

    #[test]
    fn a_department_that_is_inspected_never_receives_that_inspections_clues() {
        let unit = Id::new();
        let insp = inspection(vec![unit], Stage::Rectification);
        let staff = actor(&[(Role::UnitStaff, Scope::Unit(unit))]);
        assert!(!is_recipient(
            &staff,
            &insp,
            &Recipient::Department { unit_id: unit }
        ));
        // Holding a discipline role besides does not open the inspection of one's own unit.
        let both = actor(&[
            (Role::UnitStaff, Scope::Unit(unit)),
            (Role::Discipline, Scope::Global),
        ]);
        assert!(!is_recipient(&both, &insp, &Recipient::Discipline));
    }

    #[test]
    fn the_list_scope_follows_the_grants() {
        let office = actor(&[(Role::Office, Scope::Global)]);
        assert_eq!(clue_scope(&office), ClueScope::All);
        assert_eq!(
            clue_scope(&actor(&[(Role::Leadership, Scope::Global)])),
            ClueScope::All
        );
        let unit = Id::new();
        let insp = Id::new();
        let city = Id::new();
        let ClueScope::Some {
            team_inspections,
            dispatchers,
            discipline,
            organization,
            departments,
            own_units,
        } = clue_scope(&actor(&[
            (Role::UnitStaff, Scope::Unit(unit)),
            (Role::UnitLiaison, Scope::Unit(unit)),
            (Role::TeamMember, Scope::Inspection(insp)),
            (Role::Discipline, Scope::Global),
            (Role::Office, Scope::Unit(city)),
        ]))
        else {
            panic!("a scoped actor sees only some clues")
        };
        assert_eq!(team_inspections, vec![insp]);
        assert_eq!(dispatchers, vec![city]);
        assert!(discipline && !organization);
        assert_eq!(departments, vec![unit]);
        // The office of a committee is of that committee.
        let mut expected = vec![unit, city];
        expected.sort();
        assert_eq!(own_units, expected);
        // A committee's own office configures nothing of the whole system.
        assert!(!may_configure(&actor(&[(Role::Office, Scope::Unit(city))])));
    }

    #[test]
    fn only_the_office_changes_the_deadline_rules() {
        assert!(may_configure(&actor(&[(Role::Office, Scope::Global)])));
        assert!(!may_configure(&actor(&[(Role::Leadership, Scope::Global)])));
        assert!(!may_configure(&actor(&[(Role::Admin, Scope::Global)])));
        let bad = ClueSettingsInput {
            version: 1,
            handling_months: 0,
            warn_days: 61,
        };
        let Err(CoreError::BadInput(f)) = bad.validate() else {
            panic!("accepted")
        };
        assert_eq!(f.len(), 2);
    }

    #[test]
    fn a_transfer_needs_a_recipient_a_letter_a_past_date_and_clues() {
        let today = date(2020, 3, 25);
        let input = TransferInput {
            recipient: "department".into(),
            department: None,
            letter_no: " ".into(),
            letter_text: "".into(),
            transferred_on: "2020-03-26".into(),
            clue_ids: vec![],
        };
        let Err(CoreError::BadInput(f)) = input.validate(today) else {
            panic!("accepted")
        };
        let fields: Vec<_> = f.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "department",
                "letter_no",
                "letter_text",
                "transferred_on",
                "clue_ids"
            ]
        );
        let id = Id::new().to_string();
        let good = TransferInput {
            recipient: "纪委监委".into(),
            department: None,
            letter_no: "桂巡移〔2020〕3号".into(),
            letter_text: "现将有关问题线索移交你委。".into(),
            transferred_on: "2020-03-25".into(),
            clue_ids: vec![id.clone()],
        };
        let f = good.validate(today).unwrap();
        assert_eq!(f.recipient, RecipientKind::Discipline);
        let dup = TransferInput {
            clue_ids: vec![id.clone(), id],
            ..good
        };
        assert!(dup.validate(today).is_err());
    }

    #[test]
    fn a_disposal_falls_between_the_transfer_and_today() {
        let input = DisposalInput {
            method: "初步核实".into(),
            result: "已立案审查".into(),
            decided_on: "2020-03-24".into(),
        };
        assert!(input.validate(date(2020, 3, 25), date(2020, 5, 1)).is_err());
        let ok = DisposalInput {
            decided_on: "2020-04-10".into(),
            ..input
        };
        let (method, result, on) = ok.validate(date(2020, 3, 25), date(2020, 5, 1)).unwrap();
        assert_eq!(method, DisposalMethod::PreliminaryCheck);
        assert_eq!(result, "已立案审查");
        assert_eq!(on, date(2020, 4, 10));
        assert_eq!(chinese_date(on), "2020年4月10日");
    }
}
