//! Follow-up notices (督办通知): the list, the form the office and the supervisors issue them
//! with, and one notice with the unit's answer.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::deadline::{Colour, colour};
use xunshi_core::page::SortedPage;
use xunshi_core::rectify::NoticeKind;
use xunshi_core::service::{FollowUpEntry, SupervisionContext, today};
use xunshi_core::supervision::{FollowUpAnswer, FollowUpInput};
use xunshi_core::{CoreError, Id};

use super::{Choice, filter_choices, inspection_label, link, opt_id};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::docx;
use crate::http::filters::{FollowUpParams, given};
use crate::pages::pager::{Asked, Pager};
use crate::pages::{FormErrors, Frame, OrPage, PageResult, error_page, render, see_other};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/supervision/followups", get(list).post(issue))
        .route("/supervision/followups/new", get(new))
        .route("/supervision/followups/{id}", get(show))
        .route("/supervision/followups/{id}/notice.docx", get(notice_docx))
        .route("/supervision/followups/{id}/answer", post(answer))
}

/// One notice as a row or a page.
pub struct Row {
    pub id: String,
    pub kind: &'static str,
    pub doc_no: String,
    pub team: String,
    pub unit: String,
    pub task: Option<(String, String)>,
    pub content: String,
    pub issued_on: String,
    pub issued_by: String,
    pub answer_due: String,
    pub answered: bool,
    pub answer: String,
    pub answered_on: String,
    pub answered_by: String,
    /// 已答复 / 待答复 / 逾期未答复, and its colour class.
    pub state: &'static str,
    pub state_class: &'static str,
    pub version: i64,
}

impl Row {
    fn of(e: &FollowUpEntry, day: jiff::civil::Date, warn_days: i32) -> Row {
        let n = &e.notice;
        let answered = n.answer.is_some();
        let (state, state_class) = match (answered, n.answer_due) {
            (true, _) => ("已答复", "green"),
            (false, Some(due)) => match colour(due, day, warn_days, false) {
                Colour::Red => ("逾期未答复", "red"),
                Colour::Yellow => ("待答复（临期）", "yellow"),
                // An open deadline is never closed-late.
                Colour::Green | Colour::ClosedLate => ("待答复", "grey"),
            },
            (false, None) => ("待答复", "grey"),
        };
        Row {
            id: n.id.to_string(),
            kind: n.kind.label(),
            doc_no: n.doc_no.clone(),
            team: e.team_name.clone(),
            unit: e.unit_name.clone(),
            task: e
                .task
                .as_ref()
                .map(|t| (t.id.to_string(), format!("{} {}", t.seq, t.measure))),
            content: n.content.clone(),
            issued_on: n.issued_on.to_string(),
            issued_by: n.issued_by.clone(),
            answer_due: n.answer_due.map(|d| d.to_string()).unwrap_or_default(),
            answered,
            answer: n.answer.clone().unwrap_or_default(),
            answered_on: n.answered_on.map(|d| d.to_string()).unwrap_or_default(),
            answered_by: n.answered_by.clone().unwrap_or_default(),
            state,
            state_class,
            version: n.version,
        }
    }
}

fn kinds(current: &str) -> Vec<Choice> {
    NoticeKind::ALL
        .iter()
        .map(|k| Choice::new(k.as_str(), k.label(), current))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The list: /supervision/followups

#[derive(Template)]
#[template(path = "followups.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    inspections: Vec<Choice>,
    units: Vec<Choice>,
    kinds: Vec<Choice>,
    states: Vec<Choice>,
    filtered: bool,
    q: String,
    total: i64,
    pages: Pager,
    may_issue: bool,
    new_link: String,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    task_id: String,
    #[serde(default)]
    kind: String,
    /// `yes` answered, `no` awaiting the answer.
    #[serde(default)]
    answered: String,
    notice: Option<String>,
}

async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ListQuery>,
    Query(sq): Query<FollowUpParams>,
) -> PageResult {
    let actor = &user.actor;
    // The parser of the API's list: a filter that cannot be read is refused, not dropped.
    let asked = Asked::read(sq.filter().and_then(|f| Ok((f, sq.sorted()?))), actor)?;
    let list = match &asked.filter {
        Some(f) => app
            .services
            .followup_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let pages = Pager::of(
        "/supervision/followups",
        &sq.query(),
        &asked,
        &list,
        sq.page,
    );
    let day = today(app.services.now());
    let warn_days = app.services.warn_days().await.or_page(actor)?;
    let picks = app
        .services
        .rectifying_inspections(actor)
        .await
        .or_page(actor)?;
    let (inspections, units) = filter_choices(&picks, &q.inspection_id, &q.unit_id);
    let page = ListPage {
        frame: Frame::new(&app, &user, "督办通知", "/supervision/followups")
            .await
            .with_notice(q.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows: list
            .items
            .iter()
            .map(|e| Row::of(e, day, warn_days))
            .collect(),
        inspections,
        units,
        kinds: kinds(&q.kind),
        states: vec![
            Choice::new("no", "待答复", &q.answered),
            Choice::new("yes", "已答复", &q.answered),
        ],
        filtered: !(q.inspection_id.is_empty()
            && q.unit_id.is_empty()
            && q.task_id.is_empty()
            && q.kind.is_empty()
            && q.answered.is_empty()
            && given(&sq.q).is_none()),
        q: given(&sq.q).unwrap_or_default().to_owned(),
        total: list.total,
        pages,
        may_issue: app.services.may_supervise(actor),
        new_link: link(
            "/supervision/followups/new",
            &[("inspection_id", &q.inspection_id)],
        ),
    };
    Ok(render(super::super::list_status(&asked.refused), &page))
}

// ---------------------------------------------------------------------------------------------
// Issuing: /supervision/followups/new, POST /supervision/followups

#[derive(Deserialize, Default, Clone)]
struct NoticeForm {
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    task_id: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    doc_no: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    answer_due: String,
}

impl NoticeForm {
    fn input(&self) -> FollowUpInput {
        FollowUpInput {
            inspection_id: self.inspection_id.clone(),
            unit_id: self.unit_id.clone(),
            task_id: Some(self.task_id.clone()),
            kind: self.kind.clone(),
            doc_no: self.doc_no.clone(),
            content: self.content.clone(),
            answer_due: Some(self.answer_due.clone()),
        }
    }
}

/// The tasks of an inspection's units for a picker, labelled with their unit when there are
/// several.
pub struct TaskChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

pub fn task_choices(ctx: &SupervisionContext, current: &[String]) -> Vec<TaskChoice> {
    let several = ctx.inspection.units.len() > 1;
    ctx.tasks
        .iter()
        .map(|t| {
            let unit = ctx
                .inspection
                .units
                .iter()
                .find(|u| u.id == t.unit_id)
                .map(|u| u.name.as_str())
                .unwrap_or_default();
            let measure: String = t.measure.chars().take(40).collect();
            TaskChoice {
                value: t.id.to_string(),
                label: if several {
                    format!("{unit} · {} {measure}", t.seq)
                } else {
                    format!("{} {measure}", t.seq)
                },
                selected: current.contains(&t.id.to_string()),
            }
        })
        .collect()
}

#[derive(Template)]
#[template(path = "followup_form.html")]
struct FormPage {
    frame: Frame,
    /// No inspection chosen yet: the first step picks one.
    choose: Vec<Choice>,
    inspection_name: String,
    units: Vec<Choice>,
    tasks: Vec<TaskChoice>,
    kinds: Vec<Choice>,
    form: NoticeForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct NewQuery {
    #[serde(default)]
    inspection_id: String,
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    task_id: String,
}

async fn new(State(app): State<AppState>, user: PageUser, Query(q): Query<NewQuery>) -> PageResult {
    let form = NoticeForm {
        inspection_id: q.inspection_id,
        unit_id: q.unit_id,
        task_id: q.task_id,
        kind: NoticeKind::Reminder.as_str().to_owned(),
        ..Default::default()
    };
    render_form(&app, &user, form, FormErrors::none(), StatusCode::OK).await
}

async fn render_form(
    app: &AppState,
    user: &PageUser,
    mut form: NoticeForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    if !app.services.may_supervise(actor) {
        return Err(CoreError::Forbidden(
            "只有巡视办、纪委监委和组织部可以下发督办通知".into(),
        ))
        .or_page(actor);
    }
    let frame = Frame::new(app, user, "下发督办通知", "/supervision/followups").await;
    let ctx = match opt_id(&form.inspection_id) {
        Some(id) => app.services.supervision_context(actor, id).await.ok(),
        None => None,
    };
    let Some(ctx) = ctx else {
        let picks = app
            .services
            .rectifying_inspections(actor)
            .await
            .or_page(actor)?;
        let page = FormPage {
            frame,
            choose: picks
                .iter()
                .map(|i| Choice::new(i.id.to_string(), inspection_label(i), ""))
                .collect(),
            inspection_name: String::new(),
            units: Vec::new(),
            tasks: Vec::new(),
            kinds: Vec::new(),
            form,
            errors,
        };
        return Ok(render(status, &page));
    };
    if form.unit_id.is_empty() && ctx.inspection.units.len() == 1 {
        form.unit_id = ctx.inspection.units[0].id.to_string();
    }
    let page = FormPage {
        frame,
        choose: Vec::new(),
        inspection_name: inspection_label(&ctx.inspection),
        units: ctx
            .inspection
            .units
            .iter()
            .map(|u| Choice::new(u.id.to_string(), u.name.clone(), &form.unit_id))
            .collect(),
        tasks: task_choices(&ctx, std::slice::from_ref(&form.task_id)),
        kinds: kinds(&form.kind),
        form,
        errors,
    };
    Ok(render(status, &page))
}

async fn issue(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<NoticeForm>,
) -> PageResult {
    let actor = &user.actor;
    match app.services.issue_followup(actor, &f.input()).await {
        Ok(n) => Ok(see_other(
            &format!("/supervision/followups/{}", n.id),
            "created",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => render_form(&app, &user, f, FormErrors::from_error(&e), status_of(&e)).await,
    }
}

// ---------------------------------------------------------------------------------------------
// One notice: /supervision/followups/{id}, with the unit's answer

#[derive(Template)]
#[template(path = "followup.html")]
struct ShowPage {
    frame: Frame,
    row: Row,
    may_answer: bool,
    answer: String,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    version: Option<i64>,
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let id = Id::from_path(&id, "督办通知").or_page(&user.actor)?;
    render_show(
        &app,
        &user,
        id,
        q.notice.as_deref(),
        String::new(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

/// The notice as the `.docx` sent to the unit, for whoever reads the notice's page.
async fn notice_docx(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<axum::response::Response, crate::pages::PageError> {
    let actor = &user.actor;
    let id = Id::from_path(&id, "督办通知").or_page(actor)?;
    let e = app.services.get_followup(actor, id).await.or_page(actor)?;
    docx::docx_response(&docx::followup_doc(&e)).or_page(actor)
}

async fn render_show(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    answer: String,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let e = app.services.get_followup(actor, id).await.or_page(actor)?;
    let day = today(app.services.now());
    let warn_days = app.services.warn_days().await.or_page(actor)?;
    let title = format!("{}{}", e.notice.kind.label(), e.notice.doc_no);
    let page = ShowPage {
        frame: Frame::new(app, user, &title, "/supervision/followups")
            .await
            .with_notice(notice),
        row: Row::of(&e, day, warn_days),
        may_answer: e.may_answer,
        answer,
        errors,
    };
    Ok(render(status, &page))
}

async fn answer(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "督办通知").or_page(actor)?;
    let result = async {
        let version = crate::http::require_version(f.version)?;
        app.services
            .answer_followup(
                actor,
                id,
                &FollowUpAnswer {
                    version,
                    answer: f.answer.clone(),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/supervision/followups/{id}"), "saved")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            render_show(
                &app,
                &user,
                id,
                None,
                f.answer,
                FormErrors::from_error(&e),
                status_of(&e),
            )
            .await
        }
    }
}
