//! `GET /metrics`: Loupe's own metrics in OpenMetrics text, which Prometheus
//! scrapes. With `--auth` it needs a session or an `api`-scope key
//! (Prometheus: `authorization: {credentials: <key>}` in the scrape config).

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    if let Some(sampler) = state.ingest.sampler() {
        state.metrics.set_pending_spans(sampler.pending_spans());
    }
    let text = state.metrics.render(state.ingest.queued(), &state.store.pool_stats());
    ([(header::CONTENT_TYPE, "application/openmetrics-text; version=1.0.0; charset=utf-8")], text)
}
