//! The periodic ingest line.

/// Every 30 s in which spans arrived, one INFO line says how many were stored
/// (the per-export lines are at debug level: `LOUPE_LOG=debug`).
pub(crate) fn ingest_summary(metrics: crate::metrics::Metrics) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let every = std::time::Duration::from_secs(30);
        let mut last = metrics.spans_stored();
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tick.tick().await;
            let now = metrics.spans_stored();
            if now > last {
                tracing::info!(
                    "ingest: {} spans stored in the last 30 s ({} since start)",
                    app::format::count((now - last) as i64),
                    app::format::count(now as i64)
                );
                last = now;
            }
        }
    })
}
