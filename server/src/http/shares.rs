//! Share links: `POST /api/traces/{trace_id}/share` (`{"expires_in": "1h"|"24h"|"7d"}`,
//! default 24h) makes one and returns its token once; `GET /api/traces/{trace_id}/shares`
//! lists a trace's links; `DELETE /api/traces/{trace_id}/share/{id}` revokes one;
//! `GET /api/share/{token}` is the shared trace itself (read-only).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;

use crate::error::{Error, Result, trace_id};
use crate::share;
use crate::state::AppState;
use app::model::TraceDetail;
use app::model::share::{NewShare, ShareLink};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/traces/{trace_id}/share", post(create))
        .route("/api/traces/{trace_id}/shares", get(list))
        .route("/api/traces/{trace_id}/share/{id}", delete(revoke))
        .route("/api/share/{token}", get(shared))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    expires_in: Option<String>,
}

/// An empty (or `null`) body takes the default expiry, so `curl -X POST` is enough.
async fn create(State(state): State<AppState>, Path(id): Path<String>, body: Bytes) -> Result<(StatusCode, Json<NewShare>)> {
    let b: Option<CreateBody> = if body.iter().all(u8::is_ascii_whitespace) {
        None
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| Error::BadRequest(format!("the body must be {{\"expires_in\": \"1h\" | \"24h\" | \"7d\"}}: {e}")))?
    };
    let expires = b.and_then(|b| b.expires_in).unwrap_or_else(|| "24h".into());
    let expires = expires.as_str();
    Ok((StatusCode::CREATED, Json(share::create(&state.store, &state.public_url, trace_id(&id)?, expires).await?)))
}

async fn list(State(state): State<AppState>, Path(id): Path<String>) -> Result<Json<Vec<ShareLink>>> {
    Ok(Json(state.read().shares(&id).await?))
}

async fn revoke(State(state): State<AppState>, Path((id, share_id)): Path<(String, String)>) -> Result<StatusCode> {
    let share_id: i64 = share_id.parse().map_err(|_| Error::BadRequest(format!("{share_id:?} is not a share link id")))?;
    if !state.store.revoke_share(&trace_id(&id)?.to_string(), share_id).await? {
        return Err(Error::NotFound(format!("trace {id} has no share link {share_id}")));
    }
    tracing::info!(trace_id = %id, share = share_id, "share link revoked");
    Ok(StatusCode::NO_CONTENT)
}

async fn shared(State(state): State<AppState>, Path(token): Path<String>) -> Result<Json<TraceDetail>> {
    Ok(Json(state.read().shared_trace(&token).await?))
}
