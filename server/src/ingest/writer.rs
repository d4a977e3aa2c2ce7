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

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::JoinHandle;

use crate::domain::Span;
use crate::error::{Error, Result};
use crate::store::{Store, WriteConn};

/// How long opening a new write connection may take before the batch fails.
const RECONNECT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Most spans committed in one transaction.
const MAX_SPANS_PER_COMMIT: usize = 20_000;

/// Told of every span once it is committed, for the first time only (a re-sent
/// span is not new). Called on the writer task: it must not block.
pub trait CommitObserver: Send + Sync + 'static {
    fn committed(&self, spans: &[&Span]);
}

struct Job {
    spans: Vec<Span>,
    done: oneshot::Sender<Result<()>>,
    _permit: OwnedSemaphorePermit,
}

/// Submits spans to the writer; cheap to clone.
#[derive(Clone)]
pub struct Writer {
    tx: mpsc::UnboundedSender<Job>,
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
        if spans.is_empty() {
            return Ok(());
        }
        // A request bigger than the whole queue takes all of it: it is accepted when
        // the queue is empty instead of never.
        let wanted = spans.len().min(self.max_queued) as u32;
        let permit = self.capacity.clone().try_acquire_many_owned(wanted).map_err(|_| Error::Overloaded)?;
        let (done, result) = oneshot::channel();
        self.tx.send(Job { spans, done, _permit: permit }).map_err(|_| Error::ShuttingDown)?;
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

async fn run(mut conn: Option<WriteConn>, store: Store, mut rx: mpsc::UnboundedReceiver<Job>, observer: Arc<dyn CommitObserver>) {
    while let Some(first) = rx.recv().await {
        let mut jobs = vec![first];
        let mut queued = jobs[0].spans.len();
        while queued < MAX_SPANS_PER_COMMIT {
            match rx.try_recv() {
                Ok(job) => {
                    queued += job.spans.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let batch: Vec<&Span> = jobs.iter().flat_map(|j| j.spans.iter()).collect();
        let started = std::time::Instant::now();
        let result = match connection(&mut conn, &store).await {
            Ok(c) => c.write_batch(&batch).await,
            Err(e) => Err(e),
        };
        if result.is_err() {
            // Whatever failed (the server gone, a broken socket), start the next
            // batch on a fresh connection rather than a doubtful one.
            conn = None;
        }
        let elapsed_ms = started.elapsed().as_secs_f64() * 1e3;
        match &result {
            Ok(report) => {
                tracing::debug!(
                    spans = batch.len(),
                    requests = jobs.len(),
                    inserted = report.inserted,
                    duplicates = report.duplicates,
                    elapsed_ms,
                    "committed batch"
                );
                let new: Vec<&Span> = report.new_spans.iter().map(|&i| batch[i]).collect();
                observer.committed(&new);
            }
            Err(e) => tracing::error!(error = %e, spans = batch.len(), "batch write failed; requests get an error and may retry"),
        }
        drop(batch);
        for job in jobs {
            let answer = match &result {
                Ok(_) => Ok(()),
                Err(e) => Err(Error::Storage(e.to_string())),
            };
            let _ = job.done.send(answer);
        }
    }
    tracing::info!("writer stopped: every queued span is committed");
}
