//! Rules on the server: parsed from JSON with the path of a wrong field, validated
//! with messages that name the field, and compiled into the one matcher that
//! ingest, the window evaluator and the preview all use.

use regex::Regex;
use serde_json::{Map, Value};

use super::log_rule::{self, LogFacts};
use crate::domain::cost::span_tokens;
use crate::domain::{Span, StepKind};
use crate::error::{Error, Result};
use crate::store::RecentSpan;
use app::model::alerts::{AlertRule, Channel, Condition, GroupBy, RuleSpec};

/// Keys the API returns on a rule that a client may send back unchanged.
const READ_ONLY_KEYS: [&str; 4] = ["id", "created_ns", "updated_ns", "last_fired_ns"];

fn bad(field: &str, message: impl std::fmt::Display) -> Error {
    Error::BadRequest(format!("{field}: {message}"))
}

/// A rule from its JSON, refusing unknown keys and wrong values by name.
pub fn parse(v: Value) -> Result<RuleSpec> {
    let Some(obj) = v.as_object() else {
        return Err(Error::BadRequest("a rule must be a JSON object".into()));
    };
    if let Some(k) = obj.keys().find(|k| !RuleSpec::KEYS.contains(&k.as_str()) && !READ_ONLY_KEYS.contains(&k.as_str())) {
        return Err(bad(k, format!("unknown field; a rule has {}", RuleSpec::KEYS.join(", "))));
    }
    let condition = v.get("condition").cloned();
    let spec: RuleSpec = serde_path_to_error::deserialize(v).map_err(|e| {
        let mut path = e.path().to_string();
        let message = e.into_inner().to_string();
        if path == "condition"
            && let Some(field) = condition.as_ref().and_then(|c| culprit(c, &message))
        {
            path = format!("condition.{field}");
        }
        bad(if path == "." { "rule" } else { &path }, message)
    })?;
    validate(&spec)?;
    Ok(spec)
}

/// serde loses the field path inside an internally tagged enum ("condition:
/// invalid type: string, expected f64"): finds the field whose removal changes
/// the error, which is the one that caused it.
fn culprit(condition: &Value, message: &str) -> Option<String> {
    let obj = condition.as_object()?;
    obj.keys()
        .filter(|k| *k != "type")
        .find(|k| {
            let mut probe = obj.clone();
            probe.remove(*k);
            serde_json::from_value::<Condition>(Value::Object(probe)).map_or_else(|e| e.to_string() != message, |_| true)
        })
        .cloned()
}

/// Checks what serde cannot: ranges, patterns, URLs.
pub fn validate(spec: &RuleSpec) -> Result<()> {
    let name = spec.name.trim();
    if name.is_empty() {
        return Err(bad("name", "must not be empty"));
    }
    if name.chars().count() > 200 {
        return Err(bad("name", "must be at most 200 characters"));
    }
    let m = &spec.matcher;
    for (field, v) in [("match.name", &m.name), ("match.tool", &m.tool), ("match.model", &m.model), ("match.service", &m.service)] {
        if let Some(v) = v
            && (v.trim().is_empty() || v.len() > 500)
        {
            return Err(bad(field, "must be 1 to 500 characters (leave it out to match any)"));
        }
    }
    if let Some(a) = &m.attribute
        && (a.key.trim().is_empty() || a.key.len() > 200)
    {
        return Err(bad("match.attribute.key", "must be 1 to 200 characters"));
    }
    validate_condition(&spec.condition)?;
    super::log_rule::validate(spec)?;
    if spec.channels.len() > 10 {
        return Err(bad("channels", "at most 10 channels per rule"));
    }
    for (i, Channel::Webhook { url, .. }) in spec.channels.iter().enumerate() {
        let field = format!("channels[{i}].url");
        let parsed = reqwest::Url::parse(url).map_err(|e| bad(&field, format!("{url:?} is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err(bad(&field, format!("{url:?} must be an http:// or https:// URL with a host")));
        }
    }
    if spec.cooldown_s > 7 * 86_400 {
        return Err(bad("cooldown_s", "must be at most 604800 (7 days)"));
    }
    if let Some(e) = &spec.share_expires_in
        && crate::share::parse_expiry(e).is_err()
    {
        return Err(bad("share_expires_in", format!("must be 1h, 24h or 7d (how long the notification's share link works), got {e:?}")));
    }
    if spec.group_by.is_some() && spec.condition.window_min().is_some() {
        return Err(bad("group_by", "only span rules group their cooldown; a window rule fires once per rule"));
    }
    Ok(())
}

fn validate_condition(c: &Condition) -> Result<()> {
    let positive = |field: &str, v: f64| {
        if v.is_finite() && v > 0.0 {
            Ok(())
        } else {
            Err(bad(&format!("condition.{field}"), format!("must be a number above 0, got {v}")))
        }
    };
    if let Some(w) = c.window_min()
        && !(1..=1440).contains(&w)
    {
        return Err(bad("condition.window_min", format!("must be 1 to 1440 minutes, got {w}")));
    }
    if c.min_count() == Some(0) {
        return Err(bad("condition.min_count", "must be at least 1"));
    }
    match c {
        Condition::SpanDuration { threshold_ms } | Condition::WindowP95 { threshold_ms, .. } => positive("threshold_ms", *threshold_ms),
        Condition::SpanCost { threshold_usd } | Condition::WindowCost { threshold_usd, .. } => positive("threshold_usd", *threshold_usd),
        Condition::SpanTokens { threshold } if *threshold == 0 => Err(bad("condition.threshold", "must be at least 1 token")),
        Condition::WindowErrorRate { threshold_pct, .. }
            if !(threshold_pct.is_finite() && *threshold_pct >= 0.0 && *threshold_pct < 100.0) =>
        {
            Err(bad("condition.threshold_pct", format!("must be a percentage from 0 to below 100, got {threshold_pct}")))
        }
        _ => Ok(()),
    }
}

/// What a rule can know about a span, wherever the span comes from (the batch
/// just stored, or a row read back for a window or a preview).
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub name: &'a str,
    pub step: &'a str,
    pub kind: StepKind,
    pub service: &'a str,
    pub tool: Option<&'a str>,
    pub model: Option<&'a str>,
    pub duration_ns: i64,
    pub is_error: bool,
    pub status_message: Option<&'a str>,
    pub tokens: i64,
    pub cost_usd: Option<f64>,
    /// `None` when the caller did not load them (the rule does not need them).
    pub attributes: Option<&'a Map<String, Value>>,
}

/// A stored span, as the window rules and the preview read it back.
impl<'a> From<&'a RecentSpan> for Facts<'a> {
    fn from(s: &'a RecentSpan) -> Facts<'a> {
        Facts {
            name: &s.name,
            step: &s.step,
            kind: s.kind,
            service: &s.service,
            tool: s.tool.as_deref(),
            model: s.model.as_deref(),
            duration_ns: s.duration_ns,
            is_error: s.is_error,
            status_message: s.status_message.as_deref(),
            tokens: s.tokens,
            cost_usd: s.cost_usd,
            attributes: s.attributes.as_ref(),
        }
    }
}

#[cfg(test)]
impl Facts<'static> {
    /// A span for tests: a `kind` step called `name` (tool `search`) taking `ms`.
    pub(crate) fn sample(name: &'static str, kind: StepKind, ms: i64) -> Self {
        Facts {
            name,
            step: name,
            kind,
            service: "agent",
            tool: Some("search"),
            model: None,
            duration_ns: ms * 1_000_000,
            is_error: false,
            status_message: None,
            tokens: 0,
            cost_usd: None,
            attributes: None,
        }
    }
}

impl<'a> From<&'a Span> for Facts<'a> {
    fn from(s: &'a Span) -> Self {
        let t = &s.gen_ai.tokens;
        Facts {
            name: &s.name,
            step: &s.step,
            kind: s.kind,
            service: &s.resource.service,
            tool: s.gen_ai.tool_name.as_deref(),
            model: s.model(),
            duration_ns: s.duration_ns(),
            is_error: s.is_error(),
            status_message: s.status_message.as_deref(),
            tokens: span_tokens(t.total, t.input, t.output),
            cost_usd: match &s.cost {
                crate::domain::Costing::Priced { usd, .. } => Some(*usd),
                _ => None,
            },
            attributes: Some(&s.attributes),
        }
    }
}

/// A rule ready to match spans.
#[derive(Debug, Clone)]
pub struct CompiledRule {
    pub id: i64,
    pub spec: RuleSpec,
    name: Option<Regex>,
}

/// `*` any run of characters, `?` one; everything else literal; the whole name.
fn glob(pattern: &str) -> Result<Regex> {
    let mut re = String::from("^");
    for c in pattern.chars() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    Regex::new(&re).map_err(|e| bad("match.name", e))
}

impl CompiledRule {
    pub fn new(id: i64, spec: RuleSpec) -> Result<Self> {
        let name = spec.matcher.name.as_deref().map(glob).transpose()?;
        Ok(Self { id, spec, name })
    }

    pub fn of(rule: &AlertRule) -> Result<Self> {
        Self::new(rule.id, rule.spec.clone())
    }

    /// Whether the rule needs span attributes to match.
    pub fn needs_attributes(&self) -> bool {
        self.spec.matcher.attribute.is_some()
    }

    pub fn is_window(&self) -> bool {
        self.spec.condition.window_min().is_some()
    }

    /// Checked on each span as it is stored (not a window, not a log rule), and in force.
    pub fn watches_spans(&self) -> bool {
        !self.spec.paused && !self.is_window() && !self.spec.condition.is_log()
    }

    /// Checked on each log record as it is stored, and in force.
    pub fn watches_logs(&self) -> bool {
        !self.spec.paused && self.spec.condition.is_log()
    }

    /// Whether a log record is one this rule looks at (service and attribute).
    pub fn matches_log(&self, f: &LogFacts) -> bool {
        let m = &self.spec.matcher;
        m.service.as_deref().is_none_or(|s| s == f.service)
            && m.attribute.as_ref().is_none_or(|a| f.attributes.get(&a.key).is_some_and(|v| as_text(v) == a.value))
    }

    /// For a log condition: the observed severity and a sentence.
    pub fn log_firing(&self, f: &LogFacts) -> Option<(f64, String)> {
        log_rule::firing(&self.spec.condition, f)
    }

    pub fn matches(&self, f: &Facts) -> bool {
        let m = &self.spec.matcher;
        let eq = |want: &Option<String>, got: Option<&str>| want.as_deref().is_none_or(|w| got == Some(w));
        m.kind.is_none_or(|k| k == f.kind)
            && self.name.as_ref().is_none_or(|re| re.is_match(f.name))
            && eq(&m.tool, f.tool)
            && eq(&m.model, f.model)
            && eq(&m.service, Some(f.service))
            && m.attribute.as_ref().is_none_or(|a| f.attributes.and_then(|attrs| attrs.get(&a.key)).is_some_and(|v| as_text(v) == a.value))
    }

    /// For a span condition: the observed value and a sentence, when the span
    /// crosses the threshold. Window conditions never fire on one span.
    pub fn span_firing(&self, f: &Facts) -> Option<(f64, String)> {
        let n = app::format::number;
        match &self.spec.condition {
            Condition::SpanDuration { threshold_ms } => {
                let ms = f.duration_ns as f64 / 1e6;
                (ms > *threshold_ms).then(|| (ms, format!("{} took {} ms (> {} ms)", f.name, n(ms.round()), n(*threshold_ms))))
            }
            Condition::SpanError => f.is_error.then(|| {
                let why = f.status_message.map(|m| format!(": {}", truncate(m, 200))).unwrap_or_default();
                (1.0, format!("{} failed{why}", f.name))
            }),
            Condition::SpanTokens { threshold } => (f.tokens > *threshold as i64)
                .then(|| (f.tokens as f64, format!("{} used {} tokens (> {})", f.name, n(f.tokens as f64), n(*threshold as f64)))),
            Condition::SpanCost { threshold_usd } => f
                .cost_usd
                .filter(|c| c > threshold_usd)
                .map(|c| (c, format!("{} cost {} (> {})", f.name, app::format::usd(c), app::format::usd(*threshold_usd)))),
            _ => None,
        }
    }

    /// The cooldown group of a span under this rule.
    pub fn group_key(&self, f: &Facts) -> Option<String> {
        self.spec.group_by.map(|g| {
            match g {
                GroupBy::Tool => f.tool.unwrap_or("(no tool)"),
                GroupBy::Step => f.step,
                GroupBy::Model => f.model.unwrap_or("(no model)"),
                GroupBy::Service => f.service,
            }
            .to_string()
        })
    }
}

/// An attribute value as text, for equality with what the operator typed.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max).collect::<String>()) }
}

#[cfg(test)]
#[path = "rule_tests.rs"]
mod tests;
