//! What the pages and the API share at the edge, so that neither imports the other and both
//! answer the same input the same way:
//!
//! - [`extract`]: the extractors — [`Form`], [`FormPairs`], [`Query`], [`Json`], [`Path`] —
//!   which read strictly (valid percent-encoding, valid UTF-8, the character rule of
//!   `xunshi_core::text` on every string) and refuse with a [`Rejection`];
//! - [`filters`]: one strict parser per list filter, used by the list's page and its API;
//! - [`files`] and [`ledger`]: uploads read and files answered, the ledger's workbook;
//! - [`ledger_import`]: a unit's ledger file read for the import, by the page, the API and the CLI;
//! - [`docx`]: the feedback, the rectification plan and the transfer letter as `.docx`;
//! - [`next`]: where a log-in may send the browser afterwards;
//! - [`patterns`]: a round's clusters of recurring problems as a workbook;
//! - [`throttle`]: the per-instance rate limit of log-in attempts;
//! - [`headers`]: `Cache-Control: no-store` on everything personal;
//! - [`idempotency`]: a repeated submission (same key) gets the first answer, never a second record;
//! - [`todo`]: the page where each item of the to-do is done.
//!
//! A [`Rejection`] answers as the API's error body; the pages' error layer shows it as a page.

pub mod archive;
pub mod decode;
pub mod docx;
pub mod extract;
pub mod files;
pub mod filters;
pub mod headers;
pub mod idempotency;
pub mod intake;
pub mod ledger;
pub mod ledger_import;
pub mod next;
pub mod node;
pub mod patterns;
pub mod pdf;
mod rejection;
pub mod throttle;
pub mod todo;

pub use decode::{VERSION_INVALID, VERSION_MISSING, require_version};
pub use extract::{Form, FormPairs, Json, Path, Query};
pub use rejection::{Rejection, carry_headers};

/// Parses an id taken from the path; an id that cannot exist names nothing (404).
pub fn path_id(raw: &str, what: &str) -> Result<xunshi_core::Id, xunshi_core::CoreError> {
    xunshi_core::Id::from_path(raw, what)
}
