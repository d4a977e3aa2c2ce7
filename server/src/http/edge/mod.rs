//! Middleware every request passes before the access gate: the security
//! headers on every answer, the Host check (DNS rebinding), and the asset
//! area's existence check.

pub mod assets;
pub mod csrf;
pub mod gate;
pub mod headers;
pub mod host;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::middleware::from_fn_with_state;

/// What the edge needs to know.
pub struct Edge {
    pub host: Option<host::HostCheck>,
    pub headers: headers::SecurityHeaders,
    /// Where the UI's files are.
    pub site_root: Arc<PathBuf>,
}

impl Edge {
    /// `routes` behind the edge: headers outermost (so refusals carry them
    /// too), then the Host check, then the asset check.
    pub fn wrap<S: Clone + Send + Sync + 'static>(self, routes: Router<S>) -> Router<S> {
        routes
            .layer(from_fn_with_state(self.site_root, assets::check))
            .layer(from_fn_with_state(self.host, host::check))
            .layer(from_fn_with_state(self.headers, headers::add))
    }
}
