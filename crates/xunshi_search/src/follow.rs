//! Keeping an index current: a full reindex from the tables, then the audit trail followed
//! from the index's watermark. The index's calls block on disk, so they run off the runtime.

use std::sync::Arc;
use std::time::Duration;

use xunshi_core::Result;
use xunshi_core::search::{DocKind, SearchDoc, SearchIndex, Watermark};
use xunshi_core::service::Services;
use xunshi_core::store::Store;

/// Audit records read per step of following the trail.
const CHANGES_PER_STEP: u32 = 1000;
/// Documents written per commit of a full reindex.
const DOCS_PER_COMMIT: u32 = 5000;
/// How often the trail is looked at: a change is searchable within about this long.
const FOLLOW_EVERY: Duration = Duration::from_millis(500);
/// The longest wait between tries while keeping the index current fails (the database down,
/// the disk full): the wait doubles from [`FOLLOW_EVERY`] up to this.
const RETRY_AT_MOST: Duration = Duration::from_secs(30);

/// How long to wait before the next try after `failures` failures in a row.
fn wait_after(failures: u32) -> Duration {
    FOLLOW_EVERY
        .saturating_mul(1 << failures.min(8))
        .min(RETRY_AT_MOST)
}

async fn apply(
    index: &Arc<dyn SearchIndex>,
    docs: Vec<SearchDoc>,
    gone: Vec<(DocKind, xunshi_core::Id)>,
    watermark: Option<Watermark>,
) -> Result<()> {
    let index = index.clone();
    tokio::task::spawn_blocking(move || index.apply(docs, &gone, watermark.as_ref()))
        .await
        .map_err(xunshi_core::CoreError::internal)?
}

/// Empties the index and fills it from every table, reporting `(documents written, of
/// how many)` as it goes. The index is current to the trail's head as it was when the
/// reindex began; what changed since is applied by [`follow`] (applying a change twice
/// leaves the same document).
pub async fn reindex<S: Store>(
    services: &Services<S>,
    index: &Arc<dyn SearchIndex>,
    mut progress: impl FnMut(u64, u64),
) -> Result<u64> {
    let head = services.search_head().await?;
    let mut total = 0u64;
    for kind in DocKind::ALL {
        total += u64::try_from(services.count_search_docs(kind).await?).unwrap_or(0);
    }
    {
        let index = index.clone();
        tokio::task::spawn_blocking(move || index.clear())
            .await
            .map_err(xunshi_core::CoreError::internal)??;
    }
    let mut done = 0u64;
    progress(done, total);
    for kind in DocKind::ALL {
        let mut after = None;
        loop {
            let docs = services
                .search_docs_after(kind, after, DOCS_PER_COMMIT)
                .await?;
            let Some(last) = docs.last() else { break };
            after = Some(last.id);
            done += docs.len() as u64;
            apply(index, docs, Vec::new(), None).await?;
            progress(done, total.max(done));
        }
    }
    apply(index, Vec::new(), Vec::new(), Some(head)).await?;
    Ok(done)
}

/// Brings the index up to the newest audit record; how many records were read. An index
/// never filled, left mid-rebuild or of another database is rebuilt first.
pub async fn catch_up<S: Store>(
    services: &Services<S>,
    index: &Arc<dyn SearchIndex>,
) -> Result<usize> {
    let mut head = services.search_head().await?;
    // An index ahead of the trail is of a later state of this database (one restored from a
    // backup since): it holds what is no longer there.
    if index.watermark()?.is_some_and(|w| w.seq > head.seq) {
        tracing::info!("the search index is ahead of the audit trail; rebuilding it");
        reindex(services, index, |_, _| {}).await?;
    }
    let mut read = 0;
    loop {
        let mark = match index.watermark()? {
            Some(w) if w.trail == head.trail => w,
            other => {
                if other.is_some() {
                    tracing::info!("the search index is of another database; rebuilding it");
                }
                reindex(services, index, |_, _| {}).await?;
                // The rebuild named the trail as it found it (the first record may have been
                // written since `head` was read).
                head = services.search_head().await?;
                continue;
            }
        };
        let batch = services.search_changes(mark.seq, CHANGES_PER_STEP).await?;
        if batch.records == 0 {
            return Ok(read);
        }
        read += batch.records;
        let next = Watermark {
            seq: batch.watermark,
            trail: head.trail.clone(),
        };
        apply(index, batch.docs, batch.gone, Some(next)).await?;
    }
}

/// Follows the audit trail into the index for as long as the server runs: a never-filled
/// index is built first, then every committed change is applied within about
/// [`FOLLOW_EVERY`]. While it fails it tries less and less often (up to every
/// [`RETRY_AT_MOST`]), warning on the first failure and then at each longer wait, and says so
/// when it works again.
pub async fn follow<S: Store>(services: Services<S>, index: Arc<dyn SearchIndex>) {
    let mut failures: u32 = 0;
    loop {
        tokio::time::sleep(if failures == 0 {
            FOLLOW_EVERY
        } else {
            wait_after(failures)
        })
        .await;
        match catch_up(&services, &index).await {
            Ok(_) if failures > 0 => {
                tracing::info!(failures, "the search index is current again");
                failures = 0;
            }
            Ok(_) => {}
            Err(e) => {
                failures = failures.saturating_add(1);
                if wait_after(failures) > wait_after(failures - 1) {
                    tracing::warn!(
                        error = %e,
                        failures,
                        retry_in_ms = u64::try_from(wait_after(failures).as_millis()).unwrap_or(u64::MAX),
                        "keeping the search index current failed; trying again later"
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_each_failure_up_to_its_bound() {
        assert_eq!(wait_after(1), Duration::from_secs(1));
        assert_eq!(wait_after(2), Duration::from_secs(2));
        assert_eq!(wait_after(5), Duration::from_secs(16));
        assert_eq!(wait_after(6), RETRY_AT_MOST);
        assert_eq!(wait_after(u32::MAX), RETRY_AT_MOST);
    }
}
