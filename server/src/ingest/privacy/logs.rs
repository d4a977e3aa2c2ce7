//! The content policy for log records. A GenAI event record (the semantic
//! conventions' `gen_ai.user.message`, `gen_ai.choice`,
//! `gen_ai.client.inference.operation.details`, …) carries prompts and
//! completions in its body and attributes: they become fingerprints, as content
//! attributes on spans do. Every other body is kept, scrubbed.
//! <https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-events/>

use serde_json::{Map, Value};

use super::{Privacy, scrub_value};
use crate::domain::ContentField;
use crate::domain::conventions as c;

impl Privacy {
    /// A record's body and attributes under the policy: what is kept (scrubbed),
    /// and the fingerprints of what was content.
    pub fn split_log(
        &self,
        event_name: Option<&str>,
        body: Value,
        attributes: Map<String, Value>,
    ) -> (Value, Map<String, Value>, Vec<ContentField>) {
        let genai_event = event_name.is_some_and(|n| n.starts_with(c::CONTENT_EVENT_PREFIX));
        let (mut attributes, mut content) = match event_name.filter(|_| genai_event) {
            Some(name) => self.split_event_content(name, attributes),
            None => self.split_content(attributes),
        };
        self.scrub_map(&mut attributes);
        let body = match body {
            Value::Null => Value::Null,
            body if genai_event => {
                let role = body.get("role").and_then(Value::as_str).map(str::to_string);
                content.insert(0, self.fingerprint(format!("{}/body", event_name.unwrap_or_default()), &body, role.as_deref()));
                Value::Null
            }
            mut body => {
                scrub_value(&mut body);
                body
            }
        };
        (body, attributes, content)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::domain::ContentPolicy;

    #[test]
    fn genai_event_bodies_become_fingerprints_and_other_bodies_are_scrubbed() {
        let privacy = Privacy::new(ContentPolicy::Hashed, [3; 32]);
        let body = json!({"role": "user", "content": "Book a hotel for Carol White"});
        let (kept, attrs, content) =
            privacy.split_log(Some("gen_ai.user.message"), body, json!({"gen_ai.system": "openai"}).as_object().unwrap().clone());
        assert_eq!(kept, Value::Null);
        assert_eq!(attrs.len(), 1);
        assert_eq!(content[0].key, "gen_ai.user.message/body");
        assert!(!serde_json::to_string(&content).unwrap().contains("Carol"));

        let (kept, _, content) = privacy.split_log(None, json!("card 4111 1111 1111 1111 declined for bob@example.org"), Map::new());
        let text = kept.as_str().unwrap();
        assert!(content.is_empty() && text.contains("declined") && !text.contains("4111") && !text.contains("bob@"), "{text}");

        let captured = Privacy::new(ContentPolicy::Captured, [3; 32]);
        let (_, _, content) = captured.split_log(Some("gen_ai.choice"), json!({"message": {"content": "Hotel Lisboa"}}), Map::new());
        assert!(content[0].text.as_deref().unwrap().contains("Hotel Lisboa"));
    }
}
