//! Loupe for AI assistants: a Model Context Protocol server (the official Rust
//! SDK, `rmcp`) with tools to search traces, read a bounded brief of any trace
//! and drill into its spans, and the `explain_bottleneck` prompt.
//!
//! Served at `/mcp` over Streamable HTTP ([`service`]), and over stdio by
//! `loupe mcp` ([`stdio::run`]), which forwards to a running Loupe.

mod args;
mod clip;
mod http;
mod log_tools;
mod prompt;
mod resources;
mod server;
pub mod stdio;
mod tools;

pub use http::service;
pub use server::LoupeMcp;
