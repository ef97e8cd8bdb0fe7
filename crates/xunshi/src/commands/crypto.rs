//! `xunshi crypto switch`: moves an installation to the configured suite.

use std::process::ExitCode;

use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_store::Db;

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
