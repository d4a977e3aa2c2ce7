//! The tail-sampling card: the policy in force and what it kept and dropped.

use leptos::prelude::*;

/// A count with thousands separators.
fn n(count: u64) -> String {
    crate::format::count(count as i64)
}
use crate::format;
use crate::model::sampling::{ReasonCount, SamplingPolicy, SamplingView};

#[component]
pub fn Sampling(v: SamplingView) -> impl IntoView {
    let (kept, dropped) = v.totals();
    let decided = kept + dropped;
    let policy = match v.policy.clone() {
        Some(p) => view! { <Policy p pending=v.pending_spans /> }.into_any(),
        None => view! {
            <p data-testid="sampling-off">
                <strong>"Sampling is off: every trace is kept."</strong>
                " Start Loupe with "<code>"--sample 0.1"</code>" to keep every trace with an error, every trace a span alert rule fires on, every trace slower than "
                <code>"--sample-slower-than"</code>" (5 s), and one in ten of the rest."
            </p>
        }
        .into_any(),
    };
    let summary = (decided > 0).then(|| {
        view! {
            <p class="sampling-total" data-testid="sampling-totals">
                {format!(
                    "{} traces decided: {} kept ({:.1}%), {} dropped.",
                    n(decided),
                    n(kept),
                    kept as f64 / decided as f64 * 100.0,
                    n(dropped)
                )}
            </p>
            <div class="split-bar" role="img" aria-label="share of decided traces per reason">
                {v.counts.iter().filter(|c| c.traces > 0).map(|c| {
                    let width = format!("width: {:.2}%", c.traces as f64 / decided as f64 * 100.0);
                    view! { <span class=format!("seg reason-{}", c.reason) style=width title=format!("{}: {}", c.label(), c.traces)></span> }
                }).collect_view()}
            </div>
        }
    });
    let rows = v.counts.into_iter().map(|c| view! { <ReasonRow c decided /> }).collect_view();
    let at_cap = v.decided_at_cap;
    view! {
        <div class="card" data-testid="sampling">
            <h2>"Tail sampling"</h2>
            {policy}
            {summary}
            {if decided == 0 {
                view! { <p class="hint" data-testid="no-decisions">"No trace has been decided by sampling yet."</p> }.into_any()
            } else {
                view! {
                    <table class="cost-table" data-testid="sampling-counts">
                        <thead>
                            <tr>
                                <th>"Reason"</th>
                                <th>"Decision"</th>
                                <th class="num">"Traces"</th>
                                <th class="num">"Share"</th>
                                <th class="num">"Spans"</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                }.into_any()
            }}
            {(at_cap > 0).then(|| view! {
                <p class="hint warn" data-testid="decided-at-cap">
                    {format!("{} traces were decided early because too many spans waited (--sample-max-pending); they were judged on the spans that had arrived.", n(at_cap))}
                </p>
            })}
            <p class="hint">"Counts are since this database began, across every replica that shares it. Spans wait on disk until their trace is decided, so a restart loses none."</p>
        </div>
    }
}

#[component]
fn Policy(p: SamplingPolicy, pending: u64) -> impl IntoView {
    let slow = match p.slower_than_ns {
        Some(ns) => format!("every trace of {} or more", format::setting(ns)),
        None => "no trace for its duration alone (--sample-slower-than off)".into(),
    };
    view! {
        <dl class="policy" data-testid="sampling-policy">
            <dt>"Always kept"</dt>
            <dd>"every trace with an error; every trace a span alert rule fires on; "{slow}</dd>
            <dt>"Kept by chance"</dt>
            <dd data-testid="sampling-fraction">{format!("{}% of the rest, chosen by trace id (every replica agrees)", trim(p.fraction * 100.0))}</dd>
            <dt>"Decided"</dt>
            <dd>{format!("{} after the root span arrives, or {} after the first span when no root comes", format::setting(p.grace_ns), format::setting(p.max_wait_ns))}</dd>
            <dt>"Waiting now"</dt>
            <dd data-testid="sampling-pending">{format!("{} spans (at most {})", n(pending), n(p.max_pending_spans))}</dd>
        </dl>
    }
}

#[component]
fn ReasonRow(c: ReasonCount, decided: u64) -> impl IntoView {
    let share = if decided > 0 { c.traces as f64 / decided as f64 * 100.0 } else { 0.0 };
    view! {
        <tr data-testid="reason-row" data-reason=c.reason.clone()>
            <td><span class=format!("swatch reason-{}", c.reason)></span>{c.label()}</td>
            <td class:dropped=!c.kept>{if c.kept { "kept" } else { "dropped" }}</td>
            <td class="num mono" data-testid="reason-traces">{n(c.traces)}</td>
            <td class="num mono">{format!("{share:.1}%")}</td>
            <td class="num mono">{n(c.spans)}</td>
        </tr>
    }
}

/// A percentage without trailing zeros: 10, 2.5, 0.1.
fn trim(pct: f64) -> String {
    let s = format!("{pct:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}
