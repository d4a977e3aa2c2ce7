//! From decoded log records to stored ones: tie each to its span or trace,
//! apply the content policy (GenAI event content fingerprinted, the rest
//! scrubbed), pick out the exception. Pure; the attribute names come from
//! `conventions`.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::privacy::Privacy;
use crate::domain::conventions as c;
use crate::domain::{ContentPolicy, ExceptionInfo, LogOwner, LogRecord, Resource, SpanId, TraceId};

/// A log record as a transport delivered it: ids validated, times filled in,
/// values as JSON, not yet scrubbed.
#[derive(Debug, Clone)]
pub struct RawLog {
    pub time_ns: i64,
    pub observed_ns: i64,
    pub severity_number: i32,
    pub severity_text: Option<String>,
    pub body: Value,
    pub attributes: Map<String, Value>,
    pub trace_id: Option<TraceId>,
    pub span_id: Option<SpanId>,
    pub flags: u32,
    pub event_name: Option<String>,
    pub resource: Arc<Resource>,
    pub scope: Option<String>,
    pub key: String,
}

pub fn normalize_log(raw: RawLog, privacy: &Privacy) -> LogRecord {
    // Older instrumentations name the event in an attribute, not the field.
    let event_name =
        raw.event_name.or_else(|| raw.attributes.get(c::EVENT_NAME).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string));
    // A record exported by a Loupe brings its fingerprints and its policy.
    let mut raw_attributes = raw.attributes;
    let (imported, hashed_elsewhere) = privacy.imported_content(&mut raw_attributes);
    let (body, attributes, mut content) = privacy.split_log(event_name.as_deref(), raw.body, raw_attributes);
    content.extend(imported);
    let text = |k: &str| attributes.get(k).and_then(Value::as_str).map(str::to_string);
    let exception = (attributes.contains_key(c::EXCEPTION_TYPE) || attributes.contains_key(c::EXCEPTION_MESSAGE))
        .then(|| ExceptionInfo { kind: text(c::EXCEPTION_TYPE), message: text(c::EXCEPTION_MESSAGE) });
    let owner = match (raw.trace_id, raw.span_id) {
        (Some(t), Some(s)) => LogOwner::Span(t, s),
        (Some(t), None) => LogOwner::Trace(t),
        _ => LogOwner::Standalone,
    };
    LogRecord {
        time_ns: raw.time_ns,
        observed_ns: raw.observed_ns,
        severity_number: raw.severity_number,
        severity_text: raw.severity_text.map(|s| privacy.scrub(&s).into_owned()),
        body,
        attributes,
        owner,
        flags: raw.flags,
        event_name: event_name.map(|s| privacy.scrub(&s).into_owned()),
        exception,
        resource: raw.resource,
        scope: raw.scope,
        content,
        content_policy: if hashed_elsewhere { ContentPolicy::Hashed } else { privacy.policy() },
        key: raw.key,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn raw(body: Value, attributes: Value) -> RawLog {
        RawLog {
            time_ns: 1,
            observed_ns: 1,
            severity_number: 17,
            severity_text: None,
            body,
            attributes: attributes.as_object().unwrap().clone(),
            trace_id: Some(TraceId([1; 16])),
            span_id: None,
            flags: 0,
            event_name: None,
            resource: Arc::new(Resource::new(Map::new())),
            scope: None,
            key: "k".into(),
        }
    }

    #[test]
    fn exceptions_are_picked_out_and_scrubbed() {
        let privacy = Privacy::new(ContentPolicy::Hashed, [1; 32]);
        let log = normalize_log(
            raw(
                json!("payment failed"),
                json!({"exception.type": "CardError", "exception.message": "card 4111 1111 1111 1111 refused", "exception.stacktrace": "at pay()"}),
            ),
            &privacy,
        );
        let exception = log.exception.unwrap();
        assert_eq!(exception.kind.as_deref(), Some("CardError"));
        assert!(!exception.message.unwrap().contains("4111"));
        assert_eq!(log.owner, LogOwner::Trace(TraceId([1; 16])));
        assert!(log.attributes.contains_key("exception.stacktrace"));
    }

    #[test]
    fn the_event_name_attribute_marks_genai_events_too() {
        let privacy = Privacy::new(ContentPolicy::Hashed, [1; 32]);
        let log = normalize_log(raw(json!({"content": "secret prompt"}), json!({"event.name": "gen_ai.user.message"})), &privacy);
        assert_eq!(log.event_name.as_deref(), Some("gen_ai.user.message"));
        assert_eq!(log.body, Value::Null);
        assert_eq!(log.content.len(), 1);
    }
}
