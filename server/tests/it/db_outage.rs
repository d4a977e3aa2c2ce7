//! The database goes away under a running Loupe and comes back: while it is
//! gone, exports get 503 with a retry hint (so exporters keep their spans and
//! retry), the API 503 and pages a clear message; once it is back, Loupe carries
//! on by itself, with everything stored before intact. PostgreSQL only: an
//! embedded SQLite file cannot become unreachable this way.

use crate::common;

use std::time::Duration;

use common::proxy::Proxy;
use common::*;
use reqwest::StatusCode;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn loupe_answers_503_while_postgres_is_gone_and_recovers_by_itself() {
    if !on_postgres() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let TestDb::Postgres { url, schema } = TestDb::fresh(dir.path()).await else { unreachable!() };
    let real = url::Url::parse(&url).unwrap();
    let proxy = Proxy::start(format!("{}:{}", real.host_str().unwrap(), real.port().unwrap_or(5432))).await;
    let mut through = real.clone();
    through.set_port(Some(proxy.port)).unwrap();
    let app = spawn_app_on(dir, TestDb::Postgres { url: through.to_string(), schema }, &[]).await;

    let first = app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await;
    assert_eq!(first.status, StatusCode::OK);

    proxy.down();
    let refused = app.post_otlp(fixture("openllmetry.pb"), "application/x-protobuf", None).await;
    assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE, "{}", refused.text());
    assert!(refused.headers.contains_key("retry-after"));
    let api = app.get("/api/traces").await;
    assert_eq!(api.status, StatusCode::SERVICE_UNAVAILABLE, "{}", api.text());
    assert!(api.text().contains("database is unavailable"), "{}", api.text());
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.text().contains("cannot reach its database"), "the page says what is wrong");

    proxy.up();
    let mut stored = None;
    for _ in 0..40 {
        let retry = app.post_otlp(fixture("openllmetry.pb"), "application/x-protobuf", None).await;
        if retry.status == StatusCode::OK {
            stored = Some(retry);
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(stored.is_some(), "ingest recovers once the database is back");
    assert_eq!(app.get("/api/traces").await.json()["traces"].as_array().unwrap().len(), 2, "the earlier trace is intact");
    assert_eq!(app.get("/").await.status, StatusCode::OK);
}
