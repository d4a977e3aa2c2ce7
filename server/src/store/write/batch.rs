//! The batched write: many spans, one transaction, a handful of multi-row statements.
//!
//! Re-sent spans (client retries) are ignored by key; only newly inserted spans
//! (`RETURNING`) add to their trace's summary row, so retries never double-count.

use std::collections::{BTreeMap, HashMap, HashSet};

use sqlx::postgres::{PgConnection, Postgres};
use sqlx::sqlite::{Sqlite, SqliteConnection};
use sqlx::{ConnectOptions, Connection, QueryBuilder};

use crate::domain::Costing;
use crate::domain::sampling::Reason;
use crate::domain::{LogRecord, Resource, Span, TraceId};
use crate::error::Result;
use crate::store::Store;
use crate::store::backend::SMALL_ROWS_PER_STATEMENT;
use crate::store::backend::{Db, per_backend};
use crate::store::detail::detail_columns;
use crate::store::write::cost::{CostRollup, CostSample};
use crate::store::write::footprint;
use crate::store::write::latency::{LatencyRollup, LatencySample};
use crate::store::write::logs::{Logs, NewLogs};
use crate::store::write::rollup::TraceRollup;
use crate::store::write::sampling::{DECIDED_AT_CAP, Held, PendingLog, PendingSpan, TakenTrace};

/// The batch statements, once per backend (`Batch::<Sqlite>`, `Batch::<Postgres>`).
pub(in crate::store) struct Batch<DB>(std::marker::PhantomData<DB>);

/// SQLite allows 32,766 bound parameters per statement; spans take 29 each.
const SPAN_ROWS_PER_STATEMENT: usize = 1000;

/// What one batch changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BatchReport {
    pub inserted: usize,
    pub duplicates: usize,
    /// Positions in the batch of the spans newly stored (not re-sent ones).
    pub new_spans: Vec<usize>,
    /// Log records newly stored (positions in the batch's records) and their bytes.
    pub new_logs: NewLogs,
}

enum Conn {
    Sqlite(SqliteConnection),
    Postgres(PgConnection),
}

/// The writer's connection and what it already knows is stored.
pub struct WriteConn {
    conn: Conn,
    known_resources: HashSet<String>,
}

/// A span the batch newly stored: its row id and its place in the batch.
type Inserted<'a> = Vec<(i64, usize, &'a Span)>;

impl Store {
    /// The connection the ingest writer owns.
    pub async fn writer_connection(&self) -> Result<WriteConn> {
        Ok(match &self.db {
            Db::Sqlite { options, .. } => WriteConn::sqlite(options.connect().await?),
            Db::Postgres { options, .. } => WriteConn::postgres(options.connect().await?),
        })
    }
}

impl WriteConn {
    pub(in crate::store) fn sqlite(conn: SqliteConnection) -> Self {
        Self { conn: Conn::Sqlite(conn), known_resources: HashSet::new() }
    }

    pub(in crate::store) fn postgres(conn: PgConnection) -> Self {
        Self { conn: Conn::Postgres(conn), known_resources: HashSet::new() }
    }

    /// Stores `spans` and `logs` and holds `pending` (spans and records waiting
    /// for a sampling decision) in one transaction; returns once it is
    /// committed (on SQLite, fsynced; on PostgreSQL, flushed to its WAL).
    pub async fn write_batch(&mut self, spans: &[&Span], logs: &[&LogRecord], pending: &Pending<'_>) -> Result<BatchReport> {
        let resources = spans.iter().map(|s| &*s.resource).chain(logs.iter().map(|l| &*l.resource));
        let new_resources = new_resources(&self.known_resources, resources);
        let report = match &mut self.conn {
            Conn::Sqlite(c) => Batch::<Sqlite>::write_batch(c, spans, &new_resources, logs, pending).await?,
            Conn::Postgres(c) => Batch::<Postgres>::write_batch(c, spans, &new_resources, logs, pending).await?,
        };
        self.known_resources.extend(new_resources.iter().map(|r| r.key.clone()));
        Ok(report)
    }

    /// Decides the pending `traces` in one transaction: takes their spans out
    /// of the pending table, asks `judge` for each trace's reason, stores the
    /// kept ones and counts both. Traces another replica decided first are
    /// simply absent.
    pub async fn decide(&mut self, traces: &[TraceId], at_cap: usize, judge: &(dyn Fn(&TakenTrace) -> Reason + Sync)) -> Result<Decided> {
        let mut decided = match &mut self.conn {
            Conn::Sqlite(c) => Batch::<Sqlite>::decide(c, traces, at_cap, judge, &self.known_resources).await?,
            Conn::Postgres(c) => Batch::<Postgres>::decide(c, traces, at_cap, judge, &self.known_resources).await?,
        };
        self.known_resources.extend(std::mem::take(&mut decided.new_resources));
        Ok(decided)
    }
}

/// Each resource in `resources` not in `known`, once (written once per connection).
fn new_resources<'a>(known: &HashSet<String>, resources: impl IntoIterator<Item = &'a Resource>) -> Vec<&'a Resource> {
    let mut fresh: Vec<&Resource> = Vec::new();
    for resource in resources {
        if !known.contains(&resource.key) && !fresh.iter().any(|r| r.key == resource.key) {
            fresh.push(resource);
        }
    }
    fresh
}

/// What a batch holds for sampling decisions.
#[derive(Default)]
pub struct Pending<'a> {
    pub spans: Vec<PendingSpan<'a>>,
    pub logs: Vec<PendingLog<'a>>,
}

/// What one round of sampling decisions did.
#[derive(Debug, Default)]
pub struct Decided {
    /// The spans of kept traces, in the order stored.
    pub kept: Vec<Span>,
    /// The log records of kept traces (`report.new_logs` indexes them).
    pub kept_logs: Vec<LogRecord>,
    pub report: BatchReport,
    /// Traces and spans per reason.
    pub counts: BTreeMap<Reason, (u64, u64)>,
    new_resources: Vec<String>,
}

per_backend! {
impl Batch {
    async fn write_batch(
        conn: &mut Conn,
        spans: &[&Span],
        new_resources: &[&Resource],
        logs: &[&LogRecord],
        pending: &Pending<'_>,
    ) -> Result<BatchReport> {
        let mut tx = conn.begin().await?;
        Self::store_resources(&mut tx, new_resources).await?;
        let mut report = Self::store_spans(&mut tx, spans).await?;
        Held::<DB>::pend(&mut tx, &pending.spans).await?;
        Held::<DB>::pend_logs(&mut tx, &pending.logs).await?;
        report.new_logs = Self::store_logs(&mut tx, logs).await?;
        tx.commit().await?;
        Ok(report)
    }

    async fn decide(
        conn: &mut Conn,
        traces: &[TraceId],
        at_cap: usize,
        judge: &(dyn Fn(&TakenTrace) -> Reason + Sync),
        known: &HashSet<String>,
    ) -> Result<Decided> {
        let mut tx = conn.begin().await?;
        let mut decided = Decided::default();
        for trace in Held::<DB>::take_pending(&mut tx, traces).await? {
            let reason = judge(&trace);
            let n = decided.counts.entry(reason).or_default();
            *n = (n.0 + 1, n.1 + trace.spans.len() as u64);
            // A dropped trace's spans and records are simply not stored.
            if reason.keeps() {
                decided.kept.extend(trace.spans);
                decided.kept_logs.extend(trace.logs);
            }
        }
        let kept: Vec<&Span> = decided.kept.iter().collect();
        let kept_logs: Vec<&LogRecord> = decided.kept_logs.iter().collect();
        let resources = kept.iter().map(|s| &*s.resource).chain(kept_logs.iter().map(|l| &*l.resource));
        let new_resources = new_resources(known, resources);
        Self::store_resources(&mut tx, &new_resources).await?;
        decided.report = Self::store_spans(&mut tx, &kept).await?;
        decided.report.new_logs = Self::store_logs(&mut tx, &kept_logs).await?;
        decided.new_resources = new_resources.iter().map(|r| r.key.clone()).collect();
        let mut counts: BTreeMap<&str, (i64, i64)> =
            decided.counts.iter().map(|(r, (t, s))| (r.as_str(), (*t as i64, *s as i64))).collect();
        if at_cap > 0 {
            counts.insert(DECIDED_AT_CAP, (at_cap as i64, 0));
        }
        Held::<DB>::add_counts(&mut tx, &counts).await?;
        tx.commit().await?;
        Ok(decided)
    }

    /// Stores log records inside the caller's transaction and adds the new
    /// ones' bytes to the size cap's count.
    async fn store_logs(conn: &mut Conn, logs: &[&LogRecord]) -> Result<NewLogs> {
        let new = Logs::<DB>::insert(&mut *conn, logs).await?;
        if new.bytes > 0 {
            sqlx::query("UPDATE totals SET bytes = bytes + $1 WHERE id = 1").bind(new.bytes).execute(&mut *conn).await?;
        }
        Ok(new)
    }

    /// Stores resources not stored yet, inside the caller's transaction.
    async fn store_resources(conn: &mut Conn, new_resources: &[&Resource]) -> Result<()> {
        for chunk in new_resources.chunks(SMALL_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO resources (key, service, attributes) ");
            q.push_values(chunk, |mut b, r| {
                b.push_bind(&r.key).push_bind(&r.service).push_bind(serde_json::to_string(&r.attributes).expect("attributes serialize"));
            });
            q.push(" ON CONFLICT (key) DO NOTHING");
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Stores spans inside the caller's transaction: span rows, their details,
    /// and the rollups of the spans that are new.
    async fn store_spans(conn: &mut Conn, spans: &[&Span]) -> Result<BatchReport> {
        if spans.is_empty() {
            return Ok(BatchReport::default());
        }
        let mut inserted = Self::insert_spans(&mut *conn, spans).await?;
        // In batch order, so what follows sees spans as they were sent.
        inserted.sort_unstable_by_key(|(_, i, _)| *i);
        let details = Self::insert_details(&mut *conn, &inserted).await?;
        let new_spans = inserted.iter().map(|(_, i, _)| *i).collect();
        let inserted: Vec<&Span> = inserted.into_iter().map(|(_, _, s)| s).collect();
        let bytes: Vec<i64> = inserted.iter().zip(details).map(|(s, d)| footprint::span_bytes(s, d)).collect();
        TraceRollup::<DB>::upsert_traces(&mut *conn, &inserted, &bytes).await?;
        LatencyRollup::<DB>::add_to_latency(&mut *conn, inserted.iter().map(|s| LatencySample::of(s))).await?;
        CostRollup::<DB>::add_to_cost(&mut *conn, inserted.iter().filter_map(|s| CostSample::of(s))).await?;
        Ok(BatchReport { inserted: inserted.len(), duplicates: spans.len() - inserted.len(), new_spans, ..BatchReport::default() })
    }
}
}

/// What an insert returns of each span it stored (re-sent spans return nothing).
#[derive(sqlx::FromRow)]
struct Returned {
    id: i64,
    trace_id: String,
    span_id: String,
}

/// Matches the keys a statement returned to the spans it was given.
fn match_returned<'a>(rows: Vec<Returned>, spans: &[&'a Span], offset: usize, out: &mut Inserted<'a>) {
    let by_key: HashMap<(String, String), usize> =
        spans.iter().enumerate().map(|(i, s)| ((s.trace_id.to_string(), s.span_id.to_string()), i)).collect();
    for r in rows {
        if let Some(&i) = by_key.get(&(r.trace_id, r.span_id)) {
            out.push((r.id, offset + i, spans[i]));
        }
    }
}

fn cost_of(s: &Span) -> (Option<f64>, Option<String>) {
    match &s.cost {
        Costing::Priced { usd, price_id } => (Some(*usd), Some(price_id.clone())),
        Costing::Unpriced | Costing::NotModelCall => (None, None),
    }
}

const SPAN_COLUMNS: &str = "trace_id, span_id, parent_span_id, name, service, kind, otel_kind, start_ns, end_ns, \
     status, status_message, request_model, response_model, provider, input_tokens, output_tokens, \
     cache_read_tokens, cache_write_tokens, reasoning_tokens, total_tokens, tool_name, user_id, session_id, \
     resource_key, content_policy, scope, step, cost_usd, price_id";

impl Batch<Sqlite> {
    /// Inserts spans with multi-row `VALUES`, skipping keys already stored; returns
    /// the rowid and batch position of each span actually inserted.
    async fn insert_spans<'a>(conn: &mut SqliteConnection, spans: &[&'a Span]) -> Result<Inserted<'a>> {
        let mut inserted = Vec::with_capacity(spans.len());
        for (c, chunk) in spans.chunks(SPAN_ROWS_PER_STATEMENT).enumerate() {
            let mut q = QueryBuilder::<Sqlite>::new(format!("INSERT INTO spans ({SPAN_COLUMNS}) "));
            q.push_values(chunk, |mut b, s| {
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
                let (cost, price) = cost_of(s);
                b.push_bind(cost).push_bind(price);
            });
            q.push(" ON CONFLICT (trace_id, span_id) DO NOTHING RETURNING id, trace_id, span_id");
            let rows = q.build_query_as::<Returned>().fetch_all(&mut *conn).await?;
            match_returned(rows, chunk, c * SPAN_ROWS_PER_STATEMENT, &mut inserted);
        }
        Ok(inserted)
    }

    /// Inserts the spans' details; returns each one's length, in order.
    async fn insert_details(conn: &mut SqliteConnection, inserted: &Inserted<'_>) -> Result<Vec<usize>> {
        let mut lengths = Vec::with_capacity(inserted.len());
        for chunk in inserted.chunks(SMALL_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<Sqlite>::new("INSERT INTO span_details (id, attributes, events, links, content) ");
            q.push_values(chunk, |mut b, (id, _, s)| {
                b.push_bind(*id);
                let columns = detail_columns(s);
                lengths.push(columns.iter().map(String::len).sum());
                for column in columns {
                    b.push_bind(column);
                }
            });
            q.build().execute(&mut *conn).await?;
        }
        Ok(lengths)
    }
}

/// Spans of one PostgreSQL batch, column by column, for `UNNEST`: one statement
/// of 29 array parameters whatever the batch size, where multi-row `VALUES` would
/// send 29 parameters per span and make the server parse them all.
#[derive(Default)]
struct SpanArrays {
    text: [Vec<Option<String>>; 19],
    int: [Vec<i64>; 9],
    cost: Vec<Option<f64>>,
}

impl Batch<Postgres> {
    async fn insert_spans<'a>(conn: &mut PgConnection, spans: &[&'a Span]) -> Result<Inserted<'a>> {
        let mut a = SpanArrays::default();
        for s in spans {
            let t = &s.gen_ai.tokens;
            let (cost, price) = cost_of(s);
            let texts = [
                Some(s.trace_id.to_string()),
                Some(s.span_id.to_string()),
                s.parent_span_id.map(|p| p.to_string()),
                Some(s.name.clone()),
                Some(s.resource.service.clone()),
                Some(s.kind.as_str().to_string()),
                Some(s.otel_kind.to_string()),
                s.status_message.clone(),
                s.gen_ai.request_model.clone(),
                s.gen_ai.response_model.clone(),
                s.gen_ai.provider.clone(),
                s.gen_ai.tool_name.clone(),
                s.user_id.clone(),
                s.session_id.clone(),
                Some(s.resource.key.clone()),
                Some(s.content_policy.as_str().to_string()),
                s.scope.clone(),
                Some(s.step.clone()),
                price,
            ];
            for (col, v) in a.text.iter_mut().zip(texts) {
                col.push(v);
            }
            let ints = [s.start_ns, s.end_ns, s.status.as_i64(), t.input, t.output, t.cache_read, t.cache_write, t.reasoning, t.total];
            for (col, v) in a.int.iter_mut().zip(ints) {
                col.push(v);
            }
            a.cost.push(cost);
        }
        let [
            trace_id,
            span_id,
            parent,
            name,
            service,
            kind,
            otel_kind,
            status_message,
            request_model,
            response_model,
            provider,
            tool,
            user,
            session,
            resource,
            policy,
            scope,
            step,
            price,
        ] = a.text;
        let [start, end, status, input, output, cache_read, cache_write, reasoning, total] = a.int;
        let rows = sqlx::query_as::<Postgres, Returned>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO spans ({SPAN_COLUMNS}) SELECT * FROM UNNEST(\
             $1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[], $9::int8[], \
             $10::int8[], $11::text[], $12::text[], $13::text[], $14::text[], $15::int8[], $16::int8[], $17::int8[], \
             $18::int8[], $19::int8[], $20::int8[], $21::text[], $22::text[], $23::text[], $24::text[], $25::text[], \
             $26::text[], $27::text[], $28::float8[], $29::text[]) \
             ON CONFLICT (trace_id, span_id) DO NOTHING RETURNING id, trace_id, span_id"
        )))
        .bind(trace_id)
        .bind(span_id)
        .bind(parent)
        .bind(name)
        .bind(service)
        .bind(kind)
        .bind(otel_kind)
        .bind(start)
        .bind(end)
        .bind(status)
        .bind(status_message)
        .bind(request_model)
        .bind(response_model)
        .bind(provider)
        .bind(input)
        .bind(output)
        .bind(cache_read)
        .bind(cache_write)
        .bind(reasoning)
        .bind(total)
        .bind(tool)
        .bind(user)
        .bind(session)
        .bind(resource)
        .bind(policy)
        .bind(scope)
        .bind(step)
        .bind(a.cost)
        .bind(price)
        .fetch_all(&mut *conn)
        .await?;
        let mut inserted = Vec::with_capacity(rows.len());
        match_returned(rows, spans, 0, &mut inserted);
        Ok(inserted)
    }

    /// Inserts the spans' details; returns each one's length, in order.
    async fn insert_details(conn: &mut PgConnection, inserted: &Inserted<'_>) -> Result<Vec<usize>> {
        if inserted.is_empty() {
            return Ok(Vec::new());
        }
        let mut lengths = Vec::with_capacity(inserted.len());
        let mut trace_ids = Vec::with_capacity(inserted.len());
        let mut ids = Vec::with_capacity(inserted.len());
        let mut columns: [Vec<String>; 4] = Default::default();
        for (id, _, s) in inserted {
            trace_ids.push(s.trace_id.to_string());
            ids.push(*id);
            let details = detail_columns(s);
            lengths.push(details.iter().map(String::len).sum());
            for (col, v) in columns.iter_mut().zip(details) {
                col.push(v);
            }
        }
        let [attributes, events, links, content] = columns;
        sqlx::query(
            "INSERT INTO span_details (trace_id, id, attributes, events, links, content) \
             SELECT * FROM UNNEST($1::text[], $2::int8[], $3::text[], $4::text[], $5::text[], $6::text[])",
        )
        .bind(trace_ids)
        .bind(ids)
        .bind(attributes)
        .bind(events)
        .bind(links)
        .bind(content)
        .execute(&mut *conn)
        .await?;
        Ok(lengths)
    }
}
