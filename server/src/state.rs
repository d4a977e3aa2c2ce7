//! The state every handler and server function shares, passed once.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::ingest::Ingest;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub auth: crate::auth::Auth,
    pub metrics: crate::metrics::Metrics,
    pub ingest: Ingest,
    pub alerts: crate::alerts::Alerts,
    /// Loupe's address as teammates open it (links in notifications and shares).
    pub public_url: String,
    pub leptos: LeptosOptions,
    /// What one OTLP export may cost (bytes, spans, decoded memory), shared by
    /// both transports.
    pub otlp_limits: crate::otlp::limits::Limits,
    /// Retention, when on.
    pub retention: Option<std::sync::Arc<crate::retention::Policy>>,
    /// Loupe's own spans, with `--self-trace`.
    pub self_trace: Option<std::sync::Arc<crate::self_trace::SelfTrace>>,
    /// Failed sign-ins, counted per address and account.
    pub throttle: std::sync::Arc<crate::auth::throttle::Throttle>,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: std::sync::Arc<Vec<ipnet::IpNet>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}
