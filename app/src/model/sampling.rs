//! What the settings page shows: tail sampling (`GET /api/sampling`: the
//! policy in force, read-only since `loupe serve` flags set it, and what it kept
//! and dropped per reason since the database began) and retention
//! (`GET /api/retention`).

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplingView {
    /// `None`: sampling is off and every trace is kept.
    pub policy: Option<SamplingPolicy>,
    /// Spans this server holds for a decision now.
    pub pending_spans: u64,
    /// Per reason, in the order the policy checks them.
    pub counts: Vec<ReasonCount>,
    /// Traces decided early because too many spans waited.
    pub decided_at_cap: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SamplingPolicy {
    /// Kept share of the traces no rule keeps.
    pub fraction: f64,
    pub slower_than_ns: Option<i64>,
    pub grace_ns: i64,
    pub max_wait_ns: i64,
    pub max_pending_spans: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReasonCount {
    /// `error`, `alert`, `slow`, `stored`, `fraction`, `sampling_off` or `sampled_out`.
    pub reason: String,
    pub kept: bool,
    pub traces: u64,
    pub spans: u64,
}

impl ReasonCount {
    /// What the reason means, for a table row.
    pub fn label(&self) -> &'static str {
        match self.reason.as_str() {
            "error" => "a span has an error",
            "alert" => "a span alert rule fires on it",
            "slow" => "slower than the threshold",
            "stored" => "late spans of a kept trace",
            "fraction" => "in the kept share, by trace id",
            "sampling_off" => "held when sampling was turned off",
            "sampled_out" => "none of these: dropped",
            _ => "other",
        }
    }
}

impl SamplingView {
    /// Traces kept and dropped in all.
    pub fn totals(&self) -> (u64, u64) {
        self.counts.iter().fold((0, 0), |(k, d), c| if c.kept { (k + c.traces, d) } else { (k, d + c.traces) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totals_split_kept_from_dropped() {
        let c = |reason: &str, kept, traces| ReasonCount { reason: reason.into(), kept, traces, spans: traces * 3 };
        let v = SamplingView {
            policy: None,
            pending_spans: 0,
            counts: vec![c("error", true, 4), c("fraction", true, 6), c("sampled_out", false, 90)],
            decided_at_cap: 0,
        };
        assert_eq!(v.totals(), (10, 90));
        assert_eq!(v.counts[2].label(), "none of these: dropped");
    }
}

/// Retention as the settings page and `GET /api/retention` show it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionView {
    /// `None`: traces are kept until deleted by hand.
    pub policy: Option<RetentionPolicy>,
    /// Bytes of data in the database, as the size cap measures them.
    pub used_bytes: u64,
    /// Bytes of the database's files, space kept for reuse included.
    pub file_bytes: u64,
    pub measure: SizeMeasure,
    pub oldest_trace_ns: Option<i64>,
    pub traces_deleted: u64,
    pub spans_deleted: u64,
    pub last_run_ns: Option<i64>,
    /// Traces the last run deleted.
    pub last_deleted: u64,
}

/// How `used_bytes` is measured.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SizeMeasure {
    /// SQLite: the database file's pages in use.
    Pages,
    /// PostgreSQL: Loupe's count of the bytes of its span rows (plus a fixed
    /// overhead per span), since PostgreSQL keeps deleted rows' space for reuse.
    Counted,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RetentionPolicy {
    /// Age kept for services without a rule of their own (`None`: forever).
    pub default_ns: Option<i64>,
    /// (service, age kept).
    pub per_service: Vec<(String, i64)>,
    pub max_bytes: Option<u64>,
}
