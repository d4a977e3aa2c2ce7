//! Alert rules, their firings and the delivery of their notifications, as the JSON
//! API (`/api/alerts/…`) and the alerts pages show them.
//!
//! A rule is a matcher (which spans) and a condition (when they are a problem).
//! Span conditions are checked on each matching span as it is stored; window
//! conditions on the matching spans of the last N minutes, on a schedule.

mod events;

use serde::{Deserialize, Serialize};

use super::StepKind;
use super::logs::Severity;
pub use events::{AlertEvent, DeliveryAttempt, DeliveryState, RulePreview};

/// Which spans a rule looks at. Every field set must hold; an empty matcher
/// matches every span.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpanMatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<StepKind>,
    /// The span name; `*` matches any run of characters, `?` one character.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// The served model, else the requested one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribute: Option<AttributeEquals>,
}

/// A span attribute that must have this value (compared as text).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttributeEquals {
    pub key: String,
    pub value: String,
}

fn default_min_count() -> u64 {
    10
}

fn one() -> u64 {
    1
}

/// When matching spans are a problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// One span took longer than the threshold.
    SpanDuration { threshold_ms: f64 },
    /// One span ended with status error.
    SpanError,
    /// One span used more tokens (all kinds) than the threshold.
    SpanTokens { threshold: u64 },
    /// One model call cost more than the threshold.
    SpanCost { threshold_usd: f64 },
    /// The p95 duration of the last `window_min` minutes is over the threshold.
    WindowP95 {
        window_min: u32,
        threshold_ms: f64,
        #[serde(default = "default_min_count")]
        min_count: u64,
    },
    /// The share of failed spans of the last `window_min` minutes, in percent.
    WindowErrorRate {
        window_min: u32,
        threshold_pct: f64,
        #[serde(default = "default_min_count")]
        min_count: u64,
    },
    /// More matching spans than the threshold in the last `window_min` minutes.
    WindowCount { window_min: u32, threshold: u64 },
    /// The model calls of the last `window_min` minutes cost more than the threshold.
    WindowCost {
        window_min: u32,
        threshold_usd: f64,
        #[serde(default = "one")]
        min_count: u64,
    },
    /// A log record at this severity or above (the matcher's service and
    /// attribute apply to the record), checked as each record is stored.
    LogSeverity { min_severity: Severity },
}

impl Condition {
    /// Window conditions are evaluated on a schedule, span conditions at ingest.
    pub fn window_min(&self) -> Option<u32> {
        match self {
            Condition::WindowP95 { window_min, .. }
            | Condition::WindowErrorRate { window_min, .. }
            | Condition::WindowCount { window_min, .. }
            | Condition::WindowCost { window_min, .. } => Some(*window_min),
            _ => None,
        }
    }

    /// Log conditions look at log records, not spans.
    pub fn is_log(&self) -> bool {
        matches!(self, Condition::LogSeverity { .. })
    }

    /// The `type` tag, as the JSON and the form name it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Condition::SpanDuration { .. } => "span_duration",
            Condition::SpanError => "span_error",
            Condition::SpanTokens { .. } => "span_tokens",
            Condition::SpanCost { .. } => "span_cost",
            Condition::WindowP95 { .. } => "window_p95",
            Condition::WindowErrorRate { .. } => "window_error_rate",
            Condition::WindowCount { .. } => "window_count",
            Condition::WindowCost { .. } => "window_cost",
            Condition::LogSeverity { .. } => "log_severity",
        }
    }

    /// The threshold as a number, in the unit [`Condition::unit`] names.
    pub fn threshold(&self) -> Option<f64> {
        match self {
            Condition::SpanDuration { threshold_ms } | Condition::WindowP95 { threshold_ms, .. } => Some(*threshold_ms),
            Condition::SpanError => None,
            Condition::SpanTokens { threshold } | Condition::WindowCount { threshold, .. } => Some(*threshold as f64),
            Condition::SpanCost { threshold_usd } | Condition::WindowCost { threshold_usd, .. } => Some(*threshold_usd),
            Condition::WindowErrorRate { threshold_pct, .. } => Some(*threshold_pct),
            Condition::LogSeverity { min_severity } => Some(f64::from(min_severity.min_number())),
        }
    }

    pub fn unit(&self) -> &'static str {
        match self {
            Condition::SpanDuration { .. } | Condition::WindowP95 { .. } => "ms",
            Condition::SpanError => "",
            Condition::SpanTokens { .. } => "tokens",
            Condition::WindowCount { .. } => "spans",
            Condition::SpanCost { .. } | Condition::WindowCost { .. } => "USD",
            Condition::WindowErrorRate { .. } => "%",
            Condition::LogSeverity { .. } => "severity number",
        }
    }

    /// The minimum number of matching spans a window needs before it can fire.
    pub fn min_count(&self) -> Option<u64> {
        match self {
            Condition::WindowP95 { min_count, .. }
            | Condition::WindowErrorRate { min_count, .. }
            | Condition::WindowCost { min_count, .. } => Some(*min_count),
            _ => None,
        }
    }

    /// "duration > 2000 ms", "p95 over 5 min > 800 ms", …
    pub fn describe(&self) -> String {
        let n = |v: f64| crate::format::number(v);
        match self {
            Condition::SpanDuration { threshold_ms } => format!("duration > {} ms", n(*threshold_ms)),
            Condition::SpanError => "status is error".into(),
            Condition::SpanTokens { threshold } => format!("tokens > {threshold}"),
            Condition::SpanCost { threshold_usd } => format!("cost > ${}", n(*threshold_usd)),
            Condition::WindowP95 { window_min, threshold_ms, min_count } => {
                format!("p95 over {window_min} min > {} ms (at least {min_count} spans)", n(*threshold_ms))
            }
            Condition::WindowErrorRate { window_min, threshold_pct, min_count } => {
                format!("error rate over {window_min} min > {}% (at least {min_count} spans)", n(*threshold_pct))
            }
            Condition::WindowCount { window_min, threshold } => format!("more than {threshold} spans in {window_min} min"),
            Condition::WindowCost { window_min, threshold_usd, .. } => format!("cost over {window_min} min > ${}", n(*threshold_usd)),
            Condition::LogSeverity { min_severity } => format!("a log at {} or above", min_severity.label()),
        }
    }
}

/// How a webhook's body is shaped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WebhookFormat {
    /// Loupe's JSON: rule, values, trace id, span id, link.
    #[default]
    Json,
    /// A Slack incoming webhook: `{"text": …}` with the link.
    Slack,
}

/// Where a rule's notifications go.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Channel {
    Webhook {
        url: String,
        #[serde(default)]
        format: WebhookFormat,
    },
}

/// What the cooldown is kept per, beside the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Tool,
    Step,
    Model,
    Service,
}

impl GroupBy {
    pub const ALL: [GroupBy; 4] = [GroupBy::Tool, GroupBy::Step, GroupBy::Model, GroupBy::Service];

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Tool => "tool",
            GroupBy::Step => "step",
            GroupBy::Model => "model",
            GroupBy::Service => "service",
        }
    }
}

fn default_cooldown() -> u64 {
    300
}

/// A rule as it is created or replaced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RuleSpec {
    pub name: String,
    #[serde(rename = "match", default)]
    pub matcher: SpanMatch,
    pub condition: Condition,
    #[serde(default)]
    pub channels: Vec<Channel>,
    /// After a notification, further firings of the rule (per group) are folded
    /// into it for this many seconds instead of notifying again.
    #[serde(default = "default_cooldown")]
    pub cooldown_s: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<GroupBy>,
    /// A paused rule does not fire.
    #[serde(default)]
    pub paused: bool,
    /// Notifications carry a share link to the trace, valid this long (`1h`, `24h`,
    /// `7d`): whoever reads the channel opens the span without an account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub share_expires_in: Option<String>,
}

impl RuleSpec {
    /// The keys a rule's JSON may have (others are refused, naming the key).
    pub const KEYS: [&'static str; 8] = ["name", "match", "condition", "channels", "cooldown_s", "group_by", "paused", "share_expires_in"];

    /// "kind = tool, name ~ execute_tool *": the matcher in words.
    pub fn describe_match(&self) -> String {
        let m = &self.matcher;
        let mut parts = Vec::new();
        if let Some(k) = m.kind {
            parts.push(format!("kind = {}", k.as_str()));
        }
        for (what, v) in [("name", &m.name), ("tool", &m.tool), ("model", &m.model), ("service", &m.service)] {
            if let Some(v) = v {
                parts.push(format!("{what} = {v}"));
            }
        }
        if let Some(a) = &m.attribute {
            parts.push(format!("{} = {}", a.key, a.value));
        }
        let every = if self.condition.is_log() { "every log record" } else { "every span" };
        if parts.is_empty() { every.into() } else { parts.join(", ") }
    }
}

/// A stored rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRule {
    pub id: i64,
    #[serde(flatten)]
    pub spec: RuleSpec,
    pub created_ns: i64,
    pub updated_ns: i64,
    /// When it last fired, if it has.
    #[serde(default)]
    pub last_fired_ns: Option<i64>,
}
