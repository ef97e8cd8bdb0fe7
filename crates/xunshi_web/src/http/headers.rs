//! Headers every answer carries.

use axum::http::{HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;

/// `Cache-Control: no-store` on every answer that does not say otherwise: pages and API
/// answers are personal (clues, working papers, letters, names), and a shared or back-button
/// cache must not keep them. Only the stylesheets and the pages' script say otherwise
/// (`public, max-age=3600`).
pub fn no_store() -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(
        header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    )
}
