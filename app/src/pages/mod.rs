//! One module per page, each with its own server functions.
pub mod alerts;
pub mod costs;
pub mod latency;
pub mod session;
pub mod shared;
pub mod trace;
pub mod traces;
pub mod users;
