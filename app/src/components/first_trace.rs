//! How to get traces into Loupe, and how it keeps their content: the empty state.

use leptos::prelude::*;

use crate::model::ContentPolicy;

/// The content policy in force, in one sentence.
#[component]
pub fn PolicyNote(policy: ContentPolicy) -> impl IntoView {
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

/// The exporter settings for this Loupe, and the demo command.
#[component]
pub fn SendFirstTrace(endpoint: String) -> impl IntoView {
    let exports = format!(
        "export OTEL_EXPORTER_OTLP_ENDPOINT={endpoint}\nexport OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf\nexport OTEL_SERVICE_NAME=my-agent"
    );
    let demo = format!("loupe demo --endpoint {endpoint}");
    view! {
        <div class="card first-trace" data-testid="empty-state">
            <h2>"No traces yet: send a first one"</h2>
            <p>
                "Point any OpenTelemetry SDK at Loupe: it speaks OTLP/HTTP on this address, "
                "protobuf or JSON. Set these before starting your app:"
            </p>
            <pre class="mono" data-testid="exporter-env">{exports}</pre>
            <p>"Or fill Loupe with realistic agent traces:"</p>
            <pre class="mono">{demo}</pre>
            <p>"New traces appear here by themselves."</p>
        </div>
    }
}
