//! Reading the per-step latency rollup: histograms and percentiles by kind or by
//! step, p95 by hour, and the spans behind one bucket.

use std::collections::BTreeMap;

use sqlx::QueryBuilder;

use crate::domain::HOUR_NS;
use crate::domain::StepKind;
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::backend::{Sql, with_db};
use crate::store::read::filter::parse_range;
use app::model::latency::{
    Bucket, BucketSpan, LatencyFilter, LatencyPoint, LatencyReport, RELATIVE_ERROR, StepLatency, by_kind, lower_ns, quantile,
    slowest_first, upper_ns,
};
use app::outline::{Usual, UsualLatency};

/// Which rows a latency question is about.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencyQuery {
    /// One row per step (kind + folded name) rather than per kind.
    pub by_step: bool,
    pub kind: Option<StepKind>,
    pub step: Option<String>,
    pub service: Option<String>,
    pub since_ns: i64,
    pub until_ns: i64,
}

impl LatencyQuery {
    /// Validates the filter (default range: the last 24 hours), with messages that
    /// say what to fix.
    pub fn parse(f: &LatencyFilter, by_step: bool, now_ns: i64) -> Result<LatencyQuery> {
        let nonempty = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        let (since_ns, until_ns) = parse_range(&f.since, &f.until, now_ns)?;
        let kind = nonempty(&f.kind)
            .map(|k| StepKind::parse(&k).ok_or_else(|| Error::BadRequest(format!("kind {k:?} is not a step kind"))))
            .transpose()?;
        Ok(LatencyQuery { by_step, kind, step: nonempty(&f.step), service: nonempty(&f.service), since_ns, until_ns })
    }

    /// Whole hours covering the range (the rollup's grain).
    fn hours(&self) -> (i64, i64) {
        (self.since_ns.div_euclid(HOUR_NS), (self.until_ns - 1).div_euclid(HOUR_NS))
    }

    fn push_filters(&self, q: &mut impl Sql) {
        let (from, to) = self.hours();
        q.push(" WHERE hour >= ").push_bind(from).push(" AND hour <= ").push_bind(to);
        if let Some(kind) = self.kind {
            q.push(" AND kind = ").push_bind(kind.as_str());
        }
        if let Some(step) = &self.step {
            q.push(" AND step = ").push_bind(step.clone());
        }
        if let Some(service) = &self.service {
            q.push(" AND service = ").push_bind(service.clone());
        }
    }
}

/// One histogram bucket of one step, summed over the range.
#[derive(sqlx::FromRow)]
struct StepBucket {
    kind: String,
    step: String,
    bucket: i64,
    count: i64,
    /// Not selected for the usual latency.
    #[sqlx(default)]
    errors: i64,
    max_ns: i64,
}

/// One histogram bucket of one hour.
#[derive(sqlx::FromRow)]
struct HourBucket {
    hour: i64,
    bucket: i64,
    count: i64,
    max_ns: i64,
}

#[derive(sqlx::FromRow)]
struct SpanInBucket {
    trace_id: String,
    span_id: String,
    name: String,
    service: String,
    start_ns: i64,
    end_ns: i64,
    status: i64,
}

impl Store {
    /// Counts, percentiles and histograms, slowest (p95) first. Kind rows are their
    /// step rows added up ([`by_kind`]), the same way the latency page makes them.
    pub async fn latency(&self, query: &LatencyQuery) -> Result<LatencyReport> {
        with_db!(self, db => {
            let mut q = QueryBuilder::<DB>::new("SELECT kind, step, bucket, CAST(SUM(count) AS BIGINT) AS count, CAST(SUM(errors) AS BIGINT) AS errors, MAX(max_ns) AS max_ns FROM step_latency");
            query.push_filters(&mut q);
            q.push(" GROUP BY kind, step, bucket ORDER BY kind, step, bucket");
            // (kind, step) → (buckets, errors, max)
            let mut groups: BTreeMap<(String, String), (Vec<Bucket>, i64, i64)> = BTreeMap::new();
            for r in q.build_query_as::<StepBucket>().fetch_all(&db.read).await? {
                let g = groups.entry((r.kind, r.step)).or_default();
                g.0.push(Bucket::new(r.bucket, r.count));
                g.1 += r.errors;
                g.2 = g.2.max(r.max_ns);
            }
            let mut rows: Vec<StepLatency> = groups
                .into_iter()
                .map(|((kind, step), (buckets, errors, max))| {
                    StepLatency::new(StepKind::parse(&kind).unwrap_or(StepKind::Other), Some(step), buckets, errors, max)
                })
                .collect();
            if query.by_step {
                slowest_first(&mut rows);
            } else {
                rows = by_kind(&rows);
            }
            let (from, to) = query.hours();
            Ok(LatencyReport { since_ns: from * HOUR_NS, until_ns: (to + 1) * HOUR_NS, relative_error: RELATIVE_ERROR, rows })
        })
    }

    /// p95 by hour for the kind or step in `query`, oldest first.
    pub async fn latency_series(&self, query: &LatencyQuery) -> Result<Vec<LatencyPoint>> {
        with_db!(self, db => {
            let mut q = QueryBuilder::<DB>::new("SELECT hour, bucket, CAST(SUM(count) AS BIGINT) AS count, MAX(max_ns) AS max_ns FROM step_latency");
            query.push_filters(&mut q);
            q.push(" GROUP BY hour, bucket ORDER BY hour, bucket");
            let mut hours: BTreeMap<i64, (Vec<Bucket>, i64)> = BTreeMap::new();
            for r in q.build_query_as::<HourBucket>().fetch_all(&db.read).await? {
                let h = hours.entry(r.hour).or_default();
                h.0.push(Bucket::new(r.bucket, r.count));
                h.1 = h.1.max(r.max_ns);
            }
            Ok(hours
                .into_iter()
                .map(|(hour, (buckets, max))| LatencyPoint {
                    hour_start_ns: hour * HOUR_NS,
                    count: buckets.iter().map(|b| b.count).sum(),
                    p95_ns: quantile(&buckets, 0.95, max),
                })
                .collect())
        })
    }

    /// How each of `steps` performed in the 7 days before `before_ns` (whole hours
    /// before the one it falls in): p95 and span count.
    pub async fn usual_latency(&self, steps: &[(StepKind, String)], before_ns: i64) -> Result<Usual> {
        with_db!(self, db => {
            let mut usual = Usual::new();
            if steps.is_empty() {
                return Ok(usual);
            }
            let to = before_ns.div_euclid(HOUR_NS) - 1;
            let mut groups: BTreeMap<(String, String), (Vec<Bucket>, i64)> = BTreeMap::new();
            for chunk in steps.chunks(200) {
                let mut q = QueryBuilder::<DB>::new("SELECT kind, step, bucket, CAST(SUM(count) AS BIGINT) AS count, MAX(max_ns) AS max_ns FROM step_latency WHERE hour >= ");
                q.push_bind(to - 7 * 24 + 1).push(" AND hour <= ").push_bind(to).push(" AND (kind, step) IN (");
                q.push_values(chunk, |mut b, (kind, step)| {
                    b.push_bind(kind.as_str()).push_bind(step.clone());
                });
                q.push(") GROUP BY kind, step, bucket ORDER BY kind, step, bucket");
                for r in q.build_query_as::<StepBucket>().fetch_all(&db.read).await? {
                    let g = groups.entry((r.kind, r.step)).or_default();
                    g.0.push(Bucket::new(r.bucket, r.count));
                    g.1 = g.1.max(r.max_ns);
                }
            }
            for ((kind, step), (buckets, max)) in groups {
                let count = buckets.iter().map(|b| b.count).sum();
                let p95_ns = quantile(&buckets, 0.95, max);
                usual.insert((StepKind::parse(&kind).unwrap_or(StepKind::Other), step), UsualLatency { p95_ns, count });
            }
            Ok(usual)
        })
    }

    /// The spans stored last (up to `limit`) of the kind or step in `query` whose duration
    /// fell in `bucket`.
    pub async fn spans_in_bucket(&self, query: &LatencyQuery, bucket: i64, limit: u32) -> Result<Vec<BucketSpan>> {
        with_db!(self, db => {
            let mut q = QueryBuilder::<DB>::new(
                "SELECT trace_id, span_id, name, service, start_ns, end_ns, status FROM spans WHERE start_ns >= ",
            );
            q.push_bind(query.since_ns).push(" AND start_ns < ").push_bind(query.until_ns);
            q.push(" AND end_ns - start_ns > ").push_bind(lower_ns(bucket));
            q.push(" AND end_ns - start_ns <= ").push_bind(upper_ns(bucket));
            if let Some(kind) = query.kind {
                q.push(" AND kind = ").push_bind(kind.as_str());
            }
            if let Some(step) = &query.step {
                q.push(" AND step = ").push_bind(step.clone());
            }
            if let Some(service) = &query.service {
                q.push(" AND service = ").push_bind(service.clone());
            }
            // Newest first by insertion order: no index needed, and the walk stops at `limit`.
            q.push(" ORDER BY id DESC LIMIT ").push_bind(limit as i64);
            Ok(q.build_query_as::<SpanInBucket>()
                .fetch_all(&db.read)
                .await?
                .into_iter()
                .map(|r| BucketSpan {
                    trace_id: r.trace_id,
                    span_id: r.span_id,
                    name: r.name,
                    service: r.service,
                    start_ns: r.start_ns,
                    duration_ns: r.end_ns - r.start_ns,
                    error: r.status == 2,
                })
                .collect())
        })
    }
}
