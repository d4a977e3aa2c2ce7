//! `GET/POST /api/alerts/rules`, `GET/PUT/DELETE /api/alerts/rules/{id}`,
//! `GET /api/alerts/events` (the history, newest first) and
//! `POST /api/alerts/preview` (how often a rule would have fired in the last 24 h).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::Value;

use super::extract::{Body, Params};
use crate::alerts::rule;
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

fn rule_id(s: &str) -> Result<i64> {
    s.parse::<i64>().map_err(|_| Error::BadRequest(format!("{s:?} is not a rule id (a whole number)")))
}

async fn list(State(state): State<AppState>) -> Result<Json<Vec<AlertRule>>> {
    Ok(Json(state.read().alert_rules().await?))
}

async fn create(State(state): State<AppState>, Body(b): Body<Value>) -> Result<(StatusCode, Json<AlertRule>)> {
    let spec = rule::parse(b)?;
    Ok((StatusCode::CREATED, Json(state.alerts.create_rule(spec).await?)))
}

async fn one(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<AlertRule>> {
    Ok(Json(state.read().alert_rule(rule_id(&id)?).await?))
}

async fn replace(State(state): State<AppState>, Path(id): Path<String>, Body(b): Body<Value>) -> Result<Json<AlertRule>> {
    let id = rule_id(&id)?;
    let spec = rule::parse(b)?;
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

async fn events(State(state): State<AppState>, Params(q): Params<EventQuery>) -> Result<Json<Vec<AlertEvent>>> {
    Ok(Json(state.read().alert_events(q.rule, q.limit.unwrap_or(100)).await?))
}

async fn preview_rule(State(state): State<AppState>, Body(b): Body<Value>) -> Result<Json<RulePreview>> {
    Ok(Json(state.read().preview_alert_rule(rule::parse(b)?).await?))
}
