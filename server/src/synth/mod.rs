//! Synthetic, realistic OTLP traffic of LLM agents, for `loupe demo` and the
//! benchmark. It produces real OTLP requests that go through the real ingest path.

pub mod logs;
pub mod scenarios;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, KeyValue, any_value::Value as Av};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, SpanKind};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status, status::StatusCode};

/// A small deterministic generator (SplitMix64): synthetic data needs variety, not
/// cryptographic randomness.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    /// Seeded from the OS, for ids that must differ between runs.
    pub fn from_os() -> Self {
        let mut b = [0u8; 8];
        let _ = getrandom::fill(&mut b);
        Rng(u64::from_le_bytes(b) ^ crate::domain::now_ns() as u64)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..hi` (hi exclusive; `lo` when the range is empty).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo { lo } else { lo + self.next_u64() % (hi - lo) }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() as f64 / u64::MAX as f64) < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64) as usize]
    }

    fn id<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        for chunk in out.chunks_mut(8) {
            let bytes = (self.next_u64() | 1).to_le_bytes();
            chunk.copy_from_slice(&bytes[..chunk.len()]);
        }
        out
    }
}

pub const MS: u64 = 1_000_000;

/// Builds the spans of one trace.
pub struct TraceBuilder {
    pub trace_id: [u8; 16],
    pub spans: Vec<Span>,
    ids: Rng,
}

impl TraceBuilder {
    pub fn new(rng: &mut Rng) -> Self {
        TraceBuilder { trace_id: rng.id(), spans: Vec::new(), ids: Rng::new(rng.next_u64()) }
    }

    /// Adds a span and returns its id.
    pub fn span(
        &mut self,
        parent: Option<[u8; 8]>,
        name: &str,
        kind: SpanKind,
        start: u64,
        end: u64,
        attributes: Vec<KeyValue>,
    ) -> [u8; 8] {
        let span_id: [u8; 8] = self.ids.id();
        self.spans.push(Span {
            trace_id: self.trace_id.to_vec(),
            span_id: span_id.to_vec(),
            parent_span_id: parent.map(|p| p.to_vec()).unwrap_or_default(),
            name: name.to_string(),
            kind: kind as i32,
            start_time_unix_nano: start,
            end_time_unix_nano: end.max(start + 1),
            attributes,
            ..Default::default()
        });
        span_id
    }

    /// Marks the last span added as failed with an exception.
    pub fn fail_last(&mut self, exception_type: &str, message: &str) {
        let span = self.spans.last_mut().expect("a span to fail");
        span.status = Some(Status { code: StatusCode::Error as i32, message: message.to_string() });
        span.events.push(Event {
            time_unix_nano: span.end_time_unix_nano,
            name: "exception".into(),
            attributes: vec![s("exception.type", exception_type), s("exception.message", message)],
            ..Default::default()
        });
    }

    pub fn trace_id_hex(&self) -> String {
        self.trace_id.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// One OTLP request carrying `spans` from `service`.
pub fn request(service: &str, scope: &str, spans: Vec<Span>) -> ExportTraceServiceRequest {
    ExportTraceServiceRequest {
        resource_spans: vec![ResourceSpans {
            resource: Some(Resource {
                attributes: vec![
                    s("service.name", service),
                    s("service.version", "1.4.2"),
                    s("deployment.environment.name", "production"),
                    s("telemetry.sdk.language", "python"),
                    s("telemetry.sdk.name", "opentelemetry"),
                ],
                ..Default::default()
            }),
            scope_spans: vec![ScopeSpans {
                scope: Some(InstrumentationScope { name: scope.to_string(), version: "0.9.0".into(), ..Default::default() }),
                spans,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}

pub fn s(key: &str, value: &str) -> KeyValue {
    KeyValue { key: key.into(), value: Some(AnyValue { value: Some(Av::StringValue(value.into())) }), ..Default::default() }
}

pub fn i(key: &str, value: i64) -> KeyValue {
    KeyValue { key: key.into(), value: Some(AnyValue { value: Some(Av::IntValue(value)) }), ..Default::default() }
}

pub fn f(key: &str, value: f64) -> KeyValue {
    KeyValue { key: key.into(), value: Some(AnyValue { value: Some(Av::DoubleValue(value)) }), ..Default::default() }
}
