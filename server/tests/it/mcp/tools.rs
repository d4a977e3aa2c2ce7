//! Every tool and the prompt, over HTTP and over stdio, on the demo data, the
//! recorded fixtures and a real exporter's trace.

use std::time::{Duration, SystemTime};

use opentelemetry::KeyValue;
use opentelemetry::trace::{Span as _, Status, TraceContextExt, Tracer, TracerProvider as _};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use prost::Message;
use reqwest::StatusCode;
use rmcp::model::{GetPromptRequestParams, ReadResourceRequestParams, ResourceContents};
use serde_json::json;

use super::client::{self, Client, no_args, ok, ok_json, tool_error};
use crate::common::*;

const TOOLS: [&str; 10] = [
    "cost_stats",
    "find_spans",
    "get_session",
    "get_span",
    "get_trace",
    "latency_stats",
    "list_alert_firings",
    "list_users",
    "search_logs",
    "search_traces",
];

/// Raw content of the recorded fixtures (see privacy.rs): in no answer by default.
const RAW: [&str; 6] =
    ["Find me a hotel in Lisbon", "alice@example.com", "Plan a weekend in Porto", "Bob Jones", "+1 415 555 0100", "TAP 1234"];

/// A refund agent whose tool call times out after 1.3 s and is retried, sent by
/// the OpenTelemetry Rust SDK's OTLP/HTTP exporter; its trace id.
fn export_timed_out_retry(endpoint: String) -> String {
    let exporter = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_endpoint(endpoint)
        .with_protocol(Protocol::HttpBinary)
        .build()
        .unwrap();
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name("refund-agent").build())
        .build();
    let tracer = provider.tracer("refunds");
    let t0 = SystemTime::now() - Duration::from_secs(60);
    let at = |ms: u64| t0 + Duration::from_millis(ms);
    let mut root = tracer.span_builder("invoke_agent refunds").with_start_time(at(0)).start(&tracer);
    root.set_attribute(KeyValue::new("gen_ai.operation.name", "invoke_agent"));
    let cx = opentelemetry::Context::current_with_span(root);
    let child = |name: &str, start: u64, attrs: Vec<KeyValue>| {
        let mut s = tracer.span_builder(name.to_string()).with_start_time(at(start)).start_with_context(&tracer, &cx);
        for a in attrs {
            s.set_attribute(a);
        }
        s
    };
    let chat = || vec![KeyValue::new("gen_ai.operation.name", "chat"), KeyValue::new("gen_ai.request.model", "gpt-4o-mini")];
    let tool = || vec![KeyValue::new("gen_ai.operation.name", "execute_tool"), KeyValue::new("gen_ai.tool.name", "lookup_order")];
    child("chat gpt-4o-mini", 100, chat()).end_with_timestamp(at(400));
    let mut first = child("execute_tool lookup_order", 400, tool());
    first.add_event(
        "exception",
        vec![KeyValue::new("exception.type", "TimeoutError"), KeyValue::new("exception.message", "read timed out after 1300 ms")],
    );
    first.set_status(Status::error("lookup_order timed out"));
    first.end_with_timestamp(at(1_700));
    child("execute_tool lookup_order", 1_750, tool()).end_with_timestamp(at(2_000));
    child("chat gpt-4o-mini", 2_000, chat()).end_with_timestamp(at(2_250));
    let trace_id = cx.span().span_context().trace_id().to_string();
    cx.span().end_with_timestamp(at(2_300));
    provider.force_flush().unwrap();
    let _ = provider.shutdown();
    trace_id
}

async fn load_fixtures(app: &TestApp) {
    for file in ["genai.pb", "openinference.json", "openllmetry.pb"] {
        let ct = if file.ends_with(".json") { "application/json" } else { "application/x-protobuf" };
        assert_eq!(app.post_otlp(fixture(file), ct, None).await.status, StatusCode::OK, "{file}");
    }
}

async fn load_demo(app: &TestApp) {
    let requests = loupe::demo::build(0);
    for r in &requests {
        assert_eq!(app.post_otlp(r.encode_to_vec(), "application/x-protobuf", None).await.status, StatusCode::OK);
    }
    for r in loupe::demo::build_logs(&requests) {
        assert_eq!(app.post_logs(r.encode_to_vec(), "application/x-protobuf", None).await.status, StatusCode::OK);
    }
}

/// The whole tour, on one client.
async fn tour(app: &TestApp, c: &Client, retry_trace: &str) {
    let mut tools: Vec<String> = c.list_all_tools().await.unwrap().into_iter().map(|t| t.name.to_string()).collect();
    tools.sort();
    assert_eq!(tools, TOOLS);
    let search = c.list_all_tools().await.unwrap().into_iter().find(|t| t.name == "search_traces").unwrap();
    let props = search.input_schema.get("properties").unwrap().as_object().unwrap();
    for arg in
        ["service", "status", "kind", "model", "min_duration_ms", "q", "user", "session", "since", "until", "order", "limit", "cursor"]
    {
        assert!(props.contains_key(arg), "search_traces takes {arg}");
    }
    let prompts = c.list_all_prompts().await.unwrap();
    assert_eq!(prompts.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(), ["explain_bottleneck"]);

    // Search, newest first and slowest first.
    let found = ok_json(c, "search_traces", json!({ "limit": 5 })).await;
    let rows = found["traces"].as_array().unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows[0]["link"].as_str().unwrap().starts_with(&format!("{}/traces/", app.base)), "{found}");
    let slow = ok_json(c, "search_traces", json!({ "order": "slowest", "since": "3650d", "limit": 3 })).await;
    let d: Vec<f64> = slow["traces"].as_array().unwrap().iter().map(|t| t["duration_ms"].as_f64().unwrap()).collect();
    assert!(d.windows(2).all(|w| w[0] >= w[1]), "{d:?}");
    let errors = ok_json(c, "search_traces", json!({ "status": "error", "service": "refund-agent", "since": "1h" })).await;
    assert_eq!(errors["traces"][0]["trace_id"], retry_trace, "{errors}");

    // The brief names the step, the timeout, the retry and the critical path.
    let brief = ok(c, "get_trace", json!({ "trace_id": retry_trace })).await;
    for want in [
        "`execute_tool lookup_order` took 1.30 s (57% of the trace) and was retried once after a timeout.",
        "**Fix:**",
        "## Critical path",
        "| 57% | 1.30 s | `execute_tool lookup_order` | tool |",
        "raised `TimeoutError`: read timed out after 1300 ms",
        "lookup_order timed out",
        &format!("Open in Loupe: {}/traces/{retry_trace}", app.base),
    ] {
        assert!(brief.contains(want), "brief lacks {want:?}:\n{brief}");
    }
    assert_eq!(brief, app.get(&format!("/api/traces/{retry_trace}/brief")).await.text(), "MCP and the API give the same brief");

    // Drill in: the failed spans, then one whole.
    let failed = ok_json(c, "find_spans", json!({ "trace_id": retry_trace, "status": "error" })).await;
    assert_eq!(failed["total"], 1, "{failed}");
    let span_id = failed["spans"][0]["span_id"].as_str().unwrap().to_string();
    let tools_found = ok_json(c, "find_spans", json!({ "trace_id": retry_trace, "q": "LOOKUP", "limit": 1 })).await;
    assert_eq!((tools_found["total"].as_u64(), tools_found["next_offset"].as_u64()), (Some(2), Some(1)), "{tools_found}");
    let span = ok_json(c, "get_span", json!({ "trace_id": retry_trace, "span_id": span_id })).await;
    assert_eq!(span["status_message"], "lookup_order timed out");
    assert_eq!(span["events"][0]["exception"]["type"], "TimeoutError");
    assert_eq!(span["link"], format!("{}/traces/{retry_trace}?span={span_id}", app.base));
    assert_eq!(span["resource_attributes"]["service.name"], "refund-agent");

    // The stats tools.
    let latency = ok_json(c, "latency_stats", json!({ "since": "3650d", "by_step": true })).await;
    assert!(latency["rows"].as_array().unwrap().iter().any(|r| r["step"] == "execute_tool lookup_order"), "{latency}");
    let cost = ok_json(c, "cost_stats", json!({ "since": "3650d" })).await;
    assert!(cost["total"]["calls"].as_i64().unwrap() > 0, "{cost}");
    assert!(cost["series"].as_array().unwrap().is_empty());
    let firings = ok_json(c, "list_alert_firings", no_args()).await;
    assert!(firings["firings"].is_array());
    let people = ok_json(c, "list_users", json!({ "since": "3650d" })).await;
    assert!(people["users"].as_array().unwrap().iter().any(|u| u["user"] == "customer-77"), "{people}");
    let session = ok_json(c, "get_session", json!({ "session": "sess-support-1042" })).await;
    assert_eq!(session["traces"].as_array().unwrap().len(), 15);

    // Logs: search_logs finds the demo's retry warning, get_span carries it, the brief quotes it.
    let found = ok_json(c, "search_logs", json!({ "q": "timed out", "severity": "warn", "since": "3650d", "limit": 5 })).await;
    let log = &found["logs"][0];
    assert!(log["body"].as_str().unwrap().contains("timed out; retrying"), "{found}");
    let (t, s) = (log["trace_id"].as_str().unwrap(), log["span_id"].as_str().unwrap());
    let span = ok_json(c, "get_span", json!({ "trace_id": t, "span_id": s })).await;
    assert!(span["logs"].as_array().unwrap().iter().any(|l| l["severity"] == "warn"), "{span}");
    let logged = ok(c, "get_trace", json!({ "trace_id": t })).await;
    assert!(logged.contains("## Warnings and errors logged") && logged.contains("timed out; retrying"), "{logged}");
    assert!(tool_error(c, "search_logs", json!({ "severity": "loud" })).await.starts_with("severity must be"));

    // Mistakes are tool errors with the JSON API's messages.
    let unknown = "0123456789abcdef0123456789abcdef";
    assert_eq!(tool_error(c, "get_trace", json!({ "trace_id": unknown })).await, format!("no trace with id {unknown} is stored"));
    assert!(tool_error(c, "get_trace", json!({ "trace_id": "zz" })).await.starts_with("malformed trace id \"zz\""));
    assert!(
        tool_error(c, "get_span", json!({ "trace_id": retry_trace, "span_id": "0011223344556677" }))
            .await
            .contains("has no span 0011223344556677")
    );
    assert!(
        tool_error(c, "find_spans", json!({ "trace_id": retry_trace, "kind": "robot" })).await.starts_with("kind must be one of agent")
    );
    assert!(tool_error(c, "search_traces", json!({ "status": "broken" })).await.starts_with("status must be \"error\" or \"ok\""));
    assert!(tool_error(c, "search_traces", json!({ "since": "yesterday" })).await.contains("since must be"));

    // The prompt carries the brief and the question.
    let prompt = c
        .get_prompt(
            GetPromptRequestParams::new("explain_bottleneck")
                .with_arguments(json!({ "trace_id": retry_trace }).as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    let text = prompt.messages[0].content.as_text().unwrap().text.clone();
    assert!(text.contains("Propose three fixes") && text.contains("was retried once after a timeout"), "{text}");
    assert!(
        c.get_prompt(
            GetPromptRequestParams::new("explain_bottleneck").with_arguments(json!({ "trace_id": "zz" }).as_object().unwrap().clone())
        )
        .await
        .is_err()
    );

    // Traces as resources: the newest listed, any one read through the template.
    let resources = c.list_all_resources().await.unwrap();
    assert!(!resources.is_empty() && resources.iter().all(|r| r.uri.starts_with("loupe://traces/")), "{resources:?}");
    let templates = c.list_all_resource_templates().await.unwrap();
    assert_eq!(templates[0].uri_template, "loupe://traces/{trace_id}");
    let read = c.read_resource(ReadResourceRequestParams::new(format!("loupe://traces/{retry_trace}"))).await.unwrap();
    let ResourceContents::TextResourceContents { text, .. } = &read.contents[0] else { panic!("{read:?}") };
    assert_eq!(*text, brief);
    assert!(c.read_resource(ReadResourceRequestParams::new(format!("loupe://traces/{unknown}"))).await.is_err());

    // No raw fixture content in any answer.
    let mut all = String::new();
    for t in ok_json(c, "search_traces", json!({ "since": "3650d", "limit": 50 })).await["traces"].as_array().unwrap() {
        let id = t["trace_id"].as_str().unwrap();
        all.push_str(&ok(c, "get_trace", json!({ "trace_id": id })).await);
        let spans = ok_json(c, "find_spans", json!({ "trace_id": id, "limit": 200 })).await;
        for s in spans["spans"].as_array().unwrap() {
            all.push_str(&ok(c, "get_span", json!({ "trace_id": id, "span_id": s["span_id"] })).await);
        }
    }
    assert!(all.contains("blake3:"), "content fingerprints are in the span answers");
    for raw in RAW {
        assert!(!all.contains(raw), "{raw:?} is in a tool answer");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_tool_answers_over_http_and_over_stdio() {
    let mut app = spawn_app().await;
    load_demo(&app).await;
    load_fixtures(&app).await;
    let endpoint = format!("{}/v1/traces", app.base);
    let retry_trace = tokio::task::spawn_blocking(move || export_timed_out_retry(endpoint)).await.unwrap();

    let http = client::http(&app.base, None).await;
    let info = http.peer_info().unwrap();
    assert_eq!(info.server_info.as_ref().unwrap().name, "loupe");
    assert!(info.instructions.as_deref().unwrap().contains("get_trace"));
    tour(&app, &http, &retry_trace).await;
    http.cancel().await.unwrap();

    let stdio = client::stdio(&app.base, None).await;
    tour(&app, &stdio, &retry_trace).await;
    stdio.cancel().await.unwrap();

    let metrics = app.get("/metrics").await.text();
    assert!(metrics.contains(r#"loupe_mcp_tool_calls_total{tool="get_trace",outcome="ok"}"#), "{metrics}");
    assert!(metrics.contains(r#"loupe_mcp_tool_calls_total{tool="get_trace",outcome="error"} 4"#), "{metrics}");
    app.stop().await;
}

#[tokio::test]
async fn the_brief_api_speaks_markdown_and_json() {
    let mut app = spawn_app().await;
    load_fixtures(&app).await;
    let id = fixture_trace_id("genai.pb");
    let md = app.get(&format!("/api/traces/{id}/brief")).await;
    assert_eq!(md.status, StatusCode::OK);
    assert_eq!(md.headers["content-type"], "text/markdown; charset=utf-8");
    assert!(md.text().starts_with(&format!("# Trace {id}: ")), "{}", md.text());
    let json = app.get(&format!("/api/traces/{id}/brief?format=json")).await.json();
    assert_eq!(json["trace_id"], id.as_str());
    assert_eq!(json["content_policy"], "hashed");
    assert!(json["outline"].as_array().unwrap().len() > 3);
    let bad = app.get(&format!("/api/traces/{id}/brief?format=xml")).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.text().contains("format must be"), "{}", bad.text());
    assert_eq!(app.get("/api/traces/0123456789abcdef0123456789abcdef/brief").await.status, StatusCode::NOT_FOUND);
    let spans = app.get(&format!("/api/traces/{id}/spans?status=error")).await.json();
    assert!(spans["total"].as_u64().unwrap() >= 1, "{spans}");
    let span_id = spans["spans"][0]["span_id"].as_str().unwrap();
    let one = app.get(&format!("/api/traces/{id}/spans/{span_id}")).await.json();
    assert_eq!(one["span"]["span_id"], span_id);
    assert_eq!(app.get(&format!("/api/traces/{id}/spans?limit=0")).await.status, StatusCode::BAD_REQUEST);
    app.stop().await;
}
