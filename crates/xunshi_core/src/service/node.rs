//! The team node (离线节点): an inspection's on-site work carried to the team's standalone
//! machine. The bundle itself is the store's (`xunshi_store::node`); here is who may send
//! which inspection there, and the record that it went.

use serde_json::json;

use super::Services;
use super::planning::{load_inspection, require_planner};
use crate::access::{Access, require_access};
use crate::audit::{Action, AuditEntry};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::permission::{Actor, Permission};
use crate::store::Store;

/// Whether an inspection at `stage` has on-site work a team could do away from the network:
/// from the team's preparation to the report. Before, there is no team; after feedback the
/// work is the inspected unit's rectification, which runs on the network.
pub fn may_go_to_node(insp: &Inspection) -> Result<()> {
    match insp.stage {
        Stage::Preparation | Stage::OnSite | Stage::Reporting => Ok(()),
        other => Err(CoreError::RuleRefused(format!(
            "{}的巡视任务处于“{}”阶段：只有准备、进驻了解和报告阶段的工作能带到离线节点",
            insp.team_name,
            other.label()
        ))),
    }
}

impl<S: Store> Services<S> {
    /// The inspection, where the actor is the office that runs it and its work may go to a
    /// node ([`may_go_to_node`]): the one check before keys are made for a node and before
    /// each export.
    pub async fn node_inspection(&self, actor: &Actor, id: Id) -> Result<Inspection> {
        require_planner(actor)?;
        let inspection = {
            let mut tx = self.store.read().await?;
            load_inspection(&mut tx, id).await?
        };
        require_access(actor, &inspection, Access::Read)?;
        if !(actor.can(Permission::ManagePlanning)
            || actor.office_reach().runs(inspection.dispatcher_id))
        {
            return Err(CoreError::Forbidden(
                "离线节点数据包由组织该次巡视巡察的巡视巡察办导出".into(),
            ));
        }
        may_go_to_node(&inspection)?;
        Ok(inspection)
    }

    /// [`Services::node_inspection`], the export recorded as a read of everything the bundle
    /// holds (`pair` names the keys it is sealed with).
    pub async fn node_export_scope(&self, actor: &Actor, id: Id, pair: &str) -> Result<Inspection> {
        let now = self.now();
        let inspection = self.node_inspection(actor, id).await?;
        let entry = AuditEntry::new(
            Action::NodeExported,
            "inspection",
            Some(id),
            json!({ "pair": pair }),
        );
        self.record_shown(actor, now, entry).await?;
        Ok(inspection)
    }
}
