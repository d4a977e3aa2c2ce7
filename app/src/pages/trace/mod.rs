//! One trace (`/traces/{trace_id}`): summary, waterfall and span detail. The
//! selected span lives in the URL (`?span={span_id}`), so a link opens the trace on
//! that span.

mod detail;
mod insights;
mod keys;
mod logs_tab;
mod ruler;
pub mod share;
mod summary;
mod waterfall;

use std::collections::HashSet;
use std::sync::Arc;

use leptos::prelude::*;
use leptos_meta::Meta;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::components::error_page::ErrorPage;
use crate::error::PageError;
use crate::format;
use crate::model::SpanDetail;
use crate::outline::Outline;

/// The trace laid out for the waterfall.
#[server(prefix = "/rpc", endpoint = "trace")]
pub async fn trace_outline(trace_id: String) -> Result<Outline, PageError> {
    load_outline(&trace_id, true).await
}

/// The outline of a stored trace; with `usual`, each step carries its 7-day
/// latency from other traces. A share link opens one trace and nothing else,
/// so shared pages load it without.
/// A trace none of whose spans arrived yet but whose log records did opens
/// with those records (an outline without rows).
#[cfg(feature = "ssr")]
pub async fn load_outline(trace_id: &str, usual: bool) -> Result<Outline, PageError> {
    let data = crate::data::data()?;
    let logs = data.trace_log_heads(trace_id).await?;
    let spans = match data.trace_spans(trace_id).await {
        Err(PageError::NotFound(_)) if !logs.is_empty() => Vec::new(),
        other => other?,
    };
    let usual = if usual && !spans.is_empty() {
        let start_ns = spans.iter().map(|s| s.start_ns).min().unwrap_or_default();
        data.usual_latency(&crate::outline::steps_of(&spans), start_ns).await?
    } else {
        Default::default()
    };
    let id = trace_id.trim().to_lowercase();
    let mut outline = match Outline::build_with(id.clone(), spans, &usual) {
        Some(o) => o,
        None => Outline::logs_only(id, logs.iter().map(|l| l.time_ns).min().unwrap_or_default()),
    };
    outline.attach_logs(&logs);
    Ok(outline)
}

/// Everything about one span, for the detail panel.
#[server(prefix = "/rpc", endpoint = "span")]
pub async fn fetch_span(trace_id: String, span_id: String) -> Result<SpanDetail, PageError> {
    crate::data::data()?.span(&trace_id, &span_id).await
}

/// A span of a shared trace: `token` is the link's, and must open this trace. It
/// is the one span endpoint open without signing in, so it always checks a token.
#[server(prefix = "/rpc", endpoint = "shared_span")]
pub async fn fetch_shared_span(token: String, trace_id: String, span_id: String) -> Result<SpanDetail, PageError> {
    let outcome = async {
        let data = crate::data::data()?;
        data.shared_trace(&token, Some(&trace_id)).await?;
        data.span(&trace_id, &span_id).await
    };
    PageError::answer(outcome.await)
}

/// The span for the detail panel, through the share link on a shared page.
pub async fn span_detail(trace_id: String, span_id: String, share: Option<String>) -> Result<SpanDetail, PageError> {
    match share {
        Some(token) => fetch_shared_span(token, trace_id, span_id).await,
        None => fetch_span(trace_id, span_id).await,
    }
}

/// What the page keeps across refreshes of the trace (new spans arriving): which
/// subtrees are folded and where the waterfall is scrolled.
#[derive(Clone, Copy)]
pub struct ViewState {
    pub collapsed: RwSignal<HashSet<String>>,
    pub scroll_top: RwSignal<f64>,
}

#[component]
pub fn TracePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let trace_id = Memo::new(move |_| params.with(|p| p.get("trace_id").unwrap_or_default()));
    let span_param = Memo::new(move |_| query.with(|q| q.get("span")).filter(|s| !s.is_empty()));
    let logs_tab = Memo::new(move |_| query.with(|q| q.get("tab")).as_deref() == Some("logs"));
    let reload = RwSignal::new(0u32);
    let outline = Resource::new(move || (trace_id.get(), reload.get()), |(id, _)| trace_outline(id));
    let state = ViewState { collapsed: RwSignal::new(HashSet::new()), scroll_top: RwSignal::new(0.0) };

    view! {
        <Transition fallback=|| view! { <p class="loading">"Loading trace…"</p> }>
            {move || Suspend::new(async move {
                match outline.await {
                    Ok(o) => view! { <TraceView outline=Arc::new(o) span_param logs_tab reload state shared=None /> }.into_any(),
                    Err(e) => view! { <ErrorPage error=e what="trace" /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// "Copy for AI": fetches the trace's brief (Markdown) and puts it on the
/// clipboard. A `ClipboardItem` made from the pending fetch keeps the click's
/// permission to write; without a clipboard (plain http away from localhost) the
/// brief opens in a tab to copy by hand. Inline, so it works before hydration;
/// its hash is in the CSP (server/src/http/edge/headers.rs).
pub(crate) const COPY_BRIEF: &str = "const b=this,u=b.dataset.brief,c=navigator.clipboard;if(!c){window.open(u);return}const t=fetch(u).then(r=>r.ok?r.text():Promise.reject(r.status));(window.ClipboardItem?c.write([new ClipboardItem({'text/plain':t.then(s=>new Blob([s],{type:'text/plain'}))})]):t.then(s=>c.writeText(s))).then(()=>{b.textContent='Brief copied';setTimeout(()=>b.textContent='Copy for AI',2000)},()=>{b.textContent='Copy failed';window.open(u)})";

/// `shared`: the share link, on a shared page (read-only, nothing but this trace).
#[component]
pub fn TraceView(
    outline: Arc<Outline>,
    span_param: Memo<Option<String>>,
    /// The Logs tab is open (`?tab=logs`) instead of the waterfall.
    logs_tab: Memo<bool>,
    reload: RwSignal<u32>,
    state: ViewState,
    shared: Option<share::Shared>,
) -> impl IntoView {
    let root = outline.rows.first().cloned();
    let title = root.as_ref().map(|r| r.name.clone()).unwrap_or_else(|| format!("trace {}", outline.trace_id));
    let service = root.as_ref().map(|r| outline.services[r.service as usize].clone()).unwrap_or_default();
    let trace_id = outline.trace_id.clone();
    let index = Arc::new(outline.index());
    let selected = {
        let index = index.clone();
        Memo::new(move |_| span_param.get().and_then(|s| index.get(&s).copied()))
    };
    let navigate = use_navigate();
    let base = match &shared {
        Some(s) => format!("/share/{}", s.token),
        None => format!("/traces/{trace_id}"),
    };
    let select = {
        let outline = outline.clone();
        Callback::new(move |row: Option<u32>| {
            let url = match row.and_then(|r| outline.rows.get(r as usize)) {
                Some(r) => format!("{base}?span={}", r.span_id),
                None => base.clone(),
            };
            navigate(&url, NavigateOptions { replace: true, scroll: false, ..Default::default() });
        })
    };

    let panel_trace = trace_id.clone();
    let logs_trace = trace_id.clone();
    let no_spans = outline.rows.is_empty();
    let share_token = shared.as_ref().map(|s| s.token.clone());
    let shared_none = shared.is_none();
    let tab_base = format!("/traces/{trace_id}");
    let start_ns = outline.start_ns;
    // The waterfall and the open span (the Waterfall tab), made afresh each time the tab opens.
    let trace_body = {
        let (outline, index) = (outline.clone(), index.clone());
        move || {
            let (panel_trace, share_token) = (panel_trace.clone(), share_token.clone());
            view! {
                <div class="trace-body" class:with-detail=move || span_param.with(Option::is_some)>
                    <waterfall::Waterfall outline=outline.clone() index=index.clone() selected select state />
                    <Show when=move || span_param.with(Option::is_some)>
                        <detail::DetailPanel trace_id=panel_trace.clone() span_param trace_start_ns=start_ns select share=share_token.clone() />
                    </Show>
                </div>
            }
        }
    };
    // Link previews (Slack, chat apps): figures only, never span content.
    let preview = summary::link_title(&title, &outline);
    let preview_text = format!("{} spans · {service} · a trace in Loupe", outline.rows.len());
    view! {
        <crate::components::title::PageTitle text=format!("{title} · {} · Loupe", format::duration(outline.duration_ns)) />
        <Meta property="og:title" content=preview.clone() />
        <Meta property="og:description" content=preview_text.clone() />
        <Meta property="og:type" content="website" />
        <Meta property="og:site_name" content="Loupe" />
        <Meta name="twitter:card" content="summary" />
        <Meta name="twitter:title" content=preview />
        <Meta name="twitter:description" content=preview_text />
        <section class="trace-page" data-testid="trace-page" data-trace-id=trace_id.clone()>
            {shared.as_ref().map(|s| view! { <share::SharedBanner expires_ns=s.expires_ns /> })}
            <div class="trace-head">
                {shared.is_none().then(|| view! { <a class="back" href="/">"← Traces"</a> })}
                <h1 data-testid="trace-title">{title}</h1>
                <span class="muted">{service}</span>
                <span class="trace-id mono" title="trace id">{trace_id.clone()}</span>
                <span class="muted" title="start of the trace">{format::utc(outline.start_ns)}</span>
                <span class="trace-actions">
                    <button class="button" data-testid="reload" title="Fetch spans that arrived since" on:click=move |_| reload.update(|r| *r += 1)>
                        "Refresh"
                    </button>
                    // The page's URL is the permalink (with ?span= when a span is open). Plain
                    // JS, so it works before hydration; where the clipboard API is missing
                    // (plain http on another host) the link is shown to copy by hand.
                    <button
                        class="button"
                        data-testid="copy-link"
                        title="Copy a link to this trace (and the open span)"
                        onclick="const u=location.href,b=this;navigator.clipboard?navigator.clipboard.writeText(u).then(()=>{b.textContent='Link copied';setTimeout(()=>b.textContent='Copy link',2000)}):prompt('Copy this link',u)"
                    >
                        "Copy link"
                    </button>
                    {shared.is_none().then(|| view! {
                        <button
                            class="button"
                            data-testid="copy-brief"
                            data-brief=format!("/api/traces/{trace_id}/brief")
                            title="Copy a brief of this trace (findings, critical path, slowest and failed spans, outline) to paste into an AI assistant; prompts and completions are never in it"
                            onclick=COPY_BRIEF
                        >
                            "Copy for AI"
                        </button>
                        <a class="button" href=format!("/api/traces/{trace_id}/export") download=format!("trace-{trace_id}.json") data-testid="export" title="Download as OTLP/JSON, to import into another Loupe">
                            "Export"
                        </a>
                        <share::SharePanel trace_id=trace_id.clone() />
                    })}
                </span>
            </div>
            {no_spans.then(|| view! {
                <p class="card no-spans" data-testid="no-spans">
                    "No spans received for this trace yet: only its log records. Spans that arrive later show here (Refresh)."
                </p>
            })}
            {(!no_spans).then(|| view! {
                <insights::Insights outline=outline.clone() index=index.clone() select />
                <summary::Summary outline=outline.clone() select />
            })}
            {shared.is_none().then(|| view! { <Tabs base=tab_base.clone() logs_tab outline=outline.clone() /> })}
            <Show when=move || !logs_tab.get() || !shared_none>{trace_body.clone()}</Show>
            <Show when=move || logs_tab.get() && shared_none>
                <logs_tab::LogsTab trace_id=logs_trace.clone() start_ns />
            </Show>
        </section>
    }
}

/// Waterfall | Logs: links, so they work before hydration and a tab can be shared.
#[component]
fn Tabs(base: String, logs_tab: Memo<bool>, outline: Arc<Outline>) -> impl IntoView {
    let l = &outline.logs;
    let count = match (l.errors, l.warnings) {
        (0, 0) => format!("{}", l.total),
        (0, w) => format!("{} · {w} warn", l.total),
        (e, _) => format!("{} · {e} error{}", l.total, if e == 1 { "" } else { "s" }),
    };
    let alert = l.errors > 0;
    view! {
        <nav class="trace-tabs" data-testid="trace-tabs">
            <a href=base.clone() class:current=move || !logs_tab.get() data-testid="tab-waterfall">"Waterfall"</a>
            <a href=format!("{base}?tab=logs") class:current=move || logs_tab.get() data-testid="tab-logs">
                "Logs"
                <span class="count mono" class:alert=alert>{count}</span>
            </a>
        </nav>
    }
}
