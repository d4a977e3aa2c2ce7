//! The account corner of the header: who is signed in and "Sign out", when Loupe
//! runs with authentication (nothing otherwise).

use leptos::prelude::*;

use crate::error::PageError;
use crate::model::access::Me;

/// Who the request is; open to everyone (the sign-in page asks it too).
#[server(prefix = "/rpc", endpoint = "me")]
pub async fn who_am_i() -> Result<Me, PageError> {
    Ok(Me::from(&crate::data::viewer()))
}

#[component]
pub fn AccountMenu() -> impl IntoView {
    let me = OnceResource::new(who_am_i());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Me { auth: true, name: Some(name), .. }) => view! {
                        <span class="account" data-testid="account">
                            <span class="account-name" data-testid="account-name">{name}</span>
                            // A form, not a link: signing out changes state (POST, CSRF-checked).
                            <form method="post" action="/logout" class="inline-form">
                                <button class="button" type="submit" data-testid="sign-out">"Sign out"</button>
                            </form>
                        </span>
                    }
                    .into_any(),
                    _ => ().into_any(),
                }
            })}
        </Transition>
    }
}
