//! The JSON half of [`super`]: OTLP/JSON requests priced before decoding.

use super::{Cost, Msg, largest_other};

/// The cost of an OTLP/JSON `ExportTraceServiceRequest`; an error for bytes
/// that are not JSON of that shape (the decoder would refuse them too).
pub fn json(bytes: &[u8]) -> Result<Cost, String> {
    let shape: json_shape::Request = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(priced(bytes, shape.resource_spans.0, Msg::Span))
}

/// The cost of an OTLP/JSON `ExportLogsServiceRequest`, as [`json`].
pub fn json_logs(bytes: &[u8]) -> Result<Cost, String> {
    let shape: json_shape::LogsRequest = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    Ok(priced(bytes, shape.resource_logs.0, Msg::LogRecord))
}

/// `records` priced as `record` messages, every other object as the largest other.
fn priced(bytes: &[u8], records: u64, record: Msg) -> Cost {
    let objects = count_objects(bytes);
    let others = objects.saturating_sub(records);
    let decoded_bytes = bytes.len() as u64 + records * record.decoded_size() + others * largest_other();
    Cost { records, decoded_bytes }
}

/// `{` outside JSON strings: every decoded message is one.
fn count_objects(bytes: &[u8]) -> u64 {
    let (mut objects, mut in_string, mut escaped) = (0u64, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
        } else if b == b'"' {
            in_string = true;
        } else if b == b'{' {
            objects += 1;
        }
    }
    objects
}

/// Just enough of the OTLP/JSON shape to count spans, with the field names of
/// opentelemetry-proto's serde (lowerCamelCase, as OTLP/JSON specifies).
mod json_shape {
    use std::fmt;
    use std::marker::PhantomData;

    use serde::Deserialize;
    use serde::de::{Deserializer, IgnoredAny, SeqAccess, Visitor};

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct Request {
        #[serde(default)]
        pub resource_spans: Sum<ResourceSpans>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ResourceSpans {
        #[serde(default)]
        scope_spans: Sum<ScopeSpans>,
    }

    #[derive(Deserialize)]
    pub struct ScopeSpans {
        #[serde(default)]
        spans: Sum<IgnoredAny>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct LogsRequest {
        #[serde(default)]
        pub resource_logs: Sum<ResourceLogs>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ResourceLogs {
        #[serde(default)]
        scope_logs: Sum<ScopeLogs>,
    }

    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct ScopeLogs {
        #[serde(default)]
        log_records: Sum<IgnoredAny>,
    }

    impl Spans for ResourceLogs {
        fn spans(&self) -> u64 {
            self.scope_logs.0
        }
    }
    impl Spans for ScopeLogs {
        fn spans(&self) -> u64 {
            self.log_records.0
        }
    }

    /// Something that holds some spans.
    pub trait Spans {
        fn spans(&self) -> u64;
    }
    impl Spans for ResourceSpans {
        fn spans(&self) -> u64 {
            self.scope_spans.0
        }
    }
    impl Spans for ScopeSpans {
        fn spans(&self) -> u64 {
            self.spans.0
        }
    }
    impl Spans for IgnoredAny {
        fn spans(&self) -> u64 {
            1
        }
    }

    /// The spans of an array's elements, summed as they are read (nothing kept).
    pub struct Sum<T>(pub u64, PhantomData<T>);

    impl<T> Default for Sum<T> {
        fn default() -> Self {
            Sum(0, PhantomData)
        }
    }

    impl<'de, T: Deserialize<'de> + Spans> Deserialize<'de> for Sum<T> {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct V<T>(PhantomData<T>);
            impl<'de, T: Deserialize<'de> + Spans> Visitor<'de> for V<T> {
                type Value = Sum<T>;
                fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                    f.write_str("an array")
                }
                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Sum<T>, A::Error> {
                    let mut total = 0u64;
                    while let Some(item) = seq.next_element::<T>()? {
                        total += item.spans();
                    }
                    Ok(Sum(total, PhantomData))
                }
                fn visit_unit<E>(self) -> Result<Sum<T>, E> {
                    Ok(Sum::default())
                }
            }
            d.deserialize_any(V(PhantomData))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_counts_log_records() {
        let body = br#"{"resourceLogs":[{"scopeLogs":[{"logRecords":[{},{"body":{"stringValue":"x {"}}]}]}]}"#;
        assert_eq!(json_logs(body).unwrap().records, 2);
        assert!(json_logs(br#"{"resourceLogs":{}}"#).is_err());
    }

    #[test]
    fn json_counts_spans_across_resources_and_scopes() {
        let body = br#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{},{"name":"a {"}]},{"spans":[{}]}]},{"scopeSpans":null}]}"#;
        let cost = json(body).unwrap();
        assert_eq!(cost.records, 3);
        assert_eq!(count_objects(body), 9);
        assert!(json(b"{}").unwrap().records == 0);
        assert!(json(br#"{"resourceSpans":{}}"#).is_err());
        assert!(json(b"[1,").is_err());
    }

    #[test]
    fn json_empty_spans_are_priced_as_decoded() {
        let body = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#, vec!["{}"; 10_000].join(","));
        let cost = json(body.as_bytes()).unwrap();
        assert_eq!(cost.records, 10_000);
        assert!(cost.decoded_bytes > 50 * body.len() as u64, "{cost:?}");
    }
}
