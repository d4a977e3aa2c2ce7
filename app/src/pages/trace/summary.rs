//! Above the waterfall: the trace in numbers, and where its time went by step kind.

use std::sync::Arc;

use leptos::prelude::*;

use crate::components::kind::{class, label};
use crate::components::stat::Stat;
use crate::format;
use crate::outline::Outline;

#[component]
pub fn Summary(outline: Arc<Outline>, select: Callback<Option<u32>>) -> impl IntoView {
    let o = outline.clone();
    let tokens = if o.tokens.total > 0 || o.tokens.input > 0 {
        format!("{} in · {} out", format::count(o.tokens.input), format::count(o.tokens.output))
    } else {
        "–".into()
    };
    let cost = cost(&o);
    let duration = o.duration_ns.max(1) as f64;
    let kinds = o
        .by_kind
        .iter()
        .map(|k| {
            let share = k.wall_ns as f64 / duration * 100.0;
            let slowest = &o.rows[k.slowest as usize];
            let row = k.slowest;
            let href = format!("?span={}", slowest.span_id);
            view! {
                <tr class=class(k.kind) data-testid="kind-time" data-kind=k.kind.as_str()>
                    <td class="kind-name"><span class="swatch"></span>{label(k.kind)}</td>
                    <td class="share-bar"><span style=format!("width: {:.1}%", share.min(100.0))></span></td>
                    <td class="num mono">{format::duration(k.wall_ns)}</td>
                    <td class="num mono">{format!("{share:.0}%")}</td>
                    <td class="num mono">{format!("{} span{}", k.spans, if k.spans == 1 { "" } else { "s" })}</td>
                    <td class="slowest">
                        "slowest: "
                        <a
                            href=href
                            data-noscroll
                            data-testid="slowest"
                            on:click=move |ev| {
                                ev.prevent_default();
                                select.run(Some(row));
                            }
                        >
                            {slowest.name.clone()}
                        </a>
                        " "
                        <span class="mono muted">{format::duration(slowest.duration_ns)}</span>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="summary" data-testid="summary">
            <div class="stats">
                <Stat label="duration" value=format::duration(o.duration_ns) testid="trace-duration" />
                <Stat label="spans" value=format::count(o.rows.len() as i64) testid="trace-spans" />
                <Stat label="errors" value=o.errors.to_string() testid="trace-errors" alert={o.errors > 0} />
                <Stat label="tokens" value=tokens testid="trace-tokens" />
                <Stat label="cost" value=cost testid="trace-cost" />
                <Stat label="services" value=o.services.len().to_string() testid="trace-services" />
                {(o.logs.total > 0).then(|| {
                    let l = &o.logs;
                    let value = match (l.errors, l.warnings) {
                        (0, 0) => format!("{}", l.total),
                        (0, w) => format!("{w} warn"),
                        (e, 0) => format!("{e} err"),
                        (e, w) => format!("{e} err · {w} warn"),
                    };
                    view! { <Stat label="logs" value testid="trace-logs-stat" alert={l.errors > 0} /> }
                })}
            </div>
            <div class="by-kind card">
                <h2>"Time by step kind"</h2>
                <p class="hint">
                    "Wall-clock time each kind was doing its own work; parallel spans count once, a parent waiting on its children not at all."
                </p>
                <table>
                    <tbody>{kinds}</tbody>
                </table>
                {(o.orphans > 0).then(|| view! {
                    <p class="hint">{format!("{} span(s) name a parent that has not arrived; they are shown at the top level.", o.orphans)}</p>
                })}
            </div>
        </div>
    }
}

/// The trace's cost as the summary shows it ("$0.012", "$0.01 + 2 unpriced", "–").
pub fn cost(o: &Outline) -> String {
    format::trace_cost(o.cost_usd, o.unpriced as i64, o.rows.iter().any(|r| r.cost_usd.is_some() || r.unpriced))
}

/// A link preview's title, no content: "POST /refund — 3.4 s, 1 error, $0.012".
pub fn link_title(name: &str, o: &Outline) -> String {
    let errors = match o.errors {
        0 => "no errors".to_string(),
        1 => "1 error".to_string(),
        n => format!("{n} errors"),
    };
    format!("{name} — {}, {errors}, {}", format::duration(o.duration_ns), cost(o))
}
