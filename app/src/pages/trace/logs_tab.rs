//! The trace's Logs tab: every record of the trace in time order, filtered by
//! least severity and text as the user types, each a link to its span.

use leptos::prelude::*;

use crate::components::logs::{Clock, LinkTo, LogLines};
use crate::error::PageError;
use crate::model::logs::{LogView, Severity, TraceLogs};

/// A trace's records (up to the store's cap per trace).
#[server(prefix = "/rpc", endpoint = "trace_logs")]
pub async fn fetch_trace_logs(trace_id: String) -> Result<TraceLogs, PageError> {
    crate::data::data()?.trace_logs(&trace_id).await
}

#[component]
pub fn LogsTab(trace_id: String, start_ns: i64) -> impl IntoView {
    let logs = Resource::new(move || trace_id.clone(), fetch_trace_logs);
    let text = RwSignal::new(String::new());
    let least = RwSignal::new(Severity::Unspecified);
    view! {
        <div class="trace-logs card" data-testid="trace-logs">
            <div class="filters inline">
                <label class="grow">
                    "Text"
                    <input
                        type="search"
                        placeholder="in the body or exception…"
                        data-testid="trace-logs-text"
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    "Severity"
                    <select
                        data-testid="trace-logs-severity"
                        on:change=move |ev| least.set(Severity::parse(&event_target_value(&ev)).unwrap_or(Severity::Unspecified))
                    >
                        <option value="">"any"</option>
                        <option value="info">"info and up"</option>
                        <option value="warn">"warnings and up"</option>
                        <option value="error">"errors and up"</option>
                    </select>
                </label>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading logs…"</p> }>
                {move || Suspend::new(async move {
                    match logs.await {
                        Ok(all) => view! { <Filtered all text least start_ns /> }.into_any(),
                        Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn Filtered(all: TraceLogs, text: RwSignal<String>, least: RwSignal<Severity>, start_ns: i64) -> impl IntoView {
    let truncated = all.truncated;
    let total = all.logs.len();
    let logs = StoredValue::new(all.logs);
    let shown = move || {
        let words: Vec<String> = text.with(|t| t.split_whitespace().map(str::to_lowercase).collect());
        let least = least.get();
        logs.with_value(|all| all.iter().filter(|l| matches(l, &words, least)).cloned().collect::<Vec<_>>())
    };
    view! {
        {move || {
            let shown = shown();
            let count = if shown.len() == total {
                format!("{total} record{}", if total == 1 { "" } else { "s" })
            } else {
                format!("{} of {total} records", shown.len())
            };
            let empty = shown.is_empty();
            view! {
                <p class="muted" data-testid="trace-logs-count">{count}</p>
                {if empty {
                    view! { <p class="muted" data-testid="no-logs">"No log records here. Records written inside this trace's spans (OTLP logs with its trace id) show here."</p> }.into_any()
                } else {
                    view! { <LogLines logs=shown clock=Clock::After(start_ns) link=LinkTo::Span testid="trace-log-list" /> }.into_any()
                }}
            }
        }}
        {truncated.then(|| view! { <p class="hint">"Only the first records of this trace are listed; search the Logs page for the rest."</p> })}
    }
}

fn matches(l: &LogView, words: &[String], least: Severity) -> bool {
    if l.severity < least {
        return false;
    }
    if words.is_empty() {
        return true;
    }
    let mut hay = l.body_text().to_lowercase();
    if let Some(x) = &l.exception {
        hay.push(' ');
        hay.push_str(&x.kind.clone().unwrap_or_default().to_lowercase());
        hay.push(' ');
        hay.push_str(&x.message.clone().unwrap_or_default().to_lowercase());
    }
    words.iter().all(|w| hay.contains(w.as_str()))
}
