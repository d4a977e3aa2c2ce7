//! What the pages need from the server, as a trait (server side only).
//!
//! The server crate implements it over its store and puts an `Arc<dyn LoupeData>`
//! into the Leptos context, so server functions stay in the page modules while sqlx
//! and storage stay in the server crate (the dependency points from server to app).

use std::sync::Arc;

use crate::model::{ContentPolicy, Stats};

/// Read access to stored traces, as the pages need it.
#[async_trait::async_trait]
pub trait LoupeData: Send + Sync + 'static {
    /// How many traces and spans are stored.
    async fn stats(&self) -> Result<Stats, String>;

    /// How this installation stores prompt and completion content.
    fn content_policy(&self) -> ContentPolicy;

    /// The base URL of this Loupe's OTLP/HTTP endpoint.
    fn otlp_endpoint(&self) -> String;
}

/// The data source from the Leptos context, or a server function error.
pub fn data() -> Result<Arc<dyn LoupeData>, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<Arc<dyn LoupeData>>().ok_or_else(|| {
        leptos::prelude::ServerFnError::new("Loupe's data source is missing from the context")
    })
}
