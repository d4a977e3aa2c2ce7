//! Token costs through the API: exact costs at ingest, unpriced calls counted apart,
//! breakdowns by model/service/user/day, operator prices (validated, stored, used
//! for later calls only, kept across restarts), and calls stored before costs
//! existed costed at start.

use crate::common;

use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, i, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Server};
use prost::Message;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// gpt-4o-mini (shipped price: $0.15 / $0.60 per 1M, cache read $0.075): 1,000 input
/// of which 400 cached, 200 output.
const MINI_USD: f64 = 600.0 * 0.15e-6 + 400.0 * 0.075e-6 + 200.0 * 0.6e-6;

fn close(got: &Value, want: f64) -> bool {
    (got.as_f64().unwrap_or(f64::NAN) - want).abs() < 1e-12
}

/// A trace for `user`: an agent span that repeats its children's usage (not a model
/// call, so not priced), a gpt-4o-mini call and a call to an unknown model.
async fn send(app: &TestApp, seed: u64, user: &str, unknown_model: &str) -> String {
    let t0 = (loupe::domain::now_ns() as u64) - 600_000 * MS;
    let mut rng = Rng::new(seed);
    let mut t = TraceBuilder::new(&mut rng);
    let root = t.span(
        None,
        "invoke_agent support",
        Server,
        t0,
        t0 + 3_000 * MS,
        vec![
            s("gen_ai.operation.name", "invoke_agent"),
            s("gen_ai.request.model", "gpt-4o-mini"),
            i("gen_ai.usage.input_tokens", 2_000),
            s("user.id", user),
        ],
    );
    t.span(
        Some(root),
        "chat gpt-4o-mini",
        Client,
        t0,
        t0 + 1_000 * MS,
        vec![
            s("gen_ai.operation.name", "chat"),
            s("gen_ai.request.model", "gpt-4o-mini"),
            s("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
            i("gen_ai.usage.input_tokens", 1_000),
            i("gen_ai.usage.cache_read.input_tokens", 400),
            i("gen_ai.usage.output_tokens", 200),
        ],
    );
    t.span(
        Some(root),
        &format!("chat {unknown_model}"),
        Client,
        t0 + 1_000 * MS,
        t0 + 2_000 * MS,
        vec![
            s("gen_ai.operation.name", "chat"),
            s("gen_ai.request.model", unknown_model),
            i("gen_ai.usage.input_tokens", 1_000),
            i("gen_ai.usage.output_tokens", 100),
        ],
    );
    let id = t.trace_id_hex();
    let a = app.post_otlp(request("support", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    id
}

fn group<'a>(report: &'a Value, key: &str) -> &'a Value {
    report["groups"].as_array().unwrap().iter().find(|g| g["key"] == key).unwrap_or_else(|| panic!("no group {key} in {report}"))
}

#[tokio::test]
async fn model_calls_are_costed_at_ingest_and_unknown_models_are_unpriced() {
    let mut app = spawn_app().await;
    let id = send(&app, 1, "ada", "acme-judge-8b").await;

    let list = app.get("/api/traces").await.json();
    let t = &list["traces"][0];
    assert!(close(&t["cost_usd"], MINI_USD), "{t}");
    assert_eq!(t["unpriced"], 1);

    let trace = app.get_trace(&id).await;
    let cost = |name: &str| trace["spans"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap()["cost"].clone();
    let mini = cost("chat gpt-4o-mini");
    assert_eq!(mini["state"], "priced");
    assert!(close(&mini["usd"], MINI_USD), "{mini}");
    assert_eq!(mini["price_id"], "shipped:gpt-4o-mini-2024-07-18", "the served model's entry");
    assert_eq!(cost("chat acme-judge-8b"), json!({"state": "unpriced"}));
    assert_eq!(cost("invoke_agent support"), Value::Null, "an agent span is not a model call");

    let by_model = app.get("/api/stats/cost?group_by=model&since=24h").await;
    assert_eq!(by_model.status, StatusCode::OK, "{}", by_model.text());
    let by_model = by_model.json();
    assert!(close(&by_model["total"]["cost_usd"], MINI_USD));
    assert_eq!((by_model["total"]["calls"].as_i64(), by_model["total"]["unpriced"].as_i64()), (Some(2), Some(1)));
    let m = group(&by_model, "gpt-4o-mini-2024-07-18");
    assert!(close(&m["cost_usd"], MINI_USD));
    assert_eq!(
        (m["calls"].as_i64(), m["input_tokens"].as_i64(), m["output_tokens"].as_i64(), m["cache_read_tokens"].as_i64()),
        (Some(1), Some(1000), Some(200), Some(400))
    );
    let judge = group(&by_model, "acme-judge-8b");
    assert_eq!((judge["cost_usd"].as_f64(), judge["unpriced"].as_i64()), (Some(0.0), Some(1)));
    assert_eq!(by_model["groups"][0]["key"], "gpt-4o-mini-2024-07-18", "costliest first");

    let by_service = app.get("/api/stats/cost?group_by=service").await.json();
    assert!(close(&group(&by_service, "support")["cost_usd"], MINI_USD));
    let by_user = app.get("/api/stats/cost?group_by=user").await.json();
    assert!(close(&group(&by_user, "ada")["cost_usd"], MINI_USD), "the root names the user: {by_user}");
    let by_day = app.get("/api/stats/cost?group_by=day&since=7d").await.json();
    let days = by_day["groups"].as_array().unwrap();
    assert!(days.iter().all(|d| d["key"].as_str().unwrap().len() == 10));
    let day_total: f64 = days.iter().map(|d| d["cost_usd"].as_f64().unwrap()).sum();
    assert!((day_total - MINI_USD).abs() < 1e-12);

    for (q, msg) in
        [("group_by=trace", "group_by must be"), ("since=yesterday", "since"), ("since=1h&until=2h", "until must be after since")]
    {
        let a = app.get(&format!("/api/stats/cost?{q}")).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{q}");
        assert!(a.text().contains(msg), "{q}: {}", a.text());
    }
    app.stop().await;
}

#[tokio::test]
async fn operator_prices_are_validated_stored_and_used_for_later_calls() {
    let mut app = spawn_app().await;
    send(&app, 2, "bob", "acme-judge-8b").await;
    let put = |body: Value, path: &str| {
        let req = app.client.put(format!("{}{path}", app.base)).json(&body);
        async move { req.send().await.unwrap() }
    };

    // Bad prices are refused with a reason, and nothing is stored.
    for (body, msg) in [
        (json!({"model": "acme-judge-8b", "input_per_mtok": -1, "output_per_mtok": 1}), "input_per_mtok"),
        (
            json!({"model": "acme-judge-8b", "pattern": "(acme", "input_per_mtok": 1, "output_per_mtok": 1}),
            "not a valid regular expression",
        ),
        (json!({"model": "acme-judge-8b"}), "input_per_mtok"),
        (json!({"model": "other", "input_per_mtok": 1, "output_per_mtok": 1}), "differs from the path"),
    ] {
        let r = put(body, "/api/prices/acme-judge-8b").await;
        assert_eq!(r.status(), StatusCode::BAD_REQUEST);
        let text = r.text().await.unwrap();
        assert!(text.contains(msg), "{text}");
    }
    assert_eq!(app.get("/api/prices").await.json()["overrides"], json!([]));

    let r = put(json!({"model": "acme-judge-8b", "input_per_mtok": 1.0, "output_per_mtok": 2.0}), "/api/prices/acme-judge-8b").await;
    assert_eq!(r.status(), StatusCode::OK);
    let prices = app.get("/api/prices").await.json();
    assert_eq!(prices["overrides"][0]["model"], "acme-judge-8b");
    assert!(prices["shipped"].as_array().unwrap().len() > 100);

    // A call after the change is priced; the one before keeps what it was.
    let later = send(&app, 3, "bob", "acme-judge-8b").await;
    let trace = app.get_trace(&later).await;
    let judge = trace["spans"].as_array().unwrap().iter().find(|s| s["name"] == "chat acme-judge-8b").unwrap();
    assert_eq!(judge["cost"]["price_id"], "override:acme-judge-8b");
    assert!(close(&judge["cost"]["usd"], 1000.0 * 1e-6 + 100.0 * 2e-6));
    let by_model = app.get("/api/stats/cost").await.json();
    let j = group(&by_model, "acme-judge-8b");
    assert_eq!((j["calls"].as_i64(), j["unpriced"].as_i64()), (Some(2), Some(1)));
    assert!(close(&j["cost_usd"], 0.0012));

    // Overrides win over shipped prices, survive a restart, and can be removed.
    let r = put(json!([{"model": "gpt-4o-mini", "input_per_mtok": 10, "output_per_mtok": 10}, {"model": "acme-judge-8b", "input_per_mtok": 1, "output_per_mtok": 2}]), "/api/prices").await;
    assert_eq!(r.status(), StatusCode::OK);
    let dup = put(
        json!([{"model": "x", "input_per_mtok": 1, "output_per_mtok": 1}, {"model": "x", "input_per_mtok": 1, "output_per_mtok": 1}]),
        "/api/prices",
    )
    .await;
    assert_eq!(dup.status(), StatusCode::BAD_REQUEST);
    app.stop().await;
    app.restart().await;
    assert_eq!(app.get("/api/prices").await.json()["overrides"].as_array().unwrap().len(), 2);
    let id = send(&app, 4, "cy", "acme-judge-8b").await;
    let trace = app.get_trace(&id).await;
    let mini = trace["spans"].as_array().unwrap().iter().find(|s| s["name"] == "chat gpt-4o-mini").unwrap();
    assert_eq!(mini["cost"]["price_id"], "override:gpt-4o-mini");
    assert!(close(&mini["cost"]["usd"], 1200.0 * 10e-6));
    let del = app.client.delete(format!("{}/api/prices/gpt-4o-mini", app.base)).send().await.unwrap();
    assert_eq!(del.status(), StatusCode::OK);
    let again = app.client.delete(format!("{}/api/prices/gpt-4o-mini", app.base)).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn calls_stored_before_costs_existed_are_costed_at_start() {
    if on_postgres() {
        // A PostgreSQL database starts with the whole schema: nothing predates costs.
        return;
    }
    let mut app = spawn_app().await;
    send(&app, 5, "ada", "acme-judge-8b").await;
    let before = app.get("/api/stats/cost?group_by=model").await.json();
    let list_before = app.get("/api/traces").await.json()["traces"].clone();
    app.stop().await;

    // Make the database look as it did before costs existed.
    let db = app.dir.path().join("loupe.db");
    let opts = sqlx::sqlite::SqliteConnectOptions::new().filename(&db);
    let mut conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&opts).await.unwrap();
    for sql in [
        "UPDATE spans SET cost_usd = NULL, price_id = NULL",
        "UPDATE traces SET cost_usd = 0, model_calls = 0, unpriced = 0",
        "DELETE FROM cost_hourly",
        "INSERT INTO cost_backfill (up_to) SELECT MAX(id) FROM spans",
    ] {
        sqlx::query(sql).execute(&mut conn).await.unwrap();
    }
    sqlx::Connection::close(conn).await.unwrap();

    app.restart().await;
    assert_eq!(app.get("/api/stats/cost?group_by=model").await.json()["groups"], before["groups"]);
    assert_eq!(app.get("/api/traces").await.json()["traces"], list_before);
    app.stop().await;
}
