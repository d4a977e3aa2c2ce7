//! Sending a firing to a rule's channels: Loupe's JSON or Slack's incoming-webhook
//! text, retried with exponential backoff (or the receiver's `Retry-After`) on
//! 429, 5xx and network errors; every attempt is recorded.

use std::time::Duration;

use serde_json::{Value, json};

use super::Alerts;
use app::model::alerts::{AlertEvent, Channel, DeliveryAttempt, DeliveryState, RuleSpec, WebhookFormat};

/// The body for one channel; `share` is the share link opening the span, when
/// the rule attaches one.
pub fn body(format: WebhookFormat, event: &AlertEvent, rule: &RuleSpec, share: Option<&str>) -> Value {
    match format {
        WebhookFormat::Json => json!({
            "rule": { "id": event.rule_id, "name": rule.name, "match": rule.matcher, "condition": rule.condition,
                      "description": format!("{}: {}", rule.describe_match(), rule.condition.describe()) },
            "event_id": event.id,
            "fired_at": app::format::utc(event.fired_ns),
            "fired_ns": event.fired_ns,
            "summary": event.summary,
            "observed": event.observed,
            "threshold": event.threshold,
            "unit": event.unit,
            "count": event.count,
            "group": event.group_key,
            "trace_id": event.trace_id,
            "span_id": event.span_id,
            "link": event.link,
            "share_link": share,
        }),
        WebhookFormat::Slack => json!({ "text": slack_text(event, rule, share) }),
    }
}

/// Slack mrkdwn: `&`, `<` and `>` are the characters it needs escaped.
fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

fn slack_text(event: &AlertEvent, rule: &RuleSpec, share: Option<&str>) -> String {
    let mut text = format!(":rotating_light: *{}*: {}", slack_escape(&rule.name), slack_escape(&event.summary));
    if event.count > 1 {
        text.push_str(&format!(" (fired {} times)", event.count));
    }
    if let Some(g) = &event.group_key {
        text.push_str(&format!(" [{}]", slack_escape(g)));
    }
    if let Some(link) = &event.link {
        text.push_str(&format!("\n<{link}|Open the span in Loupe>"));
    }
    if let (Some(share), Some(valid)) = (share, &rule.share_expires_in) {
        text.push_str(&format!(" · <{share}|Open without an account> (link valid {valid})"));
    }
    text
}

/// Delivers event `event_id` to each of the rule's channels and records the outcome.
pub async fn deliver(alerts: Alerts, event_id: i64, rule: RuleSpec) {
    let event = match alerts.store().alert_event(event_id).await {
        Ok(Some(e)) => e,
        Ok(None) => return,
        Err(e) => {
            tracing::error!(event = event_id, error = %e, "cannot read the firing to deliver");
            return;
        }
    };
    let share = share_link(&alerts, &event, &rule).await;
    let sends = rule.channels.iter().enumerate().map(|(i, channel)| deliver_to(&alerts, &event, &rule, share.as_deref(), i, channel));
    let delivered = futures::future::join_all(sends).await;
    for d in &delivered {
        alerts.config().metrics.delivery(*d);
    }
    let state = if delivered.iter().all(|d| *d) { DeliveryState::Delivered } else { DeliveryState::Failed };
    if let Err(e) = alerts.store().set_alert_delivery(event_id, state).await {
        tracing::error!(event = event_id, error = %e, "cannot record the delivery outcome");
    }
}

/// A share link opening the firing's span, made for this notification when the
/// rule asks for one (one link per notification, not per firing). Without it the
/// notification still goes out, with the permalink only.
async fn share_link(alerts: &Alerts, event: &AlertEvent, rule: &RuleSpec) -> Option<String> {
    let (expires_in, trace_id) = (rule.share_expires_in.as_deref()?, event.trace_id.as_deref()?);
    let trace_id = crate::domain::TraceId::parse(trace_id).ok()?;
    match crate::share::create(alerts.store(), &alerts.config().public_url, trace_id, expires_in).await {
        Ok(made) => Some(match &event.span_id {
            Some(span) => format!("{}?span={span}", made.url),
            None => made.url,
        }),
        Err(e) => {
            tracing::warn!(event = event.id, error = %e, "no share link for this notification");
            None
        }
    }
}

/// One channel, with retries; true once delivered.
async fn deliver_to(alerts: &Alerts, event: &AlertEvent, rule: &RuleSpec, share: Option<&str>, channel: usize, c: &Channel) -> bool {
    let Channel::Webhook { url, format } = c;
    let payload = body(*format, event, rule, share);
    let policy = &alerts.config().retry;
    let mut delay = policy.base;
    if let Some(why) = reqwest::Url::parse(url).ok().and_then(|u| alerts.config().egress.refuse_literal(&u)) {
        let error = format!("refused: {why}");
        let record = DeliveryAttempt {
            channel,
            attempt: 1,
            at_ns: crate::domain::now_ns(),
            status: None,
            error: Some(error.clone()),
            outcome: "failed".into(),
        };
        if let Err(e) = alerts.store().insert_delivery_attempt(event.id, &record).await {
            tracing::error!(event = event.id, error = %e, "cannot record a delivery attempt");
        }
        tracing::warn!(event = event.id, channel, %error, "alert delivery refused");
        return false;
    }
    for attempt in 1..=policy.max_attempts {
        let sent = alerts.client().post(url).json(&payload).send().await;
        let (status, error, retry_after) = match &sent {
            Ok(r) => (Some(r.status().as_u16()), None, retry_after(r.headers())),
            Err(e) => (None, Some(describe(e)), None),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        // A refused address stays refused: no point in trying again.
        let refused = error.as_deref().is_some_and(|e| e.starts_with("refused:"));
        let retryable = !ok && !refused && status.is_none_or(|s| s == 429 || s >= 500);
        let last = attempt == policy.max_attempts || !retryable;
        let outcome = if ok {
            "delivered"
        } else if last {
            "failed"
        } else {
            "retrying"
        };
        let error = error.or_else(|| (!ok).then(|| format!("HTTP {}", status.unwrap_or_default())));
        let record =
            DeliveryAttempt { channel, attempt, at_ns: crate::domain::now_ns(), status, error: error.clone(), outcome: outcome.into() };
        if let Err(e) = alerts.store().insert_delivery_attempt(event.id, &record).await {
            tracing::error!(event = event.id, error = %e, "cannot record a delivery attempt");
        }
        if ok {
            tracing::info!(event = event.id, channel, attempt, "alert delivered");
            return true;
        }
        tracing::warn!(event = event.id, channel, attempt, error = error.as_deref().unwrap_or(""), outcome, "alert delivery failed");
        if last {
            return false;
        }
        tokio::time::sleep(retry_after.unwrap_or(delay).min(policy.max_delay)).await;
        delay = (delay * 2).min(policy.max_delay);
    }
    false
}

/// `Retry-After` in seconds (the form webhook receivers send; an HTTP date is
/// treated as absent and the backoff applies).
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let v = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    v.trim().parse::<u64>().ok().map(Duration::from_secs)
}

fn describe(e: &reqwest::Error) -> String {
    // The innermost cause says what happened (a refused address, a reset).
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    let detail = cause.to_string();
    if e.is_timeout() {
        "timed out".into()
    } else if detail.starts_with("refused:") {
        detail
    } else if e.is_connect() {
        format!("cannot connect: {detail}")
    } else {
        e.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::alerts::Condition;

    fn event() -> AlertEvent {
        AlertEvent {
            id: 7,
            rule_id: 1,
            rule_name: "slow tools".into(),
            fired_ns: 1_764_000_000_000_000_000,
            group_key: None,
            count: 3,
            observed: 2512.0,
            threshold: Some(2000.0),
            unit: "ms".into(),
            summary: "execute_tool <search> took 2,512 ms (> 2,000 ms)".into(),
            trace_id: Some("ab".repeat(16)),
            span_id: Some("cd".repeat(8)),
            link: Some("https://loupe.example/traces/x?span=y".into()),
            delivery: DeliveryState::Pending,
            attempts: vec![],
        }
    }

    fn rule() -> RuleSpec {
        serde_json::from_value(
            json!({"name": "slow tools", "match": {"kind": "tool"}, "condition": {"type": "span_duration", "threshold_ms": 2000}}),
        )
        .unwrap()
    }

    #[test]
    fn json_body_carries_ids_values_and_link() {
        let b = body(WebhookFormat::Json, &event(), &rule(), None);
        assert_eq!(b["rule"]["name"], "slow tools");
        assert_eq!(b["share_link"], Value::Null);
        assert_eq!(b["rule"]["condition"], json!({"type": "span_duration", "threshold_ms": 2000.0}));
        assert_eq!(b["observed"], 2512.0);
        assert_eq!(b["count"], 3);
        assert_eq!(b["span_id"], "cd".repeat(8));
        assert_eq!(b["link"], "https://loupe.example/traces/x?span=y");
        assert_eq!(rule().condition, Condition::SpanDuration { threshold_ms: 2000.0 });
    }

    #[test]
    fn slack_text_escapes_and_links() {
        let b = body(WebhookFormat::Slack, &event(), &rule(), None);
        let text = b["text"].as_str().unwrap();
        assert!(text.contains("execute_tool &lt;search&gt; took"), "{text}");
        assert!(text.contains("(fired 3 times)"));
        assert!(text.ends_with("<https://loupe.example/traces/x?span=y|Open the span in Loupe>"));
    }

    #[test]
    fn a_share_link_rides_along_when_the_rule_asks() {
        let rule = RuleSpec { share_expires_in: Some("24h".into()), ..rule() };
        let link = "https://loupe.example/share/ab?span=y";
        let share = Some(link);
        assert_eq!(body(WebhookFormat::Json, &event(), &rule, share)["share_link"], link);
        let slack = body(WebhookFormat::Slack, &event(), &rule, share);
        assert!(
            slack["text"].as_str().unwrap().ends_with("<https://loupe.example/share/ab?span=y|Open without an account> (link valid 24h)"),
            "{slack}"
        );
    }

    #[test]
    fn retry_after_reads_seconds() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(reqwest::header::RETRY_AFTER, "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap());
        assert_eq!(retry_after(&h), None);
    }
}
