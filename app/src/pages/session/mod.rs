//! One session or conversation (`/sessions/{session_id}`): its traces in the order
//! they happened, with their durations and costs.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::components::error_page::ErrorPage;
use crate::error::PageError;
use crate::format;
use crate::model::people::SessionDetail;

#[server(prefix = "/rpc", endpoint = "session", input = leptos::server_fn::codec::Json)]
pub async fn fetch_session(id: String) -> Result<SessionDetail, PageError> {
    crate::data::data()?.session(&id).await
}

#[component]
pub fn SessionPage() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("session_id").unwrap_or_default()));
    let detail = Resource::new(move || id.get(), fetch_session);
    view! {
        <section class="session">
            <Transition fallback=|| view! { <p class="loading">"Loading session…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(s) => view! { <Session s /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e what="session" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn Session(s: SessionDetail) -> impl IntoView {
    let first = s.traces.first().map_or(0, |t| t.start_ns);
    let last = s.traces.iter().map(|t| t.start_ns + t.duration_ns).max().unwrap_or(first);
    let longest = s.traces.iter().map(|t| t.duration_ns).max().unwrap_or(1).max(1);
    let errors: i64 = s.traces.iter().map(|t| t.error_count).sum();
    let n = s.traces.len();
    let rows = s
        .traces
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let bar = format!("width: {:.1}%", (t.duration_ns as f64 / longest as f64 * 100.0).max(0.5));
            view! {
                <tr data-testid="session-trace" data-trace-id=t.trace_id.clone() class:has-error={t.error_count > 0}>
                    <td class="num mono muted">{i + 1}</td>
                    <td class="mono" title=format::utc(t.start_ns)>{if i == 0 { "start".to_string() } else { format!("+{}", format::duration(t.start_ns - first)) }}</td>
                    <td class="trace-name"><a href=format!("/traces/{}", t.trace_id)>{t.root_name}</a></td>
                    <td class="num">
                        <span class="dur">
                            <span class="mono" data-testid="session-trace-duration">{format::duration(t.duration_ns)}</span>
                            <span class="dur-bar"><span style=bar></span></span>
                        </span>
                    </td>
                    <td class="num mono">{format::count(t.span_count)}</td>
                    <td class="num mono errors" class:none={t.error_count == 0}>{if t.error_count > 0 { format!("{} ✕", t.error_count) } else { "–".into() }}</td>
                    <td class="num mono">{format::count(t.input_tokens)} " · " {format::count(t.output_tokens)}</td>
                    <td class="num mono" data-testid="session-trace-cost">{format::trace_cost(t.cost_usd, t.unpriced, t.cost_usd > 0.0 || t.unpriced > 0)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="page-head">
            <h1 data-testid="session-id">{format!("Session {}", s.session)}</h1>
            {s.user.clone().map(|u| view! { <span class="muted">"user " <a href=format!("/?user={}", crate::model::encode(&u))>{u.clone()}</a></span> })}
        </div>
        <div class="stats" data-testid="session-stats">
            <div class="stat"><span class="stat-value mono">{n}</span><span class="stat-label">"traces"</span></div>
            <div class="stat"><span class="stat-value mono">{format::duration(last - first)}</span><span class="stat-label">"first to last"</span></div>
            <div class="stat" class:alert={errors > 0}><span class="stat-value mono">{errors}</span><span class="stat-label">"errors"</span></div>
            <div class="stat"><span class="stat-value mono" data-testid="session-cost">{format::trace_cost(s.cost_usd, s.unpriced, s.cost_usd > 0.0 || s.unpriced > 0)}</span><span class="stat-label">"cost"</span></div>
            <div class="stat"><span class="stat-value mono">{format::utc(first)}</span><span class="stat-label">"started"</span></div>
        </div>
        <table class="trace-table session-traces" data-testid="session-traces">
            <thead>
                <tr>
                    <th class="num">"#"</th>
                    <th>"At"</th>
                    <th>"Trace"</th>
                    <th class="num">"Duration"</th>
                    <th class="num">"Spans"</th>
                    <th class="num">"Errors"</th>
                    <th class="num">"Tokens in · out"</th>
                    <th class="num">"Cost"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}
