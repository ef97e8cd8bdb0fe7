//! 保管期限与销毁: how long an archived inspection's records are kept, and the disposal of those
//! past it.
//!
//! The reports, problems, clues, plans, tasks and the rest that the later work refers to are
//! kept permanently (永久); what may be disposed of are the fieldwork materials gathered on
//! site, each kind kept for the years the office sets. A record's period runs, as archives
//! count it, from the first of January after the year its inspection was archived. Disposal is
//! asked for by one office user and carried out only when a second approves; what went is
//! written into the audit trail as the SHA-256 of each record and file.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::Actor;

/// The kinds of record that may be disposed of, by their code (as `archive::INSPECTION_OBJECTS`
/// names them) and their name.
pub const DISPOSABLE: &[(&str, &str)] = &[
    ("letter", "信访件"),
    ("talk", "个别谈话记录"),
    ("doc_request", "调阅材料记录"),
    ("field_record", "其他方式了解情况记录"),
];

/// The longest period that may be set, in years.
pub const MAX_YEARS: i64 = 100;

/// The name of a disposable kind, or `None` for any other code.
pub fn kind_label(kind: &str) -> Option<&'static str> {
    DISPOSABLE
        .iter()
        .find(|(code, _)| *code == kind)
        .map(|(_, label)| *label)
}

/// The kind named by `kind`, refused with the kinds there are when it is none of them.
pub fn disposable(kind: &str) -> Result<&'static str> {
    kind_label(kind).ok_or_else(|| {
        CoreError::bad_input(
            "kind",
            format!(
                "“{kind}”不是可以设定保管期限的记录类别；可设定的有：{}。其余记录永久保管",
                DISPOSABLE
                    .iter()
                    .map(|(_, l)| *l)
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        )
    })
}

/// The period of one kind of record.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RetentionRule {
    pub kind: String,
    pub label: String,
    /// Years kept; absent when kept permanently (永久).
    pub years: Option<i64>,
    pub version: i64,
    /// When the office last set it; absent for the period shipped.
    #[schema(value_type = Option<String>)]
    pub updated_at: Option<jiff::Timestamp>,
}

impl RetentionRule {
    /// The period as archives write it: `永久` or `10年`.
    pub fn period(&self) -> String {
        match self.years {
            None => "永久".into(),
            Some(y) => format!("{y}年"),
        }
    }
}

/// A change of one kind's period, as the page's form and the API send it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct RetentionChange {
    /// Whole years (1 to 100, `年` after them allowed), or `永久` (or empty) for permanently.
    #[serde(default)]
    #[schema(pattern = "^(|永久|([1-9][0-9]?|100)年?)$")]
    pub years: String,
    pub version: i64,
}

/// Reads a period: `永久` or nothing for permanently, else whole years from 1 to `MAX_YEARS`
/// (a trailing `年` allowed).
pub fn parse_years(text: &str) -> Result<Option<i64>> {
    let t = text.trim();
    if t.is_empty() || t == "永久" {
        return Ok(None);
    }
    let digits = t.strip_suffix('年').unwrap_or(t).trim();
    match digits.parse::<i64>() {
        Ok(y) if (1..=MAX_YEARS).contains(&y) => Ok(Some(y)),
        _ => Err(CoreError::bad_input(
            "years",
            format!("保管期限应为 1 到 {MAX_YEARS} 之间的整年数，或“永久”；收到的是“{t}”"),
        )),
    }
}

/// The day the records of an inspection archived on `archived_on` pass a period of `years`:
/// the period counts from the first of January after the year of archiving.
pub fn expires_on(archived_on: Date, years: i64) -> Date {
    let year = (archived_on.year() as i64 + 1 + years).min(9999) as i16;
    Date::new(year, 1, 1).unwrap_or(Date::MAX)
}

/// Inspections archived before this day have passed a period of `years` on `today`: the one
/// bound the store's query needs, equivalent to `expires_on(archived_on, years) <= today`.
pub fn archived_before(today: Date, years: i64) -> Date {
    let year = (today.year() as i64 - years).max(1) as i16;
    Date::new(year, 1, 1).unwrap_or(Date::MIN)
}

/// Where a disposal stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisposalStatus {
    /// Asked for, waiting for a second office user.
    Proposed,
    /// Approved and carried out: the records are gone.
    Done,
    /// Turned down; the records stay.
    Rejected,
}

impl DisposalStatus {
    pub fn code(self) -> &'static str {
        match self {
            DisposalStatus::Proposed => "proposed",
            DisposalStatus::Done => "done",
            DisposalStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Result<Self> {
        match s {
            "proposed" => Ok(DisposalStatus::Proposed),
            "done" => Ok(DisposalStatus::Done),
            "rejected" => Ok(DisposalStatus::Rejected),
            _ => Err(CoreError::bad_input(
                "status",
                format!("未知的销毁状态“{s}”"),
            )),
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            DisposalStatus::Proposed => "待批准",
            DisposalStatus::Done => "已销毁",
            DisposalStatus::Rejected => "已退回",
        }
    }
}

/// One row or stored file that went, and its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Gone {
    /// The table the row was in, or `file` for a stored file.
    pub table: String,
    /// The row's key, or the file's stored name.
    pub key: String,
    /// A row's: the SHA-256 of its columns as one JSON object, keys sorted. A file's: the
    /// hash of its content that names it in the store (SHA-256, or SM3 under the national
    /// suite, as its name says).
    pub digest: String,
}

/// The disposal of one kind of record of one archived inspection, or of one record of it
/// (销毁清册).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Disposal {
    pub id: Id,
    pub inspection_id: Id,
    pub team_name: String,
    pub kind: String,
    pub kind_label: String,
    /// The one record it takes, when it takes one rather than the whole kind.
    pub record_id: Option<Id>,
    /// How the register named that record when it was proposed (it is gone once carried out).
    pub record_title: Option<String>,
    /// Why the records may go: the basis of the proposal.
    pub reason: String,
    pub status: DisposalStatus,
    /// How many records it takes: of the kind, as the inspection held them when it was
    /// proposed; one for a single record.
    pub records: i64,
    pub proposed_by: Id,
    pub proposed_by_name: String,
    #[schema(value_type = String)]
    pub proposed_at: jiff::Timestamp,
    pub decided_by: Option<Id>,
    pub decided_by_name: Option<String>,
    #[schema(value_type = Option<String>)]
    pub decided_at: Option<jiff::Timestamp>,
    pub decision_note: Option<String>,
    /// What went, once carried out.
    pub gone: Vec<Gone>,
    pub version: i64,
}

/// A disposal asked for, as the page's form and the API send it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DisposalProposal {
    pub inspection_id: String,
    /// The kind of record: one of [`DISPOSABLE`].
    #[schema(pattern = "^(letter|talk|doc_request|field_record)$")]
    pub kind: String,
    /// One record of the kind to dispose of; blank or absent, every record of it.
    #[serde(default)]
    pub record_id: Option<String>,
    #[serde(default)]
    pub reason: String,
}

impl Disposal {
    /// What it takes, as the pages and messages name it: `个别谈话记录3件`, or its one
    /// record, `个别谈话记录“王志强（副厅长） 2019-09-20”`.
    pub fn what(&self) -> String {
        match &self.record_title {
            Some(t) => format!("{}“{t}”", self.kind_label),
            None => format!("{}{}件", self.kind_label, self.records),
        }
    }
}

/// The second office user's decision, as the page's form and the API send it.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct DisposalDecision {
    /// `approve` carries the disposal out; `reject` turns it down.
    #[schema(pattern = "^(approve|reject)$")]
    pub decision: String,
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

impl DisposalDecision {
    /// Whether the decision approves; anything but the two words is refused.
    pub fn approves(&self) -> Result<bool> {
        match self.decision.trim() {
            "approve" => Ok(true),
            "reject" => Ok(false),
            other => Err(CoreError::bad_input(
                "decision",
                format!("决定应为 approve（批准销毁）或 reject（退回），收到的是“{other}”"),
            )),
        }
    }
}

/// Whether `actor` may decide on `d`: it must still wait, and the decider must not be the one
/// who asked for it (two people for every disposal).
pub fn check_decider(actor: &Actor, d: &Disposal) -> Result<()> {
    if d.status != DisposalStatus::Proposed {
        return Err(CoreError::RuleRefused(format!(
            "该销毁申请{}，不能再作决定",
            d.status.label()
        )));
    }
    if actor.user_id() == Some(d.proposed_by) {
        return Err(CoreError::RuleRefused(
            "销毁须经两名办公室人员办理：提请人不能批准或退回自己的申请，请由另一名办公室人员决定"
                .into(),
        ));
    }
    Ok(())
}

/// An archived inspection with records past their period, and how many of each kind.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueForDisposal {
    pub inspection_id: Id,
    pub team_name: String,
    #[schema(value_type = String, format = Date)]
    pub archived_on: Date,
    pub kinds: Vec<DueKind>,
}

/// One record of a disposable kind, as the register names it, for choosing it for disposal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct DisposableRecord {
    pub id: Id,
    pub title: String,
}

/// The records of one kind past their period.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DueKind {
    pub kind: String,
    pub label: String,
    pub records: i64,
    #[schema(value_type = String, format = Date)]
    pub expired_on: Date,
    /// A disposal of them already waiting for its second user.
    pub proposed: Option<Id>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_period_counts_from_the_next_new_year() {
        assert_eq!(expires_on(d("2017-06-30"), 10), d("2028-01-01"));
        assert_eq!(expires_on(d("2017-01-01"), 1), d("2019-01-01"));
        // The query's bound says the same thing about every day around the edge.
        for archived in ["2016-12-31", "2017-01-01", "2017-12-31", "2018-01-01"] {
            for today in ["2027-12-31", "2028-01-01", "2028-06-01"] {
                let (a, t) = (d(archived), d(today));
                assert_eq!(
                    expires_on(a, 10) <= t,
                    a < archived_before(t, 10),
                    "{archived} on {today}"
                );
            }
        }
    }

    #[test]
    fn periods_are_read_as_written() {
        assert_eq!(parse_years("永久").unwrap(), None);
        assert_eq!(parse_years(" ").unwrap(), None);
        assert_eq!(parse_years("30年").unwrap(), Some(30));
        assert_eq!(parse_years("10").unwrap(), Some(10));
        let e = parse_years("0").unwrap_err().to_string();
        assert!(e.contains("1 到 100"), "{e}");
        assert!(parse_years("十年").is_err());
        assert!(parse_years("101").is_err());
    }

    #[test]
    fn only_fieldwork_kinds_are_disposable() {
        // The API's schemas name the kinds by this pattern (DisposalProposal, the rule's path).
        let codes: Vec<&str> = DISPOSABLE.iter().map(|(c, _)| *c).collect();
        assert_eq!(codes.join("|"), "letter|talk|doc_request|field_record");
        assert_eq!(disposable("letter").unwrap(), "信访件");
        let e = disposable("report").unwrap_err().to_string();
        assert!(e.contains("永久保管"), "{e}");
    }

    #[test]
    fn a_decision_is_one_of_two_words() {
        let mut dec = DisposalDecision {
            decision: "approve".into(),
            note: String::new(),
            version: 1,
        };
        assert!(dec.approves().unwrap());
        dec.decision = "reject".into();
        assert!(!dec.approves().unwrap());
        dec.decision = "yes".into();
        assert!(dec.approves().is_err());
    }
}
