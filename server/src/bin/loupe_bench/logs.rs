//! Log records beside the benchmark's traces (`--logs-per-span N`), as an
//! instrumented app writes them: what the demo's spans log (retries, cache
//! misses, exceptions, 429s) and, on every span, a line when it starts and one
//! when it ends, until `N` records a span on average.

use loupe::synth::{MS, Rng, logs};
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value::Value as Av};
use opentelemetry_proto::tonic::logs::v1::LogRecord;
use opentelemetry_proto::tonic::trace::v1::Span;
use prost::Message;

fn line(span: &Span, time: u64, severity: i32, body: String, attributes: Vec<KeyValue>) -> LogRecord {
    LogRecord {
        time_unix_nano: time,
        observed_time_unix_nano: time + MS / 10,
        severity_number: severity,
        severity_text: if severity >= 13 { "WARNING".into() } else { "INFO".into() },
        body: Some(AnyValue { value: Some(Av::StringValue(body)) }),
        attributes,
        trace_id: span.trace_id.clone(),
        span_id: span.span_id.clone(),
        flags: 1,
        ..Default::default()
    }
}

/// About `per_span` records for each of `spans`.
pub fn records(rng: &mut Rng, spans: &[Span], per_span: f64) -> Vec<LogRecord> {
    let mut out = logs::of_trace(spans);
    let wanted = (spans.len() as f64 * per_span).round() as usize;
    let mut i = 0;
    while out.len() < wanted && !spans.is_empty() {
        let span = &spans[i % spans.len()];
        let ms = (span.end_time_unix_nano.saturating_sub(span.start_time_unix_nano)) / MS;
        let record = if i < spans.len() {
            let id = rng.range(1000, 99_999);
            line(
                span,
                span.start_time_unix_nano,
                9,
                format!("{} started (request {id})", span.name),
                vec![loupe::synth::i("request.id", id as i64)],
            )
        } else if rng.range(0, 20) == 0 {
            line(
                span,
                span.end_time_unix_nano,
                13,
                format!("{} slow: {ms} ms, cache miss", span.name),
                vec![loupe::synth::s("cache", "miss")],
            )
        } else {
            line(span, span.end_time_unix_nano, 9, format!("{} finished in {ms} ms", span.name), Vec::new())
        };
        out.push(record);
        i += 1;
    }
    out.truncate(wanted);
    out
}

/// One OTLP logs request of `records` from `service`, encoded.
pub fn encode(service: &str, records: Vec<LogRecord>) -> Vec<u8> {
    logs::request(service, "bench", records).encode_to_vec()
}

/// Log records stored, from the server's metrics.
pub async fn stored(client: &reqwest::Client, base: &str) -> anyhow::Result<u64> {
    let text = client.get(format!("{base}/metrics")).send().await?.text().await?;
    Ok(text
        .lines()
        .find_map(|l| l.strip_prefix("loupe_log_records_stored_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map_or(0, |v| v as u64))
}
