//! Time as Loupe stores it: signed Unix nanoseconds, as OTLP sends them.

/// One hour in nanoseconds.
pub const HOUR_NS: i64 = 3_600_000_000_000;
/// One day in nanoseconds.
pub const DAY_NS: i64 = 24 * HOUR_NS;

/// Current time in Unix nanoseconds.
pub fn now_ns() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

/// A duration in nanoseconds, as times are stored; saturates past ~292 years
/// (a flag like `--retain 1000y` means forever, not a wrapped negative).
pub fn ns(d: std::time::Duration) -> i64 {
    d.as_nanos().min(i64::MAX as u128) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_saturate_instead_of_wrapping() {
        assert_eq!(ns(std::time::Duration::from_secs(3600)), HOUR_NS);
        assert_eq!(ns(std::time::Duration::MAX), i64::MAX);
    }
}
