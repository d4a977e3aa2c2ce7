//! OTLP/gRPC on its own port: the real OpenTelemetry Rust SDK's tonic exporter
//! (gzip on) stores a trace like OTLP/HTTP does; and the answers gRPC exporters
//! act on: UNAUTHENTICATED without a key, partial success naming rejected spans,
//! UNAVAILABLE with a RetryInfo while the write queue is full, OUT_OF_RANGE
//! beyond the size limit. Nothing refused is stored.

use crate::common;

use std::time::Duration;

use common::access::*;
use common::*;
use opentelemetry::KeyValue;
use opentelemetry::trace::{TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry_otlp::{Compression, WithExportConfig, WithTonicConfig};
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::trace_service_client::TraceServiceClient;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use prost::Message;
use tonic::Code;

fn grpc_url(app: &TestApp) -> String {
    format!("http://{}", app.running().grpc_addr.expect("gRPC is on"))
}

fn request(fixture_name: &str) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest::decode(fixture(fixture_name).as_slice()).unwrap()
}

async fn client(app: &TestApp) -> TraceServiceClient<tonic::transport::Channel> {
    TraceServiceClient::connect(grpc_url(app)).await.expect("connects")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sdk_tonic_exporter_with_gzip_stores_a_trace() {
    let app = spawn_app().await;
    // Made on the runtime: tonic's channel runs its connection there, and the
    // SDK's batch thread hands it requests.
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(grpc_url(&app))
        .with_compression(Compression::Gzip)
        .build()
        .expect("exporter");
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("grpc-agent").build())
        .build();
    let trace_id = tokio::task::spawn_blocking(move || {
        let tracer = provider.tracer("agent");
        let id = tracer.in_span("invoke_agent planner", |cx| {
            cx.span().set_attribute(KeyValue::new("gen_ai.operation.name", "invoke_agent"));
            tracer.in_span("execute_tool search", |cx| {
                cx.span().set_attribute(KeyValue::new("gen_ai.operation.name", "execute_tool"));
                cx.span().set_attribute(KeyValue::new("gen_ai.tool.name", "search"));
            });
            cx.span().span_context().trace_id().to_string()
        });
        provider.force_flush().expect("flushed: the server took the spans");
        let _ = provider.shutdown();
        id
    })
    .await
    .unwrap();
    let trace = app.get_trace(&trace_id).await;
    let spans = trace["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 2, "{trace}");
    assert!(spans.iter().any(|s| s["kind"] == "tool" && s["service"] == "grpc-agent"));
    let metrics = app.get("/metrics").await.text();
    assert!(metrics.contains("loupe_spans_stored_total 2"), "{metrics}");
}

#[tokio::test]
async fn with_auth_grpc_needs_a_key_in_metadata() {
    let app = spawn_auth_app(&[]).await;
    let cookie = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let mut c = client(&app).await;
    let refused = c.export(request("genai.pb")).await.unwrap_err();
    assert_eq!(refused.code(), Code::Unauthenticated);
    assert!(refused.message().contains("API key"), "{}", refused.message());
    assert_eq!(app.span_count(&cookie).await, 0, "nothing refused is stored");

    let key = app.create_key(&cookie, "grpc exporter", "ingest").await;
    let mut with_key = tonic::Request::new(request("genai.pb"));
    with_key.metadata_mut().insert("x-api-key", key.parse().unwrap());
    let answer = c.export(with_key).await.expect("accepted with a key").into_inner();
    assert!(answer.partial_success.is_none());
    assert!(app.span_count(&cookie).await > 0);
}

#[tokio::test]
async fn invalid_spans_are_named_in_a_partial_success() {
    let app = spawn_app().await;
    let mut req = request("genai.pb");
    let spans = &mut req.resource_spans[0].scope_spans[0].spans;
    let total = spans.len();
    spans[0].span_id = vec![1, 2, 3];
    let answer = client(&app).await.export(req).await.unwrap().into_inner();
    let partial = answer.partial_success.expect("partial success");
    assert_eq!(partial.rejected_spans, 1);
    assert!(partial.error_message.contains("span id must be 8 bytes"), "{}", partial.error_message);
    assert_eq!(app.stats().await.1 as usize, total - 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_is_unavailable_with_retry_info_and_too_big_is_out_of_range() {
    let app = spawn_app_with(&["--queue-spans", "1", "--max-body-mib", "1"]).await;
    let blocker = app.db.block_writes().await;
    let mut first_client = client(&app).await;
    let first = tokio::spawn(async move { first_client.export(request("genai.pb")).await.map(|_| ()).map_err(|s| s.code()) });
    tokio::time::sleep(Duration::from_millis(500)).await;
    let full = client(&app).await.export(request("openllmetry.pb")).await.unwrap_err();
    assert_eq!(full.code(), Code::Unavailable, "{}", full.message());
    assert!(!full.details().is_empty(), "a RetryInfo tells the exporter when to retry");
    assert!(!first.is_finished(), "not acknowledged before it is committed");
    blocker.release().await;
    assert_eq!(first.await.unwrap(), Ok(()));

    let mut huge = request("genai.pb");
    huge.resource_spans[0].scope_spans[0].spans[0].name = "x".repeat(2 * 1024 * 1024);
    let refused = client(&app).await.export(huge).await.unwrap_err();
    // Not retryable (the same message would be refused again), and says why.
    assert_eq!(refused.code(), Code::OutOfRange, "{}", refused.message());
    assert!(refused.message().contains("the limit is: 1048576 bytes"), "{}", refused.message());
    assert_eq!(app.stats().await, (1, 7), "only the first export is stored");
}
