//! One module per page, each with its own server functions.
pub mod latency;
pub mod trace;
pub mod traces;
