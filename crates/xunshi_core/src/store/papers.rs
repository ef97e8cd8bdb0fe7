//! Storage of the problem taxonomy, working papers, evidence files and immediate-fix notices.

pub trait PaperTx: Send {}
