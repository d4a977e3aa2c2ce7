//! The read queries behind the pages, the JSON API and MCP: the trace list and
//! its filters, one trace, latency, cost, traffic and people.

pub(super) mod cost;
pub(super) mod cost_query;
mod cost_traces;
pub(super) mod filter;
pub(super) mod latency;
mod list;
pub(super) mod logs;
mod overview;
mod people;
mod tokens;
mod trace;
mod trace_scan;
mod values;
