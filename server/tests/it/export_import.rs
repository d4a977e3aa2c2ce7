//! Export a trace as OTLP/JSON and import it into another Loupe: ids, timings,
//! attributes and kinds come back the same, and content stays as private as it was.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::Value;

fn spans_by_id(trace: &Value) -> std::collections::BTreeMap<String, Value> {
    trace["spans"].as_array().unwrap().iter().map(|s| (s["span_id"].as_str().unwrap().to_string(), s.clone())).collect()
}

#[tokio::test]
async fn an_exported_trace_imports_into_another_loupe_unchanged() {
    let from = spawn_app().await;
    assert_eq!(from.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    let id = fixture_trace_id("genai.pb");
    let exported = from.get(&format!("/api/traces/{id}/export")).await;
    assert_eq!(exported.status, StatusCode::OK);
    assert_eq!(exported.headers["content-disposition"], format!("attachment; filename=\"trace-{id}.json\""));
    let body = exported.json();
    assert!(body["resourceSpans"][0]["scopeSpans"][0]["spans"].as_array().is_some_and(|s| !s.is_empty()));
    let text = exported.text();
    assert!(text.contains("loupe.content"), "fingerprints travel as fingerprints");

    // Into a Loupe that captures content: hashed content stays hashed.
    let file = from.dir.path().join("trace.json");
    std::fs::write(&file, &exported.body).unwrap();
    let to = spawn_app_with(&["--capture-content"]).await;
    loupe::import::run(&to.base, &[file], None).await.expect("import");
    let (a, b) = (from.get_trace(&id).await, to.get_trace(&id).await);
    let (a, b) = (spans_by_id(&a), spans_by_id(&b));
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "same span ids");
    for (span_id, x) in &a {
        let y = &b[span_id];
        for field in [
            "trace_id",
            "parent_span_id",
            "name",
            "kind",
            "otel_kind",
            "start_ns",
            "end_ns",
            "status",
            "status_message",
            "tokens",
            "request_model",
            "response_model",
            "tool_name",
            "attributes",
            "events",
            "links",
            "content",
            "content_policy",
            "scope",
            "service",
        ] {
            assert_eq!(x[field], y[field], "span {span_id}: {field}");
        }
        assert!(y["attributes"].get("loupe.content").is_none());
    }
    assert!(a.values().any(|s| !s["content"].as_array().unwrap().is_empty()), "the fixture has content");
    assert!(b.values().all(|s| s["content_policy"] == "hashed"));

    // Bad input: not JSON, an unknown trace.
    let junk = to.dir.path().join("junk.json");
    std::fs::write(&junk, b"not json").unwrap();
    let err = loupe::import::run(&to.base, &[junk], None).await.unwrap_err().to_string();
    assert!(err.contains("is not JSON"), "{err}");
    assert_eq!(from.get("/api/traces/0123456789abcdef0123456789abcdef/export").await.status, StatusCode::NOT_FOUND);
    assert_eq!(from.get("/api/traces/nope/export").await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn captured_content_is_hashed_by_a_loupe_that_hashes() {
    let from = spawn_app_with(&["--capture-content"]).await;
    assert_eq!(from.post_otlp(fixture("openinference.json"), "application/json", None).await.status, StatusCode::OK);
    let id = fixture_trace_id("openinference.json");
    let original = from.get_trace(&id).await;
    assert!(original["spans"].as_array().unwrap().iter().any(|s| s["content"].as_array().unwrap().iter().any(|c| c["text"].is_string())));
    let exported = from.get(&format!("/api/traces/{id}/export")).await;
    let to = spawn_app().await;
    assert_eq!(to.post_otlp(exported.body.clone(), "application/json", None).await.status, StatusCode::OK);
    let imported = to.get_trace(&id).await;
    for s in imported["spans"].as_array().unwrap() {
        assert_eq!(s["content_policy"], "hashed");
        assert!(s["content"].as_array().unwrap().iter().all(|c| c.get("text").is_none() && c["hash"].is_string()), "{s}");
    }
    // No captured text reaches the hashing Loupe's files.
    let sample = original["spans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["content"].as_array().unwrap().clone())
        .find_map(|c| c["text"].as_str().map(str::to_string))
        .unwrap();
    let needle = &sample[..sample.len().min(40)];
    for (path, bytes) in to.data_files().await {
        assert!(!bytes.windows(needle.len()).any(|w| w == needle.as_bytes()), "{} holds captured text", path.display());
    }
}
