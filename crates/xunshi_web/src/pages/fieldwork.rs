//! Pages of fieldwork (进驻了解): the team's overview with the entry announcement, the talk
//! plan and the talks, the document requests (which the inspected unit's principal or liaison
//! also sees and answers), the records of the other methods, and the block of a working
//! paper's sources. What each person sees is the services' answer.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::access::Access;
use xunshi_core::fieldwork::{
    Announcement, AnnouncementInput, Citation, CitingKind, DocAnswerInput, DocRequestInput,
    DocRequestStatus, DocReturnInput, FieldMethod, FieldRecord, FieldRecordInput, SourceKind,
    TalkGroup, TalkInput, TalkPlanInput,
};
use xunshi_core::inspection::{Inspection, Stage};
use xunshi_core::page::{Page, PageRequest};
use xunshi_core::permission::Actor;
use xunshi_core::service::{DocRequestEntry, FieldworkSummary, opens_field_records, today};
use xunshi_core::store::FieldworkFile;
use xunshi_core::{CoreError, Id};

use super::work_tabs::{TabKind, WorkHead, cn_date, opt_cn_date};
use super::{FormErrors, Frame, OrPage, PageError, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{banner, status_of};
use crate::http::files::size_label;
use crate::http::filters::PageQuery;
use crate::http::{Form, FormPairs, Path, Query};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/inspections/{id}/fieldwork", get(overview))
        .route("/inspections/{id}/announcement", post(save_announcement))
        .route("/inspections/{id}/fieldwork/talks", get(talks))
        .route("/inspections/{id}/talk-plan", post(plan_talk))
        .route("/inspections/{id}/talks", post(record_talk))
        .route("/talks/{id}", get(talk))
        .route("/inspections/{id}/fieldwork/documents", get(documents))
        .route("/inspections/{id}/doc-requests", post(send_doc_request))
        .route("/doc-requests/{id}", get(doc_request))
        .route("/doc-requests/{id}/answer", post(answer_doc_request))
        .route("/doc-requests/{id}/return", post(return_doc_request))
        .route("/fieldwork/doc-requests", get(to_answer))
        .route("/inspections/{id}/fieldwork/records", get(records))
        .route("/inspections/{id}/field-records", post(add_record))
}

// ---------------------------------------------------------------------------------------------
// What the pages share

/// One of the fieldwork's own tabs.
pub(super) struct Part {
    pub label: String,
    pub href: String,
    pub active: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum PartKind {
    Overview,
    Talks,
    Documents,
    Records,
}

/// The inspection's tabs with 进驻了解 among them, current.
pub(super) fn team_head(actor: &Actor, insp: &Inspection) -> WorkHead {
    WorkHead::of(actor, insp, TabKind::Fieldwork)
}

/// The heading of a page the inspected unit reads: the team's name only.
fn unit_head(id: Id, team_name: &str) -> WorkHead {
    WorkHead {
        id,
        team_name: team_name.to_owned(),
        stage: "",
        tabs: Vec::new(),
    }
}

/// The fieldwork's tabs with their counts, for the team (an empty list for anyone else).
pub(super) fn parts(id: Id, s: Option<&FieldworkSummary>, active: PartKind) -> Vec<Part> {
    let Some(s) = s else {
        return Vec::new();
    };
    let part = |label: String, path: &str, kind: Option<PartKind>| Part {
        label,
        href: format!("/inspections/{id}/{path}"),
        active: kind == Some(active),
    };
    vec![
        part("概况".into(), "fieldwork", Some(PartKind::Overview)),
        part(format!("来信来访（{}）", s.letters), "letters", None),
        part(
            format!("个别谈话（{}）", s.talks),
            "fieldwork/talks",
            Some(PartKind::Talks),
        ),
        part(
            format!("调阅材料（{}）", s.doc_requests),
            "fieldwork/documents",
            Some(PartKind::Documents),
        ),
        part(
            format!("其他方式（{}）", s.records),
            "fieldwork/records",
            Some(PartKind::Records),
        ),
    ]
}

/// The team's summary, or none for whoever is not on the team.
pub(super) async fn summary(app: &AppState, actor: &Actor, id: Id) -> Option<FieldworkSummary> {
    app.services.fieldwork_summary(actor, id).await.ok()
}

/// The inspection with the actor's access, as the services give it.
pub(super) async fn inspection(
    app: &AppState,
    actor: &Actor,
    id: Id,
) -> Result<(Inspection, Access), PageError> {
    app.services.get_inspection(actor, id).await.or_page(actor)
}

pub(super) fn parse_id(raw: &str, what: &str, actor: &Actor) -> Result<Id, PageError> {
    Id::from_path(raw, what).or_page(actor)
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

/// The links of a list read newest first, a page at a time.
struct Pager {
    total: i64,
    first: Option<String>,
    next: Option<String>,
}

impl Pager {
    fn of<T>(base: &str, q: &PageQuery, page: &Page<T>) -> Pager {
        let limit = q.limit.map(|n| format!("&limit={n}")).unwrap_or_default();
        Pager {
            total: page.total.unwrap_or(page.items.len() as i64),
            first: q
                .cursor
                .as_deref()
                .filter(|c| !c.is_empty())
                .map(|_| match q.limit {
                    Some(n) => format!("{base}?limit={n}"),
                    None => base.to_owned(),
                }),
            next: page
                .next_cursor
                .as_ref()
                .map(|c| format!("{base}?cursor={c}{limit}")),
        }
    }
}

/// A list's page as asked, or the refusal of a cursor or size that cannot be read (shown on top
/// of an empty list, with status 400).
fn asked_page(q: &PageQuery, actor: &Actor) -> Result<(PageRequest, Option<CoreError>), PageError> {
    let (page, refused) = super::filter_or_refusal(q.page(), actor)?;
    Ok((page.unwrap_or_default(), refused))
}

pub(super) fn is_refusal_page(e: &CoreError) -> bool {
    matches!(e, CoreError::Forbidden(_) | CoreError::NotFound(_))
}

#[derive(Deserialize)]
pub(super) struct NoticeQuery {
    pub notice: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// The overview and the announcement

struct Tile {
    number: i64,
    label: &'static str,
    href: String,
}

/// The announcement as shown.
struct AnnouncementView {
    a: Announcement,
    period: String,
    open_today: bool,
    updated: String,
}

#[derive(Template)]
#[template(path = "fieldwork.html")]
struct OverviewPage {
    frame: Frame,
    head: WorkHead,
    parts: Vec<Part>,
    tiles: Vec<Tile>,
    announcement: Option<AnnouncementView>,
    can_announce: bool,
    form: AnnouncementInput,
    errors: FormErrors,
}

async fn render_overview(
    app: &AppState,
    user: &PageUser,
    id: Id,
    typed: Option<AnnouncementInput>,
    errors: FormErrors,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (insp, access) = inspection(app, actor, id).await?;
    // The team sees its fieldwork; the office and the leadership see the announcement only.
    let summary = match app.services.fieldwork_summary(actor, id).await {
        Ok(s) => Some(s),
        Err(CoreError::Forbidden(_)) if access >= Access::Read => None,
        Err(e) => return Err(e).or_page(actor),
    };
    let stored = app.services.announcement(actor, id).await.or_page(actor)?;
    let day = today(app.services.now());
    let form = typed.unwrap_or_else(|| match &stored {
        Some(a) => AnnouncementInput {
            hotline: a.hotline.clone(),
            mailbox: a.mailbox.clone(),
            postal_box: a.postal_box.clone(),
            email: a.email.clone(),
            opens_on: a.opens_on.to_string(),
            closes_on: a.closes_on.to_string(),
            scope: a.scope.clone(),
            version: Some(a.version),
        },
        None => AnnouncementInput::default(),
    });
    let tiles = match &summary {
        Some(s) => vec![
            Tile {
                number: s.letters,
                label: "来信来访",
                href: format!("/inspections/{id}/letters"),
            },
            Tile {
                number: s.talks,
                label: "个别谈话",
                href: format!("/inspections/{id}/fieldwork/talks"),
            },
            Tile {
                number: s.doc_requests,
                label: "调阅材料",
                href: format!("/inspections/{id}/fieldwork/documents"),
            },
            Tile {
                number: s.records,
                label: "其他方式",
                href: format!("/inspections/{id}/fieldwork/records"),
            },
        ],
        None => Vec::new(),
    };
    let page = OverviewPage {
        frame: Frame::new(app, user, "进驻了解", "/inspections")
            .await
            .with_notice(notice),
        head: team_head(actor, &insp),
        parts: parts(id, summary.as_ref(), PartKind::Overview),
        tiles,
        announcement: stored.map(|a| AnnouncementView {
            period: format!("{}至{}", cn_date(a.opens_on), cn_date(a.closes_on)),
            open_today: a.open_on(day),
            updated: local_time(a.updated_at),
            a,
        }),
        can_announce: xunshi_core::service::may_announce(actor, &insp),
        form,
        errors,
    };
    Ok(render(status, &page))
}

async fn overview(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "巡视任务", &user.actor)?;
    render_overview(
        &app,
        &user,
        id,
        None,
        FormErrors::none(),
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

async fn save_announcement(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", actor)?;
    // The first announcement has no version; a change names the one it was based on.
    let version = match p.opt("version") {
        Some(_) => Some(p.version().or_page(actor)?),
        None => None,
    };
    let input = AnnouncementInput {
        hotline: p.get("hotline"),
        mailbox: p.get("mailbox"),
        postal_box: p.get("postal_box"),
        email: p.get("email"),
        opens_on: p.get("opens_on"),
        closes_on: p.get("closes_on"),
        scope: p.get("scope"),
        version,
    };
    match app.services.save_announcement(actor, id, &input).await {
        Ok(_) => Ok(see_other(
            &format!("/inspections/{id}/fieldwork"),
            "announced",
        )),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) => {
            let status = status_of(&e);
            render_overview(
                &app,
                &user,
                id,
                Some(input),
                FormErrors::from_error(&e),
                None,
                status,
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Talks

struct PlanRow {
    name: String,
    post: String,
    talk_href: Option<String>,
}

struct GroupView {
    label: String,
    planned: i64,
    held: i64,
    entries: Vec<PlanRow>,
}

struct TalkRow {
    href: String,
    date: String,
    name: String,
    post: String,
    place: String,
    inspectors: String,
    confirmed: bool,
}

#[derive(Template)]
#[template(path = "fieldwork_talks.html")]
struct TalksPage {
    frame: Frame,
    head: WorkHead,
    parts: Vec<Part>,
    groups: Vec<GroupView>,
    planned: i64,
    held: i64,
    rows: Vec<TalkRow>,
    pager: Pager,
    /// Whether each talk links to its record: the team alone (`opens_field_records`).
    opens: bool,
    can_plan: bool,
    can_record: bool,
    group_choices: Vec<Choice>,
    members: Vec<Choice>,
    open_entries: Vec<Choice>,
    plan: TalkPlanInput,
    plan_errors: FormErrors,
    talk: TalkInput,
    talk_errors: FormErrors,
}

/// The forms of the talks page, as typed when one was refused.
#[derive(Default)]
struct TalkForms {
    plan: TalkPlanInput,
    plan_errors: FormErrors,
    talk: Option<TalkInput>,
    talk_errors: FormErrors,
}

async fn render_talks(
    app: &AppState,
    user: &PageUser,
    id: Id,
    q: &PageQuery,
    forms: TalkForms,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let coverage = app.services.talk_coverage(actor, id).await.or_page(actor)?;
    let (insp, _) = inspection(app, actor, id).await?;
    let (asked, refused) = asked_page(q, actor)?;
    let list = match &refused {
        None => app
            .services
            .talks_page(actor, id, asked)
            .await
            .or_page(actor)?,
        Some(_) => Page::empty(),
    };
    let team = app.services.team(actor, id).await.or_page(actor)?;
    let name_of = |i: &Id| {
        team.iter()
            .find(|e| e.member.inspector_id == *i)
            .map(|e| e.inspector_name.clone())
            .unwrap_or_else(|| "（已不在册）".into())
    };
    let talk = forms.talk.unwrap_or_else(|| TalkInput {
        talked_on: today(app.services.now()).to_string(),
        ..Default::default()
    });
    let members = team
        .iter()
        .filter(|e| e.member.active())
        .map(|e| Choice {
            value: e.member.inspector_id.to_string(),
            label: format!("{}（{}）", e.inspector_name, e.member.role.label()),
            selected: talk
                .inspector_ids
                .iter()
                .any(|x| x.trim() == e.member.inspector_id.to_string()),
        })
        .collect();
    let open_entries = coverage
        .entries
        .iter()
        .filter(|e| e.talk_id.is_none())
        .map(|e| Choice {
            value: e.id.to_string(),
            label: format!("{}　{}（{}）", e.name, e.post, e.group.label()),
            selected: talk.plan_entry_id.as_deref() == Some(&e.id.to_string()),
        })
        .collect();
    let groups = coverage
        .groups
        .iter()
        .map(|g| GroupView {
            label: g.label.clone(),
            planned: g.planned,
            held: g.held,
            entries: coverage
                .entries
                .iter()
                .filter(|e| e.group == g.group)
                .map(|e| PlanRow {
                    name: e.name.clone(),
                    post: e.post.clone(),
                    talk_href: e.talk_id.map(|t| format!("/talks/{t}")),
                })
                .collect(),
        })
        .collect();
    let group_choices = TalkGroup::ALL
        .iter()
        .map(|g| Choice {
            value: g.as_str().into(),
            label: g.label().into(),
            selected: forms.plan.group == g.as_str(),
        })
        .collect();
    let base = format!("/inspections/{id}/fieldwork/talks");
    let pager = Pager::of(&base, q, &list);
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let page = TalksPage {
        frame: Frame::new(app, user, "个别谈话", "/inspections")
            .await
            .with_notice(notice)
            .with_error(refused.as_ref()),
        head: team_head(actor, &insp),
        parts: parts(id, summary(app, actor, id).await.as_ref(), PartKind::Talks),
        planned: coverage.groups.iter().map(|g| g.planned).sum(),
        held: coverage.groups.iter().map(|g| g.held).sum(),
        groups,
        rows: list
            .items
            .iter()
            .map(|t| TalkRow {
                href: format!("/talks/{}", t.id),
                date: cn_date(t.talked_on),
                name: t.interviewee_name.clone(),
                post: t.interviewee_post.clone(),
                place: t.place.clone(),
                inspectors: t
                    .inspector_ids
                    .iter()
                    .map(name_of)
                    .collect::<Vec<_>>()
                    .join("、"),
                confirmed: t.confirmed,
            })
            .collect(),
        pager,
        opens: opens_field_records(actor, &insp),
        can_plan: matches!(insp.stage, Stage::Preparation | Stage::OnSite),
        can_record: xunshi_core::service::may_draft(actor, &insp),
        group_choices,
        members,
        open_entries,
        plan: forms.plan,
        plan_errors: forms.plan_errors,
        talk,
        talk_errors: forms.talk_errors,
    };
    Ok(render(status, &page))
}

async fn talks(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    Query(n): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "巡视任务", &user.actor)?;
    render_talks(
        &app,
        &user,
        id,
        &q,
        TalkForms::default(),
        n.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct PlanForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    post: String,
    #[serde(default)]
    group: String,
}

async fn plan_talk(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<PlanForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", actor)?;
    let input = TalkPlanInput {
        name: f.name,
        post: f.post,
        group: f.group,
    };
    match app.services.plan_talk(actor, id, &input).await {
        Ok(_) => Ok(see_other(
            &format!("/inspections/{id}/fieldwork/talks"),
            "planned",
        )),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) => {
            let forms = TalkForms {
                plan: input,
                plan_errors: FormErrors::from_error(&e),
                ..Default::default()
            };
            render_talks(
                &app,
                &user,
                id,
                &PageQuery::default(),
                forms,
                None,
                status_of(&e),
            )
            .await
        }
    }
}

async fn record_talk(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    p: FormPairs,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", actor)?;
    let input = TalkInput {
        interviewee_name: p.get("interviewee_name"),
        interviewee_post: p.get("interviewee_post"),
        talked_on: p.get("talked_on"),
        place: p.get("place"),
        inspector_ids: p.all("inspector_ids"),
        text: p.get("text"),
        confirmed: p.opt("confirmed").is_some(),
        plan_entry_id: p.opt("plan_entry_id").filter(|s| !s.trim().is_empty()),
    };
    match app.services.record_talk(actor, id, &input).await {
        Ok(_) => Ok(see_other(
            &format!("/inspections/{id}/fieldwork/talks"),
            "talk_recorded",
        )),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) => {
            let forms = TalkForms {
                talk_errors: FormErrors::from_error(&e),
                talk: Some(input),
                ..Default::default()
            };
            render_talks(
                &app,
                &user,
                id,
                &PageQuery::default(),
                forms,
                None,
                status_of(&e),
            )
            .await
        }
    }
}

/// A paper or clue that cites a source, or a source a paper cites, as a link.
pub(super) struct CiteRow {
    pub kind: &'static str,
    pub label: String,
    pub href: Option<String>,
}

/// The papers and clues citing a source, as the source's page lists them.
pub(super) fn citing_rows(cited: &[Citation]) -> Vec<CiteRow> {
    cited
        .iter()
        .map(|c| CiteRow {
            kind: c.citing_kind.label(),
            label: c.label.clone(),
            href: Some(match c.citing_kind {
                CitingKind::Problem => format!("/papers/{}", c.citing_id),
                CitingKind::Clue => format!("/clues/{}", c.citing_id),
            }),
        })
        .collect()
}

/// A file of a letter or of another record, as its page lists it.
pub(super) struct FileRow {
    pub href: String,
    pub filename: String,
    pub kind: &'static str,
    pub size: String,
    pub at: String,
}

pub(super) fn file_rows(files: Vec<FieldworkFile>) -> Vec<FileRow> {
    files
        .into_iter()
        .map(|f| FileRow {
            href: format!("/fieldwork/files/{}", f.id),
            kind: f.kind.label(),
            size: size_label(f.size),
            at: local_time(f.created_at),
            filename: f.filename,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "fieldwork_talk.html")]
struct TalkPage {
    frame: Frame,
    head: WorkHead,
    parts: Vec<Part>,
    name: String,
    post: String,
    date: String,
    place: String,
    inspectors: String,
    confirmed: bool,
    text: String,
    recorded: String,
    plan_linked: bool,
    cited_by: Vec<CiteRow>,
}

async fn talk(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "个别谈话", actor)?;
    let d = app.services.talk_detail(actor, id).await.or_page(actor)?;
    let (insp, _) = inspection(&app, actor, d.talk.inspection_id).await?;
    let t = &d.talk;
    let page = TalkPage {
        frame: Frame::new(&app, &user, "谈话记录", "/inspections")
            .await
            .with_notice(q.notice.as_deref()),
        head: team_head(actor, &insp),
        parts: parts(
            insp.id,
            summary(&app, actor, insp.id).await.as_ref(),
            PartKind::Talks,
        ),
        name: t.interviewee_name.clone(),
        post: t.interviewee_post.clone(),
        date: cn_date(t.talked_on),
        place: t.place.clone(),
        inspectors: d.inspectors.join("、"),
        confirmed: t.confirmed,
        recorded: local_time(t.created_at),
        plan_linked: t.plan_entry_id.is_some(),
        cited_by: citing_rows(&d.cited_by),
        text: d.text,
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// Document requests

struct DocRow {
    id: Id,
    href: String,
    number: i64,
    version: i64,
    team: String,
    unit: String,
    materials: String,
    notes: String,
    sent: String,
    due: String,
    /// red when the unit is late, yellow within three days.
    due_tag: &'static str,
    status: &'static str,
    status_tag: &'static str,
    answer: String,
    delivered: String,
    returned: String,
    may_answer: bool,
    may_return: bool,
}

fn doc_row(e: &DocRequestEntry, day: jiff::civil::Date) -> DocRow {
    let d = &e.request;
    let due_tag = match d.due_on {
        Some(due) if d.status == DocRequestStatus::Sent => {
            if due < day {
                "red"
            } else if (due - day).get_days() <= 3 {
                "yellow"
            } else {
                ""
            }
        }
        _ => "",
    };
    DocRow {
        id: d.id,
        href: format!("/doc-requests/{}", d.id),
        number: d.number,
        version: d.version,
        team: e.team_name.clone(),
        unit: e.unit_name.clone(),
        materials: d.materials.clone(),
        notes: d.notes.clone(),
        sent: cn_date(d.sent_on),
        due: opt_cn_date(d.due_on),
        due_tag,
        status: d.status.label(),
        status_tag: match d.status {
            DocRequestStatus::Sent => "yellow",
            DocRequestStatus::Delivered => "green",
            DocRequestStatus::Returned => "grey",
        },
        answer: d.answer.clone(),
        delivered: opt_cn_date(d.delivered_on),
        returned: opt_cn_date(d.returned_on),
        may_answer: e.may_answer,
        may_return: e.may_return,
    }
}

#[derive(Template)]
#[template(path = "fieldwork_documents.html")]
struct DocumentsPage {
    frame: Frame,
    head: WorkHead,
    parts: Vec<Part>,
    rows: Vec<DocRow>,
    pager: Pager,
    can_send: bool,
    units: Vec<Choice>,
    form: DocRequestInput,
    errors: FormErrors,
    banner: Option<String>,
    today: String,
}

#[derive(Default)]
struct DocForms {
    send: Option<DocRequestInput>,
    errors: FormErrors,
    banner: Option<String>,
}

async fn render_documents(
    app: &AppState,
    user: &PageUser,
    id: Id,
    q: &PageQuery,
    forms: DocForms,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (asked, refused) = asked_page(q, actor)?;
    // The service decides who reads which requests: the team all, the unit its own.
    let first = app
        .services
        .doc_requests_page(actor, id, asked)
        .await
        .or_page(actor)?;
    let list = if refused.is_some() {
        Page::empty()
    } else {
        first
    };
    let day = today(app.services.now());
    // The team sees the inspection; the unit before feedback only the team's name.
    let insp = app
        .services
        .get_inspection(actor, id)
        .await
        .ok()
        .map(|x| x.0);
    let summary = summary(app, actor, id).await;
    let head = match (&insp, &summary) {
        (Some(i), Some(_)) => team_head(actor, i),
        (Some(i), None) => WorkHead::of(actor, i, TabKind::Team),
        (None, _) => unit_head(
            id,
            list.items
                .first()
                .map_or("巡视组", |e| e.team_name.as_str()),
        ),
    };
    let can_send = insp
        .as_ref()
        .is_some_and(|i| summary.is_some() && xunshi_core::service::may_draft(actor, i));
    let form = forms.send.unwrap_or_else(|| DocRequestInput {
        sent_on: day.to_string(),
        ..Default::default()
    });
    let mut units = Vec::new();
    if can_send {
        let names = app
            .services
            .inspection_names(actor, id)
            .await
            .or_page(actor)?;
        units = names
            .targets
            .into_iter()
            .map(|(u, name)| Choice {
                selected: form.unit_id == u.to_string(),
                value: u.to_string(),
                label: name,
            })
            .collect();
    }
    let pager = Pager::of(&format!("/inspections/{id}/fieldwork/documents"), q, &list);
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let page = DocumentsPage {
        frame: Frame::new(app, user, "调阅材料", "/inspections")
            .await
            .with_notice(notice)
            .with_error(refused.as_ref()),
        head,
        parts: parts(id, summary.as_ref(), PartKind::Documents),
        rows: list.items.iter().map(|e| doc_row(e, day)).collect(),
        pager,
        can_send,
        units,
        form,
        errors: forms.errors,
        banner: forms.banner,
        today: day.to_string(),
    };
    Ok(render(status, &page))
}

async fn documents(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    Query(n): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "巡视任务", &user.actor)?;
    render_documents(
        &app,
        &user,
        id,
        &q,
        DocForms::default(),
        n.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct SendForm {
    #[serde(default)]
    unit_id: String,
    #[serde(default)]
    materials: String,
    #[serde(default)]
    sent_on: String,
    #[serde(default)]
    due_on: String,
    #[serde(default)]
    notes: String,
}

async fn send_doc_request(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<SendForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", actor)?;
    let input = DocRequestInput {
        unit_id: f.unit_id,
        materials: f.materials,
        sent_on: f.sent_on,
        due_on: Some(f.due_on).filter(|d| !d.trim().is_empty()),
        notes: f.notes,
    };
    match app.services.send_doc_request(actor, id, &input).await {
        Ok(_) => Ok(see_other(
            &format!("/inspections/{id}/fieldwork/documents"),
            "doc_sent",
        )),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) => {
            let forms = DocForms {
                errors: FormErrors::from_error(&e),
                send: Some(input),
                banner: None,
            };
            render_documents(
                &app,
                &user,
                id,
                &PageQuery::default(),
                forms,
                None,
                status_of(&e),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "fieldwork_doc_request.html")]
struct DocRequestPage {
    frame: Frame,
    head: WorkHead,
    parts: Vec<Part>,
    r: DocRow,
    answer: String,
    delivered_on: String,
    errors: FormErrors,
    today: String,
    /// Where the unit goes back to: its own list, or the inspection's.
    back: String,
}

async fn render_doc_request(
    app: &AppState,
    user: &PageUser,
    id: Id,
    typed: Option<(String, String)>,
    errors: FormErrors,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let e = app.services.doc_request(actor, id).await.or_page(actor)?;
    let iid = e.request.inspection_id;
    let insp = app
        .services
        .get_inspection(actor, iid)
        .await
        .ok()
        .map(|x| x.0);
    let summary = summary(app, actor, iid).await;
    let head = match (&insp, &summary) {
        (Some(i), Some(_)) => team_head(actor, i),
        (Some(i), None) => WorkHead::of(actor, i, TabKind::Team),
        (None, _) => unit_head(iid, &e.team_name),
    };
    let back = if summary.is_some() {
        format!("/inspections/{iid}/fieldwork/documents")
    } else {
        "/fieldwork/doc-requests".to_owned()
    };
    let day = today(app.services.now());
    let (answer, delivered_on) = typed.unwrap_or_else(|| (String::new(), day.to_string()));
    let page = DocRequestPage {
        frame: Frame::new(
            app,
            user,
            &format!("第{}号调阅单", e.request.number),
            if summary.is_some() {
                "/inspections"
            } else {
                "/fieldwork/doc-requests"
            },
        )
        .await
        .with_notice(notice),
        head,
        parts: parts(iid, summary.as_ref(), PartKind::Documents),
        r: doc_row(&e, day),
        answer,
        delivered_on,
        errors,
        today: day.to_string(),
        back,
    };
    Ok(render(status, &page))
}

async fn doc_request(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "调阅通知", &user.actor)?;
    render_doc_request(
        &app,
        &user,
        id,
        None,
        FormErrors::none(),
        q.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct AnswerForm {
    version: i64,
    #[serde(default)]
    answer: String,
    #[serde(default)]
    delivered_on: String,
}

async fn answer_doc_request(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<AnswerForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "调阅通知", actor)?;
    let input = DocAnswerInput {
        version: f.version,
        answer: f.answer,
        delivered_on: f.delivered_on,
    };
    match app.services.answer_doc_request(actor, id, &input).await {
        Ok(_) => Ok(see_other(&format!("/doc-requests/{id}"), "answered")),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) => {
            render_doc_request(
                &app,
                &user,
                id,
                Some((input.answer, input.delivered_on)),
                FormErrors::from_error(&e),
                None,
                status_of(&e),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
struct ReturnForm {
    version: i64,
    #[serde(default)]
    returned_on: String,
    /// `list` when the form was on the inspection's list of requests.
    #[serde(default)]
    back: String,
}

async fn return_doc_request(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<ReturnForm>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "调阅通知", actor)?;
    let input = DocReturnInput {
        version: f.version,
        returned_on: f.returned_on,
    };
    match app.services.return_doc_request(actor, id, &input).await {
        Ok(d) if f.back == "list" => Ok(see_other(
            &format!("/inspections/{}/fieldwork/documents", d.inspection_id),
            "doc_returned",
        )),
        Ok(_) => Ok(see_other(&format!("/doc-requests/{id}"), "doc_returned")),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) if f.back == "list" => {
            let iid = app
                .services
                .doc_request(actor, id)
                .await
                .or_page(actor)?
                .request
                .inspection_id;
            let forms = DocForms {
                banner: Some(banner(&e)),
                ..Default::default()
            };
            render_documents(
                &app,
                &user,
                iid,
                &PageQuery::default(),
                forms,
                None,
                status_of(&e),
            )
            .await
        }
        Err(e) => {
            render_doc_request(
                &app,
                &user,
                id,
                None,
                FormErrors::from_error(&e),
                None,
                status_of(&e),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "fieldwork_doc_mine.html")]
struct MinePage {
    frame: Frame,
    rows: Vec<DocRow>,
}

/// The requests waiting for the units the person answers for, across inspections.
async fn to_answer(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let actor = &user.actor;
    let list = app
        .services
        .doc_requests_to_answer(actor)
        .await
        .or_page(actor)?;
    let day = today(app.services.now());
    let page = MinePage {
        frame: Frame::new(&app, &user, "待提供的调阅材料", "/fieldwork/doc-requests")
            .await
            .with_notice(q.notice.as_deref()),
        rows: list.iter().map(|e| doc_row(e, day)).collect(),
    };
    Ok(render(StatusCode::OK, &page))
}

// ---------------------------------------------------------------------------------------------
// The other methods

pub(super) struct RecordRow {
    pub anchor: String,
    pub href: String,
    pub method: &'static str,
    pub date: String,
    pub participants: String,
    pub summary: String,
    pub forms: String,
}

pub(super) fn record_row(r: &FieldRecord) -> RecordRow {
    let forms = match (r.forms_out, r.forms_back) {
        (Some(out), Some(back)) => format!("发放 {out} 份，收回 {back} 份"),
        (Some(out), None) => format!("发放 {out} 份"),
        _ => "—".to_owned(),
    };
    RecordRow {
        anchor: format!("record-{}", r.id),
        href: format!("/field-records/{}", r.id),
        method: r.method.label(),
        date: cn_date(r.held_on),
        participants: r.participants.clone(),
        summary: r.summary.clone(),
        forms,
    }
}

/// The record form as typed: the counts are text until read.
#[derive(Default)]
struct RecordForm {
    method: String,
    held_on: String,
    participants: String,
    summary: String,
    forms_out: String,
    forms_back: String,
}

#[derive(Template)]
#[template(path = "fieldwork_records.html")]
struct RecordsPage {
    frame: Frame,
    head: WorkHead,
    parts: Vec<Part>,
    rows: Vec<RecordRow>,
    pager: Pager,
    /// Whether each record links to its page: the team alone (`opens_field_records`).
    opens: bool,
    can_add: bool,
    methods: Vec<Choice>,
    form: RecordForm,
    errors: FormErrors,
}

async fn render_records(
    app: &AppState,
    user: &PageUser,
    id: Id,
    q: &PageQuery,
    refused_form: Option<(RecordForm, FormErrors)>,
    notice: Option<&str>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let (typed, errors) = match refused_form {
        Some((f, e)) => (Some(f), e),
        None => (None, FormErrors::none()),
    };
    let (asked, refused) = asked_page(q, actor)?;
    let first = app
        .services
        .field_records_page(actor, id, asked)
        .await
        .or_page(actor)?;
    let list = if refused.is_some() {
        Page::empty()
    } else {
        first
    };
    let (insp, _) = inspection(app, actor, id).await?;
    let form = typed.unwrap_or_else(|| RecordForm {
        held_on: today(app.services.now()).to_string(),
        ..Default::default()
    });
    let methods = FieldMethod::ALL
        .iter()
        .map(|m| Choice {
            value: m.as_str().into(),
            label: if m.counts_forms() {
                format!("{}（填写发放、收回份数）", m.label())
            } else {
                m.label().into()
            },
            selected: form.method == m.as_str(),
        })
        .collect();
    let pager = Pager::of(&format!("/inspections/{id}/fieldwork/records"), q, &list);
    let status = if refused.is_some() {
        StatusCode::BAD_REQUEST
    } else {
        status
    };
    let page = RecordsPage {
        frame: Frame::new(app, user, "其他工作方式", "/inspections")
            .await
            .with_notice(notice)
            .with_error(refused.as_ref()),
        head: team_head(actor, &insp),
        parts: parts(
            id,
            summary(app, actor, id).await.as_ref(),
            PartKind::Records,
        ),
        rows: list.items.iter().map(record_row).collect(),
        pager,
        opens: opens_field_records(actor, &insp),
        can_add: xunshi_core::service::may_draft(actor, &insp),
        methods,
        form,
        errors,
    };
    Ok(render(status, &page))
}

async fn records(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
    Query(n): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "巡视任务", &user.actor)?;
    render_records(
        &app,
        &user,
        id,
        &q,
        None,
        n.notice.as_deref(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
struct RecordPost {
    #[serde(default)]
    method: String,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    participants: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    forms_out: String,
    #[serde(default)]
    forms_back: String,
}

/// A count typed into a number field: empty is none.
fn count(field: &str, raw: &str) -> Result<Option<i64>, CoreError> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| CoreError::bad_input(field, "份数应为整数"))
}

async fn add_record(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Form(f): Form<RecordPost>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "巡视任务", actor)?;
    let typed = RecordForm {
        method: f.method,
        held_on: f.held_on,
        participants: f.participants,
        summary: f.summary,
        forms_out: f.forms_out,
        forms_back: f.forms_back,
    };
    let result = async {
        let input = FieldRecordInput {
            method: typed.method.clone(),
            held_on: typed.held_on.clone(),
            participants: typed.participants.clone(),
            summary: typed.summary.clone(),
            forms_out: count("forms_out", &typed.forms_out)?,
            forms_back: count("forms_back", &typed.forms_back)?,
        };
        app.services.add_field_record(actor, id, &input).await
    }
    .await;
    match result {
        Ok(r) => Ok(see_other(
            &format!("/field-records/{}", r.id),
            "record_added",
        )),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) => {
            render_records(
                &app,
                &user,
                id,
                &PageQuery::default(),
                Some((typed, FormErrors::from_error(&e))),
                None,
                status_of(&e),
            )
            .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A working paper's sources (依据材料)

pub(super) struct SourceGroup {
    pub label: &'static str,
    pub options: Vec<(String, String)>,
}

/// The sources block of a paper's page: what it cites, and the picker of what it may cite.
pub(super) struct Sources {
    pub items: Vec<SourceRow>,
    pub groups: Vec<SourceGroup>,
    pub kinds: Vec<(&'static str, &'static str)>,
}

pub(super) struct SourceRow {
    pub kind: &'static str,
    pub label: String,
    pub href: Option<String>,
}

/// How many of each kind the picker offers: the newest first.
const PICKER_SIZE: u32 = 50;

/// The sources block for whoever the service admits (the team), or none.
pub(super) async fn sources_of(
    app: &AppState,
    actor: &Actor,
    kind: CitingKind,
    citing_id: Id,
    inspection_id: Id,
) -> Option<Sources> {
    let cited = app.services.sources_of(actor, kind, citing_id).await.ok()?;
    let taken = |k: SourceKind, id: Id| {
        cited
            .iter()
            .any(|c| c.source_kind == k && c.source_id == id)
    };
    let first = PageRequest::first(PICKER_SIZE);
    let s = &app.services;
    let mut groups = Vec::new();
    if let Ok(p) = s
        .letters_page(actor, inspection_id, &Default::default(), first)
        .await
    {
        groups.push(SourceGroup {
            label: SourceKind::Letter.label(),
            options: p
                .items
                .iter()
                .filter(|l| !taken(SourceKind::Letter, l.id))
                .map(|l| {
                    let about = if l.about_name.is_empty() {
                        "未写明被反映人"
                    } else {
                        l.about_name.as_str()
                    };
                    (
                        format!("letter:{}", l.id),
                        format!("第 {} 号{}（{about}）", l.number, l.channel.label()),
                    )
                })
                .collect(),
        });
    }
    if let Ok(p) = s.talks_page(actor, inspection_id, first).await {
        groups.push(SourceGroup {
            label: SourceKind::Talk.label(),
            options: p
                .items
                .iter()
                .filter(|t| !taken(SourceKind::Talk, t.id))
                .map(|t| {
                    (
                        format!("talk:{}", t.id),
                        format!(
                            "{} 与{}（{}）谈话",
                            t.talked_on, t.interviewee_name, t.interviewee_post
                        ),
                    )
                })
                .collect(),
        });
    }
    if let Ok(p) = s.doc_requests_page(actor, inspection_id, first).await {
        groups.push(SourceGroup {
            label: SourceKind::DocRequest.label(),
            options: p
                .items
                .iter()
                .filter(|d| !taken(SourceKind::DocRequest, d.request.id))
                .map(|d| {
                    (
                        format!("doc_request:{}", d.request.id),
                        format!(
                            "第 {} 号调阅单（{}，{}）",
                            d.request.number, d.unit_name, d.request.sent_on
                        ),
                    )
                })
                .collect(),
        });
    }
    if let Ok(p) = s.field_records_page(actor, inspection_id, first).await {
        groups.push(SourceGroup {
            label: SourceKind::FieldRecord.label(),
            options: p
                .items
                .iter()
                .filter(|r| !taken(SourceKind::FieldRecord, r.id))
                .map(|r| {
                    (
                        format!("field_record:{}", r.id),
                        format!("{} {}", r.held_on, r.method.label()),
                    )
                })
                .collect(),
        });
    }
    groups.retain(|g| !g.options.is_empty());
    let items = cited
        .iter()
        .map(|c| SourceRow {
            kind: c.source_kind.label(),
            label: c.label.clone(),
            href: Some(match c.source_kind {
                SourceKind::Talk => format!("/talks/{}", c.source_id),
                SourceKind::DocRequest => format!("/doc-requests/{}", c.source_id),
                SourceKind::FieldRecord => format!("/field-records/{}", c.source_id),
                SourceKind::Letter => format!("/letters/{}", c.source_id),
            }),
        })
        .collect();
    Some(Sources {
        items,
        groups,
        kinds: SourceKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
    })
}

/// What a citation form sent: the picker's `kind:id`, or the kind and the id typed.
pub(super) fn citation_input(p: &FormPairs) -> xunshi_core::fieldwork::CitationInput {
    let picked = p.get("source");
    match picked.trim().split_once(':') {
        Some((kind, id)) => xunshi_core::fieldwork::CitationInput {
            source_kind: kind.to_owned(),
            source_id: id.to_owned(),
        },
        None => xunshi_core::fieldwork::CitationInput {
            source_kind: p.get("source_kind"),
            source_id: p.get("source_id"),
        },
    }
}
