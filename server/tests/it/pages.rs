//! The pages as plain HTTP answers (the browser specs in `end2end/` drive them in
//! Chromium): status codes, server-rendered content, and the server functions the
//! hydrated pages call.

use crate::common;

use common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn the_list_and_trace_pages_render_on_the_server_with_the_right_status() {
    let mut app = spawn_app().await;
    assert_eq!(app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    let id = fixture_trace_id("genai.pb");
    let trace = app.get_trace(&id).await;
    let root = trace["spans"].as_array().unwrap().iter().find(|s| s["parent_span_id"].is_null()).unwrap().clone();
    let root_name = root["name"].as_str().unwrap();

    let list = app.get("/").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.text().contains(&format!("data-trace-id=\"{id}\"")), "the list links the trace");

    let page = app.get(&format!("/traces/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let html = page.text();
    assert!(html.contains(root_name));
    // Link previews: name, duration, errors and cost, in OpenGraph and Twitter tags.
    let errors = trace["spans"].as_array().unwrap().iter().filter(|s| s["status"] == "error").count();
    let og = html
        .split("property=\"og:title\" content=\"")
        .nth(1)
        .unwrap_or_else(|| panic!("no og:title in the page"))
        .split('"')
        .next()
        .unwrap();
    assert!(og.starts_with(&format!("{root_name} — ")), "{og}");
    assert!(
        og.contains(
            match errors {
                0 => "no errors".to_string(),
                1 => "1 error".to_string(),
                n => format!("{n} errors"),
            }
            .as_str()
        ),
        "{og}"
    );
    assert!(html.contains("name=\"twitter:card\" content=\"summary\""));
    assert_eq!(html.matches("data-testid=\"span-row\"").count(), trace["spans"].as_array().unwrap().len());

    let span = root["span_id"].as_str().unwrap();
    let selected = app.get(&format!("/traces/{id}?span={span}")).await.text();
    assert!(selected.contains("data-testid=\"span-detail\""));

    // A custom UTC range (what the form's datetime-local inputs send) around the trace, and after it.
    let start_ns = trace["spans"].as_array().unwrap().iter().map(|s| s["start_ns"].as_i64().unwrap()).min().unwrap();
    let minute = |offset_min: i64| {
        let t = time::OffsetDateTime::from_unix_timestamp_nanos((start_ns + offset_min * 60_000_000_000) as i128).unwrap();
        format!("{:04}-{:02}-{:02}T{:02}:{:02}", t.year(), t.month() as u8, t.day(), t.hour(), t.minute())
    };
    let around = app.get(&format!("/?since=custom&from={}&to={}", minute(-1), minute(2))).await;
    assert_eq!(around.status, StatusCode::OK);
    assert!(around.text().contains(&format!("data-trace-id=\"{id}\"")));
    let after = app.get(&format!("/?since=custom&from={}", minute(2))).await;
    assert_eq!(after.status, StatusCode::OK);
    assert!(after.text().contains("No traces match these filters"));

    for (path, status, says) in [
        (
            "/traces/0123456789abcdef0123456789abcdef".to_string(),
            StatusCode::NOT_FOUND,
            "No trace with id 0123456789abcdef0123456789abcdef",
        ),
        ("/traces/zz".to_string(), StatusCode::BAD_REQUEST, "is not a trace id"),
        ("/?status=broken".to_string(), StatusCode::BAD_REQUEST, "status must be"),
        ("/?since=custom&from=yesterday".to_string(), StatusCode::BAD_REQUEST, "since must be"),
    ] {
        let a = app.get(&path).await;
        assert_eq!(a.status, status, "{path}");
        assert!(a.text().contains(says), "{path} should say {says:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn server_functions_answer_the_hydrated_pages() {
    let mut app = spawn_app().await;
    assert_eq!(app.post_otlp(fixture("genai.pb"), "application/x-protobuf", None).await.status, StatusCode::OK);
    let id = fixture_trace_id("genai.pb");
    let post = |path: &'static str, body: serde_json::Value| {
        let app = &app;
        async move { app.client.post(format!("{}{path}", app.base)).json(&body).send().await.unwrap() }
    };

    // An empty filter is the whole list (JSON input, so "no filters" is not an empty body).
    let list: serde_json::Value = post("/rpc/traces", json!({ "filter": {} })).await.json().await.unwrap();
    assert_eq!(list["page"]["traces"][0]["trace_id"], id.as_str());
    assert_eq!(list["stats"]["spans"], 7);
    assert_eq!(list["content_policy"], "hashed");
    assert!(!list["services"].as_array().unwrap().is_empty());

    // The other server functions take form-encoded ids (hex: nothing to escape).
    let form = |trace_id: &str| {
        let app = &app;
        let body = format!("trace_id={trace_id}");
        async move {
            app.client
                .post(format!("{}/rpc/trace", app.base))
                .header("content-type", "application/x-www-form-urlencoded")
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let outline: serde_json::Value = form(&id).await.json().await.unwrap();
    assert_eq!(outline["rows"].as_array().unwrap().len(), 7);
    assert_eq!(outline["rows"][0]["depth"], 0);
    assert!(!outline["by_kind"].as_array().unwrap().is_empty());
    let missing = form("0123456789abcdef0123456789abcdef").await;
    assert!(missing.status().is_server_error() || missing.status().is_client_error());
    assert!(missing.text().await.unwrap().contains("NotFound"));
    app.stop().await;
}
