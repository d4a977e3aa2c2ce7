//! The `loupe` binary: parse the command line, run the subcommand.

use clap::Parser;
use loupe::cli::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    loupe::tls::install();
    match Cli::parse().command {
        Command::Serve(args) => {
            loupe::telemetry::init(args.log_format);
            let running = loupe::start(&args).await?;
            if args.demo {
                loupe::demo::seed_if_empty(&running).await?;
            }
            running.until_signal().await
        }
        Command::Demo(args) => loupe::demo::run(&args.endpoint, args.big_trace_spans, args.key.api_key.as_deref()).await,
        Command::Import(args) => loupe::import::run(&args.endpoint, &args.files, args.key.api_key.as_deref()).await,
        Command::User(command) => loupe::cli::accounts::user(command).await,
        Command::Key(command) => loupe::cli::accounts::key(command).await,
        Command::Mcp(args) => loupe::mcp::stdio::run(&args).await,
    }
}
