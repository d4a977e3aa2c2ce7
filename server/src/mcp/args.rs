//! The tools' arguments, named as the JSON API names its query parameters; each
//! field's doc comment is the description the assistant reads in the schema.

use schemars::JsonSchema;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct SearchTraces {
    /// Only traces with a span from this service (`service.name`).
    #[serde(default)]
    pub service: Option<String>,
    /// `error`: traces with a failed span; `ok`: traces without one.
    #[serde(default)]
    pub status: Option<String>,
    /// Traces with a span of this step kind: agent, chain, retrieval, embedding, llm, tool, rerank, guardrail, http, db, other.
    #[serde(default)]
    pub kind: Option<String>,
    /// Traces that called this model (exact name, e.g. `gpt-4o-mini`).
    #[serde(default)]
    pub model: Option<String>,
    /// Traces at least this long, in milliseconds.
    #[serde(default)]
    pub min_duration_ms: Option<f64>,
    /// Text in the root's or any span's name (any case).
    #[serde(default)]
    pub q: Option<String>,
    /// Traces of this end user (`user.id`, `enduser.id`, …).
    #[serde(default)]
    pub user: Option<String>,
    /// Traces of this conversation (`session.id`, `gen_ai.conversation.id`, …).
    #[serde(default)]
    pub session: Option<String>,
    /// Start of the range: an age (`15m`, `1h`, `24h`, `7d`) or a UTC time (`2026-12-03T08:00`, RFC 3339 also taken). Default: all stored traces (for `order: slowest`, the last 24 h).
    #[serde(default)]
    pub since: Option<String>,
    /// End of the range, as `since`. Default: now.
    #[serde(default)]
    pub until: Option<String>,
    /// `newest` (default) or `slowest` first.
    #[serde(default)]
    pub order: Option<String>,
    /// Traces to return, 1 to 50 (default 20).
    #[serde(default)]
    pub limit: Option<u32>,
    /// The previous answer's `next_cursor`, for older traces (newest-first order only).
    #[serde(default)]
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct TraceArg {
    /// The trace id: 32 hex characters, as `search_traces` returns it.
    pub trace_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SpanArg {
    /// The trace id: 32 hex characters.
    pub trace_id: String,
    /// The span id: 16 hex characters, as the brief or `find_spans` gives it.
    pub span_id: String,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct FindSpans {
    /// The trace id: 32 hex characters.
    pub trace_id: String,
    #[serde(flatten)]
    pub search: crate::query::SpanSearch,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct LatencyStats {
    /// Start of the range: an age (`1h`, `24h`, `7d`) or a UTC time. Default: 24 hours ago.
    #[serde(default)]
    pub since: Option<String>,
    /// End of the range. Default: now.
    #[serde(default)]
    pub until: Option<String>,
    /// Only spans of this service.
    #[serde(default)]
    pub service: Option<String>,
    /// Only this step kind (agent, chain, retrieval, embedding, llm, tool, …).
    #[serde(default)]
    pub kind: Option<String>,
    /// Only this step (a span name with numbers and ids folded: `case {n}`).
    #[serde(default)]
    pub step: Option<String>,
    /// One row per step (`true`) rather than per step kind (default).
    #[serde(default)]
    pub by_step: Option<bool>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct RangeArgs {
    /// Start of the range: an age (`1h`, `24h`, `7d`) or a UTC time. Default: 24 hours ago.
    #[serde(default)]
    pub since: Option<String>,
    /// End of the range. Default: now.
    #[serde(default)]
    pub until: Option<String>,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct AlertFirings {
    /// Only firings of this rule (its id, from the Alerts page or `GET /api/alerts/rules`).
    #[serde(default)]
    pub rule_id: Option<i64>,
    /// Firings to return, newest first, 1 to 100 (default 20).
    #[serde(default)]
    pub limit: Option<u32>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SessionArg {
    /// The session (conversation) id, as `list_users` or a trace's spans give it.
    pub session: String,
}

#[derive(Debug, Default, Deserialize, JsonSchema)]
pub struct SearchLogs {
    /// Words that must all appear in the record's body, exception or event name (any case).
    #[serde(default)]
    pub q: Option<String>,
    /// The least severity returned: `trace`, `debug`, `info`, `warn`, `error` or `fatal` (`warn` returns WARN, ERROR and FATAL).
    #[serde(default)]
    pub severity: Option<String>,
    /// Only records from this service (`service.name`).
    #[serde(default)]
    pub service: Option<String>,
    /// `yes`: only records written inside a trace; `no`: only standalone ones; or a trace id (32 hex characters): that trace's records.
    #[serde(default)]
    pub trace: Option<String>,
    /// Start of the range: an age (`15m`, `1h`, `24h`, `7d`) or a UTC time. Default: all stored records.
    #[serde(default)]
    pub since: Option<String>,
    /// End of the range, as `since`. Default: now.
    #[serde(default)]
    pub until: Option<String>,
    /// Records to return, newest first, 1 to 100 (default 20).
    #[serde(default)]
    pub limit: Option<u32>,
    /// The previous answer's `next_cursor`, for older records.
    #[serde(default)]
    pub cursor: Option<String>,
}
