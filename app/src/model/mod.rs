//! Types that cross from the server to the browser (and out of the JSON API).
//!
//! serde only, so they compile to wasm. The server's storage rows convert into these;
//! nothing here knows about OTLP or SQL.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub mod access;
pub mod alerts;
pub mod cost;
pub mod latency;
mod list;
pub mod logs;
pub mod overview;
pub mod people;
pub mod sampling;
pub mod share;
pub use list::{ListView, TraceFilter, encode};

/// A time range as the stats pages and endpoints take it (costs, users): their URL
/// and query parameters.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RangeFilter {
    /// Start of the range: an age (`24h`, the default), a UTC time or Unix ms.
    pub since: Option<String>,
    pub until: Option<String>,
}

/// What a span does in an LLM workflow. Derived once, at ingest, from whichever
/// convention the instrumentation used (see the server's `ingest::conventions`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    Agent,
    Chain,
    Retrieval,
    Embedding,
    Llm,
    Tool,
    Rerank,
    Guardrail,
    Http,
    Db,
    Other,
}

impl StepKind {
    pub const ALL: [StepKind; 11] = [
        StepKind::Agent,
        StepKind::Chain,
        StepKind::Retrieval,
        StepKind::Embedding,
        StepKind::Llm,
        StepKind::Tool,
        StepKind::Rerank,
        StepKind::Guardrail,
        StepKind::Http,
        StepKind::Db,
        StepKind::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StepKind::Agent => "agent",
            StepKind::Chain => "chain",
            StepKind::Retrieval => "retrieval",
            StepKind::Embedding => "embedding",
            StepKind::Llm => "llm",
            StepKind::Tool => "tool",
            StepKind::Rerank => "rerank",
            StepKind::Guardrail => "guardrail",
            StepKind::Http => "http",
            StepKind::Db => "db",
            StepKind::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<StepKind> {
        StepKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// One bit per kind, so a trace's set of kinds fits in an integer column.
    pub fn bit(self) -> i64 {
        1 << (self as i64)
    }
}

/// How a span's prompt and completion content was stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ContentPolicy {
    /// Only a keyed hash, the length and a structural summary were kept (the default).
    Hashed,
    /// The operator opted in with `--capture-content`: content is stored as sent.
    Captured,
}

impl ContentPolicy {
    pub fn as_str(self) -> &'static str {
        match self {
            ContentPolicy::Hashed => "hashed",
            ContentPolicy::Captured => "captured",
        }
    }

    pub fn parse(s: &str) -> Option<ContentPolicy> {
        match s {
            "hashed" => Some(ContentPolicy::Hashed),
            "captured" => Some(ContentPolicy::Captured),
            _ => None,
        }
    }
}

/// Span status, as OpenTelemetry defines it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpanStatus {
    Unset,
    Ok,
    Error,
}

impl SpanStatus {
    pub fn as_i64(self) -> i64 {
        match self {
            SpanStatus::Unset => 0,
            SpanStatus::Ok => 1,
            SpanStatus::Error => 2,
        }
    }

    pub fn from_i64(v: i64) -> SpanStatus {
        match v {
            1 => SpanStatus::Ok,
            2 => SpanStatus::Error,
            _ => SpanStatus::Unset,
        }
    }
}

/// Counts shown in headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub traces: u64,
    pub spans: u64,
}

/// What the home page shows: counts, and the content policy in force.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub stats: Stats,
    pub content_policy: ContentPolicy,
    /// The base URL exporters should use (`OTEL_EXPORTER_OTLP_ENDPOINT`).
    pub otlp_endpoint: String,
}

/// Token usage of a span or a whole trace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tokens {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_write: i64,
    pub reasoning: i64,
    pub total: i64,
}

impl Tokens {
    /// Spans that are not model calls have no tokens; their JSON leaves them out.
    pub fn is_zero(&self) -> bool {
        *self == Tokens::default()
    }
}

/// One row of the trace list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TraceSummary {
    pub trace_id: String,
    /// The root span's name, or the earliest span's while the root has not arrived.
    pub root_name: String,
    pub service: String,
    /// False while the trace's root span has not arrived (yet).
    pub has_root: bool,
    pub start_ns: i64,
    pub end_ns: i64,
    pub duration_ns: i64,
    pub span_count: i64,
    pub error_count: i64,
    pub tokens: Tokens,
    pub models: Vec<String>,
    /// Sum of the trace's priced model calls, in USD.
    #[serde(default)]
    pub cost_usd: f64,
    /// Model calls no price matched: the cost above leaves them out.
    #[serde(default)]
    pub unpriced: i64,
}

/// A page of the trace list, newest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracePage {
    pub traces: Vec<TraceSummary>,
    /// Pass back as `cursor` to get the next (older) page; `None` on the last page.
    pub next_cursor: Option<String>,
    /// Pass back as `newer` to get the page before this one; `None` on the first page.
    #[serde(default)]
    pub prev_cursor: Option<String>,
}

/// An exception recorded on a span (an `exception` event).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExceptionInfo {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub message: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanEvent {
    pub time_ns: i64,
    pub name: String,
    pub attributes: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exception: Option<ExceptionInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanLink {
    pub trace_id: String,
    pub span_id: String,
    pub attributes: Map<String, Value>,
}

/// A prompt/completion attribute, kept as a fingerprint unless content capture is on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentField {
    /// The attribute key (or `event name/attribute key` for content in events).
    pub key: String,
    /// `blake3:` + keyed hash; equal content has equal hashes within one installation.
    pub hash: String,
    /// Length in characters.
    pub chars: u64,
    /// Structure without text, e.g. "3 messages: system 412 chars, user 88, assistant 1,024".
    pub summary: String,
    /// The content itself, only under [`ContentPolicy::Captured`].
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub text: Option<String>,
}

/// Everything stored about one span. Absent optional fields and zero tokens are
/// left out of the JSON (a 10,000-span trace is mostly such spans).
///
/// The large parts (attributes, events, links, content) stay raw JSON, exactly as
/// stored: a 10,000-span trace is sent without parsing and re-encoding each span,
/// and a page parses them only for the span it shows ([`SpanView::attributes`], …).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpanView {
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub name: String,
    /// The step kind: agent, chain, retrieval, embedding, llm, tool, …
    pub kind: StepKind,
    /// OpenTelemetry's span kind: internal, server, client, producer, consumer.
    pub otel_kind: String,
    pub service: String,
    pub start_ns: i64,
    pub end_ns: i64,
    pub duration_ns: i64,
    pub status: SpanStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Tokens::is_zero")]
    pub tokens: Tokens,
    /// What a model call cost; absent on spans that are not model calls.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<cost::SpanCost>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<String>,
    /// Key into [`TraceDetail::resources`].
    pub resource: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    pub content_policy: ContentPolicy,
    /// JSON object of the attributes not made into typed fields' sole home.
    pub attributes: Box<RawValue>,
    /// JSON array of [`SpanEvent`].
    pub events: Box<RawValue>,
    /// JSON array of [`SpanLink`].
    pub links: Box<RawValue>,
    /// JSON array of [`ContentField`].
    pub content: Box<RawValue>,
}

impl SpanView {
    pub fn attributes(&self) -> Map<String, Value> {
        serde_json::from_str(self.attributes.get()).unwrap_or_default()
    }

    pub fn events(&self) -> Vec<SpanEvent> {
        serde_json::from_str(self.events.get()).unwrap_or_default()
    }

    pub fn links(&self) -> Vec<SpanLink> {
        serde_json::from_str(self.links.get()).unwrap_or_default()
    }

    pub fn content(&self) -> Vec<ContentField> {
        serde_json::from_str(self.content.get()).unwrap_or_default()
    }
}

/// One span with its resource's attributes, for the span detail panel.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SpanDetail {
    pub span: SpanView,
    pub resource: Map<String, Value>,
    /// The log records written inside the span, in time order (the first ones
    /// when there are very many).
    #[serde(default)]
    pub logs: Vec<logs::LogView>,
}

/// A whole trace: its spans ordered by start time, and the resources they share.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TraceDetail {
    pub trace_id: String,
    pub spans: Vec<SpanView>,
    /// Resource attributes by key, stored once however many spans share them.
    pub resources: BTreeMap<String, Map<String, Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn step_kinds_round_trip_through_their_names_and_have_distinct_bits() {
        let mut bits = 0;
        for kind in StepKind::ALL {
            assert_eq!(StepKind::parse(kind.as_str()), Some(kind));
            assert_eq!(bits & kind.bit(), 0, "{kind:?} shares a bit");
            bits |= kind.bit();
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(StepKind::parse("LLM"), None);
    }
}
