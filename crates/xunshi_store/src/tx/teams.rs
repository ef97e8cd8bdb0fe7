//! The personnel pool of inspectors and the teams formed from it.

use xunshi_core::store::TeamTx;

use super::DbTx;

impl TeamTx for DbTx {}
