//! `GET /api/stats/latency` (percentiles and histograms per kind or step),
//! `…/latency/series` (p95 by hour) and `…/latency/spans` (the spans in one bucket).

use axum::extract::{Query, State};
use axum::extract::rejection::QueryRejection;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::LatencyQuery;
use app::model::latency::{BucketSpan, LatencyFilter, LatencyPoint, LatencyReport};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/stats/latency", get(report))
        .route("/api/stats/latency/series", get(series))
        .route("/api/stats/latency/spans", get(spans))
}

#[derive(Deserialize)]
struct Params {
    #[serde(flatten)]
    filter: LatencyFilter,
    /// `kind` (default) or `name`.
    group_by: Option<String>,
    bucket: Option<String>,
}

fn parse(p: std::result::Result<Query<Params>, QueryRejection>) -> Result<(LatencyQuery, Params)> {
    let Query(p) = p.map_err(|e| Error::BadRequest(e.body_text()))?;
    let by_step = match p.group_by.as_deref().map(str::trim) {
        None | Some("") | Some("kind") => false,
        Some("name") => true,
        Some(other) => return Err(Error::BadRequest(format!("group_by must be \"kind\" or \"name\", got {other:?}"))),
    };
    Ok((LatencyQuery::parse(&p.filter, by_step, crate::now_ns())?, p))
}

async fn report(State(state): State<AppState>, p: std::result::Result<Query<Params>, QueryRejection>) -> Result<Json<LatencyReport>> {
    let (query, _) = parse(p)?;
    Ok(Json(state.store.latency(&query).await?))
}

async fn series(State(state): State<AppState>, p: std::result::Result<Query<Params>, QueryRejection>) -> Result<Json<Vec<LatencyPoint>>> {
    let (query, _) = parse(p)?;
    Ok(Json(state.store.latency_series(&query).await?))
}

async fn spans(State(state): State<AppState>, p: std::result::Result<Query<Params>, QueryRejection>) -> Result<Json<Vec<BucketSpan>>> {
    let (query, p) = parse(p)?;
    let bucket = p
        .bucket
        .as_deref()
        .and_then(|b| b.trim().parse::<i64>().ok())
        .filter(|b| (0..=400).contains(b))
        .ok_or_else(|| Error::BadRequest("bucket must be a bucket number from the latency report (0 to 400)".into()))?;
    Ok(Json(state.store.spans_in_bucket(&query, bucket, 50).await?))
}
