//! The accounts card: who can sign in, and (for admins) adding and removing.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{AddAccount, RemoveAccount};
use crate::format;
use crate::model::access::{Account, Me};

#[component]
pub fn AccountsCard(accounts: Vec<Account>, me: Me, add: ServerAction<AddAccount>, remove: ServerAction<RemoveAccount>) -> impl IntoView {
    let outcome = move || {
        let failed = add.value().get().and_then(|r| r.err()).or_else(|| remove.value().get().and_then(|r| r.err()));
        failed.map(|e| view! { <p class="form-error" data-testid="account-error">{e.to_string()}</p> })
    };
    let empty = accounts.is_empty();
    let rows = accounts
        .into_iter()
        .map(|a| {
            let removable = me.admin && me.name.as_deref() != Some(a.name.as_str());
            view! {
                <tr data-testid="account-row">
                    <td><strong>{a.name.clone()}</strong></td>
                    <td>{if a.admin { "admin" } else { "member" }}</td>
                    <td class="muted">{format::utc(a.created_ns)}</td>
                    <td>
                        {removable.then(|| view! {
                            <ActionForm action=remove attr:class="inline-form">
                                <input type="hidden" name="name" value=a.name.clone() />
                                <button class="button" type="submit" data-testid="remove-account">"Remove"</button>
                            </ActionForm>
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card" data-testid="accounts">
            <h2>"Accounts"</h2>
            <p class="hint">"People who sign in when Loupe runs with " <code>"--auth"</code> ". Admins manage accounts and keys. Removing an account signs it out."</p>
            {empty.then(|| view! { <p class="empty">"No accounts yet. The first one added is an admin."</p> })}
            {(!empty).then(|| view! {
                <table class="cost-table">
                    <thead><tr><th>"Name"</th><th>"Role"</th><th>"Added"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })}
            {me.admin.then(|| view! {
                <ActionForm action=add attr:class="inline-form access-form" attr:data-testid="account-form">
                    <label>"Name " <input name="name" required autocomplete="off" data-testid="account-name-input" /></label>
                    <label>"Password " <input type="password" name="password" required minlength="10" autocomplete="new-password" data-testid="account-password" /></label>
                    <label class="check"><input type="checkbox" name="admin" /> " admin"</label>
                    <button class="button primary" type="submit" data-testid="add-account">"Add account"</button>
                </ActionForm>
            })}
            {outcome}
        </div>
    }
}
