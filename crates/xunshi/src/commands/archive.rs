//! `xunshi archive package --inspection ID [--out FILE]`: the archive package (归档包) of an
//! archived inspection written to a file, the same zip the inspection page offers
//! (`xunshi_web::http::archive::archive_package`), with the documents' PDFs where an office
//! suite is configured; as the operator, like the ledger's export. Written into a hidden file
//! beside the target and renamed at the end, never over an existing file.

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
    if let Some(out) = out.as_deref()
        && out.exists()
    {
        let shown = for_terminal(&out.display().to_string()).into_owned();
        return Err(format!("{shown} 已存在，不会覆盖"));
    }
    let app = AppState::new(services, db, web);
    // Written file by file into a hidden file beside the target (the folder of `--out`, else
    // this one), never held in memory whole; the name is known once the package is made.
    let dir = match out.as_deref().and_then(std::path::Path::parent) {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let shown_dir = for_terminal(&dir.display().to_string()).into_owned();
    let part = tempfile::Builder::new()
        .prefix(".归档包-")
        .suffix(".part")
        .tempfile_in(&dir)
        .map_err(|e| format!("{shown_dir}: {e}"))?;
    let writer = std::io::BufWriter::new(part);
    let (writer, name) = archive_package(&app, &Actor::system(), id, writer)
        .await
        .map_err(|e| e.to_string())?;
    let part = writer
        .into_inner()
        .map_err(|e| format!("{shown_dir}: {}", e.error()))?;
    part.as_file()
        .sync_all()
        .map_err(|e| format!("{shown_dir}: {e}"))?;
    let size = part
        .as_file()
        .metadata()
        .map_err(|e| format!("{shown_dir}: {e}"))?
        .len();
    let out = out.unwrap_or_else(|| PathBuf::from(format!("{}.zip", safe_file_name(&name))));
    let shown = for_terminal(&out.display().to_string()).into_owned();
    // Never over an existing file: the rename refuses one, and the hidden file goes.
    part.persist_noclobber(&out).map_err(|e| {
        if e.error.kind() == std::io::ErrorKind::AlreadyExists {
            format!("{shown} 已存在，不会覆盖")
        } else {
            format!("{shown}: {}", e.error)
        }
    })?;
    println!("已写出归档包 {shown}（{size} 字节）");
    Ok(ExitCode::SUCCESS)
}
