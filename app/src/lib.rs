//! Loupe's user interface: pages, components and the types that cross to the browser.
//!
//! Everything here compiles to wasm (feature `hydrate`) and to the server (feature
//! `ssr`); server-only code (the [`data`] trait) is behind `ssr` so the wasm stays small.
// Leptos views are deeply nested types; the alert pages need more than the default 128.
#![recursion_limit = "256"]

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

#[cfg(feature = "ssr")]
pub mod charts;
pub mod components;
#[cfg(feature = "ssr")]
pub mod data;
pub mod error;
pub mod format;
pub mod model;
pub mod outline;
pub mod pages;

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/loupe.css" />
        <Title text="Loupe" />
        <Router>
            <TopBar />
            <main>
                // Async rendering: pages arrive complete (no loading flashes, and the
                // status code can say 404 for a trace that does not exist).
                <Routes fallback=|| view! { <p class="empty">"Page not found."</p> }>
                    <Route path=StaticSegment("") view=pages::traces::TracesPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("logs") view=pages::logs::LogsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("latency") view=pages::latency::LatencyPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("costs") view=pages::costs::CostsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("alerts") view=pages::alerts::AlertsPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("alerts"), StaticSegment("history")) view=pages::alerts::history::AlertHistoryPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("share"), ParamSegment("token")) view=pages::shared::SharedTracePage ssr=SsrMode::Async />
                    <Route path=StaticSegment("users") view=pages::users::UsersPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("access") view=pages::access::AccessPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("settings") view=pages::settings::SettingsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("login") view=pages::login::LoginPage ssr=SsrMode::Async />
                    <Route path=(StaticSegment("sessions"), ParamSegment("session_id")) view=pages::session::SessionPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("traces"), ParamSegment("trace_id"))
                        view=pages::trace::TracePage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// The header. A shared trace shows the name only: whoever holds a share link
/// sees that one trace, never the rest of Loupe; the sign-in page has nothing
/// to navigate to yet.
#[component]
fn TopBar() -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let bare = move || location.pathname.with(|p| p.starts_with("/share/") || p == "/login");
    let tagline = move || location.pathname.with(|p| if p == "/login" { "sign in" } else { "shared trace" });
    view! {
        <header class="topbar">
            <Show
                when=bare
                fallback=|| view! {
                    <a class="brand" href="/">"Loupe"</a>
                    <span class="tagline">"LLM traces, step by step"</span>
                    <nav class="nav">
                        <a href="/">"Traces"</a>
                        <a href="/logs">"Logs"</a>
                        <a href="/latency">"Latency"</a>
                        <a href="/costs">"Cost"</a>
                        <a href="/users">"Users"</a>
                        <a href="/alerts">"Alerts"</a>
                        <a href="/access">"Access"</a>
                        <a href="/settings">"Settings"</a>
                    </nav>
                    <components::account::AccountMenu />
                }
            >
                <span class="brand">"Loupe"</span>
                <span class="tagline">{tagline}</span>
            </Show>
        </header>
    }
}
