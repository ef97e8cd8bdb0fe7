//! Names that pages put beside ids, each readable by whoever may see what holds the id — so
//! that no page needs to read them as the system.

use super::Services;
use super::planning::load_inspection;
use crate::access::{Access, require_access};
use crate::error::{CoreError, Result};
use crate::id::Id;
use crate::permission::Actor;
use crate::store::{ReadTx, Store};

/// The names of an inspection's dispatching committee and of the units it inspects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InspectionNames {
    pub dispatcher: String,
    /// In the order of the inspection's targets.
    pub targets: Vec<(Id, String)>,
}

impl<S: Store> Services<S> {
    /// The names of the units an inspection concerns, for whoever may see the inspection (the
    /// inspected unit too, once feedback is given: its feedback document names them).
    pub async fn inspection_names(
        &self,
        actor: &Actor,
        inspection_id: Id,
    ) -> Result<InspectionNames> {
        let mut tx = self.store.read().await?;
        let insp = load_inspection(&mut tx, inspection_id).await?;
        require_access(actor, &insp, Access::FeedbackOnly)?;
        let mut ids = insp.target_ids.clone();
        ids.push(insp.dispatcher_id);
        let names: std::collections::HashMap<Id, String> =
            tx.unit_names(&ids).await?.into_iter().collect();
        let name = |id: Id| {
            names.get(&id).cloned().ok_or_else(|| {
                CoreError::internal(format!("unit {id} of an inspection is missing"))
            })
        };
        Ok(InspectionNames {
            dispatcher: name(insp.dispatcher_id)?,
            targets: insp
                .target_ids
                .iter()
                .map(|id| Ok((*id, name(*id)?)))
                .collect::<Result<_>>()?,
        })
    }
}
