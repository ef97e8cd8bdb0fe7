//! In-process HTTP tests of the pages and the API, role by role. One test binary; each area
//! has its module under `tests/http/`.

#[path = "http/papers.rs"]
mod papers;
