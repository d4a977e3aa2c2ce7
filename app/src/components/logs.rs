//! Log records as lines: time (an offset from a start, or UTC), severity as a
//! coloured label, the body, and a fold with attributes, exception and source.
//! A `<details>` fold, so records open without JavaScript. Used by the span
//! detail, the trace's Logs tab and the Logs page.

use leptos::prelude::*;
use serde_json::Value;

use crate::format;
use crate::model::logs::{LogView, Severity};

/// How a line says when it happened.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Clock {
    /// `+12 ms` after this time (a span's or a trace's start).
    After(i64),
    /// UTC date and time.
    Utc,
}

/// Where a line links.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum LinkTo {
    Nothing,
    /// Its span on the trace page (or its trace when it has no span).
    Span,
}

/// The CSS class that colours a severity (`.sev-warn`, …).
pub fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Unspecified => "sev-unspecified",
        Severity::Trace => "sev-trace",
        Severity::Debug => "sev-debug",
        Severity::Info => "sev-info",
        Severity::Warn => "sev-warn",
        Severity::Error => "sev-error",
        Severity::Fatal => "sev-fatal",
    }
}

#[component]
pub fn LogLines(logs: Vec<LogView>, clock: Clock, link: LinkTo, testid: &'static str) -> impl IntoView {
    view! {
        <ol class="log-lines" data-testid=testid>
            {logs.into_iter().map(|log| view! { <LogLine log clock link /> }).collect_view()}
        </ol>
    }
}

#[component]
fn LogLine(log: LogView, clock: Clock, link: LinkTo) -> impl IntoView {
    let when = match clock {
        Clock::After(origin) => format!("+{}", format::duration((log.time_ns - origin).max(0))),
        Clock::Utc => format::utc(log.time_ns),
    };
    let label = log.severity_text.clone().filter(|t| t.len() <= 12).unwrap_or_else(|| log.severity.label().to_string());
    let body = log.body_text();
    let exception = log
        .exception
        .as_ref()
        .map(|x| format!("{}: {}", x.kind.clone().unwrap_or_else(|| "exception".into()), x.message.clone().unwrap_or_default()));
    let href = match (link, &log.trace_id, &log.span_id) {
        (LinkTo::Span, Some(t), Some(s)) => Some((format!("/traces/{t}?span={s}"), "span")),
        (LinkTo::Span, Some(t), None) => Some((format!("/traces/{t}"), "trace")),
        _ => None,
    };
    let has_more = !log.attributes.is_empty() || !log.content.is_empty() || log.event_name.is_some() || matches!(link, LinkTo::Span);
    let class = format!("log {}", severity_class(log.severity));
    let head = view! {
        <span class="mono muted when">{when}</span>
        <span class="sev" data-testid="log-severity">{label}</span>
        {(clock == Clock::Utc).then(|| view! { <span class="muted svc">{log.service.clone()}</span> })}
        <span class="mono body" data-testid="log-body">{body}</span>
        {exception.clone().map(|x| view! { <span class="mono exception">{x}</span> })}
        {href.clone().map(|(h, what)| view! { <a class="to" href=h data-testid="log-link">{what}</a> })}
    };
    if !has_more {
        return view! { <li class=class data-severity=log.severity.as_str()><div class="log-head">{head}</div></li> }.into_any();
    }
    view! {
        <li class=class data-severity=log.severity.as_str()>
            <details>
                <summary class="log-head">{head}</summary>
                <dl class="log-facts">
                    <dt>"service"</dt><dd class="mono">{log.service.clone()}</dd>
                    {log.event_name.clone().map(|e| view! { <dt>"event"</dt><dd class="mono">{e}</dd> })}
                    {log.scope.clone().map(|s| view! { <dt>"logger"</dt><dd class="mono">{s}</dd> })}
                    <dt>"time"</dt><dd class="mono">{format::utc(log.time_ns)}</dd>
                    {log.span_id.clone().map(|s| view! { <dt>"span"</dt><dd class="mono">{s}</dd> })}
                </dl>
                {(!log.content.is_empty()).then(|| view! {
                    <ul class="content">
                        {log.content.iter().map(|f| view! {
                            <li>
                                <div class="mono key">{f.key.clone()}</div>
                                <div class="muted">{format!("{} chars · {}", format::count(f.chars as i64), f.summary)}</div>
                                <div class="mono hash" title="keyed hash">{f.hash.clone()}</div>
                                {f.text.clone().map(|t| view! { <pre class="mono">{t}</pre> })}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {(!log.attributes.is_empty()).then(|| view! {
                    <table class="attributes">
                        <tbody>
                            {log.attributes.iter().map(|(k, v)| {
                                let v = match v {
                                    Value::String(s) => s.clone(),
                                    other => other.to_string(),
                                };
                                view! { <tr><th class="mono">{k.clone()}</th><td class="mono">{v}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </details>
        </li>
    }
    .into_any()
}
