//! Raw prompt/completion content in the fixtures is nowhere in the database files or
//! the API by default, and is there with `--capture-content`.

use crate::common;

use common::*;
use reqwest::StatusCode;

/// Raw content from the fixtures (prompts, completions, documents, tool arguments)
/// and the personal data inside it.
const RAW_CONTENT: &[&str] = &[
    "Find me a hotel in Lisbon",
    "alice@example.com",
    "Plan a weekend in Porto",
    "Bob Jones",
    "Day 1: Ribeira",
    "Porto guide",
    "Cheapest flight for Carol White",
    "+1 415 555 0100",
    "TAP 1234",
    "{\\\"city\\\":\\\"Lisbon\\\"}",
];

async fn load_fixtures(app: &TestApp) {
    for file in ["genai.pb", "openinference.json", "openllmetry.pb"] {
        let ct = if file.ends_with(".json") { "application/json" } else { "application/x-protobuf" };
        assert_eq!(app.post_otlp(fixture(file), ct, None).await.status, StatusCode::OK, "{file}");
    }
}

/// Every API answer and every page: the list, the stats pages, each session's page,
/// and each trace page with each of its spans open in the detail panel.
async fn api_text(app: &TestApp) -> String {
    let mut all = app.get("/api/traces").await.text();
    all.push_str(&app.get("/").await.text());
    // The fixtures were recorded long ago: ranges wide enough to hold them.
    for path in ["/?since=3650d", "/costs?since=3650d", "/users?since=3650d", "/latency?since=3650d", "/api/stats/users?since=3650d"] {
        let page = app.get(path).await;
        assert_eq!(page.status, StatusCode::OK, "{path}");
        all.push_str(&page.text());
    }
    for by in ["model", "service", "user", "day"] {
        all.push_str(&app.get(&format!("/api/stats/cost?since=3650d&group_by={by}")).await.text());
    }
    let people = app.get("/api/stats/users?since=3650d").await.json();
    for s in people["sessions"].as_array().unwrap() {
        let id = s["session"].as_str().unwrap();
        all.push_str(&app.get(&format!("/sessions/{id}")).await.text());
        all.push_str(&app.get(&format!("/api/sessions/{id}")).await.text());
    }
    for id in app.get("/api/traces").await.json()["traces"].as_array().unwrap() {
        let id = id["trace_id"].as_str().unwrap();
        let trace = app.get(&format!("/api/traces/{id}")).await;
        for span in trace.json()["spans"].as_array().unwrap() {
            let page = app.get(&format!("/traces/{id}?span={}", span["span_id"].as_str().unwrap())).await;
            assert_eq!(page.status, StatusCode::OK);
            all.push_str(&page.text());
        }
        all.push_str(&trace.text());
    }
    all
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

#[tokio::test]
async fn content_is_not_stored_by_default() {
    let mut app = spawn_app().await;
    load_fixtures(&app).await;
    let api = api_text(&app).await;
    for raw in RAW_CONTENT {
        let plain = raw.replace("\\\"", "\"");
        assert!(!api.contains(raw) && !api.contains(&plain), "{raw:?} is in an API answer");
    }
    // The API says which policy applied, and keeps fingerprints.
    let trace = app.get_trace(&fixture_trace_id("genai.pb")).await;
    let chat = trace["spans"].as_array().unwrap().iter().find(|s| s["tokens"]["cache_read"] == 512).unwrap();
    assert_eq!(chat["content_policy"], "hashed");
    let field = &chat["content"][0];
    assert_eq!(field["key"], "gen_ai.input.messages");
    assert!(field["hash"].as_str().unwrap().starts_with("blake3:"));
    assert!(field["chars"].as_u64().unwrap() > 50);
    assert_eq!(field["summary"], "1 message: user 60 chars");
    assert!(field.get("text").is_none());

    app.stop().await; // commit and checkpoint; then look at every byte on disk
    let files = app.data_files().await;
    assert!(
        files.iter().any(|(p, _)| p.ends_with("loupe.db") || p.to_string_lossy().starts_with("table spans.")),
        "the spans are among what was read"
    );
    for (path, bytes) in &files {
        for raw in RAW_CONTENT {
            let plain = raw.replace("\\\"", "\"");
            assert!(!contains(bytes, raw) && !contains(bytes, &plain), "{raw:?} is in {}", path.display());
        }
    }
}

#[tokio::test]
async fn content_is_stored_as_sent_with_capture_content() {
    let app = spawn_app_with(&["--capture-content"]).await;
    load_fixtures(&app).await;
    let api = api_text(&app).await;
    for raw in [
        "Find me a hotel in Lisbon for Alice Smith, alice@example.com",
        "Plan a weekend in Porto for Bob Jones",
        "Cheapest flight for Carol White, +1 415 555 0100",
        "Porto guide",
    ] {
        assert!(api.contains(raw), "{raw:?} should be stored under --capture-content");
    }
    let trace = app.get_trace(&fixture_trace_id("genai.pb")).await;
    assert!(trace["spans"].as_array().unwrap().iter().all(|s| s["content_policy"] == "captured"));
}

#[tokio::test]
async fn equal_content_has_equal_hashes_within_an_installation_only() {
    // The OpenInference fixture sends the same prompt as the agent's input.value and
    // as the LLM's first input message.
    let content_hash = |trace: &serde_json::Value, key: &str| {
        trace["spans"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["content"].as_array().unwrap().iter())
            .find(|c| c["key"] == key)
            .map(|c| c["hash"].as_str().unwrap().to_string())
            .unwrap_or_else(|| panic!("no content field {key}"))
    };
    let mut hashes = Vec::new();
    for _installation in 0..2 {
        let app = spawn_app().await;
        load_fixtures(&app).await;
        let list = app.get("/api/traces?service=travel-planner-openinference").await.json();
        let id = list["traces"][0]["trace_id"].as_str().unwrap().to_string();
        let trace = app.get_trace(&id).await;
        let agent_input = content_hash(&trace, "input.value");
        let llm_input = content_hash(&trace, "llm.input_messages.0.message.content");
        assert_eq!(agent_input, llm_input, "equal content, equal hash");
        hashes.push(agent_input);
    }
    assert_ne!(hashes[0], hashes[1], "another installation's key gives another hash");
}
