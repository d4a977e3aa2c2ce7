//! `loupe import FILE…`: OTLP/JSON files (a Loupe export, or any OTLP/JSON
//! `ExportTraceServiceRequest`) sent to a running Loupe through its OTLP endpoints,
//! so they take the same path, limits and checks as any exporter's spans. A
//! Loupe export carries the trace's log records beside its spans
//! (`resourceLogs`): they go to `/v1/logs`.

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

/// How many items the OTLP groups hold (`scopeSpans` → `spans`, `scopeLogs` → `logRecords`).
fn count(groups: &Value, scopes: &str, items: &str) -> usize {
    groups
        .as_array()
        .map(|r| r.iter().flat_map(|g| g[scopes].as_array().into_iter().flatten()).map(|s| s[items].as_array().map_or(0, Vec::len)).sum())
        .unwrap_or(0)
}

/// Sends each file to `endpoint`; stops at the first that is refused.
/// `api_key` is sent as `Authorization: Bearer` (for a Loupe running with --auth).
pub async fn run(endpoint: &str, files: &[std::path::PathBuf], api_key: Option<&str>) -> anyhow::Result<()> {
    let base = endpoint.trim_end_matches('/');
    let bar = ProgressBar::new(files.len() as u64)
        .with_style(ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} files {msg}").expect("progress template"));
    let client = reqwest::Client::new();
    let (mut spans, mut logs) = (0usize, 0usize);
    for path in files {
        bar.set_message(path.display().to_string());
        let body = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let parsed: Value = serde_json::from_slice(&body)
            .map_err(|e| anyhow::anyhow!("{} is not JSON (Loupe imports OTLP/JSON, as its export writes): {e}", path.display()))?;
        let records = parsed.get("resourceLogs").filter(|r| r.is_array());
        if parsed.get("resourceSpans").is_some() || records.is_none() {
            spans += count(&parsed["resourceSpans"], "scopeSpans", "spans");
            send(&client, &format!("{base}/v1/traces"), body, api_key, path, &bar).await?;
        }
        if let Some(records) = records {
            logs += count(records, "scopeLogs", "logRecords");
            let request = serde_json::to_vec(&serde_json::json!({ "resourceLogs": records })).expect("JSON serializes");
            send(&client, &format!("{base}/v1/logs"), request, api_key, path, &bar).await?;
        }
        bar.inc(1);
    }
    bar.finish_with_message("done");
    eprintln!("Imported {} file(s), {spans} span(s) and {logs} log record(s), into {base}.", files.len());
    Ok(())
}

/// Posts one OTLP/JSON request; an error names the file and says what Loupe answered.
async fn send(
    client: &reqwest::Client,
    url: &str,
    body: Vec<u8>,
    api_key: Option<&str>,
    path: &std::path::Path,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    let mut request = client.post(url).header("content-type", "application/json").body(body);
    if let Some(key) = api_key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.map_err(|e| anyhow::anyhow!("cannot reach Loupe at {url}: {e}"))?;
    let status = response.status();
    let answer = response.text().await.unwrap_or_default();
    if !status.is_success() {
        anyhow::bail!("Loupe refused {} at {url} ({status}): {answer}", path.display());
    }
    if answer.contains("rejectedSpans") || answer.contains("rejectedLogRecords") {
        bar.println(format!("{}: some items were rejected: {answer}", path.display()));
    }
    Ok(())
}
