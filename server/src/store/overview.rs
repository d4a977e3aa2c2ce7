//! The list page's overview, aggregated inside SQLite over the covering index
//! `traces_by_start_stats`: per step, the count, errors, cost and the exact
//! (nearest-rank) p95 by window functions, so no trace row leaves the database.

use sqlx::Row;

use super::Store;
use crate::error::Result;
use app::model::overview::{OverviewPoint, TrafficOverview, assemble, step_for};

impl Store {
    pub async fn overview(&self, since_ns: i64, until_ns: i64) -> Result<TrafficOverview> {
        let step = step_for(until_ns - since_ns);
        let first = since_ns.div_euclid(step) * step;
        // rank = ceil(0.95 n) = (95 n + 99) / 100 in integers.
        let rows = sqlx::query(
            "WITH r AS (SELECT (start_ns - ?) / ? AS b, duration_ns AS d, error_count > 0 AS e, cost_usd AS c, unpriced AS u, \
               ROW_NUMBER() OVER (PARTITION BY (start_ns - ?) / ? ORDER BY duration_ns) AS rn, \
               COUNT(*) OVER (PARTITION BY (start_ns - ?) / ?) AS n \
             FROM traces INDEXED BY traces_by_start_stats WHERE start_ns >= ? AND start_ns < ?) \
             SELECT b, MAX(n), SUM(e), TOTAL(c), SUM(u), MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN d END) FROM r GROUP BY b",
        )
        .bind(first)
        .bind(step)
        .bind(first)
        .bind(step)
        .bind(first)
        .bind(step)
        .bind(since_ns)
        .bind(until_ns)
        .fetch_all(&self.pool)
        .await?;
        let steps: Vec<(i64, OverviewPoint)> = rows
            .iter()
            .map(|r| {
                let p = OverviewPoint { start_ns: 0, traces: r.get(1), errors: r.get(2), cost_usd: r.get(3), unpriced: r.get(4), p95_ns: r.get(5) };
                (r.get(0), p)
            })
            .collect();
        let n: i64 = steps.iter().map(|(_, p)| p.traces).sum();
        let p95: Option<i64> = if n == 0 {
            None
        } else {
            sqlx::query_scalar(
                "SELECT duration_ns FROM traces INDEXED BY traces_by_start_stats WHERE start_ns >= ? AND start_ns < ? \
                 ORDER BY duration_ns LIMIT 1 OFFSET ?",
            )
            .bind(since_ns)
            .bind(until_ns)
            .bind((95 * n + 99) / 100 - 1)
            .fetch_optional(&self.pool)
            .await?
        };
        Ok(assemble(&steps, p95.unwrap_or(0), since_ns, until_ns))
    }
}
