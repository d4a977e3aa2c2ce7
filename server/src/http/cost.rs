//! `GET /api/stats/cost?group_by=model|service|user|day&since=&until=`: totals and
//! one breakdown of model-call cost and tokens.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::Params;
use crate::error::{Error, Result};
use crate::state::AppState;
use app::model::RangeFilter;
use app::model::cost::{CostGroupBy, CostReport};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/stats/cost", get(report))
}

#[derive(Deserialize)]
struct CostParams {
    #[serde(flatten)]
    filter: RangeFilter,
    /// `model` (default), `service`, `user` or `day`.
    group_by: Option<String>,
}

async fn report(State(state): State<AppState>, Params(p): Params<CostParams>) -> Result<Json<CostReport>> {
    let group_by = match p.group_by.as_deref().map(str::trim) {
        None | Some("") => CostGroupBy::Model,
        Some(g) => CostGroupBy::parse(g)
            .ok_or_else(|| Error::BadRequest(format!("group_by must be \"model\", \"service\", \"user\" or \"day\", got {g:?}")))?,
    };
    Ok(Json(state.read().cost_report(&p.filter, group_by).await?))
}
