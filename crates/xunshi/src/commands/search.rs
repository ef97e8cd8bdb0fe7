//! `xunshi search reindex`: the full-text index built anew from the database.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use xunshi_core::search::SearchIndex;
use xunshi_core::service::Services;
use xunshi_store::Db;

use crate::config::Config;

pub async fn reindex(
    services: &Services<Db>,
    config: &Config,
    quiet: bool,
) -> Result<ExitCode, String> {
    let dir = super::search_dir(config);
    let index: Arc<dyn SearchIndex> =
        Arc::new(xunshi_search::TantivyIndex::open(&dir).map_err(|e| e.to_string())?);
    let bar = if quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("reindex [{elapsed_precise}] {wide_bar} {pos}/{len} ({eta})")
            .map_err(|e| e.to_string())?,
    );
    let started = Instant::now();
    let written = xunshi_search::reindex(services, &index, |done, total| {
        bar.set_length(total);
        bar.set_position(done);
    })
    .await
    .map_err(|e| e.to_string())?;
    bar.finish_and_clear();
    println!(
        "检索索引已重建 / search index rebuilt: {written} records in {:.1} s ({})",
        started.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
