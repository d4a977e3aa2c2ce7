//! MCP against the real server: rmcp's own client over Streamable HTTP and over
//! `loupe mcp` (stdio), the tools on the demo data, the recorded fixtures and a
//! real exporter's trace; the brief's bound on big traces; access and Host checks.

mod access;
mod big;
mod client;
mod tools;
