//! Helpers for the alert tests: a real webhook receiver on a local port, a trace
//! with one tool call, and the rules and history API.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode as AxStatus;
use axum::response::IntoResponse;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Internal, Server};
use prost::Message;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::TestApp;

/// A webhook receiver that records every body; the first `fail_first` requests
/// get 503 with `Retry-After: 1`.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    pub got: Arc<Mutex<Vec<Value>>>,
    pub tries: Arc<Mutex<u32>>,
}

pub async fn receiver(fail_first: u32) -> Receiver {
    let got = Arc::new(Mutex::new(Vec::new()));
    let tries = Arc::new(Mutex::new(0u32));
    let (g, t) = (got.clone(), tries.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let (g, t) = (g.clone(), t.clone());
            async move {
                let n = {
                    let mut t = t.lock().unwrap();
                    *t += 1;
                    *t
                };
                if n <= fail_first {
                    return (AxStatus::SERVICE_UNAVAILABLE, [("retry-after", "1")], "busy").into_response();
                }
                g.lock().unwrap().push(body);
                (AxStatus::OK, "ok").into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, got, tries }
}

impl Receiver {
    pub fn bodies(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` bodies arrived (or `within` passed), then returns them all.
    pub async fn wait_for(&self, n: usize, within: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + within;
        while self.bodies().len() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.bodies()
    }
}

/// A trace with one tool call of `tool_ms` (and a fast model call); returns the
/// trace id and the tool span's id.
pub async fn send_tool_call(app: &TestApp, rng: &mut Rng, tool_ms: u64, failed: bool) -> (String, String) {
    let end = loupe::domain::now_ns() as u64;
    let t0 = end - (tool_ms + 200) * MS;
    let mut t = TraceBuilder::new(rng);
    let root = t.span(None, "POST /refund", Server, t0, end, vec![s("gen_ai.operation.name", "invoke_agent")]);
    t.span(
        Some(root),
        "chat gpt-4o",
        Client,
        t0,
        t0 + 100 * MS,
        vec![s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", "gpt-4o")],
    );
    let tool = t.span(
        Some(root),
        "execute_tool lookup_order",
        Internal,
        t0 + 100 * MS,
        t0 + (100 + tool_ms) * MS,
        vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", "lookup_order")],
    );
    if failed {
        t.fail_last("TimeoutError", "lookup_order timed out");
    }
    let id = t.trace_id_hex();
    let a = app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    (id, tool.iter().map(|b| format!("{b:02x}")).collect())
}

pub async fn create_rule(app: &TestApp, rule: Value) -> Value {
    let a = app.send_json(reqwest::Method::POST, "/api/alerts/rules", &rule).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    a.json()
}

pub fn slow_tools(url: &str, cooldown_s: u64) -> Value {
    json!({"name": "slow tools", "match": {"kind": "tool"}, "condition": {"type": "span_duration", "threshold_ms": 2000},
           "channels": [{"type": "webhook", "url": url, "format": "json"}], "cooldown_s": cooldown_s})
}

pub async fn events(app: &TestApp) -> Vec<Value> {
    app.get("/api/alerts/events").await.json().as_array().unwrap().clone()
}

/// Waits until the newest event's delivery is no longer pending.
pub async fn settled_events(app: &TestApp) -> Vec<Value> {
    for _ in 0..100 {
        let e = events(app).await;
        if e.first().is_some_and(|e| e["delivery"] != "pending") {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("delivery still pending: {:?}", events(app).await);
}
