//! The team of an inspection: its members, the candidates from the personnel pool with their
//! recusal conflicts, appointment (with the override reason when there are conflicts) and
//! withdrawal.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::access::Access;
use xunshi_core::inspection::{Inspection, Stage};
use xunshi_core::org::Unit;
use xunshi_core::personnel::{Conflict, TeamRole, team_can_change};
use xunshi_core::{CoreError, Id};

use super::{Frame, OrPage, PageResult, error_page, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{public_message, status_of};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/team", get(page).post(appoint))
        .route(
            "/inspections/{id}/team/{member_id}/withdraw",
            post(withdraw),
        )
}

struct Flag {
    kind: &'static str,
    detail: String,
}

fn flags(list: &[Conflict]) -> Vec<Flag> {
    list.iter()
        .map(|c| Flag {
            kind: c.kind.label(),
            detail: c.detail.clone(),
        })
        .collect()
}

struct MemberRow {
    id: String,
    version: i64,
    inspector_id: String,
    name: String,
    role: &'static str,
    leader: bool,
    unit_post: String,
    /// Found at appointment.
    conflicts: Vec<Flag>,
    /// Found now, if they differ from those at appointment.
    new_conflicts: Vec<Flag>,
    override_reason: Option<String>,
    appointed: String,
    withdrawn: Option<String>,
    /// The appointment opened the inspection to the member's account.
    has_account: bool,
}

struct CandidateRow {
    id: String,
    name: String,
    unit_post: String,
    specialty: String,
    locality: String,
    conflicts: Vec<Flag>,
    on_team: Option<&'static str>,
    /// The refusal of the last attempt to appoint this person, shown in their row.
    error: Option<String>,
    /// What was typed into the row's form before the refusal.
    role: String,
    reason: String,
}

struct RoleChoice {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "team.html")]
struct TeamPage {
    frame: Frame,
    insp: Inspection,
    targets: String,
    kind: String,
    members: Vec<MemberRow>,
    former: Vec<MemberRow>,
    candidates: Option<Vec<CandidateRow>>,
    roles: Vec<RoleChoice>,
    q: String,
    only_clean: bool,
    sees_recusal: bool,
    can_appoint: bool,
    can_withdraw: bool,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    only_clean: bool,
    notice: Option<String>,
}

/// A refused form, shown again on the page.
#[derive(Default)]
struct Refusal {
    /// On top of the page.
    general: Option<String>,
    /// In the candidate's row, with what was typed.
    appoint: Option<(AppointForm, String)>,
}

fn kind_label(insp: &Inspection) -> String {
    let mut parts = vec![insp.kind.label()];
    if insp.cross {
        parts.push("交叉");
    }
    if insp.elevated {
        parts.push("提级");
    }
    if insp.linked {
        parts.push("联动");
    }
    parts.join("·")
}

fn name_of(units: &[Unit], id: Id) -> String {
    units
        .iter()
        .find(|u| u.id == id)
        .map(|u| u.name.clone())
        .unwrap_or_else(|| "—".into())
}

async fn render_page(
    app: &AppState,
    user: &PageUser,
    id: Id,
    q: &PageQuery,
    refusal: Refusal,
    status: StatusCode,
) -> Response {
    let actor = &user.actor;
    let loaded = async {
        let (insp, access) = app.services.get_inspection(actor, id).await?;
        let team = app.services.team(actor, id).await?;
        let candidates = if access >= Access::TeamLead {
            Some(app.services.team_candidates(actor, id).await?)
        } else {
            None
        };
        Ok::<_, CoreError>((insp, access, team, candidates))
    }
    .await;
    let (insp, access, team, candidates) = match loaded {
        Ok(v) => v,
        Err(e) => return error_page(&e, Some(actor)),
    };
    // Names of units are asked of the services as the actor: the members' come with the team,
    // the targets' with the inspection, the candidates' from the tree (only those who appoint
    // see candidates, and they may read the tree).
    let units: Vec<Unit> = if candidates.is_some() {
        app.services
            .unit_tree(actor)
            .await
            .map(|t| t.into_iter().map(|(_, u)| u).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let target_names = match app.services.inspection_names(actor, id).await {
        Ok(n) => n.targets.into_iter().map(|(_, n)| n).collect::<Vec<_>>(),
        Err(e) => return error_page(&e, Some(actor)),
    };
    let sees_recusal = matches!(access, Access::Office | Access::Read);
    let can_appoint = access == Access::Office && team_can_change(insp.stage);
    let can_withdraw = access == Access::Office && insp.stage != Stage::Archived;

    let mut members = Vec::new();
    let mut former = Vec::new();
    for e in &team {
        let m = &e.member;
        let new_conflicts: Vec<Conflict> = e
            .conflicts_now
            .iter()
            .filter(|c| !m.conflicts.contains(c))
            .cloned()
            .collect();
        let row = MemberRow {
            id: m.id.to_string(),
            version: m.version,
            inspector_id: m.inspector_id.to_string(),
            name: e.inspector_name.clone(),
            role: m.role.label(),
            leader: m.role == TeamRole::Leader,
            unit_post: format!("{} {}", e.unit_name, e.post),
            conflicts: flags(&m.conflicts),
            new_conflicts: flags(&new_conflicts),
            override_reason: m.override_reason.clone(),
            appointed: local_time(m.appointed_at),
            withdrawn: m.withdrawn_at.map(|t| {
                format!(
                    "{} 调出：{}",
                    local_time(t),
                    m.withdraw_reason.clone().unwrap_or_default()
                )
            }),
            has_account: m.grant_id.is_some(),
        };
        if m.active() {
            members.push(row);
        } else {
            former.push(row);
        }
    }
    // Leader, deputies, members: the order of a team list.
    members.sort_by_key(|r| {
        TeamRole::ALL
            .iter()
            .position(|t| t.label() == r.role)
            .unwrap_or(9)
    });

    let needle = q.q.trim().to_lowercase();
    let candidates = candidates.map(|list| {
        list.into_iter()
            .filter(|c| !q.only_clean || c.conflicts.is_empty())
            .filter(|c| {
                needle.is_empty()
                    || [&c.inspector.name, &c.inspector.post, &c.inspector.specialty]
                        .iter()
                        .any(|f| f.to_lowercase().contains(&needle))
            })
            .map(|c| {
                let x = &c.inspector;
                let (error, role, reason) = match &refusal.appoint {
                    Some((f, msg)) if f.inspector_id == x.id.to_string() => {
                        (Some(msg.clone()), f.role.clone(), f.override_reason.clone())
                    }
                    _ => (None, String::new(), String::new()),
                };
                CandidateRow {
                    id: x.id.to_string(),
                    name: x.name.clone(),
                    unit_post: format!("{} {}", name_of(&units, x.unit_id), x.post),
                    specialty: x.specialty.clone(),
                    locality: x.locality.clone(),
                    conflicts: flags(&c.conflicts),
                    on_team: c.on_team.map(|r| r.label()),
                    error,
                    role,
                    reason,
                }
            })
            .collect()
    });
    let page = TeamPage {
        frame: Frame::new(
            app,
            user,
            &format!("{}组成", insp.team_name),
            "/inspections",
        )
        .await
        .with_notice(q.notice.as_deref()),
        targets: target_names.join("、"),
        kind: kind_label(&insp),
        members,
        former,
        candidates,
        roles: TeamRole::ALL
            .iter()
            .map(|r| RoleChoice {
                value: r.as_str(),
                label: r.label(),
            })
            .collect(),
        q: q.q.clone(),
        only_clean: q.only_clean,
        sees_recusal,
        can_appoint,
        can_withdraw,
        error: refusal.general,
        insp,
    };
    render(status, &page)
}

fn parse_id(raw: &str, user: &PageUser) -> Result<Id, super::PageError> {
    Id::from_path(raw, "巡视任务").or_page(&user.actor)
}

async fn page(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let id = parse_id(&id, &user)?;
    Ok(render_page(&app, &user, id, &q, Refusal::default(), StatusCode::OK).await)
}

#[derive(Deserialize, Default, Clone)]
struct AppointForm {
    #[serde(default)]
    inspector_id: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    override_reason: String,
}

async fn appoint(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<AppointForm>,
) -> PageResult {
    let id = parse_id(&id, &user)?;
    let parsed = (|| {
        let inspector_id: Id = f
            .inspector_id
            .trim()
            .parse()
            .map_err(|_| CoreError::bad_input("inspector_id", "请选择干部"))?;
        let role = TeamRole::parse(&f.role)?;
        Ok::<_, CoreError>((inspector_id, role))
    })();
    let result = match parsed {
        Ok((inspector_id, role)) => {
            app.services
                .appoint(
                    &user.actor,
                    id,
                    inspector_id,
                    role,
                    Some(f.override_reason.as_str()),
                )
                .await
        }
        Err(e) => Err(e),
    };
    Ok(match result {
        Ok(_) => see_other(&format!("/inspections/{id}/team"), "saved"),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            error_page(&e, Some(&user.actor))
        }
        Err(e) => {
            let msg = public_message(&e);
            let refusal = Refusal {
                general: Some(format!("未能任命：{msg}")),
                appoint: Some((f, msg)),
            };
            render_page(
                &app,
                &user,
                id,
                &PageQuery::default(),
                refusal,
                status_of(&e),
            )
            .await
        }
    })
}

#[derive(Deserialize)]
struct WithdrawForm {
    version: i64,
    #[serde(default)]
    reason: String,
}

async fn withdraw(
    State(app): State<AppState>,
    user: PageUser,
    Path((id, member_id)): Path<(String, String)>,
    Form(f): Form<WithdrawForm>,
) -> PageResult {
    let id = parse_id(&id, &user)?;
    let member_id = Id::from_path(&member_id, "巡视组成员").or_page(&user.actor)?;
    Ok(
        match app
            .services
            .withdraw_member(&user.actor, id, member_id, f.version, &f.reason)
            .await
        {
            Ok(_) => see_other(&format!("/inspections/{id}/team"), "saved"),
            Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
                error_page(&e, Some(&user.actor))
            }
            Err(e) => {
                let refusal = Refusal {
                    general: Some(format!("未能调出：{}", public_message(&e))),
                    appoint: None,
                };
                render_page(
                    &app,
                    &user,
                    id,
                    &PageQuery::default(),
                    refusal,
                    status_of(&e),
                )
                .await
            }
        },
    )
}
