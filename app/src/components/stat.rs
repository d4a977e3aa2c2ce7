//! A figure with its label (summaries, the costs page, the overview), optionally
//! with a small chart under it.

use leptos::prelude::*;

#[component]
pub fn Stat(
    label: &'static str,
    value: String,
    testid: &'static str,
    /// Drawn in the error colour.
    #[prop(optional)]
    alert: bool,
    /// A server-drawn SVG trend under the figure.
    #[prop(optional)]
    trend: Option<String>,
) -> impl IntoView {
    let has_trend = trend.is_some();
    view! {
        <div class="stat" class:alert=alert class:trend=has_trend>
            <span class="stat-value mono" data-testid=testid>{value}</span>
            <span class="stat-label">{label}</span>
            {trend.map(|svg| view! { <div class="spark-line" inner_html=svg></div> })}
        </div>
    }
}
