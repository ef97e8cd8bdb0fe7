//! The counts on the first page, each only for those who may see the list behind it.

use super::Services;
use crate::error::Result;
use crate::permission::{Actor, Permission};
use crate::store::{Store, Tx};

#[derive(Debug, Default, Clone)]
pub struct Overview {
    pub units: Option<i64>,
    pub users: Option<i64>,
    pub audit_records: Option<i64>,
}

impl<S: Store> Services<S> {
    pub async fn overview(&self, actor: &Actor) -> Result<Overview> {
        let mut tx = self.store.read().await?;
        let mut o = Overview::default();
        if actor.can(Permission::ViewUnits) {
            o.units = Some(
                tx.all_units()
                    .await?
                    .iter()
                    .filter(|u| !u.withdrawn)
                    .count() as i64,
            );
        }
        if actor.can(Permission::ViewUsers) {
            o.users = Some(tx.count_users().await?);
        }
        if actor.can(Permission::ViewAudit) {
            o.audit_records = Some(tx.audit_head().await?.0);
        }
        Ok(o)
    }
}
