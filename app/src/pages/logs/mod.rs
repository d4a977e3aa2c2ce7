//! The Logs page (`/logs`): every log record, newest first, filtered from the
//! URL (a plain GET form, so it works before hydration), paged by cursor and
//! live on its first page. Each record links to its span.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::error_page::ErrorPage;
use crate::components::logs::{Clock, LinkTo, LogLines};
use crate::error::PageError;
use crate::model::logs::{LogFilter, LogPage, Severity};

/// How often the first page looks for new records.
const POLL_MS: u64 = 4_000;

/// One page of records, with the services seen for the filter's suggestions.
#[server(prefix = "/rpc", endpoint = "logs", input = leptos::server_fn::codec::Json)]
pub async fn fetch_logs(filter: LogFilter) -> Result<(LogPage, Vec<String>), PageError> {
    let data = crate::data::data()?;
    let page = data.logs(&filter).await?;
    let (services, _) = data.filter_values().await?;
    Ok((page, services))
}

#[component]
pub fn LogsPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| query.with(|q| LogFilter::from_pairs(|k| q.get(k))));
    let tick = RwSignal::new(0u32);
    let page = Resource::new(move || (filter.get(), tick.get()), |(f, _)| fetch_logs(f));
    crate::components::poll::refresh_first_page(tick, POLL_MS, move || filter.with_untracked(LogFilter::is_first_page));
    view! {
        <crate::components::title::PageTitle text="Logs · Loupe".to_string() />
        <section class="logs-page" data-testid="logs-page">
            <div class="page-head">
                <h1>"Logs"</h1>
                <span class="live" class:paused=move || !filter.with(LogFilter::is_first_page)>
                    {move || if filter.with(LogFilter::is_first_page) { "live" } else { "paused on an older page" }}
                </span>
                <button class="button" data-testid="refresh" on:click=move |_| tick.update(|t| *t += 1)>"Refresh"</button>
            </div>
            <LogFilters filter />
            <Transition fallback=|| view! { <p class="loading">"Loading logs…"</p> }>
                {move || Suspend::new(async move {
                    match page.await {
                        Ok((page, services)) => view! { <LogList page services filter=filter.get_untracked() /> }.into_any(),
                        Err(e @ PageError::BadRequest(_)) => {
                            e.set_response_status();
                            view! {
                                <div class="card error" data-testid="filter-error">
                                    <p>{e.to_string()}</p>
                                    <a href="/logs">"Clear filters"</a>
                                </div>
                            }
                            .into_any()
                        }
                        Err(e) => view! { <ErrorPage error=e what="logs" /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn LogList(page: LogPage, services: Vec<String>, filter: LogFilter) -> impl IntoView {
    let older = page.next_cursor.map(|c| {
        let next = LogFilter { cursor: Some(c), ..filter.clone() };
        format!("/logs?{}", next.to_query())
    });
    let filtered = LogFilter { cursor: None, ..filter.clone() } != LogFilter::default();
    let body = if page.logs.is_empty() {
        let text = if filtered {
            "No log records match these filters."
        } else {
            "No log records yet. Send OpenTelemetry logs to /v1/logs (OTLP/HTTP) or LogsService/Export (gRPC); records written inside a span show under it."
        };
        view! { <div class="card" data-testid="no-logs"><p>{text}</p></div> }.into_any()
    } else {
        view! { <LogLines logs=page.logs clock=Clock::Utc link=LinkTo::Span testid="log-list" /> }.into_any()
    };
    view! {
        <datalist id="log-services">
            {services.into_iter().map(|s| view! { <option value=s></option> }).collect_view()}
        </datalist>
        {body}
        <nav class="pager">
            {(!filter.is_first_page()).then(|| {
                let newest = LogFilter { cursor: None, ..filter.clone() }.to_query();
                view! { <a class="button" href=format!("/logs?{newest}")>"← Newest"</a> }
            })}
            {older.map(|href| view! { <a class="button" href=href data-testid="older">"Older →"</a> })}
        </nav>
    }
}

#[component]
fn LogFilters(filter: Memo<LogFilter>) -> impl IntoView {
    let text = move |get: fn(&LogFilter) -> &Option<String>| move || filter.with(|f| get(f).clone().unwrap_or_default());
    let option = move |value: &'static str, label: &'static str, get: fn(&LogFilter) -> &Option<String>| {
        let selected = move || filter.with(|f| get(f).as_deref().unwrap_or("") == value);
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <form class="filters" method="get" action="/logs" data-testid="log-filters">
            <label class="grow">
                "Text"
                <input type="search" name="q" placeholder="in the body or exception…" prop:value=text(|f| &f.q) value=text(|f| &f.q) />
            </label>
            <label>
                "Severity"
                <select name="severity" data-testid="log-severity-filter" onchange="this.form.requestSubmit()">
                    {option("", "any", |f| &f.severity)}
                    {[Severity::Debug, Severity::Info, Severity::Warn, Severity::Error, Severity::Fatal]
                        .into_iter()
                        .map(|s| option(s.as_str(), severity_label(s), |f| &f.severity))
                        .collect_view()}
                </select>
            </label>
            <label>
                "Service"
                <input name="service" list="log-services" placeholder="any" prop:value=text(|f| &f.service) value=text(|f| &f.service) />
            </label>
            <label>
                "Trace"
                <select name="trace" data-testid="log-trace-filter" onchange="this.form.requestSubmit()">
                    {option("", "any", |f| &f.trace)}
                    {option("yes", "in a trace", |f| &f.trace)}
                    {option("no", "standalone", |f| &f.trace)}
                </select>
            </label>
            <label>
                "Since"
                <select name="since" onchange="this.form.requestSubmit()">
                    {option("", "any time", |f| &f.since)}
                    {option("15m", "last 15 min", |f| &f.since)}
                    {option("1h", "last hour", |f| &f.since)}
                    {option("24h", "last 24 h", |f| &f.since)}
                    {option("7d", "last 7 days", |f| &f.since)}
                </select>
            </label>
            <button class="button primary" type="submit">"Apply"</button>
        </form>
    }
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Debug => "debug and up",
        Severity::Info => "info and up",
        Severity::Warn => "warnings and up",
        Severity::Error => "errors and up",
        Severity::Fatal => "fatal",
        _ => "any",
    }
}
