//! In-process HTTP tests of the pages and the JSON API, grouped by concern in the modules below.

#[path = "http/teams.rs"]
mod teams;
