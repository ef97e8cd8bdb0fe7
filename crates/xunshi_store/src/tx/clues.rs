//! Clues, their transfers and their disposal.

use xunshi_core::store::ClueTx;

use super::DbTx;

impl ClueTx for DbTx {}
