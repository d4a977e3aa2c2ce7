//! One module per page, each with its own server functions.
pub mod access;
pub mod alerts;
pub mod costs;
pub mod latency;
pub mod login;
pub mod logs;
pub mod session;
pub mod settings;
pub mod shared;
pub mod trace;
pub mod traces;
pub mod users;
