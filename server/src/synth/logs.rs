//! Log records for synthetic traces, as an instrumented app writes them inside
//! its spans: a tool call that timed out warns before its retry, a retrieval
//! notes its cache miss, a failed call logs its exception, a rate-limited model
//! call warns; and a nightly job that logs without any trace.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, InstrumentationScope, any_value::Value as Av};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::Span;

use super::{MS, Rng, i, s};

const INFO: i32 = 9;
const WARN: i32 = 13;
const ERROR: i32 = 17;

fn record(
    span: Option<&Span>,
    time: u64,
    severity: i32,
    body: &str,
    attributes: Vec<opentelemetry_proto::tonic::common::v1::KeyValue>,
) -> LogRecord {
    let text = match severity {
        WARN => "WARNING",
        ERROR => "ERROR",
        _ => "INFO",
    };
    LogRecord {
        time_unix_nano: time,
        observed_time_unix_nano: time + MS / 10,
        severity_number: severity,
        severity_text: text.into(),
        body: Some(AnyValue { value: Some(Av::StringValue(body.into())) }),
        attributes,
        trace_id: span.map(|s| s.trace_id.clone()).unwrap_or_default(),
        span_id: span.map(|s| s.span_id.clone()).unwrap_or_default(),
        flags: u32::from(span.is_some()),
        ..Default::default()
    }
}

/// What the spans of one trace logged.
pub fn of_trace(spans: &[Span]) -> Vec<LogRecord> {
    let mut out = Vec::new();
    for span in spans {
        let failed = span.status.as_ref().filter(|st| st.code == 2).map(|st| st.message.as_str());
        let end = span.end_time_unix_nano;
        if span.parent_span_id.is_empty() {
            out.push(record(Some(span), span.start_time_unix_nano + MS / 2, INFO, &format!("handling {}", span.name), vec![]));
        }
        match failed {
            Some(message) if message.contains("timed out") => out.push(record(
                Some(span),
                end - MS,
                WARN,
                &format!("{} timed out; retrying in 50 ms (attempt 1 of 3)", span.name),
                vec![i("retry.attempt", 1), s("code.function.name", "call_tool")],
            )),
            Some(message) if message.contains("429") => out.push(record(
                Some(span),
                end - MS,
                WARN,
                &format!("HTTP 429 from the model provider; backing off ({message})"),
                vec![i("http.response.status_code", 429)],
            )),
            Some(message) if !span.events.is_empty() => {
                let exception = span.events.iter().find(|e| e.name == "exception");
                let attr = |k: &str| {
                    exception.and_then(|e| e.attributes.iter().find(|a| a.key == k)).and_then(|a| a.value.as_ref()).and_then(|v| {
                        match &v.value {
                            Some(Av::StringValue(s)) => Some(s.clone()),
                            _ => None,
                        }
                    })
                };
                out.push(record(
                    Some(span),
                    end,
                    ERROR,
                    &format!("{} failed: {message}", span.name),
                    vec![
                        s("exception.type", &attr("exception.type").unwrap_or_else(|| "Error".into())),
                        s("exception.message", &attr("exception.message").unwrap_or_else(|| message.to_string())),
                        s(
                            "exception.stacktrace",
                            &format!("Traceback (most recent call last):\n  File \"app.py\", line 88, in {}\n", span.name),
                        ),
                    ],
                ))
            }
            _ => {}
        }
        if span.name == "retrieve.task" {
            out.push(record(
                Some(span),
                span.start_time_unix_nano + MS,
                INFO,
                "embedding cache miss; querying the vector store",
                vec![s("cache.name", "embeddings"), s("cache.result", "miss")],
            ));
        }
    }
    out
}

/// The nightly re-index job: no trace, a few records a night.
pub fn nightly_job(rng: &mut Rng, t0: u64) -> Vec<LogRecord> {
    let documents = rng.range(800, 2400) as i64;
    vec![
        record(None, t0, INFO, "nightly re-index started", vec![s("job.name", "reindex")]),
        record(None, t0 + 40_000 * MS, WARN, "3 documents had no text and were skipped", vec![i("skipped", 3)]),
        record(None, t0 + 95_000 * MS, INFO, &format!("nightly re-index finished: {documents} documents"), vec![i("documents", documents)]),
    ]
}

/// One OTLP logs request carrying `records` from `service`.
pub fn request(service: &str, scope: &str, records: Vec<LogRecord>) -> ExportLogsServiceRequest {
    ExportLogsServiceRequest {
        resource_logs: vec![ResourceLogs {
            resource: Some(Resource { attributes: vec![s("service.name", service), s("service.version", "1.4.2")], ..Default::default() }),
            scope_logs: vec![ScopeLogs {
                scope: Some(InstrumentationScope { name: scope.to_string(), ..Default::default() }),
                log_records: records,
                ..Default::default()
            }],
            ..Default::default()
        }],
    }
}
