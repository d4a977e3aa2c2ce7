//! The ingest run with a size cap (`--serve-arg=--max-db-size=64MiB
//! --serve-arg=--retention-every=1s`): retention deletes the oldest traces
//! while the exports arrive. Reports ingest as it was acknowledged, what was
//! deleted, and the data's size against the cap once the last run is done.

use std::time::{Duration, Instant};

use serde_json::Value;

async fn retention(client: &reqwest::Client, base: &str) -> anyhow::Result<Value> {
    Ok(client.get(format!("{base}/api/retention")).send().await?.error_for_status()?.json().await?)
}

/// The size cap in force, if any.
pub async fn cap(client: &reqwest::Client, base: &str) -> anyhow::Result<Option<u64>> {
    Ok(retention(client, base).await?["policy"]["max_bytes"].as_u64())
}

/// Where retention stands after the ingest phase.
pub struct Settled {
    pub used_bytes: u64,
    pub file_bytes: u64,
    pub measure: String,
    pub spans_deleted: u64,
    pub spans_left: u64,
    /// From the last acknowledged export to the data under the cap.
    pub after_last_export: Duration,
}

/// Waits (up to two minutes) until the data is under `cap` and the last run has
/// recorded what it deleted: every one of the `sent` spans is then stored or
/// counted as deleted.
pub async fn settle(client: &reqwest::Client, base: &str, cap: u64, sent: u64) -> anyhow::Result<Settled> {
    let started = Instant::now();
    loop {
        let v = retention(client, base).await?;
        let used = v["used_bytes"].as_u64().unwrap_or(u64::MAX);
        let deleted = v["spans_deleted"].as_u64().unwrap_or(0);
        let stats: Value = client.get(format!("{base}/api/stats/summary")).send().await?.error_for_status()?.json().await?;
        let left = stats["spans"].as_u64().unwrap_or(0);
        let settled = used <= cap && left + deleted == sent;
        if settled || started.elapsed() > Duration::from_secs(120) {
            anyhow::ensure!(used <= cap, "the data is still {used} bytes, over the {cap} cap, two minutes after the last export");
            anyhow::ensure!(left + deleted == sent, "{left} spans stored and {deleted} deleted, of {sent} sent");
            return Ok(Settled {
                used_bytes: used,
                file_bytes: v["file_bytes"].as_u64().unwrap_or(0),
                measure: v["measure"].as_str().unwrap_or("?").to_string(),
                spans_deleted: deleted,
                spans_left: left,
                after_last_export: started.elapsed(),
            });
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
