//! The JSON API: one router per resource, errors mapped to responses in one place.

mod access;
mod alerts;
mod cost;
pub mod edge;
pub mod error;
mod health;
mod latency;
mod login;
mod metrics;
mod people;
mod prices;
mod retention;
mod sampling;
mod shares;
mod stats;
mod traces;

use axum::Router;
use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(traces::router())
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

/// A JSON request body as `T`; a 400 naming the field and the expected `shape` otherwise.
fn json_body<T: DeserializeOwned>(body: &[u8], shape: &str) -> Result<T> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let at = e.path().to_string();
        let field = if at == "." { String::new() } else { format!("{at}: ") };
        Error::BadRequest(format!("{field}{}; the body must be {shape}", e.inner()))
    })
}
