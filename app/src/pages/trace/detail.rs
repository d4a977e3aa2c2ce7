//! The span detail panel: what one step was and did.

use leptos::prelude::*;
use serde_json::{Map, Value};

use super::span_detail;
use crate::components::kind::KindChip;
use crate::components::logs::{Clock, LinkTo, LogLines};
use crate::format;
use crate::model::cost::SpanCost;
use crate::model::{ContentField, ContentPolicy, SpanDetail, SpanStatus, SpanView};

#[component]
pub fn DetailPanel(
    trace_id: String,
    span_param: Memo<Option<String>>,
    trace_start_ns: i64,
    select: Callback<Option<u32>>,
    /// The share token on a shared page: links to other traces are not followed there.
    share: Option<String>,
) -> impl IntoView {
    let shared = share.is_some();
    let detail = Resource::new(
        move || span_param.get(),
        move |span| {
            let (trace_id, share) = (trace_id.clone(), share.clone());
            async move {
                match span {
                    Some(span) => span_detail(trace_id, span, share).await.map(Some),
                    None => Ok(None),
                }
            }
        },
    );
    view! {
        <aside class="detail" data-testid="span-detail">
            <button class="close" title="Close (Esc)" data-testid="close-detail" on:click=move |_| select.run(None)>
                "×"
            </button>
            <Transition fallback=|| view! { <p class="loading">"Loading span…"</p> }>
                {move || Suspend::new(async move {
                    match detail.await {
                        Ok(Some(d)) => view! { <SpanFacts detail=d trace_start_ns shared /> }.into_any(),
                        Ok(None) => ().into_any(),
                        Err(e) => view! { <p class="error" data-testid="span-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </aside>
    }
}

#[component]
fn SpanFacts(detail: SpanDetail, trace_start_ns: i64, shared: bool) -> impl IntoView {
    let SpanDetail { span: s, resource, logs } = detail;
    let events = s.events();
    let content = s.content();
    let attributes = s.attributes();
    let links = s.links();
    let t = s.tokens;
    let mut facts: Vec<(&'static str, String)> = vec![
        ("service", s.service.clone()),
        ("start", format!("+{} after the trace started", format::duration(s.start_ns - trace_start_ns))),
        ("duration", format::duration(s.duration_ns)),
        ("span id", s.span_id.clone()),
    ];
    let optional = [
        ("parent", s.parent_span_id.clone()),
        ("model", model(&s)),
        ("provider", s.provider.clone()),
        ("tool", s.tool_name.clone()),
        ("user", s.user_id.clone()),
        ("session", s.session_id.clone()),
    ];
    facts.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    if !t.is_zero() {
        let mut parts = vec![format!("{} in", format::count(t.input)), format!("{} out", format::count(t.output))];
        if t.cache_read > 0 {
            parts.push(format!("{} cache read", format::count(t.cache_read)));
        }
        if t.cache_write > 0 {
            parts.push(format!("{} cache write", format::count(t.cache_write)));
        }
        if t.reasoning > 0 {
            parts.push(format!("{} reasoning", format::count(t.reasoning)));
        }
        facts.push(("tokens", format!("{} ({})", format::count(t.total.max(t.input + t.output)), parts.join(", "))));
    }
    match &s.cost {
        Some(SpanCost::Priced { usd, price_id }) => {
            let (source, model) = price_id.split_once(':').unwrap_or(("", price_id));
            let source = if source == "override" { "operator price" } else { "shipped price list" };
            facts.push(("cost", format!("{} (priced as {model}, {source})", format::usd(*usd))));
        }
        Some(SpanCost::Unpriced) => facts.push(("cost", "unpriced: no price matches this model (add one on the Costs page)".into())),
        None => {}
    }
    facts.push(("span kind", s.otel_kind.clone()));
    if let Some(scope) = &s.scope {
        facts.push(("instrumentation", scope.clone()));
    }
    let (status, status_class) = match s.status {
        SpanStatus::Error => {
            (format!("error{}", s.status_message.as_deref().map(|m| format!(": {m}")).unwrap_or_default()), "status error")
        }
        SpanStatus::Ok => ("ok".to_string(), "status ok"),
        SpanStatus::Unset => ("unset (no error reported)".to_string(), "status"),
    };
    view! {
        <div class="detail-head">
            <KindChip kind=s.kind />
            <h2 data-testid="detail-name">{s.name.clone()}</h2>
        </div>
        <p class=status_class data-testid="detail-status">{status}</p>
        <dl class="facts">
            {facts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd class="mono">{v}</dd> }).collect_view()}
        </dl>
        {(!events.is_empty()).then(|| view! {
            <h3>"Events"</h3>
            <ul class="events" data-testid="detail-events">
                {events.into_iter().map(|e| {
                    let exception = e.exception.map(|x| format!("{}: {}", x.kind.unwrap_or_else(|| "exception".into()), x.message.unwrap_or_default()));
                    let is_exception = exception.is_some();
                    view! {
                        <li class:exception=is_exception>
                            <span class="mono muted">{format!("+{}", format::duration(e.time_ns - s.start_ns))}</span>
                            " " <strong>{e.name}</strong>
                            {exception.map(|x| view! { <div class="mono">{x}</div> })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        {(!logs.is_empty()).then(|| view! {
            <h3>{format!("Logs ({})", logs.len())}</h3>
            <LogLines logs clock=Clock::After(s.start_ns) link=LinkTo::Nothing testid="detail-logs" />
        })}
        {(!content.is_empty()).then(|| view! { <Content fields=content policy=s.content_policy /> })}
        <h3>"Attributes"</h3>
        <AttributeTable attributes testid="detail-attributes" />
        {(!links.is_empty()).then(|| view! {
            <h3>"Links"</h3>
            <ul class="links mono">
                {links.into_iter().map(|l| {
                    let text = format!("{} / {}", l.trace_id, l.span_id);
                    if shared {
                        view! { <li class="mono">{text}</li> }.into_any()
                    } else {
                        view! { <li><a href=format!("/traces/{}?span={}", l.trace_id, l.span_id)>{text}</a></li> }.into_any()
                    }
                }).collect_view()}
            </ul>
        })}
        <h3>"Resource"</h3>
        <AttributeTable attributes=resource testid="detail-resource" />
    }
}

fn model(s: &SpanView) -> Option<String> {
    match (&s.request_model, &s.response_model) {
        (Some(req), Some(resp)) if req != resp => Some(format!("{resp} (asked for {req})")),
        (_, Some(m)) | (Some(m), None) => Some(m.clone()),
        (None, None) => None,
    }
}

#[component]
fn Content(fields: Vec<ContentField>, policy: ContentPolicy) -> impl IntoView {
    view! {
        <h3>"Content"</h3>
        {(policy == ContentPolicy::Hashed).then(|| view! {
            <p class="hint" data-testid="content-note">
                "Content capture is off: Loupe kept a keyed hash, the length and the structure of this content, not its text. Equal hashes mean equal content."
            </p>
        })}
        <ul class="content" data-testid="detail-content">
            {fields.into_iter().map(|f| view! {
                <li>
                    <div class="mono key">{f.key}</div>
                    <div class="muted">{format!("{} chars · {}", format::count(f.chars as i64), f.summary)}</div>
                    <div class="mono hash" title="keyed hash">{f.hash}</div>
                    {f.text.map(|t| view! { <pre class="mono">{t}</pre> })}
                </li>
            }).collect_view()}
        </ul>
    }
}

#[component]
fn AttributeTable(attributes: Map<String, Value>, testid: &'static str) -> impl IntoView {
    if attributes.is_empty() {
        return view! { <p class="muted" data-testid=testid>"none"</p> }.into_any();
    }
    view! {
        <table class="attributes" data-testid=testid>
            <tbody>
                {attributes.into_iter().map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    view! { <tr><th class="mono">{k}</th><td class="mono">{v}</td></tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}
