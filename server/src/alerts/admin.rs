//! Changing rules: validate, store, then put the stored set in force, one edit at
//! a time (the API and the alerts page both come here).

use super::Alerts;
use super::rule::{CompiledRule, validate};
use crate::error::{Error, Result};
use app::model::alerts::{AlertRule, Channel, RuleSpec};

impl Alerts {
    /// Stores a new rule and puts it in force.
    pub async fn create_rule(&self, spec: RuleSpec) -> Result<AlertRule> {
        check(&spec)?;
        self.check_targets(&spec).await?;
        let _edit = self.inner.edit.lock().await;
        let id = self.store().insert_alert_rule(&spec).await?;
        self.reload().await?;
        tracing::info!(rule = id, name = %spec.name, "alert rule created");
        self.stored(id).await
    }

    /// Replaces rule `id`.
    pub async fn update_rule(&self, id: i64, spec: RuleSpec) -> Result<AlertRule> {
        check(&spec)?;
        self.check_targets(&spec).await?;
        let _edit = self.inner.edit.lock().await;
        if !self.store().update_alert_rule(id, &spec).await? {
            return Err(not_found(id));
        }
        self.reload().await?;
        tracing::info!(rule = id, name = %spec.name, paused = spec.paused, "alert rule changed");
        self.stored(id).await
    }

    /// Pauses or resumes rule `id`.
    pub async fn set_paused(&self, id: i64, paused: bool) -> Result<AlertRule> {
        let rule = self.store().alert_rule(id).await?.ok_or_else(|| not_found(id))?;
        self.update_rule(id, RuleSpec { paused, ..rule.spec }).await
    }

    /// Removes rule `id`; its firings stay in the history.
    pub async fn delete_rule(&self, id: i64) -> Result<()> {
        let _edit = self.inner.edit.lock().await;
        if !self.store().delete_alert_rule(id).await? {
            return Err(not_found(id));
        }
        self.reload().await?;
        tracing::info!(rule = id, "alert rule deleted");
        Ok(())
    }

    /// Refuses webhooks that point inside the network unless allowed (see
    /// `egress`), naming the channel.
    async fn check_targets(&self, spec: &RuleSpec) -> Result<()> {
        for (i, Channel::Webhook { url, .. }) in spec.channels.iter().enumerate() {
            let Ok(parsed) = reqwest::Url::parse(url) else { continue };
            if let Some(why) = self.config().egress.refuse_url(&parsed).await {
                return Err(Error::BadRequest(format!("channels[{i}].url: {url:?} is refused: {why}")));
            }
        }
        Ok(())
    }

    async fn stored(&self, id: i64) -> Result<AlertRule> {
        self.store().alert_rule(id).await?.ok_or_else(|| not_found(id))
    }
}

/// Validation plus compiling the matcher, so nothing is stored that cannot run.
fn check(spec: &RuleSpec) -> Result<()> {
    validate(spec)?;
    CompiledRule::new(0, spec.clone()).map(|_| ())
}

fn not_found(id: i64) -> Error {
    Error::NotFound(format!("no alert rule with id {id}"))
}
