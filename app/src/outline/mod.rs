//! A trace laid out for the waterfall: spans in tree order with depth, parent and
//! subtree size, offsets on the trace's time axis, and the summary above it.
//!
//! Built on the server from the spans' hot columns (never their attribute JSON), so
//! a 10,000-span trace crosses to the browser as one compact list the page can
//! window over without building a tree itself.

mod critical;
mod insights;
mod logs;
mod row;
mod time_by_kind;
mod tree;

pub use critical::CriticalStep;
pub use insights::{Finding, FindingKind};
pub use logs::{LogHead, LogMark, LogSummary};
pub use row::Row;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::model::{StepKind, Tokens};

/// What the waterfall needs of one span, as stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SpanHead {
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub name: String,
    pub kind: StepKind,
    pub service: String,
    pub start_ns: i64,
    pub end_ns: i64,
    pub error: bool,
    pub tokens: Tokens,
    /// Response model, else request model.
    pub model: Option<String>,
    pub tool: Option<String>,
    /// The status message of a failed span.
    pub message: Option<String>,
    /// Keyed hash of a model call's input (prompt and instructions), to spot the same
    /// prompt sent twice; `None` for other spans or when no input was recorded.
    pub prompt_hash: Option<String>,
    /// The span's step (its name with numbers and ids folded), for "slower than usual".
    pub step: String,
    /// What a model call cost (`None` for other spans and unpriced calls).
    pub cost_usd: Option<f64>,
    /// A model call no price matched.
    pub unpriced: bool,
}

/// The distinct (kind, step) pairs of some spans: what to ask the rollup about.
pub fn steps_of(spans: &[SpanHead]) -> Vec<(StepKind, String)> {
    let set: HashSet<(StepKind, &str)> = spans.iter().map(|s| (s.kind, s.step.as_str())).collect();
    let mut steps: Vec<(StepKind, String)> = set.into_iter().map(|(k, s)| (k, s.to_string())).collect();
    steps.sort();
    steps
}

/// How a step usually performs (from the latency rollup), by kind and step.
pub type Usual = HashMap<(StepKind, String), UsualLatency>;

/// A step's p95 over a past window, and how many spans it is based on.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UsualLatency {
    pub p95_ns: i64,
    pub count: i64,
}

/// Wall-clock time that went to one step kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindTime {
    pub kind: StepKind,
    /// Time during which a span of this kind was doing its own work (no child of it
    /// running), with overlapping spans of the kind counted once.
    pub wall_ns: i64,
    pub spans: u32,
    /// Row index of the kind's longest span.
    pub slowest: u32,
}

/// `GET /api/traces/{trace_id}/insights`: the critical path and the findings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Insights {
    pub trace_id: String,
    pub duration_ns: i64,
    pub critical_path: Vec<PathStep>,
    pub findings: Vec<Finding>,
}

/// A span on the critical path and its share of the trace.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PathStep {
    pub span_id: String,
    pub name: String,
    pub kind: StepKind,
    /// Time on the path spent in this span's own work.
    pub self_ns: i64,
    /// `self_ns` as a fraction of the trace's duration.
    pub share: f64,
}

/// A whole trace, ready for the waterfall and its summary.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    pub trace_id: String,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub services: Vec<String>,
    pub rows: Vec<Row>,
    pub errors: u32,
    /// Summed over every span: model spans carry tokens, their parents do not.
    pub tokens: Tokens,
    /// Sum of the priced model calls, in USD.
    pub cost_usd: f64,
    /// Model calls no price matched (their cost is not in `cost_usd`).
    pub unpriced: u32,
    /// Largest first.
    pub by_kind: Vec<KindTime>,
    /// Spans whose parent is not (yet) stored; they are shown as roots.
    pub orphans: u32,
    /// The spans that determined the trace's end, root first.
    pub critical_path: Vec<CriticalStep>,
    /// What stands out, most important first, in plain language with a fix.
    pub findings: Vec<Finding>,
    /// The trace's log records: counts and marks ([`Outline::attach_logs`]).
    #[serde(default)]
    pub logs: LogSummary,
}

impl Outline {
    /// Lay out `spans` (any order). `None` when there are none.
    pub fn build(trace_id: String, spans: Vec<SpanHead>) -> Option<Outline> {
        Outline::build_with(trace_id, spans, &Usual::new())
    }

    /// [`Outline::build`], comparing steps with how they `usual`ly perform.
    pub fn build_with(trace_id: String, spans: Vec<SpanHead>, usual: &Usual) -> Option<Outline> {
        let start_ns = spans.iter().map(|s| s.start_ns).min()?;
        let end_ns = spans.iter().map(|s| s.end_ns.max(s.start_ns)).max()?;
        let (laid, orphans) = tree::lay_out(spans);
        let mut services: Vec<String> = Vec::new();
        let mut tokens = Tokens::default();
        let mut errors = 0;
        let (mut cost_usd, mut unpriced) = (0.0, 0);
        let mut prompts: Vec<Option<String>> = Vec::with_capacity(laid.len());
        let mut steps: Vec<String> = Vec::with_capacity(laid.len());
        let rows: Vec<Row> = laid
            .into_iter()
            .map(|(span, place)| {
                let service = match services.iter().position(|s| *s == span.service) {
                    Some(i) => i,
                    None => {
                        services.push(span.service.clone());
                        services.len() - 1
                    }
                };
                add_tokens(&mut tokens, &span.tokens);
                prompts.push(span.prompt_hash);
                steps.push(span.step);
                errors += span.error as u32;
                cost_usd += span.cost_usd.unwrap_or(0.0);
                unpriced += span.unpriced as u32;
                Row {
                    span_id: span.span_id,
                    name: span.name,
                    kind: span.kind,
                    service: service.min(u16::MAX as usize) as u16,
                    depth: place.depth,
                    parent: place.parent,
                    descendants: place.descendants,
                    offset_ns: span.start_ns - start_ns,
                    duration_ns: (span.end_ns - span.start_ns).max(0),
                    error: span.error,
                    tokens: span.tokens,
                    model: span.model,
                    tool: span.tool,
                    message: span.message,
                    cost_usd: span.cost_usd,
                    unpriced: span.unpriced,
                }
            })
            .collect();
        let by_kind = time_by_kind::time_by_kind(&rows);
        let critical_path = critical::critical_path(&rows);
        let mut outline = Outline {
            trace_id,
            start_ns,
            duration_ns: end_ns - start_ns,
            services,
            rows,
            errors,
            tokens,
            cost_usd,
            unpriced,
            by_kind,
            orphans,
            critical_path,
            findings: Vec::new(),
            logs: LogSummary::default(),
        };
        outline.findings = insights::find(&outline, &prompts, &steps, usual);
        Some(outline)
    }

    /// A trace of which only log records arrived: no rows, starting at its first record.
    pub fn logs_only(trace_id: String, start_ns: i64) -> Outline {
        let (rows, tokens) = (Vec::new(), Tokens::default());
        Outline {
            trace_id,
            start_ns,
            duration_ns: 0,
            services: Vec::new(),
            rows,
            errors: 0,
            tokens,
            cost_usd: 0.0,
            unpriced: 0,
            by_kind: Vec::new(),
            orphans: 0,
            critical_path: Vec::new(),
            findings: Vec::new(),
            logs: LogSummary::default(),
        }
    }

    /// Counts the trace's log records, marks each on its span's row, and
    /// quotes the warnings and errors in the findings they explain (once per outline).
    pub fn attach_logs(&mut self, logs: &[LogHead]) {
        self.logs = LogSummary::of(&self.rows, self.start_ns, logs);
        insights::quote_logs(&mut self.findings, &self.rows, logs);
    }

    /// The critical path and findings, as the API returns them.
    pub fn insights(&self) -> Insights {
        let total = self.duration_ns.max(1) as f64;
        let critical_path = self
            .critical_path
            .iter()
            .map(|s| {
                let r = &self.rows[s.row as usize];
                PathStep {
                    span_id: r.span_id.clone(),
                    name: r.name.clone(),
                    kind: r.kind,
                    self_ns: s.self_ns,
                    share: s.self_ns as f64 / total,
                }
            })
            .collect();
        Insights { trace_id: self.trace_id.clone(), duration_ns: self.duration_ns, critical_path, findings: self.findings.clone() }
    }

    /// Row index by span id (built once per page: selection and folds look rows up by id).
    pub fn index(&self) -> HashMap<String, u32> {
        self.rows.iter().enumerate().map(|(i, r)| (r.span_id.clone(), i as u32)).collect()
    }

    /// The rows shown when the subtrees under `collapsed` rows are folded away.
    pub fn visible(&self, collapsed: &HashSet<u32>) -> Vec<u32> {
        let mut out = Vec::with_capacity(self.rows.len());
        let mut i = 0usize;
        while i < self.rows.len() {
            out.push(i as u32);
            i += if collapsed.contains(&(i as u32)) { self.rows[i].descendants as usize + 1 } else { 1 };
        }
        out
    }

    /// The chain of parents above a row, nearest first.
    pub fn ancestors(&self, row: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut at = self.rows.get(row as usize).and_then(|r| r.parent);
        while let Some(p) = at {
            out.push(p);
            at = self.rows[p as usize].parent;
        }
        out
    }
}

fn add_tokens(sum: &mut Tokens, t: &Tokens) {
    sum.input += t.input;
    sum.output += t.output;
    sum.cache_read += t.cache_read;
    sum.cache_write += t.cache_write;
    sum.reasoning += t.reasoning;
    sum.total += t.total;
}

#[cfg(test)]
pub(crate) mod tests;
