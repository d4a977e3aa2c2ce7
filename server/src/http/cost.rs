//! `GET /api/stats/cost?group_by=model|service|user|day&since=&until=`: totals and
//! one breakdown of model-call cost and tokens.

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use crate::error::{Error, Result};
use crate::state::AppState;
use crate::store::CostQuery;
use app::model::RangeFilter;
use app::model::cost::{CostGroupBy, CostReport};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/stats/cost", get(report))
}

#[derive(Deserialize)]
struct Params {
    #[serde(flatten)]
    filter: RangeFilter,
    /// `model` (default), `service`, `user` or `day`.
    group_by: Option<String>,
}

async fn report(State(state): State<AppState>, p: std::result::Result<Query<Params>, QueryRejection>) -> Result<Json<CostReport>> {
    let Query(p) = p.map_err(|e| Error::BadRequest(e.body_text()))?;
    let group_by = match p.group_by.as_deref().map(str::trim) {
        None | Some("") => CostGroupBy::Model,
        Some(g) => CostGroupBy::parse(g)
            .ok_or_else(|| Error::BadRequest(format!("group_by must be \"model\", \"service\", \"user\" or \"day\", got {g:?}")))?,
    };
    let query = CostQuery::parse(&p.filter, crate::now_ns())?;
    Ok(Json(state.store.cost_report(query, group_by).await?))
}
