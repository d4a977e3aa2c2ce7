//! The JSON API: one router per resource, errors mapped to responses in one place.

mod access;
mod alerts;
mod brief;
mod cost;
pub mod edge;
pub mod error;
mod extract;
mod health;
mod latency;
mod login;
mod logs;
mod metrics;
pub mod otlp;
mod people;
mod prices;
mod retention;
mod sampling;
mod shares;
mod stats;
mod traces;

use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(traces::router())
        .merge(brief::router())
        .merge(logs::router())
        .merge(alerts::router())
        .merge(shares::router())
        .merge(stats::router())
        .merge(latency::router())
        .merge(cost::router())
        .merge(prices::router())
        .merge(people::router())
        .merge(sampling::router())
        .merge(retention::router())
        .merge(access::router())
        .merge(login::router())
        .merge(metrics::router())
        .merge(health::router())
}
