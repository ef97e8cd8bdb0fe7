//! What the work pages of one inspection share: the heading with its tabs (each shown only to
//! those who may open it), dates written the official way, and the
//! stylesheet of documents, diffs and timelines.

use axum::http::header;
use axum::response::IntoResponse;
use xunshi_core::Id;
use xunshi_core::access::{Access, inspection_access};
use xunshi_core::inspection::Inspection;
use xunshi_core::permission::Actor;

use crate::AppState;

pub struct Tab {
    pub label: &'static str,
    pub href: String,
    pub active: bool,
}

/// The heading of an inspection's work pages.
pub struct WorkHead {
    pub id: Id,
    pub team_name: String,
    pub stage: &'static str,
    pub tabs: Vec<Tab>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TabKind {
    /// The team page (teams area), listed so the tabs match the inspection page's sections.
    Team,
    /// Fieldwork (进驻了解): the announcement, talks, documents, other methods.
    Fieldwork,
    /// The register of letters, calls and visits.
    Letters,
    Papers,
    Notices,
    Reports,
    Feedback,
    /// The clue register (clues area).
    Clues,
}

/// Who sees which tabs: `staff` reads the inspection, `team` sits on its team (its fieldwork),
/// `notices` answers its immediate-fix notices, `feedback` is an inspected unit after feedback.
struct Seen {
    staff: bool,
    team: bool,
    notices: bool,
    feedback: bool,
}

fn tabs(id: Id, seen: Seen, active: TabKind) -> Vec<Tab> {
    let Seen {
        staff,
        team,
        notices,
        feedback,
    } = seen;
    let mut out = Vec::new();
    let mut add = |kind, label, path: &str, show: bool| {
        if show {
            out.push(Tab {
                label,
                href: format!("/inspections/{id}/{path}"),
                active: kind == active,
            });
        }
    };
    // The order of the inspection page's sections.
    add(TabKind::Team, "巡视组", "team", staff);
    add(TabKind::Fieldwork, "进驻了解", "fieldwork", team);
    add(TabKind::Letters, "来信来访", "letters", team);
    add(TabKind::Papers, "问题底稿", "papers", staff);
    add(TabKind::Notices, "立行立改", "notices", staff || notices);
    add(TabKind::Reports, "巡视报告", "reports", staff);
    add(TabKind::Feedback, "反馈意见", "feedback", staff || feedback);
    add(TabKind::Clues, "问题线索", "clues", staff);
    out
}

/// Whether the actor answers the inspection's notices for one of its units, as the core says.
pub fn answers_notices(actor: &Actor, insp: &Inspection) -> bool {
    !xunshi_core::service::answers_for(actor, insp).is_empty()
}

impl WorkHead {
    /// The heading for someone who may see the inspection itself.
    pub fn of(actor: &Actor, insp: &Inspection, active: TabKind) -> WorkHead {
        let access = inspection_access(actor, insp);
        let staff = access >= Access::Read;
        WorkHead {
            id: insp.id,
            team_name: insp.team_name.clone(),
            stage: insp.stage.label(),
            tabs: tabs(
                insp.id,
                Seen {
                    staff,
                    team: xunshi_core::service::reads_fieldwork(actor, insp),
                    notices: answers_notices(actor, insp),
                    feedback: access == Access::FeedbackOnly,
                },
                active,
            ),
        }
    }

    /// The heading of the notices page for the unit before feedback, when the inspection itself
    /// is not shown to it: only the team's name, and only the notices tab.
    pub fn for_unit_notices(id: Id, team_name: &str) -> WorkHead {
        WorkHead {
            id,
            team_name: team_name.to_owned(),
            stage: "",
            tabs: tabs(
                id,
                Seen {
                    staff: false,
                    team: false,
                    notices: true,
                    feedback: false,
                },
                TabKind::Notices,
            ),
        }
    }
}

/// A date as official documents write it: 2020年3月25日.
pub fn cn_date(d: jiff::civil::Date) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// A sentence closed with a full stop, unless it already ends with punctuation.
pub use crate::http::docx::sentence;

pub fn opt_cn_date(d: Option<jiff::civil::Date>) -> String {
    d.map(cn_date).unwrap_or_else(|| "—".to_owned())
}

/// The name of a unit for display, or its id if the actor may not read units.
pub async fn unit_name(app: &AppState, actor: &Actor, id: Id) -> String {
    app.services
        .get_unit(actor, id)
        .await
        .map(|u| u.name)
        .unwrap_or_else(|_| id.to_string())
}

/// Styles of the work pages: the official document, diffs, the approval timeline.
pub async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/papers.css"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_sentences_read_as_officials_write_them() {
        assert_eq!(cn_date(jiff::civil::date(2020, 3, 25)), "2020年3月25日");
        assert_eq!(sentence("加强党建"), "加强党建。");
        assert_eq!(sentence("加强党建。"), "加强党建。");
    }
}
