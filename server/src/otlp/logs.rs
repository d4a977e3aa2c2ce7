//! OTLP log records → [`RawLog`]s: ids validated, times filled in, values as
//! JSON, resources shared. Invalid records are counted and described for
//! `partial_success`; valid ones go on.
//! <https://github.com/open-telemetry/opentelemetry-proto/blob/main/opentelemetry/proto/logs/v1/logs.proto>

use std::sync::Arc;

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use prost::Message;
use serde_json::Value;

use super::convert::{MAX_PROBLEMS_LISTED, attributes, partial_message, time, value};
use crate::domain::{Resource, SpanId, TraceId};
use crate::ingest::RawLog;

/// Records converted from one request, and what was wrong with the rest.
#[derive(Debug, Default)]
pub struct ConvertedLogs {
    pub logs: Vec<RawLog>,
    pub rejected: i64,
    /// The first few problems, for the partial-success message.
    pub problems: Vec<String>,
}

impl ConvertedLogs {
    /// The partial-success message: how many were rejected and why.
    pub fn message(&self) -> String {
        partial_message("log record(s)", self.rejected, &self.problems)
    }
}

/// `received_ns` stands in for a record that carries neither time.
pub fn convert_logs(request: ExportLogsServiceRequest, received_ns: i64) -> ConvertedLogs {
    let mut out = ConvertedLogs::default();
    for rl in request.resource_logs {
        let resource = Arc::new(Resource::new(attributes(rl.resource.map(|r| r.attributes).unwrap_or_default())));
        for sl in rl.scope_logs {
            let scope = sl
                .scope
                .filter(|s| !s.name.is_empty())
                .map(|s| if s.version.is_empty() { s.name } else { format!("{} {}", s.name, s.version) });
            for (i, record) in sl.log_records.into_iter().enumerate() {
                match raw_log(record, &resource, &scope, received_ns) {
                    Ok(raw) => out.logs.push(raw),
                    Err(problem) => {
                        out.rejected += 1;
                        if out.problems.len() < MAX_PROBLEMS_LISTED {
                            out.problems.push(format!("record {i}: {problem}"));
                        }
                    }
                }
            }
        }
    }
    out
}

fn raw_log(r: LogRecord, resource: &Arc<Resource>, scope: &Option<String>, received_ns: i64) -> Result<RawLog, String> {
    // The key is taken from the record as sent, so a retry of the same export
    // maps to the same key whatever else arrives with it.
    let mut hasher = blake3::Hasher::new();
    hasher.update(resource.key.as_bytes());
    hasher.update(scope.as_deref().unwrap_or("").as_bytes());
    hasher.update(&r.encode_to_vec());
    let key = hasher.finalize().to_hex()[..32].to_string();

    let trace_id = match r.trace_id.as_slice() {
        [] => None,
        bytes => Some(TraceId::from_bytes(bytes).map_err(|e| e.to_string())?),
    };
    // A span id means nothing without its trace; an invalid one is dropped with it.
    let span_id = match (trace_id, r.span_id.as_slice()) {
        (None, _) | (_, []) => None,
        (Some(_), bytes) => Some(SpanId::from_bytes(bytes).map_err(|e| e.to_string())?),
    };
    let observed_ns = time(r.observed_time_unix_nano).unwrap_or(received_ns);
    // The data model: receivers use the observed time when the event time is absent.
    let time_ns = time(r.time_unix_nano).unwrap_or(observed_ns);
    Ok(RawLog {
        time_ns,
        observed_ns,
        severity_number: if (0..=24).contains(&r.severity_number) { r.severity_number } else { 0 },
        severity_text: Some(r.severity_text).filter(|s| !s.is_empty()),
        body: r.body.map(value).unwrap_or(Value::Null),
        attributes: attributes(r.attributes),
        trace_id,
        span_id,
        flags: r.flags,
        event_name: Some(r.event_name).filter(|s| !s.is_empty()),
        resource: resource.clone(),
        scope: scope.clone(),
        key,
    })
}

#[cfg(test)]
mod tests {
    use opentelemetry_proto::tonic::logs::v1::{ResourceLogs, ScopeLogs};

    use super::*;

    fn request(records: Vec<LogRecord>) -> ExportLogsServiceRequest {
        ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                scope_logs: vec![ScopeLogs { log_records: records, ..Default::default() }],
                ..Default::default()
            }],
        }
    }

    #[test]
    fn records_are_tied_to_spans_traces_or_nothing() {
        let in_span = LogRecord { trace_id: vec![1; 16], span_id: vec![2; 8], time_unix_nano: 5, ..Default::default() };
        let in_trace = LogRecord { trace_id: vec![1; 16], observed_time_unix_nano: 7, ..Default::default() };
        let alone = LogRecord { span_id: vec![2; 8], ..Default::default() };
        let out = convert_logs(request(vec![in_span, in_trace, alone]), 99);
        assert_eq!(out.rejected, 0);
        let [a, b, c] = &out.logs[..] else { panic!("{:?}", out.logs) };
        assert!(a.trace_id.is_some() && a.span_id.is_some() && a.time_ns == 5 && a.observed_ns == 99);
        assert!(b.trace_id.is_some() && b.span_id.is_none() && b.time_ns == 7);
        assert!(c.trace_id.is_none() && c.span_id.is_none() && c.time_ns == 99);
    }

    #[test]
    fn bad_ids_are_rejected_with_reasons_and_keys_follow_content() {
        let bad = LogRecord { trace_id: vec![1; 5], ..Default::default() };
        let good = LogRecord { severity_number: 17, severity_text: "ERROR".into(), ..Default::default() };
        let out = convert_logs(request(vec![bad, good.clone(), good]), 1);
        assert_eq!((out.logs.len(), out.rejected), (2, 1));
        assert!(out.message().contains("record 0: trace id must be 16 bytes"), "{}", out.message());
        assert_eq!(out.logs[0].key, out.logs[1].key, "the same record sent twice has one key");
        assert_eq!(out.logs[0].severity_text.as_deref(), Some("ERROR"));
    }
}
