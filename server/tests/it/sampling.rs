//! Tail sampling end to end: spans are held on disk until their trace is
//! decided; errors, alert matches and slow traces are kept whatever the
//! fraction; the fraction follows the trace id; late spans join a kept trace;
//! held spans survive a restart (and are all kept when sampling is turned
//! off); beyond the pending cap the oldest traces are decided early.

use crate::common;

use std::time::Duration;

use common::*;
use loupe::synth::{MS, request};
use opentelemetry_proto::tonic::trace::v1::{Span, Status, status::StatusCode as OtelStatus};
use prost::Message;
use reqwest::StatusCode;
use serde_json::{Value, json};

const T0: u64 = 1_780_000_000_000 * MS;

/// A trace id whose byte 8 decides the fraction at 0.5: below 0x80 it is in
/// the kept half, from 0x80 it is not (`sampling::policy::in_fraction`).
fn tid(n: u8, in_half: bool) -> [u8; 16] {
    let mut t = [0x3c; 16];
    t[8] = if in_half { 0x10 } else { 0x90 };
    t[15] = n;
    t
}

fn hex(t: [u8; 16]) -> String {
    t.iter().map(|b| format!("{b:02x}")).collect()
}

fn span(trace: [u8; 16], id: u64, parent: Option<u64>, name: &str, start: u64, ms: u64) -> Span {
    Span {
        trace_id: trace.to_vec(),
        span_id: id.to_be_bytes().to_vec(),
        parent_span_id: parent.map(|p| p.to_be_bytes().to_vec()).unwrap_or_default(),
        name: name.into(),
        kind: 1,
        start_time_unix_nano: start,
        end_time_unix_nano: start + ms * MS,
        ..Default::default()
    }
}

/// A root and one child, `ms` long in all.
fn trace(t: [u8; 16], ms: u64) -> Vec<Span> {
    vec![span(t, 1, None, "answer", T0, ms), span(t, 2, Some(1), "lookup", T0 + MS, ms / 2)]
}

async fn send(app: &TestApp, spans: Vec<Span>) {
    let a = app.post_otlp(request("sampled", "test", spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
}

async fn sampling(app: &TestApp) -> Value {
    let a = app.get("/api/sampling").await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    a.json()
}

fn decided(v: &Value) -> u64 {
    v["counts"].as_array().unwrap().iter().map(|c| c["traces"].as_u64().unwrap()).sum()
}

fn count_of(v: &Value, reason: &str) -> u64 {
    v["counts"].as_array().unwrap().iter().find(|c| c["reason"] == reason).map_or(0, |c| c["traces"].as_u64().unwrap())
}

/// Waits until `n` traces in all have been decided.
async fn until_decided(app: &TestApp, n: u64) -> Value {
    for _ in 0..200 {
        let v = sampling(app).await;
        if decided(&v) >= n {
            return v;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("fewer than {n} traces decided: {}", sampling(app).await);
}

async fn status_of(app: &TestApp, t: [u8; 16]) -> StatusCode {
    app.get(&format!("/api/traces/{}", hex(t))).await.status
}

const SAMPLED: [&str; 8] = ["--sample", "0.5", "--sample-grace", "1s", "--sample-max-wait", "2s", "--sample-slower-than", "2s"];

#[tokio::test]
async fn errors_alert_matches_and_slow_traces_are_kept_and_half_of_the_rest_by_id() {
    let app = spawn_app_with(&SAMPLED).await;
    let rule =
        json!({"name": "slow card checks", "match": {"name": "fetch-card"}, "condition": {"type": "span_duration", "threshold_ms": 500}});
    assert_eq!(app.send_json(reqwest::Method::POST, "/api/alerts/rules", &rule).await.status, StatusCode::CREATED);

    let kept_by_id: Vec<_> = (0..10).map(|n| tid(n, true)).collect();
    let dropped_by_id: Vec<_> = (10..20).map(|n| tid(n, false)).collect();
    let (failed, slow, alerting) = (tid(30, false), tid(31, false), tid(32, false));
    let mut spans: Vec<Span> = kept_by_id.iter().chain(&dropped_by_id).flat_map(|&t| trace(t, 100)).collect();
    let mut error_trace = trace(failed, 100);
    error_trace[1].status = Some(Status { code: OtelStatus::Error as i32, message: "card declined".into() });
    spans.extend(error_trace);
    spans.extend(trace(slow, 3000));
    let mut alert_trace = trace(alerting, 1200);
    alert_trace[1].name = "fetch-card".into(); // 600 ms: the rule fires
    spans.extend(alert_trace);
    send(&app, spans).await;

    // Acknowledged, on disk, and not yet in the trace list: held for a decision.
    let held = sampling(&app).await;
    assert_eq!(held["policy"]["fraction"], 0.5);
    assert_eq!(held["policy"]["slower_than_ns"], 2_000_000_000i64);
    assert!(held["pending_spans"].as_u64().unwrap() > 0, "{held}");

    let v = until_decided(&app, 23).await;
    assert_eq!(
        [count_of(&v, "error"), count_of(&v, "alert"), count_of(&v, "slow"), count_of(&v, "fraction"), count_of(&v, "sampled_out")],
        [1, 1, 1, 10, 10],
        "{v}"
    );
    assert_eq!(v["pending_spans"], 0);
    for &t in kept_by_id.iter().chain([&failed, &slow, &alerting]) {
        assert_eq!(status_of(&app, t).await, StatusCode::OK, "{} is kept", hex(t));
        assert_eq!(app.get_trace(&hex(t)).await["spans"].as_array().unwrap().len(), 2, "kept whole");
    }
    for &t in &dropped_by_id {
        assert_eq!(status_of(&app, t).await, StatusCode::NOT_FOUND, "{} is dropped", hex(t));
    }
    assert_eq!(app.stats().await, (13, 26));
    // The alert fired on the kept span, as it would have without sampling.
    let fired = app.get("/api/alerts/events").await.json();
    assert!(fired.as_array().unwrap().iter().any(|e| e["trace_id"] == hex(alerting).as_str()), "{fired}");

    let metrics = app.get("/metrics").await.text();
    for line in [
        "loupe_sampling_traces_total{decision=\"dropped\",reason=\"sampled_out\"} 10",
        "loupe_sampling_spans_total{decision=\"dropped\",reason=\"sampled_out\"} 20",
        "loupe_sampling_traces_total{decision=\"kept\",reason=\"error\"} 1",
        "loupe_sampling_pending_spans 0",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }

    // The settings page shows the policy and the counts.
    let page = app.get("/settings").await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains("data-testid=\"sampling-policy\"") && html.contains("50% of the rest"), "{html}");
    assert!(html.contains("23 traces decided: 13 kept (56.5%), 10 dropped."), "{html}");
    assert!(html.contains("data-reason=\"sampled_out\""));
}

#[tokio::test]
async fn late_spans_join_a_kept_trace_and_a_trace_without_root_waits_for_max_wait() {
    let app = spawn_app_with(&SAMPLED).await;
    let kept = tid(1, true);
    send(&app, trace(kept, 100)).await;
    until_decided(&app, 1).await;
    // A span of the kept trace exported after the decision: it joins the trace.
    send(&app, vec![span(kept, 3, Some(1), "late", T0 + 50 * MS, 10)]).await;
    // Children whose root never comes, of a trace outside the fraction but slow.
    let orphan = tid(2, false);
    send(&app, vec![span(orphan, 7, Some(99), "child", T0, 2500)]).await;
    let v = until_decided(&app, 3).await;
    assert_eq!(count_of(&v, "stored"), 1, "{v}");
    assert_eq!(count_of(&v, "slow"), 1, "{v}");
    assert_eq!(app.get_trace(&hex(kept)).await["spans"].as_array().unwrap().len(), 3);
    assert_eq!(status_of(&app, orphan).await, StatusCode::OK);
}

#[tokio::test]
async fn held_spans_survive_a_restart_and_are_kept_when_sampling_is_turned_off() {
    // Grace of an hour: nothing is decided while this server runs.
    let mut app = spawn_app_with(&["--sample", "0", "--sample-grace", "1h", "--sample-max-wait", "1h"]).await;
    let (a, b) = (tid(1, false), tid(2, true));
    send(&app, trace(a, 100)).await;
    send(&app, trace(b, 100)).await;
    assert_eq!(sampling(&app).await["pending_spans"], 4);
    assert_eq!(app.stats().await, (0, 0));
    app.stop().await;

    // Started again without --sample: the held traces are kept, whole.
    let mut plain = spawn_app_on(std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap()), app.db.clone(), &[]).await;
    let v = sampling(&plain).await;
    assert_eq!(v["policy"], Value::Null);
    assert_eq!(count_of(&v, "sampling_off"), 2, "{v}");
    assert_eq!(plain.stats().await, (2, 4));
    let page = plain.get("/settings").await.text();
    assert!(page.contains("Sampling is off: every trace is kept."), "{page}");
    plain.stop().await;
}

#[tokio::test]
async fn a_restarted_sampler_decides_what_it_held_before() {
    let mut app = spawn_app_with(&["--sample", "0", "--sample-grace", "1h", "--sample-max-wait", "1h"]).await;
    let failed = tid(5, false);
    let mut spans = trace(failed, 100);
    spans[0].status = Some(Status { code: OtelStatus::Error as i32, message: "boom".into() });
    send(&app, spans).await;
    send(&app, trace(tid(6, false), 100)).await;
    app.stop().await;
    let restarted = spawn_app_on(
        std::mem::replace(&mut app.dir, tempfile::tempdir().unwrap()),
        app.db.clone(),
        &["--sample", "0", "--sample-grace", "100ms"],
    )
    .await;
    let v = until_decided(&restarted, 2).await;
    assert_eq!((count_of(&v, "error"), count_of(&v, "sampled_out")), (1, 1), "{v}");
    assert_eq!(status_of(&restarted, failed).await, StatusCode::OK);
}

#[tokio::test]
async fn beyond_the_pending_cap_the_oldest_traces_are_decided_early() {
    let app = spawn_app_with(&["--sample", "1", "--sample-grace", "1h", "--sample-max-wait", "1h", "--sample-max-pending", "4"]).await;
    for n in 0..5 {
        send(&app, trace(tid(n, true), 100)).await;
    }
    // Ten spans held, four allowed: the three oldest traces are decided now.
    let v = until_decided(&app, 3).await;
    assert_eq!(v["decided_at_cap"], 3, "{v}");
    assert_eq!(v["pending_spans"], 4);
    for n in 0..3 {
        assert_eq!(status_of(&app, tid(n, true)).await, StatusCode::OK);
    }
    assert_eq!(status_of(&app, tid(4, true)).await, StatusCode::NOT_FOUND, "still held");
    let html = app.get("/settings").await.text();
    assert!(html.contains("data-testid=\"decided-at-cap\""), "{html}");
}

#[tokio::test]
async fn bad_sampling_flags_are_refused_with_the_rule() {
    use clap::Parser;
    for (flag, value, says) in
        [("--sample", "1.5", "from 0 to 1"), ("--sample-grace", "soon", "like 250ms"), ("--sample-slower-than", "5", "like 250ms")]
    {
        let err = loupe::cli::Cli::try_parse_from(["loupe", "serve", flag, value]).unwrap_err().to_string();
        assert!(err.contains(says), "{flag} {value}: {err}");
    }
}
