//! When each pending trace is due for its decision: a few numbers per trace,
//! indexed by due time and by age, so a tick costs the traces it decides and
//! not the ones still waiting.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Duration;

use crate::domain::TraceId;

/// A trace whose decision failed (the database away) is tried again this much later.
const RETRY_NS: i64 = 5_000_000_000;
/// Decided traces remembered, so their late spans are decided after `grace`
/// rather than `max_wait` (the memory is cleared when full).
const RECENT: usize = 100_000;

struct Entry {
    first_ns: i64,
    due_ns: i64,
    spans: usize,
}

/// The traces of one round of decisions, with the spans each had when chosen.
#[derive(Debug, PartialEq)]
pub struct Round {
    pub traces: Vec<(TraceId, usize)>,
    /// How many of them were chosen early because too many spans waited.
    pub at_cap: usize,
}

pub struct Schedule {
    traces: HashMap<TraceId, Entry>,
    by_due: BTreeSet<(i64, TraceId)>,
    by_age: BTreeSet<(i64, TraceId)>,
    recent: HashSet<TraceId>,
    pending: usize,
    grace_ns: i64,
    max_wait_ns: i64,
    cap: usize,
}

impl Schedule {
    pub fn new(grace: Duration, max_wait: Duration, cap: usize) -> Schedule {
        Schedule {
            traces: HashMap::new(),
            by_due: BTreeSet::new(),
            by_age: BTreeSet::new(),
            recent: HashSet::new(),
            pending: 0,
            grace_ns: crate::domain::ns(grace),
            max_wait_ns: crate::domain::ns(max_wait),
            cap,
        }
    }

    pub fn pending_spans(&self) -> usize {
        self.pending
    }

    /// A span of `trace` was held at `now`. A root makes its trace due `grace`
    /// later; without one it waits `max_wait` (or `grace` when the trace was
    /// decided a moment ago: a late span).
    pub fn add(&mut self, trace: TraceId, is_root: bool, now: i64) {
        let wait = if is_root || self.recent.contains(&trace) { self.grace_ns } else { self.max_wait_ns };
        self.put(trace, now, now.saturating_add(wait), 1);
    }

    /// A trace found in the pending table at start-up.
    pub fn restore(&mut self, trace: TraceId, first_ns: i64, root_ns: Option<i64>, spans: usize) {
        let due = match root_ns {
            Some(root) => root.saturating_add(self.grace_ns),
            None => first_ns.saturating_add(self.max_wait_ns),
        };
        self.put(trace, first_ns, due, spans);
    }

    fn put(&mut self, trace: TraceId, first_ns: i64, due_ns: i64, spans: usize) {
        self.pending += spans;
        match self.traces.get_mut(&trace) {
            Some(e) => {
                e.spans += spans;
                if due_ns < e.due_ns {
                    self.by_due.remove(&(e.due_ns, trace));
                    e.due_ns = due_ns;
                    self.by_due.insert((due_ns, trace));
                }
            }
            None => {
                self.traces.insert(trace, Entry { first_ns, due_ns, spans });
                self.by_due.insert((due_ns, trace));
                self.by_age.insert((first_ns, trace));
            }
        }
    }

    /// Up to `limit` traces to decide now: those due, then, while more than
    /// the cap of spans would still wait, the oldest (counted as at the cap).
    pub fn due(&self, now: i64, limit: usize) -> Round {
        let mut chosen: Vec<(TraceId, usize)> = Vec::new();
        let mut taken = HashSet::new();
        let mut left = self.pending;
        for &(due, trace) in self.by_due.iter().take(limit) {
            if due > now {
                break;
            }
            let spans = self.traces[&trace].spans;
            chosen.push((trace, spans));
            taken.insert(trace);
            left -= spans;
        }
        let mut at_cap = 0;
        for &(_, trace) in &self.by_age {
            if left <= self.cap || chosen.len() >= limit {
                break;
            }
            if taken.contains(&trace) {
                continue;
            }
            let spans = self.traces[&trace].spans;
            chosen.push((trace, spans));
            left -= spans;
            at_cap += 1;
        }
        Round { traces: chosen, at_cap }
    }

    /// The round's traces were decided at `now`. Spans held meanwhile (the
    /// count grew) keep their trace scheduled, `grace` from now.
    pub fn decided(&mut self, round: &Round, now: i64) {
        if self.recent.len() + round.traces.len() > RECENT {
            self.recent.clear();
        }
        for &(trace, spans) in &round.traces {
            self.recent.insert(trace);
            let Some(e) = self.traces.get_mut(&trace) else { continue };
            self.pending -= spans.min(e.spans);
            if e.spans > spans {
                e.spans -= spans;
                self.by_due.remove(&(e.due_ns, trace));
                e.due_ns = now.saturating_add(self.grace_ns);
                self.by_due.insert((e.due_ns, trace));
            } else {
                self.by_due.remove(&(e.due_ns, trace));
                self.by_age.remove(&(e.first_ns, trace));
                self.traces.remove(&trace);
            }
        }
    }

    /// The round could not be decided: try its traces again a little later.
    pub fn retry_later(&mut self, round: &Round, now: i64) {
        for &(trace, _) in &round.traces {
            if let Some(e) = self.traces.get_mut(&trace) {
                self.by_due.remove(&(e.due_ns, trace));
                e.due_ns = now.saturating_add(RETRY_NS);
                self.by_due.insert((e.due_ns, trace));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = 1_000_000_000;

    fn id(n: u8) -> TraceId {
        TraceId([n; 16])
    }

    fn schedule(cap: usize) -> Schedule {
        Schedule::new(Duration::from_secs(10), Duration::from_secs(120), cap)
    }

    fn ids(r: &Round) -> Vec<TraceId> {
        r.traces.iter().map(|(t, _)| *t).collect()
    }

    #[test]
    fn a_trace_is_due_grace_after_its_root_or_max_wait_after_its_first_span() {
        let mut s = schedule(1000);
        s.add(id(1), false, 0);
        s.add(id(2), false, 0);
        s.add(id(1), true, 5 * S);
        assert!(s.due(14 * S, 10).traces.is_empty());
        assert_eq!(ids(&s.due(15 * S, 10)), vec![id(1)]);
        assert_eq!(s.due(15 * S, 10).traces, vec![(id(1), 2)]);
        assert_eq!(ids(&s.due(120 * S, 10)), vec![id(1), id(2)]);
        assert_eq!(s.pending_spans(), 3);
    }

    #[test]
    fn decided_traces_leave_and_late_spans_come_back_soon() {
        let mut s = schedule(1000);
        s.add(id(1), true, 0);
        let round = s.due(10 * S, 10);
        // A span of the trace arrives while the decision runs.
        s.add(id(1), false, 10 * S);
        s.decided(&round, 11 * S);
        assert_eq!(s.pending_spans(), 1);
        assert_eq!(s.due(21 * S, 10).traces, vec![(id(1), 1)]);
        let round = s.due(21 * S, 10);
        s.decided(&round, 21 * S);
        assert_eq!(s.pending_spans(), 0);
        // A late span of a decided trace waits grace, not max_wait.
        s.add(id(1), false, 30 * S);
        assert_eq!(ids(&s.due(40 * S, 10)), vec![id(1)]);
    }

    #[test]
    fn beyond_the_cap_the_oldest_traces_are_decided_early_and_counted() {
        let mut s = schedule(3);
        for (n, t) in [(1, 0), (2, 1), (3, 2)] {
            s.add(id(n), false, t * S);
            s.add(id(n), false, t * S);
        }
        // Six spans wait, the cap is three: the two oldest traces go now.
        let round = s.due(3 * S, 10);
        assert_eq!(ids(&round), vec![id(1), id(2)]);
        assert_eq!(round.at_cap, 2);
        s.decided(&round, 3 * S);
        assert_eq!(s.pending_spans(), 2);
        assert_eq!(s.due(3 * S, 10).at_cap, 0);
    }

    #[test]
    fn a_round_is_limited_and_a_failed_one_is_retried_later() {
        let mut s = schedule(1000);
        for n in 1..=5 {
            s.add(id(n), true, 0);
        }
        let round = s.due(10 * S, 2);
        assert_eq!(round.traces.len(), 2);
        s.retry_later(&round, 10 * S);
        assert_eq!(s.due(10 * S, 10).traces.len(), 3);
        assert_eq!(s.due(15 * S, 10).traces.len(), 5);
    }

    #[test]
    fn restored_traces_keep_their_times() {
        let mut s = schedule(1000);
        s.restore(id(1), 0, Some(2 * S), 4);
        s.restore(id(2), 0, None, 1);
        assert_eq!(s.due(12 * S, 10).traces, vec![(id(1), 4)]);
        assert_eq!(s.pending_spans(), 5);
    }
}
