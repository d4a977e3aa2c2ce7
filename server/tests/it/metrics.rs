//! `GET /metrics`: what a Prometheus scrape sees after real traffic.

use crate::common;

use std::time::Duration;

use common::access::*;
use common::alerting::*;
use common::*;
use loupe::synth::Rng;
use reqwest::StatusCode;

/// The value of the sample named exactly `series` (name and labels).
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines().find_map(|l| l.strip_prefix(series).and_then(|rest| rest.strip_prefix(' ')).and_then(|v| v.trim().parse().ok()))
}

#[tokio::test]
async fn metrics_count_spans_requests_and_deliveries() {
    let app = spawn_app().await;
    let hook = receiver(0).await;
    create_rule(&app, slow_tools(&hook.url, 0)).await;
    assert_eq!(app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    assert_eq!(app.post_otlp(b"not protobuf".to_vec(), "application/x-protobuf", None).await.status, StatusCode::BAD_REQUEST);
    send_tool_call(&app, &mut Rng::new(3), 2_500, false).await;
    hook.wait_for(1, Duration::from_secs(10)).await;
    settled_events(&app).await;
    let (_, spans) = app.stats().await;

    let m = app.get("/metrics").await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.headers["content-type"].to_str().unwrap().starts_with("application/openmetrics-text"));
    let text = m.text();
    assert_eq!(sample(&text, "loupe_spans_received_total"), Some(spans as f64), "{text}");
    assert_eq!(sample(&text, "loupe_spans_stored_total"), Some(spans as f64));
    assert_eq!(sample(&text, "loupe_otlp_requests_total{status=\"200\"}"), Some(2.0));
    assert_eq!(sample(&text, "loupe_otlp_requests_total{status=\"400\"}"), Some(1.0));
    assert!(sample(&text, "loupe_http_request_duration_seconds_count{area=\"ingest\"}").unwrap() >= 3.0);
    assert!(sample(&text, "loupe_http_request_duration_seconds_count{area=\"api\"}").unwrap() >= 1.0);
    assert_eq!(sample(&text, "loupe_alert_deliveries_total{outcome=\"delivered\"}"), Some(1.0));
    assert_eq!(sample(&text, "loupe_write_queue_spans"), Some(0.0));
    let pool = if on_postgres() { "postgres" } else { "read" };
    assert!(sample(&text, &format!("loupe_db_connections{{pool=\"{pool}\",state=\"open\"}}")).unwrap() >= 1.0);
    assert!(text.ends_with("# EOF\n"));
}

#[tokio::test]
async fn with_auth_metrics_need_an_api_key_and_count_refused_exports() {
    let app = spawn_auth_app(&[]).await;
    assert_eq!(app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::UNAUTHORIZED);
    let revoked = format!("loupe_{}", "0".repeat(64));
    assert_eq!(
        app.post_otlp_with(fixture("genai.pb"), "application/x-protobuf", ("x-api-key", &revoked)).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.get("/metrics").await.status, StatusCode::UNAUTHORIZED);
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let scraper = app.create_key(&admin, "prometheus", "api").await;
    let m = app.get_with("/metrics", ("authorization", &format!("Bearer {scraper}"))).await;
    assert_eq!(m.status, StatusCode::OK);
    assert_eq!(sample(&m.text(), "loupe_otlp_requests_total{status=\"401\"}"), Some(2.0), "without a key and with a bad one: {}", m.text());
    assert_eq!(sample(&m.text(), "loupe_spans_stored_total"), Some(0.0));
}
