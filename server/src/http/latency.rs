//! `GET /api/stats/latency` (percentiles and histograms per kind or step),
//! `…/latency/series` (p95 by hour) and `…/latency/spans` (the spans in one bucket).

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::Params;
use crate::error::{Error, Result};
use crate::state::AppState;
use app::model::latency::{BucketSpan, LatencyFilter, LatencyPoint, LatencyReport};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/stats/latency", get(report))
        .route("/api/stats/latency/series", get(series))
        .route("/api/stats/latency/spans", get(spans))
}

#[derive(Deserialize)]
struct LatencyParams {
    #[serde(flatten)]
    filter: LatencyFilter,
    /// `kind` (default) or `name`.
    group_by: Option<String>,
    bucket: Option<String>,
}

fn by_step(p: &LatencyParams) -> Result<bool> {
    match p.group_by.as_deref().map(str::trim) {
        None | Some("") | Some("kind") => Ok(false),
        Some("name") => Ok(true),
        Some(other) => Err(Error::BadRequest(format!("group_by must be \"kind\" or \"name\", got {other:?}"))),
    }
}

async fn report(State(state): State<AppState>, Params(p): Params<LatencyParams>) -> Result<Json<LatencyReport>> {
    Ok(Json(state.read().latency(&p.filter, by_step(&p)?).await?))
}

async fn series(State(state): State<AppState>, Params(p): Params<LatencyParams>) -> Result<Json<Vec<LatencyPoint>>> {
    by_step(&p)?;
    Ok(Json(state.read().latency_series(&p.filter).await?))
}

async fn spans(State(state): State<AppState>, Params(p): Params<LatencyParams>) -> Result<Json<Vec<BucketSpan>>> {
    by_step(&p)?;
    // Not a number is the same mistake as a number out of range.
    let bucket = p.bucket.as_deref().and_then(|b| b.trim().parse::<i64>().ok()).unwrap_or(-1);
    Ok(Json(state.read().spans_in_bucket(&p.filter, bucket).await?))
}
