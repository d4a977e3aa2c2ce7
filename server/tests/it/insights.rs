//! `GET /api/traces/{trace_id}/insights` with traces whose numbers are known: the
//! critical path and the findings, as data and as sentences.

use crate::common;

use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Internal, Server};
use prost::Message;
use reqwest::StatusCode;

const T0: u64 = 1_700_000_000_000 * MS;

async fn send(app: &TestApp, t: TraceBuilder) -> String {
    let id = t.trace_id_hex();
    let a = app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    id
}

fn chat(prompt: &str) -> Vec<opentelemetry_proto::tonic::common::v1::KeyValue> {
    vec![s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", "gpt-4o"), s("gen_ai.input.messages", prompt)]
}

fn tool(call: &str) -> Vec<opentelemetry_proto::tonic::common::v1::KeyValue> {
    vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", "lookup_order"), s("gen_ai.tool.call.id", call)]
}

#[tokio::test]
async fn a_timed_out_tool_call_that_was_retried_is_the_headline() {
    let mut app = spawn_app().await;
    let mut rng = Rng::new(3);
    let mut t = TraceBuilder::new(&mut rng);
    let root = t.span(None, "POST /refund", Server, T0, T0 + 2_300 * MS, vec![]);
    t.span(Some(root), "chat gpt-4o", Client, T0 + 100 * MS, T0 + 400 * MS, chat(r#"[{"role":"user","content":"refund order 42"}]"#));
    t.span(Some(root), "execute_tool lookup_order", Internal, T0 + 400 * MS, T0 + 1_700 * MS, tool("1"));
    t.fail_last("TimeoutError", "lookup_order timed out after 1.3 s");
    t.span(Some(root), "execute_tool lookup_order", Internal, T0 + 1_750 * MS, T0 + 2_000 * MS, tool("2"));
    t.span(Some(root), "chat gpt-4o", Client, T0 + 2_000 * MS, T0 + 2_250 * MS, chat(r#"[{"role":"user","content":"write the reply"}]"#));
    let id = send(&app, t).await;

    let a = app.get(&format!("/api/traces/{id}/insights")).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let v = a.json();
    assert_eq!(v["duration_ns"], 2_300 * MS);
    let path: Vec<(&str, u64)> =
        v["critical_path"].as_array().unwrap().iter().map(|s| (s["name"].as_str().unwrap(), s["self_ns"].as_u64().unwrap())).collect();
    assert_eq!(
        path,
        [
            ("POST /refund", (100 + 50 + 50) * MS),
            ("chat gpt-4o", 300 * MS),
            ("execute_tool lookup_order", 1_300 * MS),
            ("execute_tool lookup_order", 250 * MS),
            ("chat gpt-4o", 250 * MS),
        ]
    );
    let first = &v["findings"][0];
    assert_eq!(first["kind"], "retry");
    assert_eq!(first["text"], "`execute_tool lookup_order` took 1.30 s (57% of the trace) and was retried once after a timeout.");
    assert_eq!(first["numbers"]["attempts"], 2.0);
    assert_eq!(first["numbers"]["failed_ns"], (1_300 * MS) as f64);
    assert!(first["fix"].as_str().unwrap().contains("the attempt that worked took 250 ms, the one that failed waited 1.30 s"));
    app.stop().await;
}

#[tokio::test]
async fn the_same_prompt_sent_twice_is_found_by_its_hash_without_storing_it() {
    let mut app = spawn_app().await;
    let mut rng = Rng::new(4);
    let mut t = TraceBuilder::new(&mut rng);
    let prompt = r#"[{"role":"user","content":"summarize the policy"}]"#;
    let root = t.span(None, "answer", Server, T0, T0 + 1_000 * MS, vec![]);
    t.span(Some(root), "chat gpt-4o", Client, T0, T0 + 450 * MS, chat(prompt));
    t.span(Some(root), "chat gpt-4o", Client, T0 + 500 * MS, T0 + 950 * MS, chat(prompt));
    let id = send(&app, t).await;

    let v = app.get(&format!("/api/traces/{id}/insights")).await.json();
    let repeated = v["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "repeated_prompt").expect("repeated prompt");
    assert_eq!(repeated["text"], "The same prompt went to the model 2 times (`chat gpt-4o`), 450 ms after the first.");
    assert_eq!(repeated["span_ids"].as_array().unwrap().len(), 2);
    let share = v["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "kind_share").expect("kind share");
    assert_eq!(share["text"], "2 model calls took 90% of the time (900 ms).");
    app.stop().await;
}

#[tokio::test]
async fn insights_of_unknown_or_malformed_traces_are_errors() {
    let mut app = spawn_app().await;
    assert_eq!(app.get("/api/traces/0123456789abcdef0123456789abcdef/insights").await.status, StatusCode::NOT_FOUND);
    let bad = app.get("/api/traces/nope/insights").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("malformed trace id"));
    app.stop().await;
}

#[tokio::test]
async fn a_step_far_slower_than_in_earlier_traces_is_called_out() {
    let mut app = spawn_app().await;
    let now = loupe::domain::now_ns() as u64;
    let retrieval = || vec![s("openinference.span.kind", "RETRIEVER")];
    // History: 30 runs three hours ago whose retrieval took 100 ms.
    for n in 0..30u64 {
        let mut rng = Rng::new(100 + n);
        let mut t = TraceBuilder::new(&mut rng);
        let t0 = now - 3 * 3_600_000 * MS + n * 1_000 * MS;
        let root = t.span(None, "answer", Server, t0, t0 + 400 * MS, vec![]);
        t.span(Some(root), "retrieve docs", Internal, t0, t0 + 100 * MS, retrieval());
        send(&app, t).await;
    }
    // Now: the same step takes 1 s.
    let mut rng = Rng::new(7);
    let mut t = TraceBuilder::new(&mut rng);
    let t0 = now - 5_000 * MS;
    let root = t.span(None, "answer", Server, t0, t0 + 1_300 * MS, vec![]);
    t.span(Some(root), "retrieve docs", Internal, t0, t0 + 1_000 * MS, retrieval());
    let id = send(&app, t).await;

    let v = app.get(&format!("/api/traces/{id}/insights")).await.json();
    let slow = v["findings"].as_array().unwrap().iter().find(|f| f["kind"] == "slower_than_usual").expect("slower than usual");
    let ratio = slow["numbers"]["ratio"].as_f64().unwrap();
    assert!((9.0..=11.0).contains(&ratio), "{ratio}");
    assert_eq!(slow["numbers"]["samples"], 30.0);
    assert!(slow["text"].as_str().unwrap().starts_with("`retrieve docs` took 1.00 s, "), "{}", slow["text"]);
    assert!(slow["fix"].as_str().unwrap().contains("cold index"));
    app.stop().await;
}
