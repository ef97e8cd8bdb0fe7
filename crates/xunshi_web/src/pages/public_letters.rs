//! The public's intake (网上举报): the announcements of the teams on site, a form to write to
//! one of them, and the follow-up by receipt code. No account, no cookie, no script: the
//! routes are left alone by `auth::page_session` (no session is resolved, no CSRF token is
//! asked), and the client address only feeds the throttle, which keeps a salted hash of it in
//! memory. The receipt code travels in form bodies only, never in an address.

use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::routing::{get, post};
use xunshi_core::CoreError;
use xunshi_core::fieldwork::{LetterStatus, PublicSubmissionInput};
use xunshi_core::paper::MAX_EVIDENCE_BYTES;

use super::work_tabs::cn_date;
use super::{FormErrors, local_time, render};
use crate::AppState;
use crate::auth::ClientIp;
use crate::error::{banner, status_of};
use crate::http::files::{Staging, UploadError};
use crate::http::intake::{SUBMISSION_LIMIT, read_submission};
use crate::http::{Form, Rejection};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/public/letters",
            get(intake)
                .post(submit)
                .layer(DefaultBodyLimit::max(SUBMISSION_LIMIT)),
        )
        .route("/public/letters/status", post(status))
        .route("/public/letters/add", post(add))
}

// ---------------------------------------------------------------------------------------------
// The announcements and the form

/// What the writer typed, shown again when the submission was refused.
#[derive(Default)]
struct Typed {
    content: String,
    name: String,
    contact: String,
    about_name: String,
    about_post: String,
}

struct Card {
    id: String,
    team_name: String,
    units: String,
    hotline: String,
    mailbox: String,
    postal_box: String,
    email: String,
    period: String,
    scope: String,
    typed: Typed,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "public_letters.html")]
struct IntakePage {
    cards: Vec<Card>,
    /// A message about the request as a whole (throttled, no longer accepting, a form that
    /// could not be read).
    error: Option<String>,
    /// The receipt code's form: its message.
    receipt_error: Option<String>,
}

/// A refused submission: which inspection it was for, what was typed and why.
struct Refused {
    inspection_id: String,
    typed: Typed,
    errors: FormErrors,
}

async fn intake_page(
    app: &AppState,
    refused: Option<Refused>,
    error: Option<String>,
    receipt_error: Option<String>,
    status: StatusCode,
) -> Response {
    let open = match app.services.public_inspections().await {
        Ok(v) => v,
        Err(e) => return public_error(&e),
    };
    let mut refused = refused;
    let cards = open
        .into_iter()
        .map(|p| {
            let id = p.inspection_id.to_string();
            let mine = refused.as_ref().is_some_and(|r| r.inspection_id == id);
            let (typed, errors) = match refused.take_if(|_| mine) {
                Some(r) => (r.typed, r.errors),
                None => (Typed::default(), FormErrors::none()),
            };
            let a = p.announcement;
            Card {
                id,
                team_name: p.team_name,
                units: p.units.join("、"),
                hotline: a.hotline,
                mailbox: a.mailbox,
                postal_box: a.postal_box,
                email: a.email,
                period: format!("{}至{}", cn_date(a.opens_on), cn_date(a.closes_on)),
                scope: a.scope,
                typed,
                errors,
            }
        })
        .collect();
    // A refusal for an inspection no longer listed still says why.
    let error = error.or_else(|| refused.and_then(|r| r.errors.general));
    let mut resp = render(
        status,
        &IntakePage {
            cards,
            error,
            receipt_error,
        },
    );
    mark_public(&mut resp);
    resp
}

async fn intake(State(app): State<AppState>) -> Response {
    intake_page(&app, None, None, None, StatusCode::OK).await
}

// ---------------------------------------------------------------------------------------------
// Submitting

fn typed_of(input: &PublicSubmissionInput) -> Typed {
    Typed {
        content: input.content.clone(),
        name: input.name.clone(),
        contact: input.contact.clone(),
        about_name: input.about_name.clone(),
        about_post: input.about_post.clone(),
    }
}

#[derive(Template)]
#[template(path = "public_letters_receipt.html")]
struct ReceiptPage {
    code: String,
    team_name: String,
}

async fn submit(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    // The brake comes first: nothing of a throttled request is read or stored.
    if let Err(r) = app.public_throttle.check(ip.as_deref()) {
        return throttled(&app, r).await;
    }
    let read = match mp {
        Ok(mut mp) => read_submission(&Staging::of(&app), &mut mp).await,
        Err(_) => Err(UploadError::Bad("请通过本页的表单提交".into())),
    };
    let (input, files) = match read {
        Ok(v) => v,
        Err(UploadError::TooLarge) => {
            let msg = format!(
                "附件超过 {} MB，未能提交；请压缩或拆分后重新提交",
                MAX_EVIDENCE_BYTES / 1024 / 1024
            );
            return intake_page(&app, None, Some(msg), None, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Err(UploadError::Bad(m)) => {
            return intake_page(&app, None, Some(m), None, StatusCode::BAD_REQUEST).await;
        }
        Err(UploadError::Failed(e)) => {
            let (status, m) = (status_of(&e), crate::error::public_message(&e));
            return intake_page(&app, None, Some(m), None, status).await;
        }
    };
    match app.services.submit_public_letter(&input, files).await {
        Ok(done) => {
            let page = ReceiptPage {
                code: done.receipt,
                team_name: done.team_name,
            };
            let mut resp = render(StatusCode::OK, &page);
            mark_public(&mut resp);
            resp
        }
        Err(CoreError::NotFound(_)) => {
            intake_page(
                &app,
                None,
                Some("该巡视组已不在受理期内，未能提交。请查看下方正在受理的巡视组。".into()),
                None,
                StatusCode::NOT_FOUND,
            )
            .await
        }
        Err(e @ (CoreError::BadInput(_) | CoreError::Unfit(_))) => {
            let refused = Refused {
                inspection_id: input.inspection_id.trim().to_owned(),
                typed: typed_of(&input),
                errors: FormErrors::from_error(&e),
            };
            intake_page(&app, Some(refused), None, None, StatusCode::BAD_REQUEST).await
        }
        Err(e) => public_error(&e),
    }
}

async fn throttled(app: &AppState, r: Rejection) -> Response {
    let mut resp = intake_page(
        app,
        None,
        Some(r.message.clone()),
        None,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
    if let Some(secs) = r.retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

// ---------------------------------------------------------------------------------------------
// Following up by receipt code

#[derive(serde::Deserialize)]
struct ReceiptForm {
    #[serde(default)]
    receipt: String,
}

#[derive(serde::Deserialize)]
struct AddForm {
    #[serde(default)]
    receipt: String,
    #[serde(default)]
    content: String,
}

struct NoteRow {
    from_writer: bool,
    body: String,
    at: String,
}

#[derive(Template)]
#[template(path = "public_letters_status.html")]
struct StatusPage {
    receipt: String,
    team_name: String,
    received_on: String,
    status: String,
    closed: bool,
    notes: Vec<NoteRow>,
    open: bool,
    added: bool,
    content: String,
    error: Option<String>,
}

/// What the writer is told of the letter, read by its receipt code.
struct Told {
    team_name: String,
    received_on: String,
    status: String,
    closed: bool,
    notes: Vec<NoteRow>,
    open: bool,
}

async fn told(app: &AppState, code: &str) -> Result<Told, CoreError> {
    let s = app.services.public_letter_status(code).await?;
    Ok(Told {
        team_name: s.team_name,
        received_on: cn_date(s.received_on),
        closed: s.status == LetterStatus::Closed,
        status: s.status_label,
        notes: s
            .notes
            .into_iter()
            .map(|n| NoteRow {
                from_writer: n.from_writer,
                body: n.body,
                at: local_time(n.at),
            })
            .collect(),
        open: s.open,
    })
}

fn status_page(
    receipt: &str,
    t: Told,
    added: bool,
    content: String,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let mut resp = render(
        status,
        &StatusPage {
            receipt: receipt.to_owned(),
            team_name: t.team_name,
            received_on: t.received_on,
            status: t.status,
            closed: t.closed,
            notes: t.notes,
            open: t.open,
            added,
            content,
            error,
        },
    );
    mark_public(&mut resp);
    resp
}

async fn status(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(f): Form<ReceiptForm>,
) -> Response {
    if let Err(r) = app.public_throttle.check(ip.as_deref()) {
        return throttled(&app, r).await;
    }
    if f.receipt.trim().is_empty() {
        return intake_page(
            &app,
            None,
            None,
            Some("请填写查询码".into()),
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    match told(&app, &f.receipt).await {
        Ok(t) => status_page(&f.receipt, t, false, String::new(), None, StatusCode::OK),
        Err(e) => public_error(&e),
    }
}

async fn add(
    State(app): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(f): Form<AddForm>,
) -> Response {
    if let Err(r) = app.public_throttle.check(ip.as_deref()) {
        return throttled(&app, r).await;
    }
    let added = app.services.public_letter_add(&f.receipt, &f.content).await;
    match added.map(|_| ()) {
        Ok(()) => match told(&app, &f.receipt).await {
            Ok(t) => status_page(&f.receipt, t, true, String::new(), None, StatusCode::OK),
            Err(e) => public_error(&e),
        },
        Err(e @ (CoreError::BadInput(_) | CoreError::Unfit(_) | CoreError::RuleRefused(_))) => {
            // Shown on the letter's page again, with what was typed.
            match told(&app, &f.receipt).await {
                Ok(t) => {
                    let msg = banner(&e);
                    status_page(&f.receipt, t, false, f.content, Some(msg), status_of(&e))
                }
                Err(e) => public_error(&e),
            }
        }
        Err(e) => public_error(&e),
    }
}

// ---------------------------------------------------------------------------------------------
// Answers

#[derive(Template)]
#[template(path = "public_letters_message.html")]
struct MessagePage<'a> {
    heading: &'a str,
    text: &'a str,
}

/// An error of the public pages, in neutral words: an unknown receipt code says no more than
/// that nothing was found.
fn public_error(e: &CoreError) -> Response {
    let (heading, text) = match e {
        CoreError::NotFound(_) => (
            "未找到",
            "没有找到与该查询码对应的反映件。请核对查询码后重新输入。",
        ),
        CoreError::BadInput(_) | CoreError::Unfit(_) => {
            ("输入有误", "请返回上一页，修改后重新提交。")
        }
        _ => ("暂时无法办理", "系统暂时无法处理您的请求，请稍后再试。"),
    };
    if let CoreError::Internal(detail) = e {
        tracing::error!(error = %detail, "internal error on the public intake");
    }
    let mut resp = render(status_of(e), &MessagePage { heading, text });
    mark_public(&mut resp);
    resp
}

/// The public pages are shown in no frame of another site and sent to no other site.
fn mark_public(resp: &mut Response) {
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
}
