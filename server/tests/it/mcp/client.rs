//! Connecting rmcp's client to a Loupe, and reading tool answers.

use rmcp::model::{CallToolRequestParams, CallToolResult, ClientConfig, Implementation};
use rmcp::service::RunningService;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::transport::{StreamableHttpClientTransport, TokioChildProcess};
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Value, json};

pub type Client = RunningService<RoleClient, ClientConfig>;

fn info() -> ClientConfig {
    ClientConfig::new(Default::default(), Implementation::new("loupe-tests", "1"))
}

/// rmcp's client on `{base}/mcp`, with a key when given.
pub async fn http(base: &str, key: Option<&str>) -> Client {
    let mut config = StreamableHttpClientTransportConfig::with_uri(format!("{base}/mcp"));
    if let Some(k) = key {
        config = config.auth_header(k.to_string());
    }
    info().serve(StreamableHttpClientTransport::from_config(config)).await.expect("MCP client connects over HTTP")
}

/// rmcp's client on a `loupe mcp --url {base}` child process (stdio).
pub async fn stdio(base: &str, key: Option<&str>) -> Client {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_loupe"));
    command.arg("mcp").arg("--url").arg(base).env_remove("LOUPE_API_KEY");
    if let Some(k) = key {
        command.env("LOUPE_API_KEY", k);
    }
    let child = TokioChildProcess::new(command).expect("loupe mcp starts");
    info().serve(child).await.expect("MCP client connects over stdio")
}

/// A tool call's result (tool errors included; protocol errors panic).
pub async fn call(client: &Client, tool: &str, args: Value) -> CallToolResult {
    let Value::Object(args) = args else { panic!("arguments must be an object") };
    client
        .call_tool(CallToolRequestParams::new(tool.to_string()).with_arguments(args))
        .await
        .unwrap_or_else(|e| panic!("{tool}: protocol error {e}"))
}

/// The text of a result.
pub fn text(r: &CallToolResult) -> String {
    r.content.iter().filter_map(|c| c.as_text().map(|t| t.text.clone())).collect::<Vec<_>>().join("\n")
}

/// A successful tool call's text.
pub async fn ok(client: &Client, tool: &str, args: Value) -> String {
    let r = call(client, tool, args.clone()).await;
    assert_ne!(r.is_error, Some(true), "{tool} {args}: {}", text(&r));
    text(&r)
}

/// A successful tool call's JSON.
pub async fn ok_json(client: &Client, tool: &str, args: Value) -> Value {
    let t = ok(client, tool, args).await;
    serde_json::from_str(&t).unwrap_or_else(|e| panic!("{tool}: not JSON ({e}): {t}"))
}

/// A tool error's message.
pub async fn tool_error(client: &Client, tool: &str, args: Value) -> String {
    let r = call(client, tool, args.clone()).await;
    assert_eq!(r.is_error, Some(true), "{tool} {args} should fail: {}", text(&r));
    text(&r)
}

pub fn no_args() -> Value {
    json!({})
}
