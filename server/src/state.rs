//! The state every handler and server function shares, passed once.

use axum::extract::FromRef;
use leptos::prelude::LeptosOptions;

use app::data::LoupeData;
use app::error::PageError;
use app::model::latency::{BucketSpan, LatencyFilter, LatencyPoint, LatencyReport};
use app::model::{ContentPolicy, SpanDetail, Stats, TraceFilter, TracePage};
use app::model::StepKind;
use app::outline::{SpanHead, Usual};

use crate::domain::{SpanId, TraceId};
use crate::error::Error;
use crate::ingest::Ingest;
use crate::pricing::Pricing;
use crate::pricing::admin::{Change, apply};
use crate::store::{CostQuery, LatencyQuery, ListQuery, Store, parse_range};
use app::model::overview::TrafficOverview;
use app::model::people::{PeopleReport, SessionDetail};
use app::model::RangeFilter;
use app::model::cost::{CostOverview, PriceChange, PriceList};
use app::model::alerts::{AlertEvent, AlertRule, RulePreview, RuleSpec};
use app::model::share::{NewShare, ShareLink};

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub auth: crate::auth::Auth,
    pub metrics: crate::metrics::Metrics,
    pub ingest: Ingest,
    pub alerts: crate::alerts::Alerts,
    /// Loupe's address as teammates open it (links in notifications and shares).
    pub public_url: String,
    pub leptos: LeptosOptions,
    /// What one OTLP export may cost (bytes, spans, decoded memory), shared by
    /// both transports.
    pub otlp_limits: crate::otlp::limits::Limits,
    /// Retention, when on.
    pub retention: Option<std::sync::Arc<crate::retention::Policy>>,
    /// Loupe's own spans, with `--self-trace`.
    pub self_trace: Option<std::sync::Arc<crate::self_trace::SelfTrace>>,
    /// Failed sign-ins, counted per address and account.
    pub throttle: std::sync::Arc<crate::auth::throttle::Throttle>,
    /// Proxies whose `X-Forwarded-For` names the client (`--trusted-proxy`).
    pub trusted_proxies: std::sync::Arc<Vec<ipnet::IpNet>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos.clone()
    }
}

/// The pages' data source, over the store.
pub struct PageData {
    pub store: Store,
    pub public_url: String,
    pub alerts: crate::alerts::Alerts,
    pub pricing: Pricing,
    pub content_policy: ContentPolicy,
    pub otlp_endpoint: String,
    pub sampler: Option<crate::sampling::Sampler>,
    pub retention: Option<std::sync::Arc<crate::retention::Policy>>,
}

#[async_trait::async_trait]
impl LoupeData for PageData {
    async fn stats(&self) -> Result<Stats, PageError> {
        self.store.stats().await.map_err(unavailable)
    }

    fn content_policy(&self) -> ContentPolicy {
        self.content_policy
    }

    fn otlp_endpoint(&self) -> String {
        self.otlp_endpoint.clone()
    }

    async fn list_traces(&self, filter: &TraceFilter) -> Result<TracePage, PageError> {
        let query = ListQuery { filter: filter.clone(), ..ListQuery::default() };
        let parsed = query.parse(crate::now_ns()).map_err(client_error)?;
        self.store.list_traces(&parsed).await.map_err(unavailable)
    }

    async fn filter_values(&self) -> Result<(Vec<String>, Vec<String>), PageError> {
        let services = self.store.tag_values("service", 200).await.map_err(unavailable)?;
        let models = self.store.tag_values("model", 200).await.map_err(unavailable)?;
        Ok((services, models))
    }

    async fn trace_spans(&self, trace_id: &str) -> Result<Vec<SpanHead>, PageError> {
        let id = parse_trace_id(trace_id)?;
        let spans = self.store.trace_heads(id).await.map_err(unavailable)?;
        if spans.is_empty() {
            return Err(PageError::NotFound(format!("No trace with id {id} is stored.")));
        }
        Ok(spans)
    }

    async fn span(&self, trace_id: &str, span_id: &str) -> Result<SpanDetail, PageError> {
        let trace = parse_trace_id(trace_id)?;
        let span = SpanId::parse(span_id)
            .map_err(|e| PageError::BadRequest(format!("{span_id:?} is not a span id: {e}")))?;
        self.store
            .span_detail(trace, span)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| PageError::NotFound(format!("Trace {trace} has no span {span}.")))
    }

    async fn usual_latency(&self, steps: &[(StepKind, String)], before_ns: i64) -> Result<Usual, PageError> {
        self.store.usual_latency(steps, before_ns).await.map_err(unavailable)
    }

    async fn latency(&self, filter: &LatencyFilter, by_step: bool) -> Result<LatencyReport, PageError> {
        self.store.latency(&self.latency_query(filter, by_step)?).await.map_err(unavailable)
    }

    async fn latency_series(&self, filter: &LatencyFilter) -> Result<Vec<LatencyPoint>, PageError> {
        self.store.latency_series(&self.latency_query(filter, false)?).await.map_err(unavailable)
    }

    async fn spans_in_bucket(&self, filter: &LatencyFilter, bucket: i64) -> Result<Vec<BucketSpan>, PageError> {
        self.store.spans_in_bucket(&self.latency_query(filter, false)?, bucket, 50).await.map_err(unavailable)
    }

    async fn overview(&self, filter: &TraceFilter) -> Result<TrafficOverview, PageError> {
        let now = crate::now_ns();
        let range = TraceFilter { since: filter.since.clone(), from: filter.from.clone(), to: filter.to.clone(), ..TraceFilter::default() };
        let parsed = ListQuery { filter: range, ..ListQuery::default() }.parse(now).map_err(client_error)?;
        let since = parsed.since_ns.unwrap_or(now - 24 * 3_600_000_000_000);
        let until = parsed.until_ns.unwrap_or(now).min(now).max(since + 1);
        self.store.overview(since, until).await.map_err(unavailable)
    }

    async fn people(&self, filter: &RangeFilter) -> Result<PeopleReport, PageError> {
        let (since, until) = parse_range(&filter.since, &filter.until, crate::now_ns()).map_err(client_error)?;
        self.store.people(since, until).await.map_err(unavailable)
    }

    async fn session(&self, id: &str) -> Result<SessionDetail, PageError> {
        self.store
            .session(id)
            .await
            .map_err(unavailable)?
            .ok_or_else(|| PageError::NotFound(format!("No trace names session {id:?}.")))
    }

    async fn cost_overview(&self, filter: &RangeFilter) -> Result<CostOverview, PageError> {
        let query = CostQuery::parse(filter, crate::now_ns()).map_err(client_error)?;
        self.store.cost_overview(query).await.map_err(unavailable)
    }

    async fn prices(&self) -> Result<PriceList, PageError> {
        Ok(self.pricing.current().list())
    }

    async fn change_price(&self, change: PriceChange) -> Result<PriceList, PageError> {
        let change = match change {
            PriceChange::Put(o) => Change::Put(o),
            PriceChange::Delete(model) => Change::Delete(model),
        };
        apply(&self.store, &self.pricing, change).await.map_err(client_error)
    }

    async fn alert_rules(&self) -> Result<Vec<AlertRule>, PageError> {
        self.store.alert_rules().await.map_err(unavailable)
    }

    async fn save_alert_rule(&self, id: Option<i64>, spec: RuleSpec) -> Result<AlertRule, PageError> {
        match id {
            Some(id) => self.alerts.update_rule(id, spec).await,
            None => self.alerts.create_rule(spec).await,
        }
        .map_err(client_error)
    }

    async fn set_alert_rule_paused(&self, id: i64, paused: bool) -> Result<AlertRule, PageError> {
        self.alerts.set_paused(id, paused).await.map_err(client_error)
    }

    async fn delete_alert_rule(&self, id: i64) -> Result<(), PageError> {
        self.alerts.delete_rule(id).await.map_err(client_error)
    }

    async fn preview_alert_rule(&self, spec: RuleSpec) -> Result<RulePreview, PageError> {
        crate::alerts::preview::preview(&self.alerts, spec, crate::now_ns()).await.map_err(client_error)
    }

    async fn alert_events(&self, limit: u32) -> Result<Vec<AlertEvent>, PageError> {
        self.store.alert_events(None, limit).await.map_err(unavailable)
    }

    async fn sampling(&self) -> Result<app::model::sampling::SamplingView, PageError> {
        crate::sampling::view(&self.store, self.sampler.as_ref()).await.map_err(unavailable)
    }

    async fn retention(&self) -> Result<app::model::sampling::RetentionView, PageError> {
        crate::retention::view(&self.store, self.retention.as_deref()).await.map_err(unavailable)
    }

    async fn create_share(&self, trace_id: &str, expires_in: &str) -> Result<NewShare, PageError> {
        crate::share::create(&self.store, &self.public_url, trace_id, expires_in).await.map_err(client_error)
    }

    async fn shares(&self, trace_id: &str) -> Result<Vec<ShareLink>, PageError> {
        let id = parse_trace_id(trace_id)?;
        self.store.shares_of(&id.to_string(), crate::now_ns()).await.map_err(unavailable)
    }

    async fn revoke_share(&self, trace_id: &str, id: i64) -> Result<(), PageError> {
        let trace = parse_trace_id(trace_id)?;
        match self.store.revoke_share(&trace.to_string(), id).await.map_err(unavailable)? {
            true => Ok(()),
            false => Err(PageError::NotFound(format!("Trace {trace} has no share link {id}."))),
        }
    }

    async fn shared_trace(&self, token: &str, trace_id: Option<&str>) -> Result<ShareLink, PageError> {
        match trace_id {
            Some(t) => crate::share::check(&self.store, token, t).await,
            None => crate::share::resolve(&self.store, token).await,
        }
        .map_err(client_error)
    }
}

impl PageData {
    fn latency_query(&self, filter: &LatencyFilter, by_step: bool) -> Result<LatencyQuery, PageError> {
        LatencyQuery::parse(filter, by_step, crate::now_ns()).map_err(client_error)
    }
}

fn parse_trace_id(s: &str) -> Result<TraceId, PageError> {
    TraceId::parse(s).map_err(|e| PageError::BadRequest(format!("{s:?} is not a trace id: {e}")))
}

/// Client mistakes (bad filters) carry their message to the page.
pub(crate) fn client_error(e: Error) -> PageError {
    match e {
        Error::BadRequest(m) => PageError::BadRequest(m),
        Error::NotFound(m) => PageError::NotFound(m),
        Error::Gone(m) => PageError::Gone(m),
        Error::Unauthorized(m) => PageError::Unauthorized(m),
        Error::Forbidden(m) => PageError::Forbidden(m),
        other => unavailable(other),
    }
}

/// Storage failures are logged here and shown without internals.
pub(crate) fn unavailable(e: Error) -> PageError {
    tracing::error!(error = %e, "page query failed");
    if e.is_unavailable() {
        return PageError::Unavailable(
            "Loupe cannot reach its database right now. Nothing stored is lost; this page works again once the database is back.".into(),
        );
    }
    PageError::Unavailable("Loupe could not read its database; the server log says why.".into())
}
