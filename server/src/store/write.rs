//! The batched write: many spans, one transaction, a handful of multi-row statements.
//!
//! Re-sent spans (client retries) are ignored by key; only newly inserted spans
//! (`RETURNING`) add to their trace's summary row, so retries never double-count.

use std::collections::{BTreeSet, HashMap, HashSet};

use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{Connection, QueryBuilder, Row};

use super::detail::detail_json;
use crate::domain::Span;
use crate::error::Result;

/// SQLite allows 32,766 bound parameters per statement; spans take 25 each.
const SPAN_ROWS_PER_STATEMENT: usize = 1000;
const SMALL_ROWS_PER_STATEMENT: usize = 2000;

/// What one batch changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BatchReport {
    pub inserted: usize,
    pub duplicates: usize,
}

/// The writer's connection and what it already knows is stored.
pub struct WriteConn {
    conn: SqliteConnection,
    known_resources: HashSet<String>,
}

impl WriteConn {
    pub(super) fn new(conn: SqliteConnection) -> Self {
        Self { conn, known_resources: HashSet::new() }
    }

    /// Stores `spans` in one transaction; returns once it is committed (fsynced).
    pub async fn write_batch(&mut self, spans: &[&Span]) -> Result<BatchReport> {
        let mut tx = self.conn.begin().await?;
        let mut new_resources = Vec::new();
        for span in spans {
            if !self.known_resources.contains(&span.resource.key)
                && !new_resources.iter().any(|r: &&Span| r.resource.key == span.resource.key)
            {
                new_resources.push(*span);
            }
        }
        for chunk in new_resources.chunks(SMALL_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO resources (key, service, attributes) ");
            q.push_values(chunk, |mut b, s| {
                b.push_bind(&s.resource.key)
                    .push_bind(&s.resource.service)
                    .push_bind(serde_json::Value::Object(s.resource.attributes.clone()).to_string());
            });
            q.push(" ON CONFLICT (key) DO NOTHING");
            q.build().execute(&mut *tx).await?;
        }

        let mut inserted: Vec<&Span> = Vec::with_capacity(spans.len());
        for chunk in spans.chunks(SPAN_ROWS_PER_STATEMENT) {
            let new_keys = insert_spans(&mut tx, chunk).await?;
            let by_key: HashMap<(String, String), &Span> =
                chunk.iter().map(|s| ((s.trace_id.to_string(), s.span_id.to_string()), *s)).collect();
            inserted.extend(new_keys.iter().filter_map(|k| by_key.get(k).copied()));
        }
        for chunk in inserted.chunks(SMALL_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO span_details (trace_id, span_id, detail) ");
            q.push_values(chunk, |mut b, s| {
                b.push_bind(s.trace_id.to_string()).push_bind(s.span_id.to_string()).push_bind(detail_json(s));
            });
            q.build().execute(&mut *tx).await?;
        }
        upsert_traces(&mut tx, &inserted).await?;
        tx.commit().await?;
        self.known_resources.extend(new_resources.iter().map(|s| s.resource.key.clone()));
        Ok(BatchReport { inserted: inserted.len(), duplicates: spans.len() - inserted.len() })
    }
}

/// Inserts spans, skipping keys already stored; returns the keys actually inserted.
async fn insert_spans(conn: &mut SqliteConnection, spans: &[&Span]) -> Result<Vec<(String, String)>> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO spans (trace_id, span_id, parent_span_id, name, service, kind, otel_kind, start_ns, end_ns, \
         status, status_message, request_model, response_model, provider, input_tokens, output_tokens, \
         cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens, tool_name, user_id, session_id, \
         resource_key, content_policy) ",
    );
    q.push_values(spans, |mut b, s| {
        let t = &s.gen_ai.tokens;
        b.push_bind(s.trace_id.to_string())
            .push_bind(s.span_id.to_string())
            .push_bind(s.parent_span_id.map(|p| p.to_string()))
            .push_bind(&s.name)
            .push_bind(&s.resource.service)
            .push_bind(s.kind.as_str())
            .push_bind(s.otel_kind)
            .push_bind(s.start_ns)
            .push_bind(s.end_ns)
            .push_bind(s.status.as_i64())
            .push_bind(&s.status_message)
            .push_bind(&s.gen_ai.request_model)
            .push_bind(&s.gen_ai.response_model)
            .push_bind(&s.gen_ai.provider)
            .push_bind(t.input)
            .push_bind(t.output)
            .push_bind(t.cache_read)
            .push_bind(t.cache_write)
            .push_bind(t.reasoning)
            .push_bind(t.total)
            .push_bind(&s.gen_ai.tool_name)
            .push_bind(&s.user_id)
            .push_bind(&s.session_id)
            .push_bind(&s.resource.key)
            .push_bind(s.content_policy.as_str());
    });
    q.push(" ON CONFLICT (trace_id, span_id) DO NOTHING RETURNING trace_id, span_id");
    let rows = q.build().fetch_all(&mut *conn).await?;
    Ok(rows.iter().map(|r| (r.get::<String, _>(0), r.get::<String, _>(1))).collect())
}

/// One trace's share of a batch.
#[derive(Default)]
struct TraceDelta<'a> {
    start_ns: i64,
    end_ns: i64,
    root: Option<&'a Span>,
    earliest: Option<&'a Span>,
    spans: i64,
    errors: i64,
    tokens: [i64; 6],
    kinds: i64,
    tags: BTreeSet<(&'static str, &'a str)>,
}

async fn upsert_traces(conn: &mut SqliteConnection, inserted: &[&Span]) -> Result<()> {
    let mut deltas: HashMap<String, TraceDelta> = HashMap::new();
    for s in inserted {
        let d = deltas.entry(s.trace_id.to_string()).or_insert_with(|| TraceDelta {
            start_ns: i64::MAX,
            end_ns: i64::MIN,
            ..Default::default()
        });
        d.start_ns = d.start_ns.min(s.start_ns);
        d.end_ns = d.end_ns.max(s.end_ns);
        if s.parent_span_id.is_none() {
            d.root = Some(s);
        }
        if d.earliest.is_none_or(|e| s.start_ns < e.start_ns) {
            d.earliest = Some(s);
        }
        d.spans += 1;
        d.errors += s.is_error() as i64;
        let t = &s.gen_ai.tokens;
        for (sum, v) in d.tokens.iter_mut().zip([t.input, t.output, t.cache_read, t.cache_write, t.reasoning, t.total]) {
            *sum += v;
        }
        d.kinds |= s.kind.bit();
        d.tags.insert(("service", &s.resource.service));
        for (tag, value) in [("model", s.model()), ("user", s.user_id.as_deref()), ("session", s.session_id.as_deref())] {
            if let Some(v) = value {
                d.tags.insert((tag, v));
            }
        }
    }
    let deltas: Vec<(String, TraceDelta)> = deltas.into_iter().collect();
    for chunk in deltas.chunks(SMALL_ROWS_PER_STATEMENT / 8) {
        let mut q = QueryBuilder::<Sqlite>::new(
            "INSERT INTO traces (trace_id, start_ns, end_ns, duration_ns, root_span_id, root_name, service, \
             span_count, error_count, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, \
             reasoning_tokens, total_tokens, kinds) ",
        );
        q.push_values(chunk, |mut b, (id, d)| {
            let named = d.root.or(d.earliest).expect("a delta has at least one span");
            b.push_bind(id)
                .push_bind(d.start_ns)
                .push_bind(d.end_ns)
                .push_bind(d.end_ns - d.start_ns)
                .push_bind(d.root.map(|r| r.span_id.to_string()))
                .push_bind(&named.name)
                .push_bind(&named.resource.service)
                .push_bind(d.spans)
                .push_bind(d.errors);
            for v in d.tokens {
                b.push_bind(v);
            }
            b.push_bind(d.kinds);
        });
        // `excluded` is the incoming row. The root's name wins; before the root
        // arrives, the earliest span seen so far names the trace.
        q.push(
            " ON CONFLICT (trace_id) DO UPDATE SET \
             root_name = CASE WHEN excluded.root_span_id IS NOT NULL THEN excluded.root_name \
                              WHEN traces.root_span_id IS NOT NULL THEN traces.root_name \
                              WHEN excluded.start_ns < traces.start_ns THEN excluded.root_name \
                              ELSE traces.root_name END, \
             service = CASE WHEN excluded.root_span_id IS NOT NULL THEN excluded.service \
                            WHEN traces.root_span_id IS NOT NULL THEN traces.service \
                            WHEN excluded.start_ns < traces.start_ns THEN excluded.service \
                            ELSE traces.service END, \
             root_span_id = COALESCE(excluded.root_span_id, traces.root_span_id), \
             start_ns = MIN(traces.start_ns, excluded.start_ns), \
             end_ns = MAX(traces.end_ns, excluded.end_ns), \
             duration_ns = MAX(traces.end_ns, excluded.end_ns) - MIN(traces.start_ns, excluded.start_ns), \
             span_count = traces.span_count + excluded.span_count, \
             error_count = traces.error_count + excluded.error_count, \
             input_tokens = traces.input_tokens + excluded.input_tokens, \
             output_tokens = traces.output_tokens + excluded.output_tokens, \
             cache_read_tokens = traces.cache_read_tokens + excluded.cache_read_tokens, \
             cache_write_tokens = traces.cache_write_tokens + excluded.cache_write_tokens, \
             reasoning_tokens = traces.reasoning_tokens + excluded.reasoning_tokens, \
             total_tokens = traces.total_tokens + excluded.total_tokens, \
             kinds = traces.kinds | excluded.kinds",
        );
        q.build().execute(&mut *conn).await?;
    }
    let tags: Vec<(&str, &str, &str)> = deltas
        .iter()
        .flat_map(|(id, d)| d.tags.iter().map(move |(tag, value)| (*tag, *value, id.as_str())))
        .collect();
    for chunk in tags.chunks(SMALL_ROWS_PER_STATEMENT) {
        let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO trace_tags (tag, value, trace_id) ");
        q.push_values(chunk, |mut b, (tag, value, id)| {
            b.push_bind(*tag).push_bind(*value).push_bind(*id);
        });
        q.push(" ON CONFLICT DO NOTHING");
        q.build().execute(&mut *conn).await?;
    }
    Ok(())
}
