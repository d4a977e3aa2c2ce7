//! Per-step latency: the log-bucket sketch Loupe keeps at ingest, and what the
//! latency page and `GET /api/stats/latency` show.
//!
//! Durations go into buckets whose bounds grow by a factor of [`GAMMA`] (1.1) from
//! 1 µs: bucket `b` holds durations in `(1 µs · γ^(b-1), 1 µs · γ^b]`, bucket 0
//! everything up to 1 µs. A percentile is reported as the bucket's estimate
//! `2 · upper / (γ + 1)`, which is within ±4.8 % ([`RELATIVE_ERROR`]) of the true
//! value (DDSketch's argument), and never above the step's real maximum.

use serde::{Deserialize, Serialize};

use super::StepKind;

pub const GAMMA: f64 = 1.1;
/// Worst relative error of a reported percentile: (γ − 1) / (γ + 1).
pub const RELATIVE_ERROR: f64 = (GAMMA - 1.0) / (GAMMA + 1.0);
const FLOOR_NS: f64 = 1_000.0;

/// The bucket of a duration.
pub fn bucket_of(duration_ns: i64) -> i64 {
    let d = duration_ns as f64;
    if d <= FLOOR_NS { 0 } else { ((d / FLOOR_NS).ln() / GAMMA.ln()).ceil() as i64 }
}

/// Upper bound of a bucket, in nanoseconds.
pub fn upper_ns(bucket: i64) -> i64 {
    (FLOOR_NS * GAMMA.powi(bucket as i32)).round() as i64
}

/// Lower bound (exclusive) of a bucket, in nanoseconds.
pub fn lower_ns(bucket: i64) -> i64 {
    if bucket == 0 { 0 } else { upper_ns(bucket - 1) }
}

/// The value reported for durations in a bucket.
pub fn estimate_ns(bucket: i64) -> i64 {
    if bucket == 0 { FLOOR_NS as i64 } else { (2.0 * FLOOR_NS * GAMMA.powi(bucket as i32) / (GAMMA + 1.0)).round() as i64 }
}

/// Which latency to show: the latency page's URL parameters, and the API's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LatencyFilter {
    /// Start of the range: an age (`24h`, the default), a UTC time or Unix ms.
    pub since: Option<String>,
    pub until: Option<String>,
    pub service: Option<String>,
    /// A step kind (`tool`, `llm`, …).
    pub kind: Option<String>,
    /// A step name within the kind, as the latency rows name it (`case {n}`).
    pub step: Option<String>,
}

/// One bucket's count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bucket {
    pub bucket: i64,
    pub lower_ns: i64,
    pub upper_ns: i64,
    pub count: i64,
}

impl Bucket {
    pub fn new(bucket: i64, count: i64) -> Bucket {
        Bucket { bucket, lower_ns: lower_ns(bucket), upper_ns: upper_ns(bucket), count }
    }
}

/// The `q` quantile (0–1) of sorted buckets, capped at `max_ns`.
pub fn quantile(buckets: &[Bucket], q: f64, max_ns: i64) -> i64 {
    let total: i64 = buckets.iter().map(|b| b.count).sum();
    if total == 0 {
        return 0;
    }
    let rank = ((q * total as f64).ceil() as i64).clamp(1, total);
    let mut seen = 0;
    for b in buckets {
        seen += b.count;
        if seen >= rank {
            return estimate_ns(b.bucket).min(max_ns);
        }
    }
    max_ns
}

/// Latency of one step kind, or of one named step within it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StepLatency {
    pub kind: StepKind,
    /// The step's name, with numbers and ids folded (`case {n}`); absent for a whole kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub count: i64,
    pub errors: i64,
    pub error_rate: f64,
    pub p50_ns: i64,
    pub p95_ns: i64,
    pub p99_ns: i64,
    pub max_ns: i64,
    /// Non-empty buckets, shortest first.
    pub buckets: Vec<Bucket>,
}

impl StepLatency {
    /// Summarizes sorted buckets.
    pub fn new(kind: StepKind, name: Option<String>, buckets: Vec<Bucket>, errors: i64, max_ns: i64) -> StepLatency {
        let count: i64 = buckets.iter().map(|b| b.count).sum();
        StepLatency {
            kind,
            name,
            count,
            errors,
            error_rate: if count > 0 { errors as f64 / count as f64 } else { 0.0 },
            p50_ns: quantile(&buckets, 0.50, max_ns),
            p95_ns: quantile(&buckets, 0.95, max_ns),
            p99_ns: quantile(&buckets, 0.99, max_ns),
            max_ns,
            buckets,
        }
    }
}

/// Whole-kind rows from step rows (their buckets added up), slowest p95 first: one
/// rollup read serves both tables of the latency page.
pub fn by_kind(steps: &[StepLatency]) -> Vec<StepLatency> {
    let mut kinds: std::collections::BTreeMap<StepKind, (std::collections::BTreeMap<i64, i64>, i64, i64)> = Default::default();
    for s in steps {
        let k = kinds.entry(s.kind).or_default();
        for b in &s.buckets {
            *k.0.entry(b.bucket).or_default() += b.count;
        }
        k.1 += s.errors;
        k.2 = k.2.max(s.max_ns);
    }
    let mut rows: Vec<StepLatency> = kinds
        .into_iter()
        .map(|(kind, (buckets, errors, max))| {
            StepLatency::new(kind, None, buckets.into_iter().map(|(b, n)| Bucket::new(b, n)).collect(), errors, max)
        })
        .collect();
    slowest_first(&mut rows);
    rows
}

/// Latency rows in the order the API and pages show them: slowest p95 first.
pub fn slowest_first(rows: &mut [StepLatency]) {
    rows.sort_by(|a, b| b.p95_ns.cmp(&a.p95_ns).then(b.count.cmp(&a.count)));
}

/// `GET /api/stats/latency`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyReport {
    /// The range covered, rounded out to whole hours (the rollup's grain).
    pub since_ns: i64,
    pub until_ns: i64,
    pub relative_error: f64,
    pub rows: Vec<StepLatency>,
}

/// One hour of a step's latency, for the p95-over-time line.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LatencyPoint {
    pub hour_start_ns: i64,
    pub count: i64,
    pub p95_ns: i64,
}

/// A span whose duration fell in a histogram bucket (the bucket's drill-down).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BucketSpan {
    pub trace_id: String,
    pub span_id: String,
    pub name: String,
    pub service: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_bound_their_durations_and_estimates_stay_within_the_stated_error() {
        for d in [1_500i64, 12_345, 999_999, 1_000_000, 2_000_000_000, 10_000_000_000, 3_600_000_000_000] {
            let b = bucket_of(d);
            assert!(lower_ns(b) < d && d <= upper_ns(b) + 1, "{d} in bucket {b}: ({}, {}]", lower_ns(b), upper_ns(b));
            let err = (estimate_ns(b) - d).abs() as f64 / d as f64;
            assert!(err <= RELATIVE_ERROR + 1e-9, "{d}: estimate {} is {err:.4} off", estimate_ns(b));
        }
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(1_000), 0);
        const { assert!(RELATIVE_ERROR < 0.048) };
    }

    #[test]
    fn quantiles_from_buckets() {
        // 100 spans: 90 at 100 ms, 9 at 1 s, 1 at 10 s.
        let mut counts = std::collections::BTreeMap::new();
        for (d, n) in [(100_000_000i64, 90), (1_000_000_000, 9), (10_000_000_000, 1)] {
            *counts.entry(bucket_of(d)).or_insert(0) += n;
        }
        let buckets: Vec<Bucket> = counts.into_iter().map(|(b, n)| Bucket::new(b, n)).collect();
        let s = StepLatency::new(StepKind::Tool, None, buckets, 5, 10_000_000_000);
        let near = |got: i64, want: i64| (got - want).abs() as f64 / want as f64 <= RELATIVE_ERROR;
        assert!(near(s.p50_ns, 100_000_000), "{}", s.p50_ns);
        assert!(near(s.p95_ns, 1_000_000_000), "{}", s.p95_ns);
        assert!(near(s.p99_ns, 1_000_000_000), "{}", s.p99_ns);
        assert_eq!(s.max_ns, 10_000_000_000);
        assert_eq!((s.count, s.error_rate), (100, 0.05));
        assert_eq!(quantile(&s.buckets, 1.0, 9_000_000_000), 9_000_000_000, "capped at the real maximum");
        assert_eq!(quantile(&[], 0.5, 0), 0);
    }

    #[test]
    fn kind_rows_add_up_their_steps() {
        let a = StepLatency::new(StepKind::Tool, Some("a".into()), vec![Bucket::new(10, 3), Bucket::new(20, 1)], 1, 500);
        let b = StepLatency::new(StepKind::Tool, Some("b".into()), vec![Bucket::new(20, 2)], 0, 700);
        let c = StepLatency::new(StepKind::Llm, Some("c".into()), vec![Bucket::new(5, 4)], 0, 50);
        let kinds = by_kind(&[a, b, c]);
        assert_eq!(kinds.len(), 2);
        let tool = kinds.iter().find(|k| k.kind == StepKind::Tool).unwrap();
        assert_eq!(tool.buckets, vec![Bucket::new(10, 3), Bucket::new(20, 3)]);
        assert_eq!((tool.count, tool.errors, tool.max_ns, tool.name.clone()), (6, 1, 700, None));
    }
}
