//! [`LoupeMcp`]: the MCP server's handler. It answers through the read facade
//! ([`crate::query::Reader`]), so a tool states the same facts as the JSON API
//! and the pages; each call is counted on `/metrics` and logged with the HTTP
//! request's trace id.

use std::future::Future;
use std::time::Instant;

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    CallToolResult, ContentBlock, Extensions, Implementation, ListResourceTemplatesResult, ListResourcesResult, PaginatedRequestParams,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, prompt_handler, tool_handler};

use crate::state::AppState;
use crate::telemetry::RequestTraceId;

/// What an assistant is told when it connects.
const INSTRUCTIONS: &str = "Loupe stores OpenTelemetry traces of LLM apps and agents. To investigate a slow or failing request: \
find it with search_traces (filters: service, status, kind, model, min_duration_ms, q, user, session, since/until; order newest or slowest), \
then read get_trace: a bounded brief that already names the critical path, time by step kind, retries, loops and findings with fixes. \
Drill into spans with get_span (one span whole) and find_spans (spans of a trace by name, kind, status, duration). \
get_span carries the span's log records; search_logs searches every log record (severity, text, service, trace). \
latency_stats and cost_stats give the usual latency and spend over a range; list_alert_firings shows recent alerts. \
Prompts and completions are stored as fingerprints (keyed hash, length, structure) unless the operator enabled --capture-content.";

#[derive(Clone)]
pub struct LoupeMcp {
    pub(super) state: AppState,
    tool_router: ToolRouter<LoupeMcp>,
    prompt_router: PromptRouter<LoupeMcp>,
}

impl LoupeMcp {
    pub fn new(state: AppState) -> LoupeMcp {
        LoupeMcp { state, tool_router: Self::tools() + Self::log_tools(), prompt_router: Self::prompts() }
    }

    /// Runs one tool: Loupe's client errors (bad arguments, unknown ids) become
    /// tool errors the assistant reads, with the JSON API's message; a failure of
    /// Loupe itself is a tool error that says so without internals.
    pub(super) async fn answer(
        &self,
        tool: &'static str,
        ext: &Extensions,
        work: impl Future<Output = crate::error::Result<String>>,
    ) -> Result<CallToolResult, ErrorData> {
        let started = Instant::now();
        let trace_id = ext
            .get::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<RequestTraceId>())
            .map(|t| t.0.to_string())
            .unwrap_or_default();
        let result = work.await;
        let seconds = started.elapsed().as_secs_f64();
        let elapsed = app::format::duration((seconds * 1e9) as i64);
        let (outcome, answer) = match result {
            Ok(text) => ("ok", CallToolResult::success(vec![ContentBlock::text(text)])),
            Err(e) if e.is_client_error() => ("error", CallToolResult::error(vec![ContentBlock::text(e.to_string())])),
            Err(e) => {
                tracing::error!(%trace_id, tool, error = %e, "MCP tool call failed");
                let text =
                    if e.is_unavailable() { "Loupe's database is unavailable; retry shortly" } else { "internal error; see Loupe's log" };
                ("failed", CallToolResult::error(vec![ContentBlock::text(text)]))
            }
        };
        self.state.metrics.mcp_tool(tool, outcome, seconds);
        tracing::info!(%trace_id, tool, outcome, %elapsed, "MCP tool call");
        Ok(answer)
    }
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for LoupeMcp {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_prompts().enable_resources().build())
            .with_server_info(Implementation::new("loupe", env!("CARGO_PKG_VERSION")))
            .with_instructions(INSTRUCTIONS)
    }

    async fn list_resources(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        self.trace_resources().await
    }

    async fn list_resource_templates(
        &self,
        _: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        Ok(Self::trace_template())
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        Ok(self.read_trace(&request.uri).await?.into())
    }
}
