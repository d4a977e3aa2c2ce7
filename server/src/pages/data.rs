//! [`PageData`]: [`LoupeData`] over the application state.

use app::data::LoupeData;
use app::error::PageError;
use app::model::StepKind;
use app::model::alerts::{AlertEvent, AlertRule, RulePreview, RuleSpec};
use app::model::cost::{CostOverview, PriceChange, PriceList};
use app::model::latency::{BucketSpan, LatencyFilter, LatencyPoint, LatencyReport};
use app::model::logs::{LogFilter, LogPage, TraceLogs};
use app::model::overview::TrafficOverview;
use app::model::people::{PeopleReport, SessionDetail};
use app::model::sampling::{RetentionView, SamplingView};
use app::model::share::{NewShare, ShareLink};
use app::model::{ContentPolicy, RangeFilter, SpanDetail, Stats, TraceFilter, TracePage};
use app::outline::{LogHead, SpanHead, Usual};

use crate::error::{Error, trace_id};
use crate::pricing::admin::{Change, apply};
use crate::query::Reader;
use crate::state::AppState;

/// The pages' data source; `otlp_endpoint` is where the first-trace guide tells
/// SDKs to send.
pub struct PageData {
    pub state: AppState,
    pub otlp_endpoint: String,
}

impl PageData {
    fn read(&self) -> Reader<'_> {
        self.state.read()
    }
}

#[async_trait::async_trait]
impl LoupeData for PageData {
    async fn stats(&self) -> Result<Stats, PageError> {
        Ok(self.read().stats().await?)
    }

    fn content_policy(&self) -> ContentPolicy {
        self.state.ingest.privacy().policy()
    }

    fn otlp_endpoint(&self) -> String {
        self.otlp_endpoint.clone()
    }

    async fn list_traces(&self, filter: &TraceFilter) -> Result<TracePage, PageError> {
        Ok(self.read().traces_matching(filter).await?)
    }

    async fn filter_values(&self) -> Result<(Vec<String>, Vec<String>), PageError> {
        Ok(self.read().filter_values().await?)
    }

    async fn trace_spans(&self, trace_id: &str) -> Result<Vec<SpanHead>, PageError> {
        Ok(self.read().trace_heads(trace_id).await?)
    }

    async fn trace_log_heads(&self, trace_id: &str) -> Result<Vec<LogHead>, PageError> {
        Ok(self.read().trace_log_heads(trace_id).await?)
    }

    async fn trace_logs(&self, trace_id: &str) -> Result<TraceLogs, PageError> {
        Ok(self.read().trace_logs(trace_id).await?)
    }

    async fn logs(&self, filter: &LogFilter) -> Result<LogPage, PageError> {
        Ok(self.read().logs(filter).await?)
    }

    async fn span(&self, trace_id: &str, span_id: &str) -> Result<SpanDetail, PageError> {
        Ok(self.read().span(trace_id, span_id).await?)
    }

    async fn usual_latency(&self, steps: &[(StepKind, String)], before_ns: i64) -> Result<Usual, PageError> {
        Ok(self.read().usual_latency(steps, before_ns).await?)
    }

    async fn latency(&self, filter: &LatencyFilter, by_step: bool) -> Result<LatencyReport, PageError> {
        Ok(self.read().latency(filter, by_step).await?)
    }

    async fn latency_series(&self, filter: &LatencyFilter) -> Result<Vec<LatencyPoint>, PageError> {
        Ok(self.read().latency_series(filter).await?)
    }

    async fn spans_in_bucket(&self, filter: &LatencyFilter, bucket: i64) -> Result<Vec<BucketSpan>, PageError> {
        Ok(self.read().spans_in_bucket(filter, bucket).await?)
    }

    async fn overview(&self, filter: &TraceFilter) -> Result<TrafficOverview, PageError> {
        Ok(self.read().overview(filter).await?)
    }

    async fn people(&self, filter: &RangeFilter) -> Result<PeopleReport, PageError> {
        Ok(self.read().people(filter).await?)
    }

    async fn session(&self, id: &str) -> Result<SessionDetail, PageError> {
        Ok(self.read().session(id).await?)
    }

    async fn cost_overview(&self, filter: &RangeFilter) -> Result<CostOverview, PageError> {
        Ok(self.read().cost_overview(filter).await?)
    }

    async fn prices(&self) -> Result<PriceList, PageError> {
        Ok(self.read().prices())
    }

    async fn change_price(&self, change: PriceChange) -> Result<PriceList, PageError> {
        let change = match change {
            PriceChange::Put(o) => Change::Put(o),
            PriceChange::Delete(model) => Change::Delete(model),
        };
        Ok(apply(&self.state.store, self.state.ingest.pricing(), change).await?)
    }

    async fn alert_rules(&self) -> Result<Vec<AlertRule>, PageError> {
        Ok(self.read().alert_rules().await?)
    }

    async fn save_alert_rule(&self, id: Option<i64>, spec: RuleSpec) -> Result<AlertRule, PageError> {
        let alerts = &self.state.alerts;
        Ok(match id {
            Some(id) => alerts.update_rule(id, spec).await?,
            None => alerts.create_rule(spec).await?,
        })
    }

    async fn set_alert_rule_paused(&self, id: i64, paused: bool) -> Result<AlertRule, PageError> {
        Ok(self.state.alerts.set_paused(id, paused).await?)
    }

    async fn delete_alert_rule(&self, id: i64) -> Result<(), PageError> {
        Ok(self.state.alerts.delete_rule(id).await?)
    }

    async fn preview_alert_rule(&self, spec: RuleSpec) -> Result<RulePreview, PageError> {
        Ok(self.read().preview_alert_rule(spec).await?)
    }

    async fn alert_events(&self, limit: u32) -> Result<Vec<AlertEvent>, PageError> {
        Ok(self.read().alert_events(None, limit).await?)
    }

    async fn sampling(&self) -> Result<SamplingView, PageError> {
        Ok(self.read().sampling().await?)
    }

    async fn retention(&self) -> Result<RetentionView, PageError> {
        Ok(self.read().retention().await?)
    }

    async fn create_share(&self, trace: &str, expires_in: &str) -> Result<NewShare, PageError> {
        Ok(crate::share::create(&self.state.store, &self.state.public_url, trace_id(trace)?, expires_in).await?)
    }

    async fn shares(&self, trace: &str) -> Result<Vec<ShareLink>, PageError> {
        Ok(self.read().shares(trace).await?)
    }

    async fn revoke_share(&self, trace: &str, id: i64) -> Result<(), PageError> {
        let trace = trace_id(trace)?;
        match self.state.store.revoke_share(&trace.to_string(), id).await? {
            true => Ok(()),
            false => Err(Error::NotFound(format!("trace {trace} has no share link {id}")).into()),
        }
    }

    async fn shared_trace(&self, token: &str, trace_id: Option<&str>) -> Result<ShareLink, PageError> {
        Ok(match trace_id {
            Some(t) => crate::share::check(&self.state.store, token, t).await?,
            None => crate::share::resolve(&self.state.store, token).await?,
        })
    }
}
