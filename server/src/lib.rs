//! Loupe's server: OTLP ingest → normalize → redact → batched store → API and pages.
//!
//! `main.rs` only parses the command line; [`start`] is what tests call too.
//! The layers and what may import what: `docs/architecture.md`.
// Leptos views are deeply nested types; the trace page needs more than the default 128.
#![recursion_limit = "256"]

pub mod alerts;
pub mod auth;
pub mod brief;
pub mod cli;
pub mod demo;
pub mod domain;
pub mod error;
pub mod export;
pub mod fuzzing;
pub mod grpc;
pub mod http;
pub mod import;
pub mod ingest;
pub mod mcp;
pub mod metrics;
pub mod otlp;
pub mod pages;
pub mod pricing;
pub mod query;
pub mod retention;
pub mod self_trace;
pub mod share;
pub mod site;
pub mod startup;
pub mod state;
pub mod store;
pub mod synth;
pub mod telemetry;
pub mod tls;

use std::sync::Arc;

use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tower_http::compression::CompressionLayer;

use crate::cli::ServeArgs;
pub use crate::startup::Running;
use crate::state::AppState;

/// Opens the store, starts the services and serves on `args.addr` (port 0 picks
/// one): what `loupe serve` runs, and what the tests start.
pub async fn start(args: &ServeArgs) -> anyhow::Result<Running> {
    tls::install();
    startup::checks::refuse_open_bind(args)?;
    let store = args.store.open().await?;
    let listeners = startup::listeners::Listeners::bind(args).await?;
    let public_url = startup::checks::public_url(args, listeners.addr)?;
    let (site_root, site_found) = site::find(args.site_root.as_deref());
    let (state, tasks) = startup::services::start(args, store, listeners.addr, public_url, &site_root).await?;
    let edge = http::edge::Edge {
        host: http::edge::host::HostCheck::new(args.auth, args.public_url.as_deref()),
        headers: http::edge::headers::SecurityHeaders::for_public_url(&state.public_url),
        site_root: Arc::new(site_root.clone()),
    };
    let facts = startup::banner::Facts {
        addr: listeners.addr,
        grpc_addr: listeners.grpc_addr,
        data_dir: &args.data_dir(),
        site_root: &site_root,
        site_found,
    };
    startup::banner::log(args, &state, &facts).await?;
    let app = router(state.clone(), edge);
    Ok(Running::serve(listeners, app, state, tasks))
}

fn router(state: AppState, edge: http::edge::Edge) -> Router {
    let routes = generate_route_list(app::App);
    let mut addr = state.leptos.site_addr;
    if addr.ip().is_unspecified() {
        // Listening on every interface: loopback is the address that surely works.
        addr.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
    }
    let data: Arc<dyn app::data::LoupeData> = Arc::new(pages::PageData { state: state.clone(), otlp_endpoint: format!("http://{addr}") });
    let access: Arc<dyn app::data::AccessData> = Arc::new(pages::AccessPages { store: state.store.clone() });
    let leptos = state.leptos.clone();
    let context = move || {
        provide_context(data.clone());
        provide_context(access.clone());
        http::edge::headers::provide_page_csp();
    };
    let routes = Router::new()
        .leptos_routes_with_context(&state, routes, context, move || app::shell(leptos.clone()))
        .merge(http::otlp::router())
        .merge(http::router())
        .nest_service("/mcp", mcp::service(state.clone()))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), http::edge::gate::gate));
    edge.wrap(routes)
        .layer(CompressionLayer::new())
        .layer(axum::middleware::from_fn_with_state(
            telemetry::Telemetry { metrics: state.metrics.clone(), self_trace: state.self_trace.clone() },
            telemetry::request_span,
        ))
        .with_state(state)
}
