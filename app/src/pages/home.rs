//! The home page: what is stored, and how to send a first trace.

use leptos::prelude::*;

use crate::model::{ContentPolicy, Overview, Stats};

/// Counts of stored traces and spans, and the content policy.
#[server(prefix = "/rpc", endpoint = "overview")]
pub async fn get_overview() -> Result<Overview, ServerFnError> {
    let data = crate::data::data()?;
    let stats = data.stats().await.map_err(ServerFnError::new)?;
    Ok(Overview { stats, content_policy: data.content_policy(), otlp_endpoint: data.otlp_endpoint() })
}

#[component]
pub fn HomePage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_overview());
    view! {
        <section class="home">
            <div class="home-head">
                <h1>"Traces of your LLM apps and agents"</h1>
                <button class="button" data-testid="refresh" on:click=move |_| overview.refetch()>
                    "Refresh"
                </button>
            </div>
            <Transition fallback=|| view! { <StatCards stats=None /> }>
                {move || Suspend::new(async move {
                    match overview.await {
                        Ok(o) => view! {
                            <StatCards stats=Some(o.stats) />
                            <PolicyNote policy=o.content_policy />
                            <SendFirstTrace endpoint=o.otlp_endpoint />
                        }
                        .into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
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
fn PolicyNote(policy: ContentPolicy) -> impl IntoView {
    let text = match policy {
        ContentPolicy::Hashed => {
            "Content capture is off: prompts and completions are kept as keyed hashes, lengths and structure, never as text."
        }
        ContentPolicy::Captured => "Content capture is on: prompts and completions are stored as sent.",
    };
    view! {
        <p class="policy" data-testid="content-policy" data-policy=policy.as_str()>
            {text}
        </p>
    }
}

#[component]
fn SendFirstTrace(endpoint: String) -> impl IntoView {
    let exports = format!(
        "export OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}\nexport OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\nexport OTEL_SERVICE_NAME=my-agent"
    );
    let demo = format!("loupe demo --endpoint {endpoint}");
    view! {
        <div class="card">
            <h2>"Send a first trace"</h2>
            <p>
                "Point any OpenTelemetry SDK at Loupe: it speaks OTLP/HTTP on this address, "
                "protobuf or JSON."
            </p>
            <pre class="mono" data-testid="exporter-env">{exports}</pre>
            <p>"Or fill Loupe with realistic agent traces:"</p>
            <pre class="mono">{demo}</pre>
        </div>
    }
}
