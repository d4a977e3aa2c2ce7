//! `loupe mcp`: an MCP server on stdin/stdout that forwards every request to a
//! running Loupe's `/mcp` (an MCP client of it, over Streamable HTTP). The
//! assistant sees the same tools, prompts and answers as over HTTP; the key (if
//! any) travels as `Authorization: Bearer`. Nothing but MCP goes to stdout: our
//! messages go to stderr, where clients show them.

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, ClientConfig, GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
    ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ResultType, ServerConfig,
};
use rmcp::service::{RequestContext, RunningService};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{ErrorData, RoleClient, RoleServer, ServerHandler, ServiceExt};

use crate::cli::mcp::McpArgs;

pub async fn run(args: &McpArgs) -> anyhow::Result<()> {
    let url = format!("{}/mcp", args.url.trim_end_matches('/'));
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.clone());
    if let Some(key) = args.key.as_deref().filter(|k| !k.is_empty()) {
        config = config.auth_header(key.to_string());
    }
    let transport = StreamableHttpClientTransport::from_config(config);
    let info = ClientConfig::new(Default::default(), Implementation::new("loupe-mcp-stdio", env!("CARGO_PKG_VERSION")));
    let upstream = info.serve(transport).await.map_err(|e| {
        anyhow::anyhow!(
            "could not reach Loupe's MCP endpoint at {url}: {e}. Is Loupe running there (`loupe serve`)? \
             With --auth, pass an api-scope key with --key or LOUPE_API_KEY."
        )
    })?;
    eprintln!("loupe mcp: forwarding stdio to {url}");
    let forward = Forward { upstream };
    let served = forward.serve(rmcp::transport::stdio()).await?;
    served.waiting().await?;
    Ok(())
}

struct Forward {
    upstream: RunningService<RoleClient, ClientConfig>,
}

/// A failed forward, as the assistant reads it.
fn failed(e: rmcp::ServiceError) -> ErrorData {
    match e {
        rmcp::ServiceError::McpError(e) => e,
        e => ErrorData::internal_error(format!("Loupe did not answer: {e}"), None),
    }
}

impl ServerHandler for Forward {
    fn get_info(&self) -> ServerConfig {
        // What the Loupe behind us said of itself at initialize.
        let Some(info) = self.upstream.peer_info() else { return ServerConfig::default() };
        let mut config = ServerConfig::new(info.capabilities.clone());
        if let Some(server) = &info.server_info {
            config = config.with_server_info(server.clone());
        }
        if let Some(instructions) = &info.instructions {
            config = config.with_instructions(instructions.clone());
        }
        config
    }

    async fn list_tools(
        &self,
        request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        let mut result = self.upstream.list_tools(request).await.map_err(failed)?;
        complete(&mut result.result_type);
        Ok(result)
    }

    async fn call_tool(&self, request: CallToolRequestParams, _: RequestContext<RoleServer>) -> Result<CallToolResponse, ErrorData> {
        let mut response = self.upstream.call_tool_once(request).await.map_err(failed)?;
        if let CallToolResponse::Complete(r) = &mut response {
            complete(&mut r.result_type);
        }
        Ok(response)
    }

    async fn list_prompts(
        &self,
        request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        let mut result = self.upstream.list_prompts(request).await.map_err(failed)?;
        complete(&mut result.result_type);
        Ok(result)
    }

    async fn get_prompt(&self, request: GetPromptRequestParams, _: RequestContext<RoleServer>) -> Result<GetPromptResponse, ErrorData> {
        let mut response = self.upstream.get_prompt_once(request).await.map_err(failed)?;
        if let GetPromptResponse::Complete(r) = &mut response {
            complete(&mut r.result_type);
        }
        Ok(response)
    }

    async fn list_resources(
        &self,
        request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        let mut result = self.upstream.list_resources(request).await.map_err(failed)?;
        complete(&mut result.result_type);
        Ok(result)
    }

    async fn list_resource_templates(
        &self,
        request: Option<PaginatedRequestParams>,
        _: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, ErrorData> {
        let mut result = self.upstream.list_resource_templates(request).await.map_err(failed)?;
        complete(&mut result.result_type);
        Ok(result)
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        let mut response = self.upstream.read_resource_once(request).await.map_err(failed)?;
        if let ReadResourceResponse::Complete(r) = &mut response {
            complete(&mut r.result_type);
        }
        Ok(response)
    }
}

/// The Loupe behind us answers in the revision this forwarder negotiated with it,
/// which may predate `resultType`; a client on 2026-07-28 requires it (rmcp strips
/// it again for clients on older revisions).
fn complete(result_type: &mut Option<ResultType>) {
    result_type.get_or_insert(ResultType::COMPLETE);
}
