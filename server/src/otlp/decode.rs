//! OTLP/HTTP bodies in and out: protobuf or JSON, chosen by `Content-Type`, and
//! answered in the same encoding.

use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use prost::Message;

/// `google.rpc.Status`, the body of OTLP error responses.
/// <https://github.com/googleapis/googleapis/blob/master/google/rpc/status.proto>
#[derive(Clone, PartialEq, prost::Message)]
pub struct RpcStatus {
    #[prost(int32, tag = "1")]
    pub code: i32,
    #[prost(string, tag = "2")]
    pub message: String,
    /// `google.protobuf.Any` details (OTLP/gRPC's `RetryInfo`); empty in HTTP answers.
    #[prost(message, repeated, tag = "3")]
    pub details: Vec<Any>,
}

/// `google.protobuf.Any`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Any {
    #[prost(string, tag = "1")]
    pub type_url: String,
    #[prost(bytes = "vec", tag = "2")]
    pub value: Vec<u8>,
}

/// `google.rpc.Code` values used in status bodies.
pub mod code {
    pub const INVALID_ARGUMENT: i32 = 3;
    pub const PERMISSION_DENIED: i32 = 7;
    pub const RESOURCE_EXHAUSTED: i32 = 8;
    pub const UNAVAILABLE: i32 = 14;
    pub const UNAUTHENTICATED: i32 = 16;
}

/// `ExportTraceServiceResponse` and `ExportLogsServiceResponse` (the same
/// fields and tags) with `partial_success`, for protobuf and gRPC answers.
#[derive(Clone, PartialEq, prost::Message)]
pub struct PartialSuccessResponse {
    #[prost(message, optional, tag = "1")]
    partial_success: Option<PartialSuccess>,
}

impl PartialSuccessResponse {
    /// A success; `rejected > 0` makes it a partial success naming the problem.
    pub fn new(rejected: i64, message: &str) -> Self {
        let partial_success = (rejected > 0).then(|| PartialSuccess { rejected, error_message: message.to_string() });
        Self { partial_success }
    }
}

#[derive(Clone, PartialEq, prost::Message)]
struct PartialSuccess {
    /// `rejected_spans` or `rejected_log_records`.
    #[prost(int64, tag = "1")]
    rejected: i64,
    #[prost(string, tag = "2")]
    error_message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Protobuf,
    Json,
}

impl Encoding {
    /// The encoding a `Content-Type` names, if it is one OTLP/HTTP allows.
    pub fn from_content_type(content_type: &str) -> Option<Encoding> {
        let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/x-protobuf" | "application/protobuf" => Some(Encoding::Protobuf),
            "application/json" => Some(Encoding::Json),
            _ => None,
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Encoding::Protobuf => "application/x-protobuf",
            Encoding::Json => "application/json",
        }
    }
}

/// Decodes a request body; the error says why it could not be decoded.
pub fn decode_request(encoding: Encoding, body: &[u8]) -> Result<ExportTraceServiceRequest, String> {
    match encoding {
        Encoding::Protobuf => ExportTraceServiceRequest::decode(body)
            .map_err(|e| format!("the body is not a valid OTLP protobuf ExportTraceServiceRequest: {e}")),
        Encoding::Json => {
            serde_json::from_slice(body).map_err(|e| format!("the body is not a valid OTLP JSON ExportTraceServiceRequest: {e}"))
        }
    }
}

/// Decodes a logs request body; the error says why it could not be decoded.
pub fn decode_logs_request(encoding: Encoding, body: &[u8]) -> Result<ExportLogsServiceRequest, String> {
    match encoding {
        Encoding::Protobuf => ExportLogsServiceRequest::decode(body)
            .map_err(|e| format!("the body is not a valid OTLP protobuf ExportLogsServiceRequest: {e}")),
        Encoding::Json => {
            serde_json::from_slice(body).map_err(|e| format!("the body is not a valid OTLP JSON ExportLogsServiceRequest: {e}"))
        }
    }
}

/// What an export carries: its answer names its rejected items after them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Traces,
    Logs,
}

impl Signal {
    /// The partial success's count field in OTLP/JSON.
    fn rejected_field(self) -> &'static str {
        match self {
            Signal::Traces => "rejectedSpans",
            Signal::Logs => "rejectedLogRecords",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Traces => "traces",
            Signal::Logs => "logs",
        }
    }
}

/// A success answer; `rejected > 0` makes it a partial success naming the problem.
/// `ExportTracePartialSuccess` and `ExportLogsPartialSuccess` have the same
/// fields and tags, so one protobuf message answers both.
pub fn encode_response(encoding: Encoding, rejected: i64, message: &str) -> Vec<u8> {
    encode_signal_response(Signal::Traces, encoding, rejected, message)
}

pub fn encode_signal_response(signal: Signal, encoding: Encoding, rejected: i64, message: &str) -> Vec<u8> {
    match encoding {
        Encoding::Protobuf if rejected == 0 => Vec::new(),
        Encoding::Protobuf => PartialSuccessResponse::new(rejected, message).encode_to_vec(),
        Encoding::Json if rejected == 0 => b"{}".to_vec(),
        // OTLP JSON writes 64-bit integers as decimal strings.
        Encoding::Json => serde_json::json!({
            "partialSuccess": { signal.rejected_field(): rejected.to_string(), "errorMessage": message }
        })
        .to_string()
        .into_bytes(),
    }
}

/// An error answer (`google.rpc.Status`).
pub fn encode_status(encoding: Encoding, code: i32, message: &str) -> Vec<u8> {
    match encoding {
        Encoding::Protobuf => RpcStatus { code, message: message.to_string(), details: Vec::new() }.encode_to_vec(),
        Encoding::Json => serde_json::json!({ "code": code, "message": message }).to_string().into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_are_matched_by_essence() {
        assert_eq!(Encoding::from_content_type("application/x-protobuf"), Some(Encoding::Protobuf));
        assert_eq!(Encoding::from_content_type("Application/JSON; charset=utf-8"), Some(Encoding::Json));
        assert_eq!(Encoding::from_content_type("text/plain"), None);
    }

    #[test]
    fn partial_success_round_trips_in_protobuf() {
        use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceResponse;
        let bytes = encode_response(Encoding::Protobuf, 2, "bad ids");
        let decoded = ExportTraceServiceResponse::decode(bytes.as_slice()).unwrap();
        let partial = decoded.partial_success.unwrap();
        assert_eq!((partial.rejected_spans, partial.error_message.as_str()), (2, "bad ids"));
        assert!(encode_response(Encoding::Protobuf, 0, "").is_empty());
    }
}
