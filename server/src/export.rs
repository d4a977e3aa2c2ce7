//! A stored trace as OTLP/JSON (`GET /api/traces/{trace_id}/export`): any OTLP
//! receiver accepts it, and another Loupe imports it (`loupe import`, the upload on
//! the list page) with the same ids and content policy. Content that was stored as
//! fingerprints leaves as fingerprints (`loupe.content`), never as text it no
//! longer has.
//!
//! The trace's log records travel in the same document, as an OTLP/JSON logs
//! request beside the spans (`resourceLogs` beside `resourceSpans`): a traces
//! endpoint skips the field it does not know, and an import sends it to `/v1/logs`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::domain::conventions as c;
use app::model::logs::LogView;
use app::model::{ContentField, ContentPolicy, SpanStatus, SpanView, TraceDetail};

/// OTLP's numeric span kind for the stored name.
fn kind_number(otel_kind: &str) -> i64 {
    match otel_kind {
        "server" => 2,
        "client" => 3,
        "producer" => 4,
        "consumer" => 5,
        _ => 1,
    }
}

/// A JSON value as an OTLP `AnyValue` (the inverse of what ingest stores).
fn any_value(v: &Value) -> Value {
    match v {
        Value::String(s) => json!({ "stringValue": s }),
        Value::Bool(b) => json!({ "boolValue": b }),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({ "intValue": n.to_string() }),
        Value::Number(n) => json!({ "doubleValue": n.as_f64() }),
        Value::Array(a) => json!({ "arrayValue": { "values": a.iter().map(any_value).collect::<Vec<_>>() } }),
        Value::Object(o) => json!({ "kvlistValue": { "values": key_values(o) } }),
        Value::Null => json!({}),
    }
}

fn key_values(attrs: &Map<String, Value>) -> Vec<Value> {
    attrs.iter().map(|(k, v)| json!({ "key": k, "value": any_value(v) })).collect()
}

/// "name version" as ingest joined them, split again (a version starts with a digit).
fn scope(s: &Option<String>) -> Value {
    match s.as_deref().map(|s| s.rsplit_once(' ').filter(|(_, v)| v.starts_with(|c: char| c.is_ascii_digit())).unwrap_or((s, ""))) {
        Some((name, version)) => json!({ "name": name, "version": version }),
        None => json!({}),
    }
}

/// Adds the fingerprints and the policy an importing Loupe reads back.
fn mark_content(attributes: &mut Map<String, Value>, content: &[ContentField], policy: ContentPolicy) {
    if !content.is_empty() {
        attributes.insert(c::LOUPE_CONTENT.into(), Value::String(serde_json::to_string(content).expect("content serializes")));
    }
    attributes.insert(c::LOUPE_CONTENT_POLICY.into(), Value::String(policy.as_str().into()));
}

fn span(s: &SpanView) -> Value {
    let mut attributes = s.attributes();
    mark_content(&mut attributes, &s.content(), s.content_policy);
    let events: Vec<Value> = s
        .events()
        .iter()
        .map(|e| json!({ "timeUnixNano": e.time_ns.to_string(), "name": e.name, "attributes": key_values(&e.attributes) }))
        .collect();
    let links: Vec<Value> =
        s.links().iter().map(|l| json!({ "traceId": l.trace_id, "spanId": l.span_id, "attributes": key_values(&l.attributes) })).collect();
    let code = match s.status {
        SpanStatus::Unset => 0,
        SpanStatus::Ok => 1,
        SpanStatus::Error => 2,
    };
    let mut out = json!({
        "spanId": s.span_id,
        "name": s.name,
        "kind": kind_number(&s.otel_kind),
        "startTimeUnixNano": s.start_ns.to_string(),
        "endTimeUnixNano": s.end_ns.to_string(),
        "attributes": key_values(&attributes),
        "events": events,
        "links": links,
        "status": { "code": code, "message": s.status_message.clone().unwrap_or_default() },
    });
    if let Some(p) = &s.parent_span_id {
        out["parentSpanId"] = Value::String(p.clone());
    }
    out
}

fn log(l: &LogView) -> Value {
    let mut attributes = l.attributes.clone();
    mark_content(&mut attributes, &l.content, l.content_policy);
    let mut out = json!({
        "timeUnixNano": l.time_ns.to_string(),
        "observedTimeUnixNano": l.observed_ns.to_string(),
        "severityNumber": l.severity_number,
        "body": any_value(&l.body),
        "attributes": key_values(&attributes),
    });
    let fields = [("severityText", &l.severity_text), ("traceId", &l.trace_id), ("spanId", &l.span_id), ("eventName", &l.event_name)];
    for (field, value) in fields {
        if let Some(v) = value {
            out[field] = Value::String(v.clone());
        }
    }
    out
}

/// The records as the `resourceLogs` of an OTLP/JSON `ExportLogsServiceRequest`,
/// grouped by resource and scope; a resource the trace's spans do not name is
/// sent with its service name.
fn resource_logs(trace: &TraceDetail, logs: &[LogView]) -> Vec<Value> {
    // (resource key, service) → scope → records.
    type Groups<'a> = BTreeMap<(&'a str, &'a str), BTreeMap<Option<&'a str>, Vec<Value>>>;
    let mut groups: Groups = BTreeMap::new();
    for l in logs {
        groups.entry((l.resource.as_str(), l.service.as_str())).or_default().entry(l.scope.as_deref()).or_default().push(log(l));
    }
    groups
        .into_iter()
        .map(|((key, service), scopes)| {
            let attrs = trace.resources.get(key).cloned().unwrap_or_else(|| {
                let mut m = Map::new();
                m.insert(c::SERVICE_NAME.into(), Value::String(service.into()));
                m
            });
            let scope_logs: Vec<Value> =
                scopes.into_iter().map(|(sc, records)| json!({ "scope": scope(&sc.map(str::to_string)), "logRecords": records })).collect();
            json!({ "resource": { "attributes": key_values(&attrs) }, "scopeLogs": scope_logs })
        })
        .collect()
}

/// The trace as one OTLP/JSON `ExportTraceServiceRequest`, with its log records
/// beside (`resourceLogs`) when it has any.
pub fn otlp_json(trace: &TraceDetail, logs: &[LogView]) -> Value {
    // resource key → scope → spans, in a stable order.
    let mut groups: BTreeMap<&str, BTreeMap<Option<&str>, Vec<Value>>> = BTreeMap::new();
    for s in &trace.spans {
        let mut v = span(s);
        v["traceId"] = Value::String(trace.trace_id.clone());
        groups.entry(s.resource.as_str()).or_default().entry(s.scope.as_deref()).or_default().push(v);
    }
    let resource_spans: Vec<Value> = groups
        .into_iter()
        .map(|(key, scopes)| {
            let attrs = trace.resources.get(key).cloned().unwrap_or_default();
            let scope_spans: Vec<Value> =
                scopes.into_iter().map(|(sc, spans)| json!({ "scope": scope(&sc.map(str::to_string)), "spans": spans })).collect();
            json!({ "resource": { "attributes": key_values(&attrs) }, "scopeSpans": scope_spans })
        })
        .collect();
    let mut out = json!({ "resourceSpans": resource_spans });
    if !logs.is_empty() {
        out["resourceLogs"] = Value::Array(resource_logs(trace, logs));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_map_back_to_any_values() {
        assert_eq!(any_value(&json!("x")), json!({"stringValue": "x"}));
        assert_eq!(any_value(&json!(12)), json!({"intValue": "12"}));
        assert_eq!(any_value(&json!(0.5)), json!({"doubleValue": 0.5}));
        assert_eq!(any_value(&json!([true])), json!({"arrayValue": {"values": [{"boolValue": true}]}}));
        assert_eq!(any_value(&json!({"a": 1})), json!({"kvlistValue": {"values": [{"key": "a", "value": {"intValue": "1"}}]}}));
    }

    #[test]
    fn scopes_split_name_and_version() {
        assert_eq!(scope(&Some("openai.instrumentation 0.48.1".into())), json!({"name": "openai.instrumentation", "version": "0.48.1"}));
        assert_eq!(scope(&Some("my scope".into())), json!({"name": "my scope", "version": ""}));
        assert_eq!(scope(&None), json!({}));
    }
}
