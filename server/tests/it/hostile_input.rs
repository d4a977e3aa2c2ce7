//! Hostile input: deep span trees, cycles in parent ids, 100,000 attributes, a
//! 10 MB string, invalid UTF-8, duplicate ids and clocks at the ends of time.
//! Each has a defined answer (stored safely, or refused with a message), and
//! after each the server still answers and shows the trace.

use crate::common;

use common::*;
use loupe::synth::{MS, request, s};
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;
use reqwest::StatusCode;

fn span(trace: [u8; 16], id: u64, parent: Option<u64>, start: u64, end: u64) -> Span {
    Span {
        trace_id: trace.to_vec(),
        span_id: id.to_be_bytes().to_vec(),
        parent_span_id: parent.map(|p| p.to_be_bytes().to_vec()).unwrap_or_default(),
        name: format!("step {id}"),
        kind: 1,
        start_time_unix_nano: start,
        end_time_unix_nano: end,
        ..Default::default()
    }
}

/// A distinct trace id per test.
fn tid(n: u8) -> [u8; 16] {
    let mut t = [0x5a; 16];
    t[15] = n;
    t
}

fn hex(trace: [u8; 16]) -> String {
    trace.iter().map(|b| format!("{b:02x}")).collect()
}

async fn send(app: &TestApp, spans: Vec<Span>) -> Answer {
    app.post_otlp(request("hostile", "test", spans).encode_to_vec(), "application/x-protobuf", None).await
}

/// The trace's page and API answer, and the server is still up.
async fn still_serving(app: &TestApp, trace: [u8; 16]) {
    let id = hex(trace);
    for path in [format!("/traces/{id}"), format!("/api/traces/{id}"), format!("/api/traces/{id}/insights"), "/".into()] {
        let a = app.get(&path).await;
        assert_eq!(a.status, StatusCode::OK, "{path}: {}", &a.text()[..a.text().len().min(300)]);
    }
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_10000_deep_chain_of_spans_is_stored_and_shown() {
    let app = spawn_app().await;
    let trace = tid(1);
    let now = loupe::domain::now_ns() as u64;
    let spans: Vec<_> = (1..=10_000u64).map(|i| span(trace, i, (i > 1).then(|| i - 1), now - 10_000 * MS + i * MS / 2, now)).collect();
    assert_eq!(send(&app, spans).await.status, StatusCode::OK);
    still_serving(&app, trace).await;
}

#[tokio::test]
async fn cycles_in_parent_ids_do_not_loop() {
    let app = spawn_app().await;
    let trace = tid(2);
    let now = loupe::domain::now_ns() as u64;
    // 1 → 2 → 3 → 1, a span that is its own parent, and a child hanging off the cycle.
    let spans = vec![
        span(trace, 1, Some(3), now - 900 * MS, now),
        span(trace, 2, Some(1), now - 800 * MS, now),
        span(trace, 3, Some(2), now - 700 * MS, now),
        span(trace, 4, Some(4), now - 600 * MS, now),
        span(trace, 5, Some(2), now - 500 * MS, now - 100 * MS),
    ];
    assert_eq!(send(&app, spans).await.status, StatusCode::OK);
    still_serving(&app, trace).await;
    assert_eq!(app.get_trace(&hex(trace)).await["spans"].as_array().unwrap().len(), 5, "every span is kept");
}

#[tokio::test]
async fn huge_attributes_are_stored_safely() {
    let app = spawn_app().await;
    let now = loupe::domain::now_ns() as u64;
    let trace = tid(3);
    let mut many = span(trace, 1, None, now - MS, now);
    many.attributes = (0..100_000).map(|i| s(&format!("attr.{i}"), "v")).collect();
    let mut long = span(trace, 2, Some(1), now - MS, now);
    long.attributes = vec![s("tool.output", &"x".repeat(10 * 1024 * 1024))];
    let a = send(&app, vec![many, long]).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    still_serving(&app, trace).await;
}

#[tokio::test]
async fn invalid_utf8_is_refused_with_a_message() {
    let app = spawn_app().await;
    let now = loupe::domain::now_ns() as u64;
    let trace = tid(4);
    let mut bytes = request("hostile", "test", vec![span(trace, 1, None, now - MS, now)]).encode_to_vec();
    // The span's name "step 1" becomes "st\xFFp 1": not UTF-8, which protobuf strings must be.
    let at = bytes.windows(6).position(|w| w == b"step 1").unwrap();
    bytes[at + 2] = 0xFF;
    let a = app.post_otlp(bytes, "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(!a.body.is_empty(), "the refusal says why");
    assert_eq!(app.stats().await, (0, 0));
}

#[tokio::test]
async fn duplicate_ids_and_the_ends_of_time_have_defined_answers() {
    let app = spawn_app().await;
    let now = loupe::domain::now_ns() as u64;
    let trace = tid(5);
    let dup = vec![span(trace, 1, None, now - 2 * MS, now), span(trace, 1, None, now - MS, now), span(trace, 2, Some(1), now - MS, now)];
    assert_eq!(send(&app, dup).await.status, StatusCode::OK);
    assert_eq!(app.get_trace(&hex(trace)).await["spans"].as_array().unwrap().len(), 2, "a span id is stored once");

    // Far past (the epoch's first nanosecond) is a time; beyond what fits in i64 is not.
    let old = tid(6);
    assert_eq!(send(&app, vec![span(old, 1, None, 1, 2)]).await.status, StatusCode::OK);
    still_serving(&app, old).await;
    let future = tid(7);
    let a = send(&app, vec![span(future, 1, None, u64::MAX - 1, u64::MAX), span(future, 2, None, now - MS, now)]).await;
    assert_eq!(a.status, StatusCode::OK, "a partial success");
    assert!(a.text().contains("out of range"), "names the problem: {}", a.text());
    still_serving(&app, future).await;
    assert_eq!(app.get_trace(&hex(future)).await["spans"].as_array().unwrap().len(), 1);
}
