//! The ingest run with tail sampling on (`--serve-arg=--sample=F`): exports are
//! acknowledged once held; this waits until every trace is decided and reports
//! how long that took after the last export, and what was kept.

use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};
use serde_json::Value;

/// What sampling did with the ingest phase's spans.
pub struct Drained {
    /// From the last acknowledged export to no span waiting.
    pub after_last_export: Duration,
    pub kept_traces: u64,
    pub dropped_traces: u64,
    pub kept_spans: u64,
    pub dropped_spans: u64,
    pub at_cap: u64,
}

async fn sampling(client: &reqwest::Client, base: &str) -> anyhow::Result<Value> {
    Ok(client.get(format!("{base}/api/sampling")).send().await?.error_for_status()?.json().await?)
}

/// Whether the server samples.
pub async fn on(client: &reqwest::Client, base: &str) -> anyhow::Result<bool> {
    Ok(!sampling(client, base).await?["policy"].is_null())
}

/// Waits until `sent` spans are decided (every replica's pending table empty).
pub async fn drain(client: &reqwest::Client, bases: &[String], sent: u64) -> anyhow::Result<Drained> {
    let started = Instant::now();
    let bar = ProgressBar::new(sent).with_style(ProgressStyle::with_template("{bar:40} {pos}/{len} spans decided").expect("template"));
    loop {
        let mut waiting = 0;
        for base in bases {
            waiting += sampling(client, base).await?["pending_spans"].as_u64().unwrap_or(0);
        }
        let v = sampling(client, &bases[0]).await?;
        let counts = v["counts"].as_array().cloned().unwrap_or_default();
        let sum =
            |kept: bool, field: &str| counts.iter().filter(|c| c["kept"] == kept).map(|c| c[field].as_u64().unwrap_or(0)).sum::<u64>();
        let decided = sum(true, "spans") + sum(false, "spans");
        bar.set_position(decided);
        if waiting == 0 && decided >= sent {
            bar.finish_and_clear();
            return Ok(Drained {
                after_last_export: started.elapsed(),
                kept_traces: sum(true, "traces"),
                dropped_traces: sum(false, "traces"),
                kept_spans: sum(true, "spans"),
                dropped_spans: sum(false, "spans"),
                at_cap: v["decided_at_cap"].as_u64().unwrap_or(0),
            });
        }
        anyhow::ensure!(started.elapsed() < Duration::from_secs(600), "sampling did not decide {sent} spans within 10 minutes");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}
