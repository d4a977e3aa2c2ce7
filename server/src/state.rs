//! The state every handler and server function shares, passed once.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use crate::ingest::Ingest;
use crate::store::Store;

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub ingest: Ingest,
    pub leptos: LeptosOptions,
    /// Largest accepted OTLP body, decompressed.
    pub max_body_bytes: usize,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The pages' data source, over the store.
pub struct PageData {
    pub store: Store,
    pub content_policy: app::model::ContentPolicy,
    pub otlp_endpoint: String,
}

#[async_trait::async_trait]
impl app::data::LoupeData for PageData {
    async fn stats(&self) -> Result<app::model::Stats, String> {
        self.store.stats().await.map_err(|e| {
            tracing::error!(error = %e, "stats query failed");
            "could not read the database; see the server log".to_string()
        })
    }

    fn content_policy(&self) -> app::model::ContentPolicy {
        self.content_policy
    }

    fn otlp_endpoint(&self) -> String {
        self.otlp_endpoint.clone()
    }
}
