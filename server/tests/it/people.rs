//! Users, sessions and the list page's overview through the API and the pages,
//! with known traces: exact percentiles, error rates, costs and order.

use crate::common;

use common::*;
use loupe::synth::{MS, Rng, TraceBuilder, i, request, s};
use opentelemetry_proto::tonic::trace::v1::span::SpanKind::{Client, Server};
use prost::Message;
use reqwest::StatusCode;

/// gpt-4o-mini, 1,000 in / 100 out: $0.00021.
const CALL_USD: f64 = 1000.0 * 0.15e-6 + 100.0 * 0.6e-6;

/// A trace of `ms` for `user` in `session`, started `ago_ms` ago, with one model call.
async fn send(app: &TestApp, seed: u64, user: &str, session: &str, ago_ms: u64, ms: u64, fail: bool) -> String {
    let t0 = loupe::domain::now_ns() as u64 - ago_ms * MS;
    let mut t = TraceBuilder::new(&mut Rng::new(seed));
    let root = t.span(None, "turn", Server, t0, t0 + ms * MS, vec![s("user.id", user), s("session.id", session)]);
    t.span(
        Some(root),
        "chat gpt-4o-mini",
        Client,
        t0,
        t0 + ms * MS / 2,
        vec![
            s("gen_ai.operation.name", "chat"),
            s("gen_ai.request.model", "gpt-4o-mini"),
            i("gen_ai.usage.input_tokens", 1000),
            i("gen_ai.usage.output_tokens", 100),
        ],
    );
    if fail {
        t.fail_last("RateLimitError", "429");
    }
    let id = t.trace_id_hex();
    let a = app.post_otlp(request("chat", "test", t.spans).encode_to_vec(), "application/x-protobuf", None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.text());
    id
}

/// ada: three turns of 1, 2 and 3 s in s-ada; bob: 10 s (failed) and 12 s in s-bob.
async fn send_people(app: &TestApp) -> Vec<String> {
    vec![
        send(app, 1, "ada", "s-ada", 50 * 60_000, 1_000, false).await,
        send(app, 2, "ada", "s-ada", 40 * 60_000, 2_000, false).await,
        send(app, 3, "ada", "s-ada", 30 * 60_000, 3_000, false).await,
        send(app, 4, "bob", "s-bob", 20 * 60_000, 10_000, true).await,
        send(app, 5, "bob", "s-bob", 10 * 60_000, 12_000, false).await,
    ]
}

#[tokio::test]
async fn users_are_compared_by_p95_error_rate_and_cost_and_sessions_list_their_traces_in_order() {
    let mut app = spawn_app().await;
    let ids = send_people(&app).await;

    let r = app.get("/api/stats/users?since=2h").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let r = r.json();
    let users = r["users"].as_array().unwrap();
    assert_eq!(users.iter().map(|u| u["user"].as_str().unwrap()).collect::<Vec<_>>(), ["bob", "ada"], "slowest p95 first");
    assert_eq!((users[0]["p95_ns"].as_i64(), users[0]["p50_ns"].as_i64()), (Some(12_000 * 1_000_000), Some(10_000 * 1_000_000)));
    assert_eq!((users[0]["errors"].as_i64(), users[0]["error_rate"].as_f64()), (Some(1), Some(0.5)));
    assert_eq!((users[1]["p95_ns"].as_i64(), users[1]["p50_ns"].as_i64()), (Some(3_000 * 1_000_000), Some(2_000 * 1_000_000)));
    assert!((users[1]["cost_usd"].as_f64().unwrap() - 3.0 * CALL_USD).abs() < 1e-12);
    assert_eq!(r["all_users_p95_ns"], 12_000_000_000i64);
    let sessions = r["sessions"].as_array().unwrap();
    assert_eq!(sessions[0]["session"], "s-bob", "latest first");
    assert_eq!((sessions[1]["user"].as_str(), sessions[1]["traces"].as_i64()), (Some("ada"), Some(3)));

    let s = app.get("/api/sessions/s-ada").await.json();
    let order: Vec<&str> = s["traces"].as_array().unwrap().iter().map(|t| t["trace_id"].as_str().unwrap()).collect();
    assert_eq!(order, [ids[0].as_str(), ids[1].as_str(), ids[2].as_str()], "in the order they happened");
    assert_eq!(s["traces"][2]["duration_ns"], 3_000_000_000i64);
    assert!((s["cost_usd"].as_f64().unwrap() - 3.0 * CALL_USD).abs() < 1e-12);
    assert_eq!(s["user"], "ada");
    let missing = app.get("/api/sessions/nobody").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.text().contains("no trace names session"));
    assert_eq!(app.get("/api/stats/users?since=soon").await.status, StatusCode::BAD_REQUEST);

    // The pages, rendered on the server.
    let users_page = app.get("/users?since=24h").await;
    assert_eq!(users_page.status, StatusCode::OK);
    let html = users_page.text();
    assert!(html.find("data-user=\"bob\"").unwrap() < html.find("data-user=\"ada\"").unwrap());
    assert!(html.contains("href=\"/sessions/s-ada\""));
    let session_page = app.get("/sessions/s-ada").await;
    assert_eq!(session_page.status, StatusCode::OK);
    assert_eq!(session_page.text().matches("data-testid=\"session-trace\"").count(), 3);
    let missing_page = app.get("/sessions/nobody").await;
    assert_eq!(missing_page.status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn the_list_page_opens_with_an_overview_of_the_range() {
    let mut app = spawn_app().await;
    send_people(&app).await;
    let html = app.get("/?since=1h").await.text();
    let value = |testid: &str| {
        let at = html.find(&format!("data-testid=\"{testid}\"")).unwrap_or_else(|| panic!("no {testid}"));
        let rest = &html[at..];
        let start = rest.find('>').unwrap() + 1;
        rest[start..start + rest[start..].find('<').unwrap()].to_string()
    };
    // 5 traces in 60 minutes; 1 of 5 failed; nearest-rank p95 of 1, 2, 3, 10, 12 s.
    assert_eq!(value("ov-rate"), "0.08");
    assert_eq!(value("ov-errors"), "20.0%");
    assert_eq!(value("ov-p95"), "12.0 s");
    assert_eq!(value("ov-cost"), format!("${:.4}", 5.0 * CALL_USD));
    assert!(html.contains("class=\"spark-line\""));
    app.stop().await;
}
