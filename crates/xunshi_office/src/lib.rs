//! The files people already use, made from plain values: the rectification ledger (整改台账) as
//! an `.xlsx` workbook that Excel, WPS and LibreOffice open, and official documents (公文) as
//! `.docx` in the essentials of GB/T 9704-2012.
//!
//! Everything here is a pure function from a plain struct to bytes. The crate knows nothing of
//! the domain's rules or of who may see what: the caller has already decided what goes in, so
//! a row or a paragraph that must not leave the system never reaches this crate.

mod document;
mod ledger;
mod ledger_import;
mod package;
mod table;

pub use document::{
    Annex, Block, DocTable, OfficialDoc, chinese_date, official_docx, parse_blocks,
};
pub use ledger::{
    Deadline, Fill, LedgerColumns, LedgerCsvWriter, LedgerRow, LedgerSheet, LedgerWriter,
    ledger_xlsx,
};
pub use ledger_import::{
    ImportCell, ImportError, ImportField, ImportRow, ImportSheet, MAX_ROWS, SkippedRow,
    column_letter, read_ledger, serial_date,
};
pub use package::{CATALOGUE, MANIFEST, PackageWriter};
pub use table::{TableSheet, table_csv, table_xlsx};

/// A file could not be produced. The inputs are plain text and dates, so this means a limit
/// of the format was reached (a sheet of more than a million rows, a date before 1900).
#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("the spreadsheet could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("the document could not be written: {0}")]
    Docx(String),
    #[error("the package could not be written: {0}")]
    Package(String),
}

/// The MIME type of an `.xlsx` workbook.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// The MIME type of a `.zip` package.
pub const ZIP_CONTENT_TYPE: &str = "application/zip";

/// The MIME type of a `.docx` document.
pub const DOCX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
