//! Traces: the list, one trace (whole, as span heads, as insights), one span, a
//! shared trace, and the usual latency a trace is compared with.

use app::model::{SpanDetail, Stats, StepKind, TraceDetail, TraceFilter, TracePage};
use app::outline::{Insights, SpanHead, Usual};

use super::Reader;
use crate::domain::TraceId;
use crate::error::{Error, Result, no_trace, span_id, trace_id};
use crate::store::ListQuery;

impl Reader<'_> {
    /// Totals for the header: traces, spans, errors, tokens, cost.
    pub async fn stats(&self) -> Result<Stats> {
        self.state.store.stats().await
    }

    /// A page of the trace list (filters and keyset paging).
    pub async fn traces(&self, query: ListQuery) -> Result<TracePage> {
        let parsed = query.parse(crate::domain::now_ns())?;
        self.state.store.list_traces(&parsed).await
    }

    /// The list's filters only, first page.
    pub async fn traces_matching(&self, filter: &TraceFilter) -> Result<TracePage> {
        self.traces(ListQuery { filter: filter.clone(), ..ListQuery::default() }).await
    }

    /// Services and models seen, for the filter pickers.
    pub async fn filter_values(&self) -> Result<(Vec<String>, Vec<String>)> {
        let services = self.state.store.tag_values("service", 200).await?;
        let models = self.state.store.tag_values("model", 200).await?;
        Ok((services, models))
    }

    /// One trace with every span.
    pub async fn trace(&self, id: &str) -> Result<TraceDetail> {
        let id = trace_id(id)?;
        self.stored_trace(id).await
    }

    async fn stored_trace(&self, id: TraceId) -> Result<TraceDetail> {
        self.state.store.get_trace(id).await?.ok_or_else(|| no_trace(id))
    }

    /// One trace's spans as the waterfall draws them.
    pub async fn trace_heads(&self, id: &str) -> Result<Vec<SpanHead>> {
        self.stored_heads(trace_id(id)?).await
    }

    async fn stored_heads(&self, id: TraceId) -> Result<Vec<SpanHead>> {
        let spans = self.state.store.trace_heads(id).await?;
        if spans.is_empty() {
            return Err(no_trace(id));
        }
        Ok(spans)
    }

    /// A trace's critical path and findings, against each step's usual latency.
    pub async fn insights(&self, id: &str) -> Result<Insights> {
        Ok(self.outline(trace_id(id)?).await?.insights())
    }

    /// One span whole.
    pub async fn span(&self, trace: &str, span: &str) -> Result<SpanDetail> {
        let (trace, span) = (trace_id(trace)?, span_id(span)?);
        let mut detail =
            self.state.store.span_detail(trace, span).await?.ok_or_else(|| Error::NotFound(format!("trace {trace} has no span {span}")))?;
        detail.logs = self.state.store.trace_logs(trace, Some(span), super::logs::MAX_SPAN_LOGS).await?.0;
        Ok(detail)
    }

    /// How long each of these steps usually takes, from the week before `before_ns`.
    pub async fn usual_latency(&self, steps: &[(StepKind, String)], before_ns: i64) -> Result<Usual> {
        self.state.store.usual_latency(steps, before_ns).await
    }

    /// The trace a share link opens.
    pub async fn shared_trace(&self, token: &str) -> Result<TraceDetail> {
        let link = crate::share::resolve(&self.state.store, token).await?;
        let id = TraceId::parse(&link.trace_id).map_err(|e| Error::Storage(e.to_string()))?;
        self.state.store.get_trace(id).await?.ok_or_else(|| Error::NotFound("the shared trace is no longer stored".into()))
    }
}
