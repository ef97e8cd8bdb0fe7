//! The to-do (工作台): what waits for the person asking, oldest first, with its deadline's
//! colour. The list is computed from the current state, so an item done leaves it.
//!
//! Each kind is listed only for whom the area's own rule lets act on it: the database is asked
//! for the rows within the scope those rules give ([`oversees_all_but`], [`speaks_for_units`],
//! the inspections whose papers the actor signs by [`leads_papers`] or whose reports the actor
//! decides by [`decides_now`], whose notices' answers the actor reviews by
//! [`reviews_notices`]), and each row listed is checked again against the rule itself
//! ([`rect_role`], [`speaks_for`], [`decides_notices`], [`leads_papers`], [`decides_now`],
//! [`answers_for`], [`reviews_notices`]) with its inspection. Clues to dispose are listed by transfer, each held to [`is_recipient`],
//! with the number of its clues waiting and its deadline only (see [`clue_items`]).

use jiff::civil::Date;
use serde::Serialize;

use super::Services;
use super::calendar::load_calendar;
use super::deadlines::rectification_warn_days;
use super::disclosure::decides_notices;
use super::notices::{answers_for, reviews_notices};
use super::papers::leads_papers;
use super::planning::today;
use super::rectify::access::{oversees_all_but, rect_role};
use super::reports::decides_now;
use super::supervision::{active, require_rectifying, speaks_for, speaks_for_units};
use crate::access::Visible;
use crate::clue::{is_recipient, recipient_scope};
use crate::deadline::{Clock, Colour, colour};
use crate::disclosure::{DocAccess, doc_access};
use crate::error::Result;
use crate::id::Id;
use crate::inspection::Inspection;
use crate::inspection::Stage;
use crate::permission::{Actor, Permission};
use crate::rectify::{Due, TaskStatus, task_colour};
use crate::report::StepKind;
use crate::role::{Role, Scope};
use crate::store::{
    ClockFilter, FrameAsk, FrameCount, ReadTx, Store, Waiting, WaitingRow, WaitingScope,
};
use crate::supervision::rule_for;

/// How many items of each kind the list shows; the count says how many there are.
pub const TODO_FIRST: u32 = 20;

/// What waits, by who acts on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TodoKind {
    /// A rectification plan to review (the office and the supervisors).
    PlanReview,
    /// A task claimed done, to verify (待核查/待销号).
    TaskVerify,
    /// A change request to decide (the office).
    ChangeDecide,
    /// A follow-up notice to answer (the unit's principal and liaison).
    FollowupAnswer,
    /// A public progress notice to approve or return (the office).
    NoticeDecide,
    /// A published notice sent back for review (待复核), to publish again or withdraw.
    NoticeReview,
    /// An inspection report before the team meeting (the team's leader).
    ReportTeamMeeting,
    /// An inspection report before the office, the leading group or the committee (the office
    /// records each).
    ReportDecide,
    /// A working paper the team meeting approved, to sign (the leader or a deputy).
    PaperSign,
    /// Clues transferred to the actor's body, to dispose of (the recipient).
    ClueDispose,
    /// An immediate-fix notice (立行立改通知) to answer (the unit's principal and liaison).
    FixNoticeAnswer,
    /// The unit's answer to an immediate-fix notice, to review (the team's leader).
    FixNoticeReview,
    /// Next year's holiday arrangement, not yet entered (the office, from 1 November).
    CalendarMissing,
    /// A deadline of the unit moved when a year's holiday arrangement was entered, to take
    /// note of (the unit's principal and liaison).
    DeadlineChanged,
    /// The unit's rectification plan, not yet with the office while its clock runs (whoever
    /// drafts the plan for the unit).
    PlanSubmit,
    /// The unit's rectification report and its principal's report, not yet with the office
    /// while their clock runs (whoever submits the unit's documents).
    ReportSubmit,
    /// Records past their retention period proposed for disposal, to approve or send back
    /// (an office user other than the one who proposed it).
    DisposalDecide,
    /// A lower committee's filing (报备), to acknowledge or comment on (the office of the
    /// committee it was filed with).
    FilingAnswer,
}

impl TodoKind {
    pub fn label(self) -> &'static str {
        match self {
            TodoKind::PlanReview => "待审核整改方案",
            TodoKind::TaskVerify => "待核查销号",
            TodoKind::ChangeDecide => "待审批变更申请",
            TodoKind::FollowupAnswer => "待答复督办通知",
            TodoKind::NoticeDecide => "待审核整改进展通报",
            TodoKind::NoticeReview => "待复核通报",
            TodoKind::ReportTeamMeeting => "待组务会审议巡视报告",
            TodoKind::ReportDecide => "待审批巡视报告",
            TodoKind::PaperSign => "待签批问题底稿",
            TodoKind::ClueDispose => "待处置问题线索",
            TodoKind::FixNoticeAnswer => "待答复立行立改通知",
            TodoKind::FixNoticeReview => "待审核立行立改答复",
            TodoKind::CalendarMissing => "待录入节假日安排",
            TodoKind::DeadlineChanged => "整改期限已调整",
            TodoKind::PlanSubmit => "待报送整改方案",
            TodoKind::ReportSubmit => "待报送整改情况报告",
            TodoKind::DisposalDecide => "待批准档案销毁",
            TodoKind::FilingAnswer => "待阅下级报备",
        }
    }

    /// Who stops a running clock by submitting: the plan's, or the reports'.
    pub(crate) fn submits(clock: Clock) -> TodoKind {
        match clock {
            Clock::PlanDue => TodoKind::PlanSubmit,
            _ => TodoKind::ReportSubmit,
        }
    }

    fn waiting(self) -> Option<Waiting> {
        Some(match self {
            TodoKind::PlanReview => Waiting::PlanSubmitted,
            TodoKind::TaskVerify => Waiting::TaskClaimed,
            TodoKind::ChangeDecide => Waiting::ChangePending,
            TodoKind::FollowupAnswer => Waiting::FollowUpOpen,
            TodoKind::NoticeDecide => Waiting::NoticeSubmitted,
            TodoKind::NoticeReview => Waiting::NoticeNeedsReview,
            TodoKind::ReportTeamMeeting => Waiting::ReportAtTeamMeeting,
            TodoKind::ReportDecide => Waiting::ReportWithOffice,
            TodoKind::PaperSign => Waiting::PaperApproved,
            TodoKind::FixNoticeAnswer => Waiting::FixNoticeIssued,
            TodoKind::FixNoticeReview => Waiting::FixNoticeAnswered,
            TodoKind::DeadlineChanged => Waiting::DeadlineChanged,
            TodoKind::ClueDispose
            | TodoKind::CalendarMissing
            | TodoKind::PlanSubmit
            | TodoKind::ReportSubmit
            | TodoKind::DisposalDecide
            | TodoKind::FilingAnswer => return None,
        })
    }

    /// Whether the actor may do this to the row, by the area's own rule. `unit` is the row's
    /// unit (none for a report, which is the inspection's).
    pub(crate) fn may_act(self, actor: &Actor, insp: &Inspection, unit: Option<Id>) -> bool {
        let Some(unit) = unit else {
            return match self {
                // The office decides for itself and records the leading group's and the
                // committee's decisions: one rule for the three steps.
                TodoKind::ReportDecide => decides_now(actor, insp, StepKind::Office),
                TodoKind::ReportTeamMeeting => decides_now(actor, insp, StepKind::TeamMeeting),
                _ => false,
            };
        };
        match self {
            TodoKind::PlanReview | TodoKind::TaskVerify => rect_role(actor, insp, unit).supervise,
            TodoKind::ChangeDecide => rect_role(actor, insp, unit).office,
            TodoKind::FollowupAnswer => speaks_for(actor, unit) && require_rectifying(insp).is_ok(),
            TodoKind::NoticeDecide | TodoKind::NoticeReview => decides_notices(actor, insp, unit),
            TodoKind::PaperSign => leads_papers(actor, insp),
            TodoKind::FixNoticeAnswer => answers_for(actor, insp).contains(&unit),
            TodoKind::FixNoticeReview => reviews_notices(actor, insp),
            // The change is the unit's to know, whatever stage the inspection is at now.
            TodoKind::DeadlineChanged => speaks_for(actor, unit),
            // The plan by the rectification rule, the two reports by the documents'.
            TodoKind::PlanSubmit => rect_role(actor, insp, unit).draft,
            TodoKind::ReportSubmit => {
                doc_access(actor, insp, unit) == DocAccess::Unit && insp.stage != Stage::Archived
            }
            TodoKind::ReportTeamMeeting
            | TodoKind::ReportDecide
            | TodoKind::ClueDispose
            | TodoKind::CalendarMissing
            | TodoKind::DisposalDecide
            | TodoKind::FilingAnswer => false,
        }
    }
}

/// One thing waiting. `object_id` names what is opened to do it (the plan, the task, the
/// follow-up notice, the public notice, the report, the paper, the transfer, the
/// immediate-fix notice; the unit, for a plan or reports to submit); none for the holiday
/// arrangement.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TodoItem {
    pub kind: TodoKind,
    pub object_id: Option<Id>,
    /// The inspection it belongs to; none for the holiday arrangement.
    pub inspection_id: Option<Id>,
    pub title: String,
    pub unit_name: Option<String>,
    /// Since when it waits.
    #[schema(value_type = Option<String>, format = Date)]
    pub since: Option<Date>,
    #[schema(value_type = Option<String>, format = Date)]
    pub due: Option<Date>,
    pub colour: Option<Colour>,
}

/// The items of one kind: how many wait, and the first [`TODO_FIRST`] of them, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct TodoGroup {
    pub kind: TodoKind,
    pub total: i64,
    pub items: Vec<TodoItem>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Todo {
    /// Only the kinds with something waiting.
    pub groups: Vec<TodoGroup>,
}

impl Todo {
    pub fn total(&self) -> i64 {
        self.groups.iter().map(|g| g.total).sum()
    }

    /// Every item listed, the longest waiting first (undated last).
    pub fn oldest_first(&self) -> Vec<&TodoItem> {
        let mut all: Vec<&TodoItem> = self.groups.iter().flat_map(|g| &g.items).collect();
        all.sort_by_key(|i| (i.since.is_none(), i.since));
        all
    }
}

/// The inspections the actor sits on as leader or deputy, each held to the rules: whose
/// papers the actor signs now, whose reports wait for the actor's team meeting, whose
/// immediate-fix notices' answers the actor reviews.
#[derive(Default)]
struct Seats {
    leads: Vec<Id>,
    meets: Vec<Id>,
    reviews: Vec<Id>,
}

/// The kinds the actor may act on somewhere, with the rows' scope.
fn duties(actor: &Actor, seats: Seats) -> Vec<(TodoKind, WaitingScope)> {
    let Seats {
        leads,
        meets,
        reviews,
    } = seats;
    let mut out = Vec::new();
    let all_but = |except: Vec<Id>| WaitingScope {
        except,
        ..Default::default()
    };
    let of = |inspections: Vec<Id>| WaitingScope {
        inspections: Some(inspections),
        ..Default::default()
    };
    if !leads.is_empty() {
        out.push((TodoKind::PaperSign, of(leads)));
    }
    if !meets.is_empty() {
        out.push((TodoKind::ReportTeamMeeting, of(meets)));
    }
    if !reviews.is_empty() {
        out.push((TodoKind::FixNoticeReview, of(reviews)));
    }
    if let Some(except) = oversees_all_but(actor, false) {
        out.push((TodoKind::PlanReview, all_but(except.clone())));
        out.push((TodoKind::TaskVerify, all_but(except)));
    }
    if let Some(except) = oversees_all_but(actor, true) {
        out.push((TodoKind::ChangeDecide, all_but(except.clone())));
        out.push((TodoKind::NoticeDecide, all_but(except.clone())));
        out.push((TodoKind::NoticeReview, all_but(except.clone())));
        // `inspection_access` gives the office the same grant, withheld from who belongs to
        // an inspected unit: the store leaves out inspections of the actor's own units.
        out.push((TodoKind::ReportDecide, all_but(except)));
    }
    // A committee's own office oversees the inspections its committees send, as the office
    // oversees all (`rect_role`, `doc_access` and `decides` seat it on them): the same kinds,
    // of those inspections, where no wider grant lists them already.
    let committees = actor.office_committees();
    if !committees.is_empty() && active(actor) {
        let sent = WaitingScope {
            dispatchers: Some(committees),
            except: crate::own_unit::units(actor),
            ..Default::default()
        };
        for kind in [
            TodoKind::PlanReview,
            TodoKind::TaskVerify,
            TodoKind::ChangeDecide,
            TodoKind::NoticeDecide,
            TodoKind::NoticeReview,
            TodoKind::ReportDecide,
        ] {
            if !out.iter().any(|(k, _)| *k == kind) {
                out.push((kind, sent.clone()));
            }
        }
    }
    let units = speaks_for_units(actor);
    if !units.is_empty() {
        // `answers_for` gives the same units, among those an inspection inspects.
        out.push((
            TodoKind::FixNoticeAnswer,
            WaitingScope {
                only: Some(units.clone()),
                ..Default::default()
            },
        ));
        out.push((
            TodoKind::FollowupAnswer,
            WaitingScope {
                only: Some(units.clone()),
                ..Default::default()
            },
        ));
        out.push((
            TodoKind::DeadlineChanged,
            WaitingScope {
                only: Some(units),
                ..Default::default()
            },
        ));
    }
    out
}

/// The day an RFC 3339 time or a date falls on, in Asia/Shanghai.
fn day_of(text: &str) -> Option<Date> {
    text.parse::<jiff::Timestamp>()
        .map(today)
        .ok()
        .or_else(|| text.parse::<Date>().ok())
}

fn title_of(kind: TodoKind, row: &WaitingRow) -> String {
    // Long measures are cut: the item opens the whole of it.
    let label: String = if row.label.chars().count() > 60 {
        row.label.chars().take(60).chain(['…']).collect()
    } else {
        row.label.clone()
    };
    match kind {
        TodoKind::FollowupAnswer => format!("督办通知 {label}"),
        TodoKind::FixNoticeAnswer | TodoKind::FixNoticeReview => {
            format!("立行立改通知第{label}号")
        }
        TodoKind::ChangeDecide => format!("整改任务 {label} 的变更申请"),
        _ => label,
    }
}

impl<S: Store> Services<S> {
    /// What waits for the actor, each kind counted and its oldest [`TODO_FIRST`] listed.
    pub async fn todo(&self, actor: &Actor) -> Result<Todo> {
        self.todo_listing(actor, TODO_FIRST).await
    }

    /// What the frame of every page shows of the person's day: the name of their own unit
    /// (everyone may know it, whatever their grants), how many things wait for them and how
    /// many messages they have not read, in one read: every page asks for them.
    pub async fn frame_counts(&self, actor: &Actor) -> Result<FrameCounts> {
        Ok(self.day_of(actor, 0).await?.1)
    }

    /// The to-do as [`Self::todo`] lists it, and the frame's counts from the same read: the
    /// home page shows both, and what waits is counted once, the same in both places.
    pub async fn todo_with_frame(&self, actor: &Actor) -> Result<(Todo, FrameCounts)> {
        self.day_of(actor, TODO_FIRST).await
    }

    async fn day_of(&self, actor: &Actor, limit: u32) -> Result<(Todo, FrameCounts)> {
        let day = today(self.now());
        let mut tx = self.store.read().await?;
        // The name of the person's own unit: everyone may know it, whatever their grants.
        let also = FrameAsk {
            unit_of: actor.as_user().and_then(|u| u.unit_id),
            unread_of: actor.user_id(),
            ..FrameAsk::default()
        };
        let (todo, read) = todo_listing(&mut tx, actor, day, limit, also).await?;
        let counts = FrameCounts {
            unit_name: read.unit_name,
            waiting: todo.total(),
            unread: read.unread,
        };
        Ok((todo, counts))
    }

    async fn todo_listing(&self, actor: &Actor, limit: u32) -> Result<Todo> {
        let day = today(self.now());
        let mut tx = self.store.read().await?;
        Ok(
            todo_listing(&mut tx, actor, day, limit, FrameAsk::default())
                .await?
                .0,
        )
    }
}

/// What [`Services::frame_counts`] reads.
#[derive(Debug, Clone, Default)]
pub struct FrameCounts {
    pub unit_name: Option<String>,
    pub waiting: i64,
    pub unread: i64,
}

/// The to-do within `tx`: each kind counted and its first `limit` items listed, and what
/// `also` asks for the frame. With `limit` 0 (the frame of every page: only the numbers), the
/// kinds that are one state of one table and what `also` asks are read in one statement.
async fn todo_listing<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    day: Date,
    limit: u32,
    mut also: FrameAsk,
) -> Result<(Todo, FrameCount)> {
    let mut todo = Todo::default();
    if actor.as_user().is_none_or(|u| u.disabled) {
        return Ok((todo, tx.frame_counts(&[], &also).await?));
    }
    // The warning period colours listed items only: the frame's numbers (`limit` 0) are read
    // without it.
    let warn_days = if limit > 0 {
        rectification_warn_days(tx).await?
    } else {
        0
    };
    let mut inspections: Vec<Inspection> = Vec::new();
    // The inspections the actor sits on as leader or deputy, few as the grants, each held
    // to the rules of papers and reports.
    let mut seats = Seats::default();
    let sits_on = actor
        .grants()
        .iter()
        .filter_map(|g| match (g.role, g.scope) {
            (Role::TeamLeader | Role::TeamDeputy, Scope::Inspection(id)) => Some(id),
            _ => None,
        });
    load_missing(tx, &mut inspections, sits_on).await?;
    for insp in &inspections {
        if leads_papers(actor, insp) {
            seats.leads.push(insp.id);
        }
        if decides_now(actor, insp, StepKind::TeamMeeting) {
            seats.meets.push(insp.id);
        }
        if reviews_notices(actor, insp) {
            seats.reviews.push(insp.id);
        }
    }
    let duties = duties(actor, seats);
    let counted = if limit == 0 {
        // Only the numbers (the frame of every page): one statement for them all.
        let asked: Vec<(TodoKind, (Waiting, WaitingScope))> = duties
            .iter()
            .filter_map(|(kind, scope)| Some((*kind, (kind.waiting()?, scope.clone()))))
            .collect();
        let (kinds, asked): (Vec<TodoKind>, Vec<_>) = asked.into_iter().unzip();
        also.disposals_not_by = disposal_decider(actor);
        also.calendar_year = calendar_year_due(actor, day);
        also.filings_for = super::filings::answerer(actor);
        let counted = tx.frame_counts(&asked, &also).await?;
        for (kind, &total) in kinds.into_iter().zip(&counted.waiting) {
            if total > 0 {
                todo.groups.push(TodoGroup {
                    kind,
                    total,
                    items: Vec::new(),
                });
            }
        }
        counted
    } else {
        tx.frame_counts(&[], &also).await?
    };
    // Listed: each kind's count and its first rows, held to the rules row by row.
    let listed = if limit > 0 { duties } else { Vec::new() };
    for (kind, scope) in listed {
        let Some(waiting) = kind.waiting() else {
            continue;
        };
        let (mut total, rows) = tx.waiting(waiting, &scope, limit).await?;
        load_missing(tx, &mut inspections, rows.iter().map(|r| r.inspection_id)).await?;
        let mut items = Vec::new();
        for row in rows {
            let Some(insp) = known(&inspections, row.inspection_id) else {
                continue;
            };
            // The scope asked of the database follows the rule; a row the rule refuses
            // would be a disagreement between them, and is neither shown nor counted.
            if !kind.may_act(actor, insp, row.unit_id) {
                total -= 1;
                continue;
            }
            let colour = row.due.map(|d| match kind {
                // An open task's colour depends on its date only.
                TodoKind::TaskVerify => task_colour(
                    Due::By { date: d },
                    TaskStatus::Claimed,
                    None,
                    day,
                    warn_days,
                ),
                _ => colour(d, day, warn_days, false),
            });
            items.push(TodoItem {
                kind,
                object_id: Some(row.object_id),
                inspection_id: Some(row.inspection_id),
                title: title_of(kind, &row),
                unit_name: Some(row.unit_name.clone()).filter(|n| !n.is_empty()),
                since: day_of(&row.since),
                due: row.due,
                colour,
            });
        }
        if total > 0 {
            todo.groups.push(TodoGroup { kind, total, items });
        }
    }
    if let Some(group) = clue_items(tx, actor, day, limit, &mut inspections).await? {
        todo.groups.push(group);
    }
    let disposals = if limit == 0 {
        (counted.disposals > 0).then_some(TodoGroup {
            kind: TodoKind::DisposalDecide,
            total: counted.disposals,
            items: Vec::new(),
        })
    } else {
        disposal_items(tx, actor, limit).await?
    };
    todo.groups.extend(disposals);
    let filings = if limit == 0 {
        (counted.filings > 0).then_some(TodoGroup {
            kind: TodoKind::FilingAnswer,
            total: counted.filings,
            items: Vec::new(),
        })
    } else {
        super::filings::waiting_items(tx, actor, limit).await?
    };
    todo.groups.extend(filings);
    todo.groups
        .extend(clock_items(tx, actor, day, limit, warn_days, &mut inspections).await?);
    if let Some(year) = calendar_year_due(actor, day) {
        let entered = if limit == 0 {
            counted.calendar_entered
        } else {
            tx.calendar_years().await?.iter().any(|y| y.year == year)
        };
        if !entered {
            todo.groups.push(TodoGroup {
                kind: TodoKind::CalendarMissing,
                total: 1,
                items: if limit > 0 {
                    vec![calendar_item(year, day, warn_days)]
                } else {
                    Vec::new()
                },
            });
        }
    }
    Ok((todo, counted))
}

/// The clues transferred to the actor's body and not yet disposed of, by transfer, the
/// earliest due first.
///
/// Every read of a clue is audited (`record_shown`); this is not one. An item names only the
/// recipient, how many clues of one transfer wait and the transfer's deadline — nothing of a
/// clue (whom it names, what it says, where it came from) — and opens the inbox, whose list
/// records what it shows. So the to-do, read on every page, writes nothing to the trail.
async fn clue_items<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    day: Date,
    limit: u32,
    inspections: &mut Vec<Inspection>,
) -> Result<Option<TodoGroup>> {
    let (mut total, rows) = tx.waiting_clues(&recipient_scope(actor), limit).await?;
    if total == 0 {
        return Ok(None);
    }
    let warn_days = i32::try_from(tx.clue_settings().await?.warn_days).unwrap_or(i32::MAX);
    load_missing(tx, inspections, rows.iter().map(|r| r.inspection_id)).await?;
    let mut items = Vec::new();
    for row in rows {
        let Some(insp) = known(inspections, row.inspection_id) else {
            continue;
        };
        if !is_recipient(actor, insp, &row.recipient) {
            total -= row.clues;
            continue;
        }
        items.push(TodoItem {
            kind: TodoKind::ClueDispose,
            object_id: Some(row.transfer_id),
            inspection_id: Some(row.inspection_id),
            title: format!(
                "移交{}的 {} 条问题线索待处置",
                row.recipient_name, row.clues
            ),
            unit_name: None,
            since: Some(row.transferred_on),
            due: Some(row.due_on),
            colour: Some(colour(row.due_on, day, warn_days, false)),
        });
    }
    Ok((total > 0).then_some(TodoGroup {
        kind: TodoKind::ClueDispose,
        total,
        items,
    }))
}

/// The office user for whom disposals wait, if the actor is one.
fn disposal_decider(actor: &Actor) -> Option<Id> {
    actor
        .user_id()
        .filter(|_| actor.can(Permission::ManagePlanning))
}

/// The disposals waiting for a second office user: every office user but the one who
/// proposed each (`retention::check_decider`, the two-person rule), the oldest first.
async fn disposal_items<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    limit: u32,
) -> Result<Option<TodoGroup>> {
    let Some(me) = disposal_decider(actor) else {
        return Ok(None);
    };
    let (total, rows) = tx.waiting_disposals(me, limit).await?;
    let items = rows
        .into_iter()
        .map(|d| TodoItem {
            kind: TodoKind::DisposalDecide,
            object_id: Some(d.id),
            inspection_id: Some(d.inspection_id),
            title: format!(
                "{}的{}{}件保管期满，{}提请销毁",
                d.team_name, d.kind_label, d.records, d.proposed_by_name
            ),
            unit_name: None,
            since: Some(today(d.proposed_at)),
            due: None,
            colour: None,
        })
        .collect();
    Ok((total > 0).then_some(TodoGroup {
        kind: TodoKind::DisposalDecide,
        total,
        items,
    }))
}

/// The plan and report clocks running for the units the actor speaks for, each clock's the
/// earliest feedback (so the earliest deadline) first. A clock has no stored deadline: it
/// follows from the feedback date by the rule of the dispatcher's level and the calendar, read
/// once and only when rows are listed; the count is the database's.
async fn clock_items<T: ReadTx>(
    tx: &mut T,
    actor: &Actor,
    day: Date,
    limit: u32,
    warn_days: i32,
    inspections: &mut Vec<Inspection>,
) -> Result<Vec<TodoGroup>> {
    let units = speaks_for_units(actor);
    let mut groups = Vec::new();
    if units.is_empty() {
        return Ok(groups);
    }
    let mut reckoning = None;
    for clock in [Clock::PlanDue, Clock::ReportDue] {
        let kind = TodoKind::submits(clock);
        let f = ClockFilter {
            clock,
            scope: Visible::Some {
                inspections: Vec::new(),
                feedback_units: units.clone(),
                dispatchers: Vec::new(),
            },
            inspection_id: None,
            unit_id: None,
        };
        let mut total = tx.running_clock_count(&f, &[], &[]).await?.running;
        if total == 0 {
            continue;
        }
        let rows = if limit > 0 {
            tx.running_clocks(&f, limit).await?
        } else {
            Vec::new()
        };
        let mut items = Vec::new();
        if !rows.is_empty() {
            if reckoning.is_none() {
                reckoning = Some((tx.deadline_rules().await?, load_calendar(tx).await?));
            }
            let Some((rules, calendar)) = &reckoning else {
                continue;
            };
            load_missing(tx, inspections, rows.iter().map(|r| r.inspection_id)).await?;
            let what = match kind {
                TodoKind::PlanSubmit => "整改方案",
                _ => "整改情况报告",
            };
            for row in rows {
                let Some(insp) = known(inspections, row.inspection_id) else {
                    continue;
                };
                if !kind.may_act(actor, insp, Some(row.unit_id)) {
                    total -= 1;
                    continue;
                }
                let due = rule_for(rules, row.rule_owner, row.level, clock)
                    .and_then(|r| r.rule.due(row.feedback, calendar).ok());
                let provisional = if due.as_ref().is_some_and(|d| d.provisional.is_some()) {
                    "（期限暂定）"
                } else {
                    ""
                };
                items.push(TodoItem {
                    kind,
                    object_id: Some(row.unit_id),
                    inspection_id: Some(row.inspection_id),
                    title: format!("报送{}反馈意见的{what}{provisional}", row.team_name),
                    unit_name: Some(row.unit_name),
                    since: Some(row.feedback),
                    due: due.as_ref().map(|d| d.date),
                    colour: due.map(|d| colour(d.date, day, warn_days, false)),
                });
            }
        }
        if total > 0 {
            groups.push(TodoGroup { kind, total, items });
        }
    }
    Ok(groups)
}

/// From 1 November, next year's holiday arrangement is due: working days past the year's end
/// cannot be counted without it. It waits for whoever may enter it; this is the year, if the
/// actor is one and the day has come.
fn calendar_year_due(actor: &Actor, day: Date) -> Option<i16> {
    (actor.can(Permission::ManageReferenceData) && day.month() >= 11).then(|| day.year() + 1)
}

/// The to-do's item for next `year`'s missing holiday arrangement, due by the year's end.
fn calendar_item(year: i16, day: Date, warn_days: i32) -> TodoItem {
    let due = jiff::civil::date(day.year(), 12, 31);
    TodoItem {
        kind: TodoKind::CalendarMissing,
        object_id: None,
        inspection_id: None,
        title: format!("{year}年节假日安排尚未录入"),
        unit_name: None,
        since: Some(jiff::civil::date(day.year(), 11, 1)),
        due: Some(due),
        colour: Some(colour(due, day, warn_days, false)),
    }
}

/// The inspection of a waiting row, read once per listing: rows of one inspection share it.
/// Reads, at once, the inspections of `ids` not yet in `known`: the rows of a list are each
/// held to their inspection's rules, and a read per row would be a round trip per row.
async fn load_missing<T: ReadTx>(
    tx: &mut T,
    known: &mut Vec<Inspection>,
    ids: impl Iterator<Item = Id>,
) -> Result<()> {
    let mut missing: Vec<Id> = ids
        .filter(|id| !known.iter().any(|i| i.id == *id))
        .collect();
    missing.sort();
    missing.dedup();
    if !missing.is_empty() {
        known.extend(tx.get_inspections(&missing).await?);
    }
    Ok(())
}

fn known(inspections: &[Inspection], id: Id) -> Option<&Inspection> {
    inspections.iter().find(|i| i.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_read_from_times_and_dates() {
        assert_eq!(
            day_of("2026-11-30T17:00:00Z"),
            Some(jiff::civil::date(2026, 12, 1))
        );
        assert_eq!(day_of("2026-11-30"), Some(jiff::civil::date(2026, 11, 30)));
        assert_eq!(day_of(""), None);
    }
}
