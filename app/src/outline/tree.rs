//! Tree order for a trace's spans: children under their parent, siblings by start.
//!
//! Spans arrive in any order and traces may be incomplete or hostile, so: a span
//! whose parent is missing becomes a root (and is counted as an orphan), and spans
//! caught in a parent cycle are broken out as roots rather than lost or looped over.

use std::collections::HashMap;

use super::SpanHead;

/// Where a span sits in the tree.
pub struct Place {
    pub depth: u32,
    pub parent: Option<u32>,
    pub descendants: u32,
}

/// The spans in pre-order with their places, and how many name a parent that is
/// not stored (or sit on a parent cycle).
pub fn lay_out(mut spans: Vec<SpanHead>) -> (Vec<(SpanHead, Place)>, u32) {
    spans.sort_by(|a, b| (a.start_ns, &a.span_id).cmp(&(b.start_ns, &b.span_id)));
    let index: HashMap<&str, usize> = spans.iter().enumerate().map(|(i, s)| (s.span_id.as_str(), i)).collect();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); spans.len()];
    let mut roots = Vec::new();
    let mut orphans = 0;
    for (i, s) in spans.iter().enumerate() {
        match s.parent_span_id.as_deref().map(|p| index.get(p)) {
            Some(Some(&p)) if p != i => children[p].push(i),
            None => roots.push(i),
            Some(_) => {
                orphans += 1;
                roots.push(i);
            }
        }
    }
    // Pre-order walk; `order[k]` is the span at row k.
    let mut order: Vec<usize> = Vec::with_capacity(spans.len());
    let mut row_of: Vec<Option<u32>> = vec![None; spans.len()];
    let mut places: Vec<Place> = Vec::with_capacity(spans.len());
    let walk = |root: usize, order: &mut Vec<usize>, places: &mut Vec<Place>, row_of: &mut Vec<Option<u32>>| {
        // Stack of (span, parent row, depth); children pushed in reverse for start order.
        let mut stack = vec![(root, None::<u32>, 0u32)];
        while let Some((i, parent, depth)) = stack.pop() {
            if row_of[i].is_some() {
                continue;
            }
            row_of[i] = Some(order.len() as u32);
            order.push(i);
            places.push(Place { depth, parent, descendants: 0 });
            let me = row_of[i];
            for &c in children[i].iter().rev() {
                stack.push((c, me, depth + 1));
            }
        }
    };
    for &r in &roots {
        walk(r, &mut order, &mut places, &mut row_of);
    }
    // Whatever a root walk never reached sits on a parent cycle.
    for i in 0..spans.len() {
        if row_of[i].is_none() {
            orphans += 1;
            walk(i, &mut order, &mut places, &mut row_of);
        }
    }
    // Subtree sizes, children before parents (reverse pre-order).
    for k in (0..places.len()).rev() {
        if let Some(p) = places[k].parent {
            places[p as usize].descendants += places[k].descendants + 1;
        }
    }
    let mut slots: Vec<Option<SpanHead>> = spans.into_iter().map(Some).collect();
    let laid = order.into_iter().zip(places).map(|(i, place)| (slots[i].take().expect("each span once"), place)).collect();
    (laid, orphans)
}
