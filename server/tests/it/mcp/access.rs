//! Who may use `/mcp`: with `--auth`, only an `api`-scope key (401 with
//! `WWW-Authenticate` without one, 403 with an ingest key); without auth, only
//! loopback names and `--public-url` (DNS rebinding).

use reqwest::StatusCode;
use serde_json::json;

use super::client::{self, ok_json};
use crate::common::access::*;
use crate::common::*;

const INIT: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}"#;

async fn post_mcp(app: &TestApp, headers: &[(&str, &str)]) -> Answer {
    let mut r = app
        .client
        .post(format!("{}/mcp", app.base))
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .body(INIT);
    for (k, v) in headers {
        r = r.header(*k, *v);
    }
    answer(r.send().await.unwrap()).await
}

#[tokio::test(flavor = "multi_thread")]
async fn with_auth_mcp_takes_an_api_key_only() {
    let mut app = spawn_auth_app(&[]).await;
    let cookie = app.sign_in(ADMIN, ADMIN_PASSWORD).await;
    let api = app.create_key(&cookie, "assistant", "api").await;
    let ingest = app.create_key(&cookie, "exporter", "ingest").await;

    let none = post_mcp(&app, &[]).await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED, "{}", none.text());
    assert_eq!(none.headers["www-authenticate"], "Bearer realm=\"loupe\"");
    let bearer = format!("Bearer {ingest}");
    let refused = post_mcp(&app, &[("authorization", &bearer)]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.text().contains("api scope"), "{}", refused.text());

    let bearer = format!("Bearer {api}");
    let init = post_mcp(&app, &[("authorization", &bearer)]).await;
    assert_eq!(init.status, StatusCode::OK, "{}", init.text());
    assert_eq!(init.json()["result"]["serverInfo"]["name"], "loupe");

    // rmcp's client with the key, over HTTP and through `loupe mcp` (LOUPE_API_KEY).
    for c in [client::http(&app.base, Some(&api)).await, client::stdio(&app.base, Some(&api)).await] {
        let found = ok_json(&c, "search_traces", json!({})).await;
        assert!(found["traces"].as_array().unwrap().is_empty());
        c.cancel().await.unwrap();
    }
    app.stop().await;
}

#[tokio::test]
async fn without_auth_mcp_answers_loopback_names_only() {
    let mut app = spawn_app().await;
    let foreign = post_mcp(&app, &[("host", "rebind.attacker.example")]).await;
    assert_eq!(foreign.status, StatusCode::MISDIRECTED_REQUEST, "{}", foreign.text());
    assert_eq!(post_mcp(&app, &[("host", "localhost")]).await.status, StatusCode::OK);
    // A page on another site cannot drive it from a browser either.
    let cross = post_mcp(&app, &[("origin", "https://evil.example"), ("sec-fetch-site", "cross-site")]).await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    app.stop().await;
}

#[tokio::test]
async fn loupe_mcp_says_how_to_set_up_each_client_and_what_went_wrong() {
    let help = std::process::Command::new(env!("CARGO_BIN_EXE_loupe")).args(["mcp", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for want in ["claude mcp add --transport http loupe http://127.0.0.1:4318/mcp", "Cursor", "VS Code", "Codex", "LOUPE_API_KEY"] {
        assert!(help.contains(want), "--help lacks {want:?}:\n{help}");
    }
    // Nothing listens on port 9 (discard): the message says where it looked.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_loupe"))
        .args(["mcp", "--url", "http://127.0.0.1:9"])
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("could not reach Loupe's MCP endpoint at http://127.0.0.1:9/mcp"), "{err}");
    assert!(out.stdout.is_empty(), "stdout is for MCP only");
}
