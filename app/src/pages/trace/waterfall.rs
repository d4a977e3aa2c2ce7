//! The waterfall: one row per span in tree order, bars on the trace's time axis.
//!
//! Only the rows in view (plus a margin) are in the DOM: rows have a fixed height
//! and sit absolutely inside a canvas as tall as all visible rows, so a 10,000-span
//! trace scrolls like a 50-span one.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;

use super::ViewState;
use super::keys;
use super::ruler::{Grid, Ruler};
use crate::components::kind::{Legend, class};
use crate::components::logs::severity_class;
use crate::format;
use crate::model::StepKind;
use crate::outline::Outline;

/// Row height in pixels; the stylesheet's `.wf-row` uses the same.
pub const ROW_H: f64 = 26.0;
/// Rows rendered above and below the viewport.
const OVERSCAN: usize = 12;
/// The viewport height assumed before the browser measures it (server render and
/// first client render must agree for hydration).
const FIRST_VIEW_H: f64 = 640.0;

#[component]
pub fn Waterfall(
    outline: Arc<Outline>,
    /// Row by span id ([`Outline::index`]).
    index: Arc<HashMap<String, u32>>,
    selected: Memo<Option<u32>>,
    select: Callback<Option<u32>>,
    state: ViewState,
) -> impl IntoView {
    let visible = {
        let (outline, index) = (outline.clone(), index.clone());
        Memo::new(move |_| {
            state.collapsed.with(|c| {
                let folded: HashSet<u32> = c.iter().filter_map(|id| index.get(id).copied()).collect();
                outline.visible(&folded)
            })
        })
    };
    let view_h = RwSignal::new(FIRST_VIEW_H);
    let window = Memo::new(move |_| {
        let top = state.scroll_top.get();
        let h = view_h.get();
        visible.with(|v| {
            let first = ((top / ROW_H).floor().max(0.0) as usize).saturating_sub(OVERSCAN).min(v.len());
            let last = (first + (h / ROW_H).ceil() as usize + 2 * OVERSCAN).min(v.len());
            (first..last).map(|pos| (pos, v[pos])).collect::<Vec<_>>()
        })
    });
    let scroller = NodeRef::<html::Div>::new();

    // Once mounted: measure the viewport (the box shrinks to short traces, so never
    // below the first guess), follow window resizes, and return to where the user
    // was before a refresh.
    Effect::new(move |_| {
        if let Some(el) = scroller.get() {
            let measure = move || {
                let h = leptos::prelude::window().inner_height().ok().and_then(|h| h.as_f64()).unwrap_or(FIRST_VIEW_H);
                view_h.set(h.max(FIRST_VIEW_H));
            };
            measure();
            let resize = window_event_listener(leptos::ev::resize, move |_| measure());
            on_cleanup(move || resize.remove());
            el.set_scroll_top(state.scroll_top.get_untracked() as i32);
        }
    });
    // Bring the selected span into view (from a link, a click or the keyboard),
    // unfolding its ancestors if needed.
    {
        let outline = outline.clone();
        Effect::new(move |_| {
            let Some(sel) = selected.get() else { return };
            let folded: Vec<String> = outline
                .ancestors(sel)
                .into_iter()
                .map(|a| outline.rows[a as usize].span_id.clone())
                .filter(|id| state.collapsed.with_untracked(|c| c.contains(id)))
                .collect();
            if !folded.is_empty() {
                state.collapsed.update(|c| folded.iter().for_each(|id| _ = c.remove(id)));
            }
            let Some(pos) = visible.with_untracked(|v| v.iter().position(|&i| i == sel)) else { return };
            if let Some(el) = scroller.get_untracked() {
                let (top, current, h) = (pos as f64 * ROW_H, el.scroll_top() as f64, el.client_height() as f64);
                if top < current || top + ROW_H > current + h {
                    el.set_scroll_top((top - h / 2.0 + ROW_H / 2.0).max(0.0) as i32);
                }
            }
        });
    }
    keys::install(outline.clone(), visible, selected, state.collapsed, select, scroller);

    let mut kinds: Vec<StepKind> = outline.by_kind.iter().map(|k| k.kind).collect();
    kinds.sort();
    let duration_ns = outline.duration_ns;
    let o = outline.clone();
    view! {
        <div class="waterfall">
            <div class="wf-head">
                <div class="wf-name-head">
                    <span>{format!("{} spans", format::count(outline.rows.len() as i64))}</span>
                    <Legend kinds />
                    <span class="crit-legend"><span class="crit-swatch"></span>"critical path"</span>
                </div>
                <Ruler duration_ns />
            </div>
            <div
                class="wf-scroll"
                node_ref=scroller
                tabindex="0"
                data-testid="waterfall"
                on:scroll=move |ev| {
                    let el: leptos::web_sys::Element = event_target(&ev);
                    state.scroll_top.set(el.scroll_top() as f64);
                }
            >
                <div class="wf-canvas" style:height=move || format!("{}px", visible.with(Vec::len) as f64 * ROW_H)>
                    <Grid duration_ns />
                    <For
                        each=move || window.get()
                        key=|pair| *pair
                        children=move |(pos, row)| view! { <WfRow outline=o.clone() row pos selected select collapsed=state.collapsed /> }
                    />
                </div>
            </div>
        </div>
    }
}

#[component]
fn WfRow(
    outline: Arc<Outline>,
    row: u32,
    pos: usize,
    selected: Memo<Option<u32>>,
    select: Callback<Option<u32>>,
    collapsed: RwSignal<HashSet<String>>,
) -> impl IntoView {
    let r = &outline.rows[row as usize];
    let d = outline.duration_ns.max(1) as f64;
    let left = r.offset_ns as f64 / d * 100.0;
    let width = (r.duration_ns as f64 / d * 100.0).max(0.15);
    let mut label = format::duration(r.duration_ns);
    if r.tokens.total > 0 {
        label.push_str(&format!(" · {} tok", format::count(r.tokens.total)));
    }
    if r.error {
        label.push_str(" · error");
    }
    // The label goes after the bar, or before it when the bar ends near the right
    // edge, or inside it when the bar is nearly as wide as the axis.
    let (label_style, inside) = if left + width <= 72.0 {
        (format!("left: calc({:.3}% + 6px)", left + width), false)
    } else if left >= 25.0 {
        (format!("right: calc({:.3}% + 6px)", 100.0 - left), false)
    } else {
        (format!("right: calc({:.3}% + 6px)", 100.0 - left - width), true)
    };
    // This span's own time on the critical path, drawn as a line under its bar.
    let critical: Vec<(f64, f64)> = outline
        .critical_path
        .iter()
        .find(|s| s.row == row)
        .map(|s| s.segments.iter().map(|(a, b)| (*a as f64 / d * 100.0, ((b - a) as f64 / d * 100.0).max(0.1))).collect())
        .unwrap_or_default();
    let on_path = outline.critical_path.iter().any(|s| s.row == row);
    // Its log records, a tick each at their time (warnings and errors tall).
    let marks: Vec<(f64, &'static str, &'static str)> = outline
        .logs
        .marks_of(row)
        .iter()
        .map(|m| ((m.offset_ns as f64 / d * 100.0).clamp(0.0, 100.0), severity_class(m.severity), m.severity.as_str()))
        .collect();
    let service = &outline.services[r.service as usize];
    let parent_service = r.parent.map(|p| &outline.services[outline.rows[p as usize].service as usize]);
    let show_service = parent_service != Some(service);
    let id = r.span_id.clone();
    let folded = {
        let id = id.clone();
        Memo::new(move |_| collapsed.with(|c| c.contains(&id)))
    };
    let toggle = {
        let id = id.clone();
        move |ev: leptos::ev::MouseEvent| {
            ev.stop_propagation();
            collapsed.update(|c| {
                if !c.remove(&id) {
                    c.insert(id.clone());
                }
            });
        }
    };
    let descendants = r.descendants;
    view! {
        <div
            class=format!("wf-row {}", class(r.kind))
            class:error=r.error
            class:critical=on_path
            class:selected=move || selected.get() == Some(row)
            style:top=format!("{}px", pos as f64 * ROW_H)
            data-testid="span-row"
            data-span-id=id.clone()
            data-row=row
            data-depth=r.depth
            on:click=move |_| select.run(Some(row))
        >
            <div class="wf-name" style:padding-left=format!("{}px", 6 + r.depth.min(24) * 14)>
                {if descendants > 0 {
                    view! {
                        <button
                            class="wf-toggle"
                            data-testid="toggle"
                            aria-expanded=move || (!folded.get()).to_string()
                            title=move || if folded.get() { format!("Show {descendants} spans inside") } else { "Fold".to_string() }
                            on:click=toggle
                        >
                            {move || if folded.get() { "▸" } else { "▾" }}
                        </button>
                    }
                    .into_any()
                } else {
                    view! { <span class="wf-toggle-space"></span> }.into_any()
                }}
                <span class="dot"></span>
                <a class="wf-label" href=format!("?span={id}") data-noscroll on:click=|ev| ev.prevent_default()>
                    {r.name.clone()}
                </a>
                {show_service.then(|| view! { <span class="wf-service">{service.clone()}</span> })}
                {move || folded.get().then(|| view! { <span class="wf-folded mono">{format!("+{descendants}")}</span> })}
            </div>
            <div class="wf-track">
                <span class="wf-bar" style=format!("left: {left:.3}%; width: {width:.3}%")></span>
                {critical
                    .into_iter()
                    .map(|(l, w)| view! { <span class="wf-crit" style=format!("left: {l:.3}%; width: {w:.3}%")></span> })
                    .collect_view()}
                {marks
                    .into_iter()
                    .map(|(l, class, severity)| view! {
                        <span class=format!("wf-log {class}") style=format!("left: {l:.3}%") title=format!("log record ({severity})")></span>
                    })
                    .collect_view()}
                <span class="wf-dur mono" class:inside=inside style=label_style>{label}</span>
            </div>
        </div>
    }
}
