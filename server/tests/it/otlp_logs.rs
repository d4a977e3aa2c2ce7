//! Log records from the real OpenTelemetry Rust SDK: `tracing` events bridged by
//! `opentelemetry-appender-tracing`, written inside OTel spans, exported by
//! `opentelemetry-otlp` over HTTP protobuf, HTTP JSON and gRPC. They arrive
//! tied to their spans with severities, bodies and exceptions, scrubbed; bad
//! bodies get their statuses and lose nothing; logs may come before their spans,
//! after them, or for a trace with no spans at all.

use crate::common;

use common::*;
use opentelemetry::KeyValue;
use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry_appender_tracing::layer::OpenTelemetryTracingBridge;
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue as PbKeyValue, any_value::Value as Av};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::logs::SdkLoggerProvider;
use opentelemetry_sdk::trace::SdkTracerProvider;
use prost::Message;
use serde_json::Value;
use tracing_subscriber::layer::SubscriberExt;

#[derive(Clone, Copy, Debug)]
enum Transport {
    HttpProtobuf,
    HttpJson,
    Grpc,
}

/// What the workload's spans were: the trace and its two spans' ids.
struct Run {
    trace_id: String,
    root: String,
    tool: String,
}

/// A travel agent whose tool call times out and is retried, logging as it goes:
/// an INFO in the root, a WARN with a card number and an e-mail in the tool
/// call, an ERROR with an exception. Made on the runtime (tonic's channel runs
/// there); the SDK's threads export.
fn exporters(base: &str, grpc: Option<String>, transport: Transport) -> (SdkTracerProvider, SdkLoggerProvider) {
    let resource = Resource::builder().with_service_name("travel-agent").build();
    let (spans, logs) = match transport {
        Transport::HttpProtobuf | Transport::HttpJson => {
            let protocol = if matches!(transport, Transport::HttpJson) { Protocol::HttpJson } else { Protocol::HttpBinary };
            (
                opentelemetry_otlp::SpanExporter::builder()
                    .with_http()
                    .with_endpoint(format!("{base}/v1/traces"))
                    .with_protocol(protocol)
                    .build()
                    .expect("span exporter"),
                opentelemetry_otlp::LogExporter::builder()
                    .with_http()
                    .with_endpoint(format!("{base}/v1/logs"))
                    .with_protocol(protocol)
                    .build()
                    .expect("log exporter"),
            )
        }
        Transport::Grpc => {
            let url = grpc.expect("gRPC is on");
            (
                opentelemetry_otlp::SpanExporter::builder().with_tonic().with_endpoint(url.clone()).build().expect("span exporter"),
                opentelemetry_otlp::LogExporter::builder().with_tonic().with_endpoint(url).build().expect("log exporter"),
            )
        }
    };
    let tracer_provider = SdkTracerProvider::builder().with_batch_exporter(spans).with_resource(resource.clone()).build();
    let logger_provider = SdkLoggerProvider::builder().with_batch_exporter(logs).with_resource(resource).build();
    (tracer_provider, logger_provider)
}

/// Runs the workload; `logs_first` flushes the logs before the spans.
fn run(tracer_provider: SdkTracerProvider, logger_provider: SdkLoggerProvider, logs_first: bool) -> Run {
    let subscriber = tracing_subscriber::registry().with(OpenTelemetryTracingBridge::new(&logger_provider));
    let tracer = tracer_provider.tracer("agent");
    let run = tracing::subscriber::with_default(subscriber, || {
        tracer.in_span("invoke_agent travel", |cx| {
            cx.span().set_attribute(KeyValue::new("gen_ai.operation.name", "invoke_agent"));
            tracing::info!(target: "agent", "planning a trip to Lisbon");
            let root = cx.span().span_context().span_id().to_string();
            let tool = tracer.in_span("execute_tool search_flights", |cx| {
                cx.span().set_attribute(KeyValue::new("gen_ai.operation.name", "execute_tool"));
                tracing::warn!(target: "agent.tools", attempt = 1, "search_flights timed out after 2000 ms for card 4111 1111 1111 1111, retrying (bob@example.org)");
                tracing::error!(
                    target: "agent.tools",
                    attempt = 1,
                    "exception.type" = "TimeoutError",
                    "exception.message" = "upstream took longer than 2 s",
                    "search_flights failed"
                );
                cx.span().span_context().span_id().to_string()
            });
            Run { trace_id: cx.span().span_context().trace_id().to_string(), root, tool }
        })
    });
    let flush = |which: &str, r: Result<(), String>| r.unwrap_or_else(|e| panic!("{which} flush: {e}"));
    if logs_first {
        flush("logs", logger_provider.force_flush().map_err(|e| e.to_string()));
        flush("spans", tracer_provider.force_flush().map_err(|e| e.to_string()));
    } else {
        flush("spans", tracer_provider.force_flush().map_err(|e| e.to_string()));
        flush("logs", logger_provider.force_flush().map_err(|e| e.to_string()));
    }
    let _ = logger_provider.shutdown();
    let _ = tracer_provider.shutdown();
    run
}

async fn check(transport: Transport, logs_first: bool) {
    let app = spawn_app().await;
    let grpc = app.running().grpc_addr.map(|a| format!("http://{a}"));
    let (tracer, logger) = exporters(&app.base, grpc, transport);
    let r = tokio::task::spawn_blocking(move || run(tracer, logger, logs_first)).await.unwrap();

    let logs = app.get(&format!("/api/traces/{}/logs", r.trace_id)).await.json();
    let logs = logs["logs"].as_array().unwrap_or_else(|| panic!("{logs}")).clone();
    assert_eq!(logs.len(), 3, "{transport:?}: {logs:?}");
    let [info, warn, error] = &logs[..] else { unreachable!() };
    assert_eq!((info["severity"].as_str(), info["span_id"].as_str()), (Some("info"), Some(r.root.as_str())));
    assert_eq!(info["body"], "planning a trip to Lisbon");
    assert_eq!(info["service"], "travel-agent");
    assert_eq!((warn["severity"].as_str(), warn["span_id"].as_str()), (Some("warn"), Some(r.tool.as_str())));
    let body = warn["body"].as_str().unwrap();
    assert!(body.contains("timed out after 2000 ms") && !body.contains("4111") && !body.contains("bob@example.org"), "{body}");
    assert_eq!(error["severity"], "error");
    assert_eq!(error["severity_number"], 17);
    assert_eq!(error["exception"]["type"], "TimeoutError");
    assert_eq!(error["exception"]["message"], "upstream took longer than 2 s");
    assert!(logs.windows(2).all(|w| w[0]["time_ns"].as_i64() <= w[1]["time_ns"].as_i64()), "in time order");

    // The span's detail carries its own records only.
    let span = app.get(&format!("/api/traces/{}/spans/{}", r.trace_id, r.tool)).await.json();
    let span_logs = span["logs"].as_array().unwrap_or_else(|| panic!("{span}"));
    assert_eq!(span_logs.len(), 2, "{span}");
    // And the list finds them by text and severity, newest first.
    let found = app.get("/api/logs?q=timed%20out&severity=warn").await.json();
    assert_eq!(found["logs"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(found["logs"][0]["trace_id"], r.trace_id.as_str());
    // Nothing of the scrubbed values is in the database files.
    for (path, bytes) in app.data_files().await {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("4111 1111") && !text.contains("bob@example.org"), "{} holds personal data", path.display());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_logs_over_http_protobuf_arrive_under_their_spans() {
    check(Transport::HttpProtobuf, false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_logs_over_http_json_arrive_before_their_spans() {
    check(Transport::HttpJson, true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rust_sdk_logs_over_grpc_arrive_under_their_spans() {
    check(Transport::Grpc, false).await;
}

fn text(s: &str) -> Option<AnyValue> {
    Some(AnyValue { value: Some(Av::StringValue(s.into())) })
}

fn logs_request(records: Vec<LogRecord>) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(opentelemetry_proto::tonic::resource::v1::Resource {
                attributes: vec![PbKeyValue { key: "service.name".into(), value: text("nightly-job"), ..Default::default() }],
                ..Default::default()
            }),
            scope_logs: vec![ScopeLogs { log_records: records, ..Default::default() }],
            ..Default::default()
        }],
    }
}

#[tokio::test]
async fn bad_log_exports_get_their_statuses_and_lose_nothing() {
    let app = spawn_app().await;
    let ok = logs_request(vec![LogRecord {
        time_unix_nano: 1_700_000_000_000_000_000,
        severity_number: 9,
        body: text("reindexed 12 documents"),
        ..Default::default()
    }]);
    let stored = app.post_logs(ok.encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(stored.status, 200, "{}", stored.text());

    let garbage = app.post_logs(b"\xff\xff\xff".to_vec(), "application/x-protobuf", None).await;
    assert_eq!(garbage.status, 400);
    assert!(garbage.text().contains("ExportLogsServiceRequest"), "{}", garbage.text());
    let json = app.post_logs(b"{\"resourceLogs\": 3}".to_vec(), "application/json", None).await;
    assert_eq!(json.status, 400, "{}", json.text());
    let media = app.post_logs(b"hello".to_vec(), "text/plain", None).await;
    assert_eq!(media.status, 415);

    // One record with a broken trace id is named in a partial success; the good one is kept.
    let mixed = logs_request(vec![
        LogRecord { trace_id: vec![7; 5], body: text("broken"), ..Default::default() },
        LogRecord { severity_number: 17, body: text("nightly job failed"), ..Default::default() },
    ]);
    let partial = app.post_logs(mixed.encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(partial.status, 200);
    let answer = opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceResponse::decode(partial.body.as_slice()).unwrap();
    let p = answer.partial_success.expect("partial success");
    assert_eq!(p.rejected_log_records, 1);
    assert!(p.error_message.contains("trace id must be 16 bytes"), "{}", p.error_message);

    // The same export again (an exporter's retry) is stored once.
    let again = logs_request(vec![LogRecord {
        time_unix_nano: 1_700_000_000_000_000_000,
        severity_number: 9,
        body: text("reindexed 12 documents"),
        ..Default::default()
    }]);
    assert_eq!(app.post_logs(again.encode_to_vec(), "application/x-protobuf", None).await.status, 200);

    let all = app.get("/api/logs?trace=no&since=0").await.json();
    let bodies: Vec<&str> = all["logs"].as_array().unwrap().iter().map(|l| l["body"].as_str().unwrap()).collect();
    assert_eq!(bodies.len(), 2, "{all}");
    assert!(bodies.contains(&"reindexed 12 documents") && bodies.contains(&"nightly job failed"));
    assert_eq!(app.get("/api/logs?severity=loud").await.status, 400);
}

#[tokio::test]
async fn a_trace_with_logs_but_no_spans_answers_with_its_logs() {
    let app = spawn_app().await;
    let trace = [0x5a; 16];
    let records = logs_request(vec![LogRecord {
        trace_id: trace.to_vec(),
        severity_number: 13,
        body: text("queue is backing up"),
        ..Default::default()
    }]);
    assert_eq!(app.post_logs(records.encode_to_vec(), "application/x-protobuf", None).await.status, 200);
    let id: String = trace.iter().map(|b| format!("{b:02x}")).collect();
    let logs = app.get(&format!("/api/traces/{id}/logs")).await;
    assert_eq!(logs.status, 200, "{}", logs.text());
    assert_eq!(logs.json()["logs"][0]["body"], "queue is backing up");
    let unknown = app.get(&format!("/api/traces/{}/logs", "ab".repeat(16))).await;
    assert_eq!(unknown.status, 404);
    let _: Value = app.get("/api/logs").await.json();
}
