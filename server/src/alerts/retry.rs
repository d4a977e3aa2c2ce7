//! How hard a webhook delivery tries before it gives up.

use std::time::Duration;

/// How hard delivery tries.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts per channel, the first included.
    pub max_attempts: u32,
    /// The wait before the second attempt; doubled after each failure.
    pub base: Duration,
    /// No wait is longer than this, whatever `Retry-After` asks.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self { max_attempts: 6, base: Duration::from_secs(1), max_delay: Duration::from_secs(300) }
    }
}
