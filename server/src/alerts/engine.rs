//! The engine task: one place that decides whether a firing notifies or is folded
//! into an earlier one, so a storm of slow calls sends one notification with a
//! count. Per (rule, group): the first firing opens an event; firings within the
//! group wait are folded into it before it is sent; firings during its cooldown
//! are folded into its count (shown in the history) without notifying again.
//!
//! Replicas sharing a database each run an engine: whether a firing opens an
//! event or folds into one is decided in the database ([`Store::fire_alert`]), so
//! a burst seen by several replicas still notifies once; each replica keeps the
//! cooldowns it knows of in memory to spare the database the common case.
//!
//! [`Store::fire_alert`]: crate::store::Store::fire_alert

use std::collections::HashMap;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::{Alerts, Hit, deliver};
use crate::store::{Firing, NewEvent, OpenEvent};
use app::model::alerts::DeliveryState;

type Key = (i64, Option<String>);

struct Open {
    event_id: i64,
    opened: Instant,
    until_ns: i64,
    /// Firings folded here and not yet added to the stored count.
    unsaved: u64,
    /// Sent, or someone else's to send (restored, or opened by another replica).
    notified: bool,
}

/// How often the engine sends settled events and saves folded counts.
const TICK: Duration = Duration::from_millis(200);

/// How often the rules are re-read, to pick up edits made through another
/// replica (edits made here apply at once).
const RULES_RECHECK: Duration = Duration::from_secs(2);

pub(super) async fn run(alerts: Alerts, mut rx: mpsc::Receiver<Vec<Hit>>, restored: Vec<OpenEvent>) {
    let mut open: HashMap<Key, Open> = restored
        .into_iter()
        .map(|e| {
            let o = Open { event_id: e.event_id, opened: Instant::now(), until_ns: e.cooldown_until_ns, unsaved: 0, notified: true };
            ((e.rule_id, e.group_key), o)
        })
        .collect();
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut recheck = tokio::time::interval(RULES_RECHECK);
    recheck.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            got = rx.recv() => match got {
                Some(hits) => {
                    for hit in hits {
                        on_hit(&alerts, &mut open, hit).await;
                    }
                }
                None => break,
            },
            _ = tick.tick() => settle(&alerts, &mut open).await,
            // Only another process can change the rules behind this one's back.
            _ = recheck.tick(), if alerts.store().is_shared() => {
                if let Err(e) = alerts.reload_if_changed().await {
                    tracing::warn!(error = %e, "could not re-read the alert rules");
                }
            }
        }
    }
}

async fn on_hit(alerts: &Alerts, open: &mut HashMap<Key, Open>, hit: Hit) {
    let now = crate::domain::now_ns();
    let key = (hit.rule_id, hit.group_key.clone());
    if let Some(o) = open.get_mut(&key)
        && now < o.until_ns
    {
        o.unsaved += 1;
        return;
    }
    let rules = alerts.rules();
    // Edited or deleted since the span matched: the rule in force decides.
    let Some(rule) = rules.iter().find(|r| r.id == hit.rule_id && !r.spec.paused) else { return };
    let wait = crate::domain::ns(alerts.config().group_wait);
    let cooldown_ns = (rule.spec.cooldown_s as i64 * 1_000_000_000).max(wait);
    let c = &rule.spec.condition;
    let event = NewEvent {
        rule_id: rule.id,
        rule_name: rule.spec.name.clone(),
        fired_ns: now,
        group_key: hit.group_key,
        observed: hit.observed,
        threshold: c.threshold(),
        unit: c.unit().to_string(),
        summary: hit.summary,
        link: hit.trace_id.as_deref().map(|t| alerts.link(t, hit.span_id.as_deref())),
        trace_id: hit.trace_id,
        span_id: hit.span_id,
        delivery: if rule.spec.channels.is_empty() { DeliveryState::NoChannel } else { DeliveryState::Pending },
        cooldown_until_ns: now + cooldown_ns,
    };
    match alerts.store().fire_alert(&event).await {
        Ok(Firing::Opened(event_id)) => {
            tracing::info!(rule = rule.id, name = %rule.spec.name, event = event_id, summary = %event.summary, "alert fired");
            let o = Open { event_id, opened: Instant::now(), until_ns: event.cooldown_until_ns, unsaved: 0, notified: false };
            open.insert(key, o);
        }
        Ok(Firing::Folded { event_id, cooldown_until_ns }) => {
            // Opened by another replica (or before a restart): it notifies.
            let o = Open { event_id, opened: Instant::now(), until_ns: cooldown_until_ns, unsaved: 0, notified: true };
            open.insert(key, o);
        }
        Err(e) => tracing::error!(rule = rule.id, error = %e, "could not store an alert firing"),
    }
}

/// Sends events whose group wait is over, saves folded counts, forgets events
/// whose cooldown ended.
async fn settle(alerts: &Alerts, open: &mut HashMap<Key, Open>) {
    let wait = alerts.config().group_wait;
    for ((rule_id, _), o) in open.iter_mut() {
        if o.unsaved > 0 {
            match alerts.store().add_alert_event_count(o.event_id, o.unsaved).await {
                Ok(()) => o.unsaved = 0,
                Err(e) => tracing::error!(event = o.event_id, error = %e, "could not save a folded count"),
            }
        }
        if !o.notified && o.opened.elapsed() >= wait {
            o.notified = true;
            let rule = alerts.rules().iter().find(|r| r.id == *rule_id).map(|r| r.spec.clone());
            if let Some(rule) = rule.filter(|r| !r.channels.is_empty()) {
                tokio::spawn(deliver::deliver(alerts.clone(), o.event_id, rule));
            }
        }
    }
    let now = crate::domain::now_ns();
    open.retain(|_, o| !(o.notified && now >= o.until_ns && o.unsaved == 0));
}
