//! The problem taxonomy, working papers, evidence files and immediate-fix notices.

use xunshi_core::store::PaperTx;

use super::DbTx;

impl PaperTx for DbTx {}
