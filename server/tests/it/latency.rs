//! Per-step latency through the API: exact counts, percentiles within the stated
//! bound, steps with folded names, p95 by hour, the spans behind a bucket, and the
//! rollup rebuilt for spans stored before it existed.

use crate::common;

use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Internal, Server};
use prost::Message;
use reqwest::StatusCode;
use serde_json::Value;

use app::model::latency::{RELATIVE_ERROR, bucket_of};

fn near(got: &Value, want_ns: u64) -> bool {
    let got = got.as_f64().unwrap();
    (got - want_ns as f64).abs() / want_ns as f64 <= RELATIVE_ERROR + 1e-9
}

/// One trace: 20 lookups of 100 ms, one of 2 s that failed, 10 model calls of
/// 500 ms, and three evaluation cases. Returns the trace id and the slow span's id.
async fn send_known_trace(app: &TestApp) -> (String, String) {
    let t0 = (loupe::domain::now_ns() as u64) - 3_600_000 * MS;
    let mut rng = Rng::new(5);
    let mut t = TraceBuilder::new(&mut rng);
    let root = t.span(None, "agent run", Server, t0, t0 + 30_000 * MS, vec![s("gen_ai.operation.name", "invoke_agent")]);
    let tool = || vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", "lookup_order")];
    for n in 0..20 {
        let at = t0 + n * 100 * MS;
        t.span(Some(root), "execute_tool lookup_order", Internal, at, at + 100 * MS, tool());
    }
    let slow = t.span(Some(root), "execute_tool lookup_order", Internal, t0 + 2_000 * MS, t0 + 4_000 * MS, tool());
    t.fail_last("TimeoutError", "lookup_order timed out");
    for n in 0..10 {
        let at = t0 + 5_000 * MS + n * 500 * MS;
        t.span(
            Some(root),
            "chat gpt-4o",
            Client,
            at,
            at + 500 * MS,
            vec![s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", "gpt-4o")],
        );
    }
    for n in 1..=3 {
        let at = t0 + 10_000 * MS + n * 1_000 * MS;
        t.span(Some(root), &format!("case {n}"), Internal, at, at + 300 * MS, vec![s("openinference.span.kind", "CHAIN")]);
    }
    let id = t.trace_id_hex();
    let a = app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    (id, slow.iter().map(|b| format!("{b:02x}")).collect())
}

fn row<'a>(report: &'a Value, kind: &str) -> &'a Value {
    report["rows"].as_array().unwrap().iter().find(|r| r["kind"] == kind).unwrap_or_else(|| panic!("no {kind} row in {report}"))
}

#[tokio::test]
async fn percentiles_histograms_steps_series_and_bucket_spans() {
    let mut app = spawn_app().await;
    let (trace_id, slow_id) = send_known_trace(&app).await;

    let by_kind = app.get("/api/stats/latency").await;
    assert_eq!(by_kind.status, StatusCode::OK, "{}", by_kind.text());
    let by_kind = by_kind.json();
    assert!((by_kind["relative_error"].as_f64().unwrap() - RELATIVE_ERROR).abs() < 1e-12);
    let tool = row(&by_kind, "tool");
    assert_eq!(tool["count"], 21);
    assert_eq!(tool["errors"], 1);
    assert_eq!(tool["max_ns"], 2_000 * MS);
    assert!(near(&tool["p50_ns"], 100 * MS), "{}", tool["p50_ns"]);
    assert!(near(&tool["p95_ns"], 100 * MS), "20 of 21 are 100 ms: {}", tool["p95_ns"]);
    assert_eq!(tool["p99_ns"], 2_000 * MS, "the top rank is the 2 s call, capped at the real maximum");
    let buckets = tool["buckets"].as_array().unwrap();
    assert_eq!(buckets.len(), 2);
    assert_eq!(buckets[0]["bucket"], bucket_of((100 * MS) as i64));
    assert_eq!(buckets[0]["count"], 20);
    assert!(buckets[0]["lower_ns"].as_u64().unwrap() < 100 * MS && 100 * MS <= buckets[0]["upper_ns"].as_u64().unwrap());
    let llm = row(&by_kind, "llm");
    assert_eq!((llm["count"].as_u64(), llm["errors"].as_u64()), (Some(10), Some(0)));
    assert!(near(&llm["p95_ns"], 500 * MS));
    assert_eq!(by_kind["rows"][0]["kind"], "agent", "slowest p95 first: the 30 s root");

    // By step: the three cases are one step, numbers folded.
    let chain = app.get("/api/stats/latency?group_by=name&kind=chain").await.json();
    let names: Vec<&str> = chain["rows"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["case {n}"]);
    assert_eq!(chain["rows"][0]["count"], 3);

    let series = app.get("/api/stats/latency/series?kind=tool&step=execute_tool%20lookup_order").await.json();
    let points = series.as_array().unwrap();
    assert_eq!(points.iter().map(|p| p["count"].as_u64().unwrap()).sum::<u64>(), 21);

    let bucket = bucket_of((2_000 * MS) as i64);
    let spans = app.get(&format!("/api/stats/latency/spans?kind=tool&step=execute_tool%20lookup_order&bucket={bucket}")).await.json();
    let spans = spans.as_array().unwrap();
    assert_eq!(spans.len(), 1);
    assert_eq!((spans[0]["trace_id"].as_str(), spans[0]["span_id"].as_str()), (Some(trace_id.as_str()), Some(slow_id.as_str())));
    assert_eq!(spans[0]["error"], true);

    // Outside the range: nothing.
    let old = app.get("/api/stats/latency?since=1000000&until=2000000").await.json();
    assert!(old["rows"].as_array().unwrap().is_empty());

    for (query, says) in [
        ("group_by=span", "group_by must be"),
        ("kind=robot", "is not a step kind"),
        ("since=1h&until=2h", "until must be after since"),
        ("since=yesterday", "since must be"),
    ] {
        let a = app.get(&format!("/api/stats/latency?{query}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{query}");
        assert!(a.text().contains(says), "{query}: {}", a.text());
    }
    let a = app.get("/api/stats/latency/spans?kind=tool").await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST);
    assert!(a.text().contains("bucket must be"));
    app.stop().await;
}

#[tokio::test]
async fn spans_stored_before_the_rollup_are_counted_in_at_start() {
    if on_postgres() {
        // A PostgreSQL database starts with the whole schema: nothing predates the rollup.
        return;
    }
    let mut app = spawn_app().await;
    send_known_trace(&app).await;
    let before = app.get("/api/stats/latency?group_by=name").await.json();
    app.stop().await;

    // Make the database look as it did before the rollup existed.
    let db = app.dir.path().join("loupe.db");
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts).await.unwrap();
    for sql in ["UPDATE spans SET step = NULL", "DELETE FROM step_latency", "INSERT INTO step_backfill (pending) VALUES (1)"] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    sqlx::Connection::close(conn).await.unwrap();

    app.restart().await;
    let after = app.get("/api/stats/latency?group_by=name").await.json();
    assert_eq!(after["rows"], before["rows"]);
    assert_eq!(row(&after, "tool")["count"], 21);
    app.stop().await;
}
