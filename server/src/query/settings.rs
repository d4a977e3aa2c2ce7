//! What is in force: prices, alert rules and their firings, sampling,
//! retention, a trace's share links.

use app::model::alerts::{AlertEvent, AlertRule, RulePreview, RuleSpec};
use app::model::cost::PriceList;
use app::model::sampling::{RetentionView, SamplingView};
use app::model::share::ShareLink;

use super::Reader;
use crate::error::{Error, Result, trace_id};

impl Reader<'_> {
    /// The shipped prices and the operator's overrides.
    pub fn prices(&self) -> PriceList {
        self.state.ingest.pricing().current().list()
    }

    pub async fn alert_rules(&self) -> Result<Vec<AlertRule>> {
        self.state.store.alert_rules().await
    }

    pub async fn alert_rule(&self, id: i64) -> Result<AlertRule> {
        self.state.store.alert_rule(id).await?.ok_or_else(|| Error::NotFound(format!("no alert rule with id {id}")))
    }

    /// Firings, newest first; of one rule or all; `limit` from 1 to 1000.
    pub async fn alert_events(&self, rule: Option<i64>, limit: u32) -> Result<Vec<AlertEvent>> {
        if !(1..=1000).contains(&limit) {
            return Err(Error::BadRequest(format!("limit must be 1 to 1000, got {limit}")));
        }
        self.state.store.alert_events(rule, limit).await
    }

    /// How often `spec` would have fired over the last 24 h.
    pub async fn preview_alert_rule(&self, spec: RuleSpec) -> Result<RulePreview> {
        crate::alerts::preview::preview(&self.state.alerts, spec, crate::domain::now_ns()).await
    }

    pub async fn sampling(&self) -> Result<SamplingView> {
        crate::ingest::sampling::view(&self.state.store, self.state.ingest.sampler()).await
    }

    pub async fn retention(&self) -> Result<RetentionView> {
        crate::retention::view(&self.state.store, self.state.retention.as_deref()).await
    }

    /// A trace's share links, live and past.
    pub async fn shares(&self, trace: &str) -> Result<Vec<ShareLink>> {
        self.state.store.shares_of(&trace_id(trace)?.to_string(), crate::domain::now_ns()).await
    }
}
