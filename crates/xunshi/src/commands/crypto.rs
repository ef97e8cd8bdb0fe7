//! `xunshi crypto switch`: moves an installation to the configured suite.

use std::process::ExitCode;

use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_store::Db;

use crate::config::Config;

/// Refuses while a server seems to run: one began a background job within two upkeep
/// intervals (at least two minutes). A server left running would go on writing under the old
/// algorithms beside the switch. `force` is for servers known to be stopped.
pub async fn servers_stopped(db: &Db, config: &Config, force: bool) -> Result<(), String> {
    if force {
        return Ok(());
    }
    let window = (config.jobs.upkeep * 2).max(jiff::SignedDuration::from_mins(2));
    let since = jiff::Timestamp::now() - window;
    match db.run_begun_since(since).await.map_err(|e| e.to_string())? {
        None => Ok(()),
        Some((job, holder, at)) => Err(format!(
            "a server seems to be running: {holder} began the job “{job}” at {at}. Stop every \
             `xunshi serve` first and run this again in {} s, or pass --force if they are stopped",
            window.as_secs()
        )),
    }
}

pub async fn switch(services: &Services<Db>) -> Result<ExitCode, String> {
    let r = services
        .switch_crypto(&Actor::system())
        .await
        .map_err(|e| e.to_string())?;
    println!(
        "algorithms switched: {} -> {}",
        r.from.label(),
        r.to.label()
    );
    println!("  audit records hashed again: {}", r.records);
    println!("  sealed values sealed again: {}", r.sealed);
    println!("  evidence files named by the new hash: {}", r.files);
    match r.checkpoint {
        Some(name) => println!("  checkpoint {name} written"),
        None => println!("  no checkpoint written (none are configured)"),
    }
    Ok(ExitCode::SUCCESS)
}
