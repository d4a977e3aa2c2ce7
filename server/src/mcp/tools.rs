//! The tools. Each description tells the assistant when to use it, what it
//! returns and how to go deeper; every answer is bounded (rows capped, long
//! strings clipped), so no call can fill a model's context.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{CallToolResult, Extensions};
use rmcp::{ErrorData, tool, tool_router};
use serde_json::{Value, json};

use super::args::{AlertFirings, FindSpans, LatencyStats, RangeArgs, SearchTraces, SessionArg, SpanArg, TraceArg};
use super::clip::clip_strings;
use super::server::LoupeMcp;
use crate::error::{Error, Result};
use crate::store::ListQuery;
use app::model::latency::LatencyFilter;
use app::model::{RangeFilter, TraceFilter};

/// Longest string kept in a span's attributes, events and content (the page shows the rest).
const SPAN_STRING_CHARS: usize = 2_000;
/// Rows kept of each list in the stats answers.
const STAT_ROWS: usize = 25;

fn to_text(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Storage(e.to_string()))
}

#[tool_router(router = tools, vis = "pub(super)")]
impl LoupeMcp {
    #[tool(
        description = "Search stored traces, newest first (or slowest first with order: \"slowest\"). Use it to find the request to investigate: \
filter by service, status (\"error\"/\"ok\"), step kind, model, min_duration_ms, text in span names (q), user, session and a time range (since/until as ages like \"1h\" or UTC times). \
Returns compact rows (trace_id, root span, service, start, duration, spans, errors, tokens, cost, link) and next_cursor for older traces. Then call get_trace with a trace_id."
    )]
    async fn search_traces(
        &self,
        Parameters(a): Parameters<SearchTraces>,
        ext: Extensions,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("search_traces", &ext, async {
            let limit = a.limit.unwrap_or(20);
            if !(1..=50).contains(&limit) {
                return Err(Error::BadRequest(format!("limit must be a whole number from 1 to 50, got {limit}")));
            }
            let slowest = a.order.as_deref() == Some("slowest");
            let since = a.since.or_else(|| (slowest && a.until.is_none()).then(|| "24h".to_string()));
            let filter = TraceFilter {
                service: a.service,
                status: a.status,
                min_duration_ms: a.min_duration_ms.map(|m| m.to_string()),
                kind: a.kind,
                model: a.model,
                user: a.user,
                session: a.session,
                q: a.q,
                since,
                cursor: a.cursor,
                ..TraceFilter::default()
            };
            let query = ListQuery { filter, limit: Some(limit.to_string()), until: a.until, order: a.order };
            let page = self.state.read().traces(query).await?;
            let base = self.state.public_url.trim_end_matches('/');
            let rows: Vec<Value> = page
                .traces
                .iter()
                .map(|t| {
                    json!({
                        "trace_id": t.trace_id,
                        "root": t.root_name,
                        "service": t.service,
                        "start": app::format::utc(t.start_ns),
                        "duration_ms": t.duration_ns as f64 / 1e6,
                        "spans": t.span_count,
                        "errors": t.error_count,
                        "tokens": t.tokens.total,
                        "cost_usd": t.cost_usd,
                        "models": t.models,
                        "link": format!("{base}/traces/{}", t.trace_id),
                    })
                })
                .collect();
            to_text(&json!({ "traces": rows, "next_cursor": page.next_cursor }))
        })
        .await
    }

    #[tool(
        description = "Read the brief of one trace, written for you: header figures (duration, spans, errors, tokens, cost); findings, each with its numbers and a fix; \
the critical path with each step's share; time by step kind; the slowest and the failed spans with status messages and exceptions; and an outline of the span tree where \
repeated siblings fold (\"`case {n}` × 2,500: retrieve → chat → judge, p50, max, errors\"). Bounded (under 30,000 characters) for any trace size. \
Markdown with span ids: drill in with get_span or find_spans."
    )]
    async fn get_trace(&self, Parameters(a): Parameters<TraceArg>, ext: Extensions) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("get_trace", &ext, async { Ok(crate::brief::render(&self.state.read().brief(&a.trace_id).await?)) }).await
    }

    #[tool(
        description = "Read one span whole: timings, step kind, model, tokens, cost, tool, status, events and exceptions, attributes, content fingerprints \
(keyed hash, length, structure; the text only when Loupe runs with --capture-content), links, its resource, the log records written inside it \
(time, severity, body, exception), and a link to it in the browser. \
Use after get_trace or find_spans gave you a span_id. Strings over 2,000 characters are clipped."
    )]
    async fn get_span(&self, Parameters(a): Parameters<SpanArg>, ext: Extensions) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("get_span", &ext, async {
            let detail = self.state.read().span(&a.trace_id, &a.span_id).await?;
            let span = &detail.span;
            let link = format!(
                "{}/traces/{}?span={}",
                self.state.public_url.trim_end_matches('/'),
                a.trace_id.trim().to_lowercase(),
                span.span_id
            );
            let mut v = serde_json::to_value(span).map_err(|e| Error::Storage(e.to_string()))?;
            if let Value::Object(o) = &mut v {
                o.insert("resource_attributes".into(), Value::Object(detail.resource.clone()));
                let base = self.state.public_url.trim_end_matches('/');
                o.insert("logs".into(), Value::Array(detail.logs.iter().map(|l| super::log_tools::log_row(l, base)).collect()));
                o.insert("link".into(), Value::String(link));
            }
            clip_strings(&mut v, SPAN_STRING_CHARS);
            to_text(&v)
        })
        .await
    }

    #[tool(
        description = "Find spans within one trace by text in the name (q, any case), step kind, status (\"error\"/\"ok\") and min_duration_ms, in tree order, paged \
(limit up to 200, offset from next_offset). Returns total matches and compact rows (span_id, parent, name, kind, depth, offset and duration, error, status message, model, tool, tokens). \
Use it to drill into big traces: e.g. every failed tool call, or the chat spans slower than 2,000 ms."
    )]
    async fn find_spans(&self, Parameters(a): Parameters<FindSpans>, ext: Extensions) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("find_spans", &ext, async { to_text(&self.state.read().find_spans(&a.trace_id, &a.search).await?) }).await
    }

    #[tool(
        description = "Latency percentiles over a time range (default: the last 24 hours), per step kind or per step (by_step: true), as the Latency page shows them: \
count, errors, error rate, p50, p95, p99 and max in nanoseconds, slowest p95 first. Use it to tell whether a trace's step was slower than usual."
    )]
    async fn latency_stats(
        &self,
        Parameters(a): Parameters<LatencyStats>,
        ext: Extensions,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("latency_stats", &ext, async {
            let filter = LatencyFilter { since: a.since, until: a.until, service: a.service, kind: a.kind, step: a.step };
            let mut report = self.state.read().latency(&filter, a.by_step.unwrap_or(false)).await?;
            let rows = report.rows.len();
            report.rows.truncate(STAT_ROWS);
            let rows_json: Vec<Value> = report
                .rows
                .iter()
                .map(|r| {
                    json!({ "kind": r.kind, "step": r.name, "count": r.count, "errors": r.errors, "error_rate": r.error_rate,
                            "p50_ns": r.p50_ns, "p95_ns": r.p95_ns, "p99_ns": r.p99_ns, "max_ns": r.max_ns })
                })
                .collect();
            to_text(&json!({ "since": app::format::utc(report.since_ns), "until": app::format::utc(report.until_ns),
                             "rows": rows_json, "rows_total": rows, "relative_error": report.relative_error }))
        })
        .await
    }

    #[tool(
        description = "Model-call cost and tokens over a time range (default: the last 24 hours), as the Cost page shows them: totals, by model, by service, by user, \
cost per trace (p50, p95, max) and the most expensive traces with their trace_ids. Unpriced calls (no price known) are counted apart."
    )]
    async fn cost_stats(&self, Parameters(a): Parameters<RangeArgs>, ext: Extensions) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("cost_stats", &ext, async {
            let mut o = self.state.read().cost_overview(&RangeFilter { since: a.since, until: a.until }).await?;
            o.series.clear();
            o.by_model.truncate(STAT_ROWS);
            o.by_service.truncate(STAT_ROWS);
            o.by_user.truncate(STAT_ROWS);
            o.expensive.truncate(10);
            to_text(&o)
        })
        .await
    }

    #[tool(
        description = "Recent alert firings, newest first: the rule, when it fired, what crossed the threshold (\"execute_tool search_hotels took 2,512 ms (> 2,000 ms)\"), \
the trace_id and span_id it fired on (read them with get_trace and get_span) and whether the notification was delivered."
    )]
    async fn list_alert_firings(
        &self,
        Parameters(a): Parameters<AlertFirings>,
        ext: Extensions,
    ) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("list_alert_firings", &ext, async {
            let limit = a.limit.unwrap_or(20);
            if !(1..=100).contains(&limit) {
                return Err(Error::BadRequest(format!("limit must be a whole number from 1 to 100, got {limit}")));
            }
            let events = self.state.read().alert_events(a.rule_id, limit).await?;
            let rows: Vec<Value> = events
                .iter()
                .map(|e| {
                    json!({ "rule_id": e.rule_id, "rule": e.rule_name, "fired": app::format::utc(e.fired_ns), "count": e.count,
                            "summary": e.summary, "group": e.group_key, "trace_id": e.trace_id, "span_id": e.span_id,
                            "link": e.link, "delivery": e.delivery })
                })
                .collect();
            to_text(&json!({ "firings": rows }))
        })
        .await
    }

    #[tool(
        description = "End users and sessions over a time range (default: the last 24 hours): per user traces, p95 latency, error rate and cost compared with all users; \
the busiest sessions. Use get_session for one conversation's traces in order."
    )]
    async fn list_users(&self, Parameters(a): Parameters<RangeArgs>, ext: Extensions) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("list_users", &ext, async {
            let mut r = self.state.read().people(&RangeFilter { since: a.since, until: a.until }).await?;
            r.users.truncate(STAT_ROWS);
            r.sessions.truncate(STAT_ROWS);
            to_text(&r)
        })
        .await
    }

    #[tool(
        description = "One session (conversation) and its traces in order, with each trace's duration, errors and cost: how a user's conversation went, turn by turn."
    )]
    async fn get_session(&self, Parameters(a): Parameters<SessionArg>, ext: Extensions) -> std::result::Result<CallToolResult, ErrorData> {
        self.answer("get_session", &ext, async {
            let mut s = self.state.read().session(&a.session).await?;
            s.traces.truncate(100);
            to_text(&s)
        })
        .await
    }
}
