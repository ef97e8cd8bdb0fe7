//! Storage of inspection reports, their versions and approvals, and the feedback.

pub trait ReportTx: Send {}
