//! The administrator's view of the audit trail, with filters, the chain check and the
//! workbook of what the filters select. Records read in Chinese through
//! `Services::read_audit_page` and `Services::audit_export`, the same reading for the page
//! and the workbook.

use crate::http::Query;
use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use xunshi_core::anchor::Agreement;
use xunshi_core::audit::Action;
use xunshi_core::audit_text::{OBJECT_TYPES, SummaryLine};
use xunshi_core::page::SortedPage;
use xunshi_core::service::{AnchorStatus, ReadableRecord, VerifyOutcome};
use xunshi_core::store::AuditFilter;
use xunshi_office::{TableSheet, table_xlsx};

use super::pager::{Asked, Pager};
use super::{Frame, OrPage, PageResult, error_page, local_time, render, see_other};
use crate::AppState;
use crate::auth::PageUser;
use crate::http::files::attachment;
use crate::http::filters::AuditQuery;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/system/audit", get(list))
        .route("/system/audit/export", get(export))
        .route("/system/audit/anchor", get(anchor))
        .route("/system/audit/checkpoint", post(checkpoint))
}

#[derive(Deserialize, Default)]
struct Filters {
    #[serde(default)]
    actor: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    object_type: String,
    #[serde(default)]
    object_id: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    verify: Option<String>,
    notice: Option<String>,
}

struct Row {
    seq: i64,
    at: String,
    actor: String,
    ip: String,
    action: String,
    object_type: String,
    object_id: String,
    href: Option<String>,
    lines: Vec<SummaryLine>,
    /// Whether any line is a change, so the table has a column for the value before.
    changes: bool,
}

impl Row {
    fn of(r: ReadableRecord) -> Row {
        let changes = r.lines.iter().any(|l| l.before.is_some());
        Row {
            seq: r.record.seq,
            at: at_text(&r.record.at),
            actor: r.person,
            ip: r.record.ip.unwrap_or_default(),
            action: r.action,
            object_type: r.object_type,
            object_id: r.record.object_id.unwrap_or_default(),
            href: r.href,
            lines: r.lines,
            changes,
        }
    }
}

/// A record's time in Beijing time, or as stored if it cannot be read.
fn at_text(at: &str) -> String {
    at.parse::<jiff::Timestamp>()
        .map(local_time)
        .unwrap_or_else(|_| at.to_owned())
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    frame: Frame,
    q: Filters,
    actions: Vec<(&'static str, &'static str)>,
    object_types: &'static [(&'static str, &'static str)],
    rows: Vec<Row>,
    total: i64,
    pages: Pager,
    query_string: String,
    verification: Option<(bool, String)>,
    error: Option<String>,
}

/// The filters of the page read by the same parser as `GET /api/v1/audit`.
fn audit_filter(q: &Filters) -> xunshi_core::Result<AuditFilter> {
    AuditQuery {
        actor: Some(q.actor.clone()),
        action: Some(q.action.clone()),
        object_type: Some(q.object_type.clone()),
        object_id: Some(q.object_id.clone()),
        from: Some(q.from.clone()),
        to: Some(q.to.clone()),
        ..Default::default()
    }
    .filter()
}

/// The trail under the filters, sorted and paged by the parser of `GET /api/v1/audit`.
async fn list(
    State(app): State<AppState>,
    user: PageUser,
    Query(q): Query<Filters>,
    Query(aq): Query<AuditQuery>,
) -> PageResult {
    let actor = &user.actor;
    // A filter that cannot be read lists nothing rather than everything.
    let asked = Asked::read(aq.filter().and_then(|f| Ok((f, aq.sorted()?))), actor)?;
    let records = match &asked.filter {
        Some(f) => app
            .services
            .read_audit_page(actor, f, asked.sort, asked.at.as_ref(), asked.limit)
            .await
            .or_page(actor)?,
        None => SortedPage::empty(),
    };
    let verification = if q.verify.is_some() {
        match app.services.verify_audit(actor).await.or_page(actor)? {
            VerifyOutcome::Whole { records } => Some((
                true,
                format!("校验通过：审计日志共 {records} 条，哈希链完整，无篡改、删除或调序。"),
            )),
            VerifyOutcome::Broken(fault) => Some((false, format!("校验未通过：{fault}"))),
        }
    } else {
        None
    };
    let query_string = aq.query();
    let pages = Pager::of("/system/audit", &query_string, &asked, &records, aq.page);
    let page = AuditPage {
        frame: Frame::new(&app, &user, "审计日志", "/system/audit")
            .await
            .with_notice(q.notice.as_deref()),
        actions: Action::ALL
            .iter()
            .map(|a| (a.as_str(), a.label()))
            .collect(),
        object_types: OBJECT_TYPES,
        rows: records.items.into_iter().map(Row::of).collect(),
        total: records.total,
        pages,
        query_string,
        verification,
        error: asked.refused.as_ref().map(ToString::to_string),
        q,
    };
    Ok(render(super::list_status(&asked.refused), &page))
}

#[derive(Deserialize, Default)]
struct AnchorParams {
    notice: Option<String>,
}

#[derive(Template)]
#[template(path = "audit_anchor.html")]
struct AnchorPage {
    frame: Frame,
    /// `None`: no checkpoints are configured.
    status: Option<AnchorStatus>,
    /// The newest checkpoint's time in Beijing time.
    latest_at: String,
    /// Whether the chain holds the newest checkpoint, and what to say of it.
    agreement: Option<(bool, &'static str)>,
    /// A checkpoint that does not verify: forged, of another key, or damaged.
    problem: Option<String>,
}

/// The audit trail's anchoring (审计锚定): the newest signed checkpoint kept outside the
/// database, whether the trail still holds what it pinned, and a button to pin the newest
/// record now — the page an administrator prints for filing.
async fn anchor(
    State(app): State<AppState>,
    user: PageUser,
    Query(p): Query<AnchorParams>,
) -> PageResult {
    let actor = &user.actor;
    let (status, problem) = match app.services.audit_anchor_status(actor).await {
        Ok(s) => (s, None),
        // A checkpoint that does not verify is a finding to show, not a failure of the page.
        Err(xunshi_core::CoreError::Conflict(why)) => (None, Some(why)),
        Err(e) => return Err(e).or_page(actor),
    };
    let latest = status.as_ref().and_then(|s| s.latest.as_ref());
    let page = AnchorPage {
        frame: Frame::new(&app, &user, "审计锚定", "/system/audit")
            .await
            .with_notice(p.notice.as_deref()),
        latest_at: latest
            .map(|l| at_text(&l.checkpoint.at))
            .unwrap_or_default(),
        agreement: status
            .as_ref()
            .and_then(|s| s.agreement.as_ref())
            .map(|a| (*a == Agreement::Holds, a.label())),
        problem,
        status,
    };
    Ok(render(axum::http::StatusCode::OK, &page))
}

/// Pins the trail's newest record now.
async fn checkpoint(State(app): State<AppState>, user: PageUser) -> PageResult {
    let actor = &user.actor;
    let written = app
        .services
        .write_audit_checkpoint(actor)
        .await
        .or_page(actor)?;
    Ok(see_other(
        "/system/audit/anchor",
        if written.is_some() {
            "checkpoint_written"
        } else {
            "checkpoint_unchanged"
        },
    ))
}

/// The records the filters select as a workbook, newest first: what the page lists, every
/// page of it, up to the export's cap.
async fn export(State(app): State<AppState>, user: PageUser, Query(q): Query<Filters>) -> Response {
    let actor = &user.actor;
    let result = async {
        let f = audit_filter(&q)?;
        let records = app.services.audit_export(actor, &f).await?;
        let today = xunshi_core::service::today(app.services.now());
        let sheet = TableSheet {
            sheet_name: "审计日志".into(),
            title: "审计日志".into(),
            subtitle: format!(
                "共 {} 条　导出时间 {}",
                records.len(),
                xunshi_office::chinese_date(today)
            ),
            columns: [
                ("序号", 8.0),
                ("时间", 18.0),
                ("操作人", 20.0),
                ("来源地址", 14.0),
                ("操作", 18.0),
                ("对象类型", 14.0),
                ("对象编号", 38.0),
                ("内容", 60.0),
            ]
            .iter()
            .map(|(n, w)| ((*n).to_owned(), *w))
            .collect(),
            rows: records.into_iter().map(sheet_row).collect(),
        };
        let bytes = table_xlsx(&sheet).map_err(xunshi_core::CoreError::internal)?;
        Ok::<_, xunshi_core::CoreError>(attachment(
            bytes,
            xunshi_office::XLSX_CONTENT_TYPE,
            &format!("审计日志（{today}导出）"),
            "xlsx",
        ))
    }
    .await;
    result.unwrap_or_else(|e| error_page(&e, Some(actor)))
}

/// One record as a row of the workbook; its summary as one line per field, a change as
/// "修改前 → 修改后".
fn sheet_row(r: ReadableRecord) -> Vec<String> {
    let content = r
        .lines
        .iter()
        .map(|l| match &l.before {
            Some(b) => format!(
                "{}：{} → {}",
                l.field,
                if b.is_empty() { "无" } else { b },
                l.value
            ),
            None => format!("{}：{}", l.field, l.value),
        })
        .collect::<Vec<_>>()
        .join("\n");
    vec![
        r.record.seq.to_string(),
        at_text(&r.record.at),
        r.person,
        r.record.ip.unwrap_or_default(),
        r.action,
        r.object_type,
        r.record.object_id.unwrap_or_default(),
        content,
    ]
}
