//! Settings (`/settings`): what Loupe does with traces beyond storing them,
//! read-only, since these are set by `loupe serve` flags: tail sampling (the
//! policy and what it kept and dropped, per reason) and retention (how long
//! traces stay, the database's size and what was deleted).

use leptos::prelude::*;

mod retention;
mod sampling;

use crate::components::error_page::ErrorPage;
use crate::error::PageError;
use crate::model::sampling::{RetentionView, SamplingView};
use retention::Retention;
use sampling::Sampling;

#[server(prefix = "/rpc", endpoint = "sampling")]
pub async fn fetch_sampling() -> Result<SamplingView, PageError> {
    crate::data::data()?.sampling().await
}

#[server(prefix = "/rpc", endpoint = "retention")]
pub async fn fetch_retention() -> Result<RetentionView, PageError> {
    crate::data::data()?.retention().await
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let sampling = Resource::new(|| (), |_| fetch_sampling());
    let retention = Resource::new(|| (), |_| fetch_retention());
    view! {
        <section class="settings">
            <div class="page-head">
                <h1>"Settings"</h1>
                <span class="muted">"Set by the flags of loupe serve (loupe serve --help); shown here as they are in force."</span>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading settings…"</p> }>
                {move || Suspend::new(async move {
                    match sampling.await {
                        Ok(v) => view! { <Sampling v /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e what="sampling settings" /> }.into_any(),
                    }
                })}
                {move || Suspend::new(async move {
                    match retention.await {
                        Ok(v) => view! { <Retention v /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e what="retention settings" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
