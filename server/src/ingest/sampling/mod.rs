//! Tail sampling (`loupe serve --sample F`): keep every trace with an error,
//! every trace a span alert rule fires on, every trace slower than a threshold,
//! and a fraction `F` of the rest, chosen by trace id. Off by default.
//!
//! A trace can only be judged whole, so its spans are *held*: committed to the
//! `pending_spans` table (on disk before the export is acknowledged, like any
//! span) instead of `spans`, and its log records to `pending_logs` (a record at
//! ERROR or worse makes it a trace with an error; one a log rule fires on, a
//! trace an alert fired on). The [`Sampler`] keeps a schedule of pending traces
//! in memory, a few numbers each, and decides a trace `grace` after its root
//! span arrived, or `max_wait` after its first span when no root comes. Then
//! the writer moves the kept spans to `spans` and deletes the rest, in one
//! transaction ([`crate::store::WriteConn::decide`]).
//!
//! At most `max_pending_spans` wait: beyond that the oldest traces are decided
//! at once with what has arrived (counted as `decided_at_cap`), so memory and
//! the pending table stay bounded whatever the load. After a restart the
//! schedule is rebuilt from the table: nothing held is lost.
//!
//! Replicas: the decision takes a trace's spans out of the shared table in one
//! statement, so a trace is decided once, with every replica's spans; the
//! fraction depends on the id alone, so all replicas agree on it. Route spans
//! by trace id (the OpenTelemetry Collector's load-balancing exporter) so the
//! replica that schedules a trace has seen its root.

pub mod policy;
mod schedule;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::domain::sampling::Reason;
use crate::domain::{LogRecord, Span, TraceId};
use crate::error::Result;
use crate::ingest::writer::{Judge, Writer};
use crate::metrics::Metrics;
use crate::store::Store;
use crate::store::TakenTrace;
pub use policy::Policy;
use schedule::Schedule;

/// How often due traces are looked for.
const TICK: Duration = Duration::from_millis(250);
/// Most traces decided in one transaction.
const TRACES_PER_ROUND: usize = 1000;

/// Which spans would fire a span alert rule: such traces are kept whole. The
/// alerts engine (above ingest) answers it.
pub trait AlertMatch: Send + Sync + 'static {
    fn would_fire(&self, spans: &[Span]) -> Vec<bool>;
    /// The same for log records and the log rules.
    fn would_fire_logs(&self, logs: &[LogRecord]) -> Vec<bool>;
}

#[derive(Clone)]
pub struct Sampler {
    inner: Arc<Inner>,
}

struct Inner {
    policy: Policy,
    schedule: Mutex<Schedule>,
    alerts: Arc<dyn AlertMatch>,
}

impl Sampler {
    /// Rebuilds the schedule from the pending table and starts deciding.
    pub async fn start(
        policy: Policy,
        store: &Store,
        writer: Writer,
        alerts: Arc<dyn AlertMatch>,
        metrics: Metrics,
    ) -> Result<(Sampler, JoinHandle<()>)> {
        let mut schedule = Schedule::new(policy.grace, policy.max_wait, policy.max_pending_spans);
        let pending = store.pending_traces().await?;
        if !pending.is_empty() {
            let spans: usize = pending.iter().map(|p| p.spans).sum();
            tracing::info!(traces = pending.len(), spans, "tail sampling: traces held before the restart are scheduled again");
        }
        for p in pending {
            schedule.restore(p.trace_id, p.first_received_ns, p.root_received_ns, p.spans);
        }
        let sampler = Sampler { inner: Arc::new(Inner { policy, schedule: Mutex::new(schedule), alerts }) };
        let task = tokio::spawn(run(sampler.clone(), writer, metrics));
        Ok((sampler, task))
    }

    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// Spans held and waiting for a decision (an estimate: re-sent spans count twice).
    pub fn pending_spans(&self) -> usize {
        self.lock().pending_spans()
    }

    /// For each span, whether it would fire a span alert rule (such traces are kept).
    pub fn alert_matches(&self, spans: &[Span]) -> Vec<bool> {
        self.inner.alerts.would_fire(spans)
    }

    /// For each log record, whether it would fire a log alert rule (such traces are kept).
    pub fn alert_matches_logs(&self, logs: &[LogRecord]) -> Vec<bool> {
        self.inner.alerts.would_fire_logs(logs)
    }

    /// Notes spans (and log records: not roots) now held on disk (trace id, whether it is a root), so their
    /// traces get decided.
    pub fn held(&self, spans: &[(TraceId, bool)]) {
        let now = crate::domain::now_ns();
        let mut schedule = self.lock();
        for &(trace, is_root) in spans {
            schedule.add(trace, is_root, now);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.inner.schedule.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn judge(&self) -> Judge {
        let policy = self.inner.policy.clone();
        Arc::new(move |t: &TakenTrace| policy.decide(t.trace_id, &t.facts))
    }
}

async fn run(sampler: Sampler, writer: Writer, metrics: Metrics) {
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        loop {
            let round = sampler.lock().due(crate::domain::now_ns(), TRACES_PER_ROUND);
            if round.traces.is_empty() {
                break;
            }
            let ids: Vec<_> = round.traces.iter().map(|(t, _)| *t).collect();
            match writer.decide(ids, round.at_cap, sampler.judge()).await {
                Ok(counts) => {
                    sampler.lock().decided(&round, crate::domain::now_ns());
                    metrics.sampled(&counts, round.at_cap as u64);
                }
                Err(crate::error::Error::ShuttingDown) => return,
                Err(_) => {
                    // Logged by the writer; the traces stay pending and are
                    // tried again on a later tick.
                    sampler.lock().retry_later(&round, crate::domain::now_ns());
                    break;
                }
            }
            metrics.set_pending_spans(sampler.pending_spans());
            if round.traces.len() < TRACES_PER_ROUND {
                break;
            }
        }
        metrics.set_pending_spans(sampler.pending_spans());
    }
}

/// With sampling off, traces still held from a run with it on are kept whole
/// (nothing acknowledged is lost by turning sampling off).
pub async fn keep_held(store: &Store, writer: &Writer) -> Result<()> {
    let pending = store.pending_traces().await?;
    if pending.is_empty() {
        return Ok(());
    }
    let ids: Vec<TraceId> = pending.iter().map(|p| p.trace_id).collect();
    for chunk in ids.chunks(TRACES_PER_ROUND) {
        writer.decide(chunk.to_vec(), 0, Arc::new(|_: &TakenTrace| Reason::SamplingOff)).await?;
    }
    tracing::info!(traces = ids.len(), "sampling is off: traces held for a sampling decision were kept");
    Ok(())
}

/// The policy in force and the counts, for the settings page and the API.
pub async fn view(store: &Store, sampler: Option<&Sampler>) -> Result<app::model::sampling::SamplingView> {
    use app::model::sampling::{ReasonCount, SamplingPolicy, SamplingView};
    let (counts, decided_at_cap) = store.sampling_counts().await?;
    let ns = crate::domain::ns;
    Ok(SamplingView {
        policy: sampler.map(|s| {
            let p = s.policy();
            SamplingPolicy {
                fraction: p.fraction,
                slower_than_ns: p.slower_than.map(ns),
                grace_ns: ns(p.grace),
                max_wait_ns: ns(p.max_wait),
                max_pending_spans: p.max_pending_spans as u64,
            }
        }),
        pending_spans: sampler.map_or(0, |s| s.pending_spans() as u64),
        counts: Reason::ALL
            .into_iter()
            .filter_map(|r| {
                counts.get(&r).map(|&(traces, spans)| ReasonCount { reason: r.as_str().into(), kept: r.keeps(), traces, spans })
            })
            .collect(),
        decided_at_cap,
    })
}
