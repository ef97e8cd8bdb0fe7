//! `xunshi ledger import FILE --plan PLAN [--dry-run] [--json]`: a unit's existing ledger into
//! its draft plan, through the same reader as the page and the API
//! (`xunshi_web::http::ledger_import`) and the same service, as the operator (who acts for
//! everyone, as when loading the demo). The report is the API's, as JSON or as lines.

use std::path::Path;
use std::process::ExitCode;

use xunshi_core::permission::Actor;
use xunshi_core::service::{LedgerImport, LedgerImportReport, RowOutcome, Services};
use xunshi_core::text::for_terminal;
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;
use xunshi_web::http::ledger_import::read_ledger_file;

/// The largest file read: as large as an upload through the pages may be.
const MAX_FILE_BYTES: u64 = xunshi_core::paper::MAX_EVIDENCE_BYTES as u64;

/// Reads the ledger file; a file too large or that is no ledger is refused with the reason.
pub fn read(path: &Path) -> Result<LedgerImport, String> {
    let shown = path.display().to_string();
    let size = std::fs::metadata(path)
        .map_err(|e| format!("{}: {e}", for_terminal(&shown)))?
        .len();
    if size > MAX_FILE_BYTES {
        return Err(format!(
            "{}: 文件超过 {} MB",
            for_terminal(&shown),
            MAX_FILE_BYTES / 1024 / 1024
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", for_terminal(&shown)))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if let Some(m) = xunshi_core::text::problem(&name) {
        return Err(format!("文件名{m}"));
    }
    read_ledger_file(&name, &bytes).map_err(|e| message(&e))
}

fn message(e: &CoreError) -> String {
    match e.fields() {
        Some(fields) => fields
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join("；"),
        None => e.to_string(),
    }
}

pub async fn import(
    services: &Services<Db>,
    plan: &str,
    ledger: &LedgerImport,
    dry_run: bool,
    json: bool,
) -> Result<ExitCode, String> {
    let plan: Id = plan
        .trim()
        .parse()
        .map_err(|_| format!("“{}”不是有效的整改方案编号", for_terminal(plan)))?;
    let report = services
        .import_ledger(&Actor::system(), plan, ledger, dry_run)
        .await
        .map_err(|e| message(&e))?;
    if json {
        let text = serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?;
        println!("{text}");
    } else {
        print_report(&report);
    }
    Ok(if report.errors > 0 {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn print_report(r: &LedgerImportReport) {
    for note in &r.notes {
        println!("{}", for_terminal(note));
    }
    for s in &r.skipped {
        println!("第{}行 跳过：{}", s.line, for_terminal(&s.reason));
    }
    for row in &r.rows {
        let seq = row.task_seq.as_deref().unwrap_or("—");
        let matched = match &row.matched {
            Some(m) if m.exact => format!("问题 {}", m.number),
            Some(m) => format!(
                "问题 {}（相似度 {}%：{}）",
                m.number,
                m.score,
                for_terminal(&m.title)
            ),
            None => "未匹配".to_owned(),
        };
        println!(
            "第{}行 {} {seq} {matched} {}{}",
            row.line,
            row.outcome.label(),
            for_terminal(&row.measure),
            if row.outcome == RowOutcome::Update {
                format!("（变更：{}）", row.changes.join("、"))
            } else {
                String::new()
            }
        );
        for e in &row.errors {
            println!("    {}", for_terminal(e));
        }
    }
    for p in &r.problems_without_rows {
        println!("无对应行的反馈问题：{}", for_terminal(p));
    }
    println!(
        "{}：新增 {}，更新 {}，无变化 {}，错误 {}",
        if r.dry_run {
            "预览（未写入）"
        } else {
            "已导入"
        },
        r.created,
        r.updated,
        r.unchanged,
        r.errors
    );
}
