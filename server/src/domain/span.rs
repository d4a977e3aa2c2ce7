//! Loupe's own span type and its typed ids.
//!
//! Transport (OTLP) types never reach this module, and storage types never leave
//! the store. Read-side types that the browser sees live in `app::model`.

use std::fmt;
use std::sync::Arc;

pub use app::model::{ContentField, ContentPolicy, ExceptionInfo, SpanEvent, SpanLink, SpanStatus, StepKind, Tokens};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// An id that could not be accepted, with what is wrong with it.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("{what} must be {expected} bytes ({} hex characters), got {got} bytes", expected * 2)]
    Length { what: &'static str, expected: usize, got: usize },
    #[error("{what} must be hexadecimal, got {input:?}")]
    NotHex { what: &'static str, input: String },
    #[error("{what} is all zeros, which OpenTelemetry defines as invalid")]
    Zero { what: &'static str },
}

macro_rules! hex_id {
    ($name:ident, $len:literal, $what:literal) => {
        #[doc = concat!("A ", $what, ": ", stringify!($len), " bytes, shown as lowercase hex.")]
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub [u8; $len]);

        impl $name {
            /// From raw bytes as OTLP protobuf carries them.
            pub fn from_bytes(bytes: &[u8]) -> Result<Self, IdError> {
                let arr: [u8; $len] = bytes.try_into().map_err(|_| IdError::Length { what: $what, expected: $len, got: bytes.len() })?;
                if arr == [0; $len] {
                    return Err(IdError::Zero { what: $what });
                }
                Ok(Self(arr))
            }

            /// From hex text (any case), as URLs and OTLP JSON carry them.
            pub fn parse(hex: &str) -> Result<Self, IdError> {
                let not_hex = || IdError::NotHex { what: $what, input: hex.chars().take(80).collect() };
                if hex.len() % 2 != 0 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(not_hex());
                }
                let bytes: Vec<u8> = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(&hex[i..i + 2], 16))
                    .collect::<Result<_, _>>()
                    .map_err(|_| not_hex())?;
                Self::from_bytes(&bytes)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        /// As its hex text (the pending spans of tail sampling are stored as JSON).
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let hex = std::borrow::Cow::<str>::deserialize(d)?;
                Self::parse(&hex).map_err(serde::de::Error::custom)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }
    };
}

hex_id!(TraceId, 16, "trace id");

impl TraceId {
    /// A new random id (for Loupe's own requests and the self-trace token).
    pub fn random() -> TraceId {
        let mut bytes = [0u8; 16];
        if getrandom::fill(&mut bytes).is_err() || bytes == [0; 16] {
            // Unreachable in practice; a time-derived id still separates requests.
            bytes.copy_from_slice(&(super::time::now_ns() as u128 | 1).to_be_bytes());
        }
        TraceId(bytes)
    }
}
hex_id!(SpanId, 8, "span id");

/// Attributes of the process that produced spans (service name, SDK, host, …),
/// shared by all spans of one OTLP `ResourceSpans` and stored once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    pub service: String,
    pub attributes: Map<String, Value>,
    /// Content hash of the attributes: the resource's key in the store.
    pub key: String,
}

impl Resource {
    pub fn new(attributes: Map<String, Value>) -> Self {
        let service = attributes.get(super::conventions::SERVICE_NAME).and_then(Value::as_str).unwrap_or("unknown_service").to_string();
        let canonical = serde_json::to_vec(&attributes).unwrap_or_default();
        let key = blake3::hash(&canonical).to_hex()[..32].to_string();
        Self { service, attributes, key }
    }
}

/// LLM-specific facts about a span, when it has them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GenAi {
    pub request_model: Option<String>,
    pub response_model: Option<String>,
    pub provider: Option<String>,
    pub tokens: Tokens,
    pub tool_name: Option<String>,
}

/// A span after normalization, redaction and scrubbing: ready to store.
/// Serializable so that tail sampling can hold a span on disk until its trace
/// is decided, in the same redacted form the spans table would hold.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Span {
    pub trace_id: TraceId,
    pub span_id: SpanId,
    pub parent_span_id: Option<SpanId>,
    pub name: String,
    /// The name with per-call parts folded (`case {n}`): the latency rollup's key.
    pub step: String,
    pub kind: StepKind,
    #[serde(deserialize_with = "otel_kind")]
    pub otel_kind: KindName,
    pub start_ns: i64,
    pub end_ns: i64,
    pub status: SpanStatus,
    pub status_message: Option<String>,
    pub gen_ai: GenAi,
    pub user_id: Option<String>,
    pub session_id: Option<String>,
    pub events: Vec<SpanEvent>,
    pub links: Vec<SpanLink>,
    pub attributes: Map<String, Value>,
    #[serde(serialize_with = "shared_resource", deserialize_with = "own_resource")]
    pub resource: Arc<Resource>,
    pub scope: Option<String>,
    pub content: Vec<ContentField>,
    pub content_policy: ContentPolicy,
    /// Set by ingest from the price book in force (`pricing` in ingest).
    pub cost: super::cost::Costing,
}

/// One of [`OTEL_KINDS`]. An alias because serde's derive borrows a field
/// written `&str` from its input (requiring `'static` input here); the kind is
/// matched to a static name instead.
pub type KindName = &'static str;

/// OpenTelemetry's span kinds, as ingest names them.
pub const OTEL_KINDS: [&str; 5] = ["internal", "server", "client", "producer", "consumer"];

fn otel_kind<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    let name = std::borrow::Cow::<str>::deserialize(d)?;
    Ok(OTEL_KINDS.into_iter().find(|k| *k == name).unwrap_or("internal"))
}

fn shared_resource<S: Serializer>(r: &Arc<Resource>, s: S) -> Result<S::Ok, S::Error> {
    r.as_ref().serialize(s)
}

fn own_resource<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<Resource>, D::Error> {
    Resource::deserialize(d).map(Arc::new)
}

impl Span {
    pub fn duration_ns(&self) -> i64 {
        self.end_ns - self.start_ns
    }

    pub fn is_error(&self) -> bool {
        self.status == SpanStatus::Error
    }

    /// The model that served the call: the response model when the provider said,
    /// else the one requested.
    pub fn model(&self) -> Option<&str> {
        self.gen_ai.response_model.as_deref().or(self.gen_ai.request_model.as_deref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_any_case_and_print_lowercase() {
        let id = TraceId::parse("93E9F0E947FB4E71E3293EBA759EF8AA").unwrap();
        assert_eq!(id.to_string(), "93e9f0e947fb4e71e3293eba759ef8aa");
        assert_eq!(SpanId::parse("b14172fd87c16665").unwrap().to_string(), "b14172fd87c16665");
    }

    #[test]
    fn ids_reject_wrong_length_non_hex_and_zero() {
        assert!(matches!(TraceId::parse("abcd"), Err(IdError::Length { got: 2, .. })));
        assert!(matches!(SpanId::parse("zz4172fd87c16665"), Err(IdError::NotHex { .. })));
        assert!(matches!(SpanId::parse("abc"), Err(IdError::NotHex { .. })));
        assert!(matches!(SpanId::from_bytes(&[0; 8]), Err(IdError::Zero { .. })));
        assert!(matches!(TraceId::from_bytes(&[1; 8]), Err(IdError::Length { expected: 16, .. })));
        let msg = TraceId::from_bytes(&[1; 3]).unwrap_err().to_string();
        assert!(msg.contains("16 bytes (32 hex characters)"), "{msg}");
    }
}
