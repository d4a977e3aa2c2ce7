//! The trace table and its pager.

use leptos::prelude::*;

use crate::format;
use crate::model::{TraceFilter, TracePage, TraceSummary};

#[component]
pub fn TraceTable(page: TracePage, filter: TraceFilter, now_ns: i64) -> impl IntoView {
    // Duration bars are scaled to the slowest trace on the page.
    let longest = page.traces.iter().map(|t| t.duration_ns).max().unwrap_or(1).max(1);
    let newer = page.prev_cursor.map(|c| format!("/?{}", filter.paged(None, Some(c)).to_query()));
    let older = page.next_cursor.map(|c| format!("/?{}", filter.paged(Some(c), None).to_query()));
    view! {
        <table class="trace-table" data-testid="trace-table">
            <thead>
                <tr>
                    <th>"Trace"</th>
                    <th>"Service"</th>
                    <th>"Started"</th>
                    <th class="num">"Duration"</th>
                    <th class="num">"Spans"</th>
                    <th class="num">"Errors"</th>
                    <th class="num">"Tokens"</th>
                    <th class="num">"Cost"</th>
                    <th>"Models"</th>
                </tr>
            </thead>
            <tbody>
                {page.traces.into_iter().map(|t| view! { <TraceRow t now_ns longest /> }).collect_view()}
            </tbody>
        </table>
        <nav class="pager" data-testid="pager">
            {match newer {
                Some(href) => view! { <a class="button" href=href data-testid="newer">"← Newer"</a> }.into_any(),
                None => view! { <span class="button disabled">"← Newer"</span> }.into_any(),
            }}
            {match older {
                Some(href) => view! { <a class="button" href=href data-testid="older">"Older →"</a> }.into_any(),
                None => view! { <span class="button disabled">"Older →"</span> }.into_any(),
            }}
        </nav>
    }
}

#[component]
fn TraceRow(t: TraceSummary, now_ns: i64, longest: i64) -> impl IntoView {
    let href = format!("/traces/{}", t.trace_id);
    let bar = format!("width: {:.1}%", (t.duration_ns as f64 / longest as f64 * 100.0).max(0.5));
    let name = if t.has_root { t.root_name.clone() } else { format!("{} (root not received yet)", t.root_name) };
    let errors = t.error_count;
    let tokens = (t.tokens.total > 0).then(|| format::count(t.tokens.total));
    let cost = format::trace_cost(t.cost_usd, t.unpriced, !t.models.is_empty());
    let no_cost = cost == "–";
    let cost_title = (t.unpriced > 0).then(|| format!("{} model call(s) matched no price; their cost is not included", t.unpriced));
    view! {
        <tr class:has-error={errors > 0} data-testid="trace-row" data-trace-id=t.trace_id.clone()>
            <td class="trace-name">
                <a href=href>{name}</a>
                <span class="trace-id mono">{t.trace_id[..8].to_string()}</span>
            </td>
            <td>{t.service}</td>
            <td title=format::utc(t.start_ns) class="when">{format::ago(t.start_ns, now_ns)}</td>
            <td class="num">
                <span class="dur">
                    <span class="mono">{format::duration(t.duration_ns)}</span>
                    <span class="dur-bar"><span style=bar></span></span>
                </span>
            </td>
            <td class="num mono">{format::count(t.span_count)}</td>
            <td class="num mono errors" class:none={errors == 0}>
                {if errors > 0 { format!("{errors} ✕") } else { "–".into() }}
            </td>
            <td class="num mono" class:none=tokens.is_none()>{tokens.clone().unwrap_or_else(|| "–".into())}</td>
            <td class="num mono cost" class:none=no_cost class:unpriced={t.unpriced > 0} title=cost_title data-testid="trace-cost">
                {cost}
            </td>
            <td class="models">
                {t.models.into_iter().map(|m| view! { <span class="tag mono">{m}</span> }).collect_view()}
            </td>
        </tr>
    }
}
