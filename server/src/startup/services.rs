//! The services behind the routes, started in the order they depend on each
//! other: metrics and self-tracing, alerts, the writer (which alerts observe),
//! the tail sampler (which decides through the writer), ingest, retention.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::LeptosOptions;

use super::tasks::Tasks;
use crate::alerts::{AlertConfig, Alerts, retry::RetryPolicy};
use crate::cli::ServeArgs;
use crate::domain::ContentPolicy;
use crate::ingest::sampling::{self, Sampler};
use crate::ingest::{Ingest, privacy::Privacy, writer::Writer};
use crate::state::AppState;
use crate::store::Store;
use crate::{auth, metrics, otlp, retention, self_trace};

/// Builds the state every route shares, with the tasks to stop at shutdown.
pub(crate) async fn start(
    args: &ServeArgs,
    store: Store,
    addr: std::net::SocketAddr,
    public_url: String,
    site_root: &std::path::Path,
) -> anyhow::Result<(AppState, Tasks)> {
    let retention_policy = args.retention.policy().map(Arc::new);
    let key = crate::ingest::privacy::key::from_setting_or_dir(args.content_key.as_deref(), &args.data_dir())?;
    let policy = if args.capture_content { ContentPolicy::Captured } else { ContentPolicy::Hashed };
    let pricing = super::prices::load_prices(&store).await?;
    let auth = auth::Auth::new(args.auth, store.clone());
    if args.auth {
        auth::accounts::bootstrap(&store, args.admin_user.as_deref(), args.admin_password.as_deref()).await?;
    }
    let self_trace = match &args.self_trace {
        Some(target) => Some(Arc::new(self_trace::SelfTrace::start(target, addr)?)),
        None => None,
    };
    let metrics = metrics::Metrics::new();
    let alert_config = AlertConfig {
        metrics: metrics.clone(),
        public_url: public_url.clone(),
        group_wait: Duration::from_millis(args.alert_group_wait_ms),
        window_interval: Duration::from_secs(args.alert_window_interval_s.max(1)),
        retry: RetryPolicy::default(),
        egress: Arc::new(args.exposure.egress()?),
    };
    let (alerts, alert_tasks) = Alerts::start(store.clone(), alert_config).await?;
    let (writer, writer_task) =
        Writer::spawn(store.writer_connection().await?, store.clone(), args.queue_spans.max(1), Arc::new(alerts.clone()));
    let (sampler, sampler_task) = match args.sampling.policy() {
        Some(p) => {
            let (s, t) = Sampler::start(p, &store, writer.clone(), Arc::new(alerts.clone()), metrics.clone()).await?;
            (Some(s), Some(t))
        }
        None => {
            sampling::keep_held(&store, &writer).await?;
            (None, None)
        }
    };
    let ingest = Ingest::new(Privacy::new(policy, key), pricing, writer, sampler);
    let leptos = LeptosOptions::builder()
        .output_name("loupe")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let retention_task = retention_policy.as_ref().map(|p| retention::start(p.as_ref().clone(), store.clone(), metrics.clone()));
    let summary = super::summary::ingest_summary(metrics.clone());
    let state = AppState {
        store: store.clone(),
        auth,
        metrics,
        ingest,
        alerts,
        public_url,
        leptos,
        otlp_limits: otlp::limits::Limits::new(args.max_body_mib * 1024 * 1024, args.max_spans_per_request, args.max_decode_mib << 20),
        retention: retention_policy,
        self_trace: self_trace.clone(),
        throttle: Default::default(),
        trusted_proxies: Arc::new(args.exposure.trusted_proxy.clone()),
    };
    let tasks =
        Tasks { store, writer: writer_task, sampler: sampler_task, retention: retention_task, summary, alerts: alert_tasks, self_trace };
    Ok((state, tasks))
}
