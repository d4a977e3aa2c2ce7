//! `GET /api/stats/users` (per-user p95, error rate and cost, and sessions) and
//! `GET /api/sessions/{session_id}` (a session's traces in order).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use super::extract::Params;
use crate::error::Result;
use crate::state::AppState;
use app::model::RangeFilter;
use app::model::people::{PeopleReport, SessionDetail};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/stats/users", get(people)).route("/api/sessions/{session_id}", get(session))
}

/// `since`/`until` as the other stats take them (default: the last 24 h).
async fn people(State(state): State<AppState>, Params(f): Params<RangeFilter>) -> Result<Json<PeopleReport>> {
    Ok(Json(state.read().people(&f).await?))
}

async fn session(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<SessionDetail>> {
    Ok(Json(state.read().session(&id).await?))
}
