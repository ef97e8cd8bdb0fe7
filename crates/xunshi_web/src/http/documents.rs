//! Which documents an address speaks of. A report and a notice are both rectification
//! documents, but `/rectification-reports/{id}` (page: `/rectification/reports/{id}`) names only
//! reports and `/public-notices/{id}` (page: `/rectification/notices/{id}`) only notices: a
//! notice's id under the reports' address names nothing (404), on the page and in the API alike.

use xunshi_core::service::{DocumentDetail, Services};
use xunshi_core::{CoreError, Id};
use xunshi_store::Db;

/// The two collections of rectification documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocCollection {
    /// 整改情况报告 and 主要负责人组织落实整改情况的报告.
    Reports,
    /// 巡视整改进展情况通报.
    Notices,
}

impl DocCollection {
    pub fn what(self) -> &'static str {
        match self {
            DocCollection::Reports => "整改报告",
            DocCollection::Notices => "整改进展通报",
        }
    }
}

/// The document `id` if the actor may read it and it belongs to `collection`; otherwise it is
/// not there.
pub async fn of_collection(
    services: &Services<Db>,
    actor: &xunshi_core::permission::Actor,
    id: Id,
    collection: DocCollection,
) -> Result<DocumentDetail, CoreError> {
    let d = services.rect_document(actor, id).await?;
    let is_report = d.entry.document.kind.is_report();
    if is_report != (collection == DocCollection::Reports) {
        return Err(CoreError::NotFound(collection.what().into()));
    }
    Ok(d)
}
