//! A trace's log records live and die with it: a log alert rule fires on a
//! record once with the span's link; tail sampling holds records with their
//! trace's spans and keeps or drops them together (an error logged keeps the
//! trace); retention deletes them with their traces, standalone ones by age,
//! and takes their bytes off the size count; export and import carry them.

use crate::common;

use std::time::Duration;

use common::alerting::*;
use common::*;
use loupe::synth::{MS, Rng};
use opentelemetry_proto::tonic::common::v1::{AnyValue, any_value::Value as Av};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use prost::Message;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|b| format!("{b:02x}")).collect()
}

/// A record at `severity` (9 INFO, 13 WARN, 17 ERROR) with a text body, in a trace and span when given.
fn record(trace: Option<&[u8]>, span: Option<&[u8]>, severity: i32, time_ns: u64, body: &str) -> LogRecord {
    LogRecord {
        time_unix_nano: time_ns,
        severity_number: severity,
        body: Some(AnyValue { value: Some(Av::StringValue(body.into())) }),
        trace_id: trace.map(<[u8]>::to_vec).unwrap_or_default(),
        span_id: span.map(<[u8]>::to_vec).unwrap_or_default(),
        ..Default::default()
    }
}

async fn send_logs(app: &TestApp, service: &str, records: Vec<LogRecord>) {
    let body = loupe::synth::logs::request(service, "test", records).encode_to_vec();
    let a = app.post_logs(body, "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
}

async fn trace_logs(app: &TestApp, trace: &[u8]) -> (StatusCode, Vec<String>) {
    let a = app.get(&format!("/api/traces/{}/logs", hex(trace))).await;
    let bodies = if a.status == StatusCode::OK {
        a.json()["logs"].as_array().unwrap().iter().map(|l| l["body"].as_str().unwrap_or_default().to_string()).collect()
    } else {
        Vec::new()
    };
    (a.status, bodies)
}

fn now_ns() -> u64 {
    loupe::domain::now_ns() as u64
}

#[tokio::test]
async fn a_log_rule_fires_once_with_a_link_to_the_span_that_logged() {
    let app = spawn_app_with(&["--public-url", "https://loupe.example.com/"]).await;
    let hook = receiver(0).await;
    let bad = app
        .send_json(
            Method::POST,
            "/api/alerts/rules",
            &json!({"name": "x", "match": {"kind": "tool"}, "condition": {"type": "log_severity", "min_severity": "error"}}),
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("match.kind: a log rule matches"), "{}", bad.text());
    let rule = json!({"name": "payment errors", "match": {"service": "checkout"},
                      "condition": {"type": "log_severity", "min_severity": "error"},
                      "channels": [{"type": "webhook", "url": hook.url, "format": "json"}], "cooldown_s": 600});
    create_rule(&app, rule.clone()).await;

    let (trace_id, span_id) = send_tool_call(&app, &mut Rng::new(4), 100, false).await;
    let (t, s) = (unhex(&trace_id), unhex(&span_id));
    let now = now_ns();
    // A warning (below the rule), an error from another service, then the error the rule is for.
    send_logs(&app, "checkout", vec![record(Some(&t), Some(&s), 13, now, "card issuer slow")]).await;
    send_logs(&app, "search", vec![record(Some(&t), Some(&s), 17, now + MS, "index offline")]).await;
    let error = vec![record(Some(&t), Some(&s), 17, now + 2 * MS, "HTTP 429 from the payment API, retrying in 50 ms")];
    send_logs(&app, "checkout", error.clone()).await;
    let got = hook.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let n = &got[0];
    assert_eq!(n["rule"]["name"], "payment errors");
    assert_eq!(n["summary"], "checkout logged ERROR: HTTP 429 from the payment API, retrying in 50 ms");
    assert_eq!(n["link"], format!("https://loupe.example.com/traces/{trace_id}?span={span_id}"));
    assert_eq!((n["trace_id"].as_str(), n["span_id"].as_str()), (Some(trace_id.as_str()), Some(span_id.as_str())));
    assert_eq!(n["observed"], 17.0);

    // The exporter's retry of the same record is stored once and fires nothing;
    // a second error within the cooldown is folded into the first notification.
    send_logs(&app, "checkout", error).await;
    send_logs(&app, "checkout", vec![record(Some(&t), Some(&s), 17, now + 3 * MS, "payment API down")]).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hook.bodies().len(), 1);
    let history = settled_events(&app).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["count"], 2, "{history:?}");

    // The preview replays the stored records: both checkout errors, one notification.
    let preview = app.send_json(Method::POST, "/api/alerts/preview", &rule).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.text());
    let p = preview.json();
    assert_eq!((p["matching_spans"].as_u64(), p["firings"].as_u64(), p["notifications"].as_u64()), (Some(2), Some(2), Some(1)), "{p}");
    assert_eq!(p["of_logs"], true);
}

const SAMPLED: [&str; 6] = ["--sample", "0.5", "--sample-grace", "1s", "--sample-max-wait", "2s"];

/// A trace id whose byte 8 puts it in (or out of) the kept half at 0.5.
fn tid(n: u8, in_half: bool) -> [u8; 16] {
    let mut t = [0x4d; 16];
    t[8] = if in_half { 0x10 } else { 0x90 };
    t[15] = n;
    t
}

async fn send_trace(app: &TestApp, t: [u8; 16]) {
    let span = opentelemetry_proto::tonic::trace::v1::Span {
        trace_id: t.to_vec(),
        span_id: 1u64.to_be_bytes().to_vec(),
        name: "answer".into(),
        kind: 1,
        start_time_unix_nano: now_ns() - 200 * MS,
        end_time_unix_nano: now_ns(),
        ..Default::default()
    };
    let body = loupe::synth::request("sampled", "test", vec![span]).encode_to_vec();
    assert_eq!(app.post_otlp(body, "application/x-protobuf", None).await.status, StatusCode::OK);
}

async fn decided_traces(app: &TestApp) -> u64 {
    let v = app.get("/api/sampling").await.json();
    v["counts"].as_array().unwrap().iter().map(|c| c["traces"].as_u64().unwrap()).sum()
}

async fn until_decided(app: &TestApp, n: u64) {
    for _ in 0..200 {
        if decided_traces(app).await >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} traces decided: {}", app.get("/api/sampling").await.text());
}

#[tokio::test]
async fn tail_sampling_keeps_or_drops_a_traces_logs_with_it() {
    let app = spawn_app_with(&SAMPLED).await;
    let (kept, dropped, error_logged, logs_only) = (tid(1, true), tid(2, false), tid(3, false), tid(4, true));
    let span = 1u64.to_be_bytes();
    let now = now_ns();
    // Logs before their spans, for one trace; after, for the others; a trace with logs only.
    send_logs(&app, "sampled", vec![record(Some(&kept), Some(&span), 9, now, "kept: planning")]).await;
    for t in [kept, dropped, error_logged] {
        send_trace(&app, t).await;
    }
    send_logs(
        &app,
        "sampled",
        vec![
            record(Some(&dropped), Some(&span), 13, now, "dropped: slow cache"),
            record(Some(&error_logged), Some(&span), 17, now, "error-logged: upstream refused"),
            record(Some(&logs_only), None, 9, now, "logs-only: queued"),
            record(None, None, 9, now, "standalone: nightly job started"),
        ],
    )
    .await;
    // Held, like the spans: not shown before the decision (the standalone record is).
    assert_eq!(trace_logs(&app, &kept).await.0, StatusCode::NOT_FOUND);
    let standalone = app.get("/api/logs?trace=no&since=1h").await.json();
    assert_eq!(standalone["logs"][0]["body"], "standalone: nightly job started", "{standalone}");

    until_decided(&app, 4).await;
    assert_eq!(trace_logs(&app, &kept).await, (StatusCode::OK, vec!["kept: planning".to_string()]));
    assert_eq!(trace_logs(&app, &dropped).await.0, StatusCode::NOT_FOUND, "dropped with its spans");
    assert_eq!(trace_logs(&app, &error_logged).await, (StatusCode::OK, vec!["error-logged: upstream refused".to_string()]));
    assert_eq!(app.get(&format!("/api/traces/{}", hex(&error_logged))).await.status, StatusCode::OK, "an error logged keeps the trace");
    assert_eq!(trace_logs(&app, &logs_only).await.0, StatusCode::OK, "a trace of logs only is sampled by its id too");
    let v = app.get("/api/sampling").await.json();
    let error = v["counts"].as_array().unwrap().iter().find(|c| c["reason"] == "error").unwrap();
    assert_eq!(error["traces"], 1, "{v}");

    // A late record of the dropped trace is decided as the trace was.
    send_logs(&app, "sampled", vec![record(Some(&dropped), Some(&span), 9, now + MS, "dropped: late")]).await;
    until_decided(&app, 5).await;
    assert_eq!(trace_logs(&app, &dropped).await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/sampling").await.json()["pending_spans"], 0);
}

#[tokio::test]
async fn retention_deletes_logs_with_their_traces_and_by_age_and_counts_their_bytes() {
    let app = spawn_app_with(&["--retain", "30d", "--retention-every", "1s"]).await;
    let store = app.running().store.clone();
    let day = 86_400_000 * MS;
    let now = now_ns();
    let (trace_id, span_id) = send_tool_call(&app, &mut Rng::new(8), 100, false).await;
    let (t, s) = (unhex(&trace_id), unhex(&span_id));
    send_logs(&app, "api", vec![record(Some(&t), Some(&s), 13, now, "recent: kept"), record(None, None, 9, now, "recent standalone")])
        .await;
    let recent = store.counted_bytes().await.unwrap();

    // An old trace with its records, an old standalone record, an old trace of logs only.
    let old = [0x0d; 16];
    let span = |id: u64, parent: Option<u64>| opentelemetry_proto::tonic::trace::v1::Span {
        trace_id: old.to_vec(),
        span_id: id.to_be_bytes().to_vec(),
        parent_span_id: parent.map(|p| p.to_be_bytes().to_vec()).unwrap_or_default(),
        name: "handle".into(),
        kind: 1,
        start_time_unix_nano: now - 40 * day,
        end_time_unix_nano: now - 40 * day + 300 * MS,
        ..Default::default()
    };
    let body = loupe::synth::request("api", "test", vec![span(1, None), span(2, Some(1))]).encode_to_vec();
    assert_eq!(app.post_otlp(body, "application/x-protobuf", None).await.status, StatusCode::OK);
    let one = 1u64.to_be_bytes();
    send_logs(
        &app,
        "api",
        vec![
            record(Some(&old), Some(&one), 17, now - 40 * day + MS, "old: failed"),
            record(None, None, 9, now - 40 * day, "old standalone"),
            record(Some(&[0x0e; 16]), None, 9, now - 35 * day, "old logs-only"),
        ],
    )
    .await;
    assert!(store.counted_bytes().await.unwrap() > recent, "records count in the size");

    let mut left = Vec::new();
    for _ in 0..100 {
        let all = app.get("/api/logs?since=365d").await.json();
        left = all["logs"].as_array().unwrap().iter().map(|l| l["body"].as_str().unwrap().to_string()).collect();
        if left.len() == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    left.sort();
    assert_eq!(left, ["recent standalone", "recent: kept"]);
    assert_eq!(app.get(&format!("/api/traces/{}", hex(&old))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(store.counted_bytes().await.unwrap(), recent, "every deleted record's bytes came off the count");
}

#[tokio::test]
async fn an_exported_trace_carries_its_logs_into_another_loupe() {
    let from = spawn_app().await;
    assert_eq!(from.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    let id = fixture_trace_id("genai.pb");
    let trace = from.get_trace(&id).await;
    let span_id = trace["spans"][0]["span_id"].as_str().unwrap().to_string();
    let (t, s) = (unhex(&id), unhex(&span_id));
    let now = now_ns();
    let mut warning = record(Some(&t), Some(&s), 13, now, "retrying with a smaller model");
    warning.attributes = vec![loupe::synth::s("retry.attempt", "2")];
    send_logs(&from, "travel-agent", vec![warning, record(Some(&t), None, 9, now + MS, "trace-level note")]).await;

    let exported = from.get(&format!("/api/traces/{id}/export")).await;
    assert_eq!(exported.status, StatusCode::OK);
    assert_eq!(exported.headers["x-loupe-logs-truncated"], "false");
    let doc = exported.json();
    let records = doc["resourceLogs"][0]["scopeLogs"][0]["logRecords"].as_array().expect("the logs beside the spans");
    assert_eq!(records.len(), 2, "{doc}");

    let file = from.dir.path().join("trace.json");
    std::fs::write(&file, &exported.body).unwrap();
    let to = spawn_app().await;
    loupe::import::run(&to.base, &[file], None).await.expect("import");
    let path = format!("/api/traces/{id}/logs");
    let (a, b) = (from.get(&path).await.json()["logs"].clone(), to.get(&path).await.json()["logs"].clone());
    let (a, b) = (a.as_array().unwrap(), b.as_array().unwrap());
    assert_eq!(a.len(), 2);
    let fields = ["time_ns", "observed_ns", "severity_number", "body", "attributes", "trace_id", "span_id", "service", "content_policy"];
    for (x, y) in a.iter().zip(b) {
        for field in fields {
            assert_eq!(x[field], y[field], "{field}: {x} vs {y}");
        }
    }
    assert_eq!(b[0]["attributes"], json!({"retry.attempt": "2"}));
    let _: Value = to.get_trace(&id).await;
}
