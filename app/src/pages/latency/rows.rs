//! The range form and the table of kinds and steps.

use std::collections::HashSet;

use leptos::prelude::*;

use super::{LatencyView, RowView, selected::Selected};
use crate::components::kind::KindChip;
use crate::components::range_form::RangeForm;
use crate::format;
use crate::model::latency::LatencyFilter;

pub type Params = Memo<(LatencyFilter, Option<i64>)>;

/// The page's URL for a filter and bucket.
pub fn url(f: &LatencyFilter, bucket: Option<i64>) -> String {
    let mut pairs = Vec::new();
    for (k, v) in [("since", &f.since), ("until", &f.until), ("service", &f.service), ("kind", &f.kind), ("step", &f.step)] {
        if let Some(v) = v {
            pairs.push(format!("{k}={}", crate::model::encode(v)));
        }
    }
    if let Some(b) = bucket {
        pairs.push(format!("bucket={b}"));
    }
    if pairs.is_empty() { "/latency".into() } else { format!("/latency?{}", pairs.join("&")) }
}

/// Time range and service (the selection is kept in hidden fields).
#[component]
pub fn LatencyFilters(params: Params) -> impl IntoView {
    let f = move || params.with(|p| p.0.clone());
    view! {
        <RangeForm action="/latency" since=Signal::derive(move || f().since)>
            <label>
                "Service"
                <input name="service" list="services-list" placeholder="any" value=move || f().service.unwrap_or_default() />
            </label>
            <input type="hidden" name="kind" value=move || f().kind.unwrap_or_default() />
            <input type="hidden" name="step" value=move || f().step.unwrap_or_default() />
        </RangeForm>
    }
}

#[component]
pub fn LatencyBody(view: LatencyView, params: Params) -> impl IntoView {
    let filter = params.get_untracked().0;
    let selected_kind = filter.kind.clone();
    let expanded = RwSignal::new(selected_kind.iter().cloned().collect::<HashSet<String>>());
    let services = view.services.clone();
    let rows = view
        .kinds
        .into_iter()
        .map(|k| {
            let kind = k.latency.kind.as_str().to_string();
            let steps: Vec<RowView> = view.steps.iter().filter(|s| s.latency.kind == k.latency.kind).cloned().collect();
            let select = url(&LatencyFilter { kind: Some(kind.clone()), step: None, ..filter.clone() }, None);
            let is_selected = filter.kind.as_deref() == Some(kind.as_str()) && filter.step.is_none();
            let open = {
                let kind = kind.clone();
                move || expanded.with(|e| e.contains(&kind))
            };
            let toggle = {
                let kind = kind.clone();
                move |_| expanded.update(|e| if !e.remove(&kind) { e.insert(kind.clone()); })
            };
            let step_rows = steps
                .into_iter()
                .map(|s| {
                    let name = s.latency.name.clone().unwrap_or_default();
                    let href = url(&LatencyFilter { kind: Some(kind.clone()), step: Some(name.clone()), ..filter.clone() }, None);
                    let chosen = filter.step.as_deref() == Some(name.as_str()) && filter.kind.as_deref() == Some(kind.as_str());
                    let open = open.clone();
                    let label = name.clone();
                    view! {
                        <tr class="step-row" class:chosen=chosen data-testid="latency-step" data-step=name style:display=move || if open() { "" } else { "none" }>
                            <td class="step-name"><a href=href>{label}</a></td>
                            <Numbers row=s />
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <tbody>
                    <tr class="kind-row" class:chosen=is_selected data-testid="latency-kind" data-kind=kind.clone()>
                        <td>
                            <span class="kind-cell">
                                <button class="wf-toggle" data-testid="expand" aria-expanded=move || open().to_string() on:click=toggle>
                                    {let open = open.clone(); move || if open() { "▾" } else { "▸" }}
                                </button>
                                <a href=select><KindChip kind=k.latency.kind /></a>
                            </span>
                        </td>
                        <Numbers row=k />
                    </tr>
                    {step_rows}
                </tbody>
            }
        })
        .collect_view();
    let empty = view.steps.is_empty();
    view! {
        <datalist id="services-list">{services.into_iter().map(|s| view! { <option value=s></option> }).collect_view()}</datalist>
        {view.selected.map(|s| view! { <Selected selected=s filter=filter.clone() /> })}
        {if empty {
            view! { <p class="card empty" data-testid="latency-empty">"No spans in this range."</p> }.into_any()
        } else {
            view! {
                <table class="latency-table" data-testid="latency-table">
                    <thead>
                        <tr>
                            <th>"Step"</th><th class="num">"Count"</th><th class="num">"Errors"</th><th class="num">"p50"</th>
                            <th class="num">"p95"</th><th class="num">"p99"</th><th class="num">"Max"</th><th>"Histogram (log time)"</th>
                        </tr>
                    </thead>
                    {rows}
                </table>
            }.into_any()
        }}
        <p class="hint">
            {format!(
                "{} to {} (whole hours). Percentiles come from log buckets 10% wide: within ±{:.1}% of the exact value, never above the maximum. Steps fold numbers and ids in span names (\"case {{n}}\").",
                format::utc(view.since_ns), format::utc(view.until_ns), view.relative_error * 100.0
            )}
        </p>
    }
}

#[component]
fn Numbers(row: RowView) -> impl IntoView {
    let l = row.latency;
    view! {
        <td class="num mono">{format::count(l.count)}</td>
        <td class="num mono" class:errors={l.errors > 0}>{format!("{:.1}%", l.error_rate * 100.0)}</td>
        <td class="num mono">{format::duration(l.p50_ns)}</td>
        <td class="num mono p95">{format::duration(l.p95_ns)}</td>
        <td class="num mono">{format::duration(l.p99_ns)}</td>
        <td class="num mono">{format::duration(l.max_ns)}</td>
        <td class="spark" inner_html=row.svg></td>
    }
}
