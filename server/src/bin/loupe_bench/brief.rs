//! The trace brief of the big trace: `GET /api/traces/{id}/brief` and MCP's
//! `get_trace` (rmcp's client over Streamable HTTP), timed, with their sizes.

use std::time::Instant;

use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, ClientConfig, Implementation};
use rmcp::transport::StreamableHttpClientTransport;

/// Markdown rows for the query table: the brief over HTTP and over MCP.
pub async fn rows(base: &str, trace: &str, spans: usize, repeats: usize) -> anyhow::Result<Vec<String>> {
    let http = reqwest::Client::new();
    let mut times = Vec::with_capacity(repeats);
    let mut chars = 0;
    for _ in 0..repeats {
        let started = Instant::now();
        let text = http.get(format!("{base}/api/traces/{trace}/brief")).send().await?.error_for_status()?.text().await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        chars = text.chars().count();
    }
    let mut rows = vec![row(&format!("`GET /api/traces/{{id}}/brief` (brief of {spans} spans, Markdown)"), &mut times, chars)];

    let info = ClientConfig::new(Default::default(), Implementation::new("loupe-bench", env!("CARGO_PKG_VERSION")));
    let client = info.serve(StreamableHttpClientTransport::from_uri(format!("{base}/mcp"))).await?;
    let mut args = serde_json::Map::new();
    args.insert("trace_id".into(), serde_json::Value::String(trace.to_string()));
    times.clear();
    for _ in 0..repeats {
        let started = Instant::now();
        let result = client.call_tool(CallToolRequestParams::new("get_trace").with_arguments(args.clone())).await?;
        times.push(started.elapsed().as_secs_f64() * 1e3);
        anyhow::ensure!(result.is_error != Some(true), "get_trace failed");
        chars = result.content.iter().filter_map(|c| c.as_text()).map(|t| t.text.chars().count()).sum();
    }
    rows.push(row(&format!("MCP `get_trace` (brief of {spans} spans)"), &mut times, chars));
    client.cancel().await?;
    Ok(rows)
}

fn row(label: &str, times: &mut [f64], chars: usize) -> String {
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    format!("| {label} | {:.1} | {:.1} | {chars} characters |", pct(0.5), pct(0.99))
}
