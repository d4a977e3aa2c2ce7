//! Aggregates over a time range: latency, traffic, people and cost.

use app::model::cost::{CostGroupBy, CostOverview, CostReport};
use app::model::latency::{BucketSpan, LatencyFilter, LatencyPoint, LatencyReport};
use app::model::overview::TrafficOverview;
use app::model::people::{PeopleReport, SessionDetail};
use app::model::{RangeFilter, TraceFilter};

use super::Reader;
use crate::domain::{DAY_NS, now_ns};
use crate::error::{Error, Result};
use crate::store::{CostQuery, LatencyQuery, ListQuery, parse_range};

impl Reader<'_> {
    /// Percentiles and histograms per kind (or per step, `by_step`).
    pub async fn latency(&self, filter: &LatencyFilter, by_step: bool) -> Result<LatencyReport> {
        self.state.store.latency(&LatencyQuery::parse(filter, by_step, now_ns())?).await
    }

    /// p95 by hour.
    pub async fn latency_series(&self, filter: &LatencyFilter) -> Result<Vec<LatencyPoint>> {
        self.state.store.latency_series(&LatencyQuery::parse(filter, false, now_ns())?).await
    }

    /// The spans in one histogram bucket (0 to 400), slowest first.
    pub async fn spans_in_bucket(&self, filter: &LatencyFilter, bucket: i64) -> Result<Vec<BucketSpan>> {
        if !(0..=400).contains(&bucket) {
            return Err(Error::BadRequest("bucket must be a bucket number from the latency report (0 to 400)".into()));
        }
        self.state.store.spans_in_bucket(&LatencyQuery::parse(filter, false, now_ns())?, bucket, 50).await
    }

    /// Traffic over the list's time range (default: the last 24 h).
    pub async fn overview(&self, filter: &TraceFilter) -> Result<TrafficOverview> {
        let now = now_ns();
        let range = TraceFilter { since: filter.since.clone(), from: filter.from.clone(), to: filter.to.clone(), ..TraceFilter::default() };
        let parsed = ListQuery { filter: range, ..ListQuery::default() }.parse(now)?;
        let since = parsed.since_ns.unwrap_or(now - DAY_NS);
        let until = parsed.until_ns.unwrap_or(now).min(now).max(since + 1);
        self.state.store.overview(since, until).await
    }

    /// Per-user p95, error rate and cost, and sessions.
    pub async fn people(&self, filter: &RangeFilter) -> Result<PeopleReport> {
        let (since, until) = parse_range(&filter.since, &filter.until, now_ns())?;
        self.state.store.people(since, until).await
    }

    /// A session's traces in order.
    pub async fn session(&self, id: &str) -> Result<SessionDetail> {
        self.state.store.session(id).await?.ok_or_else(|| Error::NotFound(format!("no trace names session {id:?}")))
    }

    /// The Cost page: totals, series and every breakdown.
    pub async fn cost_overview(&self, filter: &RangeFilter) -> Result<CostOverview> {
        self.state.store.cost_overview(CostQuery::parse(filter, now_ns())?).await
    }

    /// Totals and one breakdown of model-call cost and tokens.
    pub async fn cost_report(&self, filter: &RangeFilter, group_by: CostGroupBy) -> Result<CostReport> {
        self.state.store.cost_report(CostQuery::parse(filter, now_ns())?, group_by).await
    }
}
