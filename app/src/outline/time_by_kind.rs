//! Where a trace's wall-clock time went, by step kind.
//!
//! A span's own time is its interval minus the time any of its children ran: while
//! an agent waits on a tool, the time is the tool's, not the agent's. Each kind's
//! time is the union of its spans' own intervals, so three tool calls running in
//! parallel for one second count one second, not three. Kinds running in parallel
//! with each other each count their time, so the shares can add up to more than the
//! trace's duration.

use super::{KindTime, Row};
use crate::model::StepKind;

/// Half-open intervals `[start, end)` in nanoseconds after the trace start.
type Span = (i64, i64);

pub fn time_by_kind(rows: &[Row]) -> Vec<KindTime> {
    let mut children: Vec<Vec<Span>> = vec![Vec::new(); rows.len()];
    for r in rows {
        if let Some(p) = r.parent {
            children[p as usize].push((r.offset_ns, r.offset_ns + r.duration_ns));
        }
    }
    let mut own: Vec<Vec<Span>> = vec![Vec::new(); StepKind::ALL.len()];
    let mut stats: Vec<Option<KindTime>> = vec![None; StepKind::ALL.len()];
    for (i, r) in rows.iter().enumerate() {
        let interval = (r.offset_ns, r.offset_ns + r.duration_ns);
        own[r.kind as usize].extend(subtract(interval, std::mem::take(&mut children[i])));
        let entry = stats[r.kind as usize].get_or_insert(KindTime { kind: r.kind, wall_ns: 0, spans: 0, slowest: i as u32 });
        entry.spans += 1;
        if r.duration_ns > rows[entry.slowest as usize].duration_ns {
            entry.slowest = i as u32;
        }
    }
    let mut out: Vec<KindTime> =
        stats.into_iter().zip(own).filter_map(|(s, intervals)| s.map(|s| KindTime { wall_ns: union_length(intervals), ..s })).collect();
    out.sort_by(|a, b| b.wall_ns.cmp(&a.wall_ns).then(a.kind.cmp(&b.kind)));
    out
}

/// `interval` with the (possibly overlapping) `holes` cut out.
fn subtract(interval: Span, holes: Vec<Span>) -> Vec<Span> {
    let (start, end) = interval;
    let mut out = Vec::new();
    let mut at = start;
    for (s, e) in merge(holes) {
        let (s, e) = (s.max(start), e.min(end));
        if s >= e {
            continue;
        }
        if s > at {
            out.push((at, s));
        }
        at = at.max(e);
    }
    if at < end {
        out.push((at, end));
    }
    out
}

/// Sorted, non-overlapping cover of the intervals.
fn merge(mut intervals: Vec<Span>) -> Vec<Span> {
    intervals.retain(|(s, e)| s < e);
    intervals.sort_unstable();
    let mut out: Vec<Span> = Vec::with_capacity(intervals.len());
    for (s, e) in intervals {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn union_length(intervals: Vec<Span>) -> i64 {
    merge(intervals).into_iter().map(|(s, e)| e - s).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subtracting_overlapping_holes_leaves_the_gaps() {
        assert_eq!(subtract((0, 100), vec![(10, 30), (20, 40), (90, 120)]), vec![(0, 10), (40, 90)]);
        assert_eq!(subtract((0, 100), vec![]), vec![(0, 100)]);
        assert_eq!(subtract((0, 100), vec![(-5, 200)]), vec![]);
    }

    #[test]
    fn union_counts_overlap_once() {
        assert_eq!(union_length(vec![(0, 10), (5, 15), (20, 25)]), 20);
        assert_eq!(union_length(vec![(3, 3)]), 0);
    }
}
