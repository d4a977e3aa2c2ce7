//! The JSON API over stored traces: listing, filters, keyset pagination, traces that
//! arrive in pieces, retries that must not duplicate.

use crate::common;

use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind;
use prost::Message;
use reqwest::StatusCode;
use serde_json::Value;

async fn send(app: &TestApp, service: &str, spans: Vec<opentelemetry_proto::tonic::trace::v1::Span>) {
    let body = request(service, "test", spans).encode_to_vec();
    let a = app.post_otlp(body, "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    assert!(a.body.is_empty(), "full success");
}

fn ids(page: &Value) -> Vec<String> {
    page["traces"].as_array().unwrap().iter().map(|t| t["trace_id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn a_trace_sent_in_pieces_out_of_order_and_twice_is_whole_once() {
    let app = spawn_app().await;
    let mut rng = Rng::new(7);
    let mut t = TraceBuilder::new(&mut rng);
    let t0 = 1_700_000_000_000 * MS;
    let root =
        t.span(None, "invoke_agent planner", SpanKind::Internal, t0, t0 + 900 * MS, vec![s("gen_ai.operation.name", "invoke_agent")]);
    let child = t.span(
        Some(root),
        "chat gpt-4o",
        SpanKind::Client,
        t0 + 10 * MS,
        t0 + 500 * MS,
        vec![s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", "gpt-4o")],
    );
    t.span(
        Some(child),
        "execute_tool search",
        SpanKind::Internal,
        t0 + 20 * MS,
        t0 + 300 * MS,
        vec![s("gen_ai.operation.name", "execute_tool")],
    );
    let id = t.trace_id_hex();
    let [root_span, chat, tool]: [_; 3] = t.spans.try_into().unwrap();

    // Grandchild first: the trace is provisional, named by its earliest span so far.
    send(&app, "agent", vec![tool.clone()]).await;
    let page = app.get("/api/traces").await.json();
    assert_eq!(page["traces"][0]["root_name"], "execute_tool search");
    assert_eq!(page["traces"][0]["has_root"], false);
    send(&app, "agent", vec![chat.clone()]).await;
    send(&app, "agent", vec![root_span.clone()]).await;
    // A client retry of everything.
    send(&app, "agent", vec![root_span, chat, tool]).await;

    assert_eq!(app.stats().await, (1, 3));
    let page = app.get("/api/traces").await.json();
    let summary = &page["traces"][0];
    assert_eq!(summary["root_name"], "invoke_agent planner");
    assert_eq!(summary["has_root"], true);
    assert_eq!(summary["span_count"], 3);
    assert_eq!(summary["duration_ns"], 900 * MS);
    assert_eq!(summary["models"], serde_json::json!(["gpt-4o"]));
    // Tag filters walk their own index, which must follow the start moving earlier
    // (the tool span came first, 20 ms after the root's start).
    let until_ms = (t0 + 5 * MS) / 1_000_000;
    let by_service = app.get(&format!("/api/traces?service=agent&until={until_ms}")).await.json();
    assert_eq!(ids(&by_service), std::slice::from_ref(&id));
    let trace = app.get_trace(&id).await;
    let names: Vec<&str> = trace["spans"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["invoke_agent planner", "chat gpt-4o", "execute_tool search"], "ordered by start");
}

#[tokio::test]
async fn list_filters_and_keyset_pagination() {
    let app = spawn_app().await;
    let mut rng = Rng::new(11);
    let base = 1_700_000_000_000 * MS;
    let mut all = Vec::new();
    // 12 traces a minute apart: every third fails, even ones call a tool, odd ones
    // are slow; users alternate.
    for n in 0..12u64 {
        let mut t = TraceBuilder::new(&mut rng);
        let t0 = base + n * 60_000 * MS;
        let dur = if n % 2 == 1 { 5_000 } else { 200 } * MS;
        let user = format!("user-{}", n % 2);
        let root = t.span(None, &format!("run {n}"), SpanKind::Server, t0, t0 + dur, vec![s("user.id", &user), s("session.id", "sess-1")]);
        let model = if n < 6 { "gpt-4o" } else { "claude-3-5-haiku" };
        t.span(
            Some(root),
            "chat",
            SpanKind::Client,
            t0 + MS,
            t0 + 50 * MS,
            vec![s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", model)],
        );
        if n % 2 == 0 {
            t.span(
                Some(root),
                "lookup_order tool",
                SpanKind::Internal,
                t0 + 60 * MS,
                t0 + 90 * MS,
                vec![s("gen_ai.operation.name", "execute_tool")],
            );
        }
        if n % 3 == 0 {
            t.fail_last("TimeoutError", "too slow");
        }
        all.push(t.trace_id_hex());
        send(&app, if n < 4 { "frontend" } else { "agent" }, t.spans).await;
    }
    all.reverse(); // newest first

    // Pages of 5 walk the whole list, newest first, with no gaps or repeats.
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/traces?limit=5&cursor={c}"),
            None => "/api/traces?limit=5".to_string(),
        };
        let page = app.get(&path).await.json();
        seen.extend(ids(&page));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, all);

    // And back: from the last page, `newer` walks towards the newest, page by page,
    // ending on a full first page (as a fresh visit shows it).
    let mut pages = Vec::new();
    let mut newer =
        app.get(&format!("/api/traces?limit=5&cursor={}", cursor.unwrap())).await.json()["prev_cursor"].as_str().map(str::to_string);
    while let Some(c) = newer {
        let page = app.get(&format!("/api/traces?limit=5&newer={c}")).await.json();
        pages.push(ids(&page));
        newer = page["prev_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(pages.last().unwrap(), &all[..5], "the walk back ends on the first page");
    assert_eq!(
        pages.iter().rev().flatten().cloned().collect::<Vec<_>>(),
        all[..all.len() - 2].to_vec(),
        "every page before the last, once"
    );
    let both = app
        .get(&format!("/api/traces?cursor={}&newer={}", "1-00000000000000000000000000000001", "2-00000000000000000000000000000001"))
        .await;
    assert_eq!(both.status, StatusCode::BAD_REQUEST);

    let count = |q: &'static str| {
        let app = &app;
        async move {
            let a = app.get(&format!("/api/traces?limit=100&{q}")).await;
            assert_eq!(a.status, StatusCode::OK, "{q}: {}", a.text());
            a.json()["traces"].as_array().unwrap().len()
        }
    };
    assert_eq!(count("status=error").await, 4);
    assert_eq!(count("status=ok").await, 8);
    assert_eq!(count("min_duration_ms=1000").await, 6);
    assert_eq!(count("kind=tool").await, 6);
    assert_eq!(count("kind=embedding").await, 0);
    assert_eq!(count("model=claude-3-5-haiku").await, 6);
    assert_eq!(count("service=frontend").await, 4);
    assert_eq!(count("user=user-1").await, 6);
    assert_eq!(count("session=sess-1").await, 12);
    assert_eq!(count("q=lookup_order").await, 6);
    assert_eq!(count("q=run%201").await, 3, "run 1, run 10, run 11");
    assert_eq!(count("q=50%25").await, 0, "LIKE wildcards are literal");
    let since = (base + 6 * 60_000 * MS) / 1_000_000;
    let until = (base + 9 * 60_000 * MS) / 1_000_000;
    assert_eq!(app.get(&format!("/api/traces?since={since}&until={until}")).await.json()["traces"].as_array().unwrap().len(), 3);
    assert_eq!(count("status=error&kind=tool&user=user-0").await, 2, "filters combine");
}

#[tokio::test]
async fn stats_and_health() {
    let app = spawn_app().await;
    assert_eq!(app.stats().await, (0, 0));
    let health = app.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.json()["status"], "ok");
    let empty = app.get("/api/traces").await.json();
    assert_eq!(empty["traces"], serde_json::json!([]));
    assert_eq!(empty["next_cursor"], Value::Null);
}
