//! Users and sessions (`/users`): "it is slow only for some users". Per user, p50
//! and p95 latency, error rate and cost, slowest first; the sessions, latest first,
//! each opening its own page.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::error_page::ErrorPage;
use crate::components::range_form::{RangeForm, range_from_query};
use crate::error::PageError;
use crate::format;
use crate::model::people::{PeopleReport, SessionStats, UserStats};
use crate::model::{RangeFilter, encode as enc};

#[server(prefix = "/rpc", endpoint = "people", input = leptos::server_fn::codec::Json)]
pub async fn fetch_people(filter: RangeFilter) -> Result<PeopleReport, PageError> {
    crate::data::data()?.people(&filter).await
}

/// Rows shown per table; the API returns all.
const ROWS: usize = 200;

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(range_from_query));
    let report = Resource::new(move || filter.get(), fetch_people);
    view! {
        <section class="people">
            <div class="page-head">
                <h1>"Users and sessions"</h1>
                <span class="muted">"Who waits longest, who sees errors, who costs most: from the user.id and session.id your spans name."</span>
            </div>
            <RangeForm action="/users" since=Signal::derive(move || filter.with(|f| f.since.clone())) />
            <Transition fallback=|| view! { <p class="loading">"Loading users…"</p> }>
                {move || Suspend::new(async move {
                    match report.await {
                        Ok(r) => view! { <People r /> }.into_any(),
                        Err(e) => view! { <ErrorPage error=e what="users report" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn People(r: PeopleReport) -> impl IntoView {
    let longest = r.users.iter().map(|u| u.p95_ns).max().unwrap_or(1).max(1);
    let overall = r.all_users_p95_ns;
    let no_users = r.users.is_empty();
    let no_sessions = r.sessions.is_empty();
    let more_users = (r.users_total as usize).saturating_sub(ROWS.min(r.users.len()));
    let more_sessions = (r.sessions_total as usize).saturating_sub(ROWS.min(r.sessions.len()));
    let users = r.users.into_iter().take(ROWS).map(|u| view! { <UserRow u longest overall /> }).collect_view();
    let sessions = r.sessions.into_iter().take(ROWS).map(|s| view! { <SessionRow s /> }).collect_view();
    view! {
        <div class="card">
            <h2>"Users, slowest p95 first"</h2>
            <p class="hint">
                {format!("p95 over every user's traces: {}. ", format::duration(overall))}
                "Latency is each trace's duration; percentiles are exact. A user whose p95 is twice the overall one is marked."
            </p>
            {if no_users {
                view! { <p class="hint" data-testid="no-users">"No trace in this range names a user (the user.id attribute)."</p> }.into_any()
            } else {
                view! {
                    <table class="cost-table" data-testid="users">
                        <thead>
                            <tr>
                                <th>"User"</th>
                                <th class="num">"Traces"</th>
                                <th class="num">"Error rate"</th>
                                <th class="num">"p50"</th>
                                <th class="num">"p95"</th>
                                <th></th>
                                <th class="num">"Cost"</th>
                                <th>"Last seen (UTC)"</th>
                            </tr>
                        </thead>
                        <tbody>{users}</tbody>
                    </table>
                }.into_any()
            }}
            {(more_users > 0).then(|| view! { <p class="hint">{format!("and {more_users} more users, faster ones (the 500 slowest are in GET /api/stats/users)")}</p> })}
        </div>
        <div class="card sessions">
            <h2>"Sessions, latest first"</h2>
            {if no_sessions {
                view! { <p class="hint">"No trace in this range names a session (session.id)."</p> }.into_any()
            } else {
                view! {
                    <table class="cost-table" data-testid="sessions">
                        <thead>
                            <tr>
                                <th>"Session"</th>
                                <th>"User"</th>
                                <th class="num">"Traces"</th>
                                <th class="num">"Errors"</th>
                                <th>"Started (UTC)"</th>
                                <th class="num">"Lasted"</th>
                                <th class="num">"p95"</th>
                                <th class="num">"Cost"</th>
                            </tr>
                        </thead>
                        <tbody>{sessions}</tbody>
                    </table>
                }.into_any()
            }}
            {(more_sessions > 0).then(|| view! { <p class="hint">{format!("and {more_sessions} earlier sessions; filter the trace list by session to find one")}</p> })}
        </div>
    }
}

#[component]
fn UserRow(u: UserStats, longest: i64, overall: i64) -> impl IntoView {
    let bar = format!("width: {:.1}%", (u.p95_ns as f64 / longest as f64 * 100.0).max(0.5));
    let slow = overall > 0 && u.p95_ns >= 2 * overall;
    view! {
        <tr data-testid="user-row" data-user=u.user.clone() class:slow=slow>
            <td class="group-name"><a href=format!("/?user={}", enc(&u.user)) title="this user's traces">{u.user.clone()}</a></td>
            <td class="num mono">{format::count(u.traces)}</td>
            <td class="num mono" class:none={u.errors == 0} class:errors={u.errors > 0}>
                {if u.errors > 0 { format!("{:.0}% ({})", u.error_rate * 100.0, u.errors) } else { "–".into() }}
            </td>
            <td class="num mono">{format::duration(u.p50_ns)}</td>
            <td class="num mono p95" data-testid="user-p95">{format::duration(u.p95_ns)}</td>
            <td class="bar-cell"><span class="dur-bar"><span style=bar></span></span></td>
            <td class="num mono">{format::trace_cost(u.cost_usd, u.unpriced, u.cost_usd > 0.0 || u.unpriced > 0)}</td>
            <td class="mono muted">{format::utc(u.last_seen_ns)[..16].to_string()}</td>
        </tr>
    }
}

#[component]
fn SessionRow(s: SessionStats) -> impl IntoView {
    view! {
        <tr data-testid="session-row" data-session=s.session.clone()>
            <td class="group-name mono"><a href=format!("/sessions/{}", enc(&s.session))>{s.session.clone()}</a></td>
            <td>{s.user.clone().unwrap_or_else(|| "–".into())}</td>
            <td class="num mono">{format::count(s.traces)}</td>
            <td class="num mono" class:none={s.errors == 0} class:errors={s.errors > 0}>{if s.errors > 0 { s.errors.to_string() } else { "–".into() }}</td>
            <td class="mono muted">{format::utc(s.first_ns)[..16].to_string()}</td>
            <td class="num mono">{format::duration(s.last_ns - s.first_ns)}</td>
            <td class="num mono">{format::duration(s.p95_ns)}</td>
            <td class="num mono">{format::trace_cost(s.cost_usd, s.unpriced, s.cost_usd > 0.0 || s.unpriced > 0)}</td>
        </tr>
    }
}
