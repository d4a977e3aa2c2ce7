//! `GET /api/traces` (the list), `GET /api/traces/{trace_id}` (one trace) and
//! `GET /api/traces/{trace_id}/insights` (its critical path and findings).

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};

use crate::domain::TraceId;
use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::ListQuery;
use app::model::{TraceDetail, TracePage};
use app::outline::{Insights, Outline, steps_of};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/traces", get(list))
        .route("/api/traces/{trace_id}", get(one))
        .route("/api/traces/{trace_id}/insights", get(insights))
        .route("/api/traces/{trace_id}/export", get(export))
}

async fn list(State(state): State<AppState>, query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>) -> Result<Json<TracePage>> {
    let Query(query) = query.map_err(|e| Error::BadRequest(e.body_text()))?;
    let parsed = query.parse(crate::now_ns())?;
    Ok(Json(state.store.list_traces(&parsed).await?))
}

async fn one(State(state): State<AppState>, Path(trace_id): Path<String>) -> Result<Json<TraceDetail>> {
    let id = TraceId::parse(&trace_id).map_err(|e| Error::BadRequest(format!("malformed trace id: {e}")))?;
    let trace = state.store.get_trace(id).await?;
    trace.map(Json).ok_or_else(|| Error::NotFound(format!("no trace with id {id} is stored")))
}

async fn insights(State(state): State<AppState>, Path(trace_id): Path<String>) -> Result<Json<Insights>> {
    let id = TraceId::parse(&trace_id).map_err(|e| Error::BadRequest(format!("malformed trace id: {e}")))?;
    let spans = state.store.trace_heads(id).await?;
    let start_ns = spans.iter().map(|s| s.start_ns).min().unwrap_or_default();
    let usual = state.store.usual_latency(&steps_of(&spans), start_ns).await?;
    let outline = Outline::build_with(id.to_string(), spans, &usual);
    outline.map(|o| Json(o.insights())).ok_or_else(|| Error::NotFound(format!("no trace with id {id} is stored")))
}

/// The trace as OTLP/JSON, as a download (`trace-{id}.json`).
async fn export(State(state): State<AppState>, Path(trace_id): Path<String>) -> Result<impl axum::response::IntoResponse> {
    let id = TraceId::parse(&trace_id).map_err(|e| Error::BadRequest(format!("malformed trace id: {e}")))?;
    let trace = state.store.get_trace(id).await?.ok_or_else(|| Error::NotFound(format!("no trace with id {id} is stored")))?;
    let disposition = format!("attachment; filename=\"trace-{id}.json\"");
    Ok(([(axum::http::header::CONTENT_DISPOSITION, disposition)], Json(crate::export::otlp_json(&trace))))
}
