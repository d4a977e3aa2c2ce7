//! What rules did: firings, the delivery of their notifications, and previews.

use serde::{Deserialize, Serialize};

/// How far a firing's notification got.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryState {
    /// Waiting for the burst to settle, or between retries.
    Pending,
    /// Every channel answered 2xx.
    Delivered,
    /// A channel gave up (a 4xx, or out of retries).
    Failed,
    /// The rule has no channels: the firing is in the history only.
    NoChannel,
}

impl DeliveryState {
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryState::Pending => "pending",
            DeliveryState::Delivered => "delivered",
            DeliveryState::Failed => "failed",
            DeliveryState::NoChannel => "no_channel",
        }
    }

    pub fn parse(s: &str) -> DeliveryState {
        match s {
            "delivered" => DeliveryState::Delivered,
            "failed" => DeliveryState::Failed,
            "no_channel" => DeliveryState::NoChannel,
            _ => DeliveryState::Pending,
        }
    }
}

/// One attempt to deliver a notification to one channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeliveryAttempt {
    /// Index into the rule's channels.
    pub channel: usize,
    pub attempt: u32,
    pub at_ns: i64,
    /// The receiver's HTTP status, when it answered.
    pub status: Option<u16>,
    /// What went wrong, when something did.
    pub error: Option<String>,
    /// `delivered`, `retrying` or `failed`.
    pub outcome: String,
}

/// A rule fired: what it saw, the span that made it fire, and the notification.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertEvent {
    pub id: i64,
    pub rule_id: i64,
    pub rule_name: String,
    pub fired_ns: i64,
    /// The group (tool name, step, …) when the rule groups.
    pub group_key: Option<String>,
    /// Firings folded into this one: 1, plus every firing during its cooldown.
    pub count: u64,
    /// The value that crossed the threshold (the first one, for a burst).
    pub observed: f64,
    pub threshold: Option<f64>,
    pub unit: String,
    /// "execute_tool search_hotels took 2,512 ms (> 2,000 ms)".
    pub summary: String,
    pub trace_id: Option<String>,
    pub span_id: Option<String>,
    /// The trace opened on the span, under Loupe's public URL.
    pub link: Option<String>,
    pub delivery: DeliveryState,
    #[serde(default)]
    pub attempts: Vec<DeliveryAttempt>,
}

/// How often a rule would have fired over a past range.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RulePreview {
    pub since_ns: i64,
    pub until_ns: i64,
    /// Spans the matcher selects.
    pub matching_spans: u64,
    /// Times the condition held (spans over the threshold, or window evaluations).
    pub firings: u64,
    /// Notifications that would have been sent, after the cooldown folds bursts.
    pub notifications: u64,
    /// Firings per hour, oldest first.
    pub per_hour: Vec<u64>,
    /// True when the scan stopped at its limit: the numbers cover the newest spans only.
    pub truncated: bool,
    /// A log rule's preview: `matching_spans` counts log records.
    #[serde(default)]
    pub of_logs: bool,
}
