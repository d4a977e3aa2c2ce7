//! Alerts firing end to end: spans over OTLP, a real webhook receiver on a local
//! port; matching, folding, grouping, retries, windows and restarts.

use crate::common;

use std::time::Duration;

use common::alerting::*;
use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::Internal;
use prost::Message;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_slow_tool_call_fires_once_with_a_link_to_the_span() {
    let app = spawn_app_with(&["--public-url", "https://loupe.example.com/"]).await;
    let hook = receiver(0).await;
    let rule = create_rule(&app, slow_tools(&hook.url, 0)).await;
    let mut rng = Rng::new(1);

    send_tool_call(&app, &mut rng, 1_500, false).await; // under the threshold
    let (trace_id, span_id) = send_tool_call(&app, &mut rng, 2_500, false).await;
    let got = hook.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let n = &got[0];
    assert_eq!(n["rule"]["name"], "slow tools");
    assert_eq!(n["rule"]["id"], rule["id"]);
    assert_eq!(n["trace_id"], trace_id.as_str());
    assert_eq!(n["span_id"], span_id.as_str());
    assert_eq!(n["link"], format!("https://loupe.example.com/traces/{trace_id}?span={span_id}"));
    assert_eq!(n["observed"], 2500.0);
    assert_eq!(n["threshold"], 2000.0);
    assert_eq!(n["count"], 1);
    assert_eq!(n["summary"], "execute_tool lookup_order took 2,500 ms (> 2,000 ms)");

    let history = settled_events(&app).await;
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["delivery"], "delivered");
    assert_eq!(history[0]["attempts"][0]["status"], 200);
    assert_eq!(history[0]["span_id"], span_id.as_str());

    // An exporter re-sending the same batch (a retry) stores nothing new and fires nothing.
    let rules = app.get("/api/alerts/rules").await.json();
    assert!(rules[0]["last_fired_ns"].as_i64().is_some(), "{rules}");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(events(&app).await.len(), 1);
}

#[tokio::test]
async fn a_retried_batch_does_not_fire_twice() {
    let app = spawn_app().await;
    let hook = receiver(0).await;
    create_rule(&app, slow_tools(&hook.url, 0)).await;
    let mut t = TraceBuilder::new(&mut Rng::new(9));
    let end = loupe::domain::now_ns() as u64;
    t.span(None, "execute_tool x", Internal, end - 3_000 * MS, end, vec![s("gen_ai.operation.name", "execute_tool")]);
    let body = request("agent", "test", t.spans).encode_to_vec();
    for _ in 0..2 {
        assert_eq!(app.post_otlp(body.clone(), "application/x-protobuf", None).await.status, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(1500)).await; // past the group wait: a new firing would notify
    }
    assert_eq!(hook.wait_for(2, Duration::from_secs(2)).await.len(), 1);
    assert_eq!(events(&app).await.len(), 1);
}

#[tokio::test]
async fn the_cooldown_folds_a_burst_into_one_notification_with_a_count() {
    let app = spawn_app().await;
    let hook = receiver(0).await;
    create_rule(&app, slow_tools(&hook.url, 300)).await;
    let mut rng = Rng::new(2);
    for _ in 0..20 {
        let ms = 2_100 + rng.range(0, 900);
        send_tool_call(&app, &mut rng, ms, false).await;
    }
    let got = hook.wait_for(2, Duration::from_secs(4)).await;
    assert_eq!(got.len(), 1, "one notification for the burst: {got:?}");
    assert!(got[0]["count"].as_u64().unwrap() >= 1);
    // Firings after the notification fold into the event's count too.
    for _ in 0..5 {
        send_tool_call(&app, &mut rng, 2_500, false).await;
    }
    tokio::time::sleep(Duration::from_millis(600)).await;
    let history = events(&app).await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0]["count"], 25);
    assert_eq!(hook.bodies().len(), 1);
}

#[tokio::test]
async fn a_cooldown_per_tool_notifies_each_tool_once() {
    let app = spawn_app().await;
    let hook = receiver(0).await;
    let mut rule = slow_tools(&hook.url, 300);
    rule["group_by"] = json!("tool");
    create_rule(&app, rule).await;
    let end = loupe::domain::now_ns() as u64;
    let mut t = TraceBuilder::new(&mut Rng::new(3));
    for (i, tool) in ["search", "search", "book", "search"].iter().enumerate() {
        let start = end - 3_000 * MS - i as u64 * MS;
        t.span(
            None,
            &format!("execute_tool {tool}"),
            Internal,
            start,
            end,
            vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", tool)],
        );
    }
    assert_eq!(
        app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await.status,
        StatusCode::OK
    );
    let got = hook.wait_for(3, Duration::from_secs(4)).await;
    let mut groups: Vec<(String, u64)> =
        got.iter().map(|b| (b["group"].as_str().unwrap().to_string(), b["count"].as_u64().unwrap())).collect();
    groups.sort();
    assert_eq!(groups, vec![("book".to_string(), 1), ("search".to_string(), 3)]);
}

#[tokio::test]
async fn a_failing_receiver_is_retried_and_every_attempt_recorded() {
    let app = spawn_app().await;
    let hook = receiver(2).await;
    create_rule(&app, slow_tools(&hook.url, 0)).await;
    send_tool_call(&app, &mut Rng::new(4), 2_600, false).await;
    let got = hook.wait_for(1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1);
    assert_eq!(*hook.tries.lock().unwrap(), 3);
    let history = settled_events(&app).await;
    let attempts: Vec<(u64, &str)> = history[0]["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["status"].as_u64().unwrap(), a["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(attempts, vec![(503, "retrying"), (503, "retrying"), (200, "delivered")]);
    assert_eq!(history[0]["delivery"], "delivered");
}

#[tokio::test]
async fn an_unreachable_receiver_is_retried() {
    let app = spawn_app().await;
    create_rule(&app, slow_tools("http://127.0.0.1:9/nothing-listens-here", 0)).await;
    send_tool_call(&app, &mut Rng::new(5), 2_600, false).await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    let e = events(&app).await;
    assert_eq!(e.len(), 1);
    assert_eq!(e[0]["attempts"][0]["outcome"], "retrying", "connection refused is retried: {e:?}");
    assert!(e[0]["attempts"][0]["error"].as_str().unwrap().contains("connect"), "{e:?}");
}

#[tokio::test]
async fn a_window_rule_fires_on_error_rate() {
    let app = spawn_app_with(&["--alert-window-interval-s", "1"]).await;
    let hook = receiver(0).await;
    create_rule(
        &app,
        json!({"name": "tool errors", "match": {"kind": "tool"},
               "condition": {"type": "window_error_rate", "window_min": 5, "threshold_pct": 20, "min_count": 5},
               "channels": [{"type": "webhook", "url": hook.url, "format": "slack"}], "cooldown_s": 600}),
    )
    .await;
    let mut rng = Rng::new(6);
    for i in 0..10 {
        send_tool_call(&app, &mut rng, 50, i < 4).await;
    }
    let got = hook.wait_for(1, Duration::from_secs(8)).await;
    assert_eq!(got.len(), 1, "{got:?}");
    let text = got[0]["text"].as_str().unwrap();
    assert!(text.contains("*tool errors*: 4 of 10 kind = tool spans failed over 5 min: 40% (&gt; 20%)"), "{text}");
    assert!(text.contains("/traces/"), "links the trace of a failed span: {text}");
    let e = events(&app).await;
    assert_eq!(e[0]["observed"], 40.0);
    // Evaluated every second, but the cooldown holds further notifications back.
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(hook.bodies().len(), 1);
    assert!(events(&app).await[0]["count"].as_u64().unwrap() >= 2, "later evaluations fold into the count");
}

#[tokio::test]
async fn cooldowns_survive_a_restart() {
    let mut app = spawn_app().await;
    let hook = receiver(0).await;
    create_rule(&app, slow_tools(&hook.url, 600)).await;
    let mut rng = Rng::new(10);
    send_tool_call(&app, &mut rng, 2_500, false).await;
    assert_eq!(hook.wait_for(1, Duration::from_secs(5)).await.len(), 1);
    settled_events(&app).await;
    app.stop().await;
    app.restart().await;
    send_tool_call(&app, &mut rng, 2_500, false).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(hook.bodies().len(), 1, "still in the cooldown after a restart");
    assert_eq!(events(&app).await[0]["count"], 2);
}
