//! Two Loupe processes on one PostgreSQL database, as replicas behind a load
//! balancer: either accepts spans and serves what the other stored; a rule made
//! through one fires for spans sent to the other; a burst seen by both notifies
//! once; a window rule is judged once per interval, not once per replica.
//! PostgreSQL only (an SQLite file belongs to one process).

use crate::common;

use std::time::{Duration, Instant};

use common::alerting::{create_rule, events, receiver, send_tool_call, slow_tools};
use common::*;
use loupe::synth::Rng;
use serde_json::json;

const KEY: &str = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e";

async fn replicas(extra: &[&str]) -> (TestApp, TestApp) {
    let first_dir = tempfile::tempdir().unwrap();
    let db = TestDb::fresh(first_dir.path()).await;
    let mut args = vec!["--content-key", KEY];
    args.extend_from_slice(extra);
    let a = spawn_app_on(first_dir, db.clone(), &args).await;
    let b = spawn_app_on(tempfile::tempdir().unwrap(), db, &args).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replicas_share_traces_and_a_burst_on_both_notifies_once() {
    if !on_postgres() {
        return;
    }
    let (a, b) = replicas(&[]).await;
    let hook = receiver(0).await;
    let rule = create_rule(&a, slow_tools(&hook.url, 600)).await;
    // Replica b learns of the rule from the database within a couple of seconds.
    tokio::time::sleep(Duration::from_millis(2500)).await;

    let mut rng = Rng::new(7);
    let mut traces = Vec::new();
    for i in 0..6 {
        let app = if i % 2 == 0 { &a } else { &b };
        traces.push(send_tool_call(app, &mut rng, 2500, false).await.0);
    }
    // What one replica stored, the other serves.
    for t in &traces {
        assert_eq!(a.get(&format!("/api/traces/{t}")).await.status, reqwest::StatusCode::OK);
        assert_eq!(b.get(&format!("/api/traces/{t}")).await.status, reqwest::StatusCode::OK);
    }
    assert_eq!(hook.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    // Both engines have saved their folded counts by now (they tick every 200 ms).
    let deadline = Instant::now() + Duration::from_secs(10);
    let events = loop {
        let e = events(&b).await;
        if e.first().is_some_and(|e| e["count"] == 6) || Instant::now() > deadline {
            break e;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(events.len(), 1, "one event for the burst: {events:?}");
    assert_eq!(events[0]["rule_id"], rule["id"]);
    assert_eq!(events[0]["count"], 6, "every firing counted, from both replicas");
    tokio::time::sleep(Duration::from_millis(1000)).await;
    assert_eq!(hook.bodies().len(), 1, "notified once, not once per replica");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_window_rule_is_judged_once_per_interval_across_replicas() {
    if !on_postgres() {
        return;
    }
    let (a, b) = replicas(&["--alert-window-interval-s", "1"]).await;
    let hook = receiver(0).await;
    let mut rng = Rng::new(9);
    for app in [&a, &b, &a] {
        send_tool_call(app, &mut rng, 10, false).await;
    }
    create_rule(
        &a,
        json!({"name": "busy tools", "match": {"kind": "tool"}, "condition": {"type": "window_count", "window_min": 5, "threshold": 2},
               "channels": [{"type": "webhook", "url": hook.url, "format": "json"}], "cooldown_s": 600}),
    )
    .await;
    let started = Instant::now();
    assert_eq!(hook.wait_for(1, Duration::from_secs(10)).await.len(), 1);
    tokio::time::sleep(Duration::from_millis(4000)).await;
    let seconds = started.elapsed().as_secs_f64();
    let events = events(&a).await;
    assert_eq!(events.len(), 1, "{events:?}");
    let count = events[0]["count"].as_u64().unwrap() as f64;
    // One evaluation per second in all; per replica it would be about twice that.
    assert!(count <= seconds + 1.5, "{count} evaluations in {seconds:.1} s");
    assert_eq!(hook.bodies().len(), 1, "notified once");
}
