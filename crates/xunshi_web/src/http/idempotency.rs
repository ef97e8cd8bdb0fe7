//! Idempotent submissions at the edge, the same for pages and the API.
//!
//! A page form that creates something carries a key made when the form was shown (the hidden
//! field `_idem`, from [`new_key`]); an API call may send one in `Idempotency-Key`. A request
//! with a key is tagged ([`SubmissionTag`]: the key, the method and path, a fresh nonce) and its
//! actor carries the tag into the services, whose write transaction records the key with the
//! record it creates. Around the handler:
//!
//! - before: if a request of this key (same account, same method and path) already made a
//!   record within a day, its answer is given again and the handler does not run;
//! - after: if this request made the record, its answer is noted for the repeats; if another
//!   request of the key made it (a double click that overtook this one), that request's answer
//!   is given instead of this one's refusal — never a second record, never a false conflict.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use xunshi_core::Id;
use xunshi_core::permission::{Actor, SubmissionTag};
use xunshi_core::store::SubmissionAnswer;

use crate::AppState;

/// The hidden field of a page form.
pub const FORM_FIELD: &str = "_idem";
/// The header of an API call.
pub const HEADER: &str = "idempotency-key";
/// The largest answer noted for repeats; a larger one is given again as its status alone.
const ANSWER_LIMIT: usize = 1 << 20;

/// A fresh key for a form about to be shown.
pub fn new_key() -> String {
    Id::new().to_string()
}

/// The tag of a request that carries `key` to `method path`, or `None` for a key that is not
/// one (1–100 of `A–Z a–z 0–9 - _ . :`).
pub fn tag(key: &str, method: &str, path: &str) -> Option<SubmissionTag> {
    SubmissionTag::valid_key(key).then(|| SubmissionTag {
        key: key.to_owned(),
        route: format!("{method} {path}"),
        nonce: Id::new().to_string(),
    })
}

/// The message of a key that is not one.
pub const BAD_KEY: &str = "幂等键无效：应为 1–100 个字母、数字或 - _ . : 字符";

/// The first answer of the actor's key, if a request of it already made a record. While that
/// request is still being answered, waits a little for its answer.
pub async fn earlier(app: &AppState, actor: &Actor) -> Option<Response> {
    let nonce = &actor.submission()?.nonce;
    for _ in 0..50 {
        match app.services.submission(actor).await {
            Ok(Some(s)) if &s.nonce != nonce => {
                if let Some(a) = s.answer {
                    return Some(replay(&a));
                }
            }
            Ok(_) => return None,
            Err(e) => {
                tracing::warn!(error = %e, "could not read an idempotency key");
                return None;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    None
}

/// After the handler: notes this request's answer if it made the record of its key, or gives
/// the first request's answer if another request of the key made it.
pub async fn settle(app: &AppState, actor: &Actor, resp: Response) -> Response {
    let Some(tag) = actor.submission() else {
        return resp;
    };
    // A repeat refused as a clash (409, 422) may have met the first request's record before
    // the writers' batch holding it was committed: look again for a moment before answering.
    let clash = matches!(
        resp.status(),
        StatusCode::CONFLICT | StatusCode::UNPROCESSABLE_ENTITY
    );
    let mut found = None;
    for attempt in 0..20 {
        match app.services.submission(actor).await {
            Ok(f) => found = f,
            Err(e) => {
                tracing::warn!(error = %e, "could not read an idempotency key");
                return resp;
            }
        }
        if found.is_some() || !clash || attempt == 19 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    match found {
        Some(s) if s.nonce == tag.nonce => {
            let (parts, body) = resp.into_parts();
            let Ok(bytes) = axum::body::to_bytes(body, ANSWER_LIMIT).await else {
                // Too large to keep (or unreadable): keep the status and where it pointed.
                let answer = answer_of(&parts, String::new());
                note(app, actor, &answer).await;
                return replay(&answer);
            };
            let answer = answer_of(&parts, String::from_utf8_lossy(&bytes).into_owned());
            note(app, actor, &answer).await;
            Response::from_parts(parts, Body::from(bytes))
        }
        Some(_) => earlier(app, actor).await.unwrap_or(resp),
        None => resp,
    }
}

async fn note(app: &AppState, actor: &Actor, answer: &SubmissionAnswer) {
    if let Err(e) = app.services.answer_submission(actor, answer).await {
        tracing::warn!(error = %e, "could not note the answer of an idempotency key");
    }
}

fn answer_of(parts: &axum::http::response::Parts, body: String) -> SubmissionAnswer {
    let text = |h: header::HeaderName| {
        parts
            .headers
            .get(h)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    SubmissionAnswer {
        status: parts.status.as_u16(),
        location: text(header::LOCATION),
        content_type: text(header::CONTENT_TYPE),
        body,
    }
}

/// The first answer, given again.
fn replay(a: &SubmissionAnswer) -> Response {
    let status = StatusCode::from_u16(a.status).unwrap_or(StatusCode::OK);
    let mut resp = (status, a.body.clone()).into_response();
    let headers = resp.headers_mut();
    headers.remove(header::CONTENT_TYPE);
    if let Some(ct) = a
        .content_type
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::CONTENT_TYPE, ct);
    }
    if let Some(l) = a
        .location
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert(header::LOCATION, l);
    }
    headers.insert("idempotent-replay", HeaderValue::from_static("true"));
    resp
}
