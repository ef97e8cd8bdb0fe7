//! In-process HTTP tests: the router is called without a socket, on a fresh SQLite database per
//! test, through the same pages and API a browser or a client would use.

#[path = "http/clues.rs"]
mod clues;
