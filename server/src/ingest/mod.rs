//! From decoded spans to stored spans: normalize into the domain type, fingerprint
//! content, scrub personal data, then hand to the batching writer.
//!
//! The transport adapters (`crate::otlp`) produce [`RawSpan`]s; nothing past here
//! sees a transport type.

pub mod logs;
pub mod normalize;
pub mod privacy;
pub mod sampling;
pub mod writer;

use std::sync::Arc;

pub use logs::RawLog;

use serde_json::{Map, Value};

use crate::domain::{Resource, SpanId, SpanStatus, TraceId};

/// A span as a transport delivered it, ids validated, attributes as JSON values,
/// not yet normalized, redacted or scrubbed.
#[derive(Debug, Clone)]
pub struct RawSpan {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub name: String,
    /// OpenTelemetry span kind: internal, server, client, producer, consumer.
    pub otel_kind: &'static str,
    pub start_ns: i64,
    pub end_ns: i64,
    pub status: SpanStatus,
    pub status_message: Option<String>,
    pub attributes: Map<String, Value>,
    pub events: Vec<RawEvent>,
    pub links: Vec<RawLink>,
    pub resource: Arc<Resource>,
    pub scope: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RawEvent {
    pub time_ns: i64,
    pub name: String,
    pub attributes: Map<String, Value>,
}

#[derive(Debug, Clone)]
pub struct RawLink {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub attributes: Map<String, Value>,
}

use crate::domain::{LogRecord, Span};
use crate::error::Result;
use crate::pricing::Pricing;
use privacy::Privacy;
use sampling::Sampler;
use writer::Writer;

/// The ingest pipeline that every transport calls: normalize → redact/scrub → cost
/// → write (or hold for tail sampling).
#[derive(Clone)]
pub struct Ingest {
    privacy: Arc<Privacy>,
    pricing: Pricing,
    writer: Writer,
    sampler: Option<Sampler>,
}

impl Ingest {
    pub fn new(privacy: Privacy, pricing: Pricing, writer: Writer, sampler: Option<Sampler>) -> Self {
        Self { privacy: Arc::new(privacy), pricing, writer, sampler }
    }

    /// The tail sampler, when sampling is on.
    pub fn sampler(&self) -> Option<&Sampler> {
        self.sampler.as_ref()
    }

    pub fn privacy(&self) -> &Privacy {
        &self.privacy
    }

    pub fn pricing(&self) -> &Pricing {
        &self.pricing
    }

    /// Spans waiting for the writer.
    pub fn queued(&self) -> usize {
        self.writer.queued()
    }

    /// Normalizes and stores log records; returns once they are committed. With
    /// tail sampling on, a trace's records are held with its spans and kept or
    /// dropped with them (standalone records are stored at once).
    pub async fn accept_logs(&self, raw: Vec<RawLog>) -> Result<usize> {
        let n = raw.len();
        let logs: Vec<LogRecord> = raw.into_iter().map(|r| logs::normalize_log(r, &self.privacy)).collect();
        match &self.sampler {
            None => self.writer.write_logs(logs, Vec::new()).await?,
            Some(sampler) => {
                let (traced, standalone): (Vec<LogRecord>, Vec<LogRecord>) = logs.into_iter().partition(|l| l.trace_id().is_some());
                let matches = sampler.alert_matches_logs(&traced);
                let keys: Vec<_> = traced.iter().filter_map(|l| l.trace_id()).map(|t| (t, false)).collect();
                self.writer.write_logs(standalone, traced.into_iter().zip(matches).collect()).await?;
                sampler.held(&keys);
            }
        }
        Ok(n)
    }

    /// Normalizes and stores spans (or holds them for their trace's sampling
    /// decision); returns once they are committed to disk.
    pub async fn accept(&self, raw: Vec<RawSpan>) -> Result<usize> {
        let n = raw.len();
        let book = self.pricing.current();
        let spans: Vec<Span> = raw
            .into_iter()
            .map(|r| {
                let mut span = normalize::normalize(r, &self.privacy);
                span.cost = book.cost(&span);
                span
            })
            .collect();
        match &self.sampler {
            None => self.writer.write(spans).await?,
            Some(sampler) => {
                let matches = sampler.alert_matches(&spans);
                let keys: Vec<_> = spans.iter().map(|s| (s.trace_id, s.parent_span_id.is_none())).collect();
                self.writer.hold(spans, matches).await?;
                sampler.held(&keys);
            }
        }
        Ok(n)
    }
}
