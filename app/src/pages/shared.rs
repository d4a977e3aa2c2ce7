//! A shared trace (`/share/{token}`): the trace page for someone holding a share
//! link, read-only, with nothing of the rest of Loupe. Expired and revoked links
//! answer 410 with a sentence saying so.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::components::error_page::ErrorPage;
use crate::error::PageError;
use crate::outline::Outline;
use crate::pages::trace::share::Shared;
use crate::pages::trace::{TraceView, ViewState};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SharedTrace {
    pub outline: Outline,
    pub shared: Shared,
}

#[server(prefix = "/rpc", endpoint = "shared_trace")]
pub async fn fetch_shared(token: String) -> Result<SharedTrace, PageError> {
    let link = crate::data::data()?.shared_trace(&token, None).await?;
    // The trace's own numbers only: no 'usual' latency from other traces.
    let outline = crate::pages::trace::load_outline(&link.trace_id, false).await?;
    Ok(SharedTrace { outline, shared: Shared { token, expires_ns: link.expires_ns } })
}

#[component]
pub fn SharedTracePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let token = Memo::new(move |_| params.with(|p| p.get("token").unwrap_or_default()));
    let span_param = Memo::new(move |_| query.with(|q| q.get("span")).filter(|s| !s.is_empty()));
    let reload = RwSignal::new(0u32);
    let shared = Resource::new(move || (token.get(), reload.get()), |(t, _)| fetch_shared(t));
    let state = ViewState { collapsed: RwSignal::new(HashSet::new()), scroll_top: RwSignal::new(0.0) };
    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading the shared trace…"</p> }>
            {move || Suspend::new(async move {
                match shared.await {
                    Ok(s) => view! { <TraceView outline=Arc::new(s.outline) span_param logs_tab=Memo::new(|_| false) reload state shared=Some(s.shared) /> }.into_any(),
                    Err(e) => view! { <ErrorPage error=e what="share link" /> }.into_any(),
                }
            })}
        </Transition>
    }
}
