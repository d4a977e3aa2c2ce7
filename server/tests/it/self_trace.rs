//! `--self-trace`: Loupe's own requests as traces, to another Loupe or to itself,
//! continuing a caller's `traceparent`, never tracing its own exports (no
//! feedback loop), and let in by its token when `--auth` is on.

use crate::common;

use std::time::Duration;

use common::access::*;
use common::*;
use reqwest::StatusCode;
use serde_json::Value;

/// Waits until `app` lists a trace of service `loupe` whose spans include `name`.
async fn loupe_span(app: &TestApp, name: &str, cookie: Option<&str>) -> Value {
    for _ in 0..100 {
        let get = |path: String| async move {
            match cookie {
                Some(c) => app.get_with(&path, ("cookie", c)).await,
                None => app.get(&path).await,
            }
        };
        let list = get("/api/traces?service=loupe&limit=200".into()).await.json();
        for t in list["traces"].as_array().unwrap() {
            let trace = get(format!("/api/traces/{}", t["trace_id"].as_str().unwrap())).await.json();
            if let Some(span) = trace["spans"].as_array().unwrap().iter().find(|s| s["name"] == name) {
                return span.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("no span {name:?} of service loupe arrived");
}

#[tokio::test]
async fn requests_are_traced_to_another_loupe_continuing_the_callers_trace() {
    let receiver = spawn_app().await;
    let mut traced = spawn_app_with(&["--self-trace", &receiver.base]).await;
    let (trace, parent) = ("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7");
    let a = traced
        .client
        .get(format!("{}/api/stats/summary", traced.base))
        .header("traceparent", format!("00-{trace}-{parent}-01"))
        .send()
        .await
        .unwrap();
    assert_eq!(a.status(), StatusCode::OK);
    assert_eq!(a.headers()["x-trace-id"], trace, "the logs and the span share the caller's trace id");

    let span = loupe_span(&receiver, "GET /api/stats/summary", None).await;
    assert_eq!(span["parent_span_id"], parent);
    assert_eq!(span["service"], "loupe");
    assert_eq!(span["attributes"]["http.response.status_code"], 200);
    assert_eq!(span["attributes"]["loupe.area"], "api");
    let pages = traced.get("/traces/4bf92f3577b34da6a3ce929d0e0e4736").await;
    assert_eq!(pages.status, StatusCode::NOT_FOUND);
    let page_span = loupe_span(&receiver, "GET /traces/{id}", None).await;
    assert_eq!(page_span["attributes"]["url.path"], "/traces/4bf92f3577b34da6a3ce929d0e0e4736");
    traced.stop().await;
}

#[tokio::test]
async fn a_loupe_traces_itself_without_tracing_its_own_exports() {
    let mut app = spawn_app_with(&["--self-trace", "self"]).await;
    assert_eq!(app.get("/api/alerts/rules").await.status, StatusCode::OK);
    loupe_span(&app, "GET /api/alerts/rules", None).await;
    // Several export intervals later, no export of its own has become a span.
    tokio::time::sleep(Duration::from_secs(3)).await;
    let exports = app.get("/api/traces?service=loupe&q=v1/traces").await.json();
    assert_eq!(exports["traces"], serde_json::json!([]), "{exports}");
    app.stop().await;
}

#[tokio::test]
async fn with_auth_its_own_spans_get_in_by_token_and_nothing_else_does() {
    let mut app = spawn_auth_app(&["--self-trace", "self"]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    assert_eq!(app.get_with("/api/me", ("cookie", &admin)).await.status, StatusCode::OK);
    loupe_span(&app, "GET /api/me", Some(&admin)).await;
    // A made-up token is no key.
    let forged = app
        .client
        .post(format!("{}/v1/traces", app.base))
        .header("content-type", "application/json")
        .header("x-loupe-self-trace", "0123456789abcdef0123456789abcdef")
        .body(r#"{"resourceSpans":[]}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

#[tokio::test]
async fn a_bad_self_trace_target_is_refused_at_start() {
    use clap::Parser;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().to_str().unwrap().to_string();
    let argv = ["loupe", "serve", "--addr", "127.0.0.1:0", "--grpc-addr", "off", "--data-dir", &data, "--self-trace", "collector:4318"];
    let loupe::cli::Command::Serve(args) = loupe::cli::Cli::parse_from(argv).command else { unreachable!() };
    let err = loupe::start(&args).await.err().expect("refused").to_string();
    assert!(err.contains("--self-trace \"collector:4318\""), "{err}");
}
