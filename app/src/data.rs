//! What the pages need from the server, as a trait (server side only).
//!
//! The server crate implements it over its store and puts an `Arc<dyn LoupeData>`
//! into the Leptos context, so server functions stay in the page modules while sqlx
//! and storage stay in the server crate (the dependency points from server to app).

use std::sync::Arc;

use crate::error::PageError;
use crate::model::RangeFilter;
use crate::model::StepKind;
use crate::model::access::{AccessOverview, Account, KeyScope, NewApiKey, Viewer};
use crate::model::alerts::{AlertEvent, AlertRule, RulePreview, RuleSpec};
use crate::model::cost::{CostOverview, PriceChange, PriceList};
use crate::model::latency::{BucketSpan, LatencyFilter, LatencyPoint, LatencyReport};
use crate::model::logs::{LogFilter, LogPage, TraceLogs};
use crate::model::overview::TrafficOverview;
use crate::model::people::{PeopleReport, SessionDetail};
use crate::model::sampling::{RetentionView, SamplingView};
use crate::model::share::{NewShare, ShareLink};
use crate::model::{ContentPolicy, SpanDetail, Stats, TraceFilter, TracePage};
use crate::outline::{LogHead, SpanHead, Usual};

/// Read access to stored traces, as the pages need it. Ids arrive as the user
/// typed them; implementations validate them (`PageError::BadRequest`).
#[async_trait::async_trait]
pub trait LoupeData: Send + Sync + 'static {
    /// How many traces and spans are stored.
    async fn stats(&self) -> Result<Stats, PageError>;

    /// How this installation stores prompt and completion content.
    fn content_policy(&self) -> ContentPolicy;

    /// The base URL of this Loupe's OTLP/HTTP endpoint.
    fn otlp_endpoint(&self) -> String;

    /// One page of the trace list.
    async fn list_traces(&self, filter: &TraceFilter) -> Result<TracePage, PageError>;

    /// Known services and models (for filter suggestions), a bounded number each.
    async fn filter_values(&self) -> Result<(Vec<String>, Vec<String>), PageError>;

    /// The hot columns of every span of a trace; `NotFound` when none is stored.
    async fn trace_spans(&self, trace_id: &str) -> Result<Vec<SpanHead>, PageError>;

    /// What the waterfall needs of each of a trace's log records (a bounded number).
    async fn trace_log_heads(&self, trace_id: &str) -> Result<Vec<LogHead>, PageError>;

    /// A trace's log records in time order; `NotFound` when neither a span nor a record of it is stored.
    async fn trace_logs(&self, trace_id: &str) -> Result<TraceLogs, PageError>;

    /// A page of the Logs list.
    async fn logs(&self, filter: &LogFilter) -> Result<LogPage, PageError>;

    /// Everything stored about one span.
    async fn span(&self, trace_id: &str, span_id: &str) -> Result<SpanDetail, PageError>;

    /// How these steps performed in the 7 days before `before_ns`.
    async fn usual_latency(&self, steps: &[(StepKind, String)], before_ns: i64) -> Result<Usual, PageError>;

    /// Per-step latency per kind, or per step (`by_step`).
    async fn latency(&self, filter: &LatencyFilter, by_step: bool) -> Result<LatencyReport, PageError>;

    /// p95 by hour of the kind or step in `filter`.
    async fn latency_series(&self, filter: &LatencyFilter) -> Result<Vec<LatencyPoint>, PageError>;

    /// The spans stored last of the kind or step in `filter` whose duration fell in `bucket`.
    async fn spans_in_bucket(&self, filter: &LatencyFilter, bucket: i64) -> Result<Vec<BucketSpan>, PageError>;

    /// Traces per minute, error rate, p95 and cost over the filter's time range
    /// (the last 24 hours when it has none).
    async fn overview(&self, filter: &TraceFilter) -> Result<TrafficOverview, PageError>;

    /// Per-user p95, error rate and cost, and the sessions, over the range.
    async fn people(&self, filter: &RangeFilter) -> Result<PeopleReport, PageError>;

    /// A session's traces in order; `NotFound` when no trace names it.
    async fn session(&self, id: &str) -> Result<SessionDetail, PageError>;

    /// Cost and tokens over the filter's range: totals, breakdowns, series,
    /// cost per trace and the most expensive traces.
    async fn cost_overview(&self, filter: &RangeFilter) -> Result<CostOverview, PageError>;

    /// The prices in force: operator overrides and the shipped list.
    async fn prices(&self) -> Result<PriceList, PageError>;

    /// Adds, replaces or removes an operator price; new model calls use it.
    async fn change_price(&self, change: PriceChange) -> Result<PriceList, PageError>;

    /// Every alert rule, oldest first.
    async fn alert_rules(&self) -> Result<Vec<AlertRule>, PageError>;

    /// Creates a rule (`id` none) or replaces one; invalid rules are `BadRequest`
    /// naming the field.
    async fn save_alert_rule(&self, id: Option<i64>, spec: RuleSpec) -> Result<AlertRule, PageError>;

    async fn set_alert_rule_paused(&self, id: i64, paused: bool) -> Result<AlertRule, PageError>;

    async fn delete_alert_rule(&self, id: i64) -> Result<(), PageError>;

    /// How often `spec` would have fired over the last 24 hours.
    async fn preview_alert_rule(&self, spec: RuleSpec) -> Result<RulePreview, PageError>;

    /// The newest firings, with their deliveries.
    async fn alert_events(&self, limit: u32) -> Result<Vec<AlertEvent>, PageError>;

    /// The tail-sampling policy in force and its counts.
    async fn sampling(&self) -> Result<SamplingView, PageError>;

    /// The retention policy in force, the database's size and what was deleted.
    async fn retention(&self) -> Result<RetentionView, PageError>;

    /// Makes a share link to a trace, valid for `expires_in` (`1h`, `24h`, `7d`).
    async fn create_share(&self, trace_id: &str, expires_in: &str) -> Result<NewShare, PageError>;

    /// A trace's share links, newest first.
    async fn shares(&self, trace_id: &str) -> Result<Vec<ShareLink>, PageError>;

    async fn revoke_share(&self, trace_id: &str, id: i64) -> Result<(), PageError>;

    /// The link a share token is (`Gone` once expired or revoked), checked to open
    /// `trace_id` when one is given.
    async fn shared_trace(&self, token: &str, trace_id: Option<&str>) -> Result<ShareLink, PageError>;
}

/// The data source from the Leptos context.
pub fn data() -> Result<Arc<dyn LoupeData>, PageError> {
    leptos::prelude::use_context::<Arc<dyn LoupeData>>()
        .ok_or_else(|| PageError::Unavailable("Loupe's data source is missing from the context".into()))
}

/// Accounts and API keys, for the access page. Every call says who asks; the
/// implementation refuses what `viewer` may not do (`Forbidden`).
#[async_trait::async_trait]
pub trait AccessData: Send + Sync + 'static {
    async fn overview(&self, viewer: &Viewer) -> Result<AccessOverview, PageError>;

    async fn create_key(&self, viewer: &Viewer, name: &str, scope: KeyScope) -> Result<NewApiKey, PageError>;

    async fn revoke_key(&self, viewer: &Viewer, id: i64) -> Result<(), PageError>;

    async fn add_account(&self, viewer: &Viewer, name: &str, password: &str, admin: bool) -> Result<Account, PageError>;

    async fn remove_account(&self, viewer: &Viewer, name: &str) -> Result<(), PageError>;
}

/// The access data source from the Leptos context.
pub fn access() -> Result<Arc<dyn AccessData>, PageError> {
    leptos::prelude::use_context::<Arc<dyn AccessData>>()
        .ok_or_else(|| PageError::Unavailable("Loupe's access data source is missing from the context".into()))
}

/// Who makes the current request, as the server's access gate found (nobody,
/// if the gate did not run: fail closed).
pub fn viewer() -> Viewer {
    leptos::prelude::use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<Viewer>().cloned()).unwrap_or(Viewer::Anonymous)
}
