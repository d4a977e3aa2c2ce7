//! Spans from the real OpenTelemetry Rust SDK and its OTLP/HTTP exporter
//! (`opentelemetry-otlp`), in protobuf, gzip-compressed protobuf and JSON.

use crate::common;

use common::*;
use std::collections::HashMap;

use common::access::*;
use opentelemetry::KeyValue;
use opentelemetry::trace::{Status, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry_otlp::{Compression, Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;

/// Runs an agent-shaped workload through the SDK and returns its trace id.
/// `headers` go with every export (an API key for a Loupe with `--auth`).
fn export_agent_run(endpoint: String, protocol: Protocol, gzip: bool, headers: HashMap<String, String>) -> String {
    let (trace_id, flushed) = try_export_agent_run(endpoint, protocol, gzip, headers);
    flushed.expect("flush");
    trace_id
}

/// The run's trace id, and whether the exporter's flush succeeded (the server took the spans).
fn try_export_agent_run(
    endpoint: String,
    protocol: Protocol,
    gzip: bool,
    headers: HashMap<String, String>,
) -> (String, Result<(), String>) {
    let mut builder =
        opentelemetry_otlp::SpanExporter::builder().with_http().with_endpoint(endpoint).with_protocol(protocol).with_headers(headers);
    if gzip {
        builder = builder.with_compression(Compression::Gzip);
    }
    let exporter = builder.build().expect("exporter");
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("rust-agent").build())
        .build();
    let tracer = provider.tracer("agent");
    let trace_id = tracer.in_span("invoke_agent helper", |cx| {
        cx.span().set_attribute(KeyValue::new("gen_ai.operation.name", "invoke_agent"));
        cx.span().set_attribute(KeyValue::new("session.id", "rust-session"));
        tracer.in_span("chat gpt-4o-mini", |cx| {
            let span = cx.span();
            span.set_attribute(KeyValue::new("gen_ai.operation.name", "chat"));
            span.set_attribute(KeyValue::new("gen_ai.request.model", "gpt-4o-mini"));
            span.set_attribute(KeyValue::new("gen_ai.usage.input_tokens", 120_i64));
            span.set_attribute(KeyValue::new("gen_ai.usage.output_tokens", 30_i64));
            span.set_attribute(KeyValue::new(
                "gen_ai.input.messages",
                r#"[{"role":"user","parts":[{"type":"text","content":"secret rust prompt"}]}]"#,
            ));
        });
        tracer.in_span("execute_tool lookup", |cx| {
            let span = cx.span();
            span.set_attribute(KeyValue::new("gen_ai.operation.name", "execute_tool"));
            span.set_attribute(KeyValue::new("gen_ai.tool.name", "lookup"));
            span.add_event("exception", vec![KeyValue::new("exception.type", "IOError"), KeyValue::new("exception.message", "disk gone")]);
            span.set_status(Status::error("lookup failed"));
        });
        cx.span().span_context().trace_id().to_string()
    });
    let flushed = provider.force_flush().map_err(|e| e.to_string());
    let _ = provider.shutdown();
    (trace_id, flushed)
}

async fn check(protocol: Protocol, gzip: bool) {
    let app = spawn_app().await;
    let endpoint = format!("{}/v1/traces", app.base);
    // The SDK's batch exporter and blocking HTTP client run on their own threads.
    let trace_id = tokio::task::spawn_blocking(move || export_agent_run(endpoint, protocol, gzip, HashMap::new())).await.unwrap();
    let trace = app.get_trace(&trace_id).await;
    let spans = trace["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 3, "{trace}");
    let by_name = |n: &str| spans.iter().find(|s| s["name"] == n).unwrap();
    assert_eq!(by_name("invoke_agent helper")["kind"], "agent");
    assert_eq!(by_name("invoke_agent helper")["service"], "rust-agent");
    let chat = by_name("chat gpt-4o-mini");
    assert_eq!(chat["kind"], "llm");
    assert_eq!(chat["tokens"]["total"], 150);
    assert_eq!(chat["parent_span_id"], by_name("invoke_agent helper")["span_id"]);
    assert_eq!(chat["content"][0]["summary"], "1 message: user 18 chars");
    assert!(!trace.to_string().contains("secret rust prompt"));
    let tool = by_name("execute_tool lookup");
    assert_eq!(tool["status"], "error");
    assert_eq!(tool["status_message"], "lookup failed");
    assert_eq!(tool["events"][0]["exception"]["message"], "disk gone");
    let list = app.get("/api/traces?session=rust-session").await.json();
    assert_eq!(list["traces"][0]["trace_id"], trace_id.as_str());
    assert_eq!(list["traces"][0]["error_count"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_sdk_http_protobuf() {
    check(Protocol::HttpBinary, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_sdk_http_protobuf_gzip() {
    check(Protocol::HttpBinary, true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rust_sdk_http_json() {
    check(Protocol::HttpJson, false).await;
}

/// With `--auth`, the SDK's exporter sends its key as a configured header, as
/// `OTEL_EXPORTER_OTLP_HEADERS=x-api-key=…` does; without the header its spans are refused.
#[tokio::test(flavor = "multi_thread")]
async fn rust_sdk_sends_its_api_key_as_a_header() {
    let app = spawn_auth_app(&[]).await;
    let admin = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let key = app.create_key(&admin, "rust-agent", "ingest").await;
    let endpoint = format!("{}/v1/traces", app.base);
    let e = endpoint.clone();
    let (refused, flushed) =
        tokio::task::spawn_blocking(move || try_export_agent_run(e, Protocol::HttpBinary, false, HashMap::new())).await.unwrap();
    assert!(flushed.unwrap_err().contains("401"), "the exporter is told it needs a key");
    assert_eq!(app.get_with(&format!("/api/traces/{refused}"), ("cookie", &admin)).await.status, reqwest::StatusCode::NOT_FOUND);
    let headers = HashMap::from([("x-api-key".to_string(), key)]);
    let trace_id = tokio::task::spawn_blocking(move || export_agent_run(endpoint, Protocol::HttpBinary, true, headers)).await.unwrap();
    let trace = app.get_with(&format!("/api/traces/{trace_id}"), ("cookie", &admin)).await.json();
    assert_eq!(trace["spans"].as_array().unwrap().len(), 3, "{trace}");
}
