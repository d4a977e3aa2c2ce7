//! The trace list (`/`): newest first, filtered from the URL, paged by cursor, and
//! live on its first page.

mod filters;
mod overview;
mod table;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::error_page::ErrorPage;
use crate::components::first_trace::{PolicyNote, SendFirstTrace};
use crate::error::PageError;
use crate::format;
use crate::model::{ListView, Stats, TraceFilter};

/// How often the first page looks for new traces.
const POLL_MS: u64 = 4_000;

/// One page of the list, with the header counts and filter suggestions.
///
/// JSON input: a form-encoded filter with every field empty would be an empty body,
/// which does not decode back into a `TraceFilter`.
#[server(prefix = "/rpc", endpoint = "traces", input = leptos::server_fn::codec::Json)]
pub async fn fetch_traces(filter: TraceFilter) -> Result<ListView, PageError> {
    let data = crate::data::data()?;
    let page = data.list_traces(&filter).await?;
    let stats = data.stats().await?;
    let (services, models) = data.filter_values().await?;
    let now_ns = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or_default();
    Ok(ListView { page, stats, now_ns, content_policy: data.content_policy(), otlp_endpoint: data.otlp_endpoint(), services, models })
}

#[component]
pub fn TracesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| TraceFilter::from_pairs(|k| q.get(k))));
    // Bumped by the poll and by Refresh; the list refetches with the same filters,
    // and Transition keeps the current rows on screen until the new ones are in.
    let tick = RwSignal::new(0u32);
    let list = Resource::new(move || (filter.get(), tick.get()), |(f, _)| fetch_traces(f));

    crate::components::poll::refresh_first_page(tick, POLL_MS, move || filter.with_untracked(TraceFilter::is_first_page));

    view! {
        <section class="traces">
            <div class="page-head">
                <h1>"Traces"</h1>
                <Transition fallback=|| view! { <Counts stats=None /> }>
                    {move || Suspend::new(async move {
                        view! { <Counts stats=list.await.ok().map(|v| v.stats) /> }
                    })}
                </Transition>
                <span class="live" class:paused=move || !filter.with(TraceFilter::is_first_page)>
                    {move || if filter.with(TraceFilter::is_first_page) { "live" } else { "paused on an older page" }}
                </span>
                <button class="button" data-testid="refresh" on:click=move |_| tick.update(|t| *t += 1)>
                    "Refresh"
                </button>
                <crate::components::import::ImportButton />
            </div>
            <filters::Filters filter=filter />
            <overview::Overview filter tick />
            <Transition fallback=|| view! { <p class="loading">"Loading traces…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        Ok(v) => list_body(v, filter.get_untracked()).into_any(),
                        Err(e @ PageError::BadRequest(_)) => {
                            e.set_response_status();
                            view! {
                                <div class="card error" data-testid="filter-error">
                                    <p>{e.to_string()}</p>
                                    <a href="/">"Clear filters"</a>
                                </div>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorPage error=e what="trace list" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn list_body(v: ListView, filter: TraceFilter) -> impl IntoView {
    let suggestions = view! {
        <datalist id="services-list">
            {v.services.into_iter().map(|s| view! { <option value=s></option> }).collect_view()}
        </datalist>
        <datalist id="models-list">
            {v.models.into_iter().map(|s| view! { <option value=s></option> }).collect_view()}
        </datalist>
    };
    let body = if v.stats.traces == 0 {
        view! { <SendFirstTrace endpoint=v.otlp_endpoint /> }.into_any()
    } else if v.page.traces.is_empty() {
        view! {
            <div class="card" data-testid="no-match">
                <p>"No traces match these filters."</p>
                <a href="/">"Clear filters"</a>
            </div>
        }
        .into_any()
    } else {
        view! { <table::TraceTable page=v.page filter now_ns=v.now_ns /> }.into_any()
    };
    view! {
        {suggestions}
        {body}
        <PolicyNote policy=v.content_policy />
    }
}

/// Traces and spans stored, in the header.
#[component]
fn Counts(stats: Option<Stats>) -> impl IntoView {
    let show = move |n: Option<u64>| n.map(|n| format::count(n as i64)).unwrap_or_else(|| "…".into());
    view! {
        <span class="counts">
            <span class="mono" data-testid="trace-count">{show(stats.map(|s| s.traces))}</span>
            " traces · "
            <span class="mono" data-testid="span-count">{show(stats.map(|s| s.spans))}</span>
            " spans"
        </span>
    }
}
