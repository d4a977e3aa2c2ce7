//! Window conditions: p95, error rate, count or cost of the matching spans of the
//! last N minutes. [`evaluate`] is pure, so the live evaluator and the preview
//! compute the same thing; [`run`] evaluates every window rule on a schedule and
//! hands firings to the engine like ingest does.

use std::time::Duration;

use tokio::sync::mpsc;

use super::rule::{CompiledRule, Facts};
use super::{Alerts, Hit};
use crate::store::RecentSpan;
use app::format::{count, number, usd};
use app::model::alerts::Condition;

/// Most spans one window evaluation reads; a busier window is judged on its
/// newest spans (and the log says so).
pub const WINDOW_SCAN_LIMIT: usize = 200_000;

/// A window that crossed its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct WindowFiring {
    pub observed: f64,
    /// The span to link to: the slowest, the latest failure, the costliest, the latest.
    pub example: usize,
    pub summary: String,
}

/// Evaluates `condition` over `spans` (the matching spans of one window, any order).
pub fn evaluate(condition: &Condition, spans: &[Facts], what: &str) -> Option<WindowFiring> {
    let n = spans.len() as u64;
    if n == 0 || condition.min_count().is_some_and(|min| n < min) {
        return None;
    }
    let window = condition.window_min()?;
    let latest = 0; // callers pass spans newest first
    match condition {
        Condition::WindowP95 { threshold_ms, .. } => {
            let mut ms: Vec<f64> = spans.iter().map(|s| s.duration_ns as f64 / 1e6).collect();
            let p95 = nearest_rank(&mut ms, 0.95);
            let slowest = (0..spans.len()).max_by_key(|&i| spans[i].duration_ns)?;
            (p95 > *threshold_ms).then(|| WindowFiring {
                observed: p95,
                example: slowest,
                summary: format!(
                    "p95 of {what} over {window} min is {} ms (> {} ms, {} spans)",
                    number(p95.round()),
                    number(*threshold_ms),
                    count(n as i64)
                ),
            })
        }
        Condition::WindowErrorRate { threshold_pct, .. } => {
            let errors = spans.iter().filter(|s| s.is_error).count();
            let pct = errors as f64 * 100.0 / n as f64;
            let example = spans.iter().position(|s| s.is_error)?;
            (pct > *threshold_pct).then(|| WindowFiring {
                observed: pct,
                example,
                summary: format!(
                    "{} of {} {what} spans failed over {window} min: {}% (> {}%)",
                    count(errors as i64),
                    count(n as i64),
                    number((pct * 10.0).round() / 10.0),
                    number(*threshold_pct)
                ),
            })
        }
        Condition::WindowCount { threshold, .. } => (n > *threshold).then(|| WindowFiring {
            observed: n as f64,
            example: latest,
            summary: format!("{} {what} spans in {window} min (> {})", count(n as i64), count(*threshold as i64)),
        }),
        Condition::WindowCost { threshold_usd, .. } => {
            let total: f64 = spans.iter().filter_map(|s| s.cost_usd).sum();
            let costliest =
                (0..spans.len()).max_by(|&a, &b| spans[a].cost_usd.unwrap_or(0.0).total_cmp(&spans[b].cost_usd.unwrap_or(0.0)))?;
            (total > *threshold_usd).then(|| WindowFiring {
                observed: total,
                example: costliest,
                summary: format!("{what} cost {} over {window} min (> {})", usd(total), usd(*threshold_usd)),
            })
        }
        _ => None,
    }
}

/// The nearest-rank quantile (the value at rank ⌈q·n⌉), as the list's p95 is.
fn nearest_rank(values: &mut [f64], q: f64) -> f64 {
    let rank = ((q * values.len() as f64).ceil() as usize).clamp(1, values.len());
    let (_, v, _) = values.select_nth_unstable_by(rank - 1, f64::total_cmp);
    *v
}

/// Evaluates one window rule at `now_ns` against the store.
pub async fn evaluate_rule(alerts: &Alerts, rule: &CompiledRule, now_ns: i64) -> crate::error::Result<Option<Hit>> {
    let Some(window) = rule.spec.condition.window_min() else { return Ok(None) };
    let since = now_ns - window as i64 * 60_000_000_000;
    let (rows, truncated) =
        alerts.store().recent_spans(since, now_ns, rule.spec.matcher.kind, rule.needs_attributes(), WINDOW_SCAN_LIMIT).await?;
    if truncated {
        tracing::warn!(rule = rule.id, limit = WINDOW_SCAN_LIMIT, "window rule judged on the newest spans of its window only");
    }
    let matching: Vec<&RecentSpan> = rows.iter().filter(|r| rule.matches(&Facts::from(*r))).collect();
    let facts: Vec<Facts> = matching.iter().map(|&r| Facts::from(r)).collect();
    let what = rule.spec.describe_match();
    Ok(evaluate(&rule.spec.condition, &facts, &what).map(|f| {
        let example = matching[f.example];
        Hit {
            rule_id: rule.id,
            group_key: None,
            observed: f.observed,
            summary: f.summary,
            trace_id: Some(example.trace_id.clone()),
            span_id: Some(example.span_id.clone()),
        }
    }))
}

/// Every `interval`, evaluates each active window rule and sends its firings on:
/// on one replica per interval when several share the database (whichever claims
/// the run), so a window crossing its threshold is judged once, not per replica.
pub async fn run(alerts: Alerts, interval: Duration, hits: mpsc::Sender<Vec<Hit>>) {
    let mut tick = tokio::time::interval(interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // A little less than the interval, so ticks that drift a few ms still claim.
    let min_gap_ns = crate::domain::ns(interval) / 10 * 9;
    loop {
        tick.tick().await;
        let rules = alerts.rules();
        if !rules.iter().any(|r| r.is_window() && !r.spec.paused) {
            continue;
        }
        let lease = match alerts.store().claim_job("window-alerts", min_gap_ns).await {
            Ok(Some(lease)) => lease,
            Ok(None) => continue, // another replica runs this interval's evaluation
            Err(e) => {
                tracing::error!(error = %e, "could not claim the window rule evaluation");
                continue;
            }
        };
        let now = crate::domain::now_ns();
        let mut fired = Vec::new();
        for rule in rules.iter().filter(|r| r.is_window() && !r.spec.paused) {
            match evaluate_rule(&alerts, rule, now).await {
                Ok(Some(hit)) => fired.push(hit),
                Ok(None) => {}
                Err(e) => tracing::error!(rule = rule.id, error = %e, "window rule evaluation failed"),
            }
        }
        lease.release().await;
        if !fired.is_empty() && hits.send(fired).await.is_err() {
            return; // the engine stopped: Loupe is shutting down
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StepKind;

    fn span(ms: i64, is_error: bool) -> Facts<'static> {
        Facts { is_error, cost_usd: Some(0.01), ..Facts::sample("t", StepKind::Tool, ms) }
    }

    #[test]
    fn p95_is_nearest_rank_and_needs_min_count() {
        let c = Condition::WindowP95 { window_min: 5, threshold_ms: 900.0, min_count: 20 };
        let mut spans: Vec<Facts> = (1..=19).map(|i| span(i * 100, false)).collect();
        assert_eq!(evaluate(&c, &spans, "tool"), None, "19 spans < min_count 20");
        spans.push(span(2000, false));
        let f = evaluate(&c, &spans, "tool").unwrap();
        assert_eq!(f.observed, 1900.0, "rank ⌈0.95·20⌉ = 19");
        assert_eq!(f.example, 19, "links the slowest");
        assert_eq!(f.summary, "p95 of tool over 5 min is 1,900 ms (> 900 ms, 20 spans)");
    }

    #[test]
    fn error_rate_counts_failed_spans() {
        let c = Condition::WindowErrorRate { window_min: 10, threshold_pct: 20.0, min_count: 10 };
        let spans: Vec<Facts> = (0..10).map(|i| span(5, i < 2)).collect();
        assert_eq!(evaluate(&c, &spans, "llm"), None, "20% is not above 20%");
        let spans: Vec<Facts> = (0..10).map(|i| span(5, i < 3)).collect();
        let f = evaluate(&c, &spans, "llm").unwrap();
        assert_eq!(f.observed, 30.0);
        assert_eq!(f.summary, "3 of 10 llm spans failed over 10 min: 30% (> 20%)");
    }

    #[test]
    fn count_and_cost() {
        let spans: Vec<Facts> = (0..4).map(|_| span(1, false)).collect();
        assert!(evaluate(&Condition::WindowCount { window_min: 1, threshold: 4 }, &spans, "x").is_none());
        assert!(evaluate(&Condition::WindowCount { window_min: 1, threshold: 3 }, &spans, "x").is_some());
        let f = evaluate(&Condition::WindowCost { window_min: 1, threshold_usd: 0.03, min_count: 1 }, &spans, "x").unwrap();
        assert!((f.observed - 0.04).abs() < 1e-12);
    }
}
