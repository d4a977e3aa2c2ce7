//! The patterns behind the findings: retries, loops, calls that could have run in
//! parallel, and prompts sent twice.

use std::collections::{BTreeMap, HashSet};

use super::{Finding, FindingKind, numbers};
use crate::format::{count, duration};
use crate::model::StepKind;
use crate::outline::{Outline, Row};

/// Calls of one step under one parent, each started after the previous one failed.
pub struct RetryGroup {
    /// Rows in order: failed attempts, then the last attempt (which may have worked).
    pub attempts: Vec<u32>,
}

/// Direct children of each row, in start order; roots under `None` (index `len`).
fn siblings(rows: &[Row]) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = vec![Vec::new(); rows.len() + 1];
    for (i, r) in rows.iter().enumerate() {
        out[r.parent.map_or(rows.len(), |p| p as usize)].push(i as u32);
    }
    out
}

fn end(r: &Row) -> i64 {
    r.offset_ns + r.duration_ns
}

pub fn retries(rows: &[Row]) -> Vec<RetryGroup> {
    let mut groups = Vec::new();
    for kids in siblings(rows) {
        let mut open: BTreeMap<(StepKind, &str), Vec<u32>> = BTreeMap::new();
        for &k in &kids {
            let r = &rows[k as usize];
            let key = (r.kind, r.name.as_str());
            let last = open.get(&key).and_then(|g| g.last()).map(|&l| &rows[l as usize]);
            match last {
                Some(l) if l.error && r.offset_ns >= end(l) => open.get_mut(&key).expect("open").push(k),
                _ => {
                    if let Some(done) = open.insert(key, vec![k]) {
                        groups.push(done);
                    }
                }
            }
        }
        groups.extend(open.into_values());
    }
    groups.retain(|g| g.len() >= 2);
    groups.sort();
    groups.into_iter().map(|attempts| RetryGroup { attempts }).collect()
}

pub fn retry_finding(o: &Outline, g: &RetryGroup, dominant: Option<u32>) -> (i64, Finding) {
    let total = o.duration_ns.max(1) as f64;
    let rows: Vec<&Row> = g.attempts.iter().map(|&a| &o.rows[a as usize]).collect();
    let (last, failed) = rows.split_last().expect("a group has two attempts or more");
    let wasted: i64 = failed.iter().map(|r| r.duration_ns).sum();
    let retried = match failed.len() {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        n => format!("{n} times"),
    };
    let message = failed.last().and_then(|r| r.message.clone()).unwrap_or_default();
    let lower = message.to_lowercase();
    let (cause, fix) = if lower.contains("timeout") || lower.contains("timed out") {
        let what = last.tool.clone().unwrap_or_else(|| last.name.clone());
        (
            "after a timeout".to_string(),
            format!(
                "Give `{what}` a timeout close to its normal latency (the attempt that worked took {}, the one that failed waited {}) and a fallback, so a hung call costs far less than waiting it out.",
                duration(last.duration_ns),
                duration(failed.last().map_or(0, |r| r.duration_ns))
            ),
        )
    } else if lower.contains("429") || lower.contains("rate limit") {
        (
            "after being rate-limited".to_string(),
            "Back off with jitter and honour Retry-After, spread the load (a queue, lower concurrency), or raise the provider's rate limit.".to_string(),
        )
    } else {
        (
            if message.is_empty() { "after an error".to_string() } else { format!("after an error ({message})") },
            "Retry only errors that are transient, with backoff, and fix the cause of the failure.".to_string(),
        )
    };
    let name = &rows[0].name;
    let mut nums = vec![("attempts", rows.len() as f64), ("failed_ns", wasted as f64)];
    let (impact, text) = match dominant {
        Some(d) => {
            let r = &o.rows[d as usize];
            let own = o.critical_path.iter().find(|s| s.row == d).map_or(0, |s| s.self_ns);
            nums.push(("share", own as f64 / total));
            nums.push(("duration_ns", r.duration_ns as f64));
            (
                own.max(wasted),
                format!(
                    "`{}` took {} ({:.0}% of the trace) and was retried {retried} {cause}.",
                    r.name,
                    duration(r.duration_ns),
                    own as f64 / total * 100.0
                ),
            )
        }
        None => (wasted, format!("`{name}` was retried {retried} {cause}; the failed attempts cost {}.", duration(wasted))),
    };
    let span_ids = g.attempts.iter().map(|&a| o.rows[a as usize].span_id.clone()).collect();
    (impact, Finding { kind: FindingKind::Retry, span_ids, numbers: numbers(&nums), text, fix })
}

/// What to try for one slow step, by its kind.
pub fn fix_for_slow_step(r: &Row) -> String {
    match r.kind {
        StepKind::Tool => format!(
            "Give `{}` a timeout and a fallback, cache its results when the inputs repeat, and do not wait for it if the answer is not needed yet.",
            r.tool.as_deref().unwrap_or(&r.name)
        ),
        StepKind::Llm => {
            format!("Try a smaller or faster model for this step, stream its output, or cut its {} input tokens.", count(r.tokens.input))
        }
        StepKind::Retrieval | StepKind::Embedding => {
            "Lower top-k, cache embeddings of repeated queries, and check the index is warm.".into()
        }
        _ => "Add spans inside this step to see which part of it is slow.".into(),
    }
}

/// The same step, or the same few steps, three or more times in a row under one parent.
pub fn loops(o: &Outline) -> Vec<(i64, Finding)> {
    let mut found = Vec::new();
    for (parent, kids) in siblings(&o.rows).into_iter().enumerate() {
        let names: Vec<&str> = kids.iter().map(|&k| o.rows[k as usize].name.as_str()).collect();
        // Best (children covered, start, period, repeats) over periods of 1 to 4 steps.
        let mut best: Option<(usize, usize, usize, usize)> = None;
        for period in 1..=4usize {
            let mut i = 0;
            while i + 2 * period <= names.len() {
                let mut reps = 1;
                while i + (reps + 1) * period <= names.len() && names[i + reps * period..i + (reps + 1) * period] == names[i..i + period] {
                    reps += 1;
                }
                // A run of one step over and over is a loop only if it did not fail (those are retries).
                let failing = period == 1 && kids[i..i + reps].iter().any(|&k| o.rows[k as usize].error);
                if reps >= 3 && !failing && best.is_none_or(|b| reps * period > b.0) {
                    best = Some((reps * period, i, period, reps));
                }
                i += if reps >= 3 { reps * period } else { 1 };
            }
        }
        let Some((covered, start, period, reps)) = best else { continue };
        let block: Vec<&Row> = kids[start..start + covered].iter().map(|&k| &o.rows[k as usize]).collect();
        let spent = end(block.last().expect("a block")) - block[0].offset_ns;
        let steps = names[start..start + period].iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(" → ");
        let under = o.rows.get(parent).map(|p| format!(" under `{}`", p.name)).unwrap_or_default();
        found.push((
            spent,
            Finding {
                kind: FindingKind::Loop,
                span_ids: block.iter().map(|r| r.span_id.clone()).collect(),
                numbers: numbers(&[("repeats", reps as f64), ("period", period as f64), ("duration_ns", spent as f64)]),
                text: format!("{steps} ran {reps} times in a row{under} ({} in all).", duration(spent)),
                fix: "Check the loop's exit condition and cap its iterations; if each round gets the same result, stop early or cache it."
                    .into(),
            },
        ));
    }
    found
}

/// Runs of two or more tool calls under one parent, one after another with nothing
/// else between them, that would take less time together (when independent).
pub fn sequential_tools(o: &Outline, retries: &[RetryGroup]) -> Vec<(i64, Finding)> {
    let retried: HashSet<u32> = retries.iter().flat_map(|g| g.attempts.iter().copied()).collect();
    let mut found = Vec::new();
    for (parent, kids) in siblings(&o.rows).into_iter().enumerate() {
        let mut run: Vec<u32> = Vec::new();
        let flush = |run: &mut Vec<u32>, found: &mut Vec<(i64, Finding)>| {
            if run.len() >= 2 {
                let rows: Vec<&Row> = run.iter().map(|&k| &o.rows[k as usize]).collect();
                let sum: i64 = rows.iter().map(|r| r.duration_ns).sum();
                let longest = rows.iter().map(|r| r.duration_ns).max().unwrap_or(0);
                let saving = sum - longest;
                if saving as f64 >= 0.1 * o.duration_ns as f64 {
                    let names = rows.iter().map(|r| format!("`{}`", r.name)).collect::<Vec<_>>().join(", ");
                    let under = o.rows.get(parent).map(|p| format!(" under `{}`", p.name)).unwrap_or_default();
                    found.push((
                        saving,
                        Finding {
                            kind: FindingKind::SequentialTools,
                            span_ids: rows.iter().map(|r| r.span_id.clone()).collect(),
                            numbers: numbers(&[("count", rows.len() as f64), ("sum_ns", sum as f64), ("saving_ns", saving as f64)]),
                            text: format!("{} tool calls ran one after another{under} ({names}), {} in all.", rows.len(), duration(sum)),
                            fix: format!(
                                "If they do not need each other's results, run them concurrently (parallel tool calls, asyncio.gather, Promise.all): about {} instead of {}.",
                                duration(longest),
                                duration(sum)
                            ),
                        },
                    ));
                }
            }
            run.clear();
        };
        for &k in &kids {
            let r = &o.rows[k as usize];
            let follows = run.last().is_none_or(|&l| r.offset_ns >= end(&o.rows[l as usize]));
            if r.kind == StepKind::Tool && !retried.contains(&k) && follows {
                run.push(k);
            } else {
                flush(&mut run, &mut found);
                if r.kind == StepKind::Tool && !retried.contains(&k) {
                    run.push(k);
                }
            }
        }
        flush(&mut run, &mut found);
    }
    found
}

/// Model calls whose input hashed the same: the same prompt sent more than once.
pub fn repeated_prompts(o: &Outline, prompts: &[Option<String>]) -> Vec<(i64, Finding)> {
    let mut by_hash: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
    for (i, h) in prompts.iter().enumerate() {
        if let Some(h) = h {
            by_hash.entry(h.as_str()).or_default().push(i as u32);
        }
    }
    by_hash
        .into_values()
        .filter(|rows| rows.len() >= 2)
        .map(|group| {
            let rows: Vec<&Row> = group.iter().map(|&k| &o.rows[k as usize]).collect();
            let again = &rows[1..];
            let saved: i64 = again.iter().map(|r| r.duration_ns).sum();
            let tokens: i64 = again.iter().map(|r| r.tokens.total.max(r.tokens.input + r.tokens.output)).sum();
            let n = rows.len();
            (
                saved,
                Finding {
                    kind: FindingKind::RepeatedPrompt,
                    span_ids: rows.iter().map(|r| r.span_id.clone()).collect(),
                    numbers: numbers(&[("count", n as f64), ("saving_ns", saved as f64), ("tokens", tokens as f64)]),
                    text: format!("The same prompt went to the model {n} times (`{}`), {} after the first.", rows[0].name, duration(saved)),
                    fix: format!(
                        "Cache the answer by prompt hash, or reuse the first response within the run: the inputs were identical, so {} call{} ({}, {} tokens) could be saved.",
                        n - 1,
                        if n == 2 { "" } else { "s" },
                        duration(saved),
                        count(tokens)
                    ),
                },
            )
        })
        .collect()
}
