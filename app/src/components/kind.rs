//! Step kinds as colours: a dot, a chip, and the legend that explains them. The
//! colours themselves live in the stylesheet (`.k-llm`, …), per colour scheme.

use leptos::prelude::*;

use crate::model::StepKind;

/// A human label for a kind.
pub fn label(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Agent => "agent",
        StepKind::Chain => "chain",
        StepKind::Retrieval => "retrieval",
        StepKind::Embedding => "embedding",
        StepKind::Llm => "model call",
        StepKind::Tool => "tool",
        StepKind::Rerank => "rerank",
        StepKind::Guardrail => "guardrail",
        StepKind::Http => "http",
        StepKind::Db => "database",
        StepKind::Other => "other",
    }
}

/// The CSS class that colours an element by kind.
pub fn class(kind: StepKind) -> String {
    format!("k-{}", kind.as_str())
}

#[component]
pub fn KindChip(kind: StepKind) -> impl IntoView {
    view! { <span class=format!("chip {}", class(kind))>{label(kind)}</span> }
}

/// Swatches for the given kinds.
#[component]
pub fn Legend(kinds: Vec<StepKind>) -> impl IntoView {
    view! {
        <ul class="legend" data-testid="legend">
            {kinds
                .into_iter()
                .map(|k| view! { <li class=class(k)><span class="swatch"></span>{label(k)}</li> })
                .collect_view()}
        </ul>
    }
}
