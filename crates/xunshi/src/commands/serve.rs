//! `xunshi serve`: the web server, with graceful shutdown.

use std::process::ExitCode;

use xunshi_web::{AppState, WebConfig};

use super::{open, services};
use crate::config::{Config, redact_url};

pub async fn run(config: Config) -> Result<ExitCode, String> {
    let db = open(&config).await?;
    // Evidence files live beside the database, content-addressed (see xunshi_store::LocalBlobs).
    let services = services(db.clone()).with_blobs(std::sync::Arc::new(
        xunshi_store::LocalBlobs::new(config.data_dir.join("blobs")),
    ));
    if let Some((username, password)) = services
        .bootstrap_admin()
        .await
        .map_err(|e| e.to_string())?
    {
        // Printed once, to the terminal only: it is never logged and never stored in clear.
        println!();
        println!("  首次启动：已创建系统管理员账号 / first start: administrator account created");
        println!("    用户名 username: {username}");
        println!("    一次性密码 one-time password: {password}");
        println!("  首次登录后须修改密码 / it must be changed at first log-in.");
        println!();
    }
    let web = WebConfig {
        trust_proxy: config.trust_proxy,
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
