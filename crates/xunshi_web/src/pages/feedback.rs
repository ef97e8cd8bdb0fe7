//! Pages of the feedback (反馈意见): the document as an official text with the record of the
//! feedback meeting; the form that prepares it; the button that gives it. The inspected unit
//! reads the document once given, and nothing else of the inspection.

use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::access::{Access, inspection_access};
use xunshi_core::feedback::{Feedback, FeedbackInput, FeedbackStatus};
use xunshi_core::feedback_text::{ParsedFeedback, same_problem};
use xunshi_core::inspection::{Inspection, Stage};
use xunshi_core::paper::{ProblemStatus, ProblemSummary};
use xunshi_core::report::chinese_number;
use xunshi_core::store::ProblemFilter;
use xunshi_core::{CoreError, Id};

use super::work_tabs::{TabKind, WorkHead, opt_cn_date, sentence};
use super::{FormErrors, Frame, OrPage, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{banner, status_of};
use crate::http::Form;
use crate::http::FormPairs;
use crate::http::docx;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/feedback", get(show).post(save))
        .route("/inspections/{id}/feedback.docx", get(download))
        .route("/inspections/{id}/feedback/edit", get(edit))
        .route("/inspections/{id}/feedback/recognize", post(recognize))
        .route("/inspections/{id}/feedback/give", post(give))
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

/// The team as documents name it, with its dispatcher: 自治区党委第三巡视组.
async fn team_full_name(app: &AppState, user: &PageUser, insp: &Inspection) -> String {
    docx::team_full_name(app, &user.actor, insp).await
}

/// The document's title: 自治区党委第三巡视组关于巡视自治区党委宣传部的反馈意见.
async fn doc_title(app: &AppState, user: &PageUser, insp: &Inspection) -> String {
    docx::feedback_title(app, &user.actor, insp).await
}

struct DocGroup {
    heading: String,
    items: Vec<String>,
}

#[derive(Template)]
#[template(path = "feedback.html")]
struct ShowPage {
    frame: Frame,
    head: WorkHead,
    title: String,
    /// The signature under the document.
    team: String,
    fb: Option<Feedback>,
    assessment: Vec<String>,
    groups: Vec<DocGroup>,
    recommendations: Vec<(String, String)>,
    demands: Vec<String>,
    deadline: String,
    meeting_date: String,
    given: Option<String>,
    saved: String,
    can_edit: bool,
    banner: Option<String>,
}

fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The team's leader or the office, while the inspection reports and the feedback is not given.
fn may_prepare(user: &PageUser, insp: &Inspection, fb: Option<&Feedback>) -> bool {
    inspection_access(&user.actor, insp) >= Access::TeamLead
        && insp.stage == Stage::Reporting
        && fb.is_none_or(|f| f.status == FeedbackStatus::Draft)
}

async fn render_show(
    app: &AppState,
    user: &PageUser,
    id: Id,
    banner: Option<String>,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let insp = inspection(app, user, id).await?;
    let fb = app.services.get_feedback(actor, id).await.or_page(actor)?;
    let (assessment, groups, recommendations, demands, deadline, meeting_date, given, saved) =
        match &fb {
            Some(f) => (
                paragraphs(&f.assessment),
                f.groups
                    .iter()
                    .enumerate()
                    .map(|(i, g)| DocGroup {
                        heading: format!("（{}）{}方面", chinese_number(i + 1), g.category_name),
                        items: g.items.iter().map(|x| sentence(&x.title)).collect(),
                    })
                    .collect(),
                f.recommendations
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("{}是", chinese_number(i + 1)), sentence(r)))
                    .collect(),
                paragraphs(&f.demands),
                opt_cn_date(f.deadline),
                opt_cn_date(f.meeting.date),
                f.given
                    .as_ref()
                    .map(|s| format!("{}　{}", s.name, local_time(s.at))),
                format!("{}　{}", f.saved.name, local_time(f.saved.at)),
            ),
            None => Default::default(),
        };
    let page = ShowPage {
        frame: Frame::new(app, user, "反馈意见", "/inspections")
            .await
            .with_notice(notice),
        head: WorkHead::of(actor, &insp, TabKind::Feedback),
        title: doc_title(app, user, &insp).await,
        team: team_full_name(app, user, &insp).await,
        can_edit: may_prepare(user, &insp, fb.as_ref()),
        fb,
        assessment,
        groups,
        recommendations,
        demands,
        deadline,
        meeting_date,
        given,
        saved,
        banner,
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn show(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = Id::from_path(&id, "巡视任务").or_page(&user.actor)?;
    render_show(&app, &user, id, None, q.notice.as_deref(), StatusCode::OK).await
}

/// The feedback as a `.docx`, for whoever may read it on this page (`get_feedback`'s rule: the
/// inspected unit only once it is given).
async fn download(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let doc = docx::feedback_doc(&app, actor, id).await.or_page(actor)?;
    docx::docx_response(&doc).or_page(actor)
}

// ---------------------------------------------------------------------------------------------
// Preparing the draft

struct PaperChoice {
    id: Id,
    label: String,
    checked: bool,
}

#[derive(Template)]
#[template(path = "feedback_form.html")]
struct FormPage {
    frame: Frame,
    head: WorkHead,
    title: String,
    f: FeedbackInput,
    papers: Vec<PaperChoice>,
    recommendations: Vec<String>,
    errors: FormErrors,
    /// The text pasted into 从文本识别, shown again with what was read from it.
    text: String,
    recognized: Option<Recognized>,
}

/// What 从文本识别 read, for the person to check against the form it filled.
struct Recognized {
    groups: Vec<RecognizedGroup>,
    requirements: Vec<String>,
    warnings: Vec<String>,
}

struct RecognizedGroup {
    title: Option<String>,
    /// Each proposed item, and whether a signed paper of that title was ticked for it.
    items: Vec<(String, bool)>,
}

/// The pasted text and its reading, when the form is shown after 从文本识别.
struct Pasted {
    text: String,
    parsed: Option<ParsedFeedback>,
}

async fn render_form(
    app: &AppState,
    user: &PageUser,
    insp: &Inspection,
    f: FeedbackInput,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let pasted = Pasted {
        text: String::new(),
        parsed: None,
    };
    render_form_with(app, user, insp, f, pasted, errors, status).await
}

async fn render_form_with(
    app: &AppState,
    user: &PageUser,
    insp: &Inspection,
    mut f: FeedbackInput,
    pasted: Pasted,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
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
    let recognized = pasted.parsed.map(|parsed| {
        let (reading, ticked) = proposal(parsed, &signed);
        fill(&mut f, &reading, ticked);
        reading
    });
    let papers = signed
        .iter()
        .map(|p| PaperChoice {
            id: p.id,
            label: format!("第{}号 【{}】{}", p.seq, p.category_name, p.title),
            checked: f
                .problem_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&p.id.to_string())),
        })
        .collect();
    let mut recommendations: Vec<String> = f
        .recommendations
        .iter()
        .filter(|r| !r.trim().is_empty())
        .cloned()
        .collect();
    recommendations.extend([String::new(), String::new()]);
    let page = FormPage {
        frame: Frame::new(app, user, "拟写反馈意见", "/inspections").await,
        head: WorkHead::of(actor, insp, TabKind::Feedback),
        title: doc_title(app, user, insp).await,
        papers,
        recommendations,
        f,
        errors,
        text: pasted.text,
        recognized: recognized.map(|(r, _)| r),
    };
    Ok(render(status, &page))
}

/// The reading laid out for the page, with the ids of the signed papers whose titles its items
/// name, and what it fills the form with.
fn proposal(
    parsed: ParsedFeedback,
    signed: &[ProblemSummary],
) -> ((Recognized, Filled), Vec<String>) {
    let mut ticked = Vec::new();
    let groups = parsed
        .problem_groups
        .into_iter()
        .zip(parsed.problem_group_titles)
        .map(|(items, title)| RecognizedGroup {
            title,
            items: items
                .into_iter()
                .map(|item| {
                    let paper = signed.iter().find(|p| same_problem(&item, &p.title));
                    if let Some(p) = paper {
                        ticked.push(p.id.to_string());
                    }
                    (item, paper.is_some())
                })
                .collect(),
        })
        .collect();
    let delivered_by = match (parsed.inspection_body, parsed.team_leader) {
        (Some(body), Some(leader)) => Some(format!("{body}组长{leader}")),
        (None, Some(leader)) => Some(format!("巡视组组长{leader}")),
        _ => None,
    };
    let filled = Filled {
        recommendations: parsed.recommendations,
        demands: parsed
            .requirements
            .iter()
            .map(|r| format!("{r}。"))
            .collect(),
        meeting_date: parsed.feedback_date.map(|d| d.to_string()),
        delivered_by,
    };
    let shown = Recognized {
        groups,
        requirements: parsed.requirements,
        warnings: parsed.warnings,
    };
    ((shown, filled), ticked)
}

/// What a reading puts into the form; a part it did not find leaves the draft's own.
struct Filled {
    recommendations: Vec<String>,
    demands: String,
    meeting_date: Option<String>,
    delivered_by: Option<String>,
}

fn fill(f: &mut FeedbackInput, (_, filled): &(Recognized, Filled), ticked: Vec<String>) {
    if !ticked.is_empty() {
        f.problem_ids = Some(ticked);
    }
    if !filled.recommendations.is_empty() {
        f.recommendations = filled.recommendations.clone();
    }
    if !filled.demands.is_empty() {
        f.demands = filled.demands.clone();
    }
    if let Some(d) = &filled.meeting_date {
        f.meeting_date = Some(d.clone());
    }
    if let Some(by) = &filled.delivered_by {
        f.delivered_by = by.clone();
    }
}

async fn edit(State(app): State<AppState>, user: PageUser, Path(id): Path<String>) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let insp = inspection(&app, &user, id).await?;
    let f = draft(&app, &user, id).await?;
    render_form(&app, &user, &insp, f, FormErrors::none(), StatusCode::OK).await
}

/// "从文本识别": the pasted text read by the core into a proposal that fills the form — the
/// signed papers its items name ticked, its recommendations, its requirements as the demands,
/// the feedback day and who delivered it — over the saved draft. Nothing is saved: the person
/// corrects the form and saves it as any draft.
async fn recognize(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let insp = inspection(&app, &user, id).await?;
    let f = draft(&app, &user, id).await?;
    let text = p.get("text");
    let (parsed, errors, status) = match app.services.parse_feedback_text(actor, &text) {
        Ok(parsed) => (Some(parsed), FormErrors::none(), StatusCode::OK),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            return Err(e).or_page(actor);
        }
        Err(e) => (None, FormErrors::from_error(&e), status_of(&e)),
    };
    let pasted = Pasted { text, parsed };
    render_form_with(&app, &user, &insp, f, pasted, errors, status).await
}

/// The draft as saved, or what a first draft starts from; refused once the feedback is given.
async fn draft(app: &AppState, user: &PageUser, id: Id) -> Result<FeedbackInput, super::PageError> {
    let actor = &user.actor;
    Ok(
        match app.services.get_feedback(actor, id).await.or_page(actor)? {
            Some(fb) if fb.status == FeedbackStatus::Given => {
                return Err(CoreError::RuleRefused("反馈意见已经反馈，不能修改".into()))
                    .or_page(actor);
            }
            Some(fb) => FeedbackInput {
                version: fb.version,
                assessment: fb.assessment,
                problem_ids: Some(
                    fb.groups
                        .iter()
                        .flat_map(|g| g.items.iter().map(|i| i.problem_id.to_string()))
                        .collect(),
                ),
                recommendations: fb.recommendations,
                demands: fb.demands,
                deadline: fb.deadline.map(|d| d.to_string()),
                meeting_date: fb.meeting.date.map(|d| d.to_string()),
                delivered_by: fb.meeting.delivered_by,
                delivered_to: fb.meeting.delivered_to,
                presided_by: fb.meeting.presided_by,
            },
            None => app
                .services
                .feedback_defaults(actor, id)
                .await
                .or_page(actor)?,
        },
    )
}

async fn save(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let input = FeedbackInput {
        version: p.version().or_page(actor)?,
        assessment: p.get("assessment"),
        problem_ids: Some(p.all("problem_ids")),
        recommendations: p.all("recommendations"),
        demands: p.get("demands"),
        deadline: p.opt("deadline"),
        meeting_date: p.opt("meeting_date"),
        delivered_by: p.get("delivered_by"),
        delivered_to: p.get("delivered_to"),
        presided_by: p.get("presided_by"),
    };
    match app.services.save_feedback(actor, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}/feedback"), "saved")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let insp = inspection(&app, &user, id).await?;
            render_form(
                &app,
                &user,
                &insp,
                input,
                FormErrors::from_error(&e),
                status_of(&e),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct GiveForm {
    version: i64,
}

async fn give(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<GiveForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    match app.services.give_feedback(actor, id, f.version).await {
        Ok((fb, _)) => Ok(see_other(
            &format!("/inspections/{id}/feedback"),
            if fb.status == FeedbackStatus::Given {
                "feedback_given"
            } else {
                "saved"
            },
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => render_show(&app, &user, id, Some(banner(&e)), None, status_of(&e)).await,
    }
}
