//! The list's filter bar. A plain GET form, so it works before the page hydrates;
//! after hydration it navigates in place with a clean URL (empty fields left out),
//! and a changed select applies at once.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;

use crate::components::kind::label;
use crate::model::{StepKind, TraceFilter};

const RANGES: [(&str, &str); 6] = [
    ("", "any time"),
    ("15m", "last 15 min"),
    ("1h", "last hour"),
    ("24h", "last 24 h"),
    ("7d", "last 7 days"),
    ("custom", "custom (UTC)…"),
];

#[component]
pub fn Filters(filter: Memo<TraceFilter>) -> impl IntoView {
    let navigate = use_navigate();
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let Some(form) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok()) else { return };
        let Ok(data) = web_sys::FormData::new_with_form(&form) else { return };
        let mut f = TraceFilter::from_pairs(|k| data.get(k).as_string());
        if f.since.as_deref() != Some("custom") {
            f.from = None;
            f.to = None;
        }
        let query = f.to_query();
        let url = if query.is_empty() { "/".to_string() } else { format!("/?{query}") };
        navigate(&url, NavigateOptions { scroll: false, ..Default::default() });
    };
    let apply_now = |ev: leptos::ev::Event| {
        let form = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("form").ok().flatten())
            .and_then(|f| f.dyn_into::<web_sys::HtmlFormElement>().ok());
        if let Some(form) = form {
            let _ = form.request_submit();
        }
    };
    let text = move |get: fn(&TraceFilter) -> &Option<String>| move || filter.with(|f| get(f).clone().unwrap_or_default());

    view! {
        <form class="filters" method="get" action="/" on:submit=on_submit data-testid="filters">
            <label class="grow">
                "Span name"
                <input type="search" name="q" placeholder="contains…" prop:value=text(|f| &f.q) value=text(|f| &f.q) />
            </label>
            <label>
                "Service"
                <input name="service" list="services-list" placeholder="any" prop:value=text(|f| &f.service) value=text(|f| &f.service) />
            </label>
            <label>
                "Status"
                <select name="status" on:change=apply_now data-testid="filter-status">
                    <Choice value="" text="any" current=text(|f| &f.status) />
                    <Choice value="error" text="errors" current=text(|f| &f.status) />
                    <Choice value="ok" text="no errors" current=text(|f| &f.status) />
                </select>
            </label>
            <label>
                "Step kind"
                <select name="kind" on:change=apply_now data-testid="filter-kind">
                    <Choice value="" text="any" current=text(|f| &f.kind) />
                    {StepKind::ALL
                        .into_iter()
                        .map(|k| view! { <Choice value=k.as_str() text=label(k) current=text(|f| &f.kind) /> })
                        .collect_view()}
                </select>
            </label>
            <label>
                "Model"
                <input name="model" list="models-list" placeholder="any" prop:value=text(|f| &f.model) value=text(|f| &f.model) />
            </label>
            <label class="narrow">
                "Min duration (ms)"
                <input type="number" min="0" step="any" name="min_duration_ms" prop:value=text(|f| &f.min_duration_ms) value=text(|f| &f.min_duration_ms) />
            </label>
            <label>
                "User"
                <input name="user" placeholder="user.id" prop:value=text(|f| &f.user) value=text(|f| &f.user) />
            </label>
            <label>
                "Session"
                <input name="session" placeholder="session.id" prop:value=text(|f| &f.session) value=text(|f| &f.session) />
            </label>
            <label>
                "Time"
                <select name="since" on:change=apply_now data-testid="filter-since">
                    {RANGES.into_iter().map(|(v, t)| view! { <Choice value=v text=t current=text(|f| &f.since) /> }).collect_view()}
                </select>
            </label>
            <span class="custom-range">
                <label>
                    "From"
                    <input type="datetime-local" name="from" prop:value=text(|f| &f.from) value=text(|f| &f.from) />
                </label>
                <label>
                    "To"
                    <input type="datetime-local" name="to" prop:value=text(|f| &f.to) value=text(|f| &f.to) />
                </label>
            </span>
            <span class="filter-actions">
                <button class="button primary" type="submit" data-testid="apply">"Apply"</button>
                <a class="button" href="/" data-testid="clear">"Clear"</a>
            </span>
        </form>
    }
}

/// An `<option>` selected when it is the current value (also in the server render).
#[component]
fn Choice(value: &'static str, text: &'static str, current: impl Fn() -> String + Send + Sync + 'static) -> impl IntoView {
    let selected = Memo::new(move |_| current() == value);
    view! { <option value=value selected=selected prop:selected=selected>{text}</option> }
}
