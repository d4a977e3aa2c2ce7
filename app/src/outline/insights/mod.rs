//! Trace insights: what made this trace slow, in sentences, each with a fix an
//! experienced engineer would try first.
//!
//! Everything here reads the laid-out trace only (rows, time by kind, the critical
//! path), so it runs wherever the outline is built and is tested without a store.
//! Findings come most costly first; their numbers are kept as data for the API.

mod cost;
mod patterns;
mod quotes;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use quotes::quote_logs;

use super::{Outline, Row, Usual};
use crate::format::duration;
use crate::model::StepKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// One step on the critical path took a large share of the trace.
    DominantStep,
    /// A step was called again after it failed.
    Retry,
    /// One kind of step (model calls, tools, …) took most of the time.
    KindShare,
    /// The same steps repeated in a row.
    Loop,
    /// Calls that ran one after another and could have run together.
    SequentialTools,
    /// The same prompt sent to a model more than once.
    RepeatedPrompt,
    /// The root spent much of the time in its own code between steps.
    RootSelfTime,
    /// A step took several times its usual p95.
    SlowerThanUsual,
    /// One model call's input is most of what the trace cost.
    PromptCost,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: FindingKind,
    /// The spans it is about, most important first.
    pub span_ids: Vec<String>,
    /// Its numbers by name (`duration_ns`, `share`, `count`, `saving_ns`, …).
    pub numbers: BTreeMap<String, f64>,
    /// What happened, in one sentence; span names in backticks.
    pub text: String,
    /// What to try.
    pub fix: String,
}

/// How many findings a trace gets at most: the page should stay a summary.
const MOST: usize = 6;

/// The findings for a laid-out trace; `prompts[i]` and `steps[i]` are row i's
/// prompt hash and step; `usual` says how steps performed in other traces.
pub fn find(o: &Outline, prompts: &[Option<String>], steps: &[String], usual: &Usual) -> Vec<Finding> {
    let total = o.duration_ns.max(1) as f64;
    let mut found: Vec<(i64, Finding)> = Vec::new();
    let retries = patterns::retries(&o.rows);
    let dominant = dominant_step(o);
    for group in &retries {
        found.push(patterns::retry_finding(o, group, dominant.filter(|d| group.attempts.contains(d))));
    }
    if let Some(d) = dominant.filter(|d| !retries.iter().any(|g| g.attempts.contains(d))) {
        let r = &o.rows[d as usize];
        let own = o.critical_path.iter().find(|s| s.row == d).map_or(0, |s| s.self_ns);
        let share = own as f64 / total;
        found.push((
            own,
            Finding {
                kind: FindingKind::DominantStep,
                span_ids: vec![r.span_id.clone()],
                numbers: numbers(&[("duration_ns", r.duration_ns as f64), ("critical_ns", own as f64), ("share", share)]),
                text: format!("`{}` took {} ({:.0}% of the trace).", r.name, duration(r.duration_ns), share * 100.0),
                fix: patterns::fix_for_slow_step(r),
            },
        ));
    }
    if let Some(f) = kind_share(o, total, dominant) {
        found.push(f);
    }
    found.extend(patterns::loops(o));
    found.extend(patterns::sequential_tools(o, &retries));
    found.extend(patterns::repeated_prompts(o, prompts));
    found.extend(slower_than_usual(o, steps, usual));
    found.extend(cost::prompt_dominates_cost(o));
    if let Some(f) = root_self_time(o, total) {
        found.push(f);
    }
    found.sort_by_key(|f| std::cmp::Reverse(f.0));
    found.into_iter().take(MOST).map(|(_, f)| f).collect()
}

/// The critical-path step (not the root, unless it is alone) with the most own time,
/// when it is at least 30% of the trace.
fn dominant_step(o: &Outline) -> Option<u32> {
    let total = o.duration_ns.max(1) as f64;
    let root = o.critical_path.first().map(|s| s.row);
    o.critical_path
        .iter()
        .filter(|s| Some(s.row) != root || o.critical_path.len() == 1)
        .max_by_key(|s| s.self_ns)
        .filter(|s| s.self_ns as f64 / total >= 0.3 && o.rows.len() > 1)
        .map(|s| s.row)
}

/// "3 model calls took 71% of the time", when one kind of work is most of the trace
/// (and not almost all one dominant step, which has its own sentence).
fn kind_share(o: &Outline, total: f64, dominant: Option<u32>) -> Option<(i64, Finding)> {
    let top = o.by_kind.first()?;
    if let Some(d) = dominant.filter(|&d| o.rows[d as usize].kind == top.kind) {
        let own = o.critical_path.iter().find(|s| s.row == d).map_or(0, |s| s.self_ns);
        if own * 5 >= top.wall_ns * 4 {
            return None;
        }
    }
    let share = top.wall_ns as f64 / total;
    let (what, fix) = match top.kind {
        StepKind::Llm => (
            "model call",
            "Send simple steps to a smaller, faster model, stream responses the user waits on, and trim input tokens (long histories and retrieved context cost time as well as money).",
        ),
        StepKind::Tool => ("tool call", "Cache tool results that repeat, give tools timeouts, and run independent calls in parallel."),
        StepKind::Retrieval | StepKind::Embedding => (
            "retrieval step",
            "Cache embeddings of repeated queries, lower top-k, and check the vector index is warm and sized for the data.",
        ),
        _ => return None,
    };
    if share < 0.5 || o.rows.len() < 2 {
        return None;
    }
    let n = top.spans;
    Some((
        top.wall_ns,
        Finding {
            kind: FindingKind::KindShare,
            span_ids: vec![o.rows[top.slowest as usize].span_id.clone()],
            numbers: numbers(&[("wall_ns", top.wall_ns as f64), ("share", share), ("count", n as f64)]),
            text: format!(
                "{n} {what}{} took {:.0}% of the time ({}).",
                if n == 1 { "" } else { "s" },
                share * 100.0,
                duration(top.wall_ns)
            ),
            fix: fix.to_string(),
        },
    ))
}

/// The root's own work between its children, when it is a fifth of the trace or more.
fn root_self_time(o: &Outline, total: f64) -> Option<(i64, Finding)> {
    let step = o.critical_path.first()?;
    let root: &Row = &o.rows[step.row as usize];
    let share = step.self_ns as f64 / total;
    if root.descendants == 0 || share < 0.2 {
        return None;
    }
    Some((
        step.self_ns,
        Finding {
            kind: FindingKind::RootSelfTime,
            span_ids: vec![root.span_id.clone()],
            numbers: numbers(&[("self_ns", step.self_ns as f64), ("share", share)]),
            text: format!(
                "`{}` spent {} ({:.0}%) in its own code between steps, with no child span running.",
                root.name,
                duration(step.self_ns),
                share * 100.0
            ),
            fix: "Profile the code between steps (parsing, serialization, waiting on locks or queues), or add spans around it to see where that time goes.".into(),
        },
    ))
}

/// Spans on the critical path that took several times their step's usual p95.
fn slower_than_usual(o: &Outline, steps: &[String], usual: &Usual) -> Vec<(i64, Finding)> {
    /// How many times its p95 a span must take, and how many earlier spans the p95
    /// must rest on, before it counts as unusual.
    const RATIO: f64 = 2.5;
    const SAMPLES: i64 = 20;
    let total = o.duration_ns.max(1);
    o.critical_path
        .iter()
        .filter(|s| s.self_ns * 20 >= total) // matters: at least 5% of the trace
        .filter_map(|s| {
            let r = &o.rows[s.row as usize];
            let u = usual.get(&(r.kind, steps.get(s.row as usize)?.clone()))?;
            let ratio = r.duration_ns as f64 / u.p95_ns.max(1) as f64;
            (u.count >= SAMPLES && ratio >= RATIO).then(|| {
                let fix = match r.kind {
                    StepKind::Retrieval | StepKind::Embedding => "Compare with a fast run of this step: a cold index or cache, a larger top-k or a slow filter are the usual causes; check the vector store's health at this time.".to_string(),
                    StepKind::Llm => format!("Check the provider's status and rate limits at this time, and the input size ({} tokens in): a long prompt or a slow region explains most outliers.", crate::format::count(r.tokens.input)),
                    StepKind::Tool => "Check the tool's backend at this time (errors, saturation, cold starts) and give the call a timeout near its usual p95 with a fallback.".to_string(),
                    _ => "Compare with a fast run of the same step, and add spans inside it to see which part was slow this time.".to_string(),
                };
                (
                    r.duration_ns - u.p95_ns,
                    Finding {
                        kind: FindingKind::SlowerThanUsual,
                        span_ids: vec![r.span_id.clone()],
                        numbers: numbers(&[("duration_ns", r.duration_ns as f64), ("usual_p95_ns", u.p95_ns as f64), ("ratio", ratio), ("samples", u.count as f64)]),
                        text: format!(
                            "`{}` took {}, {:.1}× its usual p95 ({} over {} earlier spans).",
                            r.name,
                            duration(r.duration_ns),
                            ratio,
                            duration(u.p95_ns),
                            crate::format::count(u.count)
                        ),
                        fix,
                    },
                )
            })
        })
        .collect()
}

fn numbers(pairs: &[(&str, f64)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[cfg(test)]
mod tests;
