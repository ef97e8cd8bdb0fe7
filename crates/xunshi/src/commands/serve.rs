//! `xunshi serve`: the web server, with graceful shutdown.

use std::path::PathBuf;
use std::process::ExitCode;

use xunshi_web::{AppState, WebConfig};

use super::{cipher, open, services};
use crate::config::{Config, redact_url};

pub async fn run(
    config: Config,
    demo: bool,
    node: Option<PathBuf>,
    node_key: Option<PathBuf>,
) -> Result<ExitCode, String> {
    let db = open(&config).await?;
    // A node's bundle brings its data keys: loaded before the cipher would make new ones.
    let mut node_banner = None;
    if let Some(bundle) = &node {
        let plain = services(db.clone(), &config);
        match super::node::prepare(&plain, &db, &config, bundle, node_key).await {
            Ok(banner) => {
                println!("{banner}");
                node_banner = Some(banner);
            }
            Err(e) => {
                db.close().await;
                return Err(e);
            }
        }
    }
    let cipher = cipher(&db, &config).await?;
    let services = services(db.clone(), &config).with_cipher(cipher);
    if demo {
        load_demo(&services, &db, &config).await?;
    }
    if let Some((username, password)) = services
        .bootstrap_admin()
        .await
        .map_err(|e| e.to_string())?
    {
        // Printed once on standard output, never through the log, and never stored in clear.
        // (Where standard output is collected, as under systemd, change it at once.)
        println!();
        println!("  首次启动：已创建系统管理员账号 / first start: administrator account created");
        println!("    用户名 username: {username}");
        println!("    一次性密码 one-time password: {password}");
        println!("  首次登录后须修改密码 / it must be changed at first log-in.");
        println!();
    }
    if config.anchor.is_none() {
        tracing::info!(
            "no audit checkpoints configured: the trail's hash chain is not anchored outside the database"
        );
    }
    let mailer = match &config.smtp {
        Some(smtp) => Some(crate::mail::SmtpMailer::new(smtp)?),
        None => {
            tracing::info!("no mail server configured: messages stay in the inbox only");
            None
        }
    };
    let services = with_search(services, &config);
    super::jobs::spawn(services.clone(), db.clone(), &config, mailer);
    // Uploads are received into the data folder, on the file system of the local evidence
    // folder; what a process killed mid-upload left there is swept away.
    let upload_dir = config.data_dir.join("uploads");
    xunshi_store::Stager::sweep(&upload_dir, std::time::Duration::from_secs(3600));
    let web = WebConfig {
        trust_proxy: config.trust_proxy,
        login_per_address_per_minute: config.login_attempts_per_minute,
        upload_dir,
        office_suite: config.office_suite.clone(),
        node: node_banner,
        node_folder: Some(super::node::folder(&config)),
        ..WebConfig::default()
    };
    let app = xunshi_web::router(AppState::new(services, db.clone(), web));
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", config.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!(
        %addr,
        database = %redact_url(&config.database_url),
        data_dir = %config.data_dir.display(),
        "xunshi is serving"
    );
    println!("Xunshi 已启动 / listening on http://{addr}");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
    .map_err(|e| format!("server error: {e}"))?;
    tracing::info!("requests in flight finished; closing the database");
    db.close().await;
    Ok(ExitCode::SUCCESS)
}

/// The services with this instance's full-text index, kept current from the audit trail for as
/// long as the server runs (built first where it is new). An index that cannot be opened —
/// another process holds it — leaves search off (503) and says so; nothing else depends on it.
fn with_search(
    services: xunshi_core::service::Services<xunshi_store::Db>,
    config: &Config,
) -> xunshi_core::service::Services<xunshi_store::Db> {
    let dir = super::search_dir(config);
    match xunshi_search::TantivyIndex::open(&dir) {
        Ok(index) => {
            let index: std::sync::Arc<dyn xunshi_core::search::SearchIndex> =
                std::sync::Arc::new(index);
            let services = services.with_search(index.clone());
            tokio::spawn(xunshi_search::follow(services.clone(), index));
            services
        }
        Err(e) => {
            tracing::error!(error = %e, dir = %dir.display(), "the search index cannot be opened: search is off");
            services
        }
    }
}

/// Loads the example scenario into an empty database; an existing organisation is left alone.
async fn load_demo(
    services: &xunshi_core::service::Services<xunshi_store::Db>,
    db: &xunshi_store::Db,
    config: &Config,
) -> Result<(), String> {
    if !crate::demo::is_empty(services)
        .await
        .map_err(|e| e.to_string())?
    {
        println!(
            "演示数据：数据库中已有组织机构，不再重复载入 / demo: the database is not empty, nothing loaded"
        );
        return Ok(());
    }
    println!("正在载入演示数据 / loading the demo scenario …");
    // The current round of the scenario is placed around today, so its clocks are live.
    let today = xunshi_core::service::today(services.now());
    let loaded = crate::demo::load(services, today)
        .await
        .map_err(|e| format!("loading the demo scenario failed: {e}"))?;
    println!();
    println!(
        "  演示账号（密码均为 {}）/ demo accounts (password {}):",
        crate::demo::DEMO_PASSWORD,
        crate::demo::DEMO_PASSWORD
    );
    for (username, name, role, _) in crate::demo::ACCOUNTS {
        println!("    {username:<14} {role:<16} {name}");
    }
    println!();
    // A real receipt code is shown once, to the writer alone; the demo prints its own so the
    // public page's look-up (/public/letters) can be tried.
    println!(
        "  网上举报查询码 / receipt code of the demo's anonymous letter: {}",
        loaded.receipt
    );
    println!(
        "    仅因这是演示数据才在此显示 / shown here only because this is a demo: a real code is shown once, to its writer"
    );
    println!();
    // The team on site goes with its node, as the office would send it: the keys and the
    // bundle wait in the data folder for a second, standalone server to be started from them.
    // The demo serves without them where they cannot be written (a folder left by an earlier
    // demo, say): the story is loaded and the office can pair the node on its page.
    match super::node::ship_demo_node(services, db, config, loaded.on_site).await {
        Ok((key, bundle)) => {
            println!("  离线节点 / the on-site team's node (第四巡视组), paired and exported:");
            println!(
                "    xunshi --data-dir <另一个空目录 / another empty folder> serve --node {} --node-key {} --listen 127.0.0.1:8081",
                bundle.display(),
                key.display()
            );
        }
        Err(e) => println!(
            "  离线节点未导出 / the on-site team's node was not exported: {e}（可在“离线节点”页配对导出 / pair and export it on the page 离线节点）"
        ),
    }
    println!();
    Ok(())
}

/// Resolves on SIGINT or SIGTERM. Axum then stops accepting and lets requests in flight finish.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutdown signal received");
}
