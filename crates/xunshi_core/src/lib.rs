//! The domain of Xunshi: types, rules, permissions, audit actions, the storage traits and the
//! use-case services.
//!
//! This crate performs no I/O and knows no web framework or database. Every state change is a
//! method of [`service::Services`], which takes the acting user first, checks permission itself,
//! and writes the change together with its audit record through one write transaction ([`store::WriteTx`]).

pub mod access;
pub mod anchor;
pub mod archive;
pub mod audit;
pub mod audit_text;
pub mod calendar;
pub mod clue;
pub mod crypto;
pub mod dashboard;
pub mod deadline;
pub mod directory;
pub mod disclosure;
pub mod due_text;
pub mod error;
pub mod feedback;
pub mod feedback_text;
pub mod fieldwork;
pub mod filing;
pub mod id;
pub mod inspection;
pub mod leadership;
pub mod message;
pub mod org;
pub mod own_unit;
pub mod page;
pub mod paper;
pub mod patterns;
pub mod permission;
pub mod personnel;
pub mod rectify;
pub mod report;
pub mod retention;
pub mod role;
pub mod search;
pub mod service;
pub mod sign_on;
pub mod store;
pub mod supervision;
pub mod taxonomy;
pub mod text;
pub mod totp;
pub mod upload;
pub mod user;

pub use error::{CoreError, Result};
pub use id::Id;
