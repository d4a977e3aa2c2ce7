//! A trace told briefly ([`crate::brief`]), and spans found within one trace:
//! what the "Copy for AI" button, `GET /api/traces/{id}/brief`,
//! `GET /api/traces/{id}/spans` and MCP's `get_trace` and `find_spans` return.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use app::model::StepKind;
use app::outline::{Outline, steps_of};

use super::Reader;
use crate::brief::{self, Brief};
use crate::domain::TraceId;
use crate::error::{Error, Result, no_trace, span_id, trace_id};
use crate::store::{parse_kind, parse_status};

/// Most spans one `find_spans` page holds.
pub const MAX_SPANS_PAGE: u32 = 200;

/// `GET /api/traces/{id}/spans` (and MCP's `find_spans`): spans of one trace by
/// name, kind, status and duration, in tree order, paged by `offset`.
#[derive(Clone, Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct SpanSearch {
    /// Text the span's name contains (any case).
    #[serde(default)]
    pub q: Option<String>,
    /// Step kind: agent, chain, retrieval, embedding, llm, tool, rerank, guardrail, http, db, other.
    #[serde(default)]
    pub kind: Option<String>,
    /// `error` or `ok`.
    #[serde(default)]
    pub status: Option<String>,
    /// Only spans at least this long, in milliseconds.
    #[serde(default)]
    pub min_duration_ms: Option<f64>,
    /// Matching spans to skip (the previous page's `next_offset`).
    #[serde(default)]
    pub offset: Option<u32>,
    /// Spans per page, 1 to 200 (default 50).
    #[serde(default)]
    pub limit: Option<u32>,
}

/// One page of [`SpanSearch`] results.
#[derive(Clone, Debug, Serialize)]
pub struct SpanMatches {
    pub trace_id: String,
    /// Matching spans in the whole trace.
    pub total: u32,
    pub spans: Vec<SpanMatch>,
    /// Pass as `offset` for the next page; absent on the last one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_offset: Option<u32>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SpanMatch {
    pub span_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_span_id: Option<String>,
    pub name: String,
    pub kind: StepKind,
    pub depth: u32,
    /// Start, after the trace's start.
    pub offset_ns: i64,
    pub duration_ns: i64,
    pub error: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(skip_serializing_if = "app::model::Tokens::is_zero")]
    pub tokens: app::model::Tokens,
    /// Spans below it.
    pub descendants: u32,
}

impl Reader<'_> {
    /// A trace laid out and compared with how its steps usually perform.
    pub(super) async fn outline(&self, id: TraceId) -> Result<Outline> {
        let spans = self.state.store.trace_heads(id).await?;
        let start_ns = spans.iter().map(|s| s.start_ns).min().ok_or_else(|| no_trace(id))?;
        let usual = self.usual_latency(&steps_of(&spans), start_ns).await?;
        let mut outline = Outline::build_with(id.to_string(), spans, &usual).ok_or_else(|| no_trace(id))?;
        outline.attach_logs(&self.log_heads(id).await?);
        Ok(outline)
    }

    /// The trace brief: bounded, whatever the trace's size.
    pub async fn brief(&self, id: &str) -> Result<Brief> {
        let id = trace_id(id)?;
        let outline = self.outline(id).await?;
        let mut exceptions = HashMap::new();
        for span in brief::failing_ids(&outline) {
            let Ok(sid) = span_id(&span) else { continue };
            if let Some(d) = self.state.store.span_detail(id, sid).await?
                && let Some(e) = d.span.events().into_iter().find_map(|e| e.exception)
            {
                exceptions.insert(span, e);
            }
        }
        let facts = brief::Facts {
            public_url: self.state.public_url.clone(),
            content_policy: self.state.ingest.privacy().policy().as_str(),
            exceptions,
            logs: self.notable_logs(id).await?,
        };
        Ok(brief::build(&outline, facts))
    }

    /// Spans of one trace matching `search`, in tree order.
    pub async fn find_spans(&self, id: &str, search: &SpanSearch) -> Result<SpanMatches> {
        let id = trace_id(id)?;
        let bad = |m: String| Error::BadRequest(m);
        let limit = search.limit.unwrap_or(50);
        if !(1..=MAX_SPANS_PAGE).contains(&limit) {
            return Err(bad(format!("limit must be a whole number from 1 to {MAX_SPANS_PAGE}, got {limit}")));
        }
        let trimmed = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_string);
        let kind = parse_kind(trimmed(&search.kind).as_deref())?;
        let errors = parse_status(trimmed(&search.status).as_deref())?;
        let min_ns = match search.min_duration_ms {
            Some(ms) if !ms.is_finite() || ms < 0.0 => return Err(bad(format!("min_duration_ms must be a non-negative number, got {ms}"))),
            Some(ms) => Some((ms * 1e6) as i64),
            None => None,
        };
        let text = search.q.as_deref().map(|q| q.trim().to_lowercase()).filter(|q| !q.is_empty());
        let spans = self.state.store.trace_heads(id).await?;
        let o = Outline::build(id.to_string(), spans).ok_or_else(|| no_trace(id))?;
        let matching: Vec<usize> = (0..o.rows.len())
            .filter(|&i| {
                let r = &o.rows[i];
                kind.is_none_or(|k| r.kind == k)
                    && errors.is_none_or(|e| r.error == e)
                    && min_ns.is_none_or(|m| r.duration_ns >= m)
                    && text.as_ref().is_none_or(|t| r.name.to_lowercase().contains(t.as_str()))
            })
            .collect();
        let offset = search.offset.unwrap_or(0) as usize;
        let page: Vec<SpanMatch> = matching
            .iter()
            .skip(offset)
            .take(limit as usize)
            .map(|&i| {
                let r = &o.rows[i];
                SpanMatch {
                    span_id: r.span_id.clone(),
                    parent_span_id: r.parent.map(|p| o.rows[p as usize].span_id.clone()),
                    name: r.name.clone(),
                    kind: r.kind,
                    depth: r.depth,
                    offset_ns: r.offset_ns,
                    duration_ns: r.duration_ns,
                    error: r.error,
                    status_message: r.message.clone(),
                    model: r.model.clone(),
                    tool: r.tool.clone(),
                    tokens: r.tokens,
                    descendants: r.descendants,
                }
            })
            .collect();
        let end = offset + page.len();
        Ok(SpanMatches {
            trace_id: id.to_string(),
            total: matching.len() as u32,
            next_offset: (end < matching.len()).then_some(end as u32),
            spans: page,
        })
    }
}
