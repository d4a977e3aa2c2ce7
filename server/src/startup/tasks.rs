//! The background tasks and their ordered stop, once both servers have
//! finished their requests.

use anyhow::Context;
use std::sync::Arc;
use tokio::task::JoinHandle;

use crate::self_trace::SelfTrace;
use crate::store::Store;

pub(crate) struct Tasks {
    pub store: Store,
    pub writer: JoinHandle<()>,
    pub sampler: Option<JoinHandle<()>>,
    pub retention: Option<JoinHandle<()>>,
    pub summary: JoinHandle<()>,
    pub alerts: Vec<JoinHandle<()>>,
    pub self_trace: Option<Arc<SelfTrace>>,
}

impl Tasks {
    /// Stops in order: the sampler, retention and the summary line; then waits
    /// for the writer to commit what is queued; then the alert tasks, the
    /// database and the self-trace exporter.
    pub async fn stop(self) -> anyhow::Result<()> {
        // The sampler holds a handle on the writer too. Traces it has not decided
        // stay held on disk and are scheduled again at the next start.
        if let Some(t) = self.sampler {
            t.abort();
            let _ = t.await;
        }
        // A retention batch cut short rolls back; the next run does it again.
        if let Some(t) = self.retention {
            t.abort();
        }
        self.summary.abort();
        // Both servers have dropped their state and with it every handle on the writer, so
        // the writer's queue is closed: wait until it has committed what is queued.
        match tokio::time::timeout(std::time::Duration::from_secs(60), self.writer).await {
            Ok(joined) => joined.context("writer task panicked")?,
            Err(_) => tracing::error!("the writer did not finish within 60 s of shutdown"),
        }
        // Every span is committed and matched; firings still waiting are in the
        // database and their cooldowns are restored at the next start.
        for t in self.alerts {
            t.abort();
        }
        self.store.close().await;
        if let Some(s) = self.self_trace {
            // The SDK's shutdown blocks until the last export is sent.
            let _ = tokio::task::spawn_blocking(move || s.shutdown()).await;
        }
        Ok(())
    }
}
