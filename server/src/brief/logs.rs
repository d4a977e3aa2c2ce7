//! The warnings and errors the trace's spans logged, quoted in the brief: what
//! a reader would look for first in the trace's Logs tab. Bodies are as stored
//! (scrubbed; GenAI content is a fingerprint, shown by its summary).

use app::model::logs::LogView;
use app::outline::Outline;

use super::model::LoggedLine;

/// Records quoted at most.
pub const QUOTED: usize = 10;

/// The first `QUOTED` of `logs` (warnings and worse, in time order), placed on their spans.
pub fn lines(o: &Outline, logs: &[LogView]) -> Vec<LoggedLine> {
    let index = o.index();
    logs.iter()
        .take(QUOTED)
        .map(|l| LoggedLine {
            offset_ns: l.time_ns - o.start_ns,
            severity: l.severity.label(),
            span_id: l.span_id.clone(),
            span_name: l.span_id.as_deref().and_then(|s| index.get(s)).map(|&r| o.rows[r as usize].name.clone()),
            body: l.body_text(),
            exception: l
                .exception
                .as_ref()
                .map(|x| format!("{}: {}", x.kind.as_deref().unwrap_or("exception"), x.message.as_deref().unwrap_or_default())),
        })
        .collect()
}
