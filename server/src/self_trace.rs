//! `--self-trace URL` (or `self`): Loupe's own request handling as OpenTelemetry
//! traces, one server span per HTTP request, exported over OTLP/HTTP with the
//! SDK's batch processor. A request's parent comes from its W3C `traceparent`,
//! so a client's trace continues into Loupe; the request's logs carry the same
//! trace id.
//!
//! Exporting to Loupe itself would trace its own exports, each export making a
//! span for the next one, forever. So every export carries this process's
//! token in `x-loupe-self-trace`; a request with that token is not traced, and
//! with `--auth` the token lets the export in (ingest only) without an API key.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use axum::http::HeaderMap;
use opentelemetry::propagation::{Extractor, TextMapPropagator};
use opentelemetry::trace::{Span as _, SpanKind, Status, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{BatchConfigBuilder, BatchSpanProcessor, SdkTracer, SdkTracerProvider};

use crate::domain::TraceId;

/// The header an export of this process carries.
pub const HEADER: &str = "x-loupe-self-trace";

/// How often spans are exported: soon enough to watch a request arrive.
const EXPORT_EVERY: Duration = Duration::from_secs(1);

pub struct SelfTrace {
    provider: SdkTracerProvider,
    tracer: SdkTracer,
    token: String,
    /// Where spans go, for the start-up line.
    pub endpoint: String,
}

/// One request's span, ended with [`RequestSpan::end`].
pub struct RequestSpan {
    span: opentelemetry_sdk::trace::Span,
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(|k| k.as_str()).collect()
    }
}

impl SelfTrace {
    /// Exports to `target` (a base URL, or `self` for this server at `own`).
    pub fn start(target: &str, own: SocketAddr) -> anyhow::Result<SelfTrace> {
        let base = if target.eq_ignore_ascii_case("self") {
            let mut a = own;
            if a.ip().is_unspecified() {
                a.set_ip(std::net::Ipv4Addr::LOCALHOST.into());
            }
            format!("http://{a}")
        } else {
            let url = reqwest::Url::parse(target).map_err(|e| anyhow::anyhow!("--self-trace {target:?} is not a URL or `self`: {e}"))?;
            anyhow::ensure!(matches!(url.scheme(), "http" | "https"), "--self-trace {target:?} must start with http:// or https://");
            target.trim_end_matches('/').to_string()
        };
        let endpoint = format!("{base}/v1/traces");
        let token = TraceId::random().to_string();
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(endpoint.clone())
            .with_headers(HashMap::from([(HEADER.to_string(), token.clone())]))
            .build()?;
        let batch = BatchConfigBuilder::default().with_scheduled_delay(EXPORT_EVERY).build();
        let provider = SdkTracerProvider::builder()
            .with_span_processor(BatchSpanProcessor::builder(exporter).with_batch_config(batch).build())
            .with_resource(
                Resource::builder()
                    .with_service_name("loupe")
                    .with_attribute(KeyValue::new("service.version", env!("CARGO_PKG_VERSION")))
                    .build(),
            )
            .build();
        let tracer = provider.tracer("loupe");
        Ok(SelfTrace { provider, tracer, token, endpoint })
    }

    /// Whether `headers` are of an export of this process (not to be traced,
    /// and let in with `--auth`).
    pub fn is_own_export(&self, headers: &HeaderMap) -> bool {
        headers.get(HEADER).is_some_and(|v| constant_time_eq(v.as_bytes(), self.token.as_bytes()))
    }

    /// Starts the span of a request, continuing the caller's trace when it sent one.
    pub fn request(&self, method: &str, path: &str, area: &str, headers: &HeaderMap) -> (RequestSpan, TraceId) {
        let parent = TraceContextPropagator::new().extract_with_context(&Context::new(), &Headers(headers));
        let span = self
            .tracer
            .span_builder(format!("{method} {}", route(path)))
            .with_kind(SpanKind::Server)
            .with_attributes([
                KeyValue::new("http.request.method", method.to_string()),
                KeyValue::new("url.path", path.to_string()),
                KeyValue::new("loupe.area", area.to_string()),
            ])
            .start_with_context(&self.tracer, &parent);
        let trace_id = TraceId(span.span_context().trace_id().to_bytes());
        (RequestSpan { span }, trace_id)
    }

    /// Exports what is buffered and stops (at shutdown; blocks on the export).
    pub fn shutdown(&self) {
        if let Err(e) = self.provider.shutdown() {
            tracing::warn!(error = %e, "self-trace: the last spans could not be exported");
        }
    }
}

impl RequestSpan {
    pub fn end(mut self, status: u16) {
        self.span.set_attribute(KeyValue::new("http.response.status_code", status as i64));
        if status >= 500 {
            self.span.set_status(Status::error(format!("HTTP {status}")));
        }
        self.span.end();
    }
}

/// The path with ids folded, so one kind of request is one step: 32- and
/// 16-hex-digit segments (trace and span ids) and share tokens become `{id}`.
fn route(path: &str) -> String {
    let folded: Vec<&str> = path
        .split('/')
        .map(|seg| {
            let hexish = (seg.len() == 32 || seg.len() == 16) && seg.bytes().all(|b| b.is_ascii_hexdigit());
            if hexish || seg.len() >= 24 { "{id}" } else { seg }
        })
        .collect();
    folded.join("/")
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_fold_ids_and_tokens() {
        assert_eq!(route("/traces/4bf92f3577b34da6a3ce929d0e0e4736"), "/traces/{id}");
        assert_eq!(route("/api/traces/4bf92f3577b34da6a3ce929d0e0e4736/share/3"), "/api/traces/{id}/share/3");
        assert_eq!(route("/share/Qm9vb2tzLWFyZS1nb29kLWZvci15b3U"), "/share/{id}");
        assert_eq!(route("/api/stats/latency"), "/api/stats/latency");
        assert_eq!(route("/"), "/");
    }
}
