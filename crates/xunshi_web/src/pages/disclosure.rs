//! Pages of reports and disclosure: the unit's rectification report and principal leader's
//! report (`/rectification/reports`), the public progress notice (`/rectification/notices`),
//! each assembled from the ledger, edited, submitted and — for a notice — approved by the
//! office; their `.docx` in the official layout; and the public pages (`/public/notices`),
//! which need no log-in and show only published notices.
//!
//! Every page calls the disclosure services, which decide who may see and do what; nothing
//! here checks on its own.

use crate::http::Form;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::disclosure::{Contact, DocKind, DocStatus, DocumentInput, RectDocument};
use xunshi_core::page::SortedPage;
use xunshi_core::permission::Actor;
use xunshi_core::role::Role;
use xunshi_core::service::{DisclosureTarget, DocRights, DocumentDetail, DocumentEntry};
use xunshi_core::store::{DocFilter, DocSortKey};
use xunshi_core::{CoreError, Id};
use xunshi_office::{Block, OfficialDoc, chinese_date, parse_blocks};

use super::{FormErrors, Frame, OrPage, PageResult, local_time, message_page, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::files::attachment;
use crate::http::filters::{DocQuery, LedgerQuery, PublicNoticeQuery, Sorting, given};
use crate::http::ledger::xlsx_response;
use crate::pages::pager::{Asked, Pager};
use xunshi_core::disclosure::DocCollection;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/rectification/reports",
            get(report_list).post(draft_report),
        )
        .route(
            "/rectification/reports/{id}",
            get(report_detail).post(revise_report),
        )
        .route("/rectification/reports/{id}/submit", post(submit_report))
        .route(
            "/rectification/reports/{id}/reassemble",
            post(reassemble_report),
        )
        .route(
            "/rectification/notices",
            get(notice_list).post(draft_notice),
        )
        .route(
            "/rectification/notices/{id}",
            get(notice_detail).post(revise_notice),
        )
        .route("/rectification/notices/{id}/submit", post(submit_notice))
        .route(
            "/rectification/notices/{id}/reassemble",
            post(reassemble_notice),
        )
        .route("/rectification/notices/{id}/approve", post(approve_notice))
        .route("/rectification/notices/{id}/return", post(return_notice))
        .route(
            "/rectification/notices/{id}/withdraw",
            post(withdraw_notice),
        )
        .route(
            "/rectification/notices/{id}/republish",
            post(republish_notice),
        )
        .route("/rectification/tasks.xlsx", get(ledger_download))
        .route("/public/notices", get(public_list))
        .route("/public/notices/{id}", get(public_detail))
}

/// Whether the navigation offers these pages: to everyone with a part in rectification. The
/// lists show each person only what is theirs.
pub fn shows_disclosure(actor: &Actor) -> bool {
    actor.grants().iter().any(|g| g.role != Role::Admin)
}

/// The two halves of the area: the reports to the office, and the notice to the public.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Reports,
    Notices,
}

impl Section {
    fn of(kind: DocKind) -> Section {
        if kind.is_report() {
            Section::Reports
        } else {
            Section::Notices
        }
    }

    fn collection(self) -> DocCollection {
        match self {
            Section::Reports => DocCollection::Reports,
            Section::Notices => DocCollection::Notices,
        }
    }

    fn base(self) -> &'static str {
        match self {
            Section::Reports => "/rectification/reports",
            Section::Notices => "/rectification/notices",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Section::Reports => "整改报告",
            Section::Notices => "整改进展通报",
        }
    }

    fn kinds(self) -> Vec<DocKind> {
        match self {
            Section::Reports => DocKind::REPORTS.to_vec(),
            Section::Notices => vec![DocKind::PublicNotice],
        }
    }
}

/// Notices passed between pages as codes; the texts are this area's own.
fn notice_of(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "created" => "已根据整改台账生成初稿，请核对修改后报送。",
        "saved" => "已保存为新的稿次。",
        "reassembled" => "已根据整改台账重新生成，原稿保留在修改记录中。",
        "submitted" => "已报送巡视办。",
        "approved" => "已审核同意，通报已在公开页面发布。",
        "returned" => "已退回被巡视单位修改。",
        "withdrawn" => "已撤回，通报不再在公开页面显示。",
        "republished" => "已复核，通报重新在公开页面发布。",
        _ => return None,
    })
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn parse_id(raw: &str, actor: &Actor) -> Result<Id, super::PageError> {
    Id::from_path(raw, "整改报告或通报").or_page(actor)
}

fn date_text(d: Option<jiff::civil::Date>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The lists

/// One document as a row of a table.
pub struct DocRow {
    pub href: String,
    pub title: String,
    pub kind: &'static str,
    pub unit: String,
    pub team: String,
    pub status: &'static str,
    pub tag: &'static str,
    pub revision: i32,
    pub submitted_on: String,
    pub published_on: String,
}

impl DocRow {
    fn of(e: &DocumentEntry) -> DocRow {
        let d = &e.document;
        DocRow {
            href: format!("{}/{}", Section::of(d.kind).base(), d.id),
            title: d.title.clone(),
            kind: d.kind.label(),
            unit: e.unit_name.clone(),
            team: e.team.clone(),
            status: d.status.label(),
            tag: d.status.tag(),
            revision: d.revision,
            submitted_on: date_text(d.submitted_on),
            published_on: date_text(d.published_on),
        }
    }
}

/// Where the two reports of one unit stand: the rule wants both within two months of feedback.
pub struct ReportState {
    /// The ledger of the unit for the inspection, as a workbook.
    pub ledger_href: String,
    pub unit: String,
    pub team: String,
    pub feedback_on: String,
    pub rectification: String,
    pub principal: String,
}

#[derive(Template)]
#[template(path = "rect_documents.html")]
struct ListPage {
    frame: Frame,
    heading: &'static str,
    base: &'static str,
    is_reports: bool,
    rows: Vec<DocRow>,
    states: Vec<ReportState>,
    draft_targets: Vec<Choice>,
    kinds: Vec<Choice>,
    filter_targets: Vec<Choice>,
    statuses: Vec<Choice>,
    filtered: bool,
    q: String,
    total: i64,
    pages: Pager,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct ListQuery {
    /// `inspection_id/unit_id`.
    #[serde(default)]
    target: String,
    #[serde(default)]
    status: String,
    q: Option<String>,
    sort: Option<String>,
    page: Option<u32>,
    limit: Option<u32>,
    cursor: Option<String>,
    notice: Option<String>,
}

#[derive(Deserialize, Default)]
struct DraftForm {
    #[serde(default)]
    target: String,
    #[serde(default)]
    kind: String,
}

fn target_value(t: &DisclosureTarget) -> String {
    format!("{}/{}", t.inspection_id, t.unit_id)
}

/// The list's filter and order, read by the parser of `GET /api/v1/rectification-reports` and
/// `/progress-notices`; the page's `target` is an inspection and a unit, `inspection/unit`.
fn doc_filter(
    q: &ListQuery,
    section: Section,
) -> Result<(DocFilter, Sorting<DocSortKey>), CoreError> {
    let (inspection_id, unit_id) = match q.target.trim() {
        "" => (None, None),
        t => match t.split_once('/') {
            Some((i, u)) => (Some(i.to_owned()), Some(u.to_owned())),
            None => return Err(CoreError::bad_input("target", "巡视与单位无法识别")),
        },
    };
    let dq = DocQuery {
        inspection_id,
        unit_id,
        kind: None,
        status: Some(q.status.clone()),
        q: q.q.clone(),
        sort: q.sort.clone(),
        page: q.page,
        cursor: q.cursor.clone(),
        limit: q.limit,
    };
    let f = dq.filter(&section.kinds()).map_err(|e| match e {
        CoreError::BadInput(mut fs) => {
            for f in &mut fs {
                if !matches!(f.field.as_str(), "status" | "q") {
                    f.field = "target".to_owned();
                }
            }
            CoreError::BadInput(fs)
        }
        other => other,
    })?;
    Ok((f, dq.sorted()?))
}

/// The list's filters alone, as its links carry them.
fn doc_query(q: &ListQuery) -> String {
    serde_urlencoded::to_string([
        ("target", q.target.as_str()),
        ("status", q.status.as_str()),
        ("q", given(&q.q).unwrap_or_default()),
    ])
    .unwrap_or_default()
}

fn parse_target(raw: &str) -> Option<(Id, Id)> {
    let (a, b) = raw.trim().split_once('/')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

async fn report_list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    list_page(
        &app,
        &user,
        Section::Reports,
        q,
        DraftForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn notice_list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    list_page(
        &app,
        &user,
        Section::Notices,
        q,
        DraftForm::default(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn list_page(
    app: &AppState,
    user: &PageUser,
    section: Section,
    q: ListQuery,
    form: DraftForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let targets = app
        .services
        .disclosure_targets(actor)
        .await
        .or_page(actor)?;
    let asked = Asked::read(doc_filter(&q, section), actor)?;
    let list = match &asked.filter {
        Some(f) => app
            .services
            .rect_document_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let pages = Pager::of(section.base(), &doc_query(&q), &asked, &list, q.page);
    let refused = asked.refused;
    // The reports' dates, per unit, as the targets carry them.
    let states = if section == Section::Reports {
        targets
            .iter()
            .map(|t| {
                let state = |on: Option<jiff::civil::Date>| {
                    on.map(|d| format!("{d} 已报送"))
                        .unwrap_or_else(|| "未报送".into())
                };
                ReportState {
                    ledger_href: format!(
                        "/rectification/tasks.xlsx?inspection_id={}&unit_id={}",
                        t.inspection_id, t.unit_id
                    ),
                    unit: t.unit_name.clone(),
                    team: t.team.clone(),
                    feedback_on: date_text(t.feedback_on),
                    rectification: state(t.rectification_submitted_on),
                    principal: state(t.principal_submitted_on),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let label = |t: &DisclosureTarget| format!("{}（{}）", t.unit_name, t.team);
    let draft_targets = targets
        .iter()
        .filter(|t| t.may_draft)
        .map(|t| Choice {
            value: target_value(t),
            label: label(t),
            selected: form.target == target_value(t),
        })
        .collect();
    let filter_targets = targets
        .iter()
        .map(|t| Choice {
            value: target_value(t),
            label: label(t),
            selected: q.target == target_value(t),
        })
        .collect();
    let kinds = DocKind::REPORTS
        .iter()
        .map(|k| Choice {
            value: k.as_str().into(),
            label: k.label().into(),
            selected: form.kind == k.as_str(),
        })
        .collect();
    let statuses = DocStatus::ALL
        .iter()
        // A report is never returned or published: it goes to the office and stays there.
        .filter(|s| {
            section == Section::Notices || matches!(s, DocStatus::Draft | DocStatus::Submitted)
        })
        .map(|s| Choice {
            value: s.as_str().into(),
            label: s.label().into(),
            selected: q.status == s.as_str(),
        })
        .collect();
    let mut frame = Frame::new(app, user, section.title(), section.base())
        .await
        .with_error(refused.as_ref());
    frame.notice = notice_of(q.notice.as_deref());
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let page = ListPage {
        frame,
        heading: section.title(),
        base: section.base(),
        is_reports: section == Section::Reports,
        rows: list.items.iter().map(DocRow::of).collect(),
        states,
        draft_targets,
        kinds,
        filter_targets,
        statuses,
        filtered: !q.target.is_empty() || !q.status.is_empty() || given(&q.q).is_some(),
        q: given(&q.q).unwrap_or_default().to_owned(),
        total: list.total,
        pages,
        errors,
    };
    Ok(render(status, &page))
}

async fn draft_report(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<DraftForm>,
) -> PageResult {
    draft(&app, &user, Section::Reports, f).await
}

async fn draft_notice(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<DraftForm>,
) -> PageResult {
    draft(&app, &user, Section::Notices, f).await
}

async fn draft(app: &AppState, user: &PageUser, section: Section, f: DraftForm) -> PageResult {
    let actor = &user.actor;
    let result = match parse_target(&f.target) {
        None => Err(CoreError::bad_input("target", "请选择被巡视单位")),
        Some((insp, unit)) => match section {
            Section::Notices => app.services.draft_public_notice(actor, insp, unit).await,
            Section::Reports => match DocKind::parse(&f.kind) {
                Ok(kind) => {
                    app.services
                        .draft_rectification_report(actor, insp, unit, kind)
                        .await
                }
                Err(_) => Err(CoreError::bad_input("kind", "请选择报告类型")),
            },
        },
    };
    match result {
        Ok(d) => Ok(see_other(
            &format!("{}/{}", section.base(), d.id),
            "created",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            list_page(
                app,
                user,
                section,
                ListQuery::default(),
                f,
                FormErrors::from_error(&e),
                status,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// One document

/// A paragraph of the preview, with the class of its level.
pub struct Para {
    pub class: &'static str,
    pub text: String,
}

fn paragraphs(text: &str) -> Vec<Para> {
    parse_blocks(text)
        .into_iter()
        .map(|b| match b {
            Block::Heading1(t) => Para {
                class: "doc-h1",
                text: t,
            },
            Block::Heading2(t) => Para {
                class: "doc-h2",
                text: t,
            },
            Block::Para(t) => Para {
                class: "letter-body",
                text: t,
            },
            // Typed text never parses to a table; should one come, its cells are shown as text.
            Block::Table(t) => Para {
                class: "letter-body",
                text: t
                    .rows
                    .iter()
                    .map(|r| r.join("　"))
                    .collect::<Vec<_>>()
                    .join("\n"),
            },
        })
        .collect()
}

pub struct RevisionRow {
    pub number: i32,
    pub by: String,
    pub at: String,
    pub note: String,
}

/// The edit form's values.
#[derive(Deserialize, Default, Clone)]
struct EditForm {
    version: i64,
    #[serde(default)]
    title: String,
    #[serde(default)]
    addressee: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    phone: String,
    #[serde(default)]
    mailbox: String,
    #[serde(default)]
    address: String,
    #[serde(default)]
    note: String,
}

impl EditForm {
    fn of(d: &RectDocument) -> EditForm {
        EditForm {
            version: d.version,
            title: d.title.clone(),
            addressee: d.addressee.clone(),
            issuer: d.issuer.clone(),
            body: d.body.clone(),
            phone: d.contact.phone.clone(),
            mailbox: d.contact.mailbox.clone(),
            address: d.contact.address.clone(),
            note: String::new(),
        }
    }

    fn input(&self) -> DocumentInput {
        DocumentInput {
            title: self.title.clone(),
            body: self.body.clone(),
            addressee: self.addressee.clone(),
            issuer: self.issuer.clone(),
            contact: Contact {
                phone: self.phone.clone(),
                mailbox: self.mailbox.clone(),
                address: self.address.clone(),
            },
            note: self.note.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "rect_document.html")]
struct DetailPage {
    frame: Frame,
    base: &'static str,
    id: String,
    version: i64,
    title: String,
    kind: &'static str,
    is_notice: bool,
    status: &'static str,
    tag: &'static str,
    published: bool,
    revision: i32,
    unit: String,
    team: String,
    addressee: String,
    issuer: String,
    paras: Vec<Para>,
    date_line: Option<String>,
    submitted: Option<String>,
    decided: Option<String>,
    decision_comment: String,
    returned: bool,
    withdrawn: bool,
    superseded: bool,
    in_review: bool,
    withheld_now: Vec<String>,
    rights: DocRights,
    revisions: Vec<RevisionRow>,
    form: EditForm,
    errors: FormErrors,
    return_comment: String,
    return_errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct NoticeQuery {
    notice: Option<String>,
}

fn detail_page(
    frame: Frame,
    detail: DocumentDetail,
    form: Option<EditForm>,
    errors: FormErrors,
    return_comment: String,
    return_errors: FormErrors,
) -> DetailPage {
    let e = detail.entry;
    let d = e.document;
    let section = Section::of(d.kind);
    DetailPage {
        frame,
        base: section.base(),
        id: d.id.to_string(),
        version: d.version,
        kind: d.kind.label(),
        is_notice: d.kind == DocKind::PublicNotice,
        status: d.status.label(),
        tag: d.status.tag(),
        published: d.status == DocStatus::Published,
        revision: d.revision,
        unit: e.unit_name,
        team: e.team,
        addressee: d.addressee.clone(),
        issuer: d.issuer.clone(),
        paras: paragraphs(&d.full_text()),
        date_line: crate::http::docx::document_date(&d).map(chinese_date),
        submitted: d
            .submitted
            .as_ref()
            .map(|s| format!("{}，{}", s.name, local_time(s.at))),
        decided: d
            .decided
            .as_ref()
            .map(|s| format!("{}，{}", s.name, local_time(s.at))),
        decision_comment: d.decision_comment.clone(),
        returned: d.status == DocStatus::Returned,
        withdrawn: d.status == DocStatus::Withdrawn,
        superseded: d.status == DocStatus::Superseded,
        in_review: d.status == DocStatus::NeedsReview,
        withheld_now: detail.withheld_now,
        rights: detail.rights,
        revisions: detail
            .revisions
            .iter()
            .rev()
            .map(|r| RevisionRow {
                number: r.number,
                by: r.created.name.clone(),
                at: local_time(r.created.at),
                note: r.note.clone(),
            })
            .collect(),
        form: form.unwrap_or_else(|| EditForm::of(&d)),
        errors,
        title: d.title,
        return_comment,
        return_errors,
    }
}

/// Renders a document's page with what the last form left.
#[allow(clippy::too_many_arguments)]
async fn show(
    app: &AppState,
    user: &PageUser,
    id: Id,
    collection: DocCollection,
    notice: Option<&str>,
    form: Option<EditForm>,
    errors: FormErrors,
    return_comment: String,
    return_errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let detail = app
        .services
        .rect_document(actor, id, Some(collection))
        .await
        .or_page(actor)?;
    let section = Section::of(detail.entry.document.kind);
    let mut frame = Frame::new(app, user, &detail.entry.document.title, section.base()).await;
    frame.notice = notice_of(notice);
    let page = detail_page(frame, detail, form, errors, return_comment, return_errors);
    Ok(render(status, &page))
}

async fn report_detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(raw): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    detail(&app, &user, Section::Reports, &raw, q).await
}

async fn notice_detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(raw): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    detail(&app, &user, Section::Notices, &raw, q).await
}

/// A document's page, or its `.docx` when the last segment ends so.
async fn detail(
    app: &AppState,
    user: &PageUser,
    section: Section,
    raw: &str,
    q: NoticeQuery,
) -> PageResult {
    let actor = &user.actor;
    if let Some(stem) = raw.strip_suffix(".docx") {
        let id = parse_id(stem, actor)?;
        let d = app
            .services
            .rect_document(actor, id, Some(section.collection()))
            .await
            .or_page(actor)?;
        let doc = d.entry.document;
        return Ok(docx_response(&crate::http::docx::rect_doc(&doc), &doc.title).into_response());
    }
    let id = parse_id(raw, actor)?;
    show(
        app,
        user,
        id,
        section.collection(),
        q.notice.as_deref(),
        None,
        FormErrors::none(),
        String::new(),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

fn docx_response(doc: &OfficialDoc, name: &str) -> Response {
    match xunshi_office::official_docx(doc) {
        Ok(bytes) => attachment(bytes, xunshi_office::DOCX_CONTENT_TYPE, name, "docx"),
        Err(e) => {
            tracing::error!(error = %e, "the document could not be written");
            message_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "系统错误",
                "文档生成失败，请稍后再试",
                None,
            )
        }
    }
}

async fn revise_report(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> PageResult {
    revise(&app, &user, &id, DocCollection::Reports, f).await
}

async fn revise_notice(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<EditForm>,
) -> PageResult {
    revise(&app, &user, &id, DocCollection::Notices, f).await
}

async fn revise(
    app: &AppState,
    user: &PageUser,
    raw: &str,
    collection: DocCollection,
    f: EditForm,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(raw, actor)?;
    // The address names a report or a notice; the service finds only that kind (as in the API).
    match app
        .services
        .revise_rect_document(actor, id, collection, f.version, &f.input())
        .await
    {
        Ok(d) => Ok(see_other(
            &format!("{}/{}", Section::of(d.kind).base(), d.id),
            "saved",
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            show(
                app,
                user,
                id,
                collection,
                None,
                Some(f),
                FormErrors::from_error(&e),
                String::new(),
                FormErrors::none(),
                status,
            )
            .await
        }
    }
}

#[derive(Deserialize, Default)]
struct VersionForm {
    version: i64,
    #[serde(default)]
    comment: String,
}

#[derive(Clone, Copy)]
enum Step {
    Submit,
    Reassemble,
    Approve,
    Return,
    Withdraw,
    Republish,
}

async fn step(
    app: &AppState,
    user: &PageUser,
    raw: &str,
    collection: DocCollection,
    step: Step,
    f: VersionForm,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(raw, actor)?;
    // The address names a report or a notice; each service finds only that kind, in its
    // transaction (as in the API).
    let s = &app.services;
    let (result, code) = match step {
        Step::Submit => (
            s.submit_rect_document(actor, id, collection, f.version)
                .await,
            "submitted",
        ),
        Step::Reassemble => (
            s.reassemble_rect_document(actor, id, collection, f.version)
                .await,
            "reassembled",
        ),
        Step::Approve => (
            s.approve_public_notice(actor, id, f.version).await,
            "approved",
        ),
        Step::Return => (
            s.return_public_notice(actor, id, f.version, &f.comment)
                .await,
            "returned",
        ),
        Step::Withdraw => (
            s.withdraw_public_notice(actor, id, f.version, &f.comment)
                .await,
            "withdrawn",
        ),
        Step::Republish => (
            s.republish_public_notice(actor, id, f.version).await,
            "republished",
        ),
    };
    match result {
        Ok(d) => Ok(see_other(
            &format!("{}/{}", Section::of(d.kind).base(), d.id),
            code,
        )),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            let (errors, return_errors) = match step {
                // The office's decisions share the comment box of their card.
                Step::Return | Step::Withdraw | Step::Republish => {
                    (FormErrors::none(), FormErrors::from_error(&e))
                }
                _ => (FormErrors::from_error(&e), FormErrors::none()),
            };
            show(
                app,
                user,
                id,
                collection,
                None,
                None,
                errors,
                f.comment,
                return_errors,
                status,
            )
            .await
        }
    }
}

/// Reports and notices are submitted and reassembled alike, each under its own address.
async fn submit_report(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    step(&app, &user, &id, DocCollection::Reports, Step::Submit, f).await
}

async fn submit_notice(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    step(&app, &user, &id, DocCollection::Notices, Step::Submit, f).await
}

async fn reassemble_report(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let collection = DocCollection::Reports;
    step(&app, &user, &id, collection, Step::Reassemble, f).await
}

async fn reassemble_notice(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let collection = DocCollection::Notices;
    step(&app, &user, &id, collection, Step::Reassemble, f).await
}

async fn approve_notice(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    step(&app, &user, &id, DocCollection::Notices, Step::Approve, f).await
}

async fn return_notice(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    step(&app, &user, &id, DocCollection::Notices, Step::Return, f).await
}

async fn withdraw_notice(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    step(&app, &user, &id, DocCollection::Notices, Step::Withdraw, f).await
}

async fn republish_notice(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<VersionForm>,
) -> PageResult {
    let collection = DocCollection::Notices;
    step(&app, &user, &id, collection, Step::Republish, f).await
}

// ---------------------------------------------------------------------------------------------
// The public pages: no log-in, no navigation, only published notices.

pub struct PublicRow {
    pub id: String,
    pub title: String,
    pub unit: String,
    pub published_on: String,
}

#[derive(Template)]
#[template(path = "public_notices.html")]
struct PublicListPage {
    rows: Vec<PublicRow>,
    next_cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "public_notice.html")]
struct PublicNoticePage {
    id: String,
    title: String,
    paras: Vec<Para>,
    issuer: String,
    date: String,
}

fn public_error(e: &CoreError) -> Response {
    let (heading, text) = match e {
        CoreError::NotFound(_) => ("未找到", "该通报不存在或尚未公开。"),
        CoreError::BadInput(_) => ("地址有误", "分页参数无效，请从第一页开始浏览。"),
        _ => ("暂时无法访问", "请稍后再试。"),
    };
    if let CoreError::Internal(detail) = e {
        tracing::error!(error = %detail, "internal error on a public page");
    }
    message_page(status_of(e), heading, text, None)
}

async fn public_list(State(app): State<AppState>, Query(q): Query<PublicNoticeQuery>) -> Response {
    let list = match q.page() {
        Ok(page) => app.services.public_notices(page).await,
        Err(e) => Err(e),
    };
    match list {
        Ok(list) => render(
            StatusCode::OK,
            &PublicListPage {
                next_cursor: list.next_cursor,
                rows: list
                    .items
                    .into_iter()
                    .map(|n| PublicRow {
                        id: n.id.to_string(),
                        title: n.title,
                        unit: n.unit_name,
                        published_on: chinese_date(n.published_on),
                    })
                    .collect(),
            },
        ),
        Err(e) => public_error(&e),
    }
}

async fn public_detail(State(app): State<AppState>, Path(raw): Path<String>) -> Response {
    let (stem, docx) = match raw.strip_suffix(".docx") {
        Some(stem) => (stem, true),
        None => (raw.as_str(), false),
    };
    let notice = match Id::from_path(stem, "整改进展通报") {
        Ok(id) => app.services.public_notice(id).await,
        Err(e) => Err(e),
    };
    let n = match notice {
        Ok(n) => n,
        Err(e) => return public_error(&e),
    };
    if docx {
        let doc = OfficialDoc {
            title: n.title.clone(),
            addressee: None,
            blocks: parse_blocks(&n.text),
            issuer: Some(n.issuer.clone()),
            date: Some(n.published_on),
            ..Default::default()
        };
        return docx_response(&doc, &n.title);
    }
    render(
        StatusCode::OK,
        &PublicNoticePage {
            id: n.id.to_string(),
            paras: paragraphs(&n.text),
            issuer: n.issuer,
            date: chinese_date(n.published_on),
            title: n.title,
        },
    )
}

async fn ledger_download(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<LedgerQuery>,
) -> PageResult {
    let actor = &user.actor;
    let f = q.filter().or_page(actor)?;
    let x = app.services.ledger_export(actor, &f).await.or_page(actor)?;
    xlsx_response(&x).or_page(actor)
}
