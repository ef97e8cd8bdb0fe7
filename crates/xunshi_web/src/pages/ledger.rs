//! Pages of the ledger (整改台账): the tasks across plans with their deadline colours and
//! filters, and one task with its progress timeline, evidence files, verification and change
//! requests, and the forms of whoever may act on it now.

use crate::http::Form;
use crate::http::{FormPairs, Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::deadline::Colour;
use xunshi_core::page::DEFAULT_LIMIT;
use xunshi_core::paper::MAX_EVIDENCE_BYTES;
use xunshi_core::permission::Actor;
use xunshi_core::rectify::{Defect, TaskStatus};
use xunshi_core::service::{BatchItem, ChangeInput, LedgerTotals, TaskDetail};
use xunshi_core::store::TaskSort;
use xunshi_core::{CoreError, Id};
use xunshi_office::chinese_date;

use super::pager::{Pager, Place};
use super::rectify::{ChangeRow, Choice, TaskRow, choice, due_kinds};
use super::{FormErrors, Frame, OrPage, PageResult, error_page, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::files::{FileQuery, UPLOAD_LIMIT, page_upload, size_label, task_file_response};
use crate::http::filters::LedgerQuery;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/rectification/tasks", get(ledger))
        .route("/rectification/tasks/print", get(print_view))
        .route("/rectification/tasks/batch", post(batch))
        .route("/rectification/tasks/{id}", get(task_page))
        .route("/rectification/tasks/{id}/progress", post(progress))
        .route(
            "/rectification/tasks/{id}/evidence",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/rectification/tasks/{id}/verify", post(verify))
        .route(
            "/rectification/tasks/{id}/change-requests",
            post(request_change),
        )
        .route(
            "/rectification/change-requests/{id}/decide",
            post(decide_change),
        )
        .route("/rectification/evidence/{id}", get(download))
        .route(
            "/rectification/evidence/{id}/withdraw",
            post(withdraw_evidence),
        )
}

fn parse_id(raw: &str, what: &str, actor: &Actor) -> Result<Id, super::PageError> {
    Id::from_path(raw, what).or_page(actor)
}

// ---------------------------------------------------------------------------------------------
// The ledger: /rectification/tasks

#[derive(Template)]
#[template(path = "rect_ledger.html")]
struct LedgerPage {
    frame: Frame,
    rows: Vec<TaskRow>,
    /// `None`: the reader sees every unit and names one (`unit`) instead of picking it.
    units: Option<Vec<Choice>>,
    unit_name: String,
    /// The text searched for, as typed.
    text: String,
    inspections: Option<Vec<Choice>>,
    inspection_id: String,
    /// The committee whose inspections' tasks are listed (from 分级汇总), kept across the
    /// filters, with its name.
    dispatcher: Option<(String, String)>,
    statuses: Vec<Choice>,
    colours: Vec<Choice>,
    categories: Vec<Choice>,
    filtered: bool,
    /// Whether rows may be ticked for a batch (the supervisors); the core checks each task.
    can_batch: bool,
    total: i64,
    /// The filters alone, for the workbook and the print view (which keep the ledger's order).
    query: String,
    pages: Pager,
}

/// The ledger under the filters of [`LedgerQuery`], the same parser as `GET /api/v1/tasks`: a
/// filter that cannot be read shows the page again with the message and no rows (400).
async fn ledger(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<LedgerQuery>,
) -> PageResult {
    let actor = &user.actor;
    let parsed = q.filter().and_then(|f| Ok((f, q.sorted()?)));
    let (sort, limit) = match &parsed {
        Ok((_, (sort, _, limit))) => (*sort, *limit),
        Err(_) => (TaskSort::default(), DEFAULT_LIMIT),
    };
    let listed = match parsed {
        Ok((f, (sort, at, limit))) => app
            .services
            .ledger_page(actor, &f, sort, at.as_ref(), limit)
            .await
            .map(|list| (f, at, list)),
        Err(e) => Err(e),
    };
    let (filter, rows, total, at, next_cursor, prev_cursor, refused) = match listed {
        Ok((f, at, list)) => (
            Some(f),
            list.items.iter().map(TaskRow::of).collect(),
            list.total,
            at,
            list.next_cursor,
            list.prev_cursor,
            None,
        ),
        Err(e @ CoreError::BadInput(_)) => (None, Vec::new(), 0, None, None, None, Some(e)),
        Err(e) => return Err(e).or_page(actor),
    };
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
    let (unit_id, inspection_id, status, colour, category_id) = (
        text(&q.unit_id),
        text(&q.inspection_id),
        text(&q.status),
        text(&q.colour),
        text(&q.category_id),
    );
    // The pickers offer what the actor works on; those who see every unit name one instead.
    let pickers = app.services.rect_pickers(actor).await.or_page(actor)?;
    let mut unit_name = text(&q.unit);
    if unit_name.is_empty()
        && pickers.units.is_none()
        && let Some(id) = filter.as_ref().and_then(|f| f.unit_id)
    {
        unit_name = app
            .services
            .get_unit(actor, id)
            .await
            .map(|u| u.name)
            .unwrap_or_default();
    }
    let units = pickers.units.map(|us| {
        us.iter()
            .map(|u| choice(&u.id.to_string(), &u.name, &unit_id))
            .collect()
    });
    let inspections = pickers.inspections.map(|is| {
        is.iter()
            .map(|i| {
                let names: Vec<&str> = i.units.iter().map(|u| u.name.as_str()).collect();
                choice(
                    &i.id.to_string(),
                    &format!("{}（{}）", i.team_name, names.join("、")),
                    &inspection_id,
                )
            })
            .collect()
    });
    let categories = match app.services.taxonomies(actor).await {
        Ok(t) => t
            .iter()
            .flat_map(|v| {
                v.categories.iter().map(|c| {
                    choice(
                        &c.id.to_string(),
                        &format!("{}（{}）", c.name, v.version.name),
                        &category_id,
                    )
                })
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let query = serde_urlencoded::to_string([
        ("unit_id", unit_id.as_str()),
        ("unit", text(&q.unit).as_str()),
        ("inspection_id", inspection_id.as_str()),
        ("dispatcher_id", text(&q.dispatcher_id).as_str()),
        ("plan_id", q.plan_id.as_deref().unwrap_or_default()),
        ("status", status.as_str()),
        ("colour", colour.as_str()),
        ("category_id", category_id.as_str()),
        ("rejected", q.rejected.as_deref().unwrap_or_default()),
        ("q", text(&q.q).as_str()),
    ])
    .unwrap_or_default();
    let dispatcher = match filter.as_ref().and_then(|f| f.dispatcher_id) {
        Some(id) => {
            let name = app.services.get_unit(actor, id).await.map(|u| u.name);
            Some((id.to_string(), name.unwrap_or_else(|_| "该党组织".into())))
        }
        None => None,
    };
    let pages = Pager::new(
        "/rectification/tasks",
        &query,
        sort,
        limit,
        Place {
            total,
            number: q.page,
            at: at.as_ref(),
            next: next_cursor,
            prev: prev_cursor,
        },
    );
    let page = LedgerPage {
        frame: Frame::new(&app, &user, "整改台账", "/rectification/tasks")
            .await
            .with_error(refused.as_ref()),
        rows,
        units,
        unit_name,
        text: text(&q.q),
        inspections,
        inspection_id: inspection_id.clone(),
        dispatcher,
        statuses: TaskStatus::ALL
            .iter()
            .map(|s| choice(s.as_str(), s.label(), &status))
            .collect(),
        colours: Colour::ALL
            .iter()
            .map(|c| choice(c.as_str(), c.label(), &colour))
            .collect(),
        categories,
        filtered: q.is_filtered(),
        can_batch: app.services.may_supervise(actor),
        total,
        query,
        pages,
    };
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    Ok(render(status, &page))
}

// ---------------------------------------------------------------------------------------------
// Several tasks at once: /rectification/tasks/batch

/// One ticked task and what became of it.
struct BatchRow {
    id: String,
    seq: String,
    done: bool,
    message: String,
}

/// A notice a reminder issued.
struct NoticeRow {
    id: String,
}

#[derive(Template)]
#[template(path = "rect_batch.html")]
struct BatchPage {
    frame: Frame,
    /// 销号 or 催办.
    verb: &'static str,
    rows: Vec<BatchRow>,
    done: usize,
    failed: usize,
    notices: Vec<NoticeRow>,
}

/// Reads a ticked row, `{id}:{version}` (the version the page showed, for 销号).
fn ticked(raw: &str) -> Result<(Id, i64), CoreError> {
    let bad = || CoreError::bad_input("tasks", format!("“{raw}”不是有效的任务选择"));
    let (id, version) = raw.split_once(':').ok_or_else(bad)?;
    Ok((
        id.parse().map_err(|_| bad())?,
        version.parse().map_err(|_| bad())?,
    ))
}

/// The ledger's batch form: `action=verify` closes every ticked claimed task with one opinion
/// (`reason`), `action=remind` reminds the units of the ticked overdue tasks, one notice per
/// unit. The page then lists each task with what became of it; nothing done is undone by a
/// task refused. Refused as a whole (403) for someone who may do it to none of them.
async fn batch(State(app): State<AppState>, user: PageUser, form: FormPairs) -> PageResult {
    let actor = &user.actor;
    let picks: Result<Vec<(Id, i64)>, CoreError> =
        form.all("tasks").iter().map(|t| ticked(t)).collect();
    let action = form.get("action");
    let outcome = match (action.as_str(), picks) {
        (_, Err(e)) => Err(e),
        ("verify", Ok(picks)) => app
            .services
            .verify_tasks(actor, &picks, &form.get("reason"))
            .await
            .map(|items| ("销号", items, Vec::new())),
        ("remind", Ok(picks)) => {
            let ids: Vec<Id> = picks.iter().map(|(id, _)| *id).collect();
            app.services
                .remind_overdue(actor, &ids)
                .await
                .map(|r| ("催办", r.items, r.notices))
        }
        _ => Err(CoreError::bad_input("action", "请选择批量销号或批量催办")),
    };
    let (verb, items, notices) = match outcome {
        Ok(x) => x,
        Err(e) => return Ok(error_page(&e, Some(actor))),
    };
    let rows: Vec<BatchRow> = items
        .iter()
        .map(|i: &BatchItem| BatchRow {
            id: i.task_id.to_string(),
            seq: i.seq.clone().unwrap_or_default(),
            done: i.outcome.is_ok(),
            message: match &i.outcome {
                Ok(()) => String::new(),
                Err(e) => crate::error::public_message(e),
            },
        })
        .collect();
    let done = rows.iter().filter(|r| r.done).count();
    let page = BatchPage {
        frame: Frame::new(
            &app,
            &user,
            &format!("批量{verb}结果"),
            "/rectification/tasks",
        )
        .await,
        verb,
        failed: rows.len() - done,
        done,
        rows,
        notices: notices
            .iter()
            .map(|n| NoticeRow {
                id: n.id.to_string(),
            })
            .collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// The ledger for paper: /rectification/tasks/print

/// One measure of the printed ledger, with the problem's cells spanning its measures.
struct PrintRow {
    row: TaskRow,
    source: String,
    /// How many rows the problem's cells span from this one; 0 on the rows they cover.
    span: usize,
    evidence: Vec<String>,
    mechanisms: Vec<String>,
    accountability: Vec<String>,
}

/// The printed ledger: a page of its own, without the application's header and navigation,
/// every row of the filter (up to the export's cap) in full, laid out for A4 landscape.
#[derive(Template)]
#[template(path = "rect_ledger_print.html")]
struct PrintPage {
    title: String,
    /// The units the rows belong to, as the heading names them.
    units: String,
    as_of: String,
    rows: Vec<PrintRow>,
    totals: String,
    /// Why nothing is printed: the filter could not be read, or it holds more than the cap.
    refused: Option<String>,
    /// The ledger page under the same filters, to go back to and narrow.
    back: String,
}

/// The whole ledger under the filters of [`LedgerQuery`] (the same parser as the page, the
/// API and the workbook), read through the export, so it stops at the same cap and refuses
/// above it with the same message instead of loading an unbounded set.
async fn print_view(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<LedgerQuery>,
    RawQuery(raw): RawQuery,
) -> PageResult {
    let actor = &user.actor;
    let back = match raw.as_deref().filter(|r| !r.is_empty()) {
        Some(r) => format!("/rectification/tasks?{r}"),
        None => "/rectification/tasks".to_owned(),
    };
    let exported = match q.filter() {
        Ok(f) => app.services.ledger_export(actor, &f).await,
        Err(e) => Err(e),
    };
    let x = match exported {
        Ok(x) => x,
        Err(e @ (CoreError::BadInput(_) | CoreError::Unfit(_) | CoreError::RuleRefused(_))) => {
            let page = PrintPage {
                title: "整改台账".into(),
                units: String::new(),
                as_of: String::new(),
                rows: Vec::new(),
                totals: String::new(),
                refused: Some(crate::error::public_message(&e)),
                back,
            };
            return Ok(render(status_of(&e), &page));
        }
        Err(e) => return Err(e).or_page(actor),
    };
    let mut units: Vec<&str> = x.rows.iter().map(|r| r.entry.unit_name.as_str()).collect();
    units.dedup();
    let totals = LedgerTotals::of(&x.rows).text();
    let mut rows: Vec<PrintRow> = Vec::with_capacity(x.rows.len());
    let mut group_start = 0;
    for (i, r) in x.rows.iter().enumerate() {
        let t = &r.entry.task;
        let same = i > 0 && {
            let p = &x.rows[i - 1].entry.task;
            (p.unit_id, p.problem_id) == (t.unit_id, t.problem_id)
        };
        if same {
            rows[group_start].span += 1;
        } else {
            group_start = i;
        }
        rows.push(PrintRow {
            row: TaskRow::of(&r.entry),
            source: r.source.clone(),
            span: if same { 0 } else { 1 },
            evidence: r.evidence.clone(),
            mechanisms: r.mechanisms.clone(),
            accountability: r.accountability.clone(),
        });
    }
    let page = PrintPage {
        units: units.join("、"),
        as_of: chinese_date(x.as_of),
        title: x.title,
        rows,
        totals,
        refused: None,
        back,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// One task: /rectification/tasks/{id}

struct ProgressRow {
    text: String,
    progress: i16,
    claims_done: bool,
    by: String,
    at: String,
}

struct EvidenceRow {
    id: String,
    href: String,
    filename: String,
    size: String,
    kind: xunshi_core::paper::FileKind,
    sha256: String,
    uploaded: String,
    withdrawn: String,
    withdrawn_reason: String,
}

struct VerificationRow {
    closed: bool,
    defect: String,
    /// On a rejection, the share done the verifier found, as `60%`.
    progress: String,
    reason: String,
    by: String,
    at: String,
}

#[derive(Deserialize, Default, Clone)]
struct ProgressForm {
    version: Option<i64>,
    #[serde(default)]
    text: String,
    #[serde(default)]
    progress: String,
    #[serde(default)]
    claims_done: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
struct VerifyForm {
    version: Option<i64>,
    /// close or reject
    #[serde(default)]
    decision: String,
    #[serde(default)]
    defect: String,
    /// On a rejection, the share done the verifier found (0–99).
    #[serde(default)]
    progress: String,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize, Default, Clone)]
struct ChangeForm {
    #[serde(default)]
    measure: String,
    #[serde(default)]
    due_kind: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "rect_task.html")]
struct TaskPage {
    frame: Frame,
    row: TaskRow,
    plan_id: String,
    plan_title: String,
    plan_status: &'static str,
    /// Later plans that carry the task over (一并落实).
    carried_into: Vec<xunshi_core::service::CarryingPlan>,
    progress: Vec<ProgressRow>,
    evidence: Vec<EvidenceRow>,
    verifications: Vec<VerificationRow>,
    changes: Vec<ChangeRow>,
    can_edit: bool,
    can_report: bool,
    can_claim: bool,
    can_upload: bool,
    can_verify: bool,
    can_request_change: bool,
    can_decide_change: bool,
    progress_form: ProgressForm,
    progress_errors: FormErrors,
    evidence_errors: FormErrors,
    verify_form: VerifyForm,
    defects: Vec<Choice>,
    verify_errors: FormErrors,
    change_form: ChangeForm,
    kinds: Vec<Choice>,
    change_errors: FormErrors,
    decide_comment: String,
    decide_errors: FormErrors,
    max_mb: usize,
    /// The task's working paper, with the problems like it, for those who may read it.
    paper_href: Option<String>,
}

/// Which form of the task page comes back with what was typed and its messages.
enum Open {
    None,
    Progress(ProgressForm, FormErrors),
    Evidence(FormErrors),
    Verify(VerifyForm, FormErrors),
    Change(ChangeForm, FormErrors),
    Decide(String, FormErrors),
}

async fn render_task(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    open: Open,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let d: TaskDetail = app.services.get_task(actor, id).await.or_page(actor)?;
    let t = &d.entry.task;
    let mut page = TaskPage {
        // The title names the task, so tabs and history tell one task from another.
        frame: Frame::new(
            app,
            user,
            &format!("整改任务 {} · {}", t.seq, d.entry.unit_name),
            "/rectification/tasks",
        )
        .await
        .with_notice(notice),
        row: TaskRow::of(&d.entry),
        paper_href: d
            .rights
            .read_paper
            .then(|| format!("/papers/{}#similar", t.problem_id)),
        plan_id: d.plan.id.to_string(),
        plan_title: d.plan.title.clone(),
        carried_into: d.carried_into.clone(),
        plan_status: d.plan.status.label(),
        progress: d
            .progress
            .iter()
            .rev()
            .map(|p| ProgressRow {
                text: p.text.clone(),
                progress: p.progress,
                claims_done: p.claims_done,
                by: p.by_name.clone(),
                at: local_time(p.at),
            })
            .collect(),
        evidence: d
            .evidence
            .iter()
            .map(|e| EvidenceRow {
                id: e.id.to_string(),
                href: format!("/rectification/evidence/{}", e.id),
                filename: e.filename.clone(),
                size: size_label(e.size),
                kind: e.kind,
                sha256: e.sha256.clone(),
                uploaded: format!("{} {}", e.uploaded.name, local_time(e.uploaded.at)),
                withdrawn: e
                    .withdrawn
                    .as_ref()
                    .map(|w| format!("{} {}", w.name, local_time(w.at)))
                    .unwrap_or_default(),
                withdrawn_reason: e.withdrawn_reason.clone().unwrap_or_default(),
            })
            .collect(),
        verifications: d
            .verifications
            .iter()
            .map(|v| VerificationRow {
                closed: v.closed,
                defect: v.defect.map(|x| x.label().to_owned()).unwrap_or_default(),
                progress: v.progress.map(|p| format!("{p}%")).unwrap_or_default(),
                reason: v.reason.clone(),
                by: v.by_name.clone(),
                at: local_time(v.at),
            })
            .collect(),
        changes: d
            .change_requests
            .iter()
            .map(|c| ChangeRow::of(c, &t.seq))
            .collect(),
        can_edit: d.rights.edit,
        can_report: d.rights.report,
        can_claim: d.rights.claim,
        can_upload: d.rights.upload,
        can_verify: d.rights.verify,
        can_request_change: d.rights.request_change,
        can_decide_change: d.rights.decide_change,
        progress_form: ProgressForm {
            progress: t.progress.to_string(),
            ..Default::default()
        },
        progress_errors: FormErrors::none(),
        evidence_errors: FormErrors::none(),
        verify_form: VerifyForm::default(),
        defects: Vec::new(),
        verify_errors: FormErrors::none(),
        change_form: ChangeForm {
            measure: t.measure.clone(),
            due_kind: super::rectify::due_kind_code(t.due).to_owned(),
            due_date: t.due.date().map(|d| d.to_string()).unwrap_or_default(),
            reason: String::new(),
        },
        kinds: Vec::new(),
        change_errors: FormErrors::none(),
        decide_comment: String::new(),
        decide_errors: FormErrors::none(),
        max_mb: MAX_EVIDENCE_BYTES / 1024 / 1024,
    };
    match open {
        Open::None => {}
        Open::Progress(f, e) => {
            page.progress_form = f;
            page.progress_errors = e;
        }
        Open::Evidence(e) => page.evidence_errors = e,
        Open::Verify(f, e) => {
            page.verify_form = f;
            page.verify_errors = e;
        }
        Open::Change(f, e) => {
            page.change_form = f;
            page.change_errors = e;
        }
        Open::Decide(c, e) => {
            page.decide_comment = c;
            page.decide_errors = e;
        }
    }
    page.defects = Defect::ALL
        .iter()
        .map(|x| choice(x.as_str(), x.label(), &page.verify_form.defect))
        .collect();
    page.kinds = due_kinds(&page.change_form.due_kind);
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

async fn task_page(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "整改任务", &user.actor)?;
    render_task(
        &app,
        &user,
        id,
        q.notice.as_deref(),
        Open::None,
        StatusCode::OK,
    )
    .await
}

/// After a form: back to the task, or the task again with the form's messages. Refusals of
/// the actor (403, 404) are pages of their own.
async fn after<T>(
    app: &AppState,
    user: &PageUser,
    id: Id,
    result: Result<T, CoreError>,
    notice: &str,
    reopen: impl FnOnce(FormErrors) -> Open,
) -> PageResult {
    match result {
        Ok(_) => Ok(see_other(&format!("/rectification/tasks/{id}"), notice)),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(&user.actor)))
        }
        Err(e) => {
            let status = status_of(&e);
            render_task(
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

fn need_version(v: Option<i64>, actor: &Actor) -> Result<i64, super::PageError> {
    crate::http::require_version(v).or_page(actor)
}

async fn progress(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ProgressForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改任务", actor)?;
    let version = need_version(f.version, actor)?;
    let claims = f.claims_done.is_some();
    let result = match f.progress.trim().parse::<i16>() {
        Ok(n) => {
            app.services
                .report_progress(actor, id, version, &f.text, n, claims)
                .await
        }
        Err(_) => Err(CoreError::bad_input(
            "progress",
            "完成进度应为 0 到 100 之间的整数",
        )),
    };
    after(&app, &user, id, result, "saved", |e| Open::Progress(f, e)).await
}

async fn upload(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改任务", actor)?;
    let result = match page_upload(&app, mp).await {
        Ok((name, bytes)) => {
            app.services
                .upload_task_evidence(actor, id, &name, bytes)
                .await
        }
        Err((StatusCode::PAYLOAD_TOO_LARGE, msg)) => {
            let e = CoreError::bad_input("file", msg);
            return render_task(
                &app,
                &user,
                id,
                None,
                Open::Evidence(FormErrors::from_error(&e)),
                StatusCode::PAYLOAD_TOO_LARGE,
            )
            .await;
        }
        Err((_, msg)) => Err(CoreError::bad_input("file", msg)),
    };
    after(&app, &user, id, result, "uploaded", Open::Evidence).await
}

async fn verify(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VerifyForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改任务", actor)?;
    let version = need_version(f.version, actor)?;
    let close = match f.decision.as_str() {
        "close" => Some(true),
        "reject" => Some(false),
        _ => None,
    };
    let result = match close {
        None => Err(CoreError::bad_input("decision", "请选择销号或退回整改")),
        Some(close) => {
            let defect = if close || f.defect.trim().is_empty() {
                Ok(None)
            } else {
                Defect::parse(&f.defect).map(Some)
            };
            // The share is asked for a rejection only; what it may be is the core's rule.
            let progress = match f.progress.trim() {
                _ if close => Ok(None),
                "" => Ok(None),
                p => p.parse::<i16>().map(Some).map_err(|_| {
                    CoreError::bad_input("progress", "核定进度应为 0 到 99 之间的整数")
                }),
            };
            match (defect, progress) {
                (Ok(defect), Ok(progress)) => {
                    app.services
                        .verify_task(actor, id, version, close, defect, progress, &f.reason)
                        .await
                }
                (Err(e), _) | (_, Err(e)) => Err(e),
            }
        }
    };
    after(&app, &user, id, result, "verified", |e| Open::Verify(f, e)).await
}

async fn request_change(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ChangeForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "整改任务", actor)?;
    let input = ChangeInput {
        measure: f.measure.clone(),
        due_kind: f.due_kind.clone(),
        due_date: Some(f.due_date.clone()),
        reason: f.reason.clone(),
    };
    let result = app.services.request_change(actor, id, &input).await;
    after(&app, &user, id, result, "created", |e| Open::Change(f, e)).await
}

#[derive(Deserialize)]
struct DecideForm {
    /// approve or refuse
    #[serde(default)]
    decision: String,
    #[serde(default)]
    comment: String,
    /// The task the request belongs to, to come back to.
    #[serde(default)]
    task_id: String,
}

async fn decide_change(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<DecideForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "变更申请", actor)?;
    let task = parse_id(&f.task_id, "整改任务", actor)?;
    let result = match f.decision.as_str() {
        "approve" => {
            app.services
                .decide_change(actor, id, true, &f.comment)
                .await
        }
        "refuse" => {
            app.services
                .decide_change(actor, id, false, &f.comment)
                .await
        }
        _ => Err(CoreError::bad_input("decision", "请选择同意或不同意")),
    };
    after(&app, &user, task, result, "saved", |e| {
        Open::Decide(f.comment, e)
    })
    .await
}

async fn download(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<FileQuery>,
) -> Result<Response, super::PageError> {
    let actor = &user.actor;
    let id = parse_id(&id, "佐证材料", actor)?;
    let (e, bytes) = app
        .services
        .download_task_evidence(actor, id)
        .await
        .or_page(actor)?;
    Ok(task_file_response(&e, bytes, q.download).into_response())
}

#[derive(Deserialize)]
struct EvidenceWithdrawForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    task_id: String,
}

async fn withdraw_evidence(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<EvidenceWithdrawForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "佐证材料", actor)?;
    let task = parse_id(&f.task_id, "整改任务", actor)?;
    let result = app
        .services
        .withdraw_task_evidence(actor, id, &f.reason)
        .await;
    after(&app, &user, task, result, "file_withdrawn", Open::Evidence).await
}
