//! The web face of Xunshi: server-rendered pages in Chinese and the JSON API under `/api/v1`,
//! two views over the same core services.

pub mod api;
pub mod auth;
pub mod error;
pub mod http;
mod metrics;
mod ops;
pub mod pages;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use xunshi_core::service::Services;
use xunshi_store::Db;

pub use metrics::Metrics;

/// What the web layer needs to know about how it is deployed.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// The server itself terminates TLS: cookies are always Secure.
    pub tls: bool,
    /// A reverse proxy stands in front: believe its X-Forwarded-For and X-Forwarded-Proto.
    pub trust_proxy: bool,
    /// Largest JSON or form body accepted, in bytes.
    pub form_limit: usize,
    pub request_timeout: Duration,
    /// Log-in attempts a minute from one client address, counted by all instances together.
    pub login_per_address_per_minute: u32,
    /// Log-in attempts a minute in all, per instance.
    pub login_overall_per_minute: u32,
    /// Letters and follow-ups from the public a minute from one client address, per instance.
    pub public_per_address_per_minute: u32,
    /// Letters and follow-ups from the public a minute in all, per instance.
    pub public_overall_per_minute: u32,
    /// Where uploads are received in pieces before the services check and keep them
    /// (`xunshi_store::Stager`); best on the file system of the evidence folder.
    pub upload_dir: std::path::PathBuf,
    /// The office suite (LibreOffice's `soffice`) that makes the PDFs of an archive package's
    /// documents; none, and the package holds them as `.docx` only.
    pub office_suite: Option<std::path::PathBuf>,
    /// On a team's node (`xunshi serve --node`): what every page says of it on top, so that no
    /// one takes the node's data for the office's.
    pub node: Option<String>,
    /// The data folder's node files (`xunshi_store::NodeFolder`), where the team node's keys
    /// and bundles are handled through the pages and the API; none, and only the command line
    /// handles them.
    pub node_folder: Option<xunshi_store::NodeFolder>,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            tls: false,
            trust_proxy: false,
            form_limit: 256 * 1024,
            request_timeout: Duration::from_secs(30),
            login_per_address_per_minute: 10,
            login_overall_per_minute: 300,
            public_per_address_per_minute: 5,
            public_overall_per_minute: 120,
            upload_dir: std::env::temp_dir().join("xunshi-uploads"),
            office_suite: None,
            node: None,
            node_folder: None,
        }
    }
}

pub struct Inner {
    pub services: Services<Db>,
    pub db: Db,
    pub config: WebConfig,
    pub metrics: Metrics,
    /// This instance's overall brake on log-in attempts; each address's count and the
    /// lock-outs are in the database.
    pub login_throttle: http::throttle::Throttle,
    /// The brake on the public's letters and receipt-code look-ups; it keeps no address.
    pub public_throttle: http::throttle::Throttle,
}

/// Shared by every handler. Holds no state of its own beyond the process's metrics and its
/// log-in rate limit: sessions, lock-outs and data all live in the database, so any number of
/// instances can serve.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(services: Services<Db>, db: Db, config: WebConfig) -> Self {
        let login_throttle =
            http::throttle::Throttle::overall_only(config.login_overall_per_minute, "登录尝试");
        let public_throttle = http::throttle::Throttle::new(
            config.public_per_address_per_minute,
            config.public_overall_per_minute,
            "提交",
        )
        .anonymised(services.secrets.random_token());
        AppState(Arc::new(Inner {
            services,
            db,
            config,
            metrics: Metrics::new(),
            login_throttle,
            public_throttle,
        }))
    }
}

/// The whole application: pages, API, operations endpoints, with the shared layers.
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    let pages = pages::router(state.clone());
    let api = api::router(state.clone());
    Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .merge(ops::router())
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state.clone())
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            state.config.request_timeout,
        ))
        // Outside the timeout, so a request that ran out of time is answered in its face too;
        // the headers below go on every answer, those of errors included.
        .layer(axum::middleware::from_fn(edge_errors))
        .layer(http::headers::no_store())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(tower_http::compression::CompressionLayer::new())
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!("request", method = %req.method(), path = %req.uri().path(), request_id = %id)
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
}

/// The last word on errors: whatever answered with an error status without the body of its
/// face — a timeout, a layer, a route outside both routers — is answered as the API's error
/// body under `/api/` and as a Chinese page elsewhere. The routers' own error layers already
/// do this with more context (the page's navigation); this catches the rest.
async fn edge_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let path = req.uri().path();
    // The operators' endpoints answer in plain text for the machines that read them.
    if matches!(path, "/healthz" | "/readyz" | "/metrics") {
        return next.run(req).await;
    }
    let api = path.starts_with("/api/");
    let resp = next.run(req).await;
    if api {
        api::finish_error(resp)
    } else {
        pages::finish_error(resp, None)
    }
}
