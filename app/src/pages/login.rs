//! Sign in (`/login`): a plain form posted to the server (`POST /login`), which
//! sets the session cookie and returns to the page asked for (`?next=`).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::account::who_am_i;
use crate::components::title::PageTitle;

/// Where to go after signing in: a path of this Loupe only (`//host` and
/// `/\\host` are other sites to a browser, so they go home instead).
pub fn local_path(next: &str) -> &str {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.starts_with("/\\")
        && !next.starts_with("/login")
        && !next.chars().any(char::is_control);
    if ok { next } else { "/" }
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let query = use_query_map();
    // Only a path of this Loupe, as the server's redirect follows: `next` is
    // the attacker's to choose (`javascript:…`, `//evil.example`).
    let next = move || query.with(|q| q.get("next").map(|n| local_path(&n).to_string())).unwrap_or_else(|| "/".into());
    let failed = move || query.with(|q| q.get("failed").is_some());
    let who = OnceResource::new(who_am_i());
    view! {
        <PageTitle text="Sign in · Loupe".to_string() />
        <section class="login-page">
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let me = who.await.unwrap_or_default();
                    if !me.auth {
                        return view! {
                            <div class="card login-card" data-testid="auth-off">
                                <h1>"No sign-in needed"</h1>
                                <p>"This Loupe runs without authentication: it listens on loopback, for this machine only."</p>
                                <p><a href=next()>"Continue"</a></p>
                            </div>
                        }
                        .into_any();
                    }
                    view! {
                        <form class="card login-card" method="post" action="/login" data-testid="login-form">
                            <h1>"Sign in to Loupe"</h1>
                            {me.name.clone().map(|n| view! { <p class="muted">{format!("Signed in as {n}; signing in again switches account.")}</p> })}
                            {failed().then(|| view! { <p class="form-error" data-testid="login-failed">"Wrong name or password."</p> })}
                            <label>"Name"<input name="name" autocomplete="username" required autofocus data-testid="login-name" /></label>
                            <label>"Password"<input type="password" name="password" autocomplete="current-password" required data-testid="login-password" /></label>
                            <input type="hidden" name="next" value=next() />
                            <button class="button primary" type="submit" data-testid="login-submit">"Sign in"</button>
                            <p class="hint">"Accounts are made by an admin on the Access page, or with " <code>"loupe user add NAME"</code> "."</p>
                        </form>
                    }
                    .into_any()
                })}
            </Transition>
        </section>
    }
}
