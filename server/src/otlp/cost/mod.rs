//! What an export will cost once decoded, read from its bytes before any struct
//! is built. A 2-byte empty span on the wire becomes a few hundred bytes in
//! memory, so a 16 MiB body can decode to gigabytes: the byte limit alone does
//! not bound memory. Both scans allocate nothing per element and run in one pass.
//!
//! - Protobuf: a walk of the wire format knowing which fields of the trace
//!   messages are messages (<https://protobuf.dev/programming-guides/encoding/>),
//!   counting spans and adding each decoded struct's size.
//! - JSON ([`json`]): spans counted through a serde visitor that ignores
//!   everything else, and every `{` outside strings priced as a decoded message.

use std::mem::size_of;

use opentelemetry_proto::tonic::common::v1::{AnyValue, ArrayValue, EntityRef, InstrumentationScope, KeyValue, KeyValueList};
use opentelemetry_proto::tonic::logs::v1::{LogRecord, ResourceLogs, ScopeLogs};
use opentelemetry_proto::tonic::resource::v1::Resource;
use opentelemetry_proto::tonic::trace::v1::span::{Event, Link};
use opentelemetry_proto::tonic::trace::v1::{ResourceSpans, ScopeSpans, Span, Status};

/// prost refuses messages nested deeper than this; so does the scan.
const MAX_DEPTH: u32 = 100;

mod json;
pub use json::{json, json_logs};

/// What decoding a request will take.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Cost {
    /// Spans, or log records in a logs export.
    pub records: u64,
    /// An upper estimate of the decoded request's memory, in bytes.
    pub decoded_bytes: u64,
}

/// The messages of `ExportTraceServiceRequest` and `ExportLogsServiceRequest`
/// and what they contain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Msg {
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
    LogsRequest,
    ResourceLogs,
    ScopeLogs,
    LogRecord,
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
            (LogsRequest, 1) => ResourceLogs,
            (ResourceLogs, 1) => Resource,
            (ResourceLogs, 2) => ScopeLogs,
            (ScopeLogs, 1) => Scope,
            (ScopeLogs, 2) => LogRecord,
            (LogRecord, 5) => AnyValue,
            (LogRecord, 6) => KeyValue,
            _ => return None,
        })
    }

    /// The decoded struct's size. Counted twice: a repeated field's `Vec`
    /// grows by doubling, so up to half of it is spare capacity.
    pub(super) fn decoded_size(self) -> u64 {
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
            Msg::LogsRequest | Msg::ResourceLogs => size_of::<ResourceLogs>(),
            Msg::ScopeLogs => size_of::<ScopeLogs>(),
            Msg::LogRecord => size_of::<LogRecord>(),
        };
        2 * size as u64
    }
}

/// The largest decoded message but a span: what one JSON object may cost.
pub(super) fn largest_other() -> u64 {
    [
        Msg::ResourceSpans,
        Msg::Resource,
        Msg::EntityRef,
        Msg::ScopeSpans,
        Msg::Scope,
        Msg::Event,
        Msg::Link,
        Msg::Status,
        Msg::KeyValue,
        Msg::AnyValue,
        Msg::ResourceLogs,
        Msg::ScopeLogs,
    ]
    .iter()
    .map(|m| m.decoded_size())
    .max()
    .unwrap_or(0)
}

/// The cost of a protobuf `ExportTraceServiceRequest`; an error for bytes that
/// are not a well-formed protobuf message (prost would refuse them too).
pub fn protobuf(bytes: &[u8]) -> Result<Cost, String> {
    scan(bytes, Msg::Request)
}

/// The cost of a protobuf `ExportLogsServiceRequest`, as [`protobuf`].
pub fn protobuf_logs(bytes: &[u8]) -> Result<Cost, String> {
    scan(bytes, Msg::LogsRequest)
}

fn scan(bytes: &[u8], root: Msg) -> Result<Cost, String> {
    let mut cost = Cost { records: 0, decoded_bytes: root.decoded_size() };
    walk(bytes, root, 0, &mut cost)?;
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
                        cost.records += u64::from(child == Msg::Span || child == Msg::LogRecord);
                        walk(body, child, depth + 1, cost)?;
                    }
                    // A string or bytes: its contents, and a `Vec` header when repeated.
                    None => cost.decoded_bytes += len as u64 + 24,
                }
            }
            // A group: OTLP defines none, so it is an unknown field, which prost
            // skips (without allocating); so does the scan.
            3 => skip_group(&mut rest, field, 0)?,
            other => return Err(format!("wire type {other} where no group was open")),
        }
    }
    Ok(())
}

/// Skips to the end of group `field`, nested groups included.
fn skip_group(rest: &mut &[u8], field: u64, depth: u32) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err(format!("groups are nested more than {MAX_DEPTH} deep"));
    }
    loop {
        let key = varint(rest)?;
        match key & 7 {
            0 => {
                varint(rest)?;
            }
            1 => {
                take(rest, 8)?;
            }
            5 => {
                take(rest, 4)?;
            }
            2 => {
                let len = usize::try_from(varint(rest)?).map_err(|_| "a length does not fit in memory".to_string())?;
                take(rest, len)?;
            }
            3 => skip_group(rest, key >> 3, depth + 1)?,
            4 if key >> 3 == field => return Ok(()),
            _ => return Err("a group ends where it did not begin".into()),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
    use prost::Message;

    fn request(spans: usize, attrs: usize) -> ExportTraceServiceRequest {
        let kv = KeyValue {
            key: "k".into(),
            value: Some(AnyValue { value: Some(opentelemetry_proto::tonic::common::v1::any_value::Value::StringValue("v".into())) }),
            ..Default::default()
        };
        let span = Span { name: "s".into(), trace_id: vec![1; 16], span_id: vec![2; 8], attributes: vec![kv; attrs], ..Default::default() };
        ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans { spans: vec![span; spans], ..Default::default() }],
                ..Default::default()
            }],
        }
    }

    #[test]
    fn protobuf_counts_spans_and_prices_structs() {
        let bytes = request(3, 2).encode_to_vec();
        let cost = protobuf(&bytes).unwrap();
        assert_eq!(cost.records, 3);
        assert!(cost.decoded_bytes >= 3 * size_of::<Span>() as u64 + 6 * size_of::<KeyValue>() as u64, "{cost:?}");
        assert_eq!(protobuf(&[]).unwrap().records, 0);
    }

    #[test]
    fn empty_spans_are_priced_as_decoded_not_as_sent() {
        // The bomb's shape: spans of 2 bytes each on the wire.
        let bytes = request(10_000, 0).encode_to_vec();
        let plain = ExportTraceServiceRequest {
            resource_spans: vec![ResourceSpans {
                scope_spans: vec![ScopeSpans { spans: vec![Span::default(); 10_000], ..Default::default() }],
                ..Default::default()
            }],
        }
        .encode_to_vec();
        assert!(plain.len() < 30_000, "{}", plain.len());
        let cost = protobuf(&plain).unwrap();
        assert_eq!(cost.records, 10_000);
        assert!(cost.decoded_bytes > 100 * plain.len() as u64, "{cost:?} for {} bytes", plain.len());
        assert_eq!(protobuf(&bytes).unwrap().records, 10_000);
    }

    #[test]
    fn protobuf_logs_count_records() {
        use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
        let record = LogRecord { body: Some(AnyValue::default()), attributes: vec![KeyValue::default(); 2], ..Default::default() };
        let request = ExportLogsServiceRequest {
            resource_logs: vec![ResourceLogs {
                scope_logs: vec![ScopeLogs { log_records: vec![record; 4], ..Default::default() }],
                ..Default::default()
            }],
        };
        let cost = protobuf_logs(&request.encode_to_vec()).unwrap();
        assert_eq!(cost.records, 4);
        assert!(cost.decoded_bytes >= 4 * size_of::<LogRecord>() as u64, "{cost:?}");
    }

    #[test]
    fn malformed_protobuf_is_an_error() {
        let bytes = request(1, 1).encode_to_vec();
        assert!(protobuf(&bytes[..bytes.len() - 3]).is_err());
        // An unknown group is skipped, as prost skips it.
        assert_eq!(protobuf(&[0x9b, 0x01, 0x08, 0x01, 0x9c, 0x01]).unwrap().records, 0);
        assert!(ExportTraceServiceRequest::decode([0x9b, 0x01, 0x08, 0x01, 0x9c, 0x01].as_slice()).is_ok());
        assert!(protobuf(&[0x0b]).is_err());
        assert!(protobuf(&[0x0c]).is_err());
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
}
