//! Keyboard navigation on the waterfall: ↑/↓ (or k/j) move between visible spans,
//! ← folds the selected subtree (or goes to the parent), → unfolds it (or goes to
//! the first child), Escape closes the detail panel.

use std::collections::HashSet;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use leptos::wasm_bindgen::JsCast;
use leptos::web_sys;

use crate::outline::Outline;

pub fn install(
    outline: Arc<Outline>,
    visible: Memo<Vec<u32>>,
    selected: Memo<Option<u32>>,
    collapsed: RwSignal<HashSet<String>>,
    select: Callback<Option<u32>>,
    scroller: NodeRef<html::Div>,
) {
    // Effects run only in the browser, after hydration.
    Effect::new(move |_| {
        let outline = outline.clone();
        let handle = window_event_listener(leptos::ev::keydown, move |ev| {
            if ev.ctrl_key() || ev.meta_key() || ev.alt_key() || typing(&ev) {
                return;
            }
            let current = selected.get_untracked();
            let step = |delta: isize| {
                visible.with_untracked(|v| {
                    let at = current.and_then(|c| v.iter().position(|&i| i == c));
                    let next = match at {
                        Some(p) => (p as isize + delta).clamp(0, v.len() as isize - 1) as usize,
                        None => 0,
                    };
                    v.get(next).copied()
                })
            };
            let row = current.and_then(|c| outline.rows.get(c as usize).map(|r| (c, r)));
            let handled = match ev.key().as_str() {
                "ArrowDown" | "j" => {
                    select.run(step(1));
                    true
                }
                "ArrowUp" | "k" => {
                    select.run(step(-1));
                    true
                }
                "ArrowLeft" => match row {
                    Some((_, r)) if r.descendants > 0 && !collapsed.with_untracked(|c| c.contains(&r.span_id)) => {
                        collapsed.update(|c| _ = c.insert(r.span_id.clone()));
                        true
                    }
                    Some((_, r)) if r.parent.is_some() => {
                        select.run(r.parent);
                        true
                    }
                    _ => false,
                },
                "ArrowRight" => match row {
                    Some((_, r)) if collapsed.with_untracked(|c| c.contains(&r.span_id)) => {
                        collapsed.update(|c| _ = c.remove(&r.span_id));
                        true
                    }
                    Some((c, r)) if r.descendants > 0 => {
                        select.run(Some(c + 1));
                        true
                    }
                    _ => false,
                },
                "Escape" if current.is_some() => {
                    select.run(None);
                    true
                }
                _ => false,
            };
            if handled {
                ev.prevent_default();
                // Keep focus on the waterfall so the page does not scroll instead.
                if let Some(el) = scroller.get_untracked() {
                    let _ = el.focus();
                }
            }
        });
        on_cleanup(move || handle.remove());
    });
}

/// Keys typed into a form field are the field's.
fn typing(ev: &web_sys::KeyboardEvent) -> bool {
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .map(|e| matches!(e.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA") || e.has_attribute("contenteditable"))
        .unwrap_or(false)
}
