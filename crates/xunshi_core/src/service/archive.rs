//! 归档包: what the office hands to the archives once an inspection is archived. The pages and
//! the API lay the package out (`xunshi_web::http::archive`); this decides who may take it and
//! of which inspection, records that it was taken, and reads the audit extract it carries.

use serde_json::json;

use super::Services;
use super::planning::{load_inspection, require_planner};
use crate::access::{Access, require_access};
use crate::archive::may_take_package;
use crate::audit::{Action, AuditEntry, AuditRecord};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::inspection::{Inspection, Stage};
use crate::permission::Actor;
use crate::store::{ArchiveRead, Store};

/// An archived inspection whose package is being made, and the audit records of its records.
#[derive(Debug, Clone)]
pub struct ArchiveScope {
    pub inspection: Inspection,
    pub trail: Vec<AuditRecord>,
}

impl<S: Store> Services<S> {
    /// Opens the making of an archive package: only the office that runs the inspection (who
    /// archives it: the top office, or its committee's own), only of an archived inspection. The package is recorded as one read of the inspection before any
    /// of it is shown, in a write transaction of its own once the reading is done. The audit
    /// extract is the inspection's own records' trail, which the office is given here and
    /// nowhere else (the whole trail stays the administrator's).
    pub async fn archive_package_scope(&self, actor: &Actor, id: Id) -> Result<ArchiveScope> {
        require_planner(actor)?;
        let now = self.now();
        let (inspection, trail) = {
            let mut tx = self.store.read().await?;
            let inspection = load_inspection(&mut tx, id).await?;
            require_access(actor, &inspection, Access::Read)?;
            if inspection.stage != Stage::Archived {
                return Err(CoreError::RuleRefused(format!(
                    "{}的巡视任务尚未归档，归档后才能生成归档包",
                    inspection.team_name
                )));
            }
            if !may_take_package(actor, &inspection) {
                return Err(CoreError::Forbidden(
                    "归档包由组织该次巡视巡察的巡视巡察办下载".into(),
                ));
            }
            (inspection, tx.inspection_trail(id).await?)
        };
        // Recorded after the read, in a transaction of its own: reading never holds the writer.
        let entry = AuditEntry::new(
            Action::ArchivePackaged,
            "inspection",
            Some(id),
            json!({ "trail_records": trail.len() }),
        );
        self.record_shown(actor, now, entry).await?;
        Ok(ArchiveScope { inspection, trail })
    }
}
