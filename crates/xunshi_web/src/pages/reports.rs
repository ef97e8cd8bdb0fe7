//! Pages of reports: the inspection's reports, a report with its versions (the text of any
//! version, the differences between any two), the approval chain as a timeline with the form of
//! the step waiting for the actor, and the form that writes a new version.

use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::inspection::Inspection;
use xunshi_core::paper::ProblemStatus;
use xunshi_core::report::{
    ApprovalStep, Decision, DiffLine, ReportInput, ReportKind, ReportStatus, ReportVersion,
    ReportVersionInput, StepInput, StepKind, chinese_number, problems_by_heading,
};
use xunshi_core::service::ReportDetail;
use xunshi_core::store::ProblemFilter;
use xunshi_core::{CoreError, Id};

use super::work_tabs::{TabKind, WorkHead, opt_cn_date, sentence};
use super::{FormErrors, Frame, OrPage, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{banner, status_of};
use crate::http::Form;
use crate::http::FormPairs;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/reports", get(list).post(create))
        .route("/reports/{id}", get(detail))
        .route("/reports/{id}/draft", get(draft_form))
        .route("/reports/{id}/versions", post(add_version))
        .route("/reports/{id}/steps", post(decide))
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

// ---------------------------------------------------------------------------------------------
// The list

struct ReportRow {
    id: Id,
    title: String,
    kind: &'static str,
    status: ReportStatus,
    versions: i32,
    updated: String,
}

#[derive(Template)]
#[template(path = "reports.html")]
struct ListPage {
    frame: Frame,
    head: WorkHead,
    rows: Vec<ReportRow>,
    can_create: bool,
    has_main: bool,
    title: String,
    kind: String,
    errors: FormErrors,
}

async fn render_list(
    app: &AppState,
    user: &PageUser,
    id: Id,
    form: (String, String),
    errors: FormErrors,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let insp = inspection(app, user, id).await?;
    let reports = app.services.list_reports(actor, id).await.or_page(actor)?;
    let page = ListPage {
        frame: Frame::new(app, user, "巡视报告", "/inspections")
            .await
            .with_notice(notice),
        head: WorkHead::of(actor, &insp, TabKind::Reports),
        has_main: reports.iter().any(|r| r.kind == ReportKind::Main),
        rows: reports
            .into_iter()
            .map(|r| ReportRow {
                id: r.id,
                title: r.title,
                kind: r.kind.label(),
                status: r.status,
                versions: r.current_version,
                updated: local_time(r.updated_at),
            })
            .collect(),
        can_create: xunshi_core::service::may_draft(&user.actor, &insp),
        kind: form.0,
        title: form.1,
        errors,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = Id::from_path(&id, "巡视任务").or_page(&user.actor)?;
    render_list(
        &app,
        &user,
        id,
        (String::new(), String::new()),
        FormErrors::none(),
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    title: String,
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<CreateForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let input = ReportInput {
        kind: f.kind.clone(),
        title: f.title.clone(),
    };
    match app.services.create_report(actor, id, &input).await {
        Ok(r) => Ok(see_other(&format!("/reports/{}/draft", r.id), "created")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            render_list(
                &app,
                &user,
                id,
                (f.kind, f.title),
                FormErrors::from_error(&e),
                None,
                status_of(&e),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A report

/// One problem as the report's text gives it.
struct DocProblem {
    title: String,
    facts: Vec<String>,
    rule_broken: Vec<String>,
    responsibility: Vec<String>,
}

struct DocHeading {
    number: String,
    name: String,
    problems: Vec<DocProblem>,
}

/// A version laid out as the report's text.
struct Doc {
    number: i32,
    note: String,
    created: String,
    assessment: Vec<String>,
    headings: Vec<DocHeading>,
    recommendations: Vec<(String, String)>,
}

fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

fn doc_of(v: &ReportVersion) -> Doc {
    Doc {
        number: v.number,
        note: v.note.clone(),
        created: format!("{}　{}", v.created.name, local_time(v.created.at)),
        assessment: paragraphs(&v.assessment),
        headings: problems_by_heading(&v.problems)
            .into_iter()
            .enumerate()
            .map(|(i, (name, ps))| DocHeading {
                number: format!("（{}）", chinese_number(i + 1)),
                name,
                problems: ps
                    .into_iter()
                    .map(|p| DocProblem {
                        title: sentence(&p.title),
                        facts: paragraphs(&p.facts),
                        rule_broken: paragraphs(&p.rule_broken),
                        responsibility: paragraphs(&p.responsibility),
                    })
                    .collect(),
            })
            .collect(),
        recommendations: v
            .recommendations
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("{}是", chinese_number(i + 1)), sentence(r)))
            .collect(),
    }
}

struct StepRow {
    s: ApprovalStep,
    class: &'static str,
    who: String,
    meeting: String,
}

struct ChainBox {
    label: &'static str,
    class: &'static str,
}

#[derive(Template)]
#[template(path = "report_detail.html")]
struct DetailPage {
    frame: Frame,
    head: WorkHead,
    d: ReportDetail,
    doc: Option<Doc>,
    chain: Vec<ChainBox>,
    steps: Vec<StepRow>,
    numbers: Vec<i32>,
    from: i32,
    to: i32,
    diff: Vec<DiffLine>,
    decide: Option<StepKind>,
    needs_date: bool,
    banner: Option<String>,
}

#[derive(Deserialize)]
struct DetailQuery {
    /// The version to show; the latest when absent.
    v: Option<i32>,
    from: Option<i32>,
    to: Option<i32>,
    notice: Option<String>,
}

fn chain_of(status: ReportStatus) -> Vec<ChainBox> {
    let order = [
        StepKind::TeamMeeting,
        StepKind::Office,
        StepKind::LeadingGroup,
        StepKind::Committee,
    ];
    let waiting = status.awaiting();
    let pos = waiting.and_then(|w| order.iter().position(|s| *s == w));
    order
        .iter()
        .enumerate()
        .map(|(i, s)| ChainBox {
            label: s.label(),
            class: match (status, pos) {
                (ReportStatus::Approved, _) => "done",
                (_, Some(p)) if i < p => "done",
                (_, Some(p)) if i == p => "now",
                _ => "",
            },
        })
        .collect()
}

async fn render_detail(
    app: &AppState,
    user: &PageUser,
    id: Id,
    q: &DetailQuery,
    banner: Option<String>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let d = app.services.report_detail(actor, id).await.or_page(actor)?;
    let insp = inspection(app, user, d.report.inspection_id).await?;
    let shown = q.v.unwrap_or(d.report.current_version);
    let doc = d.versions.iter().find(|v| v.number == shown).map(doc_of);
    let latest = d.report.current_version;
    let from = q.from.unwrap_or((latest - 1).max(1));
    let to = q.to.unwrap_or(latest);
    let diff = if latest >= 2 && from != to {
        app.services
            .report_diff(actor, id, from, to)
            .await
            .or_page(actor)?
    } else {
        Vec::new()
    };
    let steps = d
        .steps
        .iter()
        .map(|s| StepRow {
            class: match s.decision {
                Decision::Submit => "submit",
                Decision::Return => "return",
                Decision::Approve => "approve",
            },
            who: format!("{}　{}", s.decided.name, local_time(s.decided.at)),
            meeting: s
                .meeting_date
                .map(|m| opt_cn_date(Some(m)))
                .unwrap_or_default(),
            s: s.clone(),
        })
        .collect();
    let decide = d.rights.decide;
    let page = DetailPage {
        frame: Frame::new(app, user, &d.report.title, "/inspections")
            .await
            .with_notice(q.notice.as_deref()),
        head: WorkHead::of(actor, &insp, TabKind::Reports),
        chain: chain_of(d.report.status),
        numbers: d.versions.iter().map(|v| v.number).collect(),
        needs_date: matches!(decide, Some(StepKind::LeadingGroup | StepKind::Committee)),
        decide,
        steps,
        doc,
        from,
        to,
        diff,
        banner,
        d,
    };
    Ok(render(status, &page))
}

async fn detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<DetailQuery>,
) -> PageResult {
    let id = Id::from_path(&id, "巡视报告").or_page(&user.actor)?;
    render_detail(&app, &user, id, &q, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct StepForm {
    version: i64,
    decision: String,
    #[serde(default)]
    comment: String,
    #[serde(default)]
    meeting_date: String,
}

async fn decide(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<StepForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视报告").or_page(actor)?;
    let input = StepInput {
        version: f.version,
        decision: f.decision,
        comment: f.comment,
        meeting_date: Some(f.meeting_date),
    };
    match app.services.decide_report(actor, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/reports/{id}"), "decided")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let q = DetailQuery {
                v: None,
                from: None,
                to: None,
                notice: None,
            };
            render_detail(&app, &user, id, &q, Some(banner(&e)), status_of(&e)).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A new version

struct PaperChoice {
    id: Id,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "report_form.html")]
struct DraftPage {
    frame: Frame,
    head: WorkHead,
    report_id: Id,
    report_title: String,
    next_number: i32,
    version: i64,
    assessment: String,
    papers: Vec<PaperChoice>,
    recommendations: Vec<String>,
    note: String,
    errors: FormErrors,
}

#[allow(clippy::too_many_arguments)]
async fn render_draft(
    app: &AppState,
    user: &PageUser,
    d: &ReportDetail,
    assessment: String,
    chosen: Option<Vec<String>>,
    mut recommendations: Vec<String>,
    note: String,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let insp = inspection(app, user, d.report.inspection_id).await?;
    let signed = app
        .services
        .list_problems(
            actor,
            insp.id,
            &ProblemFilter {
                status: Some(ProblemStatus::Signed),
                ..Default::default()
            },
        )
        .await
        .or_page(actor)?;
    let papers = signed
        .iter()
        .map(|p| PaperChoice {
            id: p.id,
            label: format!("第{}号 【{}】{}", p.seq, p.category_name, p.title),
            checked: chosen
                .as_ref()
                .is_none_or(|c| c.contains(&p.id.to_string())),
        })
        .collect();
    // Room for two more recommendations than there are.
    recommendations.retain(|r| !r.trim().is_empty());
    recommendations.extend([String::new(), String::new()]);
    let page = DraftPage {
        frame: Frame::new(app, user, "起草报告新稿", "/inspections").await,
        head: WorkHead::of(actor, &insp, TabKind::Reports),
        report_id: d.report.id,
        report_title: d.report.title.clone(),
        next_number: d.report.current_version + 1,
        version: d.report.version,
        assessment,
        papers,
        recommendations,
        note,
        errors,
    };
    Ok(render(status, &page))
}

async fn draft_form(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视报告").or_page(actor)?;
    let d = app.services.report_detail(actor, id).await.or_page(actor)?;
    if !d.rights.new_version {
        return Err(CoreError::RuleRefused(format!(
            "报告{}，您现在不能起草新稿",
            d.report.status.label()
        )))
        .or_page(actor);
    }
    let last = d.versions.last();
    let assessment = last.map(|v| v.assessment.clone()).unwrap_or_default();
    let chosen = last.map(|v| {
        v.problems
            .iter()
            .map(|p| p.problem_id.to_string())
            .collect()
    });
    let recs = last.map(|v| v.recommendations.clone()).unwrap_or_default();
    render_draft(
        &app,
        &user,
        &d,
        assessment,
        chosen,
        recs,
        String::new(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn add_version(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视报告").or_page(actor)?;
    let f = p;
    let input = ReportVersionInput {
        version: f.version().or_page(actor)?,
        assessment: f.get("assessment"),
        problem_ids: Some(f.all("problem_ids")),
        recommendations: f.all("recommendations"),
        note: f.get("note"),
    };
    match app.services.add_report_version(actor, id, &input).await {
        Ok(v) => Ok(see_other(
            &format!("/reports/{id}?v={}", v.number),
            "version_added",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let d = app.services.report_detail(actor, id).await.or_page(actor)?;
            render_draft(
                &app,
                &user,
                &d,
                input.assessment,
                input.problem_ids,
                input.recommendations,
                input.note,
                FormErrors::from_error(&e),
                status_of(&e),
            )
            .await
        }
    }
}
