//! "Is it slow right now?": traces per minute, error rate, p95 latency and cost
//! over a range, in total and as a trend, from the traces that started in it.

use serde::{Deserialize, Serialize};

/// One step of the trend.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct OverviewPoint {
    pub start_ns: i64,
    pub traces: i64,
    /// Traces with at least one failed span.
    pub errors: i64,
    /// Exact (nearest rank) p95 of the durations of the traces in the step.
    pub p95_ns: i64,
    pub cost_usd: f64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrafficOverview {
    pub since_ns: i64,
    pub until_ns: i64,
    pub step_ns: i64,
    pub traces: i64,
    pub errors: i64,
    pub p95_ns: i64,
    pub cost_usd: f64,
    /// Model calls no price matched, over the range.
    pub unpriced: i64,
    /// Every step of the range, oldest first (empty steps included: a gap in traffic
    /// is news).
    pub points: Vec<OverviewPoint>,
    /// True when the range held more traces than were read: the figures are for the
    /// latest ones (see `TRACE_CAP` in the server).
    pub capped: bool,
}

impl TrafficOverview {
    pub fn traces_per_minute(&self) -> f64 {
        self.traces as f64 / ((self.until_ns - self.since_ns).max(1) as f64 / 60e9)
    }

    pub fn error_rate(&self) -> f64 {
        if self.traces == 0 { 0.0 } else { self.errors as f64 / self.traces as f64 }
    }
}

/// A trace as the overview counts it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TraceSample {
    pub start_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    pub cost_usd: f64,
    pub unpriced: i64,
}

const MINUTE: i64 = 60_000_000_000;

/// The trend's step: the shortest of 1, 2, 5, 10, 15, 30 min, 1, 2, 4, 6, 12 h or
/// 1 day that gives at most 60 points.
pub fn step_for(range_ns: i64) -> i64 {
    [1, 2, 5, 10, 15, 30, 60, 120, 240, 360, 720, 1440]
        .into_iter()
        .map(|m| m * MINUTE)
        .find(|step| (range_ns.max(0) as u64).div_ceil(*step as u64) <= 60)
        .unwrap_or(1440 * MINUTE)
}

fn p95(durations: &mut [i64]) -> i64 {
    if durations.is_empty() {
        return 0;
    }
    durations.sort_unstable();
    let rank = ((0.95 * durations.len() as f64).ceil() as usize).clamp(1, durations.len());
    durations[rank - 1]
}

/// Totals and trend of the traces that started in `[since_ns, until_ns)`.
pub fn summarize(traces: &[TraceSample], since_ns: i64, until_ns: i64, capped: bool) -> TrafficOverview {
    let step_ns = step_for(until_ns - since_ns);
    let first = since_ns.div_euclid(step_ns) * step_ns;
    let n = ((until_ns - first).max(1) as u64).div_ceil(step_ns as u64) as usize;
    let mut points: Vec<OverviewPoint> = (0..n).map(|i| OverviewPoint { start_ns: first + i as i64 * step_ns, ..Default::default() }).collect();
    let mut durations: Vec<Vec<i64>> = vec![Vec::new(); n];
    let mut all = Vec::with_capacity(traces.len());
    let mut o = TrafficOverview { since_ns, until_ns, step_ns, capped, ..Default::default() };
    for t in traces.iter().filter(|t| t.start_ns >= since_ns && t.start_ns < until_ns) {
        let i = ((t.start_ns - first) / step_ns) as usize;
        let p = &mut points[i.min(n - 1)];
        p.traces += 1;
        p.errors += t.error as i64;
        p.cost_usd += t.cost_usd;
        durations[i.min(n - 1)].push(t.duration_ns);
        all.push(t.duration_ns);
        o.traces += 1;
        o.errors += t.error as i64;
        o.cost_usd += t.cost_usd;
        o.unpriced += t.unpriced;
    }
    for (p, d) in points.iter_mut().zip(durations.iter_mut()) {
        p.p95_ns = p95(d);
    }
    o.p95_ns = p95(&mut all);
    o.points = points;
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_keep_the_trend_under_sixty_points() {
        assert_eq!(step_for(15 * MINUTE), MINUTE);
        assert_eq!(step_for(60 * MINUTE), MINUTE);
        assert_eq!(step_for(61 * MINUTE), 2 * MINUTE);
        assert_eq!(step_for(24 * 60 * MINUTE), 30 * MINUTE);
        assert_eq!(step_for(7 * 24 * 60 * MINUTE), 240 * MINUTE);
        assert_eq!(step_for(365 * 24 * 60 * MINUTE), 1440 * MINUTE);
    }

    #[test]
    fn totals_rates_and_exact_p95_per_step() {
        let t = |min: i64, ms: i64, error: bool, usd: f64| TraceSample {
            start_ns: min * MINUTE + 1,
            duration_ns: ms * 1_000_000,
            error,
            cost_usd: usd,
            unpriced: 0,
        };
        let mut traces: Vec<TraceSample> = (1..=20).map(|i| t(0, i * 100, false, 0.01)).collect();
        traces.push(t(2, 5_000, true, 0.5));
        traces.push(t(99, 1, true, 1.0)); // outside the range
        let o = summarize(&traces, 0, 15 * MINUTE, false);
        assert_eq!((o.step_ns, o.points.len()), (MINUTE, 15));
        assert_eq!((o.traces, o.errors), (21, 1));
        assert!((o.cost_usd - 0.7).abs() < 1e-12);
        assert!((o.traces_per_minute() - 1.4).abs() < 1e-12);
        assert!((o.error_rate() - 1.0 / 21.0).abs() < 1e-12);
        // Rank ceil(0.95 × 21) = 20 of 21 sorted durations: the 2,000 ms trace.
        assert_eq!(o.p95_ns, 2_000_000_000);
        assert_eq!(o.points[0].traces, 20);
        assert_eq!(o.points[0].p95_ns, 1_900_000_000);
        assert_eq!(o.points[1], OverviewPoint { start_ns: MINUTE, ..Default::default() }, "an empty minute is a point");
        assert_eq!((o.points[2].traces, o.points[2].errors, o.points[2].p95_ns), (1, 1, 5_000_000_000));
        let empty = summarize(&[], 0, 15 * MINUTE, false);
        assert_eq!((empty.traces, empty.p95_ns, empty.error_rate()), (0, 0, 0.0));
    }
}
