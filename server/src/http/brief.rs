//! `GET /api/traces/{trace_id}/brief` (the trace told for a model or a chat:
//! Markdown, or `?format=json`), `GET /api/traces/{trace_id}/spans` (spans found
//! within one trace, paged) and `GET /api/traces/{trace_id}/spans/{span_id}`
//! (one span whole): the same answers as MCP's `get_trace`, `find_spans` and
//! `get_span`.

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

use super::extract::Params;
use crate::error::{Error, Result};
use crate::query::{SpanMatches, SpanSearch};
use crate::state::AppState;
use app::model::SpanDetail;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/traces/{trace_id}/brief", get(brief))
        .route("/api/traces/{trace_id}/spans", get(find))
        .route("/api/traces/{trace_id}/spans/{span_id}", get(span))
}

#[derive(Deserialize)]
struct BriefQuery {
    #[serde(default)]
    format: Option<String>,
}

async fn brief(State(state): State<AppState>, Path(trace_id): Path<String>, Params(q): Params<BriefQuery>) -> Result<Response> {
    let json = match q.format.as_deref().unwrap_or("markdown") {
        "markdown" | "md" => false,
        "json" => true,
        other => return Err(Error::BadRequest(format!("format must be \"markdown\" or \"json\", got {other:?}"))),
    };
    let brief = state.read().brief(&trace_id).await?;
    if json {
        return Ok(Json(brief).into_response());
    }
    Ok(([(header::CONTENT_TYPE, "text/markdown; charset=utf-8")], crate::brief::render(&brief)).into_response())
}

async fn find(
    State(state): State<AppState>,
    Path(trace_id): Path<String>,
    Params(search): Params<SpanSearch>,
) -> Result<Json<SpanMatches>> {
    Ok(Json(state.read().find_spans(&trace_id, &search).await?))
}

async fn span(State(state): State<AppState>, Path((trace_id, span_id)): Path<(String, String)>) -> Result<Json<SpanDetail>> {
    Ok(Json(state.read().span(&trace_id, &span_id).await?))
}
