//! Sharing a trace: the "Share" panel on the trace page (make a link that expires
//! in 1 h, 24 h or 7 days; see and revoke the trace's links) and the banner of a
//! shared page.

use leptos::form::ActionForm;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::PageError;
use crate::format;
use crate::model::share::{EXPIRIES, NewShare, ShareLink, ShareState};

/// What a shared page knows about the link it was opened with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Shared {
    pub token: String,
    pub expires_ns: i64,
}

#[server(prefix = "/rpc", endpoint = "share_create")]
pub async fn create_share_link(trace_id: String, expires_in: String) -> Result<NewShare, PageError> {
    PageError::answer(crate::data::data()?.create_share(&trace_id, &expires_in).await)
}

#[server(prefix = "/rpc", endpoint = "share_list")]
pub async fn share_links(trace_id: String) -> Result<Vec<ShareLink>, PageError> {
    crate::data::data()?.shares(&trace_id).await
}

#[server(prefix = "/rpc", endpoint = "share_revoke")]
pub async fn revoke_share_link(trace_id: String, id: i64) -> Result<(), PageError> {
    PageError::answer(crate::data::data()?.revoke_share(&trace_id, id).await)
}

/// Copies the value of the input before the button (plain JS: works before hydration).
pub(crate) const COPY_INPUT: &str = "const i=this.previousElementSibling,b=this;i.select();navigator.clipboard?navigator.clipboard.writeText(i.value).then(()=>{b.textContent='Copied'}):document.execCommand('copy')";

#[component]
pub fn SharePanel(trace_id: String) -> impl IntoView {
    let create = ServerAction::<CreateShareLink>::new();
    let revoke = ServerAction::<RevokeShareLink>::new();
    let (list_trace, rows_trace) = (trace_id.clone(), trace_id.clone());
    let links = Resource::new(move || (create.version().get(), revoke.version().get()), move |_| share_links(list_trace.clone()));
    let made = move || {
        match create.value().get() {
        Some(Ok(s)) => view! {
            <div class="share-made" data-testid="share-made">
                <input class="mono" readonly value=s.url.clone() data-testid="share-url" />
                <button class="button" type="button" onclick=COPY_INPUT data-testid="copy-share">"Copy"</button>
                <p class="hint">{format!("Works until {} for anyone with the link: this trace only, read-only.", format::utc(s.link.expires_ns))}</p>
            </div>
        }
        .into_any(),
        Some(Err(e)) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
        None => ().into_any(),
    }
    };
    view! {
        <details class="share-panel" data-testid="share-panel">
            <summary class="button">"Share…"</summary>
            <div class="share-body">
                <ActionForm action=create attr:class="share-form">
                    <input type="hidden" name="trace_id" value=trace_id.clone() />
                    <label>
                        "Link works for "
                        <select name="expires_in" data-testid="share-expiry">
                            {EXPIRIES.into_iter().map(|(v, t)| view! { <option value=v selected=v == "24h">{t}</option> }).collect_view()}
                        </select>
                    </label>
                    <button class="button primary" type="submit" data-testid="create-share">"Create share link"</button>
                </ActionForm>
                {made}
                <Transition fallback=|| ()>
                    {move || {
                        let trace_id = rows_trace.clone();
                        Suspend::new(async move {
                            let links = links.await.unwrap_or_default();
                            view! { <ShareList links trace_id revoke /> }
                        })
                    }}
                </Transition>
            </div>
        </details>
    }
}

#[component]
fn ShareList(links: Vec<ShareLink>, trace_id: String, revoke: ServerAction<RevokeShareLink>) -> impl IntoView {
    if links.is_empty() {
        return ().into_any();
    }
    let rows = links
        .into_iter()
        .map(|l| {
            let state = match l.state {
                ShareState::Active => format!("works until {}", format::utc(l.expires_ns)),
                ShareState::Expired => format!("expired {}", format::utc(l.expires_ns)),
                ShareState::Revoked => "revoked".to_string(),
            };
            let active = l.state == ShareState::Active;
            let trace_id = trace_id.clone();
            view! {
                <li data-testid="share-link" data-state=format!("{:?}", l.state).to_lowercase()>
                    <span>{format!("Link #{} · made {} · {state}", l.id, format::utc(l.created_ns))}</span>
                    {active.then(|| view! {
                        <ActionForm action=revoke attr:class="inline-form">
                            <input type="hidden" name="trace_id" value=trace_id />
                            <input type="hidden" name="id" value=l.id />
                            <button class="button" type="submit" data-testid="revoke-share">"Revoke"</button>
                        </ActionForm>
                    })}
                </li>
            }
        })
        .collect_view();
    view! { <ul class="share-links">{rows}</ul> }.into_any()
}

/// Above a shared trace: what this page is, and until when it works.
#[component]
pub fn SharedBanner(expires_ns: i64) -> impl IntoView {
    view! {
        <p class="shared-banner" data-testid="shared-banner">
            {format!("A trace shared from Loupe: read-only, this trace only. The link works until {}.", format::utc(expires_ns))}
        </p>
    }
}
