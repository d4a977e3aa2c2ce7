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
    /// Model calls no price matched.
    pub unpriced: i64,
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
}

impl TrafficOverview {
    pub fn traces_per_minute(&self) -> f64 {
        self.traces as f64 / ((self.until_ns - self.since_ns).max(1) as f64 / 60e9)
    }

    pub fn error_rate(&self) -> f64 {
        if self.traces == 0 { 0.0 } else { self.errors as f64 / self.traces as f64 }
    }
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

/// The whole range's overview from the steps that had traces (`(index of the
/// step from the range's first, its figures)`) and the range's p95: empty steps
/// are filled in, totals summed.
pub fn assemble(steps: &[(i64, OverviewPoint)], p95_ns: i64, since_ns: i64, until_ns: i64) -> TrafficOverview {
    let step_ns = step_for(until_ns - since_ns);
    let first = since_ns.div_euclid(step_ns) * step_ns;
    let n = ((until_ns - first).max(1) as u64).div_ceil(step_ns as u64) as usize;
    let mut points: Vec<OverviewPoint> =
        (0..n).map(|i| OverviewPoint { start_ns: first + i as i64 * step_ns, ..Default::default() }).collect();
    let mut o = TrafficOverview { since_ns, until_ns, step_ns, p95_ns, ..Default::default() };
    for (i, p) in steps {
        let Some(slot) = points.get_mut(*i as usize) else { continue };
        *slot = OverviewPoint { start_ns: slot.start_ns, ..*p };
        o.traces += p.traces;
        o.errors += p.errors;
        o.cost_usd += p.cost_usd;
        o.unpriced += p.unpriced;
    }
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
    fn steps_with_traces_fill_a_whole_range_and_sum_up() {
        let p =
            |traces: i64, errors: i64, usd: f64| OverviewPoint { traces, errors, cost_usd: usd, p95_ns: 7, start_ns: -1, unpriced: errors };
        let o = assemble(&[(0, p(20, 0, 0.2)), (2, p(1, 1, 0.5)), (99, p(5, 5, 5.0))], 2_000, 0, 15 * MINUTE);
        assert_eq!((o.step_ns, o.points.len()), (MINUTE, 15));
        assert_eq!((o.traces, o.errors, o.p95_ns), (21, 1, 2_000), "a step outside the range is ignored");
        assert!((o.cost_usd - 0.7).abs() < 1e-12);
        assert!((o.traces_per_minute() - 1.4).abs() < 1e-12);
        assert!((o.error_rate() - 1.0 / 21.0).abs() < 1e-12);
        assert_eq!(o.points[0], OverviewPoint { start_ns: 0, traces: 20, errors: 0, p95_ns: 7, cost_usd: 0.2, unpriced: 0 });
        assert_eq!(o.unpriced, 1);
        assert_eq!(o.points[1], OverviewPoint { start_ns: MINUTE, ..Default::default() }, "an empty minute is a point");
        assert_eq!(o.points[2].start_ns, 2 * MINUTE);
        let empty = assemble(&[], 0, 0, 15 * MINUTE);
        assert_eq!((empty.traces, empty.p95_ns, empty.error_rate()), (0, 0, 0.0));
    }
}
