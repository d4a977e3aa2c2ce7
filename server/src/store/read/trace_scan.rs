//! Every trace of a time range, as the overview, cost-per-trace, users and
//! sessions figures need it: one scan of the `traces_by_start_stats` covering
//! index (no table lookups), and the users or sessions those traces name.

use std::collections::HashMap;

use futures::TryStreamExt;

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;

/// Most traces one figure reads. Past it, figures are for the latest traces of the
/// range, and say so.
pub const TRACE_CAP: i64 = 200_000;

/// A trace's summary figures, read by name from the traces table.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TraceFigures {
    pub trace_id: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    #[sqlx(rename = "error_count")]
    pub errors: i64,
    pub cost_usd: f64,
    pub unpriced: i64,
    pub model_calls: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_read_tokens: i64,
}

/// A trace's tag value.
#[derive(sqlx::FromRow)]
struct TagOf {
    trace_id: String,
    value: String,
}

impl Store {
    /// The traces that started in `[since_ns, until_ns)`, newest first, at most
    /// [`TRACE_CAP`]; the flag says whether there were more.
    pub async fn traces_in_range(&self, since_ns: i64, until_ns: i64) -> Result<(Vec<TraceFigures>, bool)> {
        with_db!(self, db => {
            // Streamed into compact rows: holding 200,000 driver rows at once cost
            // hundreds of MiB.
            let mut rows = sqlx::query_as::<DB, TraceFigures>(sqlx::AssertSqlSafe(format!(
                "SELECT trace_id, start_ns, duration_ns, error_count, cost_usd, unpriced, model_calls, input_tokens, \
                 output_tokens, cache_read_tokens FROM traces{} \
                 WHERE start_ns >= $1 AND start_ns < $2 ORDER BY start_ns DESC LIMIT $3",
                D.indexed_by("traces_by_start_stats")
            )))
            .bind(since_ns)
            .bind(until_ns)
            .bind(TRACE_CAP + 1)
            .fetch(&db.read);
            let mut traces = Vec::new();
            while let Some(figures) = rows.try_next().await? {
                traces.push(figures);
            }
            let capped = traces.len() as i64 > TRACE_CAP;
            traces.truncate(TRACE_CAP as usize);
            Ok((traces, capped))
        })
    }

    /// Trace id → the `tag` value (`user` or `session`) of traces that started in
    /// the range (one per trace; a trace naming two users counts for the first).
    pub async fn tag_of_traces(&self, tag: &str, since_ns: i64, until_ns: i64) -> Result<HashMap<String, String>> {
        with_db!(self, db => {
            let mut rows = sqlx::query_as::<DB, TagOf>("SELECT trace_id, value FROM trace_tags WHERE tag = $1 AND start_ns >= $2 AND start_ns < $3")
                .bind(tag)
                .bind(since_ns)
                .bind(until_ns)
                .fetch(&db.read);
            let mut by_trace = HashMap::new();
            while let Some(r) = rows.try_next().await? {
                by_trace.entry(r.trace_id).or_insert(r.value);
            }
            Ok(by_trace)
        })
    }
}
