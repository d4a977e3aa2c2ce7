//! Alerts (`/alerts`): the rules (pause, resume, edit, delete), the form that
//! creates or edits one with a preview, and the latest firings. The full history
//! is its own page ([`history`]).

mod fields;
mod form;
pub mod history;

use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::error_page::ErrorPage;
use crate::error::PageError;
use crate::format;
use crate::model::alerts::{AlertEvent, AlertRule, Channel};
pub use fields::RuleFields;
use form::{RuleEditor, RuleForm};

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AlertsView {
    pub rules: Vec<AlertRule>,
    pub recent: Vec<AlertEvent>,
    pub now_ns: i64,
}

#[server(prefix = "/rpc", endpoint = "alerts")]
pub async fn fetch_alerts() -> Result<AlertsView, PageError> {
    let data = crate::data::data()?;
    Ok(AlertsView { rules: data.alert_rules().await?, recent: data.alert_events(10).await?, now_ns: history::now_ns() })
}

#[server(prefix = "/rpc", endpoint = "alert_rule_pause")]
pub async fn pause_rule(id: i64, paused: bool) -> Result<(), PageError> {
    crate::data::data()?.set_alert_rule_paused(id, paused).await.map(|_| ())
}

#[server(prefix = "/rpc", endpoint = "alert_rule_delete")]
pub async fn delete_rule(id: i64) -> Result<(), PageError> {
    crate::data::data()?.delete_alert_rule(id).await
}

#[component]
pub fn AlertsPage() -> impl IntoView {
    let query = use_query_map();
    let edit = Memo::new(move |_| query.with(|q| q.get("edit")).and_then(|v| v.parse::<i64>().ok()));
    let save = ServerAction::<RuleForm>::new();
    let pause = ServerAction::<PauseRule>::new();
    let delete = ServerAction::<DeleteRule>::new();
    let view = Resource::new(move || (save.version().get(), pause.version().get(), delete.version().get()), |_| fetch_alerts());
    view! {
        <section class="alerts">
            <div class="page-head">
                <h1>"Alerts"</h1>
                <span class="muted">"Span rules fire as spans arrive; window rules every half minute. Bursts are folded by the cooldown."</span>
                <a class="button" href="/alerts/history" data-testid="history-link">"History"</a>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading rules…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(v) => {
                            let editing = edit.get().and_then(|id| v.rules.iter().find(|r| r.id == id).cloned());
                            let fields = editing.map(|r| RuleFields::from_spec(Some(r.id), &r.spec)).unwrap_or_else(RuleFields::new_rule);
                            view! {
                                <Rules rules=v.rules.clone() now_ns=v.now_ns pause delete />
                                <RuleEditor fields action=save />
                                <history::Firings events=v.recent.clone() now_ns=v.now_ns title="Latest firings" />
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorPage error=e what="alert rule list" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Rules(rules: Vec<AlertRule>, now_ns: i64, pause: ServerAction<PauseRule>, delete: ServerAction<DeleteRule>) -> impl IntoView {
    if rules.is_empty() {
        return view! {
            <div class="card" data-testid="rules">
                <h2>"Rules"</h2>
                <p class="empty">"No rules yet. The form below starts with the classic one: a tool call slower than 2 s."</p>
            </div>
        }
        .into_any();
    }
    let rows = rules.into_iter().map(|r| view! { <RuleRow r now_ns pause delete /> }).collect_view();
    view! {
        <div class="card" data-testid="rules">
            <h2>"Rules"</h2>
            <table class="cost-table rules-table">
                <thead>
                    <tr>
                        <th>"Rule"</th>
                        <th>"Spans"</th>
                        <th>"Fires when"</th>
                        <th>"Notifies"</th>
                        <th class="num">"Cooldown"</th>
                        <th>"Last fired"</th>
                        <th></th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

#[component]
fn RuleRow(r: AlertRule, now_ns: i64, pause: ServerAction<PauseRule>, delete: ServerAction<DeleteRule>) -> impl IntoView {
    let s = &r.spec;
    let channels = s
        .channels
        .iter()
        .map(|Channel::Webhook { url, format }| {
            let host = url.split("://").nth(1).unwrap_or(url).split('/').next().unwrap_or_default().to_string();
            format!("{host} ({})", if *format == crate::model::alerts::WebhookFormat::Slack { "Slack" } else { "JSON" })
        })
        .collect::<Vec<_>>();
    let notifies = if channels.is_empty() { "history only".to_string() } else { channels.join(", ") };
    let last = r.last_fired_ns.map(|t| format::ago(t, now_ns)).unwrap_or_else(|| "never".into());
    let group = s.group_by.map(|g| format!(" per {}", g.as_str())).unwrap_or_default();
    let (id, paused) = (r.id, s.paused);
    view! {
        <tr data-testid="rule-row" data-rule-id=id class:paused=paused>
            <td>
                <strong data-testid="rule-row-name">{s.name.clone()}</strong>
                {paused.then(|| view! { <span class="chip paused-chip">"paused"</span> })}
            </td>
            <td class="mono">{s.describe_match()}</td>
            <td>{s.condition.describe()}</td>
            <td class="muted">{notifies}</td>
            <td class="num mono">{format!("{}{group}", format::duration(s.cooldown_s as i64 * 1_000_000_000))}</td>
            <td class="muted">{last}</td>
            <td class="row-actions">
                <a class="button" href=format!("/alerts?edit={id}#rule-form") data-testid="edit-rule">"Edit"</a>
                <ActionForm action=pause>
                    <input type="hidden" name="id" value=id />
                    <input type="hidden" name="paused" value=(!paused).to_string() />
                    <button class="button" type="submit" data-testid="pause-rule">{if paused { "Resume" } else { "Pause" }}</button>
                </ActionForm>
                <ActionForm action=delete>
                    <input type="hidden" name="id" value=id />
                    <button class="button" type="submit" data-testid="delete-rule">"Delete"</button>
                </ActionForm>
            </td>
        </tr>
    }
}
