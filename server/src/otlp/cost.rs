//! What an export will cost once decoded, read from its bytes before any struct
//! is built. A 2-byte empty span on the wire becomes a few hundred bytes in
//! memory, so a 16 MiB body can decode to gigabytes: the byte limit alone does
//! not bound memory. Both scans allocate nothing per element and run in one pass.
//!
//! - Protobuf: a walk of the wire format knowing which fields of the trace
//!   messages are messages (<https://protobuf.dev/programming-guides/encoding/>),
//!   counting spans and adding each decoded struct's size.
//! - JSON: spans counted through a serde visitor that ignores everything else,
//!   and every `{` outside strings priced as a decoded message.

use std::mem::size_of;

use opentelemetry_proto::tonic::common::v1::{AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

/// prost refuses messages nested deeper than this; so does the scan.
const MAX_DEPTH: u32 = 100;

/// What decoding a request will take.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    pub spans: u64,
    /// An upper estimate of the decoded request's memory, in bytes.
    pub decoded_bytes: u64,
}

/// The messages of `ExportTraceServiceRequest` and what they contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Msg {
    Request,
    ResourceSpans,
    Resource,
    EntityRef,
    ScopeSpans,
    Scope,
    Span,
    Event,
    Link,
    Status,
    KeyValue,
    AnyValue,
    ArrayValue,
    KeyValueList,
}

impl Msg {
    /// The message type of field `field`, when it is a message field.
    /// <https://github.com/open-telemetry/opentelemetry-proto/tree/main/opentelemetry/proto>
    fn child(self, field: u64) -> Option<Msg> {
        use Msg::*;
        Some(match (self, field) {
            (Request, 1) => ResourceSpans,
            (ResourceSpans, 1) => Resource,
            (ResourceSpans, 2) => ScopeSpans,
            (Resource, 1) => KeyValue,
            (Resource, 3) => EntityRef,
            (ScopeSpans, 1) => Scope,
            (ScopeSpans, 2) => Span,
            (Scope, 3) => KeyValue,
            (Span, 9) => KeyValue,
            (Span, 11) => Event,
            (Span, 13) => Link,
            (Span, 15) => Status,
            (Event, 3) => KeyValue,
            (Link, 4) => KeyValue,
            (KeyValue, 2) => AnyValue,
            (AnyValue, 5) => ArrayValue,
            (AnyValue, 6) => KeyValueList,
            (ArrayValue, 1) => AnyValue,
            (KeyValueList, 1) => KeyValue,
            _ => return None,
        })
    }

    /// The decoded struct's size. Counted twice: a repeated field's `Vec`
    /// grows by doubling, so up to half of it is spare capacity.
    fn decoded_size(self) -> u64 {
        let size = match self {
            Msg::Request | Msg::ResourceSpans => size_of::<ResourceSpans>(),
            Msg::Resource => size_of::<Resource>(),
            Msg::EntityRef => size_of::<EntityRef>(),
            Msg::ScopeSpans => size_of::<ScopeSpans>(),
            Msg::Scope => size_of::<InstrumentationScope>(),
            Msg::Span => size_of::<Span>(),
            Msg::Event => size_of::<Event>(),
            Msg::Link => size_of::<Link>(),
            Msg::Status => size_of::<Status>(),
            Msg::KeyValue => size_of::<KeyValue>(),
            Msg::AnyValue => size_of::<AnyValue>(),
            Msg::ArrayValue => size_of::<ArrayValue>(),
            Msg::KeyValueList => size_of::<KeyValueList>(),
        };
        2 * size as u64
    }
}

/// The largest decoded message but a span: what one JSON object may cost.
fn largest_other() -> u64 {
    [Msg::ResourceSpans, Msg::Resource, Msg::EntityRef, Msg::ScopeSpans, Msg::Scope, Msg::Event, Msg::Link, Msg::Status, Msg::KeyValue, Msg::AnyValue]
        .iter()
        .map(|m| m.decoded_size())
        .max()
        .unwrap_or(0)
}

/// The cost of a protobuf `ExportTraceServiceRequest`; an error for bytes that
/// are not a well-formed protobuf message (prost would refuse them too).
pub fn protobuf(bytes: &[u8]) -> Result<Cost, String> {
    let mut cost = Cost { spans: 0, decoded_bytes: Msg::Request.decoded_size() };
    walk(bytes, Msg::Request, 0, &mut cost)?;
    Ok(cost)
}

fn walk(mut rest: &[u8], msg: Msg, depth: u32, cost: &mut Cost) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("messages are nested more than {MAX_DEPTH} deep"));
    }
    while !rest.is_empty() {
        let key = varint(&mut rest)?;
        let (field, wire_type) = (key >> 3, key & 7);
        match wire_type {
            0 => {
                varint(&mut rest)?;
            }
            1 => {
                take(&mut rest, 8)?;
            }
            5 => {
                take(&mut rest, 4)?;
            }
            2 => {
                let len = usize::try_from(varint(&mut rest)?).map_err(|_| "a length does not fit in memory".to_string())?;
                let body = take(&mut rest, len)?;
                match msg.child(field) {
                    Some(child) => {
                        cost.decoded_bytes += child.decoded_size();
                        cost.spans += u64::from(child == Msg::Span);
                        walk(body, child, depth + 1, cost)?;
                    }
                    // A string or bytes: its contents, and a `Vec` header when repeated.
                    None => cost.decoded_bytes += len as u64 + 24,
                }
            }
            other => return Err(format!("wire type {other} (groups) is not used by OTLP")),
        }
    }
    Ok(())
}

fn varint(rest: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for i in 0..10 {
        let (&byte, tail) = rest.split_first().ok_or("the message ends inside a number")?;
        *rest = tail;
        value |= u64::from(byte & 0x7f) << (7 * i);
        if byte < 0x80 {
            return Ok(value);
        }
    }
    Err("a number is longer than 10 bytes".into())
}

fn take<'a>(rest: &mut &'a [u8], n: usize) -> Result<&'a [u8], String> {
    if rest.len() < n {
        return Err(format!("a field says it is {n} bytes long but only {} remain", rest.len()));
    }
    let (head, tail) = rest.split_at(n);
    *rest = tail;
    Ok(head)
}

/// The cost of an OTLP/JSON `ExportTraceServiceRequest`; an error for bytes
/// that are not JSON of that shape (the decoder would refuse them too).
pub fn json(bytes: &[u8]) -> Result<Cost, String> {
    let shape: json_shape::Request = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
    let spans = shape.resource_spans.0;
    let objects = count_objects(bytes);
    let others = objects.saturating_sub(spans);
    let decoded_bytes = bytes.len() as u64 + spans * Msg::Span.decoded_size() + others * largest_other();
    Ok(Cost { spans, decoded_bytes })
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
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use prost::Message;

    fn request(spans: usize, attrs: usize) -> ExportTraceServiceRequest {
        let kv = KeyValue { key: "k".into(), value: Some(AnyValue { value: Some(opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue("v".into())) }), ..Default::default() };
        let span = Span { name: "s".into(), trace_id: vec![1; 16], span_id: vec![2; 8], attributes: vec![kv; attrs], ..Default::default() };
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans { scope_spans: vec![ScopeSpans { spans: vec![span; spans], ..Default::default() }], ..Default::default() }],
        }
    }

    #[test]
    fn protobuf_counts_spans_and_prices_structs() {
        let bytes = request(3, 2).encode_to_vec();
        let cost = protobuf(&bytes).unwrap();
        assert_eq!(cost.spans, 3);
        assert!(cost.decoded_bytes >= 3 * size_of::<Span>() as u64 + 6 * size_of::<KeyValue>() as u64, "{cost:?}");
        assert_eq!(protobuf(&[]).unwrap().spans, 0);
    }

    #[test]
    fn empty_spans_are_priced_as_decoded_not_as_sent() {
        // The bomb's shape: spans of 2 bytes each on the wire.
        let bytes = request(10_000, 0).encode_to_vec();
        let plain = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans { scope_spans: vec![ScopeSpans { spans: vec![Span::default(); 10_000], ..Default::default() }], ..Default::default() }],
        }
        .encode_to_vec();
        assert!(plain.len() < 30_000, "{}", plain.len());
        let cost = protobuf(&plain).unwrap();
        assert_eq!(cost.spans, 10_000);
        assert!(cost.decoded_bytes > 100 * plain.len() as u64, "{cost:?} for {} bytes", plain.len());
        assert_eq!(protobuf(&bytes).unwrap().spans, 10_000);
    }

    #[test]
    fn malformed_protobuf_is_an_error() {
        let bytes = request(1, 1).encode_to_vec();
        assert!(protobuf(&bytes[..bytes.len() - 3]).is_err());
        assert!(protobuf(&[0x0b]).unwrap_err().contains("groups"));
        // Nested arrays deeper than prost allows.
        let mut deep = vec![];
        for _ in 0..200 {
            let mut outer = vec![0x2a]; // AnyValue.array_value (5, len)
            let mut arr = vec![0x0a]; // ArrayValue.values (1, len)
            prost::encoding::encode_varint(deep.len() as u64, &mut arr);
            arr.extend_from_slice(&deep);
            prost::encoding::encode_varint(arr.len() as u64, &mut outer);
            outer.extend_from_slice(&arr);
            deep = outer;
        }
        let mut kv = vec![0x12];
        prost::encoding::encode_varint(deep.len() as u64, &mut kv);
        kv.extend_from_slice(&deep);
        let mut span = vec![0x4a];
        prost::encoding::encode_varint(kv.len() as u64, &mut span);
        span.extend_from_slice(&kv);
        let mut ss = vec![0x12];
        prost::encoding::encode_varint(span.len() as u64, &mut ss);
        ss.extend_from_slice(&span);
        let mut rs = vec![0x12];
        prost::encoding::encode_varint(ss.len() as u64, &mut rs);
        rs.extend_from_slice(&ss);
        let mut req = vec![0x0a];
        prost::encoding::encode_varint(rs.len() as u64, &mut req);
        req.extend_from_slice(&rs);
        assert!(protobuf(&req).unwrap_err().contains("nested"));
        assert!(ExportTraceServiceRequest::decode(req.as_slice()).is_err());
    }

    #[test]
    fn json_counts_spans_across_resources_and_scopes() {
        let body = br#"{"resourceSpans":[{"resource":{"attributes":[]},"scopeSpans":[{"spans":[{},{"name":"a {"}]},{"spans":[{}]}]},{"scopeSpans":null}]}"#;
        let cost = json(body).unwrap();
        assert_eq!(cost.spans, 3);
        assert_eq!(count_objects(body), 9);
        assert!(json(b"{}").unwrap().spans == 0);
        assert!(json(br#"{"resourceSpans":{}}"#).is_err());
        assert!(json(b"[1,").is_err());
    }

    #[test]
    fn json_empty_spans_are_priced_as_decoded() {
        let body = format!(r#"{{"resourceSpans":[{{"scopeSpans":[{{"spans":[{}]}}]}}]}}"#, vec!["{}"; 10_000].join(","));
        let cost = json(body.as_bytes()).unwrap();
        assert_eq!(cost.spans, 10_000);
        assert!(cost.decoded_bytes > 50 * body.len() as u64, "{cost:?}");
    }
}
