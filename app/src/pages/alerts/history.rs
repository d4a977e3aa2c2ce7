//! Alert history (`/alerts/history`): each firing with its time, rule, values, how
//! many firings its cooldown folded, the delivery (every attempt), and a link to
//! the trace opened on the span that fired it.

use leptos::prelude::*;

use super::AlertsView;
use crate::components::error_page::ErrorPage;
use crate::error::PageError;
use crate::format;
use crate::model::alerts::{AlertEvent, DeliveryState};

/// The server's clock (server functions only).
#[cfg(feature = "ssr")]
pub fn now_ns() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as i64).unwrap_or(0)
}

#[server(prefix = "/rpc", endpoint = "alert_history")]
pub async fn fetch_history() -> Result<AlertsView, PageError> {
    let data = crate::data::data()?;
    Ok(AlertsView { rules: Vec::new(), recent: data.alert_events(500).await?, now_ns: now_ns() })
}

#[component]
pub fn AlertHistoryPage() -> impl IntoView {
    let view = Resource::new(|| (), |_| fetch_history());
    view! {
        <section class="alerts">
            <div class="page-head">
                <h1>"Alert history"</h1>
                <span class="muted">"Every firing, newest first, with its delivery and a link to the span."</span>
                <a class="button" href="/alerts">"Rules"</a>
            </div>
            <Transition fallback=|| view! { <p class="loading">"Loading history…"</p> }>
                {move || Suspend::new(async move {
                    match view.await {
                        Ok(v) => view! { <Firings events=v.recent now_ns=v.now_ns title="Firings" /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e what="alert history" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
pub fn Firings(events: Vec<AlertEvent>, now_ns: i64, title: &'static str) -> impl IntoView {
    let empty = events.is_empty();
    let rows = events.into_iter().map(|e| view! { <FiringRow e now_ns /> }).collect_view();
    view! {
        <div class="card" data-testid="firings">
            <h2>{title}</h2>
            {if empty {
                view! { <p class="empty">"Nothing has fired yet."</p> }.into_any()
            } else {
                view! {
                    <table class="cost-table firings-table">
                        <thead>
                            <tr>
                                <th>"When"</th>
                                <th>"Rule"</th>
                                <th>"What happened"</th>
                                <th class="num">"Firings"</th>
                                <th>"Delivery"</th>
                                <th></th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
                .into_any()
            }}
        </div>
    }
}

#[component]
fn FiringRow(e: AlertEvent, now_ns: i64) -> impl IntoView {
    let state = e.delivery;
    let delivery = match state {
        DeliveryState::Pending => "pending",
        DeliveryState::Delivered => "delivered",
        DeliveryState::Failed => "failed",
        DeliveryState::NoChannel => "history only",
    };
    let attempts = e
        .attempts
        .iter()
        .map(|a| {
            let status = a.status.map(|s| format!("HTTP {s}")).or_else(|| a.error.clone()).unwrap_or_default();
            view! { <li>{format!("#{} channel {} · {} · {} · {}", a.attempt, a.channel + 1, format::utc(a.at_ns), status, a.outcome)}</li> }
        })
        .collect_view();
    let n_attempts = e.attempts.len();
    // Inside Loupe the link is relative, so it works whatever address you opened.
    let link = match (&e.trace_id, &e.span_id) {
        (Some(t), Some(s)) => Some(format!("/traces/{t}?span={s}")),
        (Some(t), None) => Some(format!("/traces/{t}")),
        _ => None,
    };
    let group = e.group_key.clone().map(|g| format!(" · {g}"));
    view! {
        <tr data-testid="firing-row" data-event-id=e.id>
            <td class="when" title=format::utc(e.fired_ns)>{format::ago(e.fired_ns, now_ns)}</td>
            <td><strong>{e.rule_name.clone()}</strong><span class="muted">{group}</span></td>
            <td data-testid="firing-summary">{e.summary.clone()}</td>
            <td class="num mono" data-testid="firing-count">{e.count}</td>
            <td>
                <span class=format!("chip delivery {}", state.as_str()) data-testid="firing-delivery">{delivery}</span>
                {(n_attempts > 0).then(|| view! {
                    <details class="attempts"><summary>{format!("{n_attempts} attempt(s)")}</summary><ul>{attempts}</ul></details>
                })}
            </td>
            <td>{link.map(|href| view! { <a href=href data-testid="firing-link">"Open span"</a> })}</td>
        </tr>
    }
}
