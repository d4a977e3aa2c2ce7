//! Share links: a token opens its one trace, read-only, until it is revoked or
//! expires; only its hash is stored; link previews carry figures, no content.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn two_traces(app: &TestApp) -> (String, String) {
    assert_eq!(app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    assert_eq!(app.post_otlp(fixture("openinference.json"), "application/json", None).await.status, StatusCode::OK);
    (fixture_trace_id("genai.pb"), fixture_trace_id("openinference.json"))
}

async fn share(app: &TestApp, trace_id: &str, body: Value) -> Answer {
    app.send_json(reqwest::Method::POST, &format!("/api/traces/{trace_id}/share"), &body).await
}

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

#[tokio::test]
async fn a_share_link_opens_its_trace_only_until_revoked() {
    let app = spawn_app_with(&["--public-url", "https://loupe.example.com"]).await;
    let (a, b) = two_traces(&app).await;
    let made = share(&app, &a, json!({"expires_in": "1h"})).await;
    assert_eq!(made.status, StatusCode::CREATED, "{}", made.text());
    let made = made.json();
    let token = made["token"].as_str().unwrap().to_string();
    assert!(token.len() >= 32 && token.bytes().all(|c| c.is_ascii_hexdigit()), "at least 128 random bits: {token}");
    assert_eq!(made["url"], format!("https://loupe.example.com/share/{token}"));
    assert_eq!(made["state"], "active");
    let hour = 3_600_000_000_000i64;
    let ttl = made["expires_ns"].as_i64().unwrap() - made["created_ns"].as_i64().unwrap();
    assert_eq!(ttl, hour);

    // The API and the page open trace a, and only a.
    let shared = app.get(&format!("/api/share/{token}")).await;
    assert_eq!(shared.status, StatusCode::OK);
    assert_eq!(shared.json()["trace_id"], a.as_str());
    let page = app.get(&format!("/share/{token}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(&format!("data-trace-id=\"{a}\"")));
    assert!(html.contains("data-testid=\"shared-banner\""));
    for elsewhere in ["href=\"/latency\"", "href=\"/alerts\"", "← Traces", "data-testid=\"share-panel\""] {
        assert!(!html.contains(elsewhere), "the shared view shows nothing else of Loupe: {elsewhere}");
    }
    // A span of its trace opens in the detail panel; the same token does not open b's spans.
    let span_a = app.get_trace(&a).await["spans"][0]["span_id"].as_str().unwrap().to_string();
    let with_span = app.get(&format!("/share/{token}?span={span_a}")).await.text();
    assert!(with_span.contains("data-testid=\"span-detail\""));
    let span_b = app.get_trace(&b).await["spans"][0]["span_id"].as_str().unwrap().to_string();
    let other = app
        .client
        .post(format!("{}/rpc/shared_span", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!("token={token}&trace_id={b}&span_id={span_b}"))
        .send()
        .await
        .unwrap();
    assert!(other.status().is_client_error() || other.status().is_server_error());
    assert!(other.text().await.unwrap().contains("another trace"));
    let other_page = app.get(&format!("/share/{token}?span={span_b}")).await.text();
    assert!(other_page.contains("data-testid=\"span-error\""), "b's span is not shown through a's link");

    // Revoked: 410 with a reason, in the API and on the page; listed as revoked.
    let links = app.get(&format!("/api/traces/{a}/shares")).await.json();
    let id = links[0]["id"].as_i64().unwrap();
    let del = app.send_json(reqwest::Method::DELETE, &format!("/api/traces/{a}/share/{id}"), &Value::Null).await;
    assert_eq!(del.status, StatusCode::NO_CONTENT);
    let gone = app.get(&format!("/api/share/{token}")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.json()["error"].as_str().unwrap().contains("revoked"));
    let gone_page = app.get(&format!("/share/{token}")).await;
    assert_eq!(gone_page.status, StatusCode::GONE);
    assert!(gone_page.text().contains("This link no longer works"));
    assert_eq!(app.get(&format!("/api/traces/{a}/shares")).await.json()[0]["state"], "revoked");
    // A link of trace a cannot be revoked through trace b.
    let wrong = app.send_json(reqwest::Method::DELETE, &format!("/api/traces/{b}/share/{id}"), &Value::Null).await;
    assert_eq!(wrong.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_share_link_stops_at_its_expiry() {
    let mut app = spawn_app().await;
    let (a, _) = two_traces(&app).await;
    let made = share(&app, &a, Value::Null).await.json();
    assert_eq!(made["expires_ns"].as_i64().unwrap() - made["created_ns"].as_i64().unwrap(), 24 * 3_600_000_000_000i64, "24 h by default");
    let token = token_of(made["url"].as_str().unwrap());
    assert_eq!(app.get(&format!("/api/share/{token}")).await.status, StatusCode::OK);

    app.expire_share_links().await;
    let gone = app.get(&format!("/api/share/{token}")).await;
    assert_eq!(gone.status, StatusCode::GONE);
    assert!(gone.json()["error"].as_str().unwrap().contains("expired"));
    assert_eq!(app.get(&format!("/share/{token}")).await.status, StatusCode::GONE);
    assert_eq!(app.get(&format!("/api/traces/{a}/shares")).await.json()[0]["state"], "expired");
}

#[tokio::test]
async fn tokens_are_stored_hashed_and_bad_requests_say_why() {
    let app = spawn_app().await;
    let (a, _) = two_traces(&app).await;
    let made = share(&app, &a, json!({"expires_in": "7d"})).await.json();
    let token = made["token"].as_str().unwrap();
    for (path, bytes) in app.data_files().await {
        assert!(!bytes.windows(token.len()).any(|w| w == token.as_bytes()), "{} holds the token", path.display());
    }
    let cases = [
        (share(&app, &a, json!({"expires_in": "forever"})).await, StatusCode::BAD_REQUEST, "1h, 24h or 7d"),
        (share(&app, &a, json!({"expiry": "1h"})).await, StatusCode::BAD_REQUEST, "expires_in"),
        (share(&app, "zz", json!({})).await, StatusCode::BAD_REQUEST, "malformed trace id"),
        (share(&app, "0123456789abcdef0123456789abcdef", json!({})).await, StatusCode::NOT_FOUND, "no trace"),
    ];
    for (answer, status, says) in cases {
        assert_eq!(answer.status, status, "{}", answer.text());
        assert!(answer.json()["error"].as_str().unwrap().contains(says), "{}", answer.text());
    }
    assert_eq!(app.get(&format!("/api/traces/{a}/shares")).await.json().as_array().unwrap().len(), 1, "refused links are not stored");
    assert_eq!(app.get("/api/share/not-a-token").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/api/share/{}", "ab".repeat(32))).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&format!("/share/{}", "ab".repeat(32))).await.status, StatusCode::NOT_FOUND);
}
