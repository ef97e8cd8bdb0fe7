//! Storage of supervision: the deadline rules and the warning period, follow-up notices,
//! accountability records and long-term mechanisms.

use std::future::Future;

use jiff::civil::Date;

use crate::access::Visible;
use crate::deadline::Clock;
use crate::error::Result;
use crate::id::Id;
use crate::org::UnitLevel;
use crate::page::{Keyset, PageRequest, Sort, SortKey};
use crate::rectify::{Accountability, FollowUp, Form, Mechanism, NoticeKind, Verification};
use crate::supervision::{RectifySettings, StoredDeadlineRule};

/// Which follow-up notices a list shows. `scope` narrows to what the reader may see.
#[derive(Debug, Clone)]
pub struct FollowUpFilter {
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    pub kind: Option<NoticeKind>,
    /// Some(true): answered; Some(false): awaiting the unit's answer.
    pub answered: Option<bool>,
    /// Part of the document number or the text.
    pub q: Option<String>,
}

/// The columns the list of follow-up notices sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum FollowUpSortKey {
    /// In order of issue (by id).
    #[default]
    Seq,
    /// By the day issued.
    Issued,
    /// By the day the answer is due; those without one last.
    Due,
    /// By kind code, each kind together.
    Kind,
    /// By unit (its id, which keeps each unit's notices together).
    Unit,
    /// By document number.
    DocNo,
}

impl FollowUpSortKey {
    pub const ALL: [FollowUpSortKey; 6] = [
        FollowUpSortKey::Seq,
        FollowUpSortKey::Issued,
        FollowUpSortKey::Due,
        FollowUpSortKey::Kind,
        FollowUpSortKey::Unit,
        FollowUpSortKey::DocNo,
    ];
}

impl SortKey for FollowUpSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            FollowUpSortKey::Seq => "seq",
            FollowUpSortKey::Issued => "issued",
            FollowUpSortKey::Due => "due",
            FollowUpSortKey::Kind => "kind",
            FollowUpSortKey::Unit => "unit",
            FollowUpSortKey::DocNo => "doc_no",
        }
    }

    fn label(self) -> &'static str {
        match self {
            FollowUpSortKey::Seq => "发出顺序",
            FollowUpSortKey::Issued => "发出日期",
            FollowUpSortKey::Due => "答复期限",
            FollowUpSortKey::Kind => "类型",
            FollowUpSortKey::Unit => "单位",
            FollowUpSortKey::DocNo => "文号",
        }
    }
}

/// The order of a sorted list of notices (`due`, `-issued`).
pub type FollowUpSort = Sort<FollowUpSortKey>;

impl FollowUpSort {
    /// The sort key of a notice, as the cursor carries it and the store compares it.
    pub fn key_of(self, n: &FollowUp) -> String {
        match self.key {
            FollowUpSortKey::Seq => String::new(),
            FollowUpSortKey::Issued => n.issued_on.to_string(),
            FollowUpSortKey::Due => n
                .answer_due
                .map_or_else(|| "9999-12-31".to_owned(), |d| d.to_string()),
            FollowUpSortKey::Kind => n.kind.as_str().to_owned(),
            FollowUpSortKey::Unit => n.unit_id.to_string(),
            FollowUpSortKey::DocNo => n.doc_no.clone(),
        }
    }
}

/// One group of [`SuperviseRead::followup_counts`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpCount {
    pub kind: NoticeKind,
    pub answered: bool,
    pub n: i64,
}

#[derive(Debug, Clone)]
pub struct AccountabilityFilter {
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    pub form: Option<Form>,
    /// Part of the person's name or post.
    pub q: Option<String>,
}

/// The columns the accountability list sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AccountabilitySortKey {
    /// As recorded (by id).
    #[default]
    Seq,
    /// By the name of whom it holds to account.
    Person,
    /// By form code (first to fourth).
    Form,
    /// By the day decided.
    Decided,
    /// By unit (its id, which keeps each unit's records together).
    Unit,
}

impl AccountabilitySortKey {
    pub const ALL: [AccountabilitySortKey; 5] = [
        AccountabilitySortKey::Seq,
        AccountabilitySortKey::Person,
        AccountabilitySortKey::Form,
        AccountabilitySortKey::Decided,
        AccountabilitySortKey::Unit,
    ];
}

impl SortKey for AccountabilitySortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            AccountabilitySortKey::Seq => "seq",
            AccountabilitySortKey::Person => "person",
            AccountabilitySortKey::Form => "form",
            AccountabilitySortKey::Decided => "decided",
            AccountabilitySortKey::Unit => "unit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            AccountabilitySortKey::Seq => "登记顺序",
            AccountabilitySortKey::Person => "被问责人",
            AccountabilitySortKey::Form => "形态",
            AccountabilitySortKey::Decided => "决定日期",
            AccountabilitySortKey::Unit => "单位",
        }
    }
}

/// The order of a sorted accountability list (`person`, `-decided`).
pub type AccountabilitySort = Sort<AccountabilitySortKey>;

impl AccountabilitySort {
    /// The sort key of a record, as the cursor carries it and the store compares it.
    pub fn key_of(self, a: &Accountability) -> String {
        match self.key {
            AccountabilitySortKey::Seq => String::new(),
            AccountabilitySortKey::Person => a.person.clone(),
            AccountabilitySortKey::Form => a.form.as_str().to_owned(),
            AccountabilitySortKey::Decided => a.decided_on.to_string(),
            AccountabilitySortKey::Unit => a.unit_id.to_string(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct MechanismFilter {
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
    pub task_id: Option<Id>,
    /// Part of the rule's title or document number.
    pub q: Option<String>,
}

/// The columns the mechanism list sorts by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MechanismSortKey {
    /// As recorded (by id).
    #[default]
    Seq,
    /// By the rule's title.
    Title,
    /// Revised (修订) before established (新建).
    Kind,
    /// By document number.
    DocNo,
    /// By the day issued.
    Issued,
    /// By unit (its id, which keeps each unit's rules together).
    Unit,
}

impl MechanismSortKey {
    pub const ALL: [MechanismSortKey; 6] = [
        MechanismSortKey::Seq,
        MechanismSortKey::Title,
        MechanismSortKey::Kind,
        MechanismSortKey::DocNo,
        MechanismSortKey::Issued,
        MechanismSortKey::Unit,
    ];
}

impl SortKey for MechanismSortKey {
    fn all() -> &'static [Self] {
        &Self::ALL
    }

    fn as_str(self) -> &'static str {
        match self {
            MechanismSortKey::Seq => "seq",
            MechanismSortKey::Title => "title",
            MechanismSortKey::Kind => "kind",
            MechanismSortKey::DocNo => "doc_no",
            MechanismSortKey::Issued => "issued",
            MechanismSortKey::Unit => "unit",
        }
    }

    fn label(self) -> &'static str {
        match self {
            MechanismSortKey::Seq => "登记顺序",
            MechanismSortKey::Title => "制度名称",
            MechanismSortKey::Kind => "类型",
            MechanismSortKey::DocNo => "文号",
            MechanismSortKey::Issued => "印发日期",
            MechanismSortKey::Unit => "单位",
        }
    }
}

/// The order of a sorted mechanism list (`title`, `-issued`).
pub type MechanismSort = Sort<MechanismSortKey>;

impl MechanismSort {
    /// The sort key of a mechanism, as the cursor carries it and the store compares it.
    pub fn key_of(self, m: &Mechanism) -> String {
        match self.key {
            MechanismSortKey::Seq => String::new(),
            MechanismSortKey::Title => m.title.clone(),
            MechanismSortKey::Kind => i32::from(m.is_new).to_string(),
            MechanismSortKey::DocNo => m.doc_no.clone(),
            MechanismSortKey::Issued => m.issued_on.to_string(),
            MechanismSortKey::Unit => m.unit_id.to_string(),
        }
    }
}

/// Which running clocks a dashboard shows: those of one kind, within what the reader sees.
#[derive(Debug, Clone)]
pub struct ClockFilter {
    pub clock: Clock,
    pub scope: Visible,
    pub inspection_id: Option<Id>,
    pub unit_id: Option<Id>,
}

/// A clock still running: an inspected unit of an inspection under rectification whose event
/// (the plan, or both reports, reaching the office) has not been recorded.
#[derive(Debug, Clone)]
pub struct RunningClock {
    pub inspection_id: Id,
    pub team_name: String,
    pub unit_id: Id,
    pub unit_name: String,
    pub feedback: Date,
    /// The level of the dispatching committee, which decides the rules that apply.
    pub level: UnitLevel,
    /// The dispatching committee, where its own rule reckons this clock.
    pub rule_owner: Option<Id>,
}

/// Running clocks counted ([`SuperviseRead::running_clock_count`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunningCount {
    pub running: i64,
    /// Fed back on or before their level's date asked for.
    pub passed: i64,
}

pub trait SuperviseRead: Send {
    /// Running clocks of `f.clock`, the earliest feedback first, `limit` at most.
    fn running_clocks(
        &mut self,
        f: &ClockFilter,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<RunningClock>>> + Send;
    /// How many clocks of `f.clock` run, and how many of them were fed back on or before the
    /// date in `passed` of their dispatcher's level, or in `owned` of the committee whose own
    /// rule reckons them (none where there is none): the overdue, counted without reckoning
    /// each clock's deadline ([`crate::deadline::DeadlineRule::last_passed_feedback`]).
    fn running_clock_count(
        &mut self,
        f: &ClockFilter,
        passed: &[(UnitLevel, Date)],
        owned: &[(Id, Date)],
    ) -> impl Future<Output = Result<RunningCount>> + Send;
    /// Every stored deadline rule: the levels' and the committees' own.
    fn deadline_rules(&mut self) -> impl Future<Output = Result<Vec<StoredDeadlineRule>>> + Send;
    fn get_deadline_rule(
        &mut self,
        id: Id,
    ) -> impl Future<Output = Result<Option<StoredDeadlineRule>>> + Send;

    fn rectify_settings(&mut self) -> impl Future<Output = Result<RectifySettings>> + Send;
    fn get_followup(&mut self, id: Id) -> impl Future<Output = Result<Option<FollowUp>>> + Send;
    /// A page of notices sorted by `sort`, starting at `at` (`None`: the first page),
    /// `limit + 1` rows at most, in the order walked: going back, the rows before the cursor,
    /// nearest first.
    fn followups_sorted(
        &mut self,
        f: &FollowUpFilter,
        sort: FollowUpSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<FollowUp>>> + Send;
    /// How many notices [`SuperviseRead::followups_sorted`] would list over all its pages.
    fn count_followups(&mut self, f: &FollowUpFilter) -> impl Future<Output = Result<i64>> + Send;
    /// How many notices [`SuperviseRead::followups_sorted`] would list over all its pages, by
    /// kind and by whether they are answered: one grouped count, so a dashboard's numbers of
    /// notices cost one statement.
    fn followup_counts(
        &mut self,
        f: &FollowUpFilter,
    ) -> impl Future<Output = Result<Vec<FollowUpCount>>> + Send;
    fn list_accountability(
        &mut self,
        f: &AccountabilityFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Accountability>>> + Send;
    /// A page of records sorted by `sort`, starting at `at` (`None`: the first page),
    /// `limit + 1` rows at most, in the order walked: going back, the rows before the cursor,
    /// nearest first.
    fn accountability_sorted(
        &mut self,
        f: &AccountabilityFilter,
        sort: AccountabilitySort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Accountability>>> + Send;
    /// How many records [`SuperviseRead::accountability_sorted`] would list over all its pages.
    fn count_accountability(
        &mut self,
        f: &AccountabilityFilter,
    ) -> impl Future<Output = Result<i64>> + Send;
    /// How many records [`SuperviseRead::list_accountability`] would list, by form, in one
    /// grouped count.
    fn accountability_counts(
        &mut self,
        f: &AccountabilityFilter,
    ) -> impl Future<Output = Result<Vec<(Form, i64)>>> + Send;
    fn list_mechanisms(
        &mut self,
        f: &MechanismFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Vec<Mechanism>>> + Send;
    /// A page of mechanisms (with their tasks) sorted by `sort`, starting at `at` (`None`: the
    /// first page), `limit + 1` rows at most, in the order walked: going back, the rows before
    /// the cursor, nearest first.
    fn mechanisms_sorted(
        &mut self,
        f: &MechanismFilter,
        sort: MechanismSort,
        at: Option<&Keyset>,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<Mechanism>>> + Send;
    /// How many mechanisms [`SuperviseRead::mechanisms_sorted`] would list over all its pages.
    fn count_mechanisms(&mut self, f: &MechanismFilter)
    -> impl Future<Output = Result<i64>> + Send;

    /// The latest rejection of each of the tasks that has one (the ledger's verifications that
    /// did not close the task), for the dashboard's rejected items.
    fn latest_rejections(
        &mut self,
        task_ids: &[Id],
    ) -> impl Future<Output = Result<Vec<Verification>>> + Send;
}

/// The writes of the same area; only a write transaction has them.
pub trait SuperviseWrite: SuperviseRead {
    /// Stores `r` if the stored version is still `r.version - 1`; otherwise `StaleVersion`.
    fn update_deadline_rule(
        &mut self,
        r: &StoredDeadlineRule,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores a committee's own rule (`r.committee_id`), and has the committee's running
    /// clocks of its clock reckoned by it; `Conflict` where the committee keeps one already.
    fn insert_committee_rule(
        &mut self,
        r: &StoredDeadlineRule,
        by: Option<Id>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Removes a committee's own rule at `version`, its clocks reckoned by its level's again;
    /// otherwise `StaleVersion`.
    fn delete_committee_rule(
        &mut self,
        r: &StoredDeadlineRule,
        version: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores `s` if the stored version is still `s.version - 1`; otherwise `StaleVersion`.
    fn update_rectify_settings(
        &mut self,
        s: &RectifySettings,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_followup(
        &mut self,
        f: &FollowUp,
        issued_by_id: Option<Id>,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Stores the answer of `f` if the stored version is still `f.version - 1`.
    fn update_followup(
        &mut self,
        f: &FollowUp,
        answered_by_id: Option<Id>,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_accountability(
        &mut self,
        a: &Accountability,
        recorded_by: Option<Id>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;

    fn insert_mechanism(
        &mut self,
        m: &Mechanism,
        recorded_by: Option<Id>,
        at: jiff::Timestamp,
    ) -> impl Future<Output = Result<()>> + Send;
}
