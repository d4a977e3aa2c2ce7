//! Accounts and API keys over the JSON API (admins only, or anyone without auth):
//! `GET/POST /api/keys`, `DELETE /api/keys/{id}`, `GET/POST /api/accounts`,
//! `DELETE /api/accounts/{name}`, and `GET /api/me` (who the request is).

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get};
use axum::{Extension, Json, Router};
use serde::Deserialize;

use super::extract::json_body;
use crate::auth::{accounts, keys, require_admin};
use crate::error::{Error, Result};
use crate::state::AppState;
use app::model::access::{Account, ApiKey, KeyScope, Me, NewApiKey, Viewer};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/me", get(me))
        .route("/api/keys", get(list_keys).post(create_key))
        .route("/api/keys/{id}", delete(revoke_key))
        .route("/api/accounts", get(list_accounts).post(add_account))
        .route("/api/accounts/{name}", delete(remove_account))
}

async fn me(Extension(viewer): Extension<Viewer>) -> Json<Me> {
    Json(Me::from(&viewer))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewKeyBody {
    name: String,
    #[serde(default = "ingest")]
    scope: KeyScope,
}

fn ingest() -> KeyScope {
    KeyScope::Ingest
}

async fn list_keys(State(state): State<AppState>, Extension(viewer): Extension<Viewer>) -> Result<Json<Vec<ApiKey>>> {
    require_admin(&viewer)?;
    Ok(Json(state.store.api_keys().await?))
}

async fn create_key(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<NewApiKey>)> {
    require_admin(&viewer)?;
    let b: NewKeyBody = json_body(&body, r#"{"name": "...", "scope": "ingest" | "api"}"#)?;
    Ok((StatusCode::CREATED, Json(keys::create(&state.store, &b.name, b.scope, viewer.name()).await?)))
}

async fn revoke_key(State(state): State<AppState>, Extension(viewer): Extension<Viewer>, Path(id): Path<String>) -> Result<StatusCode> {
    require_admin(&viewer)?;
    let id: i64 = id.parse().map_err(|_| Error::BadRequest(format!("{id:?} is not an API key id")))?;
    keys::revoke(&state.store, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccountBody {
    name: String,
    password: String,
    #[serde(default)]
    admin: bool,
}

async fn list_accounts(State(state): State<AppState>, Extension(viewer): Extension<Viewer>) -> Result<Json<Vec<Account>>> {
    require_admin(&viewer)?;
    Ok(Json(state.store.accounts().await?))
}

async fn add_account(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    body: axum::body::Bytes,
) -> Result<(StatusCode, Json<Account>)> {
    require_admin(&viewer)?;
    let b: NewAccountBody = json_body(&body, r#"{"name": "...", "password": "...", "admin": false}"#)?;
    Ok((StatusCode::CREATED, Json(accounts::add(&state.store, &b.name, &b.password, b.admin).await?)))
}

async fn remove_account(
    State(state): State<AppState>,
    Extension(viewer): Extension<Viewer>,
    Path(name): Path<String>,
) -> Result<StatusCode> {
    require_admin(&viewer)?;
    accounts::remove(&state.store, &name, viewer.name()).await?;
    Ok(StatusCode::NO_CONTENT)
}
