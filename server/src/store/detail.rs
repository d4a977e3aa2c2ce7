//! The JSON document kept in `span_details`: everything about a span that is large
//! and read only when its trace is opened.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::domain::{ContentField, Span, SpanEvent, SpanLink};

#[derive(Serialize)]
struct DetailRef<'a> {
    attributes: &'a Map<String, Value>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    events: &'a [SpanEvent],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    links: &'a [SpanLink],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    content: &'a [ContentField],
    #[serde(skip_serializing_if = "Option::is_none")]
    scope: &'a Option<String>,
}

/// A stored span's details, read back.
#[derive(Deserialize, Default)]
pub struct Detail {
    #[serde(default)]
    pub attributes: Map<String, Value>,
    #[serde(default)]
    pub events: Vec<SpanEvent>,
    #[serde(default)]
    pub links: Vec<SpanLink>,
    #[serde(default)]
    pub content: Vec<ContentField>,
    #[serde(default)]
    pub scope: Option<String>,
}

pub fn detail_json(span: &Span) -> String {
    serde_json::to_string(&DetailRef {
        attributes: &span.attributes,
        events: &span.events,
        links: &span.links,
        content: &span.content,
        scope: &span.scope,
    })
    .expect("span details serialize")
}

pub fn parse_detail(json: &str) -> Detail {
    // Written by this program; a row that does not parse is shown without details
    // rather than failing the whole trace.
    serde_json::from_str(json).unwrap_or_default()
}
