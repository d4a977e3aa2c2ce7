//! Keeps the per-trace summary rows, their tags and the totals in step with the
//! spans a batch newly inserted (retried spans were already filtered out).

use std::collections::{BTreeSet, HashMap};

use sqlx::QueryBuilder;

use crate::domain::Costing;
use crate::domain::Span;
use crate::error::Result;
use crate::store::backend::SMALL_ROWS_PER_STATEMENT;
use crate::store::backend::per_backend;

/// A summary row after its upsert.
#[derive(sqlx::FromRow)]
struct Upserted {
    trace_id: String,
    start_ns: i64,
    span_count: i64,
}

/// The trace summary rollup's statements, once per backend.
pub(in crate::store) struct TraceRollup<DB>(std::marker::PhantomData<DB>);

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
    cost_usd: f64,
    model_calls: i64,
    unpriced: i64,
    /// What the spans take, as `footprint` counts it.
    bytes: i64,
    tags: BTreeSet<(&'static str, &'a str)>,
}

fn deltas<'a>(inserted: &[&'a Span], bytes: &[i64]) -> Vec<(String, TraceDelta<'a>)> {
    let mut deltas: HashMap<String, TraceDelta> = HashMap::new();
    for (s, bytes) in inserted.iter().zip(bytes) {
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
        d.bytes += bytes;
        d.errors += s.is_error() as i64;
        let t = &s.gen_ai.tokens;
        for (sum, v) in d.tokens.iter_mut().zip([t.input, t.output, t.cache_read, t.cache_write, t.reasoning, t.total]) {
            *sum += v;
        }
        d.kinds |= s.kind.bit();
        match &s.cost {
            Costing::Priced { usd, .. } => {
                d.cost_usd += usd;
                d.model_calls += 1;
            }
            Costing::Unpriced => {
                d.unpriced += 1;
                d.model_calls += 1;
            }
            Costing::NotModelCall => {}
        }
        d.tags.insert(("service", &s.resource.service));
        for (tag, value) in [("model", s.model()), ("user", s.user_id.as_deref()), ("session", s.session_id.as_deref())] {
            if let Some(v) = value {
                d.tags.insert((tag, v));
            }
        }
    }
    // In trace id order, so that replicas writing the same traces on PostgreSQL
    // take the rows' locks in one order and never deadlock.
    let mut deltas: Vec<_> = deltas.into_iter().collect();
    deltas.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    deltas
}

per_backend! {
impl TraceRollup {
    /// `bytes`: what each inserted span takes (`footprint::span_bytes`), in order.
    pub(super) async fn upsert_traces(conn: &mut Conn, inserted: &[&Span], bytes: &[i64]) -> Result<()> {
        debug_assert_eq!(inserted.len(), bytes.len());
        let deltas = deltas(inserted, bytes);
        // trace id → (start after this batch, whether the trace existed before it)
        let mut after: HashMap<String, (i64, bool)> = HashMap::with_capacity(deltas.len());
        for chunk in deltas.chunks(SMALL_ROWS_PER_STATEMENT / 10) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO traces (trace_id, start_ns, end_ns, duration_ns, root_span_id, root_name, service, \
                 span_count, error_count, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, \
                 reasoning_tokens, total_tokens, kinds, cost_usd, model_calls, unpriced, bytes) ",
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
                b.push_bind(d.kinds).push_bind(d.cost_usd).push_bind(d.model_calls).push_bind(d.unpriced).push_bind(d.bytes);
            });
            // `excluded` is the incoming row. The root's name wins; before the root
            // arrives, the earliest span seen so far names the trace.
            q.push(format!(
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
                 start_ns = {least}(traces.start_ns, excluded.start_ns), \
                 end_ns = {greatest}(traces.end_ns, excluded.end_ns), \
                 duration_ns = {greatest}(traces.end_ns, excluded.end_ns) - {least}(traces.start_ns, excluded.start_ns), \
                 span_count = traces.span_count + excluded.span_count, \
                 error_count = traces.error_count + excluded.error_count, \
                 input_tokens = traces.input_tokens + excluded.input_tokens, \
                 output_tokens = traces.output_tokens + excluded.output_tokens, \
                 cache_read_tokens = traces.cache_read_tokens + excluded.cache_read_tokens, \
                 cache_write_tokens = traces.cache_write_tokens + excluded.cache_write_tokens, \
                 reasoning_tokens = traces.reasoning_tokens + excluded.reasoning_tokens, \
                 total_tokens = traces.total_tokens + excluded.total_tokens, \
                 kinds = traces.kinds | excluded.kinds, \
                 cost_usd = traces.cost_usd + excluded.cost_usd, \
                 model_calls = traces.model_calls + excluded.model_calls, \
                 unpriced = traces.unpriced + excluded.unpriced, \
                 bytes = traces.bytes + excluded.bytes \
                 RETURNING trace_id, start_ns, span_count",
                least = D.least(),
                greatest = D.greatest(),
            ));
            let spans_in_delta: HashMap<&str, i64> = chunk.iter().map(|(id, d)| (id.as_str(), d.spans)).collect();
            for row in q.build_query_as::<Upserted>().fetch_all(&mut *conn).await? {
                let existed = row.span_count > spans_in_delta.get(row.trace_id.as_str()).copied().unwrap_or(0);
                after.insert(row.trace_id, (row.start_ns, existed));
            }
        }

        let tags: Vec<(&str, &str, i64, &str)> = deltas
            .iter()
            .flat_map(|(id, d)| {
                let start = after.get(id).map_or(d.start_ns, |a| a.0);
                d.tags.iter().map(move |(tag, value)| (*tag, *value, start, id.as_str()))
            })
            .collect();
        for chunk in tags.chunks(SMALL_ROWS_PER_STATEMENT / 2) {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO trace_tags (tag, value, start_ns, trace_id) ");
            q.push_values(chunk, |mut b, (tag, value, start, id)| {
                b.push_bind(*tag).push_bind(*value).push_bind(*start).push_bind(*id);
            });
            q.push(" ON CONFLICT DO NOTHING");
            q.build().execute(&mut *conn).await?;
        }
        // A trace that existed and whose start this batch moved earlier: its older tags
        // still carry the old start.
        let moved: Vec<(&str, i64)> = deltas
            .iter()
            .filter_map(|(id, d)| after.get(id).filter(|(start, existed)| *existed && *start == d.start_ns).map(|(s, _)| (id.as_str(), *s)))
            .collect();
        for (id, start) in moved {
            sqlx::query("UPDATE trace_tags SET start_ns = $1 WHERE trace_id = $2 AND start_ns <> $3")
                .bind(start)
                .bind(id)
                .bind(start)
                .execute(&mut *conn)
                .await?;
        }

        let new_traces = after.values().filter(|(_, existed)| !existed).count() as i64;
        sqlx::query("UPDATE totals SET traces = traces + $1, spans = spans + $2, bytes = bytes + $3 WHERE id = 1")
            .bind(new_traces)
            .bind(inserted.len() as i64)
            .bind(bytes.iter().sum::<i64>())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }
}
}
