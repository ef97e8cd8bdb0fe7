//! The team's register of letters, calls and visits (信访举报登记): the register with its
//! filters, counts and the form to register one, the letter handlers the leader appoints, and
//! a letter's page — its handling, the answer to a public writer, its files and, for a letter
//! handler giving a reason, the writer's identity.
//!
//! Need to know is the services': only the inspection's team sees anything, and to anyone
//! else a letter does not exist. The writer's name and contact are never on these pages but
//! on the one answer of a reveal, which is recorded.

use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::access::Access;
use xunshi_core::fieldwork::{
    Channel, Discipline, Letter, LetterHandlerInput, LetterHandlingInput, LetterInput, LetterScope,
    LetterStatus, SourceKind,
};
use xunshi_core::inspection::Inspection;
use xunshi_core::page::Page;
use xunshi_core::service::{may_draft, opens_field_records, today};
use xunshi_core::{CoreError, Id};

use super::fieldwork::{CiteRow, FileRow, citing_rows, file_rows};
use super::work_tabs::{TabKind, WorkHead, cn_date};
use super::{
    FormErrors, Frame, OrPage, PageError, PageResult, filter_or_refusal, list_status, local_time,
    render, see_other,
};
use crate::AppState;
use crate::auth::{PageUser, urlencode};
use crate::error::{banner, status_of};
use crate::http::files::{UPLOAD_LIMIT, page_upload};
use crate::http::filters::{LetterQuery, given};
use crate::http::{Form, FormPairs, Path, Query};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/letters", get(register).post(create))
        .route("/inspections/{id}/letter-handlers", post(set_handler))
        .route("/letters/{id}", get(detail))
        .route("/letters/{id}/handling", post(handle))
        .route("/letters/{id}/reply", post(reply))
        .route(
            "/letters/{id}/files",
            post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/letters/{id}/reveal", post(reveal))
}

/// The heading of the register's pages: the inspection's tabs, with the register as the
/// current one.
fn head(user: &PageUser, insp: &Inspection) -> WorkHead {
    WorkHead::of(&user.actor, insp, TabKind::Letters)
}

async fn inspection(
    app: &AppState,
    user: &PageUser,
    id: Id,
) -> Result<(Inspection, Access), PageError> {
    app.services
        .get_inspection(&user.actor, id)
        .await
        .or_page(&user.actor)
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn choices<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
    selected: &str,
) -> Vec<Choice> {
    all.iter()
        .map(|x| Choice {
            value: code(*x).to_owned(),
            label: label(*x).to_owned(),
            selected: code(*x) == selected,
        })
        .collect()
}

fn channels(selected: &str) -> Vec<Choice> {
    choices(Channel::ALL, |c| c.as_str(), |c| c.label(), selected)
}

fn disciplines(selected: &str) -> Vec<Choice> {
    choices(Discipline::ALL, |c| c.as_str(), |c| c.label(), selected)
}

fn scopes(selected: &str) -> Vec<Choice> {
    choices(LetterScope::ALL, |c| c.as_str(), |c| c.label(), selected)
}

fn statuses(selected: &str) -> Vec<Choice> {
    choices(LetterStatus::ALL, |c| c.as_str(), |c| c.label(), selected)
}

struct Group {
    label: String,
    options: Vec<Choice>,
}

/// The problem taxonomy's categories, the inspection's own version first, with their names
/// (to show a letter's category).
async fn categories(
    app: &AppState,
    user: &PageUser,
    insp: &Inspection,
    selected: &str,
) -> Result<(Vec<Group>, Vec<(Id, String)>), CoreError> {
    let actor = &user.actor;
    let prefer = app
        .services
        .taxonomy_for(actor, insp.id)
        .await
        .ok()
        .flatten();
    let mut all = app.services.taxonomies(actor).await?;
    all.sort_by_key(|t| {
        (
            Some(t.version.id) != prefer,
            std::cmp::Reverse(t.version.valid_from),
        )
    });
    let names = all
        .iter()
        .flat_map(|t| t.categories.iter().map(|c| (c.id, c.name.clone())))
        .collect();
    let groups = all
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
        .collect();
    Ok((groups, names))
}

// ---------------------------------------------------------------------------------------------
// The register

struct Row {
    id: Id,
    number: i64,
    channel: &'static str,
    received_on: String,
    about: String,
    summary: String,
    discipline: &'static str,
    scope: &'static str,
    status: &'static str,
    closed: bool,
    from_public: bool,
    duplicate: bool,
}

/// The first characters of a letter, for the register's table.
fn summary(content: &str) -> String {
    let flat: String = content.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = flat.chars();
    let head: String = chars.by_ref().take(40).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

impl Row {
    fn of(l: &Letter) -> Row {
        let about = match (l.about_name.is_empty(), l.about_post.is_empty()) {
            (true, true) => "—".to_owned(),
            (false, true) => l.about_name.clone(),
            (true, false) => l.about_post.clone(),
            (false, false) => format!("{}（{}）", l.about_name, l.about_post),
        };
        Row {
            id: l.id,
            number: l.number,
            channel: l.channel.label(),
            received_on: l.received_on.to_string(),
            about,
            summary: summary(&l.content),
            discipline: l.discipline.map_or("—", |d| d.label()),
            scope: l.scope.label(),
            status: l.status.label(),
            closed: l.status == LetterStatus::Closed,
            from_public: l.from_public,
            duplicate: l.duplicate_of.is_some(),
        }
    }
}

/// One count of the tally.
struct Count {
    label: String,
    count: i64,
}

struct Person {
    inspector_id: Id,
    name: String,
}

/// The register form's values, as typed or blank.
struct RegisterForm {
    input: LetterInput,
}

impl RegisterForm {
    fn blank(app: &AppState) -> RegisterForm {
        RegisterForm {
            input: LetterInput {
                channel: Channel::Letter.as_str().to_owned(),
                received_on: today(app.services.now()).to_string(),
                ..Default::default()
            },
        }
    }

    fn from_pairs(p: &FormPairs) -> RegisterForm {
        RegisterForm {
            input: LetterInput {
                channel: p.get("channel"),
                received_on: p.get("received_on"),
                anonymous: p.opt("anonymous").is_some_and(|v| v == "true"),
                writer_name: p.get("writer_name"),
                writer_contact: p.get("writer_contact"),
                about_name: p.get("about_name"),
                about_post: p.get("about_post"),
                content: p.get("content"),
                discipline: p.opt("discipline"),
                category_id: p.opt("category_id"),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "letters.html")]
struct RegisterPage {
    frame: Frame,
    head: WorkHead,
    rows: Vec<Row>,
    total: i64,
    next_href: Option<String>,
    filtered: bool,
    channel_filter: Vec<Choice>,
    status_filter: Vec<Choice>,
    scope_filter: Vec<Choice>,
    q: String,
    tally_total: i64,
    by_channel: Vec<Count>,
    by_discipline: Vec<Count>,
    by_scope: Vec<Count>,
    can_register: bool,
    /// Whether each letter links to its record: the team; the office that holds an archived
    /// inspection's files reads the register only.
    opens: bool,
    form: LetterInput,
    channels: Vec<Choice>,
    disciplines: Vec<Choice>,
    categories: Vec<Group>,
    errors: FormErrors,
    handlers: Vec<Person>,
    may_appoint: bool,
    appointable: Vec<Person>,
}

#[derive(Deserialize)]
struct NoticeOnly {
    notice: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn render_register(
    app: &AppState,
    user: &PageUser,
    id: Id,
    q: &LetterQuery,
    notice: Option<&str>,
    form: RegisterForm,
    errors: FormErrors,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (insp, access) = inspection(app, user, id).await?;
    // The tally is the team's: anyone else is refused here, before anything is shown.
    let tally = app.services.letter_tally(actor, id).await.or_page(actor)?;
    // The same parser as the API's; a filter that cannot be read shows the page again with the
    // message and no rows.
    let (asked, refused) = filter_or_refusal(q.filter().and_then(|f| Ok((f, q.page()?))), actor)?;
    let list = match &asked {
        Some((f, page)) => app
            .services
            .letters_page(actor, id, f, *page)
            .await
            .or_page(actor)?,
        None => Page::empty(),
    };
    let next_href = list.next_cursor.as_ref().map(|c| {
        let mut href = format!(
            "/inspections/{id}/letters?{}&cursor={}",
            q.query(),
            urlencode(c)
        );
        if let Some(limit) = q.limit {
            href.push_str(&format!("&limit={limit}"));
        }
        href
    });
    let handler_ids = app
        .services
        .letter_handlers(actor, id)
        .await
        .or_page(actor)?;
    let team = app.services.team(actor, id).await.or_page(actor)?;
    let active: Vec<Person> = team
        .iter()
        .filter(|e| e.member.active())
        .map(|e| Person {
            inspector_id: e.member.inspector_id,
            name: format!("{}（{}）", e.inspector_name, e.member.role.label()),
        })
        .collect();
    let handlers = handler_ids
        .iter()
        .map(|h| Person {
            inspector_id: *h,
            name: team
                .iter()
                .find(|e| e.member.inspector_id == *h)
                .map_or_else(
                    || "（已调出巡视组）".to_owned(),
                    |e| e.inspector_name.clone(),
                ),
        })
        .collect();
    let appointable = active
        .into_iter()
        .filter(|p| !handler_ids.contains(&p.inspector_id))
        .collect();
    let input = form.input;
    let (categories, _) = categories(app, user, &insp, input.category_id.as_deref().unwrap_or(""))
        .await
        .or_page(actor)?;
    // The tally's rows, whose type the core keeps to itself.
    let page = RegisterPage {
        frame: Frame::new(app, user, "来信来访登记", "/inspections")
            .await
            .with_notice(notice)
            .with_error(refused.as_ref()),
        head: head(user, &insp),
        rows: list.items.iter().map(Row::of).collect(),
        total: list.total.unwrap_or(0),
        next_href,
        filtered: given(&q.channel).is_some()
            || given(&q.status).is_some()
            || given(&q.scope).is_some()
            || given(&q.q).is_some()
            || refused.is_some(),
        channel_filter: channels(given(&q.channel).unwrap_or_default()),
        status_filter: statuses(given(&q.status).unwrap_or_default()),
        scope_filter: scopes(given(&q.scope).unwrap_or_default()),
        q: given(&q.q).unwrap_or_default().to_owned(),
        tally_total: tally.total,
        by_channel: counts(tally.by_channel),
        by_discipline: counts(tally.by_discipline),
        by_scope: counts(tally.by_scope),
        can_register: may_draft(actor, &insp),
        opens: opens_field_records(actor, &insp),
        channels: channels(&input.channel),
        disciplines: disciplines(input.discipline.as_deref().unwrap_or("")),
        categories,
        form: input,
        errors,
        handlers,
        may_appoint: access == Access::TeamLead,
        appointable,
    };
    let status = if refused.is_some() {
        list_status(&refused)
    } else {
        status
    };
    Ok(render(status, &page))
}

async fn register(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<LetterQuery>,
    Query(n): Query<NoticeOnly>,
) -> PageResult {
    let id = Id::from_path(&id, "巡视任务").or_page(&user.actor)?;
    render_register(
        &app,
        &user,
        id,
        &q,
        n.notice.as_deref(),
        RegisterForm::blank(&app),
        FormErrors::none(),
        StatusCode::OK,
    )
    .await
}

async fn create(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let form = RegisterForm::from_pairs(&p);
    match app.services.register_letter(actor, id, &form.input).await {
        Ok(l) => Ok(see_other(&format!("/letters/{}", l.id), "created")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            render_register(
                &app,
                &user,
                id,
                &LetterQuery::default(),
                None,
                form,
                FormErrors::from_error(&e),
                status_of(&e),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct HandlerForm {
    #[serde(default)]
    inspector_id: String,
    #[serde(default)]
    on: String,
}

async fn set_handler(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<HandlerForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "巡视任务").or_page(actor)?;
    let on = match f.on.as_str() {
        "true" => true,
        "false" => false,
        _ => {
            return Err(CoreError::bad_input("on", "应为 true 或 false")).or_page(actor);
        }
    };
    let (inspector_id, on) = LetterHandlerInput {
        inspector_id: f.inspector_id,
        on,
    }
    .validate()
    .or_page(actor)?;
    app.services
        .set_letter_handler(actor, id, inspector_id, on)
        .await
        .or_page(actor)?;
    Ok(see_other(&format!("/inspections/{id}/letters"), "saved"))
}

// ---------------------------------------------------------------------------------------------
// A letter's page

struct NoteRow {
    from_writer: bool,
    body: String,
    at: String,
}

/// What the letter's page shows, read as the person asking.
struct Shown {
    letter: Letter,
    notes: Vec<NoteRow>,
    files: Vec<FileRow>,
    cited: Vec<CiteRow>,
    may_reveal: bool,
    repeats_number: Option<i64>,
}

async fn shown(app: &AppState, user: &PageUser, id: Id) -> Result<Shown, CoreError> {
    let d = app.services.letter_detail(&user.actor, id).await?;
    Ok(Shown {
        notes: d
            .notes
            .into_iter()
            .map(|n| NoteRow {
                from_writer: n.from_writer,
                body: n.body,
                at: local_time(n.created_at),
            })
            .collect(),
        files: file_rows(d.files),
        cited: citing_rows(&d.cited_by),
        may_reveal: d.may_reveal,
        repeats_number: d.repeats_number,
        letter: d.letter,
    })
}

/// The handling form's values, as stored or as typed.
struct HandlingForm {
    version: i64,
    input: LetterHandlingInput,
}

impl HandlingForm {
    /// The stored values; the first letter a repeat is linked to reads as its number.
    fn of(l: &Letter, repeats_number: Option<i64>) -> HandlingForm {
        HandlingForm {
            version: l.version,
            input: LetterHandlingInput {
                version: l.version,
                discipline: l.discipline.map(|d| d.as_str().to_owned()),
                category_id: l.category_id.map(|c| c.to_string()),
                scope: l.scope.as_str().to_owned(),
                passed_to: l.passed_to.clone(),
                passed_letter: l.passed_letter.clone(),
                duplicate_of: repeats_number.map(|n| n.to_string()),
                disposition: l.disposition.clone(),
                status: l.status.as_str().to_owned(),
            },
        }
    }

    fn from_pairs(version: i64, p: &FormPairs) -> HandlingForm {
        HandlingForm {
            version,
            input: LetterHandlingInput {
                version,
                discipline: p.opt("discipline"),
                category_id: p.opt("category_id"),
                scope: p.get("scope"),
                passed_to: p.get("passed_to"),
                passed_letter: p.get("passed_letter"),
                duplicate_of: p.opt("duplicate_of"),
                disposition: p.get("disposition"),
                status: p.get("status"),
            },
        }
    }
}

#[derive(Template)]
#[template(path = "letters_detail.html")]
struct DetailPage {
    frame: Frame,
    head: WorkHead,
    l: Letter,
    received_on: String,
    updated: String,
    category: String,
    notes: Vec<NoteRow>,
    files: Vec<FileRow>,
    upload_action: String,
    upload_hint: &'static str,
    cited_by: Vec<CiteRow>,
    may_reveal: bool,
    repeats_number: Option<i64>,
    can_handle: bool,
    form: HandlingForm,
    disciplines: Vec<Choice>,
    categories: Vec<Group>,
    scopes: Vec<Choice>,
    statuses: Vec<Choice>,
    errors: FormErrors,
    error: Option<String>,
    reply: String,
    reason: String,
}

/// What a refused form of the letter's page leaves to show again.
#[derive(Default)]
struct Again {
    handling: Option<(HandlingForm, FormErrors)>,
    reply: String,
    reason: String,
    error: Option<String>,
}

async fn render_detail(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    again: Again,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let s = shown(app, user, id).await.or_page(actor)?;
    let (insp, _) = inspection(app, user, s.letter.inspection_id).await?;
    let (form, errors) = again.handling.unwrap_or_else(|| {
        (
            HandlingForm::of(&s.letter, s.repeats_number),
            FormErrors::none(),
        )
    });
    let (categories, names) = categories(
        app,
        user,
        &insp,
        form.input.category_id.as_deref().unwrap_or(""),
    )
    .await
    .or_page(actor)?;
    let l = s.letter;
    let page = DetailPage {
        frame: Frame::new(
            app,
            user,
            &format!("来信来访第{}号", l.number),
            "/inspections",
        )
        .await
        .with_notice(notice),
        head: head(user, &insp),
        received_on: cn_date(l.received_on),
        updated: local_time(l.updated_at),
        category: l
            .category_id
            .and_then(|c| names.iter().find(|(i, _)| *i == c).map(|(_, n)| n.clone()))
            .unwrap_or_else(|| "—".to_owned()),
        notes: s.notes,
        files: s.files,
        upload_action: format!("/letters/{}/files", l.id),
        upload_hint: "来信原件扫描件、来电来访记录等。",
        cited_by: s.cited,
        may_reveal: s.may_reveal,
        repeats_number: s.repeats_number,
        can_handle: may_draft(actor, &insp),
        disciplines: disciplines(form.input.discipline.as_deref().unwrap_or("")),
        scopes: scopes(&form.input.scope),
        statuses: statuses(&form.input.status),
        categories,
        form,
        errors,
        error: again.error,
        reply: again.reply,
        reason: again.reason,
        l,
    };
    Ok(render(status, &page))
}

async fn detail(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(n): Query<NoticeOnly>,
) -> PageResult {
    let id = Id::from_path(&id, "来信来访").or_page(&user.actor)?;
    render_detail(
        &app,
        &user,
        id,
        n.notice.as_deref(),
        Again::default(),
        StatusCode::OK,
    )
    .await
}

async fn handle(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "来信来访").or_page(actor)?;
    let version = p.version().or_page(actor)?;
    let form = HandlingForm::from_pairs(version, &p);
    match app.services.handle_letter(actor, id, &form.input).await {
        Ok(_) => Ok(see_other(&format!("/letters/{id}"), "saved")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let again = Again {
                error: Some(banner(&e)),
                handling: Some((form, FormErrors::from_error(&e))),
                ..Again::default()
            };
            render_detail(&app, &user, id, None, again, status_of(&e)).await
        }
    }
}

#[derive(Deserialize)]
struct ReplyForm {
    #[serde(default)]
    body: String,
}

async fn reply(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ReplyForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "来信来访").or_page(actor)?;
    match app.services.reply_to_writer(actor, id, &f.body).await {
        Ok(_) => Ok(see_other(&format!("/letters/{id}"), "answered")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let again = Again {
                error: Some(banner(&e)),
                reply: f.body,
                ..Again::default()
            };
            render_detail(&app, &user, id, None, again, status_of(&e)).await
        }
    }
}

async fn upload(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "来信来访").or_page(actor)?;
    let refused = |msg: String| Again {
        error: Some(msg),
        ..Again::default()
    };
    let (name, bytes) = match page_upload(&app, mp).await {
        Ok(v) => v,
        Err((status, msg)) => {
            return render_detail(&app, &user, id, None, refused(msg), status).await;
        }
    };
    match app
        .services
        .add_fieldwork_file(actor, SourceKind::Letter, id, &name, bytes)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/letters/{id}"), "uploaded")),
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => render_detail(&app, &user, id, None, refused(banner(&e)), status_of(&e)).await,
    }
}

#[derive(Deserialize)]
struct RevealForm {
    #[serde(default)]
    reason: String,
}

#[derive(Template)]
#[template(path = "letters_reveal.html")]
struct RevealPage {
    frame: Frame,
    head: WorkHead,
    id: Id,
    number: i64,
    name: String,
    contact: String,
    reason: String,
}

/// The writer's identity, shown once in this answer (never stored, never cached: the answer
/// carries `no-store` like every page, and the form sends no idempotency key, so the answer is
/// not kept for a repeat either).
async fn reveal(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<RevealForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "来信来访").or_page(actor)?;
    match app.services.reveal_writer(actor, id, &f.reason).await {
        Ok(w) => {
            let s = shown(&app, &user, id).await.or_page(actor)?;
            let (insp, _) = inspection(&app, &user, s.letter.inspection_id).await?;
            let page = RevealPage {
                frame: Frame::new(&app, &user, "反映人身份", "/inspections").await,
                head: head(&user, &insp),
                id,
                number: s.letter.number,
                name: w.name,
                contact: w.contact,
                reason: f.reason.trim().to_owned(),
            };
            Ok(render(StatusCode::OK, &page))
        }
        Err(e @ (CoreError::Forbidden(_) | CoreError::NotFound(_))) => Err(e).or_page(actor),
        Err(e) => {
            let again = Again {
                error: Some(banner(&e)),
                reason: f.reason,
                ..Again::default()
            };
            render_detail(&app, &user, id, None, again, status_of(&e)).await
        }
    }
}

/// A tally of the register as its small tables show it.
fn counts(v: Vec<xunshi_core::service::Tallied>) -> Vec<Count> {
    v.into_iter()
        .map(|t| Count {
            label: t.label,
            count: t.count,
        })
        .collect()
}
