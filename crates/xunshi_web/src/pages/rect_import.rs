//! The import of a unit's existing ledger on the plan's page: upload → preview → confirm.
//! The preview is the service's dry run; the confirmation sends the same file again (a page
//! keeps no upload between requests), and is refused unless its SHA-256 is the previewed
//! file's, so what is written is what was shown.

use askama::Template;
use axum::Router;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::post;
use xunshi_core::paper::sha256_hex;
use xunshi_core::service::{LedgerImportReport, RowOutcome};
use xunshi_core::{CoreError, Id};

use super::{Frame, OrPage, PageResult, message_page, render};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::Path;
use crate::http::files::{UPLOAD_LIMIT, UploadError, read_upload_with};
use crate::http::ledger_import::{parse_dry_run, read_ledger_file};

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/rectification/plans/{id}/import",
        post(import).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)),
    )
}

struct RowView {
    line: u32,
    outcome: &'static str,
    class: &'static str,
    problem_text: String,
    matched: String,
    /// `相似度 82%` for a match by similarity, to be checked by the reader.
    similarity: String,
    measure: String,
    due: String,
    seq: String,
    changes: String,
    errors: Vec<String>,
}

#[derive(Template)]
#[template(path = "rect_import.html")]
struct ImportPage {
    frame: Frame,
    plan_id: String,
    file_name: String,
    sha256: String,
    dry_run: bool,
    created: usize,
    updated: usize,
    unchanged: usize,
    errors: usize,
    notes: Vec<String>,
    rows: Vec<RowView>,
    skipped: Vec<(u32, String)>,
    without: Vec<String>,
}

fn row_view(r: &xunshi_core::service::ImportRowReport) -> RowView {
    let class = match r.outcome {
        RowOutcome::Create => "green",
        RowOutcome::Update => "yellow",
        RowOutcome::Unchanged => "grey",
        RowOutcome::Error => "red",
    };
    RowView {
        line: r.line,
        outcome: r.outcome.label(),
        class,
        problem_text: r.problem_text.clone(),
        matched: r
            .matched
            .as_ref()
            .map(|m| format!("{} {}", m.number, m.title))
            .unwrap_or_else(|| "—".into()),
        similarity: r
            .matched
            .as_ref()
            .filter(|m| !m.exact)
            .map(|m| format!("相似度 {}%", m.score))
            .unwrap_or_default(),
        measure: r.measure.clone(),
        due: r.due.clone().unwrap_or_default(),
        seq: r.task_seq.clone().unwrap_or_default(),
        changes: r.changes.join("、"),
        errors: r.errors.clone(),
    }
}

async fn import(
    State(app): State<AppState>,
    user: PageUser,
    Path(id): Path<String>,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let actor = &user.actor;
    let id = Id::from_path(&id, "整改方案").or_page(actor)?;
    let read = match mp {
        Ok(mut mp) => read_upload_with(&mut mp, &["dry_run", "sha256"]).await,
        Err(_) => Err(UploadError::Bad("请通过页面上的表单上传文件".into())),
    };
    let (name, bytes, fields) = match read {
        Ok(r) => r,
        Err(UploadError::TooLarge) => {
            return Ok(message_page(
                StatusCode::PAYLOAD_TOO_LARGE,
                "文件过大",
                &format!(
                    "台账文件超过 {} MB，未上传",
                    xunshi_core::paper::MAX_EVIDENCE_BYTES / 1024 / 1024
                ),
                Some(actor),
            ));
        }
        Err(UploadError::Bad(m)) => return Err(CoreError::bad_input("file", m)).or_page(actor),
        Err(UploadError::Failed(e)) => return Err(e).or_page(actor),
    };
    let field = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
    let dry_run = parse_dry_run(field("dry_run")).or_page(actor)?;
    let sha256 = sha256_hex(&bytes);
    if !dry_run && field("sha256") != Some(sha256.as_str()) {
        return Err(CoreError::unfit(
            "file",
            "确认导入的文件与预览的文件不同，请重新上传并预览",
        ))
        .or_page(actor);
    }
    let file = read_ledger_file(&name, &bytes).or_page(actor)?;
    let report: LedgerImportReport = app
        .services
        .import_ledger(actor, id, &file, dry_run)
        .await
        .or_page(actor)?;
    let page = ImportPage {
        frame: Frame::new(&app, &user, "导入整改台账", "/rectification").await,
        plan_id: id.to_string(),
        file_name: report.file_name.clone(),
        sha256,
        dry_run: report.dry_run,
        created: report.created,
        updated: report.updated,
        unchanged: report.unchanged,
        errors: report.errors,
        notes: report.notes.clone(),
        rows: report.rows.iter().map(row_view).collect(),
        skipped: report
            .skipped
            .iter()
            .map(|s| (s.line, s.reason.clone()))
            .collect(),
        without: report.problems_without_rows.clone(),
    };
    Ok(render(StatusCode::OK, &page))
}
