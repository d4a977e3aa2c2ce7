//! The overview above the list: traces per minute, error rate, p95 latency and
//! cost over the selected range, each with its trend, so "is it slow right now?" is
//! answered before any click.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::stat::Stat;
use crate::error::PageError;
use crate::format;
use crate::model::TraceFilter;
use crate::model::overview::TrafficOverview;

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct OverviewView {
    pub overview: TrafficOverview,
    /// Trend SVGs: traces, error rate, p95, cost.
    pub sparks: [String; 4],
}

/// The range of `filter` only: the overview describes traffic, not the filtered list.
fn range_of(f: &TraceFilter) -> TraceFilter {
    TraceFilter { since: f.since.clone(), from: f.from.clone(), to: f.to.clone(), ..TraceFilter::default() }
}

#[server(prefix = "/rpc", endpoint = "overview", input = leptos::server_fn::codec::Json)]
pub async fn fetch_overview(filter: TraceFilter) -> Result<OverviewView, PageError> {
    use crate::charts::{Tone, spark};
    let o = crate::data::data()?.overview(&filter).await?;
    let series = |f: &dyn Fn(&crate::model::overview::OverviewPoint) -> f64| o.points.iter().map(f).collect::<Vec<f64>>();
    let rate = |p: &crate::model::overview::OverviewPoint| if p.traces > 0 { p.errors as f64 / p.traces as f64 } else { 0.0 };
    let sparks = [
        spark(&series(&|p| p.traces as f64), Tone::Traffic, 180, 36),
        spark(&series(&rate), Tone::Errors, 180, 36),
        spark(&series(&|p| p.p95_ns as f64), Tone::Latency, 180, 36),
        spark(&series(&|p| p.cost_usd), Tone::Cost, 180, 36),
    ];
    Ok(OverviewView { overview: o, sparks })
}

/// Every how many list polls the overview refreshes (it reads the whole range).
const EVERY: u32 = 4;

#[component]
pub fn Overview(filter: Memo<TraceFilter>, tick: RwSignal<u32>) -> impl IntoView {
    let range = Memo::new(move |_| filter.with(range_of));
    let data = Resource::new(move || (range.get(), tick.get() / EVERY), |(f, _)| fetch_overview(f));
    view! {
        <Transition fallback=|| view! { <div class="overview placeholder"></div> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) => view! { <Tiles v /> }.into_any(),
                    // The list below reports a bad range; the overview stays quiet.
                    Err(_) => ().into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Tiles(v: OverviewView) -> impl IntoView {
    let o = v.overview;
    let [traffic, errors, latency, cost] = v.sparks;
    let per_min = o.traces_per_minute();
    let rate = if per_min >= 10.0 { format!("{per_min:.0}") } else { format!("{per_min:.2}") };
    let step = format::step(o.step_ns);
    let cost_text = format::trace_cost(o.cost_usd, o.unpriced, o.cost_usd > 0.0 || o.unpriced > 0);
    let (from, to) = (format::utc(o.since_ns), format::utc(o.until_ns));
    // The end's date only when it differs from the start's.
    let to = if from[..10] == to[..10] { to[11..16].to_string() } else { to[..16].to_string() };
    let range = format!("{} – {to} UTC, per {step}", &from[..16]);
    view! {
        <div class="overview" data-testid="overview">
            <Stat label="traces / min" value=rate trend=traffic testid="ov-rate" />
            <Stat
                label="error rate"
                value=format!("{:.1}%", o.error_rate() * 100.0)
                trend=errors
                testid="ov-errors"
                alert={o.errors > 0}
            />
            <Stat label="p95 latency" value=format::duration(o.p95_ns) trend=latency testid="ov-p95" />
            <Stat label="cost" value=cost_text trend=cost testid="ov-cost" />
            <p class="hint overview-range mono">
                {range}
            </p>
        </div>
    }
}
