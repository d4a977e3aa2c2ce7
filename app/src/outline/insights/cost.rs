//! "This prompt is most of what the trace cost": one model call that is most of
//! the trace's cost, with input tokens far above its output.

use super::{Finding, FindingKind, numbers};
use crate::format::{count, usd};
use crate::outline::Outline;

/// A call must be this share of the trace's cost, and its input this many times its
/// output, with at least `MIN_INPUT` input tokens. At the usual 3–5× output-to-input
/// price ratio, input ≥ 10× output means the input is over two thirds of its cost.
const SHARE: f64 = 0.5;
const INPUT_OVER_OUTPUT: i64 = 10;
const MIN_INPUT: i64 = 2_000;

pub fn prompt_dominates_cost(o: &Outline) -> Option<(i64, Finding)> {
    if o.cost_usd <= 0.0 {
        return None;
    }
    let (row, cost) = o.rows.iter().filter_map(|r| Some((r, r.cost_usd?))).max_by(|a, b| a.1.total_cmp(&b.1))?;
    let share = cost / o.cost_usd;
    let t = row.tokens;
    if share < SHARE || t.input < MIN_INPUT || t.input < INPUT_OVER_OUTPUT * t.output.max(1) {
        return None;
    }
    let calls = o.rows.iter().filter(|r| r.cost_usd.is_some()).count();
    let of_trace = if calls == 1 {
        "the trace's only priced model call".to_string()
    } else {
        format!("{:.0}% of the trace's {}", share * 100.0, usd(o.cost_usd))
    };
    Some((
        (row.duration_ns as f64 * share) as i64,
        Finding {
            kind: FindingKind::PromptCost,
            span_ids: vec![row.span_id.clone()],
            numbers: numbers(&[
                ("cost_usd", cost),
                ("share", share),
                ("trace_cost_usd", o.cost_usd),
                ("input_tokens", t.input as f64),
                ("output_tokens", t.output as f64),
            ]),
            text: format!(
                "`{}` cost {} ({of_trace}), and its input is most of that: {} tokens in for {} out.",
                row.name,
                usd(cost),
                count(t.input),
                count(t.output)
            ),
            fix: "Trim the prompt: keep a window or a summary of the conversation instead of all of it, send fewer and shorter retrieved passages (re-rank, then lower top-k), and put fixed instructions in a cached prefix so repeated input is billed at the cache price.".into(),
        },
    ))
}
