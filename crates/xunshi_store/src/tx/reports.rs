//! Inspection reports, their versions and approvals, and the feedback.

use xunshi_core::store::ReportTx;

use super::DbTx;

impl ReportTx for DbTx {}
