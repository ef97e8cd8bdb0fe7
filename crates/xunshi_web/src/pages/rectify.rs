//! Pages of the rectification plans (整改方案): the overview of the units that have received
//! feedback and their plans, one plan with its leading group, its ledger grouped by heading,
//! problem and measure, the forms to add and change tasks, submission and review; and the
//! form that changes one task of a draft plan.
//!
//! The services decide who may do what; the pages show the buttons the services' rights allow
//! and render refusals as the services word them.

use crate::http::Form;
use crate::http::FormPairs;
use crate::http::docx;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::deadline::Colour;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Due, GroupMember, PlanStatus, Task, TaskInput, TaskStatus};
use xunshi_core::role::Role;
use xunshi_core::service::{CarryInput, PlanDetail, PlanSlot, RectPlanInput, TaskEntry};
use xunshi_core::{CoreError, Id};

use super::{
    FormErrors, Frame, OrPage, PageError, PageResult, error_page, local_time, render, see_other,
};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rectification", get(board))
        .route("/rectification/plans", post(create))
        .route(
            "/rectification/plans/{id}",
            get(plan_page).post(update_plan),
        )
        .route("/rectification/plans/{id}/plan.docx", get(plan_docx))
        .route("/rectification/plans/{id}/tasks", post(add_task))
        .route("/rectification/plans/{id}/submit", post(submit))
        .route("/rectification/plans/{id}/review", post(review))
        .route("/rectification/plans/{id}/carried", post(carry))
        .route("/rectification/plans/{id}/carried/remove", post(uncarry))
        .route(
            "/rectification/tasks/{id}/edit",
            get(edit_task).post(save_task),
        )
        .route("/rectification/tasks/{id}/withdraw", post(withdraw_task))
}

/// Whether the navigation offers the rectification pages: to everyone with a part in it.
pub fn shows_rectification(actor: &Actor) -> bool {
    actor.grants().iter().any(|g| g.role != Role::Admin)
}

// ---------------------------------------------------------------------------------------------
// Shared pieces, also used by the ledger pages

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn choice(value: &str, label: &str, current: &str) -> Choice {
    Choice {
        value: value.to_owned(),
        label: label.to_owned(),
        selected: value == current,
    }
}

pub fn due_kinds(current: &str) -> Vec<Choice> {
    vec![
        choice("by", "限期完成", current),
        choice("immediate", "立行立改", current),
        choice("long_term", "长期坚持", current),
    ]
}

pub fn due_kind_code(d: Due) -> &'static str {
    match d {
        Due::Immediate { .. } => "immediate",
        Due::By { .. } => "by",
        Due::LongTerm => "long_term",
    }
}

pub fn colour_class(c: Colour) -> &'static str {
    c.as_str()
}

pub fn status_class(t: &Task) -> &'static str {
    match (t.due, t.status) {
        (_, TaskStatus::Closed) => "green",
        (Due::LongTerm, TaskStatus::InProgress) => "green",
        (_, TaskStatus::NotStarted) => "grey",
        _ => "yellow",
    }
}

/// 一、二、…：the headings of official documents.
pub fn chinese_number(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    match n {
        0..=9 => DIGITS[n as usize].to_owned(),
        10..=19 => format!(
            "十{}",
            if n == 10 {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        20..=99 => format!(
            "{}十{}",
            DIGITS[(n / 10) as usize],
            if n.is_multiple_of(10) {
                ""
            } else {
                DIGITS[(n % 10) as usize]
            }
        ),
        _ => n.to_string(),
    }
}

/// One task as a row of a table.
pub struct TaskRow {
    pub id: String,
    pub seq: String,
    pub measure: String,
    pub target: String,
    pub standard: String,
    pub responsible_leader: String,
    pub lead_department: String,
    pub co_departments: String,
    pub responsible_person: String,
    pub due: String,
    pub status: String,
    /// The state's code (`claimed` …), for what a row offers.
    pub status_code: &'static str,
    pub status_class: &'static str,
    pub colour: &'static str,
    pub colour_class: &'static str,
    pub overdue: bool,
    pub progress: i16,
    pub latest: String,
    pub latest_at: String,
    pub unit_name: String,
    pub team_name: String,
    pub category: String,
    pub problem_title: String,
    pub not_for_disclosure: bool,
    /// Carried over into a later plan (一并落实).
    pub carried: bool,
    pub version: i64,
}

impl TaskRow {
    pub fn of(e: &TaskEntry) -> TaskRow {
        let t = &e.task;
        TaskRow {
            id: t.id.to_string(),
            seq: t.seq.clone(),
            measure: t.measure.clone(),
            target: t.target.clone(),
            standard: t.standard.clone(),
            responsible_leader: t.responsible_leader.clone(),
            lead_department: t.lead_department.clone(),
            co_departments: t.co_departments.clone(),
            responsible_person: t.responsible_person.clone(),
            due: t.due.label(),
            status: e.status_label.clone(),
            status_code: t.status.as_str(),
            status_class: status_class(t),
            colour: e.colour.label(),
            colour_class: colour_class(e.colour),
            overdue: e.colour == Colour::Red,
            progress: t.progress,
            latest: e
                .latest
                .as_ref()
                .map(|p| p.text.clone())
                .unwrap_or_default(),
            latest_at: e
                .latest
                .as_ref()
                .map(|p| local_time(p.at))
                .unwrap_or_default(),
            unit_name: e.unit_name.clone(),
            team_name: e.team_name.clone(),
            category: e.category_name.clone(),
            problem_title: e.problem_title.clone(),
            not_for_disclosure: t.not_for_disclosure,
            carried: e.carried,
            version: t.version,
        }
    }
}

fn parse_id(raw: &str, what: &str, actor: &Actor) -> Result<Id, super::PageError> {
    Id::from_path(raw, what).or_page(actor)
}

fn need_version(v: Option<i64>, actor: &Actor) -> Result<i64, super::PageError> {
    crate::http::require_version(v).or_page(actor)
}

/// The fields of the task form, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct TaskForm {
    #[serde(default)]
    pub problem_id: String,
    #[serde(default)]
    pub measure: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub standard: String,
    #[serde(default)]
    pub responsible_leader: String,
    #[serde(default)]
    pub lead_department: String,
    #[serde(default)]
    pub co_departments: String,
    #[serde(default)]
    pub responsible_person: String,
    #[serde(default)]
    pub due_kind: String,
    #[serde(default)]
    pub due_date: String,
    /// A ticked box arrives as "on"; an unticked one not at all.
    #[serde(default)]
    pub not_for_disclosure: Option<String>,
    pub version: Option<i64>,
}

impl TaskForm {
    fn input(&self) -> TaskInput {
        TaskInput {
            problem_id: self.problem_id.clone(),
            measure: self.measure.clone(),
            target: self.target.clone(),
            standard: self.standard.clone(),
            responsible_leader: self.responsible_leader.clone(),
            lead_department: self.lead_department.clone(),
            co_departments: self.co_departments.clone(),
            responsible_person: self.responsible_person.clone(),
            due_kind: self.due_kind.clone(),
            due_date: Some(self.due_date.clone()),
            not_for_disclosure: self.not_for_disclosure.is_some(),
        }
    }

    fn of(t: &Task) -> TaskForm {
        TaskForm {
            problem_id: t.problem_id.to_string(),
            measure: t.measure.clone(),
            target: t.target.clone(),
            standard: t.standard.clone(),
            responsible_leader: t.responsible_leader.clone(),
            lead_department: t.lead_department.clone(),
            co_departments: t.co_departments.clone(),
            responsible_person: t.responsible_person.clone(),
            due_kind: due_kind_code(t.due).to_owned(),
            due_date: t.due.date().map(|d| d.to_string()).unwrap_or_default(),
            not_for_disclosure: t.not_for_disclosure.then(|| "on".to_owned()),
            version: Some(t.version),
        }
    }

    pub fn disclosure_off(&self) -> bool {
        self.not_for_disclosure.is_some()
    }
}

// ---------------------------------------------------------------------------------------------
// The overview: /rectification

struct SlotRow {
    inspection_id: String,
    team_name: String,
    unit_id: String,
    unit_name: String,
    feedback_date: String,
    plan_id: String,
    title: String,
    status: &'static str,
    status_class: &'static str,
    tasks: usize,
    closed: usize,
    overdue: usize,
    can_create: bool,
}

fn plan_status_class(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "grey",
        PlanStatus::Submitted => "yellow",
        PlanStatus::Returned => "red",
        PlanStatus::Approved => "green",
    }
}

impl SlotRow {
    fn of(s: &PlanSlot) -> SlotRow {
        let p = s.plan.as_ref();
        SlotRow {
            inspection_id: s.inspection_id.to_string(),
            team_name: s.team_name.clone(),
            unit_id: s.unit_id.to_string(),
            unit_name: s.unit_name.clone(),
            feedback_date: s.feedback_date.map(|d| d.to_string()).unwrap_or_default(),
            plan_id: p.map(|p| p.id.to_string()).unwrap_or_default(),
            title: p.map(|p| p.title.clone()).unwrap_or_default(),
            status: p.map(|p| p.status.label()).unwrap_or("尚未起草"),
            status_class: p.map(|p| plan_status_class(p.status)).unwrap_or("grey"),
            tasks: s.tasks,
            closed: s.closed,
            overdue: s.overdue,
            can_create: s.can_create,
        }
    }
}

#[derive(Template)]
#[template(path = "rect_board.html")]
struct BoardPage {
    frame: Frame,
    rows: Vec<SlotRow>,
    error: Option<String>,
    next_cursor: Option<String>,
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

#[derive(Deserialize)]
struct BoardQuery {
    notice: Option<String>,
    cursor: Option<String>,
}

async fn render_board(
    app: &AppState,
    user: &PageUser,
    notice: Option<&str>,
    cursor: &Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let page = crate::http::filters::paging(cursor, Some(20)).or_page(actor)?;
    let slots = app.services.plan_board(actor, page).await.or_page(actor)?;
    let page = BoardPage {
        frame: Frame::new(app, user, "整改方案", "/rectification")
            .await
            .with_notice(notice),
        rows: slots.items.iter().map(SlotRow::of).collect(),
        error,
        next_cursor: slots.next_cursor,
    };
    Ok(render(status, &page))
}

async fn board(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    render_board(
        &app,
        &user,
        q.notice.as_deref(),
        &q.cursor,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    unit_id: String,
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<CreateForm>,
) -> PageResult {
    let actor = &user.actor;
    let insp = parse_id(&f.inspection_id, "巡视任务", actor)?;
    let unit = parse_id(&f.unit_id, "单位", actor)?;
    match app
        .services
        .create_rect_plan(actor, insp, unit, &RectPlanInput::default())
        .await
    {
        Ok(p) => Ok(see_other(
            &format!("/rectification/plans/{}", p.id),
            "created",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            let message = super::FormErrors::from_error(&e).general;
            render_board(&app, &user, None, &None, message, status_of(&e)).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One plan: /rectification/plans/{id}

/// The plan form: title, organisation, and the leading group as repeated rows.
#[derive(Default, Clone)]
struct PlanForm {
    title: String,
    organisation: String,
    members: Vec<GroupMember>,
    version: Option<i64>,
}

impl PlanForm {
    /// Reads the form by hand: the group's rows arrive as repeated `member_name`,
    /// `member_post` and `member_role` fields, in order.
    fn parse(pairs: FormPairs) -> Result<PlanForm, CoreError> {
        let version = match pairs.opt("version") {
            Some(_) => Some(pairs.version()?),
            None => None,
        };
        let mut f = PlanForm {
            version,
            ..PlanForm::default()
        };
        let (mut names, mut posts, mut roles) = (Vec::new(), Vec::new(), Vec::new());
        for (k, v) in pairs.0 {
            match k.as_str() {
                "title" => f.title = v,
                "organisation" => f.organisation = v,
                "member_name" => names.push(v),
                "member_post" => posts.push(v),
                "member_role" => roles.push(v),
                _ => {}
            }
        }
        for (i, name) in names.into_iter().enumerate() {
            f.members.push(GroupMember {
                name,
                post: posts.get(i).cloned().unwrap_or_default(),
                role: roles.get(i).cloned().unwrap_or_default(),
            });
        }
        Ok(f)
    }

    fn input(&self) -> RectPlanInput {
        RectPlanInput {
            title: self.title.clone(),
            organisation: self.organisation.clone(),
            leading_group: self.members.clone(),
        }
    }
}

struct MemberRow {
    name: String,
    post: String,
    roles: Vec<Choice>,
}

fn member_rows(members: &[GroupMember]) -> Vec<MemberRow> {
    let row = |m: Option<&GroupMember>| {
        let role = m.map(|m| m.role.as_str()).unwrap_or("成员");
        MemberRow {
            name: m.map(|m| m.name.clone()).unwrap_or_default(),
            post: m.map(|m| m.post.clone()).unwrap_or_default(),
            roles: ["组长", "副组长", "成员"]
                .iter()
                .map(|r| choice(r, r, role))
                .collect(),
        }
    };
    let mut rows: Vec<MemberRow> = members.iter().map(|m| row(Some(m))).collect();
    // Room for three more on every showing of the form.
    for _ in 0..3 {
        rows.push(row(None));
    }
    rows
}

struct ProblemBlock {
    number: String,
    title: String,
    tasks: Vec<TaskRow>,
}

struct HeadingBlock {
    label: String,
    problems: Vec<ProblemBlock>,
}

struct ReviewRow {
    approved: bool,
    comment: String,
    by: String,
    at: String,
}

pub struct ChangeRow {
    pub id: String,
    pub task_id: String,
    pub seq: String,
    pub before_measure: String,
    pub after_measure: String,
    pub before_due: String,
    pub after_due: String,
    pub reason: String,
    pub decision: &'static str,
    pub decision_class: &'static str,
    pub comment: String,
    pub requested: String,
    pub decided: String,
    pub pending: bool,
}

impl ChangeRow {
    pub fn of(c: &xunshi_core::rectify::ChangeRequest, seq: &str) -> ChangeRow {
        ChangeRow {
            id: c.id.to_string(),
            task_id: c.task_id.to_string(),
            seq: seq.to_owned(),
            before_measure: c.before_measure.clone(),
            after_measure: c.after_measure.clone(),
            before_due: c.before_due.label(),
            after_due: c.after_due.label(),
            reason: c.reason.clone(),
            decision: match c.approved {
                None => "待审批",
                Some(true) => "已同意",
                Some(false) => "未同意",
            },
            decision_class: match c.approved {
                None => "yellow",
                Some(true) => "green",
                Some(false) => "grey",
            },
            comment: c.decision_comment.clone(),
            requested: format!("{} {}", c.requested_by, local_time(c.requested_at)),
            decided: match (&c.decided_by, c.decided_at) {
                (Some(by), Some(at)) => format!("{by} {}", local_time(at)),
                _ => String::new(),
            },
            pending: c.approved.is_none(),
        }
    }
}

#[derive(Template)]
#[template(path = "rect_plan.html")]
struct PlanPage {
    frame: Frame,
    id: String,
    inspection_id: String,
    unit_id: String,
    title: String,
    status: &'static str,
    status_class: &'static str,
    team_name: String,
    unit_name: String,
    feedback_date: String,
    submitted_at: String,
    approved_at: String,
    version: i64,
    organisation: String,
    group: Vec<GroupMember>,
    ledger: Vec<HeadingBlock>,
    uncovered: Vec<String>,
    withdrawn: Vec<(String, String, String)>,
    carried: Vec<CarriedRow>,
    /// The unit's open tasks of other inspections it may carry over, for the drafters.
    carryable: Vec<Choice>,
    carry_errors: FormErrors,
    reviews: Vec<ReviewRow>,
    changes: Vec<ChangeRow>,
    can_edit: bool,
    can_submit: bool,
    can_review: bool,
    plan_form: PlanForm,
    members: Vec<MemberRow>,
    plan_errors: FormErrors,
    task_form: TaskForm,
    problems: Vec<Choice>,
    kinds: Vec<Choice>,
    task_errors: FormErrors,
    submit_errors: FormErrors,
    review_comment: String,
    review_errors: FormErrors,
}

/// Which form of the plan page comes back with what was typed and its messages.
enum Open {
    None,
    Plan(PlanForm, FormErrors),
    Task(TaskForm, FormErrors),
    Submit(FormErrors),
    Review(String, FormErrors),
    Carry(FormErrors),
}

/// An earlier inspection's task the plan carries over, as its section lists it.
struct CarriedRow {
    row: TaskRow,
    year: i32,
    by: String,
    at: String,
}

async fn render_plan(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    open: Open,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let d: PlanDetail = app
        .services
        .rect_plan_detail(actor, id)
        .await
        .or_page(actor)?;
    let p = &d.plan;
    let seq_of = |task_id: Id| {
        d.ledger
            .iter()
            .flat_map(|c| c.problems.iter())
            .flat_map(|p| p.tasks.iter())
            .find(|e| e.task.id == task_id)
            .map(|e| e.task.seq.clone())
            .unwrap_or_default()
    };
    let changes = d
        .change_requests
        .iter()
        .map(|c| ChangeRow::of(c, &seq_of(c.task_id)))
        .collect();
    let mut page = PlanPage {
        frame: Frame::new(app, user, "整改方案", "/rectification")
            .await
            .with_notice(notice),
        id: p.id.to_string(),
        inspection_id: p.inspection_id.to_string(),
        unit_id: p.unit_id.to_string(),
        title: p.title.clone(),
        status: p.status.label(),
        status_class: plan_status_class(p.status),
        team_name: d.team_name.clone(),
        unit_name: d.unit_name.clone(),
        feedback_date: d.feedback_date.map(|d| d.to_string()).unwrap_or_default(),
        submitted_at: p.submitted_at.map(local_time).unwrap_or_default(),
        approved_at: p.approved_at.map(local_time).unwrap_or_default(),
        version: p.version,
        organisation: p.organisation.clone(),
        group: p.leading_group.clone(),
        ledger: d
            .ledger
            .iter()
            .map(|c| HeadingBlock {
                label: format!("{}、{}", chinese_number(c.number), c.name),
                problems: c
                    .problems
                    .iter()
                    .map(|pr| ProblemBlock {
                        number: pr.number.clone(),
                        title: pr.title.clone(),
                        tasks: pr.tasks.iter().map(TaskRow::of).collect(),
                    })
                    .collect(),
            })
            .collect(),
        uncovered: d
            .uncovered
            .iter()
            .map(|u| format!("{} {}", u.number, u.title))
            .collect(),
        withdrawn: d
            .withdrawn
            .iter()
            .map(|t| {
                (
                    t.seq.clone(),
                    t.measure.clone(),
                    t.withdrawn_reason.clone().unwrap_or_default(),
                )
            })
            .collect(),
        carried: d
            .carried
            .iter()
            .map(|c| CarriedRow {
                row: TaskRow::of(&c.entry),
                year: c.year,
                by: c.carried_by.clone(),
                at: local_time(c.carried_at),
            })
            .collect(),
        carryable: Vec::new(),
        carry_errors: FormErrors::none(),
        reviews: d
            .reviews
            .iter()
            .map(|r| ReviewRow {
                approved: r.approved,
                comment: r.comment.clone(),
                by: r.by_name.clone(),
                at: local_time(r.at),
            })
            .collect(),
        changes,
        can_edit: d.rights.edit,
        can_submit: d.rights.submit,
        can_review: d.rights.review,
        plan_form: PlanForm {
            title: p.title.clone(),
            organisation: p.organisation.clone(),
            members: p.leading_group.clone(),
            version: Some(p.version),
        },
        members: Vec::new(),
        plan_errors: FormErrors::none(),
        task_form: TaskForm {
            due_kind: "by".into(),
            ..Default::default()
        },
        problems: Vec::new(),
        kinds: Vec::new(),
        task_errors: FormErrors::none(),
        submit_errors: FormErrors::none(),
        review_comment: String::new(),
        review_errors: FormErrors::none(),
    };
    match open {
        Open::None => {}
        Open::Plan(f, e) => {
            page.plan_form = f;
            page.plan_errors = e;
        }
        Open::Task(f, e) => {
            page.task_form = f;
            page.task_errors = e;
        }
        Open::Submit(e) => page.submit_errors = e,
        Open::Review(c, e) => {
            page.review_comment = c;
            page.review_errors = e;
        }
        Open::Carry(e) => page.carry_errors = e,
    }
    if d.rights.edit {
        page.carryable = app
            .services
            .carryable_tasks(actor, id)
            .await
            .or_page(actor)?
            .iter()
            .map(|e| {
                choice(
                    &e.task.id.to_string(),
                    &format!(
                        "{} {} {}（{}）",
                        e.team_name, e.task.seq, e.task.measure, e.status_label
                    ),
                    "",
                )
            })
            .collect();
    }
    page.members = member_rows(&page.plan_form.members);
    page.problems = d
        .problems
        .iter()
        .map(|pr| {
            choice(
                &pr.problem_id.to_string(),
                &format!("{} {}", pr.number, pr.title),
                &page.task_form.problem_id,
            )
        })
        .collect();
    page.kinds = due_kinds(&page.task_form.due_kind);
    Ok(render(status, &page))
}

/// The plan as a `.docx`, for whoever may read it on its page (`rect_plan_detail`'s rule).
async fn plan_docx(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改方案", actor)?;
    let d = app
        .services
        .rect_plan_detail(actor, id)
        .await
        .or_page(actor)?;
    docx::docx_response(&docx::plan_doc(&d)).or_page(actor)
}

async fn plan_page(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "整改方案", &user.actor)?;
    render_plan(
        &app,
        &user,
        id,
        q.notice.as_deref(),
        Open::None,
        StatusCode::OK,
    )
    .await
}

/// After a form: back to the plan, or the plan again with the form's messages. Refusals of
/// the actor (403, 404) are pages of their own.
async fn after(
    app: &AppState,
    user: &PageUser,
    id: Id,
    result: Result<(), CoreError>,
    notice: &str,
    reopen: impl FnOnce(FormErrors) -> Open,
) -> PageResult {
    match result {
        Ok(()) => Ok(see_other(&format!("/rectification/plans/{id}"), notice)),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(&user.actor)))
        }
        Err(e) => {
            let status = status_of(&e);
            render_plan(
                app,
                user,
                id,
                None,
                reopen(FormErrors::from_error(&e)),
                status,
            )
            .await
        }
    }
}

async fn update_plan(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    pairs: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改方案", actor)?;
    let f = PlanForm::parse(pairs).or_page(actor)?;
    let version = need_version(f.version, actor)?;
    let result = app
        .services
        .update_rect_plan(actor, id, version, &f.input())
        .await
        .map(|_| ());
    after(&app, &user, id, result, "saved", |e| Open::Plan(f, e)).await
}

async fn add_task(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<TaskForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改方案", actor)?;
    let result = app
        .services
        .add_task(actor, id, &f.input())
        .await
        .map(|_| ());
    after(&app, &user, id, result, "created", |e| Open::Task(f, e)).await
}

#[derive(Deserialize)]
struct VersionForm {
    version: Option<i64>,
}

async fn submit(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改方案", actor)?;
    let version = need_version(f.version, actor)?;
    let result = app
        .services
        .submit_plan(actor, id, version)
        .await
        .map(|_| ());
    after(&app, &user, id, result, "saved", Open::Submit).await
}

#[derive(Deserialize)]
struct CarryForm {
    version: Option<i64>,
    #[serde(default)]
    task_id: String,
}

impl CarryForm {
    fn input(&self, actor: &Actor) -> Result<CarryInput, PageError> {
        Ok(CarryInput {
            version: need_version(self.version, actor)?,
            task_id: self
                .task_id
                .trim()
                .parse()
                .map_err(|_| CoreError::bad_input("task_id", "请选择要一并落实的整改任务"))
                .or_page(actor)?,
        })
    }
}

async fn carry(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<CarryForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改方案", actor)?;
    let input = f.input(actor)?;
    let result = app.services.carry_task(actor, id, &input).await.map(|_| ());
    after(&app, &user, id, result, "saved", Open::Carry).await
}

async fn uncarry(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<CarryForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改方案", actor)?;
    let input = f.input(actor)?;
    let result = app
        .services
        .uncarry_task(actor, id, &input)
        .await
        .map(|_| ());
    after(&app, &user, id, result, "saved", Open::Carry).await
}

#[derive(Deserialize)]
struct ReviewForm {
    version: Option<i64>,
    /// approve or return
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
}

async fn review(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改方案", actor)?;
    let version = need_version(f.version, actor)?;
    let approve = match f.decision.as_str() {
        "approve" => true,
        "return" => false,
        _ => {
            let e = CoreError::bad_input("decision", "请选择审核通过或退回修改");
            return after(&app, &user, id, Err(e), "", |e| Open::Review(f.comment, e)).await;
        }
    };
    let result = app
        .services
        .review_plan(actor, id, version, approve, &f.comment)
        .await
        .map(|_| ());
    let notice = if approve { "saved" } else { "returned" };
    after(&app, &user, id, result, notice, |e| {
        Open::Review(f.comment, e)
    })
    .await
}

// ---------------------------------------------------------------------------------------------
// Changing a task of a draft plan: /rectification/tasks/{id}/edit

#[derive(Template)]
#[template(path = "rect_task_form.html")]
struct TaskEditPage {
    frame: Frame,
    id: String,
    plan_id: String,
    seq: String,
    problem_title: String,
    form: TaskForm,
    kinds: Vec<Choice>,
    errors: FormErrors,
    withdraw_reason: String,
    withdraw_errors: FormErrors,
}

async fn render_edit(
    app: &AppState,
    user: &PageUser,
    id: Id,
    form: Option<TaskForm>,
    errors: FormErrors,
    withdraw: Option<(String, FormErrors)>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let d = app.services.get_task(actor, id).await.or_page(actor)?;
    if !d.rights.edit {
        let why = if d.plan.status == PlanStatus::Approved {
            "整改方案已审核通过，任务的措施或时限如需调整，请在任务页面提出变更申请"
        } else {
            "只有被巡视单位主要负责人和联络员可以在方案起草或退回修改时修改任务"
        };
        return Err(CoreError::Forbidden(why.into())).or_page(actor);
    }
    let form = form.unwrap_or_else(|| TaskForm::of(&d.entry.task));
    let (withdraw_reason, withdraw_errors) = withdraw.unwrap_or_default();
    let page = TaskEditPage {
        frame: Frame::new(app, user, "修改整改任务", "/rectification").await,
        id: id.to_string(),
        plan_id: d.plan.id.to_string(),
        seq: d.entry.task.seq.clone(),
        problem_title: d.entry.problem_title.clone(),
        kinds: due_kinds(&form.due_kind),
        form,
        errors,
        withdraw_reason,
        withdraw_errors,
    };
    Ok(render(status, &page))
}

async fn edit_task(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, "整改任务", &user.actor)?;
    render_edit(
        &app,
        &user,
        id,
        None,
        FormErrors::none(),
        None,
        StatusCode::OK,
    )
    .await
}

async fn save_task(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<TaskForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改任务", actor)?;
    let version = need_version(f.version, actor)?;
    match app
        .services
        .update_task(actor, id, version, &f.input())
        .await
    {
        Ok(t) => Ok(see_other(
            &format!("/rectification/plans/{}", t.plan_id),
            "saved",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            let status = status_of(&e);
            render_edit(
                &app,
                &user,
                id,
                Some(f),
                FormErrors::from_error(&e),
                None,
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct WithdrawForm {
    version: Option<i64>,
    #[serde(default)]
    reason: String,
}

async fn withdraw_task(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改任务", actor)?;
    let version = need_version(f.version, actor)?;
    match app
        .services
        .withdraw_task(actor, id, version, &f.reason)
        .await
    {
        Ok(t) => Ok(see_other(
            &format!("/rectification/plans/{}", t.plan_id),
            "withdrawn",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            let status = status_of(&e);
            let w = Some((f.reason, FormErrors::from_error(&e)));
            render_edit(&app, &user, id, None, FormErrors::none(), w, status).await
        }
    }
}
