//! Cost by model, service or user (chart and table), and the costliest traces.

use leptos::prelude::*;

use crate::format;
use crate::model::cost::{CostGroup, ExpensiveTrace, TraceCostStats};

/// `?price_model=` link that opens the price form for a model.
fn price_link(model: &str) -> String {
    format!("/costs?price_model={}#prices", crate::model::encode(model))
}

#[component]
pub fn Breakdown(
    title: &'static str,
    what: &'static str,
    groups: Vec<CostGroup>,
    svg: String,
    testid: &'static str,
    /// Unpriced model rows link to the price form.
    #[prop(optional)]
    price_links: bool,
) -> impl IntoView {
    let total: f64 = groups.iter().map(|g| g.totals.cost_usd).sum();
    let empty = groups.is_empty();
    let rows = groups
        .into_iter()
        .map(|g| {
            let t = g.totals;
            let share = if total > 0.0 { t.cost_usd / total * 100.0 } else { 0.0 };
            let priced_none = t.unpriced > 0 && t.unpriced == t.calls;
            let cost = if priced_none { "unpriced".to_string() } else { format::usd(t.cost_usd) };
            let name = if g.key.is_empty() { "(none)".to_string() } else { g.key.clone() };
            let add_price = (price_links && t.unpriced > 0 && !g.key.is_empty()).then(|| price_link(&g.key));
            view! {
                <tr data-testid="cost-row" data-key=g.key.clone() class:unpriced=priced_none>
                    <td class="group-name">{name}</td>
                    <td class="num mono" data-testid="group-cost">{cost}</td>
                    <td class="num mono">{format!("{share:.0}%")}</td>
                    <td class="num mono">{format::count(t.calls)}</td>
                    <td class="num mono" class:none={t.unpriced == 0}>
                        {if t.unpriced > 0 { format::count(t.unpriced) } else { "–".into() }}
                        {add_price.map(|href| view! { " " <a href=href data-testid="add-price">"add price"</a> })}
                    </td>
                    <td class="num mono">{format::count(t.input_tokens)}</td>
                    <td class="num mono">{format::count(t.output_tokens)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card breakdown" data-testid=testid>
            <h2>{title}</h2>
            {if empty {
                view! { <p class="hint">"No model calls in this range."</p> }.into_any()
            } else {
                view! {
                    <div class="svg cost-bars" inner_html=svg></div>
                    <table class="cost-table">
                        <thead>
                            <tr>
                                <th>{what}</th>
                                <th class="num">"Cost"</th>
                                <th class="num">"Share"</th>
                                <th class="num">"Calls"</th>
                                <th class="num">"Unpriced"</th>
                                <th class="num">"Tokens in"</th>
                                <th class="num">"Tokens out"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}

#[component]
pub fn Expensive(traces: Vec<ExpensiveTrace>, per_trace: TraceCostStats) -> impl IntoView {
    let rows = traces
        .into_iter()
        .map(|t| {
            let href = format!("/traces/{}", t.trace_id);
            view! {
                <tr data-testid="expensive-trace">
                    <td class="trace-name"><a href=href>{t.root_name}</a> <span class="trace-id mono">{t.trace_id[..8.min(t.trace_id.len())].to_string()}</span></td>
                    <td>{t.service}</td>
                    <td class="when mono" title=format::utc(t.start_ns)>{format::utc(t.start_ns)[5..16].to_string()}</td>
                    <td class="num mono">{format::duration(t.duration_ns)}</td>
                    <td class="num mono">{format::count(t.input_tokens)} " · " {format::count(t.output_tokens)}</td>
                    <td class="num mono" data-testid="expensive-cost">{format::trace_cost(t.cost_usd, t.unpriced, true)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card expensive" data-testid="expensive">
            <h2>"Most expensive traces"</h2>
            <p class="hint">
                {format!(
                    "{} traces made model calls: cost per trace p50 {}, p95 {}, max {} (exact, from each trace's total).",
                    format::count(per_trace.traces),
                    format::usd(per_trace.p50_usd),
                    format::usd(per_trace.p95_usd),
                    format::usd(per_trace.max_usd)
                )}
            </p>
            <table class="cost-table">
                <thead>
                    <tr>
                        <th>"Trace"</th>
                        <th>"Service"</th>
                        <th>"Started (UTC)"</th>
                        <th class="num">"Duration"</th>
                        <th class="num">"Tokens in · out"</th>
                        <th class="num">"Cost"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
