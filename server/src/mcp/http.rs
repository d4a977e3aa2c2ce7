//! `/mcp`: the Streamable HTTP transport, mounted in Loupe's router behind the
//! same edge as everything else (Host check against DNS rebinding, CSRF, the
//! access gate: with `--auth`, an `api`-scope key).
//!
//! Stateless: each POST is answered on its own (no session to keep), so several
//! replicas behind a load balancer serve one client, and JSON answers rather than
//! an event stream where a tool call sends nothing before its result.

use std::sync::Arc;

use rmcp::transport::streamable_http_server::session::never::NeverSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use super::server::LoupeMcp;
use crate::state::AppState;

/// The largest MCP request body: tool arguments are a few short strings.
const MAX_REQUEST_BYTES: usize = 64 * 1024;

pub fn service(state: AppState) -> StreamableHttpService<LoupeMcp, NeverSessionManager> {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_max_request_body_bytes(MAX_REQUEST_BYTES)
        // Loupe's edge checks Host (loopback and --public-url) before this runs.
        .disable_allowed_hosts();
    StreamableHttpService::new(move || Ok(LoupeMcp::new(state.clone())), Arc::new(NeverSessionManager::default()), config)
}
