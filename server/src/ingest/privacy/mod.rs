//! Private by default: content is fingerprinted, personal data scrubbed.
//!
//! Prompt/completion content (see `conventions::is_content_key`) is replaced by a
//! keyed hash, its length and a summary of its structure, unless the operator opted in
//! with `--capture-content`. Every other string kept is scrubbed of e-mail addresses,
//! card numbers, phone numbers and secrets whatever the policy.

mod content;
pub mod key;
mod logs;
pub mod scrub;

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::domain::conventions as c;
use crate::domain::{ContentField, ContentPolicy};

/// The installation's content policy and hashing key.
#[derive(Clone)]
pub struct Privacy {
    policy: ContentPolicy,
    key: [u8; 32],
}

impl Privacy {
    pub fn new(policy: ContentPolicy, key: [u8; 32]) -> Self {
        Self { policy, key }
    }

    pub fn policy(&self) -> ContentPolicy {
        self.policy
    }

    /// Takes the fingerprints of a span exported by a Loupe out of `attrs`: they are
    /// kept as they are (their hashes were keyed by the exporting installation), and
    /// their text only where both Loupes capture content. Returns them and whether
    /// the span is to be stored as hashed whatever this installation's policy.
    pub fn imported_content(&self, attrs: &mut Map<String, Value>) -> (Vec<ContentField>, bool) {
        let policy = attrs.remove(c::LOUPE_CONTENT_POLICY);
        let hashed_there = policy.as_ref().and_then(Value::as_str) == Some(ContentPolicy::Hashed.as_str());
        let Some(fields) = attrs.remove(c::LOUPE_CONTENT) else { return (Vec::new(), hashed_there) };
        let mut fields: Vec<ContentField> = fields.as_str().and_then(|s| serde_json::from_str(s).ok()).unwrap_or_default();
        if hashed_there || self.policy == ContentPolicy::Hashed || policy.is_none() {
            for f in &mut fields {
                f.text = None;
            }
        }
        (fields, hashed_there)
    }

    /// Moves content attributes out of `attrs` into fingerprints.
    pub fn split_content(&self, attrs: Map<String, Value>) -> (Map<String, Value>, Vec<ContentField>) {
        if !attrs.keys().any(|k| c::is_content_key(k)) {
            return (attrs, Vec::new());
        }
        let (content, kept): (Vec<_>, Vec<_>) = attrs.into_iter().partition(|(k, _)| c::is_content_key(k));
        let kept: Map<String, Value> = kept.into_iter().collect();
        let fields = content
            .into_iter()
            .map(|(key, value)| {
                let role = sibling_role(&kept, &key);
                self.fingerprint(key, &value, role)
            })
            .collect();
        (kept, fields)
    }

    /// Same for an event's attributes: all text of a `gen_ai.*` message event is
    /// content, and content keys are content in any event.
    pub fn split_event_content(&self, name: &str, attrs: Map<String, Value>) -> (Map<String, Value>, Vec<ContentField>) {
        let message_event = name.starts_with(c::CONTENT_EVENT_PREFIX);
        let is_content = |k: &str, v: &Value| {
            c::is_content_key(k) || (message_event && !c::CONTENT_EVENT_STRUCTURE_KEYS.contains(&k) && !v.is_number() && !v.is_boolean())
        };
        let (content, kept): (Vec<_>, Vec<_>) = attrs.into_iter().partition(|(k, v)| is_content(k, v));
        let kept: Map<String, Value> = kept.into_iter().collect();
        let role = kept.get("role").and_then(Value::as_str).map(str::to_string);
        let fields = content.into_iter().map(|(key, value)| self.fingerprint(format!("{name}/{key}"), &value, role.as_deref())).collect();
        (kept, fields)
    }

    fn fingerprint(&self, key: String, value: &Value, role: Option<&str>) -> ContentField {
        let text = match value {
            Value::String(s) => Cow::Borrowed(s.as_str()),
            other => Cow::Owned(other.to_string()),
        };
        let hash = blake3::keyed_hash(&self.key, text.as_bytes());
        ContentField {
            key,
            hash: format!("blake3:{}", &hash.to_hex()[..32]),
            chars: text.chars().count() as u64,
            summary: content::summarize(&text, role),
            text: (self.policy == ContentPolicy::Captured).then(|| text.into_owned()),
        }
    }

    /// Scrubs personal data and secrets from a string that is kept.
    pub fn scrub<'a>(&self, s: &'a str) -> Cow<'a, str> {
        scrub::scrub(s)
    }

    /// Scrubs every string in an attribute map, recursively.
    pub fn scrub_map(&self, attrs: &mut Map<String, Value>) {
        attrs.values_mut().for_each(scrub_value);
    }
}

fn scrub_value(value: &mut Value) {
    match value {
        Value::String(s) => {
            if let Cow::Owned(clean) = scrub::scrub(s) {
                *s = clean;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_value),
        Value::Object(map) => map.values_mut().for_each(scrub_value),
        _ => {}
    }
}

/// The role that flattened conventions store beside a message's content:
/// `llm.input_messages.0.message.role` for `llm.input_messages.0.message.content`,
/// `gen_ai.prompt.0.role` for `gen_ai.prompt.0.content`.
fn sibling_role<'a>(kept: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    let (prefix, _) = key.rsplit_once('.')?;
    kept.get(&format!("{prefix}.role")).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn privacy(policy: ContentPolicy) -> Privacy {
        Privacy::new(policy, [7; 32])
    }

    #[test]
    fn content_becomes_a_fingerprint_and_structure_stays() {
        let attrs = json!({
            "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "Cheapest flight for Carol White",
            "gen_ai.request.model": "gpt-4o-mini",
        });
        let (kept, content) = privacy(ContentPolicy::Hashed).split_content(attrs.as_object().unwrap().clone());
        assert_eq!(kept.len(), 2);
        assert_eq!(content.len(), 1);
        let field = &content[0];
        assert_eq!(field.key, "gen_ai.prompt.0.content");
        assert_eq!(field.chars, 31);
        assert_eq!(field.summary, "user message, 31 chars");
        assert!(field.text.is_none());
        assert!(field.hash.starts_with("blake3:"));
    }

    #[test]
    fn hashes_are_equal_for_equal_content_and_depend_on_the_key() {
        let value = json!("same prompt");
        let a = privacy(ContentPolicy::Hashed).fingerprint("k".into(), &value, None);
        let b = privacy(ContentPolicy::Hashed).fingerprint("k".into(), &value, None);
        let other = Privacy::new(ContentPolicy::Hashed, [8; 32]).fingerprint("k".into(), &value, None);
        assert_eq!(a.hash, b.hash);
        assert_ne!(a.hash, other.hash);
        assert_ne!(a.hash, format!("blake3:{}", &blake3::hash(b"same prompt").to_hex()[..32]));
    }

    #[test]
    fn capture_keeps_the_text() {
        let value = json!("hello");
        let field = privacy(ContentPolicy::Captured).fingerprint("input.value".into(), &value, None);
        assert_eq!(field.text.as_deref(), Some("hello"));
    }

    #[test]
    fn message_events_are_content_except_structure() {
        let attrs = json!({"content": "hi there", "role": "user", "index": 0});
        let (kept, content) = privacy(ContentPolicy::Hashed).split_event_content("gen_ai.user.message", attrs.as_object().unwrap().clone());
        assert_eq!(kept.len(), 2);
        assert_eq!(content[0].key, "gen_ai.user.message/content");
        assert_eq!(content[0].summary, "user message, 8 chars");
    }

    #[test]
    fn nested_strings_are_scrubbed() {
        let mut attrs = json!({"a": ["mail bob@example.org"], "b": {"c": "key sk-abcdefghijklmnop1234"}});
        privacy(ContentPolicy::Hashed).scrub_map(attrs.as_object_mut().unwrap());
        let text = attrs.to_string();
        assert!(!text.contains("bob@example.org") && !text.contains("sk-abc"), "{text}");
    }
}
