//! The ingest path without a server, for the fuzz targets in `fuzz/` (and a
//! test here that runs it on the recorded fixtures): decode → convert →
//! normalize with both content policies → the JSON a held span is stored as,
//! read back. Panics only where ingest itself would.

use crate::domain::{ContentPolicy, Span};
use crate::ingest::{normalize::normalize, privacy::Privacy};
use crate::otlp::{
    convert::convert,
    cost,
    decode::{Encoding, decode_request},
};

/// Runs `body` through ingest; returns the spans it would store.
pub fn ingest(encoding: Encoding, body: &[u8]) -> usize {
    // The scan that prices an export before decoding never refuses what the
    // decoder takes, and counts the spans it finds.
    let scanned = match encoding {
        Encoding::Protobuf => cost::protobuf(body),
        Encoding::Json => cost::json(body),
    };
    let Ok(request) = decode_request(encoding, body) else { return 0 };
    let spans: usize = request.resource_spans.iter().flat_map(|r| &r.scope_spans).map(|s| s.spans.len()).sum();
    let scanned = scanned.unwrap_or_else(|e| panic!("the decoder takes it but the cost scan refuses it: {e}"));
    assert_eq!(scanned.records as usize, spans, "the cost scan counts the spans the decoder finds");
    let converted = convert(request);
    let _ = converted.message();
    let mut stored = 0;
    for policy in [ContentPolicy::Hashed, ContentPolicy::Captured] {
        let privacy = Privacy::new(policy, [7; 32]);
        for raw in converted.spans.iter().cloned() {
            let span = normalize(raw, &privacy);
            let held = serde_json::to_string(&span).expect("a normalized span serializes");
            let back: Span = serde_json::from_str(&held).expect("a held span reads back");
            assert_eq!(
                (back.trace_id, back.span_id, back.start_ns, back.end_ns),
                (span.trace_id, span.span_id, span.start_ns, span.end_ns)
            );
            stored += 1;
        }
    }
    stored / 2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fixtures_go_through_and_garbage_is_refused_without_a_panic() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures/otlp");
        let mut seen = 0;
        for entry in std::fs::read_dir(&dir).expect("fixtures") {
            let path = entry.unwrap().path();
            let encoding = match path.extension().and_then(|e| e.to_str()) {
                Some("pb") => Encoding::Protobuf,
                Some("json") => Encoding::Json,
                _ => continue,
            };
            let body = std::fs::read(&path).unwrap();
            assert!(ingest(encoding, &body) > 0, "{} stores spans", path.display());
            // Every prefix of a valid body: decoded or refused, never a panic.
            for cut in (0..body.len()).step_by((body.len() / 64).max(1)) {
                ingest(encoding, &body[..cut]);
            }
            seen += 1;
        }
        assert!(seen >= 2, "fixtures found in {}", dir.display());
        assert_eq!(ingest(Encoding::Protobuf, &[0xff; 64]), 0);
        assert_eq!(ingest(Encoding::Json, b"{\"resourceSpans\": [{\"scopeSpans\": 7}]}"), 0);
    }
}
