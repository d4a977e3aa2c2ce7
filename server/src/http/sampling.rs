//! `GET /api/sampling`: the tail-sampling policy in force (`null` when off)
//! and the traces and spans kept and dropped per reason.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::error::Result;
use crate::state::AppState;
use app::model::sampling::SamplingView;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/sampling", get(sampling))
}

async fn sampling(State(state): State<AppState>) -> Result<Json<SamplingView>> {
    Ok(Json(state.read().sampling().await?))
}
