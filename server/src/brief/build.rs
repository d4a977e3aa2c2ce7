//! [`build`]: the brief's sections from a laid-out trace.

use std::collections::HashMap;

use app::model::{ExceptionInfo, StepKind};
use app::outline::{Outline, PathStep};

use super::fold::{self, Budget};
use super::model::{Brief, FailingSpan, KindLine, PathStepGroup, SpanLine};
use crate::domain::step::step_name;

/// How many lines each list section holds at most.
const PATH_STEPS: usize = 12;
const PATH_GROUPS: usize = 8;
const SLOWEST: usize = 8;
pub(super) const FAILING: usize = 10;
/// Span ids listed per kind of failure.
const FAILING_IDS: usize = 5;

/// What the brief needs besides the outline.
pub struct Facts {
    /// Loupe's public address, for links (`http://127.0.0.1:4318`).
    pub public_url: String,
    /// `hashed` or `captured`.
    pub content_policy: &'static str,
    /// The exception of each failing span that recorded one, by span id (the
    /// caller reads the first [`failing_ids`] only).
    pub exceptions: HashMap<String, ExceptionInfo>,
    /// The trace's first warnings and errors logged, in time order (the caller
    /// reads the first [`super::QUOTED_LOGS`]).
    pub logs: Vec<app::model::logs::LogView>,
}

/// The span ids whose exceptions the brief shows: the first of each kind of
/// failure it lists.
pub fn failing_ids(o: &Outline) -> Vec<String> {
    failures(o).into_iter().map(|rows| o.rows[rows[0]].span_id.clone()).collect()
}

/// Failed rows by name and status message, in order of first failure: the first
/// [`FAILING`] kinds of failure.
fn failures(o: &Outline) -> Vec<Vec<usize>> {
    let mut at: HashMap<(&str, Option<&str>), usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, r) in o.rows.iter().enumerate().filter(|(_, r)| r.error) {
        match at.get(&(r.name.as_str(), r.message.as_deref())) {
            Some(&g) => groups[g].push(i),
            None if groups.len() < FAILING => {
                at.insert((r.name.as_str(), r.message.as_deref()), groups.len());
                groups.push(vec![i]);
            }
            None => {}
        }
    }
    groups
}

/// A long critical path summed by step, most time first.
fn path_by_step(o: &Outline, total: f64) -> Vec<PathStepGroup> {
    if o.critical_path.len() <= PATH_STEPS {
        return Vec::new();
    }
    let mut at: HashMap<(StepKind, String), usize> = HashMap::new();
    let mut groups: Vec<(PathStepGroup, i64)> = Vec::new();
    for s in &o.critical_path {
        let r = &o.rows[s.row as usize];
        let key = (r.kind, step_name(&r.name));
        let g = *at.entry(key.clone()).or_insert_with(|| {
            let group = PathStepGroup { step: key.1, kind: key.0, count: 0, self_ns: 0, share: 0.0, longest_span_id: r.span_id.clone() };
            groups.push((group, -1));
            groups.len() - 1
        });
        let (group, longest) = &mut groups[g];
        group.count += 1;
        group.self_ns += s.self_ns;
        if s.self_ns > *longest {
            *longest = s.self_ns;
            group.longest_span_id = r.span_id.clone();
        }
    }
    let mut groups: Vec<PathStepGroup> = groups.into_iter().map(|(g, _)| g).collect();
    groups.sort_by(|a, b| b.self_ns.cmp(&a.self_ns).then(a.step.cmp(&b.step)));
    groups.retain(|g| g.self_ns > 0);
    groups.truncate(PATH_GROUPS);
    for g in &mut groups {
        g.share = g.self_ns as f64 / total;
    }
    groups
}

pub fn build(o: &Outline, facts: Facts) -> Brief {
    build_within(o, facts, Budget::default())
}

pub(super) fn build_within(o: &Outline, mut facts: Facts, budget: Budget) -> Brief {
    let total = o.duration_ns.max(1) as f64;
    let root = o.rows.first();
    let mut path: Vec<(usize, PathStep)> = o.insights().critical_path.into_iter().enumerate().collect();
    // The longest steps of the path, kept in path order.
    path.sort_by(|a, b| b.1.self_ns.cmp(&a.1.self_ns).then(a.0.cmp(&b.0)));
    let more: Vec<(usize, PathStep)> = path.split_off(path.len().min(PATH_STEPS));
    path.sort_by_key(|p| p.0);
    let mut slowest: Vec<usize> = (0..o.rows.len()).filter(|&i| o.rows[i].parent.is_some()).collect();
    slowest.sort_by(|&a, &b| o.rows[b].duration_ns.cmp(&o.rows[a].duration_ns).then(a.cmp(&b)));
    slowest.truncate(SLOWEST);
    let link = format!("{}/traces/{}", facts.public_url.trim_end_matches('/'), o.trace_id);
    Brief {
        trace_id: o.trace_id.clone(),
        link,
        root_name: root.map(|r| r.name.clone()).unwrap_or_default(),
        service: root.map(|r| o.services[r.service as usize].clone()).unwrap_or_default(),
        services: o.services.clone(),
        start_ns: o.start_ns,
        duration_ns: o.duration_ns,
        spans: o.rows.len() as u32,
        errors: o.errors,
        orphans: o.orphans,
        tokens: o.tokens,
        cost_usd: o.cost_usd,
        model_calls: o.rows.iter().filter(|r| r.kind == StepKind::Llm && (!r.tokens.is_zero() || r.model.is_some())).count() as u32,
        unpriced: o.unpriced,
        content_policy: facts.content_policy,
        findings: o.findings.clone(),
        critical_path: path.into_iter().map(|p| p.1).collect(),
        critical_path_more: more.len() as u32,
        critical_path_more_ns: more.iter().map(|p| p.1.self_ns).sum(),
        critical_steps: path_by_step(o, total),
        by_kind: o
            .by_kind
            .iter()
            .map(|k| KindLine { kind: k.kind, wall_ns: k.wall_ns, share: k.wall_ns as f64 / total, spans: k.spans })
            .collect(),
        slowest: slowest
            .into_iter()
            .map(|i| {
                let r = &o.rows[i];
                SpanLine {
                    span_id: r.span_id.clone(),
                    name: r.name.clone(),
                    kind: r.kind,
                    duration_ns: r.duration_ns,
                    error: r.error,
                    message: r.message.clone(),
                }
            })
            .collect(),
        failing: failures(o)
            .into_iter()
            .map(|rows| {
                let r = &o.rows[rows[0]];
                FailingSpan {
                    span_ids: rows.iter().take(FAILING_IDS).map(|&i| o.rows[i].span_id.clone()).collect(),
                    count: rows.len() as u32,
                    name: r.name.clone(),
                    kind: r.kind,
                    duration_ns: rows.iter().map(|&i| o.rows[i].duration_ns).max().unwrap_or(0),
                    message: r.message.clone(),
                    exception: facts.exceptions.remove(&r.span_id),
                }
            })
            .collect(),
        failing_total: o.errors,
        logged: super::logs::lines(o, &facts.logs),
        logged_total: o.logs.warnings + o.logs.errors,
        outline: fold::outline(o, budget),
    }
}
