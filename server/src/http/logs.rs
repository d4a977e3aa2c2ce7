//! `GET /api/logs` (the Logs page's list: `q`, `severity`, `service`, `since`,
//! `until`, `trace`, `cursor`, `limit`) and `GET /api/traces/{trace_id}/logs`
//! (one trace's records in time order).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};

use super::extract::Params;
use crate::error::Result;
use crate::state::AppState;
use app::model::logs::{LogFilter, LogPage, TraceLogs};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/logs", get(list)).route("/api/traces/{trace_id}/logs", get(of_trace))
}

async fn list(State(state): State<AppState>, Params(filter): Params<LogFilter>) -> Result<Json<LogPage>> {
    Ok(Json(state.read().logs(&filter).await?))
}

async fn of_trace(State(state): State<AppState>, Path(trace_id): Path<String>) -> Result<Json<TraceLogs>> {
    Ok(Json(state.read().trace_logs(&trace_id).await?))
}
