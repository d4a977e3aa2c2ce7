//! `loupe mcp`: Loupe's MCP tools over stdin/stdout, for assistants that launch
//! a command rather than open a URL. It forwards to a running Loupe's `/mcp`.

use clap::Args;

/// Shown by `loupe mcp --help`: how each common client is set up.
pub const CLIENTS: &str = "\
Loupe serves MCP itself at http://127.0.0.1:4318/mcp (Streamable HTTP). Clients that open URLs need
no `loupe mcp` at all; clients that only launch commands run this one, which forwards to that URL.

Claude Code
  claude mcp add --transport http loupe http://127.0.0.1:4318/mcp
  claude mcp add --transport http loupe https://loupe.example.com/mcp --header \"Authorization: Bearer $LOUPE_API_KEY\"
  claude mcp add loupe -- loupe mcp --url http://127.0.0.1:4318            (stdio)

Cursor (~/.cursor/mcp.json) and Windsurf (~/.codeium/windsurf/mcp_config.json)
  { \"mcpServers\": { \"loupe\": { \"url\": \"http://127.0.0.1:4318/mcp\" } } }
  { \"mcpServers\": { \"loupe\": { \"command\": \"loupe\", \"args\": [\"mcp\", \"--url\", \"http://127.0.0.1:4318\"] } } }

VS Code (.vscode/mcp.json)
  { \"servers\": { \"loupe\": { \"type\": \"http\", \"url\": \"http://127.0.0.1:4318/mcp\" } } }
  { \"servers\": { \"loupe\": { \"type\": \"stdio\", \"command\": \"loupe\", \"args\": [\"mcp\"] } } }

Codex (~/.codex/config.toml)
  [mcp_servers.loupe]
  command = \"loupe\"
  args = [\"mcp\", \"--url\", \"http://127.0.0.1:4318\"]
  env = { LOUPE_API_KEY = \"<key>\" }          # with --auth

With --auth, create a key of the api scope (`loupe key create assistant --scope api`, or the Access
page) and pass it: `--key`, LOUPE_API_KEY, or `Authorization: Bearer <key>` for HTTP clients.";

#[derive(Args, Debug, Clone)]
#[command(after_long_help = CLIENTS)]
pub struct McpArgs {
    /// Base URL of the running Loupe to forward to (its `/mcp` is used).
    #[arg(long, env = "LOUPE_URL", default_value = "http://127.0.0.1:4318")]
    pub url: String,

    /// API key of the api scope, for a Loupe running with --auth; sent as
    /// `Authorization: Bearer <key>`.
    #[arg(long, alias = "api-key", env = "LOUPE_API_KEY", hide_env_values = true)]
    pub key: Option<String>,
}
