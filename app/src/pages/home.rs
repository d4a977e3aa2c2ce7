//! The home page: what is stored, and how to send a first trace.

use leptos::prelude::*;

use crate::model::Stats;

/// Counts of stored traces and spans.
#[server(prefix = "/rpc", endpoint = "stats")]
pub async fn get_stats() -> Result<Stats, ServerFnError> {
    crate::data::data()?.stats().await.map_err(ServerFnError::new)
}

#[component]
pub fn HomePage() -> impl IntoView {
    let stats = Resource::new(|| (), |_| get_stats());
    view! {
        <section class="home">
            <h1>"Traces of your LLM apps and agents"</h1>
            <Transition fallback=|| view! { <StatCards stats=None /> }>
                {move || Suspend::new(async move {
                    match stats.await {
                        Ok(s) => view! { <StatCards stats=Some(s) /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
            <button class="button" data-testid="refresh" on:click=move |_| stats.refetch()>
                "Refresh"
            </button>
            <SendFirstTrace />
        </section>
    }
}

#[component]
fn StatCards(stats: Option<Stats>) -> impl IntoView {
    let show = move |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_else(|| "…".into());
    view! {
        <div class="stats">
            <div class="stat">
                <span class="stat-value mono" data-testid="trace-count">
                    {show(stats.map(|s| s.traces))}
                </span>
                <span class="stat-label">"traces"</span>
            </div>
            <div class="stat">
                <span class="stat-value mono" data-testid="span-count">
                    {show(stats.map(|s| s.spans))}
                </span>
                <span class="stat-label">"spans"</span>
            </div>
        </div>
    }
}

#[component]
fn SendFirstTrace() -> impl IntoView {
    view! {
        <div class="card">
            <h2>"Send a first trace"</h2>
            <p>
                "Point any OpenTelemetry SDK at Loupe: it speaks OTLP/HTTP on this address, "
                "protobuf or JSON."
            </p>
            <pre class="mono">
                "export OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:4318\n"
                "export OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\n"
                "export OTEL_SERVICE_NAME=my-agent"
            </pre>
            <p>"Or fill Loupe with realistic agent traces:"</p>
            <pre class="mono">"loupe demo"</pre>
        </div>
    }
}
