//! In-process HTTP tests of the pages and the JSON API: each test builds the whole router over a
//! fresh SQLite database in a temporary folder and talks to it as a browser or an API client
//! would, then checks what a person would notice — the status, the page, the stored data.
//!
//! One test binary for the crate (see matklad, "Delete Cargo Integration Tests"); the cases are
//! grouped by concern in the modules below, the shared helpers in `http/helpers.rs`.

#[path = "http/api.rs"]
mod api;
#[path = "http/audit.rs"]
mod audit;
#[path = "http/clues.rs"]
mod clues;
#[path = "http/csrf.rs"]
mod csrf;
#[path = "http/disclosure.rs"]
mod disclosure;
#[path = "http/edge.rs"]
mod edge;
#[path = "http/fieldwork.rs"]
mod fieldwork;
#[path = "http/filings.rs"]
mod filings;
#[path = "http/helpers.rs"]
mod helpers;
#[path = "http/inspections.rs"]
mod inspections;
#[path = "http/intake.rs"]
mod intake;
#[path = "http/leadership.rs"]
mod leadership;
#[path = "http/ledger_import.rs"]
mod ledger_import;
#[path = "http/letters.rs"]
mod letters;
#[path = "http/levels.rs"]
mod levels;
#[path = "http/login.rs"]
mod login;
#[path = "http/messages.rs"]
mod messages;
#[path = "http/node.rs"]
mod node;
#[path = "http/ops.rs"]
mod ops;
#[path = "http/papers.rs"]
mod papers;
#[path = "http/parse.rs"]
mod parse;
#[path = "http/patterns.rs"]
mod patterns;
#[path = "http/permissions.rs"]
mod permissions;
#[path = "http/rectify.rs"]
mod rectify;
#[path = "http/retention.rs"]
mod retention;
#[path = "http/search.rs"]
mod search;
#[path = "http/submissions.rs"]
mod submissions;
#[path = "http/supervision.rs"]
mod supervision;
#[path = "http/teams.rs"]
mod teams;
#[path = "http/two_factor.rs"]
mod two_factor;
#[path = "http/units.rs"]
mod units;
