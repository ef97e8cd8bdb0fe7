//! `xunshi audit verify`.

use std::process::ExitCode;

use xunshi_core::permission::Actor;
use xunshi_core::service::{Services, VerifyOutcome};
use xunshi_store::Db;

pub async fn verify(services: &Services<Db>) -> Result<ExitCode, String> {
    match services
        .verify_audit(&Actor::system())
        .await
        .map_err(|e| e.to_string())?
    {
        VerifyOutcome::Whole { records } => {
            println!("audit trail intact: {records} records, hash chain whole");
            Ok(ExitCode::SUCCESS)
        }
        VerifyOutcome::Broken(fault) => {
            println!("audit trail BROKEN: {fault}");
            Ok(ExitCode::from(2))
        }
    }
}
