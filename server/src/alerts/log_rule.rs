//! Log rules: "a log at ERROR or above from service X". They match each log
//! record as it is stored, on the record's service and attributes (a record
//! has no kind, tool or model), and link to the span that wrote it.

use serde_json::{Map, Value};

use crate::domain::LogRecord;
use crate::error::{Error, Result};
use app::model::alerts::{Condition, GroupBy, RuleSpec};
use app::model::logs::LogView;

/// What a log rule can know about a record.
#[derive(Debug, Clone, Copy)]
pub struct LogFacts<'a> {
    pub service: &'a str,
    pub severity_number: i32,
    pub severity_text: Option<&'a str>,
    pub body: &'a Value,
    pub attributes: &'a Map<String, Value>,
}

impl<'a> From<&'a LogRecord> for LogFacts<'a> {
    fn from(r: &'a LogRecord) -> Self {
        LogFacts {
            service: &r.resource.service,
            severity_number: r.severity_number,
            severity_text: r.severity_text.as_deref(),
            body: &r.body,
            attributes: &r.attributes,
        }
    }
}

/// A stored record, as the preview reads it back.
impl<'a> From<&'a LogView> for LogFacts<'a> {
    fn from(r: &'a LogView) -> Self {
        LogFacts {
            service: &r.service,
            severity_number: r.severity_number,
            severity_text: r.severity_text.as_deref(),
            body: &r.body,
            attributes: &r.attributes,
        }
    }
}

/// Refuses what a log rule cannot use, naming the field.
pub(super) fn validate(spec: &RuleSpec) -> Result<()> {
    if !spec.condition.is_log() {
        return Ok(());
    }
    let m = &spec.matcher;
    let span_only = [
        ("match.kind", m.kind.is_some()),
        ("match.name", m.name.is_some()),
        ("match.tool", m.tool.is_some()),
        ("match.model", m.model.is_some()),
    ];
    if let Some((field, _)) = span_only.iter().find(|(_, set)| *set) {
        return Err(Error::BadRequest(format!("{field}: a log rule matches a record's service and attribute only; leave it out")));
    }
    if spec.group_by.is_some_and(|g| g != GroupBy::Service) {
        return Err(Error::BadRequest("group_by: a log rule keeps its cooldown per rule or per service".into()));
    }
    Ok(())
}

/// The observed severity and a sentence, when the record is at the rule's
/// severity or above.
pub(super) fn firing(condition: &Condition, f: &LogFacts) -> Option<(f64, String)> {
    let Condition::LogSeverity { min_severity } = condition else { return None };
    if f.severity_number < min_severity.min_number() {
        return None;
    }
    let label = f.severity_text.unwrap_or(crate::domain::Severity::of(f.severity_number).label());
    Some((f64::from(f.severity_number), format!("{} logged {label}: {}", f.service, body_text(f.body, 200))))
}

/// A record's body as one line of text, cut at `max` characters.
fn body_text(body: &Value, max: usize) -> String {
    let text = match body {
        Value::String(s) => s.clone(),
        Value::Null => "(no body)".into(),
        other => other.to_string(),
    };
    let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() <= max { line } else { format!("{}…", line.chars().take(max).collect::<String>()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::model::logs::Severity;
    use serde_json::json;

    fn facts<'a>(n: i32, body: &'a Value, attributes: &'a Map<String, Value>) -> LogFacts<'a> {
        LogFacts { service: "checkout", severity_number: n, severity_text: None, body, attributes }
    }

    #[test]
    fn a_record_fires_at_the_rule_severity_or_above() {
        let rule = Condition::LogSeverity { min_severity: Severity::Error };
        let body = json!("HTTP 429 from the payment API,\n retrying in 50 ms");
        let attrs = Map::new();
        assert_eq!(firing(&rule, &facts(13, &body, &attrs)), None, "a warning is below ERROR");
        let (observed, summary) = firing(&rule, &facts(17, &body, &attrs)).unwrap();
        assert_eq!(observed, 17.0);
        assert_eq!(summary, "checkout logged ERROR: HTTP 429 from the payment API, retrying in 50 ms");
        assert!(firing(&rule, &facts(21, &json!({"code": 7}), &attrs)).unwrap().1.ends_with("FATAL: {\"code\":7}"));
        assert_eq!(firing(&Condition::SpanError, &facts(21, &body, &attrs)), None, "span conditions never fire on a record");
    }

    #[test]
    fn a_log_rule_refuses_span_fields() {
        let spec = |v: serde_json::Value| serde_json::from_value::<RuleSpec>(v).unwrap();
        let cond = json!({"type": "log_severity", "min_severity": "warn"});
        assert!(validate(&spec(json!({"name": "x", "match": {"service": "a"}, "condition": cond}))).is_ok());
        let err = validate(&spec(json!({"name": "x", "match": {"kind": "tool"}, "condition": cond}))).unwrap_err().to_string();
        assert!(err.contains("match.kind: a log rule matches"), "{err}");
        let err = validate(&spec(json!({"name": "x", "group_by": "tool", "condition": cond}))).unwrap_err().to_string();
        assert!(err.contains("group_by"), "{err}");
    }
}
