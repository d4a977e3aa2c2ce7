//! `GET /api/stats/summary`: how much is stored.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::error::Result;
use crate::state::AppState;
use app::model::Stats;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/stats/summary", get(summary))
}

async fn summary(State(state): State<AppState>) -> Result<Json<Stats>> {
    Ok(Json(state.read().stats().await?))
}
