//! Every recorded fixture, with its content type and encoding, through the real
//! endpoint; the stored trace is normalized as each convention says.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

fn span<'a>(trace: &'a Value, name: &str) -> &'a Value {
    trace["spans"].as_array().unwrap().iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no span {name}"))
}

#[tokio::test]
async fn every_fixture_is_accepted_in_its_encoding() {
    let cases = [
        ("genai.pb", "application/x-protobuf", None),
        ("genai.json", "application/json", None),
        ("genai.pb.gz", "application/x-protobuf", Some("gzip")),
        ("openinference.pb", "application/x-protobuf", None),
        ("openinference.json", "application/json", None),
        ("openllmetry.pb", "application/x-protobuf", None),
        ("openllmetry.json", "application/json", None),
    ];
    for (file, content_type, encoding) in cases {
        // A fresh server each time, so each encoding proves itself.
        let app = spawn_app().await;
        let answer = app.post_otlp(fixture(file), content_type, encoding).await;
        assert_eq!(answer.status, StatusCode::OK, "{file}: {}", answer.text());
        assert_eq!(answer.headers["content-type"], content_type, "{file} answered in its own encoding");
        if content_type == "application/json" {
            assert_eq!(answer.json(), serde_json::json!({}), "{file}");
        } else {
            assert!(answer.body.is_empty(), "{file}: a full success has an empty response");
        }
        let (traces, spans) = app.stats().await;
        assert_eq!(traces, 1, "{file}");
        let expected = match file.split('.').next().unwrap() {
            "genai" => 7,
            "openinference" => 6,
            _ => 4,
        };
        assert_eq!(spans, expected, "{file}");
    }
}

#[tokio::test]
async fn genai_fixture_is_normalized() {
    let app = spawn_app().await;
    assert_eq!(app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    let trace = app.get_trace(&fixture_trace_id("genai.pb")).await;
    let spans = trace["spans"].as_array().unwrap();
    assert_eq!(spans.len(), 7);
    let root = span(&trace, "invoke_agent planner");
    assert_eq!(root["kind"], "agent");
    assert_eq!(root["parent_span_id"], Value::Null);
    assert_eq!(root["user_id"], "traveller-9");
    assert_eq!(root["session_id"], "conv-42");
    assert_eq!(span(&trace, "embeddings text-embedding-3-small")["kind"], "embedding");
    assert_eq!(span(&trace, "retrieval hotels-index")["kind"], "retrieval");

    let chats: Vec<&Value> = spans.iter().filter(|s| s["name"] == "chat gpt-4o").collect();
    assert_eq!(chats.len(), 2);
    let current = chats.iter().find(|s| s["tokens"]["cache_read"] == 512).expect("chat with cache tokens");
    assert_eq!(current["kind"], "llm");
    assert_eq!(current["provider"], "openai");
    assert_eq!(current["response_model"], "gpt-4o-2024-08-06");
    assert_eq!((current["tokens"]["input"].as_i64(), current["tokens"]["output"].as_i64()), (Some(812), Some(96)));
    let deprecated = chats.iter().find(|s| s["tokens"]["input"] == 1020).expect("chat with deprecated token names");
    assert_eq!(deprecated["tokens"]["output"], 210);
    assert_eq!(deprecated["provider"], "openai");

    let tools: Vec<&Value> = spans.iter().filter(|s| s["kind"] == "tool").collect();
    assert_eq!(tools.len(), 2);
    let failed = tools.iter().find(|s| s["status"] == "error").expect("the failed tool call");
    assert_eq!(failed["tool_name"], "search_hotels");
    assert_eq!(failed["status_message"], "upstream 504");
    let exception = &failed["events"][0]["exception"];
    assert_eq!(exception["type"], "RuntimeError");
    assert_eq!(exception["message"], "hotel API returned 504");
    assert!(tools.iter().any(|s| s["status"] != "error"), "the retry succeeded");

    // Resource attributes are kept once, and every span points at them.
    let resource = &trace["resources"][root["resource"].as_str().unwrap()];
    assert_eq!(resource["service.name"], "travel-planner-genai");
    assert_eq!(root["service"], "travel-planner-genai");
    assert_eq!(root["scope"], "travel-planner 0.3.1");

    let list = app.get("/api/traces").await.json();
    let t = &list["traces"][0];
    assert_eq!(t["trace_id"], fixture_trace_id("genai.pb"));
    assert_eq!(t["root_name"], "invoke_agent planner");
    assert_eq!((t["span_count"].as_i64(), t["error_count"].as_i64()), (Some(7), Some(1)));
    assert_eq!(t["tokens"]["input"], 14 + 812 + 1020);
}

#[tokio::test]
async fn openinference_and_openllmetry_fixtures_are_normalized() {
    let app = spawn_app().await;
    for file in ["openinference.pb", "openllmetry.pb"] {
        assert_eq!(app.post_otlp(fixture(file), "application/x-protobuf", None).await.status, StatusCode::OK);
    }
    let oi = app.get_trace(&fixture_trace_id("openinference.pb")).await;
    let kinds: Vec<(&str, &str)> =
        oi["spans"].as_array().unwrap().iter().map(|s| (s["name"].as_str().unwrap(), s["kind"].as_str().unwrap())).collect();
    for expected in [
        ("planner", "agent"),
        ("retrieve", "retrieval"),
        ("rerank", "rerank"),
        ("ChatAnthropic", "llm"),
        ("get_weather", "tool"),
        ("guardrail pii", "guardrail"),
    ] {
        assert!(kinds.contains(&expected), "{expected:?} in {kinds:?}");
    }
    let llm = span(&oi, "ChatAnthropic");
    assert_eq!(llm["request_model"], "claude-3-5-haiku-20241022");
    assert_eq!(llm["provider"], "anthropic");
    assert_eq!(llm["tokens"]["total"], 760);
    assert_eq!(span(&oi, "planner")["session_id"], "sess-7");
    assert_eq!(span(&oi, "get_weather")["tool_name"], "get_weather");

    let tl = app.get_trace(&fixture_trace_id("openllmetry.pb")).await;
    assert_eq!(span(&tl, "trip.workflow")["kind"], "chain");
    assert_eq!(span(&tl, "summarize.task")["kind"], "chain");
    assert_eq!(span(&tl, "book_flight.tool")["kind"], "tool");
    assert_eq!(span(&tl, "book_flight.tool")["tool_name"], "book_flight");
    let chat = span(&tl, "openai.chat");
    assert_eq!(chat["kind"], "llm");
    assert_eq!(chat["tokens"]["total"], 340);
    assert_eq!(chat["provider"], "openai");
}
