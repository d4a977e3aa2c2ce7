//! Per-step latency (`/latency`): for a time range and service, one row per step
//! kind, expandable into its steps, each with count, error rate, p50/p95/p99/max and
//! a histogram; the selected row gets a large histogram whose bars list their spans,
//! and its p95 hour by hour.

mod rows;
mod selected;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::error_page::ErrorPage;
use crate::error::PageError;
use crate::model::latency::{BucketSpan, LatencyFilter, LatencyPoint, StepLatency};

/// A row and its small histogram.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RowView {
    pub latency: StepLatency,
    pub svg: String,
}

/// The selected kind or step in detail.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SelectedView {
    pub latency: StepLatency,
    pub histogram_svg: String,
    /// (bucket, left %, width %, count) of each bar, for the links over them.
    pub bars: Vec<(i64, f64, f64, i64)>,
    pub series_svg: String,
    pub series: Vec<LatencyPoint>,
    /// The spans of the chosen bucket, when one is chosen.
    pub bucket: Option<(i64, Vec<BucketSpan>)>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LatencyView {
    pub since_ns: i64,
    pub until_ns: i64,
    pub relative_error: f64,
    pub kinds: Vec<RowView>,
    pub steps: Vec<RowView>,
    pub selected: Option<SelectedView>,
    pub services: Vec<String>,
}

#[server(prefix = "/rpc", endpoint = "latency", input = leptos::server_fn::codec::Json)]
pub async fn fetch_latency(filter: LatencyFilter, bucket: Option<i64>) -> Result<LatencyView, PageError> {
    use crate::charts::{histogram, p95_series};
    let data = crate::data::data()?;
    // Every kind and every step in the range; the kind/step filter only selects.
    let all = LatencyFilter { kind: None, step: None, ..filter.clone() };
    let steps = data.latency(&all, true).await?;
    let kinds = crate::model::latency::by_kind(&steps.rows);
    let range = |rows: &[StepLatency]| {
        let lo = rows.iter().filter_map(|r| r.buckets.first()).map(|b| b.bucket).min().unwrap_or(0);
        let hi = rows.iter().filter_map(|r| r.buckets.last()).map(|b| b.bucket).max().unwrap_or(lo);
        (lo, hi.max(lo + 1))
    };
    let shared = range(&kinds);
    let small = |r: StepLatency| RowView { svg: histogram(&r, shared, 220, 40, false).svg, latency: r };
    let wanted = filter.kind.as_deref().filter(|k| !k.is_empty());
    let step = filter.step.as_deref().filter(|s| !s.is_empty());
    let chosen = match (wanted, step) {
        (Some(k), Some(s)) => steps.rows.iter().find(|r| r.kind.as_str() == k && r.name.as_deref() == Some(s)).cloned(),
        (Some(k), None) => kinds.iter().find(|r| r.kind.as_str() == k).cloned(),
        _ => None,
    };
    let selected = match chosen {
        Some(latency) => {
            let chart = histogram(&latency, range(std::slice::from_ref(&latency)), 760, 220, true);
            let series = data.latency_series(&filter).await?;
            let bucket = match bucket {
                Some(b) => Some((b, data.spans_in_bucket(&filter, b).await?)),
                None => None,
            };
            Some(SelectedView {
                series_svg: p95_series(&series, 760, 170),
                series,
                histogram_svg: chart.svg,
                bars: chart.bars,
                latency,
                bucket,
            })
        }
        None => None,
    };
    let (services, _) = data.filter_values().await?;
    Ok(LatencyView {
        since_ns: steps.since_ns,
        until_ns: steps.until_ns,
        relative_error: steps.relative_error,
        kinds: kinds.into_iter().map(small).collect(),
        steps: steps.rows.into_iter().map(small).collect(),
        selected,
        services,
    })
}

#[component]
pub fn LatencyPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        query.with(|q| {
            let get = |k: &str| q.get(k).filter(|v| !v.trim().is_empty());
            let filter =
                LatencyFilter { since: get("since"), until: get("until"), service: get("service"), kind: get("kind"), step: get("step") };
            (filter, get("bucket").and_then(|b| b.parse::<i64>().ok()))
        })
    });
    let view = Resource::new(move || params.get(), |(f, b)| fetch_latency(f, b));
    view! {
        <section class="latency">
            <div class="page-head">
                <h1>"Latency by step"</h1>
                <span class="muted">"Where the time goes, across traces: percentiles and histograms per step kind and per step."</span>
            </div>
            <rows::LatencyFilters params />
            <Transition fallback=|| view! { <p class="loading">"Loading latency…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(v) => view! { <rows::LatencyBody view=v params /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e what="latency report" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
