//! The critical path: the chain of spans that determined when the trace ended.
//!
//! Walking back from the root's end: the child that finished last (at or before the
//! cursor) was what the parent waited for, so the path goes through it; the cursor
//! then moves to that child's start, and the next candidate must have finished by
//! then. A sibling that overlaps the chosen child (it ended after the child started)
//! ran in parallel and was not waited for, so it is skipped; Jaeger's algorithm
//! counts such siblings and misattributes time. A child that outlives its parent
//! (fire-and-forget) did not hold the parent up and is skipped the same way. Time
//! with no child running is the span's own time on the path.

use serde::{Deserialize, Serialize};

use super::row::Row;

/// One span on the critical path and the time it was the critical step itself.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CriticalStep {
    pub row: u32,
    /// Nanoseconds of the path spent in this span's own work (children excluded).
    pub self_ns: i64,
    /// Those intervals, as offsets from the trace start, for drawing.
    pub segments: Vec<(i64, i64)>,
}

/// The path, in tree order (root first), each span once.
pub fn critical_path(rows: &[Row]) -> Vec<CriticalStep> {
    let mut children: Vec<Vec<u32>> = vec![Vec::new(); rows.len()];
    for (i, r) in rows.iter().enumerate() {
        if let Some(p) = r.parent {
            children[p as usize].push(i as u32);
        }
    }
    // Start from the top-level span that ended last (usually the only root).
    let Some(root) = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.parent.is_none())
        .max_by_key(|(i, r)| (r.offset_ns + r.duration_ns, std::cmp::Reverse(*i)))
        .map(|(i, _)| i as u32)
    else {
        return Vec::new();
    };
    let mut steps: Vec<CriticalStep> = Vec::new();
    // An explicit stack: (span, cursor) pairs still to walk; deep traces must not
    // overflow the call stack.
    let mut stack = vec![(root, end(&rows[root as usize]))];
    while let Some((span, cursor)) = stack.pop() {
        let r = &rows[span as usize];
        let mut cursor = cursor.min(end(r));
        let mut own = Vec::new();
        let mut kids: Vec<u32> = children[span as usize].clone();
        kids.sort_by_key(|&c| std::cmp::Reverse((end(&rows[c as usize]), rows[c as usize].offset_ns)));
        for c in kids {
            let child = &rows[c as usize];
            if end(child) > cursor || end(child) <= r.offset_ns {
                continue; // overlapped the path, outlived the parent, or ended before it began
            }
            if end(child) < cursor {
                own.push((end(child), cursor));
            }
            stack.push((c, end(child)));
            cursor = child.offset_ns.max(r.offset_ns);
        }
        if r.offset_ns < cursor {
            own.push((r.offset_ns, cursor));
        }
        own.reverse();
        steps.push(CriticalStep { row: span, self_ns: own.iter().map(|(s, e)| e - s).sum(), segments: own });
    }
    steps.sort_by_key(|s| s.row);
    steps
}

fn end(r: &Row) -> i64 {
    r.offset_ns + r.duration_ns
}
