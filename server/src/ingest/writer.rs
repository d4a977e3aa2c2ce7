//! The one writer: a task that owns the write connection and commits whatever has
//! queued up (from many requests) in one transaction, then acknowledges each request.
//!
//! The queue is bounded in spans, not requests, so memory stays bounded whatever the
//! request sizes; a request that does not fit is refused at once (the HTTP layer
//! answers 503 with `Retry-After`), never silently dropped.
//!
//! A failed commit drops the connection; the next batch opens a new one. So when
//! the database goes away (PostgreSQL restarted, the network cut), requests get a
//! 503 while it is gone and the writer carries on by itself once it is back.

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::domain::sampling::Reason;
use crate::domain::{LogRecord, Span, TraceId};
use crate::error::{Error, Result};
use crate::store::{Pending, PendingLog, PendingSpan, TakenTrace};
use crate::store::{Store, WriteConn};

/// How long opening a new write connection may take before the batch fails.
const RECONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Most spans committed in one transaction.
const MAX_SPANS_PER_COMMIT: usize = 20_000;

/// Told of every span once it is committed, for the first time only (a re-sent
/// span is not new). Called on the writer task: it must not block.
pub trait CommitObserver: Send + Sync + 'static {
    fn committed(&self, spans: &[&Span]);
    /// The same for log records.
    fn committed_logs(&self, logs: &[&LogRecord]);
}

/// Spans to store, or to hold for a sampling decision (`hold`: whether each
/// would fire a span alert rule).
struct Job {
    spans: Vec<Span>,
    /// Log records, stored in the same transaction as the spans queued with them.
    logs: Vec<LogRecord>,
    hold: Option<Vec<bool>>,
    /// Log records to hold for their traces' decisions, each with whether it
    /// would fire a log alert rule.
    held_logs: Vec<(LogRecord, bool)>,
    done: oneshot::Sender<Result<()>>,
    _permit: OwnedSemaphorePermit,
}

/// What a job carries, before it has a permit and an answer channel.
#[derive(Default)]
struct Load {
    spans: Vec<Span>,
    logs: Vec<LogRecord>,
    hold: Option<Vec<bool>>,
    held_logs: Vec<(LogRecord, bool)>,
}

impl Job {
    /// Spans and records: what it takes of the queue and of a commit.
    fn items(&self) -> usize {
        self.spans.len() + self.logs.len() + self.held_logs.len()
    }
}

/// A round of sampling decisions (see [`WriteConn::decide`]).
struct Decision {
    traces: Vec<TraceId>,
    at_cap: usize,
    judge: Judge,
    done: oneshot::Sender<Result<BTreeMap<Reason, (u64, u64)>>>,
}

/// Says why a taken trace is kept or dropped.
pub type Judge = Arc<dyn Fn(&TakenTrace) -> Reason + Send + Sync>;

enum Work {
    Write(Job),
    Decide(Decision),
}

/// Submits spans to the writer; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::UnboundedSender<Work>,
    capacity: Arc<Semaphore>,
    max_queued: usize,
}

impl Writer {
    /// Starts the writer task on `conn` (and on new connections from `store` when
    /// one fails); at most `max_queued_spans` wait at a time.
    pub fn spawn(conn: WriteConn, store: Store, max_queued_spans: usize, observer: Arc<dyn CommitObserver>) -> (Writer, JoinHandle<()>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let writer = Writer { tx, capacity: Arc::new(Semaphore::new(max_queued_spans)), max_queued: max_queued_spans };
        (writer, tokio::spawn(run(Some(conn), store, rx, observer)))
    }

    /// Spans waiting to be committed.
    pub fn queued(&self) -> usize {
        self.max_queued.saturating_sub(self.capacity.available_permits())
    }

    /// Queues `spans` and waits until they are committed.
    pub async fn write(&self, spans: Vec<Span>) -> Result<()> {
        self.submit(spans, None).await
    }

    /// Queues `spans` to be held until their traces are decided (one flag per
    /// span: it would fire a span alert rule); waits until they are on disk.
    pub async fn hold(&self, spans: Vec<Span>, alert_matches: Vec<bool>) -> Result<()> {
        debug_assert_eq!(spans.len(), alert_matches.len());
        self.submit(spans, Some(alert_matches)).await
    }

    /// Queues log records (`logs` to store, `held` to hold for their traces'
    /// sampling decisions, each with whether it would fire a log alert rule)
    /// and waits until they are committed. They take room in the queue as
    /// spans do (a record is about as large).
    pub async fn write_logs(&self, logs: Vec<LogRecord>, held: Vec<(LogRecord, bool)>) -> Result<()> {
        self.submit_job(Load { logs, held_logs: held, ..Load::default() }).await
    }

    async fn submit(&self, spans: Vec<Span>, hold: Option<Vec<bool>>) -> Result<()> {
        self.submit_job(Load { spans, hold, ..Load::default() }).await
    }

    async fn submit_job(&self, load: Load) -> Result<()> {
        let Load { spans, logs, hold, held_logs } = load;
        let items = spans.len() + logs.len() + held_logs.len();
        if items == 0 {
            return Ok(());
        }
        // A request bigger than the whole queue takes all of it: it is accepted when
        // the queue is empty instead of never.
        let wanted = items.min(self.max_queued) as u32;
        let permit = self.capacity.clone().try_acquire_many_owned(wanted).map_err(|_| Error::Overloaded)?;
        let (done, result) = oneshot::channel();
        self.tx.send(Work::Write(Job { spans, logs, hold, held_logs, done, _permit: permit })).map_err(|_| Error::ShuttingDown)?;
        result.await.map_err(|_| Error::ShuttingDown)?
    }

    /// Decides pending traces (in the writer's order, after what was queued
    /// before); returns traces and spans per reason.
    pub async fn decide(&self, traces: Vec<TraceId>, at_cap: usize, judge: Judge) -> Result<BTreeMap<Reason, (u64, u64)>> {
        let (done, result) = oneshot::channel();
        self.tx.send(Work::Decide(Decision { traces, at_cap, judge, done })).map_err(|_| Error::ShuttingDown)?;
        result.await.map_err(|_| Error::ShuttingDown)?
    }
}

/// The writer's connection, or a new one when the last failed.
async fn connection<'a>(conn: &'a mut Option<WriteConn>, store: &Store) -> Result<&'a mut WriteConn> {
    if conn.is_none() {
        let fresh = tokio::time::timeout(RECONNECT_TIMEOUT, store.writer_connection())
            .await
            .map_err(|_| Error::Storage("the database did not answer within 5 s".into()))??;
        tracing::info!("writer connected to the database");
        *conn = Some(fresh);
    }
    Ok(conn.as_mut().expect("just connected"))
}

async fn run(mut conn: Option<WriteConn>, store: Store, mut rx: mpsc::UnboundedReceiver<Work>, observer: Arc<dyn CommitObserver>) {
    let mut next = None;
    loop {
        let work = match next.take() {
            Some(w) => w,
            None => match rx.recv().await {
                Some(w) => w,
                None => break,
            },
        };
        match work {
            Work::Decide(d) => decide(&mut conn, &store, d, observer.as_ref()).await,
            Work::Write(first) => {
                let mut jobs = vec![first];
                let mut queued = jobs[0].items();
                while queued < MAX_SPANS_PER_COMMIT {
                    match rx.try_recv() {
                        Ok(Work::Write(job)) => {
                            queued += job.items();
                            jobs.push(job);
                        }
                        Ok(decision) => {
                            // After this batch, in the order it was sent.
                            next = Some(decision);
                            break;
                        }
                        Err(_) => break,
                    }
                }
                write(&mut conn, &store, jobs, observer.as_ref()).await;
            }
        }
    }
    tracing::info!("writer stopped: every queued span is committed");
}

/// Commits one batch of write jobs and answers each.
async fn write(conn: &mut Option<WriteConn>, store: &Store, jobs: Vec<Job>, observer: &dyn CommitObserver) {
    let batch: Vec<&Span> = jobs.iter().filter(|j| j.hold.is_none()).flat_map(|j| j.spans.iter()).collect();
    let received_ns = crate::domain::now_ns();
    let held = Pending {
        spans: jobs
            .iter()
            .filter_map(|j| j.hold.as_ref().map(|m| (j, m)))
            .flat_map(|(j, m)| j.spans.iter().zip(m).map(|(span, &alert_match)| PendingSpan { span, alert_match, received_ns }))
            .collect(),
        logs: jobs
            .iter()
            .flat_map(|j| j.held_logs.iter().map(|(log, alert_match)| PendingLog { log, alert_match: *alert_match, received_ns }))
            .collect(),
    };
    let logs: Vec<&LogRecord> = jobs.iter().flat_map(|j| j.logs.iter()).collect();
    let started = std::time::Instant::now();
    let result = match connection(conn, store).await {
        Ok(c) => c.write_batch(&batch, &logs, &held).await,
        Err(e) => Err(e),
    };
    if result.is_err() {
        // Whatever failed (the server gone, a broken socket), start the next
        // batch on a fresh connection rather than a doubtful one.
        *conn = None;
    }
    let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
    match &result {
        Ok(report) => {
            tracing::debug!(
                spans = batch.len(),
                held = held.spans.len() + held.logs.len(),
                logs = logs.len(),
                requests = jobs.len(),
                inserted = report.inserted,
                duplicates = report.duplicates,
                elapsed_ms,
                "committed batch"
            );
            let new: Vec<&Span> = report.new_spans.iter().map(|&i| batch[i]).collect();
            observer.committed(&new);
            let new_logs: Vec<&LogRecord> = report.new_logs.positions.iter().map(|&i| logs[i]).collect();
            observer.committed_logs(&new_logs);
        }
        Err(e) => tracing::error!(
            error = %e,
            spans = batch.len() + held.spans.len(),
            logs = logs.len() + held.logs.len(),
            "batch write failed; requests get an error and may retry"
        ),
    }
    drop((batch, held, logs));
    for job in jobs {
        let answer = match &result {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::Storage(e.to_string())),
        };
        let _ = job.done.send(answer);
    }
}

/// Runs one round of sampling decisions.
async fn decide(conn: &mut Option<WriteConn>, store: &Store, d: Decision, observer: &dyn CommitObserver) {
    let result = match connection(conn, store).await {
        Ok(c) => c.decide(&d.traces, d.at_cap, d.judge.as_ref()).await,
        Err(e) => Err(e),
    };
    let answer = match result {
        Ok(decided) => {
            let new: Vec<&Span> = decided.report.new_spans.iter().map(|&i| &decided.kept[i]).collect();
            observer.committed(&new);
            let new_logs: Vec<&LogRecord> = decided.report.new_logs.positions.iter().map(|&i| &decided.kept_logs[i]).collect();
            observer.committed_logs(&new_logs);
            Ok(decided.counts)
        }
        Err(e) => {
            *conn = None;
            tracing::error!(error = %e, traces = d.traces.len(), "sampling decisions failed; the traces stay pending");
            Err(e)
        }
    };
    let _ = d.done.send(answer);
}
