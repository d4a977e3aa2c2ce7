//! The list page's overview, aggregated inside SQLite over the covering index
//! `traces_by_start_stats`: per step, the count, errors, cost and the exact
//! (nearest-rank) p95 by window functions, so no trace row leaves the database.

use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use app::model::overview::{OverviewPoint, TrafficOverview, assemble, step_for};

/// One step of the overview: its index `b` from the first, and its figures.
#[derive(sqlx::FromRow)]
struct StepRow {
    b: i64,
    traces: i64,
    errors: i64,
    cost_usd: f64,
    unpriced: i64,
    p95_ns: i64,
}

impl Store {
    pub async fn overview(&self, since_ns: i64, until_ns: i64) -> Result<TrafficOverview> {
        with_db!(self, db => {
            let step = step_for(until_ns - since_ns);
            let first = since_ns.div_euclid(step) * step;
            // rank = ceil(0.95 n) = (95 n + 99) / 100 in integers.
            let rows = sqlx::query_as::<DB, StepRow>(sqlx::AssertSqlSafe(format!(
                "WITH r AS (SELECT (start_ns - $1) / $2 AS b, duration_ns AS d, CASE WHEN error_count > 0 THEN 1 ELSE 0 END AS e, \
                   cost_usd AS c, unpriced AS u, \
                   ROW_NUMBER() OVER (PARTITION BY (start_ns - $3) / $4 ORDER BY duration_ns) AS rn, \
                   COUNT(*) OVER (PARTITION BY (start_ns - $5) / $6) AS n \
                 FROM traces{} WHERE start_ns >= $7 AND start_ns < $8) \
                 SELECT b, MAX(n) AS traces, CAST(SUM(e) AS BIGINT) AS errors, COALESCE(SUM(c), 0.0) AS cost_usd, \
                   CAST(SUM(u) AS BIGINT) AS unpriced, MAX(CASE WHEN rn = (95 * n + 99) / 100 THEN d END) AS p95_ns \
                 FROM r GROUP BY b",
                D.indexed_by("traces_by_start_stats")
            )))
            .bind(first)
            .bind(step)
            .bind(first)
            .bind(step)
            .bind(first)
            .bind(step)
            .bind(since_ns)
            .bind(until_ns)
            .fetch_all(&db.read)
            .await?;
            let steps: Vec<(i64, OverviewPoint)> = rows
                .into_iter()
                .map(|r| {
                    let p = OverviewPoint { start_ns: 0, traces: r.traces, errors: r.errors, cost_usd: r.cost_usd, unpriced: r.unpriced, p95_ns: r.p95_ns };
                    (r.b, p)
                })
                .collect();
            let n: i64 = steps.iter().map(|(_, p)| p.traces).sum();
            let p95: Option<i64> = if n == 0 {
                None
            } else {
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT duration_ns FROM traces{} WHERE start_ns >= $1 AND start_ns < $2 \
                     ORDER BY duration_ns LIMIT 1 OFFSET $3",
                    D.indexed_by("traces_by_start_stats")
                )))
                .bind(since_ns)
                .bind(until_ns)
                .bind((95 * n + 99) / 100 - 1)
                .fetch_optional(&db.read)
                .await?
            };
            Ok(assemble(&steps, p95.unwrap_or(0), since_ns, until_ns))
        })
    }
}
