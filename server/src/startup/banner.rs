//! The start-up banner: where Loupe listens, which database, which content
//! policy, and what is on (sampling, retention, prices, access, webhooks, rules).

use std::net::SocketAddr;
use std::path::Path;

use crate::cli::ServeArgs;
use crate::domain::ContentPolicy;
use crate::state::AppState;
use crate::store::Store;

/// What the banner reports that the state does not hold.
pub(crate) struct Facts<'a> {
    pub addr: SocketAddr,
    pub grpc_addr: Option<SocketAddr>,
    pub data_dir: &'a Path,
    pub site_root: &'a Path,
    pub site_found: bool,
}

/// Logs the banner, one line per fact, once Loupe listens.
pub(crate) async fn log(args: &ServeArgs, state: &AppState, f: &Facts<'_>) -> anyhow::Result<()> {
    tracing::info!("Loupe {} listening on http://{}", env!("CARGO_PKG_VERSION"), f.addr);
    tracing::info!("  UI and JSON API:  http://{}/   OTLP/HTTP:  POST http://{}/v1/traces (protobuf or JSON)", f.addr, f.addr);
    match f.grpc_addr {
        Some(g) => tracing::info!("  OTLP/gRPC:        {g} (TraceService/Export, gzip accepted)"),
        None => tracing::info!("  OTLP/gRPC:        off (--grpc-addr off)"),
    }
    tracing::info!("  database:         {}", state.store.describe());
    if state.store.is_shared() && args.content_key.is_none() {
        tracing::warn!(
            "  content key:      from {}; replicas sharing this database need the same key (--content-key or LOUPE_CONTENT_KEY)",
            f.data_dir.display()
        );
    }
    match state.ingest.privacy().policy() {
        ContentPolicy::Hashed => tracing::info!(
            "  content policy:   hashed: prompts and completions are stored as keyed hashes, lengths and structure, never as text (--capture-content to store them)"
        ),
        ContentPolicy::Captured => {
            tracing::warn!("  content policy:   captured: prompts and completions are stored as sent (--capture-content is on)")
        }
    }
    match &state.self_trace {
        Some(s) => tracing::info!("  self-trace:       Loupe's own requests are traced to {} (service.name=loupe)", s.endpoint),
        None => tracing::info!("  self-trace:       off (--self-trace self, or an OTLP/HTTP URL)"),
    }
    tracing::info!("  tail sampling:    {}", sampling_line(state.ingest.sampler().map(|s| s.policy())));
    tracing::info!("  retention:        {}", retention_line(state.retention.as_deref()));
    let prices = state.ingest.pricing().current().list();
    tracing::info!(
        "  model prices:     {} shipped entries, {} operator overrides (costs at /costs, prices at /api/prices)",
        prices.shipped.len(),
        prices.overrides.len()
    );
    log_access(args, &state.store).await?;
    tracing::info!("  webhooks:         {}", state.alerts.config().egress.describe());
    let rules = state.alerts.rules();
    tracing::info!(
        "  alert rules:      {} ({} paused); links point at {} (--public-url)",
        rules.len(),
        rules.iter().filter(|r| r.spec.paused).count(),
        state.public_url
    );
    if f.site_found {
        tracing::info!("  UI assets:        {}", f.site_root.display());
    } else {
        tracing::warn!(
            "  UI assets not found (looked for pkg/loupe.js beside the binary and in target/site); pages will load without interactivity. Set --site-root or build with `cargo leptos build --release`."
        );
    }

    Ok(())
}

/// The start-up line about tail sampling.
pub(crate) fn sampling_line(policy: Option<&crate::ingest::sampling::Policy>) -> String {
    use app::format::setting as duration;
    let Some(p) = policy else {
        return "off: every trace is kept (--sample FRACTION to keep errors, slow traces and a share of the rest)".into();
    };
    let ns = crate::domain::ns;
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
    let ns = |d: &std::time::Duration| crate::domain::ns(*d);
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

/// The start-up line saying who can use this Loupe.
async fn log_access(args: &ServeArgs, store: &Store) -> anyhow::Result<()> {
    let accounts = store.account_count().await?;
    let keys = store.api_keys().await?.iter().filter(|k| k.revoked_ns.is_none()).count();
    if args.auth {
        tracing::info!(
            "  access:           sign-in required ({accounts} accounts); ingest needs an API key ({keys} active; `loupe key create NAME`)"
        );
    } else if accounts > 0 {
        tracing::warn!(
            "  access:           open: {accounts} accounts exist but --auth is off, so nobody signs in; anyone who can reach {} uses Loupe",
            args.addr
        );
    } else {
        tracing::info!("  access:           open to this machine (loopback, no sign-in; --auth to require it)");
    }
    Ok(())
}
