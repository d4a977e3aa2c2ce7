//! `GET/POST /api/alerts/rules`, `GET/PUT/DELETE /api/alerts/rules/{id}`,
//! `GET /api/alerts/events` (the history, newest first) and
//! `POST /api/alerts/preview` (how often a rule would have fired in the last 24 h).

use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use crate::alerts::{preview, rule};
use crate::error::{Error, Result};
use crate::state::AppState;
use app::model::alerts::{AlertEvent, AlertRule, RulePreview};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/alerts/rules", get(list).post(create))
        .route("/api/alerts/rules/{id}", get(one).put(replace).delete(remove))
        .route("/api/alerts/events", get(events))
        .route("/api/alerts/preview", post(preview_rule))
}

fn body(b: std::result::Result<Json<Value>, JsonRejection>) -> Result<Value> {
    b.map(|Json(v)| v).map_err(|e| Error::BadRequest(e.body_text()))
}

fn rule_id(s: &str) -> Result<i64> {
    s.parse::<i64>().map_err(|_| Error::BadRequest(format!("{s:?} is not a rule id (a whole number)")))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<AlertRule>>> {
    Ok(Json(state.store.alert_rules().await?))
}

async fn create(State(state): State<AppState>, b: std::result::Result<Json<Value>, JsonRejection>) -> Result<(StatusCode, Json<AlertRule>)> {
    let spec = rule::parse(body(b)?)?;
    Ok((StatusCode::CREATED, Json(state.alerts.create_rule(spec).await?)))
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<AlertRule>> {
    let id = rule_id(&id)?;
    state.store.alert_rule(id).await?.map(Json).ok_or_else(|| Error::NotFound(format!("no alert rule with id {id}")))
}

async fn replace(
    State(state): State<AppState>,
    Path(id): Path<String>,
    b: std::result::Result<Json<Value>, JsonRejection>,
) -> Result<Json<AlertRule>> {
    let id = rule_id(&id)?;
    let spec = rule::parse(body(b)?)?;
    Ok(Json(state.alerts.update_rule(id, spec).await?))
}

async fn remove(State(state): State<AppState>, Path(id): Path<String>) -> Result<StatusCode> {
    state.alerts.delete_rule(rule_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
struct EventQuery {
    rule: Option<i64>,
    limit: Option<u32>,
}

async fn events(State(state): State<AppState>, q: std::result::Result<Query<EventQuery>, axum::extract::rejection::QueryRejection>) -> Result<Json<Vec<AlertEvent>>> {
    let Query(q) = q.map_err(|e| Error::BadRequest(e.body_text()))?;
    let limit = q.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(Error::BadRequest(format!("limit must be 1 to 1000, got {limit}")));
    }
    Ok(Json(state.store.alert_events(q.rule, limit).await?))
}

async fn preview_rule(State(state): State<AppState>, b: std::result::Result<Json<Value>, JsonRejection>) -> Result<Json<RulePreview>> {
    let spec = rule::parse(body(b)?)?;
    Ok(Json(preview::preview(&state.alerts, spec, crate::now_ns()).await?))
}
