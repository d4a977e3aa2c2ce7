//! Bad input gets its status and a message that says what is wrong, nothing stored
//! earlier is lost, and the server keeps serving.

use crate::common;

use common::*;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
use prost::Message;
use reqwest::StatusCode;
use serde_json::json;

/// `google.rpc.Status` as OTLP error bodies carry it.
#[derive(Clone, PartialEq, prost::Message)]
struct RpcStatus {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    message: String,
}

async fn app_with_one_trace(extra: &[&str]) -> TestApp {
    let app = spawn_app_with(extra).await;
    let ok = app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(app.stats().await, (1, 7));
    app
}

/// Nothing earlier is lost and a valid export still works.
async fn still_whole_and_serving(app: &TestApp) {
    assert_eq!(app.stats().await, (1, 7), "earlier spans are intact");
    assert_eq!(app.get_trace(&fixture_trace_id("genai.pb")).await["spans"].as_array().unwrap().len(), 7);
    let again = app.post_otlp(fixture("openllmetry.pb"), "application/x-protobuf", None).await;
    assert_eq!(again.status, StatusCode::OK, "still serving: {}", again.text());
}

#[tokio::test]
async fn undecodable_protobuf_is_400_with_a_status_body() {
    let app = app_with_one_trace(&[]).await;
    let a = app.post_otlp(b"\x0a\xff\xff\xff\xff garbage".to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let status = RpcStatus::decode(a.body.as_slice()).expect("a google.rpc.Status body");
    assert_eq!(status.code, 3);
    assert!(status.message.contains("not a valid OTLP protobuf"), "{}", status.message);
    still_whole_and_serving(&app).await;
}

#[tokio::test]
async fn broken_json_is_400_with_a_json_status() {
    let app = app_with_one_trace(&[]).await;
    let a = app.post_otlp(br#"{"resourceSpans": [ {"#.to_vec(), "application/json", None).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    let body = a.json();
    assert_eq!(body["code"], 3);
    assert!(body["message"].as_str().unwrap().contains("not a valid OTLP JSON"), "{body}");
    still_whole_and_serving(&app).await;
}

#[tokio::test]
async fn another_content_type_is_415() {
    let app = app_with_one_trace(&[]).await;
    let a = app.post_otlp(fixture("genai.json"), "text/plain", None).await;
    assert_eq!(a.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert!(a.json()["message"].as_str().unwrap().contains("application/x-protobuf or application/json"));
    still_whole_and_serving(&app).await;
}

#[tokio::test]
async fn oversized_bodies_are_413_counted_after_decompression() {
    let app = app_with_one_trace(&["--max-body-mib", "1"]).await;
    let big = vec![0x0a; 1024 * 1024 + 10];
    let a = app.post_otlp(big.clone(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    let status = RpcStatus::decode(a.body.as_slice()).unwrap();
    assert!(status.message.contains("larger than 1048576 bytes"), "{}", status.message);
    // Small on the wire, too large once decompressed.
    let bomb = gzip(&big);
    assert!(bomb.len() < 64 * 1024);
    let a = app.post_otlp(bomb, "application/x-protobuf", Some("gzip")).await;
    assert_eq!(a.status, StatusCode::PAYLOAD_TOO_LARGE);
    still_whole_and_serving(&app).await;
}

#[tokio::test]
async fn a_body_that_is_not_gzip_is_400() {
    let app = app_with_one_trace(&[]).await;
    let a = app.post_otlp(fixture("genai.pb"), "application/x-protobuf", Some("gzip")).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    still_whole_and_serving(&app).await;
}

#[tokio::test]
async fn invalid_spans_are_a_partial_success_and_valid_ones_are_kept() {
    let app = app_with_one_trace(&[]).await;
    let good = "0af7651916cd43dd8448eb211c80319c";
    let body = json!({"resourceSpans": [{"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "partial"}}]},
    "scopeSpans": [{"spans": [
        {"traceId": good, "spanId": "b7ad6b7169203331", "name": "kept", "startTimeUnixNano": "1000", "endTimeUnixNano": "2000"},
        {"traceId": "abcdef", "spanId": "b7ad6b7169203332", "name": "short id", "startTimeUnixNano": "1000", "endTimeUnixNano": "2000"},
        {"traceId": good, "spanId": "b7ad6b7169203333", "name": "backwards", "startTimeUnixNano": "5000", "endTimeUnixNano": "2000"}
    ]}]}]});
    let a = app.post_otlp(body.to_string().into_bytes(), "application/json", None).await;
    assert_eq!(a.status, StatusCode::OK);
    let partial = &a.json()["partialSuccess"];
    assert_eq!(partial["rejectedSpans"], "2");
    let message = partial["errorMessage"].as_str().unwrap();
    assert!(message.contains("\"short id\": trace id must be 16 bytes"), "{message}");
    assert!(message.contains("\"backwards\": ends before it starts"), "{message}");
    assert_eq!(app.get_trace(good).await["spans"].as_array().unwrap().len(), 1);

    // The same in protobuf: the answer is a protobuf ExportTraceServiceResponse.
    let mut request =
        opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest::decode(fixture("genai.pb").as_slice()).unwrap();
    request.resource_spans[0].scope_spans[0].spans[0].span_id = vec![1, 2, 3];
    let a = app.post_otlp(request.encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK);
    let response = ExportTraceServiceResponse::decode(a.body.as_slice()).unwrap();
    let partial = response.partial_success.unwrap();
    assert_eq!(partial.rejected_spans, 1);
    assert!(partial.error_message.contains("span id must be 8 bytes"), "{}", partial.error_message);
    assert_eq!(app.stats().await, (2, 8), "the re-sent valid spans were not duplicated");
}

#[tokio::test]
async fn a_full_write_queue_is_503_with_retry_after_and_loses_nothing() {
    let app = spawn_app_with(&["--queue-spans", "1"]).await;
    // Hold the database's write lock so the writer cannot commit: the first export
    // waits in the queue, and the queue is full for the second.
    let blocker = app.db.block_writes().await;

    let first = {
        let client = app.client.clone();
        let url = format!("{}/v1/traces", app.base);
        tokio::spawn(async move {
            client.post(url).header("content-type", "application/x-protobuf").body(fixture("genai.pb")).send().await.unwrap().status()
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let second = app.post_otlp(fixture("openllmetry.pb"), "application/x-protobuf", None).await;
    assert_eq!(second.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(second.headers["retry-after"], "1");
    assert!(!first.is_finished(), "the first export is not acknowledged before it is committed");

    blocker.release().await;
    assert_eq!(first.await.unwrap(), StatusCode::OK);
    assert_eq!(app.stats().await, (1, 7));
    let retry = app.post_otlp(fixture("openllmetry.pb"), "application/x-protobuf", None).await;
    assert_eq!(retry.status, StatusCode::OK);
}

#[tokio::test]
async fn api_errors_are_json_with_the_right_status() {
    let app = app_with_one_trace(&[]).await;
    let missing = app.get("/api/traces/0af7651916cd43dd8448eb211c80319c").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.json()["error"].as_str().unwrap().contains("no trace with id"));
    let malformed = app.get("/api/traces/not-a-trace").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert!(malformed.json()["error"].as_str().unwrap().contains("malformed trace id"));
    let bad_filter = app.get("/api/traces?kind=robot").await;
    assert_eq!(bad_filter.status, StatusCode::BAD_REQUEST);
    assert!(bad_filter.json()["error"].as_str().unwrap().contains("kind must be one of"));
    still_whole_and_serving(&app).await;
}
