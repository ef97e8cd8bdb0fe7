//! `xunshi archive package --inspection ID [--out FILE]`: the archive package (归档包) of an
//! archived inspection written to a file, the same zip the inspection page offers
//! (`xunshi_web::http::archive::archive_package`), with the documents' PDFs where an office
//! suite is configured; as the operator, like the ledger's export. Written beside the target
//! and renamed at the end, never over an existing file.

use std::path::PathBuf;
use std::process::ExitCode;

use xunshi_core::Id;
use xunshi_core::permission::Actor;
use xunshi_core::service::Services;
use xunshi_core::text::for_terminal;
use xunshi_store::Db;
use xunshi_web::http::archive::archive_package;
use xunshi_web::http::files::safe_file_name;
use xunshi_web::{AppState, WebConfig};

use crate::config::Config;

pub async fn package(
    services: Services<Db>,
    db: Db,
    config: &Config,
    inspection: &str,
    out: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let id: Id = inspection
        .trim()
        .parse()
        .map_err(|_| format!("“{}”不是有效的巡视任务编号", for_terminal(inspection)))?;
    let web = WebConfig {
        office_suite: config.office_suite.clone(),
        ..WebConfig::default()
    };
    let app = AppState::new(services, db, web);
    let (bytes, name) = archive_package(&app, &Actor::system(), id)
        .await
        .map_err(|e| e.to_string())?;
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}.zip", safe_file_name(&name))));
    let shown = for_terminal(&out.display().to_string()).into_owned();
    if out.exists() {
        return Err(format!("{shown} 已存在，不会覆盖"));
    }
    let mut part = out.clone().into_os_string();
    part.push(".part");
    let part = PathBuf::from(part);
    std::fs::write(&part, &bytes).map_err(|e| format!("{shown}: {e}"))?;
    if let Err(e) = std::fs::rename(&part, &out) {
        let _ = std::fs::remove_file(&part);
        return Err(format!("{shown}: {e}"));
    }
    println!("已写出归档包 {shown}（{} 字节）", bytes.len());
    Ok(ExitCode::SUCCESS)
}
