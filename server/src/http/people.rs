//! `GET /api/stats/users` (per-user p95, error rate and cost, and sessions) and
//! `GET /api/sessions/{session_id}` (a session's traces in order).

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::parse_range;
use app::model::RangeFilter;
use app::model::people::{PeopleReport, SessionDetail};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/stats/users", get(people)).route("/api/sessions/{session_id}", get(session))
}

/// `since`/`until` as the other stats take them (default: the last 24 h).
async fn people(State(state): State<AppState>, p: std::result::Result<Query<RangeFilter>, QueryRejection>) -> Result<Json<PeopleReport>> {
    let Query(f) = p.map_err(|e| Error::BadRequest(e.body_text()))?;
    let (since, until) = parse_range(&f.since, &f.until, crate::now_ns())?;
    Ok(Json(state.store.people(since, until).await?))
}

async fn session(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<SessionDetail>> {
    let s = state.store.session(&id).await?;
    s.map(Json).ok_or_else(|| Error::NotFound(format!("no trace names session {id:?}")))
}
