//! `loupe import FILE…`: OTLP/JSON files (a Loupe export, or any OTLP/JSON
//! `ExportTraceServiceRequest`) sent to a running Loupe through its OTLP endpoint,
//! so they take the same path, limits and checks as any exporter's spans.

use indicatif::{ProgressBar, ProgressStyle};

/// Sends each file to `endpoint`; stops at the first that is refused.
/// `api_key` is sent as `Authorization: Bearer` (for a Loupe running with --auth).
pub async fn run(endpoint: &str, files: &[std::path::PathBuf], api_key: Option<&str>) -> anyhow::Result<()> {
    let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
    let bar = ProgressBar::new(files.len() as u64)
        .with_style(ProgressStyle::with_template("{bar:40.cyan/blue} {pos}/{len} files {msg}").expect("progress template"));
    let client = reqwest::Client::new();
    let mut spans = 0usize;
    for path in files {
        bar.set_message(path.display().to_string());
        let body = std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        let parsed: serde_json::Value = serde_json::from_slice(&body)
            .map_err(|e| anyhow::anyhow!("{} is not JSON (Loupe imports OTLP/JSON, as its export writes): {e}", path.display()))?;
        spans += parsed["resourceSpans"]
            .as_array()
            .map(|r| {
                r.iter()
                    .flat_map(|rs| rs["scopeSpans"].as_array().into_iter().flatten())
                    .map(|ss| ss["spans"].as_array().map_or(0, Vec::len))
                    .sum()
            })
            .unwrap_or(0);
        let mut request = client.post(&url).header("content-type", "application/json").body(body);
        if let Some(key) = api_key {
            request = request.bearer_auth(key);
        }
        let response = request.send().await.map_err(|e| anyhow::anyhow!("cannot reach Loupe at {url}: {e}"))?;
        let status = response.status();
        let answer = response.text().await.unwrap_or_default();
        if !status.is_success() {
            anyhow::bail!("Loupe refused {} ({status}): {answer}", path.display());
        }
        if answer.contains("rejectedSpans") {
            bar.println(format!("{}: some spans were rejected: {answer}", path.display()));
        }
        bar.inc(1);
    }
    bar.finish_with_message("done");
    eprintln!("Imported {} file(s), {spans} span(s), into {}.", files.len(), endpoint.trim_end_matches('/'));
    Ok(())
}
