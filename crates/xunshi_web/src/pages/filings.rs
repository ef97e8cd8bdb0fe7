//! 上下级报备: the filings a reader sees (a committee's own office those of its committee, the
//! office of the top committee and the leadership all), the form a committee's office files
//! its plans and rounds with (a report is filed from its own page), and one filing with the
//! upper office's answer. `Services::file`, `answer_filing` and `list_filings` decide.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::filing::{FilingInput, FilingKind, FilingReply, FilingStatus};
use xunshi_core::service::{FilingEntry, SinceFiled};
use xunshi_core::{CoreError, Id};

use super::supervision::Choice;
use super::{FormErrors, Frame, OrPage, PageResult, error_page, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::filters::FilingParams;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/filings", get(list).post(file))
        .route("/filings/{id}", get(show))
        .route("/filings/{id}/answer", post(answer))
}

/// One filing as a row of the list or the head of its page.
struct Row {
    id: String,
    kind: &'static str,
    title: String,
    committee: String,
    upper: String,
    filed_by: String,
    filed_at: String,
    status: &'static str,
    status_class: &'static str,
    may_answer: bool,
}

fn at(t: jiff::Timestamp) -> String {
    xunshi_core::audit::format_at(t)
}

impl Row {
    fn of(e: &FilingEntry) -> Row {
        let f = &e.filing;
        Row {
            id: f.id.to_string(),
            kind: f.kind.label(),
            title: f.title.clone(),
            committee: e.committee_name.clone(),
            upper: e.upper_name.clone(),
            filed_by: f.filed.name.clone(),
            filed_at: at(f.filed.at),
            status: f.status.label(),
            status_class: f.status.tag(),
            may_answer: e.may_answer,
        }
    }
}

/// What a committee's office may file: its plans and rounds, each labelled.
struct Subject {
    kind: &'static str,
    id: String,
    label: String,
}

#[derive(Template)]
#[template(path = "filings.html")]
struct ListPage {
    frame: Frame,
    rows: Vec<Row>,
    total: i64,
    next: Option<String>,
    kinds: Vec<Choice>,
    statuses: Vec<Choice>,
    /// The committees the reader files for, each with the committee it files with.
    files_for: Vec<(String, String)>,
    subjects: Vec<Subject>,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct FileForm {
    /// `plan:<id>`, `round:<id>` or `report:<id>`.
    #[serde(default)]
    subject: String,
}

impl FileForm {
    fn input(&self) -> FilingInput {
        let (kind, id) = self.subject.split_once(':').unwrap_or(("", ""));
        FilingInput {
            kind: kind.to_owned(),
            subject_id: id.to_owned(),
        }
    }
}

async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<FilingParams>,
) -> PageResult {
    render_list(&app, &user, q, FormErrors::none(), StatusCode::OK).await
}

async fn render_list(
    app: &AppState,
    user: &PageUser,
    q: FilingParams,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let query = q.filter().or_page(actor)?;
    let page = q.page().or_page(actor)?;
    let found = app
        .services
        .list_filings(actor, &query, page)
        .await
        .or_page(actor)?;
    let filters = q.query();
    let next = found.next_cursor.as_ref().map(|c| {
        let mut href = format!("/filings?cursor={c}");
        if !filters.is_empty() {
            href.push('&');
            href.push_str(&filters);
        }
        href
    });
    let files_for = app.services.filing_committees(actor).await.or_page(actor)?;
    let mut subjects = Vec::new();
    if !files_for.is_empty() {
        let plans = app.services.list_plans(actor, None).await.or_page(actor)?;
        for p in &plans {
            subjects.push(Subject {
                kind: FilingKind::Plan.as_str(),
                id: p.id.to_string(),
                label: format!("{}年度计划：{}", p.year, p.title),
            });
        }
        for r in app.services.list_rounds(actor, None).await.or_page(actor)? {
            subjects.push(Subject {
                kind: FilingKind::Round.as_str(),
                id: r.id.to_string(),
                label: format!("{}年第{}轮：{}", r.year, r.number, r.name),
            });
        }
    }
    let kind = q.kind.clone().unwrap_or_default();
    let state = q.status.clone().unwrap_or_default();
    let page = ListPage {
        frame: Frame::new(app, user, "上下级报备", "/filings").await,
        rows: found.items.iter().map(Row::of).collect(),
        total: found.total.unwrap_or_default(),
        next,
        kinds: FilingKind::ALL
            .iter()
            .map(|k| Choice::new(k.as_str(), k.label(), &kind))
            .collect(),
        statuses: FilingStatus::ALL
            .iter()
            .map(|s| Choice::new(s.as_str(), s.label(), &state))
            .collect(),
        files_for: files_for
            .into_iter()
            .map(|(c, u)| (c.name, u.name))
            .collect(),
        subjects,
        errors,
    };
    Ok(render(status, &page))
}

async fn file(State(app): State<AppState>, user: PageUser, Form(f): Form<FileForm>) -> PageResult {
    let actor = &user.actor;
    match app.services.file(actor, &f.input()).await {
        Ok(e) => Ok(see_other(&format!("/filings/{}", e.filing.id), "filed")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            render_list(
                &app,
                &user,
                FilingParams::default(),
                FormErrors::from_error(&e),
                status_of(&e),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "filing.html")]
struct ShowPage {
    frame: Frame,
    row: Row,
    content: String,
    digest: String,
    /// How its plan, round or report stands now against the text filed.
    since: &'static str,
    changed: bool,
    version: i64,
    reply: String,
    replied: String,
    answered: bool,
    form: AnswerForm,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct ShowQuery {
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct AnswerForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    version: Option<i64>,
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<ShowQuery>,
) -> PageResult {
    let id = Id::from_path(&id, "报备").or_page(&user.actor)?;
    let form = AnswerForm {
        decision: "acknowledge".into(),
        ..Default::default()
    };
    render_show(
        &app,
        &user,
        id,
        q.notice.as_deref(),
        form,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn render_show(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    form: AnswerForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let e = app.services.get_filing(actor, id).await.or_page(actor)?;
    let f = &e.filing;
    let page = ShowPage {
        frame: Frame::new(app, user, &f.title, "/filings")
            .await
            .with_notice(notice),
        row: Row::of(&e),
        content: f.content.clone(),
        digest: f.digest.clone(),
        since: e.since_filed.map_or("", SinceFiled::label),
        changed: e.since_filed == Some(SinceFiled::Changed),
        version: f.version,
        reply: f.reply.clone(),
        replied: f
            .replied
            .as_ref()
            .map(|s| format!("{}　{}", s.name, at(s.at)))
            .unwrap_or_default(),
        answered: f.status != FilingStatus::Filed,
        form,
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
    let id = Id::from_path(&id, "报备").or_page(actor)?;
    let result = async {
        let version = crate::http::require_version(f.version)?;
        app.services
            .answer_filing(
                actor,
                id,
                &FilingReply {
                    version,
                    decision: f.decision.clone(),
                    comment: f.comment.clone(),
                },
            )
            .await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other(&format!("/filings/{id}"), "filing_answered")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            let errors = FormErrors::from_error(&e);
            render_show(&app, &user, id, None, f, errors, status_of(&e)).await
        }
    }
}
