//! Loupe's server: OTLP ingest → normalize → redact → batched store → API and pages.
//!
//! `main.rs` only parses the command line; [`start`] is what tests call too.
// Leptos views are deeply nested types; the trace page needs more than the default 128.
#![recursion_limit = "256"]

pub mod alerts;
pub mod auth;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod fuzzing;
pub mod http;
pub mod import;
pub mod metrics;
pub mod ingest;
pub mod otlp;
pub mod pricing;
pub mod retention;
pub mod sampling;
pub mod self_trace;
pub mod share;
pub mod site;
mod startup;
pub mod state;
pub mod store;
pub mod synth;
pub mod telemetry;

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use leptos::prelude::{LeptosOptions, provide_context};
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tokio::sync::{oneshot, watch};
use tokio::task::JoinHandle;
use tower_http::compression::CompressionLayer;

use std::time::Duration;

use crate::alerts::{AlertConfig, Alerts, deliver::RetryPolicy};
use crate::cli::ServeArgs;
use crate::domain::ContentPolicy;
use crate::ingest::{Ingest, privacy::Privacy, writer::Writer};
use crate::state::{AppState, PageData};
use crate::store::Store;

/// Current time in Unix nanoseconds.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

/// A duration in nanoseconds, as times are stored; saturates past ~292 years
/// (a flag like `--retain 1000y` means forever, not a wrapped negative).
pub fn ns(d: std::time::Duration) -> i64 {
    d.as_nanos().min(i64::MAX as u128) as i64
}

/// Makes ring rustls's crypto provider for every HTTPS client of this process
/// (webhooks, `loupe demo`): reqwest is built without a provider of its own.
/// Call before creating an HTTP client; repeated calls are harmless.
pub fn install_tls() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// A server that is listening; stop it with [`Running::shutdown`].
pub struct Running {
    pub addr: SocketAddr,
    /// Where OTLP/gRPC listens (`None`: `--grpc-addr off`).
    pub grpc_addr: Option<SocketAddr>,
    pub store: Store,
    /// Whether it runs with `--auth`.
    pub auth_enabled: bool,
    stop: oneshot::Sender<()>,
    task: JoinHandle<anyhow::Result<()>>,
}

impl Running {
    /// Stops accepting requests, lets in-flight ones finish, commits queued spans.
    pub async fn shutdown(self) -> anyhow::Result<()> {
        let _ = self.stop.send(());
        self.task.await.context("server task panicked")?
    }

    /// Serves until Ctrl-C or SIGTERM, then shuts down as [`Running::shutdown`] does.
    pub async fn until_signal(self) -> anyhow::Result<()> {
        let Running { stop, mut task, .. } = self;
        tokio::select! {
            joined = &mut task => return joined.context("server task panicked")?,
            _ = shutdown_signal() => {}
        }
        tracing::info!("shutting down: finishing requests and committing queued spans");
        let _ = stop.send(());
        task.await.context("server task panicked")?
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}

/// Opens (creating the data directory and migrating) the database `args` name:
/// for `serve` and for the commands that edit it (`loupe user`, `loupe key`).
pub async fn open_store(args: &cli::StoreArgs) -> anyhow::Result<Store> {
    let dir = args.data_dir();
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let url = args.db_url();
    Store::open(&url).await.with_context(|| format!("cannot open database {}", store::redact_url(&url)))
}

/// Opens the store, starts the writer and serves on `args.addr` (port 0 picks one).
pub async fn start(args: &ServeArgs) -> anyhow::Result<Running> {
    install_tls();
    auth::refuse_open_bind(args)?;
    let store = open_store(&args.store).await?;
    let retention_policy = args.retention.policy().map(Arc::new);
    let data_dir = args.data_dir();
    let key = ingest::privacy::key::from_setting_or_dir(args.content_key.as_deref(), &data_dir)?;
    let policy = if args.capture_content { ContentPolicy::Captured } else { ContentPolicy::Hashed };
    let pricing = startup::load_prices(&store).await?;
    let auth = auth::Auth::new(args.auth, store.clone());
    if args.auth {
        auth::accounts::bootstrap(&store, args.admin_user.as_deref(), args.admin_password.as_deref()).await?;
    }

    let listener = TcpListener::bind(args.addr).await.with_context(|| format!("cannot listen on {}", args.addr))?;
    let addr = listener.local_addr()?;
    let grpc_listener = match args.grpc_addr.0 {
        Some(a) => Some(
            TcpListener::bind(a)
                .await
                .with_context(|| format!("cannot listen on {a} for OTLP/gRPC (--grpc-addr; `--grpc-addr off` turns it off)"))?,
        ),
        None => None,
    };
    let grpc_addr = grpc_listener.as_ref().map(|l| l.local_addr()).transpose()?;
    let public_url = startup::public_url(args, addr)?;
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
    let (writer, writer_task) = Writer::spawn(store.writer_connection().await?, store.clone(), args.queue_spans.max(1), Arc::new(alerts.clone()));
    let (sampler, sampler_task) = match args.sampling.policy() {
        Some(p) => {
            let (s, t) = sampling::Sampler::start(p, &store, writer.clone(), alerts.clone(), metrics.clone()).await?;
            (Some(s), Some(t))
        }
        None => {
            sampling::keep_held(&store, &writer).await?;
            (None, None)
        }
    };
    let sampling_line = startup::sampling_line(sampler.as_ref().map(|s| s.policy()));
    let ingest = Ingest::new(Privacy::new(policy, key), pricing.clone(), writer, sampler);
    let (site_root, site_found) = site::find(args.site_root.as_deref());
    let leptos = LeptosOptions::builder()
        .output_name("loupe")
        .site_root(site_root.to_string_lossy().to_string())
        .site_pkg_dir("pkg")
        .site_addr(addr)
        .build();
    let retention_task = retention_policy.as_ref().map(|p| retention::start(p.as_ref().clone(), store.clone(), metrics.clone()));
    let state = AppState {
        store: store.clone(),
        auth,
        metrics,
        ingest,
        alerts: alerts.clone(),
        public_url: public_url.clone(),
        leptos,
        otlp_limits: otlp::limits::Limits::new(args.max_body_mib * 1024 * 1024, args.max_spans_per_request, args.max_decode_mib << 20),
        retention: retention_policy.clone(),
        self_trace: self_trace.clone(),
        throttle: Default::default(),
        trusted_proxies: Arc::new(args.exposure.trusted_proxy.clone()),
    };
    let grpc_state = state.clone();
    let state_metrics = state.metrics.clone();
    let edge = http::edge::Edge {
        host: http::edge::host::HostCheck::new(args.auth, args.public_url.as_deref()),
        headers: http::edge::headers::SecurityHeaders::for_public_url(&public_url),
        site_root: Arc::new(site_root.clone()),
    };
    let app = router(state, edge);

    tracing::info!("Loupe {} listening on http://{addr}", env!("CARGO_PKG_VERSION"));
    tracing::info!("  UI and JSON API:  http://{addr}/   OTLP/HTTP:  POST http://{addr}/v1/traces (protobuf or JSON)");
    match grpc_addr {
        Some(g) => tracing::info!("  OTLP/gRPC:        {g} (TraceService/Export, gzip accepted)"),
        None => tracing::info!("  OTLP/gRPC:        off (--grpc-addr off)"),
    }
    tracing::info!("  database:         {}", store.describe());
    if store.is_shared() && args.content_key.is_none() {
        tracing::warn!(
            "  content key:      from {}; replicas sharing this database need the same key (--content-key or LOUPE_CONTENT_KEY)",
            data_dir.display()
        );
    }
    match policy {
        ContentPolicy::Hashed => tracing::info!(
            "  content policy:   hashed: prompts and completions are stored as keyed hashes, lengths and structure, never as text (--capture-content to store them)"
        ),
        ContentPolicy::Captured => tracing::warn!(
            "  content policy:   captured: prompts and completions are stored as sent (--capture-content is on)"
        ),
    }
    match &self_trace {
        Some(s) => tracing::info!("  self-trace:       Loupe's own requests are traced to {} (service.name=loupe)", s.endpoint),
        None => tracing::info!("  self-trace:       off (--self-trace self, or an OTLP/HTTP URL)"),
    }
    tracing::info!("  tail sampling:    {sampling_line}");
    tracing::info!("  retention:        {}", startup::retention_line(retention_policy.as_deref()));
    let prices = pricing.current().list();
    tracing::info!(
        "  model prices:     {} shipped entries, {} operator overrides (costs at /costs, prices at /api/prices)",
        prices.shipped.len(),
        prices.overrides.len()
    );
    auth::log_startup(args, &store).await?;
    tracing::info!("  webhooks:         {}", alerts.config().egress.describe());
    let rules = alerts.rules();
    tracing::info!("  alert rules:      {} ({} paused); links point at {public_url} (--public-url)", rules.len(), rules.iter().filter(|r| r.spec.paused).count());
    if site_found {
        tracing::info!("  UI assets:        {}", site_root.display());
    } else {
        tracing::warn!(
            "  UI assets not found (looked for pkg/loupe.js beside the binary and in target/site); pages will load without interactivity. Set --site-root or build with `cargo leptos build --release`."
        );
    }

    let (stop, stopped) = oneshot::channel::<()>();
    // One stop for both transports (also when `Running` is dropped unstopped).
    let (halt, halted) = watch::channel(false);
    tokio::spawn(async move {
        let _ = stopped.await;
        let _ = halt.send(true);
    });
    let on_halt = |mut rx: watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stop| *stop).await;
    };
    let summary_task = startup::ingest_summary(state_metrics);
    let grpc_task = grpc_listener.map(|l| tokio::spawn(otlp::grpc::serve(l, grpc_state, on_halt(halted.clone()))));
    let closing_store = store.clone();
    let task = tokio::spawn(async move {
        // The peer's address is the client's for sign-in throttling.
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(on_halt(halted))
            .await
            .context("server failed")?;
        if let Some(t) = grpc_task {
            t.await.context("OTLP/gRPC task panicked")?.context("OTLP/gRPC server failed")?;
        }
        // The sampler holds a handle on the writer too. Traces it has not decided
        // stay held on disk and are scheduled again at the next start.
        if let Some(t) = sampler_task {
            t.abort();
            let _ = t.await;
        }
        // A retention batch cut short rolls back; the next run does it again.
        if let Some(t) = retention_task {
            t.abort();
        }
        summary_task.abort();
        // Both servers have dropped their state and with it every handle on the writer, so
        // the writer's queue is closed: wait until it has committed what is queued.
        match tokio::time::timeout(std::time::Duration::from_secs(60), writer_task).await {
            Ok(joined) => joined.context("writer task panicked")?,
            Err(_) => tracing::error!("the writer did not finish within 60 s of shutdown"),
        }
        // Every span is committed and matched; firings still waiting are in the
        // database and their cooldowns are restored at the next start.
        for t in alert_tasks {
            t.abort();
        }
        closing_store.close().await;
        if let Some(s) = self_trace {
            // The SDK's shutdown blocks until the last export is sent.
            let _ = tokio::task::spawn_blocking(move || s.shutdown()).await;
        }
        Ok(())
    });
    Ok(Running { addr, grpc_addr, store, auth_enabled: args.auth, stop, task })
}

fn router(state: AppState, edge: http::edge::Edge) -> Router {
    let routes = generate_route_list(app::App);
    let mut addr = state.leptos.site_addr;
    if addr.ip().is_unspecified() {
        // Listening on every interface: loopback is the address that surely works.
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let data: Arc<dyn app::data::LoupeData> = Arc::new(PageData {
        store: state.store.clone(),
        public_url: state.public_url.clone(),
        alerts: state.alerts.clone(),
        pricing: state.ingest.pricing().clone(),
        content_policy: state.ingest.privacy().policy(),
        otlp_endpoint: format!("http://{addr}"),
        sampler: state.ingest.sampler().cloned(),
        retention: state.retention.clone(),
    });
    let access: Arc<dyn app::data::AccessData> = Arc::new(auth::pages::AccessPages { store: state.store.clone() });
    let leptos = state.leptos.clone();
    let context = move || {
        provide_context(data.clone());
        provide_context(access.clone());
        http::edge::headers::provide_page_csp();
    };
    let routes = Router::new()
        .leptos_routes_with_context(&state, routes, context, move || app::shell(leptos.clone()))
        .merge(otlp::http::router())
        .merge(http::router())
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::gate::gate));
    edge.wrap(routes)
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            telemetry::Telemetry { metrics: state.metrics.clone(), self_trace: state.self_trace.clone() },
            telemetry::request_span,
        ))
        .with_state(state)
}
