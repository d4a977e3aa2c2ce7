//! Retention (`--retain 30d`, `--retain-service checkout=90d`, `--max-db-size
//! 20GiB`): traces past their time, or the oldest beyond the size cap, are
//! deleted in the background.
//!
//! A run is claimed like the window alert rules (`Store::claim_job`), so with
//! several replicas one of them runs it per interval. Deletion goes 500 traces
//! per transaction with a pause between, so the ingest writer, which shares the
//! database, never waits for more than one small batch. A trace's age is its
//! start; a per-service rule applies to a trace by its root span's service, and
//! to the hourly latency and cost rollups by each step's service.

use std::time::Duration;

use tokio::task::JoinHandle;

use crate::error::Result;
use crate::metrics::Metrics;
use crate::store::LogCut;
use crate::store::RetentionServices as Services;
use crate::store::Store;

/// Traces deleted per transaction.
const BATCH: i64 = 500;
/// Pause between batches: the writer gets the database in between.
const PAUSE: Duration = Duration::from_millis(20);

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Age kept for services without a rule of their own (`None`: forever).
    pub default: Option<Duration>,
    pub per_service: Vec<(String, Duration)>,
    /// Most bytes of data in the database (`Store::used_bytes`).
    pub max_bytes: Option<u64>,
    pub every: Duration,
}

/// One age rule of a policy: which traces, and the start before which they go.
#[derive(Debug, PartialEq)]
pub struct AgeRule<'a> {
    pub services: Services<'a>,
    pub cutoff_ns: i64,
}

impl Policy {
    /// The age rules at `now`: one per service named, then the default for the rest.
    pub fn age_rules(&self, now: i64) -> Vec<AgeRule<'_>> {
        let cutoff = |d: &Duration| now.saturating_sub(crate::domain::ns(*d));
        let mut rules: Vec<AgeRule> =
            self.per_service.iter().map(|(s, d)| AgeRule { services: Services::Only(s), cutoff_ns: cutoff(d) }).collect();
        if let Some(d) = &self.default {
            rules.push(AgeRule { services: Services::AllBut(&[]), cutoff_ns: cutoff(d) });
        }
        rules
    }

    /// The services with a rule of their own.
    pub fn named_services(&self) -> Vec<String> {
        self.per_service.iter().map(|(s, _)| s.clone()).collect()
    }
}

/// Starts the background runs.
pub fn start(policy: Policy, store: Store, metrics: Metrics) -> JoinHandle<()> {
    tokio::spawn(async move {
        // The first run comes one interval after the start, not in the middle of it.
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + policy.every, policy.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let gap = crate::domain::ns(policy.every) / 10 * 9;
            match store.claim_job("retention", gap).await {
                Ok(Some(lease)) => {
                    let outcome = run_once(&policy, &store, &metrics).await;
                    metrics.retention_run(outcome.is_ok());
                    match outcome {
                        Ok((0, _)) => {}
                        Ok((traces, spans)) => {
                            tracing::info!(traces, spans, "retention deleted traces past their time or over the size cap")
                        }
                        Err(e) => tracing::error!(error = %e, "retention run failed; it is tried again at the next interval"),
                    }
                    lease.release().await;
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "could not claim the retention run"),
            }
        }
    })
}

/// One run: every age rule, then the size cap; returns traces and spans deleted.
pub async fn run_once(policy: &Policy, store: &Store, metrics: &Metrics) -> Result<(u64, u64)> {
    let now = crate::domain::now_ns();
    let named = policy.named_services();
    let mut deleted = (0, 0);
    for rule in policy.age_rules(now) {
        // The default rule leaves the services that have their own.
        let services = match rule.services {
            Services::AllBut(_) => Services::AllBut(&named),
            only => only,
        };
        loop {
            let ids = store.traces_started_before(services, rule.cutoff_ns, BATCH).await?;
            let (t, s) = delete(store, &ids, metrics).await?;
            deleted = (deleted.0 + t, deleted.1 + s);
            if (ids.len() as i64) < BATCH {
                break;
            }
            tokio::time::sleep(PAUSE).await;
        }
        while store.delete_logs(LogCut::Before { services, cutoff_ns: rule.cutoff_ns }, BATCH).await? as i64 == BATCH {
            tokio::time::sleep(PAUSE).await;
        }
        store.delete_rollups_before(services, rule.cutoff_ns).await?;
    }
    if let Some(cap) = policy.max_bytes {
        loop {
            // Exact after each batch on both backends (see `Store::used_bytes`).
            let (used, _) = store.used_bytes().await?;
            if used <= cap {
                break;
            }
            // Whichever is older goes first: the oldest trace (with its
            // records) or the oldest records of no stored trace.
            let before_ns = store.oldest_trace_ns().await?.unwrap_or(i64::MAX);
            if store.oldest_untraced_log_ns(before_ns).await?.is_some() {
                store.delete_logs(LogCut::OldestUntraced { before_ns }, BATCH).await?;
                tokio::time::sleep(PAUSE).await;
                continue;
            }
            let traces = store.stats().await?.traces;
            let ids = store.oldest_traces(over_cap_batch(used, cap, traces)).await?;
            if ids.is_empty() {
                break;
            }
            let (t, s) = delete(store, &ids, metrics).await?;
            deleted = (deleted.0 + t, deleted.1 + s);
            tokio::time::sleep(PAUSE).await;
        }
    }
    store.record_retention(deleted.0, now).await?;
    Ok(deleted)
}

/// The policy, the size and the deletions, for the settings page and the API.
pub async fn view(store: &Store, policy: Option<&Policy>) -> Result<app::model::sampling::RetentionView> {
    use app::model::sampling::{RetentionPolicy, RetentionView};
    let ns = |d: &Duration| crate::domain::ns(*d);
    let stats = store.retention_stats().await?;
    let (used_bytes, measure) = store.used_bytes().await?;
    Ok(RetentionView {
        policy: policy.map(|p| RetentionPolicy {
            default_ns: p.default.as_ref().map(ns),
            per_service: p.per_service.iter().map(|(s, d)| (s.clone(), ns(d))).collect(),
            max_bytes: p.max_bytes,
        }),
        used_bytes,
        file_bytes: store.file_bytes().await?,
        measure,
        oldest_trace_ns: store.oldest_trace_ns().await?,
        traces_deleted: stats.traces_deleted,
        spans_deleted: stats.spans_deleted,
        last_run_ns: stats.last_run_ns,
        last_deleted: stats.last_deleted,
    })
}

/// How many of the oldest traces to delete for `used` bytes to fall to `cap`,
/// at the average size of the `traces` stored (at least one, at most a batch):
/// deleting a whole batch each time would overshoot a small database.
fn over_cap_batch(used: u64, cap: u64, traces: u64) -> i64 {
    let per_trace = (used / traces.max(1)).max(1);
    (used.saturating_sub(cap).div_ceil(per_trace) as i64).clamp(1, BATCH)
}

async fn delete(store: &Store, ids: &[String], metrics: &Metrics) -> Result<(u64, u64)> {
    let (traces, spans) = store.delete_traces(ids).await?;
    metrics.retained_out(traces, spans);
    Ok((traces, spans))
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000_000_000;

    #[test]
    fn over_the_cap_the_batch_is_the_excess_in_average_traces() {
        assert_eq!(over_cap_batch(11_000, 10_000, 100), 10);
        assert_eq!(over_cap_batch(10_001, 10_000, 100), 1);
        assert_eq!(over_cap_batch(u64::MAX / 2, 1, 10_000_000), BATCH);
        // No trace counted (the totals lag a deletion): one at a time.
        assert_eq!(over_cap_batch(5_000, 1_000, 0), 1);
    }

    #[test]
    fn each_service_rule_comes_before_the_default_for_the_rest() {
        let p = Policy {
            default: Some(Duration::from_secs(30 * 86_400)),
            per_service: vec![("checkout".into(), Duration::from_secs(90 * 86_400))],
            max_bytes: None,
            every: Duration::from_secs(60),
        };
        let now = 100 * DAY;
        let rules = p.age_rules(now);
        assert_eq!(
            rules,
            vec![
                AgeRule { services: Services::Only("checkout"), cutoff_ns: 10 * DAY },
                AgeRule { services: Services::AllBut(&[]), cutoff_ns: 70 * DAY },
            ]
        );
        let only_service = Policy { default: None, ..p };
        assert_eq!(only_service.age_rules(now).len(), 1, "without --retain other services are kept forever");
    }
}
