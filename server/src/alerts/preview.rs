//! "How often would this rule have fired?": a rule replayed over the stored spans
//! of the last 24 hours, with the same matcher, conditions and cooldown as the live
//! engine, so the operator can tune a threshold before anyone is paged.

use std::collections::HashMap;

use super::Alerts;
use super::log_rule::LogFacts;
use super::rule::{CompiledRule, Facts, validate};
use super::window::evaluate;
use crate::error::Result;
use crate::store::LogQuery;
use app::model::alerts::Condition;
use app::model::alerts::{RulePreview, RuleSpec};

use crate::domain::HOUR_NS;
const PREVIEW_NS: i64 = 24 * HOUR_NS;
/// Window rules are replayed at this step (the live evaluator runs more often;
/// a minute is fine-grained enough to count firings).
const STEP_NS: i64 = 60_000_000_000;
/// Most spans a preview reads; beyond it the newest are used and it says so.
pub const PREVIEW_SCAN_LIMIT: usize = 500_000;
/// Most log records a log rule's preview reads (the newest).
const PREVIEW_LOG_LIMIT: u32 = 100_000;

/// Replays `spec` over the last 24 hours before `now_ns`.
pub async fn preview(alerts: &Alerts, spec: RuleSpec, now_ns: i64) -> Result<RulePreview> {
    validate(&spec)?;
    let rule = CompiledRule::new(0, spec)?;
    let since = now_ns - PREVIEW_NS;
    if rule.spec.condition.is_log() {
        return preview_logs(alerts, &rule, since, now_ns).await;
    }
    let window_ns = rule.spec.condition.window_min().map_or(0, |w| w as i64 * 60_000_000_000);
    let (mut rows, truncated) =
        alerts.store().recent_spans(since - window_ns, now_ns, rule.spec.matcher.kind, rule.needs_attributes(), PREVIEW_SCAN_LIMIT).await?;
    rows.reverse(); // oldest first
    let matching: Vec<_> = rows.iter().filter(|r| rule.matches(&Facts::from(*r))).collect();
    let ends: Vec<i64> = matching.iter().map(|r| r.end_ns).collect();
    let facts: Vec<Facts> = matching.iter().map(|&r| Facts::from(r)).collect();
    let mut p = simulate(&rule, &facts, &ends, since, now_ns);
    p.truncated = truncated;
    Ok(p)
}

/// A log rule replayed over the records of the last 24 hours at its severity
/// or above (the newest [`PREVIEW_LOG_LIMIT`]).
async fn preview_logs(alerts: &Alerts, rule: &CompiledRule, since: i64, now_ns: i64) -> Result<RulePreview> {
    let Condition::LogSeverity { min_severity } = rule.spec.condition else { unreachable!("a log rule") };
    let query = LogQuery {
        min_severity: min_severity.min_number(),
        service: rule.spec.matcher.service.clone(),
        since_ns: Some(since),
        until_ns: Some(now_ns),
        limit: PREVIEW_LOG_LIMIT,
        ..LogQuery::default()
    };
    let page = alerts.store().list_logs(&query).await?;
    let mut p = Replay::new(rule, since, now_ns);
    // Newest first from the store: replayed oldest first.
    for log in page.logs.iter().rev() {
        let facts = LogFacts::from(log);
        if rule.matches_log(&facts) {
            p.matched(log.time_ns);
            if rule.log_firing(&facts).is_some() {
                p.fire(log.time_ns, rule.spec.group_by.map(|_| log.service.clone()));
            }
        }
    }
    let mut p = p.done();
    p.truncated = page.next_cursor.is_some();
    p.of_logs = true;
    Ok(p)
}

/// Counts firings and the notifications the cooldown lets through, per hour.
struct Replay {
    p: RulePreview,
    since: i64,
    cooldown: i64,
    last_sent: HashMap<Option<String>, i64>,
}

impl Replay {
    fn new(rule: &CompiledRule, since: i64, until: i64) -> Replay {
        let hours = ((until - since + HOUR_NS - 1) / HOUR_NS).max(1) as usize;
        Replay {
            p: RulePreview { since_ns: since, until_ns: until, per_hour: vec![0; hours], ..RulePreview::default() },
            since,
            cooldown: rule.spec.cooldown_s as i64 * 1_000_000_000,
            last_sent: HashMap::new(),
        }
    }

    fn matched(&mut self, at: i64) {
        if at >= self.since {
            self.p.matching_spans += 1;
        }
    }

    fn fire(&mut self, at: i64, group: Option<String>) {
        let hours = self.p.per_hour.len();
        self.p.firings += 1;
        self.p.per_hour[(((at - self.since) / HOUR_NS).max(0) as usize).min(hours - 1)] += 1;
        let sent = self.last_sent.get(&group).is_some_and(|&t| at < t + self.cooldown);
        if !sent {
            self.p.notifications += 1;
            self.last_sent.insert(group, at);
        }
    }

    fn done(self) -> RulePreview {
        self.p
    }
}

/// The replay itself: `facts` are the matching spans, oldest first, ending at `ends`.
pub fn simulate(rule: &CompiledRule, facts: &[Facts], ends: &[i64], since: i64, until: i64) -> RulePreview {
    let mut replay = Replay::new(rule, since, until);
    for &end in ends {
        replay.matched(end);
    }
    match rule.spec.condition.window_min() {
        None => {
            for (f, &end) in facts.iter().zip(ends).filter(|(_, e)| **e >= since) {
                if rule.span_firing(f).is_some() {
                    replay.fire(end, rule.group_key(f));
                }
            }
        }
        Some(w) => {
            let w = w as i64 * 60_000_000_000;
            let what = rule.spec.describe_match();
            let (mut lo, mut hi) = (0, 0);
            let mut t = since + STEP_NS;
            while t <= until {
                while hi < ends.len() && ends[hi] <= t {
                    hi += 1;
                }
                while lo < hi && ends[lo] <= t - w {
                    lo += 1;
                }
                if evaluate(&rule.spec.condition, &facts[lo..hi], &what).is_some() {
                    replay.fire(t, None);
                }
                t += STEP_NS;
            }
        }
    }
    replay.done()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::StepKind;
    use serde_json::json;

    fn tool(ms: i64) -> Facts<'static> {
        Facts::sample("execute_tool search", StepKind::Tool, ms)
    }

    fn rule(v: serde_json::Value) -> CompiledRule {
        CompiledRule::new(1, serde_json::from_value(v).unwrap()).unwrap()
    }

    #[test]
    fn span_rules_count_firings_and_fold_them_by_cooldown() {
        let r = rule(json!({"name": "slow", "condition": {"type": "span_duration", "threshold_ms": 2000}, "cooldown_s": 600}));
        let min = 60_000_000_000;
        // Slow calls at minutes 1, 2, 3 (one burst) and 30 (after the cooldown); one fast call.
        let facts = vec![tool(2500), tool(3000), tool(100), tool(2100), tool(9000)];
        let ends = vec![min, 2 * min, 2 * min, 3 * min, 30 * min];
        let p = simulate(&r, &facts, &ends, 0, 2 * HOUR_NS);
        assert_eq!((p.matching_spans, p.firings, p.notifications), (5, 4, 2));
        assert_eq!(p.per_hour, vec![4, 0]);
    }

    #[test]
    fn window_rules_replay_minute_by_minute() {
        let r = rule(json!({"name": "busy", "condition": {"type": "window_count", "window_min": 5, "threshold": 2}, "cooldown_s": 0}));
        let min = 60_000_000_000;
        // Three spans in minute 10: the 5-minute window holds all three at minutes 10 to 14.
        let facts = vec![tool(1), tool(1), tool(1)];
        let ends = vec![10 * min - 1, 10 * min - 1, 10 * min - 1];
        let p = simulate(&r, &facts, &ends, 0, HOUR_NS);
        assert_eq!(p.firings, 5, "{p:?}");
        assert_eq!(p.notifications, 5, "no cooldown: each evaluation notifies");
    }
}
