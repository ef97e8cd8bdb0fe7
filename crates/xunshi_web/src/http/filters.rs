//! The filters of every list, one strict parser each, shared by the page and the API of the
//! list: the same query string is read into the same struct and checked by the same `filter`,
//! so a bad value is refused alike — 400 naming the parameter in the API, the page shown again
//! with the message (and no rows) — and never silently dropped.
//!
//! An empty value (`status=`, as a form's "全部" sends it) means "no filter"; anything else
//! must be a valid id, code or date.

use serde::Deserialize;
use utoipa::IntoParams;
use xunshi_core::clue::{ClockColour, ClueStatus, RecipientKind};
use xunshi_core::dashboard::DashboardFilter;
use xunshi_core::deadline::Colour;
use xunshi_core::disclosure::{DocKind, DocStatus};
use xunshi_core::inspection::Stage;
use xunshi_core::page::{Keyset, PageRequest, Sort, SortKey};
use xunshi_core::paper::ProblemStatus;
use xunshi_core::rectify::{Form, NoticeKind, PlanStatus, TaskStatus};
use xunshi_core::service::{
    AccountabilityQuery, ClueListFilter, FollowUpQuery, LedgerFilter, MechanismQuery,
};
use xunshi_core::store::{
    AccountabilitySortKey, AuditFilter, AuditSortKey, ClueSortKey, DocFilter, DocSortKey,
    FollowUpSortKey, InspectionFilter, InspectionSortKey, InspectorFilter, InspectorSortKey,
    MechanismSortKey, MessageFilter, MessageSortKey, PlanFilter, ProblemFilter, ProblemSortKey,
    TaskSortKey, TransferFilter, UnitFilter, UnitSortKey, UserFilter, UserSortKey,
};
use xunshi_core::{CoreError, Id, Result};

/// The value of a parameter that was given and is not blank.
pub fn given(raw: &Option<String>) -> Option<&str> {
    raw.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// An id parameter: blank is none, anything else must be an id.
pub fn opt_id(raw: &Option<String>, field: &str) -> Result<Option<Id>> {
    given(raw)
        .map(|s| {
            s.parse()
                .map_err(|_| CoreError::bad_input(field, format!("“{s}”不是有效的编号")))
        })
        .transpose()
}

/// A coded parameter (a status, a colour): blank is none, anything else must be one of the
/// codes; the refusal names the parameter as the client spelled it.
pub fn opt_code<T>(
    raw: &Option<String>,
    field: &str,
    parse: impl Fn(&str) -> Result<T>,
) -> Result<Option<T>> {
    given(raw)
        .map(|s| {
            parse(s).map_err(|e| match e {
                CoreError::BadInput(mut fs) => {
                    for f in &mut fs {
                        f.field = field.to_owned();
                    }
                    CoreError::BadInput(fs)
                }
                other => other,
            })
        })
        .transpose()
}

/// A yes/no parameter: `true`/`false` (also `1`/`0`, `yes`/`no`).
pub fn opt_flag(raw: &Option<String>, field: &str) -> Result<Option<bool>> {
    opt_code(raw, field, |s| match s {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        other => Err(CoreError::bad_input(
            field,
            format!("“{other}”无效，应为 true 或 false"),
        )),
    })
}

/// A search text: blank is none.
fn opt_text(raw: &Option<String>) -> Option<String> {
    given(raw).map(str::to_owned)
}

/// The longest text a sorted list is searched for; a longer one is refused, not cut.
pub const SEARCH_TEXT_MAX: usize = 100;

/// A sorted list's text filter (`q`): blank is none, over [`SEARCH_TEXT_MAX`] characters is
/// refused as the ledger's is.
pub fn search_text(raw: &Option<String>) -> Result<Option<String>> {
    match given(raw) {
        Some(q) if q.chars().count() > SEARCH_TEXT_MAX => Err(CoreError::bad_input(
            "q",
            format!("检索内容不能超过{SEARCH_TEXT_MAX}个字"),
        )),
        other => Ok(other.map(str::to_owned)),
    }
}

/// The page of a list from its `cursor` and `limit`.
pub fn paging(cursor: &Option<String>, limit: Option<u32>) -> Result<PageRequest> {
    PageRequest::parse(given(cursor), limit)
}

/// Filter parameters as a query string, a blank one as empty, for a page's links.
fn encoded(pairs: &[(&str, &Option<String>)]) -> String {
    let pairs: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (*k, given(v).unwrap_or_default()))
        .collect();
    serde_urlencoded::to_string(pairs).unwrap_or_default()
}

/// A sorted list's order, the cursor read under it, and the page size.
pub type Sorting<K> = (Sort<K>, Option<Keyset>, u32);

/// The order, the cursor read under it, and the page size of a sorted list, from its `sort`,
/// `cursor` and `limit`: one reading for every sorted list, page and API alike.
pub fn sorting<K: SortKey>(
    sort: &Option<String>,
    cursor: &Option<String>,
    limit: Option<u32>,
) -> Result<Sorting<K>> {
    let sort = Sort::<K>::parse(given(sort).unwrap_or_default())?;
    let page = paging(&None, limit)?;
    let at = given(cursor).map(|c| sort.cursor(c)).transpose()?;
    Ok((sort, at, page.limit))
}

/// `GET /units`, `/units`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only the units directly below this one.
    pub parent_id: Option<String>,
    /// Part of the name (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Include withdrawn units (default false).
    #[serde(default)]
    pub include_withdrawn: bool,
    /// The order: `seq` (as created, the default), `name`, `kind`, `level` or `status` (in
    /// force before withdrawn); `-` before it for descending, as `-name`. Every order pages by
    /// cursor; a cursor holds its order and is refused under another (422).
    #[param(pattern = "^-?(seq|name|kind|level|status)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl UnitQuery {
    pub fn filter(&self) -> Result<UnitFilter> {
        Ok(UnitFilter {
            parent_id: opt_id(&self.parent_id, "parent_id")?,
            q: search_text(&self.q)?,
            include_withdrawn: self.include_withdrawn,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<UnitSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        // A flag, not a filter with a blank "all": carried only when set.
        let filters = encoded(&[("parent_id", &self.parent_id), ("q", &self.q)]);
        if self.include_withdrawn {
            format!("{filters}&include_withdrawn=true")
        } else {
            filters
        }
    }
}

/// `GET /users`, `/users`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    pub unit_id: Option<String>,
    /// Part of the username or the name (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (as created, the default), `username`, `name`, `unit` (each unit's
    /// accounts together) or `status` (in use before disabled); `-` before it for descending,
    /// as `-name`. Every order pages by cursor; a cursor holds its order and is refused under
    /// another (422).
    #[param(pattern = "^-?(seq|username|name|unit|status)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl UserQuery {
    pub fn filter(&self) -> Result<UserFilter> {
        Ok(UserFilter {
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            q: search_text(&self.q)?,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<UserSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[("unit_id", &self.unit_id), ("q", &self.q)])
    }
}

/// `GET /audit`, `/system/audit`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The acting user's username.
    pub actor: Option<String>,
    /// The action code, such as `unit_created`.
    pub action: Option<String>,
    /// The kind of object, such as `unit` or `user`.
    pub object_type: Option<String>,
    pub object_id: Option<String>,
    /// From this time on (RFC 3339, or a date `YYYY-MM-DD` read in China time).
    pub from: Option<String>,
    /// Before this time (RFC 3339, or a date, meaning the end of that day).
    pub to: Option<String>,
    /// The order: `-seq` (newest first, the default), `seq` (oldest first), `actor` (the
    /// acting account's log-in name), `action` or `object_type`, each key's records in
    /// sequence order the same way; `-` before it for descending. Every order pages by cursor;
    /// a cursor holds its order and is refused under another (422).
    #[param(pattern = "^-?(seq|actor|action|object_type)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl AuditQuery {
    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<AuditSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("actor", &self.actor),
            ("action", &self.action),
            ("object_type", &self.object_type),
            ("object_id", &self.object_id),
            ("from", &self.from),
            ("to", &self.to),
        ])
    }

    pub fn filter(&self) -> Result<AuditFilter> {
        Ok(AuditFilter {
            actor_name: opt_text(&self.actor),
            action: opt_text(&self.action),
            object_type: opt_text(&self.object_type),
            object_id: opt_text(&self.object_id),
            from: time_bound(given(&self.from), "from", false)?,
            to: time_bound(given(&self.to), "to", true)?,
        })
    }
}

/// Reads a bound as a timestamp or as a calendar day in Asia/Shanghai; an upper bound given as
/// a day means the end of that day.
fn time_bound(v: Option<&str>, field: &str, end_of_day: bool) -> Result<Option<String>> {
    let Some(v) = v else {
        return Ok(None);
    };
    if let Ok(t) = v.parse::<jiff::Timestamp>() {
        return Ok(Some(xunshi_core::audit::format_at(t)));
    }
    let day: jiff::civil::Date = v
        .parse()
        .map_err(|_| CoreError::bad_input(field, "时间格式应为 2020-03-25 或 RFC 3339"))?;
    let day = if end_of_day {
        day.tomorrow().map_err(CoreError::internal)?
    } else {
        day
    };
    let t = day
        .in_tz("Asia/Shanghai")
        .map_err(CoreError::internal)?
        .timestamp();
    Ok(Some(xunshi_core::audit::format_at(t)))
}

/// `GET /inspections`, `/inspections`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    pub term_id: Option<String>,
    pub round_id: Option<String>,
    /// Inspections with this unit among their targets.
    pub unit_id: Option<String>,
    /// Inspections this committee sends.
    pub dispatcher_id: Option<String>,
    /// planning, preparation, on_site, reporting, feedback_given, rectification, archived
    #[param(value_type = Option<xunshi_core::inspection::Stage>)]
    pub stage: Option<String>,
    /// Part of the team's name or of an inspected unit's name (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (as entered, the default), `round`, `team`, `kind`, `entry` (the day
    /// of entry, or the planned day; none last), `feedback` (none last) or `stage`; `-`
    /// before it for descending, as `-entry`. Every order pages by cursor; a cursor holds its
    /// order and is refused under another (422).
    #[param(pattern = "^-?(seq|round|team|kind|entry|feedback|stage)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl InspectionQuery {
    pub fn filter(&self) -> Result<InspectionFilter> {
        Ok(InspectionFilter {
            term_id: opt_id(&self.term_id, "term_id")?,
            round_id: opt_id(&self.round_id, "round_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            dispatcher_id: opt_id(&self.dispatcher_id, "dispatcher_id")?,
            stage: opt_code(&self.stage, "stage", Stage::parse)?,
            q: search_text(&self.q)?,
            ..Default::default()
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<InspectionSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("term_id", &self.term_id),
            ("round_id", &self.round_id),
            ("unit_id", &self.unit_id),
            ("dispatcher_id", &self.dispatcher_id),
            ("stage", &self.stage),
            ("q", &self.q),
        ])
    }
}

/// `GET /clues`, `/clues`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClueQuery {
    /// Only the clues of this inspection.
    pub inspection_id: Option<String>,
    /// registered, transferred or disposed.
    #[param(value_type = Option<xunshi_core::clue::ClueStatus>)]
    pub status: Option<String>,
    /// Clues transferred to discipline, organization or department.
    #[param(value_type = Option<xunshi_core::clue::RecipientKind>)]
    pub recipient: Option<String>,
    /// The handling clock: green, yellow, red or done.
    #[param(value_type = Option<xunshi_core::clue::ClockColour>)]
    pub colour: Option<String>,
    /// Part of the name or post of whom the clue is about (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (as registered, the default), `about` (whom the clue is about),
    /// `kind`, `transfer` (letter by letter, in the order the transfers were made, so the
    /// clues sharing a deadline together; those not yet sent first) or `status`; `-` before
    /// it for descending, as `-about`. Every order pages by cursor; a cursor holds its order
    /// and is refused under another (422).
    #[param(pattern = "^-?(seq|about|kind|transfer|due|status)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl ClueQuery {
    pub fn filter(&self) -> Result<ClueListFilter> {
        Ok(ClueListFilter {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            status: opt_code(&self.status, "status", ClueStatus::parse)?,
            recipient: opt_code(&self.recipient, "recipient", RecipientKind::parse)?,
            colour: opt_code(&self.colour, "colour", ClockColour::parse)?,
            q: search_text(&self.q)?,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<ClueSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("inspection_id", &self.inspection_id),
            ("status", &self.status),
            ("recipient", &self.recipient),
            ("colour", &self.colour),
            ("q", &self.q),
        ])
    }
}

/// `GET /messages`, `/messages`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageQuery {
    /// Only the unread messages (true or false; default false).
    #[param(value_type = Option<bool>)]
    pub unread: Option<String>,
    /// Part of the title or the text (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `-seq` (newest first, the default), `seq` (oldest first), `kind` or
    /// `title`; `-` before it for descending. Every order pages by cursor; a cursor holds its
    /// order and is refused under another (422).
    #[param(pattern = "^-?(seq|kind|title)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl MessageQuery {
    /// Whether only the unread are asked for.
    pub fn unread_only(&self) -> Result<bool> {
        Ok(opt_flag(&self.unread, "unread")?.unwrap_or(false))
    }

    pub fn filter(&self) -> Result<MessageFilter> {
        Ok(MessageFilter {
            unread_only: self.unread_only()?,
            q: search_text(&self.q)?,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<MessageSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[("unread", &self.unread), ("q", &self.q)])
    }
}

/// `GET /transfers`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TransferQuery {
    pub inspection_id: Option<String>,
    /// discipline, organization or department.
    #[param(value_type = Option<xunshi_core::clue::RecipientKind>)]
    pub recipient: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl TransferQuery {
    pub fn filter(&self) -> Result<TransferFilter> {
        Ok(TransferFilter {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            recipient: opt_code(&self.recipient, "recipient", RecipientKind::parse)?,
        })
    }
}

/// `GET /inspections/{id}/problems`, `/inspections/{id}/papers`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    /// Only this category (its id).
    pub category_id: Option<String>,
    /// Only this status: draft, approved, signed, withdrawn.
    #[param(value_type = Option<xunshi_core::paper::ProblemStatus>)]
    pub status: Option<String>,
    /// Part of the problem's title (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (by number, the default), `title`, `category` (each category's papers
    /// together), `severity` (the least grave first), `status` or `updated` (the last change);
    /// `-` before it for descending. Every order pages by cursor; a cursor holds its order and
    /// is refused under another (422).
    #[param(pattern = "^-?(seq|title|category|severity|status|updated)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl ProblemQuery {
    pub fn filter(&self) -> Result<ProblemFilter> {
        Ok(ProblemFilter {
            category_id: opt_id(&self.category_id, "category_id")?,
            status: opt_code(&self.status, "status", ProblemStatus::parse)?,
            q: search_text(&self.q)?,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<ProblemSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("category_id", &self.category_id),
            ("status", &self.status),
            ("q", &self.q),
        ])
    }
}

/// `GET /inspectors`, `/personnel`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InspectorQuery {
    /// Part of the name, the post or the specialty (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// Only those whose current unit is this one.
    pub unit_id: Option<String>,
    /// Include those taken out of the pool (default false).
    #[serde(default)]
    pub include_withdrawn: bool,
    /// The order: `seq` (as entered, the default), `name`, `unit` (each unit's people
    /// together), `post`, `specialty` or `status` (in the pool before taken out); `-` before
    /// it for descending. Every order pages by cursor; a cursor holds its order and is refused
    /// under another (422).
    #[param(pattern = "^-?(seq|name|unit|post|specialty|status)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl InspectorQuery {
    pub fn filter(&self) -> Result<InspectorFilter> {
        Ok(InspectorFilter {
            q: search_text(&self.q)?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            include_withdrawn: self.include_withdrawn,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<InspectorSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        // A flag, not a filter with a blank "all": carried only when set.
        let filters = encoded(&[("q", &self.q), ("unit_id", &self.unit_id)]);
        if self.include_withdrawn {
            format!("{filters}&include_withdrawn=true")
        } else {
            filters
        }
    }
}

/// `GET /rectification-plans`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlanQuery {
    pub inspection_id: Option<String>,
    pub unit_id: Option<String>,
    /// draft, submitted, returned or approved.
    #[param(value_type = Option<xunshi_core::rectify::PlanStatus>)]
    pub status: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl PlanQuery {
    pub fn filter(&self) -> Result<PlanFilter> {
        Ok(PlanFilter {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            status: opt_code(&self.status, "status", PlanStatus::parse)?,
            scope: None,
        })
    }
}

/// The ledger's filters: `GET /tasks`, `GET /tasks.xlsx`, `/rectification/tasks` and its
/// `.xlsx`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    pub unit_id: Option<String>,
    /// A unit by its exact name (or id), for those who see every unit.
    pub unit: Option<String>,
    pub inspection_id: Option<String>,
    /// The tasks of the inspections this committee sends (the figures by level open these).
    pub dispatcher_id: Option<String>,
    pub plan_id: Option<String>,
    /// not_started, in_progress, claimed or closed.
    #[param(value_type = Option<xunshi_core::rectify::TaskStatus>)]
    pub status: Option<String>,
    /// The deadline colour: green, yellow (due within the warning period), red (overdue and not
    /// closed) or closed_late (closed after the deadline, 逾期完成).
    #[param(value_type = Option<xunshi_core::deadline::Colour>)]
    pub colour: Option<String>,
    /// The heading of the taxonomy the task's problem is under.
    pub category_id: Option<String>,
    /// `true` (or `1`): only tasks whose claim was rejected at least once.
    #[param(value_type = Option<bool>)]
    pub rejected: Option<String>,
    /// Text the task's measure, target, responsible leader or person, lead department, 序号 or
    /// its problem's title contains (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (the ledger's order, the default), `unit`, `due` (deadline; long-term
    /// tasks last), `status`, `progress` or `updated`; `-` before it for descending, as
    /// `-due`. Every order pages by cursor; a cursor holds its order and is refused under
    /// another. Lists only; the workbook and the print view keep the ledger's order.
    #[param(pattern = "^-?(seq|unit|due|status|progress|updated)$")]
    pub sort: Option<String>,
    /// Lists only: the page's number as the pages count it, shown beside the total (kept
    /// between 1 and the page count); the cursor, not this number, says where the page is.
    pub page: Option<u32>,
    /// Lists only; the workbook has every row.
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

/// The page sizes the sorted lists offer; any size up to the API's maximum is read.
pub const PAGE_SIZES: [u32; 3] = [20, 50, 100];

impl LedgerQuery {
    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<TaskSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    pub fn filter(&self) -> Result<LedgerFilter> {
        Ok(LedgerFilter {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            dispatcher_id: opt_id(&self.dispatcher_id, "dispatcher_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            plan_id: opt_id(&self.plan_id, "plan_id")?,
            status: opt_code(&self.status, "status", TaskStatus::parse)?,
            colour: opt_code(&self.colour, "colour", Colour::parse)?,
            category_id: opt_id(&self.category_id, "category_id")?,
            rejected: opt_flag(&self.rejected, "rejected")?.unwrap_or(false),
            unit_name: opt_text(&self.unit),
            q: opt_text(&self.q),
        })
    }

    /// Whether any filter is set, for "清除条件".
    pub fn is_filtered(&self) -> bool {
        [
            &self.unit_id,
            &self.unit,
            &self.inspection_id,
            &self.dispatcher_id,
            &self.plan_id,
            &self.status,
            &self.colour,
            &self.category_id,
            &self.rejected,
            &self.q,
        ]
        .iter()
        .any(|v| given(v).is_some())
    }
}

/// `GET /rectification-reports`, `GET /progress-notices`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocQuery {
    pub inspection_id: Option<String>,
    pub unit_id: Option<String>,
    /// Reports only: rectification or principal_report.
    #[param(value_type = Option<xunshi_core::disclosure::DocKind>)]
    pub kind: Option<String>,
    /// draft, submitted, returned, published, needs_review, superseded, withdrawn.
    #[param(value_type = Option<xunshi_core::disclosure::DocStatus>)]
    pub status: Option<String>,
    /// Part of the title (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (as drafted, the default), `title`, `kind`, `unit` (each unit's
    /// documents together), `status`, `submitted` (the day it reached the office) or
    /// `published` (the day published), those without the day last; `-` before it for
    /// descending. Every order pages by cursor; a cursor holds its order and is refused under
    /// another (422).
    #[param(pattern = "^-?(seq|title|kind|unit|status|submitted|published)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl DocQuery {
    /// The filter over the documents of `kinds`; a `kind` outside them is refused.
    pub fn filter(&self, kinds: &[DocKind]) -> Result<DocFilter> {
        let kinds = match opt_code(&self.kind, "kind", DocKind::parse)? {
            None => kinds.to_vec(),
            Some(k) if kinds.contains(&k) => vec![k],
            Some(_) => return Err(CoreError::bad_input("kind", "此处不能查询该类型")),
        };
        Ok(DocFilter {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            kinds,
            status: opt_code(&self.status, "status", DocStatus::parse)?,
            q: search_text(&self.q)?,
            ..Default::default()
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<DocSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }
}

/// `GET /public/notices`, `/public/notices`: only a page.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicNoticeQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl PublicNoticeQuery {
    pub fn page(&self) -> Result<PageRequest> {
        paging(&self.cursor, self.limit)
    }
}

/// `GET /dashboard`, `/dashboard`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// Only this inspection.
    pub inspection_id: Option<String>,
    /// Only this inspected unit (an inspected unit's users may name only their own).
    pub unit_id: Option<String>,
    /// A unit by its exact name (or id), for those who see every unit; pages resolve it.
    pub unit: Option<String>,
}

impl DashboardQuery {
    /// The unit named by its name, if any.
    pub fn unit_name(&self) -> Option<&str> {
        given(&self.unit)
    }

    pub fn filter(&self) -> Result<DashboardFilter> {
        Ok(DashboardFilter {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
        })
    }
}

/// `GET /followups`, `/supervision/followups`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpParams {
    pub inspection_id: Option<String>,
    pub unit_id: Option<String>,
    pub task_id: Option<String>,
    /// reminder, warning, formal or referral.
    #[param(value_type = Option<xunshi_core::rectify::NoticeKind>)]
    pub kind: Option<String>,
    /// true: answered; false: awaiting the unit's answer.
    #[param(value_type = Option<bool>)]
    pub answered: Option<String>,
    /// Part of the document number or the text (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (in order of issue, the default), `issued` (day issued), `due` (answer
    /// deadline; those without one last), `kind`, `unit` (each unit's notices together) or
    /// `doc_no`; `-` before it for descending. Every order pages by cursor; a cursor holds its
    /// order and is refused under another (422).
    #[param(pattern = "^-?(seq|issued|due|kind|unit|doc_no)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl FollowUpParams {
    pub fn filter(&self) -> Result<FollowUpQuery> {
        Ok(FollowUpQuery {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            task_id: opt_id(&self.task_id, "task_id")?,
            kind: opt_code(&self.kind, "kind", NoticeKind::parse)?,
            answered: opt_flag(&self.answered, "answered")?,
            q: search_text(&self.q)?,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<FollowUpSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("inspection_id", &self.inspection_id),
            ("unit_id", &self.unit_id),
            ("task_id", &self.task_id),
            ("kind", &self.kind),
            ("answered", &self.answered),
            ("q", &self.q),
        ])
    }
}

/// `GET /accountability`, `/supervision/accountability`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountabilityParams {
    pub inspection_id: Option<String>,
    pub unit_id: Option<String>,
    pub task_id: Option<String>,
    /// first, second, third or fourth.
    #[param(value_type = Option<xunshi_core::rectify::Form>)]
    pub form: Option<String>,
    /// Part of the name or post of whom it holds to account (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (as recorded, the default), `person`, `form`, `decided` (the day
    /// decided) or `unit` (each unit's records together); `-` before it for descending. Every
    /// order pages by cursor; a cursor holds its order and is refused under another (422).
    #[param(pattern = "^-?(seq|person|form|decided|unit)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl AccountabilityParams {
    pub fn filter(&self) -> Result<AccountabilityQuery> {
        Ok(AccountabilityQuery {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            task_id: opt_id(&self.task_id, "task_id")?,
            form: opt_code(&self.form, "form", Form::parse)?,
            q: search_text(&self.q)?,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<AccountabilitySortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("inspection_id", &self.inspection_id),
            ("unit_id", &self.unit_id),
            ("task_id", &self.task_id),
            ("form", &self.form),
            ("q", &self.q),
        ])
    }
}

/// `GET /mechanisms`, `/supervision/mechanisms`.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MechanismParams {
    pub inspection_id: Option<String>,
    pub unit_id: Option<String>,
    /// Mechanisms that came from this task.
    pub task_id: Option<String>,
    /// Part of the rule's title or document number (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    /// The order: `seq` (as recorded, the default), `title`, `kind` (revised before
    /// established), `doc_no`, `issued` (the day issued) or `unit` (each unit's rules
    /// together); `-` before it for descending. Every order pages by cursor; a cursor holds its
    /// order and is refused under another (422).
    #[param(pattern = "^-?(seq|title|kind|doc_no|issued|unit)$")]
    pub sort: Option<String>,
    /// Pages only: the page's number as the pages count it, shown beside the total; the
    /// cursor, not this number, says where the page is.
    pub page: Option<u32>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl MechanismParams {
    pub fn filter(&self) -> Result<MechanismQuery> {
        Ok(MechanismQuery {
            inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
            unit_id: opt_id(&self.unit_id, "unit_id")?,
            task_id: opt_id(&self.task_id, "task_id")?,
            q: search_text(&self.q)?,
        })
    }

    /// The order, the cursor read under it, and the page size.
    pub fn sorted(&self) -> Result<Sorting<MechanismSortKey>> {
        sorting(&self.sort, &self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("inspection_id", &self.inspection_id),
            ("unit_id", &self.unit_id),
            ("task_id", &self.task_id),
            ("q", &self.q),
        ])
    }
}

/// `GET /terms/…`, `/planning/coverage`: the term a view is about.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TermQuery {
    pub term_id: Option<String>,
}

impl TermQuery {
    pub fn term_id(&self) -> Result<Option<Id>> {
        opt_id(&self.term_id, "term_id")
    }
}

/// `/planning/coverage`: the term, and whether to list only the units not yet covered (the
/// list behind the leadership view's number of them).
#[derive(Debug, Default, Deserialize)]
pub struct CoverageQuery {
    pub term_id: Option<String>,
    pub uncovered: Option<String>,
}

impl CoverageQuery {
    pub fn term_id(&self) -> Result<Option<Id>> {
        opt_id(&self.term_id, "term_id")
    }

    pub fn uncovered(&self) -> Result<bool> {
        Ok(opt_flag(&self.uncovered, "uncovered")?.unwrap_or(false))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: CoreError) -> String {
        match e {
            CoreError::BadInput(f) => f[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn blank_means_no_filter_and_bad_values_name_the_parameter() {
        let q = LedgerQuery {
            status: Some(" ".into()),
            colour: Some(String::new()),
            ..Default::default()
        };
        let f = q.filter().unwrap();
        assert!(f.status.is_none() && f.colour.is_none());
        for (q, name) in [
            (
                LedgerQuery {
                    unit_id: Some("nope".into()),
                    ..Default::default()
                },
                "unit_id",
            ),
            (
                LedgerQuery {
                    status: Some("done-ish".into()),
                    ..Default::default()
                },
                "status",
            ),
            (
                LedgerQuery {
                    colour: Some("purple".into()),
                    ..Default::default()
                },
                "colour",
            ),
            (
                LedgerQuery {
                    category_id: Some("1".into()),
                    ..Default::default()
                },
                "category_id",
            ),
        ] {
            assert_eq!(field(q.filter().unwrap_err()), name);
        }
        let fu = FollowUpParams {
            answered: Some("maybe".into()),
            ..Default::default()
        };
        assert_eq!(field(fu.filter().unwrap_err()), "answered");
        let d = DocQuery {
            kind: Some("public_notice".into()),
            ..Default::default()
        };
        assert_eq!(
            field(d.filter(&[DocKind::Rectification]).unwrap_err()),
            "kind"
        );
    }
}

/// `GET /inspections/{id}/letters`, `/inspections/{id}/fieldwork/letters`: the team's register,
/// newest first.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterQuery {
    /// letter, call, visit, online or email.
    #[param(value_type = Option<xunshi_core::fieldwork::Channel>)]
    pub channel: Option<String>,
    /// received, handling or closed.
    #[param(value_type = Option<xunshi_core::fieldwork::LetterStatus>)]
    pub status: Option<String>,
    /// pending, in_scope or passed_on.
    #[param(value_type = Option<xunshi_core::fieldwork::LetterScope>)]
    pub scope: Option<String>,
    /// Part of the content or of whom it is about (at most 100 characters).
    #[param(max_length = 100)]
    pub q: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl LetterQuery {
    pub fn filter(&self) -> Result<xunshi_core::store::LetterFilter> {
        use xunshi_core::fieldwork::{Channel, LetterScope, LetterStatus};
        Ok(xunshi_core::store::LetterFilter {
            channel: opt_code(&self.channel, "channel", Channel::parse)?,
            status: opt_code(&self.status, "status", LetterStatus::parse)?,
            scope: opt_code(&self.scope, "scope", LetterScope::parse)?,
            q: search_text(&self.q)?,
        })
    }

    pub fn page(&self) -> Result<PageRequest> {
        paging(&self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("channel", &self.channel),
            ("status", &self.status),
            ("scope", &self.scope),
            ("q", &self.q),
        ])
    }
}

/// The lists of talks, document requests and other records: newest first, a page at a time.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl PageQuery {
    pub fn page(&self) -> Result<PageRequest> {
        paging(&self.cursor, self.limit)
    }
}

/// How many hits a search page shows unless `limit` says otherwise.
pub const SEARCH_LIMIT_DEFAULT: u32 = 20;

/// `GET /search`, `/api/v1/search`: full-text search.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FullTextQuery {
    /// The words to find, in Chinese or otherwise (at most 200 characters).
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Only records of these kinds, comma-separated: problem, report, feedback, task,
    /// progress, clue, letter, doc_request, field_record, rect_report, notice, unit.
    pub kind: Option<String>,
    /// Only records of this unit (a task's, a paper's target, a clue's subject's; feedback
    /// given to it).
    pub unit_id: Option<String>,
    /// Only records of the unit of this exact name (or id), as `unit_id`; a name no unit has
    /// is refused (422).
    #[param(max_length = 100)]
    pub unit: Option<String>,
    /// Only records of this inspection.
    pub inspection_id: Option<String>,
    /// Only records of this round's inspections.
    pub round_id: Option<String>,
    /// Only records of inspections of this year's rounds.
    pub year: Option<String>,
    /// Only records in this status, as their own lists name it (such as `in_progress` for a
    /// task, `signed` for a paper).
    #[param(pattern = "^[a-z_]{1,40}$")]
    pub status: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// How many hits (1 to 50, default 20).
    #[param(minimum = 1, maximum = 50)]
    pub limit: Option<u32>,
}

impl FullTextQuery {
    /// The search as the core takes it; blank words are refused by the core.
    pub fn request(&self) -> Result<xunshi_core::service::SearchRequest> {
        use xunshi_core::search::{DocKind as FoundKind, SearchFilter};
        let limit = self.limit.unwrap_or(SEARCH_LIMIT_DEFAULT);
        if limit == 0 || limit as usize > xunshi_core::service::SEARCH_LIMIT_MAX {
            return Err(CoreError::bad_input(
                "limit",
                format!(
                    "每页条数应在 1 到 {} 之间",
                    xunshi_core::service::SEARCH_LIMIT_MAX
                ),
            ));
        }
        let kinds = match given(&self.kind) {
            None => Vec::new(),
            Some(k) => k
                .split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(FoundKind::parse)
                .collect::<Result<Vec<_>>>()?,
        };
        let year = given(&self.year)
            .map(|y| match y.parse::<i32>() {
                Ok(n) if (1949..=2100).contains(&n) => Ok(n),
                _ => Err(CoreError::bad_input("year", format!("“{y}”不是有效的年度"))),
            })
            .transpose()?;
        let status = given(&self.status)
            .map(|s| {
                if s.len() <= 40 && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
                    Ok(s.to_owned())
                } else {
                    Err(CoreError::bad_input(
                        "status",
                        format!("“{s}”不是有效的状态代码"),
                    ))
                }
            })
            .transpose()?;
        Ok(xunshi_core::service::SearchRequest {
            text: given(&self.q).unwrap_or_default().to_owned(),
            filter: SearchFilter {
                kinds,
                unit_id: opt_id(&self.unit_id, "unit_id")?,
                inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
                round_id: opt_id(&self.round_id, "round_id")?,
                year,
                status,
            },
            unit_name: given(&self.unit).map(str::to_owned),
            cursor: given(&self.cursor).map(str::to_owned),
            limit: limit as usize,
        })
    }

    /// The words and filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("q", &self.q),
            ("kind", &self.kind),
            ("unit_id", &self.unit_id),
            ("unit", &self.unit),
            ("inspection_id", &self.inspection_id),
            ("round_id", &self.round_id),
            ("year", &self.year),
            ("status", &self.status),
        ])
    }
}

/// `/api/v1/patterns/rounds/{id}/clusters`, `/api/v1/patterns/clusters/{id}`, and the pages
/// of a round's clusters and of one cluster: a page of a report of recurring problems.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PatternPageQuery {
    /// The `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{1,9}$")]
    pub cursor: Option<String>,
    /// How many rows (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl PatternPageQuery {
    pub fn request(&self) -> Result<xunshi_core::page::OffsetRequest> {
        xunshi_core::service::pattern_page(given(&self.cursor), self.limit)
    }
}

/// `GET /patterns`: the term or the round whose clusters are shown (the latest round when
/// neither is given), and the page.
#[derive(Debug, Default, Deserialize)]
pub struct RoundPatternsQuery {
    pub round_id: Option<String>,
    pub term_id: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<u32>,
}

impl RoundPatternsQuery {
    /// The scope asked for (a term before a round), and the page.
    pub fn request(
        &self,
    ) -> Result<(
        Option<xunshi_core::store::patterns::ClusterScope>,
        xunshi_core::page::OffsetRequest,
    )> {
        use xunshi_core::store::patterns::ClusterScope;
        let term = opt_id(&self.term_id, "term_id")?.map(ClusterScope::Term);
        let round = opt_id(&self.round_id, "round_id")?.map(ClusterScope::Round);
        Ok((
            term.or(round),
            xunshi_core::service::pattern_page(given(&self.cursor), self.limit)?,
        ))
    }
}

/// `GET /patterns/recurrences`, `/api/v1/patterns/recurrences`: the problems found again after
/// their task was closed (整改不到位).
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecurrenceListQuery {
    /// Only the problems this inspection found again.
    pub inspection_id: Option<String>,
    /// Only this unit's problems.
    pub unit_id: Option<String>,
    /// The `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{1,9}$")]
    pub cursor: Option<String>,
    /// How many rows (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl RecurrenceListQuery {
    pub fn request(
        &self,
    ) -> Result<(
        xunshi_core::service::RecurrenceQuery,
        xunshi_core::page::OffsetRequest,
    )> {
        Ok((
            xunshi_core::service::RecurrenceQuery {
                inspection_id: opt_id(&self.inspection_id, "inspection_id")?,
                unit_id: opt_id(&self.unit_id, "unit_id")?,
            },
            xunshi_core::service::pattern_page(given(&self.cursor), self.limit)?,
        ))
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("inspection_id", &self.inspection_id),
            ("unit_id", &self.unit_id),
        ])
    }
}

/// `GET /patterns/problems`, `/api/v1/patterns/problems`: a round's problems under one heading,
/// the list behind a count of the trends.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundProblemQuery {
    /// The round.
    pub round_id: Option<String>,
    /// The heading (problem category).
    pub category_id: Option<String>,
    /// The `next_cursor` of the page before.
    #[param(pattern = "^[0-9]{1,9}$")]
    pub cursor: Option<String>,
    /// How many rows (1 to 200, default 50).
    #[param(minimum = 1, maximum = 200)]
    pub limit: Option<u32>,
}

impl RoundProblemQuery {
    /// The round, the heading and the page; both ids are required.
    pub fn request(&self) -> Result<(Id, Id, xunshi_core::page::OffsetRequest)> {
        let required = |raw: &Option<String>, field: &str, what: &str| {
            opt_id(raw, field)?.ok_or_else(|| CoreError::bad_input(field, format!("请指定{what}")))
        };
        Ok((
            required(&self.round_id, "round_id", "巡视轮次")?,
            required(&self.category_id, "category_id", "问题类别")?,
            xunshi_core::service::pattern_page(given(&self.cursor), self.limit)?,
        ))
    }
}

/// `GET /retention/due` and the page's list of what is past its period: a page by cursor.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DueQuery {
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// How many inspections (1 to 500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl DueQuery {
    pub fn request(&self) -> Result<PageRequest> {
        PageRequest::parse(given(&self.cursor), self.limit)
    }
}

/// `GET /disposals` and the page's list of disposals.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisposalQuery {
    /// `proposed` (waiting for a second office user), `done` or `rejected`.
    #[param(pattern = "^(proposed|done|rejected)$")]
    pub status: Option<String>,
    /// Only the disposals of this inspection.
    pub inspection_id: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// How many disposals (1 to 500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl DisposalQuery {
    pub fn request(
        &self,
    ) -> Result<(
        Option<xunshi_core::retention::DisposalStatus>,
        Option<Id>,
        PageRequest,
    )> {
        Ok((
            given(&self.status)
                .map(xunshi_core::retention::DisposalStatus::parse)
                .transpose()?,
            opt_id(&self.inspection_id, "inspection_id")?,
            PageRequest::parse(given(&self.cursor), self.limit)?,
        ))
    }
}

/// `GET /filings` (API and page): the filings (报备) the caller reads.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FilingParams {
    /// Filed by this committee.
    pub committee_id: Option<String>,
    /// Filed with this committee.
    pub upper_id: Option<String>,
    /// plan, round or report.
    #[param(value_type = Option<xunshi_core::filing::FilingKind>)]
    pub kind: Option<String>,
    /// filed (waiting for the upper office), acknowledged or commented.
    #[param(value_type = Option<xunshi_core::filing::FilingStatus>)]
    pub status: Option<String>,
    /// The filings of one plan, round or report.
    pub subject_id: Option<String>,
    /// The `next_cursor` of the page before.
    pub cursor: Option<String>,
    /// How many filings (1 to 500, default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl FilingParams {
    pub fn filter(&self) -> Result<xunshi_core::service::FilingQuery> {
        use xunshi_core::filing::{FilingKind, FilingStatus};
        Ok(xunshi_core::service::FilingQuery {
            committee_id: opt_id(&self.committee_id, "committee_id")?,
            upper_id: opt_id(&self.upper_id, "upper_id")?,
            kind: opt_code(&self.kind, "kind", FilingKind::parse)?,
            status: opt_code(&self.status, "status", FilingStatus::parse)?,
            subject_id: opt_id(&self.subject_id, "subject_id")?,
        })
    }

    pub fn page(&self) -> Result<PageRequest> {
        paging(&self.cursor, self.limit)
    }

    /// The filters alone, as the page's links carry them.
    pub fn query(&self) -> String {
        encoded(&[
            ("committee_id", &self.committee_id),
            ("upper_id", &self.upper_id),
            ("kind", &self.kind),
            ("status", &self.status),
            ("subject_id", &self.subject_id),
        ])
    }
}

/// `GET /node-conflicts` and the page 离线节点冲突.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NodeConflictQuery {
    /// Only the conflicts of this inspection (the office that runs it); without it, every
    /// inspection's (the top office).
    pub inspection_id: Option<String>,
    /// The decided ones too.
    pub all: Option<bool>,
}

impl NodeConflictQuery {
    pub fn request(&self) -> Result<(Option<Id>, bool)> {
        Ok((
            opt_id(&self.inspection_id, "inspection_id")?,
            !self.all.unwrap_or(false),
        ))
    }
}
