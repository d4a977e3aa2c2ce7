//! The trace brief: one trace told for a reader with little room (an AI
//! assistant's context, a chat message). Header figures, the findings with their
//! fixes, the critical path, time by step kind, the slowest and the failing spans,
//! and an outline of the tree in which repeated siblings fold into one line, so
//! any trace, of 10 or 1,000,000 spans, fits in a bounded answer ([`MAX_CHARS`]).
//!
//! Built from the laid-out trace ([`app::outline::Outline`]) only: it never sees
//! attributes or content, so it follows the content policy by construction.
//! `GET /api/traces/{id}/brief`, the trace page's "Copy for AI" and MCP's
//! `get_trace` all return it.

mod build;
mod fold;
mod logs;
mod markdown;
mod model;

pub use build::{Facts, build, failing_ids};
pub use logs::QUOTED as QUOTED_LOGS;
pub use markdown::{MAX_CHARS, render};
pub use model::{Brief, FailingSpan, KindLine, LoggedLine, OutlineLine, PathStepGroup, ShapeStep, SpanLine};

#[cfg(test)]
mod tests;
