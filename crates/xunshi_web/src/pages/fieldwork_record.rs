//! The page of a record of the other methods (a report heard, a forum, an appraisal, a visit):
//! what was done, its files with the form adding one, and the papers and clues citing it; and
//! the download of any fieldwork file, a letter's or a record's. The team's alone, as the
//! services decide.

use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use xunshi_core::Id;
use xunshi_core::fieldwork::SourceKind;

use super::fieldwork::{
    CiteRow, FileRow, NoticeQuery, Part, PartKind, RecordRow, citing_rows, file_rows, inspection,
    is_refusal_page, parse_id, parts, record_row, summary, team_head,
};
use super::work_tabs::WorkHead;
use super::{Frame, OrPage, PageResult, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::error::{banner, status_of};
use crate::http::files::{UPLOAD_LIMIT, fieldwork_file_response, page_upload};
use crate::http::{Path, Query};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/field-records/{id}", get(record))
        .route(
            "/field-records/{id}/files",
            axum::routing::post(upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
        )
        .route("/fieldwork/files/{id}", get(download))
}

#[derive(Template)]
#[template(path = "fieldwork_record.html")]
struct RecordPage {
    frame: Frame,
    head: WorkHead,
    parts: Vec<Part>,
    r: RecordRow,
    recorded: String,
    files: Vec<FileRow>,
    upload_action: String,
    upload_hint: &'static str,
    cited_by: Vec<CiteRow>,
}

async fn render_record(
    app: &AppState,
    user: &PageUser,
    id: Id,
    notice: Option<&str>,
    error: Option<String>,
    status: StatusCode,
) -> PageResult {
    let actor = &user.actor;
    let d = app
        .services
        .field_record_detail(actor, id)
        .await
        .or_page(actor)?;
    let (insp, _) = inspection(app, actor, d.record.inspection_id).await?;
    let mut frame = Frame::new(app, user, d.record.method.label(), "/inspections")
        .await
        .with_notice(notice);
    frame.error = error;
    let page = RecordPage {
        frame,
        head: team_head(actor, &insp),
        parts: parts(
            insp.id,
            summary(app, actor, insp.id).await.as_ref(),
            PartKind::Records,
        ),
        r: record_row(&d.record),
        recorded: local_time(d.record.created_at),
        files: file_rows(d.files),
        upload_action: format!("/field-records/{id}/files"),
        upload_hint: "会议记录、测评汇总表、问卷统计、照片等。",
        cited_by: citing_rows(&d.cited_by),
    };
    Ok(render(status, &page))
}

async fn record(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> PageResult {
    let id = parse_id(&id, "工作记录", &user.actor)?;
    render_record(&app, &user, id, q.notice.as_deref(), None, StatusCode::OK).await
}

async fn upload(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "工作记录", actor)?;
    let (name, bytes) = match page_upload(&app, mp).await {
        Ok(v) => v,
        Err((status, msg)) => return render_record(&app, &user, id, None, Some(msg), status).await,
    };
    match app
        .services
        .add_fieldwork_file(actor, SourceKind::FieldRecord, id, &name, bytes)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/field-records/{id}"), "uploaded")),
        Err(e) if is_refusal_page(&e) => Err(e).or_page(actor),
        Err(e) => render_record(&app, &user, id, None, Some(banner(&e)), status_of(&e)).await,
    }
}

/// A letter's or a record's file, always saved, never shown in the page; the download is
/// recorded.
async fn download(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
) -> PageResult {
    let actor = &user.actor;
    let id = parse_id(&id, "附件", actor)?;
    let (f, bytes) = app
        .services
        .fieldwork_file(actor, id)
        .await
        .or_page(actor)?;
    Ok(fieldwork_file_response(&f, bytes).into_response())
}
