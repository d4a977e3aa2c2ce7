//! The `loupe` command line: every option is a flag and a `LOUPE_*` environment
//! variable, with a default and a line of help.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::telemetry::LogFormat;

pub mod access;
pub mod accounts;
pub mod exposure;
pub mod mcp;
pub mod retention;
pub mod sampling;
mod store;
pub use access::{KeyCommand, UserCommand};
pub use exposure::ExposureArgs;
pub use retention::RetentionArgs;
pub use sampling::SamplingArgs;
pub use store::StoreArgs;

#[derive(Parser, Debug)]
#[command(
    name = "loupe",
    version,
    about = "Loupe: a self-hosted LLM tracing dashboard",
    long_about = "Loupe records OpenTelemetry traces of LLM apps and agents (OTLP/HTTP on the same \
                  port as the UI) and shows where the time, the tokens and the failures went.\n\n\
                  Quick start:  loupe serve --demo   then open http://127.0.0.1:4318\n\n\
                  For a team (any address but 127.0.0.1 needs sign-in):\n  \
                  loupe user add ada --admin\n  \
                  loupe serve --auth --addr 0.0.0.0:4318 --public-url https://loupe.example.com\n  \
                  loupe key create \"checkout-agent\"   (exporters send it as x-api-key)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: boxing `serve`'s many flags buys nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the server: UI, JSON API and OTLP/HTTP ingest (POST /v1/traces) on one address.
    Serve(ServeArgs),
    /// Send realistic agent traces to a running Loupe through its OTLP endpoint.
    Demo(DemoArgs),
    /// Import traces exported by a Loupe (GET /api/traces/{id}/export, the trace
    /// page's Export button) or any OTLP/JSON file into a running Loupe. Ids and the
    /// content policy are kept: hashed content stays hashed.
    Import(ImportArgs),
    /// Manage the accounts that sign in when Loupe runs with --auth.
    #[command(subcommand)]
    User(UserCommand),
    /// Manage API keys: what exporters send when Loupe runs with --auth.
    #[command(subcommand)]
    Key(KeyCommand),
    /// Speak MCP (Model Context Protocol) on stdin/stdout for an AI assistant,
    /// forwarding to a running Loupe; `--help` shows each client's set-up.
    Mcp(mcp::McpArgs),
}

#[derive(Args, Debug, Clone)]
pub struct ImportArgs {
    /// OTLP/JSON files (ExportTraceServiceRequest), one or more.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,

    /// Base URL of the Loupe to import into (its OTLP/HTTP endpoint).
    #[arg(long, env = "LOUPE_IMPORT_ENDPOINT", default_value = "http://127.0.0.1:4318")]
    pub endpoint: String,

    #[command(flatten)]
    pub key: ApiKeyArg,
}

/// The key a command sends to a Loupe that runs with --auth.
#[derive(Args, Debug, Clone)]
pub struct ApiKeyArg {
    /// API key for a Loupe running with --auth (`loupe key create NAME`), sent as
    /// `Authorization: Bearer <key>`.
    #[arg(long = "api-key", env = "LOUPE_API_KEY", hide_env_values = true)]
    pub api_key: Option<String>,
}

/// Where OTLP/gRPC listens, if anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrpcAddr(pub Option<SocketAddr>);

impl GrpcAddr {
    fn parse(value: &str) -> Result<GrpcAddr, String> {
        crate::grpc::parse_addr(value).map(GrpcAddr)
    }
}

#[derive(Args, Debug, Clone)]
pub struct ServeArgs {
    /// Address for the UI, the API and OTLP/HTTP. 4318 is the OTLP/HTTP default, so
    /// SDKs with default settings export here unchanged.
    #[arg(long, env = "LOUPE_ADDR", default_value = "127.0.0.1:4318")]
    pub addr: SocketAddr,

    /// Address for OTLP/gRPC (TraceService/Export, gzip accepted); 4317 is the
    /// OTLP/gRPC default port, so gRPC exporters send here unchanged. `off` turns
    /// it off.
    #[arg(long, env = "LOUPE_GRPC_ADDR", default_value = "127.0.0.1:4317", value_parser = GrpcAddr::parse, value_name = "ADDR|off")]
    pub grpc_addr: GrpcAddr,

    #[command(flatten)]
    pub store: StoreArgs,

    /// Require sign-in for the UI and an API key for ingest. Needed to listen on
    /// any address but loopback. The first admin comes from `loupe user add NAME
    /// --admin` or from --admin-user/--admin-password on the first start.
    #[arg(long, env = "LOUPE_AUTH")]
    pub auth: bool,

    /// With --auth, the admin to create when no account exists yet.
    #[arg(long, env = "LOUPE_ADMIN_USER")]
    pub admin_user: Option<String>,

    /// The password of --admin-user (prefer the environment variable: command
    /// lines are visible to other users of the machine).
    #[arg(long, env = "LOUPE_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<String>,

    /// Store prompt and completion content as sent. Off by default: content is kept
    /// only as a keyed hash, its length and a summary of its structure.
    #[arg(long, env = "LOUPE_CAPTURE_CONTENT")]
    pub capture_content: bool,

    /// The secret that keys content hashes, as 64 hex characters. Default: the
    /// content-hash.key file in the data directory (created on first start).
    /// Replicas sharing one PostgreSQL database need the same key, or equal
    /// prompts get different hashes on each: give them all this setting.
    #[arg(long, env = "LOUPE_CONTENT_KEY", hide_env_values = true, value_name = "HEX")]
    pub content_key: Option<String>,

    /// Largest OTLP request body accepted, in MiB after decompression.
    #[arg(long, env = "LOUPE_MAX_BODY_MIB", default_value_t = 16)]
    pub max_body_mib: usize,

    /// Most spans in one OTLP export (counted before decoding); more is refused
    /// with 413 / RESOURCE_EXHAUSTED. SDKs send 512 per batch by default.
    #[arg(long, env = "LOUPE_MAX_SPANS_PER_REQUEST", default_value_t = crate::otlp::limits::DEFAULT_MAX_SPANS)]
    pub max_spans_per_request: u64,

    /// Memory, in MiB, that the exports being read and decoded may take at once,
    /// over HTTP and gRPC together (an estimate made before decoding). Beyond it
    /// exporters get 503 + Retry-After / UNAVAILABLE and retry.
    #[arg(long, env = "LOUPE_MAX_DECODE_MIB", default_value_t = 128)]
    pub max_decode_mib: u64,

    /// Most spans waiting to be written; beyond it exporters get 503 + Retry-After.
    #[arg(long, env = "LOUPE_QUEUE_SPANS", default_value_t = 100_000)]
    pub queue_spans: usize,

    /// Folder with the UI's built assets (pkg/loupe.js, …). Default: found beside the binary.
    #[arg(long, env = "LOUPE_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Log format on stderr. The filter comes from LOUPE_LOG (e.g. "info,loupe=debug").
    #[arg(long, env = "LOUPE_LOG_FORMAT", value_enum, default_value = "text")]
    pub log_format: LogFormat,

    /// Loupe's address as teammates open it (e.g. https://loupe.example.com), used for
    /// the links in alert notifications. Default: http://<addr>.
    #[arg(long, env = "LOUPE_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// How often window alert rules (p95, error rate, count, cost over N minutes)
    /// are evaluated, in seconds.
    #[arg(long, env = "LOUPE_ALERT_WINDOW_INTERVAL_S", default_value_t = 30)]
    pub alert_window_interval_s: u64,

    /// Firings of one rule within this many milliseconds of the first are sent as
    /// one notification with a count.
    #[arg(long, env = "LOUPE_ALERT_GROUP_WAIT_MS", default_value_t = 1000)]
    pub alert_group_wait_ms: u64,

    /// Fill an empty database with demo traces once the server is up.
    #[arg(long, env = "LOUPE_DEMO")]
    pub demo: bool,

    /// Trace Loupe's own request handling (a server span per HTTP request,
    /// service.name=loupe) to an OTLP/HTTP endpoint: a base URL such as
    /// http://collector:4318, or `self` to send them to this Loupe.
    #[arg(long, env = "LOUPE_SELF_TRACE", value_name = "URL|self")]
    pub self_trace: Option<String>,

    #[command(flatten)]
    pub sampling: SamplingArgs,

    #[command(flatten)]
    pub retention: RetentionArgs,

    #[command(flatten)]
    pub exposure: ExposureArgs,
}

#[derive(Args, Debug, Clone)]
pub struct DemoArgs {
    /// Base URL of the Loupe to send to (its OTLP/HTTP endpoint).
    #[arg(long, env = "LOUPE_DEMO_ENDPOINT", default_value = "http://127.0.0.1:4318")]
    pub endpoint: String,

    /// Spans in the one very large trace (a batch evaluation run).
    #[arg(long, default_value_t = 10_000)]
    pub big_trace_spans: usize,

    #[command(flatten)]
    pub key: ApiKeyArg,
}

impl ServeArgs {
    pub fn data_dir(&self) -> PathBuf {
        self.store.data_dir()
    }

    pub fn db_url(&self) -> String {
        self.store.db_url()
    }
}
