//! `serve`'s tail-sampling flags (see `crate::ingest::sampling`).

use std::time::Duration;

use clap::Args;

use crate::ingest::sampling::Policy;

#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Tail sampling (off unless --sample is given)")]
pub struct SamplingArgs {
    /// Turn tail sampling on: keep every trace with an error, every trace a span
    /// alert rule fires on and every trace slower than --sample-slower-than, and
    /// this fraction (0 to 1) of the rest, chosen by trace id so replicas agree.
    /// Spans wait on disk until their trace is decided.
    #[arg(long, env = "LOUPE_SAMPLE", value_name = "FRACTION", value_parser = fraction)]
    pub sample: Option<f64>,

    /// Keep every trace at least this long (e.g. 500ms, 5s, 1m; "off" keeps
    /// none for its duration).
    #[arg(long, env = "LOUPE_SAMPLE_SLOWER_THAN", value_name = "DURATION|off", default_value = "5s", value_parser = optional_duration)]
    pub sample_slower_than: OptionalDuration,

    /// How long after its root span arrives a trace is decided, so that spans
    /// exported later (by other services, or after their parent) still count.
    #[arg(long, env = "LOUPE_SAMPLE_GRACE", value_name = "DURATION", default_value = "10s", value_parser = duration)]
    pub sample_grace: Duration,

    /// How long after its first span a trace whose root never arrives is decided.
    #[arg(long, env = "LOUPE_SAMPLE_MAX_WAIT", value_name = "DURATION", default_value = "2m", value_parser = duration)]
    pub sample_max_wait: Duration,

    /// Most spans waiting for a decision. Beyond it the oldest traces are decided
    /// at once with the spans they have (counted as decided_at_cap), so memory
    /// and disk stay bounded.
    #[arg(long, env = "LOUPE_SAMPLE_MAX_PENDING", value_name = "SPANS", default_value_t = 200_000)]
    pub sample_max_pending: usize,
}

/// `Some(duration)` or `off`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct OptionalDuration(pub Option<Duration>);

impl SamplingArgs {
    /// The policy, when sampling is on.
    pub fn policy(&self) -> Option<Policy> {
        self.sample.map(|fraction| Policy {
            fraction,
            slower_than: self.sample_slower_than.0,
            grace: self.sample_grace,
            max_wait: self.sample_max_wait.max(self.sample_grace),
            max_pending_spans: self.sample_max_pending.max(1),
        })
    }
}

fn fraction(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("{s:?} is not a fraction from 0 to 1 (0.1 keeps one trace in ten of those no rule keeps)")),
    }
}

/// A duration as people write it: `250ms`, `10s`, `2m`, `1h`, `30d`.
pub fn duration(s: &str) -> Result<Duration, String> {
    let bad = || format!("{s:?} is not a duration like 250ms, 10s, 2m, 1h or 30d");
    let split = s.find(|c: char| !c.is_ascii_digit() && c != '.').ok_or_else(bad)?;
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let seconds = match unit.trim() {
        "ms" => n / 1000.0,
        "s" => n,
        "m" => n * 60.0,
        "h" => n * 3600.0,
        "d" => n * 86_400.0,
        _ => return Err(bad()),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| bad())
}

fn optional_duration(s: &str) -> Result<OptionalDuration, String> {
    if s.eq_ignore_ascii_case("off") {
        return Ok(OptionalDuration(None));
    }
    duration(s).map(|d| OptionalDuration(Some(d)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_written() {
        assert_eq!(duration("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(duration("10s"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(duration("2m"), Ok(Duration::from_secs(120)));
        assert_eq!(duration("1h"), Ok(Duration::from_secs(3600)));
        assert_eq!(duration("30d"), Ok(Duration::from_secs(30 * 86_400)));
        assert!(duration("10").unwrap_err().contains("250ms"));
        assert!(duration("10 parsecs").is_err());
        assert_eq!(optional_duration("off"), Ok(OptionalDuration(None)));
    }

    #[test]
    fn fractions_stay_between_zero_and_one() {
        assert_eq!(fraction("0.1"), Ok(0.1));
        assert_eq!(fraction("1"), Ok(1.0));
        assert!(fraction("1.5").unwrap_err().contains("from 0 to 1"));
        assert!(fraction("ten percent").is_err());
    }
}
