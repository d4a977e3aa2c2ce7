//! The retention card: how long traces stay, the size cap against the data's
//! size now, and what retention has deleted.

use leptos::prelude::*;

/// A count with thousands separators.
fn n(count: u64) -> String {
    crate::format::count(count as i64)
}
use crate::format;
use crate::model::sampling::{RetentionPolicy, RetentionView, SizeMeasure};

#[component]
pub fn Retention(v: RetentionView) -> impl IntoView {
    let oldest = v.oldest_trace_ns.map(|ns| format!("The oldest trace kept started {} UTC.", &format::utc(ns)[..16]));
    let policy = match v.policy.clone() {
        Some(p) => view! { <Policy p v=v.clone() /> }.into_any(),
        None => view! {
            <p data-testid="retention-off">
                <strong>"Retention is off: traces are kept until you delete them."</strong>
                " Start Loupe with "<code>"--retain 30d"</code>" to delete traces older than 30 days, "
                <code>"--retain-service checkout=90d"</code>" to keep one service longer, or "
                <code>"--max-db-size 20GiB"</code>" to keep the database under a size (oldest traces first)."
            </p>
        }
        .into_any(),
    };
    let last = match v.last_run_ns {
        Some(ns) => format!(
            "Last run {} UTC deleted {} traces. In all, retention has deleted {} traces ({} spans).",
            &format::utc(ns)[..16],
            n(v.last_deleted),
            n(v.traces_deleted),
            n(v.spans_deleted)
        ),
        None => "Retention has not run yet.".into(),
    };
    view! {
        <div class="card" data-testid="retention">
            <h2>"Retention"</h2>
            {policy}
            {v.policy.is_some().then(|| view! { <p class="hint" data-testid="retention-runs">{last}</p> })}
            {oldest.map(|o| view! { <p class="hint" data-testid="oldest-trace">{o}</p> })}
            <p class="hint">"Deletion runs in the background, 500 traces per transaction, on one replica at a time; traces go with their spans, details, tags and share links."</p>
        </div>
    }
}

#[component]
fn Policy(p: RetentionPolicy, v: RetentionView) -> impl IntoView {
    let default = match p.default_ns {
        Some(ns) => format!("traces are deleted {} after they started", format::setting(ns)),
        None => "kept until deleted (no --retain)".into(),
    };
    let services = p
        .per_service
        .iter()
        .map(|(s, ns)| view! { <li data-testid="retention-service"><code>{s.clone()}</code>{format!(": {}", format::setting(*ns))}</li> })
        .collect_view();
    let has_services = !p.per_service.is_empty();
    let cap = p.max_bytes.map(|cap| {
        let share = (v.used_bytes as f64 / cap as f64 * 100.0).min(100.0);
        let how = match v.measure {
            SizeMeasure::Pages => format!("the pages in use; the database file is {} with its free pages", size(v.file_bytes)),
            SizeMeasure::Counted => format!(
                "as Loupe counts its span data; PostgreSQL's files are {}, as it keeps deleted rows' space for reuse",
                size(v.file_bytes)
            ),
        };
        view! {
            <dt>"Size cap"</dt>
            <dd data-testid="retention-size">
                {format!("{} of {} in use ({share:.0}%); beyond it the oldest traces are deleted", size(v.used_bytes), size(cap))}
                <span class="size-meter"><span style=format!("width: {share:.1}%")></span></span>
                <span class="hint" data-testid="retention-files">{format!("Measured as {how}.")}</span>
            </dd>
        }
    });
    view! {
        <dl class="policy" data-testid="retention-policy">
            <dt>"Every service"</dt>
            <dd data-testid="retention-default">{default}</dd>
            {has_services.then(|| view! { <dt>"Services of their own"</dt><dd><ul class="plain">{services}</ul></dd> })}
            {cap}
        </dl>
    }
}

/// `512 KiB`, `3.2 MiB`, `20.0 GiB`.
fn size(bytes: u64) -> String {
    let kib = bytes as f64 / 1024.0;
    match kib {
        k if k < 1024.0 => format!("{k:.0} KiB"),
        k if k < 1024.0 * 1024.0 => format!("{:.1} MiB", k / 1024.0),
        k => format!("{:.1} GiB", k / (1024.0 * 1024.0)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_read_in_the_unit_that_fits() {
        assert_eq!(super::size(46_689), "46 KiB");
        assert_eq!(super::size(3 * 1024 * 1024 + 200 * 1024), "3.2 MiB");
        assert_eq!(super::size(2 * 1024 * 1024 * 1024), "2.0 GiB");
    }
}
