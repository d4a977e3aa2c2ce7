//! What the tail sampler decides about a trace and from which facts: shared by the
//! sampler (which decides, in `ingest`) and the store (which records decisions).

/// Why a trace was kept or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// A span has error status.
    Error,
    /// A span would fire a span alert rule.
    Alert,
    /// The trace lasted at least `slower_than`.
    Slow,
    /// Part of the trace was kept before (its late spans join it).
    Stored,
    /// Its id fell in the kept fraction.
    Fraction,
    /// It was held when Loupe started with sampling off: everything is kept.
    SamplingOff,
    /// None of the above: dropped.
    SampledOut,
}

impl Reason {
    pub const ALL: [Reason; 7] =
        [Reason::Error, Reason::Alert, Reason::Slow, Reason::Stored, Reason::Fraction, Reason::SamplingOff, Reason::SampledOut];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Error => "error",
            Reason::Alert => "alert",
            Reason::Slow => "slow",
            Reason::Stored => "stored",
            Reason::Fraction => "fraction",
            Reason::SamplingOff => "sampling_off",
            Reason::SampledOut => "sampled_out",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn keeps(self) -> bool {
        self != Reason::SampledOut
    }
}

/// What is known of a pending trace when it is decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TraceFacts {
    pub any_error: bool,
    pub alert_match: bool,
    /// Earliest start to latest end of its pending spans.
    pub extent_ns: i64,
    /// Spans of it were stored before (kept by an earlier decision).
    pub already_stored: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_their_names() {
        for r in Reason::ALL {
            assert_eq!(Reason::parse(r.as_str()), Some(r));
        }
        assert!(Reason::ALL.iter().filter(|r| !r.keeps()).eq([&Reason::SampledOut]));
    }
}
