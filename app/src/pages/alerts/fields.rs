//! The rule form's fields, to and from a [`RuleSpec`]. Every field is text, as a
//! form sends it; numbers are parsed here with messages that name the field.

use serde::{Deserialize, Serialize};

use crate::error::PageError;
use crate::model::StepKind;
use crate::model::alerts::{AttributeEquals, Channel, Condition, GroupBy, RuleSpec, SpanMatch, WebhookFormat};
use crate::model::logs::Severity;

/// The conditions the form offers: (value, label).
pub const CONDITIONS: [(&str, &str); 9] = [
    ("span_duration", "a span takes longer than (ms)"),
    ("span_error", "a span fails"),
    ("span_tokens", "a span uses more tokens than"),
    ("span_cost", "a model call costs more than (USD)"),
    ("window_p95", "p95 over the window is above (ms)"),
    ("window_error_rate", "error rate over the window is above (%)"),
    ("window_count", "spans in the window are more than"),
    ("window_cost", "cost over the window is above (USD)"),
    ("log_severity", "a log record at or above (warn, error, fatal)"),
];

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleFields {
    /// Empty for a new rule.
    pub id: String,
    pub name: String,
    pub kind: String,
    pub span_name: String,
    pub tool: String,
    pub model: String,
    pub service: String,
    pub attr_key: String,
    pub attr_value: String,
    pub condition: String,
    pub threshold: String,
    pub window_min: String,
    pub min_count: String,
    pub url: String,
    pub format: String,
    pub cooldown_s: String,
    pub group_by: String,
    /// How long a share link in each notification works; empty: none.
    pub share: String,
}

fn opt(v: &str) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()).then(|| v.to_string())
}

fn number<T: std::str::FromStr>(label: &str, v: &str) -> Result<T, PageError> {
    v.trim().parse::<T>().map_err(|_| PageError::BadRequest(format!("{label} must be a number, got {:?}", v.trim())))
}

fn or_default<T: std::str::FromStr>(label: &str, v: &str, default: T) -> Result<T, PageError> {
    if v.trim().is_empty() { Ok(default) } else { number(label, v) }
}

/// A severity as typed in the threshold field: `warn`, `ERROR`, `Fatal`…
fn severity(v: &str) -> Result<Severity, PageError> {
    let v = v.trim();
    Severity::ALL
        .into_iter()
        .find(|s| s.as_str().eq_ignore_ascii_case(v) || (v.eq_ignore_ascii_case("warning") && *s == Severity::Warn))
        .ok_or_else(|| {
            PageError::BadRequest(format!("Threshold of a log rule is a severity (trace, debug, info, warn, error, fatal), got {v:?}"))
        })
}

impl RuleFields {
    /// The id of the rule being edited, if any.
    pub fn rule_id(&self) -> Result<Option<i64>, PageError> {
        opt(&self.id).map(|id| number("Rule id", &id)).transpose()
    }

    pub fn to_spec(&self) -> Result<RuleSpec, PageError> {
        let kind = match opt(&self.kind) {
            Some(k) => Some(StepKind::parse(&k).ok_or_else(|| PageError::BadRequest(format!("Kind {k:?} is not a step kind")))?),
            None => None,
        };
        let attribute = match (opt(&self.attr_key), opt(&self.attr_value)) {
            (Some(key), value) => Some(AttributeEquals { key, value: value.unwrap_or_default() }),
            (None, Some(_)) => return Err(PageError::BadRequest("Attribute value needs an attribute name".into())),
            (None, None) => None,
        };
        let t = || number::<f64>("Threshold", &self.threshold);
        let whole = || number::<u64>("Threshold", &self.threshold);
        let window_min = || number::<u32>("Window (minutes)", &self.window_min);
        let min_count = |default| or_default::<u64>("Minimum spans", &self.min_count, default);
        let condition = match self.condition.as_str() {
            "span_duration" => Condition::SpanDuration { threshold_ms: t()? },
            "span_error" => Condition::SpanError,
            "span_tokens" => Condition::SpanTokens { threshold: whole()? },
            "span_cost" => Condition::SpanCost { threshold_usd: t()? },
            "window_p95" => Condition::WindowP95 { window_min: window_min()?, threshold_ms: t()?, min_count: min_count(10)? },
            "window_error_rate" => Condition::WindowErrorRate { window_min: window_min()?, threshold_pct: t()?, min_count: min_count(10)? },
            "window_count" => Condition::WindowCount { window_min: window_min()?, threshold: whole()? },
            "window_cost" => Condition::WindowCost { window_min: window_min()?, threshold_usd: t()?, min_count: min_count(1)? },
            "log_severity" => Condition::LogSeverity { min_severity: severity(&self.threshold)? },
            other => return Err(PageError::BadRequest(format!("Condition {other:?} is not one Loupe knows"))),
        };
        let format = if self.format == "slack" { WebhookFormat::Slack } else { WebhookFormat::Json };
        let group_by = match opt(&self.group_by) {
            Some(g) => Some(
                GroupBy::ALL
                    .into_iter()
                    .find(|x| x.as_str() == g)
                    .ok_or_else(|| PageError::BadRequest(format!("Group by {g:?} is not one of tool, step, model, service")))?,
            ),
            None => None,
        };
        // A log record has no kind, name, tool or model: the form's span fields
        // (the new rule's form starts with kind = tool) do not apply to it.
        let spans = !condition.is_log();
        let span_field = |v: &str| opt(v).filter(|_| spans);
        Ok(RuleSpec {
            name: self.name.trim().to_string(),
            matcher: SpanMatch {
                kind: kind.filter(|_| spans),
                name: span_field(&self.span_name),
                tool: span_field(&self.tool),
                model: span_field(&self.model),
                service: opt(&self.service),
                attribute,
            },
            condition,
            channels: opt(&self.url).map(|url| Channel::Webhook { url, format }).into_iter().collect(),
            cooldown_s: or_default("Cooldown (seconds)", &self.cooldown_s, 300)?,
            group_by,
            paused: false,
            share_expires_in: opt(&self.share),
        })
    }

    /// The form prefilled with a stored rule (its first channel).
    pub fn from_spec(id: Option<i64>, spec: &RuleSpec) -> RuleFields {
        let m = &spec.matcher;
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        let c = &spec.condition;
        let (url, format) = match spec.channels.first() {
            Some(Channel::Webhook { url, format }) => (url.clone(), if *format == WebhookFormat::Slack { "slack" } else { "json" }),
            None => (String::new(), "json"),
        };
        RuleFields {
            id: id.map(|i| i.to_string()).unwrap_or_default(),
            name: spec.name.clone(),
            kind: m.kind.map(|k| k.as_str().to_string()).unwrap_or_default(),
            span_name: s(&m.name),
            tool: s(&m.tool),
            model: s(&m.model),
            service: s(&m.service),
            attr_key: m.attribute.as_ref().map(|a| a.key.clone()).unwrap_or_default(),
            attr_value: m.attribute.as_ref().map(|a| a.value.clone()).unwrap_or_default(),
            condition: c.type_name().to_string(),
            threshold: match c {
                Condition::LogSeverity { min_severity } => min_severity.as_str().to_string(),
                c => c.threshold().map(|t| t.to_string()).unwrap_or_default(),
            },
            window_min: c.window_min().map(|w| w.to_string()).unwrap_or_default(),
            min_count: c.min_count().map(|n| n.to_string()).unwrap_or_default(),
            url,
            format: format.to_string(),
            cooldown_s: spec.cooldown_s.to_string(),
            group_by: spec.group_by.map(|g| g.as_str().to_string()).unwrap_or_default(),
            share: spec.share_expires_in.clone().unwrap_or_default(),
        }
    }

    /// A new rule's form: the canonical slow-tool-call rule, ready to adjust.
    pub fn new_rule() -> RuleFields {
        RuleFields {
            name: "Slow tool calls".into(),
            kind: "tool".into(),
            condition: "span_duration".into(),
            threshold: "2000".into(),
            window_min: "5".into(),
            cooldown_s: "300".into(),
            format: "json".into(),
            ..RuleFields::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_rule_form_is_the_canonical_rule() {
        let spec = RuleFields::new_rule().to_spec().unwrap();
        assert_eq!(spec.matcher.kind, Some(StepKind::Tool));
        assert_eq!(spec.condition, Condition::SpanDuration { threshold_ms: 2000.0 });
        assert!(spec.channels.is_empty());
        assert_eq!(spec.cooldown_s, 300);
    }

    #[test]
    fn fields_round_trip_through_a_spec() {
        let f = RuleFields {
            id: "4".into(),
            name: "llm errors".into(),
            kind: "llm".into(),
            model: "gpt-4o".into(),
            attr_key: "tenant".into(),
            attr_value: "acme".into(),
            condition: "window_error_rate".into(),
            threshold: "12.5".into(),
            window_min: "10".into(),
            min_count: "20".into(),
            url: "https://hooks.slack.com/services/x".into(),
            format: "slack".into(),
            cooldown_s: "600".into(),
            ..RuleFields::default()
        };
        let spec = f.to_spec().unwrap();
        assert_eq!(spec.condition, Condition::WindowErrorRate { window_min: 10, threshold_pct: 12.5, min_count: 20 });
        assert_eq!(
            spec.channels,
            vec![Channel::Webhook { url: "https://hooks.slack.com/services/x".into(), format: WebhookFormat::Slack }]
        );
        assert_eq!(RuleFields::from_spec(Some(4), &spec), RuleFields { group_by: String::new(), ..f });
    }

    #[test]
    fn bad_fields_say_which() {
        let bad = |f: RuleFields| f.to_spec().unwrap_err().to_string();
        assert!(bad(RuleFields { threshold: "fast".into(), ..RuleFields::new_rule() }).starts_with("Threshold must be a number"));
        assert!(
            bad(RuleFields { condition: "window_p95".into(), window_min: "".into(), ..RuleFields::new_rule() })
                .starts_with("Window (minutes)")
        );
        assert!(bad(RuleFields { kind: "robot".into(), ..RuleFields::new_rule() }).contains("not a step kind"));
        assert!(bad(RuleFields { attr_value: "x".into(), ..RuleFields::new_rule() }).contains("attribute name"));
        assert!(
            bad(RuleFields { condition: "log_severity".into(), threshold: "loud".into(), ..RuleFields::new_rule() }).contains("a severity")
        );
    }

    #[test]
    fn a_log_rule_takes_its_severity_from_the_threshold_field() {
        let f = RuleFields {
            name: "payment errors".into(),
            service: "checkout".into(),
            condition: "log_severity".into(),
            threshold: "ERROR".into(),
            cooldown_s: "300".into(),
            format: "json".into(),
            ..RuleFields::default()
        };
        let spec = f.to_spec().unwrap();
        assert_eq!(spec.condition, Condition::LogSeverity { min_severity: Severity::Error });
        let from_new = RuleFields { condition: "log_severity".into(), threshold: "warn".into(), ..RuleFields::new_rule() };
        assert_eq!(from_new.to_spec().unwrap().matcher.kind, None, "the new rule's kind = tool does not apply to records");
        assert_eq!(spec.condition.describe(), "a log at ERROR or above");
        assert_eq!(RuleFields::from_spec(None, &spec).threshold, "error");
    }
}
