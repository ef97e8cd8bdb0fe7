//! The pages of supervision (督办): follow-up notices, accountability, long-term mechanisms and
//! the deadline rules. Each list shows its reader what the services let it read; the forms are
//! offered to those the services let act.

mod accountability;
mod deadlines;
mod followups;
mod mechanisms;

use axum::Router;
use xunshi_core::Id;
use xunshi_core::permission::Actor;
use xunshi_core::role::Role;
use xunshi_core::service::RectifyingInspection;

use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(followups::routes())
        .merge(accountability::routes())
        .merge(mechanisms::routes())
        .merge(deadlines::routes())
}

/// Whether the navigation offers supervision and the dashboard: to everyone with a part in
/// inspection or rectification. Each page shows a reader only what is theirs.
pub fn shows_supervision(actor: &Actor) -> bool {
    actor.grants().iter().any(|g| g.role != Role::Admin)
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl Choice {
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Choice {
        let value = value.into();
        Choice {
            selected: value == current,
            label: label.into(),
            value,
        }
    }
}

/// The id a picker narrows to; the filter itself is read strictly by `http::filters`.
pub fn opt_id(raw: &str) -> Option<Id> {
    raw.trim().parse().ok()
}

/// A query string of the non-empty pairs, for links to filtered lists.
pub fn query(pairs: &[(&str, &str)]) -> String {
    let kept: Vec<(&str, &str)> = pairs
        .iter()
        .copied()
        .filter(|(_, v)| !v.is_empty())
        .collect();
    serde_urlencoded::to_string(kept).unwrap_or_default()
}

/// `path` with the non-empty pairs as its query.
pub fn link(path: &str, pairs: &[(&str, &str)]) -> String {
    match query(pairs) {
        q if q.is_empty() => path.to_owned(),
        q => format!("{path}?{q}"),
    }
}

/// The ledger's list of tasks, filtered (the ledger's page, by these exact parameter names).
pub fn tasks_link(
    inspection_id: &str,
    unit_id: &str,
    status: &str,
    colour: &str,
    category_id: &str,
) -> String {
    link(
        "/rectification/tasks",
        &[
            ("inspection_id", inspection_id),
            ("unit_id", unit_id),
            ("status", status),
            ("colour", colour),
            ("category_id", category_id),
        ],
    )
}

/// The ledger's list of the tasks rejected at least once.
pub fn rejected_tasks_link(inspection_id: &str, unit_id: &str) -> String {
    link(
        "/rectification/tasks",
        &[
            ("inspection_id", inspection_id),
            ("unit_id", unit_id),
            ("rejected", "1"),
        ],
    )
}

/// The inspections and units a filter offers, with the current ones selected.
pub fn filter_choices(
    list: &[RectifyingInspection],
    inspection_id: &str,
    unit_id: &str,
) -> (Vec<Choice>, Vec<Choice>) {
    let inspections = list
        .iter()
        .map(|i| Choice::new(i.id.to_string(), inspection_label(i), inspection_id))
        .collect();
    let mut units: Vec<Choice> = Vec::new();
    for i in list {
        if opt_id(inspection_id).is_some_and(|f| f != i.id) {
            continue;
        }
        for u in &i.units {
            if !units.iter().any(|c| c.value == u.id.to_string()) {
                units.push(Choice::new(u.id.to_string(), u.name.clone(), unit_id));
            }
        }
    }
    (inspections, units)
}

/// 第三巡视组（2019年第4轮巡视）
pub fn inspection_label(i: &RectifyingInspection) -> String {
    if i.round_name.is_empty() {
        i.team_name.clone()
    } else {
        format!("{}（{}）", i.team_name, i.round_name)
    }
}
