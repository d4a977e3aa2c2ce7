//! Loupe's integration tests, one binary (one link of the whole server instead
//! of one per file). Each module spawns the real server on port 0 with a fresh
//! database (SQLite, or PostgreSQL with `LOUPE_TEST_POSTGRES`); `common` holds
//! the helpers. Run one area with `cargo test -p loupe --test it -- shares::`.

mod common;

mod access_ingest;
mod access_pages;
mod alert_rules;
mod alert_share_links;
mod alerts;
mod api;
mod bad_input;
mod cost;
mod crash_safety;
mod db_outage;
mod escaping;
mod export_import;
mod exposure;
mod hostile_exports;
mod hostile_input;
mod ingest_fixtures;
mod insights;
mod latency;
mod logs;
mod logs_lifecycle;
mod mcp;
mod metrics;
mod otel_exporter;
mod otlp_grpc;
mod otlp_logs;
mod pages;
mod people;
mod privacy;
mod replicas;
mod retention;
mod sampling;
mod self_trace;
mod shares;
