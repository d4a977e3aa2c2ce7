//! The time range of the stats pages (latency, costs, users): a plain GET form, so
//! it works before hydration and the range lives in the URL. Pages add their own
//! fields as children.

use leptos::prelude::*;

use crate::model::RangeFilter;

#[component]
pub fn RangeForm(
    action: &'static str,
    /// The `since` in the URL (an age; `24h` when absent).
    #[prop(into)]
    since: Signal<Option<String>>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let since = move || since.get().unwrap_or_else(|| "24h".into());
    view! {
        <form class="filters" method="get" action=action data-testid="range-filters">
            <label>
                "Time"
                <select name="since" onchange="this.form.requestSubmit()">
                    {[("1h", "last hour"), ("24h", "last 24 h"), ("7d", "last 7 days"), ("30d", "last 30 days")]
                        .into_iter()
                        .map(|(v, t)| view! { <option value=v selected=move || since() == v>{t}</option> })
                        .collect_view()}
                </select>
            </label>
            {children.map(|c| c())}
            <span class="filter-actions">
                <button class="button primary" type="submit">"Apply"</button>
            </span>
        </form>
    }
}

/// The range in the page's URL.
pub fn range_from_query(q: &leptos_router::params::ParamsMap) -> RangeFilter {
    let get = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
    RangeFilter { since: get("since"), until: get("until") }
}
