//! The selected kind or step: a large histogram whose bars list their spans, the
//! spans of the chosen bar, and p95 hour by hour.

use leptos::prelude::*;

use super::SelectedView;
use super::rows::url;
use crate::components::kind::KindChip;
use crate::format;
use crate::model::latency::{LatencyFilter, lower_ns, upper_ns};

#[component]
pub fn Selected(selected: SelectedView, filter: LatencyFilter) -> impl IntoView {
    let l = selected.latency;
    let title = l.name.clone().unwrap_or_else(|| "all steps of this kind".into());
    let links = selected
        .bars
        .into_iter()
        .map(|(bucket, left, width, count)| {
            let href = url(&filter, Some(bucket));
            let tip = format!("{} – {}: {} span{}", format::duration(lower_ns(bucket)), format::duration(upper_ns(bucket)), count, if count == 1 { "" } else { "s" });
            view! {
                <a class="bar-link" data-testid="bucket" data-bucket=bucket href=href title=tip style=format!("left: {left:.3}%; width: {width:.3}%")></a>
            }
        })
        .collect_view();
    let spans = selected.bucket.map(|(bucket, spans)| {
        view! {
            <h3>{format!("Spans from {} to {} (the {} stored last)", format::duration(lower_ns(bucket)), format::duration(upper_ns(bucket)), spans.len())}</h3>
            <table class="trace-table bucket-spans" data-testid="bucket-spans">
                <tbody>
                    {spans.into_iter().map(|s| view! {
                        <tr class:has-error=s.error>
                            <td class="trace-name"><a href=format!("/traces/{}?span={}", s.trace_id, s.span_id)>{s.name}</a></td>
                            <td>{s.service}</td>
                            <td class="num mono">{format::duration(s.duration_ns)}</td>
                            <td class="when" title=format::utc(s.start_ns)>{format::utc(s.start_ns)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
    });
    view! {
        <div class="card selected-step" data-testid="selected-step">
            <div class="detail-head">
                <KindChip kind=l.kind />
                <h2>{title}</h2>
            </div>
            <p class="muted mono">
                {format!(
                    "{} spans · {:.1}% errors · p50 {} · p95 {} · p99 {} · max {}",
                    format::count(l.count), l.error_rate * 100.0, format::duration(l.p50_ns), format::duration(l.p95_ns),
                    format::duration(l.p99_ns), format::duration(l.max_ns)
                )}
            </p>
            <div class="big-histogram">
                <div class="svg" inner_html=selected.histogram_svg></div>
                {links}
            </div>
            <p class="hint">
                <span class="mark p50">"p50"</span> <span class="mark p95">"p95"</span> <span class="mark p99">"p99"</span>
                " · click a bar to list its spans"
            </p>
            {spans}
            <h3>"p95 by hour"</h3>
            <div class="svg" inner_html=selected.series_svg></div>
        </div>
    }
}
