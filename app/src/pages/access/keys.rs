//! The API keys card: the list (prefix, scope, last use, revoked) and, for
//! admins, the form that makes one and shows it once.

use leptos::form::ActionForm;
use leptos::prelude::*;

use super::{CreateKey, RevokeKey};
use crate::format;
use crate::model::access::{ApiKey, KeyScope};
use crate::pages::trace::share::COPY_INPUT;

#[component]
pub fn KeysCard(keys: Vec<ApiKey>, admin: bool, create: ServerAction<CreateKey>, revoke: ServerAction<RevokeKey>) -> impl IntoView {
    let made = move || match create.value().get() {
        Some(Ok(k)) => view! {
            <div class="share-made" data-testid="key-made">
                <p>{format!("Key “{}” — shown this once; Loupe keeps only a hash of it.", k.info.name)}</p>
                <input class="mono" readonly value=k.key.clone() data-testid="new-key" />
                <button class="button" type="button" onclick=COPY_INPUT data-testid="copy-key">"Copy"</button>
                <p class="hint">"An OpenTelemetry SDK sends it with:"</p>
                <pre class="mono">{format!("OTEL_EXPORTER_OTLP_HEADERS=x-api-key={}", k.key)}</pre>
            </div>
        }
        .into_any(),
        Some(Err(e)) => view! { <p class="form-error" data-testid="key-error">{e.to_string()}</p> }.into_any(),
        None => ().into_any(),
    };
    let rows = keys.iter().cloned().map(|k| view! { <KeyRow k admin revoke /> }).collect_view();
    let empty = keys.is_empty();
    view! {
        <div class="card" data-testid="keys">
            <h2>"API keys"</h2>
            <p class="hint">"Exporters send a key as " <code>"x-api-key: <key>"</code> " or " <code>"Authorization: Bearer <key>"</code> ". Revoking one refuses its next request."</p>
            {empty.then(|| view! { <p class="empty">"No keys yet."</p> })}
            {(!empty).then(|| view! {
                <table class="cost-table">
                    <thead><tr><th>"Name"</th><th>"Key"</th><th>"May"</th><th>"Made"</th><th>"Last used"</th><th></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            })}
            {admin.then(|| view! {
                <ActionForm action=create attr:class="inline-form access-form" attr:data-testid="key-form">
                    <label>"Name " <input name="name" required placeholder="checkout-agent prod" data-testid="key-name" /></label>
                    <label>
                        "May "
                        <select name="scope" data-testid="key-scope">
                            <option value="ingest" selected>{KeyScope::Ingest.describe()}</option>
                            <option value="api">{KeyScope::Api.describe()}</option>
                        </select>
                    </label>
                    <button class="button primary" type="submit" data-testid="create-key">"Create key"</button>
                </ActionForm>
            })}
            {made}
        </div>
    }
}

#[component]
fn KeyRow(k: ApiKey, admin: bool, revoke: ServerAction<RevokeKey>) -> impl IntoView {
    let revoked = k.revoked_ns.is_some();
    let last = match (k.revoked_ns, k.last_used_ns) {
        (Some(t), _) => format!("revoked {}", format::utc(t)),
        (None, Some(t)) => format::utc(t),
        (None, None) => "never".into(),
    };
    let by = k.created_by.map(|b| format!(" by {b}")).unwrap_or_default();
    view! {
        <tr data-testid="key-row" data-key-id=k.id class:paused=revoked>
            <td><strong>{k.name.clone()}</strong></td>
            <td class="mono">{format!("{}…", k.prefix)}</td>
            <td>{k.scope.describe()}</td>
            <td class="muted">{format!("{}{by}", format::utc(k.created_ns))}</td>
            <td class="muted" data-testid="key-state">{last}</td>
            <td>
                {(admin && !revoked).then(|| view! {
                    <ActionForm action=revoke attr:class="inline-form">
                        <input type="hidden" name="id" value=k.id />
                        <button class="button" type="submit" data-testid="revoke-key">"Revoke"</button>
                    </ActionForm>
                })}
            </td>
        </tr>
    }
}
