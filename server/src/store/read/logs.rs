//! Reading log records: a trace's or a span's, in time order, and the Logs
//! page's filtered list, newest first with keyset paging.

use serde_json::Value;

use crate::domain::{ContentPolicy, Severity, SpanId, TraceId};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::store::backend::{Sql, with_db};
use crate::store::read::filter::parse_time;
use app::model::logs::{LogFilter, LogPage, LogView};
use app::outline::LogHead;

/// Most records one trace's answer carries (the Logs tab, the API, MCP).
pub const MAX_TRACE_LOGS: u32 = 5_000;

/// Most records on one page of the list.
const MAX_PAGE: u32 = 500;
const DEFAULT_PAGE: u32 = 100;

/// The list's filters, checked.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct LogQuery {
    pub words: Vec<String>,
    pub min_severity: i32,
    pub service: Option<String>,
    pub since_ns: Option<i64>,
    pub until_ns: Option<i64>,
    pub trace: TraceScope,
    /// Records older than this (time, id): the cursor.
    pub before: Option<(i64, i64)>,
    pub limit: u32,
    /// Oldest first (the brief's quotes) rather than newest first.
    pub oldest_first: bool,
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub enum TraceScope {
    #[default]
    Any,
    WithTrace,
    Standalone,
    Trace(TraceId),
}

impl LogQuery {
    /// Checks the page's parameters; a clear error for each bad one.
    pub fn parse(f: &LogFilter, now_ns: i64) -> Result<LogQuery> {
        let nonempty = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let min_severity = match nonempty(&f.severity) {
            None => 0,
            Some(s) => Severity::parse(&s)
                .ok_or_else(|| Error::BadRequest(format!("severity must be one of trace, debug, info, warn, error, fatal; got {s:?}")))?
                .min_number(),
        };
        let trace = match nonempty(&f.trace).as_deref() {
            None | Some("any") => TraceScope::Any,
            Some("yes") => TraceScope::WithTrace,
            Some("no") => TraceScope::Standalone,
            Some(id) => {
                TraceScope::Trace(TraceId::parse(id).map_err(|e| Error::BadRequest(format!("trace must be yes, no or a trace id: {e}")))?)
            }
        };
        let before = nonempty(&f.cursor).map(|c| parse_cursor(&c)).transpose()?;
        let limit = f.limit.unwrap_or(DEFAULT_PAGE);
        if limit == 0 || limit > MAX_PAGE {
            return Err(Error::BadRequest(format!("limit must be 1 to {MAX_PAGE}; got {limit}")));
        }
        let since_ns = nonempty(&f.since).map(|s| parse_time("since", &s, now_ns)).transpose()?;
        let until_ns = nonempty(&f.until).map(|s| parse_time("until", &s, now_ns)).transpose()?;
        Ok(LogQuery {
            words: nonempty(&f.q).map(|q| q.split_whitespace().map(str::to_string).collect()).unwrap_or_default(),
            min_severity,
            service: nonempty(&f.service),
            since_ns,
            until_ns,
            trace,
            before,
            limit,
            oldest_first: false,
        })
    }
}

fn parse_cursor(c: &str) -> Result<(i64, i64)> {
    let bad = || Error::BadRequest(format!("cursor {c:?} is not one this server gave out"));
    let (t, id) = c.split_once('.').ok_or_else(bad)?;
    Ok((t.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

const LOG_SELECT: &str = "SELECT id, time_ns, observed_ns, severity_number, severity_text, body, attributes, trace_id, span_id, \
     service, scope, event_name, exception, content, content_policy, resource_key FROM logs";

#[derive(sqlx::FromRow)]
struct HeadRow {
    span_id: Option<String>,
    time_ns: i64,
    severity_number: i64,
    quote: Option<String>,
}

#[derive(sqlx::FromRow)]
struct LogRow {
    id: i64,
    time_ns: i64,
    observed_ns: i64,
    severity_number: i64,
    severity_text: Option<String>,
    body: String,
    attributes: String,
    trace_id: Option<String>,
    span_id: Option<String>,
    service: String,
    scope: Option<String>,
    event_name: Option<String>,
    exception: Option<String>,
    content: String,
    content_policy: String,
    resource_key: String,
}

impl From<LogRow> for LogView {
    fn from(r: LogRow) -> LogView {
        let severity_number = r.severity_number as i32;
        LogView {
            id: r.id,
            time_ns: r.time_ns,
            observed_ns: r.observed_ns,
            severity: Severity::of(severity_number),
            severity_number,
            severity_text: r.severity_text,
            body: serde_json::from_str(&r.body).unwrap_or(Value::Null),
            attributes: serde_json::from_str(&r.attributes).unwrap_or_default(),
            trace_id: r.trace_id,
            span_id: r.span_id,
            service: r.service,
            scope: r.scope,
            event_name: r.event_name,
            exception: r.exception.and_then(|e| serde_json::from_str(&e).ok()),
            content: serde_json::from_str(&r.content).unwrap_or_default(),
            content_policy: ContentPolicy::parse(&r.content_policy).unwrap_or(ContentPolicy::Hashed),
            resource: r.resource_key,
        }
    }
}

impl Store {
    /// A trace's records in time order (or one span's), at most `limit`; and
    /// whether more are stored.
    pub async fn trace_logs(&self, trace: TraceId, span: Option<SpanId>, limit: u32) -> Result<(Vec<LogView>, bool)> {
        with_db!(self, db => {
            let mut q = sqlx::QueryBuilder::<DB>::new(LOG_SELECT);
            q.push(" WHERE trace_id = ").push_bind(trace.to_string());
            if let Some(span) = span {
                q.push(" AND span_id = ").push_bind(span.to_string());
            }
            q.push(" ORDER BY time_ns, id LIMIT ").push_bind(i64::from(limit) + 1);
            let mut rows: Vec<LogView> = q.build_query_as::<LogRow>().fetch_all(&db.read).await?.into_iter().map(LogView::from).collect();
            let truncated = rows.len() > limit as usize;
            rows.truncate(limit as usize);
            Ok((rows, truncated))
        })
    }

    /// Whether a span of the trace is stored (its summary row exists).
    pub async fn has_trace(&self, trace: TraceId) -> Result<bool> {
        with_db!(self, db => {
            let row: Option<(String,)> =
                sqlx::query_as("SELECT trace_id FROM traces WHERE trace_id = $1").bind(trace.to_string()).fetch_optional(&db.read).await?;
            Ok(row.is_some())
        })
    }

    /// Span, time and severity of a trace's records, worst first, at most
    /// `limit`: the waterfall's marks, the summary's counts, and (the start of
    /// a warning's or error's body) the findings' quotes.
    pub async fn trace_log_heads(&self, trace: TraceId, limit: u32) -> Result<Vec<LogHead>> {
        with_db!(self, db => {
            let rows: Vec<HeadRow> = sqlx::query_as(
                "SELECT span_id, time_ns, severity_number, \
                 CASE WHEN severity_number >= 13 THEN substr(body, 1, 400) END AS quote \
                 FROM logs WHERE trace_id = $1 ORDER BY severity_number DESC, time_ns LIMIT $2",
            )
            .bind(trace.to_string())
            .bind(i64::from(limit))
            .fetch_all(&db.read)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| LogHead {
                    span_id: r.span_id,
                    time_ns: r.time_ns,
                    severity_number: r.severity_number as i32,
                    quote: r.quote.as_deref().and_then(LogHead::quote_of),
                })
                .collect())
        })
    }

    /// The Logs page: newest first, filtered, one page.
    pub async fn list_logs(&self, query: &LogQuery) -> Result<LogPage> {
        with_db!(self, db => {
            let mut q = sqlx::QueryBuilder::<DB>::new(LOG_SELECT);
            q.push(" WHERE 1 = 1");
            push_filters(&mut q, query, D.ilike());
            let order = if query.oldest_first { "time_ns, id" } else { "time_ns DESC, id DESC" };
            q.push(format!(" ORDER BY {order} LIMIT ")).push_bind(i64::from(query.limit) + 1);
            let mut logs: Vec<LogView> = q.build_query_as::<LogRow>().fetch_all(&db.read).await?.into_iter().map(LogView::from).collect();
            let next_cursor = (logs.len() > query.limit as usize).then(|| {
                logs.truncate(query.limit as usize);
                let last = logs.last().expect("a full page");
                format!("{}.{}", last.time_ns, last.id)
            });
            Ok(LogPage { logs, next_cursor })
        })
    }
}

fn push_filters(q: &mut impl Sql, query: &LogQuery, ilike: &str) {
    for word in &query.words {
        let pattern = format!("%{}%", word.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
        q.push(format!(" AND (body {ilike} "))
            .push_bind(pattern.clone())
            .push(format!(" ESCAPE '\\' OR COALESCE(exception, '') {ilike} "))
            .push_bind(pattern.clone())
            .push(format!(" ESCAPE '\\' OR COALESCE(event_name, '') {ilike} "))
            .push_bind(pattern)
            .push(" ESCAPE '\\')");
    }
    if query.min_severity > 0 {
        q.push(" AND severity_number >= ").push_bind(i64::from(query.min_severity));
    }
    if let Some(service) = &query.service {
        q.push(" AND service = ").push_bind(service.clone());
    }
    if let Some(since) = query.since_ns {
        q.push(" AND time_ns >= ").push_bind(since);
    }
    if let Some(until) = query.until_ns {
        q.push(" AND time_ns < ").push_bind(until);
    }
    match query.trace {
        TraceScope::Any => {}
        TraceScope::WithTrace => {
            q.push(" AND trace_id IS NOT NULL");
        }
        TraceScope::Standalone => {
            q.push(" AND trace_id IS NULL");
        }
        TraceScope::Trace(t) => {
            q.push(" AND trace_id = ").push_bind(t.to_string());
        }
    }
    if let Some((time, id)) = query.before {
        q.push(" AND (time_ns < ").push_bind(time).push(" OR (time_ns = ").push_bind(time).push(" AND id < ").push_bind(id).push("))");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_are_checked_with_clear_errors() {
        let now = 10 * crate::domain::DAY_NS;
        let q = LogQuery::parse(
            &LogFilter { q: Some(" retry  429 ".into()), severity: Some("WARN".into()), trace: Some("yes".into()), ..Default::default() },
            now,
        )
        .unwrap();
        assert_eq!(q.words, ["retry", "429"]);
        assert_eq!((q.min_severity, q.trace, q.limit), (13, TraceScope::WithTrace, DEFAULT_PAGE));
        let err = |f: LogFilter| LogQuery::parse(&f, now).unwrap_err().to_string();
        assert!(err(LogFilter { severity: Some("loud".into()), ..Default::default() }).contains("severity must be"));
        assert!(err(LogFilter { trace: Some("abc".into()), ..Default::default() }).contains("trace must be yes, no or a trace id"));
        assert!(err(LogFilter { cursor: Some("x".into()), ..Default::default() }).contains("cursor"));
        assert!(err(LogFilter { limit: Some(0), ..Default::default() }).contains("limit must be 1 to 500"));
        assert!(err(LogFilter { since: Some("yesterday".into()), ..Default::default() }).contains("since must be"));
        assert_eq!(LogQuery::parse(&LogFilter { cursor: Some("5.7".into()), ..Default::default() }, now).unwrap().before, Some((5, 7)));
    }
}
