//! Tail sampling's tables: spans waiting for their trace's decision, and what
//! was kept or dropped per reason. The writer calls these inside its own
//! transactions, so a span is on disk (pending or stored) before its export is
//! acknowledged, and a decision moves a trace's spans in one commit.

use std::collections::{BTreeMap, HashSet};

use sqlx::QueryBuilder;

use crate::domain::sampling::{Reason, TraceFacts};
use crate::domain::{LogRecord, Severity, Span, TraceId};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::backend::{per_backend, push_in_list, with_db};

/// The held-span (tail sampling) statements, once per backend.
pub(in crate::store) struct Held<DB>(std::marker::PhantomData<DB>);

/// Seven parameters a row; SQLite allows 32,766 per statement.
const PENDING_ROWS_PER_STATEMENT: usize = 1000;
/// Trace ids per `IN (…)` list.
const TRACES_PER_STATEMENT: usize = 500;

/// The counter row of traces decided early because too many spans waited.
pub const DECIDED_AT_CAP: &str = "decided_at_cap";

/// A span to hold until its trace is decided.
pub struct PendingSpan<'a> {
    pub span: &'a Span,
    pub alert_match: bool,
    pub received_ns: i64,
}

/// A log record to hold until its trace is decided.
pub struct PendingLog<'a> {
    pub log: &'a LogRecord,
    pub alert_match: bool,
    pub received_ns: i64,
}

/// A trace taken out of the pending tables: its spans, its log records and its facts.
pub struct TakenTrace {
    pub trace_id: TraceId,
    pub facts: TraceFacts,
    pub spans: Vec<Span>,
    pub logs: Vec<LogRecord>,
}

/// A pending trace as the table has it, to rebuild the schedule after a restart.
#[derive(Debug, Clone, PartialEq)]
pub struct PendingTrace {
    pub trace_id: TraceId,
    pub first_received_ns: i64,
    pub root_received_ns: Option<i64>,
    pub spans: usize,
}

/// A held span as the decision takes it back.
#[derive(sqlx::FromRow)]
struct HeldRow {
    trace_id: String,
    is_error: i64,
    alert_match: i64,
    body: String,
}

#[derive(sqlx::FromRow)]
struct PendingRow {
    trace_id: String,
    first_received_ns: i64,
    root_received_ns: Option<i64>,
    spans: i64,
}

#[derive(sqlx::FromRow)]
struct CountRow {
    reason: String,
    traces: i64,
    spans: i64,
}

per_backend! {
impl Held {
    /// Holds spans (a re-sent span is already there and is skipped).
    pub(crate) async fn pend(conn: &mut Conn, pending: &[PendingSpan<'_>]) -> Result<()> {
        for chunk in pending.chunks(PENDING_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<DB>::new(
                "INSERT INTO pending_spans (trace_id, span_id, received_ns, is_root, is_error, alert_match, body) ",
            );
            q.push_values(chunk, |mut b, p| {
                let s = p.span;
                b.push_bind(s.trace_id.to_string())
                    .push_bind(s.span_id.to_string())
                    .push_bind(p.received_ns)
                    .push_bind(s.parent_span_id.is_none() as i64)
                    .push_bind(s.is_error() as i64)
                    .push_bind(p.alert_match as i64)
                    .push_bind(serde_json::to_string(s).expect("a span serializes"));
            });
            q.push(" ON CONFLICT (trace_id, span_id) DO NOTHING");
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Holds log records (a re-sent record is already there and is skipped).
    pub(crate) async fn pend_logs(conn: &mut Conn, pending: &[PendingLog<'_>]) -> Result<()> {
        for chunk in pending.chunks(PENDING_ROWS_PER_STATEMENT) {
            let mut q = QueryBuilder::<DB>::new("INSERT INTO pending_logs (key, trace_id, received_ns, is_error, alert_match, body) ");
            q.push_values(chunk, |mut b, p| {
                let trace = p.log.trace_id().map(|t| t.to_string()).unwrap_or_default();
                b.push_bind(&p.log.key)
                    .push_bind(trace)
                    .push_bind(p.received_ns)
                    .push_bind((p.log.severity_number >= Severity::Error.min_number()) as i64)
                    .push_bind(p.alert_match as i64)
                    .push_bind(serde_json::to_string(p.log).expect("a log record serializes"));
            });
            q.push(" ON CONFLICT (key) DO NOTHING");
            q.build().execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Removes the pending spans and log records of `traces` and returns them,
    /// with each trace's facts. Removal and return are one statement per table,
    /// so when two replicas decide the same trace only one of them gets them.
    pub(crate) async fn take_pending(conn: &mut Conn, traces: &[TraceId]) -> Result<Vec<TakenTrace>> {
        let mut taken: BTreeMap<String, TakenTrace> = BTreeMap::new();
        let new = |trace_id| TakenTrace { trace_id, facts: TraceFacts::default(), spans: Vec::new(), logs: Vec::new() };
        for chunk in traces.chunks(TRACES_PER_STATEMENT) {
            let mut q = QueryBuilder::<DB>::new("DELETE FROM pending_spans WHERE trace_id IN ");
            push_in_list(&mut q, chunk.iter().map(|t| t.to_string()));
            q.push(" RETURNING trace_id, is_error, alert_match, body");
            for row in q.build_query_as::<HeldRow>().fetch_all(&mut *conn).await? {
                let span: Span = serde_json::from_str(&row.body)
                    .map_err(|e| Error::Storage(format!("a pending span of trace {} does not parse: {e}", row.trace_id)))?;
                let t = taken.entry(row.trace_id).or_insert_with(|| new(span.trace_id));
                t.facts.any_error |= row.is_error != 0;
                t.facts.alert_match |= row.alert_match != 0;
                t.spans.push(span);
            }
            let mut q = QueryBuilder::<DB>::new("DELETE FROM pending_logs WHERE trace_id IN ");
            push_in_list(&mut q, chunk.iter().map(|t| t.to_string()));
            q.push(" RETURNING trace_id, is_error, alert_match, body");
            for row in q.build_query_as::<HeldRow>().fetch_all(&mut *conn).await? {
                let log: LogRecord = serde_json::from_str(&row.body)
                    .map_err(|e| Error::Storage(format!("a pending log record of trace {} does not parse: {e}", row.trace_id)))?;
                let Some(trace) = log.trace_id() else { continue };
                let t = taken.entry(row.trace_id).or_insert_with(|| new(trace));
                // An error logged is an error of the trace.
                t.facts.any_error |= row.is_error != 0;
                t.facts.alert_match |= row.alert_match != 0;
                t.logs.push(log);
            }
        }
        for t in taken.values_mut() {
            // Spans only: a log record's time says nothing of how long the trace took.
            let start = t.spans.iter().map(|s| s.start_ns).min().unwrap_or(0);
            let end = t.spans.iter().map(|s| s.end_ns).max().unwrap_or(0);
            t.facts.extent_ns = end.saturating_sub(start);
        }
        let ids: Vec<String> = taken.keys().cloned().collect();
        for stored in Self::stored_traces(conn, &ids).await? {
            if let Some(t) = taken.get_mut(&stored) {
                t.facts.already_stored = true;
            }
        }
        Ok(taken.into_values().collect())
    }

    /// Which of `traces` have spans stored already.
    async fn stored_traces(conn: &mut Conn, traces: &[String]) -> Result<HashSet<String>> {
        let mut found = HashSet::new();
        for chunk in traces.chunks(TRACES_PER_STATEMENT) {
            let mut q = QueryBuilder::<DB>::new("SELECT trace_id FROM traces WHERE trace_id IN ");
            push_in_list(&mut q, chunk.iter().cloned());
            found.extend(q.build_query_scalar::<String>().fetch_all(&mut *conn).await?);
        }
        Ok(found)
    }

    /// Adds decided traces and spans to their reasons' counters (sorted by
    /// reason, so concurrent replicas take the row locks in one order).
    pub(crate) async fn add_counts(conn: &mut Conn, counts: &BTreeMap<&str, (i64, i64)>) -> Result<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::<DB>::new("INSERT INTO sampling_counts (reason, traces, spans) ");
        q.push_values(counts, |mut b, (reason, (traces, spans))| {
            b.push_bind(*reason).push_bind(*traces).push_bind(*spans);
        });
        q.push(
            " ON CONFLICT (reason) DO UPDATE SET traces = sampling_counts.traces + excluded.traces, \
             spans = sampling_counts.spans + excluded.spans",
        );
        q.build().execute(&mut *conn).await?;
        Ok(())
    }
}
}

impl Store {
    /// Every trace with spans or log records waiting, oldest first (a record
    /// counts as a span in `spans`: it takes as much room).
    pub async fn pending_traces(&self) -> Result<Vec<PendingTrace>> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, PendingRow>(
                "SELECT trace_id, MIN(received_ns) AS first_received_ns, \
                 MAX(CASE WHEN is_root = 1 THEN received_ns END) AS root_received_ns, COUNT(*) AS spans \
                 FROM (SELECT trace_id, received_ns, is_root FROM pending_spans \
                       UNION ALL SELECT trace_id, received_ns, 0 FROM pending_logs) held \
                 GROUP BY trace_id ORDER BY 2",
            )
            .fetch_all(&db.read)
            .await?;
            rows.into_iter()
                .map(|r| {
                    Ok(PendingTrace {
                        trace_id: TraceId::parse(&r.trace_id).map_err(|e| Error::Storage(format!("pending_spans: {e}")))?,
                        first_received_ns: r.first_received_ns,
                        root_received_ns: r.root_received_ns,
                        spans: r.spans as usize,
                    })
                })
                .collect()
        })
    }

    /// Traces and spans per reason since the database began, and the traces
    /// decided early at the cap.
    pub async fn sampling_counts(&self) -> Result<(BTreeMap<Reason, (u64, u64)>, u64)> {
        with_db!(self, db => {
            let rows = sqlx::query_as::<DB, CountRow>("SELECT reason, traces, spans FROM sampling_counts").fetch_all(&db.read).await?;
            let mut counts = BTreeMap::new();
            let mut at_cap = 0;
            for r in &rows {
                let (traces, spans) = (r.traces as u64, r.spans as u64);
                match Reason::parse(&r.reason) {
                    Some(reason) => {
                        counts.insert(reason, (traces, spans));
                    }
                    None if r.reason == DECIDED_AT_CAP => at_cap = traces,
                    None => {}
                }
            }
            Ok((counts, at_cap))
        })
    }
}
