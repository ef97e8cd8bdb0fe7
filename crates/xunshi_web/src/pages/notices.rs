//! Pages of immediate-fix notices (立行立改): the inspection's notices with the form to issue
//! one (the team's leader), the unit's answer form (its principal or liaison), the team's
//! review; and the list of notices addressed to the units a user answers for.

use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::paper::{
    ImmediateFixNotice, NoticeAnswer, NoticeInput, NoticeReview, NoticeStatus, ProblemStatus,
};
use xunshi_core::service::{NoticeBoard, today};
use xunshi_core::store::ProblemFilter;
use xunshi_core::{CoreError, Id};

use super::work_tabs::{TabKind, WorkHead, cn_date, unit_name};
use super::{FormErrors, Frame, OrPage, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{banner, status_of};
use crate::http::Form;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/notices", get(board).post(issue))
        .route("/notices", get(mine))
        .route("/notices/{id}/answer", post(answer))
        .route("/notices/{id}/review", post(review))
}

struct Row {
    n: ImmediateFixNotice,
    unit: String,
    issued: String,
    due: String,
    /// red when overdue and still open, yellow within three days.
    due_tag: &'static str,
    answered: Option<String>,
    reviewed: Option<String>,
    can_answer: bool,
    can_review: bool,
    problem: Option<String>,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "notices.html")]
struct BoardPage {
    frame: Frame,
    head: WorkHead,
    rows: Vec<Row>,
    can_issue: bool,
    units: Vec<Choice>,
    papers: Vec<Choice>,
    form: NoticeInput,
    errors: FormErrors,
    banner: Option<String>,
}

fn due_tag(n: &ImmediateFixNotice, today: jiff::civil::Date) -> &'static str {
    match n.due_on {
        Some(d) if n.status != NoticeStatus::Closed => {
            let left = (d - today).get_days();
            if d < today {
                "red"
            } else if left <= 3 {
                "yellow"
            } else {
                ""
            }
        }
        _ => "",
    }
}

async fn rows_of(
    app: &AppState,
    user: &PageUser,
    b: &NoticeBoard,
    titles: &[(Id, String)],
) -> Vec<Row> {
    let today = today(app.services.now());
    let mut out = Vec::new();
    for n in &b.notices {
        out.push(Row {
            unit: unit_name(app, &user.actor, n.unit_id).await,
            issued: format!("{}　{}", n.issued.name, cn_date(n.issued_on)),
            due: n.due_on.map(cn_date).unwrap_or_else(|| "—".into()),
            due_tag: due_tag(n, today),
            answered: n
                .answered
                .as_ref()
                .map(|s| format!("{}　{}", s.name, local_time(s.at))),
            reviewed: n
                .reviewed
                .as_ref()
                .map(|s| format!("{}　{}", s.name, local_time(s.at))),
            can_answer: n.status == NoticeStatus::Issued && b.answers_for.contains(&n.unit_id),
            can_review: n.status == NoticeStatus::Answered && b.can_review,
            problem: n.problem_id.and_then(|p| {
                titles
                    .iter()
                    .find(|(id, _)| *id == p)
                    .map(|(_, t)| t.clone())
            }),
            n: n.clone(),
        });
    }
    out
}

#[allow(clippy::too_many_arguments)]
async fn render_board(
    app: &AppState,
    user: &PageUser,
    id: Id,
    form: NoticeInput,
    errors: FormErrors,
    banner: Option<String>,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let b = app.services.notice_board(actor, id).await.or_page(actor)?;
    // The team side sees the inspection; the unit before feedback only the team's name.
    let insp = app
        .services
        .get_inspection(actor, id)
        .await
        .ok()
        .map(|x| x.0);
    let head = match &insp {
        Some(i) => WorkHead::of(actor, i, TabKind::Notices),
        None => WorkHead::for_unit_notices(id, &b.team_name),
    };
    // The papers a notice may refer to: only for those who read papers.
    let titles: Vec<(Id, String)> = app
        .services
        .list_problems(actor, id, &ProblemFilter::default())
        .await
        .map(|ps| {
            ps.into_iter()
                .filter(|p| p.status != ProblemStatus::Withdrawn)
                .map(|p| (p.id, format!("第{}号 {}", p.seq, p.title)))
                .collect()
        })
        .unwrap_or_default();
    let mut units = Vec::new();
    if let Some(i) = &insp {
        for u in &i.target_ids {
            units.push(Choice {
                value: u.to_string(),
                label: unit_name(app, actor, *u).await,
                selected: form.unit_id.as_deref() == Some(&u.to_string()),
            });
        }
    }
    let papers = titles
        .iter()
        .map(|(pid, t)| Choice {
            value: pid.to_string(),
            label: t.clone(),
            selected: form.problem_id.as_deref() == Some(&pid.to_string()),
        })
        .collect();
    let page = BoardPage {
        frame: Frame::new(app, user, "立行立改通知", "/inspections")
            .await
            .with_notice(notice),
        rows: rows_of(app, user, &b, &titles).await,
        can_issue: b.can_issue,
        head,
        units,
        papers,
        form,
        errors,
        banner,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn board(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = Id::from_path(&id, "巡视任务").or_page(&user.actor)?;
    render_board(
        &app,
        &user,
        id,
        NoticeInput::default(),
        FormErrors::none(),
        None,
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
struct IssueForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    problem_id: String,
    #[serde(default)]
    content: String,
    #[serde(default)]
    issued_on: String,
    #[serde(default)]
    due_on: String,
}

async fn issue(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<IssueForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let input = NoticeInput {
        unit_id: Some(f.unit_id),
        problem_id: Some(f.problem_id),
        content: f.content,
        issued_on: Some(f.issued_on),
        due_on: Some(f.due_on),
    };
    match app.services.issue_notice(actor, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}/notices"), "issued")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            render_board(
                &app,
                &user,
                id,
                input,
                FormErrors::from_error(&e),
                None,
                None,
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct AnswerForm {
    version: i64,
    #[serde(default)]
    answer: String,
    /// Where the form was: the inspection's notices, or the user's list.
    #[serde(default)]
    back: String,
    #[serde(default)]
    inspection_id: String,
}

/// After an answer or a review: back to the page the form was on.
async fn after(
    app: &AppState,
    user: &PageUser,
    back: &str,
    inspection_id: &str,
    result: Result<ImmediateFixNotice, CoreError>,
    notice: &str,
) -> PageResult {
    let actor = &user.actor;
    match result {
        Ok(_) if back == "mine" => Ok(see_other("/notices", notice)),
        Ok(n) => Ok(see_other(
            &format!("/inspections/{}/notices", n.inspection_id),
            notice,
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            if back == "mine" {
                return render_mine(app, user, Some(banner(&e)), None, status).await;
            }
            let id = Id::from_path(inspection_id, "巡视任务").or_page(actor)?;
            render_board(
                app,
                user,
                id,
                NoticeInput::default(),
                FormErrors::none(),
                Some(banner(&e)),
                None,
                status,
            )
            .await
        }
    }
}

async fn answer(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    let id = Id::from_path(&id, "立行立改通知").or_page(&user.actor)?;
    let r = app
        .services
        .answer_notice(
            &user.actor,
            id,
            &NoticeAnswer {
                version: f.version,
                answer: f.answer,
            },
        )
        .await;
    after(&app, &user, &f.back, &f.inspection_id, r, "answered").await
}

#[derive(Deserialize)]
struct ReviewForm {
    version: i64,
    /// `close` or `return`.
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    inspection_id: String,
}

async fn review(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ReviewForm>,
) -> PageResult {
    let id = Id::from_path(&id, "立行立改通知").or_page(&user.actor)?;
    let r = app
        .services
        .review_notice(
            &user.actor,
            id,
            &NoticeReview {
                version: f.version,
                accept: f.decision == "close",
                comment: f.comment,
            },
        )
        .await;
    after(&app, &user, "", &f.inspection_id, r, "reviewed").await
}

// ---------------------------------------------------------------------------------------------
// The user's notices

struct MineRow {
    n: ImmediateFixNotice,
    team: String,
    unit: String,
    due: String,
    due_tag: &'static str,
}

#[derive(Template)]
#[template(path = "notices_mine.html")]
struct MinePage {
    frame: Frame,
    rows: Vec<MineRow>,
    banner: Option<String>,
}

async fn render_mine(
    app: &AppState,
    user: &PageUser,
    banner: Option<String>,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let list = app.services.my_notices(actor).await.or_page(actor)?;
    let today = today(app.services.now());
    let mut rows = Vec::new();
    for (n, team) in list {
        rows.push(MineRow {
            unit: unit_name(app, actor, n.unit_id).await,
            due: n.due_on.map(cn_date).unwrap_or_else(|| "—".into()),
            due_tag: due_tag(&n, today),
            team,
            n,
        });
    }
    let page = MinePage {
        frame: Frame::new(app, user, "立行立改通知", "/notices")
            .await
            .with_notice(notice),
        rows,
        banner,
    };
    Ok(render(status, &page))
}

async fn mine(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    render_mine(&app, &user, None, q.notice.as_deref(), StatusCode::OK).await
}
