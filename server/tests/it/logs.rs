//! Loupe's own logs carry each request's trace id: from `traceparent` when the
//! request has one, otherwise a fresh one. Runs the real binary with JSON logs.

use crate::common;

use std::time::Duration;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn every_log_line_of_a_request_carries_its_trace_id() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::fresh(dir.path()).await;
    let data = dir.path().to_str().unwrap().to_string();
    let db_args = db.serve_args();
    let mut args = vec!["--grpc-addr", "off", "--data-dir", &data, "--log-format", "json"];
    args.extend(db_args.iter().map(String::as_str));
    let mut child = common::child::serve(&args, &[("LOUPE_LOG", "info,loupe=debug")]);
    let base = child.base.clone();
    loupe::tls::install();
    let client = common::client_builder().build().unwrap();
    let mut up = false;
    for _ in 0..100 {
        if client.get(format!("{base}/healthz")).send().await.is_ok() {
            up = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(up, "server did not come up");

    let incoming = "4bf92f3577b34da6a3ce929d0e0e4736";
    let with = client
        .post(format!("{base}/v1/traces"))
        .header("content-type", "application/x-protobuf")
        .header("traceparent", format!("00-{incoming}-00f067aa0ba902b7-01"))
        .body(fixture("genai.pb"))
        .send()
        .await
        .unwrap();
    assert_eq!(with.headers()["x-trace-id"], incoming);
    let without = client
        .post(format!("{base}/v1/traces"))
        .header("content-type", "application/x-protobuf")
        .body(fixture("openllmetry.pb"))
        .send()
        .await
        .unwrap();
    let fresh = without.headers()["x-trace-id"].to_str().unwrap().to_string();
    assert_eq!(fresh.len(), 32);
    assert_ne!(fresh, incoming);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // An MCP tool call is logged with its request's trace id, though rmcp runs it on a task of its own.
    let mcp_trace = "0af7651916cd43dd8448eb211c80319c";
    let call = client
        .post(format!("{base}/mcp"))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("mcp-protocol-version", "2025-06-18")
        .header("traceparent", format!("00-{mcp_trace}-b7ad6b7169203331-01"))
        .body(r#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"get_trace","arguments":{"trace_id":"zz"}}}"#)
        .send()
        .await
        .unwrap();
    let answer: Value = call.json().await.unwrap();
    assert_eq!(answer["result"]["isError"], true, "{answer}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    child.kill();

    let lines: Vec<Value> = child.log.lock().unwrap().iter().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let of = |id: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["span"]["trace_id"] == id)
            .map(|l| l["fields"]["message"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    for id in [incoming, fresh.as_str()] {
        let messages = of(id);
        assert!(messages.iter().any(|m| m == "export committed"), "{id}: {messages:?}");
        assert!(messages.iter().any(|m| m == "request finished"), "{id}: {messages:?}");
    }
    let tool = lines.iter().find(|l| l["fields"]["message"] == "MCP tool call").expect("the tool call is logged");
    assert_eq!(tool["fields"]["trace_id"], mcp_trace, "{tool}");
    assert_eq!((tool["fields"]["tool"].as_str(), tool["fields"]["outcome"].as_str()), (Some("get_trace"), Some("error")), "{tool}");
    // Every line logged about an export belongs to a request span.
    let request_lines: Vec<&Value> =
        lines.iter().filter(|l| matches!(l["fields"]["message"].as_str(), Some("export committed" | "request finished"))).collect();
    assert!(request_lines.len() >= 4);
    for line in request_lines {
        let id = line["span"]["trace_id"].as_str().unwrap_or_else(|| panic!("no trace id on {line}"));
        assert!(id == incoming || id == fresh || line["span"]["path"] != "/v1/traces", "{line}");
    }
}
