//! Exports that cost more than their bytes: millions of empty spans in a few
//! kilobytes, on both transports, with and without a key. Each is refused
//! before it is decoded, the server keeps serving, and ordinary exports (10,000
//! spans in one request) still go through. The memory these bombs took before
//! is measured by `loupe-bench --bombs` (BENCHMARKS.md).

use crate::common;

use std::time::Duration;

use bytes::{Buf, BufMut, Bytes};
use common::access::spawn_auth_app;
use common::*;
use opentelemetry_proto::tonic::collector::trace::v1::{ExportTraceServiceRequest, ExportTraceServiceResponse};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span};
use prost::Message;
use reqwest::StatusCode;
use tokio::io::AsyncWriteExt;
use tonic::Code;
use tonic::codec::{Codec, DecodeBuf, Decoder, EncodeBuf, Encoder};

/// `n` spans of two bytes each on the wire (the bomb's shape).
fn empty_spans(n: usize) -> Vec<u8> {
    let spans = vec![Span::default(); n];
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans { scope_spans: vec![ScopeSpans { spans, ..Default::default() }], ..Default::default() }],
    }
    .encode_to_vec()
}

/// `n` valid spans of one trace in one request.
fn real_spans(n: usize) -> (Vec<u8>, String) {
    let mut rng = loupe::synth::Rng::new(7);
    let end = loupe::domain::now_ns() as u64;
    let mut t = loupe::synth::TraceBuilder::new(&mut rng);
    let root = t.span(None, "batch eval", opentelemetry_proto::tonic::trace::v1::span::SpanKind::Server, end - 10_000_000_000, end, vec![]);
    for i in 0..n - 1 {
        let start = end - 10_000_000_000 + i as u64 * 1_000_000;
        t.span(
            Some(root),
            "execute_tool lookup",
            opentelemetry_proto::tonic::trace::v1::span::SpanKind::Internal,
            start,
            start + 500_000,
            vec![loupe::synth::s("gen_ai.operation.name", "execute_tool")],
        );
    }
    let id = t.trace_id_hex();
    (loupe::synth::request("eval-runner", "test", t.spans).encode_to_vec(), id)
}

/// A gRPC client that sends raw bytes as the message, so a test can send what
/// no well-behaved exporter would.
#[derive(Clone, Copy)]
struct Raw;
struct RawEnc;
struct RespDec;

impl Codec for Raw {
    type Encode = Bytes;
    type Decode = ExportTraceServiceResponse;
    type Encoder = RawEnc;
    type Decoder = RespDec;
    fn encoder(&mut self) -> RawEnc {
        RawEnc
    }
    fn decoder(&mut self) -> RespDec {
        RespDec
    }
}

impl Encoder for RawEnc {
    type Item = Bytes;
    type Error = tonic::Status;
    fn encode(&mut self, item: Bytes, dst: &mut EncodeBuf<'_>) -> Result<(), tonic::Status> {
        dst.put(item);
        Ok(())
    }
}

impl Decoder for RespDec {
    type Item = ExportTraceServiceResponse;
    type Error = tonic::Status;
    fn decode(&mut self, src: &mut DecodeBuf<'_>) -> Result<Option<ExportTraceServiceResponse>, tonic::Status> {
        let bytes = src.copy_to_bytes(src.remaining());
        ExportTraceServiceResponse::decode(bytes).map(Some).map_err(|e| tonic::Status::internal(e.to_string()))
    }
}

async fn grpc_export(app: &TestApp, body: Vec<u8>, key: Option<&str>) -> Result<ExportTraceServiceResponse, tonic::Status> {
    let addr = app.running().grpc_addr.expect("gRPC is on");
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}")).unwrap().connect().await.unwrap();
    let mut grpc = tonic::client::Grpc::new(channel).max_encoding_message_size(64 << 20);
    grpc.ready().await.unwrap();
    let mut request = tonic::Request::new(Bytes::from(body));
    if let Some(k) = key {
        request.metadata_mut().insert("x-api-key", k.parse().unwrap());
    }
    let path = http::uri::PathAndQuery::from_static("/opentelemetry.proto.collector.trace.v1.TraceService/Export");
    grpc.unary(request, path, Raw).await.map(tonic::Response::into_inner)
}

#[tokio::test]
async fn grpc_without_a_key_is_refused_before_its_message_is_read() {
    let app = spawn_auth_app(&[]).await;
    // Not protobuf at all: a server that decoded first would answer INVALID_ARGUMENT.
    let garbage = grpc_export(&app, vec![0xff; 4096], None).await.unwrap_err();
    assert_eq!(garbage.code(), Code::Unauthenticated, "{garbage:?}");
    let bomb = grpc_export(&app, empty_spans(1_000_000), Some("loupe_not-a-key")).await.unwrap_err();
    assert_eq!(bomb.code(), Code::Unauthenticated, "{bomb:?}");
    let cookie = app.sign_in(common::access::ADMIN, common::access::ADMIN_PASSWORD).await;
    let key = app.create_key(&cookie, "exporter", "ingest").await;
    let with_key = grpc_export(&app, empty_spans(1_000_000), Some(&key)).await.unwrap_err();
    assert_eq!(with_key.code(), Code::ResourceExhausted, "{with_key:?}");
    assert!(with_key.message().contains("1000000 spans") && with_key.message().contains("--max-spans-per-request"), "{with_key:?}");
    assert_eq!(app.span_count(&cookie).await, 0);
}

#[tokio::test]
async fn bombs_are_refused_on_both_transports_and_ordinary_exports_still_go_through() {
    let app = spawn_app().await;
    let bomb = empty_spans(1_000_000);
    assert!(bomb.len() < 3 << 20, "{} bytes", bomb.len());
    // Four at once on each transport, compressed as an attacker would send them.
    let http = (0..4).map(|_| app.post_otlp(gzip(&bomb), "application/x-protobuf", Some("gzip")));
    for a in futures::future::join_all(http).await {
        assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    }
    let grpc = (0..4).map(|_| grpc_export(&app, bomb.clone(), None));
    for r in futures::future::join_all(grpc).await {
        assert_eq!(r.unwrap_err().code(), Code::ResourceExhausted);
    }
    // JSON bombs are counted as well.
    let json = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#, vec!["{}"; 100_000].join(","));
    let a = app.post_otlp(json.into_bytes(), "application/json", None).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(a.json()["message"].as_str().unwrap().contains("100000 spans"), "{}", a.text());

    // Still serving: 10,000 spans in one request, over each transport.
    let (body, trace) = real_spans(10_000);
    let a = app.post_otlp(body, "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let (body, trace2) = real_spans(10_000);
    assert!(grpc_export(&app, body, None).await.unwrap().partial_success.is_none());
    for t in [trace, trace2] {
        assert_eq!(app.get_trace(&t).await["spans"].as_array().unwrap().len(), 10_000);
    }
    let metrics = app.get("/metrics").await.text();
    assert!(metrics.contains("loupe_otlp_requests_total{status=\"413\"} 9"), "{metrics}");
}

#[tokio::test]
async fn a_budget_in_use_asks_exporters_to_retry_and_one_too_big_for_it_is_refused() {
    let app = spawn_app_with(&["--max-decode-mib", "1"]).await;
    // One upload holds most of the budget while its body is still arriving.
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut slow = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head =
        format!("POST /v1/traces HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/x-protobuf\r\nContent-Length: 4000000\r\n\r\n");
    slow.write_all(head.as_bytes()).await.unwrap();
    slow.write_all(&vec![0u8; 900_000]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let busy = app.post_otlp(vec![0u8; 300_000], "application/x-protobuf", None).await;
    assert_eq!(busy.status, StatusCode::SERVICE_UNAVAILABLE, "{}", busy.text());
    assert_eq!(busy.headers["retry-after"], "1");
    drop(slow);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Given back: an ordinary export goes through.
    assert_eq!(app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    // 10,000 spans decode to more than 1 MiB: never, so not retryable.
    let (body, _) = real_spans(10_000);
    let a = app.post_otlp(body, "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", a.text());
    assert!(a.text().contains("--max-decode-mib"), "{}", a.text());
}
