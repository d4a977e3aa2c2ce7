//! Reading costs: breakdowns and series from the hourly rollup, cost per trace and
//! per user from the trace summaries.

use std::collections::BTreeMap;

use crate::domain::HOUR_NS;
use crate::error::Result;
use crate::store::Store;
use crate::store::backend::with_db;
use crate::store::read::cost_query::CostQuery;
use crate::store::read::cost_traces::trace_cost_stats;
use app::model::cost::{CostGroup, CostGroupBy, CostOverview, CostPoint, CostReport, CostTotals};

const DAY_HOURS: i64 = 24;

/// The rollup's sums as [`sums!`] names them; integer sums of no rows are NULL.
#[derive(sqlx::FromRow)]
struct Sums {
    calls: Option<i64>,
    unpriced: Option<i64>,
    input_tokens: Option<i64>,
    output_tokens: Option<i64>,
    cache_read_tokens: Option<i64>,
    cost_usd: f64,
}

impl From<Sums> for CostTotals {
    fn from(s: Sums) -> CostTotals {
        CostTotals {
            calls: s.calls.unwrap_or(0),
            unpriced: s.unpriced.unwrap_or(0),
            input_tokens: s.input_tokens.unwrap_or(0),
            output_tokens: s.output_tokens.unwrap_or(0),
            cache_read_tokens: s.cache_read_tokens.unwrap_or(0),
            cost_usd: s.cost_usd,
        }
    }
}

/// One group of the breakdown: the model or service, and its sums.
#[derive(sqlx::FromRow)]
struct GroupSums {
    key: String,
    #[sqlx(flatten)]
    sums: Sums,
}

/// One hour's sums.
#[derive(sqlx::FromRow)]
struct HourSums {
    hour: i64,
    #[sqlx(flatten)]
    sums: Sums,
}

/// The rollup's sums, named as [`Sums`] reads them (a macro so statements stay static strings).
/// Integer sums are cast back to BIGINT: PostgreSQL sums BIGINTs as NUMERIC.
macro_rules! sums {
    () => {
        "CAST(SUM(calls) AS BIGINT) AS calls, CAST(SUM(unpriced) AS BIGINT) AS unpriced, \
         CAST(SUM(input_tokens) AS BIGINT) AS input_tokens, CAST(SUM(output_tokens) AS BIGINT) AS output_tokens, \
         CAST(SUM(cache_read_tokens) AS BIGINT) AS cache_read_tokens, COALESCE(SUM(cost_usd), 0.0) AS cost_usd"
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
            CostGroupBy::User => {
                let (traces, _) = self.traces_in_range(q.since_ns(), q.until_ns()).await?;
                self.cost_by_user(q, &traces).await?
            }
            CostGroupBy::Day => {
                return Ok(CostReport {
                    since_ns: q.since_ns(),
                    until_ns: q.until_ns(),
                    group_by,
                    total,
                    groups: self
                        .cost_series(q, DAY_HOURS)
                        .await?
                        .into_iter()
                        .map(|p| CostGroup { key: day(p.start_ns), totals: p.totals })
                        .collect(),
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
        // One scan of the range's traces serves the users and the per-trace figures.
        let (traces, _) = self.traces_in_range(q.since_ns(), q.until_ns()).await?;
        let mut by_user = self.cost_by_user(q, &traces).await?;
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
            per_trace: trace_cost_stats(&traces),
            expensive: self.expensive_traces(&traces, 10).await?,
        })
    }

    async fn cost_total(&self, q: CostQuery) -> Result<CostTotals> {
        with_db!(self, db => {
            let sql = concat!("SELECT ", sums!(), " FROM cost_hourly WHERE hour >= $1 AND hour < $2");
            let sums = sqlx::query_as::<DB, Sums>(sql).bind(q.from_hour).bind(q.to_hour).fetch_one(&db.read).await?;
            // SUM of no rows is NULL.
            Ok(if sums.calls.is_some() { CostTotals::from(sums) } else { CostTotals::default() })
        })
    }

    /// Grouped by a rollup column: the model, else the service.
    async fn cost_groups(&self, q: CostQuery, by_model: bool) -> Result<Vec<CostGroup>> {
        with_db!(self, db => {
            let sql = match by_model {
                true => concat!("SELECT model AS key, ", sums!(), " FROM cost_hourly WHERE hour >= $1 AND hour < $2 GROUP BY model"),
                false => concat!("SELECT service AS key, ", sums!(), " FROM cost_hourly WHERE hour >= $1 AND hour < $2 GROUP BY service"),
            };
            let rows = sqlx::query_as::<DB, GroupSums>(sql).bind(q.from_hour).bind(q.to_hour).fetch_all(&db.read).await?;
            Ok(rows.into_iter().map(|r| CostGroup { key: r.key, totals: r.sums.into() }).collect())
        })
    }

    /// Points of `step_hours` each, oldest first, with empty steps left out.
    pub async fn cost_series(&self, q: CostQuery, step_hours: i64) -> Result<Vec<CostPoint>> {
        with_db!(self, db => {
            let sql = concat!("SELECT hour, ", sums!(), " FROM cost_hourly WHERE hour >= $1 AND hour < $2 GROUP BY hour ORDER BY hour");
            let rows = sqlx::query_as::<DB, HourSums>(sql).bind(q.from_hour).bind(q.to_hour).fetch_all(&db.read).await?;
            let mut points: BTreeMap<i64, CostTotals> = BTreeMap::new();
            for r in rows {
                points.entry(r.hour.div_euclid(step_hours) * step_hours).or_default().add(&r.sums.into());
            }
            Ok(points.into_iter().map(|(h, totals)| CostPoint { start_ns: h * HOUR_NS, totals }).collect())
        })
    }
}

/// `YYYY-MM-DD` (UTC) of a day's start.
fn day(start_ns: i64) -> String {
    app::format::utc(start_ns).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::RangeFilter;

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
