//! The time axis over the waterfall: round-numbered ticks and the grid lines under
//! the bars, both placed as percentages of the trace's duration.

use leptos::prelude::*;

use crate::format;

/// Tick offsets (ns) and their left positions (%) for a trace of `duration_ns`.
pub fn tick_marks(duration_ns: i64) -> Vec<(i64, f64)> {
    let d = duration_ns.max(1) as f64;
    format::ticks(duration_ns, 8).into_iter().map(|t| (t, t as f64 / d * 100.0)).collect()
}

#[component]
pub fn Ruler(duration_ns: i64) -> impl IntoView {
    view! {
        <div class="ruler" data-testid="ruler">
            {tick_marks(duration_ns)
                .into_iter()
                // A label too near the right edge would collide with the one before.
                .filter(|(_, left)| *left <= 93.0)
                .map(|(t, left)| {
                    let text = if t == 0 { "0".to_string() } else { format::duration(t) };
                    view! { <span class="tick mono" style=format!("left: {left:.3}%")>{text}</span> }
                })
                .collect_view()}
        </div>
    }
}

#[component]
pub fn Grid(duration_ns: i64) -> impl IntoView {
    view! {
        <div class="wf-grid" aria-hidden="true">
            {tick_marks(duration_ns)
                .into_iter()
                .map(|(_, left)| view! { <span style=format!("left: {left:.3}%")></span> })
                .collect_view()}
        </div>
    }
}
