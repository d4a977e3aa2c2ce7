//! How many bytes a stored span or log record takes, as Loupe counts them: the
//! size cap (`--max-db-size`) on PostgreSQL is a cap on this count. A record's
//! count is kept on its row (`logs.bytes`), so whichever deletion takes it
//! (with its trace, by age, under the cap) takes exactly that off the total.
//!
//! Why a count of our own: PostgreSQL keeps the space of deleted rows for reuse
//! (VACUUM marks it free; the files do not shrink), so neither its file sizes
//! nor `pg_total_relation_size` fall when retention deletes, and its live-row
//! statistics (`pg_stat_user_tables.n_live_tup`) are flushed late and out of
//! order, so right after a deletion they can say anything. The count is kept in
//! the same transactions as the rows (`traces.bytes`, `totals.bytes`), so it is
//! exact the moment a batch commits and the same on every replica.
//!
//! What it counts: the bytes of every column Loupe writes for a span (its row
//! and its details row) plus [`ROW_OVERHEAD`] for what the database adds per
//! span: tuple headers, the index entries, the trace's share of its summary row
//! and tags. `server/tests/retention.rs` checks the count against the real size
//! of a fresh database on both backends.

use crate::domain::Span;

/// Bytes per span beyond its column values, measured on PostgreSQL 15 with the
/// demo data and the retention test's traces (10,678 spans): the span and
/// details rows' tuple headers and line pointers, TOAST chunks, and the entries
/// of their three indexes (random trace ids split B-tree pages, which stay about
/// 70% full) came to 884 bytes a span on disk where the columns were 434. SQLite
/// stores the same spans in about 540 bytes (no tuple headers, variable-length
/// integers), so there the count errs high; it is the cap's measure only on
/// PostgreSQL.
pub const ROW_OVERHEAD: i64 = 450;

/// Bytes per log record beyond its column values: its tuple header and the
/// entries of its four indexes (an estimate from the span measurement above;
/// records have one row and fewer wide indexes).
pub const LOG_ROW_OVERHEAD: i64 = 250;

/// The bytes one span adds to the count; `details` is the length of its four
/// JSON detail columns as written.
pub fn span_bytes(s: &Span, details: usize) -> i64 {
    let text = |v: &Option<String>| v.as_ref().map_or(0, String::len);
    let g = &s.gen_ai;
    let texts = 32 // trace id, hex
        + 16 + s.parent_span_id.map_or(0, |_| 16)
        + s.name.len()
        + s.step.len()
        + s.resource.service.len()
        + s.resource.key.len()
        + s.kind.as_str().len()
        + s.otel_kind.len()
        + s.content_policy.as_str().len()
        + text(&s.status_message)
        + text(&g.request_model)
        + text(&g.response_model)
        + text(&g.provider)
        + text(&g.tool_name)
        + text(&s.user_id)
        + text(&s.session_id)
        + text(&s.scope);
    // Ten integers (times, status, six token counts, the row id) and the cost.
    let numbers = 11 * 8;
    ROW_OVERHEAD + (texts + numbers + details) as i64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{ContentPolicy, Costing, GenAi, Resource, SpanId, SpanStatus, StepKind, TraceId};

    /// A span as ingest hands it over (built here: the store sees nothing above it).
    fn fixture_span() -> Span {
        Span {
            trace_id: TraceId([1; 16]),
            span_id: SpanId([2; 8]),
            parent_span_id: Some(SpanId([3; 8])),
            name: "chat gpt-4o".into(),
            step: "chat gpt-4o".into(),
            kind: StepKind::Llm,
            otel_kind: "client",
            start_ns: 1_000,
            end_ns: 2_000,
            status: SpanStatus::Ok,
            status_message: None,
            gen_ai: GenAi::default(),
            user_id: None,
            session_id: None,
            events: Vec::new(),
            links: Vec::new(),
            attributes: serde_json::Map::new(),
            resource: std::sync::Arc::new(Resource::new(serde_json::Map::new())),
            scope: Some("openai".into()),
            content: Vec::new(),
            content_policy: ContentPolicy::Hashed,
            cost: Costing::NotModelCall,
        }
    }

    #[test]
    fn a_span_counts_its_text_its_details_and_the_overhead_once() {
        let mut s = fixture_span();
        let base = span_bytes(&s, 0);
        assert!(base >= ROW_OVERHEAD + 32 + 16 + s.name.len() as i64 + 88, "{base}");
        assert_eq!(span_bytes(&s, 1_000) - base, 1_000, "details count byte for byte");
        s.name.push_str("-retried");
        assert_eq!(span_bytes(&s, 0) - base, 8);
        s.user_id = Some("ü".into());
        assert_eq!(span_bytes(&s, 0) - base, 10, "bytes, not characters");
    }
}
