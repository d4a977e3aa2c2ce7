//! The JSON API: one router per resource, errors mapped to responses in one place.

pub mod error;
mod health;
mod latency;
mod stats;
mod traces;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(traces::router()).merge(stats::router()).merge(latency::router()).merge(health::router())
}
