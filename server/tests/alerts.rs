//! Alert rules end to end: spans over OTLP, a real webhook receiver on a local
//! port, the rules and history API.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::http::StatusCode as AxStatus;
use axum::response::IntoResponse;
use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Internal, Server};
use prost::Message;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// A webhook receiver that records every body; the first `fail_first` requests
/// get 503 with `Retry-After: 1`.
#[derive(Clone)]
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Value>>>,
    tries: Arc<Mutex<u32>>,
}

async fn receiver(fail_first: u32) -> Receiver {
    let got = Arc::new(Mutex::new(Vec::new()));
    let tries = Arc::new(Mutex::new(0u32));
    let (g, t) = (got.clone(), tries.clone());
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |axum::Json(body): axum::Json<Value>| {
            let (g, t) = (g.clone(), t.clone());
            async move {
                let n = {
                    let mut t = t.lock().unwrap();
                    *t += 1;
                    *t
                };
                if n <= fail_first {
                    return (AxStatus::SERVICE_UNAVAILABLE, [("retry-after", "1")], "busy").into_response();
                }
                g.lock().unwrap().push(body);
                (AxStatus::OK, "ok").into_response()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, got, tries }
}

impl Receiver {
    fn bodies(&self) -> Vec<Value> {
        self.got.lock().unwrap().clone()
    }

    /// Waits until `n` bodies arrived (or `within` passed), then returns them all.
    async fn wait_for(&self, n: usize, within: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + within;
        while self.bodies().len() < n && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.bodies()
    }
}

/// A trace with one tool call of `tool_ms` (and a fast model call); returns the
/// trace id and the tool span's id.
async fn send_tool_call(app: &TestApp, rng: &mut Rng, tool_ms: u64, failed: bool) -> (String, String) {
    let end = loupe::now_ns() as u64;
    let t0 = end - (tool_ms + 200) * MS;
    let mut t = TraceBuilder::new(rng);
    let root = t.span(None, "POST /refund", Server, t0, end, vec![s("gen_ai.operation.name", "invoke_agent")]);
    t.span(Some(root), "chat gpt-4o", Client, t0, t0 + 100 * MS, vec![s("gen_ai.operation.name", "chat"), s("gen_ai.request.model", "gpt-4o")]);
    let tool = t.span(
        Some(root),
        "execute_tool lookup_order",
        Internal,
        t0 + 100 * MS,
        t0 + (100 + tool_ms) * MS,
        vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", "lookup_order")],
    );
    if failed {
        t.fail_last("TimeoutError", "lookup_order timed out");
    }
    let id = t.trace_id_hex();
    let a = app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    (id, tool.iter().map(|b| format!("{b:02x}")).collect())
}

/// A form body as a browser sends it (application/x-www-form-urlencoded).
fn form_body(pairs: &[(&str, &str)]) -> String {
    let mut u = reqwest::Url::parse("http://form/").unwrap();
    u.query_pairs_mut().extend_pairs(pairs);
    u.query().unwrap_or_default().to_string()
}

async fn create_rule(app: &TestApp, rule: Value) -> Value {
    let a = app.send_json(reqwest::Method::POST, "/api/alerts/rules", &rule).await;
    assert_eq!(a.status, StatusCode::CREATED, "{}", a.text());
    a.json()
}

fn slow_tools(url: &str, cooldown_s: u64) -> Value {
    json!({"name": "slow tools", "match": {"kind": "tool"}, "condition": {"type": "span_duration", "threshold_ms": 2000},
           "channels": [{"type": "webhook", "url": url, "format": "json"}], "cooldown_s": cooldown_s})
}

async fn events(app: &TestApp) -> Vec<Value> {
    app.get("/api/alerts/events").await.json().as_array().unwrap().clone()
}

/// Waits until the newest event's delivery is no longer pending.
async fn settled_events(app: &TestApp) -> Vec<Value> {
    for _ in 0..100 {
        let e = events(app).await;
        if e.first().is_some_and(|e| e["delivery"] != "pending") {
            return e;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("delivery still pending: {:?}", events(app).await);
}

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
    let end = loupe::now_ns() as u64;
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
    let end = loupe::now_ns() as u64;
    let mut t = TraceBuilder::new(&mut Rng::new(3));
    for (i, tool) in ["search", "search", "book", "search"].iter().enumerate() {
        let start = end - 3_000 * MS - i as u64 * MS;
        t.span(None, &format!("execute_tool {tool}"), Internal, start, end, vec![s("gen_ai.operation.name", "execute_tool"), s("gen_ai.tool.name", tool)]);
    }
    assert_eq!(app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await.status, StatusCode::OK);
    let got = hook.wait_for(3, Duration::from_secs(4)).await;
    let mut groups: Vec<(String, u64)> = got.iter().map(|b| (b["group"].as_str().unwrap().to_string(), b["count"].as_u64().unwrap())).collect();
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
async fn rules_are_created_read_replaced_paused_and_deleted() {
    let app = spawn_app().await;
    let hook = receiver(0).await;
    let created = create_rule(&app, slow_tools(&hook.url, 60)).await;
    let id = created["id"].as_i64().unwrap();
    assert_eq!(created["match"], json!({"kind": "tool"}));
    assert_eq!(created["paused"], false);

    let one = app.get(&format!("/api/alerts/rules/{id}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.json()["name"], "slow tools");

    // Sent back as read (with id and times), paused.
    let mut changed = one.json();
    changed["paused"] = json!(true);
    let put = app.send_json(reqwest::Method::PUT, &format!("/api/alerts/rules/{id}"), &changed).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.text());
    assert_eq!(put.json()["paused"], true);

    send_tool_call(&app, &mut Rng::new(7), 3_000, false).await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(events(&app).await.is_empty(), "a paused rule does not fire");
    assert!(hook.bodies().is_empty());

    assert_eq!(app.get("/api/alerts/rules").await.json().as_array().unwrap().len(), 1);
    let del = app.send_json(reqwest::Method::DELETE, &format!("/api/alerts/rules/{id}"), &Value::Null).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    assert_eq!(app.get(&format!("/api/alerts/rules/{id}")).await.status, StatusCode::NOT_FOUND);
    let again = app.send_json(reqwest::Method::DELETE, &format!("/api/alerts/rules/{id}"), &Value::Null).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/api/alerts/rules/seven").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn invalid_rules_get_a_400_naming_the_field_and_store_nothing() {
    let app = spawn_app().await;
    let good = create_rule(&app, slow_tools("https://hooks.example.com/a", 60)).await;
    let cases = [
        (json!({"name": "x", "condition": {"type": "span_duration", "threshold_ms": "slow"}}), "threshold_ms"),
        (json!({"name": "x", "match": {"kind": "toaster"}, "condition": {"type": "span_error"}}), "match.kind"),
        (json!({"name": "x", "condition": {"type": "span_error"}, "channels": [{"type": "webhook", "url": "nope"}]}), "channels[0].url"),
        (json!({"condition": {"type": "span_error"}}), "name"),
    ];
    for (rule, field) in cases {
        let a = app.send_json(reqwest::Method::POST, "/api/alerts/rules", &rule).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{rule}");
        let msg = a.json()["error"].as_str().unwrap().to_string();
        assert!(msg.contains(field), "{msg:?} names {field:?}");
    }
    let not_json = app.client.post(format!("{}/api/alerts/rules", app.base)).header("content-type", "application/json").body("{").send().await.unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let id = good["id"].as_i64().unwrap();
    let bad_put = app.send_json(reqwest::Method::PUT, &format!("/api/alerts/rules/{id}"), &json!({"name": "y", "condition": {"type": "span_error"}, "cooldown_s": -5})).await;
    assert_eq!(bad_put.status, StatusCode::BAD_REQUEST);
    assert!(bad_put.json()["error"].as_str().unwrap().contains("cooldown_s"));
    let rules = app.get("/api/alerts/rules").await.json();
    assert_eq!(rules.as_array().unwrap().len(), 1);
    assert_eq!(rules[0], app.get(&format!("/api/alerts/rules/{id}")).await.json(), "the good rule is unchanged");
    assert_eq!(rules[0]["name"], "slow tools");
}

#[tokio::test]
async fn the_preview_replays_the_last_day() {
    let app = spawn_app().await;
    let mut rng = Rng::new(8);
    for ms in [2_500, 2_600, 900, 3_000] {
        send_tool_call(&app, &mut rng, ms, false).await;
    }
    let a = app.send_json(reqwest::Method::POST, "/api/alerts/preview", &slow_tools("https://hooks.example.com/a", 300)).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    let p = a.json();
    assert_eq!(p["matching_spans"], 4);
    assert_eq!(p["firings"], 3);
    assert_eq!(p["notifications"], 1, "one burst within the cooldown");
    assert_eq!(p["per_hour"].as_array().unwrap().len(), 24);
    let bad = app.send_json(reqwest::Method::POST, "/api/alerts/preview", &json!({"name": "x"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("condition"));
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

#[tokio::test]
async fn the_alert_pages_render_rules_and_firings_with_span_text_escaped() {
    let app = spawn_app().await;
    // The form works as a plain HTML form (no JavaScript): fields as the page names them.
    let form = [
        ("f[name]", "Slow tools"),
        ("f[kind]", "tool"),
        ("f[condition]", "span_duration"),
        ("f[threshold]", "2000"),
        ("f[cooldown_s]", "0"),
        ("f[format]", "json"),
        ("intent", "save"),
    ];
    let saved = app.client.post(format!("{}/rpc/alert_rule_form", app.base)).header("content-type", "application/x-www-form-urlencoded").body(form_body(&form)).send().await.unwrap();
    assert!(saved.status().is_success() || saved.status().is_redirection(), "{}", saved.status());
    let rules = app.get("/api/alerts/rules").await.json();
    assert_eq!(rules[0]["condition"], json!({"type": "span_duration", "threshold_ms": 2000.0}));
    assert!(rules[0]["channels"].as_array().unwrap().is_empty());

    let end = loupe::now_ns() as u64;
    let mut t = TraceBuilder::new(&mut Rng::new(11));
    t.span(None, "<script>alert(1)</script>", Internal, end - 2_500 * MS, end, vec![s("gen_ai.operation.name", "execute_tool")]);
    assert_eq!(app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await.status, StatusCode::OK);
    for _ in 0..50 {
        if !events(&app).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(events(&app).await[0]["delivery"], "no_channel");

    for path in ["/alerts", "/alerts/history"] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        let html = page.text();
        assert!(html.contains("Slow tools"), "{path}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt; took 2,500 ms"), "{path} shows the span name as text");
        assert!(!html.contains("<script>alert(1)"), "{path} never emits the span name as markup");
    }
    let edit = app.get(&format!("/alerts?edit={}", rules[0]["id"])).await.text();
    assert!(edit.contains("Edit rule: Slow tools"));

    // A bad form answers 400 with the reason.
    let bad = app.client.post(format!("{}/rpc/alert_rule_form", app.base)).header("content-type", "application/x-www-form-urlencoded").body(form_body(&[("f[name]", "x"), ("f[condition]", "span_duration"), ("f[threshold]", "soon")])).send().await.unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("Threshold must be a number"));
    assert_eq!(app.get("/api/alerts/rules").await.json().as_array().unwrap().len(), 1);
}
