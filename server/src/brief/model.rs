//! [`Brief`]: what the brief says, as data (`?format=json`); the Markdown is
//! rendered from it.

use serde::Serialize;

use app::model::{ExceptionInfo, StepKind, Tokens};
use app::outline::{Finding, PathStep};

#[derive(Clone, Debug, Serialize)]
pub struct Brief {
    pub trace_id: String,
    /// The trace page, on Loupe's public address.
    pub link: String,
    pub root_name: String,
    pub service: String,
    pub services: Vec<String>,
    pub start_ns: i64,
    pub duration_ns: i64,
    pub spans: u32,
    pub errors: u32,
    /// Spans whose parent has not arrived (shown as roots).
    pub orphans: u32,
    pub tokens: Tokens,
    pub cost_usd: f64,
    pub model_calls: u32,
    pub unpriced: u32,
    /// `hashed` (prompts and completions kept as keyed hashes) or `captured`.
    pub content_policy: &'static str,
    pub findings: Vec<Finding>,
    /// The longest steps of the critical path, in path order.
    pub critical_path: Vec<PathStep>,
    /// Steps of the path left out of `critical_path`, and their time.
    pub critical_path_more: u32,
    pub critical_path_more_ns: i64,
    /// A long path (a batch of cases) by step: what it waited for, summed.
    pub critical_steps: Vec<PathStepGroup>,
    pub by_kind: Vec<KindLine>,
    pub slowest: Vec<SpanLine>,
    /// Failed spans, alike ones (same name, message and exception) on one line.
    pub failing: Vec<FailingSpan>,
    /// All failed spans (`failing` holds the first few kinds).
    pub failing_total: u32,
    /// The first warnings and errors the trace logged, and how many it logged.
    pub logged: Vec<LoggedLine>,
    pub logged_total: u32,
    pub outline: Vec<OutlineLine>,
}

#[derive(Clone, Debug, Serialize)]
pub struct KindLine {
    pub kind: StepKind,
    pub wall_ns: i64,
    pub share: f64,
    pub spans: u32,
}

#[derive(Clone, Debug, Serialize)]
pub struct SpanLine {
    pub span_id: String,
    pub name: String,
    pub kind: StepKind,
    pub duration_ns: i64,
    pub error: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// One step's share of a long critical path.
#[derive(Clone, Debug, Serialize)]
pub struct PathStepGroup {
    pub step: String,
    pub kind: StepKind,
    /// Times the step is on the path.
    pub count: u32,
    pub self_ns: i64,
    pub share: f64,
    pub longest_span_id: String,
}

/// Failed spans alike: the same name, status message and exception.
#[derive(Clone, Debug, Serialize)]
pub struct FailingSpan {
    /// The first few of them.
    pub span_ids: Vec<String>,
    pub count: u32,
    pub name: String,
    pub kind: StepKind,
    /// The longest of them.
    pub duration_ns: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exception: Option<ExceptionInfo>,
}

/// One line of the tree outline.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "line", rename_all = "snake_case")]
pub enum OutlineLine {
    /// One span.
    Span {
        depth: u32,
        span_id: String,
        name: String,
        kind: StepKind,
        duration_ns: i64,
        error: bool,
        /// Why it failed.
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
        /// Spans below it.
        descendants: u32,
    },
    /// Siblings of one step folded into one line: `case {n}` × 2,500.
    Group {
        depth: u32,
        /// The step (the name with numbers and ids folded).
        step: String,
        kind: StepKind,
        count: u32,
        p50_ns: i64,
        max_ns: i64,
        /// Failed spans in the members' subtrees.
        errors: u32,
        /// What each member does inside, in order, when most share one shape.
        shape: Vec<ShapeStep>,
        /// Spans in the members' subtrees, the members included.
        spans: u32,
        slowest_span_id: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        first_error_span_id: Option<String>,
    },
    /// Siblings or a subtree left out to keep the brief bounded.
    More { depth: u32, spans: u32, errors: u32, under: String },
}

/// One position in a folded group's shape: its step and how long it took.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShapeStep {
    pub step: String,
    pub p50_ns: i64,
    pub max_ns: i64,
}

/// A warning or error the trace logged, placed on its span.
#[derive(Clone, Debug, Serialize)]
pub struct LoggedLine {
    /// From the trace's start.
    pub offset_ns: i64,
    pub severity: &'static str,
    pub span_id: Option<String>,
    pub span_name: Option<String>,
    pub body: String,
    pub exception: Option<String>,
}
