//! Start-up steps that need more than a line in `start`: the public URL links are
//! built on, and the price book (with the one-time costing of older model calls).

use std::net::SocketAddr;

use anyhow::Context;

use crate::cli::ServeArgs;
use crate::pricing;
use crate::store::Store;

/// The base of links in notifications: `--public-url`, else this server's address.
pub(crate) fn public_url(args: &ServeArgs, addr: SocketAddr) -> anyhow::Result<String> {
    match &args.public_url {
        Some(url) => {
            let parsed = reqwest::Url::parse(url).with_context(|| format!("--public-url {url:?} is not a URL"))?;
            anyhow::ensure!(matches!(parsed.scheme(), "http" | "https"), "--public-url {url:?} must start with http:// or https://");
            Ok(url.trim_end_matches('/').to_string())
        }
        None if addr.ip().is_unspecified() => Ok(format!("http://127.0.0.1:{}", addr.port())),
        None => Ok(format!("http://{addr}")),
    }
}

/// The price book: shipped prices and the stored overrides (one that no longer
/// validates is skipped with a warning rather than stopping Loupe). Model calls
/// stored before costs existed are costed once, here.
pub(crate) async fn load_prices(store: &Store) -> anyhow::Result<pricing::Pricing> {
    let overrides = store
        .price_overrides()
        .await?
        .into_iter()
        .filter(|o| match pricing::validate(o) {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(model = %o.model, error = %e, "stored price override skipped");
                false
            }
        })
        .collect();
    let book = pricing::PriceBook::new(overrides)?;
    let costed = store.backfill_costs(&book).await?;
    if costed > 0 {
        tracing::info!(calls = costed, "costed model calls stored before costs existed");
    }
    Ok(pricing::Pricing::new(book))
}

/// The start-up line about tail sampling.
pub(crate) fn sampling_line(policy: Option<&crate::sampling::Policy>) -> String {
    use app::format::setting as duration;
    let Some(p) = policy else {
        return "off: every trace is kept (--sample FRACTION to keep errors, slow traces and a share of the rest)".into();
    };
    let ns = crate::ns;
    let slow = p.slower_than.map(|d| format!("traces of {} or more, ", duration(ns(d)))).unwrap_or_default();
    format!(
        "on: keeps errors, alert matches, {slow}and {}% of the rest; decided {} after the root span (at most {} without one); \
         at most {} spans wait",
        p.fraction * 100.0,
        duration(ns(p.grace)),
        duration(ns(p.max_wait)),
        p.max_pending_spans
    )
}

/// The start-up line about retention.
pub(crate) fn retention_line(policy: Option<&crate::retention::Policy>) -> String {
    use app::format::setting;
    let Some(p) = policy else {
        return "off: traces are kept until deleted (--retain 30d, --max-db-size 20GiB)".into();
    };
    let ns = |d: &std::time::Duration| crate::ns(*d);
    let mut parts = Vec::new();
    match &p.default {
        Some(d) => parts.push(format!("traces older than {} are deleted", setting(ns(d)))),
        None => parts.push("traces are kept".into()),
    }
    for (service, d) in &p.per_service {
        parts.push(format!("{service}'s after {}", setting(ns(d))));
    }
    if let Some(b) = p.max_bytes {
        parts.push(format!("the oldest go when the data passes {} MiB", b / (1024 * 1024)));
    }
    format!("{}; checked every {}", parts.join(", "), setting(ns(&p.every)))
}

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
