//! The logs tool: the Logs page's search, for an assistant. Records come with
//! their trace and span ids, so the assistant can open the span they were
//! written in (get_span also carries a span's records).

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Extensions};
use rmcp::{ErrorData, tool, tool_router};
use serde_json::{Value, json};

use super::args::SearchLogs;
use super::clip::clip_strings;
use super::server::LoupeMcp;
use crate::error::{Error, Result};
use app::model::logs::LogFilter;

/// Longest body or attribute string kept per record.
const LOG_STRING_CHARS: usize = 1_000;

#[tool_router(router = log_tools, vis = "pub(super)")]
impl LoupeMcp {
    #[tool(
        description = "Search log records (OpenTelemetry logs sent beside the traces), newest first. Filters: q (words that must all appear in the body, \
the exception or the event name, any case), severity (the least shown: trace, debug, info, warn, error, fatal), service, trace (\"yes\": only records written \
inside a trace, \"no\": only standalone ones, or a trace_id), since/until (ages like \"1h\" or UTC times), limit (1 to 100, default 20) and cursor (from next_cursor). \
Returns each record's time, severity, body, exception, service, trace_id and span_id (open them with get_trace and get_span) and a link. \
Bodies are scrubbed of personal data; GenAI content in logs is a fingerprint unless Loupe runs with --capture-content."
    )]
    async fn search_logs(&self, Parameters(a): Parameters<SearchLogs>, ext: Extensions) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("search_logs", &ext, async {
            let limit = a.limit.unwrap_or(20);
            if !(1..=100).contains(&limit) {
                return Err(Error::BadRequest(format!("limit must be a whole number from 1 to 100, got {limit}")));
            }
            let filter = LogFilter {
                q: a.q,
                severity: a.severity,
                service: a.service,
                since: a.since,
                until: a.until,
                trace: a.trace,
                cursor: a.cursor,
                limit: Some(limit),
            };
            let page = self.state.read().logs(&filter).await?;
            let base = self.state.public_url.trim_end_matches('/');
            let rows: Vec<Value> = page.logs.iter().map(|l| log_row(l, base)).collect();
            let mut v = json!({ "logs": rows, "next_cursor": page.next_cursor });
            clip_strings(&mut v, LOG_STRING_CHARS);
            to_text(&v)
        })
        .await
    }
}

/// One record as the tools show it (also in get_span's `logs`).
pub(super) fn log_row(l: &app::model::logs::LogView, base: &str) -> Value {
    let link = match (&l.trace_id, &l.span_id) {
        (Some(t), Some(s)) => Some(format!("{base}/traces/{t}?span={s}")),
        (Some(t), None) => Some(format!("{base}/traces/{t}")),
        _ => None,
    };
    json!({
        "time": app::format::utc(l.time_ns),
        "time_ns": l.time_ns,
        "severity": l.severity,
        "severity_text": l.severity_text,
        "body": l.body_text(),
        "exception": l.exception,
        "event_name": l.event_name,
        "attributes": l.attributes,
        "service": l.service,
        "trace_id": l.trace_id,
        "span_id": l.span_id,
        "link": link,
    })
}

fn to_text(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Storage(e.to_string()))
}
