//! The write path: one batch of spans per transaction on the writer's own
//! connection, with the rollups (traces, latency, cost) kept in the same commit,
//! and spans held for tail sampling until their trace is decided.

pub(super) mod batch;
mod cost;
pub(super) mod footprint;
pub(super) mod latency;
pub(super) mod logs;
mod rollup;
pub(super) mod sampling;
