//! Access (`/access`): the API keys exporters send and the accounts that sign in.
//! Everyone signed in sees the lists; admins create, revoke and remove.

mod accounts;
mod keys;

use leptos::prelude::*;

use crate::components::error_page::ErrorPage;
use crate::components::title::PageTitle;
use crate::error::PageError;
use crate::model::access::{AccessOverview, Account, NewApiKey};

#[server(prefix = "/rpc", endpoint = "access")]
pub async fn fetch_access() -> Result<AccessOverview, PageError> {
    crate::data::access()?.overview(&crate::data::viewer()).await
}

#[server(prefix = "/rpc", endpoint = "key_create")]
pub async fn create_key(name: String, scope: String) -> Result<NewApiKey, PageError> {
    let outcome = async {
        let scope = crate::model::access::KeyScope::parse(&scope)
            .ok_or_else(|| PageError::BadRequest(format!("scope is ingest or api, not {scope:?}")))?;
        crate::data::access()?.create_key(&crate::data::viewer(), &name, scope).await
    };
    PageError::answer(outcome.await)
}

#[server(prefix = "/rpc", endpoint = "key_revoke")]
pub async fn revoke_key(id: i64) -> Result<(), PageError> {
    PageError::answer(crate::data::access()?.revoke_key(&crate::data::viewer(), id).await)
}

/// `admin` is the checkbox: present ("on") when ticked.
#[server(prefix = "/rpc", endpoint = "account_add")]
pub async fn add_account(name: String, password: String, admin: Option<String>) -> Result<Account, PageError> {
    PageError::answer(crate::data::access()?.add_account(&crate::data::viewer(), &name, &password, admin.is_some()).await)
}

#[server(prefix = "/rpc", endpoint = "account_remove")]
pub async fn remove_account(name: String) -> Result<(), PageError> {
    PageError::answer(crate::data::access()?.remove_account(&crate::data::viewer(), &name).await)
}

#[component]
pub fn AccessPage() -> impl IntoView {
    let create = ServerAction::<CreateKey>::new();
    let revoke = ServerAction::<RevokeKey>::new();
    let add = ServerAction::<AddAccount>::new();
    let remove = ServerAction::<RemoveAccount>::new();
    let view = Resource::new(
        move || (create.version().get(), revoke.version().get(), add.version().get(), remove.version().get()),
        |_| fetch_access(),
    );
    view! {
        <PageTitle text="Access · Loupe".to_string() />
        <section class="access">
            <div class="page-head">
                <h1>"Access"</h1>
                <span class="muted">"The API keys exporters send, and the accounts that sign in."</span>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(v) => view! {
                            {(!v.me.auth).then(|| view! { <AuthOff /> })}
                            <keys::KeysCard keys=v.keys.clone() admin=v.me.admin create revoke />
                            <accounts::AccountsCard accounts=v.accounts.clone() me=v.me.clone() add remove />
                        }
                        .into_any(),
                        Err(e) => view! { <ErrorPage error=e what="access overview" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn AuthOff() -> impl IntoView {
    view! {
        <div class="card notice" data-testid="auth-off">
            <h2>"Authentication is off"</h2>
            <p>
                "This Loupe listens on loopback with no sign-in: anyone on this machine can use it, and exporters need no key. "
                "To open it to a team, add an admin and start it with "<code>"--auth"</code>":"
            </p>
            <pre class="mono">"loupe user add NAME --admin\nloupe serve --auth --addr 0.0.0.0:4318"</pre>
            <p class="hint">"Keys made here now are what exporters will need then."</p>
        </div>
    }
}
