//! OTLP spans → [`RawSpan`]s: ids validated, values as JSON, resources shared.
//! Invalid spans are counted and described for `partial_success`; valid ones go on.

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value as Av};
use opentelemetry_proto::tonic::trace::v1::{Span as OtlpSpan, span::SpanKind, status::StatusCode};
use serde_json::{Map, Value};

use crate::domain::{Resource, SpanId, SpanStatus, TraceId};
use crate::ingest::{RawEvent, RawLink, RawSpan};

/// Spans converted from one request, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct Converted {
    pub spans: Vec<RawSpan>,
    pub rejected: i64,
    /// The first few problems, for the partial-success message.
    pub problems: Vec<String>,
}

/// Problems named in a partial success; the rest are counted.
pub(super) const MAX_PROBLEMS_LISTED: usize = 3;

impl Converted {
    /// The partial-success message: how many were rejected and why.
    pub fn message(&self) -> String {
        partial_message("span(s)", self.rejected, &self.problems)
    }
}

/// "rejected 4 span(s): first; second; third; and 1 more".
pub(super) fn partial_message(what: &str, rejected: i64, problems: &[String]) -> String {
    let more = rejected as usize - problems.len().min(rejected as usize);
    let tail = if more > 0 { format!("; and {more} more") } else { String::new() };
    format!("rejected {rejected} {what}: {}{tail}", problems.join("; "))
}

pub fn convert(request: ExportTraceServiceRequest) -> Converted {
    let mut out = Converted::default();
    for rs in request.resource_spans {
        let resource = Arc::new(Resource::new(attributes(rs.resource.map(|r| r.attributes).unwrap_or_default())));
        for ss in rs.scope_spans {
            let scope = ss
                .scope
                .filter(|s| !s.name.is_empty())
                .map(|s| if s.version.is_empty() { s.name } else { format!("{} {}", s.name, s.version) });
            for span in ss.spans {
                match raw_span(span, &resource, &scope) {
                    Ok(raw) => out.spans.push(raw),
                    Err(problem) => {
                        out.rejected += 1;
                        if out.problems.len() < MAX_PROBLEMS_LISTED {
                            out.problems.push(problem);
                        }
                    }
                }
            }
        }
    }
    out
}

fn raw_span(s: OtlpSpan, resource: &Arc<Resource>, scope: &Option<String>) -> Result<RawSpan, String> {
    let name = s.name;
    let bad = |e: &dyn std::fmt::Display| format!("span {name:?}: {e}");
    let trace_id = TraceId::from_bytes(&s.trace_id).map_err(|e| bad(&e))?;
    let span_id = SpanId::from_bytes(&s.span_id).map_err(|e| bad(&e))?;
    let parent_span_id = if s.parent_span_id.is_empty() {
        None
    } else {
        Some(SpanId::from_bytes(&s.parent_span_id).map_err(|e| bad(&format!("parent {e}")))?)
    };
    let start_ns = time(s.start_time_unix_nano).ok_or_else(|| bad(&"start time is missing or out of range"))?;
    let end_ns = time(s.end_time_unix_nano).ok_or_else(|| bad(&"end time is missing or out of range"))?;
    if end_ns < start_ns {
        return Err(bad(&format!("ends before it starts ({end_ns} < {start_ns} ns)")));
    }
    let (status, status_message) = match s.status {
        Some(st) => {
            let status = match StatusCode::try_from(st.code) {
                Ok(StatusCode::Ok) => SpanStatus::Ok,
                Ok(StatusCode::Error) => SpanStatus::Error,
                _ => SpanStatus::Unset,
            };
            (status, Some(st.message).filter(|m| !m.is_empty()))
        }
        None => (SpanStatus::Unset, None),
    };
    let events = s
        .events
        .into_iter()
        .map(|e| RawEvent { time_ns: time(e.time_unix_nano).unwrap_or(start_ns), name: e.name, attributes: attributes(e.attributes) })
        .collect();
    let links = s
        .links
        .into_iter()
        .filter_map(|l| {
            // A link with a broken id says nothing useful; drop it, keep the span.
            Some(RawLink {
                trace_id: TraceId::from_bytes(&l.trace_id).ok()?,
                span_id: SpanId::from_bytes(&l.span_id).ok()?,
                attributes: attributes(l.attributes),
            })
        })
        .collect();
    Ok(RawSpan {
        trace_id,
        span_id,
        parent_span_id,
        name,
        otel_kind: otel_kind(s.kind),
        start_ns,
        end_ns,
        status,
        status_message,
        attributes: attributes(s.attributes),
        events,
        links,
        resource: resource.clone(),
        scope: scope.clone(),
    })
}

/// OTLP's unsigned nanoseconds as Loupe's; 0 (unset) and out of range are `None`.
pub(super) fn time(ns: u64) -> Option<i64> {
    i64::try_from(ns).ok().filter(|t| *t > 0)
}

fn otel_kind(kind: i32) -> &'static str {
    match SpanKind::try_from(kind) {
        Ok(SpanKind::Server) => "server",
        Ok(SpanKind::Client) => "client",
        Ok(SpanKind::Producer) => "producer",
        Ok(SpanKind::Consumer) => "consumer",
        _ => "internal",
    }
}

pub(super) fn attributes(kvs: Vec<KeyValue>) -> Map<String, Value> {
    kvs.into_iter().map(|kv| (kv.key, kv.value.map(value).unwrap_or(Value::Null))).collect()
}

pub(super) fn value(v: AnyValue) -> Value {
    match v.value {
        Some(Av::StringValue(s)) => Value::String(s),
        Some(Av::BoolValue(b)) => Value::Bool(b),
        Some(Av::IntValue(i)) => Value::from(i),
        Some(Av::DoubleValue(d)) => serde_json::Number::from_f64(d).map(Value::Number).unwrap_or(Value::String(d.to_string())),
        Some(Av::ArrayValue(a)) => Value::Array(a.values.into_iter().map(value).collect()),
        Some(Av::KvlistValue(kv)) => Value::Object(attributes(kv.values)),
        Some(Av::BytesValue(b)) => Value::String(b.iter().map(|x| format!("{x:02x}")).collect()),
        #[allow(unreachable_patterns)]
        Some(_) | None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans};

    use super::*;

    fn span(trace_id: Vec<u8>, start: u64, end: u64) -> OtlpSpan {
        OtlpSpan {
            trace_id,
            span_id: vec![2; 8],
            name: "s".into(),
            start_time_unix_nano: start,
            end_time_unix_nano: end,
            ..Default::default()
        }
    }

    fn request(spans: Vec<OtlpSpan>) -> ExportTraceServiceRequest {
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans { scope_spans: vec![ScopeSpans { spans, ..Default::default() }], ..Default::default() }],
        }
    }

    #[test]
    fn invalid_spans_are_rejected_with_reasons_and_valid_ones_kept() {
        let out = convert(request(vec![span(vec![1; 16], 10, 20), span(vec![1; 5], 10, 20), span(vec![1; 16], 30, 20)]));
        assert_eq!(out.spans.len(), 1);
        assert_eq!(out.rejected, 2);
        let message = out.message();
        assert!(message.contains("trace id must be 16 bytes"), "{message}");
        assert!(message.contains("ends before it starts"), "{message}");
    }
}
