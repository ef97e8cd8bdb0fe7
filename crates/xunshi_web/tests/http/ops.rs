//! The endpoints operators and load balancers use.

use axum::http::StatusCode;

use crate::helpers::{PASSWORD, TestApp};

#[tokio::test]
async fn liveness_and_readiness_answer_200() {
    let app = TestApp::spawn().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK, "{}", health.body);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status, StatusCode::OK, "{}", ready.body);
    assert_eq!(ready.body.trim(), "ready");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::spawn().await;
    app.db.close().await;
    let ready = app.get("/readyz").await;
    assert_eq!(
        ready.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{}",
        ready.body
    );
    // The process itself is still alive.
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn metrics_count_requests_by_route_pattern() {
    let app = TestApp::spawn().await;
    app.add_user("wangli", "王丽", "office", None).await;
    let unit = app.add_unit("自治区财政厅").await;
    let token = app.api_token("wangli", PASSWORD).await;
    app.get("/healthz").await;
    app.api_get(&format!("/api/v1/units/{}", unit.id), &token)
        .await;

    let resp = app.get("/metrics").await;
    assert_eq!(resp.status, StatusCode::OK);
    let text = resp.body;
    let line = |route: &str| {
        text.lines()
            .find(|l| l.starts_with("xunshi_http_requests_total{") && l.contains(route))
            .map(str::to_owned)
    };
    let health = line("route=\"/healthz\"")
        .unwrap_or_else(|| panic!("no request count for /healthz:\n{text}"));
    assert!(health.contains("status=\"200\""), "{health}");
    assert!(
        line("route=\"/api/v1/units/{id}\"").is_some(),
        "the unit request is not counted under its route pattern:\n{text}"
    );
    assert!(
        !text.contains(&unit.id.to_string()),
        "a raw id made its way into a label:\n{text}"
    );
}
