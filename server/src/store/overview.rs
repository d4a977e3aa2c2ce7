//! The list page's overview: the traces that started in a range, read from their
//! summary rows (newest first, through the `traces_newest` index).

use sqlx::Row;

use super::Store;
use crate::error::Result;
use app::model::overview::{TraceSample, TrafficOverview, summarize};

/// Most traces one overview reads. Past it, the figures are for the latest traces
/// of the range, and the overview says so; at ~3 µs a row this bounds the read
/// to well under a second even on a busy week.
pub const TRACE_CAP: i64 = 200_000;

impl Store {
    pub async fn overview(&self, since_ns: i64, until_ns: i64) -> Result<TrafficOverview> {
        let rows = sqlx::query(
            "SELECT start_ns, duration_ns, error_count > 0, cost_usd, unpriced FROM traces \
             WHERE start_ns >= ? AND start_ns < ? ORDER BY start_ns DESC LIMIT ?",
        )
        .bind(since_ns)
        .bind(until_ns)
        .bind(TRACE_CAP + 1)
        .fetch_all(&self.pool)
        .await?;
        let capped = rows.len() as i64 > TRACE_CAP;
        let samples: Vec<TraceSample> = rows
            .iter()
            .take(TRACE_CAP as usize)
            .map(|r| TraceSample { start_ns: r.get(0), duration_ns: r.get(1), error: r.get(2), cost_usd: r.get(3), unpriced: r.get(4) })
            .collect();
        // A capped read covers only its latest part of the range: report that part.
        let since_ns = if capped { samples.last().map_or(since_ns, |s| s.start_ns) } else { since_ns };
        Ok(summarize(&samples, since_ns, until_ns, capped))
    }
}
