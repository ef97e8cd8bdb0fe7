//! Pages of working papers (问题底稿): the list of an inspection's papers, the form to draft
//! or edit one, and a paper's page with its evidence files and the team's decisions.

use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::multipart::Multipart;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::fieldwork::CitingKind;
use xunshi_core::inspection::Inspection;
use xunshi_core::page::SortedPage;
use xunshi_core::paper::{
    Evidence, ProblemInput, ProblemStatus, ProblemSummary, ResponsibilityType, Severity,
};
use xunshi_core::service::{PaperDecision, ProblemDetail, SimilarProblem, Withdrawal};
use xunshi_core::{CoreError, Id};

use super::fieldwork::{self, Sources};
use super::work_tabs::{TabKind, WorkHead, unit_name};
use super::{FormErrors, Frame, OrPage, PageResult, error_page, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{banner, status_of};
use crate::http::Form;
use crate::http::FormPairs;
use crate::http::files::{FileQuery, UPLOAD_LIMIT, file_response, page_upload, size_label};
use crate::http::filters::{ProblemQuery, given};
use crate::pages::pager::{Asked, Pager};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/papers", get(list).post(create))
        .route("/inspections/{id}/papers/new", get(new_form))
        .route("/papers/{id}", get(detail).post(update))
        .route("/papers/{id}/edit", get(edit_form))
        .route("/papers/{id}/decide", post(decide))
        .route("/papers/{id}/sources", post(cite))
        .route(
            "/papers/{id}/evidence",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/evidence/{id}/download", get(download))
        .route("/evidence/{id}/withdraw", post(withdraw_file))
}

fn parse_id(raw: &str, what: &str, user: &PageUser) -> Result<Id, super::PageError> {
    Id::from_path(raw, what).or_page(&user.actor)
}

async fn inspection(
    app: &AppState,
    user: &PageUser,
    id: Id,
) -> Result<Inspection, super::PageError> {
    Ok(app
        .services
        .get_inspection(&user.actor, id)
        .await
        .or_page(&user.actor)?
        .0)
}

/// Whether the actor may draft papers now: the rule of `create_problem`, asked of the core.
fn may_draft(user: &PageUser, insp: &Inspection) -> bool {
    xunshi_core::service::may_draft(&user.actor, insp)
}

// ---------------------------------------------------------------------------------------------
// The list

struct Row {
    p: ProblemSummary,
    updated: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct Group {
    label: String,
    options: Vec<Choice>,
}

#[derive(Template)]
#[template(path = "papers.html")]
struct ListPage {
    frame: Frame,
    head: WorkHead,
    rows: Vec<Row>,
    categories: Vec<Group>,
    statuses: Vec<Choice>,
    filtered: bool,
    can_draft: bool,
    counts: String,
    q: String,
    total: i64,
    pages: Pager,
}

#[derive(Deserialize)]
struct NoticeOnly {
    notice: Option<String>,
}

/// The category picker, grouped by taxonomy version, newest version first unless `prefer`.
async fn category_groups(
    app: &AppState,
    user: &PageUser,
    selected: &str,
    prefer: Option<Id>,
) -> Result<Vec<Group>, CoreError> {
    let mut all = app.services.taxonomies(&user.actor).await?;
    all.sort_by_key(|t| {
        (
            Some(t.version.id) != prefer,
            std::cmp::Reverse(t.version.valid_from),
        )
    });
    Ok(all
        .into_iter()
        .map(|t| Group {
            label: t.version.name,
            options: t
                .categories
                .into_iter()
                .map(|c| Choice {
                    selected: c.id.to_string() == selected,
                    value: c.id.to_string(),
                    label: c.name,
                })
                .collect(),
        })
        .collect())
}

async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<ProblemQuery>,
    Query(n): Query<NoticeOnly>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", &user)?;
    let insp = inspection(&app, &user, id).await?;
    // The same parser as `GET /api/v1/inspections/{id}/problems`; a filter that cannot be read
    // shows the page again with the message and no rows.
    let asked = Asked::read(q.filter().and_then(|f| Ok((f, q.sorted()?))), actor)?;
    let list = match &asked.filter {
        Some(f) => app
            .services
            .problem_page(actor, id, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let pages = Pager::of(
        &format!("/inspections/{id}/papers"),
        &q.query(),
        &asked,
        &list,
        q.page,
    );
    let selected_category = q.category_id.clone().unwrap_or_default();
    let selected_status = q.status.clone().unwrap_or_default();
    let by_status = app
        .services
        .problem_status_counts(actor, id)
        .await
        .or_page(actor)?;
    let count = |s: ProblemStatus| {
        by_status
            .iter()
            .find(|(st, _)| *st == s)
            .map_or(0, |(_, n)| *n)
    };
    let counts = format!(
        "本次巡视共 {} 份：草稿 {}，组务会已审议 {}，组长已签批 {}，已撤回 {}",
        by_status.iter().map(|(_, n)| n).sum::<i64>(),
        count(ProblemStatus::Draft),
        count(ProblemStatus::Approved),
        count(ProblemStatus::Signed),
        count(ProblemStatus::Withdrawn)
    );
    let filtered = given(&q.category_id).is_some()
        || given(&q.status).is_some()
        || given(&q.q).is_some()
        || asked.refused.is_some();
    let page = ListPage {
        frame: Frame::new(&app, &user, "问题底稿", "/inspections")
            .await
            .with_notice(n.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        head: WorkHead::of(actor, &insp, TabKind::Papers),
        categories: category_groups(&app, &user, &selected_category, None)
            .await
            .or_page(actor)?,
        statuses: ProblemStatus::ALL
            .iter()
            .map(|s| Choice {
                value: s.as_str().into(),
                label: s.label().into(),
                selected: selected_status == s.as_str(),
            })
            .collect(),
        filtered,
        can_draft: may_draft(&user, &insp),
        rows: list
            .items
            .into_iter()
            .map(|p| Row {
                updated: local_time(p.updated_at),
                p,
            })
            .collect(),
        counts,
        q: given(&q.q).unwrap_or_default().to_owned(),
        total: list.total,
        pages,
    };
    let status = if asked.refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(status, &page))
}

// ---------------------------------------------------------------------------------------------
// Drafting and editing

struct Check {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Template)]
#[template(path = "paper_form.html")]
struct FormPage {
    frame: Frame,
    head: WorkHead,
    heading: &'static str,
    action: String,
    cancel: String,
    version: Option<i64>,
    categories: Vec<Group>,
    units: Vec<Choice>,
    title: String,
    facts: String,
    rule_broken: String,
    responsibility: String,
    types: Vec<Check>,
    severities: Vec<Choice>,
    errors: FormErrors,
}

/// The form's values, as typed or as stored.
struct PaperForm {
    version: Option<i64>,
    input: ProblemInput,
}

impl PaperForm {
    fn from_pairs(f: &FormPairs) -> PaperForm {
        PaperForm {
            version: f.get("version").trim().parse().ok(),
            input: ProblemInput {
                category_id: f.get("category_id"),
                target_unit_id: f.opt("target_unit_id"),
                title: f.get("title"),
                facts: f.get("facts"),
                rule_broken: f.get("rule_broken"),
                responsibility: f.get("responsibility"),
                responsibility_types: f.all("responsibility_types"),
                severity: f.opt("severity"),
            },
        }
    }
}

async fn render_form(
    app: &AppState,
    user: &PageUser,
    insp: &Inspection,
    editing: Option<Id>,
    f: &PaperForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let actor = &user.actor;
    let prefer = app
        .services
        .taxonomy_for(actor, insp.id)
        .await
        .ok()
        .flatten();
    let categories = match category_groups(app, user, &f.input.category_id, prefer).await {
        Ok(c) => c,
        Err(e) => return error_page(&e, Some(actor)),
    };
    let mut units = Vec::new();
    for u in &insp.target_ids {
        units.push(Choice {
            value: u.to_string(),
            label: unit_name(app, actor, *u).await,
            selected: f.input.target_unit_id.as_deref() == Some(&u.to_string()),
        });
    }
    let ticked = &f.input.responsibility_types;
    let types = ResponsibilityType::ALL
        .iter()
        .map(|t| Check {
            value: t.as_str(),
            label: t.label(),
            checked: ticked.iter().any(|x| x == t.as_str() || x == t.label()),
        })
        .collect();
    let sev = f.input.severity.clone().unwrap_or_else(|| "general".into());
    let severities = Severity::ALL
        .iter()
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.label().into(),
            selected: sev == s.as_str(),
        })
        .collect();
    let (heading, action, cancel) = match editing {
        Some(pid) => (
            "修改问题底稿",
            format!("/papers/{pid}"),
            format!("/papers/{pid}"),
        ),
        None => (
            "新建问题底稿",
            format!("/inspections/{}/papers", insp.id),
            format!("/inspections/{}/papers", insp.id),
        ),
    };
    let page = FormPage {
        frame: Frame::new(app, user, heading, "/inspections").await,
        head: WorkHead::of(actor, insp, TabKind::Papers),
        heading,
        action,
        cancel,
        version: f.version,
        categories,
        units,
        title: f.input.title.clone(),
        facts: f.input.facts.clone(),
        rule_broken: f.input.rule_broken.clone(),
        responsibility: f.input.responsibility.clone(),
        types,
        severities,
        errors,
    };
    render(status, &page)
}

async fn new_form(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id(&id, "巡视任务", &user)?;
    let insp = inspection(&app, &user, id).await?;
    if !may_draft(&user, &insp) {
        return Err(CoreError::Forbidden(
            "只有本巡视组成员在进驻和报告阶段可以编写问题底稿".into(),
        ))
        .or_page(&user.actor);
    }
    let f = PaperForm {
        version: None,
        input: ProblemInput::default(),
    };
    Ok(render_form(
        &app,
        &user,
        &insp,
        None,
        &f,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await)
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let id = parse_id(&id, "巡视任务", &user)?;
    let insp = inspection(&app, &user, id).await?;
    let f = PaperForm::from_pairs(&p);
    Ok(
        match app.services.create_problem(&user.actor, id, &f.input).await {
            Ok(p) => see_other(&format!("/papers/{}", p.id), "created"),
            Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
                error_page(&e, Some(&user.actor))
            }
            Err(e) => {
                render_form(
                    &app,
                    &user,
                    &insp,
                    None,
                    &f,
                    FormErrors::from_error(&e),
                    status_of(&e),
                )
                .await
            }
        },
    )
}

async fn edit_form(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题底稿", &user)?;
    let d = app.services.get_problem(actor, id).await.or_page(actor)?;
    if !d.rights.edit {
        return Err(CoreError::RuleRefused(format!(
            "问题底稿“{}”，您现在不能修改",
            d.problem.status.label()
        )))
        .or_page(actor);
    }
    let insp = inspection(&app, &user, d.problem.inspection_id).await?;
    let p = &d.problem;
    let f = PaperForm {
        version: Some(p.version),
        input: ProblemInput {
            category_id: p.category_id.to_string(),
            target_unit_id: Some(p.target_unit_id.to_string()),
            title: p.title.clone(),
            facts: p.facts.clone(),
            rule_broken: p.rule_broken.clone(),
            responsibility: p.responsibility.clone(),
            responsibility_types: p
                .responsibility_types
                .iter()
                .map(|t| t.as_str().to_owned())
                .collect(),
            severity: Some(p.severity.as_str().to_owned()),
        },
    };
    Ok(render_form(
        &app,
        &user,
        &insp,
        Some(id),
        &f,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await)
}

async fn update(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题底稿", &user)?;
    let version = p.version().or_page(actor)?;
    let f = PaperForm::from_pairs(&p);
    Ok(
        match app
            .services
            .update_problem(actor, id, version, &f.input)
            .await
        {
            Ok(p) => see_other(&format!("/papers/{}", p.id), "saved"),
            Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
                error_page(&e, Some(actor))
            }
            Err(e) => {
                let d = app.services.get_problem(actor, id).await.or_page(actor)?;
                let insp = inspection(&app, &user, d.problem.inspection_id).await?;
                render_form(
                    &app,
                    &user,
                    &insp,
                    Some(id),
                    &f,
                    FormErrors::from_error(&e),
                    status_of(&e),
                )
                .await
            }
        },
    )
}

// ---------------------------------------------------------------------------------------------
// A paper's page

struct FileRow {
    href: String,
    e: Evidence,
    uploaded: String,
    withdrawn: Option<String>,
    size: String,
}

#[derive(Template)]
#[template(path = "paper_detail.html")]
struct DetailPage {
    frame: Frame,
    head: WorkHead,
    d: ProblemDetail,
    unit: String,
    types: String,
    created: String,
    approved: Option<String>,
    signed: Option<String>,
    files: Vec<FileRow>,
    /// What the paper rests on (依据材料), for the team only.
    sources: Option<Sources>,
    sources_action: String,
    /// The problems like this one, where search is on.
    similar: Option<Vec<SimilarProblem>>,
    /// The earlier problems of its unit it finds again after their task was closed.
    recurrences: Vec<xunshi_core::store::patterns::RecurrenceRow>,
    error: Option<String>,
}

fn signed_line(s: &xunshi_core::paper::Signature) -> String {
    format!("{}　{}", s.name, local_time(s.at))
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
    let d = app.services.get_problem(actor, id).await.or_page(actor)?;
    let insp = inspection(app, user, d.problem.inspection_id).await?;
    let files = d
        .evidence
        .iter()
        .map(|e| FileRow {
            href: format!("/evidence/{}/download", e.id),
            uploaded: signed_line(&e.uploaded),
            withdrawn: e.withdrawn.as_ref().map(signed_line),
            size: size_label(e.size),
            e: e.clone(),
        })
        .collect();
    let page = DetailPage {
        frame: Frame::new(
            app,
            user,
            &format!("问题底稿第{}号", d.problem.seq),
            "/inspections",
        )
        .await
        .with_notice(notice),
        head: WorkHead::of(actor, &insp, TabKind::Papers),
        unit: unit_name(app, actor, d.problem.target_unit_id).await,
        types: d
            .problem
            .responsibility_types
            .iter()
            .map(|t| t.label())
            .collect::<Vec<_>>()
            .join("、"),
        created: signed_line(&d.problem.created),
        approved: d.problem.approved.as_ref().map(signed_line),
        signed: d.problem.signed.as_ref().map(signed_line),
        files,
        sources: fieldwork::sources_of(
            app,
            actor,
            CitingKind::Problem,
            id,
            d.problem.inspection_id,
        )
        .await,
        sources_action: format!("/papers/{id}/sources"),
        similar: super::search::similar(app, actor, id).await,
        recurrences: app
            .services
            .problem_recurrences(actor, id)
            .await
            .or_page(actor)?,
        error,
        d,
    };
    Ok(render(status, &page))
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
    let id = parse_id(&id, "问题底稿", &user)?;
    render_detail(&app, &user, id, q.notice.as_deref(), None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct DecideForm {
    version: i64,
    /// approve, sign, return, withdraw.
    action: String,
    #[serde(default)]
    comment: String,
}

async fn decide(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题底稿", &user)?;
    let d = PaperDecision {
        version: f.version,
        comment: f.comment,
    };
    let s = &app.services;
    let (result, notice) = match f.action.as_str() {
        "approve" => (s.approve_problem(actor, id, &d).await, "approved"),
        "sign" => (s.sign_problem(actor, id, &d).await, "signed"),
        "return" => (s.return_problem(actor, id, &d).await, "returned"),
        "withdraw" => (s.withdraw_problem(actor, id, &d).await, "withdrawn"),
        _ => (Err(CoreError::bad_input("action", "未知操作")), ""),
    };
    match result {
        Ok(_) => Ok(see_other(&format!("/papers/{id}"), notice)),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => render_detail(&app, &user, id, None, Some(banner(&e)), status_of(&e)).await,
    }
}

/// Cites a fieldwork record as a source of the paper: a member of the team.
async fn cite(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题底稿", &user)?;
    let input = fieldwork::citation_input(&p);
    match app
        .services
        .cite_source(actor, CitingKind::Problem, id, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/papers/{id}"), "cited")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => render_detail(&app, &user, id, None, Some(banner(&e)), status_of(&e)).await,
    }
}

async fn upload(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    mp: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题底稿", &user)?;
    let (name, bytes) = match page_upload(&app, mp).await {
        Ok(v) => v,
        Err((status, msg)) => {
            return render_detail(&app, &user, id, None, Some(msg), status).await;
        }
    };
    match app.services.upload_evidence(actor, id, &name, bytes).await {
        Ok(_) => Ok(see_other(&format!("/papers/{id}"), "uploaded")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => render_detail(&app, &user, id, None, Some(banner(&e)), status_of(&e)).await,
    }
}

async fn download(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<FileQuery>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "佐证材料", &user)?;
    let (e, bytes) = app
        .services
        .download_evidence(actor, id)
        .await
        .or_page(actor)?;
    Ok(file_response(&e, bytes, q.download).into_response())
}

#[derive(Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    reason: String,
    /// The paper whose page the form is on, to show a refusal there.
    #[serde(default)]
    problem_id: String,
}

async fn withdraw_file(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<WithdrawForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "佐证材料", &user)?;
    match app
        .services
        .withdraw_evidence(actor, id, &Withdrawal { reason: f.reason })
        .await
    {
        Ok(e) => Ok(see_other(
            &format!("/papers/{}", e.problem_id),
            "file_withdrawn",
        )),
        Err(
            e @ (CoreError::BadInput(_)
            | CoreError::Unfit(_)
            | CoreError::Conflict(_)
            | CoreError::RuleRefused(_)),
        ) => match f.problem_id.parse::<Id>() {
            Ok(pid) => render_detail(&app, &user, pid, None, Some(banner(&e)), status_of(&e)).await,
            Err(_) => Err(e).or_page(actor),
        },
        Err(e) => Err(e).or_page(actor),
    }
}
