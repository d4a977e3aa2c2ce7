//! `GET/PUT /api/prices` (the whole price list; PUT replaces the operator's
//! overrides) and `PUT/DELETE /api/prices/{model}` (one override). Prices in
//! overrides are USD per million tokens.

use axum::extract::{Path, State};
use axum::routing::{get, put};
use axum::{Json, Router};

use super::extract::Body;
use crate::error::{Error, Result};
use crate::pricing::admin::{Change, apply};
use crate::state::AppState;
use app::model::cost::{PriceList, PriceOverride};

pub fn router() -> Router<AppState> {
    Router::new().route("/api/prices", get(list).put(replace_all)).route("/api/prices/{model}", put(put_one).delete(delete_one))
}

async fn list(State(state): State<AppState>) -> Json<PriceList> {
    Json(state.read().prices())
}

async fn replace_all(State(state): State<AppState>, Body(all): Body<Vec<PriceOverride>>) -> Result<Json<PriceList>> {
    Ok(Json(apply(&state.store, state.ingest.pricing(), Change::ReplaceAll(all)).await?))
}

async fn put_one(State(state): State<AppState>, Path(model): Path<String>, Body(o): Body<PriceOverride>) -> Result<Json<PriceList>> {
    if o.model != model {
        return Err(Error::BadRequest(format!("the body's model {:?} differs from the path's {model:?}", o.model)));
    }
    Ok(Json(apply(&state.store, state.ingest.pricing(), Change::Put(o)).await?))
}

async fn delete_one(State(state): State<AppState>, Path(model): Path<String>) -> Result<Json<PriceList>> {
    Ok(Json(apply(&state.store, state.ingest.pricing(), Change::Delete(model)).await?))
}
