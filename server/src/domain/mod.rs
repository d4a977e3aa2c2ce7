//! Loupe's vocabulary: what ingest produces and the store consumes. Imports
//! nothing of the server (only `app::model`, the types the browser sees too).
//!
//! Transport (OTLP) types never reach this module, and storage types never leave
//! the store.

pub mod conventions;
pub mod cost;
mod log;
pub mod sampling;
mod span;
pub mod step;
pub mod time;

pub use cost::{Costing, is_model_call};
pub use log::{LogOwner, LogRecord, Severity};
pub use span::*;
pub use time::{DAY_NS, HOUR_NS, now_ns, ns};
