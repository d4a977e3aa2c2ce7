//! The JSON columns of `span_details`: written once at ingest, sent to readers as
//! stored.

use serde::Serialize;
use serde_json::value::RawValue;

use crate::domain::Span;

/// The four JSON columns of a span's details, in column order.
pub fn detail_columns(span: &Span) -> [String; 4] {
    [json(&span.attributes), json(&span.events), json(&span.links), json(&span.content)]
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("span details serialize")
}

/// A stored JSON column, checked but not parsed into a tree. A value that is not
/// JSON (it cannot be: this program wrote it) is replaced by `fallback`.
pub fn raw(text: String, fallback: &str) -> Box<RawValue> {
    RawValue::from_string(text).unwrap_or_else(|_| RawValue::from_string(fallback.to_string()).expect("fallback is JSON"))
}
