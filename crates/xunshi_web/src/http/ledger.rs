//! The ledger (整改台账) as an `.xlsx` workbook, for its page and for `GET /api/v1/tasks.xlsx`:
//! the rows the ledger shows the same person under the same filters, in the columns units keep
//! in Excel (domain.md §6).

use axum::response::Response;
use xunshi_core::CoreError;
use xunshi_core::deadline::Colour;
use xunshi_core::rectify::Due;
use xunshi_core::service::{LedgerExport, LedgerExportRow, LedgerTotals};
use xunshi_office::{
    Deadline, Fill, LedgerRow, LedgerSheet, OfficeError, chinese_date, ledger_xlsx,
};

use super::files::attachment;

fn deadline(d: Due) -> Deadline {
    match d {
        Due::Immediate { date } => Deadline::Immediate(date),
        Due::By { date } => Deadline::By(date),
        Due::LongTerm => Deadline::LongTerm,
    }
}

/// The fill of a deadline colour: the three colours of the ledger page. A task closed late is
/// done, so nothing warns of it; its status says 逾期完成.
fn fill(c: Colour) -> Fill {
    match c {
        Colour::Red => Fill::Red,
        Colour::Yellow => Fill::Yellow,
        Colour::Green => Fill::Green,
        Colour::ClosedLate => Fill::None,
    }
}

/// One row of an export in the workbook's columns (domain.md §6): for the whole workbook
/// below and for `xunshi ledger export`, which writes rows as they are read.
pub fn ledger_row(r: &LedgerExportRow) -> LedgerRow {
    let e = &r.entry;
    let t = &e.task;
    let progress = match &e.latest {
        Some(p) => format!("{}（已完成{}%）", p.text, t.progress),
        None if t.progress > 0 => format!("已完成{}%", t.progress),
        None => String::new(),
    };
    let status = match e.colour {
        Colour::Red => format!("{}（逾期）", e.status_label),
        Colour::ClosedLate => format!("{}（逾期完成）", e.status_label),
        _ => e.status_label.clone(),
    };
    LedgerRow {
        seq: t.seq.clone(),
        problem_key: format!("{}/{}", t.unit_id, t.problem_id),
        source: r.source.clone(),
        category: e.category_name.clone(),
        problem: e.problem_title.clone(),
        target: t.target.clone(),
        measure: t.measure.clone(),
        responsible_leader: t.responsible_leader.clone(),
        lead_department: t.lead_department.clone(),
        co_departments: t.co_departments.clone(),
        responsible_person: t.responsible_person.clone(),
        deadline: Some(deadline(t.due)),
        standard: t.standard.clone(),
        progress,
        status,
        evidence: r.evidence.clone(),
        fill: fill(e.colour),
        mechanisms: r.mechanisms.join("；"),
        accountability: r.accountability.join("；"),
    }
}

/// The subtitle of a ledger: as of which day.
pub fn ledger_subtitle(as_of: jiff::civil::Date) -> String {
    format!("截至{}", chinese_date(as_of))
}

/// The workbook of an export, in the columns of domain.md §6.
pub fn ledger_workbook(x: &LedgerExport) -> Result<Vec<u8>, OfficeError> {
    let rows = x.rows.iter().map(ledger_row).collect();
    ledger_xlsx(&LedgerSheet {
        title: x.title.clone(),
        subtitle: ledger_subtitle(x.as_of),
        rows,
        totals: LedgerTotals::of(&x.rows).text(),
    })
}

/// The ledger file's response, or the error page of a file that could not be made.
pub fn xlsx_response(x: &LedgerExport) -> Result<Response, CoreError> {
    let bytes = ledger_workbook(x).map_err(CoreError::internal)?;
    Ok(attachment(
        bytes,
        xunshi_office::XLSX_CONTENT_TYPE,
        &format!("{}（截至{}）", x.title, x.as_of),
        "xlsx",
    ))
}
