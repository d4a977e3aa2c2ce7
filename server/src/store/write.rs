//! The batched write: many spans, one transaction, a handful of multi-row statements.
//!
//! Re-sent spans (client retries) are ignored by key; only newly inserted spans
//! (`RETURNING`) add to their trace's summary row, so retries never double-count.

use std::collections::{HashMap, HashSet};

use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{Connection, QueryBuilder, Row};

use super::detail::detail_columns;
use super::cost::{CostSample, add_to_cost};
use super::latency::{LatencySample, add_to_latency};
use super::rollup::upsert_traces;
use crate::domain::Span;
use crate::error::Result;
use crate::pricing::Costing;

/// SQLite allows 32,766 bound parameters per statement; spans take 29 each.
const SPAN_ROWS_PER_STATEMENT: usize = 1000;
pub(super) const SMALL_ROWS_PER_STATEMENT: usize = 2000;

/// What one batch changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchReport {
    pub inserted: usize,
    pub duplicates: usize,
    /// Positions in the batch of the spans newly stored (not re-sent ones).
    pub new_spans: Vec<usize>,
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
                    .push_bind(serde_json::to_string(&s.resource.attributes).expect("attributes serialize"));
            });
            q.push(" ON CONFLICT (key) DO NOTHING");
            q.build().execute(&mut *tx).await?;
        }

        // (rowid, span) of each span this batch newly stored, and its position.
        let mut inserted: Vec<(i64, &Span)> = Vec::with_capacity(spans.len());
        let mut new_spans = Vec::with_capacity(spans.len());
        for (c, chunk) in spans.chunks(SPAN_ROWS_PER_STATEMENT).enumerate() {
            let new_rows = insert_spans(&mut tx, chunk).await?;
            let by_key: HashMap<(String, String), usize> =
                chunk.iter().enumerate().map(|(i, s)| ((s.trace_id.to_string(), s.span_id.to_string()), i)).collect();
            for (id, key) in new_rows {
                if let Some(&i) = by_key.get(&key) {
                    inserted.push((id, chunk[i]));
                    new_spans.push(c * SPAN_ROWS_PER_STATEMENT + i);
                }
            }
        }
        for chunk in inserted.chunks(SMALL_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO span_details (id, attributes, events, links, content) ");
            q.push_values(chunk, |mut b, (id, s)| {
                b.push_bind(*id);
                for column in detail_columns(s) {
                    b.push_bind(column);
                }
            });
            q.build().execute(&mut *tx).await?;
        }
        let inserted: Vec<&Span> = inserted.into_iter().map(|(_, s)| s).collect();
        upsert_traces(&mut tx, &inserted).await?;
        add_to_latency(&mut tx, inserted.iter().map(|s| LatencySample::of(s))).await?;
        add_to_cost(&mut tx, inserted.iter().filter_map(|s| CostSample::of(s))).await?;
        tx.commit().await?;
        self.known_resources.extend(new_resources.iter().map(|s| s.resource.key.clone()));
        Ok(BatchReport { inserted: inserted.len(), duplicates: spans.len() - inserted.len(), new_spans })
    }
}

/// Inserts spans, skipping keys already stored; returns the rowid and key of each
/// span actually inserted.
async fn insert_spans(conn: &mut SqliteConnection, spans: &[&Span]) -> Result<Vec<(i64, (String, String))>> {
    let mut q = QueryBuilder::<Sqlite>::new(
        "INSERT INTO spans (trace_id, span_id, parent_span_id, name, service, kind, otel_kind, start_ns, end_ns, \
         status, status_message, request_model, response_model, provider, input_tokens, output_tokens, \
         cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens, tool_name, user_id, session_id, \
         resource_key, content_policy, scope, step, cost_usd, price_id) ",
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
            .push_bind(s.content_policy.as_str())
            .push_bind(&s.scope)
            .push_bind(&s.step);
        let (cost, price) = match &s.cost {
            Costing::Priced { usd, price_id } => (Some(*usd), Some(price_id.as_str())),
            Costing::Unpriced | Costing::NotModelCall => (None, None),
        };
        b.push_bind(cost).push_bind(price);
    });
    q.push(" ON CONFLICT (trace_id, span_id) DO NOTHING RETURNING id, trace_id, span_id");
    let rows = q.build().fetch_all(&mut *conn).await?;
    Ok(rows.iter().map(|r| (r.get(0), (r.get(1), r.get(2)))).collect())
}
