//! `GET /api/retention`: the retention policy in force (`null` when off), the
//! database's size and what retention has deleted.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};

use crate::error::Result;
use crate::state::AppState;
use app::model::sampling::RetentionView;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/retention", get(retention))
}

async fn retention(State(state): State<AppState>) -> Result<Json<RetentionView>> {
    Ok(Json(state.read().retention().await?))
}
