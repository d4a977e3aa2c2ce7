//! The bottleneck summary at the top of the trace page: findings in sentences with
//! fixes, and the critical path with each step's share.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::components::kind::class;
use crate::format;
use crate::outline::Outline;

#[component]
pub fn Insights(outline: Arc<Outline>, index: Arc<HashMap<String, u32>>, select: Callback<Option<u32>>) -> impl IntoView {
    let link = {
        let index = index.clone();
        move |span_id: &str, label: String| {
            let row = index.get(span_id).copied();
            view! {
                <a
                    href=format!("?span={span_id}")
                    data-noscroll
                    on:click=move |ev| {
                        ev.prevent_default();
                        select.run(row);
                    }
                >
                    {label}
                </a>
            }
        }
    };
    let findings = outline
        .findings
        .iter()
        .map(|f| {
            let show = f.span_ids.first().map(|id| link(id, "show".into()));
            view! {
                <li data-testid="finding" data-kind=serde_json::to_value(f.kind).ok().and_then(|v| v.as_str().map(String::from))>
                    <p class="finding-text">{ticked(&f.text)} " " {show}</p>
                    <p class="fix"><strong>"Try: "</strong>{ticked(&f.fix)}</p>
                </li>
            }
        })
        .collect_view();
    let total = outline.duration_ns.max(1) as f64;
    let path = outline
        .critical_path
        .iter()
        .filter(|s| s.self_ns as f64 / total >= 0.01)
        .map(|s| {
            let r = &outline.rows[s.row as usize];
            view! {
                <li class=class(r.kind)>
                    <span class="swatch"></span>
                    {link(&r.span_id, r.name.clone())}
                    " "
                    <span class="mono muted">{format!("{:.0}%", s.self_ns as f64 / total * 100.0)}</span>
                </li>
            }
        })
        .collect_view();
    let quiet = outline.findings.is_empty();
    view! {
        <div class="card insights" data-testid="insights">
            <h2>{format!("Why it took {}", format::duration(outline.duration_ns))}</h2>
            {if quiet {
                view! {
                    <p class="hint" data-testid="no-findings">
                        "Nothing stands out: no single step dominates, nothing was retried or repeated."
                    </p>
                }
                .into_any()
            } else {
                view! { <ul class="findings">{findings}</ul> }.into_any()
            }}
            <div class="critical-path" data-testid="critical-path">
                <span class="muted">"Critical path:"</span>
                <ol>{path}</ol>
            </div>
        </div>
    }
}

/// Text with `backticked` span names shown as code.
fn ticked(text: &str) -> impl IntoView + use<> {
    text.split('`')
        .enumerate()
        .map(|(i, part)| if i % 2 == 1 { view! { <code>{part.to_string()}</code> }.into_any() } else { part.to_string().into_any() })
        .collect_view()
}
