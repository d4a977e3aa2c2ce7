//! A list's first page refreshing itself: bumps `tick` every `ms` while
//! `on_first_page` holds (an older page stays put), until the page goes away.

use leptos::prelude::*;

pub fn refresh_first_page(tick: RwSignal<u32>, ms: u64, on_first_page: impl Fn() -> bool + Clone + 'static) {
    Effect::new(move |_| {
        let on_first_page = on_first_page.clone();
        let handle = set_interval_with_handle(
            move || {
                if on_first_page() {
                    tick.update(|t| *t = t.wrapping_add(1));
                }
            },
            std::time::Duration::from_millis(ms),
        );
        on_cleanup(move || {
            if let Ok(h) = handle {
                h.clear();
            }
        });
    });
}
