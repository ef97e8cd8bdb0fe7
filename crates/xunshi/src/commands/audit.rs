//! `xunshi audit verify`, `checkpoint` and `keygen`.

use std::path::Path;
use std::process::ExitCode;

use xunshi_core::anchor::Anchor;
use xunshi_core::permission::Actor;
use xunshi_core::service::{Services, VerifyOutcome};
use xunshi_store::{Db, FolderAnchor};

use crate::cli::VerifyArgs;
use crate::config::Config;

pub async fn verify(services: &Services<Db>) -> Result<ExitCode, String> {
    let checkpoints = services.anchor.is_some();
    match services
        .verify_audit(&Actor::system())
        .await
        .map_err(|e| e.to_string())?
    {
        VerifyOutcome::Whole { records } if checkpoints => {
            println!(
                "audit trail intact: {records} records, hash chain whole, every signed checkpoint held"
            );
            Ok(ExitCode::SUCCESS)
        }
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

/// The checkpoints `--checkpoints` names, trusted under `--public-key` or else under the
/// configured signing key's public half; none when the flag is absent.
pub fn named_checkpoints(
    config: &Config,
    args: &VerifyArgs,
) -> Result<Option<FolderAnchor>, String> {
    let Some(dir) = &args.checkpoints else {
        return Ok(None);
    };
    let key = match (&args.public_key, &config.anchor) {
        (Some(k), _) => k.clone(),
        (None, Some((_, folder))) => folder.key(),
        (None, None) => {
            return Err(
                "--checkpoints needs --public-key, or a configured audit_key_file to take it from"
                    .into(),
            );
        }
    };
    FolderAnchor::verifying(dir, &key)
        .map(Some)
        .map_err(|e| e.to_string())
}

pub async fn checkpoint(services: &Services<Db>) -> Result<ExitCode, String> {
    match services
        .write_audit_checkpoint(&Actor::system())
        .await
        .map_err(|e| e.to_string())?
    {
        Some(c) => {
            println!("checkpoint {} written", c.name);
            println!(
                "  record #{}  hash ({}) {}",
                c.checkpoint.seq,
                c.checkpoint.alg.label(),
                c.checkpoint.hash
            );
            println!("  at {}  key {}", c.checkpoint.at, c.key);
            println!("  signature {}", c.signature);
        }
        None => {
            println!("nothing new to pin: the newest checkpoint holds the trail's newest record")
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn keygen(out: &Path) -> Result<ExitCode, String> {
    let public = xunshi_store::anchor::generate_key(out).map_err(|e| e.to_string())?;
    println!("checkpoint signing key written to {}", out.display());
    println!("public key (give it to whoever verifies): {public}");
    println!(
        "set audit_key_file and audit_checkpoint_dir (or XUNSHI_AUDIT_KEY_FILE and \
         XUNSHI_AUDIT_CHECKPOINT_DIR) to use it; keep it away from the database and its backups"
    );
    Ok(ExitCode::SUCCESS)
}
