//! A ledger file (整改台账) as the import service takes it: read by `xunshi_office` into rows
//! of named cells, then handed over in the core's words. The page, the API and the command
//! line (`xunshi ledger import`) all read a file through [`read_ledger_file`], so the same file
//! gives the same report whichever way it comes in.

use xunshi_core::CoreError;
use xunshi_core::service::{LedgerCell, LedgerImport, LedgerImportRow, SkippedLine};
use xunshi_office::{ImportField, ImportRow, read_ledger};

/// `dry_run` as a form or a multipart part gives it: `true` or `false`; absent, a preview,
/// so that nothing is written unless asked for.
pub fn parse_dry_run(raw: Option<&str>) -> Result<bool, CoreError> {
    match raw.map(str::trim) {
        None | Some("") | Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(other) => Err(CoreError::bad_input(
            "dry_run",
            format!("dry_run 应为 true 或 false，而不是“{other}”"),
        )),
    }
}

/// Reads a ledger file into the import's rows, with a note of the heading found and of the
/// columns read but not imported. A file that is not a ledger is refused naming `file` (422).
pub fn read_ledger_file(name: &str, bytes: &[u8]) -> Result<LedgerImport, CoreError> {
    if bytes.is_empty() {
        return Err(CoreError::unfit("file", "上传的文件是空的"));
    }
    let sheet = read_ledger(name, bytes).map_err(|e| CoreError::unfit("file", e.to_string()))?;
    let heading = if sheet.heading_lines.0 == sheet.heading_lines.1 {
        format!("第{}行", sheet.heading_lines.0)
    } else {
        format!("第{}–{}行", sheet.heading_lines.0, sheet.heading_lines.1)
    };
    let read: Vec<String> = sheet
        .columns
        .iter()
        .map(|(f, col, h)| format!("{}（{col}列“{h}”）", f.label()))
        .collect();
    let source = if sheet.sheet == "CSV" {
        "读取 CSV 文件".to_owned()
    } else {
        format!("读取工作表“{}”", sheet.sheet)
    };
    let mut notes = vec![format!(
        "{source}，表头在{heading}；识别的列：{}",
        read.join("、")
    )];
    // Progress is reported on each task with its evidence, not typed over from a ledger.
    let unused: Vec<String> = sheet
        .columns
        .iter()
        .filter(|(f, _, _)| matches!(f, ImportField::Progress | ImportField::Status))
        .map(|(f, col, _)| format!("{}（{col}列）", f.label()))
        .collect();
    if !unused.is_empty() {
        notes.push(format!(
            "{} 不导入：整改进展和状态请在任务中报告",
            unused.join("、")
        ));
    }
    // Cell text is stored as typed text is, so it keeps the same character rule.
    for r in &sheet.rows {
        for (_, c) in &r.cells {
            if let Some(m) = xunshi_core::text::problem(&c.text) {
                return Err(CoreError::unfit("file", format!("单元格 {}：{m}", c.cell)));
            }
        }
    }
    Ok(LedgerImport {
        file_name: name.to_owned(),
        rows: sheet.rows.iter().map(row).collect(),
        skipped: sheet
            .skipped
            .into_iter()
            .map(|s| SkippedLine {
                line: s.line,
                reason: s.reason,
            })
            .collect(),
        notes,
    })
}

fn row(r: &ImportRow) -> LedgerImportRow {
    let cell = |f| {
        r.get(f).map(|c| LedgerCell {
            cell: c.cell.clone(),
            text: c.text.clone(),
        })
    };
    LedgerImportRow {
        line: r.line,
        problem: cell(ImportField::Problem),
        measure: cell(ImportField::Measure),
        target: cell(ImportField::Target),
        standard: cell(ImportField::Standard),
        responsible_leader: cell(ImportField::Leader),
        lead_department: cell(ImportField::LeadDepartment),
        co_departments: cell(ImportField::CoDepartments),
        responsible_person: cell(ImportField::Person),
        deadline: cell(ImportField::Deadline),
        category: cell(ImportField::Category).or_else(|| {
            r.section.as_ref().map(|c| LedgerCell {
                cell: c.cell.clone(),
                text: c.text.clone(),
            })
        }),
    }
}
