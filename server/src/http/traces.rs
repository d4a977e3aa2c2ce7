//! `GET /api/traces` (the list), `GET /api/traces/{trace_id}` (one trace),
//! `GET /api/traces/{trace_id}/insights` (its critical path and findings) and
//! `GET /api/traces/{trace_id}/export` (OTLP/JSON download).

use axum::extract::{Path, State};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};

use super::extract::Params;
use crate::error::Result;
use crate::state::AppState;
use crate::store::ListQuery;
use app::model::{TraceDetail, TracePage};
use app::outline::Insights;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/traces", get(list))
        .route("/api/traces/{trace_id}", get(one))
        .route("/api/traces/{trace_id}/insights", get(insights))
        .route("/api/traces/{trace_id}/export", get(export))
}

async fn list(State(state): State<AppState>, Params(query): Params<ListQuery>) -> Result<Json<TracePage>> {
    Ok(Json(state.read().traces(query).await?))
}

async fn one(State(state): State<AppState>, Path(trace_id): Path<String>) -> Result<Json<TraceDetail>> {
    Ok(Json(state.read().trace(&trace_id).await?))
}

async fn insights(State(state): State<AppState>, Path(trace_id): Path<String>) -> Result<Json<Insights>> {
    Ok(Json(state.read().insights(&trace_id).await?))
}

/// The trace as OTLP/JSON with its log records, as a download (`trace-{id}.json`).
async fn export(State(state): State<AppState>, Path(trace_id): Path<String>) -> Result<impl IntoResponse> {
    let trace = state.read().trace(&trace_id).await?;
    let (logs, truncated) = state.read().export_logs(&trace.trace_id).await?;
    let disposition = format!("attachment; filename=\"trace-{}.json\"", trace.trace_id);
    let headers = [
        (axum::http::header::CONTENT_DISPOSITION, disposition),
        // Says when a trace's records were more than an export carries.
        (axum::http::HeaderName::from_static("x-loupe-logs-truncated"), truncated.to_string()),
    ];
    Ok((headers, Json(crate::export::otlp_json(&trace, &logs))))
}
