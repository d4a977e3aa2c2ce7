//! Loupe's log record: an OpenTelemetry log record after normalization,
//! scrubbing and fingerprinting, ready to store beside the spans.
//! <https://opentelemetry.io/docs/specs/otel/logs/data-model/>

use std::sync::Arc;

pub use app::model::logs::Severity;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{ContentField, ContentPolicy, ExceptionInfo, Resource, SpanId, TraceId};

/// Where a record belongs: inside a span, to a trace only, or to no trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LogOwner {
    Span(TraceId, SpanId),
    Trace(TraceId),
    Standalone,
}

/// A log record, normalized, scrubbed and fingerprinted: what is stored. It is
/// serialized only to be held for a sampling decision (`pending_logs`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LogRecord {
    /// When the event happened; the observed time when the sender gave none.
    pub time_ns: i64,
    pub observed_ns: i64,
    pub severity_number: i32,
    pub severity_text: Option<String>,
    /// A string, or any value as JSON; `Null` when the body was content (then
    /// its fingerprint is in `content`).
    pub body: Value,
    pub attributes: Map<String, Value>,
    pub owner: LogOwner,
    pub flags: u32,
    pub event_name: Option<String>,
    pub exception: Option<ExceptionInfo>,
    pub resource: Arc<Resource>,
    pub scope: Option<String>,
    pub content: Vec<ContentField>,
    pub content_policy: ContentPolicy,
    /// A hash of what the sender sent: a re-sent record (an exporter's retry) has
    /// the same key and is stored once.
    pub key: String,
}

impl LogRecord {
    pub fn trace_id(&self) -> Option<TraceId> {
        match self.owner {
            LogOwner::Span(t, _) | LogOwner::Trace(t) => Some(t),
            LogOwner::Standalone => None,
        }
    }

    pub fn span_id(&self) -> Option<SpanId> {
        match self.owner {
            LogOwner::Span(_, s) => Some(s),
            _ => None,
        }
    }
}
