//! Where each item of the to-do is done: the page of the object, which the page and the API
//! both give as the item's link.

use xunshi_core::Id;
use xunshi_core::message::Message;
use xunshi_core::service::{TodoItem, TodoKind};

pub fn link(item: &TodoItem) -> String {
    link_to(item.kind, item.object_id, item.inspection_id)
}

/// Where a message's matter is handled: the page of the to-do item it is about.
pub fn message_link(m: &Message) -> Option<String> {
    m.about.map(|k| link_to(k, m.object_id, m.inspection_id))
}

fn link_to(kind: TodoKind, object_id: Option<Id>, inspection_id: Option<Id>) -> String {
    let id = object_id.map(|i| i.to_string()).unwrap_or_default();
    match kind {
        TodoKind::PlanReview => format!("/rectification/plans/{id}"),
        // Claims are verified, and changes decided, on the task's page.
        TodoKind::TaskVerify | TodoKind::ChangeDecide => format!("/rectification/tasks/{id}"),
        TodoKind::FollowupAnswer => format!("/supervision/followups/{id}"),
        TodoKind::NoticeDecide | TodoKind::NoticeReview => {
            format!("/rectification/notices/{id}")
        }
        TodoKind::ReportTeamMeeting | TodoKind::ReportDecide => format!("/reports/{id}"),
        TodoKind::PaperSign => format!("/papers/{id}"),
        // The inbox of clues to dispose; it records what it shows.
        TodoKind::ClueDispose => "/clues?status=transferred".to_owned(),
        // The unit answers on its list of notices; the leader reviews on the inspection's.
        TodoKind::FixNoticeAnswer => "/notices".to_owned(),
        TodoKind::FixNoticeReview => format!(
            "/inspections/{}/notices",
            inspection_id.map(|i| i.to_string()).unwrap_or_default()
        ),
        TodoKind::CalendarMissing => "/system/calendar".to_owned(),
        TodoKind::DeadlineChanged => format!("/deadline-changes/{id}"),
        // The unit's row on the board of plans, where its plan is opened or drafted.
        TodoKind::PlanSubmit => format!(
            "/rectification#slot-{}-{id}",
            inspection_id.map(|i| i.to_string()).unwrap_or_default()
        ),
        // The list of the unit's documents, where each is drafted and submitted.
        TodoKind::ReportSubmit => "/rectification/reports".to_owned(),
        // The waiting disposal's row on the archive's page, with its decision form.
        TodoKind::DisposalDecide => format!("/archive/retention#disposal-{id}"),
        TodoKind::FilingAnswer => format!("/filings/{id}"),
    }
}
