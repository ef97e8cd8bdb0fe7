//! Pages of inspections: the list, planning one, its detail with the stage it is in.

use crate::http::{Path, Query};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;

use crate::http::Form;
use axum::Router;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::access::Access;
use xunshi_core::access::may_change_stage;
use xunshi_core::inspection::Inspection;
use xunshi_core::inspection::{InspectionInput, InspectionKind, Stage};
use xunshi_core::page::{PageRequest, SortedPage};
use xunshi_core::permission::Actor;
use xunshi_core::service::{
    InspectionView, StageChange, may_plan, may_view_plans, require_planner, today,
};
use xunshi_core::store::InspectionFilter;
use xunshi_core::{CoreError, Id};

use super::pager::{Asked, Pager};
use super::{FormErrors, Frame, OrPage, PageResult, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::filters::{InspectionQuery, given};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections", get(list).post(create))
        .route("/inspections/new", get(new_form))
        .route("/inspections/{id}", get(detail).post(update))
        .route("/inspections/{id}/edit", get(edit_form))
        .route("/inspections/{id}/stage", post(change_stage))
        .route("/inspections/{id}/archive-package", get(archive_package))
}

fn day(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_else(|| "—".into())
}

fn stage_class(s: Stage) -> &'static str {
    match s {
        Stage::Planning | Stage::Preparation => "grey",
        Stage::OnSite | Stage::Reporting => "yellow",
        Stage::FeedbackGiven | Stage::Rectification => "red",
        Stage::Archived => "green",
    }
}

fn target_names(v: &InspectionView) -> String {
    v.targets
        .iter()
        .map(|t| t.name.as_str())
        .collect::<Vec<_>>()
        .join("、")
}

struct Row {
    id: String,
    round: String,
    team: String,
    targets: String,
    kind: &'static str,
    entry: String,
    feedback: String,
    stage: &'static str,
    stage_class: &'static str,
}

#[derive(Template)]
#[template(path = "inspections.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    rounds: Vec<(String, String)>,
    stages: Vec<(&'static str, &'static str)>,
    round_id: String,
    stage: String,
    unit_id: String,
    q: String,
    filtered: bool,
    total: i64,
    pages: Pager,
    can_manage: bool,
}

/// The inspections under the filters and order of [`InspectionQuery`], the same parser as
/// `GET /api/v1/inspections`: a filter or order that cannot be read shows the page again with
/// the message and no rows (400).
async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(iq): Query<InspectionQuery>,
) -> PageResult {
    let actor = &user.actor;
    let asked = Asked::read(iq.filter().and_then(|f| Ok((f, iq.sorted()?))), actor)?;
    let found = match &asked.filter {
        Some(f) => app
            .services
            .inspection_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let rows = found
        .items
        .iter()
        .map(|v| Row {
            id: v.inspection.id.to_string(),
            round: v.round_name.clone(),
            team: v.inspection.team_name.clone(),
            targets: target_names(v),
            kind: v.inspection.kind.label(),
            entry: day(v
                .inspection
                .dates
                .entry
                .or(v.inspection.dates.planned_entry)),
            feedback: day(v.inspection.dates.feedback),
            stage: v.inspection.stage.label(),
            stage_class: stage_class(v.inspection.stage),
        })
        .collect();
    // Only those who see the plan choose among rounds; others just see their inspections.
    let rounds = if may_view_plans(actor) {
        app.services
            .list_rounds(actor, None)
            .await
            .or_page(actor)?
            .into_iter()
            .map(|r| (r.id.to_string(), r.name))
            .collect()
    } else {
        Vec::new()
    };
    let query = iq.query();
    let pages = Pager::of("/inspections", &query, &asked, &found, iq.page);
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
    let page = ListPage {
        frame: Frame::new(&app, &user, "巡视任务", "/inspections")
            .await
            .with_error(asked.refused.as_ref()),
        rows,
        rounds,
        stages: Stage::ALL.iter().map(|s| (s.as_str(), s.label())).collect(),
        round_id: text(&iq.round_id),
        stage: text(&iq.stage),
        unit_id: text(&iq.unit_id),
        q: text(&iq.q),
        filtered: [&iq.term_id, &iq.round_id, &iq.unit_id, &iq.stage, &iq.q]
            .into_iter()
            .any(|v| given(v).is_some()),
        total: found.total,
        pages,
        can_manage: may_plan(actor),
    };
    Ok(render(super::list_status(&asked.refused), &page))
}

#[derive(Deserialize, Default)]
struct InspectionForm {
    #[serde(default)]
    round_id: String,
    #[serde(default)]
    team_name: String,
    #[serde(default)]
    target1: String,
    #[serde(default)]
    target2: String,
    #[serde(default)]
    target3: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    elevated: bool,
    #[serde(default)]
    cross: bool,
    #[serde(default)]
    linked: bool,
    #[serde(default)]
    look_back_of: String,
    #[serde(default)]
    planned_entry: String,
    #[serde(default)]
    planned_exit: String,
    version: Option<i64>,
}

impl InspectionForm {
    fn of(v: &InspectionView) -> Self {
        let i = &v.inspection;
        let t = |n: usize| {
            i.target_ids
                .get(n)
                .map(|t| t.to_string())
                .unwrap_or_default()
        };
        InspectionForm {
            round_id: i.round_id.to_string(),
            team_name: i.team_name.clone(),
            target1: t(0),
            target2: t(1),
            target3: t(2),
            kind: i.kind.as_str().into(),
            elevated: i.elevated,
            cross: i.cross,
            linked: i.linked,
            look_back_of: i.look_back_of.map(|l| l.to_string()).unwrap_or_default(),
            planned_entry: i
                .dates
                .planned_entry
                .map(|d| d.to_string())
                .unwrap_or_default(),
            planned_exit: i
                .dates
                .planned_exit
                .map(|d| d.to_string())
                .unwrap_or_default(),
            version: Some(i.version),
        }
    }

    fn input(&self) -> InspectionInput {
        InspectionInput {
            round_id: self.round_id.clone(),
            team_name: self.team_name.clone(),
            targets: vec![
                self.target1.clone(),
                self.target2.clone(),
                self.target3.clone(),
            ],
            kind: self.kind.clone(),
            elevated: self.elevated,
            cross: self.cross,
            linked: self.linked,
            look_back_of: Some(self.look_back_of.clone()),
            planned_entry: Some(self.planned_entry.clone()),
            planned_exit: Some(self.planned_exit.clone()),
        }
    }
}

#[derive(Template)]
#[template(path = "inspection_form.html")]
struct FormPage {
    frame: Frame,
    heading: &'static str,
    action: String,
    cancel: String,
    version: Option<i64>,
    form: InspectionForm,
    target_slots: Vec<String>,
    rounds: Vec<(String, String)>,
    units: Vec<(String, String)>,
    kinds: Vec<(&'static str, &'static str)>,
    earlier: Vec<(String, String)>,
    errors: FormErrors,
}

async fn render_form(
    app: &AppState,
    user: &PageUser,
    editing: Option<Id>,
    form: InspectionForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let rounds = app
        .services
        .list_rounds(actor, None)
        .await
        .or_page(actor)?
        .into_iter()
        .map(|r| (r.id.to_string(), r.name))
        .collect();
    let units = app
        .services
        .unit_tree(actor)
        .await
        .or_page(actor)?
        .into_iter()
        .filter(|(_, u)| !u.withdrawn)
        .map(|(d, u)| (u.id.to_string(), format!("{}{}", "　".repeat(d), u.name)))
        .collect();
    // Earlier inspections that have given feedback can be looked back on: the most recent
    // ones (a province has thousands; the look-back of an older one is set through the API).
    let earlier = app
        .services
        .list_inspection_views(
            actor,
            &InspectionFilter {
                fed_back: true,
                newest_first: true,
                ..Default::default()
            },
            PageRequest::first(200),
        )
        .await
        .or_page(actor)?
        .items
        .into_iter()
        .filter(|v| v.inspection.stage.feedback_given() && Some(v.inspection.id) != editing)
        .map(|v| {
            (
                v.inspection.id.to_string(),
                format!(
                    "{} {}（{}）",
                    v.round_name,
                    v.inspection.team_name,
                    target_names(&v)
                ),
            )
        })
        .collect();
    let (heading, action, cancel) = match editing {
        Some(id) => (
            "修改巡视计划",
            format!("/inspections/{id}"),
            format!("/inspections/{id}"),
        ),
        None => ("新建巡视任务", "/inspections".into(), "/inspections".into()),
    };
    let page = FormPage {
        frame: Frame::new(app, user, heading, "/inspections").await,
        heading,
        action,
        cancel,
        version: form.version,
        target_slots: vec![
            form.target1.clone(),
            form.target2.clone(),
            form.target3.clone(),
        ],
        form,
        rounds,
        units,
        kinds: InspectionKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        earlier,
        errors,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NewQuery {
    round_id: Option<String>,
}

async fn new_form(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    require_planner(&user.actor).or_page(&user.actor)?;
    let form = InspectionForm {
        round_id: q.round_id.unwrap_or_default(),
        kind: InspectionKind::Routine.as_str().into(),
        ..Default::default()
    };
    render_form(&app, &user, None, form, FormErrors::none(), StatusCode::OK).await
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<InspectionForm>,
) -> PageResult {
    match app
        .services
        .create_inspection(&user.actor, &f.input())
        .await
    {
        Ok(i) => Ok(see_other(&format!("/inspections/{}", i.id), "created")),
        Err(e @ CoreError::Forbidden(_)) => Err(e).or_page(&user.actor),
        Err(e) => {
            let status = crate::error::status_of(&e);
            render_form(&app, &user, None, f, FormErrors::from_error(&e), status).await
        }
    }
}

async fn edit_form(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let (view, access) = app
        .services
        .inspection_view(actor, id)
        .await
        .or_page(actor)?;
    if access != Access::Office {
        return Err(CoreError::Forbidden("只有巡视办可以修改巡视计划".into())).or_page(actor);
    }
    render_form(
        &app,
        &user,
        Some(id),
        InspectionForm::of(&view),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn update(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<InspectionForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let version = crate::http::require_version(f.version).or_page(actor)?;
    match app
        .services
        .update_inspection(actor, id, version, &f.input())
        .await
    {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}"), "saved")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = crate::error::status_of(&e);
            render_form(&app, &user, Some(id), f, FormErrors::from_error(&e), status).await
        }
    }
}

/// The parts of an inspection's work, each on its own page, for those who may open them.
fn sections(access: Access) -> Vec<(&'static str, &'static str, &'static str)> {
    let all = [
        ("team", "巡视组", "组成人员、回避审查"),
        (
            "papers",
            "问题底稿",
            "发现的问题、佐证材料、组务会审议与组长签字",
        ),
        (
            "notices",
            "立行立改",
            "巡视期间交办被巡视单位立即整改的事项",
        ),
        ("reports", "巡视报告", "报告稿、版本对比、审批流程"),
        ("feedback", "反馈意见", "反馈意见、反馈会"),
        ("clues", "问题线索", "线索登记与移交"),
    ];
    match access {
        Access::None => Vec::new(),
        Access::FeedbackOnly => all.into_iter().filter(|s| s.0 == "feedback").collect(),
        _ => all.to_vec(),
    }
}

/// The moves the actor can make from the current stage: (to, button label, needs a date,
/// is a step back).
/// Offered as the core allows them (`access::may_change_stage`, the rule of the service).
fn moves(actor: &Actor, insp: &Inspection) -> Vec<(&'static str, &'static str, bool, bool)> {
    let stage = insp.stage;
    Stage::ALL
        .iter()
        .filter_map(|to| {
            if !may_change_stage(actor, insp, *to) {
                return None;
            }
            let label = match to {
                Stage::Planning => "退回计划阶段",
                Stage::Preparation => "转入准备阶段",
                Stage::OnSite => "巡视组进驻",
                Stage::Reporting => "结束进驻，转入报告阶段",
                Stage::Rectification => "转入整改阶段",
                Stage::Archived => "归档",
                Stage::FeedbackGiven => return None,
            };
            let needs_date = matches!(to, Stage::OnSite | Stage::Reporting);
            Some((to.as_str(), label, needs_date, to.index() < stage.index()))
        })
        .collect()
}

#[derive(Template)]
#[template(path = "inspection_detail.html")]
struct DetailPage {
    frame: Frame,
    targets: String,
    kind: &'static str,
    flags: Vec<&'static str>,
    stage: &'static str,
    stages: Vec<(&'static str, &'static str)>,
    dates: Vec<String>,
    sections: Vec<(&'static str, &'static str, &'static str)>,
    moves: Vec<(&'static str, &'static str, bool, bool)>,
    today: String,
    can_edit: bool,
    archived: bool,
    can_package: bool,
    error: Option<String>,
    /// For a 回头看: the inspection it looks back at beside its rectification's present state.
    look_back: Option<LookBackBlock>,
    v: InspectionView,
}

/// The inspection a 回头看 looks back at, as its section shows it.
struct LookBackBlock {
    v: xunshi_core::service::LookBackView,
    /// Each problem with its tasks as the ledger's rows show them.
    problems: Vec<(
        xunshi_core::service::LookBackProblem,
        Vec<super::rectify::TaskRow>,
    )>,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = Id::from_path(&id, "巡视任务").or_page(&user.actor)?;
    render_detail(&app, &user, id, q.notice.as_deref(), None, StatusCode::OK).await
}

async fn render_detail(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (v, access) = app
        .services
        .inspection_view(actor, id)
        .await
        .or_page(actor)?;
    let i = &v.inspection;
    let mut flags = Vec::new();
    if i.elevated {
        flags.push("提级");
    }
    if i.cross {
        flags.push("交叉");
    }
    if i.linked {
        flags.push("联动");
    }
    let stages = Stage::ALL
        .iter()
        .map(|s| {
            let class = match s.index().cmp(&i.stage.index()) {
                std::cmp::Ordering::Less => "done",
                std::cmp::Ordering::Equal => "current",
                std::cmp::Ordering::Greater => "todo",
            };
            (s.label(), class)
        })
        .collect();
    let d = &i.dates;
    let dates = [
        d.planned_entry,
        d.planned_exit,
        d.entry,
        d.exit,
        d.reported_to_group,
        d.reported_to_committee,
        d.feedback,
    ]
    .into_iter()
    .map(day)
    .collect();
    let mut sections = sections(access);
    // The team's fieldwork and its register of letters are the team's alone, offered to whom
    // the service lets read them; the announcement to whoever publishes it, as the core says.
    let team = xunshi_core::service::reads_fieldwork(actor, i);
    if team || xunshi_core::service::may_announce(actor, i) {
        let at = sections
            .iter()
            .position(|s| s.0 == "team")
            .map_or(0, |n| n + 1);
        sections.insert(
            at,
            (
                "fieldwork",
                "进驻了解",
                "巡视公告、来信来访、个别谈话、调阅材料和其他方式",
            ),
        );
    }
    if team {
        sections.push(("letters", "来信来访", "信访举报登记、甄别办理与统计"));
    }
    // Only who reads the 回头看's papers sees the earlier problems beside it.
    let look_back = match app.services.look_back(actor, id).await {
        Ok(l) => l.map(|v| LookBackBlock {
            problems: v
                .problems
                .iter()
                .map(|p| {
                    let rows = p.tasks.iter().map(super::rectify::TaskRow::of).collect();
                    (p.clone(), rows)
                })
                .collect(),
            v,
        }),
        Err(CoreError::Forbidden(_) | CoreError::NotFound(_)) => None,
        Err(e) => return Err(e).or_page(actor),
    };
    let title = format!("{} {}", v.inspection.team_name, target_names(&v));
    let page = DetailPage {
        frame: Frame::new(app, user, &title, "/inspections")
            .await
            .with_notice(notice),
        targets: target_names(&v),
        kind: i.kind.label(),
        flags,
        stage: i.stage.label(),
        stages,
        dates,
        sections,
        moves: moves(actor, i),
        today: today(app.services.now()).to_string(),
        can_edit: access == Access::Office && i.stage.index() <= Stage::Preparation.index(),
        archived: i.stage == Stage::Archived,
        can_package: xunshi_core::archive::may_take_package(actor, i),
        error,
        look_back,
        v,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct StageForm {
    version: i64,
    to: String,
    #[serde(default)]
    date: String,
}

async fn change_stage(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<StageForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let to = Stage::parse(&f.to).or_page(actor)?;
    let change = StageChange {
        version: f.version,
        to,
        date: Some(f.date),
    };
    match app.services.change_stage(actor, id, &change).await {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}"), "saved")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = crate::error::status_of(&e);
            render_detail(&app, &user, id, None, Some(e.to_string()), status).await
        }
    }
}

/// The archive package as a `.zip`, for the office, of an archived inspection
/// (`archive_package_scope`'s rule); a refusal is shown as a page.
async fn archive_package(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = super::fieldwork::parse_id(&id, "巡视任务", actor)?;
    let (file, name) = crate::http::archive::archive_package_file(&app, actor, id)
        .await
        .or_page(actor)?;
    crate::http::files::file_attachment(file, xunshi_office::ZIP_CONTENT_TYPE, &name, "zip")
        .or_page(actor)
}
