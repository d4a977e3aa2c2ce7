//! Alert rules through the API and the pages: create, read, replace, pause,
//! delete, refusals naming the field, the preview, and the pages themselves.

use crate::common;

use std::time::Duration;

use common::alerting::*;
use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::Internal;
use prost::Message;
use reqwest::StatusCode;
use serde_json::{Value, json};

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
    let not_json = app
        .client
        .post(format!("{}/api/alerts/rules", app.base))
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), StatusCode::BAD_REQUEST);
    let id = good["id"].as_i64().unwrap();
    let bad_put = app
        .send_json(
            reqwest::Method::PUT,
            &format!("/api/alerts/rules/{id}"),
            &json!({"name": "y", "condition": {"type": "span_error"}, "cooldown_s": -5}),
        )
        .await;
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
    let saved = app
        .client
        .post(format!("{}/rpc/alert_rule_form", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&form))
        .send()
        .await
        .unwrap();
    assert!(saved.status().is_success() || saved.status().is_redirection(), "{}", saved.status());
    let rules = app.get("/api/alerts/rules").await.json();
    assert_eq!(rules[0]["condition"], json!({"type": "span_duration", "threshold_ms": 2000.0}));
    assert!(rules[0]["channels"].as_array().unwrap().is_empty());

    let end = loupe::domain::now_ns() as u64;
    let mut t = TraceBuilder::new(&mut Rng::new(11));
    t.span(None, "<script>alert(1)</script>", Internal, end - 2_500 * MS, end, vec![s("gen_ai.operation.name", "execute_tool")]);
    assert_eq!(
        app.post_otlp(request("agent", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await.status,
        StatusCode::OK
    );
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
    let bad = app
        .client
        .post(format!("{}/rpc/alert_rule_form", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form_body(&[("f[name]", "x"), ("f[condition]", "span_duration"), ("f[threshold]", "soon")]))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    assert!(bad.text().await.unwrap().contains("Threshold must be a number"));
    assert_eq!(app.get("/api/alerts/rules").await.json().as_array().unwrap().len(), 1);
}
