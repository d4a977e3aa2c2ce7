//! The tail-sampling policy: which whole traces to keep once they are complete.
//! Pure: the facts of one pending trace in, a decision with its reason out.
//!
//! The order of the reasons is the order of the checks, and so the reason a
//! trace is counted under: an error wins over slowness, slowness over chance.

use std::time::Duration;

use crate::domain::TraceId;
use crate::domain::sampling::{Reason, TraceFacts};

/// How traces are sampled; `None` in the server's settings means every trace is
/// kept (the default).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// Kept fraction of the traces no other reason keeps, 0 < f ≤ 1.
    pub fraction: f64,
    /// Traces at least this long are kept (`None`: duration keeps nothing).
    pub slower_than: Option<Duration>,
    /// How long after its root span arrives a trace is decided: late children
    /// (exported by other processes, or after their parent) still count.
    pub grace: Duration,
    /// How long after its first span a trace whose root never arrives is decided.
    pub max_wait: Duration,
    /// Most spans waiting for a decision; beyond it the oldest traces are decided
    /// at once with what has arrived.
    pub max_pending_spans: usize,
}

impl Policy {
    pub fn decide(&self, trace: TraceId, f: &TraceFacts) -> Reason {
        if f.any_error {
            Reason::Error
        } else if f.alert_match {
            Reason::Alert
        } else if self.slower_than.is_some_and(|t| f.extent_ns >= crate::domain::ns(t)) {
            Reason::Slow
        } else if f.already_stored {
            Reason::Stored
        } else if in_fraction(trace, self.fraction) {
            Reason::Fraction
        } else {
            Reason::SampledOut
        }
    }
}

/// Whether `trace` is in the kept `fraction`, decided by the id alone so every
/// replica (and an SDK's `TraceIdRatioBased` head sampler at the same ratio)
/// agrees: the low 8 bytes of a W3C trace id are random, and the trace is kept
/// when they, read as a number, fall under `fraction` of their range.
pub fn in_fraction(trace: TraceId, fraction: f64) -> bool {
    if fraction >= 1.0 {
        return true;
    }
    let low = u64::from_be_bytes(trace.0[8..16].try_into().expect("8 bytes")) >> 1;
    let bound = (fraction.max(0.0) * (1u64 << 63) as f64) as u64;
    low < bound
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(fraction: f64) -> Policy {
        Policy {
            fraction,
            slower_than: Some(Duration::from_secs(5)),
            grace: Duration::from_secs(10),
            max_wait: Duration::from_secs(120),
            max_pending_spans: 1000,
        }
    }

    fn id(n: u64) -> TraceId {
        let mut b = [0u8; 16];
        b[0] = 1;
        // Spread the numbers over the low 8 bytes as random ids would be.
        b[8..].copy_from_slice(&n.wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
        TraceId(b)
    }

    #[test]
    fn reasons_come_in_order_of_precedence() {
        let p = policy(0.0);
        let slow = 6_000_000_000;
        assert_eq!(
            p.decide(id(1), &TraceFacts { any_error: true, alert_match: true, extent_ns: slow, already_stored: true }),
            Reason::Error
        );
        assert_eq!(p.decide(id(1), &TraceFacts { alert_match: true, extent_ns: slow, ..Default::default() }), Reason::Alert);
        assert_eq!(p.decide(id(1), &TraceFacts { extent_ns: slow, already_stored: true, ..Default::default() }), Reason::Slow);
        assert_eq!(p.decide(id(1), &TraceFacts { extent_ns: 4_999_999_999, already_stored: true, ..Default::default() }), Reason::Stored);
        assert_eq!(p.decide(id(1), &TraceFacts::default()), Reason::SampledOut);
        assert_eq!(policy(1.0).decide(id(1), &TraceFacts::default()), Reason::Fraction);
        let no_slow = Policy { slower_than: None, ..p };
        assert_eq!(no_slow.decide(id(1), &TraceFacts { extent_ns: i64::MAX, ..Default::default() }), Reason::SampledOut);
    }

    #[test]
    fn the_fraction_is_kept_by_id_alone_and_near_its_share() {
        for fraction in [0.01, 0.1, 0.5, 0.9] {
            let kept = (0..100_000).filter(|&n| in_fraction(id(n), fraction)).count() as f64 / 100_000.0;
            assert!((kept - fraction).abs() < 0.01, "fraction {fraction}: kept {kept}");
        }
        // The same id gets the same answer every time, and a kept id stays kept
        // at any larger fraction (raising the rate only adds traces).
        for n in 0..1000 {
            assert_eq!(in_fraction(id(n), 0.3), in_fraction(id(n), 0.3));
            if in_fraction(id(n), 0.3) {
                assert!(in_fraction(id(n), 0.31));
            }
        }
        assert!(!in_fraction(id(7), 0.0));
        assert!(in_fraction(id(7), 1.0));
    }
}
