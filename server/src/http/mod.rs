//! The JSON API: one router per resource, errors mapped to responses in one place.

mod alerts;
mod cost;
pub mod error;
mod health;
mod latency;
mod people;
mod prices;
mod shares;
mod stats;
mod traces;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().merge(traces::router()).merge(alerts::router()).merge(shares::router()).merge(stats::router()).merge(latency::router())
        .merge(cost::router())
        .merge(prices::router())
        .merge(people::router()).merge(health::router())
}
