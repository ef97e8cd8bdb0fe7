//! Pages of problem clues: the register of an inspection with its transfer form, the
//! recipients' inbox with the handling clock, one clue with its disposal, the transfer letter
//! (移交函) and the handling deadline rules.
//!
//! Every page calls the clue services, which decide what the actor sees and record each read
//! of a clue's details; nothing here filters or checks on its own.

use crate::http::Form;
use crate::http::FormPairs;
use crate::http::docx;
use crate::http::{Path, Query};
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::clue::{
    ClockColour, ClueAccess, ClueInput, ClueKind, ClueSettings, ClueSettingsInput, ClueSource,
    ClueStatus, Confidentiality, DisposalInput, DisposalMethod, RecipientKind, Transfer,
    TransferInput, chinese_date,
};
use xunshi_core::fieldwork::CitingKind;
use xunshi_core::page::{PageRequest, SortedPage};
use xunshi_core::permission::{Actor, Permission};
use xunshi_core::role::Role;
use xunshi_core::service::{ClueEntry, ClueListFilter, today};
use xunshi_core::store::TransferFilter;
use xunshi_core::{CoreError, Id};

use super::fieldwork::{self, Sources};
use super::pager::{Asked, Pager};
use super::{FormErrors, Frame, OrPage, PageResult, error_page, local_time, ok, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::status_of;
use crate::http::filters::{ClueQuery, given};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/clues", get(inbox))
        .route("/clues/{id}", get(detail).post(update))
        .route("/clues/{id}/edit", get(edit_form))
        .route("/clues/{id}/disposal", post(dispose))
        .route("/clues/{id}/sources", post(cite))
        .route("/inspections/{id}/clues", get(register).post(create))
        .route("/inspections/{id}/transfers", post(transfer))
        .route("/transfers/{id}", get(letter))
        .route("/transfers/{id}/letter.docx", get(letter_docx))
        .route("/clue-settings", get(settings).post(save_settings))
}

/// Whether the navigation offers the clue pages: to everyone who may hold clues or receive
/// them. The list itself shows each only what is theirs (the inspected unit: nothing).
pub fn shows_clues(actor: &Actor) -> bool {
    actor.grants().iter().any(|g| g.role != Role::Admin)
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    current: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|v| Choice {
            value: code(*v).to_owned(),
            label: label(*v).to_owned(),
            selected: current == code(*v),
        })
        .collect()
}

fn clock_class(c: Option<ClockColour>) -> &'static str {
    match c {
        Some(ClockColour::Green) => "green",
        Some(ClockColour::Yellow) => "yellow",
        Some(ClockColour::Red) => "red",
        Some(ClockColour::Done) | None => "grey",
    }
}

/// One clue as a row of a table.
pub struct ClueRow {
    pub id: String,
    pub about_name: String,
    pub about_post: String,
    pub summary: String,
    pub kind: &'static str,
    pub proposed: &'static str,
    pub source: &'static str,
    pub confidentiality: &'static str,
    pub status: &'static str,
    pub registered: bool,
    pub inspection: String,
    pub recipient: String,
    pub letter_no: String,
    pub transfer_id: String,
    pub transferred_on: String,
    pub due_on: String,
    pub clock: Option<&'static str>,
    pub clock_class: &'static str,
    pub disposal: String,
}

impl ClueRow {
    fn of(e: &ClueEntry) -> ClueRow {
        let c = &e.clue;
        let t = c.transfer.as_ref();
        ClueRow {
            id: c.id.to_string(),
            about_name: c.about_name.clone(),
            about_post: c.about_post.clone(),
            summary: c.summary.clone(),
            kind: c.kind.label(),
            proposed: e.proposed_recipient.label(),
            source: c.source.label(),
            confidentiality: c.confidentiality.label(),
            status: c.status.label(),
            registered: c.status == ClueStatus::Registered,
            inspection: format!(
                "{}（{}）",
                e.inspection.team_name,
                e.inspection.targets.join("、")
            ),
            recipient: t.map(|t| t.recipient_name.clone()).unwrap_or_default(),
            letter_no: t.map(|t| t.letter_no.clone()).unwrap_or_default(),
            transfer_id: t.map(|t| t.id.to_string()).unwrap_or_default(),
            transferred_on: t.map(|t| t.transferred_on.to_string()).unwrap_or_default(),
            due_on: t.map(|t| t.due_on.to_string()).unwrap_or_default(),
            clock: e.clock.map(|c| c.label()),
            clock_class: clock_class(e.clock),
            disposal: c
                .disposal
                .as_ref()
                .map(|d| format!("{}（{}）", d.method.label(), d.decided_on))
                .unwrap_or_default(),
        }
    }
}

fn parse_id(raw: &str, what: &str, actor: &Actor) -> Result<Id, super::PageError> {
    Id::from_path(raw, what).or_page(actor)
}

/// Units for pickers, indented by depth.
async fn unit_choices(app: &AppState, actor: &Actor, current: &str, skip: &[Id]) -> Vec<Choice> {
    match app.services.unit_tree(actor).await {
        Ok(tree) => tree
            .iter()
            .filter(|(_, u)| !u.withdrawn && !skip.contains(&u.id))
            .map(|(d, u)| Choice {
                value: u.id.to_string(),
                label: format!("{}{}", "　".repeat((*d).min(6)), u.name),
                selected: current == u.id.to_string() || current == u.name,
            })
            .collect(),
        Err(_) => Vec::new(),
    }
}

fn empty_if_none(o: Option<String>) -> String {
    o.unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// The inbox: /clues

#[derive(Template)]
#[template(path = "clues.html")]
struct InboxPage {
    frame: Frame,
    rows: Vec<ClueRow>,
    statuses: Vec<Choice>,
    colours: Vec<Choice>,
    recipients: Vec<Choice>,
    inspection_id: String,
    q: String,
    filtered: bool,
    total: i64,
    pages: Pager,
    settings: ClueSettings,
    is_office: bool,
}

#[derive(Deserialize, Default)]
struct InboxNotice {
    notice: Option<String>,
}

/// The clues under the filters and order of [`ClueQuery`], the same parser as
/// `GET /api/v1/clues`: a filter or order that cannot be read is refused, not dropped.
async fn inbox(
    State(app): State<AppState>,
    user: PageUser,
    Query(n): Query<InboxNotice>,
    Query(cq): Query<ClueQuery>,
) -> PageResult {
    let actor = &user.actor;
    let asked = Asked::read(cq.filter().and_then(|f| Ok((f, cq.sorted()?))), actor)?;
    let list = match &asked.filter {
        Some(f) => app
            .services
            .clue_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let settings = app.services.clue_settings(actor).await.or_page(actor)?;
    let query = cq.query();
    let pages = Pager::of("/clues", &query, &asked, &list, cq.page);
    let text = |v: &Option<String>| v.as_deref().unwrap_or_default().to_owned();
    let (status, colour, recipient) = (text(&cq.status), text(&cq.colour), text(&cq.recipient));
    let page = InboxPage {
        frame: Frame::new(&app, &user, "问题线索", "/clues")
            .await
            .with_notice(n.notice.as_deref())
            .with_error(asked.refused.as_ref()),
        rows: list.items.iter().map(ClueRow::of).collect(),
        statuses: choices(
            ClueStatus::ALL,
            ClueStatus::as_str,
            ClueStatus::label,
            &status,
        ),
        colours: choices(
            ClockColour::ALL,
            ClockColour::as_str,
            ClockColour::label,
            &colour,
        ),
        recipients: choices(
            RecipientKind::ALL,
            RecipientKind::as_str,
            RecipientKind::label,
            &recipient,
        ),
        inspection_id: text(&cq.inspection_id),
        q: text(&cq.q),
        filtered: [
            &cq.inspection_id,
            &cq.status,
            &cq.colour,
            &cq.recipient,
            &cq.q,
        ]
        .into_iter()
        .any(|v| given(v).is_some()),
        total: list.total,
        pages,
        settings,
        is_office: xunshi_core::clue::may_configure(actor),
    };
    Ok(render(super::list_status(&asked.refused), &page))
}

// ---------------------------------------------------------------------------------------------
// One clue: /clues/{id}

#[derive(Template)]
#[template(path = "clue_detail.html")]
struct DetailPage {
    frame: Frame,
    row: ClueRow,
    inspection_id: String,
    about_unit: String,
    version: i64,
    may_edit: bool,
    may_read_register: bool,
    may_dispose: bool,
    disposal: Option<DisposalView>,
    form: DisposalForm,
    methods: Vec<Choice>,
    errors: FormErrors,
    sources: Option<Sources>,
    sources_action: String,
}

struct DisposalView {
    method: &'static str,
    result: String,
    decided_on: String,
    recorded_at: String,
}

#[derive(Deserialize, Default, Clone)]
struct DisposalForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    result: String,
    #[serde(default)]
    decided_on: String,
    version: Option<i64>,
}

/// What a refused form of the clue's page leaves to show again.
enum Refused {
    /// The disposal as typed, with what was wrong with it.
    Disposal(DisposalForm, FormErrors),
    /// Why a citation was refused, on top of the page.
    Citation(String),
}

async fn render_detail(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    refused: Option<Refused>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (form, errors, cite_error) = match refused {
        Some(Refused::Disposal(f, errors)) => (Some(f), errors, None),
        Some(Refused::Citation(e)) => (None, FormErrors::none(), Some(e)),
        None => (None, FormErrors::none(), None),
    };
    let e = app.services.get_clue(actor, id).await.or_page(actor)?;
    let about_unit = match e.clue.about_unit_id {
        Some(u) if actor.can(Permission::ViewUnits) => app
            .services
            .get_unit(actor, u)
            .await
            .map(|u| u.name)
            .unwrap_or_default(),
        _ => String::new(),
    };
    let form = form.unwrap_or_else(|| match &e.clue.disposal {
        Some(d) => DisposalForm {
            method: d.method.as_str().to_owned(),
            result: d.result.clone(),
            decided_on: d.decided_on.to_string(),
            version: None,
        },
        None => DisposalForm {
            decided_on: today(app.services.now()).to_string(),
            ..Default::default()
        },
    });
    let mut frame = Frame::new(app, user, "问题线索", "/clues")
        .await
        .with_notice(notice);
    frame.error = cite_error;
    let page = DetailPage {
        frame,
        row: ClueRow::of(&e),
        inspection_id: e.clue.inspection_id.to_string(),
        about_unit,
        version: e.clue.version,
        may_edit: e.clue.status == ClueStatus::Registered && e.access >= ClueAccess::Team,
        may_read_register: e.access >= ClueAccess::Read,
        may_dispose: e.may_dispose,
        disposal: e.clue.disposal.as_ref().map(|d| DisposalView {
            method: d.method.label(),
            result: d.result.clone(),
            decided_on: chinese_date(d.decided_on),
            recorded_at: local_time(d.recorded_at),
        }),
        methods: choices(
            DisposalMethod::ALL,
            DisposalMethod::as_str,
            DisposalMethod::label,
            &form.method,
        ),
        form,
        errors,
        sources: fieldwork::sources_of(app, actor, CitingKind::Clue, id, e.clue.inspection_id)
            .await,
        sources_action: format!("/clues/{id}/sources"),
    };
    Ok(render(status, &page))
}

#[derive(Deserialize)]
struct NoticeQuery {
    notice: Option<String>,
}

#[derive(Deserialize)]
struct RegisterQuery {
    notice: Option<String>,
    cursor: Option<String>,
}

/// How many clues a page of the register shows.
const REGISTER_PAGE: u32 = 100;

async fn detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "问题线索", &user.actor)?;
    render_detail(&app, &user, id, q.notice.as_deref(), None, StatusCode::OK).await
}

async fn dispose(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<DisposalForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题线索", actor)?;
    let version = crate::http::require_version(f.version).or_page(actor)?;
    let input = DisposalInput {
        method: f.method.clone(),
        result: f.result.clone(),
        decided_on: f.decided_on.clone(),
    };
    match app
        .services
        .record_disposal(actor, id, version, &input)
        .await
    {
        Ok(c) => Ok(see_other(&format!("/clues/{}", c.id), "saved")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            render_detail(
                &app,
                &user,
                id,
                None,
                Some(Refused::Disposal(f, FormErrors::from_error(&e))),
                status_of(&e),
            )
            .await
        }
    }
}

/// Cites a fieldwork record as a source of the clue: a member of the team.
async fn cite(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题线索", actor)?;
    let input = fieldwork::citation_input(&p);
    match app
        .services
        .cite_source(actor, CitingKind::Clue, id, &input)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/clues/{id}"), "cited")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            let banner = crate::error::banner(&e);
            render_detail(
                &app,
                &user,
                id,
                None,
                Some(Refused::Citation(banner)),
                status_of(&e),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Editing a registered clue: /clues/{id}/edit

#[derive(Deserialize, Default, Clone)]
struct ClueForm {
    #[serde(default)]
    about_name: String,
    #[serde(default)]
    about_post: String,
    #[serde(default)]
    about_unit: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    confidentiality: String,
    #[serde(default)]
    kind: String,
    version: Option<i64>,
}

impl ClueForm {
    fn input(&self) -> ClueInput {
        ClueInput {
            about_name: self.about_name.clone(),
            about_post: self.about_post.clone(),
            about_unit: Some(self.about_unit.clone()),
            summary: self.summary.clone(),
            source: self.source.clone(),
            confidentiality: self.confidentiality.clone(),
            kind: self.kind.clone(),
        }
    }
}

/// The choices of the clue form's selects.
pub struct ClueChoices {
    sources: Vec<Choice>,
    levels: Vec<Choice>,
    kinds: Vec<Choice>,
    units: Vec<Choice>,
}

async fn clue_choices(app: &AppState, actor: &Actor, f: &ClueForm) -> ClueChoices {
    ClueChoices {
        sources: choices(
            ClueSource::ALL,
            ClueSource::as_str,
            ClueSource::label,
            &f.source,
        ),
        levels: choices(
            Confidentiality::ALL,
            Confidentiality::as_str,
            Confidentiality::label,
            &f.confidentiality,
        ),
        kinds: choices(ClueKind::ALL, ClueKind::as_str, ClueKind::label, &f.kind),
        units: unit_choices(app, actor, &f.about_unit, &[]).await,
    }
}

#[derive(Template)]
#[template(path = "clue_form.html")]
struct EditPage {
    frame: Frame,
    id: String,
    form: ClueForm,
    choices: ClueChoices,
    errors: FormErrors,
}

async fn render_edit(
    app: &AppState,
    user: &PageUser,
    id: Id,
    form: ClueForm,
    errors: FormErrors,
    status: StatusCode,
) -> Response {
    let page = EditPage {
        frame: Frame::new(app, user, "修改问题线索", "/clues").await,
        id: id.to_string(),
        choices: clue_choices(app, &user.actor, &form).await,
        form,
        errors,
    };
    render(status, &page)
}

async fn edit_form(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题线索", actor)?;
    let e = app.services.get_clue(actor, id).await.or_page(actor)?;
    if e.access < ClueAccess::Team {
        return Err(CoreError::Forbidden(
            "只有巡视办或本巡视组成员可以修改问题线索".into(),
        ))
        .or_page(actor);
    }
    if e.clue.status != ClueStatus::Registered {
        return Err(CoreError::RuleRefused("线索已移交，不能再修改".into())).or_page(actor);
    }
    let c = &e.clue;
    let form = ClueForm {
        about_name: c.about_name.clone(),
        about_post: c.about_post.clone(),
        about_unit: c.about_unit_id.map(|u| u.to_string()).unwrap_or_default(),
        summary: c.summary.clone(),
        source: c.source.as_str().to_owned(),
        confidentiality: c.confidentiality.as_str().to_owned(),
        kind: c.kind.as_str().to_owned(),
        version: Some(c.version),
    };
    Ok(render_edit(&app, &user, id, form, FormErrors::none(), StatusCode::OK).await)
}

async fn update(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ClueForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "问题线索", actor)?;
    let version = crate::http::require_version(f.version).or_page(actor)?;
    Ok(
        match app
            .services
            .update_clue(actor, id, version, &f.input())
            .await
        {
            Ok(c) => see_other(&format!("/clues/{}", c.id), "saved"),
            Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
                error_page(&e, Some(actor))
            }
            Err(e) => {
                let status = status_of(&e);
                render_edit(&app, &user, id, f, FormErrors::from_error(&e), status).await
            }
        },
    )
}

// ---------------------------------------------------------------------------------------------
// The register of an inspection: /inspections/{id}/clues

struct TransferRow {
    id: String,
    letter_no: String,
    recipient: String,
    transferred_on: String,
    due_on: String,
    count: usize,
}

impl TransferRow {
    fn of(t: &Transfer) -> TransferRow {
        TransferRow {
            id: t.id.to_string(),
            letter_no: t.letter_no.clone(),
            recipient: t.recipient_name.clone(),
            transferred_on: t.transferred_on.to_string(),
            due_on: t.due_on.to_string(),
            count: t.clue_ids.len(),
        }
    }
}

#[derive(Default, Clone)]
struct TransferForm {
    recipient: String,
    department: String,
    letter_no: String,
    letter_text: String,
    transferred_on: String,
    clue_ids: Vec<String>,
}

impl TransferForm {
    /// Reads the form by hand: the ticked clues arrive as repeated `clue_ids` fields, which
    /// the plain form extractor cannot collect.
    fn parse(pairs: FormPairs) -> TransferForm {
        let mut f = TransferForm::default();
        for (k, v) in pairs.0 {
            match k.as_str() {
                "recipient" => f.recipient = v,
                "department" => f.department = v,
                "letter_no" => f.letter_no = v,
                "letter_text" => f.letter_text = v,
                "transferred_on" => f.transferred_on = v,
                "clue_ids" => f.clue_ids.push(v),
                _ => {}
            }
        }
        f
    }

    fn input(&self) -> TransferInput {
        TransferInput {
            recipient: self.recipient.clone(),
            department: Some(self.department.clone()),
            letter_no: self.letter_no.clone(),
            letter_text: self.letter_text.clone(),
            transferred_on: self.transferred_on.clone(),
            clue_ids: self.clue_ids.clone(),
        }
    }
}

struct RegisterRow {
    row: ClueRow,
    checked: bool,
}

#[derive(Template)]
#[template(path = "inspection_clues.html")]
struct RegisterPage {
    frame: Frame,
    insp_id: String,
    heading: String,
    rows: Vec<RegisterRow>,
    transfers: Vec<TransferRow>,
    may_register: bool,
    may_transfer: bool,
    any_registered: bool,
    clue_form: ClueForm,
    choices: ClueChoices,
    clue_errors: FormErrors,
    transfer_form: TransferForm,
    recipients: Vec<Choice>,
    departments: Vec<Choice>,
    transfer_errors: FormErrors,
    settings: ClueSettings,
    next_cursor: Option<String>,
}

/// The register page; `open` carries a form being re-shown with its messages.
enum Open {
    None,
    Clue(ClueForm, FormErrors),
    Transfer(TransferForm, FormErrors),
}

fn default_letter(dispatcher: &str, team: &str, targets: &str, months: i64) -> String {
    format!(
        "根据《中国共产党巡视工作条例》有关规定，现将{dispatcher}{team}在对{targets}开展巡视中发现的问题线索移交你单位（清单附后），请按照有关规定认真处理，并于移交之日起{months}个月内将办理情况书面反馈{dispatcher}巡视工作领导小组办公室。"
    )
}

#[allow(clippy::too_many_arguments)]
async fn render_register(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    cursor: &Option<String>,
    open: Open,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (insp, access) = app.services.clue_register(actor, id).await.or_page(actor)?;
    let page = crate::http::filters::paging(cursor, Some(REGISTER_PAGE)).or_page(actor)?;
    let clues = app
        .services
        .list_clues(
            actor,
            &ClueListFilter {
                inspection_id: Some(id),
                ..Default::default()
            },
            page,
        )
        .await
        .or_page(actor)?;
    let transfers = app
        .services
        .list_transfers(
            actor,
            &TransferFilter {
                inspection_id: Some(id),
                recipient: None,
            },
            PageRequest::first(xunshi_core::page::MAX_LIMIT),
        )
        .await
        .or_page(actor)?;
    let settings = app.services.clue_settings(actor).await.or_page(actor)?;
    let names = app
        .services
        .inspection_names(actor, id)
        .await
        .or_page(actor)?;
    let targets = names
        .targets
        .iter()
        .map(|(_, n)| n.as_str())
        .collect::<Vec<_>>()
        .join("、");
    let dispatcher = names.dispatcher;
    let (clue_form, clue_errors, transfer_form, transfer_errors) = match open {
        Open::None => (
            ClueForm::default(),
            FormErrors::none(),
            TransferForm::default(),
            FormErrors::none(),
        ),
        Open::Clue(f, e) => (f, e, TransferForm::default(), FormErrors::none()),
        Open::Transfer(f, e) => (ClueForm::default(), FormErrors::none(), f, e),
    };
    let transfer_form = TransferForm {
        letter_text: if transfer_form.letter_text.is_empty() {
            default_letter(
                &dispatcher,
                &insp.team_name,
                &targets,
                settings.handling_months,
            )
        } else {
            transfer_form.letter_text
        },
        transferred_on: if transfer_form.transferred_on.is_empty() {
            today(app.services.now()).to_string()
        } else {
            transfer_form.transferred_on
        },
        recipient: if transfer_form.recipient.is_empty() {
            RecipientKind::Discipline.as_str().to_owned()
        } else {
            transfer_form.recipient
        },
        ..transfer_form
    };
    let rows: Vec<RegisterRow> = clues
        .items
        .iter()
        .map(|e| RegisterRow {
            checked: transfer_form.clue_ids.contains(&e.clue.id.to_string()),
            row: ClueRow::of(e),
        })
        .collect();
    let page = RegisterPage {
        frame: Frame::new(app, user, "问题线索登记", "/clues")
            .await
            .with_notice(notice),
        insp_id: id.to_string(),
        heading: format!("{}（{}）问题线索", insp.team_name, targets),
        any_registered: rows.iter().any(|r| r.row.registered),
        rows,
        transfers: transfers.items.iter().map(TransferRow::of).collect(),
        may_register: access >= ClueAccess::Team,
        may_transfer: access >= ClueAccess::TeamLead,
        choices: clue_choices(app, actor, &clue_form).await,
        clue_form,
        clue_errors,
        recipients: choices(
            RecipientKind::ALL,
            RecipientKind::as_str,
            RecipientKind::label,
            &transfer_form.recipient,
        ),
        departments: unit_choices(app, actor, &transfer_form.department, &insp.target_ids).await,
        transfer_form,
        transfer_errors,
        settings,
        next_cursor: clues.next_cursor.clone(),
    };
    Ok(render(status, &page))
}

async fn register(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<RegisterQuery>,
) -> PageResult {
    let id = parse_id(&id, "巡视任务", &user.actor)?;
    render_register(
        &app,
        &user,
        id,
        q.notice.as_deref(),
        &q.cursor,
        Open::None,
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ClueForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", actor)?;
    match app.services.register_clue(actor, id, &f.input()).await {
        Ok(_) => Ok(see_other(&format!("/inspections/{id}/clues"), "created")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            let status = status_of(&e);
            let open = Open::Clue(f, FormErrors::from_error(&e));
            render_register(&app, &user, id, None, &None, open, status).await
        }
    }
}

async fn transfer(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    pairs: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", actor)?;
    let f = TransferForm::parse(pairs);
    match app.services.create_transfer(actor, id, &f.input()).await {
        Ok(t) => Ok(see_other(&format!("/transfers/{}", t.id), "created")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => {
            Ok(error_page(&e, Some(actor)))
        }
        Err(e) => {
            let status = status_of(&e);
            let open = Open::Transfer(f, FormErrors::from_error(&e));
            render_register(&app, &user, id, None, &None, open, status).await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The transfer letter: /transfers/{id}

#[derive(Template)]
#[template(path = "transfer_letter.html")]
struct LetterPage {
    frame: Frame,
    issuer: String,
    letter_no: String,
    addressee: String,
    paragraphs: Vec<String>,
    date: String,
    due: String,
    team: String,
    count: usize,
    rows: Vec<ClueRow>,
    insp_id: String,
    may_read_register: bool,
    /// The highest classification among the clues listed marks the letter.
    secrecy: &'static str,
    id: String,
}

async fn letter(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "移交函", actor)?;
    let l = app.services.get_transfer(actor, id).await.or_page(actor)?;
    let t = &l.transfer;
    let page = LetterPage {
        frame: Frame::new(&app, &user, &format!("移交函 {}", t.letter_no), "/clues")
            .await
            .with_notice(q.notice.as_deref()),
        issuer: format!("{}巡视工作领导小组办公室", l.inspection.dispatcher),
        letter_no: t.letter_no.clone(),
        addressee: t.recipient_name.clone(),
        paragraphs: t
            .letter_text
            .lines()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_owned)
            .collect(),
        date: chinese_date(t.transferred_on),
        due: chinese_date(t.due_on),
        team: format!(
            "{}（{}）",
            l.inspection.team_name,
            l.inspection.targets.join("、")
        ),
        count: l.clues.len(),
        may_read_register: l
            .clues
            .first()
            .is_some_and(|c| c.access >= ClueAccess::Read),
        secrecy: docx::letter_secrecy(&l),
        id: t.id.to_string(),
        rows: l.clues.iter().map(ClueRow::of).collect(),
        insp_id: t.inspection_id.to_string(),
    };
    Ok(ok(&page))
}

/// The letter with its list as a `.docx`. It is read through `get_transfer`, as the page is:
/// the same refusal, and the same audit record of the clues shown.
async fn letter_docx(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> Result<Response, super::PageError> {
    let actor = &user.actor;
    let id = parse_id(&id, "移交函", actor)?;
    let l = app.services.get_transfer(actor, id).await.or_page(actor)?;
    docx::docx_response(&docx::transfer_doc(&l)).or_page(actor)
}

// ---------------------------------------------------------------------------------------------
// The handling deadline rules: /clue-settings

#[derive(Template)]
#[template(path = "clue_settings.html")]
struct SettingsPage {
    frame: Frame,
    settings: ClueSettings,
    months: String,
    warn_days: String,
    /// The version the form is based on: a stale one is refused, not silently refreshed.
    version: i64,
    updated: String,
    may_edit: bool,
    errors: FormErrors,
}

#[derive(Deserialize, Default)]
struct SettingsForm {
    #[serde(default)]
    handling_months: String,
    #[serde(default)]
    warn_days: String,
    version: Option<i64>,
}

async fn render_settings(
    app: &AppState,
    user: &PageUser,
    notice: Option<&str>,
    form: Option<SettingsForm>,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let settings = app.services.clue_settings(actor).await.or_page(actor)?;
    let form = form.unwrap_or_else(|| SettingsForm {
        handling_months: settings.handling_months.to_string(),
        warn_days: settings.warn_days.to_string(),
        version: Some(settings.version),
    });
    let page = SettingsPage {
        frame: Frame::new(app, user, "线索办理时限", "/clue-settings")
            .await
            .with_notice(notice),
        updated: empty_if_none(settings.updated_at.map(local_time)),
        version: form.version.unwrap_or(settings.version),
        months: form.handling_months,
        warn_days: form.warn_days,
        may_edit: xunshi_core::clue::may_configure(actor),
        settings,
        errors,
    };
    Ok(render(status, &page))
}

async fn settings(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    render_settings(
        &app,
        &user,
        q.notice.as_deref(),
        None,
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn save_settings(
    State(app): State<AppState>,
    user: PageUser,
    Form(f): Form<SettingsForm>,
) -> PageResult {
    let actor = &user.actor;
    let number = |field: &str, raw: &str| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| CoreError::bad_input(field, "请填写整数"))
    };
    let result = async {
        let version = crate::http::require_version(f.version)?;
        let mut v = xunshi_core::error::Validation::new();
        let handling_months = v.take(number("handling_months", &f.handling_months));
        let warn_days = v.take(number("warn_days", &f.warn_days));
        v.finish()?;
        let input = ClueSettingsInput {
            version,
            handling_months: handling_months.unwrap_or_default(),
            warn_days: warn_days.unwrap_or_default(),
        };
        app.services.update_clue_settings(actor, &input).await
    }
    .await;
    match result {
        Ok(_) => Ok(see_other("/clue-settings", "saved")),
        Err(e @ CoreError::Forbidden(_)) => Ok(error_page(&e, Some(actor))),
        Err(e) => {
            let status = status_of(&e);
            render_settings(
                &app,
                &user,
                None,
                Some(f),
                FormErrors::from_error(&e),
                status,
            )
            .await
        }
    }
}
