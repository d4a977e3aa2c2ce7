//! Reading costs: breakdowns and series from the hourly rollup, cost per trace and
//! per user from the trace summaries.

use std::collections::BTreeMap;

use sqlx::Row;

use super::Store;
use app::model::RangeFilter;
use super::filter::parse_range;
use super::latency::HOUR_NS;
use crate::error::Result;
use app::model::cost::{
    CostGroup, CostGroupBy, CostOverview, CostPoint, CostReport, CostTotals, ExpensiveTrace, TraceCostStats,
    exact_quantile,
};

const DAY_HOURS: i64 = 24;

/// A validated range, widened to whole hours (the rollup's grain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CostQuery {
    pub from_hour: i64,
    /// Exclusive.
    pub to_hour: i64,
}

impl CostQuery {
    /// Default range: the last 24 hours.
    pub fn parse(f: &RangeFilter, now_ns: i64) -> Result<CostQuery> {
        let (since_ns, until_ns) = parse_range(&f.since, &f.until, now_ns)?;
        Ok(CostQuery { from_hour: since_ns.div_euclid(HOUR_NS), to_hour: (until_ns - 1).div_euclid(HOUR_NS) + 1 })
    }

    pub fn since_ns(&self) -> i64 {
        self.from_hour * HOUR_NS
    }

    pub fn until_ns(&self) -> i64 {
        self.to_hour * HOUR_NS
    }
}

fn totals(r: &sqlx::sqlite::SqliteRow, first: usize) -> CostTotals {
    CostTotals {
        calls: r.get(first),
        unpriced: r.get(first + 1),
        input_tokens: r.get(first + 2),
        output_tokens: r.get(first + 3),
        cache_read_tokens: r.get(first + 4),
        cost_usd: r.get(first + 5),
    }
}

/// The rollup's sums in [`totals`]' order (a macro so statements stay static strings).
macro_rules! sums {
    () => {
        "SUM(calls), SUM(unpriced), SUM(input_tokens), SUM(output_tokens), SUM(cache_read_tokens), TOTAL(cost_usd)"
    };
}

/// Most expensive first; unpriced calls break ties (they hide unknown money).
fn costliest_first(groups: &mut [CostGroup]) {
    groups.sort_by(|a, b| {
        b.totals.cost_usd.total_cmp(&a.totals.cost_usd).then(b.totals.unpriced.cmp(&a.totals.unpriced)).then(a.key.cmp(&b.key))
    });
}

impl Store {
    /// Totals and one breakdown over the range.
    pub async fn cost_report(&self, q: CostQuery, group_by: CostGroupBy) -> Result<CostReport> {
        let total = self.cost_total(q).await?;
        let mut groups = match group_by {
            CostGroupBy::Model => self.cost_groups(q, true).await?,
            CostGroupBy::Service => self.cost_groups(q, false).await?,
            CostGroupBy::User => self.cost_by_user(q).await?,
            CostGroupBy::Day => {
                return Ok(CostReport {
                    since_ns: q.since_ns(),
                    until_ns: q.until_ns(),
                    group_by,
                    total,
                    groups: self.cost_series(q, DAY_HOURS).await?.into_iter().map(|p| CostGroup { key: day(p.start_ns), totals: p.totals }).collect(),
                });
            }
        };
        costliest_first(&mut groups);
        Ok(CostReport { since_ns: q.since_ns(), until_ns: q.until_ns(), group_by, total, groups })
    }

    /// Everything the costs page shows.
    pub async fn cost_overview(&self, q: CostQuery) -> Result<CostOverview> {
        let mut by_model = self.cost_groups(q, true).await?;
        let mut by_service = self.cost_groups(q, false).await?;
        let mut by_user = self.cost_by_user(q).await?;
        for g in [&mut by_model, &mut by_service, &mut by_user] {
            costliest_first(g);
        }
        let mut total = CostTotals::default();
        by_model.iter().for_each(|g| total.add(&g.totals));
        // Hourly points up to two days, then daily: a readable number of bars.
        let step = if q.to_hour - q.from_hour <= 2 * DAY_HOURS { 1 } else { DAY_HOURS };
        Ok(CostOverview {
            since_ns: q.since_ns(),
            until_ns: q.until_ns(),
            total,
            by_model,
            by_service,
            by_user,
            series: self.cost_series(q, step).await?,
            step_ns: step * HOUR_NS,
            per_trace: self.trace_cost_stats(q).await?,
            expensive: self.expensive_traces(q, 10).await?,
        })
    }

    async fn cost_total(&self, q: CostQuery) -> Result<CostTotals> {
        let sql = concat!("SELECT ", sums!(), " FROM cost_hourly WHERE hour >= ? AND hour < ?");
        let r = sqlx::query(sql).bind(q.from_hour).bind(q.to_hour).fetch_one(&self.pool).await?;
        // SUM of no rows is NULL.
        Ok(if r.get::<Option<i64>, _>(0).is_some() { totals(&r, 0) } else { CostTotals::default() })
    }

    /// Grouped by a rollup column: the model, else the service.
    async fn cost_groups(&self, q: CostQuery, by_model: bool) -> Result<Vec<CostGroup>> {
        let sql = match by_model {
            true => concat!("SELECT model, ", sums!(), " FROM cost_hourly WHERE hour >= ? AND hour < ? GROUP BY model"),
            false => concat!("SELECT service, ", sums!(), " FROM cost_hourly WHERE hour >= ? AND hour < ? GROUP BY service"),
        };
        let rows = sqlx::query(sql).bind(q.from_hour).bind(q.to_hour).fetch_all(&self.pool).await?;
        Ok(rows.iter().map(|r| CostGroup { key: r.get(0), totals: totals(r, 1) }).collect())
    }

    /// By the users traces name (`user.id` on any span): model calls often carry no
    /// user themselves, their trace's root does. A trace counts toward each user it
    /// names (normally one).
    pub(crate) async fn cost_by_user(&self, q: CostQuery) -> Result<Vec<CostGroup>> {
        let rows = sqlx::query(
            "SELECT tt.value, SUM(t.model_calls), SUM(t.unpriced), SUM(t.input_tokens), SUM(t.output_tokens), \
             SUM(t.cache_read_tokens), TOTAL(t.cost_usd) \
             FROM trace_tags tt JOIN traces t ON t.trace_id = tt.trace_id \
             WHERE tt.tag = 'user' AND tt.start_ns >= ? AND tt.start_ns < ? AND t.model_calls > 0 GROUP BY tt.value",
        )
        .bind(q.since_ns())
        .bind(q.until_ns())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(|r| CostGroup { key: r.get(0), totals: totals(r, 1) }).collect())
    }

    /// Points of `step_hours` each, oldest first, with empty steps left out.
    pub async fn cost_series(&self, q: CostQuery, step_hours: i64) -> Result<Vec<CostPoint>> {
        let sql = concat!("SELECT hour, ", sums!(), " FROM cost_hourly WHERE hour >= ? AND hour < ? GROUP BY hour ORDER BY hour");
        let rows = sqlx::query(sql).bind(q.from_hour).bind(q.to_hour).fetch_all(&self.pool).await?;
        let mut points: BTreeMap<i64, CostTotals> = BTreeMap::new();
        for r in &rows {
            let hour: i64 = r.get(0);
            points.entry(hour.div_euclid(step_hours) * step_hours).or_default().add(&totals(r, 1));
        }
        Ok(points.into_iter().map(|(h, totals)| CostPoint { start_ns: h * HOUR_NS, totals }).collect())
    }

    /// Exact percentiles of the cost of traces that made model calls.
    async fn trace_cost_stats(&self, q: CostQuery) -> Result<TraceCostStats> {
        let mut costs: Vec<f64> = sqlx::query_scalar("SELECT cost_usd FROM traces WHERE start_ns >= ? AND start_ns < ? AND model_calls > 0")
            .bind(q.since_ns())
            .bind(q.until_ns())
            .fetch_all(&self.pool)
            .await?;
        Ok(TraceCostStats {
            traces: costs.len() as i64,
            p50_usd: exact_quantile(&mut costs, 0.5),
            p95_usd: exact_quantile(&mut costs, 0.95),
            max_usd: costs.last().copied().unwrap_or(0.0),
        })
    }

    async fn expensive_traces(&self, q: CostQuery, limit: i64) -> Result<Vec<ExpensiveTrace>> {
        let rows = sqlx::query(
            "SELECT trace_id, root_name, service, start_ns, duration_ns, cost_usd, unpriced, input_tokens, output_tokens \
             FROM traces WHERE start_ns >= ? AND start_ns < ? AND model_calls > 0 \
             ORDER BY cost_usd DESC, start_ns DESC LIMIT ?",
        )
        .bind(q.since_ns())
        .bind(q.until_ns())
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| ExpensiveTrace {
                trace_id: r.get(0),
                root_name: r.get(1),
                service: r.get(2),
                start_ns: r.get(3),
                duration_ns: r.get(4),
                cost_usd: r.get(5),
                unpriced: r.get(6),
                input_tokens: r.get(7),
                output_tokens: r.get(8),
            })
            .collect())
    }
}

/// `YYYY-MM-DD` (UTC) of a day's start.
fn day(start_ns: i64) -> String {
    app::format::utc(start_ns).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_widen_to_whole_hours() {
        let now = 10 * HOUR_NS + 5;
        let q = CostQuery::parse(&RangeFilter::default(), now).unwrap();
        assert_eq!((q.from_hour, q.to_hour), (-14, 11));
        let f = RangeFilter { since: Some("2h".into()), until: Some("1h".into()) };
        let q = CostQuery::parse(&f, now).unwrap();
        assert_eq!((q.since_ns(), q.until_ns()), (8 * HOUR_NS, 10 * HOUR_NS));
        let backwards = RangeFilter { since: Some("1h".into()), until: Some("2h".into()) };
        assert!(CostQuery::parse(&backwards, now).unwrap_err().to_string().contains("until must be after since"));
    }

    #[test]
    fn days_print_as_dates() {
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(DAY_HOURS * HOUR_NS * 365), "1971-01-01");
    }
}
