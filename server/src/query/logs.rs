//! Log records through the read facade: a trace's, a span's, and the Logs page.

use app::model::logs::{LogFilter, LogPage, LogView, Severity, TraceLogs};
use app::outline::LogHead;

use super::Reader;
use crate::domain::TraceId;
use crate::error::{Result, no_trace, trace_id};
use crate::store::{LogQuery, MAX_TRACE_LOGS, TraceScope};

/// Most records a span's detail carries.
pub const MAX_SPAN_LOGS: u32 = 500;

/// Most records of one trace an export carries (time order; a bigger trace's
/// later records are left out, and the answer's header says so).
pub const MAX_EXPORT_LOGS: u32 = 50_000;

/// Most records of one trace the waterfall marks and counts (worst first).
const MAX_LOG_HEADS: u32 = 50_000;

impl Reader<'_> {
    /// Every record of a trace in time order (up to [`MAX_TRACE_LOGS`]); 404 when
    /// neither a span nor a record of it is stored.
    pub async fn trace_logs(&self, id: &str) -> Result<TraceLogs> {
        let id = trace_id(id)?;
        let (logs, truncated) = self.state.store.trace_logs(id, None, MAX_TRACE_LOGS).await?;
        if logs.is_empty() && !self.state.store.has_trace(id).await? {
            return Err(no_trace(id));
        }
        Ok(TraceLogs { logs, truncated })
    }

    /// A trace's records for its export (up to [`MAX_EXPORT_LOGS`]) and whether
    /// some were left out.
    pub async fn export_logs(&self, id: &str) -> Result<(Vec<LogView>, bool)> {
        self.state.store.trace_logs(trace_id(id)?, None, MAX_EXPORT_LOGS).await
    }

    /// What the waterfall needs of a trace's records.
    pub async fn trace_log_heads(&self, id: &str) -> Result<Vec<LogHead>> {
        self.log_heads(trace_id(id)?).await
    }

    pub(super) async fn log_heads(&self, id: TraceId) -> Result<Vec<LogHead>> {
        self.state.store.trace_log_heads(id, MAX_LOG_HEADS).await
    }

    /// A trace's first warnings and errors, in time order (for the brief).
    pub(super) async fn notable_logs(&self, id: TraceId) -> Result<Vec<LogView>> {
        let query = LogQuery {
            trace: TraceScope::Trace(id),
            min_severity: Severity::Warn.min_number(),
            limit: crate::brief::QUOTED_LOGS as u32,
            oldest_first: true,
            ..LogQuery::default()
        };
        Ok(self.state.store.list_logs(&query).await?.logs)
    }

    /// The Logs page: newest first, filtered, one page.
    pub async fn logs(&self, filter: &LogFilter) -> Result<LogPage> {
        let query = LogQuery::parse(filter, crate::domain::now_ns())?;
        self.state.store.list_logs(&query).await
    }
}
